/* accounts-report.c — the CSV, folders CSV, HTML and totals of many
 * accounts (accounts-report.h), made from the account lines of the JSON
 * document: each line is parsed back into the rows the single-pair writers
 * take (compare-csv.c, compare-html.c), so a row reads the same in the
 * report of one account and in that of many. */
#include "accounts-report.h"
#include "csv.h"
#include "escape.h"
#include "html-assets.h"
#include "json-read.h"
#include "mp-config.h"
#include "output-file.h"
#include "rules.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROWS 5000   /* per table of the page, as compare-html.c; the CSV and JSON hold all */

struct _MpAccountsReport {
	MpSizeTolerance tolerance;
	gboolean        accept_predicted;
	gboolean        fail_on_changed;
	char           *rules;
	char           *as_of;
	char           *tolerance_text;
	MpOutputFile   *csv;
	MpOutputFile   *folders_csv;
	MpOutputFile   *html;
	FILE           *sections;   /* the page's account sections, until the table of accounts is done */
	GString        *table;      /* the table of accounts' rows */
	MpCompareAccountsTotals totals;
};

static void
esc (FILE *fp, const char *s)
{
	mp_xml_write (fp, s);
}

static void
header_row (FILE *fp, const char *const *columns)
{
	mp_csv_write_text (fp, TRUE, "account");
	for (guint i = 0; columns[i]; i++)
		mp_csv_write_text (fp, FALSE, columns[i]);
	mp_csv_end_row (fp);
}

MpAccountsReport *
mp_accounts_report_new (const char *settings_line, const char *csv, const char *folders_csv, const char *html,
                        GError **error)
{
	g_autoptr(MpJsonValue) s = mp_json_value_parse (settings_line, strlen (settings_line), "settings", 1, error);
	g_autoptr(MpAccountsReport) r = NULL;
	const MpJsonValue *tol;

	if (s == NULL)
		return NULL;
	r = g_new0 (MpAccountsReport, 1);
	tol = mp_json_value_get (s, "size_tolerance");
	r->tolerance.bytes = mp_json_value_u64 (tol, "bytes");
	r->tolerance.basis_points = (guint) MIN (mp_json_value_u64 (tol, "basis_points"), G_MAXUINT);
	r->tolerance_text = g_strdup (mp_json_value_str (tol, "text"));
	r->accept_predicted = mp_json_value_bool (s, "accept_predicted");
	r->fail_on_changed = mp_json_value_bool (s, "fail_on_changed");
	r->rules = g_strdup (mp_json_value_str (s, "rules"));
	r->as_of = g_strdup (mp_json_value_str (s, "as_of"));
	r->table = g_string_new (NULL);
	if (csv != NULL) {
		if ((r->csv = mp_output_file_open (csv, error)) == NULL)
			return NULL;
		header_row (mp_output_file_stream (r->csv), mp_compare_csv_columns);
	}
	if (folders_csv != NULL) {
		if ((r->folders_csv = mp_output_file_open (folders_csv, error)) == NULL)
			return NULL;
		header_row (mp_output_file_stream (r->folders_csv), mp_compare_folders_csv_columns);
	}
	if (html != NULL) {
		if ((r->html = mp_output_file_open (html, error)) == NULL)
			return NULL;
		/* in $TMPDIR, unlinked at once: nothing is left behind, whatever happens */
		g_autofree char *tmp = NULL;
		int fd = g_file_open_tmp ("mailpreflight-html-XXXXXX", &tmp, error);

		if (fd < 0)
			return NULL;
		unlink (tmp);
		if ((r->sections = fdopen (fd, "w+")) == NULL) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "cannot make a temporary file: %s", g_strerror (errno));
			close (fd);
			return NULL;
		}
	}
	return g_steal_pointer (&r);
}

void
mp_accounts_report_free (MpAccountsReport *r)
{
	if (r == NULL)
		return;
	g_clear_pointer (&r->csv, mp_output_file_abort);
	g_clear_pointer (&r->folders_csv, mp_output_file_abort);
	g_clear_pointer (&r->html, mp_output_file_abort);
	if (r->sections)
		fclose (r->sections);
	if (r->table)
		g_string_free (r->table, TRUE);
	g_free (r->rules);
	g_free (r->as_of);
	g_free (r->tolerance_text);
	g_free (r);
}

