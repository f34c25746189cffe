#include "csv.h"

#include <string.h>

/* Whether TEXT goes into a cell as it is; else whether it needs the
 * formula protection and the quotes. */
static gboolean
cell_needs_care (const char *text, gboolean *protect, gboolean *quote)
{
	*protect = strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0';
	*quote = strpbrk (text, ",\"\r\n") != NULL;
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
	if (protect)
		g_string_append_c (s, '\'');
	for (const char *p = text; *p; p++) {
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
