/* procmail-rc.c — see procmail-rc.h.
 *
 * Two passes: the input becomes logical lines (a '\' at the end of a line
 * joins the next, as one space; each piece remembers where it came from,
 * so an address found on a logical line has its offset in the input), then
 * a small state machine reads them: at the top level (assignments, "}",
 * recipe starts) or inside a recipe (conditions, then one action). */
#include "procmail-rc.h"

#include <string.h>

typedef struct {
	gsize logical; /* where the piece starts in the logical line */
	gsize input;   /* where it starts in the input */
	gsize len;
} Piece;

typedef struct {
	GString *text;
	guint    line;   /* of its first physical line */
	GArray  *pieces; /* Piece */
} LogicalLine;

static void
logical_line_clear (gpointer p)
{
	LogicalLine *l = p;

	g_string_free (l->text, TRUE);
	g_array_unref (l->pieces);
}

/* The input's logical lines. A comment line ends at its own line end. */
static GArray *
logical_lines (const char *data, gsize len)
{
	GArray *lines = g_array_new (FALSE, TRUE, sizeof (LogicalLine));
	LogicalLine *cur = NULL;
	gsize pos = 0;
	guint number = 0;

	g_array_set_clear_func (lines, logical_line_clear);
	while (pos < len) {
		const char *nl = memchr (data + pos, '\n', len - pos);
		gsize end = nl ? (gsize) (nl - data) : len;
		const char *nul = memchr (data + pos, '\0', end - pos);
		gsize text_end = nul ? (gsize) (nul - data) : end;
		number++;
		if (text_end > pos && data[text_end - 1] == '\r')
			text_end--;
		if (cur == NULL) {
			LogicalLine l = { g_string_new (NULL), number, g_array_new (FALSE, FALSE, sizeof (Piece)) };
			g_array_append_val (lines, l);
			cur = &g_array_index (lines, LogicalLine, lines->len - 1);
		}
		gsize first = pos;
		while (first < text_end && g_ascii_isspace (data[first]))
			first++;
		gboolean comment = cur->text->len == 0 && first < text_end && data[first] == '#';
		gboolean continued = !comment && text_end > pos && data[text_end - 1] == '\\';
		gsize piece_end = continued ? text_end - 1 : text_end;
		Piece piece = { cur->text->len, pos, piece_end - pos };
		g_array_append_val (cur->pieces, piece);
		g_string_append_len (cur->text, data + pos, (gssize) (piece_end - pos));
		if (continued)
			g_string_append_c (cur->text, ' ');
		else
			cur = NULL;
		pos = end + 1;
	}
	return lines;
}

/* The octets of the input behind logical positions [START, END) of L,
 * without the spaces that joined continued lines; *OFFSET and *LENGTH:
 * the span of the input they come from (it holds the "\\\n" between
 * pieces when the range crosses a continuation). */
static char *
input_text (const LogicalLine *l, gsize start, gsize end, gsize *offset, gsize *length)
{
	GString *s = g_string_new (NULL);
	gboolean first = TRUE;
	gsize last_end = 0;

	*offset = *length = 0;
	for (guint i = 0; i < l->pieces->len; i++) {
		const Piece *p = &g_array_index (l->pieces, Piece, i);
		gsize a = MAX (start, p->logical), b = MIN (end, p->logical + p->len);
		if (a >= b)
			continue;
		if (first)
			*offset = p->input + (a - p->logical);
		first = FALSE;
		last_end = p->input + (b - p->logical);
		g_string_append_len (s, l->text->str + a, (gssize) (b - a));
	}
	*length = first ? 0 : last_end - *offset;
	return g_string_free (s, FALSE);
}

/* ---- the parser ------------------------------------------------------------ */

typedef enum {
	AT_TOP,        /* assignments, recipe starts, "}" */
	IN_CONDITIONS, /* after ":0": conditions, then the action */
} State;

typedef struct {
	MpProcmailRc *rc;
	State         state;
	guint         depth;        /* open "{" blocks */
	guint         conditions;   /* of the current recipe */
	guint         old_pending;  /* ":N": lines still taken as conditions */
	gboolean      copy;         /* the current recipe's 'c' flag */
	guint         recipe_line;
	char          quote;        /* inside a quoted value spanning lines */
} Parser;

