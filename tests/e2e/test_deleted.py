#!/usr/bin/env python3
"""Messages marked deleted but still stored (DEFINITIONS.md "Deleted";
issue 13, item 3): Maildir T, mbox Status: / X-Status: with D, Thunderbird's
X-Mozilla-Status bit 0x0008, IMAP \\Deleted (against Dovecot when it can be
started here).
  - each is shown as deleted in the inventory (column `deleted`, naming the
    mark), the JSON (message `deleted`, folder and source stats, totals), the
    HTML and the summary, counted apart;
  - a Maildir message's stale X-Mozilla-Status header does not overrule its
    file name (the flags Maildir keeps);
  - `deleted = judge` judges them like any message; `deleted = skip` (in
    [profile], inherited) leaves them out of every rule, message, folder and
    account counts alike; `rules check` shows the choice and refuses a bad
    value with its line;
  - every built-in profile makes the choice, with its reason in a comment.
Args: MAILPREFLIGHT"""
import contextlib
import csv
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, write_maildir, make_message, TESTS  # noqa: E402

BIG = ("x" * 70 + "\n") * 30   # over the 1 KB limit below

JUDGE = """[profile]
name = deleted judged
inherits = generic
deleted = judge

[rule big]
check = message-size
max = 1 KB

[rule folder-full]
check = folder-message-count
max = 2
"""


