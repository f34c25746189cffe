"""A saved JSON report reads back into every format (issue 13, item 1).

For each fixture below and each built-in profile (`mailpreflight rules
list`), `scan --json` then `report` gives byte-identical findings CSV,
inventory, JUnit, HTML and JSON, the same exit code and the same summary on
stdout as the scan itself (mptest's round-trip mode, MP_ROUNDTRIP=1, does
the scan, the re-render and the comparisons). Nothing is masked: the scan
time comes back from the JSON (runs[].scan_time), so even without
MAILPREFLIGHT_FIXED_TIME the HTML's "scanned" line is the same.

The fixtures cover what the e2e and report tests feed the scan: the bundled
sample Maildir++ (with the 17920 KB + 1 message), the report tests' folder of
mbox files with hostile subjects and its own rules file, an mbox with junk
and UW-IMAP data (folder notices) and no Sent folder (the source notice
no-activity-evidence that broke the reader), Maildir and mbox flags (read,
deleted), Thunderbird's .sbd tree, broken header blocks, NUL bytes and
8-bit headers, a source that does not exist beside an empty one, and, when
Dovecot can be started (root and dovecot-imapd), an IMAP account scanned
with content checks and with --metadata-only.

Then `report merge` of two halves equals one scan of both (json-schema.md,
"report merge"): the same findings CSV, inventory and JUnit byte for byte,
and the same JSON and HTML except the list of runs, which a merge keeps
whole (two runs instead of one).

Usage: python3 test_roundtrip.py MAILPREFLIGHT SCHEMA [GOLDEN_DIR] (SAMPLE_MAIL from
$MP_SAMPLE_MAIL when set)."""
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import tempfile

os.environ["MP_ROUNDTRIP"] = "1"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import mptest  # noqa: E402
from mptest import Test, make_message, write_mbox, write_maildir, mbox_bytes, TESTS  # noqa: E402
from reports_common import TEST_OPTIONS, make_fixture, AS_OF  # noqa: E402

mptest.ROUNDTRIP = True
t = Test("reports-roundtrip", **TEST_OPTIONS)


