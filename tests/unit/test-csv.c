/* test-csv.c — RFC 4180 cells with spreadsheet formula protection
 * (reports/csv.h). */
#include "csv.h"

#include <string.h>

typedef struct {
	const char *in;
	const char *out;
} CsvCase;

static const CsvCase escape_cases[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "two words", "two words" },
	{ "a,b", "\"a,b\"" },
	{ ",", "\",\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "line1\r\nline2", "\"line1\r\nline2\"" },
	{ "line1\nline2", "\"line1\nline2\"" },
	{ "a\rb", "\"a\rb\"" },
	/* formula protection: a leading = + - @ TAB CR gets a quote */
	{ "=SUM(A1:A2)", "'=SUM(A1:A2)" },
	{ "+1", "'+1" },
	{ "-1", "'-1" },
	{ "@cmd", "'@cmd" },
	{ "\tx", "\"'\tx\"" },                      /* protected, and quoted: TAB */
	{ "\rx", "\"'\rx\"" },                      /* protected and quoted */
	{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
	{ "-a,b", "\"'-a,b\"" },
	/* only the first character matters */
	{ "a=b", "a=b" },
	{ "x-1", "x-1" },
	{ " =1", " =1" },
	{ "'quoted", "'quoted" },
	/* ';' and TAB separate cells in other dialects (Excel with a
	 * continental list separator, TSV): such a cell is quoted, and each
	 * piece after a ';' or TAB is protected too */
	{ "x;=1+1", "\"x;'=1+1\"" },
	{ "a.pdf;b.doc", "\"a.pdf;b.doc\"" },
	{ "=1;=2", "\"'=1;'=2\"" },
	{ "a;", "\"a;\"" },
	{ ";", "\";\"" },
	{ ";-5", "\";'-5\"" },
	{ "a;;@b", "\"a;;'@b\"" },
	{ "a\t+b", "\"a\t'+b\"" },
	{ "a;\t=b", "\"a;'\t'=b\"" },
	{ "a; =b", "\"a; =b\"" },                   /* a blank first: text */
	{ "a;\"=b\"", "\"a;\"\"=b\"\"\"" },          /* a quote first: text */
	{ "a,=b", "\"a,=b\"" },                     /* ',' is quoted, as RFC 4180 says */
	/* UTF-8 passes through */
	{ "Entw\xc3\xbc" "rfe", "Entw\xc3\xbc" "rfe" },
	{ "\xe2\x82\xac,5", "\"\xe2\x82\xac,5\"" },
};

static void
test_csv_escape (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (escape_cases); i++) {
		g_autofree char *out = mp_csv_escape (escape_cases[i].in);
		g_autofree char *shown = g_strescape (escape_cases[i].in, NULL);
		g_test_message ("escape \"%s\"", shown);
		g_assert_cmpstr (out, ==, escape_cases[i].out);
	}
}

static void
test_csv_escape_null (void)
{
	g_autofree char *out = mp_csv_escape (NULL);

	g_assert_cmpstr (out, ==, "");
}

/* Writes with FN into a memory FILE and returns what was written. */
static char *
capture (void (*fn) (FILE *fp))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream (&buf, &len);

	g_assert_nonnull (fp);
	fn (fp);
	g_assert_cmpint (fclose (fp), ==, 0);
	return buf;
}

static void
write_row (FILE *fp)
{
	mp_csv_write_text (fp, TRUE, "INBOX");
	mp_csv_write_u64 (fp, FALSE, 18350080);
	mp_csv_write_text (fp, FALSE, "-5");
	mp_csv_write_text (fp, FALSE, NULL);
	mp_csv_write_text (fp, FALSE, "a,b");
	mp_csv_write_u64 (fp, FALSE, 0);
	mp_csv_end_row (fp);
}

static void
test_csv_row (void)
{
	g_autofree char *out = capture (write_row);

	g_assert_cmpstr (out, ==, "INBOX,18350080,'-5,,\"a,b\",0\r\n");
}

static void
write_numbers (FILE *fp)
{
	mp_csv_write_u64 (fp, TRUE, 0);
	mp_csv_write_u64 (fp, FALSE, G_MAXUINT64);
	mp_csv_end_row (fp);
}

/* Numbers are never protected, even the largest. */
static void
test_csv_u64 (void)
{
	g_autofree char *out = capture (write_numbers);

	g_assert_cmpstr (out, ==, "0,18446744073709551615\r\n");
}

static void
write_header (FILE *fp)
{
	static const char *const names[] = { "folder", "size", "=danger", "a\"b", NULL };
	mp_csv_write_header (fp, names);
}

static void
test_csv_header (void)
{
	g_autofree char *out = capture (write_header);

	g_assert_cmpstr (out, ==, "folder,size,'=danger,\"a\"\"b\"\r\n");
}

/* Every escaped cell reads back, by an RFC 4180 reader separating with
 * SEP (',' or ';'), as one cell: the input with a quote added before each
 * piece (at the start and after each ';' or TAB) that begins with a
 * formula character. */
static char *
rfc4180_unquote (const char *cell, char sep)
{
	GString *s = g_string_new (NULL);
	gsize n = strlen (cell);

	if (n >= 2 && cell[0] == '"' && cell[n - 1] == '"') {
		for (gsize i = 1; i + 1 < n; i++) {
			if (cell[i] == '"') {
				g_assert_cmpint (cell[i + 1], ==, '"'); /* doubled */
				i++;
			}
			g_string_append_c (s, cell[i]);
		}
	} else {
		char specials[] = { sep, '"', '\r', '\n', '\0' };
		g_assert_null (strpbrk (cell, specials));
		g_string_append (s, cell);
	}
	return g_string_free (s, FALSE);
}

static char *
protected_value (const char *in)
{
	GString *s = g_string_new (NULL);

	for (const char *p = in; *p; p++) {
		if ((p == in || p[-1] == ';' || p[-1] == '\t') && strchr ("=+-@\t\r", *p) != NULL)
			g_string_append_c (s, '\'');
		g_string_append_c (s, *p);
	}
	return g_string_free (s, FALSE);
}

static void
test_csv_roundtrip (void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed (99);
	static const char alphabet[] = "ab,;\"\r\n=+-@\t' x";

	for (int iter = 0; iter < 2000; iter++) {
		char in[12];
		int n = g_rand_int_range (rand, 0, (gint) sizeof in);
		g_autofree char *cell = NULL;
		g_autofree char *comma = NULL;
		g_autofree char *semicolon = NULL;
		g_autofree char *expected = NULL;

		for (int i = 0; i < n; i++)
			in[i] = alphabet[g_rand_int_range (rand, 0, (gint) sizeof alphabet - 1)];
		in[n] = '\0';
		cell = mp_csv_escape (in);
		comma = rfc4180_unquote (cell, ',');
		semicolon = rfc4180_unquote (cell, ';');
		expected = protected_value (in);
		g_assert_cmpstr (comma, ==, expected);
		g_assert_cmpstr (semicolon, ==, expected);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/csv/escape", test_csv_escape);
	g_test_add_func ("/csv/escape-null", test_csv_escape_null);
	g_test_add_func ("/csv/row", test_csv_row);
	g_test_add_func ("/csv/u64-never-protected", test_csv_u64);
	g_test_add_func ("/csv/header", test_csv_header);
	g_test_add_func ("/csv/roundtrip", test_csv_roundtrip);
	return g_test_run ();
}
