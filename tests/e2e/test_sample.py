#!/usr/bin/env python3
"""(a) The bundled sample (sample/README.md): exact findings, inventory
counts, exit codes.  Args: MAILPREFLIGHT SAMPLE_MAIL_DIR"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, LIMIT  # noqa: E402

ADVICE_LARGE = ("The import refuses messages over 17.5 MB: split the message before the import, on a copy: "
                "mailpreflight fix split (--oversize detach saves an attachment too large for any message as a "
                "file).")
ADVICE_IDLE = ("An account unused for over 6 months and not forwarded is treated as abandoned and may no "
               "longer exist at migration time: confirm with its owner.")
ADVICE_STRUCTURE = ("A server may refuse this message as it is (Cyrus does): repair its header block, or bring "
                    "the message over another way, and check it after the move.")
ADVICE_MANY = ("The import refuses messages with more than 100 attachments: split the message so "
               "that each part carries at most 100: mailpreflight fix split, on a copy.")


def body(t):
    sample = t.args[0]
    # --as-of fixes "now": the newest evidence of activity (a message read,
    # which arrived 2019-06-01; the Sent folder's newest is 2019-01-04) is
    # then more than 6 months old, and the account counts as abandoned
    p, findings, inventory = t.scan(sample, extra=("--as-of", "2019-12-31"), expect=1, what="scan of the sample")

    expected = [
        ["sample", sample, "Large", "1", ".Large/cur/1546383600.M14P1014.sample:2,S",
         "att-101@sample.mailpreflight.invalid", "2019-01-01T23:00:00+00:00",
         "Alice Example <alice@example.org>", "101 attachments", "22405", "101",
         "too-many-attachments", "attachment-count", "error", "101", "100", "101 attachments > 100",
         ADVICE_MANY],
        ["sample", sample, "Large", "2", ".Large/cur/1546387200.M15P1015.sample:2,S",
         "big@sample.mailpreflight.invalid", "2019-01-02T00:00:00+00:00",
         "Alice Example <alice@example.org>", "Big attachment (17920 KB + 1 octet)", str(LIMIT + 1), "1",
         "too-large", "message-size", "error", str(LIMIT + 1), str(LIMIT),
         "17.5 MB (18350081 B) > 17920 KB (18350080 B)", ADVICE_LARGE],
        # a line of the header block that is no header: Cyrus refuses it (issue 13)
        ["sample", sample, "Malformed", "4", ".Malformed/cur/1546376400.M12P1012.sample:2,S",
         "garbage-header@sample.mailpreflight.invalid", "2019-01-01T21:00:00+00:00",
         "Alice Example <alice@example.org>", "Garbage header line", "317", "0",
         "structure", "message-structure", "warning", "malformed-header", "",
         "malformed-header: this line is garbage: no field name @@ ###; a line of the header block is no header "
         "(RFC 5322 §2.2): Cyrus refuses the message on APPEND, \"Message contains invalid header\"",
         ADVICE_STRUCTURE],
        ["sample", "", "", "", "", "", "", "", "", "", "",
         "abandoned", "account-idle", "warning", "2019-06-01", "6 months",
         "idle more than 6 months: last activity 2019-06-01 (reading: INBOX, message 1 (marked read; arrival "
         "time) in %s, 2019-06-01) as of 2019-12-31; not forwarded: abandoned (home %s: no .forward; no active "
         "Sieve script)" % (sample, os.path.dirname(sample)), ADVICE_IDLE],
    ]
    got = [list(r.values()) for r in findings]
    t.eq(len(got), 4, "sample: four findings rows")
    for i, row in enumerate(expected):
        t.eq(got[i] if i < len(got) else None, row, "sample: findings row %d" % (i + 1))

    # inventory: README.md's expected counts
    t.eq(len(inventory), 15, "sample: 15 messages")
    per_folder = {}
    for r in inventory:
        per_folder[r["folder"]] = per_folder.get(r["folder"], 0) + 1
    t.eq(per_folder, {"INBOX": 5, "International": 3, "Large": 2, "Malformed": 4, "Sent": 1}, "sample: messages per folder")
    by_mid = {r["message_id"]: r for r in inventory}
    att = {mid.split("@")[0]: (r["attachments"], r["inline_parts"]) for mid, r in by_mid.items() if mid}
    t.eq(att, {
        "plain-1": ("0", "0"), "att-1": ("1", "0"), "att-2": ("2", "0"), "att-3": ("3", "0"),
        "html-inline": ("0", "1"), "intl-utf8": ("0", "0"), "intl-latin1": ("0", "0"),
        "intl-raw8bit": ("0", "0"), "no-date": ("0", "0"), "unterminated": ("1", "0"),
        "garbage-header": ("0", "0"), "att-101": ("101", "0"), "big": ("1", "0"), "sent-1": ("0", "0"),
    }, "sample: attachments and inline parts per message")
    t.eq(by_mid["att-3@sample.mailpreflight.invalid"]["attachment_names"],
         "2018-q4.csv;übersicht.csv;archive.zip", "sample: attachment names (RFC 2231 decoded)")
    t.eq(sum(int(r["size"]) for r in inventory), 18379419, "sample: total size")
    t.eq(by_mid["big@sample.mailpreflight.invalid"]["size"], str(LIMIT + 1), "sample: big message size")
    # non-ASCII headers decoded to UTF-8
    t.eq(by_mid["intl-utf8@sample.mailpreflight.invalid"]["subject"], "Grüße aus Köln – 東京", "RFC 2047 UTF-8 subject")
    t.eq(by_mid["intl-utf8@sample.mailpreflight.invalid"]["from"], "Jürgen Müller <juergen@example.de>", "RFC 2047 UTF-8 from")
    t.eq(by_mid["intl-latin1@sample.mailpreflight.invalid"]["subject"], "Café crème à la française", "RFC 2047 Latin-1 subject")
    t.eq(by_mid["intl-latin1@sample.mailpreflight.invalid"]["from"], "Françoise Lévêque <francoise@example.fr>", "RFC 2047 Latin-1 from")
    t.eq(by_mid["intl-raw8bit@sample.mailpreflight.invalid"]["subject"], "Größenänderung – raw 8-bit header", "raw 8-bit subject")
    # malformed ones: each carries its problem
    nodate = by_mid["no-date@sample.mailpreflight.invalid"]
    t.eq((nodate["date"], nodate["date_source"], nodate["problems"]),
         ("2019-06-01T00:00:00+00:00", "mtime", "missing-date"), "missing Date: date from the file's mtime")
    nomid = [r for r in inventory if r["subject"] == "No Message-ID header"]
    t.eq([r["problems"] for r in nomid], ["missing-message-id"], "missing Message-ID reported")
    t.eq(by_mid["unterminated@sample.mailpreflight.invalid"]["problems"], "truncated", "unterminated multipart reported")
    t.check(by_mid["garbage-header@sample.mailpreflight.invalid"]["problems"].startswith("malformed-header"),
            "garbage header line reported", by_mid["garbage-header@sample.mailpreflight.invalid"]["problems"])
    t.eq(sum(1 for r in inventory if r["problems"]), 5, "sample: 5 messages with problems")
    t.eq(by_mid["intl-raw8bit@sample.mailpreflight.invalid"]["problems"], "unencoded-8bit-header: From",
         "raw 8-bit header reported (RFC 5322 §2.2)")
    t.check("15 messages" in p.out and "2 error(s)" in p.out and "2 warning(s)" in p.out,
            "sample: summary counts", p.out)

    # recent activity: with the scan in mid-2019 the account is not abandoned
    _, recent, _ = t.scan(sample, extra=("--as-of", "2019-06-30"), expect=1, what="scan as of 2019-06-30", tag="recent")
    t.eq([r["rule"] for r in recent], ["too-many-attachments", "too-large", "structure"],
         "active account: no idle finding")
    # forwarding: a .forward beside the Maildir means not abandoned
    import shutil
    fwd_root = t.path("home")
    shutil.copytree(sample, os.path.join(fwd_root, "Maildir"), symlinks=True)
    with open(os.path.join(fwd_root, ".forward"), "w") as f:
        f.write("owner@elsewhere.example\n")
    _, fwd, _ = t.scan(os.path.join(fwd_root, "Maildir"), extra=("--as-of", "2019-12-31"), expect=1,
                       what="scan of a forwarded account", tag="fwd")
    t.eq([r["rule"] for r in fwd], ["too-many-attachments", "too-large", "structure"],
         "forwarded account: not abandoned")

    # --fail-on
    t.run("scan", "-q", "--fail-on", "never", sample, expect=0, what="--fail-on never")
    t.run("scan", "-q", "--fail-on", "warning", sample, expect=1, what="--fail-on warning")
    t.run("scan", "-q", "--rules", "generic", sample, expect=0, what="--rules generic (150 MB)")
    q = t.run("scan", "-q", sample, expect=1, what="-q")
    t.eq(q.out, "", "-q prints nothing on stdout")


main("sample", body)
