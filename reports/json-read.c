/* json-read.c — a small pull parser for our JSON reports. Values are parsed
 * into a tiny tree only one message (or header field) at a time; "sources",
 * "folders" and "messages" are walked as streams.
 *
 * Keys are matched by their whole name, from one table per kind of object
 * (top level, source, folder); a key this version does not know is skipped
 * as a value, whatever it holds, and never taken for another
 * (docs/json-schema.md, "Compatibility": keys are only ever added). */
#include "json-read.h"
#include "discover.h"
#include "shown-text.h"
#include "mp-error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH   64
#define MAX_STRING  (64 * 1024 * 1024)

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } JvType;

typedef struct Jv Jv;
struct Jv {
	JvType     t;
	gboolean   b;
	char      *s;      /* string, or the text of a number */
	GPtrArray *items;  /* Jv*: array elements or object values */
	GPtrArray *keys;   /* char*: object keys, parallel to items */
};

typedef struct {
	FILE       *fp;
	gboolean    own_fp;     /* opened here: closed here */
	const char *path;
	int         c;      /* lookahead */
	guint64     line;
	GError     *error;
	/* the replay */
	const MpScanSink *sink;
	gpointer    sink_data;
	MpReportMeta *meta;
	gboolean    first;
	gboolean    schema_ok;
	guint       major;      /* the schema's major version: 1 or 2 */
	/* the list being walked: "accounts" (2) or "sources" (1) */
	gboolean    in_list;    /* an element of it is next */
	gboolean    done;       /* the whole document was read */
	guint64     n_items;    /* elements read so far */
	GArray     *ordinals;   /* guint64: each account's, in file order */
	guint64     ordinal_base; /* added to each account's ordinal (runs merged one after another) */
	gboolean    keep_ordinals;
	/* version 1: the account of the source being read (one each) */
	MpAccount  *v1_account;
	gboolean    v1_begun;
	MpAccountResult *cur_result; /* of the account being read: its sources are added */
} Reader;

static void
jv_free (Jv *v)
{
	if (v == NULL)
		return;
	g_free (v->s);
	if (v->items)
		g_ptr_array_unref (v->items);
	if (v->keys)
		g_ptr_array_unref (v->keys);
	g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Jv, jv_free)

static const Jv *
jv_get (const Jv *o, const char *k)
{
	if (o == NULL || o->t != JV_OBJ)
		return NULL;
	for (guint i = 0; i < o->keys->len; i++)
		if (strcmp (g_ptr_array_index (o->keys, i), k) == 0)
			return g_ptr_array_index (o->items, i);
	return NULL;
}

static const char *
jv_str (const Jv *o, const char *k)
{
	const Jv *v = jv_get (o, k);

	return v && v->t == JV_STR ? v->s : NULL;
}

static guint64
jv_u64 (const Jv *o, const char *k)
{
	const Jv *v = jv_get (o, k);
	guint64 n = 0;

	if (v && v->t == JV_NUM)
		g_ascii_string_to_unsigned (v->s, 10, 0, G_MAXUINT64, &n, NULL);
	return n;
}

/* ---- lexing -------------------------------------------------------------- */

static void
advance (Reader *r)
{
	if (r->c == '\n')
		r->line++;
	r->c = getc (r->fp);
}

static gboolean
fail (Reader *r, const char *what)
{
	if (r->error == NULL) {
		if (r->c == EOF)
			g_set_error (&r->error, MP_ERROR, MP_ERROR_READ, "%s:%" G_GUINT64_FORMAT ": %s (at the end of the file)",
			             r->path, r->line, what);
		else
			g_set_error (&r->error, MP_ERROR, MP_ERROR_READ, "%s:%" G_GUINT64_FORMAT ": %s", r->path, r->line, what);
	}
	return FALSE;
}

static void
skip_ws (Reader *r)
{
	while (r->c == ' ' || r->c == '\t' || r->c == '\n' || r->c == '\r')
		advance (r);
}

static gboolean
expect (Reader *r, int ch)
{
	skip_ws (r);
	if (r->c != ch) {
		g_autofree char *msg = g_strdup_printf ("expected '%c'", ch);
		return fail (r, msg);
	}
	advance (r);
	return TRUE;
}

/* After an element of an array or object: TRUE if another follows. */
static gboolean
more (Reader *r, int close)
{
	skip_ws (r);
	if (r->c == ',') {
		advance (r);
		return TRUE;
	}
	if (r->c == close) {
		advance (r);
		return FALSE;
	}
	fail (r, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
	return FALSE;
}

/* Opens an array or object: TRUE if it has a first element. */
static gboolean
open_container (Reader *r, int open, int close)
{
	if (!expect (r, open))
		return FALSE;
	skip_ws (r);
	if (r->c == close) {
		advance (r);
		return FALSE;
	}
	return TRUE;
}

static int
hex4 (Reader *r)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = g_ascii_xdigit_value ((char) r->c);
		if (r->c == EOF || d < 0)
			return -1;
		v = v * 16 + d;
		advance (r);
	}
	return v;
}

/* Reads a JSON string into OUT, or only checks it when OUT is NULL (a
 * skipped value costs no memory, whatever its length). */
static gboolean
scan_string (Reader *r, GString *out)
{
	skip_ws (r);
	if (r->c != '"')
		return fail (r, "expected a string");
	advance (r);
	for (;;) {
		if (r->c == EOF || r->c < 0x20 || (out != NULL && out->len > MAX_STRING))
			return fail (r, "unterminated or invalid string");
		if (r->c == '"') {
			advance (r);
			return TRUE;
		}
		if (r->c != '\\') {
			if (out != NULL)
				g_string_append_c (out, (char) r->c);
			advance (r);
			continue;
		}
		advance (r);
		switch (r->c) {
		case '"': case '\\': case '/':
			if (out != NULL)
				g_string_append_c (out, (char) r->c);
			advance (r);
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			if (out != NULL)
				g_string_append_c (out, r->c == 'b' ? '\b' : r->c == 'f' ? '\f' : r->c == 'n' ? '\n'
				                      : r->c == 'r' ? '\r' : '\t');
			advance (r);
			break;
		case 'u': {
			int u, lo;
			advance (r);
			u = hex4 (r);
			if (u >= 0xd800 && u <= 0xdbff && r->c == '\\') {
				advance (r);
				if (r->c != 'u') {
					u = -1;
				} else {
					advance (r);
					lo = hex4 (r);
					u = (lo >= 0xdc00 && lo <= 0xdfff) ? 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00) : -1;
				}
			}
			if (u < 0)
				return fail (r, "invalid \\u escape");
			if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
				u = 0xfffd; /* NUL or a lone surrogate: not a C string character */
			if (out != NULL)
				g_string_append_unichar (out, (gunichar) u);
			break;
		}
		default:
			return fail (r, "invalid escape in a string");
		}
	}
}

