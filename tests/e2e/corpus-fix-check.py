#!/usr/bin/env python3
"""corpus-fix-check.py — the write side on third-party mail: every message of
a folder of test mail (found as corpus-check.py finds them) goes into one
Maildir, and `fix split` runs over it with limits so low (one attachment and
40 KB a message) that much of it must be split. Checked:
  - the run verifies and commits its copy (exit 1: some messages cannot be
    fixed, each named with the reason), and the source is untouched;
  - the copy holds every message: those copied byte for byte, and the parts
    of each split message;
  - a scan of the copy with the same rules finds only messages the manifest
    says were not fixed (or detached into files);
  - every attachment of the source is in the copy or a detached file, by
    SHA-256 of its content: the fix's own digests, read from the manifest,
    match what its check found in the copy.

Usage: corpus-fix-check.py MAILPREFLIGHT [CORPUS_DIR]
CORPUS_DIR defaults to $MAILPREFLIGHT_CORPUS; skipped (exit 77) without one.
The corpus is never part of the repository."""
import hashlib
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
from mptest import main  # noqa: E402

_spec = importlib.util.spec_from_file_location("corpus_check", os.path.join(HERE, "corpus-check.py"))
corpus_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_check)


RULES = """[profile]
name = corpus fix check

[rule one-attachment]
check = attachment-count
max = 1
severity = error

[rule small]
check = message-size
max = 40KB
severity = error
"""


def tree_digest(path):
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(("%s %d %d\n" % (os.path.relpath(p, path), st.st_size, st.st_mtime_ns)).encode())
            with open(p, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def body(t):
    corpus = t.args[0] if t.args else os.environ.get("MAILPREFLIGHT_CORPUS")
    if not corpus or not os.path.isdir(corpus):
        t.skip("set MAILPREFLIGHT_CORPUS to a folder of test mail")
    msgs = [data for _, data in corpus_check.corpus_messages(os.path.abspath(corpus))]
    src, out = t.path("src"), t.path("out")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(src, sub))
    for i, data in enumerate(msgs):
        with open(os.path.join(src, "cur", "%06d.M1P1.corpus:2,S" % i), "wb") as f:
            f.write(data)
    with open(t.path("rules.ini"), "w") as f:
        f.write(RULES)
    before = tree_digest(src)

    p = t.run("fix", "split", src, "--out", out, "--rules", t.path("rules.ini"), "--oversize", "detach",
              "--json", t.path("fix.json"), expect=1, what="fix split of the corpus")
    t.eq(tree_digest(src), before, "the source is untouched")
    with open(t.path("fix.json")) as f:
        m = json.load(f)
    t.eq((m["verified"], m["committed"]), (True, True), "verified and committed")
    totals = m["totals"]
    t.eq(totals["messages"], len(msgs), "every message read")
    t.check(totals["split"] > 0, "some messages split", totals)
    t.eq(totals["written"], totals["messages"] + totals["parts"] - totals["split"],
         "the copy: every message, a split one as its parts")
    recs = [r for s in m["sources"] for r in s["messages"]]
    not_fixed = {r["locator"] for r in recs if r["action"] == "not-fixed"}
    for r in recs:
        if r["action"] == "not-fixed":
            t.check(bool(r.get("why")), "%s: not fixed, with the reason" % r["locator"], r)
        if r["action"] in ("split", "detach"):
            t.check(all(a["part"] or a["detached"] for a in r["attachment_list"]),
                    "%s: every attachment went to a part or a file" % r["locator"], r["attachment_list"])
            for a in r["attachment_list"]:
                if a["detached"]:
                    with open(a["detached"], "rb") as f:
                        t.eq(hashlib.sha256(f.read()).hexdigest(), a["sha256"],
                             "%s: the detached file holds the attachment" % r["locator"])
    t.check("Not fixed:" in p.out, "the messages not fixed are named", p.out[-2000:])

    # the copy, scanned with the same rules: what still breaks one was not fixed
    _, rows, inv = t.scan(out, extra=("--rules", t.path("rules.ini"), "-q"), expect=1, tag="copy")
    t.eq(len(inv or []), totals["written"], "the scan of the copy counts what was written")
    broken = {row["locator"] for row in rows or [] if row["locator"]}
    t.check(len(broken) > 0, "the scan of the copy finds the messages not fixed", len(rows or []))
    # copies keep their names: a not-fixed message is found under its own
    t.eq(sorted(broken - not_fixed), [], "only messages the manifest says were not fixed break a rule "
         "(no part of a split message, no copy of a passing one)")


main("corpus-fix-check", body, args="[CORPUS_DIR]")
