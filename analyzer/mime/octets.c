/* octets.c — every octet count (see octets.h), on the primitives of
 * octets-lf.h. */
#include "octets.h"
#include "octets-lf.h"

#include <string.h>

/* ---- a message: size and longest line ---- */

void
mp_crlf_init (MpCrlfCounter *c)
{
	memset (c, 0, sizeof *c);
}

void
mp_crlf_feed (MpCrlfCounter *c, const char *buf, gsize len)
{
	const char *p;
	const char *end;
	const char *line_start = buf;
	MpLfScan scan;

	if (len == 0)
		return; /* before any arithmetic: BUF may be NULL (an empty message) */
	end = buf + len;
	/* only LF positions are looked at (octets-lf.h); the longest line
	 * needs each of them, so this is the position iterator, not the lane
	 * count of mp_region_size() */
	mp_lf_scan_init (&scan, buf, end);
	while ((p = mp_lf_scan_next (&scan)) != NULL) {
		gboolean cr = (p == buf) ? c->last_cr : (p[-1] == '\r');
		/* mp_octets_line_length(), from the LF's offset (as in
		 * mp_line_tally_add: compilers do not fold a +1 -1) */
		guint64 line = c->line + (guint64) (p - line_start) - (cr ? 1 : 0);
		if (!cr)
			c->bare_lf++;
		if (line > c->max_line)
			c->max_line = line;
		c->line = 0;
		line_start = p + 1;
	}
	c->line += (guint64) (end - line_start);
	c->octets += len;
	c->last_cr = (end[-1] == '\r');
}

guint64
mp_crlf_total (const MpCrlfCounter *c)
{
	return c->octets + c->bare_lf;
}

guint64
mp_crlf_max_line (const MpCrlfCounter *c)
{
	/* an unterminated last line counts as it is (a trailing CR included) */
	return MAX (c->max_line, c->line);
}

guint64
mp_crlf_size (const char *buf, gsize len)
{
	MpCrlfCounter c;

	mp_crlf_init (&c);
	mp_crlf_feed (&c, buf, len);
	return mp_crlf_total (&c);
}

/* ---- a stored body: an attachment's size ----
 *
 * Called on every attachment the light walker accepts (most of the octets
 * of a mailbox), so it counts 16 octets at a time with no call per line:
 * up to the first CR (LF-only mail has none; memchr finds that out at
 * memory speed) every LF is bare; from there a LF counts when the octet
 * before it is no CR. No position is needed, so the compared lanes of
 * octets-lf.h are summed rather than turned into bit masks and counted
 * (mp_lf_mask64 and a population count: x86-64's baseline has no POPCNT
 * instruction, and that took 2.3 times the instructions and twice the time
 * on a 4 MiB base64 body). test-octets /octets/region-size compares it with
 * a plain per-octet count. */

/* The sum of the 16 8-bit lanes: 8 lanes per 64-bit word, added in pairs
 * into 16-bit fields (at most 510), then by one multiplication (at most
 * 2040, in the top 16 bits). */
static guint64
lanes_sum (MpOctets16 acc)
{
	const guint64 low = 0x00ff00ff00ff00ffULL;
	guint64 w[2], sum = 0;

	memcpy (w, &acc, sizeof w);
	for (int k = 0; k < 2; k++) {
		guint64 pairs = (w[k] & low) + ((w[k] >> 8) & low);
		sum += (pairs * 0x0001000100010001ULL) >> 48;
	}
	return sum;
}

/* -1 in each lane of the 16 octets at P that is a LF (when BARE: a LF whose
 * octet before, P[-1] for the first, is no CR), else 0. */
static inline MpOctets16
lf_lanes (const guint8 *p, gboolean bare)
{
	MpOctets16 lf = mp_octets16_eq (mp_octets16_load (p), '\n');

	if (!bare)
		return lf;
	return lf & ~mp_octets16_eq (mp_octets16_load (p - 1), '\r');
}

/* The LFs in [P, END), or with BARE those not preceded by a CR (P[-1] must
 * then be readable). 64 octets a round; each lane counts in 8 bits, so the
 * lanes are summed after at most 252 blocks of 16. */
static inline guint64
count_lf (const guint8 *p, const guint8 *end, gboolean bare)
{
	guint64 n = 0;

	while (end - p >= 16) {
		MpOctets16 acc = { 0 };
		const guint8 *stop = p + MIN ((gsize) (end - p) / 16, (gsize) 252) * 16;

		for (; stop - p >= 64; p += 64)
			acc -= (lf_lanes (p, bare) + lf_lanes (p + 16, bare)) +
			       (lf_lanes (p + 32, bare) + lf_lanes (p + 48, bare));
		for (; p < stop; p += 16)
			acc -= lf_lanes (p, bare);
		n += lanes_sum (acc);
	}
	for (; p < end; p++)
		n += *p == '\n' && (!bare || p[-1] != '\r');
	return n;
}

