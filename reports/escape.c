/* escape.c — JSON strings and XML/HTML text, safe for anything a message
 * may contain. */
#include "escape.h"

#include <string.h>

static char *
valid_utf8 (const char *s)
{
	return g_utf8_make_valid (s, -1);
}

/* S as a JSON string, quoted, appended to OUT; U+2028/2029 escaped too
 * (valid JSON, but not inside an HTML <script>). */
void
mp_json_append_string (GString *out, const char *s)
{
	g_autofree char *v = NULL;

	if (s == NULL) {
		g_string_append (out, "null");
		return;
	}
	v = g_utf8_validate (s, -1, NULL) ? NULL : valid_utf8 (s);
	g_string_append_c (out, '"');
	for (const guchar *p = (const guchar *) (v ? v : s); *p; p++) {
		switch (*p) {
		case '"':  g_string_append (out, "\\\""); break;
		case '\\': g_string_append (out, "\\\\"); break;
		case '\n': g_string_append (out, "\\n"); break;
		case '\r': g_string_append (out, "\\r"); break;
		case '\t': g_string_append (out, "\\t"); break;
		case '\b': g_string_append (out, "\\b"); break;
		case '\f': g_string_append (out, "\\f"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				g_string_append_printf (out, "\\u%04x", *p);
			else if (*p == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				g_string_append_printf (out, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
				p += 2;
			} else
				g_string_append_c (out, (char) *p);
		}
	}
	g_string_append_c (out, '"');
}

void
mp_json_write_string (FILE *fp, const char *s)
{
	g_autoptr(GString) out = g_string_new (NULL);

	mp_json_append_string (out, s);
	fwrite (out->str, 1, out->len, fp);
}

/* XML 1.0 §2.2: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] */
static gboolean
xml_char_ok (gunichar c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

char *
mp_xml_escape (const char *s)
{
	g_autofree char *v = NULL;
	GString *out;

	if (s == NULL)
		return g_strdup ("");
	if (!g_utf8_validate (s, -1, NULL))
		s = v = valid_utf8 (s);
	out = g_string_sized_new (strlen (s) + 16);
	for (const char *p = s; *p; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		switch (c) {
		case '&': g_string_append (out, "&amp;"); break;
		case '<': g_string_append (out, "&lt;"); break;
		case '>': g_string_append (out, "&gt;"); break;
		case '"': g_string_append (out, "&quot;"); break;
		case '\'': g_string_append (out, "&#39;"); break;
		default:
			/* C1 controls are legal XML 1.0 but show as garbage: drop them too */
			if (xml_char_ok (c) && c != 0x7f && !(c >= 0x80 && c < 0xa0))
				g_string_append_len (out, p, g_utf8_next_char (p) - p);
		}
	}
	return g_string_free (out, FALSE);
}

void
mp_xml_write (FILE *fp, const char *s)
{
	g_autofree char *e = mp_xml_escape (s);

	fputs (e, fp);
}

gboolean
mp_copy_stream (FILE *src, FILE *dst)
{
	char buf[65536];
	size_t n;

	if (fflush (src) != 0 || fseek (src, 0, SEEK_SET) != 0)
		return FALSE;
	while ((n = fread (buf, 1, sizeof buf, src)) > 0)
		if (fwrite (buf, 1, n, dst) != n)
			return FALSE;
	return !ferror (src);
}

char *
mp_html_csp_hash (const char *text)
{
	g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof digest;

	g_checksum_update (sum, (const guchar *) text, strlen (text));
	g_checksum_get_digest (sum, digest, &len);
	return g_base64_encode (digest, len);
}
