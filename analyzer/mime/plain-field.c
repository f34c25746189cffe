/* plain-field.c — the plain subset of Content-Type and Content-Disposition
 * values (see plain-field.h for the grammar and why). */
#include "plain-field.h"

#include <string.h>

static char *
skip_sp (char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token at P: its end, or NULL when there is none. */
static char *
token_end (char *p)
{
	char *q = p;

	while (mp_token_char ((guchar) *q))
		q++;
	return q > p ? q : NULL;
}

gboolean
mp_plain_field_parse (char *value, gboolean is_type, MpPlainField *out)
{
	char *p, *end;

	/* RFC 2231 parameters and RFC 2047 words in values: GMime decodes them */
	if (strchr (value, '*') != NULL || strstr (value, "=?") != NULL)
		return FALSE;
	out->subtype = NULL;
	out->n_params = 0;

	p = skip_sp (value);
	if ((end = token_end (p)) == NULL)
		return FALSE;
	out->type = p;
	p = end;
	if (is_type) {
		if (*p != '/')
			return FALSE;
		*p++ = '\0';
		if ((end = token_end (p)) == NULL)
			return FALSE;
		out->subtype = p;
		p = end;
	}
	end = p;
	p = skip_sp (p);
	if (*p == '\0') {
		*end = '\0';
		return TRUE;
	}
	if (*p != ';')
		return FALSE;
	*end = '\0';
	p = skip_sp (p + 1);

	while (*p != '\0') {
		MpPlainParam *param;
		char *name = p;

		if ((end = token_end (p)) == NULL)
			return FALSE;
		p = skip_sp (end);
		if (*p != '=')
			return FALSE;
		*end = '\0';
		p = skip_sp (p + 1);
		if (out->n_params == MP_PLAIN_MAX_PARAMS)
			return FALSE;
		param = &out->params[out->n_params];
		if (*p == '"') {
			param->value = ++p;
			while (*p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\')
				p++;
			if (*p != '"')
				return FALSE;
			end = p++;
		} else {
			/* loose mode reads a token value up to ';' less trailing
			 * white space: the same octets when only white space follows */
			if ((end = token_end (p)) == NULL)
				return FALSE;
			param->value = p;
			p = end;
		}
		p = skip_sp (p);
		if (*p != '\0' && *p != ';')
			return FALSE;
		if (*p == ';')
			p = skip_sp (p + 1);
		*end = '\0';
		param->name = name;
		/* GMime warns about a repeated parameter */
		if (mp_plain_field_param (out, name) != NULL)
			return FALSE;
		out->n_params++;
	}
	return TRUE;
}

const char *
mp_plain_field_param (const MpPlainField *f, const char *name)
{
	for (guint i = 0; i < f->n_params; i++)
		if (g_ascii_strcasecmp (f->params[i].name, name) == 0)
			return f->params[i].value;
	return NULL;
}
