#!/usr/bin/env python3
"""100,000 nested multiparts, and 100,000 nested message/rfc822, in one mbox
between good messages. GMime stops at depth 1024 (GMIME-IMAP-FACTS §5); our
walker caps its recursion. Asserts: no crash (a deep recursion would
overflow a worker's stack), bounded time and RSS, `nesting-overflow` in the
problems of both bad messages, the good ones counted with their sizes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size  # noqa: E402

N = 100000


def body(t):
    multi = (b"From: Deep <deep@example.org>\nSubject: deep-multipart\nMIME-Version: 1.0\n" +
             b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(N)) +
             b"Content-Type: text/plain\n\ndeep\n" +
             b"".join(b"--b%d--\n" % i for i in reversed(range(N))))
    rfc822 = (b"From: Deep <deep@example.org>\nSubject: deep-rfc822\n" +
              b"Content-Type: message/rfc822\n\nFrom: x@example.org\n" * N + b"\ninner\n")
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2", "good-3")}
    with open(t.path("deep.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")) + mbox_entry(multi) + mbox_entry(good_message("good-2")) +
                mbox_entry(rfc822) + mbox_entry(good_message("good-3")))
    r = t.scan_limited([t.path("deep.mbox")], timeout=60)
    t.check_run(r, "100k nested parts")
    rows = r.inventory or []
    t.check(len(rows) == 5, "5 messages counted", len(rows))
    t.expect_good(rows, goods, "nesting")
    for subject in ("deep-multipart", "deep-rfc822"):
        hits = [x for x in rows if x["subject"] == subject]
        if t.check(len(hits) == 1, subject + " counted once", len(hits)):
            t.expect_problem(hits[0], ["nesting-overflow"], subject)
    t.check([x["index"] for x in rows] == ["1", "2", "3", "4", "5"], "indexes 1..5 in order",
            [x["index"] for x in rows])


Test("hostile-nesting").main(body)
