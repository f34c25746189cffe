#!/usr/bin/env python3
"""(g) --help, scan --help and --version exit 0 and say what they should.
Args: MAILPREFLIGHT VERSION"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main  # noqa: E402


def body(t):
    version = t.args[0]
    p = t.run("--help", expect=0, what="--help")
    for word in ("scan", "rules", "--help", "--version"):
        t.check(word in p.out, "--help mentions %s" % word, p.out)
    p = t.run("-h", expect=0, what="-h")
    p = t.run("scan", "--help", expect=0, what="scan --help")
    for opt in ("--csv", "--inventory", "--fail-on", "--jobs", "--rules", "--quiet", "-q", "SOURCE",
                "never", "Exit status"):
        t.check(opt in p.out, "scan --help mentions %s" % opt, p.out)
    t.eq(p.err, "", "scan --help: nothing on stderr")
    p = t.run("--version", expect=0, what="--version")
    t.eq(p.out.strip(), "mailpreflight " + version, "--version prints the project version")
    p = t.run("rules", "list", expect=0, what="rules list")
    t.check("outlook-connected-accounts" in p.out and "generic" in p.out, "rules list names the profiles", p.out)
    p = t.run("rules", "show", "outlook-connected-accounts", expect=0, what="rules show")
    t.check("17920 KB" in p.out, "rules show prints the profile", p.out)


main("cli-help", body)