static char *
parse_string (Reader *r)
{
	GString *s = g_string_new (NULL);

	if (!scan_string (r, s)) {
		g_string_free (s, TRUE);
		return NULL;
	}
	if (!g_utf8_validate (s->str, (gssize) s->len, NULL)) {
		char *v = g_utf8_make_valid (s->str, (gssize) s->len);
		g_string_free (s, TRUE);
		return v;
	}
	return g_string_free (s, FALSE);
}

static Jv *parse_value (Reader *r, int depth);

static Jv *
jv_new (JvType t)
{
	Jv *v = g_new0 (Jv, 1);

	v->t = t;
	return v;
}

static Jv *
parse_word (Reader *r)
{
	char buf[64];
	gsize n = 0;
	Jv *v;

	while (n + 1 < sizeof buf && (g_ascii_isalnum (r->c) || r->c == '-' || r->c == '+' || r->c == '.')) {
		buf[n++] = (char) r->c;
		advance (r);
	}
	buf[n] = '\0';
	if (strcmp (buf, "null") == 0)
		return jv_new (JV_NULL);
	if (strcmp (buf, "true") == 0 || strcmp (buf, "false") == 0) {
		v = jv_new (JV_BOOL);
		v->b = buf[0] == 't';
		return v;
	}
	if (n && (g_ascii_isdigit (buf[0]) || buf[0] == '-')) {
		char *end = NULL;
		g_ascii_strtod (buf, &end);
		if (end && *end == '\0') {
			v = jv_new (JV_NUM);
			v->s = g_strdup (buf);
			return v;
		}
	}
	fail (r, "expected a JSON value");
	return NULL;
}

static Jv *
parse_value (Reader *r, int depth)
{
	Jv *v;

	if (depth > MAX_DEPTH) {
		fail (r, "nested too deeply");
		return NULL;
	}
	skip_ws (r);
	switch (r->c) {
	case '"':
		v = jv_new (JV_STR);
		if ((v->s = parse_string (r)) == NULL) {
			jv_free (v);
			return NULL;
		}
		return v;
	case '[':
		v = jv_new (JV_ARR);
		v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) jv_free);
		if (open_container (r, '[', ']')) {
			do {
				Jv *e = parse_value (r, depth + 1);
				if (e == NULL) {
					jv_free (v);
					return NULL;
				}
				g_ptr_array_add (v->items, e);
			} while (more (r, ']'));
		}
		if (r->error) {
			jv_free (v);
			return NULL;
		}
		return v;
	case '{':
		v = jv_new (JV_OBJ);
		v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) jv_free);
		v->keys = g_ptr_array_new_with_free_func (g_free);
		if (open_container (r, '{', '}')) {
			do {
				char *k = parse_string (r);
				Jv *e;
				if (k == NULL || !expect (r, ':') || (e = parse_value (r, depth + 1)) == NULL) {
					g_free (k);
					jv_free (v);
					return NULL;
				}
				g_ptr_array_add (v->keys, k);
				g_ptr_array_add (v->items, e);
			} while (more (r, '}'));
		}
		if (r->error) {
			jv_free (v);
			return NULL;
		}
		return v;
	default:
		return parse_word (r);
	}
}

/* Skips one value of any kind: a key this version does not know. Nothing
 * is kept, so an unknown key costs no memory whatever it holds. */
static gboolean
skip_value (Reader *r, int depth)
{
	if (depth > MAX_DEPTH)
		return fail (r, "nested too deeply");
	skip_ws (r);
	switch (r->c) {
	case '"':
		return scan_string (r, NULL);
	case '[':
		if (open_container (r, '[', ']'))
			do {
				if (!skip_value (r, depth + 1))
					return FALSE;
			} while (more (r, ']'));
		return r->error == NULL;
	case '{':
		if (open_container (r, '{', '}'))
			do {
				if (!scan_string (r, NULL) || !expect (r, ':') || !skip_value (r, depth + 1))
					return FALSE;
			} while (more (r, '}'));
		return r->error == NULL;
	default: {
		Jv *v = parse_word (r);
		gboolean ok = v != NULL;
		jv_free (v);
		return ok;
	}
	}
}

/* ---- the keys this reader knows ------------------------------------------ */

/* Each streamed object's keys, by their whole name (docs/json-schema.md). */
typedef enum { TOP_SCHEMA, TOP_FAIL_ON, TOP_RUNS, TOP_RULES, TOP_ACCOUNTS, TOP_SOURCES, TOP_N } TopKey;
static const char *const top_keys[TOP_N] = {
	[TOP_SCHEMA] = "schema", [TOP_FAIL_ON] = "fail_on", [TOP_RUNS] = "runs",
	[TOP_RULES] = "rules", [TOP_ACCOUNTS] = "accounts", [TOP_SOURCES] = "sources",
};

typedef enum { SRC_SOURCE, SRC_KIND, SRC_ERROR, SRC_FOLDERS, SRC_FINDINGS, SRC_NOTICES, SRC_N } SourceKey;
static const char *const source_keys[SRC_N] = {
	[SRC_SOURCE] = "source", [SRC_KIND] = "kind", [SRC_ERROR] = "error",
	[SRC_FOLDERS] = "folders", [SRC_FINDINGS] = "findings", [SRC_NOTICES] = "notices",
};

typedef enum { FLD_NAME, FLD_ERROR, FLD_FINDINGS, FLD_MESSAGES, FLD_FINAL_FINDINGS, FLD_NOTICES, FLD_N } FolderKey;
static const char *const folder_keys[FLD_N] = {
	[FLD_NAME] = "name", [FLD_ERROR] = "error", [FLD_FINDINGS] = "findings",
	[FLD_MESSAGES] = "messages", [FLD_FINAL_FINDINGS] = "final_findings", [FLD_NOTICES] = "notices",
};

