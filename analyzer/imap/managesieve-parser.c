/* managesieve-parser.c — see managesieve-parser.h. A byte-driven state
 * machine like imap-parser.c: every octet outside literal data goes
 * through step(); literal data is copied in bulk; open lists live on an
 * explicit stack (bounded by max_depth). */
#include "managesieve-parser.h"

#include <stdarg.h>
#include <string.h>

struct _MpManageSieveValue {
	MpManageSieveValueType type;
	char                  *data;     /* atoms and strings: octets + NUL */
	gsize                  len;
	GPtrArray             *children; /* lists */
};

typedef enum {
	ST_BETWEEN,      /* between items: an item, ')' , blanks or the line end */
	ST_ATOM,
	ST_QUOTED,
	ST_QUOTED_ESCAPE,
	ST_LITERAL_SIZE, /* digits after '{' */
	ST_LITERAL_CLOSE,/* after "{n+": '}' */
	ST_LITERAL_CR,   /* after '}': CRLF */
	ST_LITERAL_LF,
	ST_LITERAL_DATA,
	ST_AFTER_STRING, /* a string or list ended: blank, ')' or line end */
	ST_LF,           /* CR seen: LF must follow */
} State;

struct _MpManageSieveParser {
	MpManageSieveLimits limits;
	char               *failure;
	GQueue              done;      /* MpManageSieveValue* lines */
	GPtrArray          *stack;     /* open lists: the line, then "(" levels */
	State               state;
	GByteArray         *tok;
	gsize               line_bytes;
	guint               items;
	guint64             lit_size;
	guint64             lit_left;
	guint               lit_digits;
	guint64             offset;
};

/* ---- values -------------------------------------------------------------- */

static MpManageSieveValue *
value_new (MpManageSieveValueType type)
{
	MpManageSieveValue *v = g_new0 (MpManageSieveValue, 1);

	v->type = type;
	if (type == MP_MANAGESIEVE_VALUE_LIST)
		v->children = g_ptr_array_new ();
	return v;
}

/* Iterative: freeing never recurses. */
void
mp_managesieve_value_free (MpManageSieveValue *v)
{
	g_autoptr(GPtrArray) todo = NULL;

	if (v == NULL)
		return;
	todo = g_ptr_array_new ();
	g_ptr_array_add (todo, v);
	while (todo->len > 0) {
		MpManageSieveValue *x = g_ptr_array_steal_index_fast (todo, todo->len - 1);
		if (x->children != NULL) {
			for (guint i = 0; i < x->children->len; i++)
				g_ptr_array_add (todo, x->children->pdata[i]);
			g_ptr_array_unref (x->children);
		}
		g_free (x->data);
		g_free (x);
	}
}

MpManageSieveValueType
mp_managesieve_value_get_type (const MpManageSieveValue *v)
{
	return v->type;
}

const char *
mp_managesieve_value_get_string (const MpManageSieveValue *v, gsize *len)
{
	if (len != NULL)
		*len = 0;
	if (v == NULL || v->data == NULL)
		return NULL;
	if (len != NULL)
		*len = v->len;
	return v->data;
}

guint
mp_managesieve_value_get_n_children (const MpManageSieveValue *v)
{
	return v != NULL && v->children != NULL ? v->children->len : 0;
}

const MpManageSieveValue *
mp_managesieve_value_get_child (const MpManageSieveValue *v, guint i)
{
	if (v == NULL || v->children == NULL || i >= v->children->len)
		return NULL;
	return v->children->pdata[i];
}

gboolean
mp_managesieve_value_is_atom (const MpManageSieveValue *v, const char *name)
{
	return v != NULL && v->type == MP_MANAGESIEVE_VALUE_ATOM && g_ascii_strcasecmp (v->data, name) == 0;
}

