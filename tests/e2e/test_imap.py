#!/usr/bin/env python3
"""IMAP sources end to end against a real Dovecot on 127.0.0.1
(tests/imap-client/dovecot-fixture.py): the IMAP scan equals the local
Maildir scan of the same messages; implicit TLS and STARTTLS; flags unchanged
(EXAMINE, nothing sets \\Seen); a bad certificate, a wrong password and
refused plaintext each give a clear message and exit 3; a connection dropped
in the middle of a FETCH is reopened and the scan completes.
Skipped (77) when Dovecot is not installed or we are not root.
Args: MAILPREFLIGHT"""
import json
import os
import re
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from mptest import main, write_maildir, load_gen_sample  # noqa: E402
from imapproxy import Cut, Proxy  # noqa: E402
import dovecot  # noqa: E402

COMPARED = ["folder", "index", "message_id", "date", "from", "subject", "size", "attachments",
            "inline_parts", "nested_attachments", "attachment_names", "attachment_types", "flags", "read"]

# problems of the headers an IMAP ENVELOPE carries (RFC 3501 §7.4.2): found
# the same over IMAP as on a local copy
ENVELOPE_PROBLEMS = {"missing-date", "invalid-date", "two-digit-year", "invalid-time", "missing-from",
                     "multiple-from", "missing-message-id"}


class DropProxy(Proxy):
    """Cuts the Nth connection once the server has sent LIMIT bytes on it
    (the TLS session dies mid-FETCH)."""

    def __init__(self, port, nth, limit):
        self.nth, self.limit = nth, limit
        self.dropped = 0
        super().__init__("127.0.0.1", port, chunk=4096)

    def opened(self, conn):
        conn.passed = 0

    def from_server(self, conn, data):
        return cut_at(self, conn, data) if conn.n == self.nth else data


class ContentDropProxy(Proxy):
    """Plaintext: cuts the first connection on which the client asks for
    content (BODY.PEEK[) once the server has sent LIMIT bytes after that
    request: a connection lost in the middle of a content fetch."""

    def __init__(self, host, port, limit):
        self.limit = limit
        self.dropped = 0
        self.armed = threading.Event()
        super().__init__(host, port, chunk=4096)

    def opened(self, conn):
        conn.passed, conn.seen, conn.mine = 0, b"", threading.Event()

    def from_client(self, conn, data):
        conn.seen = (conn.seen + data)[-64:]
        if b"BODY.PEEK[" in conn.seen and not self.armed.is_set():
            self.armed.set()
            conn.mine.set()
        return data

    def from_server(self, conn, data):
        return cut_at(self, conn, data) if conn.mine.is_set() else data


def cut_at(proxy, conn, data):
    """DATA passes until PROXY.limit bytes have passed on CONN, counted
    from the first chunk this is called for; then the connection is cut."""
    if conn.passed + len(data) >= proxy.limit:
        with proxy.lock:
            proxy.dropped += 1
        raise Cut(data[:max(0, proxy.limit - conn.passed)])
    conn.passed += len(data)
    return data


