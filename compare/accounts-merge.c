/* accounts-merge.c — `compare merge`: the documents of --shard runs
 * (accounts-json.h) joined into the one a single run gives. Reads each
 * file's header lines (bounded), then only the start of each account line
 * (its ordinal) and where it is; the account lines are copied from their
 * files in ordinal order, so memory grows with the number of accounts,
 * never with their messages. Anything that is not the layout
 * accounts-json.h writes is an error naming the file and line. */
#include "accounts-json.h"
#include "output-file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER_LINE (64 * 1024)   /* tool, settings, a run: a command line at most */
#define MAX_RUNS        100000

typedef struct {
	guint64 ordinal;
	guint   file;
	gint64  offset;   /* of the '{' */
	gint64  length;   /* up to the line end, excluded */
	guint64 line;     /* its line in its file, for errors */
} Entry;

typedef struct {
	FILE       *fp;
	const char *name;
	guint64     line;
} In;

static gboolean
fail (GError **error, const In *in, const char *what)
{
	g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s:%" G_GUINT64_FORMAT ": %s", in->name, in->line, what);
	return FALSE;
}

/* One header line into BUF (without its end); FALSE at the end or beyond
 * the bound. */
static gboolean
header_line (In *in, GString *buf, GError **error)
{
	int c;

	g_string_truncate (buf, 0);
	in->line++;
	while ((c = getc (in->fp)) != EOF && c != '\n') {
		if (buf->len >= MAX_HEADER_LINE || c == '\0')
			return fail (error, in, "line too long or with a NUL byte: not a mailpreflight-compare-accounts/1 "
			             "document");
		g_string_append_c (buf, (char) c);
	}
	if (c == EOF && buf->len == 0)
		return fail (error, in, "ends early: not a whole mailpreflight-compare-accounts/1 document "
		             "(was its run interrupted?)");
	return TRUE;
}

static gboolean
expect (In *in, GString *buf, const char *want, GError **error)
{
	g_autofree char *what = NULL;

	if (!header_line (in, buf, error))
		return FALSE;
	if (strcmp (buf->str, want) == 0)
		return TRUE;
	what = g_strdup_printf ("expected '%s': not a mailpreflight-compare-accounts/1 document", want);
	return fail (error, in, what);
}

static gboolean
starts (const GString *buf, const char *prefix)
{
	return g_str_has_prefix (buf->str, prefix);
}

/* accounts_total from the settings line. */
static gboolean
settings_total (const char *line, guint64 *total)
{
	/* the last key; a string holding it would show it escaped (\") */
	const char *p = g_strrstr (line, "\"accounts_total\":");
	char *end = NULL;

	if (p == NULL)
		return FALSE;
	p += strlen ("\"accounts_total\":");
	if (!g_ascii_isdigit (*p))
		return FALSE;
	errno = 0;
	*total = g_ascii_strtoull (p, &end, 10);
	return errno == 0 && end[0] == '}' && end[1] == '\0';
}

/* The account lines of IN, up to "]}", appended to ENTRIES. */
static gboolean
read_accounts (In *in, guint file, GArray *entries, GError **error)
{
	for (;;) {
		char head[48];
		gsize n = 0;
		int c = 0;
		Entry e = { 0 };
		gint64 start = ftello (in->fp);
		const char *p;
		char *end = NULL;

		in->line++;
		/* the start of the line: "]}", or "{\"ordinal\":N," after a ',' */
		while (n < sizeof head - 1 && (c = getc (in->fp)) != EOF && c != '\n') {
			head[n++] = (char) c;
			if (c == ',' && n > 2)
				break;
		}
		head[n] = '\0';
		if (strcmp (head, "],") == 0) {
			/* the totals record (a merge recomputes it): one line, then the end */
			g_autoptr(GString) buf = g_string_new (NULL);
			if (c != '\n' || !header_line (in, buf, error))
				return c != '\n' ? fail (error, in, "expected the totals after the accounts") : FALSE;
			if (!g_str_has_prefix (buf->str, "\"totals\":{") || !g_str_has_suffix (buf->str, "}}"))
				return fail (error, in, "expected the totals (\"totals\":{...}}) after the accounts");
			if (getc (in->fp) != EOF)
				return fail (error, in, "text after the document's end");
			return TRUE;
		}
		if (strcmp (head, "]}") == 0) {
			c = getc (in->fp);
			if (c == '\n')
				c = getc (in->fp);
			if (c != EOF)
				return fail (error, in, "text after the document's end");
			return TRUE;
		}
		p = head;
		if (entries->len > 0 && g_array_index (entries, Entry, entries->len - 1).file == file) {
			if (*p != ',')
				return fail (error, in, "an account line after the first must begin with ','");
			p++;
		}
		if (!g_str_has_prefix (p, "{\"ordinal\":") || !g_ascii_isdigit (p[11]))
			return fail (error, in, "expected an account ({\"ordinal\":N,...}) or ']}'");
		errno = 0;
		e.ordinal = g_ascii_strtoull (p + 11, &end, 10);
		if (c == '\n' || c == EOF)
			return fail (error, in, "an account line must end with '}'");
		if (errno != 0 || *end != ',')
			return fail (error, in, "the account's ordinal is not a number");
		e.file = file;
		e.line = in->line;
		e.offset = start + (p - head);
		/* the rest of the line: only its length is kept */
		{
			int last = (unsigned char) head[n - 1];
			gint64 len = (gint64) n - (p - head);
			while ((c = getc (in->fp)) != EOF && c != '\n') {
				last = c;
				len++;
			}
			if (c == EOF)
				return fail (error, in, "ends inside an account: not a whole document (was its run interrupted?)");
			if (last != '}')
				return fail (error, in, "an account line must end with '}'");
			e.length = len;
		}
		g_array_append_val (entries, e);
	}
}

