/* octets.h — every octet count mailpreflight makes, in one module
 * (STYLE.md "One concept, one file"; Dovecot's message-size.c): nobody else
 * counts CRLF octets or longest lines.
 *
 * The size of a message is its number of octets in RFC 5322 form, with CRLF
 * line ends: the number an IMAP server reports as RFC822.SIZE (RFC 3501
 * §2.3.4, "the number of octets in the message, as expressed in [RFC-2822]
 * format"). Mail stored with bare LF is one octet short per line, so every
 * LF not preceded by CR counts as two octets (DEFINITIONS.md, "Message
 * size"); an attachment's size is the same count over its stored body
 * (IMAP's body-fld-octets), less the quoting of an mbox.
 *
 *   MpCrlfCounter    a message's size and longest line, fed in chunks
 *                    (Maildir files, messages read by range, IMAP literals)
 *   mp_region_size,  a stored body's size (an attachment's), in one piece
 *   MpRegionCounter  or fed in chunks, less one '>' per ^>+From line of an mbox
 *   mp_octets_plain  whether a header block is 7-bit without CR or NUL
 *
 * The mbox splitter, which must see every line start anyway, counts with
 * the inline helpers of octets-lf.h, on which this module is built too. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- a message: size and longest line ---- */

typedef struct {
	guint64  octets;   /* bytes fed */
	guint64  bare_lf;  /* LF bytes not preceded by CR */
	gboolean last_cr;  /* the last byte fed was CR (a CR-LF may straddle feeds) */
	guint64  line;     /* octets of the current line so far */
	guint64  max_line; /* longest finished line, line end excluded */
} MpCrlfCounter;

void    mp_crlf_init  (MpCrlfCounter *c);
/* Feeds the next LEN bytes of the message. */
void    mp_crlf_feed  (MpCrlfCounter *c, const char *buf, gsize len);
/* The CRLF size of what was fed: octets + bare LFs. */
guint64 mp_crlf_total (const MpCrlfCounter *c);
/* The longest line fed, in octets without its CR LF / LF (Exchange and
 * Office 365 reject lines over about 10,000 characters, TARGET-LIMITS.md). */
guint64 mp_crlf_max_line (const MpCrlfCounter *c);
/* One-shot: the CRLF size of BUF. */
guint64 mp_crlf_size  (const char *buf, gsize len);

/* ---- a stored body: an attachment's size ---- */

/* The CRLF size of a stored body (LEN octets + one per LF not preceded by
 * CR inside BUF), less one octet per ^>+From line when MBOX_QUOTED: each
 * such line in an mbox carries one quoting '>' that the stored message will
 * not have (DEFINITIONS.md). BUF may be NULL when LEN is 0. */
guint64 mp_region_size (const guint8 *buf, gsize len, gboolean mbox_quoted);

/* The same size counted over chunks fed in order (a body GMime streams from
 * the file). */
typedef struct {
	guint64  size;        /* octets + LFs without a CR before them */
	guint64  quoted;      /* ^>+From lines (when mbox_quoted) */
	gboolean mbox_quoted;
	gboolean last_cr;     /* the last octet fed is a CR */
	gboolean line_start;  /* the next octet starts a line */
	gboolean candidate;   /* in a line that started with '>' and may still match */
	guint    matched;     /* octets of "From " matched in it */
} MpRegionCounter;

void    mp_region_counter_init  (MpRegionCounter *c, gboolean mbox_quoted);
void    mp_region_counter_feed  (MpRegionCounter *c, const guint8 *buf, gsize n);
guint64 mp_region_counter_total (const MpRegionCounter *c);

/* ---- octet classes ---- */

/* TRUE when none of the N octets at P is 8-bit, CR or NUL (RFC 5322 §2.2:
 * a header field body is printable US-ASCII and white space). */
gboolean mp_octets_plain (const guint8 *p, gsize n);

G_END_DECLS
