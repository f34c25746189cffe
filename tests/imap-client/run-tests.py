#!/usr/bin/env python3
"""Runs test-imap-client with what its groups need (meson test wrapper).

  run-tests.py fake    BINARY [ARGS...]   test certificates, fake servers
  run-tests.py dovecot BINARY [ARGS...]   a seeded Dovecot from dovecot-fixture.py
  run-tests.py dovecot-sieve BINARY [ARGS...]   the same, skipped unless
                                          Dovecot runs ManageSieve (Pigeonhole)

Exports the IMAPC_* variables test-imap-client.c and test-managesieve.c
read; with ManageSieve installed, alice gets an active Sieve script.
`dovecot` is skipped (the TAP plan "1..0 # SKIP" and exit 0: under meson's
protocol 'tap' an exit status 77 is an error) when Dovecot is not installed
or we are not root, and always stops the Dovecot it started. The work directory is under /tmp (the mail
user must traverse it) and is removed unless the tests failed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "dovecot-fixture.py")
FAKE = os.path.join(HERE, "fake-imap-server.py")
FAKE_SIEVE = os.path.join(HERE, "fake-managesieve-server.py")
# installed as alice's active Sieve script ("main"), next to an inactive
# "old" one: the ManageSieve tests read it back byte for byte
ALICE_SIEVE = (b'require ["copy"];\r\n# forward to bob, keep a copy; "redirect" here is no command\r\n'
               b'if header :contains "subject" "x" { keep; }\r\nredirect :copy "bob@example.net";\r\n')
OLD_SIEVE = b'redirect "never-active@example.org";\r\n'

SKIP = 77


def main(argv):
    mode, binary, args = argv[1], argv[2], argv[3:]
    needs_sieve = mode == "dovecot-sieve"
    if needs_sieve:
        mode = "dovecot"
    d = tempfile.mkdtemp(prefix="mp-imapc-", dir="/tmp")
    os.chmod(d, 0o755)
    env = dict(os.environ)
    env["IMAPC_FAKE_SERVER"] = FAKE
    env["IMAPC_FAKE_SIEVE_SERVER"] = FAKE_SIEVE
    started = False
    rc = 1
    try:
        if mode == "fake":
            r = subprocess.run([sys.executable, FIXTURE, "certs", d], stdout=subprocess.PIPE, check=True)
            info = json.loads(r.stdout)
        else:
            r = subprocess.run([sys.executable, FIXTURE, "start", d], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=120)
            if r.returncode == SKIP:
                # TAP's skip (meson reads the plan; an exit status 77 would
                # be an error under protocol 'tap')
                print("1..0 # SKIP dovecot not available")
                rc = SKIP
                return 0
            if r.returncode != 0:
                print("dovecot-fixture start failed (rc %d)" % r.returncode, file=sys.stderr)
                return 1
            started = True
            info = json.loads(r.stdout)
            if needs_sieve and not info.get("sieve_port"):
                print("1..0 # SKIP no ManageSieve (apt-get install dovecot-managesieved)")
                rc = SKIP
                return 0
            subprocess.run([sys.executable, FIXTURE, "seed", d], check=True, timeout=120)
            if info.get("sieve_port"):
                for name, text in (("old", OLD_SIEVE), ("main", ALICE_SIEVE)):
                    path = os.path.join(d, name + ".sieve")
                    with open(path, "wb") as f:
                        f.write(text)
                    subprocess.run([sys.executable, FIXTURE, "sieve", d, "alice", path, name],
                                   check=True, timeout=60)
                env["IMAPC_SIEVE_PORT"] = str(info["sieve_port"])
                env["IMAPC_SIEVE_SCRIPT"] = os.path.join(d, "main.sieve")
            env["IMAPC_HOST"] = info["host"]
            env["IMAPC_IMAP_PORT"] = str(info["imap_port"])
            env["IMAPC_IMAPS_PORT"] = str(info["imaps_port"])
            if info.get("plain_port"):
                env["IMAPC_PLAIN_HOST"] = info["plain_host"]
                env["IMAPC_PLAIN_PORT"] = str(info["plain_port"])
        env["IMAPC_CA_FILE"] = info["ca_file"]
        env["IMAPC_CERT"], env["IMAPC_KEY"] = info["cert"], info["key"]
        env["IMAPC_WRONG_CERT"], env["IMAPC_WRONG_KEY"] = info["wrong_cert"], info["wrong_key"]
        if "nosan_cert" in info:
            env["IMAPC_NOSAN_CERT"], env["IMAPC_NOSAN_KEY"] = info["nosan_cert"], info["nosan_key"]
        rc = subprocess.run([binary] + args, env=env, stdin=subprocess.DEVNULL, timeout=300).returncode
        return rc
    finally:
        if started:
            subprocess.run([sys.executable, FIXTURE, "stop", d], stdin=subprocess.DEVNULL, timeout=60)
        if rc == 0 or rc == SKIP:
            shutil.rmtree(d, ignore_errors=True)
        else:
            log = os.path.join(d, "dovecot.log")
            print("# work directory kept: %s" % d, file=sys.stderr)
            if os.path.exists(log):
                sys.stderr.write(open(log, errors="replace").read()[-3000:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
