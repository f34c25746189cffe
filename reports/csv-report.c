/* csv-report.c — findings (one row per rule broken), inventory (one row
 * per message) and accounts (one row per account) as RFC 4180 CSV, in
 * account and source order. Columns: README.md. */
#include "report.h"
#include "csv.h"
#include "meta.h"

const char *const mp_findings_csv_columns[] = {
	"account", "source", "folder", "index", "locator", "message_id", "date", "from", "subject",
	"size", "attachments", "rule", "check", "severity", "value", "limit", "detail", "advice",
	NULL
};

const char *const mp_inventory_csv_columns[] = {
	"account", "source", "folder", "index", "locator", "message_id", "date", "date_source", "from",
	"subject", "size", "attachments", "inline_parts", "nested_attachments", "attachment_names",
	"attachment_types", "attachment_sizes", "flags", "read", "deleted", "problems",
	NULL
};

const char *const mp_accounts_csv_columns[] = {
	"account", "sources", "messages", "bytes", "folders", "errors", "warnings", "last_activity",
	"activity_evidence", "forwarded", "forward_evidence", "idle_months", "verdict", "read_errors",
	NULL
};

static void
write_message_head (FILE *fp, const char *account, const char *source, const MpMessage *m)
{
	mp_csv_write_text (fp, TRUE, account);
	mp_csv_write_text (fp, FALSE, source);
	mp_csv_write_text (fp, FALSE, m->folder);
	mp_csv_write_u64 (fp, FALSE, m->index);
	mp_csv_write_text (fp, FALSE, m->locator);
	mp_csv_write_text (fp, FALSE, m->message_id);
	mp_csv_write_text (fp, FALSE, m->date);
}

static void
write_finding_tail (FILE *fp, const MpFinding *f)
{
	mp_csv_write_text (fp, FALSE, f->rule);
	mp_csv_write_text (fp, FALSE, f->check);
	mp_csv_write_text (fp, FALSE, mp_severity_name (f->severity));
	mp_csv_write_text (fp, FALSE, f->value);
	mp_csv_write_text (fp, FALSE, f->limit);
	mp_csv_write_text (fp, FALSE, f->detail);
	mp_csv_write_text (fp, FALSE, f->advice);
	mp_csv_end_row (fp);
}

void
mp_findings_csv_write (FILE *fp, const char *account, const char *source, const MpMessage *m)
{
	for (guint i = 0; i < m->findings->len; i++) {
		write_message_head (fp, account, source, m);
		mp_csv_write_text (fp, FALSE, m->from);
		mp_csv_write_text (fp, FALSE, m->subject);
		mp_csv_write_u64 (fp, FALSE, m->size);
		mp_csv_write_u64 (fp, FALSE, m->attachments);
		write_finding_tail (fp, g_ptr_array_index (m->findings, i));
	}
}

void
mp_findings_csv_write_scoped (FILE *fp, const char *account, const char *source, const char *folder,
                              const MpFinding *f)
{
	mp_csv_write_text (fp, TRUE, account);
	mp_csv_write_text (fp, FALSE, source);
	mp_csv_write_text (fp, FALSE, folder);
	/* index, locator, message_id, date, from, subject, size, attachments */
	for (int i = 0; i < 8; i++)
		mp_csv_write_text (fp, FALSE, NULL);
	write_finding_tail (fp, f);
}

/* Appends V in decimal (g_string_append_printf costs a vprintf). */
static void
append_u64 (GString *s, guint64 v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		g_string_append_c (s, digits[--n]);
}

typedef enum { ATT_NAME, ATT_TYPE, ATT_SIZE } AttachmentColumn;

/* One ';'-separated list cell of the attachments (a ';' in a filename is
 * kept as it is: the cell stays one cell), built in CELL, which it empties. */
static void
write_attachment_cell (FILE *fp, GString *cell, const GPtrArray *atts, AttachmentColumn column)
{
	g_string_truncate (cell, 0);
	for (guint i = 0; i < atts->len; i++) {
		const MpAttachment *a = g_ptr_array_index (atts, i);
		if (i > 0)
			g_string_append_c (cell, ';');
		if (column == ATT_NAME)
			g_string_append (cell, a->filename ? a->filename : "");
		else if (column == ATT_TYPE)
			g_string_append (cell, a->mime_type);
		else
			append_u64 (cell, a->encoded_size);
	}
	mp_csv_write_text (fp, FALSE, cell->str);
}

