/* forward-file.c — see forward-file.h. */
#include "forward-file.h"

#include <string.h>

void
mp_forward_target_free (MpForwardTarget *t)
{
	if (t == NULL)
		return;
	g_free (t->address);
	g_free (t);
}

static void
entry_free (MpForwardEntry *e)
{
	g_free (e->value);
	g_free (e);
}

void
mp_forward_file_free (MpForwardFile *f)
{
	if (f == NULL)
		return;
	g_ptr_array_unref (f->entries);
	g_ptr_array_unref (f->targets);
	g_free (f->procmail_rc);
	g_free (f);
}

const char *
mp_forward_entry_kind_name (MpForwardEntryKind kind)
{
	switch (kind) {
	case MP_FORWARD_ENTRY_ADDRESS: return "address";
	case MP_FORWARD_ENTRY_MAILBOX: return "mailbox";
	case MP_FORWARD_ENTRY_PIPE:    return "pipe";
	case MP_FORWARD_ENTRY_FILE:    return "file";
	case MP_FORWARD_ENTRY_INCLUDE: return "include";
	case MP_FORWARD_ENTRY_INVALID: return "invalid";
	default:                       return "?";
	}
}

/* ---- the words of a pipe's command: does it run procmail? --------------- */

/* The shell words of CMD (N octets), quotes removed; a word made of an
 * operator (&&, ||, ;, |) is kept as such. Stops at a word starting with
 * '#' (a comment: "|exec procmail || exit 75 #jo"). */
static GPtrArray *
shell_words (const char *cmd, gsize n)
{
	GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
	gsize i = 0;

	while (i < n && words->len < 256) {
		while (i < n && g_ascii_isspace (cmd[i]))
			i++;
		if (i >= n || cmd[i] == '#')
			break;
		if (cmd[i] == ';' || cmd[i] == '|' || cmd[i] == '&') {
			gsize k = (i + 1 < n && cmd[i + 1] == cmd[i] && cmd[i] != ';') ? 2 : 1;
			g_ptr_array_add (words, g_strndup (cmd + i, k));
			i += k;
			continue;
		}
		GString *w = g_string_new (NULL);
		while (i < n && !g_ascii_isspace (cmd[i]) && !strchr (";|&", cmd[i])) {
			if (cmd[i] == '\'' || cmd[i] == '"') {
				char q = cmd[i++];
				while (i < n && cmd[i] != q)
					g_string_append_c (w, cmd[i++]);
				if (i < n)
					i++;
			} else if (cmd[i] == '\\' && i + 1 < n) {
				g_string_append_c (w, cmd[i + 1]);
				i += 2;
			} else {
				g_string_append_c (w, cmd[i++]);
			}
		}
		g_ptr_array_add (words, g_string_free (w, FALSE));
	}
	return words;
}

static gboolean
is_operator (const char *w)
{
	return strcmp (w, "&&") == 0 || strcmp (w, "||") == 0 || strcmp (w, ";") == 0 ||
	       strcmp (w, "|") == 0 || strcmp (w, "&") == 0;
}

/* NAME=value, as a shell assignment or a procmail parameter: a name first */
static gboolean
is_assignment (const char *w)
{
	if (!g_ascii_isalpha (w[0]) && w[0] != '_')
		return FALSE;
	for (const char *p = w; *p; p++) {
		if (*p == '=')
			return TRUE;
		if (!g_ascii_isalnum (*p) && *p != '_')
			return FALSE;
	}
	return FALSE;
}

/* TRUE when the words from *I on start a simple command running procmail;
 * *RC is then its rc file (procmail(1): "procmail [-ptoY] [-f fromwhom]
 * [parameter=value | rcfile] ...", "-m ... rcfile", "-d recipient": the
 * recipient's own ~/.procmailrc), or NULL for the default. */
