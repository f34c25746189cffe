/* octets-lf.h — the inline half of the octets module (octets.h): line ends
 * found 16 and 64 octets at a time, and the per-line arithmetic of
 * DEFINITIONS.md "Message size" for a caller that walks lines itself.
 *
 * Header-only because it is the hot path of a scan: the mbox splitter
 * (mbox-boundary.c) must look at the start of every line for From_ lines
 * and separators, so it cannot hand whole buffers to MpCrlfCounter; it finds
 * line ends with MpLfScan and counts them with MpLineTally and the line
 * helpers below, inlined into its loop. A call per line would cost more
 * than the line itself when lines are 76 octets of base64
 * (bench/RESULTS.md). octets.c builds its counters on the same primitives,
 * so the size rule is written here once.
 *
 * One vector style: 16 octets are one MpOctets16, GCC's and Clang's vector
 * extension, which compiles to SSE2 on x86-64 (NEON on arm64, plain code
 * elsewhere) without asking for an instruction set. The one thing the
 * extension cannot say is "one bit per lane" (SSE2's movemask), which the
 * LF iterator needs to hand out positions: that single step is an SSE2
 * intrinsic, with a plain loop on other CPUs. Where only a count is needed
 * (octets.c, mp_region_size) the same compared lanes are summed instead. */
#pragma once

#include <glib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

G_BEGIN_DECLS

/* 16 octets as one value. A comparison gives 0 or -1 (all bits) per lane. */
typedef guint8 MpOctets16 __attribute__ ((vector_size (16)));

/* The 16 octets at P (unaligned: memcpy compiles to one load). */
static inline MpOctets16
mp_octets16_load (const void *p)
{
	MpOctets16 v;

	memcpy (&v, p, sizeof v);
	return v;
}

/* -1 in each lane of V that is C, else 0. */
static inline MpOctets16
mp_octets16_eq (MpOctets16 v, guint8 c)
{
	return (MpOctets16) (v == c);
}

/* ---- line ends, one after the other ---- */

typedef struct {
	const char *block; /* the 64 octets the mask describes start here */
	guint64     mask;  /* LFs of the block not handed out yet */
	const char *end;
} MpLfScan;

/* One bit per LF in the 64 octets at P (all readable), bit i for P[i]. */
static inline guint64
mp_lf_mask64 (const char *p)
{
#if defined(__SSE2__)
	/* the lanes as SSE2 sees them: a cast of the same 128 bits */
	guint64 m0 = (guint32) _mm_movemask_epi8 ((__m128i) mp_octets16_eq (mp_octets16_load (p), '\n'));
	guint64 m1 = (guint32) _mm_movemask_epi8 ((__m128i) mp_octets16_eq (mp_octets16_load (p + 16), '\n'));
	guint64 m2 = (guint32) _mm_movemask_epi8 ((__m128i) mp_octets16_eq (mp_octets16_load (p + 32), '\n'));
	guint64 m3 = (guint32) _mm_movemask_epi8 ((__m128i) mp_octets16_eq (mp_octets16_load (p + 48), '\n'));
	return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
#else
	guint64 m = 0;
	for (int i = 0; i < 64; i++)
		m |= (guint64) (p[i] == '\n') << i;
	return m;
#endif
}

/* The mask of the block at S->block, which may be the short last one. */
static inline void
mp_lf_scan_load (MpLfScan *s)
{
	gsize left = (gsize) (s->end - s->block);

	if (left >= 64) {
		s->mask = mp_lf_mask64 (s->block);
	} else {
		/* the tail: at most once per buffer */
		s->mask = 0;
		for (gsize i = 0; i < left; i++)
			s->mask |= (guint64) (s->block[i] == '\n') << i;
	}
}

/* Scans [P, END). */
static inline void
mp_lf_scan_init (MpLfScan *s, const char *p, const char *end)
{
	s->block = p;
	s->end = end;
	if (p < end)
		mp_lf_scan_load (s);
	else
		s->mask = 0;
}

/* The next LF, in order, or NULL when there is none before the end. */
static inline const char *
mp_lf_scan_next (MpLfScan *s)
{
	while (s->mask == 0) {
		if (s->end - s->block <= 64)
			return NULL;
		s->block += 64;
		mp_lf_scan_load (s);
	}
	{
		int i = __builtin_ctzll (s->mask);
		s->mask &= s->mask - 1;
		return s->block + i;
	}
}

/* ---- the size rule, one line at a time ---- */

/* The RFC 5322 size of one line of LEN octets, its line end included:
 * RFC 3501 §2.3.4 counts the message with CRLF line ends, so a LF without
 * a CR before it counts as two octets (DEFINITIONS.md "Message size"). LF:
 * the line ends with a LF; CR: the octet before that LF is a CR. A last
 * line without LF counts as it is. */
static inline guint64
mp_octets_line_size (guint64 len, gboolean lf, gboolean cr)
{
	return len + (lf && !cr ? 1 : 0);
}

/* The length of the same line without its line end (CR LF or LF): what the
 * longest-line count measures (Exchange and Office 365 reject lines over
 * about 10,000 characters, TARGET-LIMITS.md). A lone CR is a character. */
static inline guint64
mp_octets_line_length (guint64 len, gboolean lf, gboolean cr)
{
	return len - (lf ? (cr ? 2 : 1) : 0);
}

/* Whole lines counted in a run, for a caller that finds their LFs itself
 * (MpLfScan) and stops at lines it must look at. */
typedef struct {
	guint64 bare_lf;  /* LFs without a CR before them */
	guint64 max_line; /* the longest line, without its line end */
} MpLineTally;

/* Adds the line [LINE, LF]; LF points at its LF, and LINE < LF: the line
 * has an octet before its LF, so LF[-1], the CR of a CR LF, is in it. */
static inline void
mp_line_tally_add (MpLineTally *t, const char *line, const char *lf)
{
	gboolean cr = lf[-1] == '\r';
	/* mp_octets_line_length() of the line, written from the LF's offset:
	 * compilers do not fold the +1 -1 and this runs once per line */
	guint64 len = (guint64) (lf - line) - (cr ? 1 : 0);

	if (len > t->max_line)
		t->max_line = len;
	t->bare_lf += !cr;
}

/* The RFC 5322 size of the OCTETS octets of the lines added to T. */
static inline guint64
mp_line_tally_size (const MpLineTally *t, guint64 octets)
{
	return octets + t->bare_lf;
}

G_END_DECLS
