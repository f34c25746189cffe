/* compare-json.c — the JSON report of `compare`, schema
 * mailpreflight-compare/1 (docs/compare-json.md, JSON Schema in
 * docs/mailpreflight-compare-1.schema.json). Written as it goes, one row
 * at a time: nothing but the counts is held. */
#include "compare-report.h"
#include "escape.h"
#include "mp-config.h"
#include "output-file.h"
#include "row-text.h"

#define COMPARE_SCHEMA "mailpreflight-compare/1"

typedef struct {
	FILE    *fp;
	guint64  written;
} Json;

static void
key (FILE *fp, const char *k)
{
	mp_json_write_string (fp, k);
	fputc (':', fp);
}

static void
str (FILE *fp, const char *k, const char *v, gboolean comma)
{
	key (fp, k);
	mp_json_write_string (fp, v);
	if (comma)
		fputc (',', fp);
}

static void
u64 (FILE *fp, const char *k, guint64 v, gboolean comma)
{
	key (fp, k);
	fprintf (fp, "%" G_GUINT64_FORMAT "%s", v, comma ? "," : "");
}

static void
boolean (FILE *fp, const char *k, gboolean v, gboolean comma)
{
	key (fp, k);
	fputs (v ? "true" : "false", fp);
	if (comma)
		fputc (',', fp);
}

static void
findings (FILE *fp, const char *k, const GPtrArray *list)
{
	key (fp, k);
	fputc ('[', fp);
	for (guint i = 0; list && i < list->len; i++) {
		const MpFinding *f = g_ptr_array_index (list, i);
		fputs (i ? ",{" : "{", fp);
		str (fp, "rule", f->rule, TRUE);
		str (fp, "check", f->check, TRUE);
		str (fp, "severity", mp_severity_name (f->severity), TRUE);
		str (fp, "detail", f->detail, FALSE);
		fputc ('}', fp);
	}
	fputc (']', fp);
}

static void
side (FILE *fp, const char *k, const MpSide *s, gboolean insecure)
{
	key (fp, k);
	fputc ('{', fp);
	str (fp, "name", s->name, TRUE);
	str (fp, "kind", s->kind, TRUE);
	str (fp, "error", s->error ? s->error : s->failure ? s->failure->message : NULL, TRUE);
	u64 (fp, "messages", s->keys->len, TRUE);
	u64 (fp, "bytes", s->bytes, TRUE);
	u64 (fp, "folders", s->folders->len, TRUE);
	u64 (fp, "folders_failed", s->folders_failed, TRUE);
	boolean (fp, "insecure_skip_verify", insecure, TRUE);
	key (fp, "notices");
	fputc ('[', fp);
	for (guint i = 0; i < s->notices->len; i++) {
		if (i)
			fputc (',', fp);
		mp_json_write_string (fp, g_ptr_array_index (s->notices, i));
	}
	fputs ("],", fp);
	findings (fp, "account_findings", s->account_findings);
	fputc ('}', fp);
}

static void
record_fields (FILE *fp, const MpRecord *r, const char *folder)
{
	str (fp, "folder", folder, TRUE);
	u64 (fp, "index", r->index, TRUE);
	str (fp, "locator", r->locator, TRUE);
	str (fp, "message_id", r->message_id, TRUE);
	str (fp, "date", r->date, TRUE);
	str (fp, "from", r->from, TRUE);
	str (fp, "subject", r->subject, TRUE);
	u64 (fp, "size", r->size, TRUE);
	u64 (fp, "attachments", r->attachments, FALSE);
}

