#!/usr/bin/env python3
"""relaygate matrix --format html, rendered by headless Chromium.

Usage: tests/html/test_matrix_html.py --bin build/relaygate [-v] [-k PATTERN]

Each test writes the page, appends a probe script after the page's own
script (which has run by then), loads the copy in headless Chromium with
--dump-dom and reads what the probe found: the cells as shown, which rows
and columns the filter left visible (from ?filter=... and from typing in
the box), the computed styles of the sticky headers and the heat map, and
whether the page fits a narrow (phone) window. The page itself is tested
as generated: the probe only reads it.

Chromium comes from Debian (scripts/deps.sh installs it). When it is not
installed and cannot be, the tests are skipped with a message saying so.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = None
CHROMIUM = None
POLICY = os.path.join(ROOT, "examples/policy.hujson")
INVENTORY = os.path.join(ROOT, "examples/inventory.json")

PROBE = r"""
<script>
(function () {
  function vis(el) { return getComputedStyle(el).display !== 'none'; }
  function state() {
    var t = document.getElementById('matrix');
    var heads = [].slice.call(t.tHead.rows[0].cells, 1);
    var rows = [].slice.call(t.tBodies[0].rows);
    var cells = {}, shownCells = {};
    rows.forEach(function (r) {
      var src = r.cells[0].textContent;
      heads.forEach(function (h, j) {
        var c = r.cells[j + 1], k = src + ' -> ' + h.textContent;
        if (c.textContent !== '') cells[k] = c.textContent;
        if (vis(r) && vis(c) && c.textContent !== '' && !c.classList.contains('dim'))
          shownCells[k] = c.textContent;
      });
    });
    return {
      rows: rows.filter(vis).map(function (r) { return r.cells[0].textContent; }),
      cols: heads.filter(vis).map(function (h) { return h.textContent; }),
      cells: cells, shown: shownCells,
      count: document.getElementById('count').textContent,
      filter: document.getElementById('filter').value
    };
  }
  var t = document.getElementById('matrix');
  var out = { initial: state() };
  var th = t.tHead.rows[0].cells[1], rh = t.tBodies[0].rows[0].cells[0];
  var corner = t.tHead.rows[0].cells[0];
  out.style = {
    headPosition: getComputedStyle(th).position, headTop: getComputedStyle(th).top,
    rowHeadPosition: getComputedStyle(rh).position, rowHeadLeft: getComputedStyle(rh).left,
    cornerZ: getComputedStyle(corner).zIndex, headZ: getComputedStyle(th).zIndex,
    wrapOverflow: getComputedStyle(document.querySelector('.wrap')).overflowX,
    tableFont: parseFloat(getComputedStyle(t).fontSize)
  };
  out.heat = {};
  ['h1', 'h2', 'h5'].forEach(function (h) {
    var probe = document.createElement('span');
    probe.className = h;
    document.body.appendChild(probe);
    out.heat[h] = getComputedStyle(probe).backgroundColor;
    probe.remove();
  });
  var empty = t.querySelector('tbody td:not([class])');
  out.heat.empty = empty ? getComputedStyle(empty).backgroundColor : null;
  out.viewport = { inner: window.innerWidth, scroll: document.documentElement.scrollWidth };
  out.external = [].slice.call(document.querySelectorAll('[src],[href],link')).length;
  /* Typing in the box filters too. */
  var f = document.getElementById('filter');
  out.typed = {};
  ['db-1', '5432', 'cap/relay', 'nomatch', ''].forEach(function (q) {
    f.value = q;
    f.dispatchEvent(new Event('input'));
    out.typed[q] = state();
  });
  var pre = document.createElement('pre');
  pre.id = 'rgprobe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class MatrixHTMLTest(unittest.TestCase):
    rendered = {}  # (page args, query, width) -> probe results; Chromium starts slowly

    def setUp(self):
        if not CHROMIUM:
            self.skipTest("chromium is not installed and could not be installed")
        self.tmp = tempfile.mkdtemp(prefix="rg-html-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def page(self, *args):
        """Writes the matrix page and its probed copy; returns the copy's path."""
        out = os.path.join(self.tmp, "matrix.html")
        subprocess.run([BIN, "matrix", "--format", "html", "-o", out, *args], check=True,
                       timeout=60)
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(text.count("</body>"), 1)
        probed = os.path.join(self.tmp, "probed.html")
        with open(probed, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", PROBE + "</body>"))
        return probed

    def render(self, path, query="", width=1280, height=900):
        with open(path, encoding="utf-8") as f:
            key = (f.read(), query, width, height)
        if key not in self.rendered:
            self.rendered[key] = self.chromium(path, query, width, height)
        return self.rendered[key]

    def chromium(self, path, query, width, height):
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.tmp)
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--user-data-dir=" + profile,
               "--window-size=%d,%d" % (width, height), "--dump-dom",
               "file://" + path + query]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        m = re.search(r'<pre id="rgprobe">(.*?)</pre>', p.stdout, re.S)
        if not m:
            self.fail("no probe output; chromium exit %d, stderr:\n%s" % (p.returncode,
                                                                          p.stderr[-2000:]))
        return json.loads(html.unescape(m.group(1)))

    def test_cells_as_shown(self):
        r = self.render(self.page("-i", INVENTORY, POLICY))
        s = r["initial"]
        self.assertEqual(s["rows"], ["alice-laptop", "bob-laptop", "carol-laptop", "app-vm-1",
                                     "app-vm-2", "db-1"])
        self.assertEqual(s["cols"], ["app-vm-1", "app-vm-2", "db-1", "relay-1"])
        self.assertEqual(s["cells"]["alice-laptop -> relay-1"], "tcp:22 tailscale.com/cap/relay")
        self.assertEqual(s["cells"]["carol-laptop -> app-vm-2"], "tcp:443")
        self.assertEqual(s["cells"]["app-vm-1 -> db-1"], "tcp:5432")
        self.assertNotIn("carol-laptop -> db-1", s["cells"])
        self.assertEqual(len(s["cells"]), 15)
        self.assertEqual(s["shown"], s["cells"])
        self.assertEqual(s["count"], "6 of 6 sources, 4 of 4 destinations")
        self.assertEqual(r["external"], 0)

    def test_sticky_headers_and_heat(self):
        r = self.render(self.page("-i", INVENTORY, POLICY))
        st = r["style"]
        self.assertEqual(st["headPosition"], "sticky")
        self.assertEqual(st["headTop"], "0px")
        self.assertEqual(st["rowHeadPosition"], "sticky")
        self.assertEqual(st["rowHeadLeft"], "0px")
        self.assertGreater(int(st["cornerZ"]), int(st["headZ"]))
        self.assertEqual(st["wrapOverflow"], "auto")
        heat = r["heat"]
        transparent = "rgba(0, 0, 0, 0)"
        for level in ("h1", "h2", "h5"):
            self.assertNotEqual(heat[level], transparent, level)
        self.assertEqual(len({heat["h1"], heat["h2"], heat["h5"]}), 3)
        self.assertEqual(heat["empty"], transparent)

    def test_filter_from_query(self):
        s = self.render(self.page("-i", INVENTORY, POLICY), "?filter=carol")["initial"]
        self.assertEqual(s["filter"], "carol")
        self.assertEqual(s["rows"], ["carol-laptop"])
        self.assertEqual(s["cols"], ["app-vm-1", "app-vm-2"])
        self.assertEqual(s["count"], "1 of 6 sources, 2 of 4 destinations")

    def test_filter_typed(self):
        typed = self.render(self.page("-i", INVENTORY, POLICY))["typed"]
        # A node's name: its column with every row reaching it, its row with what it reaches.
        t = typed["db-1"]
        self.assertEqual(t["cols"], ["db-1", "relay-1"])
        self.assertEqual(t["rows"], ["alice-laptop", "bob-laptop", "app-vm-1", "app-vm-2", "db-1"])
        self.assertEqual(t["count"], "5 of 6 sources, 2 of 4 destinations")
        self.assertNotIn("alice-laptop -> relay-1", t["shown"])  # dimmed: neither end matches
        # By access: who reaches the database port.
        t = typed["5432"]
        self.assertEqual(t["rows"], ["app-vm-1", "app-vm-2"])
        self.assertEqual(t["cols"], ["db-1"])
        self.assertEqual(set(t["shown"]), {"app-vm-1 -> db-1", "app-vm-2 -> db-1"})
        # By capability: the relay view.
        t = typed["cap/relay"]
        self.assertEqual(t["cols"], ["relay-1"])
        self.assertEqual(t["rows"], ["alice-laptop", "bob-laptop", "app-vm-1", "app-vm-2", "db-1"])
        self.assertEqual((typed["nomatch"]["rows"], typed["nomatch"]["cols"]), ([], []))
        self.assertEqual(len(typed[""]["rows"]), 6)
        self.assertEqual(len(typed[""]["cols"]), 4)

    def test_phone(self):
        """A narrow window: the page does not overflow; the table scrolls in its frame."""
        wide = self.render(self.page(POLICY))
        narrow = self.render(self.page(POLICY), width=390, height=844)
        v = narrow["viewport"]
        self.assertLessEqual(v["inner"], 640)
        self.assertLessEqual(v["scroll"], v["inner"])
        self.assertLess(narrow["style"]["tableFont"], wide["style"]["tableFont"])
        self.assertIn("group:sre -> tag:db", narrow["initial"]["cells"])

    def test_escaping_in_the_page(self):
        inv = os.path.join(self.tmp, "inv.json")
        with open(INVENTORY, encoding="utf-8") as f:
            data = json.load(f)
        data["nodes"][0]["name"] = "<img src=x onerror=alert(1)>&amp;"
        with open(inv, "w", encoding="utf-8") as f:
            json.dump(data, f)
        r = self.render(self.page("-i", inv, POLICY))
        self.assertEqual(r["initial"]["rows"][0], "<img src=x onerror=alert(1)>&amp;")
        self.assertEqual(r["external"], 0)  # shown as text, not parsed as an element


def main():
    global BIN, CHROMIUM
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("-k", default=None)
    args = ap.parse_args()
    BIN = os.path.abspath(args.bin)
    CHROMIUM = find_chromium()
    if not CHROMIUM:
        print("SKIP tests/html: chromium is not installed, and scripts/deps.sh could not "
              "install it (no root, sudo or package registry); the HTML matrix is untested here")
    argv = [sys.argv[0]] + (["-v"] if args.v else []) + (["-k", args.k] if args.k else [])
    res = unittest.main(module=__name__, argv=argv, exit=False).result
    sys.exit(0 if res.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
