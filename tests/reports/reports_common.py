"""What the report tests (suite 'reports') share beyond tests/pylib/mptest.py:
the fixture, the Test options and a JSON Schema checker (python3-jsonschema
when installed, else a small checker).

Each script runs as:  python3 SCRIPT MAILPREFLIGHT SCHEMA.json [GOLDEN_DIR]
and exits 0 (pass), 1 (fail) or 77 (skipped).

Fixtures are generated, deterministic and run with cwd = a temporary
directory and relative paths, so the JSON "command" and "source" fields are
stable; MAILPREFLIGHT_FIXED_TIME fixes the scan time and --as-of the dates.
"""
import functools
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import make_message, write_mbox  # noqa: E402

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


# Test(NAME, **TEST_OPTIONS): the scripts' arguments; the binary runs in the
# temporary directory, at the fixed time, in C.UTF-8, without NO_COLOR
TEST_OPTIONS = dict(args="SCHEMA [GOLDEN_DIR]", run_in_dir=True,
                    env={"LC_ALL": "C.UTF-8", "MAILPREFLIGHT_FIXED_TIME": FIXED_TIME, "NO_COLOR": None})

# the fixture's messages: from Alice to bob, MIME, dated 2024
message = functools.partial(make_message, to="bob@example.org", date="Mon, 01 Jan 2024 10:00:00 +0000",
                            mime=True)
FROM_LINE_DATE = "Mon Jan  1 10:00:00 2024"


def make_fixture(root, name="mail", variant=0):
    """A folder of mbox files: INBOX, Files (reserved name), Sent."""
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    inbox = [
        message("Welcome", mid="w%d@example.org" % variant),
        message(HOSTILE_SCRIPT, mid="h1@example.org", body="z" * 250 + "\n"),
        message(HOSTILE_IMG, mid="h2@example.org", body=("x" * 70 + "\n") * 40),
        message("Big one", body=("x" * 70 + "\n") * 60, mid="big@example.org"),
        message("Many attachments", attachments=101, mid="att@example.org"),
        message("No date", date=None, mid="nodate@example.org"),
        message("Long line", body="y" * 300 + "\n", date="Tue, 05 Mar 2019 08:00:00 +0100",
                mid="long@example.org"),
        message("Caf\u00e9 cr\u00e8me \u2014 \u00fcml\u00e4ut & <amp>", mid="utf@example.org",
                sender="=?utf-8?q?Fran=C3=A7oise?= <f@example.org>"),
    ]
    write_mbox(os.path.join(d, "INBOX"), inbox, date=FROM_LINE_DATE)
    write_mbox(os.path.join(d, "Files"), [message("In a reserved folder", mid="files@example.org")],
               date=FROM_LINE_DATE)
    write_mbox(os.path.join(d, "Sent"), [message("Sent long ago", date="Wed, 01 Jun 2022 10:00:00 +0000",
                                                 mid="sent%d@example.org" % variant)], date=FROM_LINE_DATE)
    with open(os.path.join(root, "rules.ini"), "w") as f:
        f.write(RULES)
    return name


def validate_schema(instance, schema):
    """Errors of INSTANCE against SCHEMA: python3-jsonschema when installed,
    else a small checker of the keywords the docs/*.schema.json files use."""
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
        if "anyOf" in s:
            # one of the alternatives must hold: try each on its own
            found = []
            for alt in s["anyOf"]:
                before = len(errors)
                walk(v, alt, at)
                found.append(errors[before:])
                del errors[before:]
            if all(found):
                errors.append("%s: matches none of anyOf (%s)" % (at, found[0][0]))
            return
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
