#!/usr/bin/env python3
"""corpus-check.py — runs mailpreflight over a folder of third-party test mail
and checks its numbers against an independent Python implementation of
DEFINITIONS.md:

  * size: the message's bytes, every LF not preceded by CR counting two
    octets; for mbox, the message range per the mbox rule (From_ only at the
    start of the file or after an empty line; the empty line before the next
    From_ and a final empty line at EOF excluded; one '>' removed per
    ^>+From line; UW-IMAP "FOLDER INTERNAL DATA" skipped);
  * attachments per A1-A3 / E1-E2, inline_parts and nested_attachments,
    walking multipart/* containers only, with Python's email package.

Usage: corpus-check.py MAILPREFLIGHT [CORPUS_DIR] [--verbose] [--max-examples N]
CORPUS_DIR defaults to $MAILPREFLIGHT_CORPUS; with neither, the check is
skipped (exit 77, meson's "skipped").

What is scanned: every Maildir folder (a directory with cur/ or new/; its
cur/ and new/ files), every mbox file (a file whose first line is a From_
line), and every other file that looks like one message (*.eml, *.msg,
*.raw, *.txt or no extension, beginning with a header field) — those are
copied into a temporary Maildir.

Exit: 0 no size or message-count mismatch, 1 some (attachment-count
mismatches are reported; they fail only with --strict), 77 skipped.
"""
import csv
import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import crlf_size  # noqa: E402  (the size of DEFINITIONS.md)

SKIP = 77
# The default policy unfolds header values (RFC 5322 §2.2.3) before reading
# parameters: compat32 keeps a folded boundary="foo\n bar" as it is and then
# finds no part of the multipart.
POLICY = email.policy.default
HEADER_RE = re.compile(rb"^[!-9;-~]+[ \t]*:")
MESSAGE_EXT = {".eml", ".msg", ".raw", ".txt", ""}
NOT_MAIL_NAMES = {"LICENSE", "NOTICE", "COPYING", "README", "MANIFEST", "COPYRIGHT"}


# ---------------------------------------------------------------- sizes

def split_mbox(data):
    """DEFINITIONS.md mbox rule. Returns (messages, junk_bytes) where each
    message is (from_offset, bytes, quoted_from_lines)."""
    lines = data.splitlines(keepends=True)
    msgs = []
    junk = 0
    cur = None  # [from_offset, [lines]]
    offset = 0
    prev_empty = True
    for line in lines:
        is_empty = line in (b"\n", b"\r\n")
        if prev_empty and line.startswith(b"From "):
            if cur is not None:
                body = cur[1]
                if body and body[-1] in (b"\n", b"\r\n"):
                    body = body[:-1]  # the separator
                msgs.append((cur[0], b"".join(body)))
            elif offset > 0:
                junk = offset
            cur = [offset, []]
        elif cur is not None:
            cur[1].append(line)
        prev_empty = is_empty
        offset += len(line)
    if cur is not None:
        body = cur[1]
        if body and body[-1] in (b"\n", b"\r\n"):
            body = body[:-1]
        msgs.append((cur[0], b"".join(body)))
    elif offset > 0:
        junk = offset
    out = []
    for off, m in msgs:
        quoted = sum(1 for l in m.splitlines() if re.match(rb">+From ", l))
        out.append((off, m, quoted))
    if out and b"FOLDER INTERNAL DATA" in out[0][1][:4096] and re.search(rb"(^|\n)X-IMAP(base)?:", out[0][1][:4096]):
        out = out[1:]
    return out, junk


def mbox_unquote(m):
    return re.sub(rb"(?m)^>(>*From )", rb"\1", m)


# ---------------------------------------------------------------- attachments

def has_name(part, header, base):
    """A2: a non-empty BASE or BASE*... parameter of HEADER (RFC 2231 forms
    collapsed or raw)."""
    try:
        params = part.get_params(header=header, failobj=None, unquote=True)
    except Exception:
        return False
    if not params:
        return False
    for name, value in params[1:]:
        n = name.lower()
        if n == base or n.startswith(base + "*"):
            if isinstance(value, tuple):
                value = value[2]
            if value:
                return True
    return False


def classify(part, role):
    """'attachment', 'inline', 'excluded' or 'body' for a non-multipart part."""
    if role in ("signature", "control"):
        return "excluded"
    disp = None
    raw = part.get("Content-Disposition")
    if raw is not None:
        disp = str(raw).split(";", 1)[0].strip().lower() or None
    if disp == "attachment":
        return "attachment"
    if has_name(part, "content-disposition", "filename") or has_name(part, "content-type", "name"):
        return "attachment"
    ctype = part.get_content_type()
    if role != "root" and ctype in ("message/rfc822", "message/global"):
        return "attachment"
    if role != "root" and (part.get("Content-ID") is not None or disp == "inline"):
        return "inline"
    return "body"


