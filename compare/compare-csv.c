/* compare-csv.c — the two CSV files of `compare` (README, "compare"):
 * RFC 4180 through csv.h, so a Subject such as "=HYPERLINK(...)" is text
 * in a spreadsheet, not a formula. */
#include "compare-report.h"
#include "csv.h"
#include "output-file.h"
#include "row-text.h"

const char *const mp_compare_csv_columns[] = {
	"status", "folder", "index", "locator", "message_id", "date", "from", "subject", "size",
	"attachments", "target_folder", "target_index", "target_locator", "target_size",
	"target_attachments", "changes", "rules", "detail", NULL
};

const char *const mp_compare_folders_csv_columns[] = {
	"side", "folder", "expected_folder", "messages", "bytes", "arrived", "moved", "missing",
	"unexpected", "changed", "extra", "copies", "moved_to", "rules", NULL
};

typedef struct {
	FILE                  *fp;
	const MpSizeTolerance *tolerance;
} CsvRows;

static void
text_or_empty (FILE *fp, const char *s)
{
	mp_csv_write_text (fp, FALSE, s);
}

void
mp_compare_csv_write_row (FILE *fp, const char *account, const MpCompareRow *row, const MpSizeTolerance *tolerance)
{
	const MpRecord *m = row->message;
	const MpRecord *t = row->status == MP_ROW_EXTRA ? row->message : row->target;
	gboolean source_row = row->status != MP_ROW_EXTRA;
	g_autofree char *changes = mp_compare_changes_string (row->changes);
	g_autofree char *rules = mp_compare_row_rules (row);
	g_autofree char *detail = mp_compare_row_detail (row, tolerance);

	if (account != NULL)
		mp_csv_write_text (fp, TRUE, account);
	mp_csv_write_text (fp, account == NULL, mp_row_status_name (row->status));
	text_or_empty (fp, source_row ? row->folder : NULL);
	if (source_row)
		mp_csv_write_u64 (fp, FALSE, m->index);
	else
		text_or_empty (fp, NULL);
	text_or_empty (fp, source_row ? m->locator : NULL);
	text_or_empty (fp, m->message_id);
	text_or_empty (fp, m->date);
	text_or_empty (fp, m->from);
	text_or_empty (fp, m->subject);
	mp_csv_write_u64 (fp, FALSE, m->size);
	mp_csv_write_u64 (fp, FALSE, m->attachments);
	text_or_empty (fp, row->target_folder);
	if (t != NULL) {
		mp_csv_write_u64 (fp, FALSE, t->index);
		text_or_empty (fp, t->locator);
		mp_csv_write_u64 (fp, FALSE, t->size);
		mp_csv_write_u64 (fp, FALSE, t->attachments);
	} else {
		for (int i = 0; i < 4; i++)
			text_or_empty (fp, NULL);
	}
	text_or_empty (fp, changes);
	text_or_empty (fp, rules);
	text_or_empty (fp, detail);
	mp_csv_end_row (fp);
}

static gboolean
write_row (const MpCompareRow *row, gpointer user_data, GError **error)
{
	CsvRows *c = user_data;

	(void) error;
	mp_compare_csv_write_row (c->fp, NULL, row, c->tolerance);
	return TRUE;
}

gboolean
mp_compare_write_csv (MpCompareOutcome *o, const char *path, GError **error)
{
	g_autoptr(MpOutputFile) out = mp_output_file_open (path, error);
	CsvRows c;

	if (out == NULL)
		return FALSE;
	c.fp = mp_output_file_stream (out);
	c.tolerance = &o->tolerance;
	mp_csv_write_header (c.fp, mp_compare_csv_columns);
	if (!mp_compare_outcome_rows (o, MP_ROW_ALL, write_row, &c, error))
		return FALSE;
	return mp_output_file_commit (g_steal_pointer (&out), error);
}

