#!/usr/bin/env python3
"""The verdict describes the mailbox; --fail-on sets only the exit status
(issue 13, item 2). For each case the summary, the JSON totals.verdict, the
HTML verdict and the JUnit testcases agree:
  - errors with --fail-on never: NOT READY everywhere, exit 0, the errors
    fail their JUnit testcase;
  - only warnings with --fail-on warning: READY (with warnings), exit 1;
  - a source that does not exist, nothing read: INCOMPLETE, exit 3, and
    never "every message passes the rules";
  - errors and a source that cannot be read: NOT READY (exit 3);
  - a clean mailbox: READY, "every message passes the rules".
Args: MAILPREFLIGHT"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, make_message  # noqa: E402

RULES = """[profile]
name = verdict test
inherits = generic

[rule small]
check = message-size
max = 300 B
severity = error

[rule smallish]
check = message-size
max = 200 B
severity = warning
"""


def verdict_of(t, tag, sources, *extra, expect):
    """Scans SOURCES with every report; returns (summary, json totals,
    html verdict text, junit root)."""
    args = ["scan", "--no-progress", "-r", t.path("rules.ini"), "--json", t.path(tag + ".json"),
            "--html", t.path(tag + ".html"), "--junit", t.path(tag + ".xml")] + list(extra) + sources
    p = t.run(*args, expect=expect, what=tag)
    doc = json.loads(t.read(tag + ".json")) if os.path.exists(t.path(tag + ".json")) else {"totals": {}}
    html = t.read(tag + ".html") if os.path.exists(t.path(tag + ".html")) else ""
    m = re.search(r'id="verdict-text">([^<]*)<', html)
    junit = ET.parse(t.path(tag + ".xml")).getroot() if os.path.exists(t.path(tag + ".xml")) else ET.Element("x")
    return p.out, doc["totals"], m.group(1) if m else "", junit


def failed_cases(junit):
    return sorted(c.get("name").split(" ")[0] for c in junit.iter("testcase") if c.find("failure") is not None)


def body(t):
    with open(t.path("rules.ini"), "w") as f:
        f.write(RULES)
    big = ("x" * 60 + "\n") * 6
    # four messages over 300 B (errors; over 200 B too: warnings), one clean
    write_mbox(t.path("errors.mbox"), [make_message("big %d" % i, body=big, mid="b%d@x" % i) for i in range(4)] +
               [make_message("ok", mid="ok@x")])
    # over 200 B but not 300 B: a warning only
    write_mbox(t.path("warnings.mbox"), [make_message("medium", body="y" * 80 + "\n", mid="m@x")])
    write_mbox(t.path("clean.mbox"), [make_message("tiny", body="", mid="t@x")])
    missing = t.path("no-such-mailbox")

    out, totals, html, junit = verdict_of(t, "never", [t.path("errors.mbox")], "--fail-on", "never", expect=0)
    t.check("Verdict: NOT READY, 4 error(s)" in out, "errors, --fail-on never: the summary says NOT READY", out)
    t.check("READY, no" not in out, "errors, --fail-on never: never a READY", out)
    t.check("--fail-on never: findings do not change the exit status" in out,
            "errors, --fail-on never: the summary says what --fail-on did", out)
    t.eq(totals.get("verdict"), "not-ready", "errors, --fail-on never: JSON verdict")
    t.eq(totals.get("blocking"), 0, "errors, --fail-on never: JSON blocking (the exit status) is 0")
    t.check(html.startswith("Not ready: 4 errors"), "errors, --fail-on never: HTML verdict", html)
    t.eq(failed_cases(junit), ["small"], "errors, --fail-on never: the errors fail their JUnit testcase")

    out, totals, html, junit = verdict_of(t, "warn", [t.path("warnings.mbox")], "--fail-on", "warning", expect=1)
    t.check("Verdict: READY, no errors; 1 warning(s) to look at" in out, "warnings only: READY with warnings", out)
    t.check("--fail-on warning: 1 finding(s) at or above warning (exit status 1)" in out,
            "warnings only: the summary says why the exit status is 1", out)
    t.eq(totals.get("verdict"), "ready", "warnings only: JSON verdict")
    t.eq(totals.get("blocking"), 1, "warnings only: JSON blocking")
    t.eq(html, "Ready", "warnings only: HTML verdict")
    t.eq(failed_cases(junit), ["smallish"], "warnings, --fail-on warning: the warning fails its testcase")

    out, totals, html, junit = verdict_of(t, "missing", [missing], expect=3)
    t.check("Verdict: INCOMPLETE" in out, "nothing read: INCOMPLETE", out)
    t.check("every message passes" not in out, "nothing read: never 'every message passes the rules'", out)
    t.check("No message could be read: nothing was judged." in out, "nothing read: says nothing was judged", out)
    t.eq(totals.get("verdict"), "incomplete", "nothing read: JSON verdict")
    t.check(html.startswith("Incomplete"), "nothing read: HTML verdict", html)
    t.check("every message" not in t.read("missing.html") and "No message could be read" in t.read("missing.html"),
            "nothing read: the HTML says nothing was judged")
    t.check(any(c.find("error") is not None for c in junit.iter("testcase")), "nothing read: a JUnit error")

    out, totals, html, junit = verdict_of(t, "both", [missing, t.path("errors.mbox")], expect=3)
    t.check("Verdict: NOT READY" in out, "errors and an unreadable source: NOT READY", out)
    t.eq(totals.get("verdict"), "not-ready", "errors and an unreadable source: JSON verdict")
    t.check(html.startswith("Not ready"), "errors and an unreadable source: HTML verdict", html)

    out, totals, html, junit = verdict_of(t, "clean", [t.path("clean.mbox")], expect=0)
    t.check("Verdict: READY, no errors\n" in out, "clean: READY", out)
    t.check("No findings: every message passes the rules." in out, "clean: every message passes", out)
    t.eq(totals.get("verdict"), "ready", "clean: JSON verdict")
    t.eq(html, "Ready", "clean: HTML verdict")
    t.eq(failed_cases(junit), [], "clean: no failed testcase")


main("verdict", body)
