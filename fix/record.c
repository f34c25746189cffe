/* record.c — see record.h. */
#include "record.h"

static void
part_free (gpointer data)
{
	MpFixPartRecord *p = data;

	g_free (p->key);
	g_free (p->locator);
	g_free (p->message_id);
	g_free (p);
}

MpFixRecord *
mp_fix_record_new (const char *source, const MpMessage *m, char **rules)
{
	MpFixRecord *r = g_new0 (MpFixRecord, 1);

	r->source = g_strdup (source);
	r->folder = g_strdup (m->folder);
	r->index = m->index;
	r->locator = g_strdup (m->locator);
	r->message_id = g_strdup (m->message_id);
	r->subject = g_strdup (m->subject);
	r->date = g_strdup (m->date);
	r->size = m->size;
	r->attachments = m->attachments;
	r->rules = rules;
	r->parts = g_ptr_array_new_with_free_func (part_free);
	return r;
}

void
mp_fix_record_free (MpFixRecord *r)
{
	if (r == NULL)
		return;
	g_free (r->source);
	g_free (r->folder);
	g_free (r->locator);
	g_free (r->message_id);
	g_free (r->subject);
	g_free (r->date);
	g_strfreev (r->rules);
	g_free (r->why);
	g_ptr_array_unref (r->parts);
	if (r->atts)
		g_ptr_array_unref (r->atts);
	g_free (r->out_folder);
	g_free (r->backup);
	g_free (r);
}

MpFixPartRecord *
mp_fix_record_add_part (MpFixRecord *r, guint k)
{
	MpFixPartRecord *p = g_new0 (MpFixPartRecord, 1);

	p->k = k;
	g_ptr_array_add (r->parts, p);
	return p;
}

const char *
mp_fix_action_name (MpFixAction a)
{
	switch (a) {
	case MP_FIX_ACTION_SPLIT: return "split";
	case MP_FIX_ACTION_DETACH: return "detach";
	default: return "not-fixed";
	}
}

char *
mp_fix_record_describe (const MpFixRecord *r)
{
	return g_strdup_printf ("message %" G_GUINT64_FORMAT " (%s%s%s%s)", r->index, r->locator,
	                        r->message_id ? ", <" : "", r->message_id ? r->message_id : "", r->message_id ? ">" : "");
}
