#!/usr/bin/env python3
"""compare --accounts against a real Dovecot (issue 18, "works per account
and for many accounts, with the same shard and merge"): two source accounts,
alice and chloe, each copied into a target account of the same server, erin
and frank. alice's copy lost, moved and changed what tests/pylib/migration.py
plans; chloe's arrived whole. Every side is read through its own recording
proxy (the source's on 127.0.0.1, the target's on 127.0.0.2, both to the
fixture's plaintext listener, so that what the client sends can be read) and
logs in with the password of its own file (password_file,
target_password_file): no password ever goes to the other side's host, and
each goes to its own (the recording is shown to see them). The accounts
JSON, CSV and HTML hold exactly the expected rows; the shards merged by
`compare merge` give the one run's JSON (but `runs`), CSV, folders CSV and
HTML byte for byte, and its exit status.
Skipped (77) when Dovecot is not installed, we are not root, or 127.0.0.2
cannot be bound.
Args: MAILPREFLIGHT"""
import base64
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main  # noqa: E402
import migration  # noqa: E402
from imapproxy import RecordingProxy  # noqa: E402
import dovecot  # noqa: E402

AS_OF = "2026-02-01T00:00:00Z"
TARGETS = {"alice": ("erin", "erin-target-pw"), "chloe": ("frank", "frank-target-pw")}


def fnv1a(name):
    """docs/scale-out.md: the shard of an account is FNV-1a 64 of its name."""
    h = 14695981039346656037
    for b in name.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


class SaslRecordingProxy(RecordingProxy):
    """A proxy on BIND_ADDR that keeps what the client sends."""

    def __init__(self, bind_addr, host, port):
        super().__init__(host, port, bind=bind_addr)

    def text(self):
        """What the client sent, with each SASL PLAIN response (RFC 4616,
        base64) decoded after it, so that a password sent either way shows."""
        with self.lock:
            raw = bytes(self.sent)
        out = raw.decode("utf-8", "replace")
        for m in re.finditer(rb"AUTHENTICATE PLAIN ([A-Za-z0-9+/=]+)", raw):
            out += "\n" + base64.b64decode(m.group(1)).decode("utf-8", "replace")
        return out


def quote(fx, name):
    return fx.quote(fx.mutf7_encode(name))


def fill(fx, d, user, folders):
    m = fx.connect(d, user)
    made = {"INBOX"}
    for folder, msgs in folders:
        if folder not in made:
            typ, _ = m.create(quote(fx, folder))
            # Sent and Trash may exist already (auto-created SPECIAL-USE folders)
            if typ != "OK" and folder not in ("Sent", "Trash"):
                fx.check((typ, _), "CREATE " + folder)
            made.add(folder)
        for item in msgs:
            data = item[1] if isinstance(item, tuple) else item
            fx.check(m.append(quote(fx, folder), None, None, data), "APPEND " + folder)
    m.logout()


