#!/usr/bin/env python3
"""The safety of a fix (issue 16, "Safety, the core of this issue"):

  - DEST must not exist or be empty; a fix never writes into a source
    (DEST inside a source, a source inside DEST, DEST the source itself);
  - a failing write leaves no partial output: a file size limit (ulimit -f,
    EFBIG), a full file system (a small tmpfs, ENOSPC; root only), a
    read-only DEST; and an interrupt;
  - a verification failure (a part damaged on its way to the disk, by the
    test-only fault writer) exits 3, names the message and leaves nothing;
  - --dry-run writes no mail;
  - a source is read as a scan reads it (issue 14): a message file that is a
    symbolic link is not followed (nothing of the file it points to is in
    the copy, the summary says so), an mbox named through a link is read,
    and no access time changes (files and directories, split and copied).
After every failure: no DEST, no DEST-attachments, no staging directory, and
the source untouched.  Args: MAILPREFLIGHT"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixgen  # noqa: E402
from fixtest import fix, leftovers, manifest, records, snapshot  # noqa: E402
from mptest import main, write_mbox  # noqa: E402


def source(t):
    src = t.path("src")
    msgs = [fixgen.plain(1), fixgen.many(150), fixgen.plain(2), fixgen.single(1, mid="one-mb"), fixgen.plain(3)]
    for i, m in enumerate(msgs):
        fixgen.write_maildir_message(src, "", "%d.M%d.t:2,S" % (1546300800 + i, i), m, 1546300800 + i)
    return src


def check_dest_rules(t, src):
    d = t.path("full")
    os.makedirs(d)
    with open(os.path.join(d, "x"), "w") as f:
        f.write("mail")
    p = fix(t, "split", src, "--out", d, expect=2, what="DEST not empty")
    t.check("not empty" in p.err, "DEST not empty: said so", p.err)
    t.eq(os.listdir(d), ["x"], "DEST not empty: left as it was")
    for dest, what in ((os.path.join(src, "out"), "DEST inside the source"), (src, "DEST is the source"),
                       (t.dir, "DEST holds the source")):
        p = fix(t, "split", src, "--out", dest, expect=2, what=what)
        t.check("never writes into a source" in p.err or "not empty" in p.err, what + ": refused", p.err)
    f = t.path("file")
    with open(f, "w") as fh:
        fh.write("x")
    fix(t, "split", src, "--out", f, expect=2, what="DEST a non-empty file")
    os.symlink(t.path("elsewhere"), t.path("link"))
    fix(t, "split", src, "--out", t.path("link"), expect=2, what="DEST a symbolic link")
    t.check(not os.path.exists(t.path("elsewhere")), "DEST a symbolic link: nothing written where it points")
    # an empty directory is fine, and is replaced by the copy
    os.makedirs(t.path("empty"))
    fix(t, "split", src, "--out", t.path("empty"), expect=0, what="DEST an empty directory")
    t.check(os.path.isdir(t.path("empty", "cur")), "DEST an empty directory: the copy is there")


def failed_cleanly(t, dest, what, before, src):
    t.eq(leftovers(t, os.path.dirname(dest), dest), [], what + ": no DEST, attachments or staging directory left")
    t.eq(snapshot(src), before, what + ": the source is untouched")


def check_file_size_limit(t, src, before):
    """ulimit -f: the 150-attachment message's parts still fit, the copy as
    a whole does not."""
    dest = t.path("fsize")
    limit = 64 * 1024  # RLIMIT_FSIZE is per file: the 1 MB message's file is over it

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    p = subprocess.run([t.binary, "fix", "split", src, "--out", dest, "--no-progress"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, preexec_fn=limited)
    err = p.stderr.decode("utf-8", "replace")
    t.eq(p.returncode, 3, "file size limit: exit 3")
    t.check("nothing was written" in err and ("too large" in err or "File too large" in err),
            "file size limit: the error says what failed", err)
    failed_cleanly(t, dest, "file size limit", before, src)


def check_full_disk(t, src, before):
    """A tmpfs of 512 KB (root only, where mounts are allowed)."""
    mnt = t.path("small")
    os.makedirs(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mnt], stderr=subprocess.PIPE)
    if r.returncode != 0:
        print("SKIP part: full disk (cannot mount a tmpfs: %s)" % r.stderr.decode().strip())
        return
    try:
        dest = os.path.join(mnt, "out")
        p = fix(t, "split", src, "--out", dest, expect=3, what="full disk")
        t.check("No space left" in p.err, "full disk: the error says so", p.err)
        t.eq(os.listdir(mnt), [], "full disk: nothing left on the file system")
        t.eq(snapshot(src), before, "full disk: the source is untouched")
    finally:
        subprocess.run(["umount", mnt])


def check_read_only(t, src, before):
    """DEST's directory read-only: as nobody (root writes anywhere)."""
    ro = t.path("ro")
    os.makedirs(ro)
    os.chmod(ro, 0o555)
    os.chmod(t.dir, 0o755)
    for cand in (["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
                 ["runuser", "-u", "nobody", "--"]):
        if shutil.which(cand[0]) and subprocess.run(cand + ["true"], stderr=subprocess.DEVNULL).returncode == 0:
            break
    else:
        print("SKIP part: read-only DEST (cannot run as nobody)")
        return
    os.chmod(src, 0o755)
    for dirpath, dirs, files in os.walk(src):
        for n in dirs:
            os.chmod(os.path.join(dirpath, n), 0o755)
        for n in files:
            os.chmod(os.path.join(dirpath, n), 0o644)
    before = snapshot(src)
    p = subprocess.run(cand + [t.binary, "fix", "split", src, "--out", os.path.join(ro, "out"), "--no-progress"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode("utf-8", "replace")
    t.eq(p.returncode, 3, "read-only DEST: exit 3")
    t.check("Permission denied" in err and "nothing was written" in err, "read-only DEST: the error says so", err)
    t.eq(os.listdir(ro), [], "read-only DEST: nothing written")
    t.eq(snapshot(src), before, "read-only DEST: the source is untouched")


def check_verification_failure(t, src, before):
    """The fault writer damages the 2nd part written: the verifier must see
    it, exit 3 and name the message; nothing may stay."""
    dest = t.path("damaged")
    p = fix(t, "split", src, "--out", dest, "--json", t.path("damaged.json"), expect=3,
            what="a damaged part", env={"MAILPREFLIGHT_FIX_FAULT": "corrupt-part:2"})
    t.check("verification failed" in p.err and "150 attachments" not in p.err and "many-150@fixgen.invalid" in p.err,
            "damaged part: the error names the message", p.err)
    t.check("is in none of its parts" in p.err or "not have" in p.err, "damaged part: says what is wrong", p.err)
    failed_cleanly(t, dest, "damaged part", before, src)
    m = manifest(t, t.path("damaged.json"))
    t.eq((m["verified"], m["committed"]), (False, False), "damaged part: the manifest says not verified")
    t.check("verification failed" in (m["error"] or ""), "damaged part: the manifest has the error", m["error"])
    # the same run without the fault passes: the failure was the damage
    fix(t, "split", src, "--out", dest, expect=0, what="the same run without the fault")
    shutil.rmtree(dest)


def check_interrupt(t):
    """SIGTERM during a long run: nothing stays."""
    src = t.path("long.mbox")
    write_mbox(src, [fixgen.many(300, mid="m%d" % i, size=2000) for i in range(60)])
    dest = t.path("interrupted")
    p = subprocess.Popen([t.binary, "fix", "split", src, "--out", dest, "--no-progress"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(n.startswith(".interrupted.mp-fix-") for n in os.listdir(t.dir)):
        time.sleep(0.005)
    time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    if p.returncode == 0:
        print("SKIP part: interrupt (the run ended before the signal)")
        shutil.rmtree(dest, ignore_errors=True)
        return
    t.eq(p.returncode, 3, "interrupt: exit 3")
    t.check(b"interrupted" in err, "interrupt: said so", err)
    t.eq(leftovers(t, t.dir, dest), [], "interrupt: nothing stays")


def check_dry_run(t, src, before):
    dest = t.path("dry")
    p = fix(t, "split", src, "--out", dest, "--dry-run", "--json", t.path("dry.json"), "--oversize", "detach",
            expect=0, what="dry run")
    t.check("Dry run: nothing was written" in p.out, "dry run: said so", p.out)
    t.eq(leftovers(t, t.dir, dest), [], "dry run: no mail written")
    m = manifest(t, t.path("dry.json"))
    t.eq((m["dry_run"], m["verified"], m["committed"]), (True, False, False), "dry run: the manifest says so")
    recs = records(m)
    t.eq([(r["action"], len(r["parts"])) for r in recs], [("split", 2)], "dry run: the plan: split in 2")
    if recs:
        t.check(all(p["checked"] for p in recs[0]["parts"]), "dry run: the parts were built and checked")
        t.check(all(a["part"] for a in recs[0]["attachment_list"]), "dry run: every attachment has its part")
    t.eq(snapshot(src), before, "dry run: the source is untouched")


TWO_DAYS = 2 * 86400 * 10**9


def check_links_and_atime(t):
    src = t.path("linked")
    secret = t.path("secret")
    with open(secret, "wb") as f:
        f.write(fixgen.headers("secret", "secret") + b"\nSECRET-CONTENT\n")
    for i, m in enumerate([fixgen.plain(1), fixgen.many(150), fixgen.plain(2)]):
        fixgen.write_maildir_message(src, "", "%d.M%d.t:2,S" % (1546300800 + i, i), m, 1546300800 + i)
    os.symlink(secret, os.path.join(src, "cur", "1546300900.M9.t:2,S"))
    mbox = t.path("linked.mbox")
    write_mbox(mbox, [fixgen.plain(1), fixgen.many(150)])
    os.symlink(mbox, t.path("mbox-link"))
    paths = [secret, mbox] + [os.path.join(r, n) for r, ds, fs in os.walk(src) for n in ds + fs]
    paths.append(src)
    for p in paths:
        st = os.stat(p, follow_symlinks=False)
        os.utime(p, ns=(st.st_mtime_ns - TWO_DAYS, st.st_mtime_ns), follow_symlinks=False)
    atimes = {p: os.stat(p, follow_symlinks=False).st_atime_ns for p in paths}

    p = fix(t, "split", src, "--out", t.path("linked-out"), expect=0, what="a linked message file")
    t.check("symbolic link (not followed)" in p.out + p.err, "linked message: the summary says so", p.out + p.err)
    copied = b""
    for r, _, fs in os.walk(t.path("linked-out")):
        for n in fs:
            with open(os.path.join(r, n), "rb") as f:
                copied += f.read()
    t.check(b"SECRET-CONTENT" not in copied, "linked message: nothing of the file it points to is copied")
    t.eq(len(os.listdir(t.path("linked-out", "cur"))), 4, "linked message: the others copied and split (2 + 2)")
    fix(t, "split", t.path("mbox-link"), "--out", t.path("mbox-link-out"), expect=0, what="an mbox named by a link")
    t.check(os.path.isfile(t.path("mbox-link-out")), "mbox named by a link: the copy is there")
    # meaningful where a read updates access times (relatime: atime < mtime)
    control = t.path("control")
    with open(control, "wb") as f:
        f.write(b"x")
    st = os.stat(control)
    os.utime(control, ns=(st.st_mtime_ns - TWO_DAYS, st.st_mtime_ns))
    before = os.stat(control).st_atime_ns
    with open(control, "rb") as f:
        f.read()
    if os.stat(control).st_atime_ns == before:
        print("# access times: a read does not update them here (noatime?): not checked")
        return
    changed = [os.path.relpath(p, t.dir) for p in paths if os.stat(p, follow_symlinks=False).st_atime_ns != atimes[p]]
    t.eq(changed, [], "no access time changed by a fix")


def body(t):
    src = source(t)
    before = snapshot(src)
    check_dest_rules(t, src)
    check_dry_run(t, src, before)
    check_verification_failure(t, src, before)
    check_file_size_limit(t, src, before)
    check_full_disk(t, src, before)
    check_interrupt(t)
    check_read_only(t, src, before)
    check_links_and_atime(t)


main("fix-safety", body)
