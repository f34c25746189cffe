#!/usr/bin/env python3
"""(b) The 17920 KB limit end to end: 18,350,080 CRLF octets pass,
18,350,081 fail, read from an mbox (LF line ends, every bare LF counting two
octets, one '>' removed from each quoted From line) and from a Maildir.
Args: MAILPREFLIGHT"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, LIMIT, crlf_size, load_gen_sample, write_mbox, write_maildir, mboxrd_quote  # noqa: E402

gen = load_gen_sample()


def with_from_line(size):
    """A LF message of SIZE CRLF octets whose text part has a line beginning
    "From " (quoted as ">From " in the mbox, where it costs no octet)."""
    line = b"From the desk of the sender: this line is quoted in an mbox\n"
    m = gen.big_message(size - crlf_size(line))
    cut = m.index(b"counted with CRLF line ends.\n") + len(b"counted with CRLF line ends.\n")
    m = m[:cut] + line + m[cut:]
    assert crlf_size(m) == size
    return m


def body(t):
    cases = [  # (name, bytes, expected size, passes)
        ("lf-at-limit", gen.big_message(LIMIT), LIMIT, True),
        ("lf-over-limit", gen.big_message(LIMIT + 1), LIMIT + 1, False),
        ("crlf-at-limit", gen.big_message(LIMIT, crlf=True), LIMIT, True),
        ("crlf-over-limit", gen.big_message(LIMIT + 1, crlf=True), LIMIT + 1, False),
        ("fromline-at-limit", with_from_line(LIMIT), LIMIT, True),
        ("fromline-over-limit", with_from_line(LIMIT + 1), LIMIT + 1, False),
    ]
    for name, data, size, _ in cases:
        t.eq(crlf_size(data), size, "generator: %s" % name)
        t.check(b"\r" not in data or name.startswith("crlf"), "generator: %s has LF line ends" % name)
    t.check(b"\n>From the desk" in mboxrd_quote(cases[4][1]), "the From line is quoted in the mbox")

    msgs = [c[1] for c in cases]
    mbox = t.path("boundary.mbox")
    write_mbox(mbox, msgs)
    maildir = t.path("boundary-maildir")
    write_maildir(maildir, msgs, names=["%d.M%dP1.e2e:2,S" % (1546300800 + i, i) for i in range(len(msgs))])

    for kind, src in (("mbox", mbox), ("maildir", maildir)):
        p, findings, inventory = t.scan(src, expect=1, what="%s: some over the limit" % kind, tag=kind)
        t.eq([int(r["size"]) for r in inventory], [c[2] for c in cases], "%s: sizes" % kind)
        # message findings only: the account's own (idle time) are not this test's
        t.eq([(r["index"], r["rule"], r["value"], r["limit"]) for r in findings if r["index"]],
             [(str(i + 1), "too-large", str(c[2]), str(LIMIT)) for i, c in enumerate(cases) if not c[3]],
             "%s: exactly the over-limit messages are too-large" % kind)
        t.eq([r["attachments"] for r in inventory], ["1"] * len(cases), "%s: one attachment each" % kind)
        t.eq([r["problems"] for r in inventory], [""] * len(cases), "%s: no problems" % kind)

    # a source holding only the message at the limit passes; one octet more fails
    for kind in ("mbox", "maildir"):
        for name, data, size, passes in cases[:2]:
            if kind == "mbox":
                src = t.path("%s.mbox" % name)
                write_mbox(src, [data])
            else:
                src = t.path("%s-maildir" % name)
                write_maildir(src, [data])
            t.run("scan", "-q", src, expect=0 if passes else 1, what="%s %s alone" % (kind, name))
            shutil.rmtree(src) if os.path.isdir(src) else os.unlink(src)


main("size-boundary", body)
