/* html-report.c — one self-contained HTML page: summary and verdict first,
 * SVG charts drawn here (no script needed to read anything), then the
 * tables. Findings rows are spooled to a temporary file as they arrive
 * (at most MAX_ROWS, MAX_ROWS_PER_RULE per rule; the rest are counted), so
 * the page stays small with 100,000 findings and memory stays bounded;
 * everything else comes from the model at the end. Every text from a message
 * or a folder name is escaped (mp_xml_escape); the Content-Security-Policy
 * allows only the page's own style and script, by hash. */
#include "writer.h"
#include "html-assets.h"
#include "mp-config.h"
#include "rules.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROWS          5000
#define MAX_ROWS_PER_RULE 1000
#define MAX_FOLDER_ROWS   2000
#define MAX_FILTER_FOLDERS 500
/* accounts table rows (spooled like the findings; the rest are counted) */
#define MAX_ACCOUNT_ROWS  20000

typedef struct {
	MpWriter    base;
	FILE       *rows;          /* spooled <tr>s of the findings table */
	guint64     rows_written;
	guint64     rows_dropped;
	GHashTable *rows_per_rule; /* rule -> guint64* */
	GPtrArray  *filter_folders;/* char*, folders with findings, first seen order */
	GHashTable *filter_folder_set;
	guint64     filter_folders_dropped;
	FILE       *accounts;      /* spooled <tr>s of the accounts table */
	guint64     account_rows;
	guint64     account_rows_dropped;
} HtmlWriter;

/* ---- small helpers ------------------------------------------------------- */

static void
esc (FILE *fp, const char *s)
{
	mp_xml_write (fp, s);
}

/* 1234567 -> "1,234,567" */
static char *
num (guint64 v)
{
	char raw[32];
	GString *s = g_string_new (NULL);
	int len = g_snprintf (raw, sizeof raw, "%" G_GUINT64_FORMAT, v);

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			g_string_append_c (s, ',');
		g_string_append_c (s, raw[i]);
	}
	return g_string_free (s, FALSE);
}

static void
put_num (FILE *fp, guint64 v)
{
	g_autofree char *n = num (v);

	fputs (n, fp);
}

static void
put_size (FILE *fp, guint64 v)
{
	g_autofree char *n = mp_format_size (v);

	fputs (n, fp);
}

/* " deleted" beside a message marked deleted, naming the mark. */
static void
deleted_badge (FILE *fp, MpDeleted deleted)
{
	if (deleted == MP_DELETED_NONE)
		return;
	fprintf (fp, " <span class=\"sev info deleted\" title=\"marked deleted (%s), still stored\">deleted</span>",
	         mp_deleted_name (deleted));
}

/* ---- findings rows, spooled ---------------------------------------------- */

static void
add_filter_folder (HtmlWriter *h, const char *folder)
{
	if (folder == NULL || g_hash_table_contains (h->filter_folder_set, folder))
		return;
	if (h->filter_folders->len >= MAX_FILTER_FOLDERS) {
		h->filter_folders_dropped++;
		return;
	}
	g_ptr_array_add (h->filter_folders, g_strdup (folder));
	g_hash_table_add (h->filter_folder_set, g_strdup (folder));
}

static gboolean
take_row (HtmlWriter *h, const MpFinding *f)
{
	guint64 *n = g_hash_table_lookup (h->rows_per_rule, f->rule);

	if (n == NULL) {
		n = g_new0 (guint64, 1);
		g_hash_table_insert (h->rows_per_rule, g_strdup (f->rule), n);
	}
	if (h->rows_written >= MAX_ROWS || *n >= MAX_ROWS_PER_RULE) {
		h->rows_dropped++;
		return FALSE;
	}
	(*n)++;
	h->rows_written++;
	return TRUE;
}

static void
write_row (HtmlWriter *h, const char *source, const char *folder, const MpMessage *m, const MpFinding *f)
{
	FILE *fp = h->rows;
	const char *sev = mp_severity_name (f->severity);

	add_filter_folder (h, folder);
	if (!take_row (h, f))
		return;
	fprintf (fp, "<tr data-sev=\"%s\" data-rule=\"", sev);
	esc (fp, f->rule);
	fputs ("\" data-folder=\"", fp);
	esc (fp, folder ? folder : "");
	fprintf (fp, "\"><td data-v=\"%d\"><span class=\"sev %s\">%s</span></td><td>", (int) f->severity, sev, sev);
	esc (fp, f->rule);
	fputs ("</td><td>", fp);
	esc (fp, h->base.account);
	fputs ("</td><td title=\"", fp);
	esc (fp, source ? source : "");
	fputs ("\">", fp);
	if (folder)
		esc (fp, folder);
	else
		fputs ("<span class=\"muted\">(whole account)</span>", fp);
	if (m) {
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">%" G_GUINT64_FORMAT
		         "</td><td class=\"wrap\">", m->index, m->index);
		esc (fp, m->subject);
		deleted_badge (fp, m->deleted);
		fputs ("</td><td class=\"wrap\">", fp);
		esc (fp, m->from);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", m->size);
		put_size (fp, m->size);
	} else {
		fputs ("</td><td class=\"num\" data-v=\"0\"></td><td></td><td></td><td class=\"num\" data-v=\"0\">", fp);
	}
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, f->detail);
	fputs ("</td></tr>\n", fp);
}

static void
html_message (MpWriter *w, const char *source, const MpMessage *m)
{
	for (guint i = 0; i < m->findings->len; i++)
		write_row ((HtmlWriter *) w, source, m->folder, m, g_ptr_array_index (m->findings, i));
}

static void
html_finding (MpWriter *w, const char *source, const char *folder, const MpFinding *f)
{
	write_row ((HtmlWriter *) w, source, folder, NULL, f);
}

