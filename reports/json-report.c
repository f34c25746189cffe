/* json-report.c — the JSON report (docs/json-schema.md), streamed: each
 * message is written as it arrives, one per line; only folder and account
 * findings and notices of the open folder, source or account are held until
 * it closes (a few per folder). Accounts hold sources, sources folders,
 * folders messages. */
#include "writer.h"
#include "mp-config.h"

#include <stdlib.h>
#include <string.h>

#define JSON_SCHEMA "mailpreflight-report/2"
/* notices kept per folder or source; the rest are counted */
#define MAX_NOTICES 1000

typedef enum {
	F_NONE,      /* no folder open */
	F_FINDINGS,  /* "findings" (judged when the folder opened) is open */
	F_MESSAGES,  /* "messages" is open */
	F_FINAL,     /* "final_findings" (judged when it closed) is open */
} FolderState;

typedef struct {
	MpWriter    base;
	FILE       *fp;
	gboolean    account_open;
	guint       accounts_written;
	GPtrArray  *a_findings_json; /* char*: rendered findings about the open account */
	GPtrArray  *a_notices;
	guint64     a_notices_dropped;
	gboolean    source_open;
	guint       sources_written; /* in the open account */
	guint       folders_written; /* in the open source */
	FolderState fstate;
	char       *folder;          /* the open folder */
	guint64     items;           /* in the open array of the folder */
	guint64     f_messages, f_bytes, f_findings, f_deleted;
	char       *f_error;
	GPtrArray  *f_notices;       /* char*: rendered JSON objects */
	guint64     f_notices_dropped;
	guint64     s_messages, s_bytes, s_findings, s_deleted;
	GPtrArray  *s_findings_json; /* char*: rendered, folder or account findings after the folders */
	GPtrArray  *s_notices;
	guint64     s_notices_dropped;
} JsonWriter;

/* ---- rendering ----------------------------------------------------------- */

static void
key (FILE *fp, const char *k)
{
	mp_json_write_string (fp, k);
	fputc (':', fp);
}

/* A finding; in a source's or an account's list also the folder it names
 * (WITH_FOLDER), in an account's also the source (WITH_SOURCE). */
static void
write_finding_in (FILE *fp, const MpFinding *f, gboolean with_source, const char *source,
                  gboolean with_folder, const char *folder)
{
	fputc ('{', fp);
	if (with_source) {
		key (fp, "source");
		mp_json_write_string (fp, source);
		fputc (',', fp);
	}
	if (with_folder) {
		key (fp, "folder");
		mp_json_write_string (fp, folder);
		fputc (',', fp);
	}
	key (fp, "rule"); mp_json_write_string (fp, f->rule); fputc (',', fp);
	key (fp, "check"); mp_json_write_string (fp, f->check); fputc (',', fp);
	key (fp, "severity"); mp_json_write_string (fp, mp_severity_name (f->severity)); fputc (',', fp);
	key (fp, "value"); mp_json_write_string (fp, f->value); fputc (',', fp);
	key (fp, "limit"); mp_json_write_string (fp, f->limit); fputc (',', fp);
	key (fp, "detail"); mp_json_write_string (fp, f->detail); fputc (',', fp);
	key (fp, "advice"); mp_json_write_string (fp, f->advice);
	fputc ('}', fp);
}

static void
write_finding (FILE *fp, const MpFinding *f, gboolean with_folder, const char *folder)
{
	write_finding_in (fp, f, FALSE, NULL, with_folder, folder);
}

static char *
render (void (*fn) (FILE *, gconstpointer, gconstpointer), gconstpointer a, gconstpointer b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream (&buf, &len);

	/* open_memstream fails only when out of memory, which GLib's own
	 * allocator treats as fatal too (g_malloc aborts) */
	if (mem == NULL)
		g_abort ();
	fn (mem, a, b);
	fclose (mem);
	return buf;
}

typedef struct {
	const char *source, *folder, *code, *detail;
} NoticeArgs;

static void
render_notice (FILE *fp, gconstpointer a, gconstpointer unused)
{
	const NoticeArgs *n = a;

	fputc ('{', fp);
	key (fp, "folder"); mp_json_write_string (fp, n->folder); fputc (',', fp);
	key (fp, "code"); mp_json_write_string (fp, n->code); fputc (',', fp);
	key (fp, "detail"); mp_json_write_string (fp, n->detail);
	fputc ('}', fp);
}

