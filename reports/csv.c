#include "csv.h"

#include <string.h>

/* OWASP "CSV Injection": a cell a spreadsheet reads as a formula begins
 * with one of these. */
static gboolean
is_formula_start (char c)
{
	return c != '\0' && strchr ("=+-@\t\r", c) != NULL;
}

/* Where a spreadsheet may start a new cell inside ours: Excel in most of
 * continental Europe separates with ';' (the locale's list separator), and
 * TAB separates when the text is pasted or imported as TSV. */
static gboolean
is_piece_separator (char c)
{
	return c == ';' || c == '\t';
}

/* Whether TEXT goes into a cell as it is; else whether it needs the
 * formula protection (at its start or at the start of a ';' or TAB piece)
 * and the quotes. A ';' or TAB is quoted too, so that a reader splitting
 * on either sees one cell, in both dialects. */
static gboolean
cell_needs_care (const char *text, gboolean *protect, gboolean *quote)
{
	*protect = is_formula_start (text[0]);
	*quote = strpbrk (text, ",\"\r\n;\t") != NULL;
	for (const char *p = text; !*protect && (p = strpbrk (p, ";\t")) != NULL; p++)
		*protect = is_formula_start (p[1]);
	return *protect || *quote;
}

char *
mp_csv_escape (const char *text)
{
	GString *s;
	gboolean protect, quote;

	if (text == NULL)
		return g_strdup ("");
	if (!cell_needs_care (text, &protect, &quote))
		return g_strdup (text);
	s = g_string_sized_new (strlen (text) + 4);
	if (quote)
		g_string_append_c (s, '"');
	for (const char *p = text; *p; p++) {
		/* each piece begins with text, never with a formula character */
		if ((p == text || is_piece_separator (p[-1])) && is_formula_start (*p))
			g_string_append_c (s, '\'');
		if (*p == '"')
			g_string_append_c (s, '"');
		g_string_append_c (s, *p);
	}
	if (quote)
		g_string_append_c (s, '"');
	return g_string_free (s, FALSE);
}

void
mp_csv_write_text (FILE *fp, gboolean first, const char *text)
{
	gboolean protect, quote;

	if (!first)
		fputc (',', fp);
	if (text == NULL)
		return;
	/* most cells need nothing: no copy for them (an inventory row has 19) */
	if (!cell_needs_care (text, &protect, &quote)) {
		fputs (text, fp);
	} else {
		g_autofree char *cell = mp_csv_escape (text);
		fputs (cell, fp);
	}
}

void
mp_csv_write_u64 (FILE *fp, gboolean first, guint64 value)
{
	if (!first)
		fputc (',', fp);
	fprintf (fp, "%" G_GUINT64_FORMAT, value);
}

void
mp_csv_end_row (FILE *fp)
{
	fputs ("\r\n", fp);
}

void
mp_csv_write_header (FILE *fp, const char *const *names)
{
	for (gsize i = 0; names[i]; i++)
		mp_csv_write_text (fp, i == 0, names[i]);
	mp_csv_end_row (fp);
}
