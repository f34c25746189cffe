#!/usr/bin/env python3
"""The fix on the command line: --help, usage errors (exit 2, nothing
written), --from-report (only what a reviewed scan report lists), the HTML
report (escaped, self-contained) and the terminal summary.
Args: MAILPREFLIGHT"""
import base64
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixgen  # noqa: E402
from fixtest import fix, leftovers, manifest, records  # noqa: E402
from mptest import main, mbox_entry  # noqa: E402


def check_help(t):
    p = t.run("--help", expect=0)
    t.check(re.search(r"^  fix split SOURCE\.\.\. --out DEST +\S", p.out, re.M) is not None,
            "--help lists fix split", p.out)
    t.check(re.search(r"^  fix detach SOURCE\.\.\. --out DEST +\S", p.out, re.M) is not None,
            "--help lists fix detach", p.out)
    p = t.run("fix", "--help", expect=0)
    for w in ("fix split", "fix detach", "Exit status", "scan --json scan.json"):
        t.check(w in p.out, "fix --help mentions %s" % w, p.out)
    p = t.run("fix", "split", "--help", expect=0)
    for w in ("--out", "--out-format", "--rules", "--severity", "--oversize", "--allow-break-signatures",
              "--from-report", "--dry-run", "--json", "--html", "--quiet", "--no-progress", "Exit status"):
        t.check(w in p.out, "fix split --help mentions %s" % w, p.out)
    p = t.run("fix", "detach", "--help", expect=0)
    for w in ("--min-size", "--out", "--dry-run", "--json"):
        t.check(w in p.out, "fix detach --help mentions %s" % w, p.out)


def check_usage(t, src):
    cases = [
        (("fix",), "no subcommand"),
        (("fix", "merge", src), "an unknown subcommand"),
        (("fix", "split", src), "no --out"),
        (("fix", "split", "--out", t.path("u0")), "no SOURCE"),
        (("fix", "split", src, "--out", t.path("u1"), "--oversize", "drop"), "--oversize drop"),
        (("fix", "split", src, "--out", t.path("u2"), "--out-format", "pst"), "--out-format pst"),
        (("fix", "split", src, "--out", t.path("u3"), "--severity", "fatal"), "--severity fatal"),
        (("fix", "detach", src, "--out", t.path("u4")), "detach without --min-size"),
        (("fix", "detach", src, "--out", t.path("u5"), "--min-size", "10 MBs"), "a bad --min-size"),
        (("fix", "split", src, "--out", t.path("u6"), "--rules", "no-such-profile"), "an unknown profile"),
        (("fix", "split", "imaps://alice@mail.example.org", "--out", t.path("u7")), "an IMAP source"),
        (("fix", "split", src, "--out", t.path("u8"), "--rules", t.path("headers.ini")),
         "rules without size or count rules"),
        (("fix", "split", src, "--out", t.path("u9"), "--from-report", t.path("nope.json")), "a missing report"),
        # scan's ranges: 4294968 s was 704 ms once multiplied into milliseconds
        (("fix", "split", "imaps://alice@127.0.0.1:9", "--timeout", "4294968"), "--timeout out of range"),
        (("fix", "split", "imaps://alice@127.0.0.1:9", "--command-timeout", "-5"), "--command-timeout negative"),
    ]
    with open(t.path("headers.ini"), "w") as f:
        f.write("[profile]\nname = only headers\n\n[rule h]\ncheck = header\n")
    for args, what in cases:
        p = t.run(*args, expect=2, what=what)
        t.check(p.err.strip() != "", what + ": an error message", p.err)
        if "timeout" in what:
            t.check("--timeout is from 1 to 3600 seconds, --command-timeout from 1 to 86400 seconds" in p.err,
                    what + ": the ranges named", p.err)
        t.eq(leftovers(t, t.dir, t.path("u")) + [n for n in os.listdir(t.dir) if n.startswith(("u", ".u"))
                                                 and n[1:2].isdigit()], [], what + ": nothing written")