static gboolean
write_row (const MpCompareRow *row, gpointer user_data, GError **error)
{
	Json *j = user_data;
	FILE *fp = j->fp;

	fputs (j->written++ ? ",\n{" : "\n{", fp);
	if (row->status == MP_ROW_EXTRA) {
		record_fields (fp, row->message, row->folder);
		fputc (',', fp);
		boolean (fp, "copy", row->copy, FALSE);
		fputc ('}', fp);
		return TRUE;
	}
	str (fp, "status", mp_row_status_name (row->status), TRUE);
	record_fields (fp, row->message, row->folder);
	fputc (',', fp);
	if (row->status == MP_ROW_CHANGED) {
		str (fp, "expected_folder", NULL, TRUE);
		key (fp, "target");
		fputc ('{', fp);
		record_fields (fp, row->target, row->target_folder);
		fputs ("},", fp);
		boolean (fp, "moved", row->moved, TRUE);
	} else {
		str (fp, "expected_folder", row->target_folder, TRUE);
		fputs ("\"target\":null,\"moved\":false,", fp);
	}
	key (fp, "changes");
	fputc ('[', fp);
	for (guint bit = 1, n = 0; bit <= MP_CHANGE_ALL; bit <<= 1)
		if (row->changes & bit) {
			if (n++)
				fputc (',', fp);
			mp_json_write_string (fp, mp_compare_change_name (bit));
		}
	fputs ("],", fp);
	key (fp, "reasons");
	fputc ('[', fp);
	for (guint i = 0; row->reasons && i < row->reasons->len; i++) {
		const MpRecordReason *r = g_ptr_array_index (row->reasons, i);
		fputs (i ? ",{" : "{", fp);
		str (fp, "rule", r->rule, TRUE);
		str (fp, "check", r->check, TRUE);
		str (fp, "severity", mp_severity_name (r->severity), TRUE);
		str (fp, "detail", r->detail, TRUE);
		boolean (fp, "predicts", mp_compare_reason_predicts (r), FALSE);
		fputc ('}', fp);
	}
	fputs ("]}", fp);
	return TRUE;
}

static void
header (FILE *fp, const MpCompareOutcome *o, const MpCompareInfo *info, gboolean embedded)
{
	const MpRunInfo *run = info->run;

	fputs ("{\n", fp);
	if (embedded)
		goto notes; /* schema, tool and run are the accounts document's (accounts-json.c) */
	str (fp, "schema", COMPARE_SCHEMA, FALSE);
	fputs (",\n\"tool\":{\"name\":\"mailpreflight\",\"version\":", fp);
	mp_json_write_string (fp, MP_VERSION);
	fputs ("},\n", fp);
	key (fp, "run");
	fputc ('{', fp);
	key (fp, "command");
	mp_compare_json_write_command (fp, run->command);
	fputc (',', fp);
	str (fp, "time", run->scan_time, TRUE);
	str (fp, "as_of", run->as_of, TRUE);
	str (fp, "rules", run->rules_name, TRUE);
	str (fp, "rules_origin", run->rules_origin, TRUE);
	key (fp, "size_tolerance");
	{
		g_autofree char *text = mp_size_tolerance_string (&o->tolerance);
		fputc ('{', fp);
		u64 (fp, "bytes", o->tolerance.bytes, TRUE);
		u64 (fp, "basis_points", o->tolerance.basis_points, TRUE);
		str (fp, "text", text, FALSE);
		fputs ("},", fp);
	}
	boolean (fp, "accept_predicted", o->accept_predicted, TRUE);
	boolean (fp, "fail_on_changed", o->fail_on_changed, TRUE);
	boolean (fp, "source_metadata_only", info->source_metadata_only, FALSE);
	fputs ("},\n", fp);
notes:
	key (fp, "notes");
	fputc ('[', fp);
	for (guint i = 0; info->notes && i < info->notes->len; i++) {
		if (i)
			fputc (',', fp);
		mp_json_write_string (fp, g_ptr_array_index (info->notes, i));
	}
	fputs ("],\n", fp);
	side (fp, "source", o->source, info->source_insecure);
	fputs (",\n", fp);
	side (fp, "target", o->target, info->target_insecure);
	fputs (",\n", fp);
	str (fp, "verdict", mp_compare_verdict_name (mp_compare_verdict (o)), TRUE);
	u64 (fp, "exit_status", (guint64) mp_compare_exit_status (o), FALSE);
	fputs (",\n", fp);
}

static void
totals (FILE *fp, const MpCompareOutcome *o)
{
	const MpCompareCounts *t = &o->totals;

	key (fp, "totals");
	fputc ('{', fp);
	u64 (fp, "messages", t->messages, TRUE);
	u64 (fp, "bytes", t->bytes, TRUE);
	u64 (fp, "arrived", t->arrived, TRUE);
	u64 (fp, "in_place", t->arrived - t->moved, TRUE);
	u64 (fp, "moved", t->moved, TRUE);
	u64 (fp, "missing", t->missing, TRUE);
	u64 (fp, "unexpected", t->unexpected, TRUE);
	u64 (fp, "changed", t->changed, TRUE);
	u64 (fp, "target_messages", o->target_totals.messages, TRUE);
	u64 (fp, "target_bytes", o->target_totals.bytes, TRUE);
	u64 (fp, "extra", o->target_totals.extra, TRUE);
	u64 (fp, "copies", o->target_totals.copies, TRUE);
	u64 (fp, "matched_by_message_id", o->stats.by_id, TRUE);
	u64 (fp, "matched_by_fingerprint", o->stats.by_fingerprint, FALSE);
	fputs ("},\n", fp);
}

