#!/usr/bin/env python3
"""Folder selection (issue 13, item 6): --exclude-folder GLOB and
--include-folder GLOB (repeatable), and the rules file's exclude-folders and
include-folders in [profile].
  - globs on the folder name as the user sees it (Archive/2019), any case,
    '*' crosses '/'; "Trash" is the folder alone;
  - a folder left out is not read at all: an unreadable one left out is no
    error (the scan runs as nobody), and over IMAP it is never EXAMINEd (a
    proxy in front of Dovecot's plaintext listener sees every command);
  - recorded in the report: JSON runs[].exclude_folders / include_folders
    and a source notice folder-left-out per folder, the summary's "Folders
    left out" line, the HTML section; a bad glob is a usage error (2), a bad
    rules key an error with its line.
Args: MAILPREFLIGHT"""
import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_maildir, make_message, TESTS  # noqa: E402
from imapproxy import RecordingProxy  # noqa: E402


def folders_read(t, tag, *args, expect=0, rules=None):
    extra = ["-r", rules] if rules else []
    p = t.run("scan", "--no-progress", "--fail-on", "never", *extra, "--json", t.path(tag + ".json"),
              "--html", t.path(tag + ".html"), *args, expect=expect, what=tag)
    doc = json.loads(t.read(tag + ".json")) if os.path.exists(t.path(tag + ".json")) else {"sources": [], "runs": [{}]}
    read = [f["name"] for a in doc["accounts"] for s in a["sources"] for f in s["folders"]]
    left = [n["folder"] for a in doc["accounts"] for s in a["sources"] for n in s["notices"] if n["code"] == "folder-left-out"]
    return p, doc, read, left


def body(t):
    md = t.path("Maildir")
    write_maildir(md, [make_message("inbox", mid="i@x")])
    for sub in (".Trash", ".Junk", ".Archive.2019", ".Archive.2020", ".Sent Items", ".Trashcan"):
        write_maildir(os.path.join(md, sub), [make_message(sub, mid=sub + "@x")])
    all_folders = ["INBOX", "Archive/2019", "Archive/2020", "Junk", "Sent Items", "Trash", "Trashcan"]

    p, doc, read, left = folders_read(t, "all", md)
    t.eq(sorted(read), sorted(all_folders), "without a filter every folder is read")
    t.eq(left, [], "without a filter nothing is left out")
    t.eq(doc["runs"][0].get("exclude_folders"), [], "JSON: no exclude patterns")

    p, doc, read, left = folders_read(t, "ex", "--exclude-folder", "Trash", "--exclude-folder", "junk", md)
    t.eq(sorted(read), ["Archive/2019", "Archive/2020", "INBOX", "Sent Items", "Trashcan"],
         "--exclude-folder: Trash and (any case) Junk left out, Trashcan read")
    t.eq(sorted(left), ["Junk", "Trash"], "JSON: a folder-left-out notice per folder")
    t.eq(doc["runs"][0].get("exclude_folders"), ["Trash", "junk"], "JSON: runs[].exclude_folders")
    t.check("Folders left out (--exclude-folder, --include-folder or the rules file), not read: Junk, Trash" in p.out,
            "the summary lists the folders left out", p.out)
    t.check("Notices:" not in p.out, "left-out folders are not notices in the summary", p.out)
    html = t.read("ex.html")
    t.check('<section id="left-out"><h2>Folders left out (not read)</h2>' in html, "the HTML lists them")
    t.check("<dt>Folders excluded</dt><dd>Trash, junk</dd>" in html, "the HTML records the patterns of the run")
    t.eq(doc["totals"]["folders"], 5, "the folders counted are those read")

    p, doc, read, left = folders_read(t, "in", "--include-folder", "Archive/*", md)
    t.eq(sorted(read), ["Archive/2019", "Archive/2020"], "--include-folder Archive/*: only the archive folders")
    t.eq(doc["runs"][0].get("include_folders"), ["Archive/*"], "JSON: runs[].include_folders")

    p, doc, read, left = folders_read(t, "both", "-j1", "--include-folder", "Archive/*", "--include-folder", "INBOX",
                                      "--exclude-folder", "*2019", md)
    t.eq(sorted(read), ["Archive/2020", "INBOX"], "include, then exclude")

    with open(t.path("rules.ini"), "w") as f:
        f.write("[profile]\nname = left out\ninherits = generic\nexclude-folders = Sent Items, Trash*\n")
    p, doc, read, left = folders_read(t, "rules", md, rules=t.path("rules.ini"))
    t.eq(sorted(read), ["Archive/2019", "Archive/2020", "INBOX", "Junk"],
         "rules file exclude-folders (commas; a name with a blank; a glob)")
    p, doc, read, left = folders_read(t, "rules-cli", "--exclude-folder", "Junk", md, rules=t.path("rules.ini"))
    t.eq(sorted(read), ["Archive/2019", "Archive/2020", "INBOX"], "the command line adds to the rules file's")
    t.eq(doc["runs"][0].get("exclude_folders"), ["Sent Items", "Trash*", "Junk"], "JSON: both lists recorded")
    p = t.run("rules", "check", t.path("rules.ini"), expect=0)
    t.check("folders left out: Sent Items, Trash*" in p.out, "rules check shows the patterns", p.out)

    p = t.run("scan", "-q", "--exclude-folder", "/Trash", md, expect=2, what="a glob with a leading /")
    t.check("--exclude-folder: folder pattern '/Trash'" in p.err, "a bad glob is named", p.err)
    with open(t.path("bad.ini"), "w") as f:
        f.write("[profile]\nname = bad\n\ninclude-folders = ,\n")
    p = t.run("rules", "check", t.path("bad.ini"), expect=2)
    t.check("bad.ini:4: [profile] include-folders: an empty list" in p.err, "an empty list is refused with its line",
            p.err)

    # a report re-rendered or merged says the same
    t.run("report", t.path("ex.json"), "--json", t.path("ex2.json"), "-q", expect=0)
    t.eq(t.read("ex2.json"), t.read("ex.json"), "report: the same JSON, patterns and notices included")

    not_read_at_all(t)
    imap_not_examined(t)


