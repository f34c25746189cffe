/* imap-parser.c — see imap-parser.h.
 *
 * A byte-driven state machine. Every octet outside a literal's data goes
 * through step(), which either consumes it or asks for it to be looked at
 * again in a new state (an atom ends at the octet that starts the next
 * token); the octets inside an atom, a quoted string or text, and a
 * literal's data, are taken in runs (a table lookup per octet, one copy per
 * run). Open lists live on an explicit stack, so "((((" a hundred thousand
 * deep costs one check, not a stack frame each.
 *
 * Memory: a response and everything in it (values, their octets, the
 * arrays of children) live in one arena, a chain of blocks that grows
 * by doubling and is freed at once; the first block is sized from the
 * previous response, so a typical FETCH costs one malloc. While a list is
 * open its children sit on a stack shared by all lists (kids); when it
 * closes they are copied into the arena as one array, so get_child() is an
 * index. The token (atom, quoted string, text, kept literal) grows in one
 * buffer reused from response to response. */
#include "imap-parser.h"

#include <string.h>

enum {
	V_LITERAL8  = 1 << 0,
	V_STREAMED  = 1 << 1,
	V_TRUNCATED = 1 << 2,
};

struct _MpImapValue {
	guint8  type;       /* MpImapValueType */
	guint8  flags;      /* V_* */
	guint32 n_children; /* LIST */
	guint64 num;        /* NUMBER: the value; LITERAL: the announced size */
	gsize   len;        /* scalars: octets in data */
	union {
		char         *data;     /* scalars: the octets plus a NUL */
		MpImapValue **children; /* LIST */
	} u;
};

/* One block of a response's arena; the octets follow the header. */
typedef struct Chunk {
	struct Chunk *next;
	gsize         used;
	gsize         cap;
} Chunk;

#define CHUNK_HEADER     ((sizeof (Chunk) + 15) & ~(gsize) 15)
#define CHUNK_FIRST_MIN  ((gsize) 1024)
#define CHUNK_FIRST_MAX  ((gsize) 64 << 10)
#define CHUNK_GROW_MAX   ((gsize) 1 << 20)

struct _MpImapResponse {
	MpImapResponseKind kind;
	MpImapStatus       status;
	gboolean           truncated;
	char              *tag;
	MpImapValue       *code;   /* LIST or NULL */
	char              *text;   /* NULL for untagged data */
	gsize              text_len;
	MpImapValue       *data;   /* LIST for untagged data, else NULL */
	Chunk             *chunks; /* the arena, newest block first; this struct is in the oldest */
};

typedef enum {
	ST_LINE_START,    /* the first octet of a response */
	ST_TAG,
	ST_STATUS_SP,     /* after OK/NO/BAD/PREAUTH/BYE: SP or end of line */
	ST_BETWEEN,       /* between values */
	ST_AFTER_STRING,  /* right after a quoted string or literal */
	ST_ATOM,
	ST_SECTION,       /* the "[...]" of an atom: BODY[HEADER.FIELDS (A B)] */
	ST_QUOTED,
	ST_QUOTED_ESCAPE,
	ST_TILDE,         /* "~": "{" makes a literal8, anything else an atom */
	ST_LITERAL_SIZE,  /* the digits of "{n}" */
	ST_LITERAL_CLOSE, /* after "{n+": "}" must follow */
	ST_LITERAL_CRLF,  /* after "}": CRLF must follow */
	ST_LITERAL_LF,
	ST_LITERAL_DATA,
	ST_TEXT_START,    /* resp-text: "[" code or text */
	ST_AFTER_CODE,
	ST_TEXT,
	ST_CR,            /* CR ending a response: LF must follow */
} State;

typedef enum {
	PHASE_TAG_STATUS,     /* tagged: the next token must be OK, NO or BAD */
	PHASE_UNTAGGED_FIRST, /* untagged: the first token says status or data */
	PHASE_DATA,           /* values of untagged data */
	PHASE_CODE,           /* inside a response code "[...]" */
	PHASE_TEXT,           /* resp-text after a status */
} Phase;

typedef enum {
	STEP_ERROR = -1,
	STEP_AGAIN = 0,   /* look at the same octet again in the new state */
	STEP_CONSUMED = 1,
} Step;

typedef struct {
	MpImapValue *list;
	gsize        first; /* its first child's index in kids */
} Open;

struct _MpImapParser {
	MpImapParserSettings set;
	char            *failure;    /* the first error's message; set = failed */
	GQueue           done;       /* MpImapResponse*, oldest first */

	MpImapResponse  *cur;        /* the response being read, NULL between responses */
	gsize            arena_used; /* octets of cur's arena in use */
	gsize            chunk_hint; /* the size of the next response's first block */
	Open            *open;       /* open LISTs: root data or code, then "(" levels */
	guint            open_len, open_cap;
	MpImapValue    **kids;       /* the children of open lists, innermost last */
	gsize            kids_len, kids_cap;
	State            state;
	Phase            phase;
	char            *tok;        /* the token (tag, atom, quoted, text) or kept literal */
	gsize            tok_len, tok_cap;

	/* past a limit: the rest of the response is read, nothing kept */
	gboolean         dropping;
	guint64          skip_depth; /* lists opened while dropping, not yet closed */

	guint            section_depth;
	gboolean         section_quoted;
	gboolean         section_escape;

	guint64          lit_size;
	guint64          lit_left;
	guint64          lit_keep;   /* octets of the literal still to keep */
	guint            lit_digits;
	gboolean         lit8;
	gboolean         lit_streamed;

	gsize            line_bytes;  /* of the current response, outside literals */
	guint            items;       /* values in the current response */
	guint64          offset;      /* octets consumed since the start */
	guint            responses;   /* responses completed */
};

/* Octet classes for the runs taken in one go. */
enum {
	C_ATOM   = 1 << 0, /* continues an atom (ATOM-CHAR, "\" and 8-bit, not "[" "]") */
	C_QUOTED = 1 << 1, /* continues a quoted string (not '"', "\", CR, LF, NUL) */
	C_TEXT   = 1 << 2, /* continues resp-text (not CR, LF, NUL) */
};

static guint8 octet_class[256];

static gpointer
init_classes (gpointer unused)
{
	for (guint c = 0; c < 256; c++) {
		gboolean ctl = c < 0x20 || c == 0x7f;
		guint8 k = 0;
		if (!ctl && strchr (" ()\"{[]", (int) c) == NULL)
			k |= C_ATOM;
		if (c != '"' && c != '\\' && c != '\r' && c != '\n' && c != '\0')
			k |= C_QUOTED;
		if (c != '\r' && c != '\n' && c != '\0')
			k |= C_TEXT;
		octet_class[c] = k;
	}
	return NULL;
}

/* ------------------------------------------------------------------ arena */

/* SIZE octets (8-aligned, zeroed) in the arena of the response being read.
 * Never fails: emit() checks the total against max_response_size. */
