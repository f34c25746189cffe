#!/usr/bin/env python3
"""A Maildir with an unreadable message file, and a Maildir++ subfolder
whose cur/ cannot be listed. CI runs as root, which reads everything, so the
scan runs as nobody (setpriv, else runuser) on a tree readable by all except
those; skipped (77) when privileges cannot be dropped. Asserts: no crash,
the unreadable message is counted with an `unreadable` problem, the folder
that cannot be read is a folder error (exit 3), every other message counted
with its size. One unreadable folder is named with terminal escapes (set
the window title, clear the screen, an 8-bit CSI, a line break): its error
line on stderr must carry none of them (issue 14, item 9)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import Test, good_message, crlf_size, write_maildir  # noqa: E402


# A Maildir++ folder name with escapes: OSC 0 (window title), CSI 2J (clear
# the screen), an 8-bit CSI (U+009B), and a line break faking a line.
EVIL = ".Evil\x1b]0;pwned\x07\x1b[2J\u009b2J\nmailpreflight: fake line"


def drop_prefix():
    if os.geteuid() != 0:
        return []
    for cand in (["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
                 ["runuser", "-u", "nobody", "--"]):
        if shutil.which(cand[0]) is None:
            continue
        try:
            if subprocess.run(cand + ["true"], capture_output=True, timeout=10).returncode == 0:
                return cand
        except (OSError, subprocess.SubprocessError):
            pass
    return None


def body(t):
    prefix = drop_prefix()
    if prefix is None:
        t.skip("running as root and cannot drop privileges (no setpriv/runuser, or no user nobody)")
    md = t.path("Maildir")
    files = {"1.good-1:2,S": good_message("good-1"), "2.secret:2,S": good_message("secret"),
             "3.good-2:2,S": good_message("good-2")}
    write_maildir(md, list(files.values()), names=list(files))
    for sub in (".Locked", ".HalfLocked", EVIL):
        write_maildir(os.path.join(md, sub), [good_message("locked")], names=["4.locked:2,S"])
    for root, dirs, fs in os.walk(t.dir):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in fs:
            os.chmod(os.path.join(root, f), 0o644)
    os.chmod(os.path.join(md, "cur", "2.secret:2,S"), 0)
    locked = [os.path.join(md, ".Locked", "cur"), os.path.join(md, ".Locked", "new"), os.path.join(md, EVIL, "cur")]
    half = os.path.join(md, ".HalfLocked", "cur")  # new/ readable, cur/ not
    for d in locked:
        os.chmod(d, 0)
    os.chmod(t.dir, 0o777)  # the reports are written here by nobody
    try:
        r = t.scan_limited([md], prefix=prefix)
        # cur/ alone unreadable: its messages are missing from the audit
        for d in locked:
            os.chmod(d, 0o755)
        os.chmod(half, 0)
        r2 = t.scan_limited([os.path.join(md, ".HalfLocked")], prefix=prefix, tag="half")
    finally:
        for d in locked + [half]:
            os.chmod(d, 0o755)  # so the temp dir can be removed
    t.check_run(r2, "cur/ unreadable, new/ readable", rcs=(0, 1, 3))
    t.check(r2.rc == 3, "a folder whose cur/ cannot be listed is a folder error (exit 3, got %s)" % r2.rc)
    t.check_run(r, "unreadable file and folder", rcs=(3,))
    rows = r.inventory or []
    t.expect_good(rows, {"good-1": crlf_size(files["1.good-1:2,S"]), "good-2": crlf_size(files["3.good-2:2,S"])},
                  "unreadable")
    secret = [x for x in rows if x["locator"].endswith("2.secret:2,S")]
    if t.check(len(secret) == 1, "the unreadable message is counted once", len(secret)):
        t.expect_problem(secret[0], ["unreadable"], "unreadable message")
    t.check(b"Locked" in r.stderr, "the unreadable folder is named on stderr", r.stderr[-500:])
    # the folder named with escapes: named on stderr, as one line without
    # any control character (C0 but the line ends, DEL, C1)
    t.check(b"Evil" in r.stderr, "the folder named with escapes is named on stderr", r.stderr[-500:])
    err = r.stderr.decode("utf-8", "replace")
    bad = sorted({"U+%04X" % ord(c) for c in err if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0})
    t.check(not bad, "no control character on stderr (a folder name must not drive the terminal)", bad)
    t.check(any(ln.startswith("mailpreflight: folder ") and "Evil" in ln and "fake line" in ln
                for ln in err.splitlines()), "the escaped folder's error is one line", err[-500:])


Test("hostile-unreadable").main(body)
