/* lf-scan.h — the line ends of a buffer, one after the other, fast.
 *
 * Counting sizes and longest lines (DEFINITIONS.md) and splitting an mbox
 * need every LF of every message. A memchr() call per line costs more than
 * the line itself when lines are 76 octets of base64: the call, its set-up
 * and its tail handling dominate (bench/RESULTS.md). This iterator instead
 * compares 64 bytes at a time with SSE2 (part of every x86-64 CPU; other
 * CPUs take a plain loop) into a bit mask and hands out the set bits, so a
 * line costs a few instructions. Header-only: the loops inline into their
 * callers. */
#pragma once

#include <glib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

G_BEGIN_DECLS

typedef struct {
	const char *block; /* the 64 bytes the mask describes start here */
	guint64     mask;  /* LFs of the block not handed out yet */
	const char *end;
} MpLfScan;

/* One bit per LF in the 64 bytes at P (all readable). */
static inline guint64
mp_lf_mask64 (const char *p)
{
#if defined(__SSE2__)
	/* unaligned loads; through void * so no cast claims 16-byte alignment */
	const __m128i lf = _mm_set1_epi8 ('\n');
	guint64 m0 = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_loadu_si128 ((const void *) p), lf));
	guint64 m1 = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_loadu_si128 ((const void *) (p + 16)), lf));
	guint64 m2 = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_loadu_si128 ((const void *) (p + 32)), lf));
	guint64 m3 = (guint32) _mm_movemask_epi8 (_mm_cmpeq_epi8 (_mm_loadu_si128 ((const void *) (p + 48)), lf));
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

G_END_DECLS
