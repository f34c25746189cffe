/* sieve-lexer.c — see sieve-lexer.h. */
#include "sieve-lexer.h"

#include <string.h>

void
mp_sieve_lexer_init (MpSieveLexer *lx, const char *data, gsize len)
{
	lx->data = data;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->error = NULL;
}

void
mp_sieve_lexer_clear (MpSieveLexer *lx)
{
	g_clear_pointer (&lx->error, g_free);
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (MpSieveLexer *lx, MpSieveToken *tok, const char *fmt, ...)
{
	if (lx->error == NULL) {
		va_list ap;
		va_start (ap, fmt);
		g_autofree char *what = g_strdup_vprintf (fmt, ap);
		va_end (ap);
		lx->error = g_strdup_printf ("line %u: %s", tok->line, what);
	}
	tok->type = MP_SIEVE_TOKEN_ERROR;
	lx->pos = lx->len; /* nothing after an error is read */
	return FALSE;
}

/* Advances over one octet, counting lines. */
static void
step (MpSieveLexer *lx)
{
	if (lx->data[lx->pos] == '\n')
		lx->line++;
	lx->pos++;
}

/* After "text:": blanks, then a hash comment or the line end (§2.4.2). */
static gboolean
multiline_start (MpSieveLexer *lx, MpSieveToken *tok)
{
	while (lx->pos < lx->len && (lx->data[lx->pos] == ' ' || lx->data[lx->pos] == '\t'))
		lx->pos++;
	if (lx->pos < lx->len && lx->data[lx->pos] == '#') {
		while (lx->pos < lx->len && lx->data[lx->pos] != '\n')
			lx->pos++;
	} else if (lx->pos < lx->len && lx->data[lx->pos] == '\r' && lx->pos + 1 < lx->len &&
	           lx->data[lx->pos + 1] == '\n') {
		lx->pos++;
	}
	if (lx->pos >= lx->len || lx->data[lx->pos] != '\n')
		return fail (lx, tok, "\"text:\" must end its line");
	step (lx);
	/* lines up to one holding only "." */
	for (;;) {
		gsize start = lx->pos;
		const char *nl = memchr (lx->data + start, '\n', lx->len - start);
		gsize end = nl ? (gsize) (nl - lx->data) : lx->len;
		gsize text_end = end > start && lx->data[end - 1] == '\r' ? end - 1 : end;
		if (text_end == start + 1 && lx->data[start] == '.') {
			lx->pos = nl ? end + 1 : end;
			if (nl)
				lx->line++;
			return TRUE;
		}
		if (nl == NULL)
			return fail (lx, tok, "multi-line string (text:) not ended by a \".\" line");
		lx->pos = end + 1;
		lx->line++;
	}
}

gboolean
mp_sieve_lexer_next (MpSieveLexer *lx, MpSieveToken *tok)
{
	const char *d = lx->data;

	memset (tok, 0, sizeof *tok);
	if (lx->error != NULL) {
		tok->type = MP_SIEVE_TOKEN_ERROR;
		return FALSE;
	}
	/* white space and comments (§2.3) */
	for (;;) {
		while (lx->pos < lx->len && (d[lx->pos] == ' ' || d[lx->pos] == '\t' || d[lx->pos] == '\r' ||
		                             d[lx->pos] == '\n'))
			step (lx);
		if (lx->pos < lx->len && d[lx->pos] == '#') {
			while (lx->pos < lx->len && d[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (lx->pos + 1 < lx->len && d[lx->pos] == '/' && d[lx->pos + 1] == '*') {
			tok->line = lx->line;
			lx->pos += 2;
			for (;;) {
				if (lx->pos + 1 >= lx->len)
					return fail (lx, tok, "comment (/*) not closed");
				if (d[lx->pos] == '*' && d[lx->pos + 1] == '/') {
					lx->pos += 2;
					break;
				}
				step (lx);
			}
			continue;
		}
		break;
	}
	tok->offset = lx->pos;
	tok->line = lx->line;
	if (lx->pos >= lx->len) {
		tok->type = MP_SIEVE_TOKEN_END;
		return TRUE;
	}
	char c = d[lx->pos];
	if (strchr (";,()[]{}", c) != NULL) {
		tok->type = MP_SIEVE_TOKEN_SPECIAL;
		tok->special = c;
		lx->pos++;
	} else if (g_ascii_isalpha (c) || c == '_' || c == ':') {
		gboolean tag = c == ':';
		if (tag) {
			lx->pos++;
			if (lx->pos >= lx->len || !(g_ascii_isalpha (d[lx->pos]) || d[lx->pos] == '_'))
				return fail (lx, tok, "':' must start a tag (:name)");
		}
		while (lx->pos < lx->len && (g_ascii_isalnum (d[lx->pos]) || d[lx->pos] == '_'))
			lx->pos++;
		tok->type = tag ? MP_SIEVE_TOKEN_TAG : MP_SIEVE_TOKEN_IDENTIFIER;
		/* "text:" is one token: a multi-line string */
		if (!tag && lx->pos - tok->offset == 4 && g_ascii_strncasecmp (d + tok->offset, "text", 4) == 0 &&
		    lx->pos < lx->len && d[lx->pos] == ':') {
			lx->pos++;
			tok->type = MP_SIEVE_TOKEN_MULTILINE;
			if (!multiline_start (lx, tok))
				return FALSE;
		}
	} else if (g_ascii_isdigit (c)) {
		guint64 n = 0;
		gboolean over = FALSE;
		while (lx->pos < lx->len && g_ascii_isdigit (d[lx->pos])) {
			guint digit = (guint) (d[lx->pos] - '0');
			if (n > (G_MAXUINT64 - digit) / 10)
				over = TRUE;
			else
				n = n * 10 + digit;
			lx->pos++;
		}
		if (lx->pos < lx->len) {
			/* QUANTIFIER (§2.4.1): K, M, G; powers of 1024 */
			guint shift = 0;
			switch (g_ascii_toupper (d[lx->pos])) {
			case 'K': shift = 10; break;
			case 'M': shift = 20; break;
			case 'G': shift = 30; break;
			default: break;
			}
			if (shift > 0) {
				lx->pos++;
				if (n > (G_MAXUINT64 >> shift))
					over = TRUE;
				else
					n <<= shift;
			}
		}
		tok->type = MP_SIEVE_TOKEN_NUMBER;
		tok->number = over ? G_MAXUINT64 : n;
	} else if (c == '"') {
		step (lx);
		for (;;) {
			if (lx->pos >= lx->len)
				return fail (lx, tok, "string not closed");
			if (d[lx->pos] == '\\') {
				step (lx);
				if (lx->pos >= lx->len)
					return fail (lx, tok, "string not closed");
				step (lx);
				continue;
			}
			if (d[lx->pos] == '"') {
				lx->pos++;
				break;
			}
			step (lx);
		}
		tok->type = MP_SIEVE_TOKEN_STRING;
	} else {
		if (g_ascii_isprint (c))
			return fail (lx, tok, "unexpected '%c'", c);
		return fail (lx, tok, "unexpected octet 0x%02x", (guchar) c);
	}
	tok->length = lx->pos - tok->offset;
	return TRUE;
}

char *
mp_sieve_token_value (const MpSieveLexer *lx, const MpSieveToken *tok, gsize *len)
{
	const char *d = lx->data + tok->offset;
	GString *v;

	if (len != NULL)
		*len = 0;
	if (tok->type == MP_SIEVE_TOKEN_STRING) {
		v = g_string_sized_new (tok->length);
		/* §2.4.2: a backslash makes the next octet literal */
		for (gsize i = 1; i + 1 < tok->length; i++) {
			if (d[i] == '\\')
				i++;
			g_string_append_c (v, d[i]);
		}
	} else if (tok->type == MP_SIEVE_TOKEN_MULTILINE) {
		v = g_string_sized_new (tok->length);
		/* skip "text:" and the rest of its line */
		const char *nl = memchr (d, '\n', tok->length);
		gsize i = nl ? (gsize) (nl - d) + 1 : tok->length;
		while (i < tok->length) {
			const char *e = memchr (d + i, '\n', tok->length - i);
			gsize end = e ? (gsize) (e - d) + 1 : tok->length;
			gsize text_end = end;
			while (text_end > i && (d[text_end - 1] == '\n' || d[text_end - 1] == '\r'))
				text_end--;
			if (text_end == i + 1 && d[i] == '.')
				break; /* the final "." */
			/* dot-stuffing: a leading "." is removed */
			gsize from = d[i] == '.' ? i + 1 : i;
			g_string_append_len (v, d + from, (gssize) (end - from));
			i = end;
		}
	} else {
		return NULL;
	}
	if (len != NULL)
		*len = v->len;
	return g_string_free (v, FALSE);
}

gboolean
mp_sieve_token_is (const MpSieveLexer *lx, const MpSieveToken *tok, const char *name)
{
	const char *d = lx->data + tok->offset;
	gsize n = tok->length;

	if (tok->type == MP_SIEVE_TOKEN_TAG) {
		d++;
		n--;
	} else if (tok->type != MP_SIEVE_TOKEN_IDENTIFIER) {
		return FALSE;
	}
	return strlen (name) == n && g_ascii_strncasecmp (d, name, n) == 0;
}
