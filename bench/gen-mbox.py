#!/usr/bin/env python3
"""bench/gen-mbox.py — write a deterministic, realistic mbox of a given size.

    bench/gen-mbox.py --size 1G -o big.mbox [--seed 1] [--big N] [--maildir DIR]

Message mix (by count; the seed fixes every choice, so the same arguments give
the same bytes on every machine and Python 3 version):
  65%  plain text (some quoted-printable, some with RFC 2047 subjects)
  30%  multipart/mixed with 1-3 base64 attachments of 10-80 KB (some with a
       text/html alternative body)
   4%  multipart/mixed with 20-150 small attachments (0.5-6 KB)
   1%  one large base64 attachment of 1-3 MB
  and --big messages (default: 1 per 350 MB, at least 1) with an attachment
  that makes them larger than 17.5 MB (18,350,080 octets), spread evenly
  (none below 64 MB unless asked for).
About 2% of messages have body lines quoted as '>From ' (and '>>From ')
mboxrd-style; no body line starts with 'From ', so `grep -c '^From '` equals
the message count. Dates run over 10 years (2015-2024), in order.
LF line ends, as mbox files on Unix have. Sizes take K/M/G suffixes (1024-based).

With --maildir DIR the same messages are also written as a Maildir (DIR/cur,
DIR/new, DIR/tmp; with -o - only the Maildir is written if -o is not given):
one file per message, without its From_ line and with the mboxrd quoting
undone (one '>' removed from each ^>+From line), so each file holds exactly
the message the mbox stores and DEFINITIONS.md gives both the same size. File
names are deterministic (<date>.M<n>P1.mp-bench:2,<flags>), Status: RO gives
the S flag; every 10th unread message goes to new/.

Fast: base64 is encoded once into a pool of 76-column lines and slices of it
are reused; output goes through a 16 MiB buffer. On stderr: a summary line.
"""
import argparse
import base64
import os
import re
import random
import sys
import time

KB = 1024
MB = 1024 * KB
BIG_LIMIT = 17920 * KB  # 18,350,080 octets

WORDS = ("the a to of and in is for on that with this be are from at as by not we you it "
         "meeting report budget quarter project invoice attached please review thanks regards "
         "schedule update draft final contract migration mailbox server account password team "
         "customer order shipment delivery question answer tomorrow today monday friday week "
         "month year plan proposal agenda minutes notes summary figures revenue cost estimate "
         "approval signed copy scan photo holiday office remote call video link document file "
         "version change request ticket issue bug release deploy backup archive folder message "
         "Bericht Rechnung Grüße réunion café naïve señor Zürich Ærøskøbing").split()
FIRST = "Anna Ben Carla David Eva Frank Greta Hans Ines Jonas Karin Lukas Mia Nils Olga Paul".split()
LAST = "Müller Smith Dubois Rossi García Novak Jensen Kowalski Silva Nguyen Brown Weber".split()
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.de", "corp.example.co.uk"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TYPES = [("application/pdf", "pdf"), ("image/jpeg", "jpg"), ("image/png", "png"),
         ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
         ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
         ("application/zip", "zip"), ("text/csv", "csv"), ("application/octet-stream", "bin")]
START = 1420070400  # 2015-01-01 00:00:00 UTC
SPAN = 10 * 365 * 86400 + 2 * 86400


