#!/usr/bin/env python3
"""bench/py-scan.py — the straightforward Python baseline for bench/run.sh.

    bench/py-scan.py MBOX-FILE | MAILDIR

What a migration engineer would write in an afternoon with the standard
library (mailbox + email, default compat32 policy): for every message the
count, the size as DEFINITIONS.md defines it (the stored bytes, one '>'
removed per mbox ^>+From line, plus one octet per LF not preceded by CR) and
the attachments as mailpreflight counts them (A1 Content-Disposition
attachment, A2 a filename or name parameter, A3 an attached message; E1/E2
the signature and encryption control parts are none; only top-level parts,
an attached message's own attachments are not counted).

Prints one line: messages, total size, attachments, attachment octets as
stored (transfer-encoded, CRLF size). bench/run.sh times it against
`mailpreflight scan` and checks that the totals agree.
"""
import email
import email.policy
import mailbox
import os
import re
import sys

QUOTED_FROM = re.compile(rb"^>+From ", re.M)


def crlf_size(b):
    return len(b) + b.count(b"\n") - b.count(b"\r\n")


def walk(part, role, totals):
    ctype = part.get_content_type()
    maintype, subtype = ctype.split("/", 1)
    if maintype == "multipart" and isinstance(part.get_payload(), list):
        for i, child in enumerate(part.get_payload()):
            r = "plain"
            if subtype == "signed" and i == 1:
                r = "signature"
            elif subtype == "encrypted" and i == 0:
                r = "control"
            walk(child, r, totals)
        return
    if role in ("signature", "control"):
        return
    disposition = part.get_content_disposition()
    has_name = bool(part.get_param("filename", header="content-disposition") or part.get_param("name"))
    embedded = maintype == "message" and subtype in ("rfc822", "global")
    if disposition == "attachment" or has_name or (role != "root" and embedded):
        totals["attachments"] += 1
        if embedded:
            inner = part.get_payload(0) if part.is_multipart() else None
            totals["attachment_octets"] += crlf_size(inner.as_bytes()) if inner is not None else 0
        else:
            raw = part.get_payload(decode=False)
            if isinstance(raw, str):
                raw = raw.encode("utf-8", "surrogateescape")
            totals["attachment_octets"] += crlf_size(raw or b"")


def main():
    path = sys.argv[1]
    if os.path.isdir(path):
        box, quoted = mailbox.Maildir(path, factory=None, create=False), False
    else:
        box, quoted = mailbox.mbox(path, factory=None, create=False), True
    totals = {"messages": 0, "size": 0, "attachments": 0, "attachment_octets": 0}
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        size = crlf_size(raw)
        if quoted:
            size -= len(QUOTED_FROM.findall(raw))
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        walk(msg, "root", totals)
        totals["messages"] += 1
        totals["size"] += size
    box.close()
    print("messages {messages} size {size} attachments {attachments} "
          "attachment_octets {attachment_octets}".format(**totals))


if __name__ == "__main__":
    main()
