"""The HTML report in headless Chromium: the summary numbers are shown, the
charts are SVG, hostile subjects are text and never run, the page's own
script runs under its Content-Security-Policy (the filters appear).
Skipped (77) without /usr/bin/chromium."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test  # noqa: E402
from reports_common import TEST_OPTIONS, make_fixture, AS_OF  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    print("chromium is not installed: skipped")
    sys.exit(77)

t = Test("reports-html", **TEST_OPTIONS)
src = make_fixture(t.dir)
t.run("scan", "-r", "rules.ini", "--as-of", AS_OF, "--html", "r.html", "--json", "r.json", src, expect=1)
doc = json.loads(t.read("r.json"))
html = t.read("r.html")


def dump_dom(path):
    profile = os.path.join(t.dir, "chromium-profile")
    p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom",
                        "file://" + path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    return p.stdout.decode("utf-8", "replace")


dom = dump_dom(t.path("r.html"))
t.check("<svg" in dom, "Chromium rendered the page", dom[:500])

# the static checks: self-contained, strict CSP
t.check(re.search(r'http-equiv="Content-Security-Policy" content="default-src \'none\'', html), "CSP meta tag")
t.check("script-src 'sha256-" in html and "unsafe-inline" not in html, "the script is allowed by hash only")
t.eq(len(re.findall(r"<script", html)), 1, "exactly one script element in the file")
t.check(not re.search(r"(src|href)=\"(https?:)?//", html), "no external load")

# summary numbers
totals = doc["totals"]
t.check(re.search(r'id="verdict-text">Not ready: %d blocking finding' % totals["blocking"], dom),
        "verdict with the number of blocking findings", dom[:3000])
cards = dict((l.lower(), n) for n, l in re.findall(r'<div class="n">([^<]*)</div><div class="l">([^<]*)</div>', dom))
t.eq(cards.get("messages"), "{:,}".format(totals["messages"]), "messages shown")
t.eq(cards.get("folders"), str(totals["folders"]), "folders shown")
t.eq(cards.get("accounts"), str(totals["accounts"]), "accounts shown")
t.eq(cards.get("sources"), str(totals["sources"]), "sources shown")
t.eq(cards.get("errors"), str(totals["findings"]["error"]), "errors shown")
t.check(re.search(r'id="findings-count">%d finding' % sum(totals["findings"].values()), dom), "findings count")

# charts: four SVGs with bars, the limit lines drawn
t.check(len(re.findall(r"<svg", dom)) >= 4, "four charts")
t.check(dom.count('class="bar"') >= 6, "the charts have bars")
t.check('class="limit"' in dom and "limit 2.0 KB" in dom, "the size limit line is drawn")
t.check("limit 100" in dom, "the attachment limit line is drawn")

# hostile subjects: text, never executed
t.check("Mailbox migration preflight report" in re.search(r"<title>(.*?)</title>", dom).group(1),
        "document.title untouched by a hostile subject")
t.check("pwned" not in dom.split("<body", 1)[1].split(">", 1)[0], "no attribute set by a hostile onerror")
t.check(not re.search(r"<img", dom), "no <img> element from a subject")
t.check("&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom or
        "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in dom, "the <script> subject shows as text")
t.check("&lt;img src=x onerror=" in dom, "the <img> subject shows as text")
t.eq(dom.count("<script"), 1, "still exactly one script element after rendering")

# our own script ran (CSP hash right): it un-hides the filters
filters = re.search(r'<div class="filters" id="filters"[^>]*>', dom)
t.check(filters and "hidden" not in filters.group(0), "the page's script runs (filters shown)",
        filters.group(0) if filters else "")

# the page is readable without the script: everything is in the HTML itself
t.check('id="findings"' in html and "Many attachments" in html, "the findings table is static HTML")
t.finish()