def count_parts(msg):
    """(attachments, inline_parts, nested_attachments) per DEFINITIONS.md."""
    res = [0, 0, 0]

    def walk(part, role, nested, depth):
        if depth > 200:
            return
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), list):
            sub = part.get_content_subtype()
            for i, child in enumerate(part.get_payload()):
                r = "plain"
                if sub == "signed" and i == 1:
                    r = "signature"
                elif sub == "encrypted" and i == 0:
                    r = "control"
                walk(child, r, nested, depth + 1)
            return
        kind = classify(part, role)
        if nested == 0:
            if kind == "attachment":
                res[0] += 1
            elif kind == "inline":
                res[1] += 1
        elif kind == "attachment":
            res[2] += 1
        # an attached e-mail: what it carries is nested (not for the root)
        if ctype in ("message/rfc822", "message/global") and role != "root":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], email.message.Message):
                walk(payload[0], "root", nested + 1, depth + 1)

    walk(msg, "root", 0, 0)
    return tuple(res)


def reference(data):
    msg = email.message_from_bytes(data, policy=POLICY)
    a, i, n = count_parts(msg)
    return {"size": crlf_size(data), "attachments": a, "inline_parts": i, "nested_attachments": n}


# ---------------------------------------------------------------- discovery

def looks_like_message(path):
    """One message per file: *.eml, *.msg, *.raw always (some start with a
    broken header on purpose); Maildir-style names (":2," or "!2,") outside a
    Maildir; other names (*.txt, no extension, mbox.rlug-N) when they begin
    with a header field. Upstream expected-output files (*_decoded*, .out,
    .xml, .bin, .json) are not mail."""
    base = os.path.basename(path)
    stem, ext = os.path.splitext(base)
    if base.startswith(".") or stem.upper() in NOT_MAIL_NAMES or "_decoded" in base:
        return False
    if ext.lower() in (".eml", ".msg", ".raw") or ":2," in base or "!2," in base:
        return True
    if ext.lower() not in MESSAGE_EXT and not re.match(r"\.rlug-\d+$", ext):
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        return False
    return bool(HEADER_RE.match(head))


