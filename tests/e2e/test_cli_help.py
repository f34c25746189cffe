#!/usr/bin/env python3
"""(g) --help, scan --help, report --help and --version exit 0 and say what
they should; the man page's SYNOPSIS and DESCRIPTION name every command and
the IMAP sources.
Args: MAILPREFLIGHT VERSION"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main  # noqa: E402

MAN_PAGE = os.path.join(HERE, "..", "..", "docs", "mailpreflight.1")


def man_words(man, name):
    """The words of section NAME of the man page, one space apart: roff
    requests, font changes, quotes and escapes dropped ("\\-" read as "-")."""
    m = re.search(r"^\.SH\s+%s\s*$(.*?)(?=^\.SH\s)" % name, man, re.M | re.S)
    if not m:
        return ""
    text = re.sub(r"\\f(?:\[[^]]*\]|\(..|.)", "", m.group(1))
    text = text.replace("\\-", "-").replace("\\~", " ").replace("\\ ", " ")
    text = re.sub(r"\\[&|^]", "", text)
    text = re.sub(r"^\.[A-Z]+\b", "", text, flags=re.M).replace('"', " ")
    return " ".join(text.split())


def body(t):
    version = t.args[0]
    p = t.run("--help", expect=0, what="--help")
    for word in ("scan", "rules", "--help", "--version"):
        t.check(word in p.out, "--help mentions %s" % word, p.out)
    # every form of every command, with what it does
    for form in ("scan SOURCE...", "report FILE.json", "report merge FILE.json...", "compare SOURCE TARGET",
                 "compare --accounts FILE", "compare merge JSON...",
                 "rules list", "rules show NAME", "rules check FILE"):
        t.check(re.search(r"^  %s {2,}\S" % re.escape(form), p.out, re.M) is not None,
                "--help lists '%s' with what it does" % form, p.out)
    t.check(re.search(r"^  scan SOURCE.*(\n {20,}.*)*IMAP accounts", p.out, re.M) is not None,
            "--help: scan reads IMAP accounts", p.out)
    t.check("imaps://" in p.out, "--help shows an IMAP source", p.out)
    t.check(re.search(r"^  rules check FILE .*(\n {20,}.*)*config test", p.out, re.M) is not None,
            "--help: rules check is the config test", p.out)
    help_text = p.out
    p = t.run("-h", expect=0, what="-h")
    t.eq(p.out, help_text, "-h prints --help")
    p = t.run("scan", "--help", expect=0, what="scan --help")
    for opt in ("--csv", "--inventory", "--json", "--junit", "--html", "--fail-on", "--jobs", "--rules",
                "--quiet", "-q", "SOURCE", "never", "Exit status"):
        t.check(opt in p.out, "scan --help mentions %s" % opt, p.out)
    t.eq(p.err, "", "scan --help: nothing on stderr")
    # which exit status wins (issue 13): said in --help, the man page and README
    t.check("3 wins over 1" in p.out, "scan --help says that exit status 3 wins over 1", p.out)
    for opt in ("--exclude-folder", "--include-folder"):
        t.check(opt in p.out, "scan --help mentions %s" % opt, p.out)
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
    # the IMAP connection options are declared once (cli/imap-args.c): each
    # command lists those it offers in its plain --help (not only in
    # --help-all), none it does not, and checks them alike
    login_tls = ["--password-file", "--oauth2-token-file", "--ca-file", "--insecure-skip-verify",
                 "--allow-plaintext"]
    admin = ["--admin-user", "--admin-separator", "--admin-password-file"]
    offered = {
        ("scan",): login_tls + ["--connections", "--timeout", "--command-timeout"] + admin,
        ("compare",): login_tls + ["--connections", "--timeout"] + ["--target-" + o[2:] for o in login_tls],
        ("fix", "split"): login_tls + ["--timeout", "--command-timeout"] + admin,
        ("fix", "detach"): [],
    }
    every = set(login_tls + ["--connections", "--timeout", "--command-timeout"] + admin)
    every |= {"--target-" + o[2:] for o in every}
    for cmd, opts in offered.items():
        h = t.run(*cmd, "--help", expect=0, what=" ".join(cmd) + " --help")
        listed = set(re.findall(r"^ +(--[a-z0-9-]+)", h.out, re.M)) & every
        t.eq(sorted(listed), sorted(opts), "%s --help lists its IMAP options" % " ".join(cmd))
    for cmd in (("scan",), ("fix", "split")):
        e = t.run(*cmd, "--admin-separator", "*", "imaps://u@127.0.0.1:1", expect=2,
                  what=" ".join(cmd) + " --admin-separator without --admin-user")
        t.check("--admin-separator and --admin-password-file need --admin-user" in e.err,
                "%s: --admin-separator needs --admin-user" % " ".join(cmd), e.err)
    e = t.run("scan", "--command-timeout", "86401", "imaps://u@127.0.0.1:1", expect=2, what="scan --command-timeout")
    t.check("--command-timeout from 1 to 86400 seconds" in e.err, "scan: --command-timeout's range", e.err)
    e = t.run("compare", "--connections", "65", "a", "b", expect=2, what="compare --connections 65")
    t.check("--connections from 1 to 64" in e.err, "compare: --connections' range", e.err)
    with open(MAN_PAGE, encoding="utf-8") as f:
        man = f.read()
    t.check("3 wins over 1" in man_words(man, "EXIT STATUS"), "man EXIT STATUS: 3 wins over 1",
            man_words(man, "EXIT STATUS"))
    with open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8") as f:
        t.check("**3 wins over 1**" in f.read(), "README: exit status 3 wins over 1")
    synopsis = man_words(man, "SYNOPSIS")
    for form in ("scan", "scan [ options ]", "report", "report merge [ options ] FILE.json", "compare",
                 "rules list", "rules show NAME", "rules check FILE"):
        t.check("mailpreflight " + form in synopsis, "man SYNOPSIS has 'mailpreflight %s'" % form, synopsis)
    forms = synopsis.split("mailpreflight ")
    t.check(any(f.startswith("scan ") and "imaps://" in f for f in forms),
            "man SYNOPSIS has scan of an IMAP account", synopsis)
    t.check(any(f.startswith("report [") and f.rstrip().endswith("FILE.json") for f in forms),
            "man SYNOPSIS has report FILE.json", synopsis)
    description = man_words(man, "DESCRIPTION")
    t.check("IMAP accounts" in description, "man DESCRIPTION: IMAP accounts are read", description)
    t.check("mailpreflight report" in description, "man DESCRIPTION names mailpreflight report", description)
    t.check("mailpreflight compare" in description, "man DESCRIPTION names mailpreflight compare", description)
    t.check(any(f.startswith("compare ") and f.rstrip().endswith("SOURCE TARGET") for f in forms),
            "man SYNOPSIS has compare SOURCE TARGET", synopsis)
    commands_section = man_words(man, "COMMANDS")
    for form in ("scan [OPTIONS] SOURCE", "report [OPTIONS] FILE.json", "report merge [OPTIONS] FILE.json",
                 "compare [OPTIONS] SOURCE TARGET", "rules list", "rules show NAME", "rules check FILE"):
        t.check(form in commands_section, "man COMMANDS describes '%s'" % form, commands_section)
    p = t.run("--version", expect=0, what="--version")
    t.eq(p.out.strip(), "mailpreflight " + version, "--version prints the project version")
    p = t.run("rules", "list", expect=0, what="rules list")
    t.check("outlook-connected-accounts" in p.out and "generic" in p.out, "rules list names the profiles", p.out)
    p = t.run("rules", "show", "outlook-connected-accounts", expect=0, what="rules show")
    t.check("17920 KB" in p.out, "rules show prints the profile", p.out)


main("cli-help", body)
