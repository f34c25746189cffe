/* report.c — the sink: model + fan-out to one writer per format.
 *
 * What every format records passes here first: a SOURCE is recorded
 * without the password of a URL (imaps://alice:secret@host, refused as a
 * source but still named in reports), from a scan and from a saved report
 * alike; errors go to stderr as one line without control characters (a
 * folder name from a server or a file name from a mailbox must not drive
 * the terminal, shown-text.h). */
#include "report.h"
#include "notice-codes.h"
#include "rules.h"
#include "shown-text.h"
#include "writer.h"

#include <string.h>

struct _MpReport {
	const MpReportMeta *meta;
	GPtrArray    *writers;    /* MpWriter* */
	MpSummary    *summary;
	gboolean      progress;
	gboolean      quiet_errors;
	guint64       progress_total;
	guint64       accounts_total;
	gint64        started;
	gint64        last_progress;
	char         *source_copy;
	char         *account;     /* the account between account_begin and account_end */
	char         *folder_open; /* the folder between folder_begin and folder_end */
};

/* The notes of every run come first among the notices, once each (a merge
 * of runs with the same note says it once). */
static void
add_run_notes (MpSummary *s, const MpReportMeta *meta)
{
	g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint i = 0; i < meta->runs->len; i++) {
		const MpRunInfo *run = g_ptr_array_index (meta->runs, i);
		for (int k = 0; run->notes && run->notes[k]; k++)
			if (g_hash_table_add (seen, run->notes[k]))
				mp_summary_add_notice (s, run->notes[k]);
	}
}

MpReport *
mp_report_new (const MpReportOptions *opt, const MpReportMeta *meta, GError **error)
{
	g_autoptr(MpReport) r = g_new0 (MpReport, 1);
	struct {
		const char *path;
		MpWriter *(*make) (const char *, const MpReportMeta *, GError **);
	} formats[] = {
		{ opt->findings_csv, mp_csv_findings_writer_new },
		{ opt->inventory_csv, mp_csv_inventory_writer_new },
		{ opt->json, mp_json_writer_new },
		{ opt->junit, mp_junit_writer_new },
		{ opt->html, mp_html_writer_new },
		{ opt->accounts_csv, mp_csv_accounts_writer_new },
	};

	r->meta = meta;
	r->writers = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_writer_free);
	r->summary = mp_summary_new ();
	r->progress = opt->progress;
	r->progress_total = opt->progress_total;
	r->accounts_total = opt->accounts_total;
	r->quiet_errors = opt->quiet_errors;
	r->started = g_get_monotonic_time ();
	add_run_notes (r->summary, meta);
	r->summary->deleted_skip = meta->deleted_skip;
	for (gsize i = 0; i < G_N_ELEMENTS (formats); i++) {
		MpWriter *w;
		if (formats[i].path == NULL)
			continue;
		if ((w = formats[i].make (formats[i].path, meta, error)) == NULL)
			return NULL;
		g_ptr_array_add (r->writers, w);
	}
	return g_steal_pointer (&r);
}

void
mp_report_free (MpReport *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref (r->writers);
	mp_summary_free (r->summary);
	g_free (r->source_copy);
	g_free (r->account);
	g_free (r->folder_open);
	g_free (r);
}

MpSummary *
mp_report_summary (MpReport *r)
{
	return r->summary;
}

guint64
mp_report_blocking (MpReport *r)
{
	guint64 n = 0;

	for (int s = MP_SEVERITY_INFO; s <= MP_SEVERITY_ERROR; s++)
		if (mp_report_meta_blocking (r->meta, (MpSeverity) s))
			n += r->summary->findings[s];
	return n;
}

static void
clear_progress (MpReport *r)
{
	if (r->progress && r->last_progress) {
		fputs ("\r\033[K", stderr);
		fflush (stderr);
	}
}

