#!/usr/bin/env python3
"""corpus-imap-check.py — third-party mail read two ways: every message of
a folder of test mail (found as corpus-check.py finds them: Maildirs, mbox
files, loose messages) is APPENDed to a real Dovecot on 127.0.0.1
(tests/imap-client/dovecot-fixture.py) and written to a local Maildir, and
both are scanned. DEFINITIONS.md: the same message gives the same numbers
from a Maildir or over IMAP. So, message by message, the inventories must
agree on the size, the attachment, inline-part and nested-attachment counts
and each attachment's type and stored size (IMAP's BODYSTRUCTURE against
the local MIME reading), for every message that both readers can read the
same way: the local scan records no problem of its structure (STRUCTURE
below: two MIME parsers may read broken mail differently, and each is
right by its own rules) and the server understood every Content-Type (the
IMAP scan records invalid-content-type where Dovecot's BODYSTRUCTURE says
"" "").

Other differences are listed, not failed: those messages, and the text
fields a server rewrites (Dovecot's ENVELOPE collapses runs of blanks in a
Subject; an address without a domain gets "MISSING_DOMAIN").

Usage: corpus-imap-check.py MAILPREFLIGHT [CORPUS_DIR]
CORPUS_DIR defaults to $MAILPREFLIGHT_CORPUS. Skipped (exit 77) without a
corpus, without root or without Dovecot; the corpus is never part of the
repository."""
import importlib.util
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main  # noqa: E402
import dovecot  # noqa: E402

_spec = importlib.util.spec_from_file_location("corpus_check", os.path.join(HERE, "corpus-check.py"))
corpus_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_check)

# problems of a message's MIME structure as the local reading found it
STRUCTURE = {"nul-byte", "oversized-header", "unterminated-header", "too-many-parts", "duplicated-parameter",
             "invalid-content-type", "malformed-multipart", "truncated", "malformed-message", "conflicting-header",
             "conflicting-parameter", "multipart-without-boundary", "invalid-parameter", "nesting-overflow",
             "part-without-content", "part-without-headers-or-content", "parser-warning", "unparseable",
             "malformed-header"}
NUMBERS = ["size", "attachments", "inline_parts", "nested_attachments", "attachment_types", "attachment_sizes"]
TEXTS = ["message_id", "subject", "from"]


def corpus_messages(root):
    """(label, bytes) of every message; not those with NUL, which an IMAP
    literal may not carry (RFC 3501 §4.3: Dovecot refuses the APPEND)."""
    return [(label, data) for label, data in corpus_check.corpus_messages(root) if data and b"\0" not in data]


def structure_problems(row):
    codes = {p.split(":")[0].strip() for p in row["problems"].split(";") if p.strip()}
    return sorted(codes & STRUCTURE)


def body(t):
    corpus = t.args[0] if t.args else os.environ.get("MAILPREFLIGHT_CORPUS")
    if not corpus or not os.path.isdir(corpus):
        t.skip("set MAILPREFLIGHT_CORPUS to a folder of test mail")
    msgs = corpus_messages(os.path.abspath(corpus))
    with dovecot.running(t, "mp-corpus-imap-") as (fx, d, info):
        m = fx.connect(d, "alice")
        fx.check(m.create("Corpus"), "CREATE Corpus")
        kept, refused = [], []
        for label, data in msgs:
            crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            try:
                typ, _ = m.append("Corpus", None, None, crlf)
            except Exception as e:  # imaplib raises on NO/BAD
                typ = str(e)
            (kept if typ == "OK" else refused).append((label, data))
        m.logout()
        local = t.path("local")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(local, sub))
        for i, (_, data) in enumerate(kept):
            with open(os.path.join(local, "cur", "%06d.M1P1.corpus:2,S" % i), "wb") as f:
                f.write(data)
        with open(t.path("pw"), "w") as f:
            f.write(info["users"]["alice"] + "\n")
        os.chmod(t.path("pw"), 0o600)
        common = ("-q", "--fail-on", "never", "--rules", "generic")
        url = "imaps://alice@127.0.0.1:%d/Corpus" % info["imaps_port"]
        _, _, inv_imap = t.scan(url, extra=common + ("--password-file", t.path("pw"), "--ca-file", info["ca_file"]),
                                expect=0, what="the IMAP scan", tag="imap")
        _, _, inv_local = t.scan(local, extra=common, expect=0, what="the Maildir scan", tag="local")

    inv_imap, inv_local = inv_imap or [], inv_local or []
    t.eq(len(inv_imap), len(kept), "every message APPENDed is in the IMAP inventory")
    t.eq(len(inv_local), len(kept), "every message is in the Maildir inventory")
    differ, listed = Counter(), defaultdict(list)
    clean = 0
    for (label, _), a, b in zip(kept, inv_imap, inv_local):
        broken = structure_problems(b)
        # the server could not read a Content-Type (Dovecot: "" "")
        unread_type = "invalid-content-type" in structure_problems(a)
        for k in NUMBERS + TEXTS:
            if a[k] != b[k]:
                differ[k] += 1
                listed[k].append("%s: IMAP %r, Maildir %r%s" % (label, a[k][:70], b[k][:70],
                                                             "  [%s]" % ";".join(broken) if broken else ""))
        if broken or unread_type:
            continue
        clean += 1
        diff = {k: (a[k], b[k]) for k in NUMBERS if a[k] != b[k]}
        t.check(not diff, "%s: IMAP and Maildir agree" % label, diff)
    print("corpus-imap-check: %d messages, %d APPENDed (%d refused by the server), %d read the same way by "
          "both" % (len(msgs), len(kept), len(refused), clean))
    for k in NUMBERS + TEXTS:
        print("  %-18s %d difference(s)" % (k, differ[k]))
        for line in listed[k][:8]:
            print("    " + line)
    t.check(clean > 0, "some messages compared", len(kept))


main("corpus-imap-check", body, args="[CORPUS_DIR]")
