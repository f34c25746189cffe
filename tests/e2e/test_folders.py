#!/usr/bin/env python3
"""(h) Folder names: Thunderbird (Inbox, Inbox.msf, Archive.sbd/2019),
Maildir++ (.Archive.2019, modified UTF-7) and nested Maildir trees.
Args: MAILPREFLIGHT"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_mbox, write_maildir, make_message  # noqa: E402


def folders_of(inventory):
    seen = []
    for r in inventory:
        if r["folder"] not in seen:
            seen.append(r["folder"])
    return seen


# folder discovery is tested under the sanity profile: the default one
# (UTmail+) refuses a folder named Archive, checked separately below
GENERIC = ("--rules", "generic")


def body(t):
    # Thunderbird profile folder
    tb = t.path("Mail", "Local Folders")
    os.makedirs(os.path.join(tb, "Archive.sbd"))
    write_mbox(os.path.join(tb, "Inbox"), [make_message("in 1"), make_message("in 2")])
    with open(os.path.join(tb, "Inbox.msf"), "w") as f:
        f.write("// <!-- <mdb:mork:z v=\"1.4\"/> -->\n< <(a=c)> // (f=iso-8859-1)\n")
    write_mbox(os.path.join(tb, "Archive"), [make_message("archive")])
    with open(os.path.join(tb, "Archive.msf"), "w") as f:
        f.write("// mork\n")
    write_mbox(os.path.join(tb, "Archive.sbd", "2019"), [make_message("old 1"), make_message("old 2")])
    with open(os.path.join(tb, "Archive.sbd", "2019.msf"), "w") as f:
        f.write("// mork\n")
    with open(os.path.join(tb, "msgFilterRules.dat"), "w") as f:
        f.write("version=\"9\"\n")
    p, _, inv = t.scan(tb, extra=GENERIC, expect=0, what="Thunderbird folder", tag="tb")
    t.eq(folders_of(inv), ["Archive", "Archive/2019", "Inbox"], "Thunderbird: folder names")
    t.eq([r["subject"] for r in inv if r["folder"] == "Archive/2019"], ["old 1", "old 2"], "Thunderbird: Archive/2019 messages")
    t.check(".msf" not in p.out, "Thunderbird: .msf files are no folders", p.out)

    # Maildir++
    md = t.path("Maildir")
    write_maildir(md, [make_message("inbox")])
    write_maildir(os.path.join(md, ".Archive"), [make_message("archive")])
    write_maildir(os.path.join(md, ".Archive.2019"), [make_message("old")])
    write_maildir(os.path.join(md, ".Entw&APw-rfe"), [make_message("draft")])  # Dovecot mUTF-7
    p, _, inv = t.scan(md, extra=GENERIC, expect=0, what="Maildir++", tag="mdpp")
    t.eq(folders_of(inv), ["INBOX", "Archive", "Archive/2019", "Entwürfe"], "Maildir++: folder names")
    t.eq([r["locator"] for r in inv if r["folder"] == "Archive/2019"][0][:len(".Archive.2019/cur/")],
         ".Archive.2019/cur/", "Maildir++: locator relative to the root")
    # the default profile's folder rules (UTmail+: Archive reserved, no accented letters)
    p, found, _ = t.scan(md, expect=1, what="Maildir++ with the default profile", tag="mdpp-default")
    t.eq([(r["folder"], r["rule"], r["check"], r["index"]) for r in found],
         [("Archive", "folder-names", "folder-name", ""), ("Archive/2019", "folder-names", "folder-name", ""),
          ("Entwürfe", "folder-names", "folder-name", "")], "default profile: folder-name findings")
    t.check("reserved" in found[0]["detail"] and "non-ASCII" in found[2]["detail"],
            "folder-name findings say why", [r["detail"] for r in found])

    # nested Maildir tree (mu, offlineimap): Archive/2019/cur
    nested = t.path("nested")
    write_maildir(os.path.join(nested, "Inbox"), [make_message("n inbox")])
    write_maildir(os.path.join(nested, "Archive", "2019"), [make_message("n old")])
    p, _, inv = t.scan(nested, extra=GENERIC, expect=0, what="nested Maildir tree", tag="nested")
    t.eq(folders_of(inv), ["Archive/2019", "Inbox"], "nested Maildir: folder names")

    # new/ messages are counted and unread; tmp/ is ignored
    md2 = t.path("md2")
    write_maildir(md2, [make_message("seen")], names=["1.M1P1.x:2,S"])
    write_maildir(md2, [make_message("new")], names=["2.M2P2.x"], sub="new")
    write_maildir(md2, [make_message("in delivery")], names=["3.M3P3.x"], sub="tmp")
    p, _, inv = t.scan(md2, extra=GENERIC, expect=0, what="cur/new/tmp", tag="cnt")
    t.eq([(r["subject"], r["read"]) for r in inv], [("seen", "read"), ("new", "unread")], "new/ counted, tmp/ ignored")


main("folders", body)
