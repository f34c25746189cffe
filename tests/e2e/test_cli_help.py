#!/usr/bin/env python3
"""(g) --help, scan --help and --version exit 0 and say what they should.
Args: MAILPREFLIGHT VERSION"""
from e2e_common import main


def body(t):
    version = t.args[0]
    p = t.run("--help", expect=0, what="--help")
    for word in ("scan", "rules", "--help", "--version"):
        t.check(word in p.out, "--help mentions %s" % word, p.out)
    p = t.run("-h", expect=0, what="-h")
    p = t.run("scan", "--help", expect=0, what="scan --help")
    for opt in ("--csv", "--inventory", "--json", "--junit", "--html", "--fail-on", "--jobs", "--rules",
                "--quiet", "-q", "SOURCE", "never", "Exit status"):
        t.check(opt in p.out, "scan --help mentions %s" % opt, p.out)
    t.eq(p.err, "", "scan --help: nothing on stderr")
    scan_help = p.out
    p = t.run("report", "--help", expect=0, what="report --help")
    for opt in ("--csv", "--inventory", "--json", "--junit", "--html", "--fail-on", "--quiet", "-q",
                "FILE.json", "merge", "never", "Exit status"):
        t.check(opt in p.out, "report --help mentions %s" % opt, p.out)
    t.eq(p.err, "", "report --help: nothing on stderr")
    # the options of every command that writes reports are one group
    # (cli/report-args.c): the same line in both, only --fail-on's default
    # differs (a saved report keeps its level)
    for opt in ("--csv=", "--inventory=", "--json=", "--junit=", "--html=", "-q, --quiet"):
        lines = [[" ".join(l.split()) for l in h.splitlines() if l.strip().startswith(opt)]
                 for h in (scan_help, p.out)]
        t.check(len(lines[0]) == 1 and lines[0] == lines[1], "scan and report --help say the same of %s" % opt,
                lines)
    t.check("(default: error)" in scan_help, "scan --help: --fail-on defaults to error", scan_help)
    t.check("(default: as saved)" in p.out, "report --help: --fail-on keeps the saved level", p.out)
    p = t.run("--version", expect=0, what="--version")
    t.eq(p.out.strip(), "mailpreflight " + version, "--version prints the project version")
    p = t.run("rules", "list", expect=0, what="rules list")
    t.check("outlook-connected-accounts" in p.out and "generic" in p.out, "rules list names the profiles", p.out)
    p = t.run("rules", "show", "outlook-connected-accounts", expect=0, what="rules show")
    t.check("17920 KB" in p.out, "rules show prints the profile", p.out)


main("cli-help", body)
