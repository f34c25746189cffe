/* sieve-script.c — see sieve-script.h. A recursive-descent parser of
 * RFC 5228 §8.2 on sieve-lexer.h's tokens; recursion is bounded by
 * MP_SIEVE_MAX_DEPTH (blocks and nested tests). */
#include "sieve-script.h"
#include "sieve-lexer.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
	MpSieveLexer   lx;
	MpSieveToken   tok;    /* the next token, not consumed yet */
	MpSieveScript *s;
} Parser;

/* What a command's arguments say that matters here. */
typedef struct {
	gboolean copy;    /* :copy (RFC 3894) */
	gboolean global;  /* :global (RFC 6609) */
	gboolean test;    /* a test or test list followed the arguments */
	GArray  *strings; /* MpSieveToken: the last string or string list */
} Args;

static gboolean G_GNUC_PRINTF (2, 3)
syntax_error (Parser *p, const char *fmt, ...)
{
	if (p->s->error == NULL) {
		va_list ap;
		va_start (ap, fmt);
		g_autofree char *what = g_strdup_vprintf (fmt, ap);
		va_end (ap);
		p->s->error = g_strdup_printf ("line %u: %s", p->tok.line, what);
		p->s->error_line = p->tok.line;
	}
	return FALSE;
}

static gboolean
advance (Parser *p)
{
	if (mp_sieve_lexer_next (&p->lx, &p->tok))
		return TRUE;
	if (p->s->error == NULL) {
		p->s->error = g_strdup (p->lx.error);
		p->s->error_line = p->tok.line;
	}
	return FALSE;
}

static gboolean
is_special (const Parser *p, char c)
{
	return p->tok.type == MP_SIEVE_TOKEN_SPECIAL && p->tok.special == c;
}

static gboolean
is_string (const Parser *p)
{
	return p->tok.type == MP_SIEVE_TOKEN_STRING || p->tok.type == MP_SIEVE_TOKEN_MULTILINE;
}

static const char *
token_name (const MpSieveToken *t)
{
	switch (t->type) {
	case MP_SIEVE_TOKEN_END:        return "the end of the script";
	case MP_SIEVE_TOKEN_IDENTIFIER: return "an identifier";
	case MP_SIEVE_TOKEN_TAG:        return "a tag";
	case MP_SIEVE_TOKEN_NUMBER:     return "a number";
	case MP_SIEVE_TOKEN_STRING:
	case MP_SIEVE_TOKEN_MULTILINE:  return "a string";
	case MP_SIEVE_TOKEN_SPECIAL:    return "a special character";
	default:                        return "an error";
	}
}

static gboolean test (Parser *p, guint depth);

/* *argument [test / test-list] (§8.2). */
static gboolean
arguments (Parser *p, Args *a, guint depth)
{
	for (;;) {
		if (is_string (p)) {
			g_array_set_size (a->strings, 0);
			g_array_append_val (a->strings, p->tok);
			if (!advance (p))
				return FALSE;
		} else if (is_special (p, '[')) {
			/* string-list = "[" string *("," string) "]" */
			g_array_set_size (a->strings, 0);
			for (;;) {
				if (!advance (p))
					return FALSE;
				if (!is_string (p))
					return syntax_error (p, "expected a string in the list, found %s",
					                     token_name (&p->tok));
				if (a->strings->len <= MP_FORWARD_MAX_TARGETS)
					g_array_append_val (a->strings, p->tok);
				if (!advance (p))
					return FALSE;
				if (is_special (p, ']'))
					break;
				if (!is_special (p, ','))
					return syntax_error (p, "expected ',' or ']' in a string list");
			}
			if (!advance (p))
				return FALSE;
		} else if (p->tok.type == MP_SIEVE_TOKEN_NUMBER) {
			if (!advance (p))
				return FALSE;
		} else if (p->tok.type == MP_SIEVE_TOKEN_TAG) {
			if (mp_sieve_token_is (&p->lx, &p->tok, "copy"))
				a->copy = TRUE;
			else if (mp_sieve_token_is (&p->lx, &p->tok, "global"))
				a->global = TRUE;
			if (!advance (p))
				return FALSE;
		} else {
			break;
		}
	}
	a->test = p->tok.type == MP_SIEVE_TOKEN_IDENTIFIER || is_special (p, '(');
	if (p->tok.type == MP_SIEVE_TOKEN_IDENTIFIER)
		return test (p, depth + 1);
	if (is_special (p, '(')) {
		/* test-list = "(" test *("," test) ")" */
		do {
			if (!advance (p) || !test (p, depth + 1))
				return FALSE;
		} while (is_special (p, ','));
		if (!is_special (p, ')'))
			return syntax_error (p, "expected ',' or ')' in a test list");
		return advance (p);
	}
	return TRUE;
}

/* test = identifier arguments */
static gboolean
test (Parser *p, guint depth)
{
	if (depth > MP_SIEVE_MAX_DEPTH)
		return syntax_error (p, "tests nested deeper than %d", MP_SIEVE_MAX_DEPTH);
	if (p->tok.type != MP_SIEVE_TOKEN_IDENTIFIER)
		return syntax_error (p, "expected a test, found %s", token_name (&p->tok));
	Args a = { FALSE, FALSE, FALSE, g_array_new (FALSE, FALSE, sizeof (MpSieveToken)) };
	gboolean ok = advance (p) && arguments (p, &a, depth);
	g_array_unref (a.strings);
	return ok;
}

