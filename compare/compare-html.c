/* compare-html.c — the HTML report of `compare`: one self-contained page
 * in the style of the scan's report (html-assets.h: the same style sheet and
 * sorting script, allowed by their hashes in the Content-Security-Policy,
 * nothing else). The verdict first, then the counts, the folders, and the
 * messages in four tables: missing and unexpected first (the ones to look
 * at), missing as predicted, changed, and the target's extra messages apart.
 * Each table holds at most MAX_ROWS rows (the CSV and JSON hold all); every
 * text from a message or a folder name is escaped. */
#include "compare-report.h"
#include "escape.h"
#include "html-assets.h"
#include "mp-config.h"
#include "output-file.h"
#include "row-text.h"
#include "rules.h"

#include <string.h>

#define MAX_ROWS 5000

static void
esc (FILE *fp, const char *s)
{
	mp_xml_write (fp, s);
}

void
mp_compare_html_card (FILE *fp, const char *id, guint64 value, const char *label)
{
	fprintf (fp, "<div class=\"card\"><div class=\"n\" id=\"%s\">%" G_GUINT64_FORMAT "</div><div class=\"l\">",
	         id, value);
	esc (fp, label);
	fputs ("</div></div>\n", fp);
}

void
mp_compare_html_head (FILE *fp, const char *title)
{
	g_autofree char *css_hash = mp_html_csp_hash (mp_html_css);
	g_autofree char *js_hash = mp_html_csp_hash (mp_html_js);

	fputs ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", fp);
	fprintf (fp, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	         "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src 'none'; font-src 'none'; "
	         "connect-src 'none'; base-uri 'none'; form-action 'none'\">\n", css_hash, js_hash);
	fputs ("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"mailpreflight " MP_VERSION "\">\n"
	       "<title>", fp);
	esc (fp, title);
	fputs ("</title>\n<style>", fp);
	fputs (mp_html_css, fp);
	fputs ("</style>\n</head>\n<body>\n", fp);
}

static void
verdict (FILE *fp, const MpCompareOutcome *o)
{
	const MpCompareCounts *t = &o->totals;
	MpCompareVerdict v = mp_compare_verdict (o);
	const char *cls = v == MP_COMPARE_COMPLETE ? "ok" : v == MP_COMPARE_UNEXPECTED ? "bad" : "partial";

	fprintf (fp, "<section class=\"verdict %s\" id=\"verdict\" data-verdict=\"%s\"><div><div class=\"big\">", cls,
	         mp_compare_verdict_name (v));
	switch (v) {
	case MP_COMPARE_COMPLETE:
		fputs ("Complete: every message arrived", fp);
		break;
	case MP_COMPARE_PREDICTED:
		fprintf (fp, "%" G_GUINT64_FORMAT " message%s did not arrive, as predicted", t->missing,
		         t->missing == 1 ? "" : "s");
		break;
	case MP_COMPARE_UNEXPECTED:
		fprintf (fp, "%" G_GUINT64_FORMAT " message%s did not arrive unexpectedly", t->unexpected,
		         t->unexpected == 1 ? "" : "s");
		break;
	case MP_COMPARE_INCOMPLETE:
		fputs ("Incomplete: a side could not be read", fp);
		break;
	}
	fputs ("</div><p>", fp);
	switch (v) {
	case MP_COMPARE_COMPLETE:
		fputs ("Every message of the source is on the target.", fp);
		break;
	case MP_COMPARE_PREDICTED:
		fputs ("The rules said before the move that the target would refuse these messages.", fp);
		break;
	case MP_COMPARE_UNEXPECTED:
		fputs ("Nothing predicted these losses: look at them first.", fp);
		break;
	case MP_COMPARE_INCOMPLETE:
		fputs ("What could not be read may hold the messages counted missing.", fp);
		break;
	}
	fputs ("</p></div></section>\n", fp);
}

