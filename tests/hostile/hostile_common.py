"""Shared helpers of the hostile-input tests (Python 3 stdlib only).

Each test script is run by meson as:  python3 SCRIPT MAILPREFLIGHT
and exits 0 (pass), 1 (fail) or 77 (skipped). It writes its inputs into a
temp dir, runs `mailpreflight scan` on them under a wall-clock timeout and a
peak-RSS check, and reads the inventory CSV back.

What every run must satisfy (check_run):
  - the process ends by itself, never by a signal (no crash, no abort);
  - within the timeout (the process is killed after it: a hang is a failure);
  - peak RSS under the limit: VmHWM of the child's own address space,
    sampled from /proc every 10 ms (ru_maxrss is no use: Linux carries the
    forked Python's high-water mark over the exec); a watchdog also kills the
    child when its RSS passes twice the limit, so a runaway cannot take the
    machine down;
  - an expected exit code (0/1; 3 when a source or folder is unreadable);
  - the CSV reports are strictly valid UTF-8 and parse as RFC 4180.
"""
import csv
import io
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# one definition of the CSV columns and of the RFC 5322 size for both suites
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2e_common import INVENTORY_COLUMNS, crlf_size  # noqa: E402,F401

csv.field_size_limit(2**31 - 1)  # a hostile cell may be huge

DEFAULT_TIMEOUT = 60          # seconds, per scan
DEFAULT_RSS_LIMIT_MB = 300    # peak resident memory of the scan
# AddressSanitizer keeps freed memory in quarantine (256 MB by default) and
# adds shadow memory: under it the bound is looser, but still a bound
# and runs 3-4 times slower: time limits stretch by TIMEOUT_SCALE
TIMEOUT_SCALE = 1
if "ASAN_OPTIONS" in os.environ or os.environ.get("MP_SANITIZED") == "1":
    DEFAULT_RSS_LIMIT_MB = 900
    TIMEOUT_SCALE = 4


class Run:
    def __init__(self):
        self.rc = None
        self.signal = None
        self.elapsed = 0.0
        self.maxrss_mb = 0.0
        self.timed_out = False
        self.killed_for_rss = False
        self.stdout = b""
        self.stderr = b""
        self.inventory = None     # list of dicts, or None
        self.inventory_raw = b""
        self.findings_raw = b""

    def describe(self):
        return ("rc=%s signal=%s elapsed=%.1fs maxrss=%.0fMB timed_out=%s rss_kill=%s\nstderr: %s"
                % (self.rc, self.signal, self.elapsed, self.maxrss_mb, self.timed_out,
                   self.killed_for_rss, self.stderr[-2000:].decode("utf-8", "replace")))


def _status_mb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


