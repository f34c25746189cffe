/* junit-report.c — JUnit XML for CI: one <testsuite> per account, in it
 * one <testcase> per rule per folder of each of its sources (message and
 * folder rules) and one per account rule. A testcase fails when it has
 * findings of severity error (what the verdict of every report says: not
 * ready, whatever --fail-on) or at or above --fail-on (what the exit status
 * says); the findings are the failure's text, at most MAX_LINES of them and
 * a count of the rest; other findings go to <system-out>.
 * Folders and sources that could not be read are a "read" testcase with an
 * <error>. Testcases of a folder are written when it closes; findings about
 * a folder that arrive after it closed (case collisions, judged on the whole
 * account) go to the account's testcase of that rule. */
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#define MAX_LINES 50

typedef struct {
	char      *rule;
	char      *check;
	guint64    count[3];  /* by severity */
	guint64    blocking;
	GString   *fail_text;
	GString   *out_text;
	guint      lines;
	guint64    more;
} Case;

typedef struct {
	MpWriter  base;
	FILE     *all;          /* the finished testsuites */
	FILE     *suite;        /* testcases of the open source */
	char     *source;
	gboolean  source_open;
	guint64   s_tests, s_failures, s_errors;
	guint64   tests, failures, errors;
	char     *folder;       /* open folder */
	char     *folder_error;
	GPtrArray *folder_cases;  /* Case*, in rule order */
	GPtrArray *account_cases;
} JunitWriter;

static void
case_free (Case *c)
{
	g_free (c->rule);
	g_free (c->check);
	g_string_free (c->fail_text, TRUE);
	g_string_free (c->out_text, TRUE);
	g_free (c);
}

static Case *
case_new (const char *rule, const char *check)
{
	Case *c = g_new0 (Case, 1);

	c->rule = g_strdup (rule);
	c->check = g_strdup (check);
	c->fail_text = g_string_new (NULL);
	c->out_text = g_string_new (NULL);
	return c;
}

static Case *
find_case (GPtrArray *cases, const MpFinding *f)
{
	Case *c;

	for (guint i = 0; i < cases->len; i++) {
		c = g_ptr_array_index (cases, i);
		if (strcmp (c->rule, f->rule) == 0)
			return c;
	}
	c = case_new (f->rule, f->check);
	g_ptr_array_add (cases, c);
	return c;
}

/* The cases every folder (or account) has, passing or not. */
static void
seed_cases (JunitWriter *j, GPtrArray *cases, gboolean account)
{
	g_ptr_array_set_size (cases, 0);
	for (guint i = 0; i < j->base.meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (j->base.meta->rules, i);
		gboolean is_account = g_strcmp0 (r->scope, "account") == 0;
		if (is_account == account)
			g_ptr_array_add (cases, case_new (r->name, r->check));
	}
}

static void
add_line (JunitWriter *j, Case *c, const MpFinding *f, const char *where)
{
	gboolean blocking = f->severity == MP_SEVERITY_ERROR || mp_report_meta_blocking (j->base.meta, f->severity);
	GString *text = blocking ? c->fail_text : c->out_text;
	g_autofree char *line = NULL;
	g_autofree char *esc = NULL;

	if ((guint) f->severity < 3)
		c->count[f->severity]++;
	if (blocking)
		c->blocking++;
	if (c->lines >= MAX_LINES) {
		c->more++;
		return;
	}
	c->lines++;
	line = g_strdup_printf ("[%s] %s%s%s\n", mp_severity_name (f->severity), where ? where : "",
	                        where ? ": " : "", f->detail ? f->detail : "");
	esc = mp_xml_escape (line);
	g_string_append (text, esc);
}