def w(path, data, mode="wb"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


# ---- fixtures: name -> (sources, extra scan arguments) ------------------------

def fixture_notices():
    """An mbox with junk before the first message, UW-IMAP's internal data and
    an unseparated From_ line; no Sent folder: every notice there is."""
    uw = make_message("DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA",
                      extra_headers="X-IMAP: 1234567890 0000000002\n")
    msgs = [uw, make_message("First", mid="n1@x"),
            make_message("Second", body="text\nFrom here on\n", mid="n2@x", date=None)]
    w(t.path("notices.mbox"), b"this is no mail\n\n" + mbox_bytes(msgs))
    return ["notices.mbox"]


def fixture_flags():
    """Flags kept outside and inside messages: a Maildir++ with the T
    (trashed) and S flags and a .Trash folder; an mbox with Status and
    X-Status; Thunderbird's X-Mozilla-Status and its .sbd tree."""
    md = t.path("flags-maildir")
    write_maildir(md, [make_message("kept", mid="k@x"), make_message("trashed", mid="t@x"),
                       make_message("unread", mid="u@x")],
                  names=["1.a:2,S", "2.b:2,ST", "3.c:2,"])
    write_maildir(os.path.join(md, ".Trash"), [make_message("in the trash", mid="tr@x")], names=["4.d:2,ST"])
    write_mbox(t.path("flags.mbox"), [
        make_message("read", extra_headers="Status: RO\n", mid="r@x"),
        make_message("deleted by Status", extra_headers="Status: RD\n", mid="sd@x"),
        make_message("deleted by X-Status", extra_headers="Status: O\nX-Status: AD\n", mid="xd@x"),
    ])
    tb = t.path("thunderbird")
    os.makedirs(os.path.join(tb, "Inbox.sbd"))
    write_mbox(os.path.join(tb, "Inbox"), [
        make_message("tb kept", extra_headers="X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n", mid="tk@x"),
        make_message("tb expunged", extra_headers="X-Mozilla-Status: 0009\nX-Mozilla-Status2: 00000000\n",
                     mid="te@x")])
    write_mbox(os.path.join(tb, "Inbox.sbd", "Projects"),
               [make_message("tb sub", extra_headers="X-Mozilla-Status: 0008\n", mid="ts@x")])
    w(os.path.join(tb, "Inbox.msf"), b"// an index, not mail\n")
    return ["flags-maildir", "flags.mbox", "thunderbird"]


def fixture_broken():
    """Header blocks a server may refuse, NUL bytes, 8-bit headers."""
    msgs = [
        # a body line read as a header: no empty line after the headers
        b"From: a@example.org\nSubject: no blank line\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n"
        b"This line is body text, not a header\nmore body\n",
        # a header name with a space: not a header at all
        b"From: a@example.org\nBad Header Name: x\nSubject: bad name\n\nbody\n",
        b"From: a@example.org\nSubject: nul\n\nbody \x00 with a NUL\n",
        b"From: J\xc3\xbcrgen <j@example.org>\nSubject: 8-bit \xe9t\xe9\nMessage-ID: <8@x>\n\nbody\n",
        b"Subject: only a subject\n",
        make_message("multipart without boundary",
                     extra_headers="MIME-Version: 1.0\nContent-Type: multipart/mixed\n", mid="mb@x"),
    ]
    write_mbox(t.path("broken.mbox"), msgs)
    return ["broken.mbox"]


def fixture_failures():
    """A source that does not exist, an empty mbox and an empty Maildir."""
    w(t.path("empty.mbox"), b"")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(t.path("empty-maildir", sub), exist_ok=True)
    return ["no-such-mailbox", "empty.mbox", "empty-maildir"]


def fixture_sample():
    sample = os.environ.get("MP_SAMPLE_MAIL")
    if not sample or not os.path.isdir(sample):
        print("note: no sample mailbox (MP_SAMPLE_MAIL): the sample fixture is left out")
        return None
    shutil.copytree(sample, t.path("sample"), symlinks=True)
    return ["sample"]


def fixture_reports():
    return [make_fixture(t.dir)]


FIXTURES = [("sample", fixture_sample), ("reports", fixture_reports), ("notices", fixture_notices),
            ("flags", fixture_flags), ("broken", fixture_broken), ("failures", fixture_failures)]

profiles = [line.split()[0] for line in t.run("rules", "list", expect=0).out.splitlines() if line.strip()]
t.check(len(profiles) >= 6, "rules list names the built-in profiles", profiles)
built = {}
for name, make in FIXTURES:
    sources = make()
    if sources:
        built[name] = sources


for name, sources in built.items():
    rules = profiles + (["rules.ini"] if name == "reports" else [])
    for profile in rules:
        # round-trip mode: the scan writes every format, `report` re-renders
        # them and mptest compares (checks named "round trip of ...")
        p = t.run("scan", "--no-progress", "-r", profile, "--as-of", AS_OF, *sources)
        t.check(p.returncode in (0, 1, 3), "%s with %s: the scan ran" % (name, profile), p.err[-500:])
    # --fail-on does not change what a report says of the mailbox, only the
    # exit status: a round trip with each level
    for level in ("never", "warning", "info"):
        t.run("scan", "--no-progress", "--fail-on", level, "--as-of", AS_OF, *sources)


# ---- IMAP, when a Dovecot can be started here -----------------------------------

def imap_round_trips():
    fixture = os.path.join(TESTS, "imap-client", "dovecot-fixture.py")
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        print("note: no Dovecot (needs root and dovecot-imapd): the IMAP round trips are left out")
        return
    spec = importlib.util.spec_from_file_location("dovecot_fixture", fixture)
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    d = tempfile.mkdtemp(prefix="mp-roundtrip-imap-", dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc != 0:
        print("note: Dovecot did not start (%d): the IMAP round trips are left out" % rc)
        shutil.rmtree(d, ignore_errors=True)
        return
    try:
        info = json.loads(out.getvalue().strip().splitlines()[-1])
        fx.seed(d)
        m = fx.connect(d, "alice")
        for i, (subject, flags) in enumerate((("kept", None), ("deleted, not expunged", "(\\Deleted \\Seen)"),
                                              ("long line", None))):
            body = ("y" * 12000 + "\n") if subject == "long line" else "text\n"
            data = make_message(subject, body=body, mid="imap%d@x" % i).replace(b"\n", b"\r\n")
            fx.check(m.append("INBOX", flags, None, data), "APPEND")
        m.logout()
        url = "imaps://alice@%s:%d" % (info["host"], info["imaps_port"])
        env = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}
        for profile in ("outlook-connected-accounts", "exchange-online-imap", "google-workspace-dms"):
            for extra in ((), ("--metadata-only",)):
                p = t.run("scan", "--no-progress", "--ca-file", info["ca_file"], "-r", profile, "--as-of", AS_OF,
                          *extra, url, env=env)
                t.check(p.returncode in (0, 1), "IMAP %s %s: the scan ran" % (profile, " ".join(extra)),
                        p.err[-500:])
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)