/* ---- accounts, spooled ---------------------------------------------------- */

static void
html_account_end (MpWriter *w, const MpAccountResult *r)
{
	HtmlWriter *h = (HtmlWriter *) w;
	FILE *fp = h->accounts;
	const char *verdict = mp_verdict_name (r->verdict);
	gint64 last = mp_account_result_last_activity (r);
	g_autofree char *when = NULL;
	g_autofree char *evidence = mp_account_result_evidence_text (r);

	if (h->account_rows >= MAX_ACCOUNT_ROWS) {
		h->account_rows_dropped++;
		return;
	}
	h->account_rows++;
	if (last) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (last);
		when = dt ? g_date_time_format (dt, "%Y-%m-%d") : NULL;
	}
	fprintf (fp, "<tr data-verdict=\"%s\"><td data-v=\"%" G_GUINT64_FORMAT "\">", verdict, r->ordinal);
	esc (fp, r->name);
	fprintf (fp, "</td><td><span class=\"verdict-tag %s\">%s</span></td><td class=\"num\" data-v=\"%d\">",
	         verdict, verdict, r->idle_months);
	if (r->idle_months >= 0)
		fprintf (fp, "%d", r->idle_months);
	fprintf (fp, "</td><td data-v=\"%" G_GINT64_FORMAT "\">", last);
	esc (fp, when ? when : "unknown");
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, evidence);
	fputs ("</td><td>", fp);
	esc (fp, mp_forward_state_name (r->forwarding.state));
	fputs ("</td><td class=\"wrap\">", fp);
	esc (fp, r->forwarding.evidence);
	fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", r->messages);
	put_num (fp, r->messages);
	fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", r->bytes);
	put_size (fp, r->bytes);
	fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", r->findings[MP_SEVERITY_ERROR]);
	put_num (fp, r->findings[MP_SEVERITY_ERROR]);
	fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", r->findings[MP_SEVERITY_WARNING]);
	put_num (fp, r->findings[MP_SEVERITY_WARNING]);
	fputs ("</td><td class=\"wrap\">", fp);
	for (guint i = 0; i < r->sources->len; i++) {
		if (i)
			fputs ("<br>", fp);
		esc (fp, g_ptr_array_index (r->sources, i));
	}
	if (r->read_errors)
		fputs (" <span class=\"sev error\">read failed</span>", fp);
	fputs ("</td></tr>\n", fp);
}

static gboolean
write_accounts (HtmlWriter *h, FILE *fp, const MpSummary *s)
{
	static const MpVerdict order[] = {
		MP_VERDICT_ACTIVE, MP_VERDICT_FORWARDED, MP_VERDICT_ABANDONED,
		MP_VERDICT_IDLE_UNKNOWN_FORWARDING, MP_VERDICT_UNKNOWN,
	};

	if (s->accounts == 0)
		return TRUE;
	fputs ("<section id=\"accounts-section\"><h2>Accounts</h2>\n<div class=\"cards\" id=\"verdicts\">\n", fp);
	for (gsize i = 0; i < G_N_ELEMENTS (order); i++) {
		const char *v = mp_verdict_name (order[i]);
		fprintf (fp, "<div class=\"card verdict-card %s\" data-show-verdict=\"%s\" data-count=\"%" G_GUINT64_FORMAT
		         "\"><div class=\"n\">", v, v, s->verdicts[order[i]]);
		put_num (fp, s->verdicts[order[i]]);
		fprintf (fp, "</div><div class=\"l\">%s</div></div>\n", v);
	}
	fputs ("</div>\n<p class=\"note\">An account is <b>abandoned</b> when its last activity is older than the "
	       "idle limit and it forwards nowhere; <b>idle-unknown-forwarding</b> when forwarding could not be "
	       "checked; <b>unknown</b> when there is no activity evidence at all (never a guess).</p>\n", fp);
	fputs ("<div class=\"filters\" id=\"account-filters\" hidden>"
	       "<select name=\"verdict\" aria-label=\"Verdict\"><option value=\"\">All verdicts</option>", fp);
	for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
		fprintf (fp, "<option value=\"%s\">%s</option>", mp_verdict_name (order[i]), mp_verdict_name (order[i]));
	fputs ("</select><input name=\"q\" type=\"search\" placeholder=\"Search account, evidence, source\" "
	       "aria-label=\"Search accounts\"><span class=\"muted\" id=\"accounts-shown\"></span></div>\n", fp);
	if (h->account_rows_dropped) {
		fputs ("<p class=\"note\">The first ", fp);
		put_num (fp, h->account_rows);
		fputs (" accounts are listed; ", fp);
		put_num (fp, h->account_rows_dropped);
		fputs (" more are in the accounts CSV and the JSON report.</p>\n", fp);
	}
	fputs ("<div class=\"scroll\"><table id=\"accounts\" class=\"sortable\"><thead><tr><th>Account</th>"
	       "<th>Verdict</th><th class=\"num\">Idle months</th><th>Last activity</th><th>Evidence</th>"
	       "<th>Forwarded</th><th>Forwarding evidence</th><th class=\"num\">Messages</th><th class=\"num\">Size</th>"
	       "<th class=\"num\">Errors</th><th class=\"num\">Warnings</th><th>Sources</th></tr></thead><tbody>\n", fp);
	if (!mp_copy_stream (h->accounts, fp))
		return FALSE;
	fputs ("</tbody></table></div></section>\n", fp);
	return TRUE;
}

/* ---- SVG charts ---------------------------------------------------------- */

typedef struct {
	double      at;     /* position in bar units from the left edge of bar 0 */
	const char *label;
} Marker;

/* The step of the value axis of a chart of counts up to MAX: a whole
 * number, 1, 2 or 5 times a power of ten, giving at most five ticks from 0
 * (0, 2, 4, 6 for a maximum of 6; never 0, 1.5, 3 rounded to 0, 2, 3). */
