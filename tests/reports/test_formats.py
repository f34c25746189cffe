"""Golden files for JSON, CSV and JUnit; the JSON against its JSON Schema;
the JUnit structure with xml.etree; `report` re-renders byte-identical
files; `report merge` adds up; `--json -` is clean JSON on stdout.

Update the golden files after an intended change:
  MAILPREFLIGHT_UPDATE_GOLDEN=1 meson test -C build reports-formats
"""
import csv
import io
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test  # noqa: E402
from reports_common import TEST_OPTIONS, make_fixture, validate_schema, AS_OF  # noqa: E402

t = Test("reports-formats", **TEST_OPTIONS)
SCHEMA = os.path.abspath(t.args[0])
GOLDEN = os.path.abspath(t.args[1]) if len(t.args) > 1 else None
src = make_fixture(t.dir)
ARGS = ["scan", "-r", "rules.ini", "--as-of", AS_OF, "-j", "3"]
p = t.run(*ARGS, "--json", "r.json", "--csv", "r.csv", "--inventory", "inv.csv", "--junit", "r.xml",
          "--html", "r.html", src, expect=1)
version = t.run("--version").out.split()[-1]


def normalized(name):
    # the version moves with every release: the golden files say @VERSION@
    return t.read(name, "rb").replace(('"%s"' % version).encode(), b'"@VERSION@"') \
        .replace(("mailpreflight %s" % version).encode(), b"mailpreflight @VERSION@")


# ---- golden files -----------------------------------------------------------
for name, golden in (("r.json", "fixture.json"), ("r.csv", "fixture-findings.csv"),
                     ("inv.csv", "fixture-inventory.csv"), ("r.xml", "fixture-junit.xml")):
    got = normalized(name)
    gpath = os.path.join(GOLDEN, golden)
    if os.environ.get("MAILPREFLIGHT_UPDATE_GOLDEN"):
        with open(gpath, "wb") as f:
            f.write(got)
        print("updated %s" % gpath)
        continue
    with open(gpath, "rb") as f:
        want = f.read()
    if not t.check(got == want, "golden %s" % golden):
        import difflib
        diff = difflib.unified_diff(want.decode("utf-8", "replace").splitlines(),
                                    got.decode("utf-8", "replace").splitlines(), "golden", "got", lineterm="")
        print("\n".join(list(diff)[:60]))

# ---- JSON: schema and content -------------------------------------------------
doc = json.loads(t.read("r.json"))
with open(SCHEMA) as f:
    schema = json.load(f)
errs = validate_schema(doc, schema)
t.check(not errs, "JSON report matches docs/mailpreflight-report-2.schema.json", errs)
t.eq(doc["schema"], "mailpreflight-report/2", "schema version")
t.eq(doc["runs"][0]["scan_time"], "2024-06-01T00:00:00Z", "MAILPREFLIGHT_FIXED_TIME fixes the scan time")
t.eq(doc["runs"][0]["as_of"], "2024-06-01T00:00:00Z", "--as-of is recorded")
t.eq(doc["runs"][0]["command"][:2], ["mailpreflight", "scan"], "the command line is recorded")
msgs = [m for a in doc["accounts"] for s in a["sources"] for f in s["folders"] for m in f["messages"]]
t.eq(len(msgs), doc["totals"]["messages"], "every message is in the JSON")
rows = list(csv.DictReader(io.StringIO(t.read("r.csv"), newline="")))
n_json = sum(len(m["findings"]) for m in msgs) + sum(
    len(f["findings"]) + len(f["final_findings"]) for a in doc["accounts"] for s in a["sources"] for f in s["folders"]) + sum(
    len(s["findings"]) for a in doc["accounts"] for s in a["sources"]) + sum(len(a["findings"]) for a in doc["accounts"])
t.eq(len(rows), n_json, "CSV rows = findings in the JSON")
t.eq(sum(doc["totals"]["findings"].values()), n_json, "totals.findings = findings in the JSON")
t.check(any(r["folder"] == "Files" and r["rule"] == "folder-names" for r in rows), "a folder finding (Files)")

# ---- JUnit structure ----------------------------------------------------------
root = ET.parse(t.path("r.xml")).getroot()
t.eq(root.tag, "testsuites", "JUnit root")
suites = root.findall("testsuite")
t.eq(len(suites), 1, "one testsuite per source")
cases = root.findall("./testsuite/testcase")
t.eq(int(root.get("tests")), len(cases), "testsuites@tests counts the testcases")
failed = [c for c in cases if c.find("failure") is not None]
t.eq(int(root.get("failures")), len(failed), "testsuites@failures counts the failed testcases")
rules = [r["name"] for r in doc["rules"]["list"] if r["scope"] != "account"]
for folder in ("INBOX", "Files", "Sent"):
    names = sorted(c.get("name").split(" ")[0] for c in cases if c.get("classname") == "%s: %s" % (src, folder))
    t.eq(names, sorted(rules), "one testcase per rule for folder %s" % folder)
blocking = {(r["folder"], r["rule"]) for r in rows if r["severity"] == "error"}
t.eq(sorted((c.get("classname").split(": ", 1)[-1] if ": " in c.get("classname") else "", c.get("name").split(" ")[0])
            for c in failed),
     sorted((f if f else "", r) for f, r in blocking), "failed testcases = (folder, rule) with errors")
