#!/usr/bin/env python3
"""A scripted, misbehaving ManageSieve server (RFC 5804) for the client
tests (stdlib only).

  fake-managesieve-server.py SCENARIO --tls CERT KEY [--transcript FILE]

Listens on 127.0.0.1 on a free port, prints the port on the first line of
stdout, serves ONE connection and exits; it gives up after 60 s in any case.
Like Pigeonhole it starts in clear and offers STARTTLS (CERT/KEY); after the
handshake it sends its capabilities again (RFC 5804 §2.2). --transcript
writes every line the client sent (with AUTHENTICATE's base64 decoded as
"PLAIN authzid|authcid|password"), so a test can check what was sent.

Users: alice / "secret"; the admin "admin" / "admin-secret" logs in as alice
with authzid "alice" or as "alice*admin". alice's scripts: "vacation",
"main" (ACTIVE, MAIN below) and a name that needs a literal.

Scenarios:
  ok            as above
  no-active     LISTSCRIPTS lists scripts, none ACTIVE
  no-starttls   no STARTTLS capability; AUTHENTICATE accepted in clear
  inject        STARTTLS's OK and a forged capability line in one write
  bye           a capability list, then BYE "Too many connections"
  huge          GETSCRIPT announces a literal of 2 MiB
  garbage       LISTSCRIPTS answered with an ungrammatical line
  oauth-fail    SASL OAUTHBEARER only; a token is refused with a JSON
                challenge; expects the "AQ==" answer, then NO
  stall         the greeting, then silence
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
MAIN = b'require ["copy"];\r\n# we never redirect in comments\r\nif true { redirect :copy "jo@example.org"; }\r\n'
ODD_NAME = 'odd "one"\r\nline'


def caps(tls_done, starttls=True, sasl="PLAIN LOGIN"):
    out = ['"IMPLEMENTATION" "fake-managesieve"', '"SIEVE" "fileinto copy"', '"VERSION" "1.0"']
    out.append('"SASL" "%s"' % sasl)
    if starttls and not tls_done:
        out.append('"STARTTLS"')
    return "".join(line + "\r\n" for line in out)


class Conn:
    def __init__(self, sock, transcript):
        self.s = sock
        self.buf = b""
        self.transcript = transcript

    def send(self, data):
        self.s.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def log(self, text):
        if self.transcript:
            self.transcript.write(text + b"\n")
            self.transcript.flush()


def linger(c, seconds):
    """Waits until the client closes (EOF) or SECONDS pass."""
    end = time.time() + seconds
    c.s.settimeout(0.2)
    while time.time() < end:
        try:
            c._fill()
        except socket.timeout:
            continue


def strings(line):
    """The quoted strings of a command line, unescaped."""
    out, i, s = [], 0, line.decode("utf-8", "replace")
    while i < len(s):
        if s[i] == '"':
            j, val = i + 1, ""
            while j < len(s) and s[j] != '"':
                if s[j] == "\\":
                    j += 1
                val += s[j]
                j += 1
            out.append(val)
            i = j + 1
        else:
            i += 1
    return out


def plain_ok(dec):
    return dec in (b"\0alice\0secret", b"alice\0admin\0admin-secret", b"\0alice*admin\0admin-secret")


def serve(name, c, cert, key):
    tls_done = False
    starttls = name != "no-starttls"
    sasl = "OAUTHBEARER" if name == "oauth-fail" else "PLAIN LOGIN"
    if name == "bye":
        c.send(caps(False) + 'BYE "Too many connections"\r\n')
        return
    c.send(caps(False, starttls, sasl) + 'OK "fake ready"\r\n')
    if name == "stall":
        linger(c, 10)  # silence until the client gives up
        return
    while True:
        ln = c.line()
        verb = ln.split(b" ", 1)[0].upper()
        if verb == b"AUTHENTICATE":
            args = strings(ln)
            dec = base64.b64decode(args[1]) if len(args) > 1 else b""
            c.log(b"AUTHENTICATE " + args[0].encode() + b" " + dec.replace(b"\0", b"|"))
        else:
            c.log(ln)
        if verb == b"STARTTLS" and starttls and not tls_done:
            if name == "inject":
                c.send('OK "Begin TLS"\r\n"SASL" "PLAIN"\r\n')
                linger(c, 3)
                return
            c.send('OK "Begin TLS negotiation now."\r\n')
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            c.s = ctx.wrap_socket(c.s, server_side=True)
            tls_done = True
            c.send(caps(True, starttls, sasl) + 'OK "TLS negotiation successful."\r\n')
        elif verb == b"CAPABILITY":
            c.send(caps(tls_done, starttls, sasl) + 'OK "Capability completed."\r\n')
        elif verb == b"AUTHENTICATE":
            if name == "oauth-fail":
                err = base64.b64encode(json.dumps({"status": "invalid_token"}).encode()).decode()
                c.send('"%s"\r\n' % err)
                answer = c.line()
                c.log(answer)
                c.send('NO "bad token"\r\n' if answer == b'"AQ=="' else 'BYE "protocol"\r\n')
                continue
            c.send('OK "Logged in."\r\n' if plain_ok(dec) else 'NO "Authentication failed."\r\n')
        elif verb == b"LISTSCRIPTS":
            if name == "garbage":
                c.send('"main" ACTIVE )\r\nOK\r\n')
                continue
            active = "" if name == "no-active" else " ACTIVE"
            odd = ODD_NAME.encode()
            c.send(b'"vacation"\r\n"main"' + active.encode() + b"\r\n{%d}\r\n" % len(odd) + odd +
                   b'\r\nOK "Listscripts completed."\r\n')
        elif verb == b"GETSCRIPT":
            want = strings(ln)[0] if strings(ln) else ""
            if name == "huge":
                c.send("{%d}\r\n" % (2 << 20))
                linger(c, 3)
                return
            if want == "main":
                c.send(b"{%d}\r\n" % len(MAIN) + MAIN + b'\r\nOK "Getscript completed."\r\n')
            else:
                c.send('NO (NONEXISTENT) "Sieve script `%s\' not found"\r\n' % want.replace('"', "'"))
        elif verb == b"LOGOUT":
            c.send('OK "Logout completed."\r\n')
            return
        else:
            c.send('NO "Unknown command."\r\n')


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
    c = Conn(sock, transcript)
    try:
        serve(name, c, cert, key)
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            c.s.close()
        except OSError:
            pass
        if transcript:
            transcript.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