static guint64
count_step (guint64 max)
{
	guint64 raw = max / 4 + (max % 4 != 0); /* ceil (max / 4) */
	guint64 p = 1;
	static const guint64 nice[] = { 1, 2, 5, 10 };

	raw = MAX (raw, 1);
	while (p <= raw / 10)
		p *= 10;
	for (gsize i = 0; i < G_N_ELEMENTS (nice); i++)
		if (nice[i] * p >= raw)
			return nice[i] * p;
	return 10 * p;
}

/* Rough width of LABEL in the charts' 11px font: 0.64 em a character is
 * about the widest digit of the usual sans-serif fonts (DejaVu Sans: 0.636),
 * so an estimate never falls short of what a browser draws. */
static double
label_width (const char *label)
{
	return (double) g_utf8_strlen (label, -1) * 11.0 * 0.64;
}

/* A vertical bar chart of N bars; markers are drawn as dashed red lines.
 * The value axis has whole-number ticks (count_step). Bar labels that
 * would overlap their neighbour go on two alternating rows, and where two
 * rows are not enough, only every so many bars is labelled. */
static void
bar_chart (FILE *fp, const char *title, const char *const *labels, const guint64 *values, guint n,
           const Marker *markers, guint n_markers)
{
	const double W = 560, H = 250, left = 52, right = 12, top = 22, bottom = 44;
	double pw = W - left - right, ph = H - top - bottom, bw, widest = 0;
	guint64 max = 1, step, axis_top;
	guint label_every, rows = 1;

	for (guint i = 0; i < n; i++) {
		max = MAX (max, values[i]);
		widest = MAX (widest, label_width (labels[i]));
	}
	step = count_step (max);
	axis_top = (max + step - 1) / step * step;
	bw = MIN (pw / (n ? n : 1), 48.0);
	label_every = n > 12 ? (n + 11) / 12 : 1;
	/* 4 px between neighbours on a row */
	while (widest + 4 > bw * label_every * rows) {
		if (rows == 1)
			rows = 2;
		else
			label_every++;
	}
	fprintf (fp, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
	         W, H, W, H);
	esc (fp, title);
	fputs ("\">\n", fp);
	for (guint64 v = 0; v <= axis_top; v += step) {
		double y = top + ph - ph * (double) v / (double) axis_top;
		g_autofree char *nv = num (v);
		fprintf (fp, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		         "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		         left, y, W - right, y, left - 6, y + 4, nv);
	}
	for (guint i = 0; i < n; i++) {
		double h = ph * (double) values[i] / (double) axis_top;
		double x = left + i * bw;
		g_autofree char *nv = num (values[i]);
		if (values[i] && h < 1)
			h = 1;
		fprintf (fp, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		         x + bw * 0.1, top + ph - h, bw * 0.8, h);
		esc (fp, labels[i]);
		fprintf (fp, ": %s</title></rect>\n", nv);
		if (i % label_every == 0) {
			guint row = rows > 1 ? (i / label_every) % 2 : 0;
			fprintf (fp, "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x + bw / 2,
			         top + ph + 16 + 14.0 * row);
			esc (fp, labels[i]);
			fputs ("</text>\n", fp);
		}
	}
	fprintf (fp, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	         left, top + ph, W - right, top + ph);
	for (guint k = 0; k < n_markers; k++) {
		double x = left + markers[k].at * bw;
		if (x < left || x > W - right)
			continue;
		fprintf (fp, "<line class=\"limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		         "<text class=\"limtext\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">",
		         x, top - 4, x, top + ph, x + (x > W - 160 ? -4 : 4), top + 10 + 13 * k,
		         x > W - 160 ? "end" : "start");
		esc (fp, markers[k].label);
		fputs ("</text>\n", fp);
	}
	fputs ("</svg>\n", fp);
}

static void
size_chart (FILE *fp, const MpSummary *s, const MpReportMeta *meta)
{
	guint first = MP_SIZE_BUCKETS, last = 0, n;
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GArray) markers = g_array_new (FALSE, TRUE, sizeof (Marker));
	g_autoptr(GPtrArray) marker_text = g_ptr_array_new_with_free_func (g_free);
	guint64 values[MP_SIZE_BUCKETS];
	g_autoptr(GArray) limits = g_array_new (FALSE, FALSE, sizeof (guint64));

	for (guint i = 0; i < meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (meta->rules, i);
		guint64 v;
		if (g_strcmp0 (r->check, "message-size") == 0 && r->max && mp_parse_size (r->max, &v, NULL) && v) {
			g_array_append_val (limits, v);
			first = MIN (first, mp_size_bucket (v));
			last = MAX (last, mp_size_bucket (v) + 1); /* room right of the line */
		}
	}
	for (guint b = 0; b < MP_SIZE_BUCKETS; b++) {
		if (s->size_hist[b]) {
			first = MIN (first, b);
			last = MAX (last, b);
		}
	}
	if (first > last)
		first = last = 10;
	/* at least 1 KB to 1 MB, so a tiny mailbox still has a readable scale */
	first = MIN (first, 10);
	last = MAX (last, 20);
	n = last - first + 1;
	for (guint b = first; b <= last; b++) {
		/* bucket b holds [2^(b-1), 2^b): label it by its lower bound */
		guint64 lo = b ? (G_GUINT64_CONSTANT (1) << (b - 1)) : 0;
		values[b - first] = s->size_hist[b];
		if (lo >= 1024 * 1024 * 1024)
			g_ptr_array_add (labels, g_strdup_printf ("%" G_GUINT64_FORMAT "G", lo >> 30));
		else if (lo >= 1024 * 1024)
			g_ptr_array_add (labels, g_strdup_printf ("%" G_GUINT64_FORMAT "M", lo >> 20));
		else if (lo >= 1024)
			g_ptr_array_add (labels, g_strdup_printf ("%" G_GUINT64_FORMAT "K", lo >> 10));
		else
			g_ptr_array_add (labels, g_strdup_printf ("%" G_GUINT64_FORMAT, lo));
	}
	for (guint i = 0; i < limits->len; i++) {
		guint64 v = g_array_index (limits, guint64, i);
		/* the edge of bucket b is at log2 = b - 1 */
		Marker m = { log2 ((double) v) - ((double) first - 1.0), NULL };
		g_autofree char *sz = mp_format_size (v);
		char *t = g_strdup_printf ("limit %s", sz);
		g_ptr_array_add (marker_text, t);
		m.label = t;
		g_array_append_val (markers, m);
	}
	bar_chart (fp, "Message size distribution", (const char *const *) labels->pdata, values, n,
	           (const Marker *) (void *) markers->data, markers->len);
}

