#!/usr/bin/env python3
"""1,000,000 tiny messages in one mbox (about 50 MB), one of them bad (no
header block at all: a body of NUL bytes). Asserts: no crash, bounded time
and RSS (batches in flight are bounded, ARCHITECTURE.md), every message
counted exactly once in order, each with its exact size, and the bad one
with a problem."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, crlf_size, TIMEOUT_SCALE  # noqa: E402

N = 1000000
BAD = 543210


def message(i):
    if i == BAD:
        return b"\x00\x00\x00\n"
    return b"Subject: m%d\n\nx\n" % i


def body(t):
    if TIMEOUT_SCALE > 1:
        # a scale test: under AddressSanitizer (CI's second run, which also
        # unwinds every malloc for leak reports) a million messages take over
        # 10 minutes; the plain build runs it, and memory safety on these
        # inputs is what the other hostile tests and the fuzzers check there
        t.skip("a scale test, run in the plain build, not under AddressSanitizer")
    with open(t.path("million.mbox"), "wb") as f:
        chunk = []
        for i in range(1, N + 1):
            chunk.append(b"From a Tue Mar 12 10:00:00 2019\n" + message(i) + b"\n")
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    # the findings CSV is not asked for: it would only repeat the work
    r = t.scan_limited([t.path("million.mbox")], timeout=150)
    t.check_run(r, "1,000,000 messages")
    # parse without building a million dicts
    raw = r.inventory_raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8", "replace"), newline="")))
    header, rows = rows[0], rows[1:]
    ix, sz, sub, pr = (header.index(c) for c in ("index", "size", "subject", "problems"))
    t.check(len(rows) == N, "all 1,000,000 messages counted", len(rows))
    wrong_index = wrong_size = 0
    first_bad = None
    for n, row in enumerate(rows, 1):
        if row[ix] != str(n):
            wrong_index += 1
        if int(row[sz]) != crlf_size(message(n)):
            wrong_size += 1
            first_bad = first_bad or (n, row[sz], crlf_size(message(n)))
    t.check(wrong_index == 0, "indexes are 1..N in order", wrong_index)
    t.check(wrong_size == 0, "every message has its exact size", first_bad)
    if len(rows) >= BAD:
        t.check(rows[BAD - 1][pr] != "", "the bad message has a problem", rows[BAD - 1][pr])
        t.check(rows[BAD - 2][sub] == "m%d" % (BAD - 1) and rows[BAD][sub] == "m%d" % (BAD + 1),
                "its neighbours are intact", (rows[BAD - 2][sub], rows[BAD][sub]))


Test("hostile-million").main(body)
