#!/usr/bin/env python3
"""A scripted, misbehaving IMAP server for the client tests (stdlib only).

  fake-imap-server.py SCENARIO [--tls CERT KEY] [--transcript FILE]

Listens on 127.0.0.1 on a free port, prints the port on the first line of
stdout, serves ONE connection and exits; it gives up after 60 s in any case
(accept and every read are bounded). --tls wraps the connection in TLS at
once (imaps). --transcript writes every line the client sent, so a test can
check what was (not) sent.

Scenarios:
  plain        no STARTTLS; AUTH=PLAIN; accepts any login
  login        no AUTH=PLAIN, no SASL-IR: LOGIN with literals; checks user
               "bob" and password 'P\u00e4 ss"w\\d'
  plain-noir   AUTH=PLAIN without SASL-IR: empty challenge, then the response
  inject       STARTTLS answered with "OK" and "* OK injected" in one write
  preauth      a PREAUTH greeting (with STARTTLS advertised)
  close-mid    after login, LIST is cut off in the middle of a literal
  stall        after the greeting, never answers
  alert        an [ALERT] in the greeting and a BYE before closing on LOGOUT
  oauth-fail   XOAUTH2/OAUTHBEARER with SASL-IR; the token is refused with a
               JSON challenge; expects the dummy answer, then NO
  oauth-ok     accepts user "alice" with token "tok123" in either format
  pipeline     answers two pipelined NOOPs in reverse order
  appendlimit-login  APPENDLIMIT=2000 in CAPABILITY only after a login as
               "alice" with "secret" (Gmail announces it only then)
  admin        an admin login as alice with admin's "admin-secret": SASL
               PLAIN with authzid "alice", or "alice*admin" by PLAIN or LOGIN
  admin-noplain  the same without AUTH=PLAIN: LOGIN "alice*admin" only
  special-use  LIST-EXTENDED and SPECIAL-USE: LIST must ask RETURN
               (SPECIAL-USE); "Mes envois" is \\Sent, one folder has two uses
  special-use-plain  SPECIAL-USE without LIST-EXTENDED: a plain LIST, whose
               answer carries the attributes anyway (RFC 6154 §2)
"""
import base64
import json
import socket
import ssl
import sys
import time

# Generous: under ASan with fast_unwind_on_malloc=0 (.ci/run) a client spends
# about 14 s loading the system trust store before its first TLS octet.
TIMEOUT = 60


