/* shown-text.c — see shown-text.h. */
#include "shown-text.h"

#include <string.h>

/* The end of the authority that starts at AUTH: RFC 3986 §3.2, it ends at
 * the next '/', '?' or '#'; white space ends it too in free text. */
static const char *
authority_end (const char *auth)
{
	return auth + strcspn (auth, "/?# \t\r\n\"'");
}

char *
mp_text_redact_passwords (const char *text)
{
	GString *out = NULL;
	const char *done = text; /* copied to OUT up to here */
	const char *p = text;

	if (text == NULL)
		return NULL;
	while ((p = strstr (p, "://")) != NULL) {
		const char *auth = p + 3;
		const char *end = authority_end (auth);
		const char *at = NULL, *colon;

		/* the last '@' ends the userinfo ("alice@example.org@host") */
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		colon = at ? memchr (auth, ':', (gsize) (at - auth)) : NULL;
		if (colon != NULL && colon + 1 < at) {
			if (out == NULL)
				out = g_string_new (NULL);
			g_string_append_len (out, done, colon + 1 - done);
			g_string_append (out, "***");
			done = at;
		}
		p = end;
	}
	if (out == NULL)
		return g_strdup (text);
	g_string_append (out, done);
	return g_string_free (out, FALSE);
}

void
mp_text_redact_passwords_strv (char **strv)
{
	for (gsize i = 0; strv != NULL && strv[i] != NULL; i++) {
		char *shown = mp_text_redact_passwords (strv[i]);
		if (strcmp (shown, strv[i]) != 0) {
			/* the password leaves memory too, not just the report */
			memset (strv[i], 0, strlen (strv[i]));
			g_free (strv[i]);
			strv[i] = shown;
		} else {
			g_free (shown);
		}
	}
}

char *
mp_text_for_terminal (const char *text, glong max_chars)
{
	g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
	GString *out = g_string_sized_new (strlen (valid));
	glong n = 0;
	const char *p;

	for (p = valid; *p && (max_chars < 0 || n < max_chars); p = g_utf8_next_char (p), n++) {
		gunichar c = g_utf8_get_char (p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			g_string_append_c (out, '?');
		else
			g_string_append_len (out, p, g_utf8_next_char (p) - p);
	}
	if (*p)
		g_string_append (out, "...");
	return g_string_free (out, FALSE);
}