static void
folders (FILE *fp, const MpCompareOutcome *o)
{
	key (fp, "folders");
	fputc ('[', fp);
	for (guint i = 0; i < o->source->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->source, i);
		const MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, i);
		const MpExpectedFolder *e = &g_array_index (o->expected, MpExpectedFolder, i);

		fputs (i ? ",\n{" : "\n{", fp);
		str (fp, "folder", f->name, TRUE);
		str (fp, "expected", e->name, TRUE);
		boolean (fp, "expected_exists", e->folder != MP_NO_FOLDER, TRUE);
		boolean (fp, "mapped", e->mapped, TRUE);
		str (fp, "error", f->error, TRUE);
		u64 (fp, "messages", fo->counts.messages, TRUE);
		u64 (fp, "bytes", fo->counts.bytes, TRUE);
		u64 (fp, "arrived", fo->counts.arrived, TRUE);
		u64 (fp, "moved", fo->counts.moved, TRUE);
		key (fp, "moved_to");
		fputc ('[', fp);
		for (guint k = 0; k < fo->n_moved_to; k++) {
			fputs (k ? ",{" : "{", fp);
			str (fp, "folder", mp_side_folder (o->target, fo->moved_to[k].folder)->name, TRUE);
			u64 (fp, "messages", fo->moved_to[k].messages, FALSE);
			fputc ('}', fp);
		}
		fputs ("],", fp);
		u64 (fp, "moved_elsewhere", fo->moved_elsewhere, TRUE);
		u64 (fp, "missing", fo->counts.missing, TRUE);
		u64 (fp, "unexpected", fo->counts.unexpected, TRUE);
		u64 (fp, "changed", fo->counts.changed, TRUE);
		findings (fp, "findings", f->findings);
		fputc ('}', fp);
	}
	fputs ("],\n", fp);
	key (fp, "target_folders");
	fputc ('[', fp);
	for (guint i = 0; i < o->target->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->target, i);
		const MpTargetFolderOutcome *to = &g_array_index (o->target_folders, MpTargetFolderOutcome, i);

		fputs (i ? ",\n{" : "\n{", fp);
		str (fp, "folder", f->name, TRUE);
		str (fp, "error", f->error, TRUE);
		u64 (fp, "messages", to->messages, TRUE);
		u64 (fp, "bytes", to->bytes, TRUE);
		u64 (fp, "arrived", to->matched, TRUE);
		u64 (fp, "extra", to->extra, TRUE);
		u64 (fp, "copies", to->copies, FALSE);
		fputc ('}', fp);
	}
	fputs ("],\n", fp);
}

gboolean
mp_compare_write_json_object (FILE *fp, MpCompareOutcome *o, const MpCompareInfo *info, gboolean embedded,
                              GError **error)
{
	Json j = { 0 };

	j.fp = fp;
	header (j.fp, o, info, embedded);
	totals (j.fp, o);
	folders (j.fp, o);
	fputs ("\"messages\":[", j.fp);
	if (!mp_compare_outcome_rows (o, MP_ROW_MISSING | MP_ROW_UNEXPECTED | MP_ROW_CHANGED, write_row, &j, error))
		return FALSE;
	fputs ("],\n\"extra\":[", j.fp);
	j.written = 0;
	if (!mp_compare_outcome_rows (o, MP_ROW_EXTRA, write_row, &j, error))
		return FALSE;
	fputs ("]\n}", j.fp);
	return TRUE;
}

gboolean
mp_compare_write_json (MpCompareOutcome *o, const MpCompareInfo *info, const char *path, GError **error)
{
	g_autoptr(MpOutputFile) out = mp_output_file_open (path, error);

	if (out == NULL || !mp_compare_write_json_object (mp_output_file_stream (out), o, info, FALSE, error))
		return FALSE;
	fputc ('\n', mp_output_file_stream (out));
	return mp_output_file_commit (g_steal_pointer (&out), error);
}

void
mp_compare_json_write_command (FILE *fp, char *const *command)
{
	fputc ('[', fp);
	for (guint k = 0; command && command[k]; k++) {
		if (k)
			fputc (',', fp);
		/* argv[0] as the program's name, not the path it was run by */
		mp_json_write_string (fp, k == 0 ? "mailpreflight" : command[k]);
	}
	fputc (']', fp);
}
