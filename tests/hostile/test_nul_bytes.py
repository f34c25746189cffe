#!/usr/bin/env python3
"""NUL bytes in header names, header values and bodies (RFC 5322 §2.1 and
§3.5 allow none; Exchange and Gmail importers reject or truncate such
mail), in an mbox between good messages and as Maildir files. Asserts: no
crash, valid CSV, the good messages counted with their sizes, each bad one
counted with its exact size (a NUL must not cut the size count short) and
with a problem."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size, write_maildir  # noqa: E402

OK_HEAD = b"Date: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <%s@example.org>\n"

BAD = {
    "nul-in-value": b"From: N <n@example.org>\n" + OK_HEAD % b"v" + b"Subject: nul-in-value\nX-Junk: a\x00b\x00c\n\nbody\n",
    "nul-in-subject": b"From: N <n@example.org>\n" + OK_HEAD % b"s" + b"Subject: nul-in\x00-subject\n\nbody\n",
    "nul-in-name": b"From: N <n@example.org>\n" + OK_HEAD % b"n" + b"Subject: nul-in-name\nX-Ju\x00nk: a\n\nbody\n",
    "nul-in-body": b"From: N <n@example.org>\n" + OK_HEAD % b"b" + b"Subject: nul-in-body\n\nbo\x00dy\x00\x00\n" + b"\x00" * 5000 + b"\n",
    "nul-in-from": b"From: N\x00 <n@exa\x00mple.org>\n" + OK_HEAD % b"f" + b"Subject: nul-in-from\n\nbody\n",
}


def body(t):
    goods = {"good-%d" % i: crlf_size(good_message("good-%d" % i)) for i in range(len(BAD) + 1)}
    with open(t.path("nul.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-0")))
        for i, m in enumerate(BAD.values(), 1):
            f.write(mbox_entry(m) + mbox_entry(good_message("good-%d" % i)))
    md = t.path("Maildir")
    write_maildir(md, list(BAD.values()), names=["%d.%s:2,S" % (i, name) for i, name in enumerate(BAD)])
    r = t.scan_limited([t.path("nul.mbox"), md])
    t.check_run(r, "NUL bytes")
    rows = r.inventory or []
    t.check(len(rows) == 2 * len(BAD) + 1 + len(BAD), "all messages counted", len(rows))
    t.expect_good(rows, goods, "nul")
    mbox_bad = [x for x in rows if x["folder"] == "nul.mbox" and not x["subject"].startswith("good-")]
    t.check(len(mbox_bad) == len(BAD), "every bad mbox message is one row", len(mbox_bad))
    for row, (name, m) in zip(mbox_bad, BAD.items()):
        t.check(int(row["size"]) == crlf_size(m), name + ": exact size", (row["size"], crlf_size(m)))
        if name == "nul-in-name":  # GMime sees a bad header name
            t.expect_problem(row, ["malformed-header"], name)
        else:
            t.check("nul-byte" in row["problems"], name + ": NUL bytes reported in problems (got %r)" % row["problems"])
    md_rows = [x for x in rows if x["folder"] != "nul.mbox"]
    for row in md_rows:
        name = row["locator"].split(".", 1)[1].split(":", 1)[0]
        t.check(int(row["size"]) == crlf_size(BAD[name]), name + " (Maildir): exact size", row["size"])


Test("hostile-nul-bytes").main(body)