static void
debug_append (GString *s, const MpManageSieveValue *v, guint depth)
{
	if (v->type == MP_MANAGESIEVE_VALUE_LIST) {
		if (depth > 0)
			g_string_append_c (s, '(');
		for (guint i = 0; i < v->children->len; i++) {
			if (i > 0)
				g_string_append_c (s, ' ');
			debug_append (s, v->children->pdata[i], depth + 1);
		}
		if (depth > 0)
			g_string_append_c (s, ')');
		return;
	}
	if (v->type == MP_MANAGESIEVE_VALUE_STRING)
		g_string_append_c (s, '"');
	for (gsize i = 0; i < v->len; i++) {
		guchar c = (guchar) v->data[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			g_string_append_printf (s, "\\x%02x", c);
		else
			g_string_append_c (s, (char) c);
	}
	if (v->type == MP_MANAGESIEVE_VALUE_STRING)
		g_string_append_c (s, '"');
}

char *
mp_managesieve_value_to_debug_string (const MpManageSieveValue *v)
{
	GString *s = g_string_new (NULL);

	/* lists nest at most max_depth (bounded by the parser) */
	debug_append (s, v, 0);
	return g_string_free (s, FALSE);
}

/* ---- the parser ---------------------------------------------------------- */

MpManageSieveParser *
mp_managesieve_parser_new (const MpManageSieveLimits *limits)
{
	MpManageSieveParser *p = g_new0 (MpManageSieveParser, 1);

	if (limits != NULL)
		p->limits = *limits;
	if (p->limits.max_line_length == 0)
		p->limits.max_line_length = MP_MANAGESIEVE_DEFAULT_MAX_LINE_LENGTH;
	if (p->limits.max_literal_size == 0)
		p->limits.max_literal_size = MP_MANAGESIEVE_DEFAULT_MAX_LITERAL_SIZE;
	if (p->limits.max_items == 0)
		p->limits.max_items = MP_MANAGESIEVE_DEFAULT_MAX_ITEMS;
	if (p->limits.max_depth == 0)
		p->limits.max_depth = MP_MANAGESIEVE_DEFAULT_MAX_DEPTH;
	p->limits.max_depth = MIN (p->limits.max_depth, 64u);
	g_queue_init (&p->done);
	p->stack = g_ptr_array_new ();
	p->tok = g_byte_array_new ();
	p->state = ST_BETWEEN;
	return p;
}

static void
drop_line (MpManageSieveParser *p)
{
	if (p->stack->len > 0)
		mp_managesieve_value_free (p->stack->pdata[0]);
	g_ptr_array_set_size (p->stack, 0);
}

void
mp_managesieve_parser_free (MpManageSieveParser *p)
{
	if (p == NULL)
		return;
	drop_line (p);
	g_ptr_array_unref (p->stack);
	g_byte_array_unref (p->tok);
	g_queue_clear_full (&p->done, (GDestroyNotify) mp_managesieve_value_free);
	g_free (p->failure);
	g_free (p);
}

gboolean
mp_managesieve_parser_is_failed (const MpManageSieveParser *p)
{
	return p->failure != NULL;
}

gboolean
mp_managesieve_parser_in_line (const MpManageSieveParser *p)
{
	return p->stack->len > 0 || p->state != ST_BETWEEN;
}

MpManageSieveValue *
mp_managesieve_parser_pop (MpManageSieveParser *p)
{
	return g_queue_pop_head (&p->done);
}

static void G_GNUC_PRINTF (2, 0)
vfail (MpManageSieveParser *p, const char *fmt, va_list ap)
{
	if (p->failure == NULL) {
		g_autofree char *what = g_strdup_vprintf (fmt, ap);
		p->failure = g_strdup_printf ("%s (at octet %" G_GUINT64_FORMAT ")", what, p->offset);
	}
}

static gboolean G_GNUC_PRINTF (2, 3)
fail (MpManageSieveParser *p, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	vfail (p, fmt, ap);
	va_end (ap);
	return FALSE;
}

/* The list new values go into, the line opened on demand. */
static MpManageSieveValue *
current_list (MpManageSieveParser *p)
{
	if (p->stack->len == 0)
		g_ptr_array_add (p->stack, value_new (MP_MANAGESIEVE_VALUE_LIST));
	return p->stack->pdata[p->stack->len - 1];
}

static gboolean
add_value (MpManageSieveParser *p, MpManageSieveValue *v)
{
	if (++p->items > p->limits.max_items) {
		mp_managesieve_value_free (v);
		return fail (p, "more than %u values in one line", p->limits.max_items);
	}
	g_ptr_array_add (current_list (p)->children, v);
	return TRUE;
}

static gboolean
add_token (MpManageSieveParser *p, MpManageSieveValueType type)
{
	MpManageSieveValue *v = value_new (type);

	v->len = p->tok->len;
	g_byte_array_append (p->tok, (const guint8 *) "", 1);
	v->data = (char *) g_byte_array_free (p->tok, FALSE);
	p->tok = g_byte_array_new ();
	return add_value (p, v);
}

static gboolean
end_line (MpManageSieveParser *p)
{
	if (p->stack->len > 1)
		return fail (p, "line ended inside a '('");
	/* an empty line is a syntax error in every response */
	if (p->stack->len == 0 || mp_managesieve_value_get_n_children (p->stack->pdata[0]) == 0)
		return fail (p, "empty line");
	g_queue_push_tail (&p->done, p->stack->pdata[0]);
	g_ptr_array_set_size (p->stack, 0);
	p->line_bytes = 0;
	p->items = 0;
	p->state = ST_BETWEEN;
	return TRUE;
}

/* RFC 5804 §4: an atom is anything but blanks, line ends, parentheses,
 * quotes and '{' (and NUL, never allowed outside a literal). */
static gboolean
atom_char (guchar c)
{
	return c > 0x20 && c != 0x7f && c != '(' && c != ')' && c != '"' && c != '{';
}

typedef enum { STEP_ERROR = -1, STEP_AGAIN = 0, STEP_CONSUMED = 1 } Step;

static Step G_GNUC_PRINTF (2, 3)
step_fail (MpManageSieveParser *p, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	vfail (p, fmt, ap);
	va_end (ap);
	return STEP_ERROR;
}

static Step
step (MpManageSieveParser *p, guchar c)
{
	switch (p->state) {
	case ST_AFTER_STRING:
		if (c != ' ' && c != ')' && c != '\r' && c != '\n')
			return step_fail (p, "no blank after a string");
		p->state = ST_BETWEEN;
		return STEP_AGAIN;
	case ST_BETWEEN:
		if (c == ' ' || c == '\t')
			return STEP_CONSUMED;
		if (c == '\r') {
			p->state = ST_LF;
			return STEP_CONSUMED;
		}
		if (c == '\n')
			return end_line (p) ? STEP_CONSUMED : STEP_ERROR;
		if (c == '"') {
			current_list (p);
			p->state = ST_QUOTED;
			return STEP_CONSUMED;
		}
		if (c == '{') {
			current_list (p);
			p->lit_size = 0;
			p->lit_digits = 0;
			p->state = ST_LITERAL_SIZE;
			return STEP_CONSUMED;
		}
		if (c == '(') {
			if (p->stack->len > p->limits.max_depth)
				return step_fail (p, "'(' nested deeper than %u", p->limits.max_depth);
			MpManageSieveValue *l = value_new (MP_MANAGESIEVE_VALUE_LIST);
			if (!add_value (p, l))
				return STEP_ERROR;
			g_ptr_array_add (p->stack, l);
			return STEP_CONSUMED;
		}
		if (c == ')') {
			if (p->stack->len < 2)
				return step_fail (p, "')' closes nothing");
			g_ptr_array_set_size (p->stack, p->stack->len - 1);
			p->state = ST_AFTER_STRING;
			return STEP_CONSUMED;
		}
		if (!atom_char (c))
			return step_fail (p, "unexpected octet 0x%02x", c);
		p->state = ST_ATOM;
		return STEP_AGAIN;
	case ST_ATOM:
		if (atom_char (c)) {
			g_byte_array_append (p->tok, &c, 1);
			return STEP_CONSUMED;
		}
		if (!add_token (p, MP_MANAGESIEVE_VALUE_ATOM))
			return STEP_ERROR;
		p->state = ST_BETWEEN;
		return STEP_AGAIN;
	case ST_QUOTED:
		if (c == '"') {
			if (!add_token (p, MP_MANAGESIEVE_VALUE_STRING))
				return STEP_ERROR;
			p->state = ST_AFTER_STRING;
			return STEP_CONSUMED;
		}
		if (c == '\\') {
			p->state = ST_QUOTED_ESCAPE;
			return STEP_CONSUMED;
		}
		if (c == '\0' || c == '\r' || c == '\n')
			return step_fail (p, "NUL or line end in a quoted string");
		g_byte_array_append (p->tok, &c, 1);
		return STEP_CONSUMED;
	case ST_QUOTED_ESCAPE:
		/* QUOTED-SPECIALS: '"' and '\' */
		if (c != '"' && c != '\\')
			return step_fail (p, "bad escape \\%c in a quoted string", g_ascii_isprint (c) ? c : '?');
		g_byte_array_append (p->tok, &c, 1);
		p->state = ST_QUOTED;
		return STEP_CONSUMED;
	case ST_LITERAL_SIZE:
		if (g_ascii_isdigit (c)) {
			if (++p->lit_digits > 19)
				return step_fail (p, "literal size too long");
			p->lit_size = p->lit_size * 10 + (guint64) (c - '0');
			return STEP_CONSUMED;
		}
		if (p->lit_digits == 0)
			return step_fail (p, "no size in a literal");
		if (p->lit_size > p->limits.max_literal_size)
			return step_fail (p, "literal of %" G_GUINT64_FORMAT " octets is over the limit of %" G_GSIZE_FORMAT,
			             p->lit_size, p->limits.max_literal_size);
		if (c == '+') {
			p->state = ST_LITERAL_CLOSE;
			return STEP_CONSUMED;
		}
		p->state = ST_LITERAL_CLOSE;
		return STEP_AGAIN;
	case ST_LITERAL_CLOSE:
		if (c != '}')
			return step_fail (p, "expected '}' in a literal");
		p->state = ST_LITERAL_CR;
		return STEP_CONSUMED;
	case ST_LITERAL_CR:
		if (c == '\r') {
			p->state = ST_LITERAL_LF;
			return STEP_CONSUMED;
		}
		p->state = ST_LITERAL_LF;
		return STEP_AGAIN;
	case ST_LITERAL_LF:
		if (c != '\n')
			return step_fail (p, "a literal's size must end its line");
		p->lit_left = p->lit_size;
		g_byte_array_set_size (p->tok, 0);
		if (p->lit_left == 0) {
			if (!add_token (p, MP_MANAGESIEVE_VALUE_STRING))
				return STEP_ERROR;
			p->state = ST_AFTER_STRING;
			return STEP_CONSUMED;
		}
		p->state = ST_LITERAL_DATA;
		return STEP_CONSUMED;
	case ST_LF:
		if (c != '\n')
			return step_fail (p, "CR without LF");
		return end_line (p) ? STEP_CONSUMED : STEP_ERROR;
	case ST_LITERAL_DATA:
	default:
		g_assert_not_reached ();
	}
	return STEP_ERROR;
}

gboolean
mp_managesieve_parser_feed (MpManageSieveParser *p, const guint8 *data, gsize len, GError **error)
{
	gsize i = 0;

	while (p->failure == NULL && i < len) {
		if (p->state == ST_LITERAL_DATA) {
			gsize n = (gsize) MIN ((guint64) (len - i), p->lit_left);
			g_byte_array_append (p->tok, data + i, (guint) n);
			i += n;
			p->offset += n;
			p->lit_left -= n;
			if (p->lit_left == 0) {
				if (!add_token (p, MP_MANAGESIEVE_VALUE_STRING))
					break;
				p->state = ST_AFTER_STRING;
			}
			continue;
		}
		if (++p->line_bytes > p->limits.max_line_length) {
			fail (p, "line longer than %" G_GSIZE_FORMAT " octets", p->limits.max_line_length);
			break;
		}
		Step r = step (p, data[i]);
		if (r == STEP_ERROR)
			break;
		if (r == STEP_CONSUMED) {
			i++;
			p->offset++;
		} else {
			p->line_bytes--; /* looked at again */
		}
	}
	if (p->failure != NULL) {
		drop_line (p);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s", p->failure);
		return FALSE;
	}
	return TRUE;
}
