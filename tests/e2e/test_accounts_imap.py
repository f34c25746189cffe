"""Accounts on a real Dovecot (tests/imap-client/dovecot-fixture.py), as an
admin audits them (issue 15): every user of the server through one master
user login, by SASL PLAIN with an authorization identity and by Dovecot's
"user*master" form; the \\Sent special-use folder with a non-English name
("Mes envois"); a user who only reads; forwarding from the active Sieve
script through ManageSieve (Pigeonhole), with its false friends; read-only
(no flag changes); accounts in parallel under a connection bound give the
same report; one account that cannot log in is reported, the others go on;
the command line's password is not handed to several accounts; INTERNALDATE
is asked only for the messages whose arrival is evidence (or that have no
Date:), never for unread INBOX mail."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import ACCOUNTS_COLUMNS, main  # noqa: E402
from imapproxy import Proxy  # noqa: E402
import dovecot  # noqa: E402


def rows_of(t, path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    t.eq(rows[0] if rows else None, ACCOUNTS_COLUMNS, "accounts CSV columns")
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}


def flags(fx, d, user):
    m = fx.connect(d, user)
    m.select("INBOX", readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
    m.logout()
    return sorted(x.decode() if isinstance(x, bytes) else str(x) for x in data if x)


def body(t):
    with dovecot.running(t, "mp-acc-imap-") as (fx, d, info):
        arrival_fetches(t, fx, d, info)
        run_checks(t, fx, d, info)


class LineProxy(Proxy):
    """Every command line the client sent, with its connection's number."""

    def __init__(self, host, port):
        self.lines = []
        super().__init__(host, port)

    def opened(self, conn):
        conn.buf = b""

    def from_client(self, conn, data):
        with self.lock:
            conn.buf += data
            while b"\r\n" in conn.buf:
                line, conn.buf = conn.buf.split(b"\r\n", 1)
                self.lines.append((conn.n, line.decode("utf-8", "replace")))
        return data


def uid_set(text):
    uids = set()
    for part in text.split(","):
        first, _, last = part.partition(":")
        uids.update(range(int(first), int(last or first) + 1))
    return uids


def arrival_fetches(t, fx, d, info):
    """A Maildir server may stat a message file for its INTERNALDATE, so the
    scan asks for it only where the arrival time is activity evidence
    (DEFINITIONS.md: a message marked read; one in a folder the user made)
    or stands in for a missing Date: never for unread mail in INBOX, nor
    for read mail in Sent, whose evidence is its Date."""
    if not info.get("plain_host"):
        print("note: no plaintext listener (127.0.0.2): the INTERNALDATE check is left out")
        return
    with contextlib_quiet():
        fx.add_user(d, "gina", "gina-pw")
    m = fx.connect(d, "gina")

    def put(folder, subject, flags, dated=True):
        date = b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n" if dated else b""
        msg = (b"From: a@example.org\r\nTo: gina@example.org\r\nSubject: " + subject.encode() +
               b"\r\nMessage-ID: <" + subject.encode() + b"@example.org>\r\n" + date + b"\r\nbody\r\n")
        fx.check(m.append(folder, flags, None, msg), "APPEND " + subject)

    put("INBOX", "unread", None)              # INBOX UID 1: not asked
    put("INBOX", "read", "(\\Seen)")          # INBOX UID 2: reading
    put("INBOX", "undated", None, False)      # INBOX UID 3: no Date
    fx.check(m.create("Projects"), "CREATE Projects")
    put("Projects", "filed", None)            # Projects UID 1: filing
    put("Sent", "sent", "(\\Seen)")           # Sent UID 1: not asked
    m.logout()
    proxy = LineProxy(info["plain_host"], info["plain_port"])
    t.run("scan", "-q", "--no-progress", "--allow-plaintext", "--fail-on", "never",
          "imap://gina@127.0.0.1:%d" % proxy.listen_port, env={"MAILPREFLIGHT_PASSWORD": "gina-pw"},
          expect=0, what="scan of gina")
    proxy.close()
    folder, asked, metadata = {}, set(), []
    for conn, line in proxy.lines:
        words = line.split(" ")
        if len(words) >= 3 and words[1].upper() == "EXAMINE":
            folder[conn] = words[2].strip('"')
        elif len(words) >= 4 and words[1].upper() == "UID" and words[2].upper() == "FETCH":
            items = " ".join(words[4:]).upper()
            if "INTERNALDATE" in items:
                asked.update((folder.get(conn), u) for u in uid_set(words[3]))
            if "ENVELOPE" in items:
                metadata.append(items)
    t.check(metadata and not any("INTERNALDATE" in x for x in metadata),
            "INTERNALDATE: not in the metadata FETCH", metadata)
    t.eq(sorted(asked), [("INBOX", 2), ("INBOX", 3), ("Projects", 1)],
         "INTERNALDATE: asked for the read, the undated and the filed message only")


