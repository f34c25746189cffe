#!/usr/bin/env python3
"""IMAP sources end to end against a real Dovecot on 127.0.0.1
(tests/imap-client/dovecot-fixture.py): the IMAP scan equals the local
Maildir scan of the same messages; implicit TLS and STARTTLS; flags unchanged
(EXAMINE, nothing sets \\Seen); a bad certificate, a wrong password and
refused plaintext each give a clear message and exit 3; a connection dropped
in the middle of a FETCH is reopened and the scan completes.
Skipped (77) when Dovecot is not installed or we are not root.
Args: MAILPREFLIGHT"""
import importlib.util
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading

from e2e_common import main, write_maildir, load_gen_sample, HERE

FIXTURE = os.path.join(HERE, "..", "imap-client", "dovecot-fixture.py")
COMPARED = ["folder", "index", "message_id", "date", "from", "subject", "size", "attachments",
            "inline_parts", "nested_attachments", "attachment_names", "attachment_types", "flags", "read"]


def load_fixture():
    spec = importlib.util.spec_from_file_location("dovecot_fixture", FIXTURE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class DropProxy:
    """A TCP proxy to the server that cuts its Nth connection once the
    server has sent LIMIT bytes on it (the TLS session dies mid-FETCH)."""

    def __init__(self, port, nth, limit):
        self.port, self.nth, self.limit = port, nth, limit
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(120)
        self.listen_port = self.sock.getsockname()[1]
        self.count = 0
        self.dropped = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            server = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            cut = self.limit if self.count == self.nth else None
            threading.Thread(target=self.pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, cut), daemon=True).start()

    def pipe(self, src, dst, cut):
        sent = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if cut is not None and sent + len(data) >= cut:
                    dst.sendall(data[:max(0, cut - sent)])
                    self.dropped += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.sock.close()


def flags_of(fx, d, folder):
    m = fx.connect(d, "alice")
    typ, _ = m.select(fx.quote(fx.mutf7_encode(folder)), readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
    m.logout()
    return sorted(x.decode() if isinstance(x, bytes) else str(x) for x in data if x)


def body(t):
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        print("SKIP: needs root and dovecot (apt-get install dovecot-imapd)")
        sys.exit(77)
    fx = load_fixture()
    # Dovecot's mail user must traverse the directory: not under /root
    d = tempfile.mkdtemp(prefix="mp-imap-", dir="/tmp")
    os.chmod(d, 0o755)
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc == 77:
        sys.exit(77)
    info = json.loads(out.getvalue().strip().splitlines()[-1])
    try:
        run_checks(t, fx, d, info)
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)