static void
render_scoped_finding (FILE *fp, gconstpointer f, gconstpointer folder)
{
	write_finding (fp, f, TRUE, folder);
}

typedef struct {
	const char *source, *folder;
} Where;

/* An account finding: which source and folder it names (both may be null). */
static void
render_account_finding (FILE *fp, gconstpointer f, gconstpointer where)
{
	const Where *w = where;

	write_finding_in (fp, f, TRUE, w->source, TRUE, w->folder);
}

static void
write_u64 (FILE *fp, const char *k, guint64 v, gboolean comma)
{
	key (fp, k);
	fprintf (fp, "%" G_GUINT64_FORMAT "%s", v, comma ? "," : "");
}

static void
write_message (FILE *fp, const MpMessage *m)
{
	gboolean first = TRUE;
	const char *read = mp_read_state_name (m->read_state);

	fputc ('{', fp);
	write_u64 (fp, "index", m->index, TRUE);
	key (fp, "locator"); mp_json_write_string (fp, m->locator); fputc (',', fp);
	key (fp, "message_id"); mp_json_write_string (fp, m->message_id); fputc (',', fp);
	key (fp, "date"); mp_json_write_string (fp, m->date); fputc (',', fp);
	key (fp, "date_unix");
	if (m->date)
		fprintf (fp, "%" G_GINT64_FORMAT ",", m->date_unix);
	else
		fputs ("null,", fp);
	key (fp, "date_source");
	mp_json_write_string (fp, m->date ? mp_date_source_name (m->date_source) : NULL);
	fputc (',', fp);
	key (fp, "from"); mp_json_write_string (fp, m->from); fputc (',', fp);
	key (fp, "subject"); mp_json_write_string (fp, m->subject); fputc (',', fp);
	write_u64 (fp, "size", m->size, TRUE);
	write_u64 (fp, "attachments", m->attachments, TRUE);
	write_u64 (fp, "inline_parts", m->inline_parts, TRUE);
	write_u64 (fp, "nested_attachments", m->nested_attachments, TRUE);
	write_u64 (fp, "mime_parts", m->mime_parts, TRUE);
	write_u64 (fp, "depth", m->depth, TRUE);
	write_u64 (fp, "max_line", m->max_line, TRUE);
	key (fp, "flags");
	fputc ('[', fp);
	for (guint flag = 1; flag & MP_MSG_FLAG_ALL; flag <<= 1) {
		if (!(m->flags & flag))
			continue;
		if (!first)
			fputc (',', fp);
		first = FALSE;
		mp_json_write_string (fp, mp_message_flag_name (flag));
	}
	fputs ("],", fp);
	key (fp, "read"); mp_json_write_string (fp, *read ? read : NULL); fputc (',', fp);
	key (fp, "deleted"); mp_json_write_string (fp, mp_deleted_name (m->deleted)); fputc (',', fp);
	key (fp, "downloaded"); mp_json_write_string (fp, mp_fetched_name (m->fetched)); fputc (',', fp);
	write_u64 (fp, "downloaded_octets", m->fetched_octets, TRUE);
	key (fp, "attachment_list");
	fputc ('[', fp);
	for (guint i = 0; m->attachment_list && i < m->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		if (i)
			fputc (',', fp);
		fputc ('{', fp);
		key (fp, "filename"); mp_json_write_string (fp, a->filename); fputc (',', fp);
		key (fp, "type"); mp_json_write_string (fp, a->mime_type); fputc (',', fp);
		write_u64 (fp, "size", a->encoded_size, FALSE);
		fputc ('}', fp);
	}
	fputs ("],", fp);
	key (fp, "problems");
	fputc ('[', fp);
	for (guint i = 0; i < m->problems->len; i++) {
		if (i)
			fputc (',', fp);
		mp_json_write_string (fp, g_ptr_array_index (m->problems, i));
	}
	fputs ("],", fp);
	key (fp, "findings");
	fputc ('[', fp);
	for (guint i = 0; i < m->findings->len; i++) {
		if (i)
			fputc (',', fp);
		write_finding (fp, g_ptr_array_index (m->findings, i), FALSE, NULL);
	}
	fputs ("]}", fp);
}

/* ---- the stream ---------------------------------------------------------- */

