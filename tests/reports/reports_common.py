"""Shared helpers of the report tests (suite 'reports'; python3 stdlib, plus
python3-jsonschema when installed).

Each script runs as:  python3 SCRIPT MAILPREFLIGHT SCHEMA.json [GOLDEN_DIR]
and exits 0 (pass), 1 (fail) or 77 (skipped).

Fixtures are generated, deterministic and run with cwd = a temporary
directory and relative paths, so the JSON "command" and "source" fields are
stable; MAILPREFLIGHT_FIXED_TIME fixes the scan time and --as-of the dates.
"""
import os
import subprocess
import sys
import tempfile

FIXED_TIME = "2024-06-01T00:00:00Z"
AS_OF = "2024-06-01"
HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"

RULES = """[profile]
name = Report tests
inherits = outlook-connected-accounts

[rule too-large]
max = 2 KB

[rule long-lines]
check = line-length
max = 200
severity = warning
advice = Long lines may be rewrapped.
"""


def message(subject, date="Mon, 01 Jan 2024 10:00:00 +0000", body="Hello.\n", attachments=0,
            msgid=None, sender="Alice <alice@example.org>"):
    head = ["From: %s" % sender, "To: bob@example.org", "Subject: %s" % subject]
    if date:
        head.append("Date: %s" % date)
    if msgid:
        head.append("Message-ID: <%s>" % msgid)
    head.append("MIME-Version: 1.0")
    if not attachments:
        return "\n".join(head + ["Content-Type: text/plain; charset=utf-8", "", body])
    parts = ["Content-Type: multipart/mixed; boundary=\"b\"", "", "--b",
             "Content-Type: text/plain", "", body]
    for i in range(attachments):
        parts += ["--b", "Content-Type: application/octet-stream",
                  "Content-Disposition: attachment; filename=\"f%d.bin\"" % i,
                  "Content-Transfer-Encoding: base64", "", "AAAA"]
    parts.append("--b--")
    return "\n".join(head + parts) + "\n"


def mbox(messages):
    out = []
    for i, m in enumerate(messages):
        out.append("From sender@example.org Mon Jan  1 10:00:00 2024\n" + m + "\n")
    return "".join(out)


def make_fixture(root, name="mail", variant=0):
    """A folder of mbox files: INBOX, Files (reserved name), Sent."""
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    inbox = [
        message("Welcome", msgid="w%d@example.org" % variant),
        message(HOSTILE_SCRIPT, msgid="h1@example.org", body="z" * 250 + "\n"),
        message(HOSTILE_IMG, msgid="h2@example.org", body=("x" * 70 + "\n") * 40),
        message("Big one", body=("x" * 70 + "\n") * 60, msgid="big@example.org"),
        message("Many attachments", attachments=101, msgid="att@example.org"),
        message("No date", date=None, msgid="nodate@example.org"),
        message("Long line", body="y" * 300 + "\n", date="Tue, 05 Mar 2019 08:00:00 +0100",
                msgid="long@example.org"),
        message("Caf\u00e9 cr\u00e8me \u2014 \u00fcml\u00e4ut & <amp>", msgid="utf@example.org",
                sender="=?utf-8?q?Fran=C3=A7oise?= <f@example.org>"),
    ]
    with open(os.path.join(d, "INBOX"), "w", encoding="utf-8") as f:
        f.write(mbox(inbox))
    with open(os.path.join(d, "Files"), "w", encoding="utf-8") as f:
        f.write(mbox([message("In a reserved folder", msgid="files@example.org")]))
    with open(os.path.join(d, "Sent"), "w", encoding="utf-8") as f:
        f.write(mbox([message("Sent long ago", date="Wed, 01 Jun 2022 10:00:00 +0000",
                              msgid="sent%d@example.org" % variant)]))
    with open(os.path.join(root, "rules.ini"), "w") as f:
        f.write(RULES)
    return name


