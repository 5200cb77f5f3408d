#!/usr/bin/env python3
"""Conformance ratchet.

Runs the shared conformance suites (HuJSON vectors, JSONTestSuite, and the
Tailscale control-plane captures through ../shared/conformance/run.py) and
compares the number of passing cases per kind with tests/conformance/ratchet.txt.
Fails when any count drops; an improvement is reported and recorded with
--update (commit the new ratchet.txt with the change that earned it).
Skips cleanly when the shared folder is absent.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RATCHET = os.path.join(HERE, "ratchet.txt")
sys.path.insert(0, HERE)
import hujson_suite  # noqa: E402


def read_ratchet():
    counts = {}
    if os.path.exists(RATCHET):
        for line in open(RATCHET):
            line = line.split("#", 1)[0].strip()
            if line:
                k, v = line.split()
                counts[k] = int(v)
    return counts


def write_ratchet(counts):
    with open(RATCHET + ".tmp", "w") as f:
        f.write("# Conformance cases passing per kind; make check fails if one drops.\n")
        f.write("# Raise with: make conformance-update (in the commit that earns it).\n")
        for k in sorted(counts):
            f.write("%s %d\n" % (k, counts[k]))
    os.replace(RATCHET + ".tmp", RATCHET)


def saas(binary, shared, details, jobs):
    runner = os.path.join(shared, "conformance", "run.py")
    cases = os.path.join(shared, "conformance", "cases", "tailscale-saas.jsonl")
    if not (os.path.exists(runner) and os.path.exists(cases)):
        return {}
    cmd = [sys.executable, runner, "--bin", binary, "--cases", cases, "--jobs", str(jobs)]
    if details:
        cmd += ["--show-diff", "10"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode == 2:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit("conformance: run.py failed to run")
    if details:
        sys.stdout.write(p.stdout)
    counts = {}
    in_table = False
    for line in p.stdout.splitlines():
        if line.startswith("kind") and "passed" in line:
            in_table = True
            continue
        if in_table:
            m = re.match(r"(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", line)
            if not m:
                in_table = False
                continue
            counts["saas-" + m.group(1)] = int(m.group(2))
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.shared, "conformance")):
        print("conformance: %s/conformance not found; skipping the conformance suites" % a.shared)
        return 0
    now = {}
    for k, (ok, tot, fails) in hujson_suite.run_all(a.bin, a.shared).items():
        now[k] = ok
        if a.details:
            print("%-14s %d/%d" % (k, ok, tot))
            for cid, why in fails:
                print("  FAIL %s: %s" % (cid, why))
    now.update(saas(a.bin, a.shared, a.details, a.jobs))
    rec = read_ratchet()
    dropped, raised = [], []
    for k in sorted(set(now) | set(rec)):
        have, want = now.get(k, 0), rec.get(k, 0)
        if have < want:
            dropped.append("%s %d < %d" % (k, have, want))
        elif have > want:
            raised.append("%s %d > %d" % (k, have, want))
    print("conformance: " + ", ".join("%s %d" % (k, now[k]) for k in sorted(now)))
    if a.update:
        write_ratchet({k: max(now.get(k, 0), rec.get(k, 0)) for k in set(now) | set(rec)})
        print("conformance: ratchet.txt updated")
    elif raised:
        print("conformance: improved (%s); record it with 'make conformance-update'" %
              ", ".join(raised))
    if dropped:
        print("conformance: FAIL, pass counts dropped: " + ", ".join(dropped))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
