"""mptest: the helpers of mailpreflight's Python test scripts (stdlib only,
Python 3.11), shared by tests/e2e, tests/hostile and tests/reports.

A test script is run by meson as  python3 SCRIPT MAILPREFLIGHT [ARGS...]
and exits 0 (pass), 1 (fail) or 77 (skipped). It finds this module through
its own path, so it can be run by hand too:

    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
    from mptest import main, make_message, write_mbox  # noqa: E402

What is here:
  Test                  the runner: check()/eq() record failures, finish() exits;
                        run()/scan() run the binary, scan_limited()/run_limited()
                        under a timeout and a peak-RSS watchdog (check_run() then
                        checks a Run); CSV parsing, inventory row helpers
  main(name, body)      Test(name).main(body): body(t), an exception is a failure
  Run                   what scan_limited()/run_limited() saw of one process
  crlf_size(data)       the RFC 5322 size (DEFINITIONS.md)
  make_message(...)     one message as bytes; good_message() the hostile neighbour
  mboxrd_quote, mbox_entry, mbox_bytes, write_mbox    the one mbox writer
  write_maildir         the one Maildir writer
  load_gen_sample()     tools/gen-sample.py as a module
  FINDINGS_COLUMNS, INVENTORY_COLUMNS, LIMIT, FROM_LINE_DATE, TESTS, TOOLS,
  DEFAULT_TIMEOUT, DEFAULT_RSS_LIMIT_MB, TIMEOUT_SCALE

Round trips (MP_ROUNDTRIP=1 in the environment): every `scan` a script runs
through run() or run_limited() also writes each report format it was not
asked for (JSON, findings CSV, inventory, JUnit, HTML) to a scratch file;
then `mailpreflight report` renders the saved JSON again into every format,
and each must equal the scan's own byte for byte, with the same exit code
and, unless -q, the same summary on stdout (README.md, "Reports":
`report` re-renders any format from the JSON). A difference is a failed
check of the script. The meson suite 'roundtrip' runs every e2e, hostile and
report script this way (MP_ROUNDTRIP=plain: skipped under the sanitizers);
a scan that writes a report to stdout ('-') is not round-tripped.

What run_limited() and check_run() ask of every run of the binary:
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
import importlib.util
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

csv.field_size_limit(2**31 - 1)  # a hostile cell may be huge

# The documented CSV columns (reports/csv-report.c).
ACCOUNTS_COLUMNS = [
    "account", "sources", "messages", "bytes", "folders", "errors", "warnings", "last_activity",
    "activity_evidence", "forwarded", "forward_evidence", "idle_months", "verdict", "read_errors",
]
FINDINGS_COLUMNS = [
    "account", "source", "folder", "index", "locator", "message_id", "date", "from", "subject",
    "size", "attachments", "rule", "check", "severity", "value", "limit", "detail", "advice",
]
INVENTORY_COLUMNS = [
    "account", "source", "folder", "index", "locator", "message_id", "date", "date_source", "from",
    "subject", "size", "attachments", "inline_parts", "nested_attachments", "attachment_names",
    "attachment_types", "attachment_sizes", "flags", "read", "deleted", "problems",
]

LIMIT = 17920 * 1024  # 18,350,080 octets

TESTS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOOLS = os.path.join(TESTS, "..", "tools")

DEFAULT_TIMEOUT = 60          # seconds, per scan_limited()
DEFAULT_RSS_LIMIT_MB = 300    # peak resident memory of the scan
# AddressSanitizer keeps freed memory in quarantine (256 MB by default) and
# adds shadow memory: under it the bound is looser, but still a bound
# and runs 3-4 times slower: time limits stretch by TIMEOUT_SCALE
TIMEOUT_SCALE = 1
if "ASAN_OPTIONS" in os.environ or os.environ.get("MP_SANITIZED") == "1":
    DEFAULT_RSS_LIMIT_MB = 900
    TIMEOUT_SCALE = 4

DETAIL_MAX = 4000  # characters of a failed check's detail that are printed

# "plain": the meson suite 'roundtrip' (every e2e, hostile and report script
# again, in round-trip mode): only in the plain build, the sanitized build
# runs the scripts once (and tests/reports/test_roundtrip.py)
ROUNDTRIP = os.environ.get("MP_ROUNDTRIP") in ("1", "plain")
# the report options of `scan` and `report`, and the scratch file suffix of each
REPORT_OPTIONS = (("--json", "json"), ("--csv", "csv"), ("--inventory", "inventory.csv"),
                  ("--junit", "xml"), ("--html", "html"))


def load_gen_sample():
    """tools/gen-sample.py as a module (its name has a dash)."""
    spec = importlib.util.spec_from_file_location("gen_sample", os.path.join(TOOLS, "gen-sample.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------------------
# The runner

class Run:
    """One process run by Test.run_limited()."""

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
    """A tiny runner: check() records failures; finish() exits.

    Test(NAME, args=USAGE, run_in_dir=False, env=None) reads the command
    line SCRIPT MAILPREFLIGHT [ARGS...]: self.binary (absolute), self.args;
    ARGS describes the script's own arguments in the usage message, and its
    words not in [brackets] are required (exit 2 without them). The fixtures
    go to a fresh temporary directory self.dir (mode 0755: a scan run as
    another user can read them), removed at exit.

    run() starts the binary with LC_ALL=C.UTF-8 unless LC_ALL is set, then
    ENV applied (a None value unsets the variable), and in self.dir when
    RUN_IN_DIR (else in the script's working directory)."""

    def __init__(self, name, args="[ARGS...]", run_in_dir=False, env=None):
        self.name = name
        self.failures = []
        self.checks = 0
        required = [a for a in args.split() if not a.startswith("[")]
        if len(sys.argv) < 2 + len(required):
            sys.stderr.write("usage: %s MAILPREFLIGHT %s\n" % (sys.argv[0], args))
            sys.exit(2)
        self.binary = os.path.abspath(sys.argv[1])
        self.args = sys.argv[2:]
        self.run_in_dir = run_in_dir
        self.env = dict(env or {})
        if os.environ.get("MP_ROUNDTRIP") == "plain" and TIMEOUT_SCALE > 1:
            self.skip("the round trips of every script run in the plain build, not under the sanitizers")
        self.tmp = tempfile.TemporaryDirectory(prefix="mp-%s-" % name)
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o755)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def read(self, name, mode="r"):
        """The content of file NAME of self.dir: text (UTF-8, newlines as
        they are) or, with mode "rb", bytes."""
        with open(self.path(name), mode, **({} if "b" in mode else {"newline": "", "encoding": "utf-8"})) as f:
            return f.read()

    # --- checks ---------------------------------------------------------------

    def check(self, cond, what, detail=""):
        self.checks += 1
        if not cond:
            self.failures.append(what + (": " + str(detail) if detail != "" else ""))
            text = str(detail)
            if len(text) > DETAIL_MAX:
                text = text[:DETAIL_MAX] + " [... %d more characters]" % (len(text) - DETAIL_MAX)
            print("FAIL: " + what + (("\n      " + text) if detail != "" else ""))
        return cond

    def eq(self, actual, expected, what):
        return self.check(actual == expected, what,
                          "expected %r, got %r" % (expected, actual) if actual != expected else "")

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
        """Runs BODY(self); an exception is a failure. Exits."""
        try:
            body(self)
        except SystemExit:
            raise
        except Exception:
            traceback.print_exc()
            self.failures.append("exception")
        self.finish()

    # --- running the binary -----------------------------------------------------

    def run(self, *args, expect=None, what=None, env=None):
        """Runs the binary with ARGS (ENV: more variables, None unsets);
        returns the CompletedProcess with .out and .err (text, UTF-8 with
        replacement) and .elapsed; with EXPECT, checks the exit code."""
        args = [str(a) for a in args]
        trip = self._roundtrip_prepare(args)
        if trip:
            args = trip["args"]
        cmd = [self.binary] + args
        e = dict(os.environ)
        e.setdefault("LC_ALL", "C.UTF-8")
        for k, v in list(self.env.items()) + list((env or {}).items()):
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e,
                           cwd=self.dir if self.run_in_dir else None)
        p.elapsed = time.monotonic() - t0
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if trip:
            self._roundtrip_check(trip, p.returncode, p.stdout, e, self.dir if self.run_in_dir else None)
        if expect is not None:
            self.check(p.returncode == expect,
                       "%s: exit code %d" % (what or " ".join(map(str, args))[:120], expect),
                       "got %d\n      stdout: %s\n      stderr: %s" % (p.returncode, p.out[-800:], p.err[-1500:]))
        return p

    def scan(self, *sources, extra=(), expect=None, what=None, tag="out"):
        """scan --csv --inventory into fresh files; returns (proc, findings, inventory)
        where findings and inventory are lists of dicts (None if a file is missing)."""
        csv_path = self.path(tag + "-findings.csv")
        inv_path = self.path(tag + "-inventory.csv")
        for p in (csv_path, inv_path):
            if os.path.exists(p):
                os.unlink(p)
        p = self.run("scan", "--no-progress", "--csv", csv_path, "--inventory", inv_path, *extra, *sources,
                     expect=expect, what=what)
        p.csv_path, p.inv_path = csv_path, inv_path
        findings = self.read_csv(csv_path, FINDINGS_COLUMNS) if os.path.exists(csv_path) else None
        inventory = self.read_csv(inv_path, INVENTORY_COLUMNS) if os.path.exists(inv_path) else None
        return p, findings, inventory

    def scan_limited(self, sources, jobs=2, timeout=DEFAULT_TIMEOUT, rss_limit_mb=DEFAULT_RSS_LIMIT_MB,
                     prefix=(), extra=(), env=None, during=None, tag="scan", utf8_known_bug=None):
        """Runs `scan --inventory I --csv F --fail-on never -q --no-progress
        --jobs N SOURCES` with run_limited() and returns its Run, with the
        inventory parsed (parse_csv) into .inventory. PREFIX goes before the
        binary (e.g. setpriv ...). DURING(alive) runs in a thread while the
        scan runs; alive() tells whether it still does. UTF8_KNOWN_BUG: the
        reference of a reported bug that makes the inventory invalid UTF-8
        (the check is then a known_bug())."""
        inv = self.path(tag + "-inventory.csv")
        fnd = self.path(tag + "-findings.csv")
        for f in (inv, fnd):
            if os.path.exists(f):
                os.unlink(f)
        argv = list(prefix) + [self.binary, "scan", "--inventory", inv, "--csv", fnd,
                               "--fail-on", "never", "-q", "--no-progress",
                               "--jobs", str(jobs)] + list(extra) + list(sources)
        r = self.run_limited(argv, timeout=timeout * TIMEOUT_SCALE, rss_limit_mb=rss_limit_mb, env=env,
                             during=during)
        if os.path.exists(inv):
            with open(inv, "rb") as f:
                r.inventory_raw = f.read()
            r.inventory = self.parse_csv(r.inventory_raw, "inventory CSV", INVENTORY_COLUMNS, utf8_known_bug)
        if os.path.exists(fnd):
            with open(fnd, "rb") as f:
                r.findings_raw = f.read()
            self.parse_csv(r.findings_raw, "findings CSV", None)
        return r

    def run_limited(self, argv, timeout, rss_limit_mb, env=None, during=None):
        """Runs ARGV (in self.dir, ENV or this environment) under a
        wall-clock TIMEOUT and an RSS watchdog; returns a Run."""
        r = Run()
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        argv = [str(a) for a in argv]
        trip = None
        if self.binary in argv:
            at = argv.index(self.binary)
            trip = self._roundtrip_prepare(argv[at + 1:])
            if trip:
                argv = argv[:at + 1] + trip["args"]
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
        if trip and r.signal is None and not r.timed_out:
            self._roundtrip_check(trip, r.rc, r.stdout, env, self.dir)
        return r

    # --- round trips (MP_ROUNDTRIP=1, module docstring) ---------------------------

    def _roundtrip_prepare(self, args):
        """For a `scan` ARGS (without the binary) in round-trip mode: the
        arguments with a scratch file for every report format not asked for,
        and where each format goes; None when there is nothing to do."""
        if not ROUNDTRIP or not args or args[0] != "scan" or "--help" in args or "-h" in args:
            return None
        given = {}
        for i, a in enumerate(args):
            for opt, _ in REPORT_OPTIONS:
                if a == opt and i + 1 < len(args):
                    given[opt] = args[i + 1]
                elif a.startswith(opt + "="):
                    given[opt] = a[len(opt) + 1:]
        if "-" in given.values():
            return None
        self._trips = getattr(self, "_trips", 0) + 1
        scratch = os.path.join(self.dir, ".roundtrip-%d" % self._trips)
        os.makedirs(scratch, exist_ok=True)
        os.chmod(scratch, 0o777)  # a scan run as another user (setpriv) writes here too
        outputs, extra = {}, []
        for opt, suffix in REPORT_OPTIONS:
            if opt in given:
                path = given[opt]
                outputs[opt] = path if os.path.isabs(path) else os.path.join(self.dir, path)
            else:
                outputs[opt] = os.path.join(scratch, "scan." + suffix)
                extra += [opt, outputs[opt]]
        # the options go before the sources: after the first source a
        # GOption parser still takes them, but keep the command readable
        return {"args": [args[0]] + extra + args[1:], "outputs": outputs, "scratch": scratch,
                "quiet": "-q" in args or "--quiet" in args, "what": " ".join(args)[:160]}

    def _roundtrip_check(self, trip, rc, stdout, env, cwd):
        """`report` of the scan's JSON into every format: each equal to the
        scan's own, the same exit code and summary."""
        what = "round trip of `%s`" % trip["what"]
        if rc not in (0, 1, 3) or not os.path.exists(trip["outputs"]["--json"]):
            return
        again = {}
        args = [self.binary, "report", trip["outputs"]["--json"]]
        for opt, suffix in REPORT_OPTIONS:
            again[opt] = os.path.join(trip["scratch"], "report." + suffix)
            args += [opt, again[opt]]
        if trip["quiet"]:
            args.append("-q")
        e = dict(os.environ if env is None else env)
        e.setdefault("LC_ALL", "C.UTF-8")
        for k, v in self.env.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=cwd)
        self.check(p.returncode == rc, what + ": `report` exits as the scan did (%d)" % rc,
                   "got %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-600:]))
        for opt, _ in REPORT_OPTIONS:
            a, b = trip["outputs"][opt], again[opt]
            if not os.path.exists(a):
                continue  # the scan was stopped before it wrote its reports
            with open(a, "rb") as f:
                want = f.read()
            got = b""
            if os.path.exists(b):
                with open(b, "rb") as f:
                    got = f.read()
            self.check(got == want, what + ": %s re-rendered byte for byte" % opt, first_difference(want, got))
        if not trip["quiet"]:
            self.check(p.stdout == stdout, what + ": the same summary on stdout",
                       first_difference(stdout, p.stdout))

    def check_run(self, r, what, rcs=(0, 1), rss_limit_mb=DEFAULT_RSS_LIMIT_MB):
        """The checks every run_limited() run must pass (module docstring)."""
        print("%s: rc=%s signal=%s %.1fs peak RSS %.0f MB" % (what, r.rc, r.signal, r.elapsed, r.maxrss_mb))
        ok = self.check(r.signal is None and not r.timed_out,
                        what + ": ended by itself, no signal, no timeout", r.describe())
        self.check(not r.killed_for_rss and r.maxrss_mb < rss_limit_mb,
                   what + ": peak RSS under %d MB" % rss_limit_mb, r.describe())
        self.check(r.rc in rcs, what + ": exit code in %s" % (rcs,), r.describe())
        if r.rc != 2:
            self.check(r.inventory is not None, what + ": an inventory was written", r.describe())
        return ok

    # --- CSV ----------------------------------------------------------------------

    def parse_csv(self, raw, what, columns=None, utf8_known_bug=None):
        """RAW (bytes) as an RFC 4180 CSV report: checks that it is strictly
        valid UTF-8 (a known_bug() when UTF8_KNOWN_BUG names one), has a header
        row, that the header is COLUMNS (when given) and that every row has as
        many cells as the header. Returns the rows as dicts keyed by the header."""
        try:
            text = raw.decode("utf-8")  # strict: invalid UTF-8 raises
            valid, detail = True, ""
        except UnicodeDecodeError as e:
            valid, detail = False, "%s near %r" % (e, raw[max(0, e.start - 40):e.end + 40])
            text = raw.decode("utf-8", "replace")
        if utf8_known_bug:
            self.known_bug(valid, what + ": valid UTF-8 " + detail, utf8_known_bug)
        else:
            self.check(valid, what + ": valid UTF-8", detail)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not self.check(len(rows) >= 1, what + ": has a header row"):
            return []
        header = rows[0]
        if columns is not None:
            self.eq(header, columns, what + ": header columns")
        bad = [(i, len(row)) for i, row in enumerate(rows[1:], 2) if len(row) != len(header)]
        self.check(not bad, what + ": every row has %d cells" % len(header), "(line, cells): %r" % bad[:5])
        return [dict(zip(header, row)) for row in rows[1:]]

    def read_csv(self, path, columns=None, utf8_known_bug=None):
        """parse_csv() of the file PATH."""
        with open(path, "rb") as f:
            raw = f.read()
        return self.parse_csv(raw, os.path.basename(path), columns, utf8_known_bug)

    # --- inventory rows -------------------------------------------------------------

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


def first_difference(want, got):
    """Where bytes GOT first differ from WANT, with some context, for a
    failed comparison's detail ("" when equal)."""
    if want == got:
        return ""
    i = 0
    while i < min(len(want), len(got)) and want[i] == got[i]:
        i += 1
    return "lengths %d and %d, first difference at byte %d:\n      want: %r\n      got:  %r" % (
        len(want), len(got), i, want[max(0, i - 80):i + 120], got[max(0, i - 80):i + 120])


def main(name, body, **options):
    """Test(NAME, **OPTIONS).main(BODY)."""
    Test(name, **options).main(body)


# ---------------------------------------------------------------------------
# Messages and mailboxes

FROM_LINE_DATE = "Tue Jan  1 00:00:00 2019"


def crlf_size(data):
    """DEFINITIONS.md: bytes + LFs not preceded by CR."""
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def _bytes(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def make_message(subject, body="Hello.\n", *, sender="Alice <alice@example.org>", to="Bob <bob@example.org>",
                 date="Tue, 01 Jan 2019 10:00:00 +0000", mid=None, extra_headers="", mime=False, attachments=0):
    """A message as bytes, LF line ends: From, To, Subject, Date (none when
    DATE is None), Message-ID <MID> (when given), EXTRA_HEADERS (each ending
    in LF), then with MIME (or ATTACHMENTS) MIME-Version and either a
    text/plain; charset=utf-8 body, or a multipart/mixed (boundary "b") of a
    text/plain BODY and ATTACHMENTS base64 attachments f0.bin, f1.bin, ...
    SUBJECT, BODY and the headers are str (UTF-8) or bytes."""
    h = b"From: " + _bytes(sender) + b"\nTo: " + _bytes(to) + b"\nSubject: " + _bytes(subject) + b"\n"
    if date:
        h += b"Date: " + _bytes(date) + b"\n"
    if mid:
        h += b"Message-ID: <" + _bytes(mid) + b">\n"
    h += _bytes(extra_headers)
    body = _bytes(body)
    if attachments:
        h += b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n"
        body = b"--b\nContent-Type: text/plain\n\n" + body + b"".join(
            b"\n--b\nContent-Type: application/octet-stream\n"
            b"Content-Disposition: attachment; filename=\"f%d.bin\"\n"
            b"Content-Transfer-Encoding: base64\n\nAAAA" % i for i in range(attachments)) + b"\n--b--\n"
    elif mime:
        h += b"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    return h + b"\n" + body


def good_message(subject, body=b"hello\n"):
    """The well-formed neighbour of the hostile tests: from Good
    <good@example.org>, Message-ID <SUBJECT@example.org>."""
    return make_message(subject, body, sender="Good <good@example.org>", to="x@example.org",
                        date="Tue, 12 Mar 2019 10:00:00 +0100", mid=subject + "@example.org")


def mboxrd_quote(msg):
    """mboxrd: every line matching ^>*From  gets one more '>'."""
    out = []
    for line in msg.split(b"\n"):
        stripped = line.lstrip(b">")
        if stripped.startswith(b"From "):
            line = b">" + line
        out.append(line)
    return b"\n".join(out)


def mbox_entry(msg, sender="sender@example.org", date=FROM_LINE_DATE, separator=True):
    """MSG (bytes) as one mboxrd entry: the From_ line "From SENDER DATE",
    the message with its From lines quoted (mboxrd_quote), then the empty
    separator line. MSG must end in LF, except when SEPARATOR is False (the
    last message of a file may lack its final newline)."""
    q = mboxrd_quote(msg)
    if not separator:
        return b"From " + _bytes(sender) + b" " + _bytes(date) + b"\n" + q
    if not q.endswith(b"\n"):
        raise ValueError("only the last message may lack its final newline")
    return b"From " + _bytes(sender) + b" " + _bytes(date) + b"\n" + q + b"\n"


def mbox_bytes(messages, sender="sender@example.org", date=FROM_LINE_DATE, junk=b"", final_separator=True):
    """MESSAGES (bytes each) as an mboxrd file: JUNK, then an mbox_entry()
    per message (no separator after the last one when FINAL_SEPARATOR is
    False)."""
    last = len(messages) - 1
    return junk + b"".join(mbox_entry(m, sender, date, separator=final_separator or i != last)
                           for i, m in enumerate(messages))


def write_mbox(path, messages, sender="sender@example.org", date=FROM_LINE_DATE, junk=b"", final_separator=True):
    """Writes mbox_bytes(MESSAGES, ...) to PATH."""
    data = mbox_bytes(messages, sender, date, junk, final_separator)
    with open(path, "wb") as f:
        f.write(data)


def write_maildir(root, messages, names=None, mtime=None, sub="cur"):
    """Writes MESSAGES (bytes each) as files of the Maildir ROOT (cur/,
    new/ and tmp/ made as needed) in SUB, named NAMES or
    "<time>.M<i>P1.e2e:2,S"; sets their mtime to MTIME when given. ROOT and
    NAMES may be bytes (names that are not UTF-8). Returns the paths."""
    fs = os.fsencode if isinstance(root, bytes) else os.fsdecode
    for s in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, fs(s)), exist_ok=True)
    paths = []
    for i, m in enumerate(messages):
        name = fs(names[i]) if names else fs("%010d.M%dP1.e2e:2,S" % (1546300800 + i, i))
        p = os.path.join(root, fs(sub), name)
        with open(p, "wb") as f:
            f.write(m)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        paths.append(p)
    return paths