/* ,"K":[...] of strings (NULL: []). */
static void
write_strv (FILE *fp, const char *k, char **v)
{
	fputc (',', fp);
	key (fp, k);
	fputc ('[', fp);
	for (int i = 0; v && v[i]; i++) {
		if (i)
			fputc (',', fp);
		mp_json_write_string (fp, v[i]);
	}
	fputc (']', fp);
}

/* What schema 1 gained after 0.1.0: the folder globs and the notes of a run. */
static void
write_run_notes (FILE *fp, const MpRunInfo *run)
{
	write_strv (fp, "exclude_folders", run->exclude_folders);
	write_strv (fp, "include_folders", run->include_folders);
	write_strv (fp, "notes", run->notes);
}

static void
write_header (JsonWriter *j)
{
	const MpReportMeta *meta = j->base.meta;
	FILE *fp = j->fp;

	fputs ("{\n", fp);
	key (fp, "schema"); mp_json_write_string (fp, JSON_SCHEMA); fputs (",\n", fp);
	fputs ("\"tool\":{\"name\":\"mailpreflight\",\"version\":", fp);
	mp_json_write_string (fp, MP_VERSION);
	fputs ("},\n", fp);
	key (fp, "fail_on"); mp_json_write_string (fp, mp_report_meta_fail_on_name (meta)); fputs (",\n", fp);
	key (fp, "runs");
	fputs ("[\n", fp);
	for (guint i = 0; i < meta->runs->len; i++) {
		const MpRunInfo *run = g_ptr_array_index (meta->runs, i);
		fputc ('{', fp);
		key (fp, "tool_version"); mp_json_write_string (fp, run->tool_version); fputc (',', fp);
		key (fp, "command");
		fputc ('[', fp);
		for (int k = 0; run->command && run->command[k]; k++) {
			if (k)
				fputc (',', fp);
			mp_json_write_string (fp, run->command[k]);
		}
		fputs ("],", fp);
		key (fp, "scan_time"); mp_json_write_string (fp, run->scan_time); fputc (',', fp);
		key (fp, "as_of"); mp_json_write_string (fp, run->as_of); fputc (',', fp);
		key (fp, "rules"); mp_json_write_string (fp, run->rules_name); fputc (',', fp);
		key (fp, "rules_origin"); mp_json_write_string (fp, run->rules_origin); fputc (',', fp);
		key (fp, "rules_digest"); mp_json_write_string (fp, run->rules_digest); fputc (',', fp);
		key (fp, "insecure_skip_verify"); fputs (run->insecure_skip_verify ? "true," : "false,", fp);
		key (fp, "metadata_only"); fputs (run->metadata_only ? "true" : "false", fp);
		write_run_notes (fp, run);
		fprintf (fp, "}%s\n", i + 1 < meta->runs->len ? "," : "");
	}
	fputs ("],\n", fp);
	key (fp, "rules");
	fputc ('{', fp);
	key (fp, "name"); mp_json_write_string (fp, meta->rules_name); fputc (',', fp);
	key (fp, "origin"); mp_json_write_string (fp, meta->rules_origin); fputc (',', fp);
	key (fp, "deleted"); mp_json_write_string (fp, meta->deleted_skip ? "skip" : "judge"); fputc (',', fp);
	key (fp, "list");
	fputs ("[\n", fp);
	for (guint i = 0; i < meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (meta->rules, i);
		fputc ('{', fp);
		key (fp, "name"); mp_json_write_string (fp, r->name); fputc (',', fp);
		key (fp, "check"); mp_json_write_string (fp, r->check); fputc (',', fp);
		key (fp, "scope"); mp_json_write_string (fp, r->scope); fputc (',', fp);
		key (fp, "severity"); mp_json_write_string (fp, mp_severity_name (r->severity)); fputc (',', fp);
		key (fp, "max"); mp_json_write_string (fp, r->max); fputc (',', fp);
		key (fp, "advice"); mp_json_write_string (fp, r->advice);
		fprintf (fp, "}%s\n", i + 1 < meta->rules->len ? "," : "");
	}
	fputs ("]},\n", fp);
	key (fp, "accounts");
	fputs ("[\n", fp);
}

