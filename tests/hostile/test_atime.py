#!/usr/bin/env python3
"""A scan leaves access times alone (issue 14, item 11). mutt, biff and
$MAILCHECK say "new mail" when a mailbox's access time is older than its
modification time; a scan that reads the mailbox would clear that marker
for its owner. Every file and directory of a Maildir, an mbox file and a
folder of mbox files gets an access time two days before its modification
time, the state in which Linux's default relatime updates it on the next
read; after a scan (every report format) every access time must be
unchanged.

The test is meaningful only where a read does update the access time: it
first reads a control file in the same state and skips (77) when its
access time did not move (a filesystem mounted noatime, or a kernel that
never updates it). Runs as root or as the files' owner (O_NOATIME is
theirs only; tests/hostile/test_unreadable.py covers the fallback for
anyone else)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, mbox_entry, write_maildir  # noqa: E402

TWO_DAYS = 2 * 86400 * 10**9


def make_old(path):
    """Access time two days before the modification time (nanoseconds)."""
    st = os.stat(path, follow_symlinks=False)
    os.utime(path, ns=(st.st_mtime_ns - TWO_DAYS, st.st_mtime_ns), follow_symlinks=False)


def body(t):
    control = t.path("control")
    with open(control, "wb") as f:
        f.write(b"x" * 100)
    make_old(control)
    before = os.stat(control).st_atime_ns
    with open(control, "rb") as f:
        f.read()
    if os.stat(control).st_atime_ns == before:
        t.skip("a read does not update access times here (mounted noatime?): nothing to test")

    md = t.path("Maildir")
    write_maildir(md, [good_message("md-%d" % i) for i in range(5)])
    write_maildir(md, [good_message("md-new")], names=["1700000000.new.host"], sub="new")
    write_maildir(os.path.join(md, ".Archive"), [good_message("md-archive")])
    mbox = t.path("inbox.mbox")
    with open(mbox, "wb") as f:
        f.write(b"".join(mbox_entry(good_message("mbox-%d" % i)) for i in range(20)))
    tb = t.path("thunderbird")
    os.makedirs(os.path.join(tb, "Archive.sbd"))
    for rel in ("Inbox", "Archive", os.path.join("Archive.sbd", "2019")):
        with open(os.path.join(tb, rel), "wb") as f:
            f.write(mbox_entry(good_message("tb-" + rel)))
    with open(os.path.join(tb, "Inbox.msf"), "wb") as f:
        f.write(b"// index")

    paths = []
    for top in (md, tb):
        for root, dirs, files in os.walk(top):
            paths += [os.path.join(root, n) for n in dirs + files]
        paths.append(top)
    paths.append(mbox)
    # files first, then directories from the deepest up: setting a time
    # changes no other entry's time
    for p in sorted(paths, key=lambda p: (os.path.isdir(p), -p.count(os.sep))):
        make_old(p)
    before = {p: os.stat(p).st_atime_ns for p in paths}

    r = t.scan_limited([md, mbox, tb], extra=("--json", t.path("r.json"), "--html", t.path("r.html"),
                                              "--junit", t.path("r.xml")))
    t.check_run(r, "scan", rcs=(0, 1))
    t.eq(len(r.inventory or []), 5 + 1 + 1 + 20 + 3, "every message read")
    changed = sorted(os.path.relpath(p, t.dir) for p in paths if os.stat(p).st_atime_ns != before[p])
    t.check(not changed, "no access time changed by the scan", changed)


Test("hostile-atime").main(body)
