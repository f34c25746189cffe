#!/usr/bin/env python3
"""What a fix keeps of every message it does not change, in every layout:
bytes, flags and dates (issue 16: "every other message is copied byte for
byte, with its flags and dates (Maildir info suffix and mtime, mbox From_
line and Status headers)"), and the same across formats (--out-format).
Also: folders of mbox files, several SOURCEs, `fix detach`.
Args: MAILPREFLIGHT"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixgen  # noqa: E402
from fixtest import detached_digests, fix, manifest, messages, oracle_digests, records, snapshot  # noqa: E402
from mptest import main, mbox_entry  # noqa: E402


def tricky_mbox(t, with_offender):
    """Junk before the first message, UW-IMAP's folder data, CRLF lines, a
    quoted and an unquoted inner From line, Status headers, a last message
    without its final newline."""
    uw = (b"From MAILER-DAEMON Tue Jan  1 00:00:00 2019\nDate: Tue, 01 Jan 2019 00:00:00 +0000\n"
          b"From: Mail System Internal Data <MAILER-DAEMON@x>\n"
          b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAP: 1546300800 0000000003\n\n"
          b"This text is part of the internal format of your mail folder.\n\n")
    crlf = fixgen.headers("crlf", "crlf").replace(b"\n", b"\r\n") + b"\r\nline one\r\nline two\r\n"
    seen = fixgen.headers("seen and flagged", "flags", b"Status: RO\nX-Status: AF\n") + b"\nbody\n"
    inner = fixgen.headers("inner from", "inner") + b"\ntext\nFrom the middle, not after an empty line\n"
    data = b"junk before the first message\n\n" + uw
    data += mbox_entry(fixgen.plain(1), sender="alice@example.org", date="Wed Jan  2 10:00:00 2019")
    data += mbox_entry(crlf)
    if with_offender:
        offender = fixgen.mixed("120 attachments", "offender",
                                [fixgen.attachment("o%03d.bin" % i, fixgen.pattern(200, i)) for i in range(120)],
                                extra=b"Status: RO\nX-UID: 7\nContent-Length: 31337\nLines: 12\n")
        data += mbox_entry(offender, sender="bob@example.org", date="Thu Jan  3 11:00:00 2019")
    data += mbox_entry(seen)
    data += mbox_entry(inner)
    data += mbox_entry(fixgen.plain(2), separator=False)[:-1]  # no final newline at all
    return data


def check_mbox_identity(t):
    src = t.path("tricky.mbox")
    with open(src, "wb") as f:
        f.write(tricky_mbox(t, False))
    out = t.path("tricky-out.mbox")
    p = fix(t, "split", src, "--out", out, expect=0, what="an mbox with nothing to fix")
    with open(src, "rb") as a, open(out, "rb") as b:
        t.check(a.read() == b.read(), "mbox: a copy with nothing to fix is the same file, byte for byte")
    t.check("bytes before the first message" not in p.out, "mbox: the junk is kept, not dropped", p.out)


def check_mbox_split_in_place(t):
    src = t.path("tricky2.mbox")
    data = tricky_mbox(t, True)
    with open(src, "wb") as f:
        f.write(data)
    out = t.path("tricky2-out.mbox")
    fix(t, "split", src, "--out", out, "--json", t.path("t2.json"), expect=0, what="an mbox with one to split")
    with open(out, "rb") as f:
        got = f.read()
    # everything before and after the split message is there, byte for byte
    start = data.index(b"From bob@example.org")
    end = data.index(b"From ", data.index(b"offender@fixgen.invalid"))
    t.check(got.startswith(data[:start]), "mbox split: everything before the split message is unchanged")
    t.check(got.endswith(data[end:]), "mbox split: everything after it is unchanged")
    middle = got[start:len(got) - (len(data) - end)]
    t.eq(middle.count(b"From bob@example.org Thu Jan  3 11:00:00 2019\n"), 2,
         "mbox split: each part keeps the original From_ line")
    t.eq(middle.count(b"\nStatus: RO\n"), 2, "mbox split: each part keeps the Status header (its flags)")
    t.check(b"X-UID:" not in middle and b"Content-Length:" not in middle and b"\nLines:" not in middle,
            "mbox split: no part claims the original's X-UID, Content-Length or Lines")
    m = manifest(t, t.path("t2.json"))
    parts = records(m)[0]["parts"] if records(m) else []
    t.eq([p["locator"] for p in parts], [str(start), str(start + middle.index(b"From bob", 10))],
         "mbox split: the manifest gives each part's offset")


def maildir_source(t):
    src = t.path("md")
    fixgen.write_maildir_message(src, "", "1546300800.M1P1.host,S=123,W=130:2,FRS", fixgen.plain(1), 1546300800)
    fixgen.write_maildir_message(src, "", "1546300900.M2P1.host", fixgen.plain(2), 1546300900, sub="new")
    fixgen.write_maildir_message(src, "", "1546301000.M3P1.host,S=9,W=9:2,Sa", fixgen.many(150, mid="md-many"),
                                 1546301000)
    fixgen.write_maildir_message(src, ".Archive.2019", "1546301100.M4P1.host:2,T", fixgen.plain(3), 1546301100)
    fixgen.write_maildir_message(src, "Nested/Deep", "1546301200.M5P1.host:2,D", fixgen.plain(4), 1546301200)
    with open(os.path.join(src, "dovecot-keywords"), "w") as f:
        f.write("0 $Forwarded\n")
    with open(os.path.join(src, "dovecot-uidlist"), "w") as f:
        f.write("3 V1 N4\n")
    return src


def check_maildir(t):
    src = maildir_source(t)
    before = snapshot(src)
    out = t.path("md-out")
    fix(t, "split", src, "--out", out, expect=0, what="a Maildir")
    after = snapshot(out)
    for name in ("cur/1546300800.M1P1.host,S=123,W=130:2,FRS", "new/1546300900.M2P1.host",
                 ".Archive.2019/cur/1546301100.M4P1.host:2,T", "Nested/Deep/cur/1546301200.M5P1.host:2,D",
                 "dovecot-keywords"):
        t.eq(after.get(name), before[name], "maildir: %s copied with its name, bytes and mtime" % name)
    t.check("dovecot-uidlist" not in after, "maildir: Dovecot's uidlist (it would be stale) is not copied")
    parts = sorted(k for k in after if "M3P1" in k)
    t.eq(parts, ["cur/1546301000.M3P1.host.part1of2:2,Sa", "cur/1546301000.M3P1.host.part2of2:2,Sa"],
         "maildir: the parts keep the original's name (no ,S=/,W=), flags and keyword letters")
    for k in parts:
        t.eq(after[k][1], before["cur/1546301000.M3P1.host,S=9,W=9:2,Sa"][1], "maildir: a part keeps the mtime")
    t.eq(snapshot(src), before, "maildir: the source is untouched")


def check_conversions(t):
    # mbox -> Maildir: flags from Status/X-Status, mtime from the From_ line,
    # the quoting removed
    src = t.path("conv.mbox")
    with open(src, "wb") as f:
        f.write(tricky_mbox(t, True))
    md = t.path("conv-md")
    p = fix(t, "split", src, "--out", md, "--out-format", "maildir", expect=0, what="mbox to Maildir")
    t.check("bytes before the first message" in p.out, "mbox to Maildir: the dropped junk is reported", p.out)
    t.check("is no message" in p.out, "mbox to Maildir: UW-IMAP's folder data is reported, not copied", p.out)
    names = sorted(os.listdir(os.path.join(md, "cur")) + ["new/" + n for n in os.listdir(os.path.join(md, "new"))])
    flagged = [n for n in names if n.endswith(":2,FRS")]
    t.check(len(flagged) == 1, "mbox to Maildir: Status RO + X-Status AF became the info 2,FRS", names)
    msgs = dict(messages(md))
    plain1 = [d for d in msgs.values() if b"ordinary message 1" in d]
    t.eq(plain1, [fixgen.plain(1)], "mbox to Maildir: the message unquoted, otherwise byte for byte")
    st = os.stat(os.path.join(md, "cur", [n for n in os.listdir(os.path.join(md, "cur"))
                                          if b"ordinary message 1" in open(os.path.join(md, "cur", n), "rb").read()][0]))
    t.eq(int(st.st_mtime), 1546423200, "mbox to Maildir: the mtime is the From_ line's date")
    t.eq(oracle_digests(md), oracle_digests(src), "mbox to Maildir: every attachment there")

    # Maildir -> mbox: Status headers from the info, From_ line from the mtime
    src = maildir_source(t)
    mb = t.path("conv-mbox")
    fix(t, "split", src, "--out", mb, "--out-format", "mbox", expect=0, what="Maildir to mbox")
    t.eq(sorted(os.listdir(mb)), ["Archive.sbd", "INBOX", "Nested.sbd"],
         "Maildir to mbox: a folder of mbox files, Thunderbird's layout")
    with open(os.path.join(mb, "INBOX"), "rb") as f:
        inbox = f.read()
    t.check(inbox.startswith(b"From MAILER-DAEMON Tue Jan  1 00:00:00 2019\n"),
            "Maildir to mbox: the From_ line has the mtime", inbox[:80])
    t.check(b"Status: RO\nX-Status: AF\n\nHello 1." in inbox, "Maildir to mbox: flags F R S as Status headers")
    t.check(b">From here on" in inbox and b">>From an already" in inbox, "Maildir to mbox: mboxrd quoting")
    with open(os.path.join(mb, "Archive.sbd", "2019"), "rb") as f:
        t.check(b"X-Status: D\n" in f.read(), "Maildir to mbox: T (trashed) kept as X-Status D")
    # and back: the same messages and flags as the first Maildir had
    back = t.path("back-md")
    fix(t, "split", mb, "--out", back, "--out-format", "maildir", expect=0, what="mbox folder back to Maildir")
    infos = sorted(n.split(":2,")[1] if ":2," in n else "(new)" for k, _ in messages(back)
                   for n in [os.path.basename(k)])
    # (the new/ message has no state in mbox: it comes back in cur/ without
    # flags; keyword letters have no mbox header: the parts keep only S)
    t.eq(infos, sorted(["FRS", "", "S", "S", "T", "D"]), "round trip: the flags come back")


def check_detach(t):
    src = t.path("detach.mbox")
    with open(src, "wb") as f:
        f.write(mbox_entry(fixgen.plain(1)) +
                mbox_entry(fixgen.mixed("two big", "two-big", [
                    fixgen.attachment("a.bin", fixgen.pattern(300000, 1)),
                    fixgen.attachment("small.txt", fixgen.pattern(100, 2), "text/plain"),
                    fixgen.attachment("b.bin", fixgen.pattern(400000, 3))])) +
                mbox_entry(fixgen.mixed("same content again", "again", [
                    fixgen.attachment("a-copy.bin", fixgen.pattern(300000, 1))])))
    out = t.path("detach-out.mbox")
    fix(t, "detach", src, "--out", out, "--min-size", "200 KB", "--json", t.path("detach.json"), expect=0,
        what="fix detach")
    m = manifest(t, t.path("detach.json"))
    t.eq([(r["action"], len(r["parts"]), sum(1 for a in r["attachment_list"] if a["detached"]))
          for r in records(m)], [("detach", 1, 2), ("detach", 1, 1)], "detach: what was detached")
    att = t.path("detach-out.mbox-attachments")
    files = sorted(n for n in os.listdir(att) if not n.endswith(".json"))
    t.eq(len(files), 2, "detach: the same content is saved once")
    got = oracle_digests(out) + detached_digests(att)
    want = oracle_digests(src)
    a_hash = [h for h in want if want[h] == 2]
    t.eq(len(a_hash), 1, "detach: the repeated attachment's hash")
    for h in a_hash:
        got[h] += 1  # one file, two occurrences (its sidecar names both)
    t.eq(sorted(got.items()), sorted(want.items()), "detach: every attachment in the copy or a file")
    with open(os.path.join(att, a_hash[0] + ".json"), encoding="utf-8") as f:
        side = f.read()
    t.check('"a.bin"' in side and '"a-copy.bin"' in side, "detach: the sidecar names both occurrences", side)
    with open(out, "rb") as f:
        text = f.read()
    t.check(b"small.txt" in text and text.count(b"was removed from\nthis message by mailpreflight") == 3,
            "detach: the small attachment stays, the large ones are replaced by a note")


def check_several_sources(t):
    a = t.path("one.mbox")
    with open(a, "wb") as f:
        f.write(mbox_entry(fixgen.plain(1)) + mbox_entry(fixgen.many(101, mid="x1")))
    b = maildir_source(t)
    out = t.path("several")
    fix(t, "split", a, b, "--out", out, expect=0, what="two SOURCEs")
    t.eq(sorted(os.listdir(out)), ["md", "one.mbox"], "several SOURCEs: DEST/NAME each")
    p = fix(t, "split", a, t.path("x", "one.mbox"), "--out", t.path("several2"), expect=3, what="a missing SOURCE")
    t.check(not os.path.exists(t.path("several2")), "a missing SOURCE: nothing written")


def body(t):
    check_mbox_identity(t)
    check_mbox_split_in_place(t)
    check_maildir(t)
    check_conversions(t)
    check_detach(t)
    check_several_sources(t)


main("fix-formats", body)