static gpointer
arena_alloc (MpImapParser *p, gsize size)
{
	Chunk *c = p->cur->chunks;
	gpointer mem;

	size = (size + 7) & ~(gsize) 7;
	if (c->cap - c->used < size) {
		gsize cap = MIN (c->cap * 2, CHUNK_GROW_MAX);
		Chunk *n;
		cap = MAX (cap, size);
		n = g_malloc (CHUNK_HEADER + cap);
		n->next = c;
		n->used = 0;
		n->cap = cap;
		p->cur->chunks = c = n;
	}
	mem = (char *) c + CHUNK_HEADER + c->used;
	c->used += size;
	p->arena_used += size;
	memset (mem, 0, size);
	return mem;
}

/* A new response whose struct lives in its own arena's first block. */
static MpImapResponse *
response_new (MpImapParser *p)
{
	gsize cap = p->chunk_hint;
	Chunk *c = g_malloc (CHUNK_HEADER + cap);
	/* malloc's alignment, and the header rounded to 16 */
	MpImapResponse *r = (void *) ((char *) c + CHUNK_HEADER);
	gsize rs = (sizeof *r + 7) & ~(gsize) 7;

	c->next = NULL;
	c->used = rs;
	c->cap = cap;
	memset (r, 0, sizeof *r);
	r->chunks = c;
	p->arena_used = rs;
	return r;
}

static char *
arena_strndup (MpImapParser *p, const char *s, gsize len)
{
	char *d = arena_alloc (p, len + 1);

	if (len > 0)
		memcpy (d, s, len);
	return d;
}

/* ----------------------------------------------------------------- values */

MpImapValueType
mp_imap_value_get_value_type (const MpImapValue *v)
{
	return (MpImapValueType) v->type;
}

const char *
mp_imap_value_get_string (const MpImapValue *v, gsize *len)
{
	if (len != NULL)
		*len = 0;
	if (v == NULL || v->type == MP_IMAP_VALUE_LIST || v->u.data == NULL)
		return NULL;
	if (len != NULL)
		*len = v->len;
	return v->u.data;
}

gboolean
mp_imap_value_get_number (const MpImapValue *v, guint64 *out)
{
	if (v == NULL || v->type != MP_IMAP_VALUE_NUMBER)
		return FALSE;
	*out = v->num;
	return TRUE;
}

gboolean
mp_imap_value_is_atom (const MpImapValue *v, const char *name)
{
	if (v == NULL || v->type != MP_IMAP_VALUE_ATOM)
		return FALSE;
	return name == NULL || g_ascii_strcasecmp (v->u.data, name) == 0;
}

gboolean
mp_imap_value_is_nil (const MpImapValue *v)
{
	return v != NULL && v->type == MP_IMAP_VALUE_NIL;
}

gboolean
mp_imap_value_is_list (const MpImapValue *v)
{
	return v != NULL && v->type == MP_IMAP_VALUE_LIST;
}

gboolean
mp_imap_value_is_string (const MpImapValue *v)
{
	return v != NULL && (v->type == MP_IMAP_VALUE_STRING || v->type == MP_IMAP_VALUE_LITERAL);
}

gboolean
mp_imap_value_is_literal8 (const MpImapValue *v)
{
	return v != NULL && (v->flags & V_LITERAL8);
}

gboolean
mp_imap_value_is_streamed (const MpImapValue *v)
{
	return v != NULL && (v->flags & V_STREAMED);
}

gboolean
mp_imap_value_is_truncated (const MpImapValue *v)
{
	return v != NULL && (v->flags & V_TRUNCATED);
}

guint64
mp_imap_value_get_size (const MpImapValue *v)
{
	if (v == NULL || v->type == MP_IMAP_VALUE_LIST)
		return 0;
	if (v->type == MP_IMAP_VALUE_LITERAL)
		return v->num;
	return v->len;
}

guint
mp_imap_value_get_n_children (const MpImapValue *v)
{
	return (v != NULL && v->type == MP_IMAP_VALUE_LIST) ? v->n_children : 0;
}

const MpImapValue *
mp_imap_value_get_child (const MpImapValue *v, guint i)
{
	if (i >= mp_imap_value_get_n_children (v))
		return NULL;
	return v->u.children[i];
}

const MpImapValue *
mp_imap_value_lookup (const MpImapValue *list, const char *key)
{
	guint n = mp_imap_value_get_n_children (list);

	for (guint i = 0; i + 1 < n; i += 2) {
		if (mp_imap_value_is_atom (list->u.children[i], key))
			return list->u.children[i + 1];
	}
	return NULL;
}

static void
append_escaped (GString *s, const char *data, gsize len, gboolean quote)
{
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar) data[i];
		if (quote && (c == '"' || c == '\\'))
			g_string_append_printf (s, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			g_string_append_printf (s, "\\x%02x", c);
		else
			g_string_append_c (s, (char) c);
	}
}

/* Recursive, but a tree is never deeper than max_depth + 2 and max_depth
 * is clamped to MP_IMAP_MAX_DEPTH_CEILING; only tests and traces print. */
static void
append_value (GString *s, const MpImapValue *v)
{
	switch (v->type) {
	case MP_IMAP_VALUE_ATOM:
	case MP_IMAP_VALUE_NUMBER:
		append_escaped (s, v->u.data, v->len, FALSE);
		break;
	case MP_IMAP_VALUE_NIL:
		g_string_append (s, "NIL");
		break;
	case MP_IMAP_VALUE_LITERAL:
		g_string_append_printf (s, "%s{%" G_GUINT64_FORMAT "}", (v->flags & V_LITERAL8) ? "~" : "", v->num);
		if (v->flags & V_STREAMED) {
			g_string_append (s, "<streamed>");
			break;
		}
		g_string_append_c (s, '"');
		append_escaped (s, v->u.data, v->len, TRUE);
		g_string_append_c (s, '"');
		if (v->flags & V_TRUNCATED)
			g_string_append (s, "<truncated>");
		break;
	case MP_IMAP_VALUE_STRING:
		g_string_append_c (s, '"');
		append_escaped (s, v->u.data, v->len, TRUE);
		g_string_append_c (s, '"');
		break;
	case MP_IMAP_VALUE_LIST:
	default:
		g_string_append_c (s, '(');
		for (guint i = 0; i < v->n_children; i++) {
			if (i > 0)
				g_string_append_c (s, ' ');
			append_value (s, v->u.children[i]);
		}
		if (v->flags & V_TRUNCATED)
			g_string_append (s, v->n_children ? " <truncated>" : "<truncated>");
		g_string_append_c (s, ')');
		break;
	}
}

char *
mp_imap_value_to_debug_string (const MpImapValue *v)
{
	GString *s = g_string_new (NULL);

	if (v != NULL)
		append_value (s, v);
	return g_string_free (s, FALSE);
}

