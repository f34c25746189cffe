#!/usr/bin/env python3
"""Messages a server may refuse for their structure (issue 13, item 4):
every built-in profile raises a warning finding, with the cause in the
detail, for a header block that is broken (a body line read as a header,
no empty line after the headers, a block GMime cannot read) and for NUL
bytes — what Cyrus refuses on APPEND ("Message contains invalid header",
"Message has no header/body separator", "Message contains NUL characters").
The check is message-structure (README's table of checks), judged on the
problem codes the readers record (unterminated-header is new); its
`problems` key narrows it, and a name it does not know is an error with its
line. Args: MAILPREFLIGHT"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main, write_mbox, make_message  # noqa: E402

BROKEN = {
    # a body line read as a header: no empty line, and the line is no header
    "body as header": (b"From: a@example.org\nSubject: body as header\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n"
                       b"Message-ID: <bh@x>\nThis line is body text, not a header\n",
                       {"unterminated-header", "malformed-header"}),
    # no empty line after the headers, every line a header (GMime: truncated)
    "no separator": (b"From: a@example.org\nSubject: no separator\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n"
                     b"Message-ID: <ns@x>\nNote: this looks like a header but was the body\n",
                     {"unterminated-header"}),
    "bad name": (b"From: a@example.org\nBad Header Name: x\nSubject: bad name\nMessage-ID: <bn@x>\n\nbody\n",
                 {"malformed-header"}),
    "nul": (b"From: a@example.org\nSubject: nul\nMessage-ID: <nul@x>\n\nbody \x00 with a NUL\n", {"nul-byte"}),
}
CAUSE = {"malformed-header": "Message contains invalid header",
         "unterminated-header": "Message has no header/body separator",
         "nul-byte": "Message contains NUL characters",
         "unparseable": "cannot be read"}


def body(t):
    msgs = [data for data, _ in BROKEN.values()]
    # a header block GMime cannot read at all: it starts with a folded line
    msgs.append(b" folded first line\nFrom: a@example.org\nSubject: x\n\nbody\n")
    msgs.append(make_message("clean", mid="clean@x"))
    write_mbox(t.path("mail.mbox"), msgs)
    profiles = [line.split()[0] for line in t.run("rules", "list", expect=0).out.splitlines() if line.strip()]
    t.check(len(profiles) >= 6, "the built-in profiles", profiles)
    for name in profiles:
        p, found, inv = t.scan(t.path("mail.mbox"), extra=("-r", name, "--fail-on", "never"), expect=0,
                               what=name, tag=name)
        by_subject = {}
        for r in found or []:
            if r["check"] == "message-structure":
                t.eq(r["severity"], "warning", "%s: a structure finding is a warning" % name)
                by_subject.setdefault(r["subject"], set()).add(r["value"])
                t.check(CAUSE[r["value"]] in r["detail"], "%s: the detail says the cause (%s)" % (name, r["value"]),
                        r["detail"])
        for subject, (_, codes) in BROKEN.items():
            t.eq(by_subject.get(subject), codes, "%s: %s gets a structure finding per cause" % (name, subject))
        t.check(any("unparseable" in v for v in by_subject.values()), "%s: an unreadable header block" % name,
                by_subject)
        t.check("clean" not in by_subject, "%s: a clean message has none" % name)
    inv = {r["subject"]: r["problems"] for r in inv or []}
    t.check("unterminated-header" in inv.get("no separator", ""), "the inventory names unterminated-header", inv)

    # narrowed, and a name it does not know
    with open(t.path("nul.ini"), "w") as f:
        f.write("[profile]\nname = nul only\n\n[rule s]\ncheck = message-structure\nproblems = nul-byte\n")
    p, found, _ = t.scan(t.path("mail.mbox"), extra=("-r", t.path("nul.ini")), expect=1, tag="nul")
    t.eq(sorted(r["value"] for r in found or []), ["nul-byte"], "problems = nul-byte: only NUL bytes")
    with open(t.path("bad.ini"), "w") as f:
        f.write("[profile]\nname = bad\n\n[rule s]\ncheck = message-structure\nproblems = missing-date\n")
    p = t.run("rules", "check", t.path("bad.ini"), expect=2)
    t.check("bad.ini:6: [rule s] problems: unknown name 'missing-date'" in p.err, "an unknown name: its line", p.err)

    with open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    t.check("| `message-structure` | message |" in readme, "README's check table has message-structure")
    t.check("`unterminated-header`" in readme, "README lists the problem code unterminated-header")


main("structure", body)