imap_round_trips()

# ---- merge: two halves equal one scan of both ------------------------------------
mptest.ROUNDTRIP = False
halves = [["notices.mbox", "flags-maildir"], ["flags.mbox", "thunderbird", "broken.mbox"]]
outs = ("--csv", "csv"), ("--inventory", "inventory.csv"), ("--junit", "xml"), ("--json", "json"), ("--html", "html")


def scan_to(prefix, sources):
    args = ["scan", "-q", "--no-progress", "--as-of", AS_OF]
    for opt, suffix in outs:
        args += [opt, "%s.%s" % (prefix, suffix)]
    return t.run(*args, *sources)


whole = scan_to("whole", halves[0] + halves[1])
a = scan_to("a", halves[0])
b = scan_to("b", halves[1])
merge = ["report", "merge", "a.json", "b.json", "-q"]
for opt, suffix in outs:
    merge += [opt, "merged." + suffix]
m = t.run(*merge)


def readb(name):
    return t.read(name, "rb") if os.path.exists(t.path(name)) else b""



t.eq(m.returncode, whole.returncode, "merge: the exit code of one scan of both halves")
for opt, suffix in outs[:3]:
    t.check(readb("merged." + suffix) == readb("whole." + suffix),
            "merge: %s equals one scan of both, byte for byte" % opt,
            mptest.first_difference(readb("whole." + suffix), readb("merged." + suffix)))
jw, jm = json.loads(readb("whole.json") or b"{}"), json.loads(readb("merged.json") or b'{"runs":[]}')
t.eq(len(jm["runs"]), 2, "merge: the JSON keeps both runs")
jw.pop("runs", None)
jm.pop("runs", None)
# an account's origin names the argument of its own run ("argument 1")
for acc in jw.get("accounts", []) + jm.get("accounts", []):
    acc.pop("origin", None)
t.check(jw == jm, "merge: the JSON equals one scan of both but for its runs (and the accounts' origins)",
        mptest.first_difference(json.dumps(jw, indent=1).encode(), json.dumps(jm, indent=1).encode()))


def without_runs(html):
    # the "About this report" section lists each run (command, times)
    return re.sub(r'<section id="run">.*?</section>', "", html, flags=re.S)


hw, hm = readb("whole.html").decode(), readb("merged.html").decode()
t.check(hm.count('<dl class="run">') == 2, "merge: the HTML lists both runs")
t.check(without_runs(hw) == without_runs(hm), "merge: the HTML equals one scan of both but for its runs",
        mptest.first_difference(without_runs(hw).encode(), without_runs(hm).encode()))
t.finish()