def content_messages():
    """Messages whose checks need content (line length over 1000, an
    executable inside a zip), each with what the IMAP scan should download:
    None (metadata answers), "parts" or "whole"."""
    import base64
    import io as _io
    import zipfile

    def msg(n, headers, body):
        head = ("From: Sender %d <s%d@example.org>\r\nTo: r@example.org\r\nSubject: content %d\r\n"
                "Date: Mon, 2 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <content-%d@example.org>\r\n"
                % (n, n, n, n, n)) + headers
        return (head + "\r\n" + body).encode()

    def multipart(preamble, parts):
        out = "This is a multi-part message.\r\n" if preamble is None else preamble
        for headers, body in parts:
            out += "\r\n--BOUND\r\n" + headers + "\r\n" + body
        return out + "\r\n--BOUND--\r\n"

    mp_head = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BOUND\"\r\n"
    b64 = base64.encodebytes(bytes(range(256)) * 12).decode().replace("\n", "\r\n")
    zbuf = _io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("readme.txt", "harmless\n")
        z.writestr("tools/evil.exe", "MZ" + "x" * 100)
    zip_b64 = base64.encodebytes(zbuf.getvalue()).decode().replace("\n", "\r\n")
    text = "Content-Type: text/plain; charset=us-ascii\r\n"
    out = []
    # 1: small, under the line limit as a whole: nothing downloaded
    out.append((msg(1, "", "hello\r\n"), None))
    # 2: a 1500-octet line in an attached text file; a base64 part with
    # short lines: the two parts over 1000 octets are fetched, nothing else
    out.append((msg(2, mp_head, multipart(None, [
        (text, "see attached\r\n"),
        ("Content-Type: text/plain; name=long.txt\r\nContent-Disposition: attachment; filename=long.txt\r\n",
         "L" * 1500 + "\r\nshort\r\n"),
        ("Content-Type: application/octet-stream; name=data.bin\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=data.bin\r\n", b64)])), "parts"))
    # 3: a zip with an executable inside
    out.append((msg(3, mp_head, multipart(None, [
        (text, "the tools\r\n"),
        ("Content-Type: application/zip; name=tools.zip\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=tools.zip\r\n", zip_b64)])), "parts"))
    # 4: 2 KB of short header lines, a short body: the header is fetched
    # (the rest is over the limit), and then nothing else is needed
    filler = "".join("X-Filler-%02d: %s\r\n" % (i, "f" * 60) for i in range(30))
    out.append((msg(4, filler, "short body\r\n"), "parts"))
    # 5: a 1500-octet line in the preamble: only the whole message can tell
    out.append((msg(5, mp_head + filler, multipart("P" * 1500 + "\r\n", [(text, "body\r\n")])), "whole"))
    # 6: a single part with a 2000-octet line
    out.append((msg(6, text, "B" * 2000 + "\r\n"), "parts"))
    # 7: an attached message carrying a long line: one region, fetched whole
    inner = msg(70, text, "I" * 1200 + "\r\n").decode()
    out.append((msg(7, mp_head, multipart(None, [
        (text, "forwarded\r\n"), ("Content-Type: message/rfc822\r\n", inner)])), "parts"))
    return out