class Test:
    """A tiny runner: check() records failures; finish() exits."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.checks = 0
        if len(sys.argv) < 2:
            sys.stderr.write("usage: %s MAILPREFLIGHT\n" % sys.argv[0])
            sys.exit(2)
        self.binary = os.path.abspath(sys.argv[1])
        self.tmp = tempfile.TemporaryDirectory(prefix="mp-hostile-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o755)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def check(self, cond, what, detail=""):
        self.checks += 1
        if not cond:
            self.failures.append(what + (": " + str(detail) if detail != "" else ""))
            print("FAIL: " + what + (("\n      " + str(detail)) if detail != "" else ""))
        return cond

    def known_bug(self, cond, what, ref):
        """A check that fails today because of a reported product bug REF.
        Not counted as a failure unless MP_HOSTILE_STRICT=1; once it passes
        it fails as XPASS so the marker gets removed (and the check becomes
        a plain check()). Returns COND."""
        if os.environ.get("MP_HOSTILE_STRICT") == "1":
            return self.check(cond, what + " [known bug: " + ref + "]")
        self.checks += 1
        if cond:
            self.failures.append("XPASS " + what)
            print("XPASS: %s [known bug %s fixed? make it a plain check]" % (what, ref))
        else:
            print("XFAIL: %s [known bug: %s]" % (what, ref))
        return cond

    def skip(self, why):
        print("SKIP: %s: %s" % (self.name, why))
        sys.exit(77)

    def finish(self):
        if self.failures:
            print("%s: %d of %d checks failed" % (self.name, len(self.failures), self.checks))
            sys.exit(1)
        print("%s: all %d checks passed" % (self.name, self.checks))
        sys.exit(0)

    def main(self, body):
        try:
            body(self)
        except SystemExit:
            raise
        except Exception:
            traceback.print_exc()
            self.failures.append("exception")
        self.finish()

    # --- running the binary -------------------------------------------------

    def scan(self, sources, jobs=2, timeout=DEFAULT_TIMEOUT, rss_limit_mb=DEFAULT_RSS_LIMIT_MB,
             prefix=(), extra=(), env=None, during=None, tag="scan", utf8_known_bug=None):
        """Runs `scan --inventory I --csv F --fail-on never -q --no-progress
        --jobs N SOURCES` and returns a Run. PREFIX goes before the binary
        (e.g. setpriv ...). DURING(alive) runs in a thread while the scan runs;
        alive() tells whether it still does. UTF8_KNOWN_BUG: the reference of
        a reported bug that makes the inventory invalid UTF-8 (the check is
        then a known_bug())."""
        inv = self.path(tag + "-inventory.csv")
        fnd = self.path(tag + "-findings.csv")
        for f in (inv, fnd):
            if os.path.exists(f):
                os.unlink(f)
        argv = list(prefix) + [self.binary, "scan", "--inventory", inv, "--csv", fnd,
                               "--fail-on", "never", "-q", "--no-progress",
                               "--jobs", str(jobs)] + list(extra) + list(sources)
        r = self.run(argv, timeout=timeout * TIMEOUT_SCALE, rss_limit_mb=rss_limit_mb, env=env, during=during)
        if os.path.exists(inv):
            with open(inv, "rb") as f:
                r.inventory_raw = f.read()
            r.inventory = self.parse_csv(r.inventory_raw, "inventory", INVENTORY_COLUMNS, utf8_known_bug)
        if os.path.exists(fnd):
            with open(fnd, "rb") as f:
                r.findings_raw = f.read()
            self.parse_csv(r.findings_raw, "findings", None)
        return r

    def run(self, argv, timeout, rss_limit_mb, env=None, during=None):
        r = Run()
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        start = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             env=env, cwd=self.dir, start_new_session=True)
        stop = threading.Event()

        hwm = [0.0]

        def watchdog():
            while not stop.wait(0.01):
                hwm[0] = max(hwm[0], _status_mb(p.pid, "VmHWM"))
                if time.monotonic() - start > timeout:
                    r.timed_out = True
                elif _status_mb(p.pid, "VmRSS") > 2 * rss_limit_mb:
                    r.killed_for_rss = True
                else:
                    continue
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                return

        wd = threading.Thread(target=watchdog, daemon=True)
        wd.start()
        helper = None
        if during is not None:
            # DURING gets alive(): never Popen.poll(), which would reap the
            # child before os.wait4 can read its rusage
            helper = threading.Thread(target=during, args=(lambda: not stop.is_set(),), daemon=True)
            helper.start()
        # wait4: the rusage of this child alone (RUSAGE_CHILDREN would mix in
        # every earlier child of this script)
        while True:
            try:
                _, status, ru = os.wait4(p.pid, 0)
                break
            except InterruptedError:
                continue
        p.returncode = status  # Popen must not wait again
        stop.set()
        wd.join()
        if helper is not None:
            helper.join(timeout=30)
        r.elapsed = time.monotonic() - start
        # no sample: the child lived under 10 ms; ru_maxrss (an upper bound)
        r.maxrss_mb = hwm[0] if hwm[0] > 0 else ru.ru_maxrss / 1024.0
        if os.WIFSIGNALED(status):
            r.signal = os.WTERMSIG(status)
        else:
            r.rc = os.WEXITSTATUS(status)
        out.seek(0)
        err.seek(0)
        r.stdout = out.read()
        r.stderr = err.read()
        return r

    def check_run(self, r, what, rcs=(0, 1), rss_limit_mb=DEFAULT_RSS_LIMIT_MB):
        print("%s: rc=%s signal=%s %.1fs peak RSS %.0f MB" % (what, r.rc, r.signal, r.elapsed, r.maxrss_mb))
        ok = self.check(r.signal is None and not r.timed_out,
                        what + ": ended by itself, no signal, no timeout", r.describe())
        self.check(not r.killed_for_rss and r.maxrss_mb < rss_limit_mb,
                   what + ": peak RSS under %d MB" % rss_limit_mb, r.describe())
        self.check(r.rc in rcs, what + ": exit code in %s" % (rcs,), r.describe())
        if r.rc != 2:
            self.check(r.inventory is not None, what + ": an inventory was written", r.describe())
        return ok

    def parse_csv(self, raw, what, columns, utf8_known_bug=None):
        try:
            text = raw.decode("utf-8")  # strict: invalid UTF-8 raises
            valid, detail = True, ""
        except UnicodeDecodeError as e:
            valid, detail = False, "%s near %r" % (e, raw[max(0, e.start - 40):e.end + 40])
            text = raw.decode("utf-8", "replace")
        if utf8_known_bug:
            self.known_bug(valid, what + " CSV is valid UTF-8 " + detail, utf8_known_bug)
        else:
            self.check(valid, what + " CSV is valid UTF-8", detail)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows:
            self.check(False, what + " CSV has a header row")
            return []
        header = rows[0]
        if columns is not None:
            self.check(header == columns, what + " CSV header", header)
        bad = [i for i, row in enumerate(rows) if len(row) != len(header)]
        self.check(not bad, what + " CSV rows all have %d cells" % len(header), bad[:5])
        return [dict(zip(header, row)) for row in rows[1:]]

    # --- inventory helpers ---------------------------------------------------

    @staticmethod
    def problems(row):
        return [p for p in row["problems"].split(";") if p] if row["problems"] else []

    def expect_problem(self, row, codes, what):
        """Row has at least one problem whose code is one of CODES (any when
        CODES is None)."""
        got = [p.split(":", 1)[0] for p in self.problems(row)]
        if codes is None:
            return self.check(len(got) > 0, what + ": a problem is reported", row["problems"])
        return self.check(any(c in got for c in codes),
                          what + ": one of %s in problems" % (list(codes),), row["problems"])

    def expect_good(self, rows, by_subject, what):
        """Each subject in BY_SUBJECT {subject: size} is in ROWS exactly once
        with that size."""
        for subject, size in by_subject.items():
            hits = [r for r in rows if r["subject"] == subject]
            if self.check(len(hits) == 1, what + ": good message %r counted once" % subject,
                          "%d rows" % len(hits)):
                self.check(int(hits[0]["size"]) == size,
                           what + ": good message %r has size %d" % (subject, size), hits[0]["size"])


def mbox_entry(msg, sender="good@example.org", date="Tue Mar 12 10:00:00 2019"):
    """MSG (bytes, ending in LF) as one mbox entry: From_ line, message, and
    the empty separator line."""
    return b"From " + sender.encode() + b" " + date.encode() + b"\n" + msg + b"\n"


def good_message(subject, body=b"hello\n"):
    return (b"From: Good <good@example.org>\nTo: x@example.org\nSubject: " + subject.encode() +
            b"\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <" + subject.encode() +
            b"@example.org>\n\n" + body)
