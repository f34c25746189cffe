#!/usr/bin/env python3
"""IMAP folder errors as the user reads them (issue 14, items 9 and 13),
against a real Dovecot (tests/imap-client/dovecot-fixture.py) behind a
plaintext proxy that adds two folders to every LIST answer: "Ghost", which
Dovecot then refuses to EXAMINE, and one named with terminal escapes (set
the window title, clear the screen, an 8-bit CSI). Asserts: the scan goes
on with the real folders (exit 3), each refused folder is named once in its
error ("folder Ghost: ..." and not "folder Ghost: folder Ghost: ..."), the
JSON report records the error without the prefix (its folder field names
the folder), and nothing on stderr is a control character.
Skipped (77) without Dovecot, root or a second loopback address for the
plaintext listener. Args: MAILPREFLIGHT"""
import contextlib
import importlib.util
import io
import json
import os
import shutil
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, TESTS  # noqa: E402

FIXTURE = os.path.join(TESTS, "imap-client", "dovecot-fixture.py")
EVIL = "Evil\x1b]0;pwned\x07\x1b[2J\u009b2J"


def load_fixture():
    spec = importlib.util.spec_from_file_location("dovecot_fixture", FIXTURE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class ListProxy:
    """A plaintext TCP proxy to HOST:PORT that adds EXTRA folders after the
    INBOX line of every LIST answer."""

    def __init__(self, host, port, extra):
        self.host, self.port, self.extra = host, port, extra
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(120)
        self.listen_port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection((self.host, self.port), timeout=60)
            threading.Thread(target=self.pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, True), daemon=True).start()

    def pipe(self, src, dst, rewrite):
        buf = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if not rewrite:
                    dst.sendall(data)
                    continue
                buf += data
                out = b""
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    out += line + b"\r\n"
                    if line.startswith(b"* LIST ") and line.endswith(b" INBOX"):
                        flags_end = line.index(b")") + 1
                        delim = line[flags_end:].split()[0]
                        for name in self.extra:
                            out += b"* LIST (\\HasNoChildren) " + delim + b" " + name + b"\r\n"
                dst.sendall(out)
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


def body(t):
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        t.skip("needs root and dovecot (apt-get install dovecot-imapd)")
    fx = load_fixture()
    d = tempfile.mkdtemp(prefix="mp-imapfe-", dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc == 77:
        t.skip("dovecot could not be started")
    info = json.loads(out.getvalue().strip().splitlines()[-1])
    try:
        if not info.get("plain_port"):
            t.skip("no second loopback address for the plaintext listener")
        m = fx.connect(d, "alice")
        fx.check(m.create(fx.quote("Real")), "CREATE Real")
        fx.check(m.append(fx.quote("Real"), None, None,
                          b"From: a@example.org\r\nSubject: real\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
                          b"Message-ID: <real@example.org>\r\n\r\nhello\r\n"), "APPEND")
        m.logout()
        proxy = ListProxy(info["plain_host"], info["plain_port"],
                          [b"Ghost", b'"' + EVIL.encode() + b'"'])
        try:
            url = "imap://alice@127.0.0.1:%d" % proxy.listen_port
            p = t.run("scan", "--no-progress", "--allow-plaintext", "--json", t.path("r.json"), "--fail-on", "never",
                      url, env={"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}, expect=3,
                      what="a scan with folders the server refuses")
        finally:
            proxy.close()
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)

    ghost = [ln for ln in p.err.splitlines() if "Ghost" in ln]
    t.check(len(ghost) == 1 and ghost[0].startswith("mailpreflight: folder Ghost: "),
            "the refused folder has one error line, naming it", p.err[-800:])
    t.check(all(ln.count("folder Ghost") == 1 for ln in ghost),
            "the error line says \"folder Ghost\" once (the server's own text may name it too)", ghost)
    bad = sorted({"U+%04X" % ord(c) for c in p.err if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0})
    t.check(not bad, "no control character on stderr (a LIST name must not drive the terminal)", bad)
    rep = json.loads(t.read("r.json"))
    folders = {f["name"]: f for s in rep["sources"] for f in s["folders"]}
    t.check("Real" in folders and folders["Real"]["error"] is None and len(folders["Real"]["messages"]) == 1,
            "the real folder is scanned", sorted(folders))
    if t.check("Ghost" in folders, "the refused folder is in the report", sorted(folders)):
        err = folders["Ghost"]["error"] or ""
        t.check(err != "" and "folder Ghost" not in err,
                "its recorded error does not repeat \"folder Ghost\" (the folder field says it)", err)


main("imap-folder-errors", body)