/* -------------------------------------------------------------- responses */

void
mp_imap_response_free (MpImapResponse *r)
{
	Chunk *c;

	if (r == NULL)
		return;
	/* the struct lives in the oldest block: read the chain first */
	c = r->chunks;
	while (c != NULL) {
		Chunk *next = c->next;
		g_free (c);
		c = next;
	}
}

MpImapResponseKind
mp_imap_response_get_kind (const MpImapResponse *r)
{
	return r->kind;
}

const char *
mp_imap_response_get_tag (const MpImapResponse *r)
{
	return r->tag;
}

MpImapStatus
mp_imap_response_get_status (const MpImapResponse *r)
{
	return r->status;
}

const MpImapValue *
mp_imap_response_get_code (const MpImapResponse *r)
{
	return r->code;
}

const char *
mp_imap_response_get_text (const MpImapResponse *r, gsize *len)
{
	if (len != NULL)
		*len = r->text != NULL ? r->text_len : 0;
	return r->text;
}

const MpImapValue *
mp_imap_response_get_data (const MpImapResponse *r)
{
	return r->data;
}

gboolean
mp_imap_response_is_truncated (const MpImapResponse *r)
{
	return r->truncated;
}

static const char *
status_name (MpImapStatus s)
{
	switch (s) {
	case MP_IMAP_STATUS_OK: return "OK";
	case MP_IMAP_STATUS_NO: return "NO";
	case MP_IMAP_STATUS_BAD: return "BAD";
	case MP_IMAP_STATUS_PREAUTH: return "PREAUTH";
	case MP_IMAP_STATUS_BYE: return "BYE";
	case MP_IMAP_STATUS_NONE:
	default: return "";
	}
}

char *
mp_imap_response_to_debug_string (const MpImapResponse *r)
{
	GString *s = g_string_new (NULL);

	if (r->kind == MP_IMAP_RESPONSE_TAGGED)
		g_string_append (s, r->tag);
	else
		g_string_append (s, r->kind == MP_IMAP_RESPONSE_UNTAGGED ? "*" : "+");
	if (r->status != MP_IMAP_STATUS_NONE)
		g_string_append_printf (s, " %s", status_name (r->status));
	for (guint i = 0; i < mp_imap_value_get_n_children (r->data); i++) {
		g_string_append_c (s, ' ');
		append_value (s, r->data->u.children[i]);
	}
	if (r->data != NULL && (r->data->flags & V_TRUNCATED))
		g_string_append (s, " <truncated>");
	if (r->code != NULL) {
		g_autofree char *code = mp_imap_value_to_debug_string (r->code);
		/* the code prints as a list: show it in its own brackets */
		code[strlen (code) - 1] = '\0';
		g_string_append_printf (s, " [%s]", code + 1);
	}
	if (r->text != NULL && r->text_len > 0) {
		g_string_append_c (s, ' ');
		append_escaped (s, r->text, r->text_len, FALSE);
	}
	if (r->truncated && r->data == NULL)
		g_string_append (s, " <truncated>");
	return g_string_free (s, FALSE);
}

/* ----------------------------------------------------------------- parser */

void
mp_imap_parser_settings_init (MpImapParserSettings *s)
{
	memset (s, 0, sizeof *s);
	s->max_line_length = MP_IMAP_DEFAULT_MAX_LINE_LENGTH;
	s->max_literal_size = MP_IMAP_DEFAULT_MAX_LITERAL_SIZE;
	s->max_literal_read = MP_IMAP_DEFAULT_MAX_LITERAL_READ;
	s->max_response_size = MP_IMAP_DEFAULT_MAX_RESPONSE_SIZE;
	s->max_depth = MP_IMAP_DEFAULT_MAX_DEPTH;
	s->max_list_items = MP_IMAP_DEFAULT_MAX_LIST_ITEMS;
	s->max_response_items = MP_IMAP_DEFAULT_MAX_RESPONSE_ITEMS;
}

MpImapParser *
mp_imap_parser_new (const MpImapParserSettings *settings)
{
	static GOnce classes = G_ONCE_INIT;
	MpImapParser *p = g_new0 (MpImapParser, 1);
	MpImapParserSettings def;

	g_once (&classes, init_classes, NULL);
	mp_imap_parser_settings_init (&def);
	if (settings != NULL)
		p->set = *settings;
	else
		p->set = def;
	if (p->set.max_line_length == 0)
		p->set.max_line_length = def.max_line_length;
	if (p->set.max_literal_size == 0)
		p->set.max_literal_size = def.max_literal_size;
	if (p->set.max_literal_read == 0)
		p->set.max_literal_read = def.max_literal_read;
	if (p->set.max_response_size == 0)
		p->set.max_response_size = def.max_response_size;
	/* the token buffer holds a line or a kept literal: bounded sizes */
	p->set.max_line_length = MIN (p->set.max_line_length, (gsize) G_MAXUINT / 2);
	p->set.max_literal_size = MIN (p->set.max_literal_size, (guint64) G_MAXUINT / 2);
	p->set.max_literal_size = MIN (p->set.max_literal_size, p->set.max_literal_read);
	if (p->set.max_depth == 0)
		p->set.max_depth = def.max_depth;
	p->set.max_depth = MIN (p->set.max_depth, MP_IMAP_MAX_DEPTH_CEILING);
	if (p->set.max_list_items == 0)
		p->set.max_list_items = def.max_list_items;
	if (p->set.max_response_items == 0)
		p->set.max_response_items = def.max_response_items;
	if (p->set.literal_data == NULL)
		p->set.literal_begin = NULL; /* streaming needs both callbacks */

	g_queue_init (&p->done);
	p->chunk_hint = 4096;
	p->state = ST_LINE_START;
	return p;
}

static void
reset_response (MpImapParser *p)
{
	mp_imap_response_free (p->cur);
	p->cur = NULL;
	p->arena_used = 0;
	p->open_len = 0;
	p->kids_len = 0;
	p->tok_len = 0;
	p->state = ST_LINE_START;
	p->line_bytes = 0;
	p->items = 0;
	p->dropping = FALSE;
	p->skip_depth = 0;
}

void
mp_imap_parser_free (MpImapParser *p)
{
	if (p == NULL)
		return;
	reset_response (p);
	g_queue_clear_full (&p->done, (GDestroyNotify) mp_imap_response_free);
	g_free (p->open);
	g_free (p->kids);
	g_free (p->tok);
	g_free (p->failure);
	g_free (p);
}

gboolean
mp_imap_parser_is_failed (const MpImapParser *p)
{
	return p->failure != NULL;
}

MpImapResponse *
mp_imap_parser_pop (MpImapParser *p)
{
	return g_queue_pop_head (&p->done);
}

