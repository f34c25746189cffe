#!/usr/bin/env python3
"""(e) Exit codes: 0 clean, 1 findings, 2 usage or rules error, 3 a source
could not be read (the others are still scanned).  Args: MAILPREFLIGHT"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, write_maildir, make_message  # noqa: E402


def body(t):
    good = t.path("good.mbox")
    write_mbox(good, [make_message("one", mid="e1@x"), make_message("two", mid="e2@x")])
    md = t.path("md")
    write_maildir(md, [make_message("three", mid="e3@x")])
    # an mbox with a finding (101 attachments) to tell exit 1 from 3
    atts = "".join("--b\nContent-Type: text/plain; name=\"f%d.txt\"\n\nx\n" % i for i in range(101))
    many = t.path("many.mbox")
    write_mbox(many, [("From: a@b\nSubject: many\nDate: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <m@x>\n"
                       "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n%s--b--\n" % atts).encode()])

    t.run("scan", "-q", good, md, expect=0, what="clean sources")
    t.run("scan", "-q", many, expect=1, what="a finding")
    # short options with their value glued on, as getopt takes them (issue 13)
    outs = []
    for i, args in enumerate((["-j1", "-rgeneric"], ["-j", "1", "-r", "generic"], ["--jobs=1", "--rules=generic"])):
        path = t.path("glued-%d.csv" % i)
        p = t.run("scan", "-q", *args, "--inventory", path, good, md, expect=0, what="scan " + " ".join(args))
        t.eq(p.err, "", "scan %s: no complaint" % " ".join(args))
        outs.append(t.read("glued-%d.csv" % i) if os.path.exists(path) else None)
    t.check(outs[0] is not None and outs[0] == outs[1] == outs[2], "-j1 -rgeneric = -j 1 -r generic = --jobs=1")
    t.run("scan", "-q", "-j0x", good, expect=2, what="-j0x: not a number")

    missing = t.path("does-not-exist")
    p, findings, inventory = t.scan(good, missing, md, expect=3, what="a missing source among others")
    t.eq([r["subject"] for r in inventory], ["one", "two", "three"], "missing source: the others still scanned")
    t.check(missing in p.err, "missing source: stderr names the path", p.err)
    t.check(missing in p.out, "missing source: the summary names the path", p.out)
    # a missing source wins over findings: 3, and the findings are still written
    p, findings, inventory = t.scan(missing, many, expect=3, what="missing source + findings", tag="mf")
    t.eq(len(findings), 1, "missing source + findings: the finding is written")

    notmail = t.path("notes.txt")
    with open(notmail, "w") as f:
        f.write("Shopping list\nmilk\neggs\n")
    p = t.run("scan", "-q", notmail, good, expect=3, what="a file that is not a mailbox")
    t.check(notmail in p.err, "not a mailbox: stderr names the path", p.err)
    png = t.path("picture.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    p = t.run("scan", "-q", png, expect=3, what="a binary file")
    t.check(png in p.err, "binary file: stderr names the path", p.err)
    empty_dir = t.path("emptydir")
    os.mkdir(empty_dir)
    p = t.run("scan", "-q", empty_dir, expect=3, what="an empty directory")
    t.check(empty_dir in p.err, "empty directory: stderr names the path", p.err)

    p = t.run("scan", "--fail-on", "critical", good, expect=2, what="unknown --fail-on")
    t.check("critical" in p.err, "unknown --fail-on: named", p.err)
    p = t.run("scan", expect=2, what="no source")
    t.check("SOURCE" in p.err, "no source: says so", p.err)
    p = t.run("scan", "--rules", "no-such-profile", good, expect=2, what="unknown --rules name")
    t.check("no-such-profile" in p.err, "unknown --rules: named", p.err)
    bad_rules = t.path("bad.ini")
    with open(bad_rules, "w") as f:
        f.write("[rule x]\ncheck = message-size\nmax = lots\n")
    t.run("scan", "--rules", bad_rules, good, expect=2, what="invalid rules file")
    with open(bad_rules, "w") as f:
        f.write("[rule x]\ncheck = colour\nmax = 1\n")
    t.run("scan", "--rules", bad_rules, good, expect=2, what="rules file with an unknown check")
    t.run("scan", "--jobs", "-1", good, expect=2, what="--jobs -1")
    t.run("scan", "--no-such-option", good, expect=2, what="unknown option")
    t.run("frobnicate", expect=2, what="unknown command")
    t.run(expect=2, what="no command")
    for level, code in (("never", 0), ("error", 1), ("warning", 1), ("info", 1), ("ERROR", 1)):
        t.run("scan", "-q", "--fail-on", level, many, expect=code, what="--fail-on %s with an error finding" % level)


main("exit-codes", body)
