"""migration: one mailbox and the copy a migration left of it, with known
losses, for the tests of `mailpreflight compare` (tests/e2e/test_compare.py
on local Maildirs, tests/e2e/test_compare_imap.py on a real Dovecot).

plan() returns the SOURCE folders, and what a move does to each message:
  kept       copied as it is, into the same folder (Sent into Sent Items, as
             the outlook-connected-accounts profile's folder map says)
  refused    not copied, because the rules of RULES say so (too large, too
             many attachments, a reserved folder name): compare must report
             it missing, with that rule
  lost       not copied, for no reason the rules know: "unexpected"
  moved      copied into another folder: arrived, moved
  rewritten  copied with its Subject rewritten: "changed"
  grown      copied with a 20 KB header added: "changed" (size)
and the target's own EXTRA messages (mail that arrived after the move, and a
second copy of a message that arrived). target_of() applies the plan.

Every message has a distinct Message-ID, Date and Subject, except the two
without a Message-ID (matched by date, From, Subject and size).
Python 3 stdlib only."""
import os

from mptest import make_message, write_maildir

# the rules the source is judged by: the default profile with small limits,
# so that "too large" is 40 KB rather than 17.5 MB
RULES = """[profile]
name = compare test
inherits = outlook-connected-accounts

[rule too-large]
max = 40 KB

[rule too-many-attachments]
max = 5
"""

TARGET_FOLDER = {"Sent": "Sent Items"}


HOSTILE_SUBJECT = '=HYPERLINK("http://x.example") <script>alert(1)</script>'


def _msg(n, subject, body_kb=0, **kw):
    """Message N: Date and Message-ID of its own (MID=None: none), a body
    of BODY_KB kilobytes when given, CRLF line ends (as IMAP stores it)."""
    kw.setdefault("date", "Mon, %02d Jan 2024 10:%02d:00 +0000" % (1 + n % 28, n % 60))
    kw.setdefault("mid", "m%02d@source.example" % n)
    body = "Message %d.\n" % n + ("x" * 75 + "\n") * (body_kb * 1024 // 76)
    return make_message(subject, body, **kw).replace(b"\n", b"\r\n")


def plan():
    """[(folder, [(fate, message bytes, key)])] in folder order; KEY names
    the message in the expectations: (folder, 1-based index)."""
    inbox = [
        ("kept", _msg(1, "one")),
        ("kept", _msg(2, "two")),
        ("lost", _msg(3, "three: lost without a reason")),
        ("kept", _msg(4, "four")),
        ("refused", _msg(5, "five: too large", body_kb=48)),
        ("refused", _msg(6, "six: too many attachments", attachments=6)),
        ("moved", _msg(7, "seven: filed elsewhere")),
        ("kept", _msg(8, "eight")),
        ("rewritten", _msg(9, HOSTILE_SUBJECT)),
        ("kept", _msg(10, "ten")),
        ("grown", _msg(11, "eleven: header added")),
        ("kept", _msg(12, "twelve: no id", mid=None)),
        ("lost", _msg(13, "thirteen: no id, lost", mid=None)),
    ]
    sent = [("kept", _msg(20 + i, "sent %d" % i)) for i in range(3)]
    archive = [("refused", _msg(30 + i, "archived %d" % i)) for i in range(2)]
    work = [("kept", _msg(40 + i, "work %d" % i)) for i in range(3)]
    return [("INBOX", inbox), ("Sent", sent), ("Archive", archive), ("Work", work)]


def target_of(folders):
    """What the move left: [(folder, [message bytes])] for the target."""
    out = {}
    order = []

    def put(folder, data):
        if folder not in out:
            out[folder] = []
            order.append(folder)
        out[folder].append(data)

    for folder, msgs in folders:
        tf = TARGET_FOLDER.get(folder, folder)
        for fate, data in msgs:
            if fate in ("refused", "lost"):
                continue
            if fate == "moved":
                put("Filed", data)
            elif fate == "rewritten":
                put(tf, data.replace(b"Subject: ", b"Subject: [EXT] ", 1))
            elif fate == "grown":
                put(tf, data.replace(b"\r\n\r\n", b"\r\nX-Filler: " + b"f" * 20480 + b"\r\n\r\n", 1))
            else:
                put(tf, data)
    # the target's own mail: one that arrived after the move, and a second
    # copy of "one" in Work (a second label, a folder filed twice)
    put("INBOX", _msg(90, "arrived after the move", mid="new@target.example"))
    put("Work", folders[0][1][0][1])
    return [(f, out[f]) for f in order]


# What compare must say, as (status, folder, index) of the rows CSV, the
# rules that predicted each missing one, and the changes of the changed.
EXPECTED_ROWS = [
    ("unexpected", "INBOX", 3, "", ""),
    ("missing", "INBOX", 5, "too-large", ""),
    ("missing", "INBOX", 6, "too-many-attachments", ""),
    ("changed", "INBOX", 9, "", "subject"),
    ("changed", "INBOX", 11, "", "size"),
    ("unexpected", "INBOX", 13, "", ""),
    ("missing", "Archive", 1, "folder-names", ""),
    ("missing", "Archive", 2, "folder-names", ""),
]
EXPECTED_EXTRA = [("INBOX", "new@target.example"), ("Work", "m01@source.example")]
EXPECTED_TOTALS = {"messages": 21, "arrived": 15, "moved": 1, "missing": 4, "unexpected": 2, "changed": 2,
                   "extra": 2, "copies": 1}


def maildir_path(root, folder):
    """Maildir++: INBOX is the root, Parent/Child is .Parent.Child."""
    return root if folder == "INBOX" else os.path.join(root, "." + folder.replace("/", "."))


def write_maildirs(root, folders):
    """FOLDERS as a Maildir++ tree under ROOT, in message order (file names
    sort as the messages do)."""
    os.makedirs(root, exist_ok=True)
    for folder, msgs in folders:
        datas = [m[1] if isinstance(m, tuple) else m for m in msgs]
        write_maildir(maildir_path(root, folder), datas,
                      names=["%010d.M%dP1.cmp:2,S" % (1704067200 + i, i) for i in range(len(datas))])
