#!/usr/bin/env python3
"""gen-sample.py — the bundled sample mailbox of mailpreflight.

Two jobs:

  gen-sample.py stored DIR
      (Re)writes the small stored messages of sample/mail/ (a Maildir++
      tree). Run by hand after changing a message below; the output is
      committed. Deterministic: fixed dates, fixed boundaries.

  gen-sample.py build SRC OUT STAMP
      Run by sample/meson.build at build time: copies the stored Maildir SRC
      to OUT (replacing OUT), adds the empty new/ and tmp/ directories git
      cannot store, writes the big message (generated, never stored) into
      OUT/.Large/cur/, sets every file's mtime to a fixed time (so the
      "mtime" date of the message without a Date: header is reproducible)
      and touches STAMP.

  gen-sample.py big FILE [SIZE] [--crlf]
      Writes only a big message of exactly SIZE octets in RFC 5322 (CRLF)
      form (default BIG_SIZE), with LF line ends unless --crlf. Used by the
      e2e tests too (import gen_sample; gen_sample.big_message(size)).

Everything here was written for mailpreflight; no third-party mail.
"""
import base64
import os
import shutil
import sys

# 17920 KB (1 KB = 1024) is 18,350,080 octets; the big sample message is one
# octet over it: the smallest message the default profile refuses.
LIMIT = 17920 * 1024
BIG_SIZE = LIMIT + 1
BIG_NAME = "1546387200.M15P1015.sample:2,S"
FIXED_MTIME = 1559347200  # 2019-06-01T00:00:00Z

DATE_BASE = "Tue, 01 Jan 2019"


def hdr(subject, mid, date="Tue, 01 Jan 2019 10:00:00 +0000", frm="Alice Example <alice@example.org>",
        to="Bob Example <bob@example.org>", extra=()):
    lines = []
    if frm is not None:
        lines.append("From: " + frm)
    if to is not None:
        lines.append("To: " + to)
    if subject is not None:
        lines.append("Subject: " + subject)
    if date is not None:
        lines.append("Date: " + date)
    if mid is not None:
        lines.append("Message-ID: <" + mid + "@sample.mailpreflight.invalid>")
    lines.extend(extra)
    return "\n".join(lines) + "\n"


def b64lines(data):
    enc = base64.b64encode(data).decode("ascii")
    return "\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + "\n"


def tiny_png():
    # a valid 1x1 PNG (written out by hand: signature, IHDR, IDAT, IEND)
    import struct
    import zlib

    def chunk(kind, payload):
        c = struct.pack(">I", len(payload)) + kind + payload
        return c + struct.pack(">I", zlib.crc32(kind + payload) & 0xffffffff)
    raw = b"\x00\xff\x80\x00"  # filter byte + one RGB pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def mixed(head, text, attachments, boundary):
    """A multipart/mixed message: a text/plain body then ATTACHMENTS, each
    (content_type, disposition_line, bytes)."""
    out = [head, "MIME-Version: 1.0\n",
           'Content-Type: multipart/mixed; boundary="%s"\n' % boundary, "\n",
           "This is a multi-part message in MIME format.\n\n",
           "--%s\n" % boundary, "Content-Type: text/plain; charset=us-ascii\n\n", text, "\n"]
    for ctype, disp, data in attachments:
        out.append("--%s\n" % boundary)
        out.append("Content-Type: %s\n" % ctype)
        if disp:
            out.append(disp + "\n")
        out.append("Content-Transfer-Encoding: base64\n\n")
        out.append(b64lines(data))
        out.append("\n")
    out.append("--%s--\n" % boundary)
    return "".join(out)