def run_checks(t, fx, d, info):
    env_pw = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}
    os.environ.update(env_pw)
    host, ca = info["host"], info["ca_file"]

    # the bundled sample's stored messages, the same bytes in both places
    gs = load_gen_sample()
    msgs = [data for _, data in sorted(gs.stored_messages().items())]
    m = fx.connect(d, "alice")
    fx.check(m.create(fx.quote("Equiv")), "CREATE Equiv")
    for data in msgs:
        crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        fx.check(m.append(fx.quote("Equiv"), None, None, crlf), "APPEND")
    m.logout()
    local = t.path("local", "Equiv")
    write_maildir(local, msgs, names=["%04d.M1P1.local:2," % i for i in range(len(msgs))], sub="cur")

    before = flags_of(fx, d, "Equiv")
    url = "imaps://alice@%s:%d/Equiv" % (host, info["imaps_port"])
    common = ("--ca-file", ca, "--rules", "generic", "--fail-on", "never")
    p, _, inv_imap = t.scan(url, extra=common, expect=0, what="imaps scan", tag="imaps")
    _, _, inv_local = t.scan(local, extra=("--rules", "generic", "--fail-on", "never"), expect=0,
                             what="local Maildir scan", tag="local")
    t.eq(len(inv_imap or []), len(msgs), "imaps: every message")
    for i, (a, b) in enumerate(zip(inv_imap or [], inv_local or [])):
        # reading state: the local copies have no S flag, the IMAP ones no \Seen
        # an arrival date (no Date: header) is the APPEND time over IMAP and
        # the file's mtime locally: both "now", but not the same second
        skip = {"folder"} | ({"date"} if a["date_source"] != "header" else set())
        diff = {k: (a[k], b[k]) for k in COMPARED if a[k] != b[k] and k not in skip}
        t.check(not diff, "message %d: IMAP and Maildir agree" % (i + 1), diff)
        t.check(a["attachment_sizes"] == b["attachment_sizes"] or not b["attachment_sizes"],
                "message %d: attachment sizes agree" % (i + 1), (a["attachment_sizes"], b["attachment_sizes"]))
    after = flags_of(fx, d, "Equiv")
    t.eq(after, before, "flags unchanged by the scan (EXAMINE, BODY.PEEK only)")
    t.check(not any("\\Seen" in f for f in after), "no message became \\Seen", after)

    # STARTTLS on the 143-style port: the same result
    url_starttls = "imap://alice@localhost:%d/Equiv" % info["imap_port"]
    _, _, inv_st = t.scan(url_starttls, extra=common, expect=0, what="STARTTLS scan", tag="starttls")
    t.eq([(r["size"], r["attachments"]) for r in inv_st or []], [(r["size"], r["attachments"]) for r in inv_imap or []],
         "STARTTLS gives the same inventory")

    # every folder of the account, with the default rules and JSON
    p = t.run("scan", "--ca-file", ca, "--no-progress", "--fail-on", "never", "--json", t.path("all.json"),
              "imaps://alice@%s:%d" % (host, info["imaps_port"]), expect=0, what="whole account")
    t.check("Equiv" in p.out, "whole account: the folder is listed", p.out)

    # --target: the limit the server announces (RFC 7889 APPENDLIMIT; the
    # fixture's Dovecot says 1000), read before login, checked on every message
    p, found, _ = t.scan(url, extra=common + ("--target", "imaps://%s:%d" % (host, info["imaps_port"])),
                         expect=0, what="--target", tag="target")
    over = sorted(r["index"] for r in inv_imap or [] if int(r["size"]) > 1000)
    got = sorted(r["index"] for r in found or [] if r["rule"] == "target-appendlimit")
    t.check(over and got == over, "--target: exactly the messages over APPENDLIMIT=1000", (got, over))
    t.check(all(r["limit"] == "1000" for r in found or [] if r["rule"] == "target-appendlimit"),
            "--target: the announced limit is the rule's limit")
    t.check("APPENDLIMIT=1000 announced by imaps://" in p.out, "--target: the summary names the source of the limit",
            p.out[:400])

    # a certificate we do not trust: exit 3, a clear message
    p = t.run("scan", "-q", "--no-progress", url, expect=3, what="untrusted certificate")
    t.check(re.search(r"certificate", p.err, re.I) is not None, "untrusted certificate: said so", p.err)

    # a wrong password: exit 3, named, the password never shown
    os.environ["MAILPREFLIGHT_PASSWORD"] = "wrong-Pa55word"
    p = t.run("scan", "-q", "--no-progress", "--ca-file", ca, url, expect=3, what="wrong password")
    t.check(re.search(r"auth|login|password", p.err, re.I) is not None, "wrong password: said so", p.err)
    t.check("wrong-Pa55word" not in p.err + p.out, "the password never appears in output")
    os.environ.update(env_pw)

    # no password at all, no terminal: a usage message, exit 3 for that source
    del os.environ["MAILPREFLIGHT_PASSWORD"]
    p = t.run("scan", "-q", "--no-progress", "--ca-file", ca, url, expect=3, what="no password")
    t.check("MAILPREFLIGHT_PASSWORD" in p.err or "password" in p.err, "no password: says how to give one", p.err)
    os.environ.update(env_pw)
    pw_file = t.path("pw")
    with open(pw_file, "w") as f:
        f.write(info["users"]["alice"] + "\n")
    os.chmod(pw_file, 0o600)
    del os.environ["MAILPREFLIGHT_PASSWORD"]
    t.run("scan", "-q", "--no-progress", "--ca-file", ca, "--password-file", pw_file, "--rules", "generic",
          url, expect=0, what="--password-file")
    os.environ.update(env_pw)

    # a server without STARTTLS: refused unless --allow-plaintext
    if info.get("plain_port"):
        plain = "imap://alice@%s:%d/Equiv" % (info["plain_host"], info["plain_port"])
        p = t.run("scan", "-q", "--no-progress", plain, expect=3, what="plaintext refused")
        t.check("STARTTLS" in p.err or "plaintext" in p.err, "plaintext refused: said why", p.err)
        t.run("scan", "-q", "--no-progress", "--allow-plaintext", "--rules", "generic", plain, expect=0,
              what="--allow-plaintext")

    # a connection cut in the middle of a FETCH: reopened, the batch resumed
    proxy = DropProxy(info["imaps_port"], nth=2, limit=9000)
    try:
        url_proxy = "imaps://alice@127.0.0.1:%d/Equiv" % proxy.listen_port
        p, _, inv_drop = t.scan(url_proxy, extra=common + ("--connections", "1", "--timeout", "20"), expect=0,
                                what="scan through a connection that drops", tag="drop")
        t.check(proxy.dropped >= 1, "the proxy did cut a connection", proxy.count)
        t.eq([(r["size"], r["attachments"]) for r in inv_drop or []],
             [(r["size"], r["attachments"]) for r in inv_imap or []], "dropped connection: complete, same result")
        t.check(any("fetched-after-reconnect" in r["problems"] for r in inv_drop or []),
                "dropped connection: the retried messages say so", [r["problems"] for r in inv_drop or []])
    finally:
        proxy.close()


main("imap", body)