const MpCompareAccountsTotals *
mp_accounts_report_totals (const MpAccountsReport *r)
{
	return &r->totals;
}

/* ---- an account line back into rows -------------------------------------- */

static MpRowStatus
status_of (const char *name)
{
	static const MpRowStatus all[] = { MP_ROW_MISSING, MP_ROW_UNEXPECTED, MP_ROW_CHANGED, MP_ROW_EXTRA };

	for (guint i = 0; name && i < G_N_ELEMENTS (all); i++)
		if (strcmp (name, mp_row_status_name (all[i])) == 0)
			return all[i];
	return 0;
}

static MpCompareVerdict
verdict_of (const char *name)
{
	for (int v = MP_COMPARE_COMPLETE; name && v <= MP_COMPARE_INCOMPLETE; v++)
		if (strcmp (name, mp_compare_verdict_name ((MpCompareVerdict) v)) == 0)
			return (MpCompareVerdict) v;
	return MP_COMPARE_INCOMPLETE;
}

/* A record whose strings are borrowed from O (never freed). */
static void
record_of (const MpJsonValue *o, MpRecord *r)
{
	memset (r, 0, sizeof *r);
	r->folder = (char *) mp_json_value_str (o, "folder");
	r->index = mp_json_value_u64 (o, "index");
	r->locator = (char *) mp_json_value_str (o, "locator");
	r->message_id = (char *) mp_json_value_str (o, "message_id");
	r->date = (char *) mp_json_value_str (o, "date");
	r->from = (char *) mp_json_value_str (o, "from");
	r->subject = (char *) mp_json_value_str (o, "subject");
	r->size = mp_json_value_u64 (o, "size");
	r->attachments = (guint) MIN (mp_json_value_u64 (o, "attachments"), G_MAXUINT);
}

typedef struct {
	MpCompareRow row;
	MpRecord     message;
	MpRecord     target;
	GPtrArray   *reasons;   /* MpRecordReason*, strings borrowed */
} Row;

static void
row_clear (Row *r)
{
	g_clear_pointer (&r->reasons, g_ptr_array_unref);
}

/* E: an element of "messages" (EXTRA: of "extra"). FALSE when it is not
 * a row compare writes (an unknown status, a changed row without the
 * target's copy): a merge's input is a file, and may be anything. */
static gboolean
row_of (const MpJsonValue *e, gboolean extra, Row *r)
{
	const MpJsonValue *changes, *reasons, *target;

	memset (r, 0, sizeof *r);
	record_of (e, &r->message);
	r->row.message = &r->message;
	r->row.folder = r->message.folder;
	r->reasons = g_ptr_array_new_with_free_func (g_free);
	r->row.reasons = r->reasons;
	if (extra) {
		r->row.status = MP_ROW_EXTRA;
		r->row.target_folder = r->message.folder;
		r->row.copy = mp_json_value_bool (e, "copy");
		return TRUE;
	}
	r->row.status = status_of (mp_json_value_str (e, "status"));
	target = mp_json_value_get (e, "target");
	if (!mp_json_value_is_null (target)) {
		record_of (target, &r->target);
		r->row.target = &r->target;
		r->row.target_folder = r->target.folder;
	} else {
		r->row.target_folder = mp_json_value_str (e, "expected_folder");
	}
	r->row.moved = mp_json_value_bool (e, "moved");
	changes = mp_json_value_get (e, "changes");
	for (guint i = 0; i < mp_json_value_length (changes); i++) {
		const char *name = mp_json_value_text (mp_json_value_index (changes, i));
		for (guint bit = 1; name && bit <= MP_CHANGE_ALL; bit <<= 1)
			if (g_strcmp0 (mp_compare_change_name (bit), name) == 0)
				r->row.changes |= bit;
	}
	reasons = mp_json_value_get (e, "reasons");
	for (guint i = 0; i < mp_json_value_length (reasons); i++) {
		const MpJsonValue *o = mp_json_value_index (reasons, i);
		MpRecordReason *why = g_new0 (MpRecordReason, 1);
		const char *sev = mp_json_value_str (o, "severity");

		why->rule = (char *) mp_json_value_str (o, "rule");
		why->check = (char *) mp_json_value_str (o, "check");
		why->detail = (char *) mp_json_value_str (o, "detail");
		why->severity = MP_SEVERITY_ERROR;
		if (sev)
			mp_severity_parse (sev, &why->severity);
		g_ptr_array_add (r->reasons, why);
	}
	if (r->row.status == 0 || r->row.status == MP_ROW_EXTRA)
		return FALSE;
	return (r->row.status == MP_ROW_CHANGED) == (r->row.target != NULL);
}