static void
write_notices (FILE *fp, GPtrArray *notices, guint64 dropped)
{
	key (fp, "notices");
	fputc ('[', fp);
	for (guint i = 0; i < notices->len; i++)
		fprintf (fp, "%s%s", i ? "," : "", (const char *) g_ptr_array_index (notices, i));
	fputs ("],", fp);
	write_u64 (fp, "notices_dropped", dropped, TRUE);
	g_ptr_array_set_size (notices, 0);
}

static void
open_source (JsonWriter *j, const char *source, const char *kind)
{
	FILE *fp = j->fp;

	fprintf (fp, "%s{", j->sources_written++ ? ",\n" : "");
	key (fp, "source"); mp_json_write_string (fp, source); fputc (',', fp);
	key (fp, "kind"); mp_json_write_string (fp, kind); fputc (',', fp);
	key (fp, "folders");
	fputs ("[\n", fp);
	j->source_open = TRUE;
	j->folders_written = 0;
	j->s_messages = j->s_bytes = j->s_findings = j->s_deleted = 0;
	j->s_notices_dropped = 0;
}

/* "findings": the findings HELD (rendered while the source or account was
 * open), which are then let go. */
static void
write_held_findings (FILE *fp, GPtrArray *held)
{
	key (fp, "findings");
	fputc ('[', fp);
	for (guint i = 0; i < held->len; i++)
		fprintf (fp, "%s%s", i ? ",\n" : "\n", (const char *) g_ptr_array_index (held, i));
	fputs ("],\n", fp);
	g_ptr_array_set_size (held, 0);
}

static void
close_source (JsonWriter *j, const char *error)
{
	FILE *fp = j->fp;

	fputs ("],\n", fp);
	write_held_findings (fp, j->s_findings_json);
	write_notices (fp, j->s_notices, j->s_notices_dropped);
	key (fp, "error"); mp_json_write_string (fp, error); fputc (',', fp);
	key (fp, "stats");
	fputc ('{', fp);
	write_u64 (fp, "folders", j->folders_written, TRUE);
	write_u64 (fp, "messages", j->s_messages, TRUE);
	write_u64 (fp, "bytes", j->s_bytes, TRUE);
	write_u64 (fp, "findings", j->s_findings, TRUE);
	write_u64 (fp, "deleted", j->s_deleted, FALSE);
	fputs ("}}", fp);
	j->source_open = FALSE;
}

static void
open_account (JsonWriter *j, const MpAccount *a)
{
	FILE *fp = j->fp;

	fprintf (fp, "%s{", j->accounts_written++ ? ",\n" : "");
	key (fp, "account"); mp_json_write_string (fp, a->name); fputc (',', fp);
	write_u64 (fp, "ordinal", a->ordinal, TRUE);
	key (fp, "home"); mp_json_write_string (fp, a->home); fputc (',', fp);
	key (fp, "home_origin"); mp_json_write_string (fp, a->home_origin); fputc (',', fp);
	key (fp, "origin"); mp_json_write_string (fp, a->origin); fputc (',', fp);
	key (fp, "sources");
	fputs ("[\n", fp);
	j->account_open = TRUE;
	j->sources_written = 0;
	j->a_notices_dropped = 0;
}

static void
write_evidence (FILE *fp, const MpEvidence *e)
{
	g_autofree char *when = e->time ? mp_iso8601_utc (e->time) : NULL;

	fputc ('{', fp);
	key (fp, "kind"); mp_json_write_string (fp, mp_evidence_kind_name (e->kind)); fputc (',', fp);
	key (fp, "time"); mp_json_write_string (fp, when); fputc (',', fp);
	key (fp, "unix");
	if (e->time)
		fprintf (fp, "%" G_GINT64_FORMAT ",", e->time);
	else
		fputs ("null,", fp);
	key (fp, "place"); mp_json_write_string (fp, e->place);
	fputc ('}', fp);
}