/* The index of K in NAMES (N of them); N when it is none of them. */
static guint
key_index (const char *k, const char *const *names, guint n)
{
	for (guint i = 0; i < n; i++)
		if (strcmp (k, names[i]) == 0)
			return i;
	return n;
}

/* A string or null into *OUT (replacing it); another type is an error. */
static gboolean
take_string_or_null (Reader *r, const char *key, char **out)
{
	skip_ws (r);
	if (r->c == '"') {
		char *v = parse_string (r);
		if (v == NULL)
			return FALSE;
		g_free (*out);
		*out = v;
		return TRUE;
	}
	if (r->c == 'n') {
		Jv *v = parse_word (r);
		gboolean ok = v != NULL && v->t == JV_NULL;
		jv_free (v);
		if (ok) {
			g_clear_pointer (out, g_free);
			return TRUE;
		}
	}
	{
		g_autofree char *msg = g_strdup_printf ("\"%s\" must be a string or null", key);
		return fail (r, msg);
	}
}

/* ---- building events ----------------------------------------------------- */

static MpSeverity
severity_of (const char *name)
{
	MpSeverity s = MP_SEVERITY_ERROR;

	if (name)
		mp_severity_parse (name, &s);
	return s;
}

static MpFinding *
finding_from (const Jv *o)
{
	MpFinding *f = mp_finding_new ();

	f->rule = g_strdup (jv_str (o, "rule") ? jv_str (o, "rule") : "unknown");
	f->check = g_strdup (jv_str (o, "check") ? jv_str (o, "check") : "unknown");
	f->severity = severity_of (jv_str (o, "severity"));
	f->value = g_strdup (jv_str (o, "value"));
	f->limit = g_strdup (jv_str (o, "limit"));
	f->detail = g_strdup (jv_str (o, "detail"));
	f->advice = g_strdup (jv_str (o, "advice"));
	return f;
}

static MpMessage *
message_from (const Jv *o, const char *folder)
{
	MpMessage *m = mp_message_new ();
	const Jv *v;
	const char *s;

	m->folder = g_strdup (folder);
	m->index = jv_u64 (o, "index");
	m->locator = g_strdup (jv_str (o, "locator"));
	m->message_id = g_strdup (jv_str (o, "message_id"));
	m->date = g_strdup (jv_str (o, "date"));
	if ((v = jv_get (o, "date_unix")) && v->t == JV_NUM)
		g_ascii_string_to_signed (v->s, 10, G_MININT64, G_MAXINT64, &m->date_unix, NULL);
	s = jv_str (o, "date_source");
	m->date_source = g_strcmp0 (s, "header") == 0 ? MP_DATE_HEADER
	               : g_strcmp0 (s, "from-line") == 0 ? MP_DATE_FROM_LINE
	               : g_strcmp0 (s, "mtime") == 0 ? MP_DATE_MTIME
	               : g_strcmp0 (s, "internaldate") == 0 ? MP_DATE_INTERNALDATE : MP_DATE_NONE;
	m->from = g_strdup (jv_str (o, "from"));
	m->subject = g_strdup (jv_str (o, "subject"));
	m->size = jv_u64 (o, "size");
	m->attachments = (guint) jv_u64 (o, "attachments");
	m->inline_parts = (guint) jv_u64 (o, "inline_parts");
	m->nested_attachments = (guint) jv_u64 (o, "nested_attachments");
	m->mime_parts = (guint) jv_u64 (o, "mime_parts");
	m->depth = (guint) jv_u64 (o, "depth");
	m->max_line = jv_u64 (o, "max_line");
	if ((v = jv_get (o, "flags")) && v->t == JV_ARR)
		for (guint i = 0; i < v->items->len; i++) {
			const Jv *e = g_ptr_array_index (v->items, i);
			if (e->t == JV_STR)
				m->flags |= mp_message_flag_from_name (e->s);
		}
	s = jv_str (o, "read");
	m->read_state = g_strcmp0 (s, "read") == 0 ? MP_READ_SEEN
	              : g_strcmp0 (s, "unread") == 0 ? MP_READ_UNSEEN : MP_READ_UNKNOWN;
	m->deleted = mp_deleted_from_name (jv_str (o, "deleted"));
	s = jv_str (o, "downloaded");
	m->fetched = g_strcmp0 (s, "whole") == 0 ? MP_FETCHED_WHOLE
	           : g_strcmp0 (s, "parts") == 0 ? MP_FETCHED_PARTS : MP_FETCHED_NONE;
	m->fetched_octets = jv_u64 (o, "downloaded_octets");
	if ((v = jv_get (o, "attachment_list")) && v->t == JV_ARR)
		for (guint i = 0; i < v->items->len; i++) {
			const Jv *a = g_ptr_array_index (v->items, i);
			mp_message_add_attachment (m, jv_str (a, "filename"),
			                           jv_str (a, "type") ? jv_str (a, "type") : "application/octet-stream",
			                           jv_u64 (a, "size"));
		}
	if ((v = jv_get (o, "problems")) && v->t == JV_ARR)
		for (guint i = 0; i < v->items->len; i++) {
			const Jv *e = g_ptr_array_index (v->items, i);
			if (e->t == JV_STR)
				mp_message_add_problem_text (m, e->s);
		}
	if ((v = jv_get (o, "findings")) && v->t == JV_ARR)
		for (guint i = 0; i < v->items->len; i++)
			mp_message_add_finding (m, finding_from (g_ptr_array_index (v->items, i)));
	return m;
}

static void
emit_finding (Reader *r, const char *source, const Jv *o, const char *folder)
{
	g_autoptr(MpFinding) f = finding_from (o);
	MpFolder fo = { (char *) folder, NULL };

	if (r->sink && r->sink->finding)
		r->sink->finding (r->sink_data, source, folder ? &fo : NULL, f);
}