def stored_messages():
    """{relative path: bytes} of every stored message."""
    msgs = {}

    # ---- INBOX: clean messages ------------------------------------------
    msgs["cur/1546336800.M1P1001.sample:2,S"] = (
        hdr("Welcome to the sample mailbox", "plain-1") +
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
        "A plain text message: no attachment, nothing to report.\n\n"
        "From the sample: this body line begins with \"From \" but Maildir needs no quoting.\n"
    ).encode()

    msgs["cur/1546340400.M2P1002.sample:2,S"] = mixed(
        hdr("Quarterly report (one attachment)", "att-1", date="Tue, 01 Jan 2019 11:00:00 +0000"),
        "The report is attached.\n",
        [("application/pdf; name=\"report.pdf\"", 'Content-Disposition: attachment; filename="report.pdf"',
          b"%PDF-1.4\n% sample, not a real document\n%%EOF\n")],
        "=_sample_boundary_att1").encode()

    msgs["cur/1546344000.M3P1003.sample:2,S"] = mixed(
        hdr("Holiday photos (two attachments)", "att-2", date="Tue, 01 Jan 2019 12:00:00 +0000"),
        "Two files: a note and a picture.\n",
        [("text/plain; charset=us-ascii", 'Content-Disposition: attachment; filename="notes.txt"',
          b"Packing list: towel, sunscreen.\n"),
         ("image/png; name=\"beach.png\"", 'Content-Disposition: attachment; filename="beach.png"',
          tiny_png())],
        "=_sample_boundary_att2").encode()

    # three attachments, named three ways: disposition filename (A1+A2),
    # RFC 2231 filename* only (A2), Content-Type name only, no disposition (A2)
    msgs["cur/1546347600.M4P1004.sample:2,S"] = mixed(
        hdr("Data exports (three attachments)", "att-3", date="Tue, 01 Jan 2019 13:00:00 +0000"),
        "Three exports, named three different ways.\n",
        [("text/csv; charset=us-ascii", 'Content-Disposition: attachment; filename="2018-q4.csv"',
          b"month,total\nOct,10\nNov,11\nDec,12\n"),
         ("text/csv; charset=utf-8", "Content-Disposition: inline; filename*=UTF-8''%C3%BCbersicht.csv",
          b"key,value\na,1\n"),
         ("application/zip; name=\"archive.zip\"", None,
          b"PK\x05\x06" + b"\x00" * 18)],
        "=_sample_boundary_att3").encode()

    # HTML with an embedded image: multipart/related, the image has a
    # Content-ID and no file name -> inline_parts 1, attachments 0
    png = b64lines(tiny_png())
    msgs["cur/1546351200.M5P1005.sample:2,S"] = (
        hdr("Newsletter with an inline image", "html-inline", date="Tue, 01 Jan 2019 14:00:00 +0000") +
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=\"=_sample_alt\"\n\n"
        "--=_sample_alt\nContent-Type: text/plain; charset=us-ascii\n\n"
        "Our newsletter (plain text version).\n\n"
        "--=_sample_alt\nContent-Type: multipart/related; boundary=\"=_sample_rel\"; type=\"text/html\"\n\n"
        "--=_sample_rel\nContent-Type: text/html; charset=us-ascii\n\n"
        "<html><body><p>Our newsletter</p><img src=\"cid:logo@sample.invalid\" alt=\"logo\"></body></html>\n\n"
        "--=_sample_rel\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n"
        "Content-ID: <logo@sample.invalid>\n\n" + png + "\n"
        "--=_sample_rel--\n\n"
        "--=_sample_alt--\n"
    ).encode()

    # ---- Sent: the account owner's own mail, the evidence of activity ------
    # (DEFINITIONS.md, "Last activity": the newest message in the Sent folder)
    msgs[".Sent/cur/1546560000.M16P1016.sample:2,S"] = (
        hdr("Re: Quarterly report", "sent-1", date="Fri, 04 Jan 2019 00:00:00 +0000",
            frm="Bob Example <bob@example.org>", to="Alice Example <alice@example.org>") +
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
        "Thanks, received. The last message this account sent.\n"
    ).encode()

    # ---- International: non-ASCII headers -------------------------------
    subj_utf8 = "=?UTF-8?B?" + base64.b64encode("Grüße aus Köln – 東京".encode()).decode() + "?="
    msgs[".International/cur/1546354800.M6P1006.sample:2,S"] = (
        hdr(subj_utf8, "intl-utf8", date="Tue, 01 Jan 2019 15:00:00 +0100",
            frm="=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>") +
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        + "RFC 2047 encoded Subject and From, UTF-8 (B and Q encoding).\nGrüße!\n"
    ).encode("utf-8")

    msgs[".International/cur/1546358400.M7P1007.sample:2,S"] = (
        hdr("=?ISO-8859-1?Q?Caf=E9_cr=E8me_=E0_la_fran=E7aise?=", "intl-latin1",
            date="Tue, 01 Jan 2019 16:00:00 +0100",
            frm="=?ISO-8859-1?Q?Fran=E7oise_L=E9v=EAque?= <francoise@example.fr>") +
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "RFC 2047 encoded Subject and From in ISO-8859-1: caf=E9.\n"
    ).encode("ascii")

    # raw 8-bit UTF-8 in Subject and From: not RFC 5322, common in practice
    msgs[".International/cur/1546362000.M8P1008.sample:2,S"] = (
        hdr("Größenänderung – raw 8-bit header", "intl-raw8bit", date="Tue, 01 Jan 2019 17:00:00 +0100",
            frm="Zoë Ørsted <zoe@example.dk>") +
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "Subject and From carry raw UTF-8 bytes, no encoded words.\n"
    ).encode("utf-8")

    # ---- Malformed ------------------------------------------------------
    msgs[".Malformed/cur/1546365600.M9P1009.sample:2,S"] = (
        hdr("No Date header", "no-date", date=None) +
        "\nThis message has no Date: header; its date comes from the file's mtime.\n"
    ).encode()

    msgs[".Malformed/cur/1546369200.M10P1010.sample:2,S"] = (
        hdr("No Message-ID header", None, date="Tue, 01 Jan 2019 19:00:00 +0000") +
        "\nThis message has no Message-ID: header.\n"
    ).encode()

    # the closing boundary never comes: the last part runs to the end
    msgs[".Malformed/cur/1546372800.M11P1011.sample:2,S"] = (
        hdr("Unterminated multipart", "unterminated", date="Tue, 01 Jan 2019 20:00:00 +0000") +
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=_sample_never_closed\"\n\n"
        "--=_sample_never_closed\nContent-Type: text/plain; charset=us-ascii\n\n"
        "The body part.\n\n"
        "--=_sample_never_closed\nContent-Type: application/octet-stream; name=\"cut.bin\"\n"
        "Content-Disposition: attachment; filename=\"cut.bin\"\nContent-Transfer-Encoding: base64\n\n"
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n"
        "OTo7PD0+P0BBQkNERUZH\n"
    ).encode()

    # a garbage line inside the header block (no colon, not a continuation)
    msgs[".Malformed/cur/1546376400.M12P1012.sample:2,S"] = (
        "From: Alice Example <alice@example.org>\nTo: Bob Example <bob@example.org>\n"
        "Subject: Garbage header line\n"
        "this line is garbage: no field name @@ ###\n"
        "Date: Tue, 01 Jan 2019 21:00:00 +0000\n"
        "Message-ID: <garbage-header@sample.mailpreflight.invalid>\n\n"
        "A line in the header block is neither a field nor a continuation.\n"
    ).encode()

    # ---- Large: 101 tiny attachments (the big message is generated) ----
    atts = []
    for i in range(1, 102):
        name = "part-%03d.txt" % i
        atts.append(("text/plain; charset=us-ascii; name=\"%s\"" % name,
                     'Content-Disposition: attachment; filename="%s"' % name,
                     ("attachment %d of 101\n" % i).encode()))
    msgs[".Large/cur/1546383600.M14P1014.sample:2,S"] = mixed(
        hdr("101 attachments", "att-101", date="Tue, 01 Jan 2019 23:00:00 +0000"),
        "One attachment too many for the import (limit 100).\n",
        atts, "=_sample_boundary_101").encode()
    return msgs


