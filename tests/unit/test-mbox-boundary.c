/* test-mbox-boundary.c — the mbox boundary finder (analyzer/mbox-boundary.h) against
 * DEFINITIONS.md "Message size", mbox clause.
 *
 * Table-driven (isync tst_*.c / Dovecot test-mbox-from.c style): every case
 * gives the exact ranges, sizes and junk, and every case is fed whole, one
 * byte at a time and in random chunk sizes; all three must agree, and the
 * coverage invariant messages + from_lines + separators + junk == total
 * must hold. */
#include "mbox-boundary.h"

#include <string.h>

#define MAX_MSGS 4

typedef struct {
	guint64     from_offset, start, end, size, quoted, inner;
	gboolean    unterminated;
	const char *from_line;
	guint64     max_line; /* not in the table: checked against ref_max_line() */
} ExpRange;

typedef struct {
	const char *name;
	const char *input;
	guint       n_msgs;
	ExpRange    msgs[MAX_MSGS];
	gboolean    has_junk;
	guint64     junk_end;       /* junk is always [0, junk_end) */
	guint64     separators;     /* expected separator bytes */
} SplitCase;

static const SplitCase cases[] = {
	{ "one-message",
	  "From a@b Tue Mar 12 10:00:00 2019\nSubject: x\n\nbody\n",
	  1, { { 0, 34, 51, 20, 0, 0, FALSE, "From a@b Tue Mar 12 10:00:00 2019" } },
	  FALSE, 0, 0 },
	{ "two-messages",
	  "From a\nX: 1\n\nb1\n\nFrom b\nX: 2\n\nb2\n",
	  2, { { 0, 7, 16, 12, 0, 0, FALSE, "From a" },
	       { 17, 24, 33, 12, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 1 },
	{ "from-in-body-without-empty-line-is-no-boundary",
	  "From a\nX: 1\n\nhello\nFrom here\n",
	  1, { { 0, 7, 29, 26, 0, 1, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "from-colon-header-is-no-from-line",
	  "From a\nFrom: x@y\n\nFromage\n",
	  1, { { 0, 7, 26, 22, 0, 0, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "quoted-from-lines-lose-one-byte-each",
	  /* ">Fromage" and ">From" without space are no quoted From_ lines */
	  "From a\n\n>From x\n>>From y\n>Fromage\n>From\n",
	  1, { { 0, 7, 40, 33 + 5 - 2, 2, 0, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "crlf-file",
	  "From a\r\nX: 1\r\n\r\nb1\r\n\r\nFrom b\r\nX: 2\r\n\r\nb2\r\n",
	  2, { { 0, 8, 20, 12, 0, 0, FALSE, "From a" },
	       { 22, 30, 42, 12, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 2 },
	{ "crlf-separator-in-lf-file",
	  "From a\nX\n\r\nFrom b\nY\n",
	  2, { { 0, 7, 9, 3, 0, 0, FALSE, "From a" },
	       { 11, 18, 20, 3, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 2 },
	{ "crlf-quoted-from",
	  "From a\r\n\r\n>From x\r\n",
	  1, { { 0, 8, 19, 10, 1, 0, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "no-final-newline",
	  "From a\nX: 1\n\nbody",
	  1, { { 0, 7, 17, 12, 0, 0, TRUE, "From a" } },
	  FALSE, 0, 0 },
	{ "empty-file",
	  "",
	  0, { { 0 } },
	  FALSE, 0, 0 },
	{ "junk-before-first-from",
	  "junk\nmore\n\nFrom a\nX: 1\n",
	  1, { { 11, 18, 23, 6, 0, 0, FALSE, "From a" } },
	  TRUE, 11, 0 },
	{ "empty-line-at-file-start-is-junk",
	  "\nFrom a\nX\n",
	  1, { { 1, 8, 10, 3, 0, 0, FALSE, "From a" } },
	  TRUE, 1, 0 },
	{ "from-after-junk-without-empty-line-is-no-boundary",
	  "junk\nFrom a\nX: 1\n",
	  0, { { 0 } },
	  TRUE, 17, 0 },
	{ "only-junk",
	  "no mbox here\n",
	  0, { { 0 } },
	  TRUE, 13, 0 },
	{ "several-empty-lines-only-last-is-separator",
	  "From a\nX: 1\n\nb\n\n\n\nFrom b\nY\n",
	  2, { { 0, 7, 17, 15, 0, 0, FALSE, "From a" },
	       { 18, 25, 27, 3, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 1 },
	{ "final-empty-line-is-separator",
	  "From a\nX: 1\n\nb\n\n",
	  1, { { 0, 7, 15, 11, 0, 0, FALSE, "From a" } },
	  FALSE, 0, 1 },
	{ "two-final-empty-lines-only-last-is-separator",
	  "From a\nX: 1\n\nb\n\n\n",
	  1, { { 0, 7, 16, 13, 0, 0, FALSE, "From a" } },
	  FALSE, 0, 1 },
	{ "final-crlf-empty-line-is-separator",
	  "From a\r\nX\r\n\r\n",
	  1, { { 0, 8, 11, 3, 0, 0, FALSE, "From a" } },
	  FALSE, 0, 2 },
	{ "from-cut-short-at-eof-is-body",
	  "From a\nX\n\nFrom",
	  1, { { 0, 7, 14, 9, 0, 0, TRUE, "From a" } },
	  FALSE, 0, 0 },
	{ "unterminated-from-line-at-eof-starts-empty-message",
	  "From a\nX\n\nFrom b",
	  2, { { 0, 7, 9, 3, 0, 0, FALSE, "From a" },
	       { 10, 16, 16, 0, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 1 },
	{ "empty-message-between-from-lines",
	  "From a\n\nFrom b\nX\n",
	  2, { { 0, 7, 7, 0, 0, 0, FALSE, "From a" },
	       { 8, 15, 17, 3, 0, 0, FALSE, "From b" } },
	  FALSE, 0, 1 },
	{ "lone-cr-is-no-line-end",
	  "From a\nX\rY\n\rFrom b\n",
	  1, { { 0, 7, 19, 14, 0, 0, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "quoted-from-is-no-boundary",
	  "From a\nX\n\n>From b\nY\n",
	  1, { { 0, 7, 20, 16, 1, 0, FALSE, "From a" } },
	  FALSE, 0, 0 },
	{ "three-messages-mixed",
	  "From a\n\nFrom b\nFrom c\n\n\nFrom d\n>From e",
	  3, { { 0, 7, 7, 0, 0, 0, FALSE, "From a" },
	       { 8, 15, 23, 10, 0, 1, FALSE, "From b" },
	       { 24, 31, 38, 6, 1, 0, TRUE, "From d" } },
	  FALSE, 0, 2 },
};

typedef struct {
	GArray  *ranges;     /* ExpRange, from_line g_strdup'ed */
	guint    junk_calls;
	guint64  junk_start, junk_end;
	MpMboxCoverage cov;
} SplitResult;

static void
on_range (const MpMboxRange *r, gpointer user_data)
{
	SplitResult *res = user_data;
	ExpRange e = { r->from_offset, r->start, r->end, r->size, r->quoted_from_lines,
	               r->inner_from_lines, r->last_line_unterminated, g_strdup (r->from_line),
	               r->max_line };

	g_array_append_val (res->ranges, e);
}

static void
on_junk (guint64 start, guint64 end, gpointer user_data)
{
	SplitResult *res = user_data;

	res->junk_calls++;
	res->junk_start = start;
	res->junk_end = end;
}

static void
range_clear (gpointer p)
{
	g_free ((char *) ((ExpRange *) p)->from_line);
}

static void
result_clear (SplitResult *res)
{
	g_array_unref (res->ranges);
}

typedef enum { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } FeedMode;

/* Feeds INPUT with MODE; RAND picks the chunk sizes for FEED_RANDOM. */
static void
split (const char *input, gsize len, FeedMode mode, GRand *rand, SplitResult *res)
{
	g_autoptr(MpMboxBoundaries) s = NULL;
	gsize off = 0;

	memset (res, 0, sizeof *res);
	res->ranges = g_array_new (FALSE, TRUE, sizeof (ExpRange));
	g_array_set_clear_func (res->ranges, range_clear);
	s = mp_mbox_boundaries_new (on_range, on_junk, res);
	while (off < len) {
		gsize n = len - off;
		if (mode == FEED_BYTES)
			n = 1;
		else if (mode == FEED_RANDOM) {
			gsize want = (gsize) g_rand_int_range (rand, 1, 8); /* MIN() evaluates twice */
			n = MIN (n, want);
		}
		/* a private copy, so a read past the chunk shows under ASan */
		{
			g_autofree char *chunk = g_memdup2 (input + off, n);
			mp_mbox_boundaries_feed (s, chunk, n);
		}
		off += n;
	}
	/* an empty feed must change nothing */
	mp_mbox_boundaries_feed (s, input, 0);
	mp_mbox_boundaries_finish (s);
	mp_mbox_boundaries_coverage (s, &res->cov);
}

/* The longest line of [START, END) in octets, line end (LF or CRLF)
 * excluded, one '>' removed from ^>+From lines: written the obvious way. */
static guint64
ref_max_line (const char *input, guint64 start, guint64 end)
{
	guint64 best = 0;
	guint64 p = start;

	while (p < end) {
		guint64 e = p;
		guint64 len;
		gsize q = 0;

		while (e < end && input[e] != '\n')
			e++;
		len = e - p;
		if (e < end && len > 0 && input[e - 1] == '\r')
			len--;
		while (q < len && input[p + q] == '>')
			q++;
		if (q > 0 && len - q >= 5 && strncmp (input + p + q, "From ", 5) == 0)
			len--;
		best = MAX (best, len);
		p = e + 1;
	}
	return best;
}

static void
assert_coverage (const SplitResult *res, gsize len)
{
	g_assert_cmpuint (res->cov.total, ==, len);
	g_assert_cmpuint (res->cov.messages + res->cov.from_lines + res->cov.separators + res->cov.junk,
	                  ==, res->cov.total);
}

static void
assert_same (const SplitResult *a, const SplitResult *b)
{
	g_assert_cmpuint (a->ranges->len, ==, b->ranges->len);
	for (guint i = 0; i < a->ranges->len; i++) {
		const ExpRange *x = &g_array_index (a->ranges, ExpRange, i);
		const ExpRange *y = &g_array_index (b->ranges, ExpRange, i);
		g_assert_cmpuint (x->from_offset, ==, y->from_offset);
		g_assert_cmpuint (x->start, ==, y->start);
		g_assert_cmpuint (x->end, ==, y->end);
		g_assert_cmpuint (x->size, ==, y->size);
		g_assert_cmpuint (x->quoted, ==, y->quoted);
		g_assert_cmpuint (x->inner, ==, y->inner);
		g_assert_cmpint (x->unterminated, ==, y->unterminated);
		g_assert_cmpstr (x->from_line, ==, y->from_line);
		g_assert_cmpuint (x->max_line, ==, y->max_line);
	}
	g_assert_cmpuint (a->junk_calls, ==, b->junk_calls);
	g_assert_cmpuint (a->junk_start, ==, b->junk_start);
	g_assert_cmpuint (a->junk_end, ==, b->junk_end);
	g_assert_true (memcmp (&a->cov, &b->cov, sizeof a->cov) == 0);
}

static void
test_split_case (gconstpointer data)
{
	const SplitCase *c = data;
	gsize len = strlen (c->input);
	SplitResult whole, bytes;
	guint64 msg_bytes = 0, from_bytes = 0;

	split (c->input, len, FEED_WHOLE, NULL, &whole);

	/* exact expectations */
	g_assert_cmpuint (whole.ranges->len, ==, c->n_msgs);
	for (guint i = 0; i < c->n_msgs; i++) {
		const ExpRange *e = &c->msgs[i];
		const ExpRange *r = &g_array_index (whole.ranges, ExpRange, i);
		g_test_message ("%s: message %u", c->name, i);
		g_assert_cmpuint (r->from_offset, ==, e->from_offset);
		g_assert_cmpuint (r->start, ==, e->start);
		g_assert_cmpuint (r->end, ==, e->end);
		g_assert_cmpuint (r->size, ==, e->size);
		g_assert_cmpuint (r->quoted, ==, e->quoted);
		g_assert_cmpuint (r->inner, ==, e->inner);
		g_assert_cmpint (r->unterminated, ==, e->unterminated);
		g_assert_cmpstr (r->from_line, ==, e->from_line);
		g_assert_cmpuint (r->max_line, ==, ref_max_line (c->input, r->start, r->end));
		msg_bytes += r->end - r->start;
		from_bytes += r->start - r->from_offset;
	}
	g_assert_cmpuint (whole.junk_calls, ==, c->has_junk ? 1 : 0);
	if (c->has_junk) {
		g_assert_cmpuint (whole.junk_start, ==, 0);
		g_assert_cmpuint (whole.junk_end, ==, c->junk_end);
	}
	g_assert_cmpuint (whole.cov.count, ==, c->n_msgs);
	g_assert_cmpuint (whole.cov.messages, ==, msg_bytes);
	g_assert_cmpuint (whole.cov.from_lines, ==, from_bytes);
	g_assert_cmpuint (whole.cov.separators, ==, c->separators);
	g_assert_cmpuint (whole.cov.junk, ==, c->has_junk ? c->junk_end : 0);
	assert_coverage (&whole, len);

	/* trickle-feed: one byte at a time */
	split (c->input, len, FEED_BYTES, NULL, &bytes);
	assert_coverage (&bytes, len);
	assert_same (&whole, &bytes);
	result_clear (&bytes);

	/* random chunk sizes, several seeds (fixed: reproducible) */
	for (guint32 seed = 1; seed <= 20; seed++) {
		g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
		SplitResult rnd;
		split (c->input, len, FEED_RANDOM, rand, &rnd);
		assert_coverage (&rnd, len);
		assert_same (&whole, &rnd);
		result_clear (&rnd);
	}
	result_clear (&whole);
}

/* Every split point of a two-message CRLF file with quoting: feeding in two
 * chunks cut at each offset must give the whole-file result. */
static void
test_split_every_cut (void)
{
	const char *input = "junk\r\n\r\nFrom a x\r\nX: 1\r\n\r\n>From q\r\nFrom u\r\n\r\n\r\nFrom b\r\nY\r\n\r\n";
	gsize len = strlen (input);
	SplitResult whole;

	split (input, len, FEED_WHOLE, NULL, &whole);
	g_assert_cmpuint (whole.ranges->len, ==, 2);
	assert_coverage (&whole, len);
	for (gsize cut = 0; cut <= len; cut++) {
		SplitResult two;
		g_autoptr(MpMboxBoundaries) s = NULL;

		memset (&two, 0, sizeof two);
		two.ranges = g_array_new (FALSE, TRUE, sizeof (ExpRange));
		g_array_set_clear_func (two.ranges, range_clear);
		s = mp_mbox_boundaries_new (on_range, on_junk, &two);
		mp_mbox_boundaries_feed (s, input, cut);
		mp_mbox_boundaries_feed (s, input + cut, len - cut);
		mp_mbox_boundaries_finish (s);
		mp_mbox_boundaries_coverage (s, &two.cov);
		assert_same (&whole, &two);
		result_clear (&two);
	}
	result_clear (&whole);
}

/* The From_ line handed to the callback is cut at MP_MBOX_FROM_LINE_MAX. */
static void
test_split_long_from_line (void)
{
	g_autoptr(GString) in = g_string_new ("From ");
	SplitResult whole, bytes;
	gsize from_len;

	for (int i = 0; i < 2000; i++)
		g_string_append_c (in, (char) ('a' + i % 26));
	g_string_append (in, "\r\n");
	from_len = in->len;
	g_string_append (in, "X: 1\r\n");
	split (in->str, in->len, FEED_WHOLE, NULL, &whole);
	g_assert_cmpuint (whole.ranges->len, ==, 1);
	{
		const ExpRange *r = &g_array_index (whole.ranges, ExpRange, 0);
		g_assert_cmpuint (strlen (r->from_line), ==, MP_MBOX_FROM_LINE_MAX);
		g_assert_true (strncmp (r->from_line, in->str, MP_MBOX_FROM_LINE_MAX) == 0);
		g_assert_cmpuint (r->start, ==, from_len);
		g_assert_cmpuint (r->size, ==, 6);
	}
	split (in->str, in->len, FEED_BYTES, NULL, &bytes);
	assert_same (&whole, &bytes);
	result_clear (&bytes);
	result_clear (&whole);
}

/* A From_ line of exactly MP_MBOX_FROM_LINE_MAX + 1 bytes with CRLF: the CR
 * must not end up in the kept text, nor may the text overflow. */
static void
test_split_from_line_at_limit (void)
{
	for (gsize total = MP_MBOX_FROM_LINE_MAX - 2; total <= MP_MBOX_FROM_LINE_MAX + 2; total++) {
		g_autoptr(GString) in = g_string_new ("From ");
		SplitResult whole, bytes;
		const ExpRange *r;

		while (in->len < total)
			g_string_append_c (in, 'x');
		g_string_append (in, "\r\nX\r\n");
		split (in->str, in->len, FEED_WHOLE, NULL, &whole);
		g_assert_cmpuint (whole.ranges->len, ==, 1);
		r = &g_array_index (whole.ranges, ExpRange, 0);
		g_assert_cmpuint (strlen (r->from_line), ==, MIN (total, (gsize) MP_MBOX_FROM_LINE_MAX));
		g_assert_null (strchr (r->from_line, '\r'));
		g_assert_cmpuint (r->size, ==, 3);
		split (in->str, in->len, FEED_BYTES, NULL, &bytes);
		assert_same (&whole, &bytes);
		result_clear (&bytes);
		result_clear (&whole);
	}
}

/* A 5 MB single line: no crash, no buffering, exact size. */
static void
test_split_long_line (void)
{
	const gsize line = 5 * 1024 * 1024;
	const char *head = "From a\n";
	gsize len = strlen (head) + line + 1 + strlen ("\nFrom b\nY\n");
	char *buf = g_malloc (len);
	SplitResult whole, chunks;
	const ExpRange *r;
	gsize off = 0;

	memcpy (buf, head, strlen (head));
	off = strlen (head);
	memset (buf + off, 'x', line);
	/* a "From " inside the long line is no line start */
	memcpy (buf + off + 1000, "\nxFrom ", 7);
	off += line;
	memcpy (buf + off, "\n\nFrom b\nY\n", strlen ("\n\nFrom b\nY\n"));

	split (buf, len, FEED_WHOLE, NULL, &whole);
	g_assert_cmpuint (whole.ranges->len, ==, 2);
	r = &g_array_index (whole.ranges, ExpRange, 0);
	g_assert_cmpuint (r->start, ==, 7);
	g_assert_cmpuint (r->end, ==, 7 + line + 1);
	/* line + its LF, plus one for the embedded LF and one for the final LF */
	g_assert_cmpuint (r->size, ==, line + 1 + 2);
	g_assert_cmpuint (r->max_line, ==, line - 1001);
	r = &g_array_index (whole.ranges, ExpRange, 1);
	g_assert_cmpuint (r->size, ==, 3);
	assert_coverage (&whole, len);

	/* in 64 KiB chunks, as a reader would */
	{
		g_autoptr(MpMboxBoundaries) s = NULL;
		memset (&chunks, 0, sizeof chunks);
		chunks.ranges = g_array_new (FALSE, TRUE, sizeof (ExpRange));
		g_array_set_clear_func (chunks.ranges, range_clear);
		s = mp_mbox_boundaries_new (on_range, on_junk, &chunks);
		for (off = 0; off < len; off += 65536)
			mp_mbox_boundaries_feed (s, buf + off, MIN ((gsize) 65536, len - off));
		mp_mbox_boundaries_finish (s);
		mp_mbox_boundaries_coverage (s, &chunks.cov);
	}
	assert_same (&whole, &chunks);
	result_clear (&chunks);
	result_clear (&whole);
	g_free (buf);
}

/* The boundary finder works without callbacks (only the coverage is wanted). */
static void
test_split_null_callbacks (void)
{
	const char *in = "junk\n\nFrom a\nX\n\nFrom b\nY\n";
	g_autoptr(MpMboxBoundaries) s = mp_mbox_boundaries_new (NULL, NULL, NULL);
	MpMboxCoverage cov;

	mp_mbox_boundaries_feed (s, in, strlen (in));
	mp_mbox_boundaries_finish (s);
	mp_mbox_boundaries_coverage (s, &cov);
	g_assert_cmpuint (cov.count, ==, 2);
	g_assert_cmpuint (cov.junk, ==, 6);
	g_assert_cmpuint (cov.total, ==, strlen (in));
	g_assert_cmpuint (cov.messages + cov.from_lines + cov.separators + cov.junk, ==, cov.total);
}

/* Random mbox-like input built from a small alphabet of lines: whatever
 * the input, all feed patterns agree and the coverage holds. */
static void
test_split_random_inputs (void)
{
	static const char *const pieces[] = { "From x\n", "From y\r\n", "\n", "\r\n", ">From z\n",
	                                      ">>From w\r\n", "body\n", "Fro", "m ", "\r", ">", "F" };
	g_autoptr(GRand) rand = g_rand_new_with_seed (4242);

	for (int iter = 0; iter < 300; iter++) {
		g_autoptr(GString) in = g_string_new (NULL);
		int n = g_rand_int_range (rand, 0, 30);
		SplitResult whole, bytes, rnd;

		for (int i = 0; i < n; i++)
			g_string_append (in, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
		split (in->str, in->len, FEED_WHOLE, NULL, &whole);
		assert_coverage (&whole, in->len);
		split (in->str, in->len, FEED_BYTES, NULL, &bytes);
		assert_same (&whole, &bytes);
		split (in->str, in->len, FEED_RANDOM, rand, &rnd);
		assert_same (&whole, &rnd);
		/* each range lies inside the file, in order, after its From_ line */
		for (guint i = 0; i < whole.ranges->len; i++) {
			const ExpRange *r = &g_array_index (whole.ranges, ExpRange, i);
			g_assert_cmpuint (r->from_offset, <, r->start);
			g_assert_cmpuint (r->start, <=, r->end);
			g_assert_cmpuint (r->end, <=, in->len);
			g_assert_true (strncmp (in->str + r->from_offset, "From ", 5) == 0);
			g_assert_cmpuint (r->max_line, ==, ref_max_line (in->str, r->start, r->end));
			if (i > 0)
				g_assert_cmpuint (g_array_index (whole.ranges, ExpRange, i - 1).end, <=, r->from_offset);
		}
		result_clear (&rnd);
		result_clear (&bytes);
		result_clear (&whole);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *path = g_strdup_printf ("/mbox-boundary/case/%s", cases[i].name);
		g_test_add_data_func (path, &cases[i], test_split_case);
	}
	g_test_add_func ("/mbox-boundary/every-cut", test_split_every_cut);
	g_test_add_func ("/mbox-boundary/long-from-line", test_split_long_from_line);
	g_test_add_func ("/mbox-boundary/from-line-at-limit", test_split_from_line_at_limit);
	g_test_add_func ("/mbox-boundary/long-line-5mb", test_split_long_line);
	g_test_add_func ("/mbox-boundary/null-callbacks", test_split_null_callbacks);
	g_test_add_func ("/mbox-boundary/random-inputs", test_split_random_inputs);
	return g_test_run ();
}
