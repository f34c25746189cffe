/* fuzz-managesieve.c — the ManageSieve response parser
 * (analyzer/imap/managesieve-parser.c), fed what a hostile server sends.
 *
 * The input is a server's byte stream, parsed with small limits (so they
 * are reached) whole, one octet at a time and in chunks whose sizes come
 * from the input. Checked, abort() on violation:
 *  - the three feeds give the same lines (debug strings) and fail, or not,
 *    alike (STYLE.md habit 11: literals and CRLFs break at buffer edges);
 *  - no line is empty; a line holds at most max_items values; a string
 *    holds at most max_literal_size octets (or max_line_length quoted). */
#include "fuzz-common.h"
#include "managesieve-parser.h"

#include <stdint.h>
#include <string.h>

static const MpManageSieveLimits limits = {
	.max_line_length = 512, .max_literal_size = 1024, .max_items = 64, .max_depth = 4,
};

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-managesieve: %s\n", what);
	abort ();
}

static guint
count_values (const MpManageSieveValue *v, guint depth)
{
	guint n = 0;
	if (depth > 8)
		fail ("lists nested deeper than the limit");
	for (guint i = 0; i < mp_managesieve_value_get_n_children (v); i++) {
		const MpManageSieveValue *c = mp_managesieve_value_get_child (v, i);
		gsize len = 0;
		mp_managesieve_value_get_string (c, &len);
		if (len > limits.max_literal_size + limits.max_line_length)
			fail ("a string over the limits");
		n += 1 + count_values (c, depth + 1);
	}
	return n;
}

/* Feeds DATA in chunks from NEXT_CHUNK; returns the lines' debug strings
 * and whether the feed failed. */
static char *
run (const uint8_t *data, size_t size, int mode, gboolean *failed)
{
	g_autoptr(MpManageSieveParser) p = mp_managesieve_parser_new (&limits);
	GString *out = g_string_new (NULL);
	size_t off = 0, k = 0;

	*failed = FALSE;
	while (off < size && !*failed) {
		size_t n = mode == 0 ? size : mode == 1 ? 1 : (size_t) (data[k++ % size] % 17) + 1;
		n = MIN (n, size - off);
		*failed = !mp_managesieve_parser_feed (p, data + off, n, NULL);
		off += n;
	}
	MpManageSieveValue *line;
	while ((line = mp_managesieve_parser_pop (p)) != NULL) {
		if (mp_managesieve_value_get_n_children (line) == 0)
			fail ("an empty line");
		if (count_values (line, 0) > limits.max_items)
			fail ("more values than max_items");
		g_autofree char *s = mp_managesieve_value_to_debug_string (line);
		g_string_append (out, s);
		g_string_append_c (out, '\n');
		mp_managesieve_value_free (line);
	}
	return g_string_free (out, FALSE);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	gboolean f0, f1, f2;
	g_autofree char *whole = run (data, size, 0, &f0);
	g_autofree char *bytes = run (data, size, 1, &f1);
	g_autofree char *chunks = run (data, size, 2, &f2);

	if (f0 != f1 || f0 != f2)
		fail ("the feeds disagree on failure");
	if (strcmp (whole, bytes) != 0 || strcmp (whole, chunks) != 0)
		fail ("the feeds give different lines");
	return 0;
}