static void
attachments_chart (FILE *fp, const MpSummary *s, const MpReportMeta *meta)
{
	static const char *const labels[MP_ATT_BUCKETS] = {
		"0", "1", "2", "3", "4", "5", "6-10", "11-20", "21-50", "51-100", "101-250", "251+"
	};
	g_autoptr(GArray) markers = g_array_new (FALSE, TRUE, sizeof (Marker));
	g_autoptr(GPtrArray) marker_text = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; i < meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (meta->rules, i);
		guint64 max;
		guint b;
		double lo, hi;
		Marker m;
		if (g_strcmp0 (r->check, "attachment-count") != 0 || r->max == NULL ||
		    !g_ascii_string_to_unsigned (r->max, 10, 0, G_MAXUINT, &max, NULL))
			continue;
		/* the line is drawn where max + 1 begins: max itself passes */
		b = mp_att_bucket ((guint) max + 1);
		lo = mp_att_bucket_low[b];
		hi = b + 1 < MP_ATT_BUCKETS ? mp_att_bucket_low[b + 1] : lo + 1;
		m.at = b + ((double) max + 1 - lo) / (hi - lo);
		m.label = g_strdup_printf ("limit %" G_GUINT64_FORMAT, max);
		g_ptr_array_add (marker_text, (gpointer) m.label);
		g_array_append_val (markers, m);
	}
	bar_chart (fp, "Attachments per message", labels, s->att_hist, MP_ATT_BUCKETS,
	           (const Marker *) (void *) markers->data, markers->len);
}

static gboolean
years_chart (FILE *fp, const MpSummary *s)
{
	int first = -1, last = -1, n;
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint64));

	for (int y = 0; y <= MP_YEAR_LAST - MP_YEAR_FIRST; y++) {
		if (s->years[y]) {
			if (first < 0)
				first = y;
			last = y;
		}
	}
	if (first < 0)
		return FALSE;
	if (last - first > 59)
		first = last - 59; /* the last 60 years; older ones are listed below */
	n = last - first + 1;
	for (int y = first; y <= last; y++) {
		g_ptr_array_add (labels, g_strdup_printf ("%d", y + MP_YEAR_FIRST));
		g_array_append_val (values, s->years[y]);
	}
	bar_chart (fp, "Messages per year", (const char *const *) labels->pdata,
	           (const guint64 *) (void *) values->data, (guint) n, NULL, 0);
	return TRUE;
}

/* Horizontal bars: the 15 largest folders and the rest together. */
static void
folder_chart (FILE *fp, const MpSummary *s)
{
	/* the summary keeps the largest folders (MP_SUMMARY_TOP_FOLDERS), the
	 * rest is the total less them: bounded whatever the number of folders */
	const GPtrArray *sorted = s->top_folders;
	guint shown;
	guint64 max = 1, rest = s->bytes;
	const double W = 560, left = 170, right = 80, rowh = 20, top = 8;
	double H;

	shown = MIN (sorted->len, 15);
	/* the total saturates (issue 14): the rest never goes below zero */
	for (guint i = 0; i < shown; i++) {
		guint64 b = ((MpFolderStats *) g_ptr_array_index (sorted, i))->bytes;
		rest = rest > b ? rest - b : 0;
	}
	for (guint i = 0; i < shown; i++)
		max = MAX (max, ((MpFolderStats *) g_ptr_array_index (sorted, i))->bytes);
	max = MAX (max, rest);
	H = top * 2 + rowh * (shown + (rest ? 1 : 0) + (shown ? 0 : 1));
	fprintf (fp, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
	         "aria-label=\"Size per folder\">\n", W, H, W, H);
	for (guint i = 0; i <= shown; i++) {
		const MpFolderStats *f = i < shown ? g_ptr_array_index (sorted, i) : NULL;
		guint64 bytes = f ? f->bytes : rest;
		double y = top + i * rowh, w = (W - left - right) * (double) bytes / (double) max;
		g_autofree char *label = f ? g_strdup (f->name)
		                           : g_strdup_printf ("%u other folders", (guint) (s->n_folders - shown));
		g_autofree char *cut = g_utf8_strlen (label, -1) > 26 ? g_utf8_substring (label, 0, 25) : NULL;
		if (!f && !rest)
			break;
		if (bytes && w < 1)
			w = 1;
		fprintf (fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, y + 14);
		esc (fp, cut ? cut : label);
		if (cut)
			fputs ("\xe2\x80\xa6", fp);
		fprintf (fp, "</text><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
		         left, y + 3, w, rowh - 6);
		esc (fp, label);
		fputs ("</title></rect>", fp);
		fprintf (fp, "<text x=\"%.1f\" y=\"%.1f\">", left + w + 4, y + 14);
		put_size (fp, bytes);
		fputs ("</text>\n", fp);
	}
	fputs ("</svg>\n", fp);
}

/* ---- the page ------------------------------------------------------------ */

