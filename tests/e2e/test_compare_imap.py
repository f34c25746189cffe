#!/usr/bin/env python3
"""compare against a real Dovecot (issue 18, "Done when"): alice's account
(the source) is copied into a second account, erin's (the target), the way
a migration does it: message by message over IMAP (FETCH BODY.PEEK[] from
alice, APPEND to erin), some refused as the rules predict, some lost, one
moved to another folder, one with its Subject rewritten and one with a header
added (tests/pylib/migration.py). compare must find exactly those, with the
rules that predicted them:
  - over IMAP on both sides (imaps://, each with its own password), reading
    metadata only (no BODY[] fetched, EXAMINE only: a counting proxy sees
    every command) and changing no flag on either side;
  - with local mailboxes: Dovecot's own Maildirs of both accounts;
  - mixed: alice's Maildir against erin over IMAP.
The target's password is its own ($MAILPREFLIGHT_TARGET_PASSWORD): without
it the target is not tried with the source's (exit 3, named).
Skipped (77) when Dovecot is not installed or we are not root.
Args: MAILPREFLIGHT"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main  # noqa: E402
import migration  # noqa: E402
from migration import check_reports, run_compare  # noqa: E402
from imapproxy import RecordingProxy  # noqa: E402
import dovecot  # noqa: E402

TARGET_USER, TARGET_PASSWORD = "erin", "erin-target-pw"


def quote(fx, name):
    return fx.quote(fx.mutf7_encode(name))


def fill_source(fx, d, folders):
    m = fx.connect(d, "alice")
    for folder, msgs in folders:
        if folder not in ("INBOX", "Sent"):
            fx.check(m.create(quote(fx, folder)), "CREATE " + folder)
        for _, data in msgs:
            fx.check(m.append(quote(fx, folder), None, None, data), "APPEND " + folder)
    m.logout()


def migrate(fx, d, folders):
    """Copies alice into erin as the plan says, reading every message back
    from alice (BODY.PEEK[]: alice's flags stay as they are)."""
    src = fx.connect(d, "alice")
    dst = fx.connect(d, TARGET_USER)
    made = {"INBOX", "Sent", "Trash"}
    copied = []
    for folder, msgs in folders:
        fx.check(src.select(quote(fx, folder), readonly=True), "EXAMINE " + folder)
        typ, data = src.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
        fx.check((typ, data), "FETCH " + folder)
        bodies = [part[1] for part in data if isinstance(part, tuple)]
        if len(bodies) != len(msgs):
            raise SystemExit("%s: %d messages read back, %d planned" % (folder, len(bodies), len(msgs)))
        copied.append((folder, [(fate, body) for (fate, _), body in zip(msgs, bodies)]))
    for folder, msgs in migration.target_of(copied):
        if folder not in made:
            fx.check(dst.create(quote(fx, folder)), "CREATE " + folder)
            made.add(folder)
        for data in msgs:
            fx.check(dst.append(quote(fx, folder), None, None, data), "APPEND " + folder)
    src.logout()
    dst.logout()


def all_flags(fx, d, user):
    m = fx.connect(d, user)
    out = {}
    typ, names = m.list()
    for line in names:
        name = line.decode().rsplit(' "/" ', 1)[-1]
        typ, _ = m.select(name, readonly=True)
        typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
        out[name] = sorted(x.decode() if isinstance(x, bytes) else str(x) for x in data if x)
    m.logout()
    return out


def body(t):
    with dovecot.running(t, "mp-cmp-") as (fx, d, info):
        run_checks(t, fx, d, info)


def run_checks(t, fx, d, info):
    with open(t.path("rules.ini"), "w") as f:
        f.write(migration.RULES)
    fx.add_user(d, TARGET_USER, TARGET_PASSWORD)
    folders = migration.plan()
    fill_source(fx, d, folders)
    migrate(fx, d, folders)
    host, ca = info["host"], info["ca_file"]
    source = "imaps://alice@%s:%d" % (host, info["imaps_port"])
    target = "imaps://%s@%s:%d" % (TARGET_USER, host, info["imaps_port"])
    env = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"], "MAILPREFLIGHT_TARGET_PASSWORD": TARGET_PASSWORD}
    tls = ("--ca-file", ca, "--target-ca-file", ca)
    flags_before = (all_flags(fx, d, "alice"), all_flags(fx, d, TARGET_USER))

    # over IMAP, both sides
    p, rows, doc, html, _ = run_compare(t, source, target, "imap", *tls, env=env)
    check_reports(t, "IMAP", rows, doc, html, ordered=False)
    t.eq((doc["source"]["kind"], doc["target"]["kind"]), ("imap", "imap"), "IMAP: both sides read over IMAP")
    t.check(doc["run"]["source_metadata_only"] is True, "IMAP: the source read with metadata only")
    t.eq((all_flags(fx, d, "alice"), all_flags(fx, d, TARGET_USER)), flags_before,
         "IMAP: no flag changed on either side (EXAMINE, no \\Seen)")
    t.check(TARGET_PASSWORD not in p.out + p.err and info["users"]["alice"] not in p.out + p.err,
            "IMAP: no password in the output")
    for path in (t.path("imap.rows.csv"), t.path("imap.json"), t.path("imap.html"), t.path("imap.folders.csv")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        t.check(TARGET_PASSWORD not in text and info["users"]["alice"] not in text,
                "IMAP: no password in %s" % os.path.basename(path))

    # STARTTLS on the 143-style port for the target, its password from a file
    pwfile = t.path("target.pw")
    with open(pwfile, "w") as f:
        f.write(TARGET_PASSWORD + "\n")
    os.chmod(pwfile, 0o600)
    starttls = "imap://%s@localhost:%d" % (TARGET_USER, info["imap_port"])
    _, rows_st, _, _, _ = run_compare(t, source, starttls, "starttls", *tls, "--target-password-file", pwfile,
                                      env={"MAILPREFLIGHT_PASSWORD": info["users"]["alice"],
                                           "MAILPREFLIGHT_TARGET_PASSWORD": None})
    t.eq(migration.row_keys(rows_st, False), migration.row_keys(rows, False),
         "STARTTLS target, password file: the same rows")

    # local mailboxes: Dovecot's own Maildirs of both accounts
    local_src = os.path.join(d, "mail", "alice")
    local_dst = os.path.join(d, "mail", TARGET_USER)
    _, rows_l, doc_l, html_l, _ = run_compare(t, local_src, local_dst, "local")
    check_reports(t, "local Maildirs", rows_l, doc_l, html_l, ordered=False)
    t.eq((doc_l["source"]["kind"], doc_l["target"]["kind"]), ("maildir", "maildir"), "local: both Maildirs")

    # mixed: alice's Maildir against erin over IMAP
    _, rows_x, doc_x, html_x, _ = run_compare(t, local_src, target, "mixed", "--target-ca-file", ca, env=env)
    check_reports(t, "Maildir against IMAP", rows_x, doc_x, html_x, ordered=False)
    # ... and with exact sizes: Dovecot's RFC822.SIZE is the CRLF size the
    # scan counts on the file, so only the two grown messages differ (the
    # rewritten Subject is 6 octets longer)
    _, rows_0, doc_0, _, _ = run_compare(t, local_src, target, "exact", "--target-ca-file", ca,
                                         "--size-tolerance", "0", env=env)
    t.eq(sorted((r["folder"], r["message_id"], r["changes"]) for r in rows_0 if r["status"] == "changed"),
         [("INBOX", "m09@source.example", "size;subject"), ("INBOX", "m11@source.example", "size")],
         "exact sizes: only the grown ones differ")
    t.eq(doc_0["totals"]["arrived"], migration.EXPECTED_TOTALS["arrived"], "exact sizes: the same arrived")

    # metadata only, EXAMINE only: what the client sends, counted
    if info.get("plain_port"):
        # it keeps what the client sends, to count its commands (BODY[...]
        # fetches, SELECT against EXAMINE)
        proxy = RecordingProxy(info["plain_host"], info["plain_port"])
        try:
            plain_src = "imap://alice@127.0.0.1:%d" % proxy.listen_port
            plain_dst = "imap://%s@127.0.0.1:%d" % (TARGET_USER, proxy.listen_port)
            _, rows_p, _, _, _ = run_compare(t, plain_src, plain_dst, "plain", "--allow-plaintext",
                                             "--target-allow-plaintext", env=env)
            sent = bytes(proxy.sent).upper()
            t.eq(migration.row_keys(rows_p, False), migration.row_keys(rows, False), "through the proxy: same rows")
            t.check(b"EXAMINE" in sent and b" SELECT " not in sent, "only EXAMINE, never SELECT", sent[:400])
            t.check(b"BODY[" not in sent and b"BODY.PEEK[" not in sent and b"RFC822 " not in sent,
                    "no message content fetched (metadata only)", sent.count(b"BODY"))
            t.check(b"ENVELOPE" in sent and b"BODYSTRUCTURE" in sent, "the metadata FETCH was sent")
        finally:
            proxy.close()

    # the target's password is its own: without it, the source's is not tried
    with open(os.path.join(d, "dovecot.log"), errors="replace") as f:
        log_before = f.read()
    p = t.run("compare", "--no-progress", "-q", *tls, source, target, expect=3, what="no target password",
              env={"MAILPREFLIGHT_PASSWORD": info["users"]["alice"], "MAILPREFLIGHT_TARGET_PASSWORD": None})
    t.check("MAILPREFLIGHT_TARGET_PASSWORD" in p.err and "--target-password-file" in p.err,
            "no target password: says how to give one", p.err)
    with open(os.path.join(d, "dovecot.log"), errors="replace") as f:
        log_after = f.read()[len(log_before):]
    t.check("user=<%s>" % TARGET_USER not in log_after, "no login was tried on the target",
            log_after[-1500:])


main("compare-imap", body)
