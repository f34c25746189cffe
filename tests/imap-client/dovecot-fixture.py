#!/usr/bin/env python3
"""A throw-away Dovecot 2.3 for the IMAP client tests (Python 3 stdlib only).

  dovecot-fixture.py certs DIR          test CA + certificates in DIR/tls
  dovecot-fixture.py start DIR          config in DIR, start, print one JSON line
  dovecot-fixture.py seed DIR           the standard folders and messages (see SEED)
  dovecot-fixture.py mkfolder DIR USER NAME
  dovecot-fixture.py append DIR USER FOLDER FILE [FLAG...]
  dovecot-fixture.py adduser DIR USER PASSWORD   one more user, while it runs
  dovecot-fixture.py sieve DIR USER FILE [NAME]   FILE becomes USER's active script
  dovecot-fixture.py stop DIR

Everything lives in DIR (under /tmp: the mail user must be able to traverse
it): the config (never /etc/dovecot), base_dir, logs (DIR/dovecot.log), the
passwd-file, Maildirs (DIR/mail/USER) and the TLS files. Listeners are on
127.0.0.1 only, on free unprivileged ports:
  imap   STARTTLS (143-style)       imaps  implicit TLS (993-style)
  plain  on 127.0.0.2 when that address can be bound: ssl = no and
         disable_plaintext_auth = no, a server without STARTTLS
  sieve  ManageSieve (RFC 5804, Pigeonhole's managesieved) with STARTTLS,
         when dovecot-managesieved is installed ("sieve_port" is null else)
Users (USERS) log in with their passwords; the master user (MASTER_USERS,
a separate passwd-file with master = yes) logs in as any of them, by SASL
PLAIN with an authorization identity (RFC 4616) or as "user*admin"
(auth_master_user_separator). chloe's Sent folder is "Mes envois"
(special-use \\Sent, RFC 6154) and she has no folder named Sent; dana
only reads (\\Seen messages, nothing sent). Sieve
scripts live in HOME/sieve, the active one linked from HOME/.dovecot.sieve
(Pigeonhole's file storage), HOME being DIR/home/USER.
Dovecot refuses to run mail processes as root: mail belongs to `vmail`,
created here with useradd when missing. Needs root (Dovecot's master binds
and switches users); `start` exits 77 (skip) when dovecot is not installed or
we are not root.
"""
import imaplib
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import time
import zlib

USERS = {
    "alice": "secret",
    # for LOGIN with literals: space, quote, backslash and UTF-8
    "bob": 'P\u00e4 ss"w\\d',
    # a French account: her Sent folder is "Mes envois" (SPECIAL-USE \Sent)
    "chloe": "motdepasse",
    # reads mail and never sends: \Seen messages, an empty Sent folder
    "dana": "reader",
}
# Dovecot master users (passdb master = yes): log in as any user above
MASTER_USERS = {"admin": "admin-secret"}
MASTER_SEPARATOR = "*"
# per-user settings (userdb extra fields, which override dovecot.conf)
USER_FIELDS = {
    "chloe": ["namespace/inbox/mailbox/Sent/auto=no"],
}
MAIL_USER = "vmail"
SKIP = 77


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def free_port(addr="127.0.0.1"):
    s = socket.socket()
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def can_bind(addr):
    try:
        free_port(addr)
        return True
    except OSError:
        return False


# ---- TLS ----------------------------------------------------------------

def _leaf(tls, name, san, cn=None):
    """A leaf certificate NAME for SAN ("DNS:a,IP:b"); SAN None gives one
    with no subjectAltName at all, only the subject CN."""
    key, csr, pem, ext = (os.path.join(tls, name + s) for s in (".key", ".csr", ".pem", ".ext"))
    if os.path.exists(pem):
        return
    with open(ext, "w") as f:
        if san:
            f.write("subjectAltName=%s\n" % san)
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + (cn or san.split(",")[0].split(":")[1]))
    run("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(tls, "ca.pem"),
        "-CAkey", os.path.join(tls, "ca.key"), "-CAcreateserial", "-days", "30",
        "-out", pem, "-extfile", ext)
    os.chmod(key, 0o600)


