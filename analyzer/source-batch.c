/* source-batch.c — folders and batches, the units a backend hands to the
 * scan (source.h). */
#include "source.h"

MpFolder *
mp_folder_new (const char *name, const char *path)
{
	MpFolder *f = g_new0 (MpFolder, 1);

	f->name = g_strdup (name);
	f->path = g_strdup (path);
	return f;
}

void
mp_folder_free (MpFolder *f)
{
	if (f == NULL)
		return;
	g_free (f->name);
	g_free (f->path);
	g_free (f);
}

static void
where_clear (gpointer p)
{
	MpMessageWhere *w = p;

	g_free (w->file);
}

MpBatch *
mp_batch_new (const MpFolder *folder)
{
	MpBatch *b = g_new0 (MpBatch, 1);

	b->folder = folder;
	b->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_message_free);
	b->where = g_array_new (FALSE, TRUE, sizeof (MpMessageWhere));
	g_array_set_clear_func (b->where, where_clear);
	return b;
}

void
mp_batch_free (MpBatch *b)
{
	if (b == NULL)
		return;
	g_ptr_array_unref (b->messages);
	g_array_unref (b->where);
	if (b->backend_free != NULL)
		b->backend_free (b->backend_data);
	if (b->notices != NULL)
		g_ptr_array_unref (b->notices);
	g_clear_error (&b->error);
	g_free (b);
}

void
mp_batch_fail (MpBatch *b, GError *error)
{
	if (b->error == NULL)
		b->error = error;
	else
		g_error_free (error);
}

static void
batch_notice_free (gpointer p)
{
	MpBatchNotice *n = p;

	g_free (n->code);
	g_free (n->detail);
	g_free (n);
}

void
mp_batch_add_notice (MpBatch *b, const char *code, const char *detail)
{
	MpBatchNotice *n = g_new (MpBatchNotice, 1);

	n->code = g_strdup (code);
	n->detail = g_strdup (detail);
	if (b->notices == NULL)
		b->notices = g_ptr_array_new_with_free_func (batch_notice_free);
	g_ptr_array_add (b->notices, n);
}

#define MAX_SOURCE_NOTICES 1000

void
mp_source_add_notice (MpSource *src, const char *code, const char *detail)
{
	MpBatchNotice *n;

	if (src->notices == NULL)
		src->notices = g_ptr_array_new_with_free_func (batch_notice_free);
	if (src->notices->len >= MAX_SOURCE_NOTICES)
		return;
	n = g_new (MpBatchNotice, 1);
	n->code = g_strdup (code);
	n->detail = g_strdup (detail);
	g_ptr_array_add (src->notices, n);
}

void
mp_batch_add (MpBatch *b, MpMessage *m, const MpMessageWhere *where)
{
	g_ptr_array_add (b->messages, m);
	if (where != NULL)
		g_array_append_vals (b->where, where, 1);
}

