#!/usr/bin/env python3
"""Symlink loops and other non-files in mail trees: a nested Maildir tree
with a directory symlink to its own root and one to its parent, a symlink to
itself and a dangling one in cur/, a FIFO and a symlink to /dev/zero in
cur/ (O_NONBLOCK must keep the scan from hanging), and a folder of mbox
files with a loop. Asserts: the scan ends (no infinite walk), no crash,
bounded RSS, the good messages counted exactly once with their sizes, the
non-files counted with a problem."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, crlf_size, mbox_entry, write_maildir  # noqa: E402


def body(t):
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

    mdir = t.path("mboxes")
    os.makedirs(os.path.join(mdir, "a"))
    with open(os.path.join(mdir, "inbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-m1")))
    with open(os.path.join(mdir, "a", "archive"), "wb") as f:
        f.write(mbox_entry(good_message("good-m2")))
    os.symlink("..", os.path.join(mdir, "a", "loop"))
    os.symlink(mdir, os.path.join(mdir, "a", "loop2"))

    r = t.scan_limited([root, mdir], timeout=60)
    t.check_run(r, "symlink loops", rcs=(0, 1, 3))
    rows = r.inventory or []
    bug = "a symlink to a Maildir already walked is listed again as a folder (source-maildir.c walk_tree)"
    t.check(len(rows) < 50, "no message listed over and over through a loop", len(rows))
    for s in ("good-a", "good-b", "good-c", "good-m1", "good-m2"):
        hits = [x for x in rows if x["subject"] == s]
        t.check(len(hits) >= 1, s + " counted", len(hits))
        t.check(all(int(x["size"]) == crlf_size(good_message(s)) for x in hits), s + " has its size")
        if s != "good-c":  # the root Maildir is the one the loops lead back to
            t.check(len(hits) == 1, s + " counted once", len(hits))
        else:
            t.check(len(hits) == 1, s + " counted once (got %d: %s)" % (len(hits), [x["folder"] for x in hits]))
    for name in ("4.self", "5.dangling", "6.fifo", "7.zero"):
        hit = [x for x in rows if x["locator"].endswith(name)]
        t.check(len(hit) >= 1, name + " counted", len(hit))
        t.check(len(hit) == 1, name + " counted once (got %d)" % len(hit))
        for h in hit:
            t.expect_problem(h, ["unreadable", "not-a-file"], name)


Test("hostile-symlinks").main(body)
