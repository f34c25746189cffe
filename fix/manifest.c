/* manifest.c — the JSON manifest of a fix, schema mailpreflight-fix/1
 * (docs/fix-manifest.md): the run, then per source every changed message
 * and every message that could not be fixed, with its parts, its
 * attachments (SHA-256 and where each went) and the detached files; the
 * totals and the outcome last. Streamed: one message at a time. */
#include "fix-report.h"
#include "escape.h"
#include "meta.h"
#include "mp-config.h"
#include "output-file.h"

#include <string.h>

struct _MpFixManifest {
	MpOutputFile *out;
	FILE         *fp;
	gboolean      first_source;
	gboolean      first_message;
	gboolean      in_source;
};

static void
str (FILE *fp, const char *s)
{
	mp_json_write_string (fp, s);
}

static void
limit (FILE *fp, const char *key, guint64 v, gboolean comma)
{
	fprintf (fp, "\"%s\":", key);
	if (v == G_MAXUINT64)
		fputs ("null", fp);
	else
		fprintf (fp, "%" G_GUINT64_FORMAT, v);
	if (comma)
		fputc (',', fp);
}

static char *
now_text (void)
{
	const char *fixed = g_getenv ("MAILPREFLIGHT_FIXED_TIME");

	return fixed && *fixed ? g_strdup (fixed) : mp_iso8601_utc (g_get_real_time () / G_USEC_PER_SEC);
}

MpFixManifest *
mp_fix_manifest_new (const char *path, const MpFixRunInfo *info, GError **error)
{
	MpFixManifest *m;
	MpOutputFile *out = mp_output_file_open (path, error);
	g_autofree char *time = now_text ();
	const MpFixOptions *o = info->opt;
	FILE *fp;

	if (out == NULL)
		return NULL;
	m = g_new0 (MpFixManifest, 1);
	m->out = out;
	m->fp = fp = mp_output_file_stream (out);
	m->first_source = TRUE;
	fputs ("{\"schema\":\"mailpreflight-fix/1\",\n\"tool\":{\"name\":\"mailpreflight\",\"version\":", fp);
	str (fp, MP_VERSION);
	fputs ("},\n\"command\":[\"mailpreflight\"", fp);
	for (int i = 0; info->command && info->command[i]; i++) {
		fputc (',', fp);
		str (fp, info->command[i]);
	}
	fputs ("],\n\"time\":", fp);
	str (fp, time);
	fputs (",\"mode\":", fp);
	str (fp, info->mode);
	fprintf (fp, ",\"dry_run\":%s,\n\"out\":", info->dry_run ? "true" : "false");
	str (fp, info->out);
	fputs (",\"out_format\":", fp);
	str (fp, o->out_format == MP_FIX_FORMAT_SAME ? "same" : mp_fix_format_name (o->out_format));
	fputs (",\"attachments_dir\":", fp);
	str (fp, info->attachments);
	fputs (",\n\"rules\":{\"name\":", fp);
	str (fp, info->rules->name);
	fputs (",\"origin\":", fp);
	str (fp, info->rules->origin);
	fputs (",\"fixed\":[", fp);
	for (guint i = 0; info->limits && i < info->limits->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (info->limits->rules, i);
		fputs (i ? ",{\"name\":" : "{\"name\":", fp);
		str (fp, r->name);
		fputs (",\"check\":", fp);
		str (fp, mp_check_name (r->check));
		fputs (",\"max\":", fp);
		str (fp, r->max_text);
		fputs (",\"severity\":", fp);
		str (fp, mp_severity_name (r->severity));
		fputc ('}', fp);
	}
	fputs ("]},\n\"limits\":{", fp);
	if (info->limits) {
		limit (fp, "message_size", info->limits->size_max, TRUE);
		limit (fp, "attachment_count", info->limits->count_max, TRUE);
		limit (fp, "attachment_count_inline", info->limits->count_inline_max, TRUE);
		limit (fp, "attachment_size", info->limits->att_size_max, FALSE);
	}
	fputs ("},\n\"options\":{\"severity\":", fp);
	str (fp, mp_severity_name (o->level));
	fputs (",\"oversize\":", fp);
	str (fp, o->mode == MP_FIX_MODE_DETACH ? NULL : o->detach_oversize ? "detach" : "keep");
	fputs (",\"min_size\":", fp);
	if (o->mode == MP_FIX_MODE_DETACH)
		fprintf (fp, "%" G_GUINT64_FORMAT, o->min_size);
	else
		fputs ("null", fp);
	fprintf (fp, ",\"allow_break_signatures\":%s,\"from_report\":", o->allow_break_signatures ? "true" : "false");
	str (fp, o->from_report);
	fputs ("},\n\"sources\":[", fp);
	return m;
}

void
mp_fix_manifest_source_begin (MpFixManifest *m, const char *source, const char *kind, const char *out)
{
	FILE *fp = m->fp;

	fputs (m->first_source ? "\n{\"source\":" : ",\n{\"source\":", fp);
	m->first_source = FALSE;
	m->first_message = TRUE;
	m->in_source = TRUE;
	str (fp, source);
	fputs (",\"kind\":", fp);
	str (fp, kind);
	fputs (",\"out\":", fp);
	str (fp, out);
	fputs (",\"messages\":[", fp);
}

