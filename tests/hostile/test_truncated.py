#!/usr/bin/env python3
"""An mbox cut off mid-message: in the middle of a header line, in the
middle of a base64 attachment (also a > 4 MiB message, parsed from the file
rather than memory), and right after a From_ line. Asserts: no crash, the
good messages before the cut counted with their sizes, the cut message
counted with the size of the bytes that are there, and a problem on it."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, mbox_entry, good_message, crlf_size  # noqa: E402

HEAD = b"From: T <t@example.org>\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <t@example.org>\n"
CUTS = {
    "mid-header": HEAD + b"Subject: cut-header\nContent-Type: multipart/mixed; bound",
    "mid-base64": HEAD + b"Subject: cut-base64\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
                  b"--q\nContent-Type: text/plain\n\nsee\n--q\nContent-Type: image/png; name=x.png\n"
                  b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(os.urandom(3000))[:-7],
    "mid-base64-big": HEAD + b"Subject: cut-base64-big\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
                  b"--q\nContent-Type: application/zip; name=x.zip\nContent-Transfer-Encoding: base64\n\n" +
                  base64.encodebytes(os.urandom(4_000_000))[:-7],
    "after-from-line": b"",
}


def body(t):
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2")}
    sources = []
    for name, cut in CUTS.items():
        path = t.path(name + ".mbox")
        with open(path, "wb") as f:
            f.write(mbox_entry(good_message("good-1")) + mbox_entry(good_message("good-2")) +
                    b"From cut@example.org Tue Mar 12 10:00:00 2019\n" + cut)
        sources.append(path)
    r = t.scan_limited(sources)
    t.check_run(r, "truncated mboxes")
    rows = r.inventory or []
    for name, cut in CUTS.items():
        mine = [x for x in rows if x["source"].endswith(name + ".mbox")]
        t.check(len(mine) == 3, name + ": 2 good + the cut message counted", len(mine))
        t.expect_good(mine, goods, name)
        if len(mine) == 3:
            row = mine[2]
            t.check(int(row["size"]) == crlf_size(cut), name + ": the cut message's size is its bytes",
                    (row["size"], crlf_size(cut)))
            if cut:
                t.expect_problem(row, ["truncated"], name)
            else:
                t.expect_problem(row, None, name)


Test("hostile-truncated").main(body)