static void
side_info (FILE *fp, const char *label, const MpSide *s)
{
	g_autofree char *size = mp_format_size (s->bytes);

	fputs ("<dt>", fp);
	esc (fp, label);
	fputs ("</dt><dd><code>", fp);
	esc (fp, s->name);
	fputs ("</code> (", fp);
	esc (fp, s->kind ? s->kind : "?");
	fprintf (fp, "): %u messages, ", s->keys->len);
	esc (fp, size);
	fprintf (fp, " in %u folders", s->folders->len);
	if (s->error) {
		fputs ("; <b>could not be read</b>: ", fp);
		esc (fp, s->error);
	} else if (s->folders_failed) {
		fprintf (fp, "; <b>%u folder(s) could not be read</b>", s->folders_failed);
	}
	fputs ("</dd>\n", fp);
}

static void
folders (FILE *fp, const MpCompareOutcome *o)
{
	fputs ("<section id=\"folders\"><h2>Folders</h2><div class=\"scroll\"><table class=\"sortable\">"
	       "<thead><tr><th>Folder</th><th>Expected on the target</th><th class=\"num\">Messages</th>"
	       "<th class=\"num\">Arrived</th><th class=\"num\">Moved</th><th class=\"num\">Missing</th>"
	       "<th class=\"num\">Unexpected</th><th class=\"num\">Changed</th><th>Moved to</th><th>Rules</th>"
	       "</tr></thead><tbody>\n", fp);
	for (guint i = 0; i < o->source->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->source, i);
		const MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, i);
		const MpExpectedFolder *e = &g_array_index (o->expected, MpExpectedFolder, i);

		fputs ("<tr><td>", fp);
		esc (fp, f->name);
		if (f->error)
			fputs (" <b>(read failed)</b>", fp);
		fputs ("</td><td>", fp);
		esc (fp, e->name);
		if (e->folder == MP_NO_FOLDER)
			fputs (" <span class=\"muted\">(not on the target)</span>", fp);
		fprintf (fp, "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
		         "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
		         "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
		         "</td><td>", fo->counts.messages, fo->counts.arrived, fo->counts.moved, fo->counts.missing,
		         fo->counts.unexpected, fo->counts.changed);
		for (guint k = 0; k < fo->n_moved_to; k++) {
			if (k)
				fputs (", ", fp);
			esc (fp, mp_side_folder (o->target, fo->moved_to[k].folder)->name);
			fprintf (fp, " (%" G_GUINT64_FORMAT ")", fo->moved_to[k].messages);
		}
		if (fo->moved_elsewhere)
			fprintf (fp, ", others (%" G_GUINT64_FORMAT ")", fo->moved_elsewhere);
		fputs ("</td><td>", fp);
		for (guint k = 0; k < f->findings->len; k++) {
			const MpFinding *fi = g_ptr_array_index (f->findings, k);
			if (k)
				fputs ("<br>", fp);
			fprintf (fp, "<span class=\"sev %s\">%s</span> ", mp_severity_name (fi->severity),
			         mp_severity_name (fi->severity));
			esc (fp, fi->detail ? fi->detail : fi->rule);
		}
		fputs ("</td></tr>\n", fp);
	}
	fputs ("</tbody></table></div></section>\n<section id=\"target-folders\"><h2>Target folders</h2>"
	       "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Folder</th>"
	       "<th class=\"num\">Messages</th><th class=\"num\">Arrived</th><th class=\"num\">Extra</th>"
	       "<th class=\"num\">Second copies</th></tr></thead><tbody>\n", fp);
	for (guint i = 0; i < o->target->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->target, i);
		const MpTargetFolderOutcome *to = &g_array_index (o->target_folders, MpTargetFolderOutcome, i);
		fputs ("<tr><td>", fp);
		esc (fp, f->name);
		if (f->error)
			fputs (" <b>(read failed)</b>", fp);
		fprintf (fp, "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
		         "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td class=\"num\">%" G_GUINT64_FORMAT
		         "</td></tr>\n", to->messages, to->matched, to->extra, to->copies);
	}
	fputs ("</tbody></table></div></section>\n", fp);
}