def run_checks(t, fx, d, info):
    if info.get("sieve_port") is None:
        t.skip("ManageSieve (dovecot-managesieved) is not installed")
    with contextlib_quiet():
        fx.seed(d)
    host, ca = info["host"], info["ca_file"]
    # alice redirects (a real command); bob's script only mentions redirect
    # in a comment and a string (false friends); chloe and dana have none
    scripts = {"alice": 'require ["copy"];\n# keep going\nif header :contains "subject" "x" { keep; }\n'
                        'redirect :copy "alice@elsewhere.example";\n',
               "bob": '# we never redirect here\nif header :contains "subject" "redirect" { fileinto "INBOX"; }\n'
                      'keep;\n'}
    for user, text in scripts.items():
        p = os.path.join(d, user + ".sieve")
        with open(p, "w") as f:
            f.write(text)
        fx.install_sieve(d, user, p)
    users = ["alice", "bob", "chloe", "dana"]
    url = "imap://%s@" + host + ":%d" % info["imap_port"]
    acc = t.path("users.csv")
    with open(acc, "w") as f:
        f.write("account,source\n" + "".join("%s,%s\n" % (u, url % u) for u in users))
    before = flags(fx, d, "dana")
    env = {"MAILPREFLIGHT_ADMIN_PASSWORD": info["master_users"]["admin"], "MAILPREFLIGHT_PASSWORD": None}
    base = ["scan", "-q", "--fail-on", "never", "--ca-file", ca, "--accounts", acc,
            "--managesieve-port", str(info["sieve_port"])]

    results = {}
    for form, extra in (("authzid", []), ("user*master", ["--admin-separator", info["master_separator"]])):
        out = t.path("acc-%s.csv" % form.replace("*", "-"))
        t.run(*base, "--admin-user", "admin", *extra, "--accounts-csv", out, env=env, expect=0,
              what="admin login (%s)" % form)
        results[form] = rows_of(t, out)
        t.eq(sorted(results[form]), users, "admin login (%s): every user is audited" % form)
    t.eq(results["authzid"], results["user*master"], "both admin login forms give the same accounts")
    r = results["authzid"]
    t.check(r["chloe"]["activity_evidence"].startswith("sending: Mes envois"),
            "\\Sent with a non-English name: chloe's 'Mes envois' is her Sent folder", r["chloe"]["activity_evidence"])
    t.check(r["dana"]["activity_evidence"].startswith("reading: INBOX"),
            "a user who only reads: reading evidence", r["dana"]["activity_evidence"])
    t.eq(r["dana"]["verdict"], "active", "a user who only reads is not abandoned")
    t.eq(r["alice"]["forwarded"], "yes", "ManageSieve: alice's active script redirects")
    t.check("ManageSieve" in r["alice"]["forward_evidence"] and "alice@elsewhere.example" in r["alice"]["forward_evidence"],
            "ManageSieve: the evidence names the script's redirect", r["alice"]["forward_evidence"])
    t.eq(r["bob"]["forwarded"], "no", "ManageSieve: 'redirect' in a comment or a string is no redirect")
    t.eq(r["chloe"]["forwarded"], "no", "ManageSieve: no active script is no forwarding")
    t.eq(r["chloe"]["verdict"], "abandoned", "chloe: sent last in 2024, no forwarding: abandoned")
    t.eq(flags(fx, d, "dana"), before, "read-only: the audit changed no flag (dana's unread mail is unread)")

    # without ManageSieve, forwarding of an IMAP account is unknown, never
    # "no" — and never the .forward of the directory the tool runs in
    out = t.path("nosieve.csv")
    cwd = t.path("cwd")
    os.makedirs(cwd)
    with open(os.path.join(cwd, ".forward"), "w") as f:
        f.write("everyone@elsewhere.example\n")
    here = os.getcwd()
    os.chdir(cwd)
    try:
        t.run("scan", "-q", "--fail-on", "never", "--ca-file", ca, "--accounts", acc, "--admin-user", "admin",
              "--managesieve-port", "0", "--accounts-csv", out, env=env, expect=0)
    finally:
        os.chdir(here)
    r0 = rows_of(t, out)
    t.eq({u: r0[u]["forwarded"] for u in users}, {u: "unknown" for u in users},
         "no ManageSieve: forwarding unknown for every IMAP account")
    t.eq(r0["chloe"]["verdict"], "idle-unknown-forwarding", "no ManageSieve: idle with unknown forwarding")

    # accounts in parallel under a bound of connections: the same report
    out = t.path("par.csv")
    t.run(*base, "--admin-user", "admin", "--parallel-accounts", "4", "--server-connections", "6",
          "--connections", "2", "--accounts-csv", out, env=env, expect=0)
    t.eq(rows_of(t, out), r, "parallel accounts under --server-connections: the same accounts CSV")

    # one account that cannot log in is reported; the others go on
    with open(acc, "a") as f:
        f.write("ghost,%s\n" % (url % "ghost"))
    out = t.path("ghost.csv")
    p = t.run(*base, "--admin-user", "admin", "--accounts-csv", out, env=env, expect=3)
    rg = rows_of(t, out)
    t.eq(sorted(rg), users + ["ghost"], "a failing account is reported with the others")
    t.eq((rg["ghost"]["read_errors"], rg["ghost"]["verdict"]), ("1", "unknown"), "the failing account says so")
    t.check(info["master_users"]["admin"] not in p.out + p.err, "the admin password is never printed")

    # an account's own password file (accounts file) is for that account at
    # its host; the run's password goes to the one host of the accounts that
    # have none (imap-secret.h). alice is read at one host name with the
    # run's password, bob at the other with his own file.
    other = "localhost" if host != "localhost" else "127.0.0.1"
    bob_pw = t.path("bob.pw")
    with open(bob_pw, "w") as f:
        f.write(info["users"]["bob"] + "\n")
    os.chmod(bob_pw, 0o600)
    own = t.path("own.csv")
    with open(own, "w") as f:
        f.write("account,source,password_file\nalice,%s,\nbob,imap://bob@%s:%d,%s\n"
                % (url % "alice", other, info["imap_port"], bob_pw))
    out = t.path("own-acc.csv")
    user_env = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"], "MAILPREFLIGHT_ADMIN_PASSWORD": None}
    p = t.run("scan", "-q", "--fail-on", "never", "--ca-file", ca, "--accounts", own, "--managesieve-port", "0",
              "--accounts-csv", out, env=user_env, expect=0, what="own password file beside the run's password")
    ro = rows_of(t, out)
    t.eq({u: ro[u]["read_errors"] for u in ro}, {"alice": "0", "bob": "0"},
         "alice logs in with the run's password at her host, bob with his own file at his")
    t.check(info["users"]["bob"] not in p.out + p.err, "bob's password is never printed")
    # the file wins: a wrong password in bob's file is not made up for by
    # the run's password (which is alice's, and for alice's host only)
    with open(bob_pw, "w") as f:
        f.write("not-his-password\n")
    out = t.path("own-wrong.csv")
    t.run("scan", "-q", "--fail-on", "never", "--ca-file", ca, "--accounts", own, "--managesieve-port", "0",
          "--accounts-csv", out, env=dict(user_env, MAILPREFLIGHT_PASSWORD=info["users"]["bob"]), expect=3,
          what="a wrong password in an account's own file")
    rw = rows_of(t, out)
    t.eq((rw["bob"]["read_errors"], rw["alice"]["read_errors"]), ("1", "1"),
         "bob's wrong file fails him (the run's password is not tried for him), and alice, whose host "
         "the run's password is for, fails with bob's password")

    # passwords are per account: one command-line password for several accounts is refused
    p = t.run("scan", "--ca-file", ca, "--accounts", acc, env={"MAILPREFLIGHT_PASSWORD": "x"}, expect=2)
    t.check("share one password" in p.err, "one password for several IMAP accounts is refused", p.err)


class contextlib_quiet:
    """Silences the fixture's prints."""

    def __enter__(self):
        self.old = sys.stdout
        sys.stdout = io.StringIO()

    def __exit__(self, *a):
        sys.stdout = self.old


main("accounts-imap", body)
