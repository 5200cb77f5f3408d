#!/usr/bin/env python3
"""HuJSON conformance: shared conformance/hujson-cases.md (reference parser
verdicts, messages and positions) and JSONTestSuite test_parsing.

Usage: hujson_suite.py --bin build/relaygate --shared ../shared [--details]
Prints one summary line per suite ("hujson-cases N/M", "jsontestsuite N/M")
and, with --details, every disagreement. Importable: run_all() returns
{suite: (passed, total, failures)}.
"""
import argparse
import json
import os
import re
import subprocess
import sys

# The n_ files that are legal HuJSON (comments, one trailing comma).
HUJSON_LEGAL_N = {
    "n_array_extra_comma.json",
    "n_array_number_and_comma.json",
    "n_object_trailing_comma.json",
    "n_object_trailing_comment.json",
    "n_structure_object_with_comment.json",
}
# Our deliberate deviation: invalid UTF-8 is rejected in strings too.
DEVIATION_REJECT = {
    "n_object_lone_continuation_byte_in_key_and_trailing_comma.json",
}


def run(binary, data, timeout=10):
    p = subprocess.run([binary, "hujson", "-"], input=data, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def decode_input(cell):
    """A markdown cell holding a JSON string literal, or raw-bytes notation."""
    cell = cell.strip()
    m = re.match(r"`(.*)`", cell)
    if not m:
        return None
    lit = m.group(1)
    raw = "(raw byte" in cell
    if lit.startswith('"') and lit.endswith('"') and not raw:
        try:
            return json.loads(lit).encode("utf-8")
        except ValueError:
            # Not JSON (e.g. a \\U escape): read it as a Python literal.
            return lit[1:-1].encode("latin-1", "backslashreplace").decode(
                "unicode_escape").encode("utf-8", "surrogatepass")
    if lit.startswith('"') and lit.endswith('"'):
        lit = lit[1:-1]
    # Raw notation: \xNN is a byte, the rest is literal text (with JSON-ish escapes).
    out = bytearray()
    i = 0
    while i < len(lit):
        if lit.startswith("\\x", i):
            out.append(int(lit[i + 2:i + 4], 16))
            i += 4
        elif lit.startswith("\\n", i):
            out += b"\n"
            i += 2
        elif lit.startswith('\\"', i):
            out += b'"'
            i += 2
        else:
            out += lit[i].encode("utf-8")
            i += 1
    return bytes(out)


def hujson_cases(binary, path):
    failures = []
    total = 0
    text = open(path, encoding="utf-8").read()
    for line in text.splitlines():
        cells = [c for c in re.split(r"(?<!\\)\|", line)]
        if len(cells) < 4 or not re.fullmatch(r"\s*[AB]\d+\s*", cells[1] or ""):
            continue
        cid = cells[1].strip()
        if cid.startswith("A"):
            inp, verdict, detail = cells[3], cells[4], cells[5]
        else:
            inp, verdict, detail = cells[2], cells[3], cells[3]
        data = decode_input(inp)
        if data is None:
            failures.append((cid, "cannot decode input cell"))
            continue
        expect_valid = "valid" in verdict.lower() and "invalid" not in verdict.lower()
        msg = None
        m = re.search(r"`(hujson: line \d+, column \d+: .*)`", detail)
        if m:
            expect_valid = False
            msg = m.group(1)
        # Our deviation: raw invalid UTF-8 inside a string is an error.
        if cid == "A73":
            expect_valid = False
            msg = "hujson: line 1, column 8: invalid UTF-8 in string"
        total += 1
        try:
            rc, out, err = run(binary, data)
        except subprocess.TimeoutExpired:
            failures.append((cid, "timeout"))
            continue
        if expect_valid:
            if rc != 0:
                failures.append((cid, "expected valid, got exit %d: %s" % (rc, err.strip()[:200])))
            elif cid.startswith("A") and "Std:" in detail:
                sm = re.search(r"Std: `(\".*?\")`", detail)
                if sm:
                    want = json.loads(sm.group(1)).encode("utf-8")
                    if out != want:
                        failures.append((cid, "standardized %r, want %r" % (out, want)))
        else:
            if rc != 1:
                failures.append((cid, "expected invalid (exit 1), got exit %d" % rc))
            elif msg:
                # Messages may quote raw bytes the markdown shows differently
                # (a NUL as a space, a tab as a tab): compare up to the literal.
                if msg not in err:
                    head = msg.split(": invalid literal:")[0]
                    if ": invalid literal:" not in msg or head not in err:
                        failures.append((cid, "message %r not in %r" % (msg, err.strip()[:300])))
    return total - len(failures), total, failures


def json_test_suite(binary, folder):
    failures = []
    names = sorted(os.listdir(folder))
    total = 0
    for name in names:
        if not name.endswith(".json"):
            continue
        total += 1
        data = open(os.path.join(folder, name), "rb").read()
        try:
            rc, _, err = run(binary, data, timeout=5)
        except subprocess.TimeoutExpired:
            failures.append((name, "timeout"))
            continue
        if rc not in (0, 1):
            failures.append((name, "exit %d (crash or error): %s" % (rc, err.strip()[:200])))
            continue
        if name.startswith("y_"):
            want = 0
        elif name.startswith("n_"):
            want = 0 if name in HUJSON_LEGAL_N else 1
        else:
            continue  # i_: any verdict, but no crash or hang (checked above)
        if name in DEVIATION_REJECT:
            want = 1
        if rc != want:
            failures.append((name, "exit %d, want %d" % (rc, want)))
    return total - len(failures), total, failures


def run_all(binary, shared):
    res = {}
    cases = os.path.join(shared, "conformance", "hujson-cases.md")
    suite = os.path.join(shared, "conformance", "JSONTestSuite", "test_parsing")
    if os.path.exists(cases):
        res["hujson-cases"] = hujson_cases(binary, cases)
    if os.path.isdir(suite):
        res["jsontestsuite"] = json_test_suite(binary, suite)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--details", action="store_true")
    a = ap.parse_args()
    res = run_all(a.bin, a.shared)
    bad = 0
    for k, (ok, tot, fails) in res.items():
        print("%-14s %d/%d" % (k, ok, tot))
        bad += len(fails)
        if a.details:
            for cid, why in fails:
                print("  FAIL %s: %s" % (cid, why))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