static void fail (MpImapParser *p, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Records the first error with where it happened; the parser is dead after
 * this (the stream is out of sync with what we understand). */
static void
fail (MpImapParser *p, GError **error, const char *format, ...)
{
	g_autofree char *what = NULL;
	va_list args;

	va_start (args, format);
	what = g_strdup_vprintf (format, args);
	va_end (args);
	p->failure = g_strdup_printf ("IMAP response %u, stream offset %" G_GUINT64_FORMAT ": %s",
	                              p->responses + 1, p->offset, what);
	reset_response (p);
	g_set_error_literal (error, MP_ERROR, MP_ERROR_READ, p->failure);
}

/* ---- the token buffer ---- */

static void
tok_append (MpImapParser *p, const void *data, gsize n)
{
	if (p->dropping || n == 0)
		return;
	if (p->tok_cap - p->tok_len < n) {
		gsize cap = MAX (p->tok_cap * 2, (gsize) 256);
		while (cap - p->tok_len < n)
			cap *= 2;
		p->tok = g_realloc (p->tok, cap);
		p->tok_cap = cap;
	}
	memcpy (p->tok + p->tok_len, data, n);
	p->tok_len += n;
}

/* The token as a NUL-terminated string in the arena; the buffer is emptied. */
static char *
take_token (MpImapParser *p, gsize *len)
{
	char *s = arena_strndup (p, p->tok, p->tok_len);

	*len = p->tok_len;
	p->tok_len = 0;
	return s;
}

/* ---- lists ---- */

static MpImapValue *
value_new (MpImapParser *p, MpImapValueType type)
{
	MpImapValue *v = arena_alloc (p, sizeof *v);

	v->type = (guint8) type;
	return v;
}

static void
open_push (MpImapParser *p, MpImapValue *list)
{
	if (p->open_len == p->open_cap) {
		p->open_cap = MAX (p->open_cap * 2, 16u);
		p->open = g_renew (Open, p->open, p->open_cap);
	}
	p->open[p->open_len].list = list;
	p->open[p->open_len].first = p->kids_len;
	p->open_len++;
}

/* Closes the innermost open list: its children move into the arena. */
static void
open_pop (MpImapParser *p)
{
	Open *o = &p->open[--p->open_len];
	gsize n = p->kids_len - o->first;

	if (n > 0) {
		o->list->u.children = arena_alloc (p, n * sizeof (MpImapValue *));
		memcpy (o->list->u.children, p->kids + o->first, n * sizeof (MpImapValue *));
	}
	o->list->n_children = (guint32) n;
	p->kids_len = o->first;
}

static void
kids_push (MpImapParser *p, MpImapValue *v)
{
	if (p->kids_len == p->kids_cap) {
		p->kids_cap = MAX (p->kids_cap * 2, (gsize) 64);
		p->kids = g_renew (MpImapValue *, p->kids, p->kids_cap);
	}
	p->kids[p->kids_len++] = v;
}

/* A limit is reached: keep what was read, read and drop the rest of the
 * response so the stream stays in step, and say so on the response and on
 * every list still open (each loses what would have followed). */
static void
start_dropping (MpImapParser *p)
{
	if (p->dropping)
		return;
	p->dropping = TRUE;
	p->cur->truncated = TRUE;
	for (guint i = 0; i < p->open_len; i++)
		p->open[i].list->flags |= V_TRUNCATED;
}

/* May a limit truncate the response here? Not before the tag and status
 * (or the first token of untagged data) are known: they decide what the
 * response is. */
static gboolean
can_truncate (const MpImapParser *p)
{
	return p->cur != NULL && (p->phase == PHASE_DATA || p->phase == PHASE_CODE || p->phase == PHASE_TEXT);
}

static MpImapStatus
status_from_atom (const MpImapValue *v)
{
	static const struct { const char *name; MpImapStatus status; } names[] = {
		{ "OK", MP_IMAP_STATUS_OK }, { "NO", MP_IMAP_STATUS_NO },
		{ "BAD", MP_IMAP_STATUS_BAD }, { "PREAUTH", MP_IMAP_STATUS_PREAUTH },
		{ "BYE", MP_IMAP_STATUS_BYE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
		if (mp_imap_value_is_atom (v, names[i].name))
			return names[i].status;
	return MP_IMAP_STATUS_NONE;
}

/* The first token decided it: this is a status response (RFC 3501 §7.1),
 * whose rest is resp-text, not values. */
static void
become_status (MpImapParser *p, MpImapStatus status)
{
	p->cur->status = status;
	p->open_len = 0;
	p->kids_len = 0;
	p->cur->data = NULL;
	p->items = 0;
	p->phase = PHASE_TEXT;
	p->state = ST_STATUS_SP;
}

/* Phase checks for a token at the top level of a response. */
static gboolean
check_first_token (MpImapParser *p, const MpImapValue *v, GError **error)
{
	MpImapStatus status = status_from_atom (v);

	if (p->phase == PHASE_TAG_STATUS) {
		/* RFC 3501 §7.1: a tagged response is resp-cond-state */
		if (status != MP_IMAP_STATUS_OK && status != MP_IMAP_STATUS_NO && status != MP_IMAP_STATUS_BAD) {
			fail (p, error, "tagged response without OK, NO or BAD");
			return FALSE;
		}
		become_status (p, status);
	} else if (p->phase == PHASE_UNTAGGED_FIRST) {
		if (status != MP_IMAP_STATUS_NONE)
			become_status (p, status);
		else
			p->phase = PHASE_DATA;
	}
	return TRUE;
}

/* Adds V to the innermost open list, unless a limit is reached: then the
 * response is truncated from here on and V is dropped. */
static gboolean
emit (MpImapParser *p, MpImapValue *v, GError **error)
{
	Open *parent = p->open_len ? &p->open[p->open_len - 1] : NULL;
	gboolean top_level = p->open_len == 1 &&
	                     (p->phase == PHASE_TAG_STATUS || p->phase == PHASE_UNTAGGED_FIRST);

	if (p->dropping)
		return TRUE;
	if (parent == NULL) {
		/* cannot happen: values are only read inside a list or a code */
		fail (p, error, "value outside any list");
		return FALSE;
	}
	/* the top level of a response (SEARCH results) is bounded by
	 * max_response_items alone */
	if ((p->open_len > 1 && p->kids_len - parent->first >= p->set.max_list_items) ||
	    p->items >= p->set.max_response_items || p->arena_used > p->set.max_response_size) {
		if (!can_truncate (p)) {
			fail (p, error, "response exceeds the parser's limits before its status is known");
			return FALSE;
		}
		start_dropping (p);
		return TRUE;
	}
	p->items++;
	kids_push (p, v);
	if (top_level)
		return check_first_token (p, v, error);
	return TRUE;
}

static gboolean
is_all_digits (const char *s, gsize len)
{
	if (len == 0)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isdigit (s[i]))
			return FALSE;
	return TRUE;
}

/* RFC 3501 §9 number / RFC 9051 number64: unsigned, at most 20 digits,
 * checked for overflow before every multiplication. */
static gboolean
parse_number (MpImapParser *p, const char *s, gsize len, guint64 *out, GError **error)
{
	guint64 n = 0;

	if (len > 20) {
		fail (p, error, "number longer than 20 digits");
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		guint d = (guint) (s[i] - '0');
		if (n > (G_MAXUINT64 - d) / 10) {
			fail (p, error, "number larger than %" G_GUINT64_FORMAT, G_MAXUINT64);
			return FALSE;
		}
		n = n * 10 + d;
	}
	*out = n;
	return TRUE;
}

static gboolean
finish_atom (MpImapParser *p, GError **error)
{
	MpImapValue *v;

	if (p->dropping) {
		p->tok_len = 0;
		return TRUE;
	}
	if (is_all_digits (p->tok, p->tok_len)) {
		guint64 n;
		if (!parse_number (p, p->tok, p->tok_len, &n, error))
			return FALSE;
		v = value_new (p, MP_IMAP_VALUE_NUMBER);
		v->num = n;
	} else if (p->tok_len == 3 && g_ascii_strncasecmp (p->tok, "NIL", 3) == 0) {
		/* RFC 3501 §4.5: NIL is an atom in any case; "NIL" quoted is a string */
		p->tok_len = 0;
		return emit (p, value_new (p, MP_IMAP_VALUE_NIL), error);
	} else {
		v = value_new (p, MP_IMAP_VALUE_ATOM);
	}
	v->u.data = take_token (p, &v->len);
	return emit (p, v, error);
}

static gboolean
finish_literal (MpImapParser *p, GError **error)
{
	MpImapValue *v;

	p->state = ST_AFTER_STRING;
	if (p->dropping) {
		p->tok_len = 0;
		return TRUE;
	}
	v = value_new (p, MP_IMAP_VALUE_LITERAL);
	v->flags = (guint8) ((p->lit8 ? V_LITERAL8 : 0) | (p->lit_streamed ? V_STREAMED : 0));
	v->num = p->lit_size;
	if (!p->lit_streamed) {
		v->u.data = take_token (p, &v->len);
		if (v->len < p->lit_size)
			v->flags |= V_TRUNCATED;
	}
	return emit (p, v, error);
}

/* "{n}" CRLF has been read (RFC 3501 §4.3): decide where the N octets go.
 * Nothing is allocated here: the buffer grows as the octets arrive. */
static gboolean
begin_literal (MpImapParser *p, GError **error)
{
	MpImapLiteralAction action = MP_IMAP_LITERAL_KEEP;

	if (p->phase == PHASE_TAG_STATUS) {
		fail (p, error, "tagged response without OK, NO or BAD");
		return FALSE;
	}
	if (p->set.literal_begin != NULL && !p->dropping) {
		/* the list so far, as the callback sees it: the open list with its
		 * children still on the stack */
		Open *o = &p->open[p->open_len - 1];
		MpImapValue view = *o->list;
		g_autoptr(GError) local = NULL;

		view.n_children = (guint32) (p->kids_len - o->first);
		/* no child yet: kids may still be NULL (NULL + 0 is undefined) */
		view.u.children = view.n_children ? p->kids + o->first : NULL;
		action = p->set.literal_begin (&view, view.n_children ? p->kids[p->kids_len - 1] : NULL,
		                               p->lit_size, p->set.user_data, &local);
		if (action == MP_IMAP_LITERAL_REFUSE) {
			fail (p, error, "literal of %" G_GUINT64_FORMAT " octets refused: %s", p->lit_size,
			      local != NULL ? local->message : "no reason given");
			return FALSE;
		}
	}
	p->lit_streamed = action == MP_IMAP_LITERAL_STREAM;
	if (!p->lit_streamed && p->lit_size > p->set.max_literal_read) {
		fail (p, error, "literal of %" G_GUINT64_FORMAT " octets exceeds the limit of %"
		      G_GUINT64_FORMAT, p->lit_size, p->set.max_literal_read);
		return FALSE;
	}
	p->lit_keep = p->lit_streamed || p->dropping ? 0 : MIN (p->lit_size, p->set.max_literal_size);
	p->tok_len = 0;
	p->lit_left = p->lit_size;
	if (p->lit_left == 0)
		return finish_literal (p, error);
	p->state = ST_LITERAL_DATA;
	return TRUE;
}

/* Takes as much literal data as this chunk holds; returns the octets used. */
static gsize
feed_literal (MpImapParser *p, const guint8 *data, gsize len, GError **error)
{
	gsize n = (gsize) MIN ((guint64) len, p->lit_left);

	if (p->lit_streamed) {
		g_autoptr(GError) local = NULL;
		if (!p->set.literal_data (data, n, p->set.user_data, &local)) {
			fail (p, error, "literal consumer failed: %s",
			      local != NULL ? local->message : "no reason given");
			return 0;
		}
	} else if (p->lit_keep > 0) {
		gsize k = (gsize) MIN ((guint64) n, p->lit_keep);
		tok_append (p, data, k);
		p->lit_keep -= k;
	}
	p->lit_left -= n;
	p->offset += n;
	if (p->lit_left == 0 && !finish_literal (p, error))
		return 0;
	return n;
}

static gboolean
push_list (MpImapParser *p, GError **error)
{
	MpImapValue *list;

	if (p->phase == PHASE_TAG_STATUS) {
		fail (p, error, "tagged response without OK, NO or BAD");
		return FALSE;
	}
	if (p->dropping) {
		p->skip_depth++;
		return TRUE;
	}
	/* the root data list or the code is open[0]; "(" levels count from 1 */
	if (p->open_len > p->set.max_depth) {
		if (!can_truncate (p)) {
			fail (p, error, "lists nested deeper than %u", p->set.max_depth);
			return FALSE;
		}
		start_dropping (p);
		p->skip_depth++;
		return TRUE;
	}
	list = value_new (p, MP_IMAP_VALUE_LIST);
	if (!emit (p, list, error))
		return FALSE;
	if (p->dropping) {
		/* emit hit a limit: this list is the first thing dropped */
		p->skip_depth++;
		return TRUE;
	}
	open_push (p, list);
	return TRUE;
}

static gboolean
pop_list (MpImapParser *p, GError **error)
{
	if (p->skip_depth > 0) {
		p->skip_depth--;
		return TRUE;
	}
	if (p->open_len <= 1) {
		fail (p, error, "unexpected ')'");
		return FALSE;
	}
	open_pop (p);
	return TRUE;
}

static void
complete_response (MpImapParser *p)
{
	MpImapResponse *r = p->cur;
	gsize used = 0;

	for (Chunk *c = r->chunks; c != NULL; c = c->next)
		used += c->used;
	/* the next response's first block: this one's size, within bounds */
	p->chunk_hint = MIN (MAX ((used + 1023) & ~(gsize) 1023, CHUNK_FIRST_MIN), CHUNK_FIRST_MAX);
	g_queue_push_tail (&p->done, g_steal_pointer (&p->cur));
	p->responses++;
	reset_response (p);
}

/* CR or LF ends the response (a bare LF is tolerated). */
static Step
end_of_line (MpImapParser *p, guchar c)
{
	if (c == '\r') {
		p->state = ST_CR;
		return STEP_CONSUMED;
	}
	complete_response (p);
	return STEP_CONSUMED;
}

static void
set_text (MpImapParser *p)
{
	/* dropping keeps the text read before the cut */
	p->cur->text = arena_strndup (p, p->tok, p->tok_len);
	p->cur->text_len = p->tok_len;
	p->tok_len = 0;
}

static gboolean
is_ctl (guchar c)
{
	return c < 0x20 || c == 0x7f;
}

static Step
step_tag (MpImapParser *p, guchar c, GError **error)
{
	const char *tag = p->tok;
	gsize n = p->tok_len;

	if (c == ' ' || c == '\r' || c == '\n') {
		gboolean plus = n == 1 && tag[0] == '+';
		gboolean star = n == 1 && tag[0] == '*';
		if (n == 0) {
			fail (p, error, c == ' ' ? "response starts with a space" : "empty line");
			return STEP_ERROR;
		}
		if (!plus && !star && (memchr (tag, '+', n) || memchr (tag, '*', n))) {
			fail (p, error, "invalid tag");
			return STEP_ERROR;
		}
		p->cur = response_new (p);
		if (plus) {
			/* RFC 3501 §7.5: continue-req = "+" SP (resp-text / base64) */
			p->cur->kind = MP_IMAP_RESPONSE_CONTINUATION;
			p->phase = PHASE_TEXT;
			p->tok_len = 0;
			if (c != ' ') {
				set_text (p);
				return end_of_line (p, c);
			}
			p->state = ST_TEXT_START;
			return STEP_CONSUMED;
		}
		if (c != ' ') {
			fail (p, error, "response ends after its tag");
			return STEP_ERROR;
		}
		if (star) {
			p->cur->kind = MP_IMAP_RESPONSE_UNTAGGED;
			p->phase = PHASE_UNTAGGED_FIRST;
			p->tok_len = 0;
		} else {
			p->cur->kind = MP_IMAP_RESPONSE_TAGGED;
			p->cur->tag = take_token (p, &n);
			p->phase = PHASE_TAG_STATUS;
		}
		p->cur->data = value_new (p, MP_IMAP_VALUE_LIST);
		open_push (p, p->cur->data);
		p->state = ST_BETWEEN;
		return STEP_CONSUMED;
	}
	/* RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+"> */
	if (is_ctl (c) || c >= 0x80 || strchr ("(){\"\\%", c) != NULL) {
		fail (p, error, "invalid octet 0x%02x in tag", c);
		return STEP_ERROR;
	}
	tok_append (p, &c, 1);
	return STEP_CONSUMED;
}

static Step
end_of_values (MpImapParser *p, guchar c, GError **error)
{
	if (p->phase == PHASE_CODE) {
		fail (p, error, "unterminated response code");
		return STEP_ERROR;
	}
	if (p->open_len > 1 || p->skip_depth > 0) {
		fail (p, error, "unterminated list");
		return STEP_ERROR;
	}
	if (p->phase == PHASE_TAG_STATUS) {
		fail (p, error, "tagged response without OK, NO or BAD");
		return STEP_ERROR;
	}
	if (p->phase == PHASE_UNTAGGED_FIRST) {
		fail (p, error, "empty untagged response");
		return STEP_ERROR;
	}
	if (p->open_len == 1)
		open_pop (p); /* the root data list */
	return end_of_line (p, c);
}

static Step
step_between (MpImapParser *p, guchar c, GError **error)
{
	switch (c) {
	case ' ':
		return STEP_CONSUMED;
	case '\r':
	case '\n':
		return end_of_values (p, c, error);
	case '(':
		return push_list (p, error) ? STEP_CONSUMED : STEP_ERROR;
	case ')':
		return pop_list (p, error) ? STEP_CONSUMED : STEP_ERROR;
	case '"':
		p->tok_len = 0;
		p->state = ST_QUOTED;
		return STEP_CONSUMED;
	case '{':
		p->lit_size = 0;
		p->lit_digits = 0;
		p->lit8 = FALSE;
		p->state = ST_LITERAL_SIZE;
		return STEP_CONSUMED;
	case '~':
		p->state = ST_TILDE;
		return STEP_CONSUMED;
	case ']':
		if (p->phase == PHASE_CODE) {
			if (p->open_len > 1 || p->skip_depth > 0) {
				fail (p, error, "unterminated list in response code");
				return STEP_ERROR;
			}
			open_pop (p); /* the code */
			p->phase = PHASE_TEXT;
			p->state = ST_AFTER_CODE;
			p->tok_len = 0;
			return STEP_CONSUMED;
		}
		break; /* ASTRING-CHAR includes "]" (RFC 3501 §9) */
	default:
		if (is_ctl (c)) {
			fail (p, error, "unexpected octet 0x%02x", c);
			return STEP_ERROR;
		}
		break;
	}
	p->tok_len = 0;
	p->state = ST_ATOM;
	return STEP_AGAIN;
}

static Step
step_atom (MpImapParser *p, guchar c, GError **error)
{
	gboolean ends = c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n' ||
	                (c == ']' && p->phase == PHASE_CODE);

	if (ends) {
		p->state = ST_BETWEEN;
		return finish_atom (p, error) ? STEP_AGAIN : STEP_ERROR;
	}
	if (c == '"' || c == '{' || is_ctl (c)) {
		fail (p, error, "unexpected octet 0x%02x in atom", c);
		return STEP_ERROR;
	}
	tok_append (p, &c, 1);
	if (c == '[') {
		/* RFC 3501 §9 section: BODY[HEADER.FIELDS (A B)]<0> is one item name */
		p->section_depth = 0;
		p->section_quoted = FALSE;
		p->section_escape = FALSE;
		p->state = ST_SECTION;
	}
	return STEP_CONSUMED;
}

static Step
step_section (MpImapParser *p, guchar c, GError **error)
{
	if (c == '\r' || c == '\n' || c == '\0') {
		fail (p, error, "unterminated section");
		return STEP_ERROR;
	}
	if (p->section_quoted) {
		if (p->section_escape)
			p->section_escape = FALSE;
		else if (c == '\\')
			p->section_escape = TRUE;
		else if (c == '"')
			p->section_quoted = FALSE;
	} else if (c == '"') {
		p->section_quoted = TRUE;
	} else if (c == '(') {
		if (++p->section_depth > p->set.max_depth) {
			fail (p, error, "section nested deeper than %u", p->set.max_depth);
			return STEP_ERROR;
		}
	} else if (c == ')') {
		if (p->section_depth == 0) {
			fail (p, error, "unexpected ')' in section");
			return STEP_ERROR;
		}
		p->section_depth--;
	} else if (c == ']') {
		if (p->section_depth != 0) {
			fail (p, error, "unterminated list in section");
			return STEP_ERROR;
		}
		p->state = ST_ATOM;
	} else if (c == '[' || c == '{' || is_ctl (c)) {
		fail (p, error, "unexpected octet 0x%02x in section", c);
		return STEP_ERROR;
	}
	tok_append (p, &c, 1);
	return STEP_CONSUMED;
}

/* RFC 3501 §9: quoted = DQUOTE *QUOTED-CHAR DQUOTE; the only escapes are
 * \" and \\; CR and LF end nothing here, they are errors. */
static Step
step_quoted (MpImapParser *p, guchar c, GError **error)
{
	if (p->state == ST_QUOTED_ESCAPE) {
		if (c != '"' && c != '\\') {
			fail (p, error, "invalid escape in quoted string");
			return STEP_ERROR;
		}
		tok_append (p, &c, 1);
		p->state = ST_QUOTED;
		return STEP_CONSUMED;
	}
	switch (c) {
	case '"': {
		MpImapValue *v;
		p->state = ST_AFTER_STRING;
		if (p->dropping) {
			p->tok_len = 0;
			return STEP_CONSUMED;
		}
		v = value_new (p, MP_IMAP_VALUE_STRING);
		v->u.data = take_token (p, &v->len);
		return emit (p, v, error) ? STEP_CONSUMED : STEP_ERROR;
	}
	case '\\':
		p->state = ST_QUOTED_ESCAPE;
		return STEP_CONSUMED;
	case '\r':
	case '\n':
		fail (p, error, "unterminated quoted string");
		return STEP_ERROR;
	case '\0':
		fail (p, error, "NUL in quoted string");
		return STEP_ERROR;
	default:
		tok_append (p, &c, 1);
		return STEP_CONSUMED;
	}
}

static Step
step_after_string (MpImapParser *p, guchar c, GError **error)
{
	if (c == ' ' || c == ')' || c == '\r' || c == '\n' || (c == ']' && p->phase == PHASE_CODE)) {
		p->state = ST_BETWEEN;
		return STEP_AGAIN;
	}
	fail (p, error, "expected a space after a string, got 0x%02x", c);
	return STEP_ERROR;
}

/* RFC 3501 §9 literal = "{" number "}" CRLF; RFC 7888 "{n+}"; RFC 3516
 * literal8 = "~{" number64 "}". The size is checked for overflow digit by
 * digit, before anything depends on it. */
static Step
step_literal_header (MpImapParser *p, guchar c, GError **error)
{
	switch (p->state) {
	case ST_TILDE:
		if (c == '{') {
			p->lit_size = 0;
			p->lit_digits = 0;
			p->lit8 = TRUE;
			p->state = ST_LITERAL_SIZE;
			return STEP_CONSUMED;
		}
		/* "~" starts an atom such as ~/Mail */
		p->tok_len = 0;
		tok_append (p, "~", 1);
		p->state = ST_ATOM;
		return STEP_AGAIN;
	case ST_LITERAL_SIZE:
		if (g_ascii_isdigit (c)) {
			guint d = c - '0';
			if (p->lit_digits == 20 || p->lit_size > (G_MAXUINT64 - d) / 10) {
				fail (p, error, "literal size larger than %" G_GUINT64_FORMAT, G_MAXUINT64);
				return STEP_ERROR;
			}
			p->lit_size = p->lit_size * 10 + d;
			p->lit_digits++;
			return STEP_CONSUMED;
		}
		if ((c == '}' || c == '+') && p->lit_digits > 0) {
			p->state = c == '}' ? ST_LITERAL_CRLF : ST_LITERAL_CLOSE;
			return STEP_CONSUMED;
		}
		fail (p, error, "invalid literal size");
		return STEP_ERROR;
	case ST_LITERAL_CLOSE:
		if (c == '}') {
			p->state = ST_LITERAL_CRLF;
			return STEP_CONSUMED;
		}
		fail (p, error, "invalid literal size");
		return STEP_ERROR;
	case ST_LITERAL_CRLF:
		if (c == '\r') {
			p->state = ST_LITERAL_LF;
			return STEP_CONSUMED;
		}
		G_GNUC_FALLTHROUGH;
	case ST_LITERAL_LF:
	default:
		if (c == '\n')
			return begin_literal (p, error) ? STEP_CONSUMED : STEP_ERROR;
		fail (p, error, "literal size not followed by CRLF");
		return STEP_ERROR;
	}
}

/* resp-text = ["[" resp-text-code "]" SP] text (RFC 3501 §7.1, §9). The
 * text is free-form up to CRLF: a "{5}" there is no literal. */
static Step
step_text (MpImapParser *p, guchar c, GError **error)
{
	switch (p->state) {
	case ST_STATUS_SP:
		if (c == ' ') {
			p->state = ST_TEXT_START;
			return STEP_CONSUMED;
		}
		if (c == '\r' || c == '\n') {
			set_text (p);
			return end_of_line (p, c);
		}
		fail (p, error, "expected a space after the status");
		return STEP_ERROR;
	case ST_TEXT_START:
		if (c == '[') {
			p->cur->code = value_new (p, MP_IMAP_VALUE_LIST);
			open_push (p, p->cur->code);
			p->phase = PHASE_CODE;
			p->state = ST_BETWEEN;
			return STEP_CONSUMED;
		}
		p->state = ST_TEXT;
		return STEP_AGAIN;
	case ST_AFTER_CODE:
		p->state = ST_TEXT;
		/* tolerate "[ALERT]text" without the space */
		return c == ' ' ? STEP_CONSUMED : STEP_AGAIN;
	case ST_TEXT:
	default:
		if (c == '\r' || c == '\n') {
			set_text (p);
			return end_of_line (p, c);
		}
		if (c == '\0') {
			fail (p, error, "NUL in response text");
			return STEP_ERROR;
		}
		tok_append (p, &c, 1);
		return STEP_CONSUMED;
	}
}

static Step
step (MpImapParser *p, guchar c, GError **error)
{
	switch (p->state) {
	case ST_LINE_START:
		p->tok_len = 0;
		p->state = ST_TAG;
		return STEP_AGAIN;
	case ST_TAG:
		return step_tag (p, c, error);
	case ST_BETWEEN:
		return step_between (p, c, error);
	case ST_AFTER_STRING:
		return step_after_string (p, c, error);
	case ST_ATOM:
		return step_atom (p, c, error);
	case ST_SECTION:
		return step_section (p, c, error);
	case ST_QUOTED:
	case ST_QUOTED_ESCAPE:
		return step_quoted (p, c, error);
	case ST_TILDE:
	case ST_LITERAL_SIZE:
	case ST_LITERAL_CLOSE:
	case ST_LITERAL_CRLF:
	case ST_LITERAL_LF:
		return step_literal_header (p, c, error);
	case ST_STATUS_SP:
	case ST_TEXT_START:
	case ST_AFTER_CODE:
	case ST_TEXT:
		return step_text (p, c, error);
	case ST_CR:
		if (c == '\n') {
			complete_response (p);
			return STEP_CONSUMED;
		}
		fail (p, error, "CR not followed by LF");
		return STEP_ERROR;
	case ST_LITERAL_DATA:
	default:
		g_assert_not_reached ();
	}
	return STEP_ERROR;
}

/* Counts N octets of the response outside literals against the line limit;
 * past it the response is truncated where that is allowed, else it fails. */
static gboolean
count_octets (MpImapParser *p, gsize n, GError **error)
{
	p->offset += n;
	if (p->state == ST_LINE_START)
		return TRUE; /* the octet ended a response; the next one starts afresh */
	p->line_bytes += n;
	if (p->line_bytes > p->set.max_line_length && !p->dropping) {
		if (!can_truncate (p)) {
			fail (p, error, "response longer than %" G_GSIZE_FORMAT " octets outside literals",
			      p->set.max_line_length);
			return FALSE;
		}
		start_dropping (p);
	}
	return TRUE;
}

/* The octets from DATA on that continue the token of the current state. */
static gsize
run_length (const MpImapParser *p, const guint8 *data, gsize len)
{
	guint8 k;
	gsize n = 0;

	switch (p->state) {
	case ST_ATOM:
		k = C_ATOM;
		break;
	case ST_QUOTED:
		k = C_QUOTED;
		break;
	case ST_TEXT:
		k = C_TEXT;
		break;
	default:
		return 0;
	}
	while (n < len && (octet_class[data[n]] & k))
		n++;
	return n;
}

/* The common case of untagged data, taken without the state machine: a
 * space, a list's end, or a whole atom or plain quoted string that ends in
 * this chunk, copied straight from DATA into the arena. Anything else (a
 * token cut by the chunk's end, an escape, a section, a literal, a limit
 * near) is left to step(): returns the octets taken, 0 for none. */
static gsize
fast_token (MpImapParser *p, const guint8 *data, gsize len, GError **error)
{
	guchar c = data[0];
	gsize n = 1, take;
	MpImapValue *v;

	if (p->line_bytes + 1 + (gsize) 4096 > p->set.max_line_length)
		return 0; /* near the limit: every octet counted the slow way */
	if (c == ' ')
		take = 1;
	else if (c == ')' && p->skip_depth == 0 && p->open_len > 1) {
		open_pop (p);
		take = 1;
	} else if (octet_class[c] & C_ATOM) {
		while (n < len && n < 4096 && (octet_class[data[n]] & C_ATOM))
			n++;
		if (n == len || n == 4096 || strchr (" ()\r\n", data[n]) == NULL || data[n] == '\0')
			return 0; /* cut, long, or ending in "[", "]", a quote... */
		if (is_all_digits ((const char *) data, n)) {
			guint64 num = 0;
			if (n > 20)
				return 0; /* the slow way says why, at the same octet */
			for (gsize k = 0; k < n; k++) {
				guint d = (guint) (data[k] - '0');
				if (num > (G_MAXUINT64 - d) / 10)
					return 0;
				num = num * 10 + d;
			}
			v = value_new (p, MP_IMAP_VALUE_NUMBER);
			v->num = num;
		} else if (n == 3 && g_ascii_strncasecmp ((const char *) data, "NIL", 3) == 0) {
			v = value_new (p, MP_IMAP_VALUE_NIL);
		} else {
			v = value_new (p, MP_IMAP_VALUE_ATOM);
		}
		if (v->type != MP_IMAP_VALUE_NIL) {
			v->u.data = arena_strndup (p, (const char *) data, n);
			v->len = n;
		}
		if (!emit (p, v, error))
			return G_MAXSIZE;
		take = n;
	} else if (c == '"') {
		while (n < len && n < 4096 && (octet_class[data[n]] & C_QUOTED))
			n++;
		if (n == len || n == 4096 || data[n] != '"' || n + 1 == len ||
		    (data[n + 1] != ' ' && data[n + 1] != ')'))
			return 0; /* cut, long, escaped, or not followed plainly */
		v = value_new (p, MP_IMAP_VALUE_STRING);
		v->u.data = arena_strndup (p, (const char *) data + 1, n - 1);
		v->len = n - 1;
		if (!emit (p, v, error))
			return G_MAXSIZE;
		take = n + 1; /* the closing quote; the space or ")" comes next */
	} else {
		return 0;
	}
	p->offset += take;
	p->line_bytes += take;
	return take;
}

gboolean
mp_imap_parser_feed (MpImapParser *p, const guint8 *data, gsize len, GError **error)
{
	gsize i = 0;

	if (p->failure != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "IMAP parser stopped after an earlier error (%s)",
		             p->failure);
		return FALSE;
	}
	while (i < len) {
		Step s;
		gsize run;

		if (p->state == ST_LITERAL_DATA) {
			gsize used = feed_literal (p, data + i, len - i, error);
			if (used == 0)
				return FALSE;
			i += used;
			continue;
		}
		if (p->state == ST_BETWEEN && p->phase == PHASE_DATA && !p->dropping) {
			gsize used = fast_token (p, data + i, len - i, error);
			if (used == G_MAXSIZE)
				return FALSE;
			if (used > 0) {
				i += used;
				continue;
			}
		}
		run = run_length (p, data + i, len - i);
		if (run > 0) {
			/* what fits under the line limit is kept (a truncated text
			 * keeps its start), then the run is counted */
			gsize room = p->line_bytes < p->set.max_line_length ? p->set.max_line_length - p->line_bytes : 0;
			/* a limit that fails the response fails at the octet past it,
			 * however the input was cut */
			if (run > room && !p->dropping && !can_truncate (p))
				run = room + 1;
			tok_append (p, data + i, MIN (run, room));
			if (!count_octets (p, run, error))
				return FALSE;
			i += run;
			continue;
		}
		s = step (p, data[i], error);
		if (s == STEP_ERROR)
			return FALSE;
		if (s == STEP_CONSUMED) {
			i++;
			if (!count_octets (p, 1, error))
				return FALSE;
		}
	}
	return TRUE;
}

gboolean
mp_imap_parser_finish (MpImapParser *p, GError **error)
{
	if (p->failure != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "IMAP parser stopped after an earlier error (%s)",
		             p->failure);
		return FALSE;
	}
	if (p->state != ST_LINE_START) {
		fail (p, error, "the stream ended inside a response");
		return FALSE;
	}
	return TRUE;
}