gboolean
mp_report_finish (MpReport *r, GError **error)
{
	clear_progress (r);
	r->last_progress = 0;
	/* every writer finishes, even after one failed: the others still commit */
	for (guint i = 0; i < r->writers->len; i++) {
		MpWriter *w = g_ptr_array_index (r->writers, i);
		g_autoptr(GError) local = NULL;
		if (!w->ops->finish (w, r->summary, &local) && error && *error == NULL)
			g_propagate_error (error, g_steal_pointer (&local));
	}
	return error == NULL || *error == NULL;
}

/* Calls OP on every writer that has it. */
#define FAN_OUT(r, op, ...)                                                     \
	G_STMT_START {                                                          \
		for (guint i_ = 0; i_ < (r)->writers->len; i_++) {              \
			MpWriter *w_ = g_ptr_array_index ((r)->writers, i_);     \
			if (w_->ops->op)                                        \
				w_->ops->op (w_, __VA_ARGS__);                  \
		}                                                               \
	} G_STMT_END

/* An error line on stderr: one line, no control characters. */
static void
print_error (MpReport *r, const char *text)
{
	g_autofree char *shown = NULL;

	if (r->quiet_errors)
		return;
	shown = mp_text_for_terminal (text, -1);
	clear_progress (r);
	g_printerr ("mailpreflight: %s\n", shown);
}

/* MESSAGE without the "folder NAME: " a lower layer may have put in front:
 * the folder error names its folder once ("folder X: folder X: ..." said
 * it two or three times). */
static const char *
without_folder_prefix (const char *message, const char *name)
{
	gsize n = strlen (name);

	while (g_str_has_prefix (message, "folder ") && strncmp (message + 7, name, n) == 0 &&
	       strncmp (message + 7 + n, ": ", 2) == 0)
		message += 7 + n + 2;
	return message;
}

/* *TEXT without the password of a URL in it. */
static void
redact_in_place (char **text)
{
	char *shown = mp_text_redact_passwords (*text);

	g_free (*text);
	*text = shown;
}

static void
on_account_begin (gpointer self, const MpAccount *account)
{
	MpReport *r = self;

	g_free (r->account);
	r->account = g_strdup (account->name);
	mp_summary_begin_account (r->summary, account->name);
	for (guint i = 0; i < r->writers->len; i++) {
		MpWriter *w = g_ptr_array_index (r->writers, i);
		w->account = r->account;
		if (w->ops->account_begin)
			w->ops->account_begin (w, account);
	}
}

static void
on_account_end (gpointer self, const MpAccount *account, MpAccountResult *result)
{
	MpReport *r = self;

	/* the account's sources and evidence (which names sources and errors)
	 * are shown in the accounts CSV and the HTML table: as every source
	 * here, without a URL's password, from a scan and a saved report alike */
	for (guint i = 0; i < result->sources->len; i++)
		redact_in_place ((char **) &result->sources->pdata[i]);
	for (guint k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		redact_in_place (&result->evidence[k].place);
	redact_in_place (&result->forwarding.evidence);
	mp_summary_end_account (r->summary, result);
	FAN_OUT (r, account_end, result);
}

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);

	g_free (r->source_copy);
	r->source_copy = g_strdup (src);
	r->summary->sources++;
	mp_summary_begin_source (r->summary, src, kind);
	FAN_OUT (r, source_begin, src, kind);
}

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);
	g_autofree char *message = mp_text_redact_passwords (error->message);

	print_error (r, message);
	mp_summary_add_error (r->summary, message);
	mp_summary_source_error (r->summary, src, message);
	r->summary->sources_failed++;
	FAN_OUT (r, source_error, src, message);
}

static void
on_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);

	g_free (r->folder_open);
	r->folder_open = g_strdup (folder->name);
	mp_summary_begin_folder (r->summary, src, folder->name);
	FAN_OUT (r, folder_begin, src, folder->name);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);
	g_autofree char *message = mp_text_redact_passwords (without_folder_prefix (error->message, folder->name));
	g_autofree char *text = g_strdup_printf ("folder %s: %s", folder->name, message);
	MpFolderStats *f = r->summary->folder;

	print_error (r, text);
	mp_summary_add_error (r->summary, text);
	if (f)
		f->failed = TRUE;
	FAN_OUT (r, folder_error, src, folder->name, message);
}

