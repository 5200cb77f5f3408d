#!/usr/bin/env python3
"""relaygate lint and fmt, end to end.

- SARIF: the structure GitHub code scanning requires (required properties
  present and non-empty, ruleIndex consistent, limits), and fingerprints that
  survive lines moving;
- the rule registry: `relaygate rules`, `relaygate explain`, docs/rules/ and
  SARIF rule metadata agree;
- json: exactly the documented fields, and a summary that adds up;
- github: workflow commands that unescape to exactly what json says;
- fmt: on every policy of the repository, formatting is idempotent and never
  changes the meaning (the standard JSON, the per-node filters Tailscale would
  compute, and the lint findings, pragmas included); and the layout golden
  files under tests/lint/fmt/.

Usage: tests/lint/test_lint.py --bin build/relaygate
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join("examples", "inventory.json")
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def run(args, stdin=None, env=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("RELAYGATE_"):
            del e[k]
    e["NO_COLOR"] = "1"
    e.update(env or {})
    p = subprocess.run([BIN] + args, input=stdin, capture_output=True, cwd=ROOT, env=e)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def corpus():
    return sorted(glob.glob(os.path.join(ROOT, "policies", "*", "*.hujson")))


def rel(path):
    return os.path.relpath(path, ROOT)


def lint_args(path):
    args_file = path[: -len(".hujson")] + ".args"
    return open(args_file).read().split() if os.path.exists(args_file) else []


# ---- SARIF ------------------------------------------------------------------------

def nonempty_text(obj, key):
    return isinstance(obj, dict) and isinstance(obj.get(key), dict) and \
        isinstance(obj[key].get("text"), str) and obj[key]["text"] != ""


def check_sarif(doc, where):
    check(doc.get("$schema", "").startswith("https://"), where + ": $schema")
    check(doc.get("version") == "2.1.0", where + ": version")
    runs = doc.get("runs")
    if not check(isinstance(runs, list) and 1 <= len(runs) <= 20, where + ": runs"):
        return
    for run_ in runs:
        driver = run_.get("tool", {}).get("driver", {})
        check(driver.get("name") == "relaygate", where + ": tool.driver.name")
        rules = driver.get("rules")
        if not check(isinstance(rules, list) and 0 < len(rules) <= 25000, where + ": rules"):
            return
        check(run_.get("columnKind") in ("utf16CodeUnits", "unicodeCodePoints"),
              where + ": columnKind")
        for r in rules:
            rid = r.get("id", "")
            check(rid != "", where + ": rule id")
            for k in ("shortDescription", "fullDescription", "help"):
                check(nonempty_text(r, k), "%s: rule %s %s.text" % (where, rid, k))
            check(r.get("help", {}).get("markdown", "") != "", where + ": help.markdown " + rid)
            check(r.get("defaultConfiguration", {}).get("level") in ("note", "warning", "error"),
                  where + ": defaultConfiguration.level " + rid)
            props = r.get("properties", {})
            check(len(props.get("tags", [])) <= 20, where + ": tags " + rid)
            if "security-severity" in props:
                check(0.1 <= float(props["security-severity"]) <= 10.0,
                      where + ": security-severity " + rid)
        results = run_.get("results")
        if not check(isinstance(results, list) and len(results) <= 25000, where + ": results"):
            return
        for res in results:
            rid = res.get("ruleId")
            check(nonempty_text(res, "message"), where + ": result message.text")
            check(res.get("level") in ("note", "warning", "error"), where + ": result level")
            idx = res.get("ruleIndex")
            check(isinstance(idx, int) and 0 <= idx < len(rules) and rules[idx]["id"] == rid,
                  "%s: ruleIndex %r for %s" % (where, idx, rid))
            locs = res.get("locations")
            if not check(isinstance(locs, list) and 1 <= len(locs) <= 10, where + ": locations"):
                continue
            pl = locs[0].get("physicalLocation", {})
            art, region = pl.get("artifactLocation", {}), pl.get("region", {})
            uri = art.get("uri", "")
            check(uri != "" and " " not in uri, where + ": artifactLocation.uri " + uri)
            check(uri.startswith("file://") or art.get("uriBaseId") == "%SRCROOT%",
                  where + ": relative uri without %SRCROOT%")
            keys = ("startLine", "startColumn", "endLine", "endColumn")
            if check(all(isinstance(region.get(k), int) and region[k] >= 1 for k in keys),
                     where + ": region " + json.dumps(region)):
                check((region["endLine"], region["endColumn"]) >
                      (region["startLine"], region["startColumn"]), where + ": empty region")
            fp = res.get("partialFingerprints", {}).get("primaryLocationLineHash", "")
            check(fp != "", where + ": partialFingerprints.primaryLocationLineHash")


def test_sarif():
    for path in corpus():
        rc, out, err = run(["lint", "-f", "sarif"] + lint_args(path) + [rel(path)])
        check(rc in (0, 1) and err == "", rel(path) + ": sarif exit %d, stderr %r" % (rc, err))
        check_sarif(json.loads(out), rel(path))
    # Several files in one log; an absolute path becomes a file:// URI.
    rc, out, _ = run(["lint", "-f", "sarif", "policies/bad/allow-all.hujson",
                      os.path.join(ROOT, "policies/bad/unused-host.hujson")])
    doc = json.loads(out)
    check_sarif(doc, "two files")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]}
    check("policies/bad/allow-all.hujson" in uris, "relative uri kept: %r" % uris)
    check(any(u.startswith("file:///") and u.endswith("unused-host.hujson") for u in uris),
          "absolute path as file:// uri: %r" % uris)


def test_fingerprints_survive_moves():
    src = open(os.path.join(ROOT, "policies/bad/duplicate-rule.hujson"), "rb").read()
    moved = b"// a new header\n\n" + src.replace(b"\t\"grants\"", b"\n\n\t\"grants\"")

    def prints(data):
        _, out, _ = run(["lint", "-f", "sarif", "--stdin-filename", "p.hujson", "-"], stdin=data)
        return sorted((r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"])
                      for r in json.loads(out)["runs"][0]["results"])

    a, b = prints(src), prints(moved)
    check(a == b and len(a) >= 2, "fingerprints changed when lines moved: %r vs %r" % (a, b))
    fps = [f for _, f in a]
    check(len(set(fps)) == len(fps), "fingerprints are not unique: %r" % a)


# ---- the registry and its outputs --------------------------------------------------

def test_registry_agreement():
    rc, out, _ = run(["rules", "--format", "json"])
    rules = json.loads(out)
    check(len(rules) >= 23, "rules: %d" % len(rules))
    _, sarif, _ = run(["lint", "-f", "sarif", "examples/policy.hujson"])
    driver_rules = json.loads(sarif)["runs"][0]["tool"]["driver"]["rules"]
    check([r["id"] for r in driver_rules] == [r["id"] for r in rules], "SARIF rule ids")
    level = {"error": "error", "warning": "warning", "info": "note"}
    docs_dir = os.path.join(ROOT, "docs", "rules")
    for r, d in zip(rules, driver_rules):
        check(d["name"] == r["name"], "SARIF name of " + r["id"])
        check(d["shortDescription"]["text"] == r["summary"], "SARIF summary of " + r["id"])
        check(d["defaultConfiguration"]["level"] == level[r["severity"]], "SARIF level " + r["id"])
        _, page, _ = run(["explain", r["id"]])
        _, by_slug, _ = run(["explain", r["name"]])
        check(page == by_slug, "explain by ID and by slug differ: " + r["id"])
        check(d["help"]["markdown"] == page, "SARIF help.markdown of " + r["id"])
        path = os.path.join(docs_dir, r["id"] + ".md")
        check(os.path.exists(path) and open(path).read() == page,
              "docs/rules/%s.md is not what `relaygate explain` prints (make rule-docs)" % r["id"])
        for kind in ("bad", "good"):
            check(os.path.exists(os.path.join(ROOT, "policies", kind, r["name"] + ".hujson")),
                  "policies/%s/%s.hujson missing" % (kind, r["name"]))
    _, index, _ = run(["rules", "--format", "markdown"])
    check(open(os.path.join(docs_dir, "README.md")).read() == index,
          "docs/rules/README.md is stale (make rule-docs)")
    pages = {os.path.basename(p)[:-3] for p in glob.glob(os.path.join(docs_dir, "RG*.md"))}
    check(pages == {r["id"] for r in rules}, "docs/rules has pages of unknown rules: %r" % pages)


# ---- json and github ---------------------------------------------------------------

FIELDS = ["rule", "name", "severity", "file", "line", "column", "end_line", "end_column", "message"]


def test_json_fields():
    files = [rel(p) for p in corpus() if "/bad/" in p and not lint_args(p)]
    rc, out, _ = run(["lint", "-f", "json"] + files)
    doc = json.loads(out)
    check(list(doc) == ["version", "diagnostics", "summary"], "json top level: %r" % list(doc))
    check(doc["version"] == 1, "json version")
    for d in doc["diagnostics"]:
        check(list(d) == FIELDS, "json fields: %r" % list(d))
        check(d["rule"].startswith("RG") and len(d["rule"]) == 5, "json rule id %r" % d["rule"])
    s = doc["summary"]
    counts = {k: sum(1 for d in doc["diagnostics"] if d["severity"] == k)
              for k in ("error", "warning", "info")}
    check(all(s[k] == counts[k] for k in counts), "json summary %r vs %r" % (s, counts))
    check(s["files"] == len(files), "json summary files")
    check(rc == 1, "json exit status")


def gh_unescape(s, prop):
    s = s.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        s = s.replace("%3A", ":").replace("%2C", ",")
    return s.replace("%25", "%")


def parse_workflow_command(line):
    head, _, data = line.partition("::")[2].partition("::")
    cmd, _, props = head.partition(" ")
    fields = {}
    for p in props.split(","):
        k, _, v = p.partition("=")
        fields[k] = gh_unescape(v, True)
    return cmd, fields, gh_unescape(data, False)


def test_github_matches_json():
    tricky = b'{"grants": [], "x%0A:,\\n\\r%": 1, "tagOwners": {"tag:a": []}}\n'
    name = "dir, with:odd%25 name/p.hujson"
    for stdin, args in ((tricky, ["--stdin-filename", name, "-"]),
                        (None, [rel(p) for p in corpus() if "/bad/" in p and not lint_args(p)])):
        _, gh, _ = run(["lint", "-f", "github"] + args, stdin=stdin)
        _, js, _ = run(["lint", "-f", "json"] + args, stdin=stdin)
        diags = json.loads(js)["diagnostics"]
        lines = gh.splitlines()
        check(len(lines) == len(diags), "github: %d lines for %d findings" % (len(lines), len(diags)))
        sev = {"error": "error", "warning": "warning", "info": "notice"}
        for line, d in zip(lines, diags):
            cmd, f, msg = parse_workflow_command(line)
            check(cmd == sev[d["severity"]], "github command %r" % line)
            check(f.get("file") == d["file"], "github file %r vs %r" % (f.get("file"), d["file"]))
            check(f.get("line") == str(d["line"]) and f.get("col") == str(d["column"]),
                  "github position %r" % line)
            check(f.get("title") == d["rule"] + " " + d["name"], "github title %r" % line)
            check(msg == d["message"], "github message %r vs %r" % (msg, d["message"]))
            check("\n" not in line and "\r" not in line, "github line break in %r" % line)


# ---- fmt ---------------------------------------------------------------------------

def fmt(data):
    rc, out, err = run(["fmt", "-"], stdin=data)
    return rc, out.encode("utf-8"), err


def standard_json(data):
    rc, out, _ = run(["hujson", "-"], stdin=data)
    if rc != 0:
        return None
    return json.loads(out, object_pairs_hook=lambda pairs: pairs)


def filters(data, tmpdir):
    path = os.path.join(tmpdir, "p.hujson")
    open(path, "wb").write(data)
    rc, out, _ = run(["filters", "--inventory", INVENTORY, "--format", "json", path])
    return rc, out


def findings(data, args):
    rc, out, _ = run(["lint", "-f", "json"] + args + ["--stdin-filename", "p.hujson", "-"],
                     stdin=data)
    doc = json.loads(out)
    return rc, sorted(d["name"] for d in doc["diagnostics"]), doc["summary"]["suppressed"]


def fmt_one(path, tmp):
    """Checks one file; returns whether its filters were compared."""
    src = open(path, "rb").read()
    rc, once, err = fmt(src)
    if standard_json(src) is None:
        check(rc == 1 and once == b"" and "error" in err, rel(path) + ": fmt of bad syntax")
        return False
    if not check(rc == 0, rel(path) + ": fmt exit %d %s" % (rc, err)):
        return False
    _, twice, _ = fmt(once)
    check(twice == once, rel(path) + ": fmt is not idempotent")
    check(standard_json(once) == standard_json(src), rel(path) + ": fmt changed the values")
    args = lint_args(path)
    check(findings(once, args) == findings(src, args),
          rel(path) + ": fmt changed the findings or what pragmas silence")
    before = filters(src, tmp)
    if before[0] != 0:
        return False
    check(filters(once, tmp) == before, rel(path) + ": fmt changed the filters")
    return True


def test_fmt_keeps_meaning():
    paths = corpus() + [os.path.join(ROOT, "examples", "policy.hujson")] + \
        sorted(glob.glob(os.path.join(ROOT, "tests", "lint", "fmt", "*.hujson")))
    with tempfile.TemporaryDirectory() as tmp:
        dirs = [os.path.join(tmp, str(i)) for i in range(len(paths))]
        for d in dirs:
            os.mkdir(d)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            compared = sum(pool.map(fmt_one, paths, dirs))
    check(compared >= 20, "fmt: only %d policies compared by their filters" % compared)


def test_fmt_golden():
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "lint", "fmt", "*.hujson"))):
        want = path[: -len(".hujson")] + ".formatted"
        rc, out, err = fmt(open(path, "rb").read())
        if os.environ.get("UPDATE") == "1":
            open(want, "wb").write(out)
        check(rc == 0 and os.path.exists(want) and open(want, "rb").read() == out,
              rel(path) + ": formatted output differs from " + rel(want))


# ---- integration files ------------------------------------------------------------

def test_integration_files():
    """Every relaygate command in the hooks and CI examples runs (exit 0 or 1, never 2)."""
    hooks = open(os.path.join(ROOT, ".pre-commit-hooks.yaml")).read()
    check("- id: relaygate\n" in hooks, ".pre-commit-hooks.yaml: no hook with id relaygate")
    check("language: unsupported" in hooks and "language: system" in hooks,
          ".pre-commit-hooks.yaml: unsupported and system variants")
    commands = []
    for name in (".pre-commit-hooks.yaml", "examples/pre-commit-config.yaml",
                 "examples/github-actions.yml", "examples/gitlab-ci.yml"):
        for line in open(os.path.join(ROOT, name)):
            m = re.search(r"(?:entry: |run: |- |^\s+)(relaygate (?:lint|fmt)[^|>#]*)", line)
            if m:
                commands.append((name, m.group(1).strip()))
    check(len(commands) >= 8, "integration: only %d relaygate commands found" % len(commands))
    for name, cmd in commands:
        # fmt gets a formatted file (and --check: nothing is rewritten here)
        policy = "tests/lint/fmt/layout.formatted" if cmd.startswith("relaygate fmt") \
            else "examples/policy.hujson"
        args = shlex.split(cmd.replace('"$POLICY"', policy))[1:]
        if policy not in args:
            args.append(policy)                     # a hook: pre-commit passes the files
        if args[0] == "fmt" and "--check" not in args:
            args.insert(1, "--check")
        rc, _, err = run(args)
        check(rc == 0, "%s: `relaygate %s` exits %d: %s" % (name, " ".join(args), rc, err))


MAN_COMMANDS = ["lint", "fmt", "rules", "explain", "validate", "filters", "hujson", "api"]


def test_man_page():
    """docs/relaygate.1 documents every command; those of issue 3 must be there."""
    _, out, err = run(["--help"])
    commands = re.findall(r"^  (\w+) ", out + err, re.M)
    page = open(os.path.join(ROOT, "docs", "relaygate.1")).read()
    for c in MAN_COMMANDS:
        check(c in commands, "`relaygate --help` does not list %s" % c)
        check(".SS %s\n" % c in page, "docs/relaygate.1 has no section for `%s`" % c)
    for c in commands:
        check(".SS %s\n" % c in page, "docs/relaygate.1 has no section for `%s`" % c)
    version = open(os.path.join(ROOT, "VERSION")).read().strip()
    check('"relaygate %s"' % version in page, "docs/relaygate.1: .TH does not say %s" % version)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    BIN = os.path.abspath(ap.parse_args().bin)
    tests = [test_sarif, test_fingerprints_survive_moves, test_registry_agreement,
             test_json_fields, test_github_matches_json, test_fmt_keeps_meaning, test_fmt_golden,
             test_integration_files, test_man_page]
    for t in tests:
        before = len(FAILURES)
        t()
        print("%s %s" % ("ok  " if len(FAILURES) == before else "FAIL", t.__name__))
    for f in FAILURES[:50]:
        print("  " + f)
    print("lint-py: %d tests, %d failures" % (len(tests), len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
