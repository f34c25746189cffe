#!/usr/bin/env python3
"""Issue 16, "Done when": `fix split` turns the bundled sample and a
generated mailbox of offending messages (101, 250 and 1,000 attachments; a
40 MB message of 2 MB attachments; a single 30 MB attachment in each
--oversize mode; nested multipart/related with inline images; attached
message/rfc822; RFC 2231 file names; signed messages left alone) into a copy
that `scan` passes with no size or attachment errors, verified, with a
manifest. Checked independently: Python's email package finds every
attachment of the source, decoded, in the copy or among the detached files
(SHA-256 multisets), and every unchanged message is byte for byte the
source's.  Args: MAILPREFLIGHT SAMPLE_MAIL_DIR"""
import collections
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixgen  # noqa: E402
from fixtest import (SANITIZED, blocking, detached_digests, fix, manifest, messages, oracle_digests,  # noqa: E402
                     records, snapshot)
from mptest import LIMIT, main, write_mbox  # noqa: E402


def check_sample(t, sample):
    before = snapshot(sample)
    # keep (the default): the 101 attachments are split, the 17.5 MB + 1
    # message cannot be (its one attachment fits no message) and is reported
    p = fix(t, "split", sample, "--out", t.path("s1"), "--json", t.path("s1.json"), expect=1,
            what="fix split of the sample (keep)")
    t.check("big.bin" in p.out and "does not fit" in p.out, "sample keep: the unfixable message is named", p.out)
    m = manifest(t, t.path("s1.json"))
    t.eq((m["verified"], m["committed"], m["error"]), (True, True, None), "sample keep: verified and committed")
    recs = {r["message_id"]: r for r in records(m)}
    r101 = recs.get("att-101@sample.mailpreflight.invalid")
    t.check(r101 is not None and r101["action"] == "split", "sample keep: the 101 attachments split", recs.keys())
    if r101:
        t.eq(len(r101["parts"]), 2, "sample keep: 101 attachments in 2 parts")
        t.check(all(p["attachments"] <= 100 and p["checked"] for p in r101["parts"]),
                "sample keep: each part within 100 attachments, checked", r101["parts"])
        t.eq(sorted(a["part"] for a in r101["attachment_list"]).count(None), 0,
             "sample keep: every attachment has its part")
    big = recs.get("big@sample.mailpreflight.invalid")
    t.check(big is not None and big["action"] == "not-fixed", "sample keep: the big one not fixed", recs.keys())
    t.eq(m["totals"]["written"], 16, "sample keep: 15 messages + 1 extra part")

    _, rows, inv = t.scan(t.path("s1"), extra=("--as-of", "2019-12-31"), expect=1, tag="s1")
    t.eq([(r["subject"], r["rule"]) for r in blocking(rows)],
         [("Big attachment (17920 KB + 1 octet)", "too-large")], "sample keep: only the big one is left")
    t.eq(len(inv), 16, "sample keep: the copy has 16 messages")
    # every unchanged file: same name, bytes and mtime
    after = snapshot(t.path("s1"))
    same = [k for k in before if k in after and before[k] == after[k]]
    t.eq(len(same), 14, "sample keep: 14 files byte for byte with their mtimes (all but the split one)")
    t.eq(snapshot(sample), before, "sample: the source is untouched")

    # detach: now everything passes
    fix(t, "split", sample, "--out", t.path("s2"), "--oversize", "detach", "--json", t.path("s2.json"),
        expect=0, what="fix split of the sample (detach)")
    _, rows, inv = t.scan(t.path("s2"), extra=("--as-of", "2019-12-31", "--fail-on", "never"), expect=0, tag="s2")
    t.eq(blocking(rows), [], "sample detach: no size or attachment finding in the copy")
    t.eq(len(inv), 16, "sample detach: 16 messages")
    got = oracle_digests(t.path("s2")) + detached_digests(t.path("s2-attachments"))
    t.eq(got, oracle_digests(sample), "sample detach: every attachment, decoded, in the copy or a detached file")
    m = manifest(t, t.path("s2.json"))
    det = [a for r in records(m) for a in r["attachment_list"] if a["detached"]]
    t.eq(len(det), 1, "sample detach: one attachment detached")
    if det:
        t.check(os.path.isfile(det[0]["detached"]) and os.path.basename(det[0]["detached"]) == det[0]["sha256"],
                "sample detach: the file is where the manifest says, named by its SHA-256", det[0])
        t.check(os.path.isfile(det[0]["detached"] + ".json"), "sample detach: with its sidecar")


def build_source(t, fmt, heavy):
    """A mailbox with ordinary messages around every offender."""
    offenders = fixgen.offenders(heavy=heavy)
    msgs = []
    for i, (_, data) in enumerate(offenders):
        msgs.append(fixgen.plain(i))
        msgs.append(data)
    msgs.append(fixgen.plain(99))
    if fmt == "mbox":
        path = t.path("gen.mbox")
        write_mbox(path, msgs)
    else:
        path = t.path("gen-md")
        for i, data in enumerate(msgs):
            fixgen.write_maildir_message(path, ".Big" if i % 2 else "", "%d.M%d.gen:2,S" % (1546300800 + i, i), data,
                                         1546300800 + i)
    return path, offenders, len(msgs)


