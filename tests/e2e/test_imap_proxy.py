#!/usr/bin/env python3
"""IMAP answers a server may send, against a real Dovecot
(tests/imap-client/dovecot-fixture.py) behind a plaintext proxy that
rewrites some of its lines (issue 14, items 9, 10 and 13).

Folder errors as the user reads them: the proxy adds two folders to every
LIST answer, "Ghost", which Dovecot then refuses to EXAMINE, and one named
with terminal escapes (set the window title, clear the screen, an 8-bit
CSI). Asserts: the scan goes on with the real folders (exit 3), Ghost is
named once in its error ("folder Ghost: ..." and not "folder Ghost: folder
Ghost: ..."), the JSON report records the error without the prefix (its
folder field names the folder), and nothing on stderr is a control
character.

Totals that cannot wrap: the proxy reports the first message's
RFC822.SIZE as 18446744073709551615 (2^64-1, a valid number64). Asserts:
every total (summary, JSON totals, source and folder stats) stays at
2^64-1 instead of wrapping round to a few bytes, and the folder-size and
mailbox-size rules (rules/audit.c) find the folder and account too large.

Skipped (77) without Dovecot, root or a second loopback address for the
plaintext listener. Args: MAILPREFLIGHT"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main  # noqa: E402
from imapproxy import Proxy  # noqa: E402
import dovecot  # noqa: E402

EVIL = "Evil\x1b]0;pwned\x07\x1b[2J\u009b2J"
MAX64 = 2**64 - 1


class RewritingProxy(Proxy):
    """A plaintext proxy to HOST:PORT that passes every line the server
    sends through REWRITE(line without CRLF) -> bytes to send (CRLFs
    included). Literals are passed as lines too: the rewrites below only
    touch lines no literal of the test mail holds."""

    def __init__(self, host, port, rewrite):
        self.rewrite = rewrite
        super().__init__(host, port)

    def opened(self, conn):
        conn.buf = b""

    def from_server(self, conn, data):
        conn.buf += data
        out = b""
        while b"\r\n" in conn.buf:
            line, conn.buf = conn.buf.split(b"\r\n", 1)
            out += self.rewrite(line)
        return out


def add_folders(line):
    """After the INBOX line of a LIST answer: Ghost and the escaped name."""
    out = line + b"\r\n"
    if line.startswith(b"* LIST ") and line.endswith(b" INBOX"):
        delim = line[line.index(b")") + 1:].split()[0]
        for name in (b"Ghost", b'"' + EVIL.encode() + b'"'):
            out += b"* LIST (\\HasNoChildren) " + delim + b" " + name + b"\r\n"
    return out


def huge_first_size(line):
    """RFC822.SIZE of UID 1 as 2^64-1."""
    if line.startswith(b"* ") and b" FETCH " in line and re.search(rb"\bUID 1\b", line):
        line = re.sub(rb"RFC822\.SIZE \d+", b"RFC822.SIZE %d" % MAX64, line)
    return line + b"\r\n"


def message(n, subject):
    return ("From: a@example.org\r\nSubject: %s\r\nDate: Mon, 2 Mar 2026 10:0%d:00 +0000\r\n"
            "Message-ID: <m%d@example.org>\r\n\r\nhello\r\n" % (subject, n, n)).encode()


def scan(t, info, rewrite, what, tag, extra=()):
    proxy = RewritingProxy(info["plain_host"], info["plain_port"], rewrite)
    try:
        url = "imap://alice@127.0.0.1:%d" % proxy.listen_port
        return t.run("scan", "--no-progress", "--allow-plaintext", "--metadata-only", "--json",
                     t.path(tag + ".json"), "--fail-on", "never", *extra, url,
                     env={"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}, expect=None, what=what)
    finally:
        proxy.close()


def folder_errors(t, info):
    p = scan(t, info, add_folders, "a scan with folders the server refuses", "errors")
    t.eq(p.returncode, 3, "folders the server refuses: exit 3")
    ghost = [ln for ln in p.err.splitlines() if "Ghost" in ln]
    t.check(len(ghost) == 1 and ghost[0].startswith("mailpreflight: folder Ghost: "),
            "the refused folder has one error line, naming it", p.err[-800:])
    t.check(all(ln.count("folder Ghost") == 1 for ln in ghost),
            "the error line says \"folder Ghost\" once (the server's own text may name it too)", ghost)
    bad = sorted({"U+%04X" % ord(c) for c in p.err if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0})
    t.check(not bad, "no control character on stderr (a LIST name must not drive the terminal)", bad)
    rep = json.loads(t.read("errors.json"))
    folders = {f["name"]: f for a in rep["accounts"] for s in a["sources"] for f in s["folders"]}
    t.check("Real" in folders and folders["Real"]["error"] is None and len(folders["Real"]["messages"]) == 3,
            "the real folder is scanned", sorted(folders))
    if t.check("Ghost" in folders, "the refused folder is in the report", sorted(folders)):
        err = folders["Ghost"]["error"] or ""
        t.check(err != "" and "folder Ghost" not in err,
                "its recorded error does not repeat \"folder Ghost\" (the folder field says it)", err)


def huge_sizes(t, info):
    rules = t.path("sizes.ini")
    with open(rules, "w") as f:
        f.write("[profile]\nname = sizes\n\n[rule big-folder]\ncheck = folder-size\nmax = 1 GB\n\n"
                "[rule big-mailbox]\ncheck = mailbox-size\nmax = 1 GB\n")
    p = scan(t, info, huge_first_size, "a server reporting RFC822.SIZE 2^64-1", "sizes",
             extra=("--rules", rules, "--csv", t.path("sizes.csv")))
    t.eq(p.returncode, 0, "RFC822.SIZE 2^64-1: the scan completes")
    t.check("(%d bytes)" % MAX64 in p.out, "the summary's total stays at 2^64-1", p.out[:400])
    rep = json.loads(t.read("sizes.json"))
    msgs = [m for a in rep["accounts"] for s in a["sources"] for f in s["folders"] for m in f["messages"]]
    t.eq(sorted(m["size"] for m in msgs)[-1:], [MAX64], "the message keeps the size the server sent")
    t.eq(rep["totals"]["bytes"], MAX64, "JSON totals.bytes saturates")
    real = [f for a in rep["accounts"] for s in a["sources"] for f in s["folders"] if f["name"] == "Real"]
    t.eq([s["stats"]["bytes"] for a in rep["accounts"] for s in a["sources"]], [MAX64], "JSON source stats saturate")
    t.eq([f["stats"]["bytes"] for f in real], [MAX64], "JSON folder stats saturate")
    # schema 2: a mailbox rule's finding is the account's (accounts[].findings)
    rules_found = sorted({f["rule"] for a in rep["accounts"] for f in a.get("findings", [])} |
                         {f["rule"] for a in rep["accounts"] for s in a["sources"] for f in s["findings"]} |
                         {x["rule"] for a in rep["accounts"] for s in a["sources"] for f in s["folders"]
                          for x in f.get("findings", []) + f.get("final_findings", [])})
    t.check("big-mailbox" in rules_found and "big-folder" in rules_found,
            "the audit sees the folder and the account over 1 GB", rules_found)


def body(t):
    with dovecot.running(t, "mp-imapproxy-", need_plain=True) as (fx, d, info):
        m = fx.connect(d, "alice")
        fx.check(m.create(fx.quote("Real")), "CREATE Real")
        for n in range(1, 4):
            fx.check(m.append(fx.quote("Real"), None, None, message(n, "real %d" % n)), "APPEND")
        m.logout()
        folder_errors(t, info)
        huge_sizes(t, info)


main("imap-proxy", body)
