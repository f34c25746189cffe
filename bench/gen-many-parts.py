#!/usr/bin/env python3
"""bench/gen-many-parts.py DIR — writes the messages of many MIME parts of
bench/RESULTS.md ("Issue 14, local hardening"), one Maildir each under DIR:

  p100k     100,000 tiny parts in about 5 MB
  p25m      25 MB of tiny parts (about 800,000)
  att9999   9,999 named attachments, an 8-bit header (the light walker declines: GMime's path)
  att4999   4,999 of them: a tree, the most one may hold (MP_MIME_MAX_PARTS)

Then, for each:  /usr/bin/time -f "%e s %U+%S cpu %M KB" mailpreflight scan -q --jobs 1 --fail-on never DIR/NAME"""
import os
import sys

HEAD = (b"From: a@example.org\nTo: b@example.org\nSubject: many parts\n%s"
        b"Date: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <many@x>\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=\"b\"\n\n")


def tiny(n, pad):
    return HEAD % b"" + (b"--b\nContent-Type: text/plain\n\n" + b"y" * pad + b"\n") * n + b"--b--\n"


def attachments(n):
    return HEAD % "X-Bad: caf\u00e9\n".encode() + b"".join(
        b"--b\nContent-Type: application/octet-stream; name=\"file%06d.bin\"\n"
        b"Content-Disposition: attachment; filename=\"file%06d.bin\"\nContent-Transfer-Encoding: base64\n\n"
        b"AAAA\n" % (i, i) for i in range(n)) + b"--b--\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for name, data in (("p100k", tiny(100000, 20)), ("p25m", tiny(25 * 1024 * 1024 // 33, 1)),
                       ("att9999", attachments(9999)), ("att4999", attachments(4999))):
        d = os.path.join(sys.argv[1], name)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, "cur", "1.%s:2,S" % name), "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (d, len(data)))


main()