static void
card (FILE *fp, const char *label, const char *value)
{
	fputs ("<div class=\"card\"><div class=\"n\">", fp);
	esc (fp, value);
	fputs ("</div><div class=\"l\">", fp);
	esc (fp, label);
	fputs ("</div></div>\n", fp);
}

static void
write_head (FILE *fp, const MpReportMeta *meta)
{
	g_autofree char *css_hash = mp_html_csp_hash (mp_html_css);
	g_autofree char *js_hash = mp_html_csp_hash (mp_html_js);

	fputs ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", fp);
	fprintf (fp, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	         "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src 'none'; font-src 'none'; "
	         "connect-src 'none'; base-uri 'none'; form-action 'none'\">\n", css_hash, js_hash);
	fputs ("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"mailpreflight " MP_VERSION "\">\n"
	       "<title>Mailbox migration preflight report</title>\n<style>", fp);
	fputs (mp_html_css, fp);
	fputs ("</style>\n</head>\n<body>\n", fp);
}

/* The verdict: the mailboxes as they are, whatever --fail-on; what
 * --fail-on makes of the findings (the exit status) is said apart. */
static void
write_verdict (FILE *fp, const MpSummary *s, const MpReportMeta *meta, guint64 blocking)
{
	MpReadiness v = mp_summary_verdict (s);
	const char *fail_on = mp_report_meta_fail_on_name (meta);
	g_autofree char *n_err = num (s->findings[MP_SEVERITY_ERROR]);
	g_autofree char *n_warn = num (s->findings[MP_SEVERITY_WARNING]);
	g_autofree char *n_block = num (blocking);

	fprintf (fp, "<section class=\"verdict %s\" id=\"verdict\"><div><div class=\"big\" id=\"verdict-text\">",
	         v == MP_READINESS_NOT_READY ? "bad" : v == MP_READINESS_INCOMPLETE ? "partial" : "ok");
	if (v == MP_READINESS_NOT_READY)
		fprintf (fp, "Not ready: %s error%s", n_err, s->findings[MP_SEVERITY_ERROR] == 1 ? "" : "s");
	else if (v == MP_READINESS_INCOMPLETE)
		fputs ("Incomplete: not everything could be read", fp);
	else
		fputs ("Ready", fp);
	fputs ("</div><p>", fp);
	if (v == MP_READINESS_NOT_READY)
		fputs ("Errors are what the target would refuse or lose: fix them before the migration.", fp);
	else if (v == MP_READINESS_INCOMPLETE)
		fputs ("No error in what could be read; what could not be read is listed below and was not judged.", fp);
	else
		fputs ("No error: the target takes everything that was read.", fp);
	if (s->findings[MP_SEVERITY_WARNING])
		fprintf (fp, " %s warning%s to look at.", n_warn, s->findings[MP_SEVERITY_WARNING] == 1 ? "" : "s");
	if (strcmp (fail_on, "never") == 0)
		fputs (" <span id=\"fail-on\">With <b>--fail-on never</b>, findings do not change the exit status.</span>", fp);
	else if (strcmp (fail_on, "error") != 0)
		fprintf (fp, " <span id=\"fail-on\">With <b>--fail-on %s</b>, %s finding%s at or above %s set%s the exit "
		         "status.</span>", fail_on, n_block, blocking == 1 ? "" : "s", fail_on, blocking == 1 ? "s" : "");
}

static void
write_summary (FILE *fp, const MpSummary *s, const MpReportMeta *meta, guint64 blocking)
{
	g_autofree char *n_msg = num (s->messages);
	g_autofree char *n_src = num (s->n_sources);
	g_autofree char *n_acc = num (s->accounts);
	g_autofree char *n_fld = num (s->n_folders);
	g_autofree char *n_att = num (s->attachments);
	g_autofree char *sz = mp_format_size (s->bytes);
	g_autofree char *n_err = num (s->findings[MP_SEVERITY_ERROR]);
	g_autofree char *n_warn = num (s->findings[MP_SEVERITY_WARNING]);
	g_autofree char *n_info = num (s->findings[MP_SEVERITY_INFO]);
	const MpRunInfo *run = meta->runs->len ? g_ptr_array_index (meta->runs, meta->runs->len - 1) : NULL;

	fputs ("<header class=\"top\"><h1>Mailbox migration preflight report</h1><p>Rules: ", fp);
	esc (fp, meta->rules_name ? meta->rules_name : "(unknown)");
	if (run) {
		fputs (" &middot; scanned ", fp);
		esc (fp, run->scan_time);
	}
	fputs (" &middot; mailpreflight " MP_VERSION "</p></header>\n<main>\n", fp);

	write_verdict (fp, s, meta, blocking);
	{
		g_autofree char *n_with = num (s->messages_with_findings);
		fprintf (fp, " %s of %s message%s have findings.", n_with, n_msg, s->messages == 1 ? "" : "s");
	}
	if (s->left_out_total) {
		g_autofree char *n_left = num (s->left_out_total);
		fprintf (fp, " <span id=\"left-out-count\">%s folder%s left out on purpose (listed below) and not judged.</span>",
		         n_left, s->left_out_total == 1 ? " was" : "s were");
	}
	if (s->deleted) {
		g_autofree char *n_del = num (s->deleted);
		fprintf (fp, " <span id=\"deleted\">%s message%s %s marked deleted but still stored: %s.</span>", n_del,
		         s->deleted == 1 ? "" : "s", s->deleted == 1 ? "is" : "are",
		         s->deleted_skip ? "not judged (the rules say deleted = skip)" : "judged like the others");
	}
	if (s->downloaded) {
		g_autofree char *n_dl = num (s->downloaded);
		g_autofree char *n_whole = num (s->downloaded_whole);
		g_autofree char *octets = mp_format_size (s->downloaded_octets);
		/* the issue asks that the report say how many were downloaded */
		fprintf (fp, " <span id=\"downloaded\">Content of %s message%s was downloaded over IMAP for the "
		         "line-length and archive checks (%s whole, %s).</span>",
		         n_dl, s->downloaded == 1 ? "" : "s", n_whole, octets);
	}
	fputs ("</p></div></section>\n", fp);
	fputs ("<div class=\"cards\" id=\"totals\">\n", fp);
	card (fp, "Accounts", n_acc);
	card (fp, "Sources", n_src);
	card (fp, "Folders", n_fld);
	card (fp, "Messages", n_msg);
	card (fp, "Total size", sz);
	card (fp, "Attachments", n_att);
	card (fp, "Errors", n_err);
	card (fp, "Warnings", n_warn);
	card (fp, "Info", n_info);
	if (s->deleted) {
		g_autofree char *n_del = num (s->deleted);
		card (fp, s->deleted_skip ? "Marked deleted (not judged)" : "Marked deleted (judged)", n_del);
	}
	fputs ("</div>\n", fp);
}