static void
write_case (JunitWriter *j, const char *classname, Case *c)
{
	FILE *fp = j->suite;
	guint64 total = c->count[0] + c->count[1] + c->count[2];

	j->s_tests++;
	fputs ("    <testcase classname=\"", fp);
	mp_xml_write (fp, classname);
	fputs ("\" name=\"", fp);
	mp_xml_write (fp, c->rule);
	if (c->check) {
		fputs (" (", fp);
		mp_xml_write (fp, c->check);
		fputc (')', fp);
	}
	fputs ("\"", fp);
	if (total == 0) {
		fputs ("/>\n", fp);
		return;
	}
	fputs (">\n", fp);
	if (c->blocking) {
		MpSeverity worst = c->count[MP_SEVERITY_ERROR] ? MP_SEVERITY_ERROR
		                 : c->count[MP_SEVERITY_WARNING] ? MP_SEVERITY_WARNING : MP_SEVERITY_INFO;
		j->s_failures++;
		fprintf (fp, "      <failure type=\"%s\" message=\"%" G_GUINT64_FORMAT " finding(s): %"
		         G_GUINT64_FORMAT " error, %" G_GUINT64_FORMAT " warning, %" G_GUINT64_FORMAT " info\">",
		         mp_severity_name (worst), total, c->count[MP_SEVERITY_ERROR],
		         c->count[MP_SEVERITY_WARNING], c->count[MP_SEVERITY_INFO]);
		fputs (c->fail_text->str, fp);
		if (c->more)
			fprintf (fp, "... and %" G_GUINT64_FORMAT " more finding(s) (see the CSV or JSON report)\n", c->more);
		fputs ("</failure>\n", fp);
	}
	if (c->out_text->len || (!c->blocking && c->more)) {
		fputs ("      <system-out>", fp);
		fputs (c->out_text->str, fp);
		if (!c->blocking && c->more)
			fprintf (fp, "... and %" G_GUINT64_FORMAT " more finding(s) (see the CSV or JSON report)\n", c->more);
		fputs ("</system-out>\n", fp);
	}
	fputs ("    </testcase>\n", fp);
}

static void
write_error_case (JunitWriter *j, const char *classname, const char *message)
{
	FILE *fp = j->suite;

	j->s_tests++;
	j->s_errors++;
	fputs ("    <testcase classname=\"", fp);
	mp_xml_write (fp, classname);
	fputs ("\" name=\"read\">\n      <error type=\"read-error\" message=\"", fp);
	mp_xml_write (fp, message);
	fputs ("\"/>\n    </testcase>\n", fp);
}

static void
open_suite (JunitWriter *j, const char *source)
{
	g_free (j->source);
	j->source = g_strdup (source);
	j->source_open = TRUE;
	j->s_tests = j->s_failures = j->s_errors = 0;
	rewind (j->suite);
	if (ftruncate (fileno (j->suite), 0) != 0)
		g_warning ("junit: cannot truncate the spool file");
	seed_cases (j, j->account_cases, TRUE);
}

static void
close_suite (JunitWriter *j)
{
	FILE *fp = j->all;
	long len;

	for (guint i = 0; i < j->account_cases->len; i++)
		write_case (j, j->source, g_ptr_array_index (j->account_cases, i));
	g_ptr_array_set_size (j->account_cases, 0);
	fflush (j->suite);
	len = ftell (j->suite);
	fputs ("  <testsuite name=\"", fp);
	mp_xml_write (fp, j->source);
	fprintf (fp, "\" tests=\"%" G_GUINT64_FORMAT "\" failures=\"%" G_GUINT64_FORMAT
	         "\" errors=\"%" G_GUINT64_FORMAT "\" skipped=\"0\">\n",
	         j->s_tests, j->s_failures, j->s_errors);
	if (len > 0)
		mp_copy_stream (j->suite, fp);
	fputs ("  </testsuite>\n", fp);
	j->tests += j->s_tests;
	j->failures += j->s_failures;
	j->errors += j->s_errors;
	j->source_open = FALSE;
}

static void
ju_account_begin (MpWriter *w, const MpAccount *account)
{
	open_suite ((JunitWriter *) w, account->name);
}

static void
ju_account_end (MpWriter *w, const MpAccountResult *result)
{
	JunitWriter *j = (JunitWriter *) w;

	if (j->source_open)
		close_suite (j);
}

static void
ju_source_error (MpWriter *w, const char *source, const char *message)
{
	JunitWriter *j = (JunitWriter *) w;

	if (!j->source_open)
		open_suite (j, source);
	write_error_case (j, source, message);
}

static void
ju_folder_begin (MpWriter *w, const char *source, const char *folder)
{
	JunitWriter *j = (JunitWriter *) w;

	g_free (j->folder);
	j->folder = g_strdup (folder);
	g_clear_pointer (&j->folder_error, g_free);
	seed_cases (j, j->folder_cases, FALSE);
}

