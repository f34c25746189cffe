#!/usr/bin/env python3
"""`fix split imap://...` on a real Dovecot (tests/imap-client/dovecot-fixture.py),
issue 17:

  - `scan` sends no write command: a proxy records every line a scan of the
    account sends; none is SELECT, APPEND, STORE, EXPUNGE, COPY, MOVE,
    CREATE, DELETE, RENAME... (the client refuses them too: imap-client.c);
  - without --apply nothing changes (a dry run, EXAMINE only); --apply
    without --backup, and --expunge without --apply, are refused;
  - a folder with messages of 150 and 400 attachments and one of 40 MB is
    fixed with --apply; the connection is cut (a proxy) after the parts'
    APPEND and before the first \\Deleted, then after the \\Deleted before
    UID EXPUNGE; each re-run finishes the job and no part is appended twice
    (counted by their X-Mailpreflight-Split header);
  - afterwards: a scan has no size or attachment errors; every original is
    in the backup mbox, byte-identical (un-quoted) to its BODY.PEEK[]
    before; the parts' flags and INTERNALDATE are the original's; every
    attachment (Python's email package, fixgen.attachment_digests) is in
    exactly one part; with --expunge the originals are gone and nothing
    else is (a message the user had marked \\Deleted stays).
--expunge on a server without UIDPLUS (fake-imap-server.py) is refused
before anything is written. The Dovecot checks are left out without root
or Dovecot. Args: MAILPREFLIGHT"""
import collections
import hashlib
import imaplib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, HERE)
import fixgen  # noqa: E402
from fixtest import blocking  # noqa: E402
from imapproxy import RecordingProxy  # noqa: E402
import dovecot  # noqa: E402
from mptest import TESTS, main, mbox_entry  # noqa: E402

FAKE = os.path.join(TESTS, "imap-client", "fake-imap-server.py")
WRITE_VERBS = {"SELECT", "APPEND", "STORE", "EXPUNGE", "COPY", "MOVE", "CREATE", "DELETE", "RENAME",
               "SUBSCRIBE", "UNSUBSCRIBE", "SETACL", "DELETEACL", "SETQUOTA", "SETMETADATA", "CLOSE",
               "REPLACE", "SETACTIVE", "PUTSCRIPT", "DELETESCRIPT"}
FOLDER = "Big"
APPENDLIMIT = 12 << 20
HOSTILE = b"<script>alert(1)</script> & \"quotes\""

QUOTA = 130 * 1024  # the original and part 1 fit, part 2 does not


class CuttingProxy(RecordingProxy):
    """127.0.0.1:port -> HOST:PORT in clear. Keeps every line the client
    sends (LINES); with CUT (bytes), the first connection on which the
    client sends CUT is closed before that command reaches the server."""

    def __init__(self, host, port, cut=None, hook=None):
        self.cut = cut
        self.hook = hook  # (bytes, function): called once before the client's line holding them goes on
        self.cuts, self.hooked = 0, 0
        super().__init__(host, port, keep_bytes=False)  # the APPENDs of the parts: megabytes

    def opened(self, conn):
        super().opened(conn)
        conn.tail = b""

    def from_client(self, conn, data):
        seen = conn.tail + data
        conn.tail = seen[-64:]
        with self.lock:
            if self.cut is not None and self.cuts == 0 and self.cut in seen:
                self.cuts += 1
                return None
            hook = self.hook is not None and self.hooked == 0 and self.hook[0] in seen
            if hook:
                self.hooked += 1
        if hook:
            self.hook[1]()
        return super().from_client(conn, data)


def verbs(lines):
    """The command verbs of the client's lines ("A3 UID FETCH ..." -> "UID FETCH")."""
    out = []
    for ln in lines:
        w = ln.split(" ")
        if len(w) < 2 or not re.match(r"^[A-Za-z0-9]+$", w[0]):
            continue
        v = w[1].upper()
        if v == "UID" and len(w) > 2:
            v = "UID " + w[2].upper()
        out.append(v)
    return out


def connect(info, user="alice"):
    ctx = ssl.create_default_context(cafile=info["ca_file"])
    m = imaplib.IMAP4_SSL(info["host"], info["imaps_port"], ssl_context=ctx, timeout=120)
    m.login(user, info["users"][user])
    return m


