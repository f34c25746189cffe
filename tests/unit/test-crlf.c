/* test-crlf.c — the RFC 5322 (CRLF) size counter (analyzer/mime/crlf.h):
 * DEFINITIONS.md "Message size": every LF not preceded by CR counts as two
 * octets; CRLF counts as two; a lone CR counts as one. */
#include "crlf.h"

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

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *path = g_strdup_printf ("/crlf/case/%s", cases[i].name);
		g_test_add_data_func (path, &cases[i], test_crlf_case);
	}
	g_test_add_func ("/crlf/split-across-feeds", test_crlf_split_across_feeds);
	g_test_add_func ("/crlf/init-resets", test_crlf_init_resets);
	g_test_add_func ("/crlf/large", test_crlf_large);
	g_test_add_func ("/crlf/long-line", test_crlf_long_line);
	return g_test_run ();
}