typedef struct {
	FILE                  *fp;
	const MpSizeTolerance *tolerance;
	guint64                written;
} Table;

void
mp_compare_html_row (FILE *fp, const MpCompareRow *row, const MpSizeTolerance *tolerance)
{
	g_autofree char *detail = mp_compare_row_detail (row, tolerance);
	g_autofree char *rules = mp_compare_row_rules (row);

	fprintf (fp, "<tr data-status=\"%s\"><td>", mp_row_status_name (row->status));
	esc (fp, row->folder);
	fprintf (fp, "</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td>", row->message->index);
	esc (fp, row->message->date);
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, row->message->from);
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, row->message->subject);
	fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", row->message->size);
	{
		g_autofree char *size = mp_format_size (row->message->size);
		esc (fp, size);
	}
	fputs ("</td><td>", fp);
	esc (fp, row->target_folder);
	fputs ("</td><td>", fp);
	esc (fp, rules);
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, detail);
	fputs ("</td><td class=\"wrap\"><code>", fp);
	esc (fp, row->message->message_id);
	fputs ("</code></td></tr>\n", fp);
}

static gboolean
row_html (const MpCompareRow *row, gpointer user_data, GError **error)
{
	Table *t = user_data;

	(void) error;
	if (t->written++ >= MAX_ROWS)
		return TRUE;
	mp_compare_html_row (t->fp, row, t->tolerance);
	return TRUE;
}

void
mp_compare_html_rows_begin (FILE *fp, const char *where)
{
	fputs ("<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th>Folder</th><th class=\"num\">#</th>"
	       "<th>Date</th><th>From</th><th>Subject</th><th class=\"num\">Size</th><th>", fp);
	esc (fp, where);
	fputs ("</th><th>Rules</th><th>Detail</th><th>Message-ID</th></tr></thead><tbody>\n", fp);
}

static gboolean
table (FILE *fp, MpCompareOutcome *o, const char *id, const char *title, const char *note,
       const char *where, MpRowStatus status, guint64 count, GError **error)
{
	Table t = { fp, &o->tolerance, 0 };

	fprintf (fp, "<section id=\"%s\"><h2>", id);
	esc (fp, title);
	fprintf (fp, " <span class=\"muted\">(%" G_GUINT64_FORMAT ")</span></h2>", count);
	if (note) {
		fputs ("<p class=\"note\">", fp);
		esc (fp, note);
		fputs ("</p>", fp);
	}
	if (count == 0) {
		fputs ("<p class=\"muted\">None.</p></section>\n", fp);
		return TRUE;
	}
	mp_compare_html_rows_begin (fp, where);
	if (!mp_compare_outcome_rows (o, status, row_html, &t, error))
		return FALSE;
	fputs ("</tbody></table></div>", fp);
	if (count > MAX_ROWS)
		fprintf (fp, "<p class=\"note\">The first %d of %" G_GUINT64_FORMAT " are shown; the CSV and JSON reports "
		         "hold all.</p>", MAX_ROWS, count);
	fputs ("</section>\n", fp);
	return TRUE;
}

