/* fuzz-mbox-boundary.c — the mbox boundary finder (analyzer/mbox-boundary.c).
 *
 * The input is an mbox file. It is split three times: in one feed, one byte
 * at a time, and in chunk sizes derived from the data (a hash of it seeds a
 * PRNG, so a seed stays a readable mbox). Checked, abort() on violation:
 *  - coverage: messages + from_lines + separators + junk == total == size,
 *    count == ranges seen, messages == sum of range lengths;
 *  - each range: from_offset < start <= end <= size, the bytes at
 *    from_offset are "From " preceded by the start of the file or an empty
 *    line, [from_offset, start) is exactly that one line with its line end;
 *  - ranges are in file order and do not overlap;
 *  - junk is reported at most once, as [0, first From_ line);
 *  - size, max_line, quoted/inner From counts, last_line_unterminated and
 *    from_line match a naive reference computed on the whole range;
 *  - all three chunkings give identical results (STYLE.md habit 11);
 *  - cut into pieces at the message starts mp_mbox_next_message_start finds
 *    (data-derived targets and window sizes), as source-mbox.c cuts a file
 *    for its workers, each piece split on its own gives the same ranges and
 *    coverage as the whole. */
#include "fuzz-common.h"
#include "mbox-boundary.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	MpMboxRange r;
	char       *from_line;
} Range;

typedef struct {
	GArray  *ranges; /* Range */
	guint    junk_calls;
	guint64  junk_start, junk_end;
} Result;

static void
fail (const char *what, const Range *r)
{
	if (r)
		fprintf (stderr, "fuzz-mbox-boundary: %s (range from %" G_GUINT64_FORMAT " start %" G_GUINT64_FORMAT
		         " end %" G_GUINT64_FORMAT ")\n", what, r->r.from_offset, r->r.start, r->r.end);
	else
		fprintf (stderr, "fuzz-mbox-boundary: %s\n", what);
	abort ();
}

static void
on_range (const MpMboxRange *range, gpointer user_data)
{
	Result *res = user_data;
	Range r = { *range, g_strdup (range->from_line ? range->from_line : "") };

	r.r.from_line = NULL;
	g_array_append_val (res->ranges, r);
}

static void
on_junk (guint64 start, guint64 end, gpointer user_data)
{
	Result *res = user_data;

	res->junk_calls++;
	res->junk_start = start;
	res->junk_end = end;
}

static void
range_clear (gpointer p)
{
	g_free (((Range *) p)->from_line);
}

