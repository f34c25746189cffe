"""Shared helpers of the end-to-end tests (stdlib only).

Each test script is run by meson as:  python3 SCRIPT MAILPREFLIGHT [ARGS...]
and exits 0 (pass), 1 (fail) or 77 (skipped).
"""
import csv
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import time
import traceback

# The documented CSV columns (reports/csv-report.c).
FINDINGS_COLUMNS = [
    "source", "folder", "index", "locator", "message_id", "date", "from", "subject",
    "size", "attachments", "rule", "check", "severity", "value", "limit", "detail", "advice",
]
INVENTORY_COLUMNS = [
    "source", "folder", "index", "locator", "message_id", "date", "date_source", "from",
    "subject", "size", "attachments", "inline_parts", "nested_attachments", "attachment_names",
    "attachment_types", "attachment_sizes", "flags", "read", "problems",
]

LIMIT = 17920 * 1024  # 18,350,080 octets

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "tools")


def load_gen_sample():
    """tools/gen-sample.py as a module (its name has a dash)."""
    spec = importlib.util.spec_from_file_location("gen_sample", os.path.join(TOOLS, "gen-sample.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Test:
    """A tiny runner: check() records failures; finish() exits."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.checks = 0
        if len(sys.argv) < 2:
            sys.stderr.write("usage: %s MAILPREFLIGHT [ARGS...]\n" % sys.argv[0])
            sys.exit(2)
        self.binary = os.path.abspath(sys.argv[1])
        self.args = sys.argv[2:]
        self.tmp = tempfile.TemporaryDirectory(prefix="mp-e2e-")
        self.dir = self.tmp.name

    def check(self, cond, what, detail=""):
        self.checks += 1
        if not cond:
            self.failures.append(what + (": " + str(detail) if detail != "" else ""))
            print("FAIL: " + what + (("\n      " + str(detail)) if detail != "" else ""))
        return cond

    def eq(self, actual, expected, what):
        return self.check(actual == expected, what,
                          "expected %r, got %r" % (expected, actual) if actual != expected else "")

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def run(self, *args, expect=None, what=None):
        """Runs the binary; returns CompletedProcess (text, utf-8 with replacement)."""
        cmd = [self.binary] + [str(a) for a in args]
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C.UTF-8")
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        p.elapsed = time.monotonic() - t0
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if expect is not None:
            self.check(p.returncode == expect, "%s: exit code %d" % (what or " ".join(args), expect),
                       "got %d\n      stdout: %s\n      stderr: %s" % (p.returncode, p.out[-800:], p.err[-800:]))
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

    def read_csv(self, path, columns):
        """Parses PATH with the csv module, checks the header and the row
        shape, returns the rows as dicts."""
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.check(len(rows) >= 1, "%s: has a header row" % os.path.basename(path))
        if not rows:
            return []
        self.eq(rows[0], columns, "%s: header columns" % os.path.basename(path))
        for i, r in enumerate(rows[1:], 2):
            self.check(len(r) == len(columns), "%s row %d: %d cells" % (os.path.basename(path), i, len(columns)),
                       "got %d: %r" % (len(r), r))
        return [dict(zip(columns, r)) for r in rows[1:]]

    def finish(self):
        if self.failures:
            print("%s: %d of %d checks failed" % (self.name, len(self.failures), self.checks))
            sys.exit(1)
        print("%s: all %d checks passed" % (self.name, self.checks))
        sys.exit(0)


def main(name, body):
    t = Test(name)
    try:
        body(t)
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        t.failures.append("exception")
    t.finish()


# ---------------------------------------------------------------------------
# Writing mailboxes

FROM_LINE_DATE = "Tue Jan  1 00:00:00 2019"


def crlf_size(data):
    """DEFINITIONS.md: bytes + LFs not preceded by CR."""
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def mboxrd_quote(msg):
    """mboxrd: every line matching ^>*From  gets one more '>'."""
    out = []
    for line in msg.split(b"\n"):
        stripped = line.lstrip(b">")
        if stripped.startswith(b"From "):
            line = b">" + line
        out.append(line)
    return b"\n".join(out)


def write_mbox(path, messages, from_lines=None, junk=b"", final_separator=True):
    """Writes MESSAGES (bytes each) as an mboxrd file: From_ line, quoted
    message, a newline if its last line has none (except for the last message
    when final_separator is False), then the empty separator line."""
    with open(path, "wb") as f:
        f.write(junk)
        for i, m in enumerate(messages):
            fl = from_lines[i] if from_lines else ("From sender@example.org " + FROM_LINE_DATE)
            f.write(fl.encode() + b"\n")
            q = mboxrd_quote(m)
            last = i == len(messages) - 1
            if last and not final_separator:
                f.write(q)
                break
            if not q.endswith(b"\n"):
                raise ValueError("only the last message may lack its final newline")
            f.write(q)
            f.write(b"\n")


def write_maildir(root, messages, names=None, mtime=None, sub="cur"):
    """Writes MESSAGES as files of a Maildir (cur/, new/, tmp/)."""
    for s in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, s), exist_ok=True)
    paths = []
    for i, m in enumerate(messages):
        name = names[i] if names else "%010d.M%dP1.e2e:2,S" % (1546300800 + i, i)
        p = os.path.join(root, sub, name)
        with open(p, "wb") as f:
            f.write(m)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        paths.append(p)
    return paths


def simple_message(subject, body="Hello.\n", mid=None, date="Tue, 01 Jan 2019 10:00:00 +0000",
                   extra_headers=""):
    """A one-part text message as bytes (LF line ends)."""
    h = "From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\nSubject: %s\n" % subject
    if date:
        h += "Date: %s\n" % date
    if mid:
        h += "Message-ID: <%s>\n" % mid
    h += extra_headers
    return (h + "\n" + body).encode("utf-8")