def parse_size(s):
    s = s.strip().upper().rstrip("B")
    mult = {"K": KB, "M": MB, "G": 1024 * MB}.get(s[-1:], 1)
    if s[-1:] in "KMG":
        s = s[:-1]
    return int(float(s) * mult)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        r = self.r
        # 16 MiB of seeded pseudo-random bytes -> ~21.6 MiB of base64 lines
        raw = r.randbytes(16 * MB) if hasattr(r, "randbytes") else bytes(
            r.getrandbits(8) for _ in range(16 * MB))
        enc = base64.b64encode(raw)
        self.b64 = b"\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + b"\n"
        self.b64_lines = len(self.b64) // 77  # every line but maybe the last is 76+1
        # a pool of text lines, none starting with "From "
        lines = []
        for _ in range(20000):
            n = r.randint(6, 14)
            line = " ".join(r.choice(WORDS) for _ in range(n))
            if line.startswith("from "):
                line = "so " + line
            lines.append((line[0].upper() + line[1:] + ".").encode())
        self.text_lines = lines
        self.text = b"\n".join(lines) + b"\n"
        self.text_off = [0]
        for l in lines:
            self.text_off.append(self.text_off[-1] + len(l) + 1)
        self.seq = 0

    def b64_slice(self, nbytes):
        """base64 lines encoding about nbytes bytes (whole 57-byte lines)."""
        nlines = max(1, (nbytes + 56) // 57)
        out = []
        while nlines > 0:
            start = self.r.randrange(0, self.b64_lines - 1)
            take = min(nlines, self.b64_lines - 1 - start)
            out.append(self.b64[start * 77:(start + take) * 77])
            nlines -= take
        return b"".join(out)

    def text_block(self, nlines):
        i = self.r.randrange(0, len(self.text_lines) - nlines)
        return self.text[self.text_off[i]:self.text_off[i + nlines]]

    def body_text(self, quote_from):
        r = self.r
        parts = [b"Hello,\n\n"]
        for _ in range(r.randint(1, 6)):
            parts.append(self.text_block(r.randint(1, 8)))
            parts.append(b"\n")
        if quote_from:
            # mboxrd quoting of body lines that began with "From " / ">From "
            parts.append(b">From the minutes of the last meeting:\n")
            parts.append(self.text_block(2))
            if r.random() < 0.3:
                parts.append(b">>From a quoted reply, quoted again.\n")
            parts.append(b"\n")
        if r.random() < 0.4:  # a quoted earlier message
            q = self.text_block(r.randint(2, 10))
            parts.append(b"On an earlier day someone wrote:\n")
            parts.append(b"".join(b"> " + l + b"\n" for l in q.split(b"\n")[:-1]))
            parts.append(b"\n")
        parts.append(b"Regards,\n-- \n" + self.name().encode() + b"\n")
        return b"".join(parts)

    def name(self):
        return f"{self.r.choice(FIRST)} {self.r.choice(LAST)}"

    def addr(self):
        f, l = self.r.choice(FIRST), self.r.choice(LAST)
        local = (f + "." + l).lower().encode("ascii", "replace").decode().replace("?", "u")
        return f, l, f"{local}@{self.r.choice(DOMAINS)}"

    def headers(self, t, ctype_lines, extra=b""):
        r = self.r
        self.seq += 1
        tm = time.gmtime(t)
        off_min = r.choice([0, 60, 120, -300, -240, 330, 540, -480])
        lt = time.gmtime(t + off_min * 60)
        sign = "+" if off_min >= 0 else "-"
        tz = f"{sign}{abs(off_min) // 60:02d}{abs(off_min) % 60:02d}"
        date = (f"{DAYS[lt.tm_wday]}, {lt.tm_mday:d} {MONTHS[lt.tm_mon - 1]} {lt.tm_year} "
                f"{lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d} {tz}")
        ff, fl, fa = self.addr()
        tf, tl, ta = self.addr()
        from_line = (f"From {fa} {DAYS[tm.tm_wday]} {MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} "
                     f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} {tm.tm_year}\n")
        words = " ".join(r.choice(WORDS) for _ in range(r.randint(2, 8)))
        if r.random() < 0.15:
            subj = "=?UTF-8?B?" + base64.b64encode(("Re: " + words).encode()).decode() + "?="
        else:
            subj = ("Re: " if r.random() < 0.3 else "") + words.encode("ascii", "replace").decode()
        fromh = f"\"{ff} {fl}\"".encode("ascii", "replace").decode()
        h = [from_line,
             f"Return-Path: <{fa}>\n",
             f"Received: from mx{r.randint(1, 9)}.{r.choice(DOMAINS)} (mx.{r.choice(DOMAINS)} "
             f"[192.0.2.{r.randint(1, 254)}])\n\tby mail.example.com with ESMTPS id {r.getrandbits(48):012x}\n"
             f"\tfor <{ta}>; {date}\n",
             f"Message-ID: <{self.seq}.{r.getrandbits(40):010x}@{fa.split('@')[1]}>\n",
             f"Date: {date}\n",
             f"From: {fromh} <{fa}>\n",
             f"To: {ta}\n"]
        if r.random() < 0.25:
            h.append(f"Cc: {self.addr()[2]}, {self.addr()[2]}\n")
        h.append(f"Subject: {subj}\n")
        h.append("MIME-Version: 1.0\n")
        if r.random() < 0.5:
            h.append(f"X-Mailer: {r.choice(['Thunderbird 115.3', 'Outlook 16.0', 'Mutt 2.2.9', 'Apple Mail'])}\n")
        h.append(f"Status: {r.choice(['RO', 'O', 'RO', ''])}\n".replace("Status: \n", ""))
        return "".join(h).encode() + extra + ctype_lines

    def attachment(self, boundary, nbytes, disposition=b"attachment"):
        mime, ext = self.r.choice(TYPES)
        fname = f"file-{self.r.getrandbits(24):06x}.{ext}".encode()
        return (b"--" + boundary + b"\nContent-Type: " + mime.encode() + b"; name=\"" + fname +
                b"\"\nContent-Disposition: " + disposition + b"; filename=\"" + fname +
                b"\"\nContent-Transfer-Encoding: base64\n\n" + self.b64_slice(nbytes))

    def multipart(self, t, att_sizes, html=False):
        r = self.r
        b = f"----=_Part_{self.seq}_{r.getrandbits(32):08x}".encode()
        parts = [self.headers(t, b"Content-Type: multipart/mixed; boundary=\"" + b + b"\"\n"),
                 b"\nThis is a multi-part message in MIME format.\n\n"]
        text = self.body_text(r.random() < 0.02)
        if html:
            b2 = b + b"_alt"
            parts += [b"--" + b + b"\nContent-Type: multipart/alternative; boundary=\"" + b2 + b"\"\n\n",
                      b"--" + b2 + b"\nContent-Type: text/plain; charset=utf-8\n\n", text,
                      b"--" + b2 + b"\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>",
                      text.replace(b"\n\n", b"</p>\n<p>"), b"</p></body></html>\n--" + b2 + b"--\n"]
        else:
            parts += [b"--" + b + b"\nContent-Type: text/plain; charset=utf-8\n"
                      b"Content-Transfer-Encoding: 8bit\n\n", text]
        for n in att_sizes:
            parts.append(self.attachment(b, n))
        parts.append(b"--" + b + b"--\n")
        return b"".join(parts)

    def plain(self, t):
        r = self.r
        text = self.body_text(r.random() < 0.02)
        if r.random() < 0.2:
            ct = b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n"
        else:
            ct = b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
        return self.headers(t, ct) + b"\n" + text

    def message(self, t, big=False):
        r = self.r
        if big:
            return self.multipart(t, [r.randint(14 * MB, 19 * MB)])
        x = r.random()
        if x < 0.65:
            return self.plain(t)
        if x < 0.95:
            return self.multipart(t, [r.randint(10 * KB, 80 * KB) for _ in range(r.randint(1, 3))],
                                  html=r.random() < 0.3)
        if x < 0.99:
            return self.multipart(t, [r.randint(512, 6 * KB) for _ in range(r.randint(20, 150))])
        return self.multipart(t, [r.randint(1 * MB, 3 * MB)])


QUOTED_FROM = re.compile(rb"^>(>*From )", re.M)


class Maildir:
    """Writes each message of the mbox as one Maildir file (see the docstring)."""

    def __init__(self, path):
        self.path = path
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        if os.listdir(os.path.join(path, "cur")) or os.listdir(os.path.join(path, "new")):
            sys.exit(f"gen-mbox: {path} already holds messages; give a new directory")
        self.unread = 0

    def add(self, m, n, t):
        body = m[m.index(b"\n") + 1:]          # drop the From_ line
        body = QUOTED_FROM.sub(rb"\1", body)     # undo the mboxrd quoting
        seen = b"\nStatus: RO\n" in body[:body.find(b"\n\n") + 1]
        sub, info = "cur", ":2,S" if seen else ":2,"
        if not seen:
            self.unread += 1
            if self.unread % 10 == 0:
                sub, info = "new", ""
        with open(os.path.join(self.path, sub, f"{t}.M{n + 1}P1.mp-bench{info}"), "wb") as f:
            f.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", required=True, help="target size, e.g. 100M, 1G (1024-based)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big", type=int, default=None,
                    help="number of messages over 17.5 MB (default: 1 per 350 MB, at least 1)")
    ap.add_argument("-o", "--output", default=None,
                    help="output mbox file, '-' for stdout (default: stdout, or none with --maildir)")
    ap.add_argument("--maildir", default=None,
                    help="also write the same messages as a Maildir in this (new or empty) directory")
    a = ap.parse_args()
    if a.output is None and a.maildir is None:
        a.output = "-"
    target = parse_size(a.size)
    nbig = a.big if a.big is not None else (max(1, round(target / (350 * MB))) if target >= 64 * MB else 0)
    g = Gen(a.seed)
    if a.output is None:
        out = None
    elif a.output == "-":
        out = sys.stdout.buffer
    else:
        out = open(a.output, "wb", buffering=0)
    md = Maildir(a.maildir) if a.maildir else None
    buf = []
    buffered = 0
    written = 0
    nmsg = 0
    bigs = 0
    t0 = time.time()
    # mean gap so dates span ~10 years: estimated message count from ~75 KB/message
    est = max(1, target // (75 * KB))
    t = START
    gap = SPAN / est
    while written < target:
        is_big = bigs < nbig and written >= (bigs + 0.5) * target / nbig
        m = g.message(int(t), big=is_big)
        bigs += is_big
        t = min(t + g.r.expovariate(1.0 / gap), START + SPAN - 1)
        if nmsg:
            buf.append(b"\n")  # the empty line that separates messages
            buffered += 1
        buf.append(m)
        buffered += len(m)
        if md:
            md.add(m, nmsg, int(t))
        written += len(m) + (1 if nmsg else 0)
        nmsg += 1
        if buffered >= 16 * MB:
            if out:
                out.write(b"".join(buf))
            buf, buffered = [], 0
    buf.append(b"\n")
    written += 1
    if out:
        out.write(b"".join(buf))
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    print(f"gen-mbox: {nmsg} messages, {written} bytes ({written / MB:.1f} MiB), "
          f"{bigs} over 17.5 MB, seed {a.seed}, {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
