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
import csv
import io
import json
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


# What compare must say, as (status, folder, index, key) of the rows CSV —
# KEY is the Message-ID, or the Subject of a message without one — the
# rules that predicted each missing one, and the changes of the changed.
# Index is a message's place in its folder as the source lists it: stable
# for the Maildirs written here, not for Dovecot's (file names within one
# second do not sort in arrival order), so those comparisons leave it out.
EXPECTED_ROWS = [
    ("unexpected", "INBOX", 3, "m03@source.example", "", ""),
    ("missing", "INBOX", 5, "m05@source.example", "too-large", ""),
    ("missing", "INBOX", 6, "m06@source.example", "too-many-attachments", ""),
    ("changed", "INBOX", 9, "m09@source.example", "", "subject"),
    ("changed", "INBOX", 11, "m11@source.example", "", "size"),
    ("unexpected", "INBOX", 13, "thirteen: no id, lost", "", ""),
    ("missing", "Archive", 1, "m30@source.example", "folder-names", ""),
    ("missing", "Archive", 2, "m31@source.example", "folder-names", ""),
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


# ---- what every comparison of the plan must report ------------------------

ROWS_COLUMNS = ["status", "folder", "index", "locator", "message_id", "date", "from", "subject", "size",
                "attachments", "target_folder", "target_index", "target_locator", "target_size",
                "target_attachments", "changes", "rules", "detail"]
FOLDERS_COLUMNS = ["side", "folder", "expected_folder", "messages", "bytes", "arrived", "moved", "missing",
                   "unexpected", "changed", "extra", "copies", "moved_to", "rules"]


def read_rows(t, path):
    """The rows CSV at PATH as dicts, its header and line ends checked."""
    with open(path, newline="", encoding="utf-8") as f:
        raw = f.read()
    t.check(raw.endswith("\r\n"), "rows CSV: CRLF rows (RFC 4180)")
    rows = list(csv.reader(io.StringIO(raw)))
    t.eq(rows[0], ROWS_COLUMNS, "rows CSV: the documented columns")
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def row_keys(rows, ordered=True):
    """EXPECTED_ROWS' form of the rows CSV's ROWS; without the index (and
    sorted) unless ORDERED."""
    keys = [(r["status"], r["folder"], int(r["index"]), r["message_id"] or r["subject"], r["rules"], r["changes"])
            for r in rows if r["status"] != "extra"]
    return keys if ordered else unordered(keys)


def unordered(keys):
    return sorted(k[:2] + k[3:] for k in keys)


def extra_keys(rows):
    return [(r["target_folder"], r["message_id"]) for r in rows if r["status"] == "extra"]


def snapshot(root):
    """Every file under ROOT with its size and mtime: a read-only run
    changes none of them."""
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            st = os.stat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


def check_reports(t, tag, rows, doc, html, ordered=True):
    """What every comparison of the plan must report; rows in the source's
    folder order when ORDERED (a Maildir lists INBOX first, a folder of mbox
    files by name)."""
    order = (lambda x: x) if ordered else sorted
    t.eq(row_keys(rows, ordered), EXPECTED_ROWS if ordered else unordered(EXPECTED_ROWS),
         "%s: exactly the messages that did not arrive or changed" % tag)
    t.eq(order(extra_keys(rows)), order(EXPECTED_EXTRA), "%s: the target's extra messages, after the others" % tag)
    hostile = [r for r in rows if r["status"] == "changed" and r["changes"] == "subject"]
    t.check(hostile and hostile[0]["subject"].startswith("'=HYPERLINK"),
            "%s: a Subject that is a formula is text in the CSV" % tag, hostile)
    t.check(hostile and "[EXT] =HYPERLINK" in hostile[0]["detail"],
            "%s: the detail says what the subject became" % tag, hostile)
    for r in rows:
        if r["status"] == "missing":
            t.check(r["rules"] and r["rules"] in r["detail"], "%s: %s#%s names the rule that predicted it"
                    % (tag, r["folder"], r["index"]), r)
        if r["status"] == "unexpected":
            t.check("no rule predicted it" in r["detail"], "%s: unexpected says so" % tag, r)
    tot = doc["totals"]
    got = {k: tot[k] for k in EXPECTED_TOTALS}
    t.eq(got, EXPECTED_TOTALS, "%s: JSON totals" % tag)
    t.eq(doc["schema"], "mailpreflight-compare/1", "%s: JSON schema" % tag)
    t.eq((doc["verdict"], doc["exit_status"]), ("missing-unexpected", 1), "%s: JSON verdict" % tag)
    json_rows = [(m["status"], m["folder"], m["index"], m["message_id"] or m["subject"],
                  ";".join(x["rule"] for x in m["reasons"] if x["predicts"]), ";".join(m["changes"]))
                 for m in doc["messages"]]
    t.eq(json_rows if ordered else unordered(json_rows), EXPECTED_ROWS if ordered else unordered(EXPECTED_ROWS),
         "%s: JSON rows equal the CSV's" % tag)
    t.eq(order([(x["folder"], x["message_id"], x["copy"]) for x in doc["extra"]]),
         order([e + (e[0] == "Work",) for e in EXPECTED_EXTRA]),
         "%s: JSON extra messages; the second copy is said to be one" % tag)
    folders = {f["folder"]: f for f in doc["folders"]}
    t.eq((folders["Sent"]["expected"], folders["Sent"]["mapped"], folders["Sent"]["arrived"]),
         ("Sent Items", True, 3), "%s: Sent arrived in Sent Items (the profile's folder map)" % tag)
    t.eq(folders["INBOX"]["moved_to"], [{"folder": "Filed", "messages": 1}], "%s: INBOX's moved message" % tag)
    t.eq(folders["Archive"]["expected_exists"], False, "%s: the refused folder is not on the target" % tag)
    t.check(any(f["rule"] == "folder-names" for f in folders["Archive"]["findings"]),
            "%s: the folder's own finding is in the JSON" % tag, folders["Archive"])
    t.check("<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html,
            "%s: HTML escapes what a message holds" % tag)
    t.check('data-verdict="missing-unexpected"' in html, "%s: HTML verdict" % tag)
    t.check("Content-Security-Policy" in html and "default-src 'none'" in html, "%s: HTML CSP" % tag)


def run_compare(t, source, target, tag, *extra, expect=1, env=None):
    """compare SOURCE TARGET with RULES (written to t.path("rules.ini")) and
    every report, named after TAG; returns (process, rows, JSON, HTML, paths)."""
    paths = {k: t.path("%s.%s" % (tag, k)) for k in ("rows.csv", "folders.csv", "json", "html")}
    for p in paths.values():
        if os.path.exists(p):
            os.unlink(p)
    p = t.run("compare", "--no-progress", "--rules", t.path("rules.ini"), "--csv", paths["rows.csv"],
              "--folders-csv", paths["folders.csv"], "--json", paths["json"], "--html", paths["html"],
              *extra, source, target, expect=expect, what="compare " + tag, env=env)
    rows = read_rows(t, paths["rows.csv"]) if os.path.exists(paths["rows.csv"]) else []
    doc = json.load(open(paths["json"], encoding="utf-8")) if os.path.exists(paths["json"]) else {}
    html = open(paths["html"], encoding="utf-8").read() if os.path.exists(paths["html"]) else ""
    return p, rows, doc, html, paths
