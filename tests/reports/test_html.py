"""The HTML report in headless Chromium: the summary numbers are shown, the
charts are SVG, hostile subjects are text and never run, the page's own
script runs under its Content-Security-Policy (the filters appear). The
charts (issue 13): the value axis of counts has whole-number ticks, evenly
spaced from 0 (0, 2, 4, 6 for a maximum of 6), reaching the tallest bar; no
two bar labels overlap, measured with getBBox in Chromium on the report's
own SVG and CSS.
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
t.check(re.search(r'id="verdict-text">Not ready: %d error' % totals["findings"]["error"], dom),
        "verdict with the number of errors", dom[:3000])
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


# ---- charts: whole-number ticks, labels that do not overlap -----------------------
def check_ticks(page, what):
    for k, svg in enumerate(re.findall(r"<svg.*?</svg>", page, re.S)):
        ticks = [int(v.replace(",", "")) for v in re.findall(r'<text class="ytick"[^>]*>([^<]*)</text>', svg)]
        bars = [int(v.replace(",", "")) for v in re.findall(r"<title>[^<]*: ([0-9,]+)</title></rect>", svg)]
        if not ticks:
            continue  # the folder chart has no value axis
        steps = {b - a for a, b in zip(ticks, ticks[1:])}
        t.check(ticks[0] == 0 and len(steps) == 1 and min(steps) > 0 and ticks[-1] >= max(bars or [0]),
                "%s chart %d: ticks are whole numbers, evenly spaced from 0, up to the tallest bar" % (what, k),
                (ticks, max(bars or [0])))
        step = min(steps) if steps else 0
        t.check(str(step).rstrip("0") in ("1", "2", "5", ""), "%s chart %d: a 1-2-5 step" % (what, k), ticks)
    return page


check_ticks(html, "report")
# six messages without attachments: the attachments chart's axis is 0, 2, 4, 6
os.makedirs(t.path("six"))
with open(t.path("six", "INBOX"), "wb") as f:
    for i in range(6):
        f.write(b"From x@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nSubject: m%d\n"
                b"Date: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <six%d@x>\n\nbody\n\n" % (i, i))
t.run("scan", "-q", "--as-of", AS_OF, "--html", "six.html", "six", expect=0)
six = t.read("six.html")
att = re.findall(r'<svg[^>]*aria-label="Attachments per message".*?</svg>', six, re.S)
t.eq([v for v in re.findall(r'<text class="ytick"[^>]*>([^<]*)</text>', att[0] if att else "")],
     ["0", "2", "4", "6"], "a maximum of 6: ticks 0, 2, 4, 6")
check_ticks(six, "six")


def label_boxes(page):
    """The bounding box of every x-axis label of every chart of PAGE, as
    Chromium lays them out with the report's own CSS (a page of ours with a
    script: the report's CSP allows only its own)."""
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    svgs = "".join(re.findall(r"<svg.*?</svg>", page, re.S))
    probe = t.path("probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>%s</style></head><body>%s"
                "<pre id=\"boxes\"></pre><script>var out=[];document.querySelectorAll('svg').forEach(function(s){"
                "out.push({label:s.getAttribute('aria-label'),w:s.viewBox.baseVal.width,h:s.viewBox.baseVal.height,"
                "boxes:[].map.call(s.querySelectorAll('text.xlabel, text[text-anchor=middle]:not([class])'),function(e){var b=e.getBBox();"
                "return [e.textContent,b.x,b.y,b.width,b.height];})});});"
                "document.getElementById('boxes').textContent=JSON.stringify(out);</script></body></html>"
                % (css, svgs))
    dom = dump_dom(probe)
    m = re.search(r'<pre id="boxes">(.*?)</pre>', dom, re.S)
    return json.loads(m.group(1).replace("&quot;", '"')) if m and m.group(1) else []


for what, page in (("report", html), ("six", six)):
    charts = label_boxes(page)
    t.check(len(charts) >= 3, "%s: Chromium measured the charts' labels" % what, charts)
    for c in charts:
        boxes = c["boxes"]
        clash = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                 if a[1] < b[1] + b[3] and b[1] < a[1] + a[3] and a[2] < b[2] + b[4] and b[2] < a[2] + a[4]]
        t.check(not clash, "%s, %s: no two x-axis labels overlap" % (what, c["label"]), clash)
        outside = [b[0] for b in boxes if b[1] < 0 or b[1] + b[3] > c["w"] or b[2] + b[4] > c["h"]]
        t.check(not outside, "%s, %s: every label inside the chart" % (what, c["label"]), outside)
    att = [c for c in charts if c["label"] == "Attachments per message"]
    t.check(att and {"51-100", "101-250"} <= {b[0] for b in att[0]["boxes"]},
            "%s: 51-100 and 101-250 are both labelled" % what, att)
t.finish()
