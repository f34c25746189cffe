#include "summary.h"
#include "rules.h"

#include <string.h>

static void
folder_stats_free (MpFolderStats *f)
{
	g_free (f->source);
	g_free (f->name);
	g_free (f);
}

static void
rule_stats_free (MpRuleStats *r)
{
	g_free (r->rule);
	g_free (r->check);
	g_free (r);
}

static void
offender_free (MpOffender *o)
{
	g_free (o->folder);
	g_free (o->subject);
	g_free (o->rules);
	g_free (o);
}

MpSummary *
mp_summary_new (void)
{
	MpSummary *s = g_new0 (MpSummary, 1);

	s->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_stats_free);
	s->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_stats_free);
	s->offenders = g_ptr_array_new_with_free_func ((GDestroyNotify) offender_free);
	s->errors = g_ptr_array_new_with_free_func (g_free);
	s->notices = g_ptr_array_new_with_free_func (g_free);
	return s;
}

void
mp_summary_free (MpSummary *s)
{
	if (s == NULL)
		return;
	g_ptr_array_unref (s->folders);
	g_ptr_array_unref (s->rules);
	g_ptr_array_unref (s->offenders);
	g_ptr_array_unref (s->errors);
	g_ptr_array_unref (s->notices);
	g_free (s);
}

void
mp_summary_begin_folder (MpSummary *s, const char *source, const char *folder)
{
	MpFolderStats *f = g_new0 (MpFolderStats, 1);

	f->source = g_strdup (source);
	f->name = g_strdup (folder);
	g_ptr_array_add (s->folders, f);
}

static MpRuleStats *
rule_stats (MpSummary *s, const MpFinding *f)
{
	MpRuleStats *r;

	for (guint i = 0; i < s->rules->len; i++) {
		r = g_ptr_array_index (s->rules, i);
		if (strcmp (r->rule, f->rule) == 0)
			return r;
	}
	r = g_new0 (MpRuleStats, 1);
	r->rule = g_strdup (f->rule);
	r->check = g_strdup (f->check);
	r->severity = f->severity;
	g_ptr_array_add (s->rules, r);
	return r;
}

/* Keeps the MP_SUMMARY_TOP largest messages with findings, largest first. */
static void
consider_offender (MpSummary *s, const MpMessage *m)
{
	GPtrArray *top = s->offenders;
	MpOffender *o;
	GString *rules;
	guint pos;

	if (top->len == MP_SUMMARY_TOP &&
	    ((MpOffender *) g_ptr_array_index (top, top->len - 1))->size >= m->size)
		return;
	for (pos = 0; pos < top->len; pos++)
		if (((MpOffender *) g_ptr_array_index (top, pos))->size < m->size)
			break;
	o = g_new0 (MpOffender, 1);
	o->folder = g_strdup (m->folder);
	o->index = m->index;
	o->size = m->size;
	o->attachments = m->attachments;
	o->subject = g_strdup (m->subject);
	rules = g_string_new (NULL);
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		if (rules->len)
			g_string_append_c (rules, ';');
		g_string_append (rules, f->rule);
	}
	o->rules = g_string_free (rules, FALSE);
	g_ptr_array_insert (top, (gint) pos, o);
	if (top->len > MP_SUMMARY_TOP)
		g_ptr_array_remove_index (top, top->len - 1);
}

void
mp_summary_add_message (MpSummary *s, const MpMessage *m)
{
	MpFolderStats *f = s->folders->len ? g_ptr_array_index (s->folders, s->folders->len - 1) : NULL;

	if (m->skipped)
		return;
	s->messages++;
	s->bytes += m->size;
	if (m->problems->len)
		s->messages_with_problems++;
	if (f) {
		f->messages++;
		f->bytes += m->size;
		f->findings += m->findings->len;
	}
	if (m->findings->len == 0)
		return;
	s->messages_with_findings++;
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *fd = g_ptr_array_index (m->findings, i);
		rule_stats (s, fd)->count++;
		if ((guint) fd->severity < G_N_ELEMENTS (s->findings))
			s->findings[fd->severity]++;
	}
	consider_offender (s, m);
}

void
mp_summary_add_finding (MpSummary *s, const char *folder, const MpFinding *f)
{
	rule_stats (s, f)->count++;
	if ((guint) f->severity < G_N_ELEMENTS (s->findings))
		s->findings[f->severity]++;
	s->other_findings++;
	if (folder != NULL) {
		for (guint i = s->folders->len; i > 0; i--) {
			MpFolderStats *fs = g_ptr_array_index (s->folders, i - 1);
			if (strcmp (fs->name, folder) == 0) {
				fs->findings++;
				break;
			}
		}
	}
}

/* Lists are bounded: a tree of 100,000 broken folders must not print them all. */
#define MAX_LISTED 1000

void
mp_summary_add_error (MpSummary *s, const char *text)
{
	if (s->errors->len < MAX_LISTED)
		g_ptr_array_add (s->errors, g_strdup (text));
}

