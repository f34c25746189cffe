#!/usr/bin/env python3
"""File and folder names with newlines, CR, commas, quotes, semicolons and
leading '=' (a formula): Maildir message files, Maildir++ and nested folder
names, mbox files in a folder of mbox files. Asserts: no crash, the CSV is
RFC 4180 with the right number of cells in every row, every message counted
with its size, and the names come back intact (locator = the path relative
to the root; a formula-looking cell prefixed with ')."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, crlf_size, mbox_entry, write_maildir  # noqa: E402

NAMES = ["1.new\nline:2,S", "2.cr\rret:2,S", "3.comma,\"quote\";semi:2,S", "=4.formula\n=cmd|' -C calc'!A0"]


def body(t):
    md = t.path("Maildir")
    sizes = {}
    write_maildir(md, [good_message("good-%d" % i) for i in range(len(NAMES))], names=NAMES)
    for i in range(len(NAMES)):
        sizes["good-%d" % i] = crlf_size(good_message("good-%d" % i))
    write_maildir(os.path.join(md, ".Fol\nder"), [good_message("good-f")], names=["5.x\n:2,S"])
    write_maildir(os.path.join(md, "Nest\r\ned"), [good_message("good-n")], names=["6.y"], sub="new")
    sizes["good-f"] = crlf_size(good_message("good-f"))
    sizes["good-n"] = crlf_size(good_message("good-n"))
    mdir = t.path("mboxes")
    os.makedirs(mdir)
    with open(os.path.join(mdir, "in\nbox,\"x\""), "wb") as f:
        f.write(mbox_entry(good_message("good-m")))
    sizes["good-m"] = crlf_size(good_message("good-m"))

    r = t.scan_limited([md, mdir])
    t.check_run(r, "names with newlines")
    rows = r.inventory or []
    t.check(len(rows) == len(sizes), "every message counted", len(rows))
    t.expect_good(rows, sizes, "newline names")
    locators = [x["locator"] for x in rows]
    for name in NAMES[:3]:
        t.check(os.path.join("cur", name) in locators, "locator %r intact" % name, locators)
    t.check("'" + os.path.join("cur", NAMES[3]) in locators or os.path.join("cur", NAMES[3]) in locators,
            "the formula-looking locator survives", locators)
    t.check(not any(x["locator"][:1] in ("=", "+", "-", "@") for x in rows), "no locator cell starts a formula")


Test("hostile-newline-names").main(body)