static void
close_account (JsonWriter *j, const MpAccountResult *r)
{
	FILE *fp = j->fp;
	gint64 last = mp_account_result_last_activity (r);
	g_autofree char *when = last ? mp_iso8601_utc (last) : NULL;

	if (j->source_open)
		close_source (j, NULL);
	fputs ("\n],\n", fp);
	write_held_findings (fp, j->a_findings_json);
	write_notices (fp, j->a_notices, j->a_notices_dropped);
	fputc ('\n', fp);
	key (fp, "activity");
	fputc ('{', fp);
	key (fp, "last_activity"); mp_json_write_string (fp, when); fputc (',', fp);
	key (fp, "kind"); mp_json_write_string (fp, r->last_kind >= 0 ? mp_evidence_kind_name (r->last_kind) : NULL);
	fputc (',', fp);
	key (fp, "evidence");
	fputc ('[', fp);
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++) {
		if (k)
			fputc (',', fp);
		write_evidence (fp, &r->evidence[k]);
	}
	fputs ("]},\n", fp);
	key (fp, "forwarding");
	fputc ('{', fp);
	key (fp, "state"); mp_json_write_string (fp, mp_forward_state_name (r->forwarding.state)); fputc (',', fp);
	key (fp, "evidence"); mp_json_write_string (fp, r->forwarding.evidence);
	fputs ("},", fp);
	key (fp, "idle_months");
	if (r->idle_months >= 0)
		fprintf (fp, "%d,", r->idle_months);
	else
		fputs ("null,", fp);
	key (fp, "verdict"); mp_json_write_string (fp, mp_verdict_name (r->verdict)); fputc (',', fp);
	key (fp, "stats");
	fputc ('{', fp);
	write_u64 (fp, "sources", j->sources_written, TRUE);
	write_u64 (fp, "folders", r->folders, TRUE);
	write_u64 (fp, "messages", r->messages, TRUE);
	write_u64 (fp, "bytes", r->bytes, TRUE);
	key (fp, "findings");
	fputc ('{', fp);
	write_u64 (fp, "error", r->findings[MP_SEVERITY_ERROR], TRUE);
	write_u64 (fp, "warning", r->findings[MP_SEVERITY_WARNING], TRUE);
	write_u64 (fp, "info", r->findings[MP_SEVERITY_INFO], FALSE);
	fputs ("},", fp);
	write_u64 (fp, "read_errors", r->read_errors, FALSE);
	fputs ("}}", fp);
	j->account_open = FALSE;
}

static void
json_account_begin (MpWriter *w, const MpAccount *account)
{
	open_account ((JsonWriter *) w, account);
}

static void
json_account_end (MpWriter *w, const MpAccountResult *result)
{
	JsonWriter *j = (JsonWriter *) w;

	if (j->account_open)
		close_account (j, result);
}

static void
json_source_begin (MpWriter *w, const char *source, const char *kind)
{
	open_source ((JsonWriter *) w, source, kind);
}

static void
json_source_error (MpWriter *w, const char *source, const char *message)
{
	JsonWriter *j = (JsonWriter *) w;

	/* after source_begin: the folders could not be listed (no source_end
	 * follows); else the source could not be opened at all (kind null) */
	if (!j->source_open)
		open_source (j, source, NULL);
	close_source (j, message);
}

/* Moves the open folder to state TO, closing and opening arrays so that
 * every folder has findings, messages and final_findings, in that order. */
static void
folder_advance (JsonWriter *j, FolderState to)
{
	FILE *fp = j->fp;

	while (j->fstate < to) {
		switch (j->fstate) {
		case F_FINDINGS:
			fputs ("],\n\"messages\":[\n", fp);
			j->fstate = F_MESSAGES;
			break;
		case F_MESSAGES:
			fputs ("],\n\"final_findings\":[", fp);
			j->fstate = F_FINAL;
			break;
		case F_NONE:
		case F_FINAL:
		default:
			return;
		}
		j->items = 0;
	}
}

static void
json_folder_begin (MpWriter *w, const char *source, const char *folder)
{
	JsonWriter *j = (JsonWriter *) w;
	FILE *fp = j->fp;

	fprintf (fp, "%s{", j->folders_written++ ? ",\n" : "");
	key (fp, "name"); mp_json_write_string (fp, folder); fputc (',', fp);
	key (fp, "findings");
	fputc ('[', fp);
	g_free (j->folder);
	j->folder = g_strdup (folder);
	j->fstate = F_FINDINGS;
	j->items = 0;
	j->f_messages = j->f_bytes = j->f_findings = j->f_deleted = 0;
	j->f_notices_dropped = 0;
	g_clear_pointer (&j->f_error, g_free);
}

static void
json_folder_error (MpWriter *w, const char *source, const char *folder, const char *message)
{
	JsonWriter *j = (JsonWriter *) w;

	g_free (j->f_error);
	j->f_error = g_strdup (message);
}

