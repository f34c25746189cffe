#!/usr/bin/env python3
"""A message over the analyzer's in-memory limit (4 MiB) with 50,000 tiny
attachments, in a Maildir and in an mbox between good messages. GMime keeps
one content substream per part; each used to keep a 128 KiB read buffer
(analyzer/mime/stream-pread.c) for as long as the message: 6 GB for this
one. Asserts: bounded RSS and time, all 50,000 attachments counted, the good
messages with their sizes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import TIMEOUT_SCALE, Test, crlf_size, good_message, mbox_entry, write_maildir  # noqa: E402

# Under the sanitizers GMime's 50,000 parts take minutes (every malloc
# unwinds the stack): fewer, larger parts there (the plain build is where
# the old 6 GB shows).
N = 50000 if TIMEOUT_SCALE == 1 else 3000
FILL = b"x" * (24 if N == 50000 else 1400)


def body(t):
    parts = b"".join(b"--B\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
                     b"filename=a%d\n\n" % i + FILL + b"\n" for i in range(N))
    many = (b"From: Many <many@example.org>\nSubject: many-parts\nMIME-Version: 1.0\n"
            b"Content-Type: multipart/mixed; boundary=B\n\n" + parts + b"--B--\n")
    assert len(many) > 4 * 1024 * 1024
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2")}
    with open(t.path("many.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")) + mbox_entry(many) + mbox_entry(good_message("good-2")))
    write_maildir(t.path("md"), [good_message("good-1"), many, good_message("good-2")])
    for src in ("many.mbox", "md"):
        r = t.scan_limited([t.path(src)], timeout=120, rss_limit_mb=600)
        t.check_run(r, src + ": %d tiny attachments" % N, rss_limit_mb=600)
        rows = r.inventory or []
        t.expect_good(rows, goods, src)
        hits = [x for x in rows if x["subject"] == "many-parts"]
        if t.check(len(hits) == 1, src + ": the big message counted once", len(hits)):
            t.eq(hits[0]["attachments"], str(N), src + ": every attachment counted")


Test("hostile-many-parts").main(body)
