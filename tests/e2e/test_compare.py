#!/usr/bin/env python3
"""compare SOURCE TARGET on local mailboxes (issue 18): a source and the copy
a migration left of it (tests/pylib/migration.py: messages refused as the
rules predict, lost for no reason, moved, rewritten, grown; extra mail on the
target). compare must find exactly those, with the predicted rules, in every
report; exit 0/1/2/3 as documented; leave both sides untouched; say the same
for a folder of mbox files as for a Maildir; and keep what a message holds
from driving a spreadsheet, a browser or a terminal.
Args: MAILPREFLIGHT"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "..", "reports"))
from reports_common import validate_schema  # noqa: E402
from mptest import main, mbox_bytes  # noqa: E402
import migration  # noqa: E402
from migration import FOLDERS_COLUMNS, check_reports, run_compare, snapshot  # noqa: E402

def body(t):
    with open(t.path("rules.ini"), "w") as f:
        f.write(migration.RULES)
    folders = migration.plan()
    src, dst = t.path("source"), t.path("target")
    migration.write_maildirs(src, folders)
    migration.write_maildirs(dst, migration.target_of(folders))
    before = (snapshot(src), snapshot(dst))

    p, rows, doc, html, paths = run_compare(t, src, dst, "maildir")
    check_reports(t, "Maildir", rows, doc, html)
    with open(os.path.join(HERE, "..", "..", "docs", "mailpreflight-compare-1.schema.json")) as f:
        schema = json.load(f)
    errs = validate_schema(doc, schema)
    t.check(not errs, "JSON matches docs/mailpreflight-compare-1.schema.json", errs)
    t.eq((snapshot(src), snapshot(dst)), before, "both sides untouched (read-only)")
    t.check("Verdict: 2 message(s) did not arrive and no rule predicted it" in p.out,
            "the summary's verdict", p.out[-600:])
    t.check("look at these first" in p.out and "three: lost without a reason" in p.out,
            "the summary lists the unexpected ones first", p.out)
    with open(paths["folders.csv"], newline="", encoding="utf-8") as f:
        fl = list(csv.reader(f))
    t.eq(fl[0], FOLDERS_COLUMNS, "folders CSV: the documented columns")
    by = {(r[0], r[1]): dict(zip(fl[0], r)) for r in fl[1:]}
    t.eq((by[("source", "INBOX")]["messages"], by[("source", "INBOX")]["unexpected"],
          by[("source", "INBOX")]["moved_to"]), ("13", "2", "Filed (1)"), "folders CSV: INBOX")
    t.eq((by[("target", "Work")]["extra"], by[("target", "Work")]["copies"]), ("1", "1"), "folders CSV: Work")

    # --jobs does not change a thing
    _, rows1, _, _, _ = run_compare(t, src, dst, "jobs1", "--jobs", "1")
    t.eq(rows1, rows, "--jobs 1 gives the same rows")

    # the same source as a folder of mbox files (mutt's layout): the same answer
    mboxdir = t.path("source-mboxdir")
    os.makedirs(mboxdir)
    for folder, msgs in folders:
        with open(os.path.join(mboxdir, folder), "wb") as f:
            f.write(mbox_bytes([m.replace(b"\r\n", b"\n") for _, m in msgs]))
    _, rows_m, doc_m, html_m, _ = run_compare(t, mboxdir, dst, "mboxdir", "--size-tolerance", "8 KB,2%")
    check_reports(t, "folder of mbox files", rows_m, doc_m, html_m, ordered=False)

    # a mailbox compared with itself: everything arrived, in place
    p, rows_s, doc_s, _, _ = run_compare(t, src, src, "self", expect=0)
    t.eq((rows_s, doc_s["verdict"], doc_s["totals"]["moved"]), ([], "complete", 0), "a mailbox with itself")
    t.check("Verdict: COMPLETE" in p.out, "complete: the summary says so", p.out[-300:])

    # only what the rules predicted is missing: 1, or 0 when accepted
    predicted_only = [(f, [(fate if fate != "lost" else "kept", m) for fate, m in msgs]) for f, msgs in folders]
    dst2 = t.path("target-predicted")
    migration.write_maildirs(dst2, migration.target_of(predicted_only))
    _, _, doc_p, _, _ = run_compare(t, src, dst2, "predicted", expect=1)
    t.eq(doc_p["verdict"], "missing-predicted", "only predicted losses: the verdict")
    p, _, doc_a, _, _ = run_compare(t, src, dst2, "accepted", "--accept-predicted", expect=0)
    t.eq((doc_a["exit_status"], doc_a["run"]["accept_predicted"]), (0, True), "--accept-predicted: exit 0")
    t.check("(accepted: --accept-predicted)" in p.out, "--accept-predicted: the summary says so", p.out[-300:])
    run_compare(t, src, dst2, "changed-fails", "--accept-predicted", "--fail-on-changed", expect=1)

    # the size tolerance decides what "changed" means: 20 KB more is
    # within 32 KB
    _, rows_t, doc_t, _, _ = run_compare(t, src, dst, "tolerance", "--size-tolerance", "32 KB")
    t.eq([r["changes"] for r in rows_t if r["status"] == "changed"], ["subject"], "--size-tolerance 32 KB")
    t.eq(doc_t["run"]["size_tolerance"]["bytes"], 32768, "--size-tolerance: in the JSON")

    # JSON on stdout: nothing else there
    p = t.run("compare", "--no-progress", "--rules", t.path("rules.ini"), "--json", "-", src, dst, expect=1,
              what="--json -")
    t.eq(json.loads(p.out)["totals"]["unexpected"], 2, "--json -: the document alone on stdout")

    # a side that cannot be read: exit 3, no report that would call
    # everything missing
    p, _, _, _, paths3 = run_compare(t, src, t.path("nowhere"), "unreadable", expect=3)
    t.check("target" in p.err and "nowhere" in p.err, "an unreadable target is named", p.err)
    t.check(not any(os.path.exists(x) for x in paths3.values()), "no report for a comparison not made")

    # usage errors: exit 2
    for args, what in ((["compare", src], "one mailbox"),
                       (["compare", "--size-tolerance", "2 MBs", src, dst], "a bad tolerance"),
                       (["compare", "--rules", "no-such-profile", src, dst], "unknown rules"),
                       (["compare", "--csv", "-", "--json", "-", src, dst], "two reports on stdout")):
        p = t.run(*args, expect=2, what=what)
        t.check(p.err.startswith("mailpreflight compare: "), "%s: a clear message" % what, p.err)

    # no control character from a message reaches the terminal
    evil = [("INBOX", [("lost", migration._msg(1, "bell\x07 and \x1b[31mred\x1b[0m"))])]
    esrc, edst = t.path("evil-source"), t.path("evil-target")
    migration.write_maildirs(esrc, evil)
    migration.write_maildirs(edst, [("INBOX", [])])
    p = t.run("compare", "--no-progress", esrc, edst, expect=1, what="control characters")
    t.check("\x1b" not in p.out and "\x07" not in p.out, "the summary shows no control character", repr(p.out))

    p = t.run("compare", "--help", expect=0, what="compare --help")
    for word in ("SOURCE TARGET", "--accept-predicted", "--size-tolerance", "--folders-csv",
                 "--target-password-file", "--target-oauth2-token-file", "Exit status", "folder-map"):
        t.check(word in p.out, "compare --help mentions %s" % word, p.out)


main("compare", body)