text = "".join(c.find("failure").text or "" for c in failed)
t.check("<img src=x" in text, "a hostile subject survives as text (escaped, parsed back)", text)

# ---- re-render from the JSON: byte-identical ---------------------------------
p = t.run("report", "r.json", "-q", "--json", "r2.json", "--csv", "r2.csv", "--inventory", "inv2.csv",
          "--junit", "r2.xml", "--html", "r2.html", expect=1)
for a, b in (("r.json", "r2.json"), ("r.csv", "r2.csv"), ("inv.csv", "inv2.csv"), ("r.xml", "r2.xml"),
             ("r.html", "r2.html")):
    t.check(t.read(a, "rb") == t.read(b, "rb"), "report re-renders %s identically" % a)

# ---- --json - on stdout --------------------------------------------------------
p = t.run(*ARGS, "--json", "-", src, expect=1)
try:
    t.eq(json.loads(p.out)["totals"], doc["totals"], "--json -: the same totals on stdout, nothing else")
except ValueError as e:
    t.check(False, "--json - gives JSON on stdout", e)
t.run(*ARGS, "--json", "-", "--csv", "-", src, expect=2)

# ---- merge ----------------------------------------------------------------------
src_b = make_fixture(t.dir, "other", variant=1)
t.run(*ARGS, "--json", "b.json", "--csv", "b.csv", src_b, expect=1)
t.run("report", "merge", "r.json", "b.json", "-q", "--json", "all.json", "--csv", "all.csv", "--html", "all.html",
      expect=1)
merged = json.loads(t.read("all.json"))
b = json.loads(t.read("b.json"))
t.eq(len(merged["accounts"]), 2, "merge: both accounts")
t.eq(len(merged["runs"]), 2, "merge: both runs")
t.eq(merged["totals"]["messages"], doc["totals"]["messages"] + b["totals"]["messages"], "merge: messages add up")
t.eq(t.read("all.csv"), t.read("r.csv") + t.read("b.csv").split("\r\n", 1)[1], "merge: CSV = both CSVs")
t.check(not validate_schema(merged, schema), "merge: the merged JSON matches the schema")

# ---- version 1 is still read -------------------------------------------------------
V1 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "report-v1.json")
t.run("report", V1, "-q", "--json", "v1-as-2.json", "--csv", "v1.csv", "--accounts-csv", "v1-acc.csv", expect=1)
v2 = json.loads(t.read("v1-as-2.json"))
v1 = json.load(open(V1))
t.eq(v2["schema"], "mailpreflight-report/2", "v1: rewritten as version 2")
t.eq([s["source"] for a in v2["accounts"] for s in a["sources"]], [s["source"] for s in v1["sources"]],
     "v1: each source becomes an account")
t.eq(v2["totals"]["messages"], v1["totals"]["messages"], "v1: the same messages")
t.eq(v2["totals"]["findings"], v1["totals"]["findings"], "v1: the same findings")
t.check(not validate_schema(v2, schema), "v1 rewritten: matches the version 2 schema")
rows = list(csv.DictReader(io.StringIO(t.read("v1-acc.csv"))))
t.eq([(r["account"], r["verdict"]) for r in rows], [("mail", "unknown")], "v1: accounts CSV, activity unknown")

# ---- a source with notices of its own ----------------------------------------------
# (a Maildir whose Junk folder the folder filter leaves out: "folder-left-out").
# The reader once took a source's "notices" for its "folders" and refused every
# such report.
for sub in ("cur", "new", "tmp", ".Junk/cur", ".Junk/new", ".Junk/tmp"):
    os.makedirs(t.path(os.path.join("lone", sub)), exist_ok=True)
with open(t.path("lone/cur/1546300800.M1P1.host:2,S"), "wb") as f:
    f.write(b"From: a@b\nSubject: x\nDate: Tue, 01 Jan 2019 00:00:00 +0000\nMessage-ID: <x@y>\n\nhi\n")
t.run("scan", "--as-of", AS_OF, "-q", "--exclude-folder", "Junk", "--json", "lone.json", "--csv", "lone.csv",
      "lone", expect=0)
lone = json.loads(t.read("lone.json"))
lone_src = lone["accounts"][0]["sources"][0]
t.eq([n["code"] for n in lone_src["notices"]], ["folder-left-out"], "a source with notices: the scan writes them")
t.run("report", "lone.json", "-q", "--csv", "lone2.csv", "--json", "lone2.json", expect=0,
      what="report of a source with notices")
t.eq(t.read("lone2.csv"), t.read("lone.csv"), "a source with notices: report re-renders it")
t.eq(t.read("lone2.json"), t.read("lone.json"), "a source with notices: the JSON comes back the same")

# ---- errors ----------------------------------------------------------------------
with open(t.path("bad.json"), "w") as f:
    f.write('{"schema": "mailpreflight-report/1", "sources": [ {"source": "x", ')
p = t.run("report", "bad.json", "--csv", "bad.csv", expect=2)
t.check("bad.json:1" in p.err, "a broken JSON report is refused with file and line", p.err)
t.check(not os.path.exists(t.path("bad.csv")), "no half report is left behind")
with open(t.path("other.json"), "w") as f:
    f.write('{"schema": "something-else/1"}')
t.run("report", "other.json", expect=2)
t.run("report", "missing.json", expect=2)
t.finish()