static void
run_info (FILE *fp, const MpCompareOutcome *o, const MpCompareInfo *info)
{
	const MpRunInfo *run = info->run;
	g_autofree char *tol = mp_size_tolerance_string (&o->tolerance);

	fputs ("<section id=\"run\"><h2>This comparison</h2><dl>\n", fp);
	side_info (fp, "Source", o->source);
	side_info (fp, "Target", o->target);
	fputs ("<dt>Rules</dt><dd>", fp);
	esc (fp, run->rules_name);
	fputs (" (", fp);
	esc (fp, run->rules_origin);
	fputs (")</dd><dt>Sizes equal within</dt><dd>", fp);
	esc (fp, tol);
	fprintf (fp, "</dd><dt>Matched</dt><dd>%" G_GUINT64_FORMAT " by Message-ID, %" G_GUINT64_FORMAT
	         " by date, sender, subject and size</dd>", o->stats.by_id, o->stats.by_fingerprint);
	fputs ("<dt>Command</dt><dd><code>mailpreflight", fp);
	for (guint k = 1; run->command && run->command[k]; k++) {
		fputc (' ', fp);
		esc (fp, run->command[k]);
	}
	fputs ("</code></dd><dt>Time</dt><dd>", fp);
	esc (fp, run->scan_time);
	fputs ("</dd>", fp);
	if (info->source_insecure || info->target_insecure)
		fputs ("<dt>TLS</dt><dd><b>certificate verification was disabled</b> (--insecure-skip-verify)</dd>", fp);
	for (guint i = 0; info->notes && i < info->notes->len; i++) {
		fputs (i ? "<br>" : "<dt>Notes</dt><dd>", fp);
		esc (fp, g_ptr_array_index (info->notes, i));
		if (i + 1 == info->notes->len)
			fputs ("</dd>", fp);
	}
	fputs ("</dl></section>\n", fp);
}

gboolean
mp_compare_write_html (MpCompareOutcome *o, const MpCompareInfo *info, const char *path, GError **error)
{
	g_autoptr(MpOutputFile) out = mp_output_file_open (path, error);
	const MpCompareCounts *t = &o->totals;
	FILE *fp;

	if (out == NULL)
		return FALSE;
	fp = mp_output_file_stream (out);
	mp_compare_html_head (fp, "Mail migration check: what arrived");
	fputs ("<header class=\"top\"><h1>Mail migration check: what arrived</h1><p>Rules: ", fp);
	esc (fp, info->run->rules_name);
	fputs (" &middot; compared ", fp);
	esc (fp, info->run->scan_time);
	fputs (" &middot; mailpreflight " MP_VERSION "</p></header>\n<main>\n", fp);
	verdict (fp, o);
	fputs ("<div class=\"cards\">\n", fp);
	mp_compare_html_card (fp, "n-source", t->messages, "source messages");
	mp_compare_html_card (fp, "n-arrived", t->arrived, "arrived");
	mp_compare_html_card (fp, "n-moved", t->moved, "in another folder");
	mp_compare_html_card (fp, "n-unexpected", t->unexpected, "missing, unexpected");
	mp_compare_html_card (fp, "n-missing", t->missing, "missing, predicted");
	mp_compare_html_card (fp, "n-changed", t->changed, "changed");
	mp_compare_html_card (fp, "n-extra", o->target_totals.extra, "extra on the target");
	fputs ("</div>\n", fp);
	if (!table (fp, o, "unexpected", "Missing, and no rule predicted it",
	            "Look at these first: the rules saw nothing the target would refuse.", "Expected in",
	            MP_ROW_UNEXPECTED, t->unexpected, error) ||
	    !table (fp, o, "missing", "Missing, as the rules predicted", NULL, "Expected in", MP_ROW_MISSING,
	            t->missing, error) ||
	    !table (fp, o, "changed", "Arrived, but changed", NULL, "On the target in", MP_ROW_CHANGED,
	            t->changed, error))
		return FALSE;
	folders (fp, o);
	if (!table (fp, o, "extra", "Extra on the target",
	            "Messages the source does not have: mail that arrived after the move, or second copies. "
	            "Usually fine.", "Folder", MP_ROW_EXTRA, o->target_totals.extra, error))
		return FALSE;
	run_info (fp, o, info);
	fputs ("</main>\n<script>", fp);
	fputs (mp_html_js, fp);
	fputs ("</script>\n</body>\n</html>\n", fp);
	return mp_output_file_commit (g_steal_pointer (&out), error);
}
