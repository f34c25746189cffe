#!/usr/bin/env python3
"""(f) CSV validity: every output parses with Python's csv module, header
columns as documented (reports/csv-report.c), formula-like cells are
prefixed with "'", quotes and commas in subjects survive a round trip, and
line breaks decoded into one are shown as a space.  Args: MAILPREFLIGHT"""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import FINDINGS_COLUMNS, main, write_mbox, write_maildir  # noqa: E402

SUBJECTS = [  # (header value as written, decoded subject, cell expected)
    ('=HYPERLINK("http://evil.example/","click")', '=HYPERLINK("http://evil.example/","click")',
     '\'=HYPERLINK("http://evil.example/","click")'),
    ("+1 555 0100", "+1 555 0100", "'+1 555 0100"),
    ("-2+3", "-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ('He said "hi", then left', 'He said "hi", then left', 'He said "hi", then left'),
    ("semi;colon, comma", "semi;colon, comma", "semi;colon, comma"),
    # line breaks decoded into a Subject are shown as one space (as Dovecot's
    # ENVELOPE shows them); the CSV writer's quoting of line breaks in a cell
    # is tested in tests/unit/test-csv.c and fuzz-csv
    ("=?UTF-8?Q?line_one=0Aline_two?=", "line one\nline two", "line one line two"),
    ("=?UTF-8?Q?cr=0D=0Alf_and_=22quote=22?=", 'cr\r\nlf and "quote"', 'cr lf and "quote"'),
    ("=?UTF-8?B?PWNtZHwnIC9DIGNhbGMnIUEw?=", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("plain subject", "plain subject", "plain subject"),
    # Excel with ';' as its separator (continental Europe): each piece is protected
    ("x;=1+1", "x;=1+1", "x;'=1+1"),
    ("a;-2;@b", "a;-2;@b", "a;'-2;'@b"),
]


def message(i, subject, big=False):
    atts = ""
    if big:  # 101 attachments: a finding, so the findings CSV has rows
        atts = "".join("--b\nContent-Type: text/plain; name=\"a,\\\"%d\\\".txt\"\n\nx\n" % k for k in range(101))
    return ("From: Alice <alice@example.org>\nSubject: %s\nDate: Tue, 01 Jan 2019 10:00:00 +0000\n"
            "Message-ID: <csv-%d@e2e.invalid>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
            "--b\nContent-Type: text/plain\n\nbody\n%s--b--\n" % (subject, i, atts)).encode()


def body(t):
    msgs = [message(i, s[0], big=True) for i, s in enumerate(SUBJECTS)]
    mbox = t.path("csv.mbox")
    write_mbox(mbox, msgs)
    maildir = t.path("md")
    write_maildir(maildir, msgs)
    for kind, src in (("mbox", mbox), ("maildir", maildir)):
        p, findings, inventory = t.scan(src, expect=1, what="%s scan" % kind, tag=kind)
        with open(p.inv_path, "rb") as f:
            raw = f.read()
        t.check(raw.endswith(b"\r\n") and raw.count(b"\r\n") >= len(SUBJECTS) + 1,
                "%s: rows end with CRLF (RFC 4180)" % kind)
        # quoted, so that a reader splitting at ';' sees one cell
        t.check(b",\"x;'=1+1\"," in raw, "%s: a cell with ';' is quoted and its pieces protected" % kind)
        t.eq([r["subject"] for r in inventory], [s[2] for s in SUBJECTS], "%s: inventory subjects" % kind)
        t.eq([r["subject"] for r in findings], [s[2] for s in SUBJECTS], "%s: findings subjects" % kind)
        t.eq([r["attachments"] for r in inventory], ["101"] * len(SUBJECTS), "%s: attachments" % kind)
        names = inventory[0]["attachment_names"].split(";")
        t.eq(len(names), 101, "%s: a filename with comma and quotes stays in one cell" % kind)
        t.eq(names[0], 'a,"0".txt', "%s: filename with comma and quotes" % kind)
        # ids, sizes and indexes are plain
        t.eq([r["index"] for r in inventory], [str(i + 1) for i in range(len(SUBJECTS))], "%s: index column" % kind)
    # -q with --csv - writes the CSV to stdout and nothing else
    p = t.run("scan", "-q", "--csv", "-", mbox, expect=1, what="--csv -")
    rows = list(csv.reader(io.StringIO(p.out, newline="")))
    t.eq(rows[0] if rows else None, FINDINGS_COLUMNS, "--csv -: header on stdout")
    t.eq(len(rows), len(SUBJECTS) + 1, "--csv -: one row per finding, nothing else on stdout")


main("csv", body)
