/* mutf7.c — see mutf7.h. */
#include "mutf7.h"

#include <string.h>

/* A control character (C0, DEL, C1): never part of a folder name we show.
 * RFC 3501 §5.1.3 does not forbid encoding them, but "nul&AAA-cut" would
 * end the name at the NUL ("nul"), and ESC sequences would reach the
 * terminal through an error message (issue 14, item 9). */
static gboolean
is_control (gunichar u)
{
	return u < 0x20 || (u >= 0x7f && u <= 0x9f);
}

static int
b64_value (char c)
{
	/* RFC 3501 §5.1.3: modified BASE64 uses ',' instead of '/' */
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == ',') return 63;
	return -1;
}

static gboolean
decode_into (GString *out, const char *p)
{
	while (*p) {
		if ((unsigned char) *p >= 0x80 || is_control ((unsigned char) *p)) {
			/* 8-bit is not modified UTF-7 (but maybe raw UTF-8); RFC 3501
			 * §5.1.3: only printable US-ASCII stands for itself */
			return FALSE;
		}
		if (*p != '&') {
			g_string_append_c (out, *p++);
			continue;
		}
		p++;
		if (*p == '-') { /* "&-" is "&" */
			g_string_append_c (out, '&');
			p++;
			continue;
		}
		{
			guint32 bits = 0;
			int nbits = 0;
			gunichar high = 0;
			gboolean any = FALSE;

			while (*p && *p != '-') {
				int v = b64_value (*p++);
				if (v < 0)
					return FALSE;
				bits = (bits << 6) | (guint32) v;
				nbits += 6;
				if (nbits >= 16) {
					gunichar u = (bits >> (nbits - 16)) & 0xffff;
					nbits -= 16;
					any = TRUE;
					if (u >= 0xd800 && u <= 0xdbff) {
						if (high)
							return FALSE;
						high = u;
						continue;
					}
					if (u >= 0xdc00 && u <= 0xdfff) {
						if (!high)
							return FALSE;
						u = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
						high = 0;
					} else if (high) {
						return FALSE;
					}
					/* printable US-ASCII must not be encoded, and controls
					 * are no name */
					if ((u >= 0x20 && u <= 0x7e) || is_control (u))
						return FALSE;
					g_string_append_unichar (out, u);
				}
			}
			if (*p != '-' || !any || high || (bits & ((1u << nbits) - 1)) != 0)
				return FALSE;
			p++;
		}
	}
	return TRUE;
}

char *
mp_mutf7_decode (const char *name)
{
	g_autoptr(GString) out = g_string_new (NULL);

	if (!decode_into (out, name))
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
mp_mutf7_encode (const char *utf8)
{
	GString *out = g_string_new (NULL);
	const char *p = utf8;

	while (*p) {
		gunichar u = g_utf8_get_char (p);
		if (u >= 0x20 && u <= 0x7e) {
			/* printable US-ASCII stands for itself, "&" as "&-" */
			g_string_append (out, u == '&' ? "&-" : (char[]) { (char) u, '\0' });
			p = g_utf8_next_char (p);
			continue;
		}
		/* a run of the rest as modified BASE64 of UTF-16BE */
		{
			g_autoptr(GByteArray) be = g_byte_array_new ();
			g_autofree char *b64 = NULL;
			char *eq;
			while (*p && !((u = g_utf8_get_char (p)) >= 0x20 && u <= 0x7e)) {
				gunichar2 units[2];
				guint n = 1;
				if (u >= 0x10000) {
					units[0] = (gunichar2) (0xd800 + ((u - 0x10000) >> 10));
					units[1] = (gunichar2) (0xdc00 + ((u - 0x10000) & 0x3ff));
					n = 2;
				} else {
					units[0] = (gunichar2) u;
				}
				for (guint i = 0; i < n; i++) {
					guint8 b[2] = { (guint8) (units[i] >> 8), (guint8) (units[i] & 0xff) };
					g_byte_array_append (be, b, 2);
				}
				p = g_utf8_next_char (p);
			}
			b64 = g_base64_encode (be->data, be->len);
			if ((eq = strchr (b64, '=')) != NULL)
				*eq = '\0';
			g_strdelimit (b64, "/", ',');
			g_string_append_printf (out, "&%s-", b64);
		}
	}
	return g_string_free (out, FALSE);
}