def check_content(t, fx, d, info, ca, host):
    """Line-length and archive checks over IMAP: the same findings as the
    local Maildir, only the sections they need downloaded (BODY.PEEK)."""
    cases = content_messages()
    m = fx.connect(d, "alice")
    fx.check(m.create(fx.quote("Content")), "CREATE Content")
    for data, _ in cases:
        fx.check(m.append(fx.quote("Content"), None, None, data), "APPEND")
    m.logout()
    local = t.path("local-content", "Content")
    write_maildir(local, [data for data, _ in cases],
                  names=["%04d.M1P1.local:2," % i for i in range(len(cases))], sub="cur")
    rules = t.path("content.ini")
    with open(rules, "w") as f:
        f.write("[profile]\nname = content checks\ninherits = google-workspace-dms\n\n"
                "[rule long-lines]\ncheck = line-length\nmax = 1000\nseverity = warning\n")
    url = "imaps://alice@%s:%d/Content" % (host, info["imaps_port"])
    before = flags_of(fx, d, "Content")
    common = ("--ca-file", ca, "--rules", rules, "--fail-on", "never", "--json", t.path("content.json"))
    p, found_imap, _ = t.scan(url, extra=common + ("--html", t.path("content.html")), expect=0,
                              what="IMAP content checks", tag="content-imap")
    with open(t.path("content.html"), encoding="utf-8") as f:
        html = f.read()
    t.check(re.search(r'id="downloaded">Content of 6 messages was downloaded over IMAP[^<]*\(1 whole', html)
            is not None, "content checks: the HTML report says how many were downloaded")
    _, found_local, _ = t.scan(local, extra=("--rules", rules, "--fail-on", "never"), expect=0,
                               what="local content checks", tag="content-local")

    def key(rows):
        return sorted((r["index"], r["rule"], r["value"]) for r in rows or [] if r["rule"] != "folder-names")
    t.eq(key(found_imap), key(found_local), "content checks: IMAP findings equal the local Maildir's")
    rules_hit = {r["rule"] for r in found_local or []}
    t.check({"long-lines", "blocked-types"} <= rules_hit, "content checks: the fixtures do break both rules",
            rules_hit)
    with open(t.path("content.json")) as f:
        doc = json.load(f)
    msgs = [mm for a in doc["accounts"] for s in a["sources"] for fo in s["folders"] for mm in fo["messages"]]
    t.eq([mm["downloaded"] for mm in msgs], [want for _, want in cases],
         "content checks: what each message needed downloaded")
    for mm, (data, want) in zip(msgs, cases):
        if want == "parts":
            t.check(0 < mm["downloaded_octets"] < len(data), "message %d: only parts downloaded" % mm["index"],
                    (mm["downloaded_octets"], len(data)))
    t.eq((doc["runs"][0]["metadata_only"], doc["runs"][0]["insecure_skip_verify"]), (False, False),
         "content checks: the run records content checks on, certificates verified")
    tot = doc["totals"]["downloaded"]
    t.eq((tot["messages"], tot["whole"]), (sum(1 for _, w in cases if w), sum(1 for _, w in cases if w == "whole")),
         "content checks: the totals say how many were downloaded, and how many whole")
    t.check("Downloaded for content checks" in p.out, "content checks: the summary says so", p.out[:600])
    t.eq(flags_of(fx, d, "Content"), before, "content checks: flags unchanged (BODY.PEEK)")

    # --metadata-only: nothing downloaded, and the tool says what was not checked
    p, found_meta, _ = t.scan(url, extra=common + ("--metadata-only",), expect=0, what="--metadata-only",
                              tag="content-meta")
    t.check(not any(r["rule"] == "long-lines" for r in found_meta or []),
            "--metadata-only: no line-length findings", found_meta)
    t.check("--metadata-only" in p.err and "long-lines" in p.err, "--metadata-only: a note names the rules",
            p.err[:600])
    with open(t.path("content.json")) as f:
        doc = json.load(f)
    t.eq(doc["totals"]["downloaded"]["messages"], 0, "--metadata-only: nothing downloaded")
    t.check(doc["runs"][0]["metadata_only"] is True, "--metadata-only: recorded in the JSON run")

    # a connection lost in the middle of a content fetch: reopened, resumed
    if info.get("plain_port"):
        proxy = ContentDropProxy(info["plain_host"], info["plain_port"], limit=3000)
        try:
            plain = "imap://alice@127.0.0.1:%d/Content" % proxy.listen_port
            p, found_drop, _ = t.scan(plain, extra=("--allow-plaintext", "--rules", rules, "--fail-on", "never",
                                                    "--json", t.path("drop.json"), "--timeout", "20"),
                                      expect=0, what="content fetch through a connection that drops",
                                      tag="content-drop")
            t.check(proxy.dropped == 1, "the proxy cut a content fetch", proxy.dropped)
            t.eq(key(found_drop), key(found_local), "content fetch cut and resumed: the same findings")
            with open(t.path("drop.json")) as f:
                drop = json.load(f)
            dmsgs = [mm for a in drop["accounts"] for s in a["sources"] for fo in s["folders"] for mm in fo["messages"]]
            t.eq([mm["downloaded"] for mm in dmsgs], [want for _, want in cases],
                 "content fetch cut and resumed: every message got its content")
            t.check(not any(pr.startswith("content-unreadable") for mm in dmsgs for pr in mm["problems"]),
                    "content fetch cut and resumed: nothing left unread")
        finally:
            proxy.close()

    # --insecure-skip-verify: warned about and recorded in the JSON
    p = t.run("scan", "-q", "--no-progress", "--insecure-skip-verify", "--metadata-only", "--fail-on", "never",
              "--json", t.path("insecure.json"), url, expect=0, what="--insecure-skip-verify")
    t.check("WARNING" in p.err, "--insecure-skip-verify: a loud warning", p.err[:300])
    with open(t.path("insecure.json")) as f:
        t.check(json.load(f)["runs"][0]["insecure_skip_verify"] is True,
                "--insecure-skip-verify: recorded in the JSON run")


