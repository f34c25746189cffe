#!/usr/bin/env python3
"""(i) mbox edges: junk before the first From_ line (messages still counted,
the summary says so), a file truncated mid-message (the last message still
reported), From_ lines only after an empty line.  Args: MAILPREFLIGHT"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, make_message, crlf_size  # noqa: E402


def body(t):
    msgs = [make_message("m%d" % i, mid="j%d@x" % i) for i in range(3)]
    junk = b"This text came before the first message.\nIt is not mail.\n\n"
    path = t.path("junk.mbox")
    write_mbox(path, msgs, junk=junk)
    p, _, inv = t.scan(path, expect=0, what="junk before the first From_ line")
    t.eq([r["subject"] for r in inv], ["m0", "m1", "m2"], "junk: every message counted")
    t.eq([int(r["size"]) for r in inv], [crlf_size(m) for m in msgs], "junk: sizes")
    t.check("junk" in p.out and str(len(junk)) in p.out, "junk: the summary mentions it and its size", p.out)

    # truncated mid-message: the file ends inside the last message's body
    whole = t.path("whole.mbox")
    big = ("From: a@b\nSubject: cut\nDate: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <cut@x>\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"c\"\n\n--c\nContent-Type: text/plain\n\nbody\n\n"
           "--c\nContent-Type: application/octet-stream; name=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n"
           + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n" * 40 + "\n--c--\n").encode()
    write_mbox(whole, msgs[:2] + [big])
    with open(whole, "rb") as f:
        data = f.read()
    cut_at = len(data) - 1500  # inside the base64 of the attachment, mid-line
    cut = t.path("truncated.mbox")
    with open(cut, "wb") as f:
        f.write(data[:cut_at])
    p, _, inv = t.scan(cut, expect=0, what="truncated mbox", tag="cut")
    t.eq([r["subject"] for r in inv], ["m0", "m1", "cut"], "truncated: the last message is reported")
    last_start = data.index(b"From: a@b\nSubject: cut")
    t.eq(int(inv[-1]["size"]) if inv else None, crlf_size(data[last_start:cut_at]),
         "truncated: the last message counted as it is")
    t.check(inv and "truncated" in inv[-1]["problems"], "truncated: problem reported",
            inv[-1]["problems"] if inv else "")
    t.eq(inv[-1]["attachments"] if inv else None, "1", "truncated: the cut attachment still counts")

    # truncated inside the header block of the last message
    cut2 = t.path("truncated-header.mbox")
    with open(cut2, "wb") as f:
        f.write(data[:last_start + 12])
    p, _, inv = t.scan(cut2, expect=0, what="mbox truncated in a header", tag="cut2")
    t.eq(len(inv), 3, "truncated in a header: the last message is reported")

    # "From " without an empty line before it does not split a message
    odd = t.path("unsplit.mbox")
    with open(odd, "wb") as f:
        f.write(b"From a@b Tue Jan  1 00:00:00 2019\nSubject: one\n\nline\nFrom inside the body\nmore\n\n"
                b"From a@b Tue Jan  1 00:00:00 2019\nSubject: two\n\nx\n")
    p, _, inv = t.scan(odd, extra=("--fail-on", "never"), expect=0, what="From without empty line", tag="odd")
    t.eq([r["subject"] for r in inv], ["one", "two"], "From_ only after an empty line")
    t.eq(int(inv[0]["size"]), crlf_size(b"Subject: one\n\nline\nFrom inside the body\nmore\n"),
         "unquoted From line: counted as it is")

    # CRLF mbox: separators are CRLF empty lines
    crlf = t.path("crlf.mbox")
    with open(crlf, "wb") as f:
        for m in msgs:
            f.write(b"From a@b Tue Jan  1 00:00:00 2019\r\n" + m.replace(b"\n", b"\r\n") + b"\r\n")
    p, _, inv = t.scan(crlf, expect=0, what="CRLF mbox", tag="crlf")
    t.eq([int(r["size"]) for r in inv], [crlf_size(m) for m in msgs], "CRLF mbox: sizes")

    # UW-IMAP folder internal data is not a message
    uw = t.path("uw.mbox")
    write_mbox(uw, [b"Date: Tue, 01 Jan 2019 00:00:00 +0000\nFrom: Mail System Internal Data <MAILER-DAEMON@x>\n"
                    b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAP: 1234567890 0000000002\n\n"
                    b"This text is part of the internal format of your mail folder.\n"] + msgs)
    p, _, inv = t.scan(uw, expect=0, what="UW-IMAP internal data", tag="uw")
    t.eq([r["subject"] for r in inv], ["m0", "m1", "m2"], "UW-IMAP pseudo-message skipped")


main("mbox-edge", body)