/* The value of a string token as an address or a name: up to a NUL, the
 * first line with text (a multi-line string), blanks trimmed. */
static char *
string_text (Parser *p, const MpSieveToken *t)
{
	g_autofree char *v = mp_sieve_token_value (&p->lx, t, NULL);
	char *s = v;

	if (t->type == MP_SIEVE_TOKEN_MULTILINE) {
		while (*s == '\r' || *s == '\n' || *s == ' ' || *s == '\t')
			s++;
		s[strcspn (s, "\r\n")] = '\0';
	}
	return g_strstrip (g_strdup (s));
}

static void
add_redirects (Parser *p, const Args *a, guint depth)
{
	for (guint i = 0; i < a->strings->len; i++) {
		const MpSieveToken *t = &g_array_index (a->strings, MpSieveToken, i);
		if (p->s->targets->len >= MP_FORWARD_MAX_TARGETS) {
			p->s->truncated = TRUE;
			return;
		}
		char *address = string_text (p, t);
		if (*address == '\0') {
			g_free (address);
			continue;
		}
		MpForwardTarget *target = g_new0 (MpForwardTarget, 1);
		target->address = address;
		target->line = t->line;
		target->offset = t->offset;
		target->length = t->length;
		target->keeps_copy = a->copy;
		target->conditional = depth > 0;
		g_ptr_array_add (p->s->targets, target);
	}
}

static void
add_include (Parser *p, const Args *a, guint line)
{
	if (a->strings->len == 0 || p->s->includes->len >= MP_FORWARD_MAX_TARGETS)
		return;
	MpSieveInclude *inc = g_new0 (MpSieveInclude, 1);
	inc->name = string_text (p, &g_array_index (a->strings, MpSieveToken, a->strings->len - 1));
	inc->global = a->global;
	inc->line = line;
	g_ptr_array_add (p->s->includes, inc);
}

static gboolean commands (Parser *p, guint depth);

/* command = identifier arguments (";" / block) */
static gboolean
command (Parser *p, guint depth)
{
	if (p->tok.type != MP_SIEVE_TOKEN_IDENTIFIER)
		return syntax_error (p, "expected a command, found %s", token_name (&p->tok));
	MpSieveToken name = p->tok;
	Args a = { FALSE, FALSE, FALSE, g_array_new (FALSE, FALSE, sizeof (MpSieveToken)) };
	gboolean ok = advance (p) && arguments (p, &a, depth);
	/* RFC 5228 §3.1: if and elsif take a test and a block; no other
	 * command takes a test ("keep redirect ..." is no redirect: the server
	 * refuses the script) */
	gboolean conditional = mp_sieve_token_is (&p->lx, &name, "if") ||
	                       mp_sieve_token_is (&p->lx, &name, "elsif");
	if (ok && a.test && !conditional) {
		g_autofree char *shown = g_strndup (p->lx.data + name.offset, name.length);
		ok = syntax_error (p, "'%s' takes no test", shown);
	} else if (ok && conditional && (!a.test || !is_special (p, '{'))) {
		ok = syntax_error (p, "'if' and 'elsif' need a test and a block");
	}
	if (ok && is_special (p, ';')) {
		ok = advance (p);
	} else if (ok && is_special (p, '{')) {
		/* block = "{" commands "}" */
		if (depth + 1 > MP_SIEVE_MAX_DEPTH)
			ok = syntax_error (p, "blocks nested deeper than %d", MP_SIEVE_MAX_DEPTH);
		else
			ok = advance (p) && commands (p, depth + 1);
		if (ok && !is_special (p, '}'))
			ok = syntax_error (p, "expected '}' to close the block, found %s", token_name (&p->tok));
		ok = ok && advance (p);
	} else if (ok) {
		ok = syntax_error (p, "expected ';' or '{' after the command, found %s", token_name (&p->tok));
	}
	if (ok) {
		p->s->n_commands++;
		if (mp_sieve_token_is (&p->lx, &name, "redirect"))
			add_redirects (p, &a, depth);
		else if (mp_sieve_token_is (&p->lx, &name, "include"))
			add_include (p, &a, name.line);
	}
	g_array_unref (a.strings);
	return ok;
}

static gboolean
commands (Parser *p, guint depth)
{
	while (p->tok.type != MP_SIEVE_TOKEN_END && !is_special (p, '}')) {
		if (!command (p, depth) || p->s->truncated)
			return FALSE;
	}
	return TRUE;
}

static void
include_free (MpSieveInclude *inc)
{
	g_free (inc->name);
	g_free (inc);
}

void
mp_sieve_script_free (MpSieveScript *s)
{
	if (s == NULL)
		return;
	g_ptr_array_unref (s->targets);
	g_ptr_array_unref (s->includes);
	g_free (s->error);
	g_free (s);
}

MpSieveScript *
mp_sieve_script_parse (const char *data, gsize len)
{
	MpSieveScript *s = g_new0 (MpSieveScript, 1);
	Parser p = { .s = s };

	s->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_forward_target_free);
	s->includes = g_ptr_array_new_with_free_func ((GDestroyNotify) include_free);
	mp_sieve_lexer_init (&p.lx, data, len);
	if (advance (&p) && commands (&p, 0) && is_special (&p, '}'))
		syntax_error (&p, "'}' closes no block");
	mp_sieve_lexer_clear (&p.lx);
	return s;
}