static void
emit_notice (Reader *r, const char *source, const Jv *o)
{
	const char *folder = jv_str (o, "folder");
	MpFolder fo = { (char *) folder, NULL };

	if (r->sink && r->sink->notice)
		r->sink->notice (r->sink_data, source, folder ? &fo : NULL,
		                 jv_str (o, "code") ? jv_str (o, "code") : "notice", jv_str (o, "detail"));
}

/* Walks an array, calling FN on each element (parsed one at a time). */
static gboolean
each (Reader *r, void (*fn) (Reader *, const Jv *, gpointer), gpointer data)
{
	skip_ws (r);
	if (r->c == 'n') { /* null: an empty list */
		jv_free (parse_word (r));
		return r->error == NULL;
	}
	if (open_container (r, '[', ']')) {
		do {
			g_autoptr(Jv) e = parse_value (r, 1);
			if (e == NULL)
				return FALSE;
			fn (r, e, data);
		} while (more (r, ']'));
	}
	return r->error == NULL;
}

typedef struct {
	const char *source;
	char       *name;
	gboolean    begun;
	char       *error;
} FolderCtx;

static void
folder_begin (Reader *r, FolderCtx *f)
{
	MpFolder fo = { f->name, NULL };

	if (f->begun)
		return;
	f->begun = TRUE;
	if (r->sink && r->sink->folder_begin)
		r->sink->folder_begin (r->sink_data, f->source, &fo);
}

static void
on_folder_finding (Reader *r, const Jv *e, gpointer data)
{
	FolderCtx *f = data;

	emit_finding (r, f->source, e, f->name);
}

static void
on_message (Reader *r, const Jv *e, gpointer data)
{
	FolderCtx *f = data;
	g_autoptr(MpMessage) m = NULL;

	if (r->sink == NULL || r->sink->message == NULL)
		return;
	m = message_from (e, f->name);
	r->sink->message (r->sink_data, m);
}

static void
on_notice (Reader *r, const Jv *e, gpointer data)
{
	emit_notice (r, data, e);
}

static gboolean
stream_folder (Reader *r, const char *source)
{
	FolderCtx f = { source, NULL, FALSE, NULL };
	gboolean ok = TRUE;

	if (open_container (r, '{', '}')) {
		do {
			g_autofree char *k = parse_string (r);
			guint key;

			if (k == NULL || !expect (r, ':')) {
				ok = FALSE;
				break;
			}
			switch ((key = key_index (k, folder_keys, FLD_N))) {
			case FLD_NAME:
				if (f.begun) {
					ok = fail (r, "a folder's \"name\" must come before its contents");
					break;
				}
				ok = take_string_or_null (r, k, &f.name);
				break;
			case FLD_ERROR:
				ok = take_string_or_null (r, k, &f.error);
				break;
			case FLD_FINDINGS:
			case FLD_MESSAGES:
			case FLD_FINAL_FINDINGS:
			case FLD_NOTICES:
				if (f.name == NULL) {
					ok = fail (r, "a folder needs its \"name\" before its contents");
					break;
				}
				folder_begin (r, &f);
				ok = each (r, key == FLD_MESSAGES ? on_message : key == FLD_NOTICES ? on_notice : on_folder_finding,
				           key == FLD_NOTICES ? (gpointer) source : &f);
				break;
			default:
				ok = skip_value (r, 1);
				break;
			}
		} while (ok && more (r, '}'));
	}
	ok = ok && r->error == NULL;
	if (ok && f.name == NULL)
		ok = fail (r, "a folder without a \"name\"");
	if (ok) {
		MpFolder fo = { f.name, NULL };
		folder_begin (r, &f);
		if (f.error && r->sink && r->sink->folder_error) {
			g_autoptr(GError) e = g_error_new_literal (MP_ERROR, MP_ERROR_READ, f.error);
			r->sink->folder_error (r->sink_data, source, &fo, e);
		}
		if (r->sink && r->sink->folder_end)
			r->sink->folder_end (r->sink_data, source, &fo);
	}
	g_free (f.name);
	g_free (f.error);
	return ok;
}

static void
on_source_finding (Reader *r, const Jv *e, gpointer data)
{
	emit_finding (r, data, e, jv_str (e, "folder"));
}

/* Version 1 has no accounts: each source is one, named as a scan would
 * name it, and it begins with the source. */
static void
v1_begin (Reader *r, const char *source)
{
	if (r->v1_account == NULL || r->v1_begun)
		return;
	r->v1_begun = TRUE;
	g_free (r->v1_account->name);
	r->v1_account->name = mp_account_name_for_source (source);
	mp_account_add_source (r->v1_account, source);
	if (r->sink && r->sink->account_begin)
		r->sink->account_begin (r->sink_data, r->v1_account);
}

/* An empty array or null; anything else fails with WHY. */
static gboolean
empty_list (Reader *r, const char *why)
{
	skip_ws (r);
	if (r->c == 'n')
		return skip_value (r, 1);
	if (open_container (r, '[', ']'))
		return fail (r, why);
	return r->error == NULL;
}

/* The source_begin event, once, when the source's contents start (or at
 * its end for one without contents); a source that could not be opened
 * has no kind and no source_begin. */
static void
source_begin (Reader *r, const char *source, const char *kind, gboolean *begun)
{
	if (*begun || kind == NULL)
		return;
	*begun = TRUE;
	if (r->sink && r->sink->source_begin)
		r->sink->source_begin (r->sink_data, source, kind);
}