static gint
by_ordinal (gconstpointer a, gconstpointer b)
{
	const Entry *x = a, *y = b;

	return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal ? 1 : (x->file > y->file) - (x->file < y->file);
}

#define MAX_ACCOUNT_LINE ((gint64) 1 << 30)  /* one account's comparison, read whole to be reported */

/* Copies E's line to OUT and gives it to REPORT. */
static gboolean
copy_entry (FILE *from, const Entry *e, FILE *out, MpAccountsReport *report, const char *name, GError **error)
{
	g_autofree char *line = NULL;

	if (e->length > MAX_ACCOUNT_LINE) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: account %" G_GUINT64_FORMAT "'s line is larger than "
		             "%" G_GINT64_FORMAT " octets", name, e->ordinal, MAX_ACCOUNT_LINE);
		return FALSE;
	}
	if (fseeko (from, e->offset, SEEK_SET) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", name, g_strerror (errno));
		return FALSE;
	}
	line = g_malloc ((gsize) e->length + 1);
	if (fread (line, 1, (size_t) e->length, from) != (size_t) e->length) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: changed while being merged", name);
		return FALSE;
	}
	line[e->length] = '\0';
	fwrite (line, 1, (size_t) e->length, out);
	fputc ('\n', out);
	return mp_accounts_report_add (report, line, (gsize) e->length, name, e->line, error);
}