static void
json_notice (MpWriter *w, const char *source, const char *folder, const char *code, const char *detail)
{
	JsonWriter *j = (JsonWriter *) w;
	NoticeArgs n = { source, folder, code, detail };
	gboolean in_folder = j->fstate != F_NONE && folder && g_strcmp0 (folder, j->folder) == 0;
	gboolean in_account = !in_folder && (source == NULL || !j->source_open);
	GPtrArray *list = in_folder ? j->f_notices : in_account ? j->a_notices : j->s_notices;

	if (list->len >= MAX_NOTICES) {
		if (in_folder)
			j->f_notices_dropped++;
		else if (in_account)
			j->a_notices_dropped++;
		else
			j->s_notices_dropped++;
		return;
	}
	g_ptr_array_add (list, render (render_notice, &n, NULL));
}

static void
json_message (MpWriter *w, const char *source, const MpMessage *m)
{
	JsonWriter *j = (JsonWriter *) w;

	folder_advance (j, F_MESSAGES);
	if (j->items++)
		fputs (",\n", j->fp);
	write_message (j->fp, m);
	j->f_messages++;
	j->f_deleted += m->deleted != MP_DELETED_NONE;
	j->s_deleted += m->deleted != MP_DELETED_NONE;
	mp_add_saturating (&j->f_bytes, m->size);
	j->f_findings += m->findings->len;
	j->s_messages++;
	mp_add_saturating (&j->s_bytes, m->size);
	j->s_findings += m->findings->len;
}

static void
json_finding (MpWriter *w, const char *source, const char *folder, const MpFinding *f)
{
	JsonWriter *j = (JsonWriter *) w;

	j->s_findings++;
	if (j->fstate != F_NONE && folder && strcmp (folder, j->folder) == 0) {
		/* judged when the folder opened (before its messages) or when it closed */
		if (j->fstate == F_MESSAGES)
			folder_advance (j, F_FINAL);
		if (j->items++)
			fputc (',', j->fp);
		fputc ('\n', j->fp);
		write_finding (j->fp, f, FALSE, NULL);
		j->f_findings++;
		return;
	}
	if (source == NULL || !j->source_open) {
		/* about the account, after its sources */
		Where where = { source, folder };
		g_ptr_array_add (j->a_findings_json, render (render_account_finding, f, &where));
		return;
	}
	g_ptr_array_add (j->s_findings_json, render (render_scoped_finding, f, folder));
}

static void
json_folder_end (MpWriter *w, const char *source, const char *folder)
{
	JsonWriter *j = (JsonWriter *) w;
	FILE *fp = j->fp;

	folder_advance (j, F_FINAL);
	fputs ("],\n", fp);
	write_notices (fp, j->f_notices, j->f_notices_dropped);
	key (fp, "error"); mp_json_write_string (fp, j->f_error); fputc (',', fp);
	key (fp, "stats");
	fputc ('{', fp);
	write_u64 (fp, "messages", j->f_messages, TRUE);
	write_u64 (fp, "bytes", j->f_bytes, TRUE);
	write_u64 (fp, "findings", j->f_findings, TRUE);
	write_u64 (fp, "deleted", j->f_deleted, FALSE);
	fputs ("}}", fp);
	j->fstate = F_NONE;
	g_clear_pointer (&j->folder, g_free);
}

static void
json_source_end (MpWriter *w, const char *source)
{
	JsonWriter *j = (JsonWriter *) w;

	if (j->source_open)
		close_source (j, NULL);
}

