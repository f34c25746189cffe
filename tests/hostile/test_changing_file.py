#!/usr/bin/env python3
"""Sources that change while they are read: an mbox truncated, truncated to
zero, appended to, and rewritten by a background thread during the scan;
a Maildir whose files are deleted and replaced during the scan. A migration
tool will meet a live mailbox. Asserts for each: the scan ends by itself,
never by a signal, in bounded time and memory, with exit 0, 1 or 3 (3: the
folder could not be read fully), and valid CSV; an mbox truncated before all
its messages were read is an incomplete audit (exit 3, the bytes named)."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, mbox_entry, write_maildir  # noqa: E402

N = 60000  # about 12 MB of mbox: long enough for the thread to act mid-scan


def make_mbox(path):
    with open(path, "wb") as f:
        for i in range(N):
            f.write(mbox_entry(good_message("m%d" % i, b"line\n" * (i % 40))))


def open_count(path):
    """How many descriptors of any process are open on PATH now."""
    real, n = os.path.realpath(path), 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                try:
                    if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == real:
                        n += 1
                except OSError:
                    pass
        except OSError:
            pass
    return n


def while_read(path, alive):
    """Waits until the scan reads PATH with two descriptors at once: the
    producer, which has taken the file's size and cuts it into pieces, and a
    worker reading a piece. A truncation after that loses bytes the scan
    counted on; one before it only gives a shorter file to audit."""
    while alive() and open_count(path) < 2:
        time.sleep(0.001)


def body(t):
    def truncate_half(alive):
        while_read(t.path("live.mbox"), alive)
        os.truncate(t.path("live.mbox"), os.path.getsize(t.path("live.mbox")) // 2)

    def truncate_zero(alive):
        while_read(t.path("live.mbox"), alive)
        os.truncate(t.path("live.mbox"), 0)

    def append(alive):
        with open(t.path("live.mbox"), "ab") as f:
            for i in range(200):
                if not alive():
                    break
                f.write(mbox_entry(good_message("late-%d" % i)) + b"From \n\x00\xff half")
                f.flush()
                time.sleep(0.002)

    def churn(alive):
        rnd = random.Random(5)
        size = os.path.getsize(t.path("live.mbox"))
        while alive():
            os.truncate(t.path("live.mbox"), rnd.randrange(size))
            with open(t.path("live.mbox"), "ab") as f:
                f.write(os.urandom(rnd.randrange(1, 100000)))
            time.sleep(0.005)

    for name, action in (("truncate-half", truncate_half), ("truncate-zero", truncate_zero),
                         ("append", append), ("churn", churn)):
        make_mbox(t.path("live.mbox"))
        r = t.scan_limited([t.path("live.mbox")], during=action, timeout=60, tag=name)
        t.check_run(r, "mbox " + name, rcs=(0, 1, 3))
        if name.startswith("truncate") and r.inventory is not None and len(r.inventory) < N:
            # the truncation came while the file was read (while_read) and
            # lost messages: never a complete audit (exit 0 or 1, READY,
            # until the mbox worker failed its batch)
            t.eq(r.rc, 3, "mbox %s: %d of %d messages read: incomplete, exit 3" % (name, len(r.inventory), N))
            t.check(b"not read: the file shrank while it was read" in r.stderr,
                    "mbox %s: the error says which bytes were not read" % name, r.stderr[-500:])
            # one error for the folder, however many of its pieces failed (a
            # report keeps one error per folder: the HTML re-rendered from
            # the JSON must be the same, as the roundtrip suite checks)
            t.eq(r.stderr.count(b"folder live.mbox: "), 1, "mbox %s: one error for the folder" % name)

    md = t.path("Maildir")
    names = write_maildir(md, [good_message("md-%d" % i, b"x\n" * (i % 100)) for i in range(3000)],
                          names=["%06d.x:2,S" % i for i in range(3000)])

    def maildir_churn(alive):
        rnd = random.Random(7)
        while alive():
            n = rnd.choice(names)
            try:
                if rnd.random() < 0.5:
                    os.unlink(n)
                else:
                    with open(n + ".tmp", "wb") as f:
                        f.write(os.urandom(rnd.randrange(0, 5000)))
                    os.rename(n + ".tmp", n)
                    with open(n, "r+b") as f:
                        f.truncate(rnd.randrange(0, 100))
            except OSError:
                pass

    r = t.scan_limited([md], during=maildir_churn, timeout=60, tag="maildir")
    t.check_run(r, "Maildir churn", rcs=(0, 1, 3))


Test("hostile-changing-file").main(body)
