#!/usr/bin/env python3
"""compare --accounts (issue 18: "works per account and for many accounts,
with the same shard and merge"): three accounts of an accounts file with a
target column, on local Maildirs. alice's target lost and changed what
tests/pylib/migration.py plans, bob's arrived whole, carol's target does not
exist: carol is reported and the others are compared all the same. Each
account's comparison is exactly what `compare SOURCE TARGET` says of it;
two --shard runs merged by `compare merge` give exactly the one run's JSON
(but `runs`); the file's mistakes are usage errors naming file and line.
Args: MAILPREFLIGHT"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "..", "reports"))
from reports_common import validate_schema  # noqa: E402
from mptest import main  # noqa: E402
import migration  # noqa: E402

AS_OF = "2026-02-01T00:00:00Z"


def fnv1a(name):
    """docs/scale-out.md: the shard of an account is FNV-1a 64 of its name."""
    h = 14695981039346656037
    for b in name.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


def body(t):
    rules = t.path("rules.ini")
    with open(rules, "w") as f:
        f.write(migration.RULES)
    folders = migration.plan()
    for who in ("alice", "bob", "carol"):
        migration.write_maildirs(t.path("src", who), folders)
    migration.write_maildirs(t.path("dst", "alice"), migration.target_of(folders))
    migration.write_maildirs(t.path("dst", "bob"), folders)
    # carol's target was never made
    acc = t.path("accounts.csv")
    with open(acc, "w") as f:
        f.write("account,source,target\n")
        # carol between the others: the account after hers must be compared too
        for who in ("alice", "carol", "bob"):
            f.write("%s,%s,%s\n" % (who, t.path("src", who), t.path("dst", who)))
    common = ["compare", "--no-progress", "--rules", rules, "--as-of", AS_OF, "--accounts", acc]

    # one run: carol is reported, alice and bob compared; exit 3 (worst)
    p = t.run(*common, "--json", t.path("all.json"), "--csv", t.path("all.csv"), "--folders-csv",
              t.path("all-folders.csv"), "--html", t.path("all.html"), expect=3, what="compare --accounts")
    doc = json.load(open(t.path("all.json"), encoding="utf-8"))
    t.eq(doc["schema"], "mailpreflight-compare-accounts/1", "the accounts document's schema")
    with open(os.path.join(HERE, "..", "..", "docs", "mailpreflight-compare-accounts-1.schema.json")) as f:
        schema = json.load(f)
    errs = validate_schema(doc, schema)
    t.check(not errs, "JSON matches docs/mailpreflight-compare-accounts-1.schema.json", errs)
    t.eq([(a["ordinal"], a["account"]) for a in doc["accounts"]], [(0, "alice"), (1, "carol"), (2, "bob")],
         "every account, in the file's order")
    t.eq(doc["settings"]["accounts_total"], 3, "settings: accounts_total")
    by = {a["account"]: a for a in doc["accounts"]}
    t.eq((by["alice"]["verdict"], by["alice"]["exit_status"]), ("missing-unexpected", 1), "alice: verdict, exit")
    tot = by["alice"]["comparison"]["totals"]
    t.eq({k: tot[k] for k in migration.EXPECTED_TOTALS}, migration.EXPECTED_TOTALS, "alice: per-account counts")
    t.eq((by["bob"]["verdict"], by["bob"]["exit_status"], by["bob"]["comparison"]["totals"]["arrived"]),
         ("complete", 0, 21), "bob: everything arrived")
    t.eq((by["carol"]["verdict"], by["carol"]["exit_status"], by["carol"]["comparison"]),
         ("incomplete", 3, None), "carol: not compared")
    t.check(by["carol"]["error"] and by["carol"]["error"].startswith("target " + t.path("dst", "carol")),
            "carol: the error names her target", by["carol"]["error"])
    t.check("carol: NOT COMPARED: target" in p.out and "alice: missing-unexpected: 21 messages" in p.out
            and "3 account(s): 1 complete, 0 missing-predicted, 1 missing-unexpected, 1 incomplete" in p.out,
            "the summary: a line per account and the counts", p.out)
    t.check("all accounts: 42 messages, 36 arrived (1 moved), 4 missing as predicted, 2 unexpected, 2 changed; "
            "2 extra on the target; exit status 3" in p.out, "the summary: the totals across accounts", p.out)
    # the totals record: the sums of the accounts' totals, and the run's exit status
    tt = doc["totals"]
    keys = ("messages", "bytes", "arrived", "in_place", "moved", "missing", "unexpected", "changed",
            "target_messages", "target_bytes", "extra", "copies", "matched_by_message_id", "matched_by_fingerprint")
    t.eq({k: tt[k] for k in keys},
         {k: sum(a["comparison"]["totals"][k] for a in doc["accounts"] if a["comparison"]) for k in keys},
         "totals: the sums over the accounts")
    t.eq((tt["accounts"], tt["not_compared"], tt["verdicts"], tt["exit_status"]),
         (3, 1, {"complete": 1, "missing-predicted": 0, "missing-unexpected": 1, "incomplete": 1}, 3),
         "totals: accounts, verdicts, exit status")
    t.check(list(doc.keys())[-1] == "totals", "totals: the document's last key", list(doc.keys()))
    t.check("account carol: target" in p.err, "stderr names the account that could not be read", p.err)

    # each account's comparison is the one `compare SOURCE TARGET` writes (without schema, tool, run)
    for who, rc in (("alice", 1), ("bob", 0)):
        t.run("compare", "--no-progress", "--rules", rules, "--as-of", AS_OF, "--json", t.path(who + ".json"),
              t.path("src", who), t.path("dst", who), expect=rc, what="compare " + who)
        single = json.load(open(t.path(who + ".json"), encoding="utf-8"))
        for k in ("schema", "tool", "run"):
            single.pop(k)
        t.eq(by[who]["comparison"], single, who + ": the same comparison as compare SOURCE TARGET")
        # and the same CSV rows, with the account first (formula protection and all)
        for kind in ("csv", "folders-csv"):
            out = t.path("%s.%s" % (who, kind))
            t.run("compare", "--no-progress", "--rules", rules, "--as-of", AS_OF, "--" + kind, out, "-q",
                  t.path("src", who), t.path("dst", who), expect=rc, what="compare --%s %s" % (kind, who))
            single_rows = open(out, encoding="utf-8", newline="").read().split("\r\n")
            many = open(t.path("all.csv" if kind == "csv" else "all-folders.csv"), encoding="utf-8",
                        newline="").read().split("\r\n")
            t.eq(many[0], "account," + single_rows[0], kind + ": the header, account first")
            mine = [r for r in many[1:] if r.startswith(who + ",")]
            t.eq(mine, [who + "," + r for r in single_rows[1:] if r], who + ": the " + kind + " rows of compare "
                 "SOURCE TARGET, the account first")
            t.check(len(mine) > 0 or (who, kind) == ("bob", "csv"), who + ": " + kind + " rows", mine)
    rows = open(t.path("all.csv"), encoding="utf-8", newline="").read().split("\r\n")
    t.check(not [r for r in rows[1:] if r and not r.startswith(("alice,", "bob,"))],
            "the CSV: no rows of carol, who was not compared", rows)
    t.eq(sum(1 for r in rows[1:] if r.startswith("alice,")),
         sum(by["alice"]["comparison"]["totals"][k] for k in ("missing", "unexpected", "changed", "extra")),
         "the CSV: one row per message alice's counts list")
    page = open(t.path("all.html"), encoding="utf-8").read()
    t.check("Content-Security-Policy" in page and "default-src 'none'" in page and "<script src" not in page,
            "the HTML: self-contained, CSP by hash", page[:600])
    for who, verdict, ex in (("alice", "missing-unexpected", 1), ("carol", "incomplete", 3), ("bob", "complete", 0)):
        t.check(('<tr data-verdict="%s"><td><a href="#account-' % verdict) in page and
                ('>%s</a></td><td><span class="sev' % who) in page and
                ('%s</span></td><td class="num">%d</td>' % (verdict, ex)) in page,
                "the HTML's table of accounts: " + who, verdict)
    t.eq(page.count('<tr data-status="unexpected">'), 2, "the HTML: alice's 2 unexpected rows")
    t.eq(page.count('<tr data-status="missing">'), 4, "the HTML: alice's 4 predicted rows")

    # two shards, merged: exactly the one run's document but `runs`
    shard_of = {who: fnv1a(who) % 2 + 1 for who in ("alice", "bob", "carol")}
    t.check(len(set(shard_of.values())) == 2, "both shards hold an account", shard_of)
    for k in (1, 2):
        rc = max({"alice": 1, "bob": 0, "carol": 3}[w] for w in shard_of if shard_of[w] == k)
        p = t.run(*common, "--shard", "%d/2" % k, "--json", t.path("s%d.json" % k), "-q", expect=rc,
                  what="shard %d/2" % k)
        t.check("--shard %d/2: %d of 3 accounts" % (k, list(shard_of.values()).count(k)) in p.err,
                "shard %d says its share" % k, p.err)
        t.eq(p.out, "", "-q: nothing on stdout")
    # the shard without alice (ordinal 0) first: the merge must restore the run's order
    first = 2 if shard_of["alice"] == 1 else 1
    # the exit status of the merge is the one run's: recomputed from the accounts (carol: 3)
    p = t.run("compare", "merge", t.path("s%d.json" % first), t.path("s%d.json" % (3 - first)), "--json",
              t.path("merged.json"), "--csv", t.path("merged.csv"), "--folders-csv", t.path("merged-folders.csv"),
              "--html", t.path("merged.html"), expect=3, what="compare merge")
    t.check("all accounts: 42 messages" in p.err, "the merge prints the totals", p.err)
    for a, b in (("all.csv", "merged.csv"), ("all-folders.csv", "merged-folders.csv"), ("all.html", "merged.html")):
        t.eq(open(t.path(b), "rb").read(), open(t.path(a), "rb").read(),
             "merged shards = one run, byte for byte: " + a)
    merged = json.load(open(t.path("merged.json"), encoding="utf-8"))
    t.eq(len(merged["runs"]), 2, "the merge keeps both shards' runs")
    t.eq(validate_schema(merged, schema), [], "the merged JSON matches the schema too")
    t.eq(sorted(r["shard"] for r in merged["runs"]), ["1/2", "2/2"], "the runs' shards")
    t.eq({k: v for k, v in merged.items() if k != "runs"}, {k: v for k, v in doc.items() if k != "runs"},
         "merged shards = one run (every key but runs)")
    one = open(t.path("all.json"), encoding="utf-8").read()
    mtext = open(t.path("merged.json"), encoding="utf-8").read()
    t.eq(mtext[mtext.index('"accounts":['):], one[one.index('"accounts":['):],
         "merged shards = one run, byte for byte from the accounts on")

    # a shard missing: a warning; a shard twice, or judged as of another time: refused
    p = t.run("compare", "merge", t.path("s1.json"), "--json", t.path("part.json"), expect=3, what="merge one")
    t.check("is a shard missing?" in p.err, "a missing shard is warned of", p.err)
    p = t.run("compare", "merge", t.path("s1.json"), t.path("s1.json"), "--json", t.path("twice.json"), expect=2,
              what="merge twice")
    t.check("the same shard given twice?" in p.err and not os.path.exists(t.path("twice.json")),
            "a shard given twice is refused, nothing written", p.err)
    other = [a if a != AS_OF else "2026-03-01" for a in common]
    t.run(*other, "--shard", "2/2", "--json", t.path("late.json"), "-q", what="shard as of another time")
    p = t.run("compare", "merge", t.path("s1.json"), t.path("late.json"), "--json", t.path("x.json"), expect=2,
              what="merge different as-of")
    t.check("judged otherwise than" in p.err and "late.json:3" in p.err, "different --as-of: refused", p.err)
    # the settings the files record drive the merge's exit status: alice's line made to hold
    # predicted losses only (and 2 changed), bob's as is
    lines = open(t.path("all.json"), encoding="utf-8").read().split("\n")
    out = []
    for line in lines:
        if line.lstrip(",").startswith('{"ordinal":'):
            a = json.loads(line.lstrip(","))
            if a["account"] == "carol":
                continue
            if a["account"] == "alice":
                a["comparison"]["totals"]["unexpected"] = 0
                a["verdict"] = "missing-predicted"
            if a["account"] == "bob":
                a["ordinal"] = 1  # carol's line is gone: two accounts
            line = ("," if out[-1] != '"accounts":[' else "") + json.dumps(a, separators=(",", ":"),
                                                                            ensure_ascii=False)
        out.append(line)
    crafted = "\n".join(out).replace('"accounts_total":3', '"accounts_total":2')
    for accept, changed, rc in ((False, False, 1), (True, False, 0), (True, True, 1)):
        f = t.path("crafted-%d%d.json" % (accept, changed))
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(crafted.replace('"accept_predicted":false', '"accept_predicted":%s' % str(accept).lower())
                     .replace('"fail_on_changed":false', '"fail_on_changed":%s' % str(changed).lower()))
        t.run("compare", "merge", f, "--json", t.path("c.json"), expect=rc,
              what="merge: accept_predicted %s, fail_on_changed %s" % (accept, changed))
        t.eq(json.load(open(t.path("c.json")))["totals"]["exit_status"], rc, "the merged totals' exit status")
    p = t.run("compare", "merge", t.path("alice.json"), expect=2, what="merge a single compare JSON")
    t.check("alice.json:1: expected" in p.err, "a single-pair JSON is no accounts document", p.err)

    # --parallel-accounts 4: the same reports, byte for byte, and the same summary, in the file's order
    many = t.path("many.csv")
    with open(many, "w") as f:
        f.write("account,source,target\n")
        for k in range(3):
            for who in ("alice", "carol", "bob"):
                f.write("%s%d,%s,%s\n" % (who, k, t.path("src", who), t.path("dst", who)))
    outs = {}
    for n in (1, 4):
        d = t.path("par%d" % n)
        os.makedirs(d)
        p = t.run("compare", "--no-progress", "--rules", rules, "--as-of", AS_OF, "--accounts", many,
                  "--parallel-accounts", str(n), "--json", os.path.join(d, "a.json"), "--csv", os.path.join(d, "a.csv"),
                  "--folders-csv", os.path.join(d, "f.csv"), "--html", os.path.join(d, "a.html"), expect=3,
                  what="--parallel-accounts %d" % n)
        text = open(os.path.join(d, "a.json"), encoding="utf-8").read()
        outs[n] = (p.out, text[text.index('"accounts":['):]) + tuple(
            open(os.path.join(d, x), "rb").read() for x in ("a.csv", "f.csv", "a.html"))
    t.check(outs[1][0].index("alice0:") < outs[1][0].index("carol0:") < outs[1][0].index("bob2:"),
            "--parallel-accounts 1: the summary in the file's order", outs[1][0])
    for k, what in enumerate(("summary", "JSON from the accounts on", "CSV", "folders CSV", "HTML")):
        t.eq(outs[4][k], outs[1][k], "--parallel-accounts 4 = 1: " + what)
    p = t.run("compare", "--parallel-accounts", "2", t.path("src", "alice"), t.path("dst", "alice"), expect=2,
              what="--parallel-accounts without --accounts")
    t.check("--parallel-accounts needs --accounts" in p.err, "--parallel-accounts needs --accounts", p.err)

    # the file's and the command line's mistakes
    bad = t.path("bad.csv")
    with open(bad, "w") as f:
        f.write("account,source,target\nalice,%s,\nbob,imaps://bob@h.example,%s\n" % (
            t.path("src", "alice"), t.path("dst", "bob")))
    p = t.run("compare", "--accounts", bad, expect=2, what="accounts without targets")
    t.check("bad.csv:2: account alice has no target" in p.err and
            "bad.csv:3: account bob is on IMAP: give its password_file" in p.err, "each account's mistake", p.err)
    p = t.run("compare", "--accounts", acc, t.path("src", "alice"), t.path("dst", "alice"), expect=2,
              what="--accounts with SOURCE TARGET")
    p = t.run("compare", "--shard", "1/2", t.path("src", "alice"), t.path("dst", "alice"), expect=2,
              what="--shard without --accounts")
    t.check("--shard needs --accounts" in p.err, "--shard needs --accounts", p.err)
    t.run("compare", "--accounts", acc, "--password-file", bad, expect=2, what="one password for many accounts")


main("compare-accounts", body)
