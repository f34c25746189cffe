#!/usr/bin/env python3
"""bench/accounts-imap-bench.py MAILPREFLIGHT [ACCOUNTS] [MESSAGES] [RUNS] —
accounts per second on a real Dovecot through the admin login (issue 15).

Starts the test Dovecot (tests/imap-client/dovecot-fixture.py; root, Debian
dovecot-imapd) with ACCOUNTS (default 100) more users of MESSAGES (default
20) messages each in INBOX, Archive and Sent, and an accounts file listing
them. Then, in turn (A B A B ...) RUNS times (default 5):

  A  mailpreflight scan --accounts users.csv --admin-user admin
     (the defaults: 8 accounts at a time, 4 connections each, at most 16 to
      the server)
  B  the same, one connection per account, one account after the other:
     --parallel-accounts 1 --connections 1
  C  accounts in parallel (8), one connection each: --connections 1

and prints the wall times (median of the runs), accounts per second and the
ratio, as markdown. ManageSieve is asked in both (the fixture runs it when
dovecot-managesieved is installed). Needs nothing but Python 3 and the
fixture's packages."""
import importlib.util
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "tests", "imap-client", "dovecot-fixture.py")


def load_fixture():
    spec = importlib.util.spec_from_file_location("dovecot_fixture", FIXTURE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def message(a, i):
    body = ("Line %d of a message to user %d, long enough to be a real one.\r\n" % (i, a)) * 24
    return ("From: Sender <s@example.org>\r\nTo: u%03d@example.edu\r\nSubject: message %d\r\n"
            "Date: Tue, 01 Jan 2019 10:00:00 +0000\r\nMessage-ID: <b%d.%d@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s" % (a, i, a, i, body)).encode()


def main(argv):
    mp = os.path.abspath(argv[1])
    n, per, runs = (int(argv[2]) if len(argv) > 2 else 100, int(argv[3]) if len(argv) > 3 else 20,
                    int(argv[4]) if len(argv) > 4 else 5)
    fx = load_fixture()
    users = {"u%03d" % a: "pw-%03d" % a for a in range(n)}
    fx.USERS.update(users)
    d = tempfile.mkdtemp(prefix="mp-imap-bench-", dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with redirect_stdout(out):
        rc = fx.start(d)
    if rc != 0:
        print("the Dovecot fixture did not start (root and dovecot-imapd needed)", file=sys.stderr)
        return 77
    info = json.loads(out.getvalue().strip().splitlines()[-1])
    try:
        for a, u in enumerate(sorted(users)):
            m = fx.connect(d, u)
            for folder in ("Archive", "Sent"):
                m.create(folder)
            for i in range(per):
                folder = "Sent" if i % 10 == 0 else "Archive" if i % 10 == 1 else "INBOX"
                m.append(folder, "(\\Seen)" if i % 3 else None, None, message(a, i))
            m.logout()
        acc = os.path.join(d, "users.csv")
        with open(acc, "w") as f:
            f.write("account,source\n")
            for u in sorted(users):
                f.write("%s,imap://%s@%s:%d\n" % (u, u, info["host"], info["imap_port"]))
        env = dict(os.environ, MAILPREFLIGHT_ADMIN_PASSWORD=info["master_users"]["admin"])
        env.pop("MAILPREFLIGHT_PASSWORD", None)
        base = [mp, "scan", "-q", "--fail-on", "never", "--as-of", "2026-01-31", "--ca-file", info["ca_file"],
                "--accounts", acc, "--admin-user", "admin"]
        if info.get("sieve_port"):
            base += ["--managesieve-port", str(info["sieve_port"])]
        else:
            base += ["--managesieve-port", "0"]
        cmds = {"A": base + ["--accounts-csv", os.path.join(d, "a.csv")],
                "B": base + ["--parallel-accounts", "1", "--connections", "1",
                             "--accounts-csv", os.path.join(d, "b.csv")],
                "C": base + ["--connections", "1", "--accounts-csv", os.path.join(d, "c.csv")]}
        times = {"A": [], "B": [], "C": []}
        for r in range(runs + 1):  # the first round warms Dovecot's caches and is not counted
            for k in ("A", "B", "C"):
                t0 = time.monotonic()
                p = subprocess.run(cmds[k], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                el = time.monotonic() - t0
                if p.returncode not in (0, 1):
                    print("%s failed (%d): %s" % (k, p.returncode, p.stderr.decode()[-2000:]), file=sys.stderr)
                    return 1
                if r:
                    times[k].append(el)
        same = (open(os.path.join(d, "a.csv"), "rb").read() == open(os.path.join(d, "b.csv"), "rb").read()
                == open(os.path.join(d, "c.csv"), "rb").read())
        ma, mb, mc = statistics.median(times["A"]), statistics.median(times["B"]), statistics.median(times["C"])
        print("%d accounts of %d messages on Dovecot %s, admin login, median of %d runs each (A and B in turn):\n"
              % (n, per, subprocess.run(["dovecot", "--version"], stdout=subprocess.PIPE).stdout.decode().split()[0],
                 runs))
        print("| run | wall (s), each run | median (s) | accounts/s |")
        print("|---|---|---|---|")
        print("| A: defaults (8 accounts at once, <= 16 connections) | %s | %.2f | %.1f |"
              % (" ".join("%.2f" % x for x in times["A"]), ma, n / ma))
        print("| B: one connection per account, in sequence | %s | %.2f | %.1f |"
              % (" ".join("%.2f" % x for x in times["B"]), mb, n / mb))
        print("| C: 8 accounts at once, one connection each | %s | %.2f | %.1f |"
              % (" ".join("%.2f" % x for x in times["C"]), mc, n / mc))
        print("\nB takes %.2fx the time of A and %.2fx the time of C; the accounts CSVs of A, B and C are %s."
              % (mb / ma, mb / mc, "identical" if same else "DIFFERENT"))
        return 0
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