static void
write_rule_counts (FILE *fp, const MpSummary *s, const MpReportMeta *meta)
{
	g_autofree char *none = mp_summary_no_findings (s);

	fputs ("<section id=\"per-rule\"><h2>Findings per rule and severity</h2>\n", fp);
	if (none != NULL) {
		fputs ("<p id=\"no-findings\">", fp);
		esc (fp, none);
		fputs ("</p></section>\n", fp);
		return;
	}
	fputs ("<table class=\"sortable\"><thead><tr><th>Severity</th><th>Rule</th><th>Check</th>"
	       "<th class=\"num\">Findings</th><th>Advice</th></tr></thead><tbody>\n", fp);
	for (guint i = 0; i < s->rules->len; i++) {
		const MpRuleStats *r = g_ptr_array_index (s->rules, i);
		const MpRuleInfo *info = mp_report_meta_find_rule (meta, r->rule);
		const char *sev = mp_severity_name (r->severity);
		fprintf (fp, "<tr><td data-v=\"%d\"><span class=\"sev %s\">%s</span></td><td>", (int) r->severity, sev, sev);
		esc (fp, r->rule);
		fputs ("</td><td>", fp);
		esc (fp, r->check);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", r->count);
		put_num (fp, r->count);
		fputs ("</td><td class=\"wrap\">", fp);
		esc (fp, info ? info->advice : NULL);
		fputs ("</td></tr>\n", fp);
	}
	fputs ("</tbody></table></section>\n", fp);
}

static void
write_charts (FILE *fp, const MpSummary *s, const MpReportMeta *meta)
{
	fputs ("<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">\n", fp);
	fputs ("<figure><h3>Message size (log scale)</h3>", fp);
	size_chart (fp, s, meta);
	fputs ("<figcaption>Messages by size; the dashed line is the size limit of the rules.</figcaption></figure>\n", fp);
	fputs ("<figure><h3>Attachments per message</h3>", fp);
	attachments_chart (fp, s, meta);
	fputs ("<figcaption>Messages by number of attachments; the dashed line is the limit.</figcaption></figure>\n", fp);
	fputs ("<figure><h3>Size per folder</h3>", fp);
	folder_chart (fp, s);
	fputs ("<figcaption>The largest folders.</figcaption></figure>\n", fp);
	fputs ("<figure><h3>Messages per year</h3>", fp);
	if (years_chart (fp, s)) {
		fputs ("<figcaption>By the date of each message", fp);
		if (s->undated || s->years_before || s->years_after) {
			fputs (" (not shown: ", fp);
			put_num (fp, s->undated);
			fputs (" undated, ", fp);
			put_num (fp, s->years_before);
			fputs (" before 1970, ", fp);
			put_num (fp, s->years_after);
			fputs (" after 2099)", fp);
		}
		fputs (".</figcaption>", fp);
	} else {
		fputs ("<p class=\"muted\">No message has a known date.</p>", fp);
	}
	fputs ("</figure>\n</div></section>\n", fp);
}

static gboolean
write_findings_table (HtmlWriter *h, FILE *fp, const MpSummary *s)
{
	guint64 total = s->findings[0] + s->findings[1] + s->findings[2];

	fputs ("<section id=\"all-findings\"><h2>Findings</h2>\n", fp);
	if (total == 0) {
		fputs ("<p>None.</p></section>\n", fp);
		return TRUE;
	}
	fputs ("<div class=\"filters\" id=\"filters\" hidden>"
	       "<select name=\"sev\" aria-label=\"Severity\"><option value=\"\">All severities</option>"
	       "<option value=\"error\">error</option><option value=\"warning\">warning</option>"
	       "<option value=\"info\">info</option></select>"
	       "<select name=\"rule\" aria-label=\"Rule\"><option value=\"\">All rules</option>", fp);
	for (guint i = 0; i < s->rules->len; i++) {
		const MpRuleStats *r = g_ptr_array_index (s->rules, i);
		fputs ("<option value=\"", fp);
		esc (fp, r->rule);
		fputs ("\">", fp);
		esc (fp, r->rule);
		fputs ("</option>", fp);
	}
	fputs ("</select><select name=\"folder\" aria-label=\"Folder\"><option value=\"\">All folders</option>", fp);
	for (guint i = 0; i < h->filter_folders->len; i++) {
		const char *f = g_ptr_array_index (h->filter_folders, i);
		fputs ("<option value=\"", fp);
		esc (fp, f);
		fputs ("\">", fp);
		esc (fp, f);
		fputs ("</option>", fp);
	}
	fputs ("</select><input name=\"q\" type=\"search\" placeholder=\"Search subject, sender, detail\" "
	       "aria-label=\"Search\"><span class=\"muted\" id=\"shown\"></span></div>\n", fp);
	fputs ("<p class=\"note\" id=\"findings-count\">", fp);
	put_num (fp, total);
	fputs (" finding(s)", fp);
	if (h->rows_dropped) {
		fputs ("; the first ", fp);
		put_num (fp, h->rows_written);
		fputs (" are listed (at most ", fp);
		put_num (fp, MAX_ROWS_PER_RULE);
		fputs (" per rule), ", fp);
		put_num (fp, h->rows_dropped);
		fputs (" more are in the CSV and JSON reports", fp);
	}
	fputs (".</p>\n<div class=\"scroll\"><table id=\"findings\" class=\"sortable\"><thead><tr>"
	       "<th>Severity</th><th>Rule</th><th>Account</th><th>Folder</th><th class=\"num\">#</th><th>Subject</th>"
	       "<th>From</th><th class=\"num\">Size</th><th>Detail</th></tr></thead><tbody>\n", fp);
	if (!mp_copy_stream (h->rows, fp))
		return FALSE;
	fputs ("</tbody></table></div></section>\n", fp);
	return TRUE;
}

static void
write_largest (FILE *fp, const MpSummary *s)
{
	fputs ("<section id=\"largest\"><h2>The largest messages</h2>\n"
	       "<div class=\"scroll\"><table class=\"sortable\"><thead><tr><th class=\"num\">Size</th>"
	       "<th class=\"num\">Attachments</th><th>Folder</th><th class=\"num\">#</th><th>Date</th>"
	       "<th>From</th><th>Subject</th><th>Findings</th></tr></thead><tbody>\n", fp);
	for (guint i = 0; i < s->largest->len; i++) {
		const MpOffender *o = g_ptr_array_index (s->largest, i);
		fprintf (fp, "<tr><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", o->size);
		put_size (fp, o->size);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%u\">%u</td><td title=\"", o->attachments, o->attachments);
		esc (fp, o->source);
		fputs ("\">", fp);
		esc (fp, o->folder);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">%" G_GUINT64_FORMAT "</td><td>",
		         o->index, o->index);
		esc (fp, o->date);
		fputs ("</td><td class=\"wrap\">", fp);
		esc (fp, o->from);
		fputs ("</td><td class=\"wrap\">", fp);
		esc (fp, o->subject);
		deleted_badge (fp, o->deleted);
		fputs ("</td><td>", fp);
		esc (fp, o->rules);
		fputs ("</td></tr>\n", fp);
	}
	fputs ("</tbody></table></div></section>\n", fp);
}

