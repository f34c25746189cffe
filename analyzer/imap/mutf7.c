#include "mutf7.h"

#include <string.h>

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
		if ((unsigned char) *p >= 0x80) {
			/* 8-bit is not modified UTF-7 (but maybe raw UTF-8) */
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
					/* printable US-ASCII must not be encoded */
					if (u >= 0x20 && u <= 0x7e)
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