/* Every row of the account's comparison CMP is one compare writes. */
static gboolean
rows_valid (const MpJsonValue *cmp)
{
	const MpJsonValue *messages = mp_json_value_get (cmp, "messages");
	const MpJsonValue *extra = mp_json_value_get (cmp, "extra");
	gboolean ok = TRUE;

	for (guint i = 0; ok && i < mp_json_value_length (messages); i++) {
		Row row;
		ok = row_of (mp_json_value_index (messages, i), FALSE, &row);
		row_clear (&row);
	}
	for (guint i = 0; ok && i < mp_json_value_length (extra); i++) {
		Row row;
		ok = row_of (mp_json_value_index (extra, i), TRUE, &row);
		row_clear (&row);
	}
	return ok;
}

static void
counts_of (const MpJsonValue *o, MpCompareCounts *c)
{
	c->messages = mp_json_value_u64 (o, "messages");
	c->bytes = mp_json_value_u64 (o, "bytes");
	c->arrived = mp_json_value_u64 (o, "arrived");
	c->moved = mp_json_value_u64 (o, "moved");
	c->missing = mp_json_value_u64 (o, "missing");
	c->unexpected = mp_json_value_u64 (o, "unexpected");
	c->changed = mp_json_value_u64 (o, "changed");
}

/* The exit status of one account by the rule of a run (outcome.c,
 * mp_compare_exit_status), from what its line records: a side that could
 * not be read (fully) 3; missing messages nothing predicted 1; predicted
 * ones 1 unless --accept-predicted; changed ones 1 with --fail-on-changed. */
static guint
exit_of (const MpAccountsReport *r, MpCompareVerdict v, const MpCompareCounts *c)
{
	if (v == MP_COMPARE_INCOMPLETE)
		return MP_COMPARE_EXIT_UNREADABLE;
	if (c->unexpected > 0 || (c->missing > 0 && !r->accept_predicted))
		return MP_COMPARE_EXIT_MISSING;
	return r->fail_on_changed && c->changed > 0 ? MP_COMPARE_EXIT_MISSING : MP_COMPARE_EXIT_OK;
}

/* ---- the writers ---------------------------------------------------------- */

static void
csv_rows (MpAccountsReport *r, const char *account, const MpJsonValue *cmp)
{
	FILE *fp = mp_output_file_stream (r->csv);
	const MpJsonValue *messages = mp_json_value_get (cmp, "messages");
	const MpJsonValue *extra = mp_json_value_get (cmp, "extra");

	for (guint i = 0; i < mp_json_value_length (messages); i++) {
		Row row;
		row_of (mp_json_value_index (messages, i), FALSE, &row);
		mp_compare_csv_write_row (fp, account, &row.row, &r->tolerance);
		row_clear (&row);
	}
	for (guint i = 0; i < mp_json_value_length (extra); i++) {
		Row row;
		row_of (mp_json_value_index (extra, i), TRUE, &row);
		mp_compare_csv_write_row (fp, account, &row.row, &r->tolerance);
		row_clear (&row);
	}
}