static gboolean
stream_source (Reader *r)
{
	g_autofree char *source = NULL;
	g_autofree char *kind = NULL;
	g_autofree char *error = NULL;
	gboolean begun = FALSE, ok = TRUE;

	if (open_container (r, '{', '}')) {
		do {
			g_autofree char *k = parse_string (r);
			guint key;

			if (k == NULL || !expect (r, ':')) {
				ok = FALSE;
				break;
			}
			key = key_index (k, source_keys, SRC_N);
			if ((key == SRC_SOURCE || key == SRC_KIND) && begun) {
				ok = fail (r, "a source's \"source\" and \"kind\" must come before its contents");
				break;
			}
			switch (key) {
			case SRC_SOURCE:
				ok = take_string_or_null (r, k, &source);
				break;
			case SRC_KIND:
				ok = take_string_or_null (r, k, &kind);
				break;
			case SRC_ERROR:
				ok = take_string_or_null (r, k, &error);
				break;
			case SRC_FOLDERS:
			case SRC_FINDINGS:
			case SRC_NOTICES:
				if (source == NULL) {
					ok = fail (r, "a source needs \"source\" and \"kind\" before its contents");
					break;
				}
				v1_begin (r, source);
				if (kind == NULL) {
					/* a source that could not be opened: nothing was read */
					ok = empty_list (r, "a source without a \"kind\" (not opened) has no contents");
					break;
				}
				source_begin (r, source, kind, &begun);
				if (key == SRC_FOLDERS) {
					skip_ws (r);
					if (r->c == 'n') { /* null: no folders */
						ok = skip_value (r, 1);
						break;
					}
					if (open_container (r, '[', ']'))
						do {
							if (!stream_folder (r, source))
								break;
						} while (more (r, ']'));
					ok = r->error == NULL;
				} else {
					ok = each (r, key == SRC_FINDINGS ? on_source_finding : on_notice, source);
				}
				break;
			default:
				ok = skip_value (r, 1);
				break;
			}
		} while (ok && more (r, '}'));
	}
	if (!ok || r->error)
		return FALSE;
	if (source == NULL)
		return fail (r, "a source without \"source\"");
	if (r->cur_result)
		g_ptr_array_add (r->cur_result->sources, g_strdup (source));
	v1_begin (r, source);
	source_begin (r, source, kind, &begun);
	if (error) {
		/* as in a scan: a source that failed has no source_end */
		g_autoptr(GError) e = g_error_new_literal (MP_ERROR, MP_ERROR_READ, error);
		if (r->sink && r->sink->source_error)
			r->sink->source_error (r->sink_data, source, e);
	} else if (r->sink && r->sink->source_end) {
		r->sink->source_end (r->sink_data, source);
	}
	return TRUE;
}

/* ---- the header ---------------------------------------------------------- */

/* An array of strings, NULL when absent or empty. */
static char **
strv_of (const Jv *v)
{
	GStrvBuilder *b;
	char **out;

	if (v == NULL || v->t != JV_ARR || v->items->len == 0)
		return NULL;
	b = g_strv_builder_new ();
	for (guint k = 0; k < v->items->len; k++) {
		const Jv *e = g_ptr_array_index (v->items, k);
		if (e->t == JV_STR)
			g_strv_builder_add (b, e->s);
	}
	out = g_strv_builder_end (b);
	g_strv_builder_unref (b);
	return out;
}

/* What schema 1 gained after 0.1.0 (json-report.c write_run_notes). */
static void
take_run_notes (MpRunInfo *run, const Jv *o)
{
	const Jv *notes = jv_get (o, "notes");

	run->exclude_folders = strv_of (jv_get (o, "exclude_folders"));
	run->include_folders = strv_of (jv_get (o, "include_folders"));
	for (guint k = 0; notes && notes->t == JV_ARR && k < notes->items->len; k++) {
		const Jv *e = g_ptr_array_index (notes->items, k);
		if (e->t == JV_STR)
			mp_run_info_add_note (run, e->s);
	}
}

/* "runs": one MpRunInfo per run (the scan's own; a merge keeps them all). */
static void
take_runs (MpReportMeta *meta, const Jv *v)
{
	for (guint i = 0; v->t == JV_ARR && i < v->items->len; i++) {
		const Jv *o = g_ptr_array_index (v->items, i);
		const Jv *cmd = jv_get (o, "command");
		MpRunInfo *run = g_new0 (MpRunInfo, 1);
		GStrvBuilder *b = g_strv_builder_new ();
		run->tool_version = g_strdup (jv_str (o, "tool_version"));
		for (guint c = 0; cmd && cmd->t == JV_ARR && c < cmd->items->len; c++) {
			const Jv *e = g_ptr_array_index (cmd->items, c);
			if (e->t == JV_STR)
				g_strv_builder_add (b, e->s);
		}
		run->command = g_strv_builder_end (b);
		g_strv_builder_unref (b);
		/* a report saved before passwords were redacted */
		mp_text_redact_passwords_strv (run->command);
		run->scan_time = g_strdup (jv_str (o, "scan_time"));
		run->as_of = g_strdup (jv_str (o, "as_of"));
		run->rules_name = g_strdup (jv_str (o, "rules"));
		run->rules_origin = g_strdup (jv_str (o, "rules_origin"));
		run->rules_digest = g_strdup (jv_str (o, "rules_digest"));
		run->insecure_skip_verify = jv_get (o, "insecure_skip_verify") != NULL &&
		                            jv_get (o, "insecure_skip_verify")->t == JV_BOOL &&
		                            jv_get (o, "insecure_skip_verify")->b;
		run->metadata_only = jv_get (o, "metadata_only") != NULL &&
		                     jv_get (o, "metadata_only")->t == JV_BOOL && jv_get (o, "metadata_only")->b;
		take_run_notes (run, o);
		g_ptr_array_add (meta->runs, run);
	}
}

/* "rules": the union by rule name; the first file names them. */
static void
take_rules (Reader *r, MpReportMeta *meta, const Jv *v)
{
	const Jv *list = jv_get (v, "list");

	if (v->t != JV_OBJ)
		return;
	if (r->first) {
		g_free (meta->rules_name);
		g_free (meta->rules_origin);
		meta->rules_name = g_strdup (jv_str (v, "name"));
		meta->rules_origin = g_strdup (jv_str (v, "origin"));
		meta->deleted_skip = g_strcmp0 (jv_str (v, "deleted"), "skip") == 0;
	}
	for (guint i = 0; list && list->t == JV_ARR && i < list->items->len; i++) {
		const Jv *o = g_ptr_array_index (list->items, i);
		MpRuleInfo *info;
		if (jv_str (o, "name") == NULL)
			continue;
		info = g_new0 (MpRuleInfo, 1);
		info->name = g_strdup (jv_str (o, "name"));
		info->check = g_strdup (jv_str (o, "check"));
		info->scope = g_strdup (jv_str (o, "scope") ? jv_str (o, "scope") : "message");
		info->severity = severity_of (jv_str (o, "severity"));
		info->max = g_strdup (jv_str (o, "max"));
		info->advice = g_strdup (jv_str (o, "advice"));
		mp_report_meta_add_rule (meta, info);
	}
}