def make_certs(d):
    """DIR/tls: ca.pem (give it to --ca-file), server.pem/key for localhost and
    127.0.0.1, wrong.pem/key for wrong.example (same CA: only the name is
    wrong), nosan.pem/key with CN=localhost and no subjectAltName, dh.pem. Kept between runs: generated once per DIR."""
    tls = os.path.join(d, "tls")
    os.makedirs(tls, exist_ok=True)
    ca = os.path.join(tls, "ca.pem")
    if not os.path.exists(ca):
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", os.path.join(tls, "ca.key"), "-out", ca, "-days", "30",
            "-subj", "/CN=mailpreflight test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _leaf(tls, "server", "DNS:localhost,IP:127.0.0.1")
    _leaf(tls, "wrong", "DNS:wrong.example")
    # CN=localhost and no subjectAltName: RFC 9525 says no name at all
    _leaf(tls, "nosan", None, cn="localhost")
    dh = os.path.join(tls, "dh.pem")
    if not os.path.exists(dh):
        run("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
            "-out", dh)
    for f in os.listdir(tls):
        if not f.endswith(".key"):
            os.chmod(os.path.join(tls, f), 0o644)
    return {
        "ca_file": ca,
        "cert": os.path.join(tls, "server.pem"), "key": os.path.join(tls, "server.key"),
        "wrong_cert": os.path.join(tls, "wrong.pem"), "wrong_key": os.path.join(tls, "wrong.key"),
        "nosan_cert": os.path.join(tls, "nosan.pem"), "nosan_key": os.path.join(tls, "nosan.key"),
    }


# ---- Dovecot --------------------------------------------------------------

def ensure_mail_user():
    try:
        return pwd.getpwnam(MAIL_USER)
    except KeyError:
        run("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
            "--shell", "/usr/sbin/nologin", MAIL_USER)
        return pwd.getpwnam(MAIL_USER)


def has_managesieve():
    """Pigeonhole's managesieve (Debian dovecot-managesieved) is installed
    (and not hidden by MP_FIXTURE_NO_SIEVE=1, which tests the skip path)."""
    if os.environ.get("MP_FIXTURE_NO_SIEVE") == "1":
        return False
    return os.path.exists("/usr/lib/dovecot/managesieve-login") and \
        os.path.exists("/usr/lib/dovecot/managesieve")


