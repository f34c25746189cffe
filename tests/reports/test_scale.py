"""100,000 messages, each with a finding: the HTML stays under 10 MB, and
every format (JSON, CSV, JUnit, HTML, summary) agrees on the counts."""
import csv
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test  # noqa: E402
from reports_common import TEST_OPTIONS  # noqa: E402

N = int(os.environ.get("MAILPREFLIGHT_SCALE_MESSAGES", "100000"))
t = Test("reports-scale", **TEST_OPTIONS)
os.makedirs(t.path("big"))
t0 = time.monotonic()
for name, count in (("INBOX", N - N // 4), ("Archive-2019", N // 4)):
    with open(t.path("big", name), "w") as f:
        for i in range(count):
            f.write("From x@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nSubject: m %d <b>\n"
                    "Date: Mon, 01 Jan %d 10:00:00 +0000\nMessage-ID: <%s%d@x>\n\nbody %d\n\n"
                    % (i, 2000 + i % 25, name, i, i))
with open(t.path("rules.ini"), "w") as f:
    f.write("[profile]\nname = tiny\ninherits = generic\n\n[rule tiny]\ncheck = message-size\nmax = 100 B\n"
            "severity = warning\n")
print("generated %d messages in %.1fs" % (N, time.monotonic() - t0))

t0 = time.monotonic()
p = t.run("scan", "-r", "rules.ini", "--as-of", "2024-06-01", "--fail-on", "warning", "--json", "r.json",
          "--csv", "r.csv", "--junit", "r.xml", "--html", "r.html", "big", expect=1)
print("scanned in %.1fs" % (time.monotonic() - t0))

size = os.path.getsize(t.path("r.html"))
print("HTML: %d bytes; JSON: %d bytes" % (size, os.path.getsize(t.path("r.json"))))
t.check(size < 10 * 1024 * 1024, "HTML under 10 MB with %d findings" % N, size)

doc = json.load(open(t.path("r.json")))
tot = doc["totals"]
t.eq(tot["messages"], N, "JSON: every message counted")
n_findings = sum(tot["findings"].values())
t.check(n_findings >= N, "a finding per message", n_findings)
with open(t.path("r.csv"), newline="", encoding="utf-8") as f:
    rows = sum(1 for _ in csv.reader(f)) - 1
t.eq(rows, n_findings, "CSV rows = JSON findings")
t.eq(sum(len(m["findings"]) for a in doc["accounts"] for s in a["sources"] for fo in s["folders"] for m in fo["messages"])
     + sum(len(fo["findings"]) + len(fo["final_findings"]) for a in doc["accounts"] for s in a["sources"] for fo in s["folders"])
     + sum(len(s["findings"]) for a in doc["accounts"] for s in a["sources"])
     + sum(len(a["findings"]) for a in doc["accounts"]), n_findings, "JSON messages carry every finding")

root = ET.parse(t.path("r.xml")).getroot()
junit_total = 0
for c in root.iter("testcase"):
    fail = c.find("failure")
    if fail is not None:
        junit_total += int(fail.get("message").split()[0])
t.eq(junit_total, n_findings, "JUnit failures carry the same number of findings")
t.check(all(len((c.find("failure").text or "").splitlines()) <= 51 for c in root.iter("testcase")
            if c.find("failure") is not None), "JUnit failures are capped")

html = open(t.path("r.html"), encoding="utf-8").read()
m = re.search(r'id="findings-count">([\d,]+) finding', html)
t.check(m and int(m.group(1).replace(",", "")) == n_findings, "HTML shows the same number of findings",
        m.group(0) if m else "")
t.check("{:,}".format(N) in re.search(r'id="totals">(.*?)</div>\n</div>', html, re.S).group(1)
        if re.search(r'id="totals">(.*?)</div>\n</div>', html, re.S) else False, "HTML shows the message count")
t.check("more are in the CSV and JSON reports" in html, "HTML says how many rows are not listed")
t.check("%d messages" % N in p.out, "the summary agrees", p.out[:300])

# the report command reads the large JSON back in bounded memory and agrees
t0 = time.monotonic()
t.run("report", "r.json", "-q", "--csv", "r2.csv", expect=1)
print("re-rendered in %.1fs" % (time.monotonic() - t0))
t.check(open(t.path("r.csv"), "rb").read() == open(t.path("r2.csv"), "rb").read(), "re-rendered CSV identical")
t.finish()