static void
take_schema (Reader *r, const Jv *v)
{
	if (v->t == JV_STR && g_str_has_prefix (v->s, "mailpreflight-report/")) {
		guint64 major = 0;
		/* 2 has accounts; 1, sources only, each read as an account */
		if (g_ascii_string_to_unsigned (v->s + strlen ("mailpreflight-report/"), 10, 1, 1000, &major, NULL) &&
		    (major == 1 || major == 2)) {
			r->schema_ok = TRUE;
			r->major = (guint) major;
		} else {
			fail (r, "this report has a newer schema than this mailpreflight reads (mailpreflight-report/2)");
		}
	} else {
		fail (r, "not a mailpreflight report (no \"schema\": \"mailpreflight-report/2\")");
	}
}

/* A header value (KEY of top_keys but "sources") into the meta. */
static void
take_header (Reader *r, TopKey key, const Jv *v)
{
	MpReportMeta *meta = r->meta;

	if (key == TOP_SCHEMA) {
		take_schema (r, v);
		return;
	}
	if (meta == NULL)
		return;
	if (key == TOP_FAIL_ON && v->t == JV_STR && r->first) {
		if (strcmp (v->s, "never") == 0)
			meta->fail_never = TRUE;
		else
			meta->fail_on = severity_of (v->s);
	} else if (key == TOP_RUNS) {
		take_runs (meta, v);
	} else if (key == TOP_RULES) {
		take_rules (r, meta, v);
	}
}

/* ---- version 2: accounts ------------------------------------------------ */

static void
evidence_from (const Jv *o, MpEvidence *e)
{
	const Jv *v = jv_get (o, "unix");

	e->time = 0;
	if (v && v->t == JV_NUM)
		g_ascii_string_to_signed (v->s, 10, G_MININT64, G_MAXINT64, &e->time, NULL);
	g_free (e->place);
	e->place = g_strdup (jv_str (o, "place"));
}

/* The account's result from its closing keys (activity ... stats). */
static void
take_account_key (MpAccountResult *res, const char *k, const Jv *v)
{
	if (strcmp (k, "activity") == 0 && v->t == JV_OBJ) {
		const Jv *list = jv_get (v, "evidence");
		MpEvidenceKind kind;
		for (guint i = 0; list && list->t == JV_ARR && i < list->items->len; i++) {
			const Jv *e = g_ptr_array_index (list->items, i);
			if (mp_evidence_kind_parse (jv_str (e, "kind"), &kind))
				evidence_from (e, &res->evidence[kind]);
		}
		res->last_kind = mp_evidence_kind_parse (jv_str (v, "kind"), &kind) ? (int) kind : -1;
	} else if (strcmp (k, "forwarding") == 0 && v->t == JV_OBJ) {
		if (!mp_forward_state_parse (jv_str (v, "state"), &res->forwarding.state))
			res->forwarding.state = MP_FORWARD_UNKNOWN;
		g_free (res->forwarding.evidence);
		res->forwarding.evidence = g_strdup (jv_str (v, "evidence"));
	} else if (strcmp (k, "idle_months") == 0) {
		gint64 n = -1;
		if (v->t == JV_NUM)
			g_ascii_string_to_signed (v->s, 10, 0, G_MAXINT, &n, NULL);
		res->idle_months = (gint) n;
	} else if (strcmp (k, "verdict") == 0 && v->t == JV_STR) {
		if (!mp_verdict_parse (v->s, &res->verdict))
			res->verdict = MP_VERDICT_UNKNOWN;
	} else if (strcmp (k, "stats") == 0 && v->t == JV_OBJ) {
		const Jv *f = jv_get (v, "findings");
		res->folders = jv_u64 (v, "folders");
		res->messages = jv_u64 (v, "messages");
		res->bytes = jv_u64 (v, "bytes");
		res->read_errors = jv_u64 (v, "read_errors");
		res->findings[MP_SEVERITY_ERROR] = jv_u64 (f, "error");
		res->findings[MP_SEVERITY_WARNING] = jv_u64 (f, "warning");
		res->findings[MP_SEVERITY_INFO] = jv_u64 (f, "info");
	}
}

typedef struct {
	MpAccount       *account;
	MpAccountResult *result;
	gboolean         begun;
} AccountCtx;

static void
account_begin (Reader *r, AccountCtx *a)
{
	if (a->begun)
		return;
	a->begun = TRUE;
	if (r->sink && r->sink->account_begin)
		r->sink->account_begin (r->sink_data, a->account);
}

static void
on_account_finding (Reader *r, const Jv *e, gpointer data)
{
	emit_finding (r, jv_str (e, "source"), e, jv_str (e, "folder"));
}

static void
on_account_notice (Reader *r, const Jv *e, gpointer data)
{
	emit_notice (r, NULL, e);
}