def drop_prefix():
    if os.geteuid() != 0:
        return []
    for cand in (["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"], ["runuser", "-u", "nobody", "--"]):
        if shutil.which(cand[0]) is None:
            continue
        try:
            if subprocess.run(cand + ["true"], capture_output=True, timeout=10).returncode == 0:
                return cand
        except (OSError, subprocess.SubprocessError):
            pass
    return None


def not_read_at_all(t):
    """An unreadable folder is an error (exit 3) unless it is left out."""
    prefix = drop_prefix()
    if prefix is None:
        print("note: cannot drop privileges: the unreadable-folder check is left out")
        return
    d = t.path("locked")
    write_maildir(d, [make_message("ok", mid="ok@x")])
    write_maildir(os.path.join(d, ".Private"), [make_message("secret", mid="s@x")])
    for root, dirs, files in os.walk(t.dir):
        os.chmod(root, 0o777)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    os.chmod(os.path.join(d, ".Private", "cur"), 0)
    base = prefix + [t.binary, "scan", "-q", "--no-progress"]
    r = subprocess.run(base + [d], capture_output=True, cwd=t.dir)
    t.eq(r.returncode, 3, "an unreadable folder that is read: exit 3 (as nobody)")
    r = subprocess.run(base + ["--exclude-folder", "private", d], capture_output=True, cwd=t.dir)
    t.eq(r.returncode, 0, "left out, it is never opened: exit 0")
    t.check(b"Private" not in r.stderr, "left out: no error about it", r.stderr)


def imap_not_examined(t):
    fixture = os.path.join(TESTS, "imap-client", "dovecot-fixture.py")
    if os.geteuid() != 0 or shutil.which("dovecot") is None:
        print("note: no Dovecot (needs root and dovecot-imapd): the IMAP check is left out")
        return
    spec = importlib.util.spec_from_file_location("dovecot_fixture", fixture)
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    d = tempfile.mkdtemp(prefix="mp-folders-", dir="/tmp")
    os.chmod(d, 0o755)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = fx.start(d)
    if rc != 0:
        print("note: Dovecot did not start: the IMAP check is left out")
        return
    try:
        info = json.loads(out.getvalue().strip().splitlines()[-1])
        if not info.get("plain_host"):
            print("note: no plaintext listener (127.0.0.2): the IMAP check is left out")
            return
        fx.seed(d)
        proxy = RecordingProxy(info["plain_host"], info["plain_port"])  # every line the client sent
        url = "imap://alice@127.0.0.1:%d" % proxy.listen_port
        env = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}
        t.run("scan", "-q", "--no-progress", "--allow-plaintext", "--fail-on", "never",
              "--json", t.path("imap.json"), "--exclude-folder", "Archive", "--exclude-folder", "Projects/*",
              url, env=env, expect=0, what="IMAP with folders left out")
        proxy.close()
        doc = json.loads(t.read("imap.json"))
        read = [f["name"] for a in doc["accounts"] for s in a["sources"] for f in s["folders"]]
        t.check("INBOX" in read and "Archive" not in read and "Projects/2024" not in read,
                "IMAP: the folders left out are not in the report", read)
        examined = [ln.split(" ", 2)[2] for ln in proxy.lines if " EXAMINE " in ln.upper()]
        t.check(any("INBOX" in e for e in examined), "IMAP: the folders read are EXAMINEd", examined)
        t.check(not any("Archive" in e or "Projects" in e for e in examined),
                "IMAP: a folder left out is never EXAMINEd", examined)
    finally:
        fx.stop(d)
        shutil.rmtree(d, ignore_errors=True)


main("folder-select", body)