def write_config(d, ports, plain_addr):
    vm = ensure_mail_user()
    t = make_certs(d)
    for sub in ("mail", "home"):
        p = os.path.join(d, sub)
        os.makedirs(p, exist_ok=True)
        os.chown(p, vm.pw_uid, vm.pw_gid)
    # passwd-file: user:password:uid:gid:gecos:home:shell:extra fields
    with open(os.path.join(d, "passwd"), "w") as f:
        for u, pw in USERS.items():
            extra = " ".join("userdb_" + x for x in USER_FIELDS.get(u, []))
            f.write("%s:{PLAIN}%s::::::%s\n" % (u, pw, extra))
    with open(os.path.join(d, "master-users"), "w") as f:
        for u, pw in MASTER_USERS.items():
            f.write("%s:{PLAIN}%s::::::\n" % (u, pw))
    for name in ("passwd", "master-users"):
        os.chmod(os.path.join(d, name), 0o644)
    listen = "127.0.0.1" + (", " + plain_addr if plain_addr else "")
    plain = ""
    if plain_addr:
        plain = """  inet_listener imap_plain {
    address = %s
    port = %d
  }
""" % (plain_addr, ports["plain"])
    local = ""
    if plain_addr:
        local = """# a server without STARTTLS, that takes passwords in clear
local %s {
  ssl = no
  disable_plaintext_auth = no
}
""" % plain_addr
    sieve = ""
    if ports.get("sieve"):
        # RFC 5804: ManageSieve has no implicit-TLS port; STARTTLS is offered
        # (ssl = yes) and passwords are refused before it
        # (disable_plaintext_auth = yes)
        sieve = """service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = %d
  }
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
""" % ports["sieve"]
    conf = """# written by tests/imap-client/dovecot-fixture.py; /etc/dovecot is never read
instance_name = mp-imapc-%(inst)s
base_dir = %(d)s/run
state_dir = %(d)s/state
log_path = %(d)s/dovecot.log
info_log_path = %(d)s/dovecot.log
protocols = %(protocols)s
# RFC 7889: announce a size limit, as Gmail does, for `scan --target`
imap_capability = +APPENDLIMIT=1000
listen = %(listen)s
ssl = yes
ssl_cert = <%(cert)s
ssl_key = <%(key)s
ssl_dh = <%(dh)s
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
# tests log in wrongly on purpose: no growing penalty per client address
# (anvil's doubles up to 15 s) and no 2 s wait per failure
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# admin login as "user*admin" (Dovecot master users)
auth_master_user_separator = %(sep)s
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
mail_uid = %(uid)d
mail_gid = %(gid)d
first_valid_uid = %(uid)d
first_valid_gid = %(gid)d
mail_location = maildir:%(d)s/mail/%%u
# master users first: they log in as the user named by the authorization
# identity (SASL PLAIN, RFC 4616) or before the separator; pass = yes checks
# that user in the passdb below
passdb {
  driver = passwd-file
  master = yes
  pass = yes
  args = scheme=PLAIN username_format=%%u %(d)s/master-users
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %(d)s/passwd
}
# the same file as userdb, for per-user settings (its extra fields)
userdb {
  driver = passwd-file
  args = username_format=%%u %(d)s/passwd
  default_fields = uid=%(uid)d gid=%(gid)d home=%(d)s/home/%%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox "Mes envois" {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %(imap)d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %(imaps)d
    ssl = yes
  }
%(plain)s}
%(sieve)s%(local)s""" % {
        "inst": "%08x" % zlib.crc32(d.encode()), "d": d, "listen": listen, "cert": t["cert"],
        "key": t["key"], "dh": os.path.join(d, "tls", "dh.pem"), "uid": vm.pw_uid,
        "gid": vm.pw_gid, "imap": ports["imap"], "imaps": ports["imaps"], "plain": plain,
        "local": local, "sieve": sieve, "sep": MASTER_SEPARATOR,
        "protocols": "imap sieve" if ports.get("sieve") else "imap",
    }
    path = os.path.join(d, "dovecot.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path, t


def wait_port(addr, port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection((addr, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def info_path(d):
    return os.path.join(d, "fixture.json")


def start(d):
    if shutil.which("dovecot") is None:
        print("dovecot is not installed (apt-get install dovecot-imapd)", file=sys.stderr)
        return SKIP
    if os.geteuid() != 0:
        print("dovecot-fixture needs root", file=sys.stderr)
        return SKIP
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    # the mail user and dovecot must traverse DIR and every parent; DIR is
    # ours to open up, its parents are not (no chmod of /root behind anyone)
    os.chmod(d, 0o755)
    p = os.path.dirname(d)
    while True:
        if not os.stat(p).st_mode & 0o001:
            print("%s is not traversable by other users: use a directory under /tmp" % p,
                  file=sys.stderr)
            return 1
        if p == "/":
            break
        p = os.path.dirname(p)
    plain_addr = "127.0.0.2" if can_bind("127.0.0.2") else None
    ports = {"imap": free_port(), "imaps": free_port()}
    if plain_addr:
        ports["plain"] = free_port(plain_addr)
    if has_managesieve():
        ports["sieve"] = free_port()
    conf, t = write_config(d, ports, plain_addr)
    # the daemon keeps inherited descriptors open: a pipe here would never end
    out_path = os.path.join(d, "dovecot-start.out")
    with open(out_path, "wb") as out:
        r = subprocess.run(["dovecot", "-c", conf], stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.stderr.write(open(out_path, errors="replace").read())
        log = os.path.join(d, "dovecot.log")
        if os.path.exists(log):
            sys.stderr.write(open(log, errors="replace").read()[-4000:])
        return 1
    deadline = time.time() + 20
    ok = wait_port("127.0.0.1", ports["imap"], deadline) and \
        wait_port("127.0.0.1", ports["imaps"], deadline)
    if ok and plain_addr:
        ok = wait_port(plain_addr, ports["plain"], deadline)
    if ok and ports.get("sieve"):
        ok = wait_port("127.0.0.1", ports["sieve"], deadline)
    if not ok:
        stop(d)
        print("dovecot did not start listening; see %s/dovecot.log" % d, file=sys.stderr)
        return 1
    info = {
        "host": "127.0.0.1", "imap_port": ports["imap"], "imaps_port": ports["imaps"],
        "plain_host": plain_addr, "plain_port": ports.get("plain"),
        "ca_file": t["ca_file"], "cert": t["cert"], "key": t["key"],
        "wrong_cert": t["wrong_cert"], "wrong_key": t["wrong_key"],
        "sieve_port": ports.get("sieve"),
        "users": USERS, "master_users": MASTER_USERS, "master_separator": MASTER_SEPARATOR,
        "dir": d, "config": conf,
    }
    with open(info_path(d), "w") as f:
        json.dump(info, f)
    print(json.dumps(info))
    return 0


def stop(d):
    d = os.path.abspath(d)
    conf = os.path.join(d, "dovecot.conf")
    pidf = os.path.join(d, "run", "master.pid")
    if not os.path.exists(pidf):
        return 0
    subprocess.run(["dovecot", "-c", conf, "stop"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while os.path.exists(pidf) and time.time() < deadline:
        time.sleep(0.1)
    if os.path.exists(pidf):
        try:
            os.kill(int(open(pidf).read().strip()), 9)
        except (OSError, ValueError):
            pass
        try:
            os.unlink(pidf)
        except OSError:
            pass
    return 0


# ---- content ----------------------------------------------------------------

def mutf7_encode(name):
    """RFC 3501 §5.1.3 modified UTF-7."""
    out, buf = [], []

    def flush():
        if buf:
            b = "".join(buf).encode("utf-16-be")
            import base64
            out.append("&" + base64.b64encode(b).decode().rstrip("=").replace("/", ",") + "-")
            buf.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def connect(d, user):
    info = json.load(open(info_path(d)))
    ctx = ssl.create_default_context(cafile=info["ca_file"])
    m = imaplib.IMAP4(info["host"], info["imap_port"], timeout=20)
    m.starttls(ssl_context=ctx)
    m.login(user, info["users"][user])
    return m


def install_sieve(d, user, path, name="main"):
    """Pigeonhole's file storage (sieve = file:~/sieve;active=~/.dovecot.sieve):
    the script is HOME/sieve/NAME.sieve and HOME/.dovecot.sieve a relative
    link to it, owned by the mail user, as ManageSieve's SETACTIVE leaves
    them."""
    if "/" in name or name.startswith("."):
        raise SystemExit("sieve: bad script name %r" % name)
    vm = ensure_mail_user()
    home = os.path.join(os.path.abspath(d), "home", user)
    scripts = os.path.join(home, "sieve")
    os.makedirs(scripts, exist_ok=True)
    target = os.path.join(scripts, name + ".sieve")
    shutil.copyfile(path, target)
    link = os.path.join(home, ".dovecot.sieve")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.join("sieve", name + ".sieve"), link)
    for p in (home, scripts, target):
        os.chown(p, vm.pw_uid, vm.pw_gid)
    os.lchown(link, vm.pw_uid, vm.pw_gid)
    return 0


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(res, what):
    if res[0] != "OK":
        raise SystemExit("%s: %r" % (what, res))


def add_user(d, user, password):
    """One more user of the running server (compare's target account):
    appended to the passwd-file, which Dovecot reads again when it changes,
    and to fixture.json for connect()."""
    d = os.path.abspath(d)
    if any(c in user + password for c in ":\n"):
        raise SystemExit("adduser: no ':' or newline in a user or password")
    with open(os.path.join(d, "passwd"), "a") as f:
        f.write("%s:{PLAIN}%s::::::\n" % (user, password))
    info = json.load(open(info_path(d)))
    info["users"][user] = password
    with open(info_path(d), "w") as f:
        json.dump(info, f)
    return 0


def mkfolder(d, user, name):
    m = connect(d, user)
    check(m.create(quote(mutf7_encode(name))), "CREATE " + name)
    m.logout()
    return 0


def append(d, user, folder, path, flags=()):
    m = connect(d, user)
    data = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    fl = "(" + " ".join(flags) + ")" if flags else None
    check(m.append(quote(mutf7_encode(folder)), fl, None, data), "APPEND " + folder)
    m.logout()
    return 0


def message(n, subject, extra=b""):
    return (b"From: Sender <sender@example.org>\r\nTo: alice@example.org\r\n"
            b"Subject: " + subject.encode() + b"\r\n"
            b"Message-ID: <seed-" + str(n).encode() + b"@example.org>\r\n"
            b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\n" + extra + b"Body " +
            str(n).encode() + b"\r\n")


# SEED: what the C tests expect for alice. INBOX: 3 messages (the 2nd
# \Flagged, none \Seen); folders Archive (1 message), "Entwürfe" (mUTF-7
# Entw&APw-rfe) and "Projects/2024"; Sent and Trash exist with SPECIAL-USE.
# chloe: "Mes envois" (\Sent, 1 message) and Trash, no Sent; INBOX 1 message.
# dana only reads: INBOX 2 messages, the first \Seen; Sent exists, empty.
def seed(d):
    m = connect(d, "alice")
    for name in ("Archive", "Entw\u00fcrfe", "Projects/2024"):
        check(m.create(quote(mutf7_encode(name))), "CREATE " + name)
    check(m.append("INBOX", None, None, message(1, "one")), "APPEND 1")
    check(m.append("INBOX", "(\\Flagged)", None, message(2, "two", b"x" * 1000 + b"\r\n")), "APPEND 2")
    check(m.append("INBOX", None, None, message(3, "three")), "APPEND 3")
    check(m.append("Archive", "(\\Answered)", None, message(4, "four")), "APPEND 4")
    m.logout()
    m = connect(d, "chloe")
    check(m.create(quote("Mes envois")), "CREATE Mes envois")
    check(m.append(quote("Mes envois"), "(\\Seen)", None, message(5, "envoi")), "APPEND 5")
    check(m.append("INBOX", None, None, message(6, "bonjour")), "APPEND 6")
    m.logout()
    m = connect(d, "dana")
    check(m.append("INBOX", "(\\Seen)", None, message(7, "read")), "APPEND 7")
    check(m.append("INBOX", None, None, message(8, "unread")), "APPEND 8")
    m.logout()
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, d = argv[1], argv[2]
    if cmd == "certs":
        os.makedirs(d, exist_ok=True)
        print(json.dumps(make_certs(os.path.abspath(d))))
        return 0
    if cmd == "start":
        return start(d)
    if cmd == "stop":
        return stop(d)
    if cmd == "seed":
        return seed(d)
    if cmd == "mkfolder" and len(argv) == 5:
        return mkfolder(d, argv[3], argv[4])
    if cmd == "adduser" and len(argv) == 5:
        return add_user(d, argv[3], argv[4])
    if cmd == "append" and len(argv) >= 6:
        return append(d, argv[3], argv[4], argv[5], argv[6:])
    if cmd == "sieve" and len(argv) in (5, 6):
        return install_sieve(d, argv[3], argv[4], *argv[5:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