static gboolean
stream_account (Reader *r)
{
	AccountCtx a = { mp_account_new (NULL), NULL, FALSE };
	gboolean ok = TRUE, have_ordinal = FALSE;

	a.result = mp_account_result_new (NULL);
	r->cur_result = a.result;
	if (open_container (r, '{', '}')) {
		do {
			g_autofree char *k = parse_string (r);
			if (k == NULL || !expect (r, ':')) {
				ok = FALSE;
				break;
			}
			if (strcmp (k, "sources") == 0 || strcmp (k, "findings") == 0 || strcmp (k, "notices") == 0) {
				if (a.account->name == NULL) {
					ok = fail (r, "an account needs \"account\" before its contents");
					break;
				}
				account_begin (r, &a);
				if (k[0] == 's') {
					skip_ws (r);
					if (r->c == 'n') {
						jv_free (parse_word (r));
					} else if (open_container (r, '[', ']')) {
						do {
							if (!stream_source (r))
								break;
						} while (more (r, ']'));
					}
					ok = r->error == NULL;
				} else {
					ok = each (r, k[0] == 'f' ? on_account_finding : on_account_notice, NULL);
				}
				if (!ok)
					break;
				continue;
			}
			{
				g_autoptr(Jv) v = parse_value (r, 1);
				if (v == NULL) {
					ok = FALSE;
					break;
				}
				if (strcmp (k, "account") == 0 && v->t == JV_STR) {
					g_free (a.account->name);
					a.account->name = g_strdup (v->s);
				} else if (strcmp (k, "ordinal") == 0 && v->t == JV_NUM) {
					g_ascii_string_to_unsigned (v->s, 10, 0, G_MAXUINT64 - r->ordinal_base, &a.account->ordinal, NULL);
					a.account->ordinal += r->ordinal_base;
					have_ordinal = TRUE;
				} else if (strcmp (k, "home") == 0 && v->t == JV_STR) {
					g_free (a.account->home);
					a.account->home = g_strdup (v->s);
				} else if (strcmp (k, "home_origin") == 0 && v->t == JV_STR) {
					g_free (a.account->home_origin);
					a.account->home_origin = g_strdup (v->s);
				} else if (strcmp (k, "origin") == 0 && v->t == JV_STR) {
					g_free (a.account->origin);
					a.account->origin = g_strdup (v->s);
				} else {
					take_account_key (a.result, k, v);
				}
			}
		} while (more (r, '}'));
	}
	ok = ok && r->error == NULL;
	if (ok && a.account->name == NULL)
		ok = fail (r, "an account without \"account\"");
	if (ok) {
		if (!have_ordinal)
			a.account->ordinal = r->ordinal_base + r->n_items;
		if (r->ordinals)
			g_array_append_val (r->ordinals, a.account->ordinal);
		account_begin (r, &a);
		g_free (a.result->name);
		a.result->name = g_strdup (a.account->name);
		a.result->ordinal = a.account->ordinal;
		if (r->sink && r->sink->account_end)
			r->sink->account_end (r->sink_data, a.account, a.result);
	}
	r->cur_result = NULL;
	mp_account_result_free (a.result);
	mp_account_free (a.account);
	return ok;
}

/* ---- the file -------------------------------------------------------------- */

/* Reads top-level keys until the list of accounts (or sources) begins, or
 * the document ends. */
static gboolean
read_until_list (Reader *r)
{
	for (;;) {
		g_autofree char *k = parse_string (r);
		TopKey key;

		if (k == NULL || !expect (r, ':'))
			return FALSE;
		key = (TopKey) key_index (k, top_keys, TOP_N);
		if (key == TOP_ACCOUNTS || key == TOP_SOURCES) {
			if (!r->schema_ok)
				return fail (r, "\"schema\" must come before \"accounts\"");
			if ((key == TOP_ACCOUNTS) != (r->major == 2))
				return fail (r, r->major == 2 ? "a mailpreflight-report/2 has \"accounts\", not \"sources\""
				                              : "a mailpreflight-report/1 has \"sources\", not \"accounts\"");
			if (open_container (r, '[', ']')) {
				r->in_list = TRUE;
				return TRUE;
			}
			if (r->error)
				return FALSE;
		} else if (key == TOP_N) {
			/* a key this version does not know: skipped, never taken
			 * for another (docs/json-schema.md, "Compatibility") */
			if (!skip_value (r, 1))
				return FALSE;
		} else {
			g_autoptr(Jv) v = parse_value (r, 1);
			if (v == NULL)
				return FALSE;
			take_header (r, key, v);
			if (r->error)
				return FALSE;
		}
		if (!more (r, '}')) {
			if (r->error)
				return FALSE;
			r->done = TRUE;
			return TRUE;
		}
	}
}

/* Version 1: a source is an account of its own, named as a scan names it. */
static gboolean
stream_v1_account (Reader *r)
{
	g_autoptr(MpAccount) a = mp_account_new ("?");
	g_autoptr(MpAccountResult) res = mp_account_result_new ("?");
	gboolean ok;

	/* the name is only known inside the source: begin the account there */
	a->ordinal = r->ordinal_base + r->n_items;
	res->ordinal = a->ordinal;
	r->v1_account = a;
	r->cur_result = res;
	ok = stream_source (r);
	r->v1_account = NULL;
	r->cur_result = NULL;
	if (ok) {
		if (!r->v1_begun && r->sink && r->sink->account_begin)
			r->sink->account_begin (r->sink_data, a);
		g_free (res->name);
		res->name = g_strdup (a->name);
		if (r->ordinals)
			g_array_append_val (r->ordinals, a->ordinal);
		if (r->sink && r->sink->account_end)
			r->sink->account_end (r->sink_data, a, res);
	}
	r->v1_begun = FALSE;
	return ok;
}

static gboolean
reader_next (Reader *r)
{
	gboolean ok;

	if (!r->in_list || r->done)
		return FALSE;
	ok = r->major == 2 ? stream_account (r) : stream_v1_account (r);
	r->n_items++;
	if (!ok)
		return FALSE;
	if (more (r, ']'))
		return TRUE;
	r->in_list = FALSE;
	if (r->error)
		return FALSE;
	/* the rest of the document: totals */
	if (!more (r, '}')) {
		r->done = r->error == NULL;
		return FALSE;
	}
	read_until_list (r);
	return FALSE;
}

/* Starts reading R->fp: the header, up to the list of accounts. */
static void
reader_start (Reader *r)
{
	r->line = 1;
	r->c = getc (r->fp);
	if (open_container (r, '{', '}'))
		read_until_list (r);
	else
		r->done = r->error == NULL;
}

static gboolean
reader_open (Reader *r, GError **error)
{
	r->fp = g_str_equal (r->path, "-") ? stdin : fopen (r->path, "re");
	if (r->fp == NULL) {
		int saved = errno;
		g_set_error (error, MP_ERROR, MP_ERROR_NOT_FOUND, "%s: cannot open: %s", r->path, g_strerror (saved));
		return FALSE;
	}
	r->own_fp = r->fp != stdin;
	reader_start (r);
	return TRUE;
}

/* Ends the reading of R: checks it all was read, closes the file. */
static gboolean
reader_close (Reader *r, GError **error)
{
	if (r->error == NULL && !r->schema_ok)
		fail (r, "not a mailpreflight report (no \"schema\": \"mailpreflight-report/2\")");
	if (r->error == NULL && !r->done)
		fail (r, "the report ends too early");
	if (r->error == NULL) {
		skip_ws (r);
		if (r->c != EOF)
			fail (r, "text after the end of the report");
	}
	if (r->fp != NULL && r->own_fp)
		fclose (r->fp);
	r->fp = NULL;
	if (r->ordinals && !r->keep_ordinals)
		g_array_unref (r->ordinals);
	if (r->error) {
		g_propagate_error (error, r->error);
		r->error = NULL;
		return FALSE;
	}
	return TRUE;
}