void
mp_compare_csv_write_source_folder (FILE *fp, const char *account, const char *folder, const char *expected,
                                    const MpCompareCounts *c, const char *moved_to, const char *rules)
{
	if (account != NULL)
		mp_csv_write_text (fp, TRUE, account);
	mp_csv_write_text (fp, account == NULL, "source");
	text_or_empty (fp, folder);
	text_or_empty (fp, expected);
	mp_csv_write_u64 (fp, FALSE, c->messages);
	mp_csv_write_u64 (fp, FALSE, c->bytes);
	mp_csv_write_u64 (fp, FALSE, c->arrived);
	mp_csv_write_u64 (fp, FALSE, c->moved);
	mp_csv_write_u64 (fp, FALSE, c->missing);
	mp_csv_write_u64 (fp, FALSE, c->unexpected);
	mp_csv_write_u64 (fp, FALSE, c->changed);
	text_or_empty (fp, NULL);
	text_or_empty (fp, NULL);
	text_or_empty (fp, moved_to);
	text_or_empty (fp, rules);
	mp_csv_end_row (fp);
}

void
mp_compare_csv_write_target_folder (FILE *fp, const char *account, const char *folder,
                                    const MpTargetFolderOutcome *to)
{
	if (account != NULL)
		mp_csv_write_text (fp, TRUE, account);
	mp_csv_write_text (fp, account == NULL, "target");
	text_or_empty (fp, folder);
	text_or_empty (fp, NULL);
	mp_csv_write_u64 (fp, FALSE, to->messages);
	mp_csv_write_u64 (fp, FALSE, to->bytes);
	/* arrived: messages of the source it holds */
	mp_csv_write_u64 (fp, FALSE, to->matched);
	for (int k = 0; k < 4; k++)
		text_or_empty (fp, NULL);
	mp_csv_write_u64 (fp, FALSE, to->extra);
	mp_csv_write_u64 (fp, FALSE, to->copies);
	text_or_empty (fp, NULL);
	text_or_empty (fp, NULL);
	mp_csv_end_row (fp);
}

static char *
folder_rules (const MpSideFolder *f)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < f->findings->len; i++) {
		const MpFinding *fi = g_ptr_array_index (f->findings, i);
		if (s->len)
			g_string_append_c (s, ';');
		g_string_append (s, fi->rule);
	}
	return g_string_free (s, FALSE);
}

static char *
moved_to_text (const MpCompareOutcome *o, const MpSourceFolderOutcome *fo)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < fo->n_moved_to; i++)
		g_string_append_printf (s, "%s%s (%" G_GUINT64_FORMAT ")", s->len ? "; " : "",
		                        mp_side_folder (o->target, fo->moved_to[i].folder)->name,
		                        fo->moved_to[i].messages);
	if (fo->moved_elsewhere)
		g_string_append_printf (s, "%sothers (%" G_GUINT64_FORMAT ")", s->len ? "; " : "", fo->moved_elsewhere);
	return g_string_free (s, FALSE);
}

gboolean
mp_compare_write_folders_csv (MpCompareOutcome *o, const char *path, GError **error)
{
	g_autoptr(MpOutputFile) out = mp_output_file_open (path, error);
	FILE *fp;

	if (out == NULL)
		return FALSE;
	fp = mp_output_file_stream (out);
	mp_csv_write_header (fp, mp_compare_folders_csv_columns);
	for (guint i = 0; i < o->source->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->source, i);
		const MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, i);
		const MpExpectedFolder *e = &g_array_index (o->expected, MpExpectedFolder, i);
		g_autofree char *moved = moved_to_text (o, fo);
		g_autofree char *rules = folder_rules (f);

		mp_compare_csv_write_source_folder (fp, NULL, f->name, e->name, &fo->counts, moved, rules);
	}
	for (guint i = 0; i < o->target->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->target, i);
		const MpTargetFolderOutcome *to = &g_array_index (o->target_folders, MpTargetFolderOutcome, i);

		mp_compare_csv_write_target_folder (fp, NULL, f->name, to);
	}
	return mp_output_file_commit (g_steal_pointer (&out), error);
}