def body(t):
    with dovecot.running(t, "mp-cmpacc-", need_plain=True) as (fx, d, info):
        run_checks(t, fx, d, info)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def run_checks(t, fx, d, info):
    rules = t.path("rules.ini")
    with open(rules, "w") as f:
        f.write(migration.RULES)
    folders = migration.plan()
    for user, (target, pw) in TARGETS.items():
        fx.add_user(d, target, pw)
    # alice: the plan's migration, with its losses; chloe: everything arrived
    fill(fx, d, "alice", folders)
    fill(fx, d, "erin", migration.target_of(folders))
    fill(fx, d, "chloe", folders)
    fill(fx, d, "frank", folders)

    src_proxy = SaslRecordingProxy("127.0.0.1", info["plain_host"], info["plain_port"])
    dst_proxy = SaslRecordingProxy("127.0.0.2", info["plain_host"], info["plain_port"])
    pw = {}
    acc = t.path("accounts.csv")
    with open(acc, "w") as f:
        f.write("account,source,password_file,target,target_password_file\n")
        for user, (target, tpw) in TARGETS.items():
            for who, secret in ((user, info["users"][user]), (target, tpw)):
                pw[who] = t.path(who + ".pw")
                with open(pw[who], "w") as p:
                    p.write(secret + "\n")
                os.chmod(pw[who], 0o600)
            f.write("%s,imap://%s@%s,%s,imap://%s@%s,%s\n" % (user, user, src_proxy.addr, pw[user], target,
                                                             dst_proxy.addr, pw[target]))
    common = ["compare", "--no-progress", "--rules", rules, "--as-of", AS_OF, "--accounts", acc,
              "--allow-plaintext", "--target-allow-plaintext"]
    env = {"MAILPREFLIGHT_PASSWORD": None, "MAILPREFLIGHT_TARGET_PASSWORD": None}

    p = t.run(*common, "--json", t.path("all.json"), "--csv", t.path("all.csv"), "--folders-csv",
              t.path("all-folders.csv"), "--html", t.path("all.html"), expect=1, env=env,
              what="compare --accounts over IMAP")
    doc = json.load(open(t.path("all.json"), encoding="utf-8"))
    by = {a["account"]: a for a in doc["accounts"]}
    t.eq([a["account"] for a in doc["accounts"]], ["alice", "chloe"], "every account, in the file's order")
    t.eq((by["alice"]["verdict"], by["alice"]["exit_status"]), ("missing-unexpected", 1), "alice: verdict, exit")
    tot = by["alice"]["comparison"]["totals"]
    t.eq({k: tot[k] for k in migration.EXPECTED_TOTALS}, migration.EXPECTED_TOTALS, "alice: the plan's counts")
    t.eq((by["chloe"]["verdict"], by["chloe"]["exit_status"], by["chloe"]["comparison"]["totals"]["arrived"]),
         ("complete", 0, 21), "chloe: everything arrived")
    t.eq((by["alice"]["comparison"]["source"]["kind"], by["alice"]["comparison"]["target"]["kind"]),
         ("imap", "imap"), "both sides over IMAP")
    t.eq((doc["totals"]["accounts"], doc["totals"]["messages"], doc["totals"]["unexpected"],
          doc["totals"]["exit_status"]), (2, 42, 2, 1), "the totals across the accounts")
    t.check("all accounts: 42 messages, 36 arrived (1 moved), 4 missing as predicted, 2 unexpected" in p.out,
            "the summary's totals", p.out)

    # each side's password to its own host only
    src_sent, dst_sent = src_proxy.text(), dst_proxy.text()
    for user, (target, tpw) in TARGETS.items():
        upw = info["users"][user]
        t.check(tpw not in src_sent, "%s's target password never went to the source's host" % user)
        t.check(upw not in dst_sent, "%s's source password never went to the target's host" % user)
        t.check(tpw in dst_sent or tpw.replace('"', '\\"') in dst_sent,
                "the target's proxy saw %s's login (the recording works)" % target, dst_sent[:300])
        t.check(upw in src_sent or upw.replace("\\", "\\\\").replace('"', '\\"') in src_sent,
                "the source's proxy saw %s's login (the recording works)" % user)
        for path in (t.path("all.json"), t.path("all.csv"), t.path("all.html")):
            text = open(path, encoding="utf-8").read()
            t.check(tpw not in text and upw not in text, "no password of %s in %s" % (user, os.path.basename(path)))

    # the CSV: exactly the plan's rows, all alice's; the folders CSV: both accounts
    rows = csv_rows(t.path("all.csv"))
    t.eq(rows[0], ["account"] + migration.ROWS_COLUMNS, "CSV: account, then the single-pair columns")
    t.eq(sorted(set(r[0] for r in rows[1:])), ["alice"], "CSV: rows of alice only (chloe's all arrived)")
    dicts = [dict(zip(migration.ROWS_COLUMNS, r[1:])) for r in rows[1:]]
    t.eq(migration.row_keys(dicts, False), migration.unordered(migration.EXPECTED_ROWS),
         "CSV: exactly alice's messages that did not arrive or changed")
    t.eq(sorted(migration.extra_keys(dicts)), sorted(migration.EXPECTED_EXTRA), "CSV: alice's extra messages")
    hostile = [r for r in dicts if r["changes"] == "subject"]
    t.check(hostile and hostile[0]["subject"].startswith("'=HYPERLINK"), "CSV: a formula Subject is text", hostile)
    frows = csv_rows(t.path("all-folders.csv"))
    t.eq(frows[0], ["account"] + migration.FOLDERS_COLUMNS, "folders CSV: account first")
    t.eq(sorted(set(r[0] for r in frows[1:])), ["alice", "chloe"], "folders CSV: both accounts")
    page = open(t.path("all.html"), encoding="utf-8").read()
    t.check("<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page, "HTML: escaped")
    t.eq((page.count('<tr data-status="unexpected">'), page.count('<tr data-status="missing">'),
          page.count('<tr data-status="changed">'), page.count('<tr data-status="extra">')), (2, 4, 2, 2),
         "HTML: alice's rows")
    t.check('<tr data-verdict="complete"><td><a href="#account-1">chloe</a>' in page, "HTML: chloe in the table")

    # shards merged = one run
    n = next(n for n in (2, 3, 4, 5) if fnv1a("alice") % n != fnv1a("chloe") % n)
    parts = []
    for k in range(1, n + 1):
        part = t.path("s%d.json" % k)
        holds = [u for u in TARGETS if fnv1a(u) % n + 1 == k]
        t.run(*common, "--shard", "%d/%d" % (k, n), "--json", part, "-q", env=env,
              expect=1 if "alice" in holds else 0, what="shard %d/%d" % (k, n))
        parts.append(part)
    p = t.run("compare", "merge", *reversed(parts), "--json", t.path("merged.json"), "--csv", t.path("m.csv"),
              "--folders-csv", t.path("m-folders.csv"), "--html", t.path("m.html"), expect=1, what="compare merge")
    merged = json.load(open(t.path("merged.json"), encoding="utf-8"))
    t.eq({k: v for k, v in merged.items() if k != "runs"}, {k: v for k, v in doc.items() if k != "runs"},
         "merged shards = one run (JSON, every key but runs)")
    for a, b in (("all.csv", "m.csv"), ("all-folders.csv", "m-folders.csv"), ("all.html", "m.html")):
        t.eq(open(t.path(b), "rb").read(), open(t.path(a), "rb").read(), "merged shards = one run: " + a)
    # both accounts at once (--parallel-accounts 2): the same reports, byte for byte
    t.run(*common, "--parallel-accounts", "2", "--json", t.path("par.json"), "--csv", t.path("par.csv"),
          "--folders-csv", t.path("par-folders.csv"), "--html", t.path("par.html"), "-q", expect=1, env=env,
          what="compare --accounts --parallel-accounts 2 over IMAP")
    one, par = (open(t.path(x), encoding="utf-8").read() for x in ("all.json", "par.json"))
    t.eq(par[par.index('"accounts":['):], one[one.index('"accounts":['):], "--parallel-accounts 2 = one at a time: JSON")
    for a, b in (("all.csv", "par.csv"), ("all-folders.csv", "par-folders.csv"), ("all.html", "par.html")):
        t.eq(open(t.path(b), "rb").read(), open(t.path(a), "rb").read(), "--parallel-accounts 2 = one at a time: " + a)
    src_proxy.close()
    dst_proxy.close()


main("compare-accounts-imap", body)