static void
error_at (Parser *p, guint line, const char *what)
{
	p->rc->n_errors++;
	if (p->rc->first_error == NULL)
		p->rc->first_error = g_strdup_printf ("line %u: %s", line, what);
}

static gsize
skip_blanks (const GString *t, gsize i)
{
	while (i < t->len && g_ascii_isspace (t->str[i]))
		i++;
	return i;
}

/* sendmail(8) options that take the next word as their argument */
static gboolean
option_with_argument (const GString *t, gsize start, gsize end)
{
	static const char *const options[] = { "-f", "-F", "-r", "-R", "-N", "-V", "-B", "-O", "-X" };

	for (guint i = 0; i < G_N_ELEMENTS (options); i++) {
		if (end - start == 2 && strncmp (t->str + start, options[i], 2) == 0)
			return TRUE;
	}
	return FALSE;
}

/* "! address..." from I: each word is an address (procmailrc(5): the rest
 * of a '!' action line lists the addresses the mail is forwarded to);
 * sendmail options ("-oi", "-f sender") are skipped; a word starting with
 * '#' ends the list. */
static void
forward_action (Parser *p, const LogicalLine *l, gsize i)
{
	const GString *t = l->text;
	gboolean skip_next = FALSE;

	for (;;) {
		i = skip_blanks (t, i);
		if (i >= t->len || t->str[i] == '#')
			return;
		gsize start = i, end;
		if (t->str[i] == '"' || t->str[i] == '\'') {
			char q = t->str[i];
			start = ++i;
			while (i < t->len && t->str[i] != q)
				i++;
			end = i;
			if (i < t->len)
				i++;
		} else {
			while (i < t->len && !g_ascii_isspace (t->str[i]))
				i++;
			end = i;
		}
		if (skip_next) {
			skip_next = FALSE;
			continue;
		}
		if (end > start && t->str[start] == '-') {
			skip_next = option_with_argument (t, start, end);
			continue;
		}
		if (end == start)
			continue;
		if (p->rc->targets->len >= MP_FORWARD_MAX_TARGETS) {
			p->rc->truncated = TRUE;
			return;
		}
		gsize offset, length;
		char *address = input_text (l, start, end, &offset, &length);
		if (*address == '\0') {
			g_free (address);
			continue;
		}
		MpForwardTarget *target = g_new0 (MpForwardTarget, 1);
		target->address = address;
		target->offset = offset;
		target->length = length;
		target->line = l->line;
		target->keeps_copy = p->copy;
		target->conditional = p->conditions > 0 || p->depth > 0;
		g_ptr_array_add (p->rc->targets, target);
	}
}

/* ":0flags:lockfile" at I (on ':'). */
static void
recipe_start (Parser *p, const LogicalLine *l, gsize i)
{
	const GString *t = l->text;
	guint64 n = 0;

	i++;
	while (i < t->len && g_ascii_isdigit (t->str[i])) {
		n = MIN (n * 10 + (guint64) (t->str[i] - '0'), 1000);
		i++;
	}
	p->copy = FALSE;
	/* the flags, blanks allowed between them (":0 B c:"); a ':' starts
	 * the lock file, a '#' a comment */
	for (; i < t->len && (g_ascii_isalpha (t->str[i]) || t->str[i] == ' ' || t->str[i] == '\t'); i++) {
		if (t->str[i] == 'c')
			p->copy = TRUE; /* "carbon copy": delivered here and processing goes on */
	}
	p->state = IN_CONDITIONS;
	p->conditions = 0;
	p->old_pending = (guint) n;
	p->recipe_line = l->line;
}

