#!/usr/bin/env python3
"""Multiparts whose boundary never closes: a small one, one whose last part
is 6 MB of base64 (parsed from the file, not memory: > MP_ANALYZER_MEM_MAX),
and one whose boundary never appears at all; in one mbox between good
messages, and as Maildir files. Asserts: no crash, bounded time and RSS, a
problem on each bad message, the good ones counted with their sizes (a
boundary that never closes must not swallow the next message)."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size, write_maildir  # noqa: E402

HEAD = b"From: U <u@example.org>\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <%s@example.org>\nSubject: %s\nMIME-Version: 1.0\n"


def bad_messages():
    big = base64.encodebytes(os.urandom(6 * 1024 * 1024 // 4 * 3))
    return {
        "unclosed-small": HEAD % (b"us", b"unclosed-small") +
            b"Content-Type: multipart/mixed; boundary=u\n\n--u\nContent-Type: text/plain\n\nnever closed\n"
            b"--u\nContent-Type: application/octet-stream; name=a.bin\n\nabc\n",
        "unclosed-big": HEAD % (b"ub", b"unclosed-big") +
            b"Content-Type: multipart/mixed; boundary=u\n\n--u\nContent-Type: text/plain\n\nx\n"
            b"--u\nContent-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: base64\n\n" + big,
        "never-appears": HEAD % (b"na", b"never-appears") +
            b"Content-Type: multipart/mixed; boundary=nowhere\n\njust text, no boundary line\n",
    }


def body(t):
    bad = bad_messages()
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2", "good-3", "good-4")}
    with open(t.path("unclosed.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")))
        for i, m in enumerate(bad.values()):
            f.write(mbox_entry(m) + mbox_entry(good_message("good-%d" % (i + 2))))
    md = t.path("Maildir")
    write_maildir(md, list(bad.values()), names=["%d.%s:2,S" % (i, name) for i, name in enumerate(bad)])
    r = t.scan_limited([t.path("unclosed.mbox"), md], timeout=60)
    t.check_run(r, "unclosed boundaries")
    rows = r.inventory or []
    t.check(len(rows) == 7 + 3, "10 messages counted", len(rows))
    t.expect_good(rows, goods, "unclosed")
    for name, m in bad.items():
        hits = [x for x in rows if x["subject"] == name]
        t.check(len(hits) == 2, name + ": in the mbox and the Maildir", len(hits))
        for h in hits:
            t.check(int(h["size"]) == crlf_size(m), name + ": exact size", h["size"])
            if name == "never-appears":
                # GMime sees a multipart with one preamble and no part
                t.expect_problem(h, None, name)
            else:
                t.expect_problem(h, ["truncated", "malformed-multipart"], name)


Test("hostile-unclosed-boundary").main(body)
