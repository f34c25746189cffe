#!/usr/bin/env python3
"""--target: a target that announces APPENDLIMIT only after login (as Gmail
does) is logged in to with $MAILPREFLIGHT_TARGET_PASSWORD, never with the
sources' password, and its limit becomes the rule target-appendlimit.
Runs on the scripted server tests/imap-client/fake-imap-server.py over TLS
with test certificates (tests/imap-client/dovecot-fixture.py certs): no
Dovecot and no root needed. Args: MAILPREFLIGHT"""
import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_maildir, TESTS  # noqa: E402

IMAPC = os.path.join(TESTS, "imap-client")


def message(n, size):
    head = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: m%d\r\n"
            "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <t%d@example.org>\r\n\r\n" % (n, n)).encode()
    return head + b"x" * (size - len(head) - 2) + b"\r\n"


def fake(t, scenario, tls):
    transcript = t.path("transcript-%d" % len(os.listdir(t.dir)))
    p = subprocess.Popen([sys.executable, os.path.join(IMAPC, "fake-imap-server.py"), scenario,
                          "--tls", tls["cert"], tls["key"], "--transcript", transcript],
                         stdout=subprocess.PIPE)
    port = int(p.stdout.readline())
    return p, port, transcript


def body(t):
    tls = json.loads(subprocess.run([sys.executable, os.path.join(IMAPC, "dovecot-fixture.py"), "certs",
                                     t.path("tls")], stdout=subprocess.PIPE, check=True).stdout)
    mail = t.path("mail")
    write_maildir(mail, [message(1, 1500), message(2, 2500), message(3, 1999)])
    os.environ["MAILPREFLIGHT_PASSWORD"] = "source-Pa55"

    # with the target's own password: logged in, the limit read and applied
    os.environ["MAILPREFLIGHT_TARGET_PASSWORD"] = "secret"
    srv, port, transcript = fake(t, "appendlimit-login", tls)
    p, found, _ = t.scan(mail, extra=("--ca-file", tls["ca_file"], "--target", "imaps://alice@127.0.0.1:%d" % port),
                         expect=1, what="--target with a login")
    srv.wait(timeout=30)
    sent = open(transcript, "rb").read()
    t.check(base64.b64encode(b"\0alice\0secret") in sent, "--target: logged in with the target's password",
            sent[:300])
    t.check(b"source-Pa55" not in sent and base64.b64encode(b"\0alice\0source-Pa55") not in sent,
            "--target: the sources' password never went to the target")
    t.check("APPENDLIMIT=2000 announced by imaps://alice@127.0.0.1" in p.out, "--target: the summary names it",
            p.out[:500])
    over = sorted(r["index"] for r in found or [] if r["rule"] == "target-appendlimit")
    t.eq(over, ["2"], "--target: only the message over 2000 octets breaks the announced limit")

    # without it: no login at all, and the tool says how to give one
    del os.environ["MAILPREFLIGHT_TARGET_PASSWORD"]
    srv, port, transcript = fake(t, "appendlimit-login", tls)
    p, found, _ = t.scan(mail, extra=("--ca-file", tls["ca_file"], "--target", "imaps://alice@127.0.0.1:%d" % port),
                         expect=0, what="--target without a target password")
    srv.wait(timeout=30)
    sent = open(transcript, "rb").read()
    t.check(b"AUTHENTICATE" not in sent and b"LOGIN" not in sent, "--target: no login without its password", sent)
    t.check("MAILPREFLIGHT_TARGET_PASSWORD" in p.err, "--target: says how to log in", p.err[:400])
    t.check(not any(r["rule"] == "target-appendlimit" for r in found or []), "--target: no limit, no finding")


main("target", body)