static void
folders_csv_rows (MpAccountsReport *r, const char *account, const MpJsonValue *cmp)
{
	FILE *fp = mp_output_file_stream (r->folders_csv);
	const MpJsonValue *folders = mp_json_value_get (cmp, "folders");
	const MpJsonValue *target = mp_json_value_get (cmp, "target_folders");

	for (guint i = 0; i < mp_json_value_length (folders); i++) {
		const MpJsonValue *f = mp_json_value_index (folders, i);
		const MpJsonValue *moved_to = mp_json_value_get (f, "moved_to");
		const MpJsonValue *findings = mp_json_value_get (f, "findings");
		g_autoptr(GString) moved = g_string_new (NULL);
		g_autoptr(GString) rules = g_string_new (NULL);
		guint64 elsewhere = mp_json_value_u64 (f, "moved_elsewhere");
		MpCompareCounts c;

		/* as compare-csv.c's moved_to_text and folder_rules */
		for (guint k = 0; k < mp_json_value_length (moved_to); k++) {
			const MpJsonValue *m = mp_json_value_index (moved_to, k);
			g_string_append_printf (moved, "%s%s (%" G_GUINT64_FORMAT ")", moved->len ? "; " : "",
			                        mp_json_value_str (m, "folder"), mp_json_value_u64 (m, "messages"));
		}
		if (elsewhere)
			g_string_append_printf (moved, "%sothers (%" G_GUINT64_FORMAT ")", moved->len ? "; " : "", elsewhere);
		for (guint k = 0; k < mp_json_value_length (findings); k++) {
			const char *rule = mp_json_value_str (mp_json_value_index (findings, k), "rule");
			if (rules->len)
				g_string_append_c (rules, ';');
			g_string_append (rules, rule ? rule : "");
		}
		counts_of (f, &c);
		mp_compare_csv_write_source_folder (fp, account, mp_json_value_str (f, "folder"),
		                                    mp_json_value_str (f, "expected"), &c, moved->str, rules->str);
	}
	for (guint i = 0; i < mp_json_value_length (target); i++) {
		const MpJsonValue *f = mp_json_value_index (target, i);
		MpTargetFolderOutcome to = { 0 };

		to.messages = mp_json_value_u64 (f, "messages");
		to.bytes = mp_json_value_u64 (f, "bytes");
		to.matched = mp_json_value_u64 (f, "arrived");
		to.extra = mp_json_value_u64 (f, "extra");
		to.copies = mp_json_value_u64 (f, "copies");
		mp_compare_csv_write_target_folder (fp, account, mp_json_value_str (f, "folder"), &to);
	}
}

/* One table of the account's section: the rows of STATUS. */
static void
html_table (MpAccountsReport *r, const MpJsonValue *list, gboolean extra, MpRowStatus status, const char *title,
            const char *where, guint64 count)
{
	FILE *fp = r->sections;
	guint64 written = 0;

	if (count == 0)
		return;
	fputs ("<h3>", fp);
	esc (fp, title);
	fprintf (fp, " <span class=\"muted\">(%" G_GUINT64_FORMAT ")</span></h3>", count);
	mp_compare_html_rows_begin (fp, where);
	for (guint i = 0; i < mp_json_value_length (list) && written < MAX_ROWS; i++) {
		Row row;
		row_of (mp_json_value_index (list, i), extra, &row);
		if (row.row.status == status) {
			mp_compare_html_row (fp, &row.row, &r->tolerance);
			written++;
		}
		row_clear (&row);
	}
	fputs ("</tbody></table></div>", fp);
	if (count > MAX_ROWS)
		fprintf (fp, "<p class=\"note\">The first %d of %" G_GUINT64_FORMAT " are shown; the CSV and JSON reports "
		         "hold all.</p>", MAX_ROWS, count);
	fputc ('\n', fp);
}

