#!/usr/bin/env python3
"""bench/gen-accounts.py DIR ACCOUNTS MESSAGES — ACCOUNTS homes of MESSAGES
messages each (DIR/users/userNNNNN/Maildir, Maildir++ folders Sent and
Archive), and the same messages, byte for byte, as one Maildir
(DIR/one/Maildir, the same folders): the pair the per-account overhead is
measured on. Deterministic (no randomness); about 2 KB per message; the
arrival times (mtimes) are spread over two years so that verdicts vary."""
import os
import sys

BASE = 1700000000  # 2023-11-14


def message(a, i):
    body = ("Line %d of a message to user %d, long enough to be a real one.\n" % (i, a)) * 24
    return ("From: Sender %d <s%d@example.org>\nTo: user%d@example.edu\nSubject: message %d of user %d\n"
            "Date: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <m%d.%d@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n\n%s" % (a, a, a, i, a, a, i, body)).encode()


def write(root, folder, name, data, mtime):
    d = os.path.join(root, "." + folder) if folder else root
    for s in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, s), exist_ok=True)
    p = os.path.join(d, "cur", name)
    with open(p, "wb") as f:
        f.write(data)
    os.utime(p, (mtime, mtime))


def main():
    out, n_accounts, n_messages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    one = os.path.join(out, "one", "Maildir")
    for a in range(n_accounts):
        home = os.path.join(out, "users", "user%05d" % a, "Maildir")
        for i in range(n_messages):
            folder = "Sent" if i % 10 == 0 else "Archive" if i % 10 == 1 else None
            mtime = BASE + ((a * 7919 + i * 104729) % (730 * 86400))
            name = "%d.M%dP%d.bench:2,%s" % (mtime, i, a, "S" if i % 3 else "")
            data = message(a, i)
            write(home, folder, name, data, mtime)
            write(one, folder, name, data, mtime)


if __name__ == "__main__":
    main()