def check_generated(t, fmt, heavy):
    src, offenders, n = build_source(t, fmt, heavy)
    out = t.path("out-" + fmt)
    before = snapshot(src)
    p = fix(t, "split", src, "--out", out, "--oversize", "detach", "--json", t.path(fmt + ".json"), expect=1,
            what="fix split of the generated %s" % fmt)
    t.check("signed" in p.out, fmt + ": the signed message is named as left alone", p.out)
    t.eq(snapshot(src), before, fmt + ": the source is untouched")
    m = manifest(t, t.path(fmt + ".json"))
    t.eq((m["verified"], m["committed"]), (True, True), fmt + ": verified and committed")
    recs = {r["message_id"].split("@")[0]: r for r in records(m)}
    want = {name: "split" for name, _ in offenders}
    want["forwarded"] = want.pop("rfc822")
    want["signed"] = "not-fixed"
    if heavy:
        want["thirty"] = "detach"
    t.eq({k: r["action"] for k, r in recs.items()}, want, fmt + ": what was done to each offender")
    extra = sum(len(r["parts"]) - 1 for r in recs.values() if r["action"] == "split")
    t.eq(m["totals"]["written"], n + extra, fmt + ": the copy has the source's messages plus the extra parts")
    for k, r in recs.items():
        if r["action"] == "not-fixed":
            continue
        t.check(all(a["part"] or a["detached"] for a in r["attachment_list"]),
                fmt + ": %s: every attachment went somewhere" % k)
        t.check(all(p["checked"] and p["size"] <= LIMIT and p["attachments"] <= 100 for p in r["parts"]),
                fmt + ": %s: every part checked and within the limits" % k, r["parts"])
    if heavy:
        # 20 attachments of 2 MB, 2.8 MB each in base64 with CRLF: 6 fit in 17.5 MB
        t.eq(len(recs["forty"]["parts"]), 4, fmt + ": 40 MB of 2 MB attachments in 4 parts")

    # a scan of the copy: only the signed message still breaks a rule
    _, rows, inv = t.scan(out, expect=1, tag=fmt)
    t.eq(sorted({r["subject"] for r in blocking(rows)}), ["signed with 150 attachments"],
         fmt + ": the scan of the copy finds only the signed message")
    t.eq(len(inv), n + extra, fmt + ": the scan counts the same messages")
    # the independent check: every attachment, decoded, exactly as often
    got = oracle_digests(out) + detached_digests(out + "-attachments")
    t.eq(sorted(got.items()), sorted(oracle_digests(src).items()),
         fmt + ": Python's email package finds every attachment of the source in the copy or a detached file")
    # every message that needed nothing is there byte for byte
    src_msgs = collections.Counter(data for _, data in messages(src))
    out_msgs = collections.Counter(data for _, data in messages(out))
    unchanged = [data for data in src_msgs if b"ordinary message" in data or b"signed with" in data]
    t.eq(len(unchanged), len(offenders) + 2, fmt + ": the ordinary and signed messages of the source")
    for data in unchanged:
        t.check(out_msgs[data] == 1, fmt + ": an unchanged message is in the copy byte for byte", data[:200])

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out + "-attachments", ignore_errors=True)


def check_allow_break(t):
    """--allow-break-signatures: the signed content is split too (the
    signature, which would no longer verify, is dropped)."""
    src = t.path("signed.mbox")
    write_mbox(src, [fixgen.plain(1), fixgen.signed(), fixgen.plain(2)])
    fix(t, "split", src, "--out", t.path("signed-out.mbox"), "--allow-break-signatures", "--json",
        t.path("signed.json"), expect=0, what="fix split --allow-break-signatures")
    _, rows, inv = t.scan(t.path("signed-out.mbox"), expect=0, tag="signed")
    t.eq(blocking(rows), [], "allow-break: no size or attachment finding is left")
    t.eq(len(inv), 4, "allow-break: 150 attachments in 2 parts")
    want = oracle_digests(src)
    got = oracle_digests(t.path("signed-out.mbox"))
    t.eq(sorted((want - got).items()), [], "allow-break: every attachment but the signature is in the copy")
    t.eq(sum((want - got).values()), 0, "allow-break: nothing missing")
    m = manifest(t, t.path("signed.json"))
    t.eq([r["action"] for r in records(m)], ["split"], "allow-break: the signed message was split")


def check_thirty_keep(t):
    """A single 30 MB attachment with --oversize keep: reported, copied."""
    src = t.path("thirty.mbox")
    write_mbox(src, [fixgen.single()])
    p = fix(t, "split", src, "--out", t.path("thirty-out.mbox"), expect=1, what="30 MB attachment, keep")
    t.check("video.mp4" in p.out and "--oversize detach" in p.out, "30 MB keep: the advice names the option", p.out)
    with open(src, "rb") as a, open(t.path("thirty-out.mbox"), "rb") as b:
        t.check(a.read() == b.read(), "30 MB keep: the mbox is copied byte for byte")


def body(t):
    check_sample(t, t.args[0])
    # the 40 MB and 30 MB messages: seconds in the plain build, more under
    # the sanitizers (both CI runs do the rest)
    heavy = not SANITIZED or os.environ.get("MP_FIX_HEAVY") == "1"
    check_generated(t, "mbox", heavy)
    check_generated(t, "maildir", False)
    check_allow_break(t)
    if heavy:
        check_thirty_keep(t)


main("fix-done-when", body, args="SAMPLE_MAIL_DIR")