class Test:
    def __init__(self, name):
        self.name = name
        self.failures = []
        if len(sys.argv) < 3:
            sys.stderr.write("usage: %s MAILPREFLIGHT SCHEMA [GOLDEN_DIR]\n" % sys.argv[0])
            sys.exit(2)
        self.binary = os.path.abspath(sys.argv[1])
        self.schema = os.path.abspath(sys.argv[2])
        self.golden = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
        self.tmp = tempfile.TemporaryDirectory(prefix="mp-reports-")
        self.dir = self.tmp.name

    def check(self, cond, what, detail=""):
        if not cond:
            self.failures.append(what)
            print("FAIL: %s%s" % (what, ("\n      " + str(detail)[:2000]) if detail != "" else ""))
        return cond

    def eq(self, actual, expected, what):
        return self.check(actual == expected, what, "expected %r, got %r" % (expected, actual))

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def run(self, *args, expect=None, env=None):
        e = dict(os.environ)
        e["LC_ALL"] = "C.UTF-8"
        e["MAILPREFLIGHT_FIXED_TIME"] = FIXED_TIME
        e.pop("NO_COLOR", None)
        if env:
            e.update(env)
        p = subprocess.run([self.binary] + [str(a) for a in args], cwd=self.dir,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        p.out = p.stdout.decode("utf-8", "replace")
        p.err = p.stderr.decode("utf-8", "replace")
        if expect is not None:
            self.check(p.returncode == expect, "%s: exit %d" % (" ".join(map(str, args))[:120], expect),
                       "got %d; stderr: %s" % (p.returncode, p.err[-1500:]))
        return p

    def read(self, name, mode="r"):
        with open(self.path(name), mode, **({} if "b" in mode else {"newline": "", "encoding": "utf-8"})) as f:
            return f.read()

    def finish(self):
        if self.failures:
            print("%s: %d failure(s)" % (self.name, len(self.failures)))
            sys.exit(1)
        print("%s: ok" % self.name)
        sys.exit(0)


def validate_schema(instance, schema):
    """Errors of INSTANCE against SCHEMA: python3-jsonschema when installed,
    else a small checker of the keywords docs/mailpreflight-report-1.schema.json uses."""
    try:
        import jsonschema
        v = jsonschema.Draft202012Validator(schema) if hasattr(jsonschema, "Draft202012Validator") \
            else jsonschema.Draft7Validator(schema)
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
                for e in v.iter_errors(instance)][:20]
    except ImportError:
        pass
    errors = []
    defs = schema.get("$defs", {})

    def typ(v, t):
        ts = t if isinstance(t, list) else [t]
        for x in ts:
            if x == "null" and v is None: return True
            if x == "string" and isinstance(v, str): return True
            if x == "integer" and isinstance(v, int) and not isinstance(v, bool): return True
            if x == "number" and isinstance(v, (int, float)) and not isinstance(v, bool): return True
            if x == "boolean" and isinstance(v, bool): return True
            if x == "array" and isinstance(v, list): return True
            if x == "object" and isinstance(v, dict): return True
        return False

    def walk(v, s, at):
        if len(errors) > 20:
            return
        if "$ref" in s:
            s = defs[s["$ref"].split("/")[-1]]
        if "type" in s and not typ(v, s["type"]):
            errors.append("%s: %r is not of type %s" % (at, v if not isinstance(v, (dict, list)) else type(v).__name__, s["type"]))
            return
        if "const" in s and v != s["const"]:
            errors.append("%s: %r is not %r" % (at, v, s["const"]))
        if "enum" in s and v not in s["enum"]:
            errors.append("%s: %r not in %r" % (at, v, s["enum"]))
        if "minimum" in s and isinstance(v, (int, float)) and v < s["minimum"]:
            errors.append("%s: %r < %r" % (at, v, s["minimum"]))
        if "pattern" in s and isinstance(v, str):
            import re
            if not re.search(s["pattern"], v):
                errors.append("%s: %r does not match %s" % (at, v, s["pattern"]))
        if isinstance(v, dict):
            for k in s.get("required", []):
                if k not in v:
                    errors.append("%s: %r is required" % (at, k))
            props = s.get("properties", {})
            for k, x in v.items():
                if k in props:
                    walk(x, props[k], at + "/" + k)
                elif s.get("additionalProperties") is False:
                    errors.append("%s: unexpected %r" % (at, k))
        if isinstance(v, list) and "items" in s:
            for i, x in enumerate(v):
                walk(x, s["items"], "%s/%d" % (at, i))

    walk(instance, schema, "")
    return errors