def state(info, user="alice", folder=FOLDER):
    """UID -> (flags without \\Recent, INTERNALDATE, bytes, split header) of FOLDER."""
    m = connect(info, user)
    m.select('"%s"' % folder, readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE BODY.PEEK[])")
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head = item[0].decode()
        uid = int(re.search(r"UID (\d+)", head).group(1))
        flags = set(re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()) - {"\\Recent"}
        date = re.search(r'INTERNALDATE "([^"]+)"', head).group(1)
        body = item[1]
        hdr = body.split(b"\r\n\r\n", 1)[0]
        split = re.search(rb"X-Mailpreflight-Split: part=(\d+)/(\d+);.*?sha256=([0-9a-f]{64})", hdr, re.S)
        out[uid] = (frozenset(flags), date, body, (int(split.group(1)), int(split.group(2)),
                                                   split.group(3).decode()) if split else None)
    m.logout()
    return out


def unquote_mboxrd(data):
    return re.sub(rb"(?m)^>(>*From )", rb"\1", data)


def seed(t, info):
    m = connect(info)
    fx_ok = m.create('"%s"' % FOLDER)[0] == "OK"
    t.check(fx_ok, "CREATE " + FOLDER)
    crlf = lambda b: b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # noqa: E731
    msgs = [
        # a subject the HTML report must escape
        (crlf(fixgen.many(150, mid="imap-150").replace(b"Subject: 150 attachments", b"Subject: " + HOSTILE)),
         "(\\Seen \\Flagged)", '"02-Mar-2021 10:11:12 +0100"'),
        (crlf(fixgen.plain(1)), "(\\Seen)", '"03-Mar-2021 08:00:00 +0000"'),
        (crlf(fixgen.many(400, size=100, mid="imap-400")), "(\\Answered $Work)", '"04-Mar-2021 23:59:59 -0500"'),
        # the user's own \Deleted message: never expunged by us
        (crlf(fixgen.plain(2)), "(\\Deleted)", '"05-Mar-2021 12:00:00 +0000"'),
        (crlf(fixgen.big_ones(40, 2, mid="imap-forty")), "()", '"06-Mar-2021 06:30:00 +0200"'),
    ]
    for data, flags, date in msgs:
        t.check(m.append('"%s"' % FOLDER, flags, date, data)[0] == "OK", "APPEND a fixture")
    m.logout()


