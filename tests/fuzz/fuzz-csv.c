/* fuzz-csv.c — RFC 4180 cells with formula protection (reports/csv.c).
 *
 * The input, cut at its first NUL (cells are C strings), goes through
 * mp_csv_escape. Checked, abort() on violation:
 *  - the cell parses back as exactly one RFC 4180 field (§2: either no
 *    comma, quote, CR or LF at all, or enclosed in quotes with every inner
 *    quote doubled), and its value is the input, with one "'" in front when
 *    the input begins with a formula character (= + - @ TAB CR);
 *  - the cell never begins with a formula character: a protected value
 *    starts with "'" or "\"'";
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

/* Parses CELL as one RFC 4180 field; NULL when it is not exactly one. */
static char *
parse_field (const char *cell)
{
	GString *v = g_string_new (NULL);
	const char *p = cell;

	if (*p != '"') {
		if (strpbrk (p, ",\"\r\n") != NULL) {
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
	g_autofree char *value = NULL;
	g_autofree char *expected = NULL;
	g_autofree char *empty = mp_csv_escape (NULL);
	gboolean protect = is_formula_char (input[0]);

	if (empty == NULL || *empty != '\0')
		fail ("mp_csv_escape (NULL) is not the empty cell", "", empty);
	if (cell == NULL)
		fail ("mp_csv_escape returned NULL", input, NULL);
	value = parse_field (cell);
	if (value == NULL)
		fail ("the cell is not one RFC 4180 field", input, cell);
	expected = g_strconcat (protect ? "'" : "", input, NULL);
	if (strcmp (value, expected) != 0)
		fail ("the cell does not read back as the (protected) input", input, cell);
	if (is_formula_char (cell[0]))
		fail ("the cell begins with a formula character", input, cell);
	if (cell[0] == '"' && is_formula_char (cell[1]))
		fail ("the quoted cell begins with a formula character", input, cell);
	if (protect && !(cell[0] == '\'' || (cell[0] == '"' && cell[1] == '\'')))
		fail ("a formula is not prefixed with a quote", input, cell);
	return 0;
}
