/* csv-read.c — see csv-read.h. */
#include "csv-read.h"

#include <string.h>

struct _MpCsvReader {
	char      *data;
	gsize      len;
	gsize      pos;
	guint64    line;   /* of data[pos] */
	char      *origin;
	GPtrArray *fields; /* char*, the last record */
};

MpCsvReader *
mp_csv_reader_new (const char *data, gsize len, const char *origin)
{
	MpCsvReader *r = g_new0 (MpCsvReader, 1);

	r->data = g_memdup2 (data, len);
	r->len = len;
	r->line = 1;
	r->origin = g_strdup (origin);
	r->fields = g_ptr_array_new_with_free_func (g_free);
	/* a UTF-8 byte order mark, as spreadsheets write it */
	if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
	return r;
}

void
mp_csv_reader_free (MpCsvReader *r)
{
	if (r == NULL)
		return;
	g_free (r->data);
	g_free (r->origin);
	g_ptr_array_unref (r->fields);
	g_free (r);
}

static gboolean
fail (MpCsvReader *r, guint64 line, GError **error, const char *what)
{
	g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s:%" G_GUINT64_FORMAT ": %s", r->origin, line, what);
	/* no record follows an error */
	r->pos = r->len;
	return FALSE;
}

/* At a line end (CRLF, LF or a lone CR)? Consumes it. */
static gboolean
line_end (MpCsvReader *r)
{
	if (r->pos < r->len && r->data[r->pos] == '\r') {
		r->pos++;
		if (r->pos < r->len && r->data[r->pos] == '\n')
			r->pos++;
		r->line++;
		return TRUE;
	}
	if (r->pos < r->len && r->data[r->pos] == '\n') {
		r->pos++;
		r->line++;
		return TRUE;
	}
	return FALSE;
}

gboolean
mp_csv_reader_next (MpCsvReader *r, GPtrArray **fields, guint64 *line, GError **error)
{
	g_autoptr(GString) field = g_string_new (NULL);
	guint64 start;

	g_ptr_array_set_size (r->fields, 0);
	/* empty lines are no records */
	while (line_end (r))
		;
	if (r->pos >= r->len)
		return FALSE;
	start = r->line;
	for (;;) {
		gboolean quoted = FALSE;

		g_string_truncate (field, 0);
		if (r->pos < r->len && r->data[r->pos] == '"') {
			quoted = TRUE;
			r->pos++;
			for (;;) {
				char c;
				if (r->pos >= r->len)
					return fail (r, start, error, "a quoted field is not closed (a '\"' is missing)");
				c = r->data[r->pos++];
				if (c == '"') {
					if (r->pos < r->len && r->data[r->pos] == '"') {
						r->pos++;
						g_string_append_c (field, '"');
						continue;
					}
					break;
				}
				if (c == '\n' || (c == '\r' && (r->pos >= r->len || r->data[r->pos] != '\n')))
					r->line++;
				g_string_append_c (field, c);
				if (field->len > MP_CSV_MAX_FIELD)
					return fail (r, start, error, "a field is longer than 64 KiB");
			}
		} else {
			while (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\r' &&
			       r->data[r->pos] != '\n') {
				if (r->data[r->pos] == '"')
					return fail (r, r->line, error, "a '\"' inside an unquoted field (quote the field "
					             "and double the '\"')");
				g_string_append_c (field, r->data[r->pos++]);
				if (field->len > MP_CSV_MAX_FIELD)
					return fail (r, start, error, "a field is longer than 64 KiB");
			}
		}
		if (memchr (field->str, '\0', field->len) != NULL)
			return fail (r, start, error, "a field holds a NUL byte");
		if (!g_utf8_validate (field->str, (gssize) field->len, NULL))
			return fail (r, start, error, "a field is not valid UTF-8");
		if (r->fields->len >= MP_CSV_MAX_FIELDS)
			return fail (r, start, error, "more than 256 fields in a record");
		g_ptr_array_add (r->fields, g_strndup (field->str, field->len));
		if (r->pos >= r->len || line_end (r))
			break;
		if (r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		/* after a closing quote only a comma or a line end may follow */
		(void) quoted;
		return fail (r, r->line, error, "text after a closing '\"' (quote the whole field)");
	}
	*fields = r->fields;
	*line = start;
	return TRUE;
}