def big_message(size=BIG_SIZE, crlf=False):
    """A message of exactly SIZE octets in CRLF form: a short text part and
    one base64 attachment (big.bin). LF line ends unless CRLF; an X-Padding
    header takes up the last few octets."""
    boundary = "=_sample_boundary_big"

    def build(pad, nlines):
        head = (hdr("Big attachment (17920 KB + 1 octet)", "big", date="Wed, 02 Jan 2019 00:00:00 +0000",
                    extra=["X-Padding: " + "x" * pad] if pad else []) +
                "MIME-Version: 1.0\n" +
                "Content-Type: multipart/mixed; boundary=\"%s\"\n\n" % boundary +
                "--%s\nContent-Type: text/plain; charset=us-ascii\n\n" % boundary +
                "A message one octet over 17920 KB, counted with CRLF line ends.\n\n" +
                "--%s\nContent-Type: application/octet-stream; name=\"big.bin\"\n" % boundary +
                "Content-Disposition: attachment; filename=\"big.bin\"\n" +
                "Content-Transfer-Encoding: base64\n\n")
        tail = "\n--%s--\n" % boundary
        return head, tail

    # one base64 line: 76 characters + line end = 78 CRLF octets
    line = base64.b64encode(bytes(range(57))).decode()
    assert len(line) == 76

    def crlf_size(text):
        return len(text) + text.count("\n")

    head0, tail0 = build(0, 0)
    fixed = crlf_size(head0) + crlf_size(tail0)
    nlines = (size - fixed - len("X-Padding: \r\n") - 1) // 78
    rest = size - fixed - nlines * 78
    # rest >= len("X-Padding: \r\n") + 1 (at least one padding octet)
    pad = rest - len("X-Padding: \r\n")
    if nlines < 0 or pad < 1:
        raise ValueError("size %d too small for the big message" % size)
    head, tail = build(pad, nlines)
    text = head + (line + "\n") * nlines + tail
    assert crlf_size(text) == size, (crlf_size(text), size)
    data = text.encode("ascii")
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return data


def write_stored(root):
    for rel, data in sorted(stored_messages().items()):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def build(src, out, stamp):
    if os.path.isdir(out):
        shutil.rmtree(out)
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("README*", "*.md", "meson.build"))
    for folder in ("", ".International", ".Malformed", ".Large", ".Sent"):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(out, folder, sub), exist_ok=True)
    with open(os.path.join(out, ".Large", "cur", BIG_NAME), "wb") as f:
        f.write(big_message())
    for dirpath, dirnames, filenames in os.walk(out):
        for name in filenames:
            os.utime(os.path.join(dirpath, name), (FIXED_MTIME, FIXED_MTIME))
    with open(stamp, "w") as f:
        f.write("sample mailbox written to %s\n" % out)


def main(argv):
    if len(argv) == 3 and argv[1] == "stored":
        write_stored(argv[2])
    elif len(argv) == 5 and argv[1] == "build":
        build(argv[2], argv[3], argv[4])
    elif len(argv) in (3, 4, 5) and argv[1] == "big":
        size = int(argv[3]) if len(argv) >= 4 and argv[3] != "--crlf" else BIG_SIZE
        with open(argv[2], "wb") as f:
            f.write(big_message(size, crlf="--crlf" in argv))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