void
mp_fix_manifest_record (MpFixManifest *m, const MpFixRecord *r)
{
	FILE *fp = m->fp;

	fputs (m->first_message ? "\n{\"folder\":" : ",\n{\"folder\":", fp);
	m->first_message = FALSE;
	str (fp, r->folder);
	fprintf (fp, ",\"index\":%" G_GUINT64_FORMAT ",\"locator\":", r->index);
	str (fp, r->locator);
	fputs (",\"message_id\":", fp);
	str (fp, r->message_id);
	fputs (",\"subject\":", fp);
	str (fp, r->subject);
	fputs (",\"date\":", fp);
	str (fp, r->date);
	fprintf (fp, ",\"size\":%" G_GUINT64_FORMAT ",\"attachments\":%u,\"rules\":[", r->size, r->attachments);
	for (int i = 0; r->rules && r->rules[i]; i++) {
		if (i)
			fputc (',', fp);
		str (fp, r->rules[i]);
	}
	fputs ("],\"action\":", fp);
	str (fp, mp_fix_action_name (r->action));
	fputs (",\"why\":", fp);
	str (fp, r->why);
	fputs (",\"sha256\":", fp);
	str (fp, r->sha256[0] ? r->sha256 : NULL);
	fputs (",\"out_folder\":", fp);
	str (fp, r->out_folder);
	if (r->uidvalidity != 0) {
		/* fixed in place on an IMAP account: where the original is and
		 * where its bytes were saved (docs/fix-manifest.md) */
		fprintf (fp, ",\n \"imap\":{\"uidvalidity\":%u,\"uid\":%u,\"state\":", r->uidvalidity, r->uid);
		str (fp, r->state);
		fputs (",\"backup\":", fp);
		str (fp, r->backup);
		if (r->backup != NULL)
			fprintf (fp, ",\"backup_offset\":%" G_GUINT64_FORMAT ",\"backup_length\":%" G_GUINT64_FORMAT "}",
			         r->backup_offset, r->backup_length);
		else
			fputs (",\"backup_offset\":null,\"backup_length\":null}", fp);
	}
	fputs (",\n \"parts\":[", fp);
	for (guint i = 0; i < r->parts->len; i++) {
		const MpFixPartRecord *p = g_ptr_array_index (r->parts, i);
		fprintf (fp, "%s{\"part\":%u,\"of\":%u,\"locator\":", i ? "," : "", p->k, r->parts->len);
		str (fp, p->locator);
		fputs (",\"message_id\":", fp);
		str (fp, p->message_id);
		if (r->uidvalidity != 0) {
			fputs (",\"uid\":", fp);
			if (p->uid != 0)
				fprintf (fp, "%u", p->uid);
			else
				fputs ("null", fp);
		}
		fprintf (fp, ",\"size\":%" G_GUINT64_FORMAT ",\"attachments\":%u,\"checked\":%s}",
		         p->checked ? p->checked_size : p->size, p->checked ? p->checked_attachments : p->attachments,
		         p->checked ? "true" : "false");
	}
	fputs ("],\n \"attachment_list\":[", fp);
	for (guint i = 0; r->atts && i < r->atts->len; i++) {
		const MpFixAttachment *a = g_ptr_array_index (r->atts, i);
		fputs (i ? ",{\"name\":" : "{\"name\":", fp);
		str (fp, a->name);
		fputs (",\"type\":", fp);
		str (fp, a->type);
		fprintf (fp, ",\"size\":%" G_GUINT64_FORMAT ",\"sha256\":", a->size);
		str (fp, a->sha256);
		fputs (",\"part\":", fp);
		if (a->part)
			fprintf (fp, "%u", a->part);
		else
			fputs ("null", fp);
		fputs (",\"detached\":", fp);
		str (fp, a->detached);
		fputc ('}', fp);
	}
	fputs ("]}", fp);
}

void
mp_fix_manifest_source_end (MpFixManifest *m)
{
	fputs ("]}", m->fp);
	m->in_source = FALSE;
}

gboolean
mp_fix_manifest_finish (MpFixManifest *m, const MpFixTotals *t, const MpFixOutcome *o, GError **error)
{
	FILE *fp = m->fp;
	MpOutputFile *out = m->out;

	if (m->in_source)
		mp_fix_manifest_source_end (m); /* a run that failed inside it */
	fprintf (fp, "],\n\"totals\":{\"sources\":%" G_GUINT64_FORMAT ",\"folders\":%" G_GUINT64_FORMAT
	         ",\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT ",\"copied\":%" G_GUINT64_FORMAT
	         ",\"split\":%" G_GUINT64_FORMAT ",\"parts\":%" G_GUINT64_FORMAT ",\"detached_only\":%" G_GUINT64_FORMAT
	         ",\"detached\":%" G_GUINT64_FORMAT ",\"files\":%" G_GUINT64_FORMAT ",\"not_fixed\":%" G_GUINT64_FORMAT
	         ",\"skipped\":%" G_GUINT64_FORMAT ",\"written\":%" G_GUINT64_FORMAT "},\n",
	         t->sources, t->folders, t->messages, t->bytes, t->copied, t->split, t->parts, t->detached_only,
	         t->detached, t->files, t->not_fixed, t->skipped, t->written);
	fprintf (fp, "\"verified\":%s,\"committed\":%s,\"error\":", o->verified ? "true" : "false",
	         o->committed ? "true" : "false");
	str (fp, o->error);
	fputs ("}\n", fp);
	m->out = NULL;
	return mp_output_file_commit (out, error);
}

void
mp_fix_manifest_free (MpFixManifest *m)
{
	if (m == NULL)
		return;
	mp_output_file_abort (m->out);
	g_free (m);
}
