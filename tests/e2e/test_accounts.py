"""Accounts, not just mailboxes (issue 15): the account model, discovery
(SOURCE arguments, a spool tree, --accounts FILE, --accounts-dir and
--layout), activity evidence with kind and place, verdicts at and around
the six-month boundary, the accounts CSV and the account on every row.

Every time is set by the test: Date: headers, Maildir flags and file times
(os.utime), mbox Status: and From_ lines, and --as-of."""
import csv
import io
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import ACCOUNTS_COLUMNS, main, make_message, write_maildir, write_mbox  # noqa: E402

AS_OF = "2025-07-15T10:00:00Z"
DAY = 86400


def ts(text):
    """Unix seconds of an ISO 8601 UTC time."""
    return int(time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)


def rfc(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def maildir(root, msgs, flags="S", sub="cur", mtime=None, folder=None):
    """Messages (subject, date) into ROOT (or its Maildir++ FOLDER), each
    file's mtime (the arrival time) set to MTIME or the message's date."""
    d = os.path.join(root, "." + folder) if folder else root
    names = ["%d.M%dP1.t%s" % (1500000000 + i, i, (":2," + flags) if sub == "cur" else "") for i in range(len(msgs))]
    paths = write_maildir(d, [make_message(s, date=rfc(t), mid="%s-%d@t" % (s, i)) for i, (s, t) in enumerate(msgs)],
                          names=names, sub=sub)
    for (s, t), p in zip(msgs, paths or [os.path.join(d, sub, n) for n in names]):
        os.utime(p, (mtime or t, mtime or t))
    return d


def read_accounts(t, path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    t.eq(rows[0] if rows else None, ACCOUNTS_COLUMNS, "accounts CSV: the documented columns")
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def make_spool(t, root):
    """/srv/mail-like: alice active, bob idle but forwarded (.forward),
    carol abandoned, dave without any evidence (unread mail only)."""
    as_of = ts(AS_OF)
    old = as_of - 400 * DAY
    # alice sent a month ago; her Sent folder has a non-English name
    a = os.path.join(root, "alice", "Maildir")
    maildir(a, [("hello", old)])
    maildir(a, [("sent by alice", as_of - 30 * DAY)], folder="Gesendete Objekte")
    # bob: idle, but his home forwards elsewhere
    b = os.path.join(root, "bob", "Maildir")
    maildir(b, [("to bob", old)])
    maildir(b, [("sent by bob", old)], folder="Sent")
    with open(os.path.join(root, "bob", ".forward"), "w") as f:
        f.write("# forward everything to my new job\nbob@new-job.example\n")
    # carol: idle, a .forward that only keeps a comment and a pipe without
    # forwarding (false friends), nothing forwards
    c = os.path.join(root, "carol", "Maildir")
    maildir(c, [("to carol", old)])
    maildir(c, [("sent by carol", old - DAY)], folder="Sent")
    with open(os.path.join(root, "carol", ".forward"), "w") as f:
        f.write("# we never forward: bob@example.org\n\"|/usr/bin/vacation carol\"\n")
    # dave: unread mail only: no evidence
    d = os.path.join(root, "dave", "Maildir")
    maildir(d, [("unread", old)], sub="new")
    return {"alice": a, "bob": b, "carol": c, "dave": d}


def body(t):
    m = t.binary
    spool = t.path("srv", "mail")
    dirs = make_spool(t, spool)
    names = sorted(dirs)

    # ---- scan /srv/mail/*/Maildir: every account, and which it is ----------
    out = t.path("glob.csv")
    p, findings, inventory = t.scan(*[dirs[n] for n in names], extra=("--as-of", AS_OF, "--accounts-csv", out),
                                    expect=0, what="scan /srv/mail/*/Maildir", tag="glob")
    rows = read_accounts(t, out)
    t.eq([r["account"] for r in rows], names, "glob: one row per account, in argument order")
    verdicts = {r["account"]: r["verdict"] for r in rows}
    t.eq(verdicts, {"alice": "active", "bob": "forwarded", "carol": "abandoned", "dave": "unknown"},
         "glob: active, forwarded, abandoned and unknown accounts are told apart")
    t.eq(sorted({r["account"] for r in inventory}), names, "glob: every inventory row names its account")
    t.eq([r["account"] for r in findings if r["rule"] == "abandoned"], ["carol"],
         "glob: the abandoned finding says which account")
    by = {r["account"]: r for r in rows}
    t.check(by["alice"]["activity_evidence"].startswith("sending: Gesendete Objekte"),
            "evidence: sending, found in the Sent folder with a German name", by["alice"]["activity_evidence"])
    t.eq(by["alice"]["idle_months"], "1", "alice: idle one month")
    t.eq(by["bob"]["forwarded"], "yes", "bob: forwarded")
    t.check(".forward" in by["bob"]["forward_evidence"] and "bob@new-job.example" in by["bob"]["forward_evidence"],
            "bob: the forwarding evidence names the file and the address", by["bob"]["forward_evidence"])
    t.eq(by["carol"]["forwarded"], "no", "carol: a comment and a pipe to vacation are no forwarding")
    t.eq(by["dave"]["last_activity"], "", "dave: no last activity, never a guess")
    t.eq(by["dave"]["idle_months"], "", "dave: idle time unknown")
    t.check("no-activity-evidence" in p.out, "dave: the summary says there is no evidence", p.out)
    t.check("Worst accounts" in p.out and "carol" in p.out, "summary: the worst accounts", p.out)
    t.check("4 (1 active, 1 forwarded, 1 abandoned, 0 idle-unknown-forwarding, 1 unknown)" in p.out,
            "summary: verdict counts", p.out)

    # ---- scan /srv/mail: one account per user, no folder dropped -----------
    out2 = t.path("tree.csv")
    p, _, inv2 = t.scan(spool, extra=("--as-of", AS_OF, "--accounts-csv", out2), expect=0,
                        what="scan /srv/mail", tag="tree")
    t.check("tree of homes" in p.err, "scan DIR of a spool says it reads one account per user", p.err)
    rows2 = read_accounts(t, out2)
    t.eq([r["account"] for r in rows2], names, "tree: one account per user, not one merged account")
    t.eq({r["account"]: r["verdict"] for r in rows2}, verdicts, "tree: the same verdicts as the glob")
    t.eq(len(inv2), len(inventory), "tree: every message of every Maildir++ folder is read")
    t.eq(sorted({(r["account"], r["folder"]) for r in inv2}), sorted({(r["account"], r["folder"]) for r in inventory}),
         "tree: the same folders (dot-folders below each home included)")

    # ---- scan HOME: a home with its Maildir/ is one account, all folders -------
    out_h = t.path("home.csv")
    p, _, inv_h = t.scan(os.path.dirname(dirs["alice"]), extra=("--as-of", AS_OF, "--accounts-csv", out_h),
                         expect=0, what="scan a home", tag="home")
    t.eq([r["account"] for r in read_accounts(t, out_h)], ["alice"], "scan HOME: one account named by the home")
    t.eq(sorted({r["folder"] for r in inv_h}), ["Gesendete Objekte", "INBOX"],
         "scan HOME: its Maildir's Maildir++ folders are read")

    # ---- --accounts-dir and --layout ---------------------------------------
    out3 = t.path("dir.csv")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", spool, "--accounts-csv", out3, expect=0)
    t.eq([(r["account"], r["verdict"]) for r in read_accounts(t, out3)], [(r["account"], r["verdict"]) for r in rows2],
         "--accounts-dir: the same accounts")
    out4 = t.path("layout.csv")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", spool, "--layout", "%u/Maildir", "--accounts-csv", out4,
          expect=0)
    t.eq([(r["account"], r["verdict"]) for r in read_accounts(t, out4)], [(r["account"], r["verdict"]) for r in rows2],
         "--layout %u/Maildir: the same accounts, homes one level up")
    vmail = t.path("vmail")
    maildir(os.path.join(vmail, "example.org", "eve"), [("for eve", ts(AS_OF) - 10 * DAY)])
    maildir(os.path.join(vmail, "example.net", "finn"), [("for finn", ts(AS_OF) - 500 * DAY)])
    out5 = t.path("vmail.csv")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", vmail, "--layout", "%d/%n", "--accounts-csv", out5,
          expect=0)
    t.eq([r["account"] for r in read_accounts(t, out5)], ["finn@example.net", "eve@example.org"],
         "--layout %d/%n: Dovecot's virtual users, named user@domain")
    p = t.run("scan", "--accounts-dir", vmail, "--layout", "%x/%u", expect=2)
    t.check("%u" in p.err, "--layout: an unknown variable is a usage error", p.err)

    # ---- evidence kinds, with kind and place ------------------------------
    ev = t.path("evidence")
    as_of = ts(AS_OF)
    # reading: read long ago vs. recently
    maildir(os.path.join(ev, "reader", "Maildir"), [("read", as_of - 20 * DAY)], flags="S")
    # filing: a message moved into a folder the user made
    f = os.path.join(ev, "filer", "Maildir")
    maildir(f, [("inbox", as_of - 900 * DAY)], flags="")
    maildir(f, [("filed", as_of - 40 * DAY)], flags="", folder="Projects")
    # unread in INBOX only, long ago; file times show a recent move
    ft = os.path.join(ev, "touched", "Maildir")
    maildir(ft, [("old", as_of - 900 * DAY)], flags="")
    with open(os.path.join(ft, "dovecot.index.log"), "wb") as fh:
        fh.write(b"log")
    os.utime(os.path.join(ft, "dovecot.index.log"), (as_of - 3 * DAY, as_of - 3 * DAY))
    out6 = t.path("ev.csv")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", ev, "--accounts-csv", out6, expect=0)
    ev_rows = {r["account"]: r for r in read_accounts(t, out6)}
    t.check(ev_rows["reader"]["activity_evidence"].startswith("reading: INBOX"),
            "reading: a message marked read, at its arrival time", ev_rows["reader"]["activity_evidence"])
    t.eq(ev_rows["reader"]["verdict"], "active", "reading: a reader is not abandoned")
    t.check(ev_rows["filer"]["activity_evidence"].startswith("filing: Projects"),
            "filing: a message in a folder the user made", ev_rows["filer"]["activity_evidence"])
    t.eq(ev_rows["touched"]["verdict"], "unknown", "file times are not used unless asked for: no evidence")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", ev, "--activity-evidence", "file-times",
          "--accounts-csv", out6, expect=0)
    ev_rows = {r["account"]: r for r in read_accounts(t, out6)}
    t.check("file time" in ev_rows["touched"]["activity_evidence"]
            and ev_rows["touched"]["activity_evidence"].startswith("file-times: INBOX: dovecot.index.log"),
            "--activity-evidence file-times: Dovecot's index log, named as a file time",
            ev_rows["touched"]["activity_evidence"])
    t.eq(ev_rows["touched"]["verdict"], "active", "file times: active when asked for")
    # mbox: Status: R is reading evidence at the From_ line's date
    mb = t.path("mboxes", "frank.mbox")
    os.makedirs(os.path.dirname(mb))
    write_mbox(mb, [make_message("read", extra_headers="Status: RO\n"), make_message("new", extra_headers="Status: O\n")],
               date=time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(as_of - 50 * DAY)))
    out7 = t.path("mbox.csv")
    t.run("scan", "-q", "--as-of", AS_OF, mb, "--accounts-csv", out7, expect=0)
    r7 = read_accounts(t, out7)[0]
    t.eq(r7["account"], "frank", "mbox: the account is the file's name")
    t.check(r7["activity_evidence"].startswith("reading: "), "mbox: Status: R is reading evidence", r7)
    t.eq(r7["forwarded"], "unknown", "an mbox whose owner's home is unknown: forwarding unknown, never 'no'")

    # ---- every forwarding form, and its false friends ------------------------
    fw = t.path("forms")
    idle = ts(AS_OF) - 400 * DAY
    cases = {
        # .forward
        "f-address": ({".forward": "\\f-address, someone@elsewhere.example\n"}, "yes"),
        "f-comment": ({".forward": "# someone@elsewhere.example\n"}, "no"),
        "f-file": ({".forward": "/var/spool/archive/f-file\n"}, "no"),
        "f-self": ({".forward": "\\f-self\n"}, "no"),
        # Exim reads a .forward that starts "# Exim filter" / "# Sieve filter"
        # as a filter program: not a list of addresses (a word there is no
        # address), a Sieve filter's redirect is read, an Exim filter is unknown
        "f-sieve": ({".forward": "# Sieve filter\nredirect \"s@elsewhere.example\";\n"}, "yes"),
        "f-sieve-keep": ({".forward": "# Sieve filter\n# redirect \"x@y.example\";\nkeep;\n"}, "no"),
        "f-exim": ({".forward": "# Exim filter\nif $h_subject: contains \"x\" then save mail/x endif\n"}, "unknown"),
        # a pipe to procmail: its recipes decide
        "p-forwards": ({".forward": "\"|exec /usr/bin/procmail\"\n",
                        ".procmailrc": ":0c\n* ^Subject:.*urgent\n! pager@elsewhere.example\n"}, "yes"),
        "p-files": ({".forward": "\"|exec /usr/bin/procmail\"\n",
                     ".procmailrc": "# ! not@forwarded.example\n:0:\n* ^From:.*list\nlists/\n"}, "no"),
        "p-norc": ({".forward": "|/usr/bin/procmail\n"}, "no"),
        "p-outside": ({".forward": "|/usr/bin/procmail\n", ".procmailrc": "->/etc/passwd"}, "unknown"),
        # Sieve: the active script is the one ~/.dovecot.sieve links to
        "s-redirect": ({"sieve/main.sieve": "require \"copy\";\nredirect :copy \"s@elsewhere.example\";\n",
                        ".dovecot.sieve": "->sieve/main.sieve"}, "yes"),
        "s-comment": ({"sieve/main.sieve": "# redirect \"x@y.example\";\n/* redirect */\nkeep;\n",
                       ".dovecot.sieve": "->sieve/main.sieve"}, "no"),
        "s-string": ({"sieve/main.sieve": "if header :contains \"subject\" \"redirect x@y\" { discard; }\n",
                      ".dovecot.sieve": "->sieve/main.sieve"}, "no"),
        "s-inactive": ({"sieve/other.sieve": "redirect \"x@y.example\";\n"}, "no"),
        "s-broken": ({".dovecot.sieve": "redirect \"x@y.example\"\n"}, "unknown"),
        "s-outside": ({".dovecot.sieve": "->/etc/passwd"}, "unknown"),
    }
    for user, (files, _) in cases.items():
        home = os.path.join(fw, user)
        maildir(os.path.join(home, "Maildir"), [("in", idle)], flags="S")
        for name, text in files.items():
            path = os.path.join(home, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if text.startswith("->"):
                os.symlink(text[2:], path)
            else:
                with open(path, "w") as fh:
                    fh.write(text)
    out_fw = t.path("forms.csv")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts-dir", fw, "--accounts-csv", out_fw, expect=0)
    got = {r["account"]: r for r in read_accounts(t, out_fw)}
    for user, (_, want) in sorted(cases.items()):
        t.eq(got[user]["forwarded"], want, "forwarding: %s (%s)" % (user, got[user]["forward_evidence"]))
    # what is said of a rule file that is not there or not read
    said = {
        "p-norc": "%s/p-norc/.procmailrc: none (procmail delivers locally)" % fw,
        "p-outside": "%s/p-outside/.procmailrc (run by .forward's procmail): a link out of the home "
                     "(/etc/passwd): not followed" % fw,
        "s-outside": "%s/s-outside/.dovecot.sieve: a link out of the home (/etc/passwd): not followed" % fw,
        "s-inactive": "no .forward; no active Sieve script",
    }
    for user, text in sorted(said.items()):
        t.check(text in got[user]["forward_evidence"], "forwarding evidence: %s" % user,
                (text, got[user]["forward_evidence"]))

    # ---- spool files: the home is the user's in the passwd database -------
    # (nss_wrapper gives this process a passwd file of its own: jo's home is
    # in the test directory, with a .forward; kim has a home without one,
    # lee has none in passwd)
    nss = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
    if os.path.exists(nss):
        homes = t.path("homes")
        spool2 = t.path("var-mail")
        os.makedirs(spool2)
        for u in ("jo", "kim", "lee"):
            write_mbox(os.path.join(spool2, u), [make_message("read by %s" % u, extra_headers="Status: RO\n")],
                       date=time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(as_of - 400 * DAY)))
        for u in ("jo", "kim"):
            os.makedirs(os.path.join(homes, u))
        with open(os.path.join(homes, "jo", ".forward"), "w") as fh:
            fh.write("jo@university-alumni.example\n")
        pw = t.path("passwd")
        with open(pw, "w") as fh:
            fh.write("jo:x:2001:2001:Jo:%s:/bin/sh\nkim:x:2002:2002:Kim:%s:/bin/sh\n"
                     % (os.path.join(homes, "jo"), os.path.join(homes, "kim")))
        with open(t.path("group"), "w") as fh:
            fh.write("users:x:2001:\n")
        nenv = {"LD_PRELOAD": nss, "NSS_WRAPPER_PASSWD": pw, "NSS_WRAPPER_GROUP": t.path("group"),
                "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
        out11 = t.path("spool.csv")
        t.run("scan", "-q", "--as-of", AS_OF, "--layout", os.path.join(spool2, "%u"), "--accounts-csv", out11,
              env=nenv, expect=0)
        r11 = {r["account"]: r for r in read_accounts(t, out11)}
        t.eq((r11["jo"]["forwarded"], r11["jo"]["verdict"]), ("yes", "forwarded"),
             "spool: jo's .forward is read in his passwd home, not next to the spool")
        t.check(os.path.join(homes, "jo", ".forward") in r11["jo"]["forward_evidence"],
                "spool: the evidence names the passwd home's .forward", r11["jo"]["forward_evidence"])
        t.eq((r11["kim"]["forwarded"], r11["kim"]["verdict"]), ("no", "abandoned"), "spool: kim forwards nowhere")
        t.eq((r11["lee"]["forwarded"], r11["lee"]["verdict"]), ("unknown", "idle-unknown-forwarding"),
             "spool: lee's home is unknown: forwarding unknown, never 'no'")
        # a .forward beside the spool (in its parent) is not jo's
        with open(os.path.join(os.path.dirname(spool2), ".forward"), "w") as fh:
            fh.write("someone@else.example\n")
        t.run("scan", "-q", "--as-of", AS_OF, "--layout", os.path.join(spool2, "%u"), "--accounts-csv", out11,
              env=nenv, expect=0)
        t.eq(read_accounts(t, out11)[1]["forwarded"], "no", "spool: a .forward above the spool counts for nobody")
        os.unlink(os.path.join(os.path.dirname(spool2), ".forward"))
    else:
        print("SKIP (part): libnss-wrapper is not installed: the passwd homes of spool files are not tested")

    # ---- the six-month boundary, exactly -----------------------------------
    bd = t.path("boundary", "zoe", "Maildir")
    maildir(bd, [("in", ts("2020-01-01T00:00:00Z"))], flags="")
    maildir(bd, [("sent", ts("2025-01-15T10:00:00Z"))], folder="Sent")
    for as_of_text, verdict in (("2025-07-15T10:00:00Z", "active"), ("2025-07-15T10:00:01Z", "abandoned")):
        out8 = t.path("bd.csv")
        t.run("scan", "-q", "--as-of", as_of_text, bd, "--accounts-csv", out8, expect=None)
        r8 = read_accounts(t, out8)[0]
        t.eq(r8["verdict"], verdict, "boundary: last activity 2025-01-15T10:00Z as of %s" % as_of_text)
        t.eq(r8["idle_months"], "6", "boundary: six calendar months idle as of %s" % as_of_text)

    # ---- --accounts FILE -----------------------------------------------------
    acc = t.path("accounts.csv")
    with open(acc, "w", newline="") as fh:
        fh.write("account,source,last_login,forward_to\r\n"
                 "alice,%s,,\r\n"
                 "\"carol\",\"%s\",2025-07-01,\r\n"
                 "alice,%s,,\r\n"
                 "dave,%s,,dave@elsewhere.example\r\n" % (dirs["alice"], dirs["carol"], mb, dirs["dave"]))
    out9 = t.path("file.csv")
    jout = t.path("file.json")
    t.run("scan", "-q", "--as-of", AS_OF, "--accounts", acc, "--accounts-csv", out9, "--json", jout, expect=0)
    r9 = read_accounts(t, out9)
    t.eq([r["account"] for r in r9], ["alice", "carol", "dave"], "accounts file: accounts in first-seen order")
    t.eq(r9[0]["sources"], "%s;%s" % (dirs["alice"], mb), "accounts file: two rows of one account are two sources")
    t.eq(r9[1]["verdict"], "active", "accounts file: the admin's last_login wins over older evidence")
    t.check(r9[1]["activity_evidence"].startswith("login: last_login of the accounts file, %s:3" % acc),
            "last_login: kind and place (file and line)", r9[1]["activity_evidence"])
    t.eq((r9[2]["forwarded"], r9[2]["verdict"]), ("yes", "unknown"), "forward_to: forwarded; no evidence: unknown")
    doc = json.load(open(jout))
    t.eq([len(a["sources"]) for a in doc["accounts"]], [2, 1, 1], "JSON: sources under their account")
    bad = t.path("bad.csv")
    with open(bad, "w") as fh:
        fh.write("account,source,colour\nx,/nowhere,blue\n")
    p = t.run("scan", "--accounts", bad, expect=2)
    t.check("%s:1: unknown column 'colour'" % bad in p.err, "accounts file: an unknown column names file:line", p.err)
    with open(bad, "w") as fh:
        fh.write("account,source,last_login\n"
                 "ok,/srv/ok,\n"
                 "short,/srv/short\n"
                 ",/srv/empty,\n"
                 "late,/srv/late,yesterday\n"
                 "q,\"/srv/q,\n")
    p = t.run("scan", "--accounts", bad, expect=2)
    for line, what in ((3, "2 fields, but the header has 3"), (4, "must not be empty"), (5, "not an ISO 8601"),
                       (6, "not closed")):
        t.check("%s:%d: " % (bad, line) in p.err and what in p.err,
                "accounts file: broken row %d is reported (%s)" % (line, what), p.err)
    t.check("%s:2:" % bad not in p.err, "accounts file: the good row is not blamed", p.err)

    # ---- one failing account is reported, the rest go on ---------------------
    with open(acc, "w") as fh:
        fh.write("account,source\nalice,%s\nghost,%s\ncarol,%s\n" % (dirs["alice"], t.path("no-such-dir"), dirs["carol"]))
    out10 = t.path("fail.csv")
    p = t.run("scan", "-q", "--as-of", AS_OF, "--accounts", acc, "--accounts-csv", out10, expect=3)
    r10 = {r["account"]: r for r in read_accounts(t, out10)}
    t.eq(sorted(r10), ["alice", "carol", "ghost"], "a failing account is reported, the others are audited")
    t.eq((r10["ghost"]["read_errors"], r10["ghost"]["verdict"]), ("1", "unknown"), "the failing account says so")
    t.eq(r10["carol"]["verdict"], "abandoned", "the account after it is still judged")

    # ---- reports: HTML table, JUnit per account, report re-renders ----------
    html, junit, js, acsv = t.path("r.html"), t.path("r.xml"), t.path("r.json"), t.path("r-acc.csv")
    t.run("scan", "-q", "--as-of", AS_OF, spool, "--html", html, "--junit", junit, "--json", js,
          "--accounts-csv", acsv, expect=0)
    page = open(html, encoding="utf-8").read()
    t.check('<table id="accounts"' in page and page.index('id="accounts"') < page.index('id="all-findings"'),
            "HTML: the accounts table comes before the findings", "")
    t.eq(page.count('<tr data-verdict="'), 4, "HTML: one row per account")
    t.check('data-show-verdict="abandoned" data-count="1"' in page, "HTML: counts per verdict", "")
    t.check("(account)" not in page, "HTML: no '(account)' placeholder", "")
    xml = open(junit, encoding="utf-8").read()
    t.eq(xml.count("<testsuite "), 4, "JUnit: one testsuite per account")
    t.check('<testsuite name="carol"' in xml, "JUnit: the testsuite is named by the account", "")
    again = t.path("again.csv")
    t.run("report", js, "-q", "--accounts-csv", again, expect=0)
    t.eq(open(again, "rb").read(), open(acsv, "rb").read(), "report re-renders the accounts CSV identically")


main("accounts", body)
