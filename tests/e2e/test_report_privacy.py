#!/usr/bin/env python3
"""What reports give away (issue 14, items 6 and 13).

Passwords never in reports: a password in a source URL
(imaps://alice:PASSWORD@host) is refused, and a --target URL with one too,
but the command line and the source are recorded: neither password may
reach any report (JSON runs[].command and sources[].source, the HTML
command line, CSV, JUnit), stdout or stderr. A report saved by an earlier
version with the password in it is re-rendered without it. The target is
the scripted server tests/imap-client/fake-imap-server.py over TLS: no
Dovecot and no root needed.

Reports list other people's mail: each report file is created readable by
its owner only (0600) under the usual umask 022, also when it replaces an
older, world-readable report. Args: MAILPREFLIGHT"""
import json
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, make_message, write_mbox, TESTS  # noqa: E402

IMAPC = os.path.join(TESTS, "imap-client")
SOURCE_PW = "s3cret-Source-PW"
TARGET_PW = "hunt3r-Target-PW"
OUTPUTS = ("r.json", "r.html", "f.csv", "i.csv", "j.xml", "a.csv")


def outputs(t, prefix):
    args = []
    for name, opt in zip(OUTPUTS, ("--json", "--html", "--csv", "--inventory", "--junit", "--accounts-csv")):
        args += [opt, t.path(prefix + name)]
    return args


def check_clean(t, prefix, p, what):
    for name in OUTPUTS:
        data = t.read(prefix + name, "rb")
        for pw in (SOURCE_PW, TARGET_PW):
            t.check(pw.encode() not in data, "%s: no password in %s" % (what, name))
    for pw in (SOURCE_PW, TARGET_PW):
        t.check(pw not in p.out and pw not in p.err, "%s: no password on stdout or stderr" % what,
                p.out[-300:] + p.err[-300:])


def check_modes(t, prefix, what):
    for name in OUTPUTS:
        mode = stat.S_IMODE(os.stat(t.path(prefix + name)).st_mode)
        t.check(mode == 0o600, "%s: %s is created 0600 (got %o)" % (what, name, mode))


def body(t):
    os.umask(0o022)
    tls = json.loads(subprocess.run([sys.executable, os.path.join(IMAPC, "dovecot-fixture.py"), "certs",
                                     t.path("tls")], stdout=subprocess.PIPE, check=True).stdout)
    mbox = t.path("box.mbox")
    write_mbox(mbox, [make_message("hello")])
    srv = subprocess.Popen([sys.executable, os.path.join(IMAPC, "fake-imap-server.py"), "plain",
                            "--tls", tls["cert"], tls["key"]], stdout=subprocess.PIPE)
    port = int(srv.stdout.readline())
    source = "imaps://alice:%s@127.0.0.1:9/INBOX" % SOURCE_PW
    # the last --target counts: the first, with its password, is only recorded
    p = t.run("scan", "--no-progress", *outputs(t, "a-"), "--ca-file", tls["ca_file"],
              "--target", "imaps://bob:%s@127.0.0.1:%d" % (TARGET_PW, port),
              "--target=imaps://127.0.0.1:%d" % port, source, mbox, expect=3,
              what="a source URL with a password is refused, the others scanned")
    srv.wait(timeout=30)
    check_clean(t, "a-", p, "scan")
    rep = json.loads(t.read("a-r.json"))
    command = rep["runs"][0]["command"]
    t.check("imaps://bob:***@127.0.0.1:%d" % port in command, "runs[].command keeps the URL, password as ***",
            command)
    t.eq([s["source"] for a in rep["accounts"] for s in a["sources"]], ["imaps://alice:***@127.0.0.1:9/INBOX", mbox],
         "accounts[].sources[].source: the URL with its password as ***")
    # the account is the login, never login:password (RFC 3986 userinfo)
    t.eq([a["account"] for a in rep["accounts"]], ["alice", "box"], "accounts[].account: the login only")
    t.check("imaps://alice:***@127.0.0.1:9/INBOX" in t.read("a-r.html"), "the HTML names the source, redacted")

    # a report an earlier version saved with the passwords in it
    old = t.read("a-r.json").replace(":***@", ":%s@" % SOURCE_PW, 1).replace(":***@", ":%s@" % TARGET_PW)
    t.check(SOURCE_PW in old and TARGET_PW in old, "the old report holds both passwords (test set-up)")
    with open(t.path("old.json"), "w") as f:
        f.write(old)
    for name in OUTPUTS:  # older reports, readable by all, are replaced
        with open(t.path("b-" + name), "w") as f:
            f.write("old")
        os.chmod(t.path("b-" + name), 0o644)
    p = t.run("report", t.path("old.json"), *outputs(t, "b-"), expect=3, what="report of an old JSON")
    check_clean(t, "b-", p, "report")
    check_modes(t, "a-", "scan")
    check_modes(t, "b-", "report over older files")


main("report-privacy", body)
