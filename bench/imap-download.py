#!/usr/bin/env python3
"""The straightforward alternative to an IMAP audit: download every message
(BODY.PEEK[], so nothing is marked read) with imaplib and count sizes and
attachments with the email package.  Args: HOST PORT CA_FILE USER
(password in $MAILPREFLIGHT_PASSWORD)."""
import email
import email.policy
import imaplib
import os
import ssl
import sys

host, port, ca, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
m.login(user, os.environ["MAILPREFLIGHT_PASSWORD"])
m.select("INBOX", readonly=True)
typ, data = m.uid("SEARCH", None, "ALL")
uids = data[0].split()
total = attachments = 0
for i in range(0, len(uids), 200):
    chunk = b",".join(uids[i:i + 200])
    typ, data = m.uid("FETCH", chunk, "(BODY.PEEK[])")
    for item in data:
        if not isinstance(item, tuple):
            continue
        raw = item[1]
        total += len(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment" or part.get_filename():
                attachments += 1
m.logout()
print(len(uids), "messages,", total, "bytes,", attachments, "attachments")