static gboolean
json_finish (MpWriter *w, const MpSummary *s, GError **error)
{
	JsonWriter *j = (JsonWriter *) w;
	const MpReportMeta *meta = w->meta;
	FILE *fp = j->fp;
	guint64 blocking = 0;

	if (j->source_open)
		close_source (j, NULL);
	for (int k = MP_SEVERITY_INFO; k <= MP_SEVERITY_ERROR; k++)
		if (mp_report_meta_blocking (meta, (MpSeverity) k))
			blocking += s->findings[k];
	fputs ("\n],\n", fp);
	key (fp, "totals");
	fputc ('{', fp);
	write_u64 (fp, "accounts", s->accounts, TRUE);
	key (fp, "verdicts");
	fputc ('{', fp);
	for (int v = 0; v < MP_VERDICT_N; v++)
		write_u64 (fp, mp_verdict_name ((MpVerdict) v), s->verdicts[v], v + 1 < MP_VERDICT_N);
	fputs ("},", fp);
	write_u64 (fp, "sources", s->n_sources, TRUE);
	write_u64 (fp, "sources_failed", s->sources_failed, TRUE);
	write_u64 (fp, "folders", s->n_folders, TRUE);
	write_u64 (fp, "messages", s->messages, TRUE);
	write_u64 (fp, "bytes", s->bytes, TRUE);
	write_u64 (fp, "attachments", s->attachments, TRUE);
	write_u64 (fp, "messages_with_findings", s->messages_with_findings, TRUE);
	write_u64 (fp, "messages_with_problems", s->messages_with_problems, TRUE);
	write_u64 (fp, "deleted", s->deleted, TRUE);
	key (fp, "downloaded");
	fputc ('{', fp);
	write_u64 (fp, "messages", s->downloaded, TRUE);
	write_u64 (fp, "whole", s->downloaded_whole, TRUE);
	write_u64 (fp, "octets", s->downloaded_octets, FALSE);
	fputs ("},", fp);
	key (fp, "findings");
	fputc ('{', fp);
	write_u64 (fp, "error", s->findings[MP_SEVERITY_ERROR], TRUE);
	write_u64 (fp, "warning", s->findings[MP_SEVERITY_WARNING], TRUE);
	write_u64 (fp, "info", s->findings[MP_SEVERITY_INFO], FALSE);
	fputs ("},", fp);
	write_u64 (fp, "folder_and_account_findings", s->other_findings, TRUE);
	write_u64 (fp, "blocking", blocking, TRUE);
	key (fp, "verdict");
	/* the mailbox, whatever --fail-on (which sets blocking and the exit status) */
	mp_json_write_string (fp, mp_readiness_name (mp_summary_verdict (s)));
	fputc (',', fp);
	key (fp, "per_rule");
	fputc ('[', fp);
	for (guint i = 0; i < s->rules->len; i++) {
		const MpRuleStats *r = g_ptr_array_index (s->rules, i);
		fprintf (fp, "%s{", i ? "," : "");
		key (fp, "rule"); mp_json_write_string (fp, r->rule); fputc (',', fp);
		key (fp, "check"); mp_json_write_string (fp, r->check); fputc (',', fp);
		key (fp, "severity"); mp_json_write_string (fp, mp_severity_name (r->severity)); fputc (',', fp);
		write_u64 (fp, "count", r->count, FALSE);
		fputc ('}', fp);
	}
	fputs ("]}\n}\n", fp);
	return mp_writer_commit (w, error);
}

static void
json_free (MpWriter *w)
{
	JsonWriter *j = (JsonWriter *) w;

	g_free (j->folder);
	g_free (j->f_error);
	g_ptr_array_unref (j->f_notices);
	g_ptr_array_unref (j->s_notices);
	g_ptr_array_unref (j->s_findings_json);
	g_ptr_array_unref (j->a_findings_json);
	g_ptr_array_unref (j->a_notices);
	g_free (j);
}

static const MpWriterOps json_ops = {
	.account_begin = json_account_begin,
	.account_end = json_account_end,
	.source_begin = json_source_begin,
	.source_error = json_source_error,
	.folder_begin = json_folder_begin,
	.folder_error = json_folder_error,
	.notice = json_notice,
	.message = json_message,
	.finding = json_finding,
	.folder_end = json_folder_end,
	.source_end = json_source_end,
	.finish = json_finish,
	.free = json_free,
};

MpWriter *
mp_json_writer_new (const char *path, const MpReportMeta *meta, GError **error)
{
	MpOutputFile *out = mp_output_file_open (path, error);
	JsonWriter *j;

	if (out == NULL)
		return NULL;
	j = g_new0 (JsonWriter, 1);
	j->base.ops = &json_ops;
	j->base.meta = meta;
	j->base.out = out;
	j->fp = mp_output_file_stream (out);
	j->f_notices = g_ptr_array_new_with_free_func (free);
	j->s_notices = g_ptr_array_new_with_free_func (free);
	j->s_findings_json = g_ptr_array_new_with_free_func (free);
	j->a_findings_json = g_ptr_array_new_with_free_func (free);
	j->a_notices = g_ptr_array_new_with_free_func (free);
	write_header (j);
	return &j->base;
}
