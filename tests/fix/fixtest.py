"""fixtest: what the fix tests share (on top of tests/pylib/mptest.py).

    fix(t, args, expect)        run `mailpreflight fix ...`
    manifest(path)              the JSON manifest, checked against the
                                documented keys (docs/fix-manifest.md)
    messages(path)              (name, bytes) of every message of an mbox
                                file, a folder of mbox files or a Maildir
    oracle_digests(path)        the multiset of attachment digests of a
                                mailbox, by Python's email package
    detached_digests(dir)       SHA-256 of each detached file, by hashlib
    blocking(rows)              the size and attachment findings of a scan
    snapshot(path)              name -> (sha256, mtime) of every file below
                                path: to prove a source was not touched
"""
import collections
import hashlib
import json
import mailbox
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, HERE)
import fixgen  # noqa: E402

SANITIZED = "ASAN_OPTIONS" in os.environ or os.environ.get("MP_SANITIZED") == "1"
SIZE_CHECKS = ("message-size", "attachment-count", "attachment-size")

MANIFEST_KEYS = ["schema", "tool", "command", "time", "mode", "dry_run", "out", "out_format",
                 "attachments_dir", "rules", "limits", "options", "sources", "totals", "verified",
                 "committed", "error"]
MESSAGE_KEYS = ["folder", "index", "locator", "message_id", "subject", "date", "size", "attachments",
                "rules", "action", "why", "sha256", "out_folder", "parts", "attachment_list"]


def fix(t, *args, expect=None, what=None, env=None):
    return t.run("fix", *args, "--no-progress", expect=expect, what=what, env=env)


def manifest(t, path):
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    t.eq(list(m.keys()), MANIFEST_KEYS, "manifest: the documented keys, in order")
    t.eq(m["schema"], "mailpreflight-fix/1", "manifest: schema")
    for s in m["sources"]:
        for msg in s["messages"]:
            t.eq(list(msg.keys()), MESSAGE_KEYS, "manifest: a message's documented keys")
    return m


def records(m):
    return [msg for s in m["sources"] for msg in s["messages"]]


def _mbox_messages(path):
    box = mailbox.mbox(path, create=False)
    out = []
    for key in box.iterkeys():
        out.append(("%s:%s" % (os.path.basename(path), key), box.get_bytes(key)))
    return out


def messages(path):
    """(name, bytes) of every message below PATH (sorted names)."""
    if os.path.isfile(path):
        return _mbox_messages(path)
    out = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        base = os.path.basename(dirpath)
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            if base in ("cur", "new"):
                with open(p, "rb") as f:
                    out.append((os.path.relpath(p, path), f.read()))
            elif base != "tmp" and not name.startswith(".") and not name.startswith(("dovecot", "subscriptions",
                                                                                      "maildirfolder")):
                out.extend(_mbox_messages(p))
    return out


def oracle_digests(path):
    c = collections.Counter()
    for _, data in messages(path):
        for _, h in fixgen.attachment_digests(data):
            c[h] += 1
    return c


def detached_digests(d):
    c = collections.Counter()
    if not os.path.isdir(d):
        return c
    for name in os.listdir(d):
        if name.endswith(".json"):
            continue
        with open(os.path.join(d, name), "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        c[h] += 1
    return c


def blocking(rows):
    return [r for r in rows if r["check"] in SIZE_CHECKS]


def snapshot(path):
    out = {}
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return {"": (hashlib.sha256(f.read()).hexdigest(), os.stat(path).st_mtime_ns)}
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            p = os.path.join(dirpath, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, path)] = (hashlib.sha256(f.read()).hexdigest(), os.stat(p).st_mtime_ns)
    return out


def leftovers(t, parent, dest):
    """Anything of DEST in PARENT: DEST, DEST-attachments, staging dirs."""
    base = os.path.basename(dest)
    return sorted(n for n in os.listdir(parent)
                  if n == base or n == base + "-attachments" or n.startswith("." + base + ".mp-fix-"))
