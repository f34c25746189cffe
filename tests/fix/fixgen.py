"""fixgen: the messages the fix tests (and bench/fix-bench.sh) split.

Everything is generated (nothing big is stored): attachments are made from a
repeated pattern, so a 30 MB attachment costs a few milliseconds. Each
builder returns the message as bytes with LF line ends (crlf=True: CRLF).

    offenders()          the done-when set of issue 16, as (name, bytes)
    plain(i)             an ordinary message that needs no change
    attachment_digests(msg)  SHA-256 of each attachment's decoded content,
                         by Python's own email package (an oracle that
                         shares no code with mailpreflight)
"""
import base64
import email
import email.policy
import hashlib
import os

B = "=_fixgen_boundary"


def pattern(size, seed=0):
    """SIZE bytes of a cheap, seed-dependent pattern (not all equal, so that
    two attachments of one message differ)."""
    block = hashlib.sha256(b"fixgen-%d" % seed).digest() * 128  # 4 KiB
    reps = size // len(block) + 1
    return (block * reps)[:size]


def b64_lines(data):
    enc = base64.b64encode(data)
    return b"\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + b"\n"


def headers(subject, mid, extra=b""):
    return (b"From: Alice Example <alice@example.org>\n"
            b"To: Bob Example <bob@example.org>\n"
            b"Subject: " + subject.encode() + b"\n"
            b"Date: Tue, 01 Jan 2019 10:00:00 +0000\n"
            b"Message-ID: <" + mid.encode() + b"@fixgen.invalid>\n" + extra)


def attachment(name, data, ctype="application/octet-stream", boundary=B, disposition=None, name_param=None):
    """A base64 attachment part, introduced by its delimiter line."""
    disp = disposition or b'Content-Disposition: attachment; filename="' + name.encode() + b'"\n'
    ct = b"Content-Type: " + ctype.encode() + (name_param or (b'; name="' + name.encode() + b'"')) + b"\n"
    return (b"--" + boundary.encode() + b"\n" + ct + disp +
            b"Content-Transfer-Encoding: base64\n\n" + b64_lines(data))