static void
html_account (MpAccountsReport *r, guint64 ordinal, const char *account, const char *error_text,
              MpCompareVerdict v, guint exit_status, const MpJsonValue *cmp, const MpCompareCounts *c, guint64 extra)
{
	FILE *fp = r->sections;
	const char *cls = v == MP_COMPARE_COMPLETE ? "ok" : v == MP_COMPARE_UNEXPECTED ? "bad" : "partial";
	GString *t = r->table;
	g_autofree char *name = mp_xml_escape (account);
	g_autofree char *why = error_text ? mp_xml_escape (error_text) : NULL;

	/* the table of accounts */
	g_string_append_printf (t, "<tr data-verdict=\"%s\"><td><a href=\"#account-%" G_GUINT64_FORMAT "\">%s</a></td>"
	                        "<td><span class=\"sev %s\">%s</span></td><td class=\"num\">%u</td>",
	                        mp_compare_verdict_name (v), ordinal, name, cls, mp_compare_verdict_name (v), exit_status);
	g_string_append_printf (t, "<td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
	                        "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
	                        "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
	                        "</td><td class=\"wrap\">%s</td></tr>\n", c->messages, c->arrived, c->unexpected, c->missing,
	                        c->changed, extra, why ? why : "");
	/* its section */
	fprintf (fp, "<section id=\"account-%" G_GUINT64_FORMAT "\" class=\"account\"><h2>", ordinal);
	esc (fp, account);
	fprintf (fp, " <span class=\"sev %s\">%s</span></h2>\n", cls, mp_compare_verdict_name (v));
	if (error_text != NULL) {
		fputs ("<p><b>Not compared</b>: ", fp);
		esc (fp, error_text);
		fputs ("</p>\n", fp);
	}
	if (cmp != NULL) {
		const MpJsonValue *messages = mp_json_value_get (cmp, "messages");
		const MpJsonValue *side;

		for (int k = 0; k < 2; k++) {
			side = mp_json_value_get (cmp, k ? "target" : "source");
			if (mp_json_value_str (side, "error")) {
				fputs (k ? "<p><b>The target could not be read</b>: " : "<p><b>The source could not be read</b>: ", fp);
				esc (fp, mp_json_value_str (side, "error"));
				fputs ("</p>\n", fp);
			}
		}
		if (c->unexpected + c->missing + c->changed + extra == 0)
			fputs ("<p class=\"muted\">Every message arrived; nothing extra on the target.</p>\n", fp);
		html_table (r, messages, FALSE, MP_ROW_UNEXPECTED, "Missing, and no rule predicted it", "Expected in",
		            c->unexpected);
		html_table (r, messages, FALSE, MP_ROW_MISSING, "Missing, as the rules predicted", "Expected in", c->missing);
		html_table (r, messages, FALSE, MP_ROW_CHANGED, "Arrived, but changed", "On the target in", c->changed);
		html_table (r, mp_json_value_get (cmp, "extra"), TRUE, MP_ROW_EXTRA, "Extra on the target", "Folder",
		            extra);
	}
	fputs ("</section>\n", fp);
}

gboolean
mp_accounts_report_add (MpAccountsReport *r, const char *line, gsize len, const char *name, guint64 line_no,
                        GError **error)
{
	g_autoptr(MpJsonValue) a = mp_json_value_parse (line, len, name, line_no, error);
	const MpJsonValue *cmp, *totals;
	const char *account, *error_text;
	MpCompareCounts c = { 0 };
	MpCompareVerdict v;
	guint64 extra = 0;
	guint exit_status;
	MpCompareAccountsTotals *t = &r->totals;

	if (a == NULL)
		return FALSE;
	if (!mp_json_value_get (a, "comparison") || (!mp_json_value_is_null (mp_json_value_get (a, "comparison")) &&
	                                             !rows_valid (mp_json_value_get (a, "comparison")))) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s:%" G_GUINT64_FORMAT ": an account whose comparison "
		             "is not one compare writes", name, line_no);
		return FALSE;
	}
	account = mp_json_value_str (a, "account");
	error_text = mp_json_value_str (a, "error");
	cmp = mp_json_value_get (a, "comparison");
	if (mp_json_value_is_null (cmp))
		cmp = NULL;
	v = cmp ? verdict_of (mp_json_value_str (a, "verdict")) : MP_COMPARE_INCOMPLETE;
	if (cmp != NULL) {
		totals = mp_json_value_get (cmp, "totals");
		counts_of (totals, &c);
		extra = mp_json_value_u64 (totals, "extra");
		t->target_messages += mp_json_value_u64 (totals, "target_messages");
		t->target_bytes += mp_json_value_u64 (totals, "target_bytes");
		t->extra += extra;
		t->copies += mp_json_value_u64 (totals, "copies");
		t->by_message_id += mp_json_value_u64 (totals, "matched_by_message_id");
		t->by_fingerprint += mp_json_value_u64 (totals, "matched_by_fingerprint");
	} else {
		t->failed++;
	}
	exit_status = exit_of (r, v, &c);
	t->accounts++;
	t->by_verdict[v]++;
	t->counts.messages += c.messages;
	t->counts.bytes += c.bytes;
	t->counts.arrived += c.arrived;
	t->counts.moved += c.moved;
	t->counts.missing += c.missing;
	t->counts.unexpected += c.unexpected;
	t->counts.changed += c.changed;
	t->exit_status = MAX (t->exit_status, exit_status);
	if (account == NULL)
		account = "";
	if (r->csv && cmp)
		csv_rows (r, account, cmp);
	if (r->folders_csv && cmp)
		folders_csv_rows (r, account, cmp);
	if (r->html)
		html_account (r, mp_json_value_u64 (a, "ordinal"), account, error_text, v, exit_status, cmp, &c, extra);
	return TRUE;
}