def flags_of(fx, d, folder):
    m = fx.connect(d, "alice")
    typ, _ = m.select(fx.quote(fx.mutf7_encode(folder)), readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
    m.logout()
    return sorted(x.decode() if isinstance(x, bytes) else str(x) for x in data if x)


def body(t):
    with dovecot.running(t, "mp-imap-") as (fx, d, info):
        run_checks(t, fx, d, info)


def run_checks(t, fx, d, info):
    env_pw = {"MAILPREFLIGHT_PASSWORD": info["users"]["alice"]}
    os.environ.update(env_pw)
    host, ca = info["host"], info["ca_file"]

    # the bundled sample's stored messages, the same bytes in both places
    gs = load_gen_sample()
    msgs = [data for _, data in sorted(gs.stored_messages().items())]
    # header problems the ENVELOPE shows too: the same codes both ways
    msgs += [b"From: a@example.org\nDate: Tue, 12 Mar 19 10:00:00 +0100\nMessage-ID: <y2@x>\nSubject: two-digit\n\nx\n",
             b"From: a@example.org\nDate: Tue, 12 Mar 2019 25:61:00 +0100\nMessage-ID: <tm@x>\nSubject: bad time\n\nx\n",
             b"From: a@example.org\nDate: Tue, 12 Mar 2019 10:00 +0100\nSubject: no id\n\nx\n",
             b"From: a@example.org, b@example.org\nDate: 12 Mar 2019 10:00:00 GMT\nMessage-ID: <mf@x>\n"
             b"Subject: two authors\n\nx\n",
             # an address without a domain: Dovecot's ENVELOPE says "MISSING_DOMAIN"
             b"From: user2\nDate: 12 Mar 2019 10:00:00 GMT\nMessage-ID: <nd@x>\nSubject: no domain\n\nx\n",
             # blanks and a fold in a Subject: Dovecot's ENVELOPE collapses them
             b"From: a@example.org\nDate: 12 Mar 2019 10:00:00 GMT\nMessage-ID: <sb@x>\n"
             b"Subject:  Another Priceless  Moment\n\tfolded\ttab \n\nx\n",
             # a Content-Type without a subtype: Dovecot's BODYSTRUCTURE says "" "",
             # GMime reads application/octet-stream
             b"From: a@example.org\nDate: 12 Mar 2019 10:00:00 GMT\nMessage-ID: <ct@x>\nSubject: bad type\n"
             b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n"
             b"--b\nContent-Type: X-ZIP; name=a.zip\nContent-Disposition: attachment\n\nZIP\n--b--\n"]
    # forwarded messages whose nested multiparts have no epilogue: measured
    # as stored, as Dovecot's body-fld-octets (GMime writes them back with
    # one empty line more, GMIME-IMAP-FACTS §4.2); in the first the outer
    # delimiter follows the inner close delimiter at once (its line end is
    # the attached message's), in the second after an empty line
    msgs += [b"From: a@example.org\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <fw@x>\nSubject: fwd\n"
             b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=out\n\n"
             b"--out\nContent-Type: text/plain\n\nsee below\n"
             b"--out\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n"
             b"From: c@example.org\nSubject: inner\nMIME-Version: 1.0\n"
             b"Content-Type: multipart/mixed; boundary=in\n\n"
             b"--in\nContent-Type: multipart/alternative; boundary=alt\n\n"
             b"--alt\nContent-Type: text/plain\n\nhi\n--alt\nContent-Type: text/html\n\n<p>hi</p>\n--alt--\n"
             b"--in\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n%PDF\n"
             b"--in--\n--out--\n",
             b"From: a@example.org\nDate: Tue, 12 Mar 2019 10:00:00 +0100\nMessage-ID: <fw2@x>\nSubject: fwd 2\n"
             b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
             b"--B\nContent-Type: text/plain\n\nsee attached\n"
             b"--B\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
             b"From:   c@example.org\nSubject:no space\nMIME-Version: 1.0\n"
             b"Content-Type: multipart/mixed; boundary=outer\n\n"
             b"--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
             b"--inner\nContent-Type: text/plain\n\nhi\n--inner--\n--outer\n"
             b"Content-Type: text/plain\n\nx\n--outer--\n\n--B--\n"]
    m = fx.connect(d, "alice")
    fx.check(m.create(fx.quote("Equiv")), "CREATE Equiv")
    for data in msgs:
        crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        fx.check(m.append(fx.quote("Equiv"), None, None, crlf), "APPEND")
    m.logout()
    local = t.path("local", "Equiv")
    write_maildir(local, msgs, names=["%04d.M1P1.local:2," % i for i in range(len(msgs))], sub="cur")

    before = flags_of(fx, d, "Equiv")
    url = "imaps://alice@%s:%d/Equiv" % (host, info["imaps_port"])
    common = ("--ca-file", ca, "--rules", "generic", "--fail-on", "never")
    p, _, inv_imap = t.scan(url, extra=common, expect=0, what="imaps scan", tag="imaps")
    _, _, inv_local = t.scan(local, extra=("--rules", "generic", "--fail-on", "never"), expect=0,
                             what="local Maildir scan", tag="local")
    t.eq(len(inv_imap or []), len(msgs), "imaps: every message")
    for i, (a, b) in enumerate(zip(inv_imap or [], inv_local or [])):
        # reading state: the local copies have no S flag, the IMAP ones no \Seen
        # an arrival date (no Date: header) is the APPEND time over IMAP and
        # the file's mtime locally: both "now", but not the same second
        skip = {"folder"} | ({"date"} if a["date_source"] != "header" else set())
        diff = {k: (a[k], b[k]) for k in COMPARED if a[k] != b[k] and k not in skip}
        t.check(not diff, "message %d: IMAP and Maildir agree" % (i + 1), diff)
        pa, pb = (sorted(p for p in r["problems"].split(";") if p.split(":")[0].strip() in ENVELOPE_PROBLEMS)
                  for r in (a, b))
        t.check(pa == pb, "message %d: the same date, From and Message-ID problems" % (i + 1), (pa, pb))
        t.check(("invalid-content-type" in a["problems"]) == ("invalid-content-type" in b["problems"]),
                "message %d: the same Content-Type problem" % (i + 1), (a["problems"], b["problems"]))
        t.check(a["attachment_sizes"] == b["attachment_sizes"] or not b["attachment_sizes"],
                "message %d: attachment sizes agree" % (i + 1), (a["attachment_sizes"], b["attachment_sizes"]))
    after = flags_of(fx, d, "Equiv")
    t.eq(after, before, "flags unchanged by the scan (EXAMINE, BODY.PEEK only)")
    t.check(not any("\\Seen" in f for f in after), "no message became \\Seen", after)

    check_content(t, fx, d, info, ca, host)

    # STARTTLS on the 143-style port: the same result
    url_starttls = "imap://alice@localhost:%d/Equiv" % info["imap_port"]
    _, _, inv_st = t.scan(url_starttls, extra=common, expect=0, what="STARTTLS scan", tag="starttls")
    t.eq([(r["size"], r["attachments"]) for r in inv_st or []], [(r["size"], r["attachments"]) for r in inv_imap or []],
         "STARTTLS gives the same inventory")

    # every folder of the account, with the default rules and JSON
    p = t.run("scan", "--ca-file", ca, "--no-progress", "--fail-on", "never", "--json", t.path("all.json"),
              "imaps://alice@%s:%d" % (host, info["imaps_port"]), expect=0, what="whole account")
    t.check("Equiv" in p.out, "whole account: the folder is listed", p.out)

    # --target: the limit the server announces (RFC 7889 APPENDLIMIT; the
    # fixture's Dovecot says 1000), read before login, checked on every message
    p, found, _ = t.scan(url, extra=common + ("--target", "imaps://%s:%d" % (host, info["imaps_port"])),
                         expect=0, what="--target", tag="target")
    over = sorted(r["index"] for r in inv_imap or [] if int(r["size"]) > 1000)
    got = sorted(r["index"] for r in found or [] if r["rule"] == "target-appendlimit")
    t.check(over and got == over, "--target: exactly the messages over APPENDLIMIT=1000", (got, over))
    t.check(all(r["limit"] == "1000" for r in found or [] if r["rule"] == "target-appendlimit"),
            "--target: the announced limit is the rule's limit")
    t.check("APPENDLIMIT=1000 announced by imaps://" in p.out, "--target: the summary names the source of the limit",
            p.out[:400])

    # a certificate we do not trust: exit 3, a clear message
    p = t.run("scan", "-q", "--no-progress", url, expect=3, what="untrusted certificate")
    t.check(re.search(r"certificate", p.err, re.I) is not None, "untrusted certificate: said so", p.err)

    # a wrong password: exit 3, named, the password never shown
    os.environ["MAILPREFLIGHT_PASSWORD"] = "wrong-Pa55word"
    p = t.run("scan", "-q", "--no-progress", "--ca-file", ca, url, expect=3, what="wrong password")
    t.check(re.search(r"auth|login|password", p.err, re.I) is not None, "wrong password: said so", p.err)
    t.check("wrong-Pa55word" not in p.err + p.out, "the password never appears in output")
    os.environ.update(env_pw)

    # no password at all, no terminal: a usage message, exit 3 for that source
    del os.environ["MAILPREFLIGHT_PASSWORD"]
    p = t.run("scan", "-q", "--no-progress", "--ca-file", ca, url, expect=3, what="no password")
    t.check("MAILPREFLIGHT_PASSWORD" in p.err or "password" in p.err, "no password: says how to give one", p.err)
    os.environ.update(env_pw)
    pw_file = t.path("pw")
    with open(pw_file, "w") as f:
        f.write(info["users"]["alice"] + "\n")
    os.chmod(pw_file, 0o600)
    del os.environ["MAILPREFLIGHT_PASSWORD"]
    t.run("scan", "-q", "--no-progress", "--ca-file", ca, "--password-file", pw_file, "--rules", "generic",
          url, expect=0, what="--password-file")
    os.environ.update(env_pw)

    # a server without STARTTLS: refused unless --allow-plaintext
    if info.get("plain_port"):
        plain = "imap://alice@%s:%d/Equiv" % (info["plain_host"], info["plain_port"])
        p = t.run("scan", "-q", "--no-progress", plain, expect=3, what="plaintext refused")
        t.check("STARTTLS" in p.err or "plaintext" in p.err, "plaintext refused: said why", p.err)
        t.run("scan", "-q", "--no-progress", "--allow-plaintext", "--rules", "generic", plain, expect=0,
              what="--allow-plaintext")

    # a connection cut in the middle of a FETCH: reopened, the batch resumed
    # (the first connection LISTs, then reads the folder: 9000 octets in,
    # it is in the middle of the metadata)
    proxy = DropProxy(info["imaps_port"], nth=1, limit=9000)
    try:
        url_proxy = "imaps://alice@127.0.0.1:%d/Equiv" % proxy.listen_port
        p, _, inv_drop = t.scan(url_proxy, extra=common + ("--connections", "1", "--timeout", "20"), expect=0,
                                what="scan through a connection that drops", tag="drop")
        t.check(proxy.dropped >= 1, "the proxy did cut a connection", proxy.count)
        t.eq([(r["size"], r["attachments"]) for r in inv_drop or []],
             [(r["size"], r["attachments"]) for r in inv_imap or []], "dropped connection: complete, same result")
        t.check(any("fetched-after-reconnect" in r["problems"] for r in inv_drop or []),
                "dropped connection: the retried messages say so", [r["problems"] for r in inv_drop or []])
    finally:
        proxy.close()


main("imap", body)