static gboolean
runs_procmail (GPtrArray *words, guint *i, char **rc)
{
	guint k = *i;
	*rc = NULL;

	/* "exec", "IFS=' '" and other assignments come first */
	while (k < words->len && (strcmp (words->pdata[k], "exec") == 0 || is_assignment (words->pdata[k])))
		k++;
	if (k >= words->len)
		return FALSE;
	const char *prog = words->pdata[k];
	const char *base = strrchr (prog, '/');
	if (strcmp (base ? base + 1 : prog, "procmail") != 0)
		return FALSE;
	gboolean delivery = FALSE;
	for (k++; k < words->len && !is_operator (words->pdata[k]); k++) {
		const char *w = words->pdata[k];
		if (w[0] == '-' && w[1] != '\0') {
			for (const char *o = w + 1; *o; o++) {
				if (*o == 'f' || *o == 'a') {
					/* the argument is the rest of the word, or the next word */
					if (o[1] == '\0' && k + 1 < words->len)
						k++;
					break;
				}
				if (*o == 'd')
					delivery = TRUE;
			}
			continue;
		}
		if (delivery || is_assignment (w))
			continue; /* recipients, or parameter=value */
		if (*rc == NULL)
			*rc = g_strdup (w);
	}
	*i = k;
	return TRUE;
}

static gboolean
command_runs_procmail (const char *cmd, gsize n, char **rc)
{
	g_autoptr(GPtrArray) words = shell_words (cmd, n);

	for (guint i = 0; i < words->len; i++) {
		if (is_operator (words->pdata[i]))
			continue;
		if (runs_procmail (words, &i, rc))
			return TRUE;
		/* skip to the next simple command */
		while (i < words->len && !is_operator (words->pdata[i]))
			i++;
	}
	return FALSE;
}

/* ---- entries ------------------------------------------------------------- */

typedef struct {
	const char    *data;
	MpForwardFile *f;
	guint          line;
} Parser;

static void
add_entry (Parser *p, MpForwardEntryKind kind, gsize start, gsize end)
{
	MpForwardEntry *e;

	if (p->f->entries->len >= MP_FORWARD_MAX_TARGETS) {
		p->f->truncated = TRUE;
		return;
	}
	e = g_new0 (MpForwardEntry, 1);
	e->kind = kind;
	e->value = g_strndup (p->data + start, end - start);
	e->line = p->line;
	e->offset = start;
	if (kind == MP_FORWARD_ENTRY_INVALID)
		p->f->n_invalid++;
	g_ptr_array_add (p->f->entries, e);
}

static gsize
trim_end (const char *s, gsize start, gsize end)
{
	while (end > start && g_ascii_isspace (s[end - 1]))
		end--;
	return end;
}

/* The kind a destination's first octets say: '|', '/', ":include:", '\'. */
static MpForwardEntryKind
marked_kind (const char *s, gsize start, gsize end, gsize *value_start)
{
	gsize n = end - start;

	*value_start = start;
	if (n >= 1 && s[start] == '|') {
		*value_start = start + 1;
		return MP_FORWARD_ENTRY_PIPE;
	}
	if (n >= 1 && s[start] == '/')
		return MP_FORWARD_ENTRY_FILE;
	if (n >= 9 && g_ascii_strncasecmp (s + start, ":include:", 9) == 0) {
		*value_start = start + 9;
		return MP_FORWARD_ENTRY_INCLUDE;
	}
	if (n >= 1 && s[start] == '\\') {
		*value_start = start + 1;
		return MP_FORWARD_ENTRY_MAILBOX;
	}
	return MP_FORWARD_ENTRY_ADDRESS;
}

/* An address destination in [START, END) (no quotes around it): "jo@x",
 * "Jo <jo@x>", "jo@x (Jo)", with a trailing "# comment" tolerated. The
 * address must be one word. */