def rows(t, path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def body(t):
    md = t.path("md")
    write_maildir(md, [make_message("md kept", body=BIG, mid="mk@x"),
                       make_message("md trashed", body=BIG, mid="mt@x"),
                       make_message("md stale header", body=BIG, mid="ms@x",
                                    extra_headers="X-Mozilla-Status: 0009\n")],
                  names=["1.a:2,S", "2.b:2,ST", "3.c:2,S"])
    write_mbox(t.path("flags.mbox"), [
        make_message("mbox read", body=BIG, extra_headers="Status: RO\n", mid="r@x"),
        make_message("mbox status D", body=BIG, extra_headers="Status: RD\n", mid="sd@x"),
        make_message("mbox x-status D", body=BIG, extra_headers="Status: O\nX-Status: AD\n", mid="xd@x"),
    ])
    tb = t.path("tb")
    os.makedirs(tb)
    write_mbox(os.path.join(tb, "Inbox"), [
        make_message("tb kept", body=BIG, extra_headers="X-Mozilla-Status: 0001\n", mid="tk@x"),
        make_message("tb expunged", body=BIG, extra_headers="X-Mozilla-Status: 0009\n", mid="te@x")])
    with open(t.path("judge.ini"), "w") as f:
        f.write(JUDGE)
    with open(t.path("skip.ini"), "w") as f:
        f.write("[profile]\nname = deleted skipped\ninherits = judge.ini\ndeleted = skip\n")
    with open(t.path("child.ini"), "w") as f:
        f.write("[profile]\nname = inherits skip\ninherits = skip.ini\n")
    sources = [md, t.path("flags.mbox"), tb]
    expect = {"md kept": "", "md trashed": "maildir-t", "md stale header": "", "mbox read": "",
              "mbox status D": "status-d", "mbox x-status D": "x-status-d", "tb kept": "",
              "tb expunged": "x-mozilla-status"}
    deleted = sorted(s for s, mark in expect.items() if mark)

    def scan(tag, rules, rc):
        p = t.run("scan", "--no-progress", "-r", t.path(rules), "--inventory", t.path(tag + ".csv"),
                  "--csv", t.path(tag + "-findings.csv"), "--json", t.path(tag + ".json"),
                  "--html", t.path(tag + ".html"), *sources, expect=rc, what=tag)
        return p, rows(t, t.path(tag + ".csv")), rows(t, t.path(tag + "-findings.csv")), \
            json.loads(t.read(tag + ".json")), t.read(tag + ".html")

    # ---- judged ---------------------------------------------------------------
    p, inv, found, doc, html = scan("judge", "judge.ini", 1)
    t.eq({r["subject"]: r["deleted"] for r in inv}, expect, "judge: the inventory names each deleted mark")
    t.check("deleted" in inv[0] and list(inv[0]).index("deleted") == list(inv[0]).index("read") + 1,
            "the deleted column comes after read", list(inv[0]))
    judged = sorted({r["subject"] for r in found if r["rule"] == "big"})
    t.eq(judged, sorted(expect), "judge: every message, deleted or not, is judged")
    t.eq(doc["totals"].get("deleted"), 4, "judge: JSON totals.deleted")
    t.eq(doc["rules"].get("deleted"), "judge", "judge: JSON rules.deleted")
    msgs = {m["subject"]: m.get("deleted") for a in doc["accounts"] for s in a["sources"] for f in s["folders"] for m in f["messages"]}
    t.eq(msgs, {k: (v or None) for k, v in expect.items()}, "judge: JSON message deleted")
    t.eq([f["stats"].get("deleted") for a in doc["accounts"] for s in a["sources"] for f in s["folders"]], [1, 2, 1],
         "judge: JSON folder stats count the deleted")
    t.eq(doc["totals"]["messages"], 8, "judge: deleted messages are counted among the messages")
    t.check("4 message(s) are marked deleted but still stored" in p.out and "judged like the others" in p.out,
            "judge: the summary counts them apart", p.out)
    # the summary's folder table is one account's (three sources here are
    # three accounts): the Maildir alone
    p1 = t.run("scan", "--no-progress", "-r", t.path("judge.ini"), md, expect=1, what="judge, one account")
    t.check(re.search(r"Deleted", (p1.out.split("Folder", 1)[1:] or [""])[0].splitlines()[0]) is not None,
            "judge: the summary's folder table has a Deleted column", p1.out)
    t.check('<div class="n">4</div><div class="l">Marked deleted (judged)</div>' in html, "judge: an HTML card")
    t.check('id="deleted">4 messages are marked deleted but still stored: judged like the others' in html,
            "judge: the HTML verdict says it")
    t.check(html.count('class="sev info deleted"') >= 4, "judge: deleted messages are marked in the HTML tables")
    t.check(any(r["rule"] == "folder-full" for r in found), "judge: deleted messages count towards a folder's")

    # ---- skipped: shown and counted, not judged ------------------------------------
    for tag, rules in (("skip", "skip.ini"), ("inherited", "child.ini")):
        p, inv, found, doc, html = scan(tag, rules, 1)
        t.eq({r["subject"]: r["deleted"] for r in inv}, expect, tag + ": the inventory still shows them")
        judged = sorted({r["subject"] for r in found if r["subject"]})
        t.eq(judged, sorted(s for s in expect if s not in deleted), tag + ": no finding on a deleted message")
        t.check(not any(r["rule"] == "folder-full" for r in found),
                tag + ": deleted messages do not count towards a folder's (2 left in each)")
        t.eq(doc["rules"].get("deleted"), "skip", tag + ": JSON rules.deleted")
        t.eq(doc["totals"].get("deleted"), 4, tag + ": still counted apart")
        t.check("not judged (rules: deleted = skip)" in p.out, tag + ": the summary says they were not judged", p.out)
        t.check("Marked deleted (not judged)" in html, tag + ": the HTML says it")

    # ---- rules check ----------------------------------------------------------------
    p = t.run("rules", "check", t.path("skip.ini"), expect=0)
    t.check("messages marked deleted: not judged (deleted = skip)" in p.out, "rules check shows the choice", p.out)
    with open(t.path("bad.ini"), "w") as f:
        f.write("[profile]\nname = bad\n\ndeleted = maybe\n")
    p = t.run("rules", "check", t.path("bad.ini"), expect=2)
    t.check("bad.ini:4: [profile] deleted: 'maybe' is neither judge nor skip" in p.err,
            "a bad deleted value: named with its line", p.err)

    # ---- every built-in profile chooses, and says why --------------------------------
    names = [line.split()[0] for line in t.run("rules", "list", expect=0).out.splitlines() if line.strip()]
    for name in names:
        text = t.run("rules", "show", name, expect=0).out
        m = re.search(r"((?:#[^\n]*\n)+)deleted = (judge|skip)\n", text)
        t.check(m is not None and "Deleted" in m.group(1),
                "profile %s: deleted = judge|skip with its reason in a comment" % name, text[:600])

    imap_part(t)


def imap_part(t):
    fixture = os.path.join(TESTS, "imap-client", "dovecot-fixture.py")
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        print("note: no Dovecot (needs root and dovecot-imapd): IMAP \\Deleted is not checked here")
        return
    spec = importlib.util.spec_from_file_location("dovecot_fixture", fixture)
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    d = tempfile.mkdtemp(prefix="mp-deleted-", dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc != 0:
        print("note: Dovecot did not start: IMAP \\Deleted is not checked here")
        return
    try:
        info = json.loads(out.getvalue().strip().splitlines()[-1])
        m = fx.connect(d, "alice")
        fx.check(m.create(fx.quote("Del")), "CREATE")
        for subject, flags in (("imap kept", None), ("imap deleted", "(\\Deleted)")):
            data = make_message(subject, body=BIG, mid=subject.replace(" ", "") + "@x").replace(b"\n", b"\r\n")
            fx.check(m.append(fx.quote("Del"), flags, None, data), "APPEND")
        m.logout()
        url = "imaps://alice@%s:%d/Del" % (info["host"], info["imaps_port"])
        env = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}
        for tag, rules in (("imap-judge", "judge.ini"), ("imap-skip", "skip.ini")):
            t.run("scan", "--no-progress", "-q", "--ca-file", info["ca_file"], "-r", t.path(rules),
                  "--inventory", t.path(tag + ".csv"), "--csv", t.path(tag + "-f.csv"), url, env=env,
                  expect=1, what=tag)
            inv = rows(t, t.path(tag + ".csv"))
            t.eq({r["subject"]: r["deleted"] for r in inv}, {"imap kept": "", "imap deleted": "imap-deleted"},
                 tag + ": IMAP \\Deleted in the inventory")
            judged = sorted({r["subject"] for r in rows(t, t.path(tag + "-f.csv")) if r["subject"]})
            t.eq(judged, ["imap deleted", "imap kept"] if tag == "imap-judge" else ["imap kept"],
                 tag + ": judged as the rules say")
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)


main("deleted", body)