static void
write_folders (FILE *fp, const MpSummary *s)
{
	fputs ("<section id=\"folders\"><h2>Folders</h2>\n<div class=\"scroll\"><table class=\"sortable\"><thead><tr>"
	       "<th>Account</th><th>Folder</th><th class=\"num\">Messages</th><th class=\"num\">Size</th>"
	       "<th class=\"num\">Attachments</th><th class=\"num\">Largest</th><th class=\"num\">Errors</th>"
	       "<th class=\"num\">Warnings</th><th class=\"num\">Info</th><th class=\"num\">Deleted</th>"
	       "<th>Read</th></tr></thead><tbody>\n", fp);
	for (guint i = 0; i < s->folders->len && i < MAX_FOLDER_ROWS; i++) {
		const MpFolderStats *f = g_ptr_array_index (s->folders, i);
		fputs ("<tr><td>", fp);
		esc (fp, f->source);
		fputs ("</td><td>", fp);
		esc (fp, f->name);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->messages);
		put_num (fp, f->messages);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->bytes);
		put_size (fp, f->bytes);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->attachments);
		put_num (fp, f->attachments);
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->largest);
		put_size (fp, f->largest);
		for (int k = MP_SEVERITY_ERROR; k >= MP_SEVERITY_INFO; k--) {
			fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->by_severity[k]);
			put_num (fp, f->by_severity[k]);
		}
		fprintf (fp, "</td><td class=\"num\" data-v=\"%" G_GUINT64_FORMAT "\">", f->deleted);
		put_num (fp, f->deleted);
		fprintf (fp, "</td><td>%s</td></tr>\n", f->failed ? "<span class=\"sev error\">failed</span>" : "ok");
	}
	fputs ("</tbody></table></div>", fp);
	if (s->n_folders > MAX_FOLDER_ROWS) {
		fputs ("<p class=\"note\">", fp);
		put_num (fp, s->n_folders - MAX_FOLDER_ROWS);
		fputs (" more folders are in the JSON report.</p>", fp);
	}
	fputs ("</section>\n", fp);
}

static void
write_text_list (FILE *fp, const char *id, const char *title, GPtrArray *items, guint64 total)
{
	if (items->len == 0)
		return;
	fprintf (fp, "<section id=\"%s\"><h2>%s</h2><ul>\n", id, title);
	for (guint i = 0; i < items->len; i++) {
		fputs ("<li>", fp);
		esc (fp, g_ptr_array_index (items, i));
		fputs ("</li>\n", fp);
	}
	fputs ("</ul>", fp);
	if (total > items->len) {
		fputs ("<p class=\"note\">", fp);
		put_num (fp, total - items->len);
		fputs (" more not listed.</p>", fp);
	}
	fputs ("</section>\n", fp);
}

/* <dt>LABEL</dt><dd>'a', 'b'</dd>, nothing when GLOBS is NULL. */
static void
write_globs (FILE *fp, const char *label, char **globs)
{
	if (globs == NULL || globs[0] == NULL)
		return;
	fprintf (fp, "<dt>%s</dt><dd>", label);
	for (int i = 0; globs[i]; i++) {
		fputs (i ? ", " : "", fp);
		esc (fp, globs[i]);
	}
	fputs ("</dd>", fp);
}