def check_no_uidplus(t):
    """--expunge on a server without UIDPLUS (fake-imap-server.py's
    box-plain, behind the recording proxy) is refused before anything is
    written: exit 2, a message naming UIDPLUS, no backup, and no write
    command among the lines the client sent."""
    p = subprocess.Popen([sys.executable, FAKE, "box-plain"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        proxy = CuttingProxy("127.0.0.1", int(p.stdout.readline()))
        backup = t.path("nouidplus.mbox")
        r = t.run("fix", "split", "imap://alice@127.0.0.1:%d/INBOX" % proxy.listen_port, "--no-progress",
                  "--allow-plaintext", "--apply", "--expunge", "--backup", backup, expect=2,
                  what="--expunge without UIDPLUS", env={"MAILPREFLIGHT_PASSWORD": "secret"})
        proxy.close()
        t.check("UIDPLUS" in r.err and "plain EXPUNGE" in r.err, "the refusal names UIDPLUS and says why", r.err)
        t.check("run the same command again" not in r.out, "a refusal is not said to be resumable", r.out)
        t.check(not os.path.exists(backup), "nothing was backed up")
        sent = verbs(proxy.lines)
        t.check("LOGIN" in sent or "AUTHENTICATE" in sent, "the proxy saw the client's commands", sent)
        t.eq(sorted(set(v.replace("UID ", "") for v in sent) & WRITE_VERBS), [],
             "no write command was sent to the server without UIDPLUS")
    finally:
        p.kill()
        p.wait()


def check_usage(t):
    """What cannot work on an account is refused before connecting (the URL
    points at a closed port: a connection attempt would be exit 3)."""
    url = "imap://alice@127.0.0.1:9/INBOX"
    for args, what in ((("--apply",), "--apply without --backup"),
                       (("--expunge",), "--expunge without --apply"),
                       (("--out", t.path("x")), "--out with an IMAP account"),
                       (("--oversize", "detach"), "--oversize with an IMAP account"),
                       (("--out-format", "mbox"), "--out-format with an IMAP account"),
                       (("--json", "-", "--html", "-"), "--json and --html both on stdout"),
                       (("--dry-run", "--apply", "--backup", t.path("b.mbox")), "--dry-run with --apply"),
                       (("--admin-separator", "*"), "--admin-separator without --admin-user")):
        r = t.run("fix", "split", url, "--no-progress", *args, expect=2, what=what)
        t.check("Try 'mailpreflight fix split --help'" in r.err, what + ": a usage message", r.err)
    t.run("fix", "split", t.path("x.mbox"), "--out", t.path("y"), "--apply", expect=2,
          what="--apply with a mailbox on disk")


def body(t):
    check_usage(t)
    check_no_uidplus(t)
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        print("note: needs root and dovecot (apt-get install dovecot-imapd): the Dovecot checks are left out")
        return
    fx = t.fx = dovecot.load_fixture()
    # the fixture's Dovecot announces APPENDLIMIT=1000 to everyone (for
    # scan --target); here alice's is 12 MiB: under the rules' 17.5 MB, so
    # the parts of the 40 MB message must be planned for it (RFC 7889)
    # chloe has a storage quota her mail nearly fills: the server refuses the
    # parts' APPEND (NO [OVERQUOTA]) without announcing any limit before
    fx.USER_FIELDS = dict(fx.USER_FIELDS, alice=["imap_capability=+APPENDLIMIT=%d" % APPENDLIMIT],
                          chloe=fx.USER_FIELDS.get("chloe", []) + ["mail_plugins=quota", "quota=maildir",
                                                                     "imap_capability=+APPENDLIMIT=%d" % APPENDLIMIT,
                               "quota_rule=*:storage=%dB" % QUOTA])
    with dovecot.running(t, "mp-imapfix-", fx) as (fx, d, info):
        run_checks(t, info)


def fix(t, url, *args, expect=None, what=None, env=None):
    return t.run("fix", "split", url, "--no-progress", "--ca-file", t.ca, *args, expect=expect, what=what,
                 env=env)


def check_refused(t, info):
    """An APPEND the server refuses (over chloe's quota) stops that message:
    its original untouched, no part of it visible, the manifest says so."""
    m = connect(info, "chloe")
    data = fixgen.many(150, mid="chloe-150").replace(b"\n", b"\r\n")
    t.check(m.append("INBOX", "(\\Seen)", '"07-Mar-2021 07:00:00 +0000"', data)[0] == "OK", "APPEND chloe's message")
    m.logout()
    before = state(info, "chloe", "INBOX")
    url = "imaps://chloe@%s:%d/INBOX" % (info["host"], info["imaps_port"])
    backup = t.path("chloe.mbox")
    p = fix(t, url, "--apply", "--backup", backup, expect=1, what="an APPEND over quota",
            env={"MAILPREFLIGHT_PASSWORD": info["users"]["chloe"]})
    t.check("the server refused part" in p.out and "the original is untouched" in p.out,
            "the summary names the refused APPEND", p.out)
    after = state(info, "chloe", "INBOX")
    uid = next(iter(before))
    t.eq(after.get(uid), before[uid], "the refused message's original is untouched")
    t.eq([u for u, v in after.items() if v[3] and "\\Deleted" not in v[0]], [],
         "no part of the refused message is visible (those appended are \\Deleted)")
    with open(backup + ".json", encoding="utf-8") as f:
        man = json.load(f)
    t.eq([o["state"] for o in man["originals"]], ["refused"], "the manifest says refused")
    stale = man["originals"][0]["stale_parts"]
    t.check(len(stale) >= 1, "part 1 was accepted before the refusal (the quota is tuned so)", stale)
    t.eq(sorted(stale), sorted(u for u, v in after.items() if v[3]), "the manifest names the parts it got")
    # again, with --expunge: refused again, and no part of any attempt stays
    fix(t, url, "--apply", "--backup", backup, "--expunge", expect=1, what="the refused message again",
        env={"MAILPREFLIGHT_PASSWORD": info["users"]["chloe"]})
    t.eq(state(info, "chloe", "INBOX"), {uid: before[uid]}, "--expunge removed every part of the refused "
         "attempts, and only them")


def check_admin(t, info):
    """The admin login of issue 15: alice's mailbox with the master user's
    password (a dry run), by SASL authzid and by Dovecot's user*admin."""
    pw = t.path("admin.pw")
    with open(pw, "w") as f:
        f.write(t.fx.MASTER_USERS["admin"] + "\n")
    os.chmod(pw, 0o600)
    url = "imaps://alice@%s:%d/%s" % (info["host"], info["imaps_port"], FOLDER)
    for extra in ((), ("--admin-separator", "*")):
        p = fix(t, url, "--admin-user", "admin", "--admin-password-file", pw, *extra, expect=0,
                what="dry run with an admin login %s" % " ".join(extra), env={"MAILPREFLIGHT_PASSWORD": None})
        t.check("would split: 3 messages" in p.out, "the admin login sees alice's folder", p.out)


class TagChecker(HTMLParser):
    """Every element closed in order (void elements excepted), no <script>."""
    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.errors.append("a <script> element")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else ""))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def manifest_shape(doc):
    """Message-ID -> what the plan is for it: action, rules, size,
    attachments, and per part (size, attachments)."""
    out = {}
    for src in doc["sources"]:
        for m in src["messages"]:
            out[m["message_id"]] = (m["action"], tuple(m["rules"]), m["size"], m["attachments"],
                                    tuple((p["size"], p["attachments"], p["checked"]) for p in m["parts"]),
                                    len(m["attachment_list"]))
    return out


