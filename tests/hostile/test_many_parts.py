#!/usr/bin/env python3
"""Messages of very many MIME parts (issue 14, item 12). GMime builds a
message's whole tree before anything walks it, at 4 to 7 KB a part: 100,000
parts in 5 MB took 200 to 750 MB, a 25 MB message of tiny parts 1.6 GB
and 20 s per worker. Past MP_MIME_MAX_PARTS (5,000) no tree is built: the
parts are counted as a stream (problem too-many-parts).

Each scan's peak RSS (VmHWM, the whole process, --jobs 2) must stay below
64 MB plus the size of the message:
  - 100,000 tiny parts in 5 MB (a Maildir file, read from the file);
  - a 25 MB message of tiny parts in an mbox, between good messages;
  - 20,000 attachments with file names (3.4 MB, read in memory), and
    4,999 small attachments, an irregular header (so GMime, not the light
    walker, reads it) and a tree built, the most a tree may hold.
  - 4,999 attachments in 6 MB, over the 4 MiB the analyzer reads into
    memory: read from the file, a tree at the cap.
Asserts besides: the counts (MIME parts, attachments, depth) are exact for
these regular messages, the first 5,000 attachments are listed with name
and size, under the cap nothing changes (no problem, every attachment
listed), the good neighbours are intact."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import (Test, mbox_entry, good_message, crlf_size, write_maildir,  # noqa: E402
                    DEFAULT_RSS_LIMIT_MB, TIMEOUT_SCALE)

CAP = 5000
HEAD = (b"From: Many <many@example.org>\nTo: b@example.org\nSubject: %s\n"
        b"Date: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <%s@example.org>\n%s"
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n")


def tiny_parts(subject, n, pad):
    part = b"--b\nContent-Type: text/plain\n\n" + b"y" * pad + b"\n"
    return HEAD % (subject, subject, b"") + part * n + b"--b--\n"


def attachments(subject, n, extra=b"", data=b"AAAA\n"):
    return (HEAD % (subject, subject, extra) + b"".join(
        b"--b\nContent-Type: application/octet-stream; name=\"f%06d.bin\"\n"
        b"Content-Disposition: attachment; filename=\"f%06d.bin\"\nContent-Transfer-Encoding: base64\n\n"
        % (i, i) + data for i in range(n)) + b"--b--\n")


def rss_limit(size):
    # sanitizers add shadow memory and quarantine: their bound is mptest's
    if os.environ.get("ASAN_OPTIONS") or os.environ.get("MP_SANITIZED") == "1":
        return DEFAULT_RSS_LIMIT_MB
    return 64 + size / (1024 * 1024)


def messages(rep):
    return {m["subject"]: m for a in rep["accounts"] for s in a["sources"] for f in s["folders"] for m in f["messages"]}


def body(t):
    # 1: 100,000 parts in 5 MB, a Maildir file
    big = tiny_parts(b"p100k", 100000, 20)
    t.check(5 * 10**6 <= len(big) <= 6 * 10**6, "100k parts in about 5 MB (set-up)", len(big))
    write_maildir(t.path("md"), [big], names=["1.p100k:2,S"])
    # 2: 25 MB of tiny parts in an mbox, between good messages
    huge = tiny_parts(b"p25m", 25 * 1024 * 1024 // 33, 1)
    goods = {s: crlf_size(good_message(s)) for s in ("good-1", "good-2")}
    with open(t.path("huge.mbox"), "wb") as f:
        f.write(mbox_entry(good_message("good-1")) + mbox_entry(huge) + mbox_entry(good_message("good-2")))
    # 3: many attachments, over and at the cap
    over = attachments(b"att20000", 20000)
    under = attachments(b"att4999", CAP - 1, extra=b"X-Irregular: caf\xc3\xa9\n")
    write_maildir(t.path("att"), [over, under], names=["1.over:2,S", "2.under:2,S"])
    # 4: 4,999 attachments of 741 bytes, over the analyzer's 4 MiB read into
    # memory: read from the file (stream-pread.c), a tree at the cap
    wide = attachments(b"big4999", CAP - 1, extra=b"X-Irregular: caf\xc3\xa9\n", data=(b"A" * 76 + b"\n") * 13)
    t.check(len(wide) > 4 * 1024 * 1024, "big4999 over 4 MiB (set-up)", len(wide))
    write_maildir(t.path("big"), [wide], names=["1.big:2,S"])

    for tag, src, size in (("p100k", t.path("md"), len(big)), ("p25m", t.path("huge.mbox"), len(huge)),
                           ("att", t.path("att"), max(len(over), len(under))),
                           ("big4999", t.path("big"), len(wide))):
        limit = rss_limit(size)
        r = t.scan_limited([src], timeout=60, rss_limit_mb=limit, tag=tag,
                           extra=("--json", t.path(tag + ".json")))
        t.check_run(r, tag, rcs=(0, 1), rss_limit_mb=limit)
        if r.rc not in (0, 1):
            continue
        rep = json.loads(open(t.path(tag + ".json"), encoding="utf-8").read())
        got = messages(rep)
        if tag == "p100k":
            m = got.get("p100k", {})
            t.eq((m.get("mime_parts"), m.get("attachments"), m.get("depth")), (100001, 0, 1),
                 "p100k: parts, attachments, depth")
            t.check(any(p.startswith("too-many-parts") for p in m.get("problems", [])),
                    "p100k: too-many-parts", m.get("problems"))
            t.eq(m.get("size"), crlf_size(big), "p100k: exact size")
        elif tag == "p25m":
            rows = r.inventory or []
            t.expect_good(rows, goods, "p25m")
            m = got.get("p25m", {})
            t.eq(m.get("mime_parts"), 25 * 1024 * 1024 // 33 + 1, "p25m: parts counted")
            t.check(any(p.startswith("too-many-parts") for p in m.get("problems", [])),
                    "p25m: too-many-parts", m.get("problems"))
        elif tag == "big4999":
            m = got.get("big4999", {})
            t.eq((m.get("mime_parts"), m.get("attachments"), len(m.get("attachment_list", []))),
                 (CAP, CAP - 1, CAP - 1), "big4999: a tree, every attachment listed")
            t.eq(m.get("size"), crlf_size(wide), "big4999: exact size")
        else:
            m = got.get("att20000", {})
            t.eq((m.get("mime_parts"), m.get("attachments")), (20001, 20000), "att20000: parts, attachments")
            listed = m.get("attachment_list", [])
            t.eq(len(listed), CAP, "att20000: the first 5,000 attachments listed")
            t.eq(listed[:1] + listed[-1:], [{"filename": "f000000.bin", "type": "application/octet-stream",
                                             "size": 4},
                                            {"filename": "f004999.bin", "type": "application/octet-stream",
                                             "size": 4}], "att20000: names, types and sizes")
            m = got.get("att4999", {})
            t.eq((m.get("mime_parts"), m.get("attachments"), len(m.get("attachment_list", []))),
                 (CAP, CAP - 1, CAP - 1), "att4999 (at the cap): a tree, every attachment listed")
            t.check(not any(p.startswith("too-many-parts") for p in m.get("problems", [])),
                    "att4999: no too-many-parts", m.get("problems"))


Test("hostile-many-parts").main(body)
