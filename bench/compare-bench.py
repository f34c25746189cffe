#!/usr/bin/env python3
"""bench/compare-bench.py — does `compare` take longer than scanning both
sides? (issue 18: "comparing two 5,000-message accounts takes no longer than
scanning both").

    python3 bench/compare-bench.py [--messages 5000] [--runs 10] [--scale 100000]
    (root, Dovecot installed; BUILD=build-bench by default, a release build)

Starts a throw-away Dovecot on 127.0.0.1 (tests/imap-client/dovecot-fixture.py)
with two accounts of MESSAGES messages each (bench/gen-mbox.py's mix, in
INBOX, Sent and Archive/2019): alice, the source, and erin, her copy after
a move (1% missing, 1% moved to another folder, 10 with a rewritten
Subject, 10 new ones; Sent as "Sent Items"). Then, RUNS times each, A and
B in turn (A B A B ...), so that a drift of the machine's speed hits both:
  local: A = compare ALICE_MAILDIR ERIN_MAILDIR   B = scan ALICE_MAILDIR ERIN_MAILDIR
  IMAP:  A = compare imaps://alice imaps://erin   B = scan imaps://alice imaps://erin
(B is one scan process reading both accounts, metadata only over IMAP, as
compare reads them; over IMAP it logs in to both as the fixture's admin,
since a scan gives no two accounts one password.) Prints the median wall and CPU time of each, the
median of the per-pair ratios A/B and the peak RSS of each, and checks
compare's answer.

--scale N also compares two local Maildirs of N small messages (a design
check for 100,000+ messages: the keys stay in memory, the text on disk).
"""
import argparse
import json
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIXTURE = os.path.join(ROOT, "tests", "imap-client", "dovecot-fixture.py")
PASSWORD = "secret"  # alice's in the fixture; erin gets the same, so one scan can read both


def run_measured(argv, env):
    """(wall seconds, CPU seconds (user + system), peak RSS in MB, exit code)
    of ARGV, its output dropped; the operating system's own accounting of
    the finished child (wait4)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            sys.stderr.write(err.read()[-4000:].decode(errors="replace"))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, code


def pairs(name, a, b, runs, env, a_ok=(0, 1), b_ok=(0, 1), b_env=None):
    """Runs A and B in turn RUNS times (after one untimed run each) and
    prints the median of each and of the per-pair ratios A/B. B runs in
    B_ENV when given."""
    got = {"A": [], "B": []}
    b_env = b_env or env
    run_measured(a, env)  # warm-up: page cache, Dovecot's index
    run_measured(b, b_env)
    for _ in range(runs):
        for label, argv, ok, e in (("A", a, a_ok, env), ("B", b, b_ok, b_env)):
            r = run_measured(argv, e)
            if r[3] not in ok:
                sys.exit("%s: %s exited %d" % (name, label, r[3]))
            got[label].append(r)
    med = statistics.median
    print("%s, %d pairs (A B A B ...), median (min-max):" % (name, runs))
    for label, what in (("A", "compare"), ("B", "scan both")):
        w = [r[0] for r in got[label]]
        c = [r[1] for r in got[label]]
        print("  %s %-10s wall %7.3f s (%.3f-%.3f)  cpu %6.3f s  peak RSS %6.1f MB"
              % (label, what, med(w), min(w), max(w), med(c), max(r[2] for r in got[label])))
    wall = [x[0] / y[0] for x, y in zip(got["A"], got["B"])]
    cpu = [x[1] / y[1] for x, y in zip(got["A"], got["B"])]
    print("  A/B per pair    wall %7.3f   (%.3f-%.3f)  cpu %6.3f" % (med(wall), min(wall), max(wall), med(cpu)))
    return med(wall)


def generate(d, n, seed, folder):
    """N messages of gen-mbox.py's mix as files under FOLDER (sorted names)."""
    # the generator's mix averages about 100 KB a message; a few more than
    # needed are made and the first N kept
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen-mbox.py"), "--size", "%dK" % (n * 110),
                    "--maildir", folder, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    files = []
    for sub in ("cur", "new"):
        files += [os.path.join(folder, sub, f) for f in os.listdir(os.path.join(folder, sub))]
    files.sort(key=os.path.basename)
    if len(files) < n:
        sys.exit("gen-mbox.py made %d messages, %d wanted" % (len(files), n))
    return files[:n]


def place(root, folder, name, src=None, data=None):
    d = root if folder == "INBOX" else os.path.join(root, "." + folder.replace("/", "."))
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    path = os.path.join(d, "cur", name)
    if data is not None:
        with open(path, "wb") as f:
            f.write(data)
    else:
        os.link(src, path)  # Maildir files are never changed in place


