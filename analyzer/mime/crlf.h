/* crlf.h — the size of a message in RFC 5322 form, counted incrementally.
 *
 * RFC 3501 §2.3.4: RFC822.SIZE is "the number of octets in the message, as
 * expressed in [RFC-2822] format", i.e. with CRLF line ends. Mail stored with
 * bare LF is one octet short per line, so every LF not preceded by CR counts
 * as two octets (DEFINITIONS.md, "Message size"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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

G_END_DECLS