static void
ju_folder_error (MpWriter *w, const char *source, const char *folder, const char *message)
{
	JunitWriter *j = (JunitWriter *) w;

	g_free (j->folder_error);
	j->folder_error = g_strdup (message);
}

static void
ju_message (MpWriter *w, const char *source, const MpMessage *m)
{
	JunitWriter *j = (JunitWriter *) w;

	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		g_autofree char *where = g_strdup_printf ("#%" G_GUINT64_FORMAT " (%s) \"%s\"%s", m->index,
		                                          m->locator ? m->locator : "",
		                                          m->subject ? m->subject : "",
		                                          m->deleted != MP_DELETED_NONE ? " [marked deleted]" : "");
		add_line (j, find_case (j->folder_cases, f), f, where);
	}
}

static void
ju_finding (MpWriter *w, const char *source, const char *folder, const MpFinding *f)
{
	JunitWriter *j = (JunitWriter *) w;

	if (folder && j->folder && strcmp (folder, j->folder) == 0) {
		add_line (j, find_case (j->folder_cases, f), f, NULL);
	} else {
		g_autofree char *where = folder ? g_strdup_printf ("folder %s", folder) : NULL;
		add_line (j, find_case (j->account_cases, f), f, where);
	}
}

static void
ju_folder_end (MpWriter *w, const char *source, const char *folder)
{
	JunitWriter *j = (JunitWriter *) w;
	g_autofree char *classname = g_strdup_printf ("%s: %s", source, folder);

	if (j->folder_error)
		write_error_case (j, classname, j->folder_error);
	for (guint i = 0; i < j->folder_cases->len; i++)
		write_case (j, classname, g_ptr_array_index (j->folder_cases, i));
	g_ptr_array_set_size (j->folder_cases, 0);
	g_clear_pointer (&j->folder, g_free);
	g_clear_pointer (&j->folder_error, g_free);
}

static gboolean
ju_finish (MpWriter *w, const MpSummary *s, GError **error)
{
	JunitWriter *j = (JunitWriter *) w;
	FILE *fp = mp_output_file_stream (w->out);

	if (j->source_open)
		close_suite (j);
	fputs ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf (fp, "<testsuites name=\"mailpreflight\" tests=\"%" G_GUINT64_FORMAT "\" failures=\"%"
	         G_GUINT64_FORMAT "\" errors=\"%" G_GUINT64_FORMAT "\">\n", j->tests, j->failures, j->errors);
	if (!mp_copy_stream (j->all, fp)) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "JUnit report: cannot read back the spool file");
		return FALSE;
	}
	fputs ("</testsuites>\n", fp);
	return mp_writer_commit (w, error);
}

static void
ju_free (MpWriter *w)
{
	JunitWriter *j = (JunitWriter *) w;

	if (j->all)
		fclose (j->all);
	if (j->suite)
		fclose (j->suite);
	g_free (j->source);
	g_free (j->folder);
	g_free (j->folder_error);
	g_ptr_array_unref (j->folder_cases);
	g_ptr_array_unref (j->account_cases);
	g_free (j);
}

static const MpWriterOps junit_ops = {
	.account_begin = ju_account_begin,
	.account_end = ju_account_end,
	.source_error = ju_source_error,
	.folder_begin = ju_folder_begin,
	.folder_error = ju_folder_error,
	.message = ju_message,
	.finding = ju_finding,
	.folder_end = ju_folder_end,
	.finish = ju_finish,
	.free = ju_free,
};

MpWriter *
mp_junit_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	JunitWriter *j;
	FILE *all = tmpfile ();
	FILE *suite = tmpfile ();
	MpOutputFile *out;

	if (all == NULL || suite == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "JUnit report: cannot create a temporary file: %s",
		             g_strerror (errno));
		if (all)
			fclose (all);
		if (suite)
			fclose (suite);
		return NULL;
	}
	if ((out = mp_output_file_open (path, error)) == NULL) {
		fclose (all);
		fclose (suite);
		return NULL;
	}
	j = g_new0 (JunitWriter, 1);
	j->base.ops = &junit_ops;
	j->base.meta = meta;
	j->base.out = out;
	j->all = all;
	j->suite = suite;
	j->folder_cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
	j->account_cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
	return &j->base;
}
