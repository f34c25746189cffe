/* side.c — see side.h. All callbacks run on the thread of the scan that
 * fills the side (scan.h). */
#include "side.h"
#include "shown-text.h"

#include <string.h>

static void
folder_free (MpSideFolder *f)
{
	g_free (f->name);
	g_free (f->source);
	g_free (f->error);
	g_ptr_array_unref (f->findings);
	g_free (f);
}

MpSide *
mp_side_new (const char *name, GError **error)
{
	g_autoptr(MpRecordFile) records = mp_record_file_new (error);
	MpSide *s;

	if (records == NULL)
		return NULL;
	s = g_new0 (MpSide, 1);
	/* what a report records: never a password given in a URL */
	s->name = mp_text_redact_passwords (name);
	s->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_free);
	s->keys = g_array_new (FALSE, TRUE, sizeof (MpCompareKey));
	s->records = g_steal_pointer (&records);
	s->account_findings = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_finding_free);
	s->notices = g_ptr_array_new_with_free_func (g_free);
	s->current = MP_NO_FOLDER;
	return s;
}

void
mp_side_free (MpSide *s)
{
	if (s == NULL)
		return;
	g_free (s->name);
	g_free (s->kind);
	g_free (s->error);
	g_ptr_array_unref (s->folders);
	g_array_unref (s->keys);
	mp_record_file_free (s->records);
	g_ptr_array_unref (s->account_findings);
	g_ptr_array_unref (s->notices);
	g_clear_error (&s->failure);
	g_free (s);
}

guint32
mp_side_find_folder (const MpSide *s, const char *name)
{
	for (guint i = 0; i < s->folders->len; i++)
		if (strcmp (mp_side_folder (s, i)->name, name) == 0)
			return i;
	return MP_NO_FOLDER;
}

gboolean
mp_side_complete (const MpSide *s)
{
	return s->error == NULL && s->folders_failed == 0 && s->failure == NULL;
}

static MpFinding *
finding_copy (const MpFinding *f)
{
	MpFinding *c = mp_finding_new ();

	c->rule = g_strdup (f->rule);
	c->check = g_strdup (f->check);
	c->severity = f->severity;
	c->value = g_strdup (f->value);
	c->limit = g_strdup (f->limit);
	c->detail = g_strdup (f->detail);
	c->advice = g_strdup (f->advice);
	return c;
}

/* ---- the sink ------------------------------------------------------------ */

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpSide *s = self;

	if (s->kind == NULL)
		s->kind = g_strdup (kind);
}

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpSide *s = self;

	if (s->error == NULL)
		s->error = mp_text_redact_passwords (error->message);
}

static void
on_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	MpSide *s = self;
	MpSideFolder *f = g_new0 (MpSideFolder, 1);

	f->name = g_strdup (folder->name);
	f->source = g_strdup (source);
	f->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_finding_free);
	s->current = s->folders->len;
	g_ptr_array_add (s->folders, f);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpSide *s = self;

	if (s->current != MP_NO_FOLDER && mp_side_folder (s, s->current)->error == NULL) {
		mp_side_folder (s, s->current)->error = mp_text_redact_passwords (error->message);
		s->folders_failed++;
	}
}

static void
on_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	MpSide *s = self;

	/* bounded: notices are per folder or account, never per message */
	if (s->notices->len < 1000) {
		g_autofree char *text = g_strdup_printf ("%s%s%s%s%s", folder ? folder->name : "", folder ? ": " : "",
		                                         code, detail ? ": " : "", detail ? detail : "");
		g_ptr_array_add (s->notices, mp_text_redact_passwords (text));
	}
}

static void
on_message (gpointer self, const MpMessage *m)
{
	MpSide *s = self;
	MpCompareKey k = { 0 };
	g_autoptr(GError) error = NULL;

	if (m->skipped || s->failure != NULL || s->current == MP_NO_FOLDER)
		return;
	mp_compare_key_fill (&k, m);
	k.folder = s->current;
	for (guint i = 0; m->findings && i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		k.flags |= f->severity >= MP_SEVERITY_WARNING ? MP_KEY_PREDICTED : MP_KEY_NOTED;
	}
	if (!mp_record_file_add (s->records, m, &k.record, &error)) {
		s->failure = g_steal_pointer (&error);
		return;
	}
	g_array_append_val (s->keys, k);
	mp_side_folder (s, s->current)->messages++;
	mp_side_folder (s, s->current)->bytes += m->size;
	s->bytes += m->size;
	g_atomic_int_inc (&s->progress);
}

static void
on_folder_end (gpointer self, const char *source, const MpFolder *folder)
{
	MpSide *s = self;

	s->current = MP_NO_FOLDER;
}

static void
on_finding (gpointer self, const char *source, const MpFolder *folder, const MpFinding *f)
{
	MpSide *s = self;
	guint32 i = folder ? mp_side_find_folder (s, folder->name) : MP_NO_FOLDER;

	if (i == MP_NO_FOLDER) {
		g_ptr_array_add (s->account_findings, finding_copy (f));
		return;
	}
	g_ptr_array_add (mp_side_folder (s, i)->findings, finding_copy (f));
	if (f->severity >= MP_SEVERITY_WARNING)
		mp_side_folder (s, i)->predicted = TRUE;
}

static const MpScanSink side_sink = {
	.source_begin = on_source_begin,
	.source_error = on_source_error,
	.folder_begin = on_folder_begin,
	.folder_error = on_folder_error,
	.notice = on_notice,
	.message = on_message,
	.folder_end = on_folder_end,
	.finding = on_finding,
};

const MpScanSink *
mp_side_sink (void)
{
	return &side_sink;
}
