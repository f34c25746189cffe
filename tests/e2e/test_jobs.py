#!/usr/bin/env python3
"""(d) --jobs 1 and --jobs 4 give byte-identical CSV files (and summary) on
a Maildir of 300 messages and on a folder of several mbox files.
Args: MAILPREFLIGHT"""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, write_maildir  # noqa: E402

RULES = """[profile]
name = e2e small limits

[rule big]
check = message-size
max = 3 KB
severity = error

[rule many]
check = attachment-count
max = 2
severity = warning
"""


def message(i):
    """Message I: sizes and attachment counts vary with i (deterministic)."""
    natt = i % 5
    fill = "x" * ((i * 37) % 4000)
    parts = ["--b%d\nContent-Type: text/plain\n\nmessage %d %s\n\n" % (i, i, fill)]
    for a in range(natt):
        data = base64.b64encode(bytes([(i + a) % 256]) * (50 + a * 10)).decode()
        parts.append("--b%d\nContent-Type: application/octet-stream; name=\"f%d-%d.bin\"\n"
                     "Content-Transfer-Encoding: base64\n\n%s\n\n" % (i, i, a, data))
    date = "" if i % 17 == 0 else "Date: Tue, 01 Jan 2019 %02d:%02d:00 +0000\n" % (i // 60 % 24, i % 60)
    mid = "" if i % 23 == 0 else "Message-ID: <jobs-%d@e2e.invalid>\n" % i
    return ("From: Sender %d <s%d@example.org>\nTo: r@example.org\nSubject: message %d\n%s%s"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n%s--b%d--\n"
            % (i, i, i, date, mid, i, "".join(parts), i)).encode()


def body(t):
    rules = t.path("small.ini")
    with open(rules, "w") as f:
        f.write(RULES)

    maildir = t.path("maildir")
    write_maildir(maildir, [message(i) for i in range(300)],
                  names=["%d.M%dP%d.e2e:2,%s" % (1546300800 + i, i, i, "S" if i % 3 else "") for i in range(300)],
                  mtime=1546300800)
    # a subfolder too, so folder boundaries cross batches
    write_maildir(os.path.join(maildir, ".Sub"), [message(i) for i in range(300, 340)], mtime=1546300800)

    mboxes = t.path("mboxes")
    os.makedirs(os.path.join(mboxes, "Archive.sbd"))
    write_mbox(os.path.join(mboxes, "Inbox"), [message(i) for i in range(400, 550)])
    write_mbox(os.path.join(mboxes, "Sent"), [message(i) for i in range(600, 640)])
    write_mbox(os.path.join(mboxes, "Archive"), [message(i) for i in range(700, 710)])
    write_mbox(os.path.join(mboxes, "Archive.sbd", "2019"), [message(i) for i in range(800, 900)])
    open(os.path.join(mboxes, "Empty"), "w").close()

    for name, src, count in (("maildir", maildir, 340), ("mbox-folder", mboxes, 300)):
        outs = {}
        for jobs in ("1", "4", "7"):
            p, findings, inventory = t.scan(src, extra=("--rules", rules, "--jobs", jobs, "--fail-on", "never"),
                                            expect=0, what="%s --jobs %s" % (name, jobs), tag="%s-j%s" % (name, jobs))
            with open(p.csv_path, "rb") as f1, open(p.inv_path, "rb") as f2:
                outs[jobs] = (f1.read(), f2.read(), p.out)
            t.eq(len(inventory), count, "%s --jobs %s: every message" % (name, jobs))
            t.check(len(findings) > 50, "%s --jobs %s: findings present" % (name, jobs), len(findings))
        for jobs in ("4", "7"):
            t.check(outs[jobs][0] == outs["1"][0], "%s: findings CSV of --jobs %s == --jobs 1" % (name, jobs))
            t.check(outs[jobs][1] == outs["1"][1], "%s: inventory CSV of --jobs %s == --jobs 1" % (name, jobs))
            t.check(outs[jobs][2] == outs["1"][2], "%s: summary of --jobs %s == --jobs 1" % (name, jobs))
        # source order: index runs 1..n within each folder
        _, _, inventory = t.scan(src, extra=("--rules", rules, "--jobs", "4", "--fail-on", "never"), tag="order")
        last = {}
        ok = True
        for r in inventory:
            ok &= int(r["index"]) == last.get(r["folder"], 0) + 1
            last[r["folder"]] = int(r["index"])
        t.check(ok, "%s: messages in source order" % name)


main("jobs", body)