void
mp_summary_add_notice (MpSummary *s, const char *text)
{
	if (s->notices->len < MAX_LISTED)
		g_ptr_array_add (s->notices, g_strdup (text));
}

/* Display width of a UTF-8 string, for aligned columns. */
static glong
width (const char *s)
{
	return s ? g_utf8_strlen (s, -1) : 0;
}

static void
print_padded (FILE *fp, const char *s, glong w)
{
	fputs (s, fp);
	for (glong i = width (s); i < w; i++)
		fputc (' ', fp);
}

/* Subjects come from anyone: no control characters to the terminal. */
static char *
printable (const char *s, glong max)
{
	GString *out = g_string_new (NULL);
	glong n = 0;

	for (const char *p = s ? s : ""; *p && n < max; p = g_utf8_next_char (p), n++) {
		gunichar c = g_utf8_get_char (p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			g_string_append_c (out, '?');
		else
			g_string_append_unichar (out, c);
	}
	if (*(s ? s : "") && g_utf8_strlen (s, -1) > max)
		g_string_append (out, "...");
	return g_string_free (out, FALSE);
}

void
mp_summary_print (const MpSummary *s, FILE *fp, const char *rules_origin)
{
	glong wname = 6;
	g_autofree char *total = mp_format_size (s->bytes);

	fprintf (fp, "mailpreflight: %" G_GUINT64_FORMAT " messages, %s (%" G_GUINT64_FORMAT
	         " bytes) in %u folder(s); rules: %s\n",
	         s->messages, total, s->bytes, s->folders->len, rules_origin);

	for (guint i = 0; i < s->folders->len; i++) {
		const MpFolderStats *f = g_ptr_array_index (s->folders, i);
		g_autofree char *shown = printable (f->name, 60);
		wname = MAX (wname, width (shown));
	}
	if (s->folders->len) {
		fputc ('\n', fp);
		print_padded (fp, "Folder", wname);
		fprintf (fp, "  %10s  %12s  %8s\n", "Messages", "Size", "Findings");
		for (guint i = 0; i < s->folders->len; i++) {
			const MpFolderStats *f = g_ptr_array_index (s->folders, i);
			g_autofree char *shown = printable (f->name, 60);
			g_autofree char *size = mp_format_size (f->bytes);
			print_padded (fp, shown, wname);
			fprintf (fp, "  %10" G_GUINT64_FORMAT "  %12s  %8" G_GUINT64_FORMAT "%s\n",
			         f->messages, size, f->findings, f->failed ? "  (read failed)" : "");
		}
	}

	fputc ('\n', fp);
	if (s->rules->len == 0) {
		fprintf (fp, "No findings: every message passes the rules.\n");
	} else {
		fprintf (fp, "Findings per rule:\n");
		for (guint i = 0; i < s->rules->len; i++) {
			const MpRuleStats *r = g_ptr_array_index (s->rules, i);
			fprintf (fp, "  %-8s %-28s %-18s %" G_GUINT64_FORMAT "\n",
			         mp_severity_name (r->severity), r->rule, r->check, r->count);
		}
		fprintf (fp, "  %" G_GUINT64_FORMAT " error(s), %" G_GUINT64_FORMAT " warning(s), %"
		         G_GUINT64_FORMAT " info in %" G_GUINT64_FORMAT " message(s)",
		         s->findings[MP_SEVERITY_ERROR], s->findings[MP_SEVERITY_WARNING],
		         s->findings[MP_SEVERITY_INFO], s->messages_with_findings);
		if (s->other_findings)
			fprintf (fp, " and %" G_GUINT64_FORMAT " about folders or accounts", s->other_findings);
		fputc ('\n', fp);
	}
	if (s->offenders->len) {
		fprintf (fp, "\nWorst offenders (largest messages with findings):\n");
		for (guint i = 0; i < s->offenders->len; i++) {
			const MpOffender *o = g_ptr_array_index (s->offenders, i);
			g_autofree char *size = mp_format_size (o->size);
			g_autofree char *folder = printable (o->folder, 30);
			g_autofree char *subject = printable (o->subject, 50);
			fprintf (fp, "  %10s  %4u att.  %s #%" G_GUINT64_FORMAT "  %s  [%s]\n",
			         size, o->attachments, folder, o->index, subject, o->rules);
		}
	}
	if (s->messages_with_problems)
		fprintf (fp, "\n%" G_GUINT64_FORMAT " message(s) have parse problems (see the inventory's problems column).\n",
		         s->messages_with_problems);
	if (s->notices->len) {
		fprintf (fp, "\nNotices:\n");
		for (guint i = 0; i < s->notices->len; i++) {
			g_autofree char *t = printable (g_ptr_array_index (s->notices, i), 200);
			fprintf (fp, "  %s\n", t);
		}
	}
	if (s->errors->len) {
		fprintf (fp, "\nCould not read:\n");
		for (guint i = 0; i < s->errors->len; i++) {
			g_autofree char *t = printable (g_ptr_array_index (s->errors, i), 300);
			fprintf (fp, "  %s\n", t);
		}
	}
}
