#include "report.h"
#include "csv.h"
#include "output-file.h"
#include "rules.h"

#include <string.h>

struct _MpReport {
	MpOutputFile *findings;
	MpOutputFile *inventory;
	MpSummary    *summary;
	gboolean      progress;
	gint64        started;
	gint64        last_progress;
	char         *source_copy;
};

MpReport *
mp_report_new (const MpReportOptions *opt, GError **error)
{
	g_autoptr(MpReport) r = g_new0 (MpReport, 1);

	r->summary = mp_summary_new ();
	r->progress = opt->progress;
	r->started = g_get_monotonic_time ();
	if (opt->findings_csv) {
		if ((r->findings = mp_output_file_open (opt->findings_csv, error)) == NULL)
			return NULL;
		mp_csv_write_header (mp_output_file_stream (r->findings), mp_findings_csv_columns);
	}
	if (opt->inventory_csv) {
		if ((r->inventory = mp_output_file_open (opt->inventory_csv, error)) == NULL)
			return NULL;
		mp_csv_write_header (mp_output_file_stream (r->inventory), mp_inventory_csv_columns);
	}
	return g_steal_pointer (&r);
}

void
mp_report_free (MpReport *r)
{
	if (r == NULL)
		return;
	mp_output_file_abort (r->findings);
	mp_output_file_abort (r->inventory);
	mp_summary_free (r->summary);
	g_free (r->source_copy);
	g_free (r);
}

MpSummary *
mp_report_summary (MpReport *r)
{
	return r->summary;
}

static void
clear_progress (MpReport *r)
{
	if (r->progress && r->last_progress)
		fputs ("\r\033[K", stderr);
}

gboolean
mp_report_finish (MpReport *r, GError **error)
{
	clear_progress (r);
	if (r->findings && !mp_output_file_commit (g_steal_pointer (&r->findings), error))
		return FALSE;
	if (r->inventory && !mp_output_file_commit (g_steal_pointer (&r->inventory), error))
		return FALSE;
	return TRUE;
}

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpReport *r = self;

	g_free (r->source_copy);
	r->source_copy = g_strdup (source);
	r->summary->sources++;
}

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpReport *r = self;

	clear_progress (r);
	g_printerr ("mailpreflight: %s\n", error->message);
	mp_summary_add_error (r->summary, error->message);
	r->summary->sources_failed++;
}

static void
on_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	MpReport *r = self;

	mp_summary_begin_folder (r->summary, source, folder->name);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpReport *r = self;
	g_autofree char *text = g_strdup_printf ("folder %s: %s", folder->name, error->message);
	MpFolderStats *f = r->summary->folders->len
		? g_ptr_array_index (r->summary->folders, r->summary->folders->len - 1) : NULL;

	clear_progress (r);
	g_printerr ("mailpreflight: %s\n", text);
	mp_summary_add_error (r->summary, text);
	if (f)
		f->failed = TRUE;
}

static void
on_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	MpReport *r = self;
	g_autofree char *text = g_strdup_printf ("%s: %s%s%s", folder ? folder->name : source, code,
	                                         detail ? ": " : "", detail ? detail : "");

	mp_summary_add_notice (r->summary, text);
}

static void
show_progress (MpReport *r)
{
	gint64 now = g_get_monotonic_time ();
	gdouble secs;
	g_autofree char *done = NULL;

	if (now - r->last_progress < G_USEC_PER_SEC / 4)
		return;
	r->last_progress = now;
	secs = (gdouble) (now - r->started) / G_USEC_PER_SEC;
	done = mp_format_size (r->summary->bytes);
	fprintf (stderr, "\r\033[Kscanning: %" G_GUINT64_FORMAT " messages, %s, %.0f MB/s",
	         r->summary->messages, done,
	         secs > 0 ? (gdouble) r->summary->bytes / (1024.0 * 1024.0) / secs : 0.0);
	fflush (stderr);
}

static void
on_message (gpointer self, const MpMessage *m)
{
	MpReport *r = self;

	if (m->skipped)
		return;
	mp_summary_add_message (r->summary, m);
	if (r->findings)
		mp_findings_csv_write (mp_output_file_stream (r->findings), r->source_copy, m);
	if (r->inventory)
		mp_inventory_csv_write (mp_output_file_stream (r->inventory), r->source_copy, m);
	if (r->progress)
		show_progress (r);
}

static void
on_finding (gpointer self, const char *source, const MpFolder *folder, const MpFinding *f)
{
	MpReport *r = self;

	mp_summary_add_finding (r->summary, folder ? folder->name : NULL, f);
	if (r->findings)
		mp_findings_csv_write_scoped (mp_output_file_stream (r->findings), source,
		                              folder ? folder->name : NULL, f);
}

static const MpScanSink report_sink = {
	.source_begin = on_source_begin,
	.source_error = on_source_error,
	.folder_begin = on_folder_begin,
	.folder_error = on_folder_error,
	.notice = on_notice,
	.message = on_message,
	.finding = on_finding,
};

const MpScanSink *
mp_report_sink (void)
{
	return &report_sink;
}
