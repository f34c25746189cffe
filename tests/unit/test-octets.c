/* test-octets.c — every octet count (analyzer/mime/octets.h and its inline
 * half octets-lf.h). DEFINITIONS.md "Message size": every LF not preceded
 * by CR counts as two octets; CRLF counts as two; a lone CR counts as one;
 * a line's length excludes its CR LF or LF; an attachment's size is the
 * same count over its stored body, less one '>' per ^>+From line of an
 * mbox. Each count is compared with a plain per-octet reference. */
#include "octets.h"
#include "octets-lf.h"

#include <string.h>

typedef struct {
	const char *name;
	const char *input;
	gsize       len;      /* 0: strlen */
	guint64     octets;
	guint64     bare_lf;
	guint64     total;
	guint64     max_line; /* longest line, line end excluded */
} CrlfCase;

static const CrlfCase cases[] = {
	{ "empty", "", 0, 0, 0, 0, 0 },
	{ "no-newline", "abc", 0, 3, 0, 3, 3 },
	{ "bare-lf-counts-twice", "a\n", 0, 2, 1, 3, 1 },
	{ "crlf-counts-once", "a\r\n", 0, 3, 0, 3, 1 },
	{ "lf-only", "\n", 0, 1, 1, 2, 0 },
	{ "lf-at-start", "\nx", 0, 2, 1, 3, 1 },
	{ "two-bare-lf", "\n\n", 0, 2, 2, 4, 0 },
	{ "lone-cr", "a\rb", 0, 3, 0, 3, 3 },
	{ "cr-cr-lf", "\r\r\n", 0, 3, 0, 3, 1 },
	{ "lf-cr", "\n\r", 0, 2, 1, 3, 1 },
	{ "lf-cr-lf", "\n\r\n", 0, 3, 1, 4, 0 },
	{ "mixed", "a\r\nb\nc\rd\n\r\n", 0, 11, 2, 13, 3 },
	{ "nul-bytes", "a\0\n\0\r\n", 6, 6, 1, 7, 2 },
	{ "crlf-message", "Subject: x\r\n\r\nbody\r\n", 0, 20, 0, 20, 10 },
	{ "lf-message", "Subject: x\n\nbody\n", 0, 17, 3, 20, 10 },
};

static gsize
case_len (const CrlfCase *c)
{
	return c->len ? c->len : strlen (c->input);
}

static void
test_crlf_case (gconstpointer data)
{
	const CrlfCase *c = data;
	gsize len = case_len (c);
	MpCrlfCounter k;

	/* one-shot */
	g_assert_cmpuint (mp_crlf_size (c->input, len), ==, c->total);

	/* whole feed: the fields */
	mp_crlf_init (&k);
	mp_crlf_feed (&k, c->input, len);
	g_assert_cmpuint (k.octets, ==, c->octets);
	g_assert_cmpuint (k.bare_lf, ==, c->bare_lf);
	g_assert_cmpuint (mp_crlf_total (&k), ==, c->total);
	g_assert_cmpuint (mp_crlf_max_line (&k), ==, c->max_line);

	/* one byte at a time: a CR-LF straddles every feed */
	mp_crlf_init (&k);
	for (gsize i = 0; i < len; i++) {
		char byte = c->input[i]; /* a copy: the counter may not look back */
		mp_crlf_feed (&k, &byte, 1);
		mp_crlf_feed (&k, &byte, 0); /* an empty feed changes nothing */
	}
	g_assert_cmpuint (k.octets, ==, c->octets);
	g_assert_cmpuint (k.bare_lf, ==, c->bare_lf);
	g_assert_cmpuint (mp_crlf_total (&k), ==, c->total);
	g_assert_cmpuint (mp_crlf_max_line (&k), ==, c->max_line);

	/* every two-piece cut */
	for (gsize cut = 0; cut <= len; cut++) {
		g_autofree char *a = g_memdup2 (c->input, cut);
		g_autofree char *b = g_memdup2 (c->input + cut, len - cut);
		mp_crlf_init (&k);
		mp_crlf_feed (&k, a, cut);
		mp_crlf_feed (&k, b, len - cut);
		g_assert_cmpuint (mp_crlf_total (&k), ==, c->total);
		g_assert_cmpuint (mp_crlf_max_line (&k), ==, c->max_line);
	}
}