class Conn:
    def __init__(self, sock, transcript):
        self.s = sock
        self.buf = b""
        self.transcript = transcript

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        if self.transcript:
            self.transcript.write(ln + b"\n")
            self.transcript.flush()
        return ln

    def raw(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        if self.transcript:
            self.transcript.write(b"<literal %d>" % n + data + b"\n")
        return data

    def command(self):
        """One command with its literals resolved: (tag, verb, [args bytes])."""
        parts = []
        ln = self.line()
        while ln.endswith(b"}") and b"{" in ln:
            head, _, n = ln[:-1].rpartition(b"{")
            plus = n.endswith(b"+")
            n = int(n.rstrip(b"+"))
            parts.append(head)
            if not plus:
                self.send("+ go ahead\r\n")
            parts.append(b"\0LIT" + self.raw(n))
            ln = self.line()
        parts.append(ln)
        whole = b"".join(p for p in parts if not p.startswith(b"\0LIT"))
        tag, _, rest = whole.partition(b" ")
        verb = rest.split(b" ", 1)[0].upper().decode(errors="replace")
        literals = [p[4:] for p in parts if p.startswith(b"\0LIT")]
        return tag.decode(errors="replace"), verb, whole, literals


def quoted_args(whole):
    """The quoted strings of a command line, unescaped."""
    out, i = [], 0
    s = whole.decode("utf-8", "replace")
    while i < len(s):
        if s[i] == '"':
            j, val = i + 1, ""
            while s[j] != '"':
                if s[j] == "\\":
                    j += 1
                val += s[j]
                j += 1
            out.append(val)
            i = j + 1
        else:
            i += 1
    return out


def alice_plain(dec):
    return dec.split(b"\0")[1:] == [b"alice", b"secret"]


LIST_INBOX = '* LIST (\\HasNoChildren) "/" INBOX\r\n'


def generic(c, caps, login_ok=lambda *a: True, caps_after_login=None, plain_ok=alice_plain,
            list_lines=LIST_INBOX):
    """A tiny command loop: CAPABILITY, LOGIN, AUTHENTICATE PLAIN, NOOP,
    LIST, LOGOUT. CAPS_AFTER_LOGIN: what CAPABILITY says once logged in;
    PLAIN_OK(decoded PLAIN message): accept it; LIST_LINES: LIST's answer."""
    logged_in = False
    while True:
        tag, verb, whole, lits = c.command()
        if verb == "CAPABILITY":
            shown = caps_after_login if logged_in and caps_after_login else caps
            c.send("* CAPABILITY %s\r\n%s OK done\r\n" % (shown, tag))
        elif verb == "LOGIN":
            c.send("%s %s\r\n" % (tag, "OK logged in" if login_ok(whole, lits) else
                                  "NO [AUTHENTICATIONFAILED] bad"))
        elif verb == "AUTHENTICATE":
            args = whole.split(b" ")
            if len(args) >= 4:
                payload = args[3]
            else:
                c.send("+ \r\n")
                payload = c.line()
            dec = base64.b64decode(payload)
            ok = plain_ok(dec)
            logged_in = logged_in or ok
            # the capabilities after login come with the OK, as Dovecot's
            after = caps_after_login or (caps + " IDLE")
            c.send("%s %s\r\n" % (tag, "OK [CAPABILITY %s] in" % after if ok else
                                  "NO [AUTHENTICATIONFAILED] bad"))
        elif verb == "NOOP":
            c.send("%s OK noop\r\n" % tag)
        elif verb == "LIST":
            c.send('%s%s OK list\r\n' % (list_lines, tag))
        elif verb == "LOGOUT":
            c.send("* BYE bye\r\n%s OK logout\r\n" % tag)
            return
        else:
            c.send("%s BAD unknown\r\n" % tag)


CAPS = "IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN"


def scenario(name, c):
    if name == "plain":
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        generic(c, CAPS)
    elif name == "login":
        caps = "IMAP4rev1"
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)

        def check(whole, lits):
            args = quoted_args(whole) + [l.decode("utf-8", "replace") for l in lits]
            return sorted(args) == sorted(["bob", 'P\u00e4 ss"w\\d'])
        generic(c, caps, check)
    elif name == "plain-noir":
        caps = "IMAP4rev1 AUTH=PLAIN"
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)
        generic(c, caps)
    elif name == "inject":
        c.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] fake ready\r\n")
        tag, verb, _, _ = c.command()
        if verb == "STARTTLS":
            c.send("%s OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n" % tag)
        c.s.settimeout(3)
        try:
            c._fill()
        except (EOFError, OSError):
            pass
    elif name == "preauth":
        c.send("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] already logged in\r\n")
        c.s.settimeout(3)
        try:
            c._fill()
        except (EOFError, OSError):
            pass
    elif name == "close-mid":
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        while True:
            tag, verb, whole, lits = c.command()
            if verb == "LIST":
                c.send('* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST () "/" {20}\r\nabc')
                return
            c.send("%s OK fine\r\n" % tag)
    elif name == "stall":
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        end = time.time() + 10
        c.s.settimeout(1)
        while time.time() < end:
            try:
                c._fill()
            except socket.timeout:
                continue
            except (EOFError, OSError):
                return
    elif name == "alert":
        c.send("* OK [CAPABILITY %s] fake ready\r\n* OK [ALERT] Maintenance tonight\r\n" % CAPS)
        generic(c, CAPS)
    elif name in ("oauth-fail", "oauth-ok"):
        caps = "IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=PLAIN"
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)
        while True:
            tag, verb, whole, lits = c.command()
            if verb == "LOGOUT":
                c.send("* BYE bye\r\n%s OK logout\r\n" % tag)
                return
            if verb != "AUTHENTICATE":
                c.send("%s OK fine\r\n" % tag)
                continue
            _, _, mech, payload = whole.decode().split(" ", 3)
            dec = base64.b64decode(payload)
            mech = mech.upper()
            if mech == "XOAUTH2":
                good = dec == b"user=alice\x01auth=Bearer tok123\x01\x01"
            else:
                good = dec.startswith(b"n,a=alice,\x01host=") and \
                    dec.endswith(b"\x01auth=Bearer tok123\x01\x01")
            if name == "oauth-ok" and good:
                c.send("%s OK [CAPABILITY IMAP4rev1 IDLE] welcome\r\n" % tag)
                continue
            err = {"status": "invalid_token", "scope": "https://mail.google.com/"}
            c.send("+ %s\r\n" % base64.b64encode(json.dumps(err).encode()).decode())
            answer = c.line()
            expected = b"AQ==" if mech == "OAUTHBEARER" else b""
            if answer == expected:
                c.send("%s NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n" % tag)
            else:
                c.send("%s BAD unexpected answer to the challenge\r\n" % tag)
    elif name == "appendlimit-login":
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        generic(c, CAPS, caps_after_login=CAPS + " APPENDLIMIT=2000")
    elif name in ("admin", "admin-noplain"):
        caps = CAPS if name == "admin" else "IMAP4rev1 LITERAL+"
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)

        def admin_plain(dec):
            # RFC 4616: authzid NUL authcid NUL password
            return dec in (b"alice\0admin\0admin-secret", b"\0alice*admin\0admin-secret")

        def admin_login(whole, lits):
            return quoted_args(whole) == ["alice*admin", "admin-secret"]
        generic(c, caps, admin_login, plain_ok=admin_plain)
    elif name in ("special-use", "special-use-plain"):
        caps = CAPS + " SPECIAL-USE" + (" LIST-EXTENDED" if name == "special-use" else "")
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)
        lines = ('* LIST (\\HasNoChildren) "/" INBOX\r\n'
                 '* LIST (\\HasNoChildren \\Sent) "/" "Mes envois"\r\n'
                 '* LIST (\\HasNoChildren \\sent) "/" Sent\r\n'
                 '* LIST (\\Archive \\JUNK \\HasNoChildren) "/" Both\r\n'
                 '* LIST (\\All \\Noselect) "/" "[Gmail]/All Mail"\r\n'
                 '* LIST (\\Marked \\Sentinel) "/" Other\r\n')
        generic(c, caps, list_lines=lines)
    elif name == "pipeline":
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        t1, _, _, _ = c.command()
        t2, _, _, _ = c.command()
        c.send("* 5 EXISTS\r\n%s OK second\r\n%s OK first\r\n" % (t2, t1))
        generic(c, CAPS)
    else:
        raise SystemExit("unknown scenario " + name)


def main(argv):
    name = argv[1]
    cert = key = transcript = None
    i = 2
    while i < len(argv):
        if argv[i] == "--tls":
            cert, key = argv[i + 1], argv[i + 2]
            i += 3
        elif argv[i] == "--transcript":
            transcript = open(argv[i + 1], "wb")
            i += 2
        else:
            raise SystemExit("bad argument " + argv[i])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    print(srv.getsockname()[1], flush=True)
    try:
        sock, _ = srv.accept()
    except socket.timeout:
        return 1
    sock.settimeout(TIMEOUT)
    try:
        if cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            sock = ctx.wrap_socket(sock, server_side=True)
        scenario(name, Conn(sock, transcript))
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass
        if transcript:
            transcript.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