static void
add_address (Parser *p, gsize start, gsize end)
{
	const char *s = p->data;
	const char *lt = NULL, *gt = NULL;

	for (gsize i = start; i < end; i++) {
		if (s[i] == '<' && lt == NULL)
			lt = s + i;
		else if (s[i] == '>' && lt != NULL && gt == NULL)
			gt = s + i;
	}
	if (lt != NULL) {
		/* RFC 5322 name-addr: the address is inside the angle brackets */
		if (gt == NULL || gt == lt + 1) {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
		start = (gsize) (lt + 1 - s);
		end = (gsize) (gt - s);
	} else {
		/* "jo@x (Jo Smith)" or "jo@x # old account": the first word (a
		 * quoted local part may hold blanks) */
		gsize w = start;
		if (w < end && s[w] == '"') {
			for (w++; w < end && s[w] != '"'; w++) {
				if (s[w] == '\\')
					w++;
			}
			w = MIN (w + 1, end);
		}
		while (w < end && !g_ascii_isspace (s[w]) && s[w] != '(')
			w++;
		gsize rest = w;
		while (rest < end && g_ascii_isspace (s[rest]))
			rest++;
		if (rest < end && s[rest] != '(' && s[rest] != '#') {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
		end = w;
	}
	while (start < end && g_ascii_isspace (s[start]))
		start++;
	end = trim_end (s, start, end);
	if (start == end) {
		add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
		return;
	}
	gsize i = start;
	if (s[i] == '"') {
		/* a quoted local part ("jo smith"@example.org, RFC 5322 §3.4.1):
		 * anything but a quote inside, then '@' */
		for (i++; i < end && s[i] != '"'; i++) {
			if (s[i] == '\\')
				i++;
		}
		if (i + 1 >= end || s[i + 1] != '@') {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
		i++;
	}
	for (; i < end; i++) {
		if (g_ascii_isspace (s[i]) || s[i] == '"' || s[i] == '(' || s[i] == ')' || s[i] == ',') {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
	}
	add_entry (p, MP_FORWARD_ENTRY_ADDRESS, start, end);
}

/* One destination in [START, END) of a line, surrounding blanks removed. */
static void
destination (Parser *p, gsize start, gsize end)
{
	const char *s = p->data;
	gsize vstart;

	if (s[start] == '"') {
		/* "|cmd args", "/path with spaces", "jo smith"@x: find the close */
		gsize q = start + 1;
		while (q < end && s[q] != '"')
			q += (s[q] == '\\' && q + 1 < end) ? 2 : 1;
		if (q >= end) {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
		gsize after = q + 1;
		if (after < end && s[after] == '@') {
			/* a quoted local part: the whole is the address */
			add_address (p, start, end);
			return;
		}
		while (after < end && g_ascii_isspace (s[after]))
			after++;
		if (after < end && s[after] != '#') {
			add_entry (p, MP_FORWARD_ENTRY_INVALID, start, end);
			return;
		}
		MpForwardEntryKind kind = marked_kind (s, start + 1, q, &vstart);
		if (kind == MP_FORWARD_ENTRY_ADDRESS)
			add_address (p, start + 1, q);
		else
			add_entry (p, kind, vstart, trim_end (s, vstart, q));
		return;
	}
	MpForwardEntryKind kind = marked_kind (s, start, end, &vstart);
	if (kind == MP_FORWARD_ENTRY_ADDRESS) {
		add_address (p, start, end);
		return;
	}
	if (kind == MP_FORWARD_ENTRY_MAILBOX) {
		/* \user: one word */
		gsize w = vstart;
		while (w < end && !g_ascii_isspace (s[w]))
			w++;
		gsize rest = w;
		while (rest < end && g_ascii_isspace (s[rest]))
			rest++;
		add_entry (p, w > vstart && (rest == end || s[rest] == '#') ? kind : MP_FORWARD_ENTRY_INVALID,
		           w > vstart ? vstart : start, w > vstart ? w : end);
		return;
	}
	add_entry (p, kind, vstart, end);
}

/* The destinations of one line [START, END): split at commas outside
 * quotes, angle brackets and parentheses. */
static void
parse_line (Parser *p, gsize start, gsize end)
{
	const char *s = p->data;
	gsize i = start;

	while (i < end && g_ascii_isspace (s[i]))
		i++;
	if (i >= end || s[i] == '#')
		return; /* blank or a comment (aliases(5)) */
	while (i < end) {
		while (i < end && (g_ascii_isspace (s[i]) || s[i] == ','))
			i++;
		if (i >= end)
			break;
		gsize d = i;
		gboolean quoted = FALSE;
		guint paren = 0, angle = 0;
		/* an unquoted pipe runs to the next comma: its command is no
		 * address, and its '<' or '(' pair with nothing */
		gboolean pipe = s[i] == '|';
		for (; i < end; i++) {
			char ch = s[i];
			if (quoted) {
				if (ch == '\\' && i + 1 < end)
					i++;
				else if (ch == '"')
					quoted = FALSE;
				continue;
			}
			if (pipe) {
				if (ch == ',')
					break;
			} else if (ch == '"')
				quoted = TRUE;
			else if (ch == '(')
				paren++;
			else if (ch == ')' && paren > 0)
				paren--;
			else if (ch == '<')
				angle++;
			else if (ch == '>' && angle > 0)
				angle--;
			else if (ch == ',' && paren == 0 && angle == 0)
				break;
		}
		destination (p, d, trim_end (s, d, i));
		if (p->f->truncated)
			return;
	}
}

/* ---- the file ------------------------------------------------------------ */

/* The forwarding targets the entries name, for the account OWNER. */
static void
collect_targets (MpForwardFile *f, const char *owner)
{
	gboolean local = FALSE;

	for (guint i = 0; i < f->entries->len; i++) {
		MpForwardEntry *e = f->entries->pdata[i];
		switch (e->kind) {
		case MP_FORWARD_ENTRY_MAILBOX:
			if (owner == NULL || strcmp (e->value, owner) == 0)
				local = TRUE;
			break;
		case MP_FORWARD_ENTRY_ADDRESS:
			/* local(8): the owner's own name delivers to his mailbox */
			if (owner != NULL && strcmp (e->value, owner) == 0)
				local = TRUE;
			break;
		case MP_FORWARD_ENTRY_PIPE:
		case MP_FORWARD_ENTRY_FILE:
			local = TRUE;
			break;
		default:
			break;
		}
		if (e->kind == MP_FORWARD_ENTRY_PIPE && !f->runs_procmail)
			f->runs_procmail = command_runs_procmail (e->value, strlen (e->value), &f->procmail_rc);
	}
	for (guint i = 0; i < f->entries->len; i++) {
		MpForwardEntry *e = f->entries->pdata[i];
		gboolean own = owner != NULL && strcmp (e->value, owner) == 0;
		if (!(e->kind == MP_FORWARD_ENTRY_ADDRESS && !own) &&
		    !(e->kind == MP_FORWARD_ENTRY_MAILBOX && owner != NULL && !own))
			continue;
		MpForwardTarget *t = g_new0 (MpForwardTarget, 1);
		t->address = g_strdup (e->value);
		t->line = e->line;
		t->offset = e->offset;
		t->length = strlen (e->value);
		t->keeps_copy = local;
		g_ptr_array_add (f->targets, t);
	}
}

/* Exim: a first line "# Exim filter" or "# Sieve filter" (any case, blanks
 * between the words) makes the file a filter program. */
static MpForwardFilter
filter_of (const char *data, gsize len)
{
	const char *nl = memchr (data, '\n', len);
	gsize n = nl ? (gsize) (nl - data) : len, i = 0;

	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	if (i >= n || data[i++] != '#')
		return MP_FORWARD_FILTER_NONE;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	MpForwardFilter kind;
	if (n - i >= 4 && g_ascii_strncasecmp (data + i, "exim", 4) == 0)
		kind = MP_FORWARD_FILTER_EXIM;
	else if (n - i >= 5 && g_ascii_strncasecmp (data + i, "sieve", 5) == 0)
		kind = MP_FORWARD_FILTER_SIEVE;
	else
		return MP_FORWARD_FILTER_NONE;
	i += kind == MP_FORWARD_FILTER_EXIM ? 4 : 5;
	gsize word = i;
	while (i < n && (data[i] == ' ' || data[i] == '\t'))
		i++;
	if (i == word || n - i < 6 || g_ascii_strncasecmp (data + i, "filter", 6) != 0)
		return MP_FORWARD_FILTER_NONE;
	return kind;
}

MpForwardFile *
mp_forward_file_parse (const char *data, gsize len, const char *owner)
{
	MpForwardFile *f = g_new0 (MpForwardFile, 1);
	Parser p = { data, f, 0 };
	gsize pos = 0;

	f->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
	f->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_forward_target_free);
	f->filter = filter_of (data, len);
	if (f->filter != MP_FORWARD_FILTER_NONE)
		return f;
	while (pos < len && !f->truncated) {
		const char *nl = memchr (data + pos, '\n', len - pos);
		gsize end = nl ? (gsize) (nl - data) : len;
		const char *nul = memchr (data + pos, '\0', end - pos);
		gsize text_end = nul ? (gsize) (nul - data) : end;
		p.line++;
		parse_line (&p, pos, trim_end (data, pos, text_end));
		pos = end + 1;
	}
	collect_targets (f, owner);
	return f;
}