/* A CR at the end of one feed and the LF at the start of the next is one
 * CRLF; but a CR followed by an empty feed does not forget it. */
static void
test_crlf_split_across_feeds (void)
{
	MpCrlfCounter k;

	mp_crlf_init (&k);
	mp_crlf_feed (&k, "abc\r", 4);
	g_assert_true (k.last_cr);
	mp_crlf_feed (&k, "", 0);
	g_assert_true (k.last_cr);
	mp_crlf_feed (&k, "\ndef\n", 5);
	g_assert_false (k.last_cr);
	g_assert_cmpuint (k.bare_lf, ==, 1);
	g_assert_cmpuint (mp_crlf_total (&k), ==, 10);

	/* a CR long before does not protect a later LF */
	mp_crlf_init (&k);
	mp_crlf_feed (&k, "\rx", 2);
	g_assert_false (k.last_cr);
	mp_crlf_feed (&k, "\n", 1);
	g_assert_cmpuint (mp_crlf_total (&k), ==, 4);
}

/* Init resets a used counter. */
static void
test_crlf_init_resets (void)
{
	MpCrlfCounter k;

	mp_crlf_init (&k);
	mp_crlf_feed (&k, "x\r", 2);
	mp_crlf_init (&k);
	g_assert_cmpuint (mp_crlf_total (&k), ==, 0);
	g_assert_false (k.last_cr);
	mp_crlf_feed (&k, "\n", 1);
	g_assert_cmpuint (mp_crlf_total (&k), ==, 2);
}

/* A large buffer: LF form of N lines is N bytes short of the CRLF form. */
static void
test_crlf_large (void)
{
	const gsize lines = 200000;
	g_autoptr(GString) lf = g_string_sized_new (lines * 10);
	g_autoptr(GString) crlf = g_string_sized_new (lines * 11);

	for (gsize i = 0; i < lines; i++) {
		g_string_append (lf, "012345678\n");
		g_string_append (crlf, "012345678\r\n");
	}
	g_assert_cmpuint (mp_crlf_size (lf->str, lf->len), ==, crlf->len);
	g_assert_cmpuint (mp_crlf_size (crlf->str, crlf->len), ==, crlf->len);
}

/* A line longer than any feed is measured whole. */
static void
test_crlf_long_line (void)
{
	const gsize n = 3 * 1024 * 1024 + 7;
	g_autofree char *buf = g_malloc (n + 2);
	MpCrlfCounter k;

	memset (buf, 'x', n);
	buf[n] = '\r';
	buf[n + 1] = '\n';
	mp_crlf_init (&k);
	for (gsize off = 0; off < n + 2; off += 4096)
		mp_crlf_feed (&k, buf + off, MIN ((gsize) 4096, n + 2 - off));
	g_assert_cmpuint (mp_crlf_max_line (&k), ==, n);
	g_assert_cmpuint (mp_crlf_total (&k), ==, n + 2);
	mp_crlf_feed (&k, "ab\n", 3);
	g_assert_cmpuint (mp_crlf_max_line (&k), ==, n);
}

/* ---- the LF iterator (octets-lf.h) ---- */

/* MpLfScan hands out exactly the LFs of [P, P + LEN), in order; and
 * mp_lf_mask64 has one bit per LF of a whole block. */
static void
check_lf_scan (const char *p, gsize len)
{
	MpLfScan scan;
	const char *lf;
	gsize want = 0;

	mp_lf_scan_init (&scan, p, p + len);
	while ((lf = mp_lf_scan_next (&scan)) != NULL) {
		while (want < len && p[want] != '\n')
			want++;
		g_assert_cmpuint (want, <, len);
		g_assert_true (lf == p + want);
		want++;
	}
	while (want < len)
		g_assert_cmpint (p[want++], !=, '\n');
	g_assert_null (mp_lf_scan_next (&scan)); /* stays at the end */
	if (len >= 64) {
		guint64 mask = 0;
		for (int i = 0; i < 64; i++)
			mask |= (guint64) (p[i] == '\n') << i;
		g_assert_cmphex (mp_lf_mask64 (p), ==, mask);
	}
}

