"""imapproxy: the one TCP proxy of the IMAP tests (Python 3 stdlib only).

The tests put it between mailpreflight and a server (Dovecot's plaintext
listener, its imaps port, fake-imap-server.py) to see what the client sends
(EXAMINE and never SELECT, no BODY[], no password to the wrong host, no
write command), to change what the server answers, or to cut a connection
at a chosen point. The proxy listens on a free port of BIND (127.0.0.1 unless
given), opens a connection to HOST:PORT for each client and copies each
direction in its own thread; when either side ends, fails or a hook cuts,
both sockets are closed.

    proxy = RecordingProxy(info["plain_host"], info["plain_port"])
    url = "imap://alice@127.0.0.1:%d" % proxy.listen_port   # or proxy.addr
    ... run mailpreflight ...
    proxy.close()
    t.check(b"EXAMINE" in bytes(proxy.sent), ...)

Hooks (override in a subclass; they run in the pipe threads, so state that
more than one connection touches is changed under self.lock):
  opened(conn)             once per connection, before any byte is copied:
                           set up CONN's own state (conn.n counts
                           connections from 1, in the order accepted)
  from_client(conn, data)  each chunk the client sent, before it goes on;
  from_server(conn, data)  each chunk the server sent, before it goes on.
                           Each returns the bytes to send on (DATA itself,
                           a rewrite, or b"" to hold them back), or None to
                           cut the connection without sending any of them;
                           raising Cut(head) sends HEAD and then cuts.
A cut, like the end of either side, closes both sockets; the client sees
the connection drop, as it would when a server or a network fails.
close() stops accepting; connections still open end with their peers."""
import socket
import threading


class Cut(Exception):
    """Raised by a hook: send HEAD (bytes), then close both sockets."""

    def __init__(self, head=b""):
        super().__init__("connection cut")
        self.head = head


class Connection:
    """One client connection: N (from 1, in the order accepted) and
    whatever state the hooks keep on it."""

    def __init__(self, n):
        self.n = n


class Proxy:
    """BIND:free port -> HOST:PORT, copying CHUNK bytes at most per read;
    LISTEN_PORT and ADDR ("BIND:port") say where to connect, COUNT how many
    connections were accepted."""

    def __init__(self, host, port, bind="127.0.0.1", chunk=65536):
        self.host, self.port, self.chunk = host, port, chunk
        self.lock = threading.Lock()
        self.count = 0
        self.sock = socket.socket()
        self.sock.bind((bind, 0))
        self.sock.listen(16)
        self.listen_port = self.sock.getsockname()[1]
        self.addr = "%s:%d" % (bind, self.listen_port)
        threading.Thread(target=self._accept, daemon=True).start()

    def opened(self, conn):
        pass

    def from_client(self, conn, data):
        return data

    def from_server(self, conn, data):
        return data

    def close(self):
        self.sock.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return  # close()d
            try:
                server = socket.create_connection((self.host, self.port), timeout=60)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.count += 1
                conn = Connection(self.count)
            self.opened(conn)
            for src, dst, hook in ((client, server, self.from_client), (server, client, self.from_server)):
                threading.Thread(target=self._pipe, args=(conn, src, dst, hook), daemon=True).start()

    def _pipe(self, conn, src, dst, hook):
        try:
            while True:
                data = src.recv(self.chunk)
                if not data:
                    break
                try:
                    out = hook(conn, data)
                except Cut as cut:
                    dst.sendall(cut.head)
                    break
                if out is None:
                    break
                dst.sendall(out)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


class RecordingProxy(Proxy):
    """Keeps what the clients send: SENT, all their bytes in the order they
    came (unless keep_bytes=False: an APPEND of megabytes need not stay in
    memory), and LINES, every line of each connection (CRLF taken off,
    decoded as UTF-8 with replacement), but for lines of MAX_LINE bytes or
    more (a literal's content), which are left out. Read both once the
    client is done."""

    MAX_LINE = 2000

    def __init__(self, host, port, keep_bytes=True, **kw):
        self.keep_bytes = keep_bytes
        self.sent = bytearray()
        self.lines = []
        super().__init__(host, port, **kw)

    def opened(self, conn):
        conn.buf, conn.skipping = b"", False

    def from_client(self, conn, data):
        with self.lock:
            if self.keep_bytes:
                self.sent += data
            conn.buf += data
            while b"\r\n" in conn.buf:
                line, conn.buf = conn.buf.split(b"\r\n", 1)
                if not conn.skipping and len(line) < self.MAX_LINE:
                    self.lines.append(line.decode("utf-8", "replace"))
                conn.skipping = False
            if len(conn.buf) >= self.MAX_LINE:  # keep a last \r: the CRLF may be split
                conn.buf, conn.skipping = conn.buf[-1:], True
        return data