static void
write_rules_and_run (FILE *fp, const MpSummary *s, const MpReportMeta *meta)
{
	fputs ("<section id=\"rules\"><h2>Rules used</h2><p>", fp);
	esc (fp, meta->rules_name);
	fputs (" <span class=\"muted\">(", fp);
	esc (fp, meta->rules_origin);
	fprintf (fp, ")</span>. Messages marked deleted but still stored: %s.</p>\n",
	         meta->deleted_skip ? "not judged (deleted = skip)" : "judged like the others (deleted = judge)");
	fputs ("<table class=\"sortable\"><thead><tr><th>Rule</th><th>Check</th><th>Scope</th>"
	       "<th>Severity</th><th>Limit</th><th>Advice</th></tr></thead><tbody>\n", fp);
	for (guint i = 0; i < meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (meta->rules, i);
		const char *sev = mp_severity_name (r->severity);
		fputs ("<tr><td>", fp);
		esc (fp, r->name);
		fputs ("</td><td>", fp);
		esc (fp, r->check);
		fputs ("</td><td>", fp);
		esc (fp, r->scope);
		fprintf (fp, "</td><td data-v=\"%d\"><span class=\"sev %s\">%s</span></td><td>", (int) r->severity, sev, sev);
		esc (fp, r->max);
		fputs ("</td><td class=\"wrap\">", fp);
		esc (fp, r->advice);
		fputs ("</td></tr>\n", fp);
	}
	fputs ("</tbody></table></section>\n", fp);

	fputs ("<section id=\"run\"><h2>About this report</h2>\n", fp);
	for (guint i = 0; i < meta->runs->len; i++) {
		const MpRunInfo *run = g_ptr_array_index (meta->runs, i);
		g_autofree char *cmd = run->command ? g_strjoinv (" ", run->command) : NULL;
		fputs ("<dl class=\"run\"><dt>Command</dt><dd><pre>", fp);
		esc (fp, cmd);
		fputs ("</pre></dd><dt>Tool version</dt><dd>mailpreflight ", fp);
		esc (fp, run->tool_version);
		fputs ("</dd><dt>Scan time</dt><dd>", fp);
		esc (fp, run->scan_time);
		fputs ("</dd><dt>Judged as of</dt><dd>", fp);
		esc (fp, run->as_of ? run->as_of : run->scan_time);
		fputs ("</dd><dt>Rules</dt><dd>", fp);
		esc (fp, run->rules_name);
		fputs (" (", fp);
		esc (fp, run->rules_origin);
		fputs (")</dd>", fp);
		write_globs (fp, "Folders excluded", run->exclude_folders);
		write_globs (fp, "Folders included", run->include_folders);
		fputs ("</dl>\n", fp);
	}
	fputs ("<p class=\"note\">Sizes are RFC 5322 octets with CRLF line ends, as the target counts them; "
	       "KB = 1024 bytes. Rendered by mailpreflight " MP_VERSION ".</p></section>\n", fp);
}

static gboolean
html_finish (MpWriter *w, const MpSummary *s, GError **error)
{
	HtmlWriter *h = (HtmlWriter *) w;
	const MpReportMeta *meta = w->meta;
	FILE *fp = mp_output_file_stream (w->out);
	guint64 blocking = 0;

	for (int k = MP_SEVERITY_INFO; k <= MP_SEVERITY_ERROR; k++)
		if (mp_report_meta_blocking (meta, (MpSeverity) k))
			blocking += s->findings[k];
	write_head (fp, meta);
	write_summary (fp, s, meta, blocking);
	if (!write_accounts (h, fp, s)) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "HTML report: cannot read back the spool file");
		return FALSE;
	}
	write_rule_counts (fp, s, meta);
	write_charts (fp, s, meta);
	if (!write_findings_table (h, fp, s)) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "HTML report: cannot read back the spool file");
		return FALSE;
	}
	write_largest (fp, s);
	write_folders (fp, s);
	write_text_list (fp, "errors", "Could not read", s->errors, s->errors_total);
	write_text_list (fp, "left-out", "Folders left out (not read)", s->left_out, s->left_out_total);
	write_text_list (fp, "notices", "Notices", s->notices, s->notices_total);
	write_rules_and_run (fp, s, meta);
	fputs ("</main>\n<script>", fp);
	fputs (mp_html_js, fp);
	fputs ("</script>\n</body>\n</html>\n", fp);
	return mp_writer_commit (w, error);
}

static void
html_free (MpWriter *w)
{
	HtmlWriter *h = (HtmlWriter *) w;

	if (h->rows)
		fclose (h->rows);
	if (h->accounts)
		fclose (h->accounts);
	g_hash_table_unref (h->rows_per_rule);
	g_hash_table_unref (h->filter_folder_set);
	g_ptr_array_unref (h->filter_folders);
	g_free (h);
}

static const MpWriterOps html_ops = {
	.account_end = html_account_end,
	.message = html_message,
	.finding = html_finding,
	.finish = html_finish,
	.free = html_free,
};

MpWriter *
mp_html_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	HtmlWriter *h;
	FILE *rows = tmpfile ();
	FILE *accounts = tmpfile ();
	MpOutputFile *out;

	if (rows == NULL || accounts == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "HTML report: cannot create a temporary file: %s",
		             g_strerror (errno));
		if (rows)
			fclose (rows);
		if (accounts)
			fclose (accounts);
		return NULL;
	}
	if ((out = mp_output_file_open (path, error)) == NULL) {
		fclose (rows);
		fclose (accounts);
		return NULL;
	}
	h = g_new0 (HtmlWriter, 1);
	h->base.ops = &html_ops;
	h->base.meta = meta;
	h->base.out = out;
	h->rows = rows;
	h->accounts = accounts;
	h->rows_per_rule = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	h->filter_folders = g_ptr_array_new_with_free_func (g_free);
	h->filter_folder_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	return &h->base;
}
