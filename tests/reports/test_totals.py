#!/usr/bin/env python3
"""Totals never wrap round (issue 14, item 10): a size is a number64 that a
server sends (RFC822.SIZE 18446744073709551615 is valid) or a saved report
holds, and a total that wraps makes a huge mailbox look small ("3 messages,
76 B"). A saved report whose first message is 2^64-1 octets is re-rendered
(`report`) and merged with another run (`report merge`): the stdout
summary, the JSON totals, source and folder stats and the HTML's total stay
at 2^64-1. (tests/e2e/test_imap_proxy.py does the same over IMAP, with the
folder and account rules.) Args: MAILPREFLIGHT SCHEMA [GOLDEN_DIR]"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reports_common import TEST_OPTIONS, message, validate_schema  # noqa: E402
from mptest import main, write_mbox  # noqa: E402

MAX64 = 2**64 - 1


def body(t):
    write_mbox(t.path("box"), [message("one", mid="1@x"), message("two", mid="2@x"), message("three", mid="3@x")])
    # generic: no account rules, so nothing but the messages is replayed
    t.run("scan", "-q", "--rules", "generic", "--json", "saved.json", "box", expect=0, what="scan")
    saved = t.read("saved.json")
    first = re.search(r'"size":(\d+),', saved)
    with open(t.path("huge.json"), "w") as f:
        f.write(saved[:first.start(1)] + str(MAX64) + saved[first.end(1):])

    def check_totals(what, tag, expected):
        p = t.run("report", *(["merge"] if tag == "merged" else []), *(
            ["huge.json", "saved.json"] if tag == "merged" else ["huge.json"]),
            "--json", tag + ".json", "--html", tag + ".html", expect=0, what=what)
        t.check("(%d bytes)" % expected in p.out, what + ": the summary's total saturates", p.out[:300])
        rep = json.loads(t.read(tag + ".json"))
        t.eq(validate_schema(rep, json.load(open(t.args[0]))), [], what + ": the JSON is valid")
        t.eq(rep["totals"]["bytes"], expected, what + ": totals.bytes saturates")
        t.eq(rep["accounts"][0]["sources"][0]["stats"]["bytes"], MAX64, what + ": the source's stats saturate")
        t.eq(rep["accounts"][0]["sources"][0]["folders"][0]["stats"]["bytes"], MAX64, what + ": the folder's stats saturate")
        t.check('<div class="n">16777216.0 TB</div><div class="l">Total size</div>' in t.read(tag + ".html"),
                what + ": the HTML's total size saturates")

    check_totals("report", "rendered", MAX64)
    check_totals("report merge", "merged", MAX64)


main("reports-totals", body, **TEST_OPTIONS)