static guint64
xorshift (guint64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* MODE 0: one feed; 1: byte by byte; 2: data-derived chunks. */
static void
split (const uint8_t *data, size_t size, int mode, Result *res, MpMboxCoverage *cov)
{
	g_autoptr(MpMboxBoundaries) s = mp_mbox_boundaries_new (on_range, on_junk, res);
	guint64 seed = 0xcbf29ce484222325ull;

	res->ranges = g_array_new (FALSE, TRUE, sizeof (Range));
	g_array_set_clear_func (res->ranges, range_clear);
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	if (seed == 0)
		seed = 1;

	if (mode == 0) {
		mp_mbox_boundaries_feed (s, (const char *) data, size);
	} else {
		size_t off = 0;
		while (off < size) {
			size_t n = 1;
			if (mode == 2) {
				guint64 x = xorshift (&seed);
				/* mostly tiny chunks (edges inside "From " and CR LF),
				 * sometimes large ones; an empty feed now and then */
				switch (x & 3) {
				case 0: n = (size_t) (x >> 8) % 4; break;
				case 1: n = 1 + (size_t) (x >> 8) % 8; break;
				case 2: n = 1 + (size_t) (x >> 8) % 64; break;
				default: n = 1 + (size_t) (x >> 8) % 4096; break;
				}
			}
			if (n > size - off)
				n = size - off;
			/* a heap copy of exactly N bytes: ASan sees reads past a chunk */
			{
				char *chunk = g_malloc (n ? n : 1);
				memcpy (chunk, data + off, n);
				mp_mbox_boundaries_feed (s, chunk, n);
				g_free (chunk);
			}
			off += n;
		}
	}
	mp_mbox_boundaries_finish (s);
	mp_mbox_boundaries_coverage (s, cov);
}

static gboolean
is_from_at (const uint8_t *data, size_t size, guint64 off)
{
	return off + 5 <= size && memcmp (data + off, "From ", 5) == 0;
}

/* The naive reference for the per-message numbers of mbox-boundary.h. */
static void
check_range (const uint8_t *data, size_t size, const Range *r)
{
	guint64 bare_lf = 0, quoted = 0, inner = 0, max_line = 0;
	guint64 line_end; /* end of the From_ line content */
	gsize expect_len;

	if (!(r->r.from_offset < r->r.start && r->r.start <= r->r.end && r->r.end <= size))
		fail ("range out of bounds or inverted", r);
	if (!is_from_at (data, size, r->r.from_offset))
		fail ("range does not start at \"From \"", r);
	if (r->r.from_offset > 0) {
		guint64 o = r->r.from_offset;
		gboolean after_empty = data[o - 1] == '\n' &&
			(o == 1 || data[o - 2] == '\n' || (data[o - 2] == '\r' && (o == 2 || data[o - 3] == '\n')));
		if (!after_empty)
			fail ("From_ line not after an empty line", r);
	}
	/* [from_offset, start) is one line: ends with its LF (or is the file's
	 * unterminated last line), with no LF before that */
	if (r->r.start < size || data[r->r.start - 1] == '\n') {
		if (data[r->r.start - 1] != '\n')
			fail ("From_ line does not end with LF", r);
		if (memchr (data + r->r.from_offset, '\n', r->r.start - 1 - r->r.from_offset) != NULL)
			fail ("From_ line holds a LF", r);
		line_end = r->r.start - 1;
		if (line_end > r->r.from_offset && data[line_end - 1] == '\r')
			line_end--;
	} else {
		if (memchr (data + r->r.from_offset, '\n', r->r.start - r->r.from_offset) != NULL)
			fail ("unterminated From_ line holds a LF", r);
		line_end = r->r.start;
	}
	expect_len = (gsize) MIN (line_end - r->r.from_offset, (guint64) MP_MBOX_FROM_LINE_MAX);
	{
		gsize got = strlen (r->from_line);
		const void *nul = memchr (data + r->r.from_offset, '\0', expect_len);
		if (nul == NULL ? got != expect_len : got > expect_len)
			fail ("from_line has the wrong length", r);
		if (memcmp (r->from_line, data + r->r.from_offset, got) != 0)
			fail ("from_line differs from the file", r);
	}

	for (guint64 p = r->r.start; p < r->r.end;) {
		const uint8_t *lf = memchr (data + p, '\n', r->r.end - p);
		guint64 next = lf ? (guint64) (lf - data) + 1 : r->r.end;
		guint64 content = next - p;
		guint64 q = p;

		if (lf) {
			content--;
			if (content > 0 && data[next - 2] == '\r')
				content--;
			else
				bare_lf++;
		}
		while (q < next && data[q] == '>')
			q++;
		if (is_from_at (data, next, q)) {
			if (q > p) {
				quoted++;
				content--;
			} else {
				inner++;
			}
		}
		if (content > max_line)
			max_line = content;
		p = next;
	}
	if (r->r.size != r->r.end - r->r.start + bare_lf - quoted)
		fail ("size differs from the reference", r);
	if (r->r.max_line != max_line)
		fail ("max_line differs from the reference", r);
	if (r->r.quoted_from_lines != quoted)
		fail ("quoted_from_lines differs from the reference", r);
	if (r->r.inner_from_lines != inner)
		fail ("inner_from_lines differs from the reference", r);
	if (r->r.last_line_unterminated !=
	    (r->r.end > r->r.start && r->r.end == size && data[size - 1] != '\n'))
		fail ("last_line_unterminated differs from the reference", r);
}

static void
check (const uint8_t *data, size_t size, const Result *res, const MpMboxCoverage *cov)
{
	guint64 sum = 0, prev_end = 0;

	if (cov->total != size)
		fail ("coverage total != bytes fed", NULL);
	if (cov->messages + cov->from_lines + cov->separators + cov->junk != cov->total)
		fail ("coverage does not add up to the total", NULL);
	if (cov->count != res->ranges->len)
		fail ("coverage count != ranges emitted", NULL);
	if (res->junk_calls > 1)
		fail ("junk reported more than once", NULL);
	if (res->ranges->len == 0) {
		/* no message: everything is junk */
		if (cov->junk != size || (size > 0 && (res->junk_calls != 1 || res->junk_end != size)))
			fail ("a file without messages is not all junk", NULL);
	} else {
		guint64 first = g_array_index (res->ranges, Range, 0).r.from_offset;
		if (cov->junk != first)
			fail ("junk != bytes before the first From_ line", NULL);
		if ((first > 0) != (res->junk_calls == 1))
			fail ("junk callback and junk bytes disagree", NULL);
		if (first > 0 && (res->junk_start != 0 || res->junk_end != first))
			fail ("junk range is not [0, first From_ line)", NULL);
	}
	for (guint i = 0; i < res->ranges->len; i++) {
		const Range *r = &g_array_index (res->ranges, Range, i);
		if (r->r.from_offset < prev_end)
			fail ("ranges overlap or are out of order", r);
		check_range (data, size, r);
		sum += r->r.end - r->r.start;
		prev_end = r->r.end;
	}
	if (sum != cov->messages)
		fail ("coverage messages != sum of range lengths", NULL);
}

static void
compare (const Result *a, const MpMboxCoverage *ca, const Result *b, const MpMboxCoverage *cb,
         const char *how)
{
	if (memcmp (ca, cb, sizeof *ca) != 0 || a->ranges->len != b->ranges->len ||
	    a->junk_calls != b->junk_calls || a->junk_end != b->junk_end) {
		fprintf (stderr, "fuzz-mbox-boundary: feeding %s changes the result\n", how);
		abort ();
	}
	for (guint i = 0; i < a->ranges->len; i++) {
		const Range *x = &g_array_index (a->ranges, Range, i);
		const Range *y = &g_array_index (b->ranges, Range, i);
		if (memcmp (&x->r, &y->r, sizeof x->r) != 0 || strcmp (x->from_line, y->from_line) != 0) {
			fprintf (stderr, "fuzz-mbox-boundary: feeding %s changes range %u\n", how, i);
			abort ();
		}
	}
}

typedef struct {
	const uint8_t *data;
	size_t         size;
} Mem;

/* A read into a heap copy of exactly the bytes asked for: ASan sees any
 * read past a window. */
static gssize
mem_read (gpointer user_data, char *buf, gsize len, guint64 offset)
{
	const Mem *m = user_data;
	gsize n = offset >= m->size ? 0 : MIN (len, m->size - (gsize) offset);

	memcpy (buf, m->data + offset, n);
	return (gssize) n;
}

static guint64
next_start (const Mem *m, guint64 from, guint64 *seed)
{
	gsize window = 16 + (gsize) (xorshift (seed) % 300);
	char *buf = g_malloc (window);
	guint64 at = mp_mbox_next_message_start (mem_read, (gpointer) m, from, m->size, buf, window);

	g_free (buf);
	return at;
}

static void
check_pieces (const uint8_t *data, size_t size, const Result *whole, const MpMboxCoverage *cw)
{
	Mem m = { data, size };
	guint64 seed = (guint64) size * 0x9e3779b97f4a7c15ull + 1;
	guint64 pos = next_start (&m, 0, &seed);
	MpMboxCoverage sum = { 0 };
	guint idx = 0;

	if (pos != (whole->ranges->len ? g_array_index (whole->ranges, Range, 0).r.from_offset : size))
		fail ("pieces: the first message start is not the first From_ line", NULL);
	while (pos < size) {
		guint64 target = pos + 1 + xorshift (&seed) % 512;
		guint64 end = target >= size ? size : next_start (&m, target, &seed);
		Result piece = { 0 };
		MpMboxCoverage cp;

		/* the next start is the first message of the whole at or after TARGET */
		{
			guint64 want = size;
			for (guint i = idx; i < whole->ranges->len; i++)
				if (g_array_index (whole->ranges, Range, i).r.from_offset >= target) {
					want = g_array_index (whole->ranges, Range, i).r.from_offset;
					break;
				}
			if (target < size && end != want)
				fail ("pieces: a message start missed or invented", NULL);
		}
		{
			/* a heap copy of exactly the piece: ASan sees reads past it */
			uint8_t *copy = g_malloc (end > pos ? (gsize) (end - pos) : 1);
			memcpy (copy, data + pos, (size_t) (end - pos));
			split (copy, (size_t) (end - pos), 0, &piece, &cp);
			g_free (copy);
		}
		if (cp.junk != 0)
			fail ("pieces: a piece does not start at a message", NULL);
		for (guint i = 0; i < piece.ranges->len; i++, idx++) {
			Range *x = &g_array_index (piece.ranges, Range, i);
			const Range *y;

			if (idx >= whole->ranges->len)
				fail ("pieces: more messages than the whole", x);
			y = &g_array_index (whole->ranges, Range, idx);
			x->r.from_offset += pos;
			x->r.start += pos;
			x->r.end += pos;
			if (memcmp (&x->r, &y->r, sizeof x->r) != 0 || strcmp (x->from_line, y->from_line) != 0)
				fail ("pieces: a range differs from the whole's", x);
		}
		sum.total += cp.total;
		sum.messages += cp.messages;
		sum.from_lines += cp.from_lines;
		sum.separators += cp.separators;
		sum.count += cp.count;
		g_array_unref (piece.ranges);
		pos = end;
	}
	if (idx != whole->ranges->len)
		fail ("pieces: fewer messages than the whole", NULL);
	if (sum.total + cw->junk != cw->total || sum.messages != cw->messages || sum.from_lines != cw->from_lines ||
	    sum.separators != cw->separators || sum.count != cw->count)
		fail ("pieces: the coverage differs from the whole's", NULL);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	Result whole = { 0 }, bytes = { 0 }, chunks = { 0 };
	MpMboxCoverage cw, cb, cc;

	split (data, size, 0, &whole, &cw);
	check (data, size, &whole, &cw);
	split (data, size, 2, &chunks, &cc);
	compare (&whole, &cw, &chunks, &cc, "in data-derived chunks");
	check_pieces (data, size, &whole, &cw);
	if (size <= 64 * 1024) {
		split (data, size, 1, &bytes, &cb);
		compare (&whole, &cw, &bytes, &cb, "one byte at a time");
		g_array_unref (bytes.ranges);
	}
	g_array_unref (whole.ranges);
	g_array_unref (chunks.ranges);
	return 0;
}
