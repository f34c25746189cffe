#!/usr/bin/env python3
"""Symbolic links in mail trees (issue 14, item 5: nothing is read outside
the source). A user-writable tree scanned as root is the normal admin case,
so every link a user can plant is here:

  - a message file linked to a file outside the source
    (cur/2.x:2,S -> /some/secret): never followed, the row has the problem
    `symlink`, nothing of the secret reaches any report;
  - a Maildir++ folder (.Stolen -> /srv/bob) and a nested folder
    (Stolen2 -> bob's tree) linked outside the source: never descended
    into, each a `symlink-not-followed` notice of the source, none of bob's
    mail in the report;
  - in a folder of mbox files, a file linked outside and a directory
    linked outside: neither followed, notices;
  - links that stay inside the source are fine: a folder reached only
    through a link inside the source is scanned, in both layouts;
  - loops and odd files: directory symlinks to the root and to the parent,
    a link to itself, a dangling link, a FIFO, a link to /dev/zero in
    cur/; a folder of mbox files with a loop.

Asserts: the scan ends (no infinite walk), no crash, bounded RSS, the good
messages counted exactly once with their sizes, the non-files counted with
a problem, no byte of the secrets or of bob's mail in any report."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, crlf_size, mbox_entry, write_maildir  # noqa: E402

SECRET = b"SECRET-SUBJECT-7f3a"


def body(t):
    # outside the sources: a secret file and bob's mail
    secret = t.path("secret.txt")
    with open(secret, "wb") as f:
        f.write(b"From: root@example.org\nSubject: " + SECRET + b"\n\nroot's password is hunter2\n")
    bob = t.path("bob")
    write_maildir(bob, [good_message("bob-private-1")])
    write_maildir(os.path.join(bob, "Deep"), [good_message("bob-private-2")])
    bob_mbox = t.path("bob.mbox")
    with open(bob_mbox, "wb") as f:
        f.write(mbox_entry(good_message("bob-private-3")))
    os.makedirs(t.path("bobdir"))
    with open(t.path("bobdir", "box"), "wb") as f:
        f.write(mbox_entry(good_message("bob-private-4")))

    root = t.path("tree")
    for folder in (root, os.path.join(root, "Sub"), os.path.join(root, "Sub", "Deeper")):
        write_maildir(folder, [])
    os.symlink(root, os.path.join(root, "Sub", "Deeper", "Loop"))       # back to the root
    os.symlink("..", os.path.join(root, "Sub", "Up"))                    # to the parent
    os.symlink(".", os.path.join(root, "Self"))
    msgs = {"Sub/cur/1.a:2,S": "good-a", "Sub/Deeper/cur/2.b:2,S": "good-b", "cur/3.c:2,S": "good-c"}
    for rel, subject in msgs.items():
        with open(os.path.join(root, rel), "wb") as f:
            f.write(good_message(subject))
    os.symlink("4.self", os.path.join(root, "cur", "4.self"))
    os.symlink("/nonexistent/x", os.path.join(root, "cur", "5.dangling"))
    os.mkfifo(os.path.join(root, "cur", "6.fifo"))
    os.symlink("/dev/zero", os.path.join(root, "cur", "7.zero"))
    os.symlink(secret, os.path.join(root, "cur", "2.x:2,S"))            # a message file leading out
    os.symlink(bob, os.path.join(root, ".Stolen"))                       # Maildir++ folder leading out
    os.symlink(bob, os.path.join(root, "Stolen2"))                       # nested folder leading out
    # a folder reached only through a link inside the source: fine
    write_maildir(os.path.join(root, "store", "Kept"), [good_message("good-linked")])
    os.symlink(os.path.join("store", "Kept"), os.path.join(root, "Linked"))
    os.symlink(os.path.join(root, "store", "Kept"), os.path.join(root, ".Linked2"))

    mdir = t.path("mboxes")
    os.makedirs(os.path.join(mdir, "a"))
    with open(os.path.join(mdir, "inbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-m1")))
    with open(os.path.join(mdir, "a", "archive"), "wb") as f:
        f.write(mbox_entry(good_message("good-m2")))
    os.symlink("..", os.path.join(mdir, "a", "loop"))
    os.symlink(mdir, os.path.join(mdir, "a", "loop2"))
    os.symlink(bob_mbox, os.path.join(mdir, "stolen"))                   # a file leading out
    os.symlink(secret, os.path.join(mdir, "secret"))
    os.symlink(t.path("bobdir"), os.path.join(mdir, "stolendir"))        # a directory leading out
    os.makedirs(os.path.join(mdir, ".store"))                            # hidden (a companion name) ...
    with open(os.path.join(mdir, ".store", "kept"), "wb") as f:
        f.write(mbox_entry(good_message("good-m3")))
    os.symlink(".store", os.path.join(mdir, "linked"))                   # ... reached through a link inside

    json_path = t.path("report.json")
    r = t.scan_limited([root, mdir], timeout=60, extra=("--json", json_path))
    t.check_run(r, "symlinks", rcs=(0, 1, 3))
    rows = r.inventory or []
    t.check(len(rows) < 50, "no message listed over and over through a loop", len(rows))
    for s in ("good-a", "good-b", "good-c", "good-m1", "good-m2", "good-linked", "good-m3"):
        hits = [x for x in rows if x["subject"] == s]
        t.check(len(hits) == 1, s + " counted once (got %d: %s)" % (len(hits), [x["folder"] for x in hits]))
        t.check(all(int(x["size"]) == crlf_size(good_message(s)) for x in hits), s + " has its size")
    for name in ("4.self", "5.dangling", "6.fifo", "7.zero", "2.x:2,S"):
        hit = [x for x in rows if x["locator"].endswith(name)]
        t.check(len(hit) == 1, name + " counted once (got %d)" % len(hit))
        for h in hit:
            t.expect_problem(h, ["symlink"] if name != "6.fifo" else ["not-a-file"], name)
            t.eq(h["subject"], "", name + ": nothing read through it")

    # nothing from outside the sources, in any report
    everything = r.inventory_raw + r.findings_raw + open(json_path, "rb").read() + r.stdout + r.stderr
    t.check(SECRET not in everything and b"hunter2" not in everything,
            "no byte of the secret file in any report")
    t.check(b"bob-private" not in everything, "none of bob's mail in any report")
    t.check(not any(x["folder"].startswith(("Stolen", "stolen")) for x in rows),
            "no folder through a link leading out", sorted({x["folder"] for x in rows}))
    rep = json.loads(open(json_path, encoding="utf-8").read())
    notices = [n["detail"] for a in rep["accounts"] for s in a["sources"] for n in s["notices"] if n["code"] == "symlink-not-followed"]
    for name in (".Stolen", "Stolen2", "stolen", "secret", "stolendir"):
        t.check(any(d.startswith(name + " -> ") for d in notices),
                "a notice names the link %s that was not followed" % name, notices)

    # the SOURCE argument itself may be a link (the user named it): the
    # source is what it leads to, and the same links are judged the same
    os.symlink(root, t.path("tree-link"))
    r = t.scan_limited([t.path("tree-link")], timeout=60, tag="via-link")
    t.check_run(r, "a source named through a link", rcs=(0, 1, 3))
    rows = r.inventory or []
    for s in ("good-a", "good-b", "good-c", "good-linked"):
        t.eq(len([x for x in rows if x["subject"] == s]), 1, "via a link to the source: %s counted once" % s)
    t.check(SECRET not in r.inventory_raw and b"bob-private" not in r.inventory_raw,
            "via a link to the source: nothing from outside it")


Test("hostile-symlinks").main(body)
