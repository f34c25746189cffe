/* report.c — the sink: model + fan-out to one writer per format. */
#include "report.h"
#include "rules.h"
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

	mp_summary_end_account (r->summary, result);
	FAN_OUT (r, account_end, result);
}

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpReport *r = self;

	g_free (r->source_copy);
	r->source_copy = g_strdup (source);
	r->summary->sources++;
	mp_summary_begin_source (r->summary, source, kind);
	FAN_OUT (r, source_begin, source, kind);
}

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpReport *r = self;

	if (!r->quiet_errors) {
		clear_progress (r);
		g_printerr ("mailpreflight: %s\n", error->message);
	}
	mp_summary_add_error (r->summary, error->message);
	mp_summary_source_error (r->summary, source, error->message);
	r->summary->sources_failed++;
	FAN_OUT (r, source_error, source, error->message);
}

static void
on_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	MpReport *r = self;

	g_free (r->folder_open);
	r->folder_open = g_strdup (folder->name);
	mp_summary_begin_folder (r->summary, source, folder->name);
	FAN_OUT (r, folder_begin, source, folder->name);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpReport *r = self;
	g_autofree char *text = g_strdup_printf ("folder %s: %s", folder->name, error->message);
	MpFolderStats *f = r->summary->folder;

	if (!r->quiet_errors) {
		clear_progress (r);
		g_printerr ("mailpreflight: %s\n", text);
	}
	mp_summary_add_error (r->summary, text);
	if (f)
		f->failed = TRUE;
	FAN_OUT (r, folder_error, source, folder->name, error->message);
}

static void
on_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	MpReport *r = self;
	g_autofree char *text = g_strdup_printf ("%s: %s%s%s", folder ? folder->name : source ? source : r->account,
	                                         code, detail ? ": " : "", detail ? detail : "");

	mp_summary_add_notice (r->summary, text);
	FAN_OUT (r, notice, source, folder ? folder->name : NULL, code, detail);
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

	mp_summary_add_finding (r->summary, folder ? folder->name : NULL, f);
	FAN_OUT (r, finding, source, folder ? folder->name : NULL, f);
}

static void
on_folder_end (gpointer self, const char *source, const MpFolder *folder)
{
	MpReport *r = self;

	g_clear_pointer (&r->folder_open, g_free);
	mp_summary_end_folder (r->summary);
	FAN_OUT (r, folder_end, source, folder->name);
}

static void
on_source_end (gpointer self, const char *source)
{
	MpReport *r = self;

	FAN_OUT (r, source_end, source);
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