def looks_like_mbox(path):
    try:
        with open(path, "rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def discover(root):
    maildirs, mboxes, loose = [], [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if os.path.basename(dirpath) in ("cur", "new") and (
                os.path.isdir(os.path.join(os.path.dirname(dirpath), "cur")) or
                os.path.isdir(os.path.join(os.path.dirname(dirpath), "new"))):
            continue  # files of a Maildir: scanned with it
        if os.path.basename(dirpath) == "tmp" and os.path.isdir(os.path.join(os.path.dirname(dirpath), "cur")):
            continue
        if "cur" in dirnames or "new" in dirnames:
            maildirs.append(dirpath)
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            if looks_like_mbox(p):
                mboxes.append(p)
            elif looks_like_message(p):
                loose.append(p)
    return maildirs, mboxes, loose


def maildir_files(folder):
    out = []
    for sub in ("cur", "new"):
        d = os.path.join(folder, sub)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                p = os.path.join(d, name)
                if not name.startswith(".") and os.path.isfile(p):
                    out.append((sub + "/" + name, p))
    return out


def corpus_messages(root):
    """(label, bytes) of every message below ROOT as discover() finds them,
    mbox quoting removed: for the checks that write the corpus elsewhere
    (corpus-imap-check.py, corpus-fix-check.py)."""
    maildirs, mboxes, loose = discover(root)
    out = []
    for p in loose:
        with open(p, "rb") as f:
            out.append((os.path.relpath(p, root), f.read()))
    for md in maildirs:
        for _, p in maildir_files(md):
            with open(p, "rb") as f:
                out.append((os.path.relpath(p, root), f.read()))
    for p in mboxes:
        with open(p, "rb") as f:
            msgs, _ = split_mbox(f.read())
        for off, m, _ in msgs:
            out.append(("%s@%d" % (os.path.relpath(p, root), off), mbox_unquote(m)))
    return out


# ---------------------------------------------------------------- main

def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in argv
    strict = "--strict" in argv
    max_ex = 8
    if "--max-examples" in argv:
        max_ex = int(argv[argv.index("--max-examples") + 1])
        args.remove(str(max_ex))
    if not args:
        print(__doc__)
        return 2
    binary = os.path.abspath(args[0])
    corpus = args[1] if len(args) > 1 else os.environ.get("MAILPREFLIGHT_CORPUS", "")
    if not corpus or not os.path.isdir(corpus):
        print("corpus-check: skipped (set MAILPREFLIGHT_CORPUS to a folder of test mail)")
        return SKIP
    corpus = os.path.abspath(corpus)

    maildirs, mboxes, loose = discover(corpus)
    tmp = tempfile.mkdtemp(prefix="mp-corpus-")
    try:
        # loose files: one temporary Maildir, names keep their order
        loose_md = os.path.join(tmp, "loose")
        for s in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(loose_md, s))
        loose_map = {}
        for i, p in enumerate(loose):
            name = "%06d.corpus:2,S" % i
            shutil.copyfile(p, os.path.join(loose_md, "cur", name))
            loose_map["cur/" + name] = p

        # expected rows: key (source, locator) -> (label, reference, raw bytes)
        expected = {}
        ref_errors = []
        mbox_counts = {}

        def ref(key, label, data):
            try:
                expected[key] = (label, reference(data))
            except Exception as e:  # the reference itself failed
                ref_errors.append((label, repr(e)))

        for md in maildirs:
            for loc, p in maildir_files(md):
                with open(p, "rb") as f:
                    ref((md, loc), os.path.relpath(p, corpus), f.read())
        for mb in mboxes:
            with open(mb, "rb") as f:
                data = f.read()
            msgs, junk = split_mbox(data)
            mbox_counts[mb] = len(msgs)
            for off, m, quoted in msgs:
                r_label = "%s@%d" % (os.path.relpath(mb, corpus), off)
                try:
                    r = reference(mbox_unquote(m))
                    r["size"] = crlf_size(m) - quoted
                    expected[(mb, str(off))] = (r_label, r)
                except Exception as e:
                    ref_errors.append((r_label, repr(e)))
        for loc, p in loose_map.items():
            with open(p, "rb") as f:
                ref((loose_md, loc), os.path.relpath(p, corpus), f.read())

        inv = os.path.join(tmp, "inventory.csv")
        sources = maildirs + mboxes + [loose_md]
        proc = subprocess.run([binary, "scan", "-q", "--no-progress", "--fail-on", "never", "--jobs", "4",
                               "--inventory", inv] + sources,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with open(inv, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    got = {}
    got_mbox_counts = Counter()
    for r in rows:
        src = r["source"]
        if src in mbox_counts:
            got_mbox_counts[src] += 1
        elif src in maildirs and r["folder"] != "INBOX":
            continue  # a subfolder: checked as its own source
        got[(src, r["locator"])] = r

    mism = defaultdict(list)
    fields = ("size", "attachments", "inline_parts", "nested_attachments")
    compared = 0
    for key, (label, r) in expected.items():
        g = got.get(key)
        if g is None:
            mism["missing"].append((label, "not in the inventory", ""))
            continue
        compared += 1
        for fld in fields:
            if int(g[fld]) != r[fld]:
                mism[fld].append((label, "tool %s, reference %s" % (g[fld], r[fld]), g["problems"]))
    for key, g in got.items():
        if key not in expected and key[0] not in mbox_counts:
            mism["extra"].append(("%s %s" % key, "in the inventory, not expected", g["problems"]))
    for mb, n in mbox_counts.items():
        if got_mbox_counts[mb] != n:
            mism["mbox-count"].append((os.path.relpath(mb, corpus), "tool %d, reference %d" % (got_mbox_counts[mb], n), ""))

    print("corpus-check: %s" % corpus)
    print("  sources: %d Maildir folders, %d mbox files, %d loose message files" % (len(maildirs), len(mboxes), len(loose)))
    print("  messages: %d expected, %d in the inventory, %d compared; scanner exit %d"
          % (len(expected), len(rows), compared, proc.returncode))
    if proc.stderr:
        print("  scanner stderr: " + proc.stderr.decode("utf-8", "replace").strip().replace("\n", "\n    "))
    for label, e in ref_errors:
        print("  reference failed on %s: %s" % (label, e))
    for kind in ("missing", "extra", "mbox-count") + fields:
        items = mism.get(kind, [])
        print("  %-20s %d mismatch(es)" % (kind, len(items)))
        for label, what, problems in items[: (len(items) if verbose else max_ex)]:
            print("    %s: %s%s" % (label, what, ("  [problems: %s]" % problems[:200]) if problems else ""))
    hard = sum(len(mism[k]) for k in ("missing", "extra", "mbox-count", "size"))
    soft = sum(len(mism[k]) for k in fields[1:])
    if hard or (strict and soft):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