gboolean
mp_compare_accounts_merge_streams (FILE *const *files, const char *const *names, guint n, FILE *out,
                                   const char *csv, const char *folders_csv, const char *html,
                                   MpCompareAccountsTotals *totals, guint64 *missing, GError **error)
{
	g_autoptr(MpAccountsReport) report = NULL;
	g_autoptr(GString) buf = g_string_new (NULL);
	g_autoptr(GString) tool = g_string_new (NULL);
	g_autoptr(GString) settings = g_string_new (NULL);
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
	guint64 total = 0;

	for (guint f = 0; f < n; f++) {
		In in = { files[f], names[f], 0 };

		if (!expect (&in, buf, "{\"schema\":\"" MP_COMPARE_ACCOUNTS_SCHEMA "\",", error) ||
		    !header_line (&in, buf, error))
			return FALSE;
		if (!starts (buf, "\"tool\":{"))
			return fail (error, &in, "expected the tool line");
		if (f == 0)
			g_string_assign (tool, buf->str);
		else if (strcmp (tool->str, buf->str) != 0)
			return fail (error, &in, "written by another mailpreflight version than the first file: "
			             "compare every shard with the same version");
		if (!header_line (&in, buf, error))
			return FALSE;
		if (!starts (buf, "\"settings\":{") || !g_str_has_suffix (buf->str, "},"))
			return fail (error, &in, "expected the settings line");
		g_string_truncate (buf, buf->len - 1);
		if (!settings_total (buf->str, &total))
			return fail (error, &in, "the settings line has no accounts_total");
		if (f == 0) {
			g_string_assign (settings, buf->str);
		} else if (strcmp (settings->str, buf->str) != 0) {
			g_autofree char *what = g_strdup_printf (
				"judged otherwise than %s (rules, --as-of, --size-tolerance, --accept-predicted, "
				"--fail-on-changed or the accounts file differ): compare every shard alike, with the "
				"same --as-of", names[0]);
			return fail (error, &in, what);
		}
		if (!expect (&in, buf, "\"runs\":[", error))
			return FALSE;
		for (guint r = 0;; r++) {
			const char *p;
			if (!header_line (&in, buf, error))
				return FALSE;
			if (strcmp (buf->str, "],") == 0 && r > 0)
				break;
			p = buf->str + (r > 0 && buf->str[0] == ',');
			if ((r > 0) != (buf->str[0] == ',') || p[0] != '{' || !g_str_has_suffix (p, "}"))
				return fail (error, &in, "expected a run ({...}) or '],'");
			if (runs->len >= MAX_RUNS)
				return fail (error, &in, "too many runs");
			g_ptr_array_add (runs, g_strdup (p));
		}
		if (!expect (&in, buf, "\"accounts\":[", error) || !read_accounts (&in, f, entries, error))
			return FALSE;
	}
	g_array_sort (entries, by_ordinal);
	for (guint i = 1; i < entries->len; i++) {
		const Entry *a = &g_array_index (entries, Entry, i - 1), *b = &g_array_index (entries, Entry, i);
		if (a->ordinal == b->ordinal && a->file == b->file) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: account %" G_GUINT64_FORMAT " is listed twice: "
			             "not a document compare wrote", names[a->file], a->ordinal);
			return FALSE;
		}
		if (a->ordinal == b->ordinal) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "account %" G_GUINT64_FORMAT " is in %s and in %s: "
			             "the same shard given twice?", a->ordinal, names[a->file], names[b->file]);
			return FALSE;
		}
	}
	if (entries->len > 0 && g_array_index (entries, Entry, entries->len - 1).ordinal >= total) {
		const Entry *last = &g_array_index (entries, Entry, entries->len - 1);
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: account %" G_GUINT64_FORMAT " is beyond the run's %"
		             G_GUINT64_FORMAT " accounts: not a document compare wrote", names[last->file], last->ordinal,
		             total);
		return FALSE;
	}
	*missing = total - entries->len;
	/* the settings object: the line without its key */
	report = mp_accounts_report_new (settings->str + strlen ("\"settings\":"), csv, folders_csv, html, error);
	if (report == NULL) {
		g_prefix_error (error, "%s:3: ", names[0]);
		return FALSE;
	}
	fprintf (out, "{\"schema\":\"%s\",\n%s\n%s,\n\"runs\":[\n", MP_COMPARE_ACCOUNTS_SCHEMA, tool->str, settings->str);
	for (guint r = 0; r < runs->len; r++)
		fprintf (out, "%s%s\n", r ? "," : "", (const char *) g_ptr_array_index (runs, r));
	fputs ("],\n\"accounts\":[\n", out);
	for (guint i = 0; i < entries->len; i++) {
		const Entry *e = &g_array_index (entries, Entry, i);
		if (i)
			fputc (',', out);
		if (!copy_entry (files[e->file], e, out, report, names[e->file], error))
			return FALSE;
	}
	mp_compare_accounts_json_end (out, mp_accounts_report_totals (report));
	if (totals != NULL)
		*totals = *mp_accounts_report_totals (report);
	return mp_accounts_report_finish (report, error);
}

gboolean
mp_compare_accounts_merge (const char *const *paths, const char *out_path, const char *csv, const char *folders_csv,
                           const char *html, MpCompareAccountsTotals *totals, guint64 *missing, GError **error)
{
	guint n = g_strv_length ((char **) paths);
	g_autoptr(GPtrArray) files = g_ptr_array_new ();
	g_autoptr(MpOutputFile) out = NULL;
	gboolean ok = FALSE;

	for (guint i = 0; i < n; i++) {
		FILE *fp = fopen (paths[i], "rb");
		if (fp == NULL) {
			g_set_error (error, MP_ERROR, MP_ERROR_NOT_FOUND, "%s: %s", paths[i], g_strerror (errno));
			goto done;
		}
		g_ptr_array_add (files, fp);
	}
	out = mp_output_file_open (out_path, error);
	if (out != NULL &&
	    mp_compare_accounts_merge_streams ((FILE *const *) files->pdata, paths, n, mp_output_file_stream (out),
	                                       csv, folders_csv, html, totals, missing, error))
		ok = mp_output_file_commit (g_steal_pointer (&out), error);
done:
	for (guint i = 0; i < files->len; i++)
		fclose (g_ptr_array_index (files, i));
	return ok;
}