/* The page: nothing in it differs between one run and its shards merged
 * (no run time, no command line: those are in the JSON's "runs"). */
static gboolean
write_page (MpAccountsReport *r, GError **error)
{
	FILE *fp = mp_output_file_stream (r->html);
	const MpCompareAccountsTotals *t = &r->totals;
	char buf[65536];
	size_t n;

	mp_compare_html_head (fp, "Mail migration check: many accounts");
	fputs ("<header class=\"top\"><h1>Mail migration check: many accounts</h1><p>Rules: ", fp);
	esc (fp, r->rules);
	fputs (" &middot; as of ", fp);
	esc (fp, r->as_of);
	fputs (" &middot; sizes equal within ", fp);
	esc (fp, r->tolerance_text);
	fputs (" &middot; mailpreflight " MP_VERSION "</p></header>\n<main>\n", fp);
	fprintf (fp, "<section class=\"verdict %s\" id=\"verdict\" data-exit=\"%u\"><div><div class=\"big\">",
	         t->exit_status == 0 ? "ok" : t->by_verdict[MP_COMPARE_UNEXPECTED] ? "bad" : "partial", t->exit_status);
	fprintf (fp, "%" G_GUINT64_FORMAT " account(s): %" G_GUINT64_FORMAT " complete, %" G_GUINT64_FORMAT
	         " missing as predicted, %" G_GUINT64_FORMAT " missing unexpectedly, %" G_GUINT64_FORMAT " incomplete",
	         t->accounts, t->by_verdict[MP_COMPARE_COMPLETE], t->by_verdict[MP_COMPARE_PREDICTED],
	         t->by_verdict[MP_COMPARE_UNEXPECTED], t->by_verdict[MP_COMPARE_INCOMPLETE]);
	fprintf (fp, "</div><p>Exit status %u.</p></div></section>\n<div class=\"cards\">\n", t->exit_status);
	mp_compare_html_card (fp, "n-accounts", t->accounts, "accounts");
	mp_compare_html_card (fp, "n-source", t->counts.messages, "source messages");
	mp_compare_html_card (fp, "n-arrived", t->counts.arrived, "arrived");
	mp_compare_html_card (fp, "n-moved", t->counts.moved, "in another folder");
	mp_compare_html_card (fp, "n-unexpected", t->counts.unexpected, "missing, unexpected");
	mp_compare_html_card (fp, "n-missing", t->counts.missing, "missing, predicted");
	mp_compare_html_card (fp, "n-changed", t->counts.changed, "changed");
	mp_compare_html_card (fp, "n-extra", t->extra, "extra on the target");
	fputs ("</div>\n<section id=\"accounts\"><h2>Accounts</h2><div class=\"scroll\"><table class=\"sortable\">"
	       "<thead><tr><th>Account</th><th>Status</th><th class=\"num\">Exit</th><th class=\"num\">Messages</th>"
	       "<th class=\"num\">Arrived</th><th class=\"num\">Unexpected</th><th class=\"num\">Missing</th>"
	       "<th class=\"num\">Changed</th><th class=\"num\">Extra</th><th>Error</th></tr></thead><tbody>\n", fp);
	fputs (r->table->str, fp);
	fputs ("</tbody></table></div></section>\n", fp);
	if (fflush (r->sections) != 0 || fseek (r->sections, 0, SEEK_SET) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "the HTML report's temporary file: %s", g_strerror (errno));
		return FALSE;
	}
	while ((n = fread (buf, 1, sizeof buf, r->sections)) > 0)
		fwrite (buf, 1, n, fp);
	if (ferror (r->sections)) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "the HTML report's temporary file: read failed");
		return FALSE;
	}
	fputs ("</main>\n<script>", fp);
	fputs (mp_html_js, fp);
	fputs ("</script>\n</body>\n</html>\n", fp);
	return TRUE;
}

