#!/usr/bin/env python3
"""File and folder names with newlines, CR, commas, quotes, semicolons and
leading '=' (a formula): Maildir message files, Maildir++ and nested folder
names, mbox files in a folder of mbox files. Asserts: no crash, the CSV is
RFC 4180 with the right number of cells in every row, every message counted
with its size, and the names come back intact (locator = the path relative
to the root; a formula-looking cell prefixed with ')."""
from hostile_common import Test, good_message, crlf_size, mbox_entry
import os

NAMES = ["1.new\nline:2,S", "2.cr\rret:2,S", "3.comma,\"quote\";semi:2,S", "=4.formula\n=cmd|' -C calc'!A0"]


def body(t):
    md = t.path("Maildir")
    for sub in ("", ".Fol\nder", "Nest\r\ned"):
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, sub, d))
    sizes = {}
    for i, name in enumerate(NAMES):
        subject = "good-%d" % i
        with open(os.path.join(md, "cur", name), "wb") as f:
            f.write(good_message(subject))
        sizes[subject] = crlf_size(good_message(subject))
    with open(os.path.join(md, ".Fol\nder", "cur", "5.x\n:2,S"), "wb") as f:
        f.write(good_message("good-f"))
    with open(os.path.join(md, "Nest\r\ned", "new", "6.y"), "wb") as f:
        f.write(good_message("good-n"))
    sizes["good-f"] = crlf_size(good_message("good-f"))
    sizes["good-n"] = crlf_size(good_message("good-n"))
    mdir = t.path("mboxes")
    os.makedirs(mdir)
    with open(os.path.join(mdir, "in\nbox,\"x\""), "wb") as f:
        f.write(mbox_entry(good_message("good-m")))
    sizes["good-m"] = crlf_size(good_message("good-m"))

    r = t.scan([md, mdir])
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