static gboolean
read_file (Reader *r, GError **error)
{
	if (!reader_open (r, error))
		return FALSE;
	while (reader_next (r))
		;
	return reader_close (r, error);
}

gboolean
mp_json_read_meta (const char *path, MpReportMeta *meta, gboolean first, GError **error)
{
	return mp_json_read_info (path, meta, first, NULL, error);
}

gboolean
mp_json_read_info (const char *path, MpReportMeta *meta, gboolean first, MpJsonInfo *info, GError **error)
{
	Reader r = { 0 };

	r.path = path;
	r.meta = meta;
	r.first = first;
	if (info != NULL) {
		r.ordinals = g_array_new (FALSE, FALSE, sizeof (guint64));
		r.keep_ordinals = TRUE;
	}
	if (!read_file (&r, error)) {
		if (r.ordinals)
			g_array_unref (r.ordinals);
		return FALSE;
	}
	if (info != NULL) {
		info->major = r.major;
		info->ordinals = r.ordinals;
	}
	return TRUE;
}

gboolean
mp_json_read_sources (const char *path, const MpScanSink *sink, gpointer sink_data, GError **error)
{
	return mp_json_read_sources_after (path, 0, sink, sink_data, error);
}

gboolean
mp_json_read_sources_after (const char *path, guint64 ordinal_base, const MpScanSink *sink, gpointer sink_data,
                            GError **error)
{
	Reader r = { 0 };

	r.path = path;
	r.ordinal_base = ordinal_base;
	r.sink = sink;
	r.sink_data = sink_data;
	return read_file (&r, error);
}

/* ---- merging several files in the order of one run ------------------------ */

gboolean
mp_json_merge_replay (const char *const *paths, GArray *const *ordinals, const MpScanSink *sink,
                      gpointer sink_data, GError **error)
{
	guint n = g_strv_length ((char **) paths);
	g_autofree Reader *readers = g_new0 (Reader, n);
	g_autofree guint *next = g_new0 (guint, n);
	gboolean ok = TRUE;

	for (guint i = 0; i < n; i++) {
		readers[i].path = paths[i];
		readers[i].sink = sink;
		readers[i].sink_data = sink_data;
		if (!reader_open (&readers[i], error)) {
			for (guint k = 0; k < i; k++)
				reader_close (&readers[k], NULL);
			return FALSE;
		}
	}
	/* each shard holds its accounts in the order of the whole run: take
	 * the smallest next ordinal each time (a k-way merge) */
	for (;;) {
		guint best = n;
		for (guint i = 0; i < n; i++) {
			if (!readers[i].in_list || readers[i].done || next[i] >= ordinals[i]->len)
				continue;
			if (best == n || g_array_index (ordinals[i], guint64, next[i]) <
			                 g_array_index (ordinals[best], guint64, next[best]))
				best = i;
		}
		if (best == n)
			break;
		reader_next (&readers[best]);
		next[best]++;
		if (readers[best].error)
			break;
	}
	for (guint i = 0; i < n; i++) {
		if (!ok)
			reader_close (&readers[i], NULL);
		else
			ok = reader_close (&readers[i], error);
	}
	return ok;
}

gboolean
mp_json_read_stream (FILE *fp, const char *name, MpReportMeta *meta, const MpScanSink *sink,
                     gpointer sink_data, GError **error)
{
	Reader r = { 0 };

	r.fp = fp;
	r.path = name;
	r.meta = meta;
	r.first = TRUE;
	r.sink = sink;
	r.sink_data = sink_data;
	reader_start (&r);
	while (reader_next (&r))
		;
	return reader_close (&r, error);
}

/* ---- one JSON value, for other readers (compare's accounts document) ---- */

struct _MpJsonValue {
	Jv jv;
};

MpJsonValue *
mp_json_value_parse (const char *text, gsize len, const char *name, guint64 line, GError **error)
{
	Reader r = { 0 };
	Jv *v;

	r.fp = fmemopen ((void *) text, len, "r");
	if (r.fp == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", name, g_strerror (errno));
		return NULL;
	}
	r.path = name;
	r.line = line;
	r.c = getc (r.fp);
	v = parse_value (&r, 0);
	if (v != NULL) {
		skip_ws (&r);
		if (r.c != EOF)
			fail (&r, "text after the JSON value");
	}
	fclose (r.fp);
	if (r.error != NULL) {
		jv_free (v);
		g_propagate_error (error, r.error);
		return NULL;
	}
	return (MpJsonValue *) v;
}

void
mp_json_value_free (MpJsonValue *v)
{
	jv_free ((Jv *) v);
}

const MpJsonValue *
mp_json_value_get (const MpJsonValue *o, const char *key)
{
	return (const MpJsonValue *) jv_get ((const Jv *) o, key);
}

const char *
mp_json_value_str (const MpJsonValue *o, const char *key)
{
	return jv_str ((const Jv *) o, key);
}

guint64
mp_json_value_u64 (const MpJsonValue *o, const char *key)
{
	return jv_u64 ((const Jv *) o, key);
}

gboolean
mp_json_value_bool (const MpJsonValue *o, const char *key)
{
	const Jv *v = jv_get ((const Jv *) o, key);

	return v != NULL && v->t == JV_BOOL && v->b;
}

gboolean
mp_json_value_is_null (const MpJsonValue *v)
{
	return v == NULL || ((const Jv *) v)->t == JV_NULL;
}

const char *
mp_json_value_text (const MpJsonValue *v)
{
	return v && ((const Jv *) v)->t == JV_STR ? ((const Jv *) v)->s : NULL;
}

guint
mp_json_value_length (const MpJsonValue *v)
{
	return v && ((const Jv *) v)->t == JV_ARR ? ((const Jv *) v)->items->len : 0;
}

const MpJsonValue *
mp_json_value_index (const MpJsonValue *v, guint i)
{
	return (const MpJsonValue *) g_ptr_array_index (((const Jv *) v)->items, i);
}