def layout(d, files):
    """alice's account and erin's copy of it; returns what compare must find."""
    alice = os.path.join(d, "mail", "alice")
    erin = os.path.join(d, "mail", "erin")
    # lost: missing (what the rules predicted: a few generated messages are
    # over 17.5 MB or carry over 100 attachments) plus unexpected
    expect = {"lost": 0, "moved": 0, "changed": 0, "extra": 0}
    for i, src in enumerate(files):
        folder = "Sent" if i % 5 == 0 else "Archive/2019" if i % 5 == 1 else "INBOX"
        name = "%d.M%dP1.bench:2,S" % (1600000000 + i, i)
        place(alice, folder, name, src)
        target = "Sent Items" if folder == "Sent" else folder
        if i % 100 == 7:
            expect["lost"] += 1
            continue
        if i % 100 == 13:
            expect["moved"] += 1
            target = "Filed"
        if i % (len(files) // 10) == 3:
            expect["changed"] += 1
            with open(src, "rb") as f:
                data = f.read().replace(b"\nSubject: ", b"\nSubject: [EXT] ", 1)
            place(erin, target, name, data=data)
            continue
        place(erin, target, name, src)
    for i in range(10):
        expect["extra"] += 1
        place(erin, "INBOX", "%d.M%dP1.new:2," % (1700000000 + i, i),
              data=b"From: new@example.org\nSubject: new %d\nMessage-ID: <new%d@example.org>\n"
                   b"Date: Mon, 1 Jul 2024 10:00:00 +0000\n\nafter the move\n" % (i, i))
    uid = pwd.getpwnam("vmail").pw_uid
    for top in (alice, erin):
        os.chown(top, uid, uid)
        for r, ds, fs in os.walk(top):
            for x in ds + fs:
                os.chown(os.path.join(r, x), uid, uid)
    return alice, erin, expect


def check_answer(binary, source, target, env, expect, extra=()):
    out = subprocess.run([binary, "compare", "-q", "--no-progress", "--json", "-", *extra, source, target],
                         stdout=subprocess.PIPE, env=env)
    doc = json.loads(out.stdout)
    totals = dict(doc["totals"], lost=doc["totals"]["missing"] + doc["totals"]["unexpected"])
    got = {k: totals[k] for k in expect}
    if got != expect:
        sys.exit("compare found %r, the layout made %r" % (got, expect))
    print("  compare's answer checked: %s" % ", ".join("%s %d" % kv for kv in got.items()))


def scale(binary, d, n, runs, env):
    """Two local Maildirs of N small messages, the second missing 1%."""
    src, dst = os.path.join(d, "scale-src"), os.path.join(d, "scale-dst")
    for root in (src, dst):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, sub))
    for i in range(n):
        data = (b"From: Sender %d <s%d@example.org>\nTo: r@example.org\nSubject: message %d\n"
                b"Message-ID: <scale-%d@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n"
                b"body %d\n" % (i % 97, i % 97, i, i, i)) + b"x" * (i % 700) + b"\n"
        name = "%d.M%dP1.scale:2,S" % (1600000000 + i, i)
        with open(os.path.join(src, "cur", name), "wb") as f:
            f.write(data)
        if i % 100 != 42:
            os.link(os.path.join(src, "cur", name), os.path.join(dst, "cur", name))
    check_answer(binary, src, dst, env, {"messages": n, "lost": n // 100 + (1 if n % 100 > 42 else 0)})
    pairs("local Maildirs of %d small messages" % n,
          [binary, "compare", "-q", "--no-progress", src, dst],
          [binary, "scan", "-q", "--no-progress", "--fail-on", "never", src, dst], runs, env)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--scale", type=int, default=0)
    args = ap.parse_args()
    build = os.environ.get("BUILD", os.path.join(ROOT, "build-bench"))
    if not os.path.exists(os.path.join(build, "build.ninja")):
        subprocess.run(["meson", "setup", build, ROOT, "--buildtype=release"], check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["meson", "compile", "-C", build], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(build, "cli", "mailpreflight")

    d = tempfile.mkdtemp(prefix="mp-cmpbench-", dir="/tmp")
    os.chmod(d, 0o755)
    try:
        out = subprocess.run([sys.executable, FIXTURE, "start", d], stdout=subprocess.PIPE, check=True).stdout
        info = json.loads(out.decode().strip().splitlines()[-1])
        subprocess.run([sys.executable, FIXTURE, "adduser", d, "erin", PASSWORD], check=True)
        files = generate(d, args.messages, 7, os.path.join(d, "gen"))
        alice, erin, expect = layout(d, files)
        size = sum(os.path.getsize(f) for f in files)
        print("Two accounts of %d messages (%.0f MB each) on a local Dovecot; %s"
              % (args.messages, size / 2**20, subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                                                              text=True).stdout.strip()))
        env = dict(os.environ, MAILPREFLIGHT_PASSWORD=PASSWORD, MAILPREFLIGHT_TARGET_PASSWORD=PASSWORD,
                   LC_ALL="C.UTF-8")
        ca = info["ca_file"]
        # one scan of two accounts gets no shared password (each secret is
        # its account's): it logs in to both as the fixture's admin, one
        # SASL PLAIN login each, as compare's two logins
        admin, admin_password = next(iter(info["master_users"].items()))
        env_admin = dict(env, MAILPREFLIGHT_ADMIN_PASSWORD=admin_password)
        env_admin.pop("MAILPREFLIGHT_PASSWORD")
        src_url = "imaps://alice@127.0.0.1:%d" % info["imaps_port"]
        dst_url = "imaps://erin@127.0.0.1:%d" % info["imaps_port"]
        check_answer(binary, alice, erin, env, expect)
        check_answer(binary, src_url, dst_url, env, expect, ("--ca-file", ca, "--target-ca-file", ca))
        pairs("local (Dovecot's Maildirs)",
              [binary, "compare", "-q", "--no-progress", alice, erin],
              [binary, "scan", "-q", "--no-progress", "--fail-on", "never", alice, erin], args.runs, env)
        pairs("IMAP (imaps:// on 127.0.0.1)",
              [binary, "compare", "-q", "--no-progress", "--ca-file", ca, "--target-ca-file", ca, src_url, dst_url],
              [binary, "scan", "-q", "--no-progress", "--fail-on", "never", "--metadata-only", "--ca-file", ca,
               "--admin-user", admin, src_url, dst_url], args.runs, env, b_env=env_admin)
        if args.scale:
            scale(binary, d, args.scale, args.runs, env)
    finally:
        subprocess.run([sys.executable, FIXTURE, "stop", d], stdout=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
