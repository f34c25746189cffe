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
Hostile servers (issue 14), after a login:
  ok-flood     answers NOOP with "* OK" every 0.2 s, never completing it
  trickle      answers NOOP with a status line, one octet every 0.1 s
  untagged-flood  answers NOOP with "* 1 FETCH (FLAGS ())" without end;
               EXAMINE INBOX says EXISTS 5, then UID FETCH 1:* (UID) gets
               FETCH responses with UIDs beyond it, without end
  sasl-endless answers AUTHENTICATE (and every answer to it) with "+ "
  examine-literal  LISTs folders whose names need literals (CR LF, raw
               UTF-8) next to INBOX; EXAMINE, SELECT and APPEND of each
               succeed only when the name arrives exactly (as a
               synchronizing literal: no LITERAL+; APPEND: the name's
               literal, then its flags and date, then the message's)
  examine-literal-plus  the same with LITERAL+ (the literal in one write)

Mailbox scenarios (box-*) serve every connection that comes (one thread
each) until killed or idle for 60 s, so that `mailpreflight scan imap://`
can run against them (plaintext: use --allow-plaintext). The account has an
INBOX of 8 small messages, UIDs 1-8 (multipart with a 300-octet line in
part 2 for box-content-*); LOGIN and AUTHENTICATE PLAIN accept user alice
with the password of --password (default "secret"), and the transcript
records what was tried. Message UID 3 (or the folders) is the hostile one:
  box-plain        nothing hostile (for the password tests)
  box-parts        UID 3 has a BODYSTRUCTURE of 10,000 parts (Dovecot's own
                   limit), UID 5 one of 50,000 (beyond what the parser holds)
  box-size         UID 3: RFC822.SIZE 99999999999999999999
  box-ok-flood     a FETCH holding UID 3: the UIDs before it, then "* OK"
                   every 0.2 s, never completing
  box-trickle      a FETCH holding UID 3: its response one octet every 50 ms
  box-uid-huge     UID 3 is answered as UID 4294967299 (2^32+3), subject WRONG
  box-subject      UIDs 2-5: a 60 MiB Subject (a literal) in the ENVELOPE
  box-uids-endless UID SEARCH ALL: 400,000 UIDs (more than EXISTS and than a
                   response holds); UID FETCH 1:* (UID): UIDs beyond EXISTS
                   without end
  box-sasl-endless AUTHENTICATE answered with "+ " without end
  box-content-huge content of UID 3: BODY[2] {18446744073709551615} where
                   300 octets were asked
  box-content-unasked  content of UID 3: after the BODY[2] asked for, 24
                   BODY[1] literals of 10 MiB nobody asked for
  box-list-escapes folders: a name with terminal escapes (EXAMINE refused),
                   "nul&AAA-cut" (U+0000 encoded), "Line\r\nTwo" and raw
                   UTF-8 (literals); each selectable one holds one message
"""
import base64
import json
import re
import socket
import ssl
import sys
import threading
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
    elif name in ("ok-flood", "trickle", "untagged-flood"):
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % CAPS)
        while True:
            tag, verb, whole, lits = c.command()
            if verb in ("CAPABILITY", "LOGIN", "AUTHENTICATE"):
                c.send("%s OK fine\r\n" % tag)
                continue
            if verb == "EXAMINE":
                c.send("* 5 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n%s OK [READ-ONLY] done\r\n" % tag)
                continue
            end = time.time() + 12
            n = 0
            while time.time() < end:
                n += 1
                if name == "ok-flood":
                    c.send("* OK still working on it\r\n")
                    time.sleep(0.2)
                elif name == "trickle":
                    for b in b"* OK one octet at a time, for ever and ever\r\n":
                        c.send(bytes([b]))
                        time.sleep(0.1)
                elif verb == "UID":
                    c.send("* %d FETCH (UID %d)\r\n" % (n, n))
                else:
                    c.send("* 1 FETCH (FLAGS ())\r\n")
            return
    elif name == "sasl-endless":
        c.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n")
        tag, verb, whole, lits = c.command()
        if verb == "CAPABILITY":
            c.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%s OK done\r\n" % tag)
            tag, verb, whole, lits = c.command()
        for _ in range(1000):
            c.send("+ \r\n")
            c.line()
        return
    elif name in ("examine-literal", "examine-literal-plus"):
        caps = "IMAP4rev1 AUTH=PLAIN SASL-IR" + (" LITERAL+" if name.endswith("plus") else "")
        c.send("* OK [CAPABILITY %s] fake ready\r\n" % caps)
        names = [b"Line\r\nTwo", "Entw\u00fcrfe".encode()]
        while True:
            tag, verb, whole, lits = c.command()
            if verb == "LIST":
                out = b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
                for n in names:
                    out += b'* LIST (\\HasNoChildren) "/" {%d}\r\n%s\r\n' % (len(n), n)
                c.send(out + b"%s OK list\r\n" % tag.encode())
            elif verb in ("EXAMINE", "SELECT"):
                got = lits[0] if lits else None
                if got in names:
                    c.send("* 1 EXISTS\r\n%s OK [READ-%s] opened\r\n" % (tag, "ONLY" if verb == "EXAMINE" else "WRITE"))
                else:
                    c.send("%s NO no such folder\r\n" % tag)
            elif verb == "APPEND":
                # the name as its own literal, then flags and date, then the
                # message: "APPEND {n}\r\nNAME (\\Seen) "date" {m}\r\nMESSAGE"
                ok = (len(lits) == 2 and lits[0] in names and lits[1] == b"Subject: x\r\n\r\nhi\r\n" and
                      whole.endswith(b' (\\Seen) "02-Mar-2021 10:11:12 +0100" '))
                appended = getattr(c, "appended", 0) + (1 if ok else 0)
                c.appended = appended
                if ok:
                    c.send("%s OK [APPENDUID 7 %d] appended\r\n" % (tag, appended))
                else:
                    c.send("%s NO not the name, flags, date or message sent\r\n" % tag)
            elif verb == "LOGOUT":
                c.send("* BYE bye\r\n%s OK logout\r\n" % tag)
                return
            else:
                c.send("%s OK fine\r\n" % tag)
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


# ---- mailbox scenarios ----------------------------------------------------

MIB = 1 << 20


def imap_quote(b):
    return b'"' + b.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


class Message:
    def __init__(self, uid, content):
        self.uid = uid
        self.subject = b"message %d" % uid
        self.subject_literal = None  # bytes sent as a literal instead
        self.date = b"Mon, 2 Mar 2026 10:%02d:00 +0000" % uid
        if uid == 8:
            self.date = None  # no Date: the arrival time (INTERNALDATE) stands in
        head = (b"From: Sender %d <s%d@example.org>\r\nTo: r@example.org\r\nSubject: %s\r\n"
                b"%sMessage-ID: <m%d@example.org>\r\nMIME-Version: 1.0\r\n"
                % (uid, uid, self.subject, b"Date: %s\r\n" % self.date if self.date else b"", uid))
        if content:
            self.parts = [b"short text\r\n", b"L" * 300 + b"\r\nend\r\n"]
            body = b"preamble\r\n"
            for p in self.parts:
                body += b"--BB\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + p
            body += b"--BB--\r\n"
            self.header = head + b'Content-Type: multipart/mixed; boundary="BB"\r\n\r\n'
        else:
            self.parts = [b"hello %d\r\n" % uid]
            body = self.parts[0]
            self.header = head + b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        self.raw = self.header + body

    def bodystructure(self):
        leaves = [b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" %d %d NIL NIL NIL NIL)'
                  % (len(p), p.count(b"\n")) for p in self.parts]
        if len(leaves) == 1:
            return leaves[0]
        return b"(" + b"".join(leaves) + b' "mixed" ("boundary" "BB") NIL NIL NIL)'

    def envelope(self):
        addr = lambda n: b'(("Sender %d" NIL "s%d" "example.org"))' % (n, n)
        subj = (b"{%d}\r\n%s" % (len(self.subject_literal), self.subject_literal)
                if self.subject_literal is not None else imap_quote(self.subject))
        return (b"(%s %s %s %s %s ((NIL NIL \"r\" \"example.org\")) NIL NIL NIL \"<m%d@example.org>\")"
                % (imap_quote(self.date) if self.date else b"NIL", subj, addr(self.uid), addr(self.uid),
                   addr(self.uid), self.uid))


def many_parts(n):
    leaf = b'("application" "octet-stream" ("name" "f.bin") NIL NIL "base64" 4 NIL ("attachment" NIL) NIL NIL)'
    return b"(" + leaf * n + b' "mixed" ("boundary" "b") NIL NIL NIL)'


def uid_set(spec, uids):
    """The UIDs of UIDS that the sequence set SPEC names."""
    out = []
    top = max(uids) if uids else 0
    for part in spec.split(","):
        a, _, b = part.partition(":")
        lo = top if a == "*" else int(a)
        hi = lo if not b else (top if b == "*" else int(b))
        lo, hi = min(lo, hi), max(lo, hi)
        out += [u for u in uids if lo <= u <= hi and u not in out]
    return sorted(out)


class Box:
    def __init__(self, name, password, transcript):
        self.name = name
        self.password = password.encode()
        self.transcript = transcript
        self.lock = threading.Lock()
        content = name.startswith("box-content")
        inbox = [Message(u, content) for u in range(1, 9)]
        self.folders = {b"INBOX": inbox}
        if name == "box-subject":
            for m in inbox[1:5]:
                m.subject_literal = b"S" * (60 * MIB)
        if name == "box-list-escapes":
            for f in (b"nul&AAA-cut", b"Line\r\nTwo", "Entw\u00fcrfe".encode()):
                self.folders[f] = [Message(1, False)]
            self.folders[b"Evil\x1b]0;pwned\x07\x1b[2J"] = None  # listed, not selectable

    def note(self, line):
        if self.transcript:
            with self.lock:
                self.transcript.write(line + b"\n")
                self.transcript.flush()

    # -- responses --

    def metadata(self, seq, m):
        uid = m.uid
        size = b"%d" % len(m.raw)
        subject_msg = m
        if m.uid == 3 and self.name == "box-size":
            size = b"99999999999999999999"
        if m.uid == 3 and self.name == "box-uid-huge":
            uid = 4294967299
            subject_msg = Message(3, False)
            subject_msg.subject = b"WRONG"
        bs = m.bodystructure()
        if self.name == "box-parts" and m.uid in (3, 5):
            bs = many_parts(10000 if m.uid == 3 else 50000)
        return (b'* %d FETCH (UID %d RFC822.SIZE %s FLAGS (\\Seen) ENVELOPE %s BODYSTRUCTURE %s)\r\n'
                % (seq, uid, size, subject_msg.envelope(), bs))

    def section(self, m, sec):
        if sec == "":
            return m.raw
        if sec.upper() == "HEADER":
            return m.header
        return m.parts[int(sec) - 1] if sec.isdigit() and 0 < int(sec) <= len(m.parts) else None

    def fetch(self, c, tag, msgs, spec, items):
        for seq, m in msgs:
            if items.startswith("(UID)"):
                c.send(b"* %d FETCH (UID %d)\r\n" % (seq, m.uid))
                continue
            if items.startswith("(UID INTERNALDATE)"):
                c.send(b'* %d FETCH (UID %d INTERNALDATE "02-Mar-2026 11:%02d:00 +0000")\r\n' % (seq, m.uid, m.uid))
                continue
            secs = re.findall(r"BODY\.PEEK\[([^\]]*)\]", items)
            if secs:
                out = b"* %d FETCH (UID %d" % (seq, m.uid)
                for sec in secs:
                    data = self.section(m, sec)
                    if m.uid == 3 and self.name == "box-content-huge" and sec == "2":
                        c.send(out + b" BODY[2] {18446744073709551615}\r\n")
                        end = time.time() + 20
                        while time.time() < end:
                            c.send(b"x" * 65536)
                        return False
                    out += (b" BODY[%s] NIL" % sec.encode() if data is None else
                            b" BODY[%s] {%d}\r\n%s" % (sec.encode(), len(data), data))
                    if m.uid == 3 and self.name == "box-content-unasked" and sec == "2":
                        c.send(out)
                        out = b""
                        junk = b"J" * (10 * MIB)
                        for _ in range(24):
                            c.send(b" BODY[1] {%d}\r\n" % len(junk))
                            c.send(junk)
                c.send(out + b")\r\n")
                continue
            data = self.metadata(seq, m)
            if m.uid == 3 and self.name == "box-ok-flood":
                end = time.time() + 20
                while time.time() < end:
                    c.send(b"* OK still working\r\n")
                    time.sleep(0.2)
                return False
            if m.uid == 3 and self.name == "box-trickle":
                for b in data:
                    c.send(bytes([b]))
                    time.sleep(0.05)
                continue
            c.send(data)
        c.send(b"%s OK fetched\r\n" % tag)
        return True

    def session(self, c):
        caps = b"IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN"
        c.send(b"* OK [CAPABILITY %s] fake mailbox ready\r\n" % caps)
        folder = None
        while True:
            tag, verb, whole, lits = c.command()
            tag = tag.encode()
            if verb == "CAPABILITY":
                c.send(b"* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))
            elif verb in ("LOGIN", "AUTHENTICATE"):
                if self.name == "box-sasl-endless":
                    for _ in range(10000):
                        c.send(b"+ \r\n")
                        c.line()
                    return
                if verb == "LOGIN":
                    args = quoted_args(whole) + [l.decode("utf-8", "replace") for l in lits]
                    pw = args[1].encode() if len(args) > 1 else b""
                else:
                    pw = base64.b64decode(whole.split(b" ")[3]).split(b"\0")[2]
                self.note(b"LOGIN-PASSWORD " + pw)
                ok = pw == self.password
                c.send(b"%s %s\r\n" % (tag, b"OK logged in" if ok else b"NO [AUTHENTICATIONFAILED] bad"))
            elif verb == "LIST":
                out = b""
                for f, msgs in self.folders.items():
                    name = (b"{%d}\r\n%s" % (len(f), f)) if (b"\r" in f or max(f) > 0x7e) else imap_quote(f)
                    out += b'* LIST (\\HasNoChildren) "/" %s\r\n' % name
                c.send(out + b"%s OK listed\r\n" % tag)
            elif verb == "EXAMINE":
                name = lits[0] if lits else (quoted_args(whole)[0].encode("utf-8", "surrogateescape")
                                            if b'"' in whole else whole.split(b" ")[2])
                self.note(b"EXAMINE " + name.replace(b"\r", b"\\r").replace(b"\n", b"\\n"))
                msgs = self.folders.get(name)
                if msgs is None:
                    c.send(b"%s NO [NONEXISTENT] no such folder\r\n" % tag)
                    folder = None
                    continue
                folder = msgs
                c.send(b"* %d EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT %d] ok\r\n"
                       b"%s OK [READ-ONLY] examined\r\n" % (len(msgs), len(msgs) + 1, tag))
            elif verb == "UID" and folder is not None and b" SEARCH " in whole.upper():
                if self.name == "box-uids-endless":
                    # more UIDs than the folder has, and than a response holds
                    c.send(b"* SEARCH" + b"".join(b" %d" % u for u in range(1, 400001)) + b"\r\n")
                else:
                    c.send(b"* SEARCH" + b"".join(b" %d" % m.uid for m in folder) + b"\r\n")
                c.send(b"%s OK searched\r\n" % tag)
            elif verb == "UID" and folder is not None:
                _, _, _, spec, items = whole.decode().split(" ", 4)
                if self.name == "box-uids-endless" and items == "(UID)":
                    n = 0
                    end = time.time() + 20
                    while time.time() < end:
                        n += 1
                        c.send(b"* %d FETCH (UID %d)\r\n" % (n, n))
                    return
                uids = [m.uid for m in folder]
                want = uid_set(spec, uids)
                msgs = [(i + 1, m) for i, m in enumerate(folder) if m.uid in want]
                if not self.fetch(c, tag, msgs, spec, items):
                    return
            elif verb == "LOGOUT":
                c.send(b"* BYE bye\r\n%s OK logout\r\n" % tag)
                return
            elif verb == "NOOP":
                c.send(b"%s OK noop\r\n" % tag)
            else:
                c.send(b"%s BAD unknown\r\n" % tag)


def serve_box(srv, name, password, transcript):
    """Every connection in its own thread, until idle for 60 s."""
    box = Box(name, password, transcript)
    srv.settimeout(60)

    def one(sock):
        sock.settimeout(TIMEOUT)
        try:
            box.session(Conn(sock, None))
        except (EOFError, OSError):
            pass
        except Exception as e:  # a bug in the script: say so in the transcript
            box.note(b"SERVER ERROR " + repr(e).encode())
        finally:
            try:
                sock.close()
            except OSError:
                pass
    while True:
        try:
            sock, _ = srv.accept()
        except (socket.timeout, OSError):
            return 0
        threading.Thread(target=one, args=(sock,), daemon=True).start()


def main(argv):
    name = argv[1]
    cert = key = transcript = None
    password = "secret"
    i = 2
    while i < len(argv):
        if argv[i] == "--tls":
            cert, key = argv[i + 1], argv[i + 2]
            i += 3
        elif argv[i] == "--transcript":
            transcript = open(argv[i + 1], "wb")
            i += 2
        elif argv[i] == "--password":
            password = argv[i + 1]
            i += 2
        else:
            raise SystemExit("bad argument " + argv[i])
    if name.startswith("box-"):
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        print(srv.getsockname()[1], flush=True)
        return serve_box(srv, name, password, transcript)
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