def check_dry_reports(t, info, url, before):
    """The dry run's --json is the manifest of the local fix of the same
    messages (exported to an mbox with their BODY.PEEK[] bytes): the same
    messages, parts, sizes and attachment counts; its --html is well formed,
    escapes a hostile Subject and has a strict CSP."""
    with open(t.path("dry.json"), encoding="utf-8") as f:
        dry = json.load(f)
    t.eq((dry["schema"], dry["mode"], dry["dry_run"]), ("mailpreflight-fix/1", "split", True),
         "dry run --json: a fix manifest of a dry run")
    msgs = [m for s in dry["sources"] for m in s["messages"]]
    t.eq(sorted(m["message_id"] for m in msgs), ["imap-150@fixgen.invalid", "imap-400@fixgen.invalid",
                                                 "imap-forty@fixgen.invalid"],
         "dry run --json: one entry per message planned")
    for m in msgs:
        t.eq((m["folder"], m["locator"], m["imap"]["state"], m["imap"]["backup"]),
             (FOLDER, "UID %d" % m["imap"]["uid"], "planned", None), "dry run --json: where it is, planned")
        t.check(all(p["uid"] is None for p in m["parts"]), "dry run --json: no part has a UID yet", m["parts"])
        t.check(m["imap"]["uid"] in before, "dry run --json: the UID is the message's", m["imap"])
    t.eq(dry["totals"]["messages"], 5, "dry run --json: the folder's five messages were read")
    t.eq(dry["limits"]["message_size"], APPENDLIMIT, "dry run --json: the server's APPENDLIMIT is the size limit")
    # the local fix of the same bytes, with the size limit the server's
    # APPENDLIMIT gave the account's (a file on disk has no APPENDLIMIT)
    mbox = t.path("exported.mbox")
    with open(mbox, "wb") as f:
        for u in sorted(before):
            f.write(mbox_entry(before[u][2]))
    with open(t.path("appendlimit.ini"), "w") as f:
        f.write("[profile]\nname = appendlimit\ninherits = outlook-connected-accounts\n\n"
                "[rule too-large]\nmax = %d KB\n" % (APPENDLIMIT // 1024))
    t.run("fix", "split", mbox, "--out", t.path("exported-out.mbox"), "--dry-run", "--no-progress", "--json",
          t.path("local.json"), "--rules", t.path("appendlimit.ini"), expect=0,
          what="the local dry run of the exported messages")
    with open(t.path("local.json"), encoding="utf-8") as f:
        local = json.load(f)
    t.eq(manifest_shape(dry), manifest_shape(local), "dry run --json: the same plan as the local fix")
    t.eq({k: dry["totals"][k] for k in ("messages", "bytes", "split", "parts", "not_fixed", "written")},
         {k: local["totals"][k] for k in ("messages", "bytes", "split", "parts", "not_fixed", "written")},
         "dry run --json: the same totals as the local fix")
    with open(t.path("dry.html"), encoding="utf-8") as f:
        html = f.read()
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    t.eq((checker.errors, checker.stack), ([], []), "dry run --html: every element closed, no script")
    t.check("<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in html,
            "dry run --html: the hostile subject is escaped", html[:3000])
    t.check("Content-Security-Policy" in html and "default-src 'none'" in html, "dry run --html: a strict CSP")
    t.check("(dry run)" in html and html.count("UID ") >= 3, "dry run --html: a dry run, each message by UID")


def check_from_report(t, info, url, before):
    """--from-report on an account: a scan of the whole account (--json),
    reviewed down to two of the three messages, one of them with another
    Message-ID: the dry run plans the one, reports the other as not the
    message the report lists, leaves the third alone; nothing changes."""
    account = "imaps://alice@%s:%d" % (info["host"], info["imaps_port"])
    t.run("scan", "--no-progress", "--fail-on", "never", "--ca-file", t.ca, "--json", t.path("scan.json"), account,
          expect=0, what="scan --json of the account")
    with open(t.path("scan.json"), encoding="utf-8") as f:
        rep = json.load(f)
    kept = []
    for src in (x for a in rep["accounts"] for x in a["sources"]):
        for folder in src["folders"]:
            msgs = []
            for m in folder["messages"]:
                if m["message_id"] == "imap-150@fixgen.invalid":
                    m["message_id"] = "someone-else@fixgen.invalid"
                if m["message_id"] == "imap-forty@fixgen.invalid":
                    continue
                msgs.append(m)
                kept.append((folder["name"], m["locator"], m["message_id"]))
            folder["messages"] = msgs
    t.check(("Big", "UID 3", "imap-400@fixgen.invalid") in kept, "the scan names Big's messages by UID", kept)
    with open(t.path("reviewed.json"), "w", encoding="utf-8") as f:
        json.dump(rep, f)
    p = fix(t, url, "--from-report", t.path("reviewed.json"), "--json", t.path("fr.json"), expect=1,
            what="dry run --from-report")
    with open(t.path("fr.json"), encoding="utf-8") as f:
        doc = json.load(f)
    got = sorted((m["message_id"], m["action"], (m["why"] or "")[:48]) for s in doc["sources"] for m in s["messages"])
    t.eq(got, [("imap-150@fixgen.invalid", "not-fixed", "the message here is not the one the report lists"),
               ("imap-400@fixgen.invalid", "split", "")],
         "--from-report: the listed message planned, the replaced one reported, the unlisted one left alone")
    t.eq(doc["options"]["from_report"], t.path("reviewed.json"), "--from-report: the manifest names the report")
    t.check("would split: 1 messages" in p.out, "--from-report: the summary counts the one", p.out)
    t.eq(state(info), before, "--from-report: the dry run changed nothing on the server")
    t.run("fix", "split", url, "--no-progress", "--from-report", t.path("missing.json"), expect=2,
          what="--from-report with a report that does not exist")
    r = fix(t, url, "--json", t.path("no-such-dir", "x.json"), expect=2, what="--json into a missing directory")
    t.check("no-such-dir" in r.err, "--json: the error names the file", r.err)


def check_apply_manifest(t, info, backup, originals, expunged):
    """--apply --json names each part's APPENDUID, and those messages are on
    the server: the parts of that original (their X-Mailpreflight-Split
    sha256), in order; the backup offsets are the backup manifest's."""
    with open(t.path("apply.json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(backup + ".json", encoding="utf-8") as f:
        bman = {o["uid"]: o for o in json.load(f)["originals"]}
    now = state(info)
    msgs = [m for s in doc["sources"] for m in s["messages"]]
    t.eq(doc["dry_run"], False, "--apply --json: not a dry run")
    t.eq(sorted(m["imap"]["uid"] for m in msgs), sorted(originals), "--apply --json: one entry per original")
    for m in msgs:
        uid = m["imap"]["uid"]
        sha = hashlib.sha256(originals[uid][2]).hexdigest()
        t.eq(m["sha256"], sha, "UID %d: the manifest's SHA-256 is the original's" % uid)
        t.eq(m["imap"]["state"], "expunged" if expunged else "deleted", "UID %d: its state" % uid)
        t.eq((m["imap"]["backup"], m["imap"]["backup_offset"], m["imap"]["backup_length"]),
             (os.path.abspath(backup), bman[uid]["backup_offset"], bman[uid]["backup_length"]),
             "UID %d: where its original is in the backup" % uid)
        got = [(p["part"], p["of"], now[p["uid"]][3][2] if p["uid"] in now and now[p["uid"]][3] else None)
               for p in m["parts"]]
        t.eq(got, [(k + 1, len(m["parts"]), sha) for k in range(len(m["parts"]))],
             "UID %d: every part's APPENDUID is on the server, that original's part k/N" % uid)
        t.check(all(p["locator"] == "UID %d" % p["uid"] for p in m["parts"]), "UID %d: parts located by UID" % uid)


def check_awkward_folders(t, info):
    """Folders whose names are sent escaped (a quote and a backslash: a
    quoted string's escapes) or encoded (UTF-8: modified UTF-7) are fixed
    like any other: EXAMINE, SELECT, APPEND and UID SEARCH name them the way
    the scan does (imap-client.c command_full). Names that need a literal
    (CR, LF, 8-bit octets) Dovecot does not create; the fake server's
    examine-literal scenarios test those (test-imap-client.c)."""
    import urllib.parse
    for name, imap_name in (('Q"uo\\te', '"Q\\"uo\\\\te"'), ("Entwürfe Ärger", '"Entw&APw-rfe &AMQ-rger"')):
        m = connect(info)
        typ, data = m.create(imap_name)
        if typ != "OK":
            print("note: Dovecot does not create %r: %r" % (name, data))
            m.logout()
            continue
        msg = fixgen.many(120, mid="awkward-%d" % len(name)).replace(b"\n", b"\r\n")
        t.check(m.append(imap_name, "(\\Seen)", '"08-Mar-2021 08:00:00 +0000"', msg)[0] == "OK",
                "APPEND to %r" % name)
        m.logout()
        url = "imaps://alice@%s:%d/%s" % (info["host"], info["imaps_port"], urllib.parse.quote(name, safe=""))
        backup = t.path("awkward-%d.mbox" % len(name))
        fix(t, url, "--apply", "--expunge", "--backup", backup, "--json", t.path("awkward.json"), expect=0,
            what="fix of the folder %r" % name)
        with open(t.path("awkward.json"), encoding="utf-8") as f:
            doc = json.load(f)
        msgs = [x for src in doc["sources"] for x in src["messages"]]
        t.eq([(x["folder"], x["imap"]["state"], len(x["parts"])) for x in msgs], [(name, "expunged", 2)],
             "%r: its message split, the original expunged" % name)
        m = connect(info)
        m.select(imap_name, readonly=True)
        typ, data = m.uid("SEARCH", "HEADER", "X-Mailpreflight-Split", "sha256=")
        found = sorted(int(u) for u in data[0].split())
        m.logout()
        t.eq(found, sorted(p["uid"] for p in msgs[0]["parts"]) if msgs else [],
             "%r: the parts are in that folder, under the UIDs the manifest names" % name)


def check_condstore(t, info, plain):
    """CONDSTORE (RFC 7162): another client flags the original \\Flagged
    after its parts were appended and verified, just before our UID STORE
    (UNCHANGEDSINCE its MODSEQ) reaches the server: the original is left
    alone (not \\Deleted, its new flag kept), its parts are marked \\Deleted
    and named stale, the message is reported not fixed; the same command
    run again splits it with the flags as they are now."""
    folder = "Cond"
    m = connect(info)
    t.check(m.create(folder)[0] == "OK", "CREATE " + folder)
    msg = fixgen.many(120, mid="cond-120").replace(b"\n", b"\r\n")
    t.check(m.append(folder, "(\\Seen)", '"09-Mar-2021 09:00:00 +0000"', msg)[0] == "OK", "APPEND to " + folder)
    m.logout()
    (uid,) = state(info, folder=folder).keys()

    def other_client():
        c = connect(info)
        c.select(folder)
        c.uid("STORE", str(uid), "+FLAGS", "(\\Flagged)")
        c.logout()

    proxy = CuttingProxy(plain, info["plain_port"], hook=(b"UNCHANGEDSINCE", other_client))
    purl = "imap://alice@127.0.0.1:%d/%s" % (proxy.listen_port, folder)
    backup = t.path("cond.mbox")
    p = fix(t, purl, "--allow-plaintext", "--apply", "--backup", backup, "--json", t.path("cond.json"), expect=1,
            what="another client changes the original during the run")
    proxy.close()
    t.eq(proxy.hooked, 1, "the server offers CONDSTORE: the \\Deleted was asked UNCHANGEDSINCE its MODSEQ")
    t.check("another client changed it during the run" in p.out and "Run the same command again" in p.out,
            "the summary says what happened and what to do", p.out)
    now = state(info, folder=folder)
    t.eq(sorted(now[uid][0]), ["\\Flagged", "\\Seen"], "the original is left alone, the other client's flag kept")
    parts = sorted(u for u, v in now.items() if v[3])
    t.check(len(parts) == 2 and all("\\Deleted" in now[u][0] for u in parts),
            "its parts are kept, marked \\Deleted (no client shows the message twice)", now)
    with open(backup + ".json", encoding="utf-8") as f:
        (o,) = json.load(f)["originals"]
    t.eq((o["state"], sorted(o["stale_parts"])), ("backed-up", parts), "the backup manifest: backed up, parts stale")
    with open(t.path("cond.json"), encoding="utf-8") as f:
        (rec,) = [x for src in json.load(f)["sources"] for x in src["messages"]]
    t.eq((rec["action"], rec["imap"]["state"]), ("not-fixed", "backed-up"), "--json: not fixed, backed up")
    url = "imaps://alice@%s:%d/%s" % (info["host"], info["imaps_port"], folder)
    fix(t, url, "--apply", "--expunge", "--backup", backup, expect=0, what="the same command again")
    now = state(info, folder=folder)
    t.check(uid not in now and not (set(parts) & set(now)), "the original and the stale parts are expunged", now)
    t.eq(sorted((v[3][0], v[3][1], sorted(v[0])) for v in now.values()),
         [(1, 2, ["\\Flagged", "\\Seen"]), (2, 2, ["\\Flagged", "\\Seen"])],
         "the new parts carry the flags as they are now, each once")


def run_checks(t, info):
    os.environ["MAILPREFLIGHT_PASSWORD"] = info["users"]["alice"]
    t.ca = info["ca_file"]
    url = "imaps://alice@%s:%d/%s" % (info["host"], info["imaps_port"], FOLDER)
    seed(t, info)
    before = state(info)
    originals = {u: v for u, v in before.items() if len(v[2]) > 1 << 20 or v[2].count(b"filename=") > 100}
    t.eq(len(originals), 3, "the fixture has three messages to split")

    plain = info.get("plain_host")
    # 1. scan sends no write command (a transcript through a proxy)
    if plain:
        proxy = CuttingProxy(plain, info["plain_port"])
        purl = "imap://alice@127.0.0.1:%d" % proxy.listen_port
        t.run("scan", "--no-progress", "--allow-plaintext", "--fail-on", "never", purl, expect=0,
              what="scan through the recording proxy")
        seen = verbs(proxy.lines)
        proxy.close()
        t.check("EXAMINE" in seen and "UID FETCH" in seen, "the proxy saw the scan's commands", seen[:20])
        bad = sorted(set(v.replace("UID ", "") for v in seen) & WRITE_VERBS)
        t.eq(bad, [], "scan sends no command that changes the mailbox")
    else:
        print("note: no plaintext listener (127.0.0.2): the transcript and cut checks are left out")

    # 2. usage and the dry run
    fix(t, url, "--apply", expect=2, what="--apply without --backup is refused")
    fix(t, url, "--expunge", expect=2, what="--expunge without --apply is refused")
    backup = t.path("backup.mbox")
    with open(t.path("other.mbox"), "wb") as f:
        f.write(b"From x Thu Jan  1 00:00:00 1970\n\nx\n")
    p = fix(t, url, "--apply", "--backup", t.path("other.mbox"), expect=2,
            what="an existing file that is no backup of ours is refused")
    check_admin(t, info)
    p = fix(t, url, "--json", t.path("dry.json"), "--html", t.path("dry.html"), expect=0, what="dry run")
    t.check("would split: 3 messages" in p.out, "the dry run plans the three", p.out)
    t.eq(state(info), before, "the dry run changed nothing on the server")
    t.check(not os.path.exists(backup), "the dry run wrote no backup")
    check_dry_reports(t, info, url, before)
    check_from_report(t, info, url, before)

    # 3. --apply, cut after APPEND before the first \Deleted, then after
    # the \Deleted before UID EXPUNGE
    if plain:
        proxy = CuttingProxy(plain, info["plain_port"], cut=b"UID STORE")
        purl = "imap://alice@127.0.0.1:%d/%s" % (proxy.listen_port, FOLDER)
        p = fix(t, purl, "--allow-plaintext", "--apply", "--backup", backup, expect=3,
                what="cut before the first \\Deleted")
        proxy.close()
        t.eq(proxy.cuts, 1, "the proxy cut the connection at UID STORE")
        t.check("run the same command again" in p.out, "the summary says how to finish", p.out)
        mid = state(info)
        t.check(all(u in mid and "\\Deleted" not in mid[u][0] for u in originals),
                "after the first cut every original is still there, not \\Deleted")
        parts = [v[3] for v in mid.values() if v[3]]
        t.check(len(parts) >= 2, "after the first cut the first message's parts are on the server", len(parts))

        proxy = CuttingProxy(plain, info["plain_port"], cut=b"UID EXPUNGE")
        purl = "imap://alice@127.0.0.1:%d/%s" % (proxy.listen_port, FOLDER)
        p = fix(t, purl, "--allow-plaintext", "--apply", "--expunge", "--backup", backup, "--json",
                t.path("apply.json"), expect=3, what="cut before UID EXPUNGE")
        proxy.close()
        check_apply_manifest(t, info, backup, originals, expunged=False)
        t.eq(proxy.cuts, 1, "the proxy cut the connection at UID EXPUNGE")
        t.check("found from an earlier run" in p.out and not re.search(r"(?m)0 found from an earlier run", p.out),
                "the re-run found the parts the cut run appended", p.out)
        mid = state(info)
        t.check(all(u in mid and "\\Deleted" in mid[u][0] for u in originals),
                "after the second cut every original is \\Deleted, none expunged")
        count = collections.Counter((v[3][2], v[3][0]) for v in mid.values() if v[3])
        t.check(all(n == 1 for n in count.values()), "no part was appended twice", count)
    else:
        fix(t, url, "--apply", "--backup", backup, "--json", t.path("apply.json"), expect=0, what="--apply")
        check_apply_manifest(t, info, backup, originals, expunged=False)

    p = fix(t, url, "--apply", "--expunge", "--backup", backup, expect=0, what="the last run finishes the job")
    after = state(info)

    # 4. what the server has now
    for u, v in before.items():
        if u in originals:
            t.check(u not in after, "original UID %d expunged" % u)
        else:
            t.eq(after.get(u), v, "message UID %d untouched (the user's \\Deleted one too)" % u)
    by_sha = collections.defaultdict(list)
    for u, v in after.items():
        if v[3]:
            by_sha[v[3][2]].append((v[3][0], v[3][1], u, v))
    for u, (flags, date, data, _) in originals.items():
        sha = hashlib.sha256(data).hexdigest()
        parts = sorted(by_sha.get(sha, []))
        t.check(len(parts) >= 2 and [k for k, _, _, _ in parts] == list(range(1, parts[0][1] + 1)),
                "UID %d: parts 1..N, each once" % u, [(k, n) for k, n, _, _ in parts])
        t.check(all(p[3][0] == flags for p in parts), "UID %d: the parts' flags are the original's" % u,
                [(sorted(p[3][0]), sorted(flags)) for p in parts])
        t.check(all(p[3][1] == date for p in parts), "UID %d: the parts' INTERNALDATE is the original's" % u,
                [(p[3][1], date) for p in parts])
        t.check(all(len(p[3][2]) <= APPENDLIMIT for p in parts), "UID %d: every part within APPENDLIMIT" % u,
                [len(p[3][2]) for p in parts])
        got = sorted(d for p in parts for d in fixgen.attachment_digests(p[3][2]))
        t.eq(got, fixgen.attachment_digests(data), "UID %d: every attachment in exactly one part" % u)

    # 5. the backup: every original, byte for byte
    with open(backup + ".json", encoding="utf-8") as f:
        man = json.load(f)
    t.eq(man["format"], "mailpreflight-imap-backup/1", "the manifest's format")
    with open(backup, "rb") as f:
        mbox = f.read()
    t.eq(mbox.count(b"\nFrom ") + mbox.startswith(b"From "), 3, "three entries in the backup mbox")
    t.eq(sorted(o["uid"] for o in man["originals"]), sorted(originals), "the manifest names the three")
    for o in man["originals"]:
        entry = mbox[o["backup_offset"]:o["backup_offset"] + o["backup_length"]]
        t.check(unquote_mboxrd(entry) == originals[o["uid"]][2],
                "UID %d: the backup entry is the server's bytes" % o["uid"])
        t.eq(o["state"], "expunged", "UID %d: the manifest says expunged" % o["uid"])
    # a second run has nothing to do and changes nothing
    p = fix(t, url, "--apply", "--expunge", "--backup", backup, expect=0, what="a run with nothing left to do")
    t.eq(state(info), after, "a run with nothing to do changes nothing")

    check_refused(t, info)
    check_awkward_folders(t, info)
    if plain:
        check_condstore(t, info, plain)

    # 6. a scan of the account: no size or attachment errors
    _, rows, _ = t.scan("imaps://alice@%s:%d" % (info["host"], info["imaps_port"]),
                        extra=("--ca-file", t.ca, "--fail-on", "never"), expect=0, tag="after")
    t.eq([(r["folder"], r["rule"]) for r in blocking(rows or [])], [],
         "a scan after the fix finds no size or attachment error")


main("fix-imap-apply", body)