void
mp_inventory_csv_write (FILE *fp, const char *account, const char *source, const MpMessage *m)
{
	g_autoptr(GString) cell = g_string_new (NULL);
	g_autofree char *flags = mp_message_flags_string (m->flags);

	write_message_head (fp, account, source, m);
	mp_csv_write_text (fp, FALSE, m->date ? mp_date_source_name (m->date_source) : "");
	mp_csv_write_text (fp, FALSE, m->from);
	mp_csv_write_text (fp, FALSE, m->subject);
	mp_csv_write_u64 (fp, FALSE, m->size);
	mp_csv_write_u64 (fp, FALSE, m->attachments);
	mp_csv_write_u64 (fp, FALSE, m->inline_parts);
	mp_csv_write_u64 (fp, FALSE, m->nested_attachments);
	/* one buffer serves every list cell */
	write_attachment_cell (fp, cell, m->attachment_list, ATT_NAME);
	write_attachment_cell (fp, cell, m->attachment_list, ATT_TYPE);
	write_attachment_cell (fp, cell, m->attachment_list, ATT_SIZE);
	mp_csv_write_text (fp, FALSE, flags);
	mp_csv_write_text (fp, FALSE, mp_read_state_name (m->read_state));
	mp_csv_write_text (fp, FALSE, mp_deleted_name (m->deleted));
	g_string_truncate (cell, 0);
	for (guint i = 0; i < m->problems->len; i++) {
		if (i > 0)
			g_string_append_c (cell, ';');
		g_string_append (cell, g_ptr_array_index (m->problems, i));
	}
	mp_csv_write_text (fp, FALSE, cell->str);
	mp_csv_end_row (fp);
}

void
mp_accounts_csv_write (FILE *fp, const MpAccountResult *r)
{
	gint64 last = mp_account_result_last_activity (r);
	g_autoptr(GString) sources = g_string_new (NULL);
	g_autofree char *when = last ? mp_iso8601_utc (last) : NULL;
	g_autofree char *evidence = mp_account_result_evidence_text (r);

	for (guint i = 0; i < r->sources->len; i++)
		g_string_append_printf (sources, "%s%s", i ? ";" : "", (const char *) g_ptr_array_index (r->sources, i));
	mp_csv_write_text (fp, TRUE, r->name);
	mp_csv_write_text (fp, FALSE, sources->str);
	mp_csv_write_u64 (fp, FALSE, r->messages);
	mp_csv_write_u64 (fp, FALSE, r->bytes);
	mp_csv_write_u64 (fp, FALSE, r->folders);
	mp_csv_write_u64 (fp, FALSE, r->findings[MP_SEVERITY_ERROR]);
	mp_csv_write_u64 (fp, FALSE, r->findings[MP_SEVERITY_WARNING]);
	mp_csv_write_text (fp, FALSE, when);
	mp_csv_write_text (fp, FALSE, evidence);
	mp_csv_write_text (fp, FALSE, mp_forward_state_name (r->forwarding.state));
	mp_csv_write_text (fp, FALSE, r->forwarding.evidence);
	if (r->idle_months >= 0)
		mp_csv_write_u64 (fp, FALSE, (guint64) r->idle_months);
	else
		mp_csv_write_text (fp, FALSE, NULL);
	mp_csv_write_text (fp, FALSE, mp_verdict_name (r->verdict));
	mp_csv_write_u64 (fp, FALSE, r->read_errors);
	mp_csv_end_row (fp);
}

/* ---- the CSV formats as report writers ------------------------------------ */

#include "writer.h"

static void
findings_message (MpWriter *w, const char *source, const MpMessage *m)
{
	mp_findings_csv_write (mp_output_file_stream (w->out), w->account, source, m);
}

static void
findings_finding (MpWriter *w, const char *source, const char *folder, const MpFinding *f)
{
	mp_findings_csv_write_scoped (mp_output_file_stream (w->out), w->account, source, folder, f);
}

static void
inventory_message (MpWriter *w, const char *source, const MpMessage *m)
{
	mp_inventory_csv_write (mp_output_file_stream (w->out), w->account, source, m);
}

static void
accounts_end (MpWriter *w, const MpAccountResult *r)
{
	mp_accounts_csv_write (mp_output_file_stream (w->out), r);
}

static gboolean
csv_finish (MpWriter *w, const MpSummary *model, GError **error)
{
	return mp_writer_commit (w, error);
}

static void
csv_free (MpWriter *w)
{
	g_free (w);
}

static const MpWriterOps findings_ops = {
	.message = findings_message,
	.finding = findings_finding,
	.finish = csv_finish,
	.free = csv_free,
};

static const MpWriterOps inventory_ops = {
	.message = inventory_message,
	.finish = csv_finish,
	.free = csv_free,
};

static const MpWriterOps accounts_ops = {
	.account_end = accounts_end,
	.finish = csv_finish,
	.free = csv_free,
};

static MpWriter *
csv_writer_new (const MpWriterOps *ops, const char *const *columns, const char *path,
                const MpReportMeta *meta, GError **error)
{
	MpOutputFile *out = mp_output_file_open (path, error);
	MpWriter *w;

	if (out == NULL)
		return NULL;
	w = g_new0 (MpWriter, 1);
	w->ops = ops;
	w->meta = meta;
	w->out = out;
	mp_csv_write_header (mp_output_file_stream (out), columns);
	return w;
}

MpWriter *
mp_csv_findings_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	return csv_writer_new (&findings_ops, mp_findings_csv_columns, path, meta, error);
}

MpWriter *
mp_csv_inventory_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	return csv_writer_new (&inventory_ops, mp_inventory_csv_columns, path, meta, error);
}

MpWriter *
mp_csv_accounts_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	return csv_writer_new (&accounts_ops, mp_accounts_csv_columns, path, meta, error);
}
