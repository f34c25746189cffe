#!/usr/bin/env python3
"""Invalid UTF-8 and unknown charsets everywhere: raw 8-bit Subject and
From, encoded words in an unknown charset and with invalid bytes, RFC 2231
filenames in an unknown charset, raw invalid UTF-8 filenames, a body in an
unknown charset; and invalid UTF-8 in a Maildir folder name and message file
name (they end up in the folder and locator columns). Asserts: no crash,
both CSV files strictly valid UTF-8 and RFC 4180, every message counted
with its size, a problem on the broken ones, the good ones untouched."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size, write_maildir  # noqa: E402

H = b"Date: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <%d@example.org>\n"
BAD = [
    b"From: \xff\xfe\xc3\x28 <a@example.org>\n" + H % 1 + b"Subject: raw caf\xe9 \xed\xa0\x80 \xf8\x88\x80\x80\x80\n\nb\n",
    b"From: =?x-no-such-charset?B?/////w==?= <a@example.org>\n" + H % 2 +
        b"Subject: =?x-no-such-charset?Q?caf=E9?= =?UTF-8?B?/+7/?= =?utf-8?q?=C3=28?=\n\nb\n",
    b"From: a@example.org\n" + H % 3 + b"Subject: filenames\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: text/plain; charset=x-no-such\n\n\xff\xfe\n"
        b"--r\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=x-bogus''%FF%FE%C3%28.exe\n\nx\n"
        b"--r\nContent-Type: application/octet-stream; name=\"\xff\xfe\xc3\x28.bin\"\n\ny\n"
        b"--r\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"=?x-unknown?B?/w==?=.zip\"\n\nz\n"
        b"--r\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8''%ED%A0%80%FF.txt\n\nw\n"
        b"--r--\n",
    b"From: \xe4\xf6\xfc@\xff.example\n" + H % 4 + b"Subject: =?utf-8?b?" + b"////" * 30 + b"?=\n\nb\n",
]


def body(t):
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2")}
    with open(t.path("charsets.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")))
        for m in BAD:
            f.write(mbox_entry(m))
        f.write(mbox_entry(good_message("good-2")))
    # bytes paths: names that are not UTF-8
    md = os.path.join(t.dir.encode(), b"Maildir")
    write_maildir(md, [BAD[0]], names=[b"1.\xff\xfe\xc3\x28name:2,S"])
    write_maildir(md + b"/.Bad\xff\xfeFolder", [BAD[2]], names=[b"2.x:2,S"])
    write_maildir(md + b"/Caf\xe9", [good_message("good-md")], names=[b"3.y"], sub="new")
    # message content: the CSVs must be strict UTF-8, whatever the mail holds
    r = t.scan_limited([t.path("charsets.mbox")], tag="content")
    t.check_run(r, "charsets in content")
    rows = r.inventory or []
    t.check(len(rows) == len(BAD) + 2, "all mbox messages counted", len(rows))
    t.expect_good(rows, goods, "charsets")
    mbox_rows = [x for x in rows if x["folder"] == "charsets.mbox"]
    for i, m in enumerate(BAD):
        row = mbox_rows[i + 1] if len(mbox_rows) > i + 1 else None
        if t.check(row is not None, "broken message %d counted" % (i + 1)):
            t.check(int(row["size"]) == crlf_size(m), "broken message %d: exact size" % (i + 1), row["size"])
            if i == 1:
                t.check(len(t.problems(row)) > 0, "broken message 2: unknown-charset reported (got %r, subject %r)"
                        % (row["problems"], row["subject"]))
            else:
                t.expect_problem(row, None, "broken message %d" % (i + 1))
    # file and folder names that are not UTF-8: folder and locator columns
    r = t.scan_limited([md.decode("utf-8", "surrogateescape")], tag="names",
               )
    t.check_run(r, "non-UTF-8 names")
    rows = r.inventory or []
    md_rows = rows
    t.check(len(md_rows) == 3, "the 3 Maildir messages under non-UTF-8 names are counted",
            [(x["folder"], x["locator"]) for x in md_rows])
    t.check(any(x["subject"] == "good-md" and int(x["size"]) == crlf_size(good_message("good-md"))
                for x in md_rows), "the good message in a non-UTF-8 folder keeps its size")


Test("hostile-charsets").main(body)