/* NAME=value at I, or FALSE when the line is no assignment. */
static gboolean
assignment (Parser *p, const LogicalLine *l, gsize i)
{
	const GString *t = l->text;
	gsize name = i;

	if (i >= t->len || !(g_ascii_isalpha (t->str[i]) || t->str[i] == '_'))
		return FALSE;
	while (i < t->len && (g_ascii_isalnum (t->str[i]) || t->str[i] == '_'))
		i++;
	gsize name_end = i;
	i = skip_blanks (t, i);
	if (i >= t->len || t->str[i] != '=')
		return FALSE;
	i = skip_blanks (t, i + 1);
	gsize start = i, end;
	if (i < t->len && (t->str[i] == '"' || t->str[i] == '\'')) {
		char q = t->str[i];
		start = ++i;
		while (i < t->len && t->str[i] != q)
			i += (q == '"' && t->str[i] == '\\' && i + 1 < t->len) ? 2 : 1;
		if (i >= t->len) {
			p->quote = q; /* the value goes on over the next lines */
			return TRUE;
		}
		end = i;
	} else {
		while (i < t->len && !g_ascii_isspace (t->str[i]))
			i++;
		end = i;
	}
	gsize nlen = name_end - name;
	if ((nlen == 9 && strncmp (t->str + name, "INCLUDERC", 9) == 0) ||
	    (nlen == 8 && strncmp (t->str + name, "SWITCHRC", 8) == 0)) {
		if (end > start && p->rc->includes->len < MP_FORWARD_MAX_TARGETS)
			g_ptr_array_add (p->rc->includes, g_strndup (t->str + start, end - start));
	}
	return TRUE;
}

/* The end of a quoted value begun on an earlier line: TRUE when L holds
 * its closing quote (the rest of L is then ignored, as a comment or more
 * of the same value would be). */
static gboolean
closes_quote (Parser *p, const LogicalLine *l)
{
	const GString *t = l->text;

	for (gsize i = 0; i < t->len; i++) {
		if (p->quote == '"' && t->str[i] == '\\')
			i++;
		else if (t->str[i] == p->quote)
			return TRUE;
	}
	return FALSE;
}

static void
parse_line (Parser *p, const LogicalLine *l)
{
	const GString *t = l->text;
	gsize i = 0;

	if (p->quote != '\0') {
		if (closes_quote (p, l))
			p->quote = '\0';
		return;
	}
	for (;;) {
		i = skip_blanks (t, i);
		if (i >= t->len || t->str[i] == '#')
			return;
		char ch = t->str[i];
		if (p->state == IN_CONDITIONS) {
			if (ch == '*' || p->old_pending > 0) {
				p->conditions++;
				if (p->old_pending > 0)
					p->old_pending--;
				return; /* a regular expression: nothing in it is an action */
			}
			p->state = AT_TOP;
			p->rc->n_recipes++;
			if (ch == '!') {
				forward_action (p, l, i + 1);
				return;
			}
			if (ch != '{')
				return; /* a pipe or a mailbox */
			if (p->depth < G_MAXUINT)
				p->depth++;
			i++;
			continue; /* the rest of the line is inside the block */
		}
		if (ch == ':') {
			recipe_start (p, l, i);
			return;
		}
		if (ch == '}') {
			if (p->depth == 0)
				error_at (p, l->line, "'}' closes no block");
			else
				p->depth--;
			i++;
			continue;
		}
		if (!assignment (p, l, i))
			error_at (p, l->line, "neither a recipe, an assignment nor a comment");
		return;
	}
}

void
mp_procmail_rc_free (MpProcmailRc *rc)
{
	if (rc == NULL)
		return;
	g_ptr_array_unref (rc->targets);
	g_ptr_array_unref (rc->includes);
	g_free (rc->first_error);
	g_free (rc);
}

MpProcmailRc *
mp_procmail_rc_parse (const char *data, gsize len)
{
	MpProcmailRc *rc = g_new0 (MpProcmailRc, 1);
	Parser p = { rc, AT_TOP, 0, 0, 0, FALSE, 0, '\0' };
	g_autoptr(GArray) lines = logical_lines (data, len);
	guint last = 0;

	rc->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_forward_target_free);
	rc->includes = g_ptr_array_new_with_free_func (g_free);
	for (guint i = 0; i < lines->len && !rc->truncated; i++) {
		const LogicalLine *l = &g_array_index (lines, LogicalLine, i);
		parse_line (&p, l);
		last = l->line;
	}
	if (p.state == IN_CONDITIONS) {
		g_autofree char *what = g_strdup_printf ("the recipe of line %u has no action", p.recipe_line);
		error_at (&p, last, what);
	}
	if (p.depth > 0)
		error_at (&p, last, "a '{' block is not closed");
	if (p.quote != '\0')
		error_at (&p, last, "a quoted value is not closed");
	return rc;
}
