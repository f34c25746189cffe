/* fuzz-csv.c — RFC 4180 cells with formula protection (reports/csv.c).
 *
 * The input, cut at its first NUL (cells are C strings), goes through
 * mp_csv_escape. Checked in both dialects, the RFC 4180 one (',' between
 * cells) and Excel's with a continental list separator (';'), abort() on
 * violation:
 *  - the cell parses back as exactly one field (RFC 4180 §2: either no
 *    separator, quote, CR or LF at all, or enclosed in quotes with every
 *    inner quote doubled), and its value is the input with one "'" in front
 *    of each piece that begins with a formula character (= + - @ TAB CR),
 *    the pieces being the input split at ';' and TAB;
 *  - the cell never begins with a formula character: a protected value
 *    starts with "'" or "\"'"; and no piece of the value read back does,
 *    so a reader that splits at ';' or TAB anyway sees no formula either;
 *  - mp_csv_escape (NULL) is the empty cell. */
#include "fuzz-common.h"
#include "csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fail (const char *what, const char *input, const char *cell)
{
	fprintf (stderr, "fuzz-csv: %s\n  input: ", what);
	for (const char *p = input; *p; p++)
		fprintf (stderr, "%02x", (unsigned char) *p);
	fprintf (stderr, "\n  cell:  ");
	for (const char *p = cell; p && *p; p++)
		fprintf (stderr, "%02x", (unsigned char) *p);
	fprintf (stderr, "\n");
	abort ();
}

static gboolean
is_formula_char (char c)
{
	return c != '\0' && strchr ("=+-@\t\r", c) != NULL;
}

static gboolean
is_piece_separator (char c)
{
	return c == ';' || c == '\t';
}

/* The value a protected cell must read back as: INPUT with a "'" before
 * each piece that begins with a formula character (written from the rule,
 * not from csv.c). */
static char *
expected_value (const char *input)
{
	GString *v = g_string_new (NULL);

	for (const char *p = input; *p; p++) {
		if ((p == input || is_piece_separator (p[-1])) && is_formula_char (*p))
			g_string_append_c (v, '\'');
		g_string_append_c (v, *p);
	}
	return g_string_free (v, FALSE);
}

/* Parses CELL as one field of a file whose cells are separated by SEP;
 * NULL when it is not exactly one. */
static char *
parse_field (const char *cell, char sep)
{
	GString *v = g_string_new (NULL);
	const char *p = cell;
	const char specials[] = { sep, '"', '\r', '\n', '\0' };

	if (*p != '"') {
		if (strpbrk (p, specials) != NULL) {
			g_string_free (v, TRUE);
			return NULL;
		}
		g_string_append (v, p);
		return g_string_free (v, FALSE);
	}
	for (p++;; p++) {
		if (*p == '\0') {             /* no closing quote */
			g_string_free (v, TRUE);
			return NULL;
		}
		if (*p == '"') {
			if (p[1] == '"') {
				g_string_append_c (v, '"');
				p++;
				continue;
			}
			if (p[1] != '\0') {   /* text after the closing quote */
				g_string_free (v, TRUE);
				return NULL;
			}
			return g_string_free (v, FALSE);
		}
		g_string_append_c (v, *p);
	}
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autofree char *input = g_strndup ((const char *) data, size);
	g_autofree char *cell = mp_csv_escape (input);
	g_autofree char *expected = expected_value (input);
	g_autofree char *empty = mp_csv_escape (NULL);
	gboolean protect = is_formula_char (input[0]);
	static const char dialects[] = { ',', ';' };

	if (empty == NULL || *empty != '\0')
		fail ("mp_csv_escape (NULL) is not the empty cell", "", empty);
	if (cell == NULL)
		fail ("mp_csv_escape returned NULL", input, NULL);
	for (gsize d = 0; d < G_N_ELEMENTS (dialects); d++) {
		g_autofree char *value = parse_field (cell, dialects[d]);
		if (value == NULL)
			fail (dialects[d] == ',' ? "the cell is not one RFC 4180 field"
			                         : "the cell is not one field with ';' separators", input, cell);
		if (strcmp (value, expected) != 0)
			fail ("the cell does not read back as the (protected) input", input, cell);
		for (const char *p = value; *p; p++)
			if ((p == value || is_piece_separator (p[-1])) && is_formula_char (*p))
				fail ("a ';' or TAB piece begins with a formula character", input, cell);
	}
	if (is_formula_char (cell[0]))
		fail ("the cell begins with a formula character", input, cell);
	if (cell[0] == '"' && is_formula_char (cell[1]))
		fail ("the quoted cell begins with a formula character", input, cell);
	if (protect && !(cell[0] == '\'' || (cell[0] == '"' && cell[1] == '\'')))
		fail ("a formula is not prefixed with a quote", input, cell);
	return 0;
}