def mixed(subject, mid, parts, extra=b"", text=b"The text of the message.\n", boundary=B):
    body = (b"This is a multi-part message in MIME format.\n\n"
            b"--" + boundary.encode() + b"\nContent-Type: text/plain; charset=us-ascii\n\n" + text + b"\n")
    body += b"\n".join(parts) + b"\n--" + boundary.encode() + b"--\n"
    return (headers(subject, mid, extra) + b"MIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="' + boundary.encode() + b'"\n\n' + body)


def many(n, mid=None, size=200):
    """A message with N attachments of SIZE bytes each."""
    return mixed("%d attachments" % n, mid or "many-%d" % n,
                 [attachment("file-%04d.bin" % i, pattern(size, i)) for i in range(n)])


def big_ones(total_mb=40, each_mb=2, mid="forty"):
    n = total_mb // each_mb
    return mixed("%d MB in %d attachments of %d MB" % (total_mb, n, each_mb), mid,
                  [attachment("scan-%02d.pdf" % i, pattern(each_mb << 20, 100 + i), "application/pdf")
                   for i in range(n)])


def single(size_mb=30, mid="thirty"):
    return mixed("one %d MB attachment" % size_mb, mid,
                 [attachment("video.mp4", pattern(size_mb << 20, 7), "video/mp4")])


def related(n_att=120, mid="related"):
    """HTML with inline images (multipart/alternative inside
    multipart/related) and N_ATT attachments beside it."""
    r = "=_fixgen_related"
    a = "=_fixgen_alt"
    alt = (b"--" + r.encode() + b"\nContent-Type: multipart/alternative; boundary=\"" + a.encode() + b"\"\n\n"
           b"--" + a.encode() + b"\nContent-Type: text/plain\n\nSee the pictures.\n\n"
           b"--" + a.encode() + b"\nContent-Type: text/html\n\n<p>See <img src=\"cid:img1@x\"> "
           b"and <img src=\"cid:img2@x\"></p>\n\n--" + a.encode() + b"--\n\n")
    imgs = b""
    for i in (1, 2):
        imgs += (b"--" + r.encode() + b"\nContent-Type: image/png\nContent-ID: <img%d@x>\n"
                 b"Content-Transfer-Encoding: base64\n\n" % i) + b64_lines(pattern(3000, 50 + i)) + b"\n"
    rel = (b"--" + B.encode() + b"\nContent-Type: multipart/related; boundary=\"" + r.encode() + b"\"\n\n" +
           alt + imgs + b"--" + r.encode() + b"--\n")
    parts = [attachment("doc-%03d.txt" % i, pattern(300, 200 + i), "text/plain") for i in range(n_att)]
    body = b"\n".join([rel] + parts) + b"\n--" + B.encode() + b"--\n"
    return (headers("HTML with inline images and %d attachments" % n_att, mid) + b"MIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="' + B.encode() + b'"\n\n' + body)


def rfc822(n_att=101, mid="forwarded"):
    """N_ATT attachments, two of them attached e-mails (one holding an
    attachment of its own)."""
    inner = mixed("the forwarded one", "inner", [attachment("inner.zip", pattern(500, 9), "application/zip",
                                                            boundary="=_inner")], boundary="=_inner")
    fwd = [b"--" + B.encode() + b"\nContent-Type: message/rfc822\n"
           b"Content-Disposition: attachment; filename=\"fwd-%d.eml\"\n\n" % i + inner for i in (1, 2)]
    parts = fwd + [attachment("f-%03d.dat" % i, pattern(400, 300 + i)) for i in range(n_att - 2)]
    return mixed("attached messages", mid, parts)


def rfc2231(n=101, mid="rfc2231"):
    """Attachments named only by RFC 2231 (filename*=utf-8''...), some with
    continuations, non-ASCII names."""
    parts = []
    for i in range(n):
        if i % 3 == 0:
            disp = (b"Content-Disposition: attachment;\n filename*=utf-8''R%C3%A9sum%C3%A9-"
                    + b"%03d" % i + b".pdf\n")
            np = b""
        elif i % 3 == 1:
            disp = (b"Content-Disposition: attachment;\n filename*0*=utf-8''%E6%9D%B1%E4%BA%AC;\n"
                    b" filename*1=\"-" + b"%03d" % i + b".txt\"\n")
            np = b""
        else:
            disp = b"Content-Disposition: inline\n"
            np = b"; name*=utf-8''%C3%9Cbersicht-" + b"%03d" % i + b".bin"
        parts.append(attachment("", pattern(250, 400 + i), disposition=disp, name_param=np))
    return mixed("R\u00e9sum\u00e9s (RFC 2231 names)", mid, parts)


def signed(n_att=150, mid="signed"):
    """multipart/signed over a multipart/mixed with N_ATT attachments."""
    s = "=_fixgen_signed"
    content = mixed("x", "x", [attachment("s-%03d.bin" % i, pattern(200, 600 + i), boundary="=_fixgen_sc")
                               for i in range(n_att)], boundary="=_fixgen_sc")
    content = content[content.index(b"MIME-Version"):]
    content = content[content.index(b"Content-Type"):]
    sig = (b"--" + s.encode() + b"\nContent-Type: application/pkcs7-signature; name=smime.p7s\n"
           b"Content-Disposition: attachment; filename=smime.p7s\nContent-Transfer-Encoding: base64\n\n" +
           b64_lines(pattern(1500, 99)))
    return (headers("signed with %d attachments" % n_att, mid) + b"MIME-Version: 1.0\n"
            b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; '
            b'boundary="' + s.encode() + b'"\n\n--' + s.encode() + b"\n" + content + b"\n" + sig +
            b"--" + s.encode() + b"--\n")


def plain(i):
    return headers("ordinary message %d" % i, "plain-%d" % i) + (
        b"\nHello %d.\nFrom here on a line begins with From.\n\n" % i +
        b"From the start of a line, quoted in mbox.\n>From an already quoted line.\n")


def offenders(heavy=True):
    """The done-when messages of issue 16 (the 40 MB and 30 MB ones only
    with HEAVY)."""
    out = [("many-101", many(101)), ("many-250", many(250, size=100)), ("many-1000", many(1000, size=40)),
           ("related", related()), ("rfc822", rfc822()), ("rfc2231", rfc2231()), ("signed", signed())]
    if heavy:
        out += [("forty", big_ones()), ("thirty", single())]
    return out


def attachment_digests(msg_bytes):
    """SHA-256 of the decoded content of every attachment at the top level of
    the message (not inside attached messages), by Python's email package:
    the parts with a Content-Disposition attachment, a file name, or that are
    message/rfc822; multipart/signed's signature excluded."""
    msg = email.message_from_bytes(msg_bytes, policy=email.policy.compat32)
    out = []

    def walk(part, parent_signed=False, index=0):
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            is_signed = part.get_content_subtype() == "signed"
            for i, p in enumerate(part.get_payload()):
                walk(p, is_signed, i)
            return
        if parent_signed and index == 1:
            return
        disp = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        named = part.get_param("filename", header="content-disposition") or part.get_param("name") or \
            any(k.lower().startswith(("filename*", "name*")) for k, _ in
                (part.get_params(header="content-disposition") or []) + (part.get_params() or []))
        if part.get_content_type() == "message/rfc822":
            # the attached message's bytes as they stand: compared source to copy
            payload = part.get_payload()
            data = payload[0].as_bytes() if isinstance(payload, list) else part.get_payload(decode=True)
            out.append(("rfc822", hashlib.sha256(data).hexdigest()))
        elif disp == "attachment" or named:
            out.append((part.get_content_type(), hashlib.sha256(part.get_payload(decode=True) or b"").hexdigest()))

    if msg.is_multipart():
        walk(msg)
    return sorted(out)


def write_maildir_message(root, folder, name, data, mtime=1546300800, sub="cur"):
    d = os.path.join(root, folder) if folder else root
    for s in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, s), exist_ok=True)
    p = os.path.join(d, sub, name)
    with open(p, "wb") as f:
        f.write(data)
    os.utime(p, (mtime, mtime))
    return p