static void
on_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);
	g_autofree char *text = g_strdup_printf ("%s: %s%s%s", folder ? folder->name : src ? src : r->account,
	                                         code, detail ? ": " : "", detail ? detail : "");

	/* a folder left out on purpose is listed apart from the notices */
	if (folder != NULL && strcmp (code, mp_notice_name (MP_NOTICE_FOLDER_LEFT_OUT)) == 0)
		mp_summary_add_left_out (r->summary, folder->name);
	else
		mp_summary_add_notice (r->summary, text);
	FAN_OUT (r, notice, src, folder ? folder->name : NULL, code, detail);
}

static void
show_progress (MpReport *r)
{
	gint64 now = g_get_monotonic_time ();
	gdouble secs, rate;
	g_autofree char *done = NULL;

	if (now - r->last_progress < G_USEC_PER_SEC / 4)
		return;
	r->last_progress = now;
	secs = (gdouble) (now - r->started) / G_USEC_PER_SEC;
	rate = secs > 0 ? (gdouble) r->summary->bytes / secs : 0.0;
	done = mp_format_size (r->summary->bytes);
	fprintf (stderr, "\r\033[Kscanning: ");
	if (r->accounts_total > 1)
		fprintf (stderr, "account %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ", ",
		         MIN (r->summary->accounts + 1, r->accounts_total), r->accounts_total);
	fprintf (stderr, "%" G_GUINT64_FORMAT " messages, %s, %.1f MB/s",
	         r->summary->messages, done, rate / (1024.0 * 1024.0));
	/* the total is the size of the files on disk, the count is of RFC 5322
	 * (CRLF) octets: an estimate, never shown past 99% */
	if (r->progress_total && rate > 0 && secs >= 1.0) {
		gdouble frac = MIN ((gdouble) r->summary->bytes / (gdouble) r->progress_total, 0.99);
		gdouble left = r->summary->bytes < r->progress_total
			? (gdouble) (r->progress_total - r->summary->bytes) / rate : 0.0;
		guint64 l = (guint64) left;
		fprintf (stderr, ", %.0f%%, ETA %" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT,
		         frac * 100.0, l / 3600, (l / 60) % 60, l % 60);
	}
	fflush (stderr);
}

static void
on_message (gpointer self, const MpMessage *m)
{
	MpReport *r = self;

	if (m->skipped)
		return;
	mp_summary_add_message (r->summary, m);
	FAN_OUT (r, message, r->source_copy, m);
	if (r->progress)
		show_progress (r);
}

static void
on_finding (gpointer self, const char *source, const MpFolder *folder, const MpFinding *f)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);

	mp_summary_add_finding (r->summary, folder ? folder->name : NULL, f);
	FAN_OUT (r, finding, src, folder ? folder->name : NULL, f);
}

static void
on_folder_end (gpointer self, const char *source, const MpFolder *folder)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);

	g_clear_pointer (&r->folder_open, g_free);
	mp_summary_end_folder (r->summary);
	FAN_OUT (r, folder_end, src, folder->name);
}

static void
on_source_end (gpointer self, const char *source)
{
	MpReport *r = self;
	g_autofree char *src = mp_text_redact_passwords (source);

	FAN_OUT (r, source_end, src);
}

static const MpScanSink report_sink = {
	.account_begin = on_account_begin,
	.account_end = on_account_end,
	.source_begin = on_source_begin,
	.source_error = on_source_error,
	.folder_begin = on_folder_begin,
	.folder_error = on_folder_error,
	.notice = on_notice,
	.message = on_message,
	.folder_end = on_folder_end,
	.source_end = on_source_end,
	.finding = on_finding,
};

const MpScanSink *
mp_report_sink (void)
{
	return &report_sink;
}