/* The LFs in [BUF, END) not preceded by a CR inside the range. */
static guint64
bare_lf (const guint8 *buf, const guint8 *end)
{
	const guint8 *cr = memchr (buf, '\r', (size_t) (end - buf));

	if (cr == NULL)
		return count_lf (buf, end, FALSE);
	return count_lf (buf, cr, FALSE) + count_lf (cr + 1, end, TRUE); /* *cr is no LF */
}

guint64
mp_region_size (const guint8 *buf, gsize len, gboolean mbox_quoted)
{
	const guint8 *end = buf + len;
	guint64 bare = len ? bare_lf (buf, end) : 0; /* buf may be NULL when len is 0 */
	guint64 quoted = 0;

	if (mbox_quoted) {
		/* a line of one or more '>' then "From " (base64 has no '>') */
		const guint8 *p = buf;
		while (p < end && (p = memchr (p, '>', (size_t) (end - p))) != NULL) {
			if (p == buf || p[-1] == '\n') {
				while (p < end && *p == '>')
					p++;
				if ((gsize) (end - p) >= 5 && memcmp (p, "From ", 5) == 0)
					quoted++;
			} else {
				p++;
			}
		}
	}
	return len + bare - quoted;
}

/* mp_region_size() over a stream fed in chunks (a body GMime streams from
 * the file: messages over MP_ANALYZER_MEM_MAX). The same vector count per
 * chunk, with the CR before a chunk's first LF carried; the quoted From
 * lines are found from the '>' octets (memchr) that start a line, a line
 * being followed octet by octet only from such a '>' on, across chunks. */
void
mp_region_counter_init (MpRegionCounter *c, gboolean mbox_quoted)
{
	memset (c, 0, sizeof *c);
	c->mbox_quoted = mbox_quoted;
	c->line_start = TRUE;
}

static void
region_quoted_feed (MpRegionCounter *c, const guint8 *buf, gsize n)
{
	gsize i = 0;

	while (i < n) {
		const guint8 *gt;

		if (c->candidate) {
			/* after one or more '>' at a line start: more '>', then "From " */
			guint8 ch = buf[i];
			if (c->matched == 0 && ch == '>') {
				i++;
			} else if (ch == (guint8) "From "[c->matched]) {
				i++;
				if (++c->matched == 5) {
					c->quoted++;
					c->candidate = FALSE;
				}
			} else {
				c->candidate = FALSE; /* look at this octet again below */
			}
			continue;
		}
		if ((gt = memchr (buf + i, '>', n - i)) == NULL)
			break;
		i = (gsize) (gt - buf);
		if (i == 0 ? c->line_start : buf[i - 1] == '\n') {
			c->candidate = TRUE;
			c->matched = 0;
		}
		i++;
	}
}

void
mp_region_counter_feed (MpRegionCounter *c, const guint8 *buf, gsize n)
{
	if (n == 0)
		return;
	c->size += n + bare_lf (buf, buf + n);
	if (buf[0] == '\n' && c->last_cr)
		c->size--; /* counted as bare above; its CR ended the last chunk */
	if (c->mbox_quoted)
		region_quoted_feed (c, buf, n);
	c->last_cr = buf[n - 1] == '\r';
	c->line_start = buf[n - 1] == '\n';
}

guint64
mp_region_counter_total (const MpRegionCounter *c)
{
	return c->size - c->quoted;
}

/* ---- octet classes ---- */

/* The light walker's first test of a header block (mime-fast.c): GMime
 * reads 8-bit, CR and NUL octets in ways it must not guess, so it declines
 * any. 16 octets at a time: the OR of all octets shows an 8-bit one, a
 * lane compare a CR or NUL. */
gboolean
mp_octets_plain (const guint8 *p, gsize n)
{
	const guint8 *end = p + n;
	MpOctets16 any = { 0 }, bad = { 0 };
	guint64 w[2];

	for (; end - p >= 16; p += 16) {
		MpOctets16 v = mp_octets16_load (p);
		any |= v;
		bad |= mp_octets16_eq (v, 0) | mp_octets16_eq (v, '\r');
	}
	bad |= any & 0x80;
	memcpy (w, &bad, sizeof w);
	if ((w[0] | w[1]) != 0)
		return FALSE;
	for (; p < end; p++)
		if (*p >= 0x80 || *p == '\r' || *p == '\0')
			return FALSE;
	return TRUE;
}