static void
test_lf_scan (void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed (64);
	g_autofree char *buf = g_malloc (400 + 16);

	check_lf_scan (NULL, 0);
	/* every length up to 400 (whole blocks, tails, none) at every
	 * alignment, of LF-rich, LF-free and random octets */
	for (int fill = 0; fill < 3; fill++) {
		for (gsize i = 0; i < 400 + 16; i++)
			buf[i] = fill == 0 ? "\n\r\nab\n\n\xff"[g_rand_int_range (r, 0, 8)]
			       : fill == 1 ? 'x' : (char) g_rand_int_range (r, 0, 256);
		for (gsize off = 0; off < 16; off++)
			for (gsize len = 0; len <= 400; len++)
				check_lf_scan (buf + off, len);
	}
	/* a LF at the first and the last octet of each block */
	memset (buf, 'x', 400);
	for (gsize i = 0; i < 400; i += 64) {
		buf[i] = '\n';
		buf[i + 63 < 400 ? i + 63 : 399] = '\n';
	}
	check_lf_scan (buf, 400);
	memset (buf, '\n', 400);
	check_lf_scan (buf, 400);
}

/* ---- the per-line helpers (octets-lf.h) ---- */

static void
test_line_helpers (void)
{
	/* LEN counts the line end; LF: it ends with LF; CR: a CR before it */
	static const struct {
		guint64 len;
		gboolean lf, cr;
		guint64 size, length;
	} lines[] = {
		{ 1, TRUE, FALSE, 2, 0 },    /* "\n" */
		{ 2, TRUE, TRUE, 2, 0 },     /* "\r\n" */
		{ 4, TRUE, FALSE, 5, 3 },    /* "abc\n" */
		{ 5, TRUE, TRUE, 5, 3 },     /* "abc\r\n" */
		{ 3, FALSE, FALSE, 3, 3 },   /* "abc", the last line */
		{ 4, FALSE, FALSE, 4, 4 },   /* "abc\r", the last line: the CR is in it */
		{ 0, FALSE, FALSE, 0, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (lines); i++) {
		g_assert_cmpuint (mp_octets_line_size (lines[i].len, lines[i].lf, lines[i].cr), ==, lines[i].size);
		g_assert_cmpuint (mp_octets_line_length (lines[i].len, lines[i].lf, lines[i].cr), ==, lines[i].length);
	}
}

/* MpLineTally over whole lines of at least one octet before the LF (what
 * the mbox splitter hands it) agrees with MpCrlfCounter on the same bytes. */
static void
test_line_tally (void)
{
	static const char *const pieces[] = { "a", "bc", "\r", "x\ry", "0123456789012345678901234567890123456789", " " };
	g_autoptr(GRand) r = g_rand_new_with_seed (76);

	for (int n = 0; n < 2000; n++) {
		g_autoptr(GString) s = g_string_new (NULL);
		int nlines = g_rand_int_range (r, 1, 40);
		MpLineTally tally = { 0, 0 };
		MpCrlfCounter c;
		MpLfScan scan;
		const char *line, *lf;

		for (int k = 0; k < nlines; k++) {
			int words = g_rand_int_range (r, 1, n % 10 == 0 ? 200 : 6);
			for (int w = 0; w < words; w++)
				g_string_append (s, pieces[g_rand_int_range (r, 0, G_N_ELEMENTS (pieces))]);
			if (s->str[s->len - 1] == '\n')
				g_string_append_c (s, 'z'); /* never an empty line */
			g_string_append (s, g_rand_boolean (r) ? "\r\n" : "\n");
		}
		line = s->str;
		mp_lf_scan_init (&scan, s->str, s->str + s->len);
		while ((lf = mp_lf_scan_next (&scan)) != NULL) {
			g_assert_true (line < lf);
			mp_line_tally_add (&tally, line, lf);
			line = lf + 1;
		}
		g_assert_true (line == s->str + s->len);
		mp_crlf_init (&c);
		mp_crlf_feed (&c, s->str, s->len);
		g_assert_cmpuint (tally.bare_lf, ==, c.bare_lf);
		g_assert_cmpuint (tally.max_line, ==, mp_crlf_max_line (&c));
		g_assert_cmpuint (mp_line_tally_size (&tally, s->len), ==, mp_crlf_total (&c));
	}
}

/* ---- a stored body: mp_region_size, MpRegionCounter ---- */

/* mp_region_size() against a plain per-octet count of what it stands for
 * (DEFINITIONS.md attachment size: octets, plus one per LF without a CR
 * before it, less one per ^>+From line in an mbox), on random buffers of
 * the octets that matter, at every alignment, around its 16-octet blocks
 * and the 255-block flush of its 8-bit lane counters. */
static guint64
region_size_reference (const guint8 *buf, gsize len, gboolean mbox_quoted)
{
	guint64 size = len;

	for (gsize i = 0; i < len; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			size++;
		if (mbox_quoted && (i == 0 || buf[i - 1] == '\n') && buf[i] == '>') {
			gsize k = i;
			while (k < len && buf[k] == '>')
				k++;
			if (len - k >= 5 && memcmp (buf + k, "From ", 5) == 0)
				size--;
		}
	}
	return size;
}

/* The same through MpRegionCounter, fed in chunks of 1 to 2*MAXCHUNK octets
 * cut where RANDOM says (1-octet chunks where MAXCHUNK is 0). */
static guint64
region_size_chunked (const guint8 *buf, gsize len, gboolean mbox_quoted, GRand *r, gint32 maxchunk)
{
	MpRegionCounter c;

	mp_region_counter_init (&c, mbox_quoted);
	for (gsize i = 0; i < len;) {
		gsize n = maxchunk == 0 ? 1 : (gsize) g_rand_int_range (r, 1, 2 * maxchunk + 1);
		n = MIN (n, len - i);
		mp_region_counter_feed (&c, buf + i, n);
		i += n;
	}
	return mp_region_counter_total (&c);
}

static void
check_region_size (const guint8 *buf, gsize len, gboolean chunked)
{
	static GRand *r;

	if (r == NULL)
		r = g_rand_new_with_seed (99); /* kept for the test program's life */
	for (int q = 0; q < 2; q++) {
		guint64 want = region_size_reference (buf, len, q);
		guint64 got = mp_region_size (buf, len, q);
		if (got != want)
			g_test_message ("region of %" G_GSIZE_FORMAT " octets (quoted %d): %" G_GUINT64_FORMAT
			                " instead of %" G_GUINT64_FORMAT, len, q, got, want);
		g_assert_cmpuint (got, ==, want);
		/* small chunks on short buffers (the test's time) */
		for (gint32 maxchunk = 0; chunked && len <= 1024 && maxchunk <= 64; maxchunk = maxchunk ? maxchunk * 4 : 1) {
			got = region_size_chunked (buf, len, q, r, maxchunk);
			if (got != want)
				g_test_message ("region of %" G_GSIZE_FORMAT " octets (quoted %d) in chunks up to %d: %"
				                G_GUINT64_FORMAT " instead of %" G_GUINT64_FORMAT, len, q, 2 * maxchunk, got, want);
			g_assert_cmpuint (got, ==, want);
		}
		got = region_size_chunked (buf, len, q, r, 8192);
		g_assert_cmpuint (got, ==, want);
	}
}

static void
test_region_size (void)
{
	static const char alphabet[] = "\n\n\n\r\r>>From xyz";
	static const char *const patterns[] = { "\n", "\r\n", "\r", ">From \n", ">>From x\r\n", "a\r\r\n",
	                                        "\n\r", "abcdefghijklmno\n", "abcdefghijklmn\r\n", "x>From \n",
	                                        ">From >From >>From\n" };
	static const char *const tokens[] = { "\n", "\r", "\r\n", ">", ">>", "From ", "From", "x", " " };
	g_autoptr(GRand) r = g_rand_new_with_seed (1234);
	g_autofree guint8 *buf = g_malloc (70000 + 32);
	int rounds = g_test_slow () ? 200000 : 20000;

	check_region_size (NULL, 0, TRUE);
	/* one pattern repeated, across the 8-bit counters' limit (255 blocks
	 * of 16 octets all LF), at every start alignment */
	for (gsize p = 0; p < G_N_ELEMENTS (patterns); p++) {
		gsize plen = strlen (patterns[p]);
		for (gsize i = 0; i < 70000; i++)
			buf[i] = (guint8) patterns[p][i % plen];
		for (gsize off = 0; off < 17; off++)
			for (gsize len = 0; len + off <= 70000; len = len < 600 ? len + 1 : len * 3 / 2 + 7)
				check_region_size (buf + off, len, off == 0 || off == 15);
		check_region_size (buf, 70000, TRUE);
		check_region_size (buf + 3, 4080 * 3 + 5, TRUE);
	}
	/* random octets of the alphabet, and of all 256 values; random runs
	 * of tokens (quoted From lines, also not at a line start) */
	for (int n = 0; n < rounds; n++) {
		gsize len = (gsize) g_rand_int_range (r, 0, n % 100 == 0 ? 70000 : 600);
		gsize off = (gsize) g_rand_int_range (r, 0, 32);
		gboolean any = n % 7 == 0;
		if (n % 3 == 1) {
			gsize i = 0;
			while (i < len) {
				const char *t = tokens[g_rand_int_range (r, 0, G_N_ELEMENTS (tokens))];
				gsize k = MIN (strlen (t), len - i);
				memcpy (buf + off + i, t, k);
				i += k;
			}
		} else {
			for (gsize i = 0; i < len; i++)
				buf[off + i] = any ? (guint8) g_rand_int_range (r, 0, 256)
				                   : (guint8) alphabet[g_rand_int_range (r, 0, sizeof alphabet - 1)];
		}
		check_region_size (buf + off, len, TRUE);
	}
}

/* ---- octet classes ---- */

/* mp_octets_plain() finds an 8-bit octet, CR or NUL wherever it is. */
static void
test_octets_plain (void)
{
	static const guint8 bad[] = { 0x80, 0xff, 0xc3, '\r', '\0' };
	guint8 buf[200];

	for (gsize i = 0; i < sizeof buf; i++)
		buf[i] = (guint8) (0x01 + i % 0x7f) == '\r' ? 'x' : (guint8) (0x01 + i % 0x7f);
	for (gsize off = 0; off < 16; off++) {
		for (gsize len = 0; off + len <= sizeof buf; len++) {
			g_assert_true (mp_octets_plain (buf + off, len));
			for (gsize at = 0; at < len; at++) {
				for (gsize b = 0; b < G_N_ELEMENTS (bad); b++) {
					guint8 keep = buf[off + at];
					buf[off + at] = bad[b];
					g_assert_false (mp_octets_plain (buf + off, len));
					buf[off + at] = keep;
				}
			}
		}
	}
	g_assert_true (mp_octets_plain ((const guint8 *) "\x7f\n\t ~", 5));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *path = g_strdup_printf ("/octets/crlf/case/%s", cases[i].name);
		g_test_add_data_func (path, &cases[i], test_crlf_case);
	}
	g_test_add_func ("/octets/crlf/split-across-feeds", test_crlf_split_across_feeds);
	g_test_add_func ("/octets/crlf/init-resets", test_crlf_init_resets);
	g_test_add_func ("/octets/crlf/large", test_crlf_large);
	g_test_add_func ("/octets/crlf/long-line", test_crlf_long_line);
	g_test_add_func ("/octets/lf-scan", test_lf_scan);
	g_test_add_func ("/octets/line/helpers", test_line_helpers);
	g_test_add_func ("/octets/line/tally", test_line_tally);
	g_test_add_func ("/octets/region-size", test_region_size);
	g_test_add_func ("/octets/plain", test_octets_plain);
	return g_test_run ();
}