gboolean
mp_accounts_report_finish (MpAccountsReport *r, GError **error)
{
	if (r->csv && !mp_output_file_commit (g_steal_pointer (&r->csv), error))
		return FALSE;
	if (r->folders_csv && !mp_output_file_commit (g_steal_pointer (&r->folders_csv), error))
		return FALSE;
	if (r->html && (!write_page (r, error) || !mp_output_file_commit (g_steal_pointer (&r->html), error)))
		return FALSE;
	return TRUE;
}

void
mp_compare_accounts_totals_write (FILE *fp, const MpCompareAccountsTotals *t)
{
	const MpCompareCounts *c = &t->counts;

	fprintf (fp, "\"totals\":{\"accounts\":%" G_GUINT64_FORMAT ",\"not_compared\":%" G_GUINT64_FORMAT
	         ",\"verdicts\":{\"complete\":%" G_GUINT64_FORMAT ",\"missing-predicted\":%" G_GUINT64_FORMAT
	         ",\"missing-unexpected\":%" G_GUINT64_FORMAT ",\"incomplete\":%" G_GUINT64_FORMAT "}",
	         t->accounts, t->failed, t->by_verdict[MP_COMPARE_COMPLETE], t->by_verdict[MP_COMPARE_PREDICTED],
	         t->by_verdict[MP_COMPARE_UNEXPECTED], t->by_verdict[MP_COMPARE_INCOMPLETE]);
	fprintf (fp, ",\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT ",\"arrived\":%" G_GUINT64_FORMAT
	         ",\"in_place\":%" G_GUINT64_FORMAT ",\"moved\":%" G_GUINT64_FORMAT ",\"missing\":%" G_GUINT64_FORMAT
	         ",\"unexpected\":%" G_GUINT64_FORMAT ",\"changed\":%" G_GUINT64_FORMAT, c->messages, c->bytes,
	         c->arrived, c->arrived - c->moved, c->moved, c->missing, c->unexpected, c->changed);
	fprintf (fp, ",\"target_messages\":%" G_GUINT64_FORMAT ",\"target_bytes\":%" G_GUINT64_FORMAT ",\"extra\":%"
	         G_GUINT64_FORMAT ",\"copies\":%" G_GUINT64_FORMAT ",\"matched_by_message_id\":%" G_GUINT64_FORMAT
	         ",\"matched_by_fingerprint\":%" G_GUINT64_FORMAT ",\"exit_status\":%u}", t->target_messages,
	         t->target_bytes, t->extra, t->copies, t->by_message_id, t->by_fingerprint, t->exit_status);
}

void
mp_compare_accounts_totals_print (FILE *fp, const MpCompareAccountsTotals *t)
{
	fprintf (fp, "%" G_GUINT64_FORMAT " account(s): %" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT " %s, %"
	         G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT " %s\n", t->accounts,
	         t->by_verdict[MP_COMPARE_COMPLETE], mp_compare_verdict_name (MP_COMPARE_COMPLETE),
	         t->by_verdict[MP_COMPARE_PREDICTED], mp_compare_verdict_name (MP_COMPARE_PREDICTED),
	         t->by_verdict[MP_COMPARE_UNEXPECTED], mp_compare_verdict_name (MP_COMPARE_UNEXPECTED),
	         t->by_verdict[MP_COMPARE_INCOMPLETE], mp_compare_verdict_name (MP_COMPARE_INCOMPLETE));
	fprintf (fp, "all accounts: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT " arrived (%" G_GUINT64_FORMAT
	         " moved), %" G_GUINT64_FORMAT " missing as predicted, %" G_GUINT64_FORMAT " unexpected, %"
	         G_GUINT64_FORMAT " changed; %" G_GUINT64_FORMAT " extra on the target; exit status %u\n",
	         t->counts.messages, t->counts.arrived, t->counts.moved, t->counts.missing, t->counts.unexpected,
	         t->counts.changed, t->extra, t->exit_status);
}
