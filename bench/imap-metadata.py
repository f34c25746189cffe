#!/usr/bin/env python3
"""The smallest script that reads what an IMAP metadata audit reads: one
`UID FETCH 1:* (UID RFC822.SIZE INTERNALDATE FLAGS BODYSTRUCTURE ENVELOPE)`
on one imaplib connection (EXAMINE, so nothing changes), the sizes picked
out with a regular expression, nothing else parsed: no BODYSTRUCTURE walk,
no ENVELOPE decoding, no report.  It is the yardstick of bench/imap-bench.sh
(issue 14: mailpreflight's whole audit must take at most half its time).

  imap-metadata.py HOST PORT CA_FILE USER [FOLDER]
  (password in $MAILPREFLIGHT_PASSWORD; FOLDER defaults to INBOX)

Prints the number of messages and their total size."""
import imaplib
import os
import re
import ssl
import sys

SIZE = re.compile(rb"RFC822\.SIZE (\d+)")

host, port, ca, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
folder = sys.argv[5] if len(sys.argv) > 5 else "INBOX"
# imaplib refuses lines over 1 MB (a BODYSTRUCTURE of many parts can be long)
imaplib._MAXLINE = 64 << 20
m = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(cafile=ca))
m.login(user, os.environ["MAILPREFLIGHT_PASSWORD"])
m.select(folder, readonly=True)
typ, data = m.uid("FETCH", "1:*", "(UID RFC822.SIZE INTERNALDATE FLAGS BODYSTRUCTURE ENVELOPE)")
if typ != "OK":
    raise SystemExit("UID FETCH failed: %r" % (data,))
count = total = 0
for item in data:
    # a response with literals comes as tuples (line, literal), then the rest
    line = item[0] if isinstance(item, tuple) else item
    if not line:
        continue
    s = SIZE.search(line)
    if s:
        count += 1
        total += int(s.group(1))
m.logout()
print(count, "messages,", total, "bytes")