def check_from_report(t):
    src = t.path("r.mbox")
    with open(src, "wb") as f:
        f.write(mbox_entry(fixgen.plain(1)) + mbox_entry(fixgen.many(120, mid="first")) +
                mbox_entry(fixgen.many(130, mid="second")) + mbox_entry(fixgen.many(140, mid="third")))
    t.run("scan", "--json", t.path("scan.json"), "--fail-on", "never", "-q", src, expect=0)
    # the review: the second message is to stay as it is
    with open(t.path("scan.json"), encoding="utf-8") as f:
        report = json.load(f)
    for s in [s for a in report["accounts"] for s in a["sources"]]:
        for folder in s["folders"]:
            folder["messages"] = [m for m in folder["messages"] if m["message_id"] != "second@fixgen.invalid"]
    with open(t.path("reviewed.json"), "w", encoding="utf-8") as f:
        json.dump(report, f)
    out = t.path("r-out.mbox")
    p = fix(t, "split", src, "--out", out, "--from-report", t.path("reviewed.json"), "--json", t.path("r.json"),
            expect=0, what="fix --from-report")
    m = manifest(t, t.path("r.json"))
    t.eq([r["message_id"] for r in records(m)], ["first@fixgen.invalid", "third@fixgen.invalid"],
         "from-report: only the listed messages are changed")
    _, rows, _ = t.scan(out, expect=1, tag="r")
    t.eq(sorted({r["message_id"] for r in rows}), ["second@fixgen.invalid"],
         "from-report: the message left out of the plan still breaks the rule")
    # a message replaced since the scan is not touched
    with open(src, "wb") as f:
        f.write(mbox_entry(fixgen.plain(1)) + mbox_entry(fixgen.many(120, mid="impostor")) +
                mbox_entry(fixgen.many(130, mid="second")) + mbox_entry(fixgen.many(140, mid="third")))
    p = fix(t, "split", src, "--out", t.path("r2.mbox"), "--from-report", t.path("reviewed.json"), expect=1,
            what="fix --from-report of a changed mailbox")
    t.check("not the one the report lists" in p.out, "from-report: a replaced message is reported", p.out)


def check_html(t):
    src = t.path("h.mbox")
    evil = fixgen.many(101, mid="evil").replace(b"Subject: 101 attachments",
                                                b"Subject: <script>alert(1)</script> & \"quotes\"")
    with open(src, "wb") as f:
        f.write(mbox_entry(evil) + mbox_entry(fixgen.single(1, mid="x")))
    with open(t.path("small.ini"), "w") as f:
        f.write("[profile]\nname = small\ninherits = outlook-connected-accounts\n\n[rule too-large]\nmax = 200 KB\n")
    p = fix(t, "split", src, "--out", t.path("h-out.mbox"), "--html", t.path("fix.html"), "--rules",
            t.path("small.ini"), expect=1, what="fix split --html")
    with open(t.path("fix.html"), encoding="utf-8") as f:
        html = f.read()
    t.check("<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in html,
            "html: the subject is escaped", html[:3000])
    t.check("Content-Security-Policy" in html and "default-src 'none'" in html, "html: a strict CSP")
    # the style is allowed by its hash, nothing inline by 'unsafe-inline'
    csp = re.search(r"style-src 'sha256-([A-Za-z0-9+/=]+)'", html)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    t.check("unsafe-inline" not in html and csp is not None and style is not None and
            base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode() == csp.group(1),
            "html: the style sheet allowed by its SHA-256 only")
    t.check("not fixed" in html and "split" in html, "html: before and after per message")
    t.check(re.search(r"split: +1 messages into 2", p.out) is not None and "not fixed:   1" in p.out,
            "summary: the counts", p.out)


def body(t):
    src = t.path("s.mbox")
    with open(src, "wb") as f:
        f.write(mbox_entry(fixgen.plain(1)))
    check_help(t)
    check_usage(t, src)
    check_from_report(t)
    check_html(t)


main("fix-cli", body)
