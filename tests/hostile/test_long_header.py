#!/usr/bin/env python3
"""A 60 MB header line (Subject:) in an mbox between good messages, and the
same as a Maildir file. Asserts: no crash, bounded time and RSS, the good
messages counted with their sizes, the long message counted with its exact
size, and a problem in its `problems` column (Exchange and Office 365 refuse
lines over about 10,000 characters, TARGET-LIMITS.md)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size, DEFAULT_RSS_LIMIT_MB  # noqa: E402

LEN = 60 * 1024 * 1024


def body(t):
    long_msg = (b"From: Long <long@example.org>\nTo: x@example.org\nSubject: " + b"x" * LEN +
                b"\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <long@example.org>\n\nbody\n")
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2")}
    with open(t.path("long.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")) + mbox_entry(long_msg) + mbox_entry(good_message("good-2")))
    r = t.scan_limited([t.path("long.mbox")], timeout=90, rss_limit_mb=1000)
    t.check_run(r, "60 MB header line", rss_limit_mb=1000)
    t.check(r.maxrss_mb < DEFAULT_RSS_LIMIT_MB, "60 MB header line: peak RSS under %d MB (got %.0f MB)"
            % (DEFAULT_RSS_LIMIT_MB, r.maxrss_mb))
    rows = r.inventory or []
    t.check(len(rows) == 3, "3 messages counted", len(rows))
    t.expect_good(rows, goods, "long header")
    bad = [x for x in rows if x["subject"] not in goods]
    if t.check(len(bad) == 1, "the long message is one row", len(bad)):
        t.check(int(bad[0]["size"]) == crlf_size(long_msg), "the long message has its exact size",
                bad[0]["size"])
        t.check("oversized-header" in bad[0]["problems"], "the 60 MB line is reported in problems",
                bad[0]["problems"])
        t.check(len(bad[0]["subject"]) <= 100000, "the subject cell is bounded (got %d chars)" % len(bad[0]["subject"]))


Test("hostile-long-header").main(body)
