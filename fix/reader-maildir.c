/* reader-maildir.c — the messages of one Maildir folder. The file names,
 * their order, index and locator come from the analyzer's own Maildir
 * backend (its enumerate()), so a fix sees the messages a scan sees; each
 * file is opened when its turn comes (O_NONBLOCK: a FIFO planted in a
 * Maildir must not hang the run), and its flags are its info suffix, its
 * arrival its mtime. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	char   *file;
	char   *locator;
	guint64 index;
} Entry;

typedef struct {
	MpFixReader base;
	GQueue      entries;  /* Entry*, in scan order */
	MpFixItem  *current;
	int         fd;
} MaildirReader;

static void
entry_free (gpointer p)
{
	Entry *e = p;

	g_free (e->file);
	g_free (e->locator);
	g_free (e);
}

static void
on_batch (MpBatch *batch, gpointer user_data)
{
	MaildirReader *mr = user_data;

	for (guint i = 0; i < batch->messages->len; i++) {
		MpMessage *m = g_ptr_array_index (batch->messages, i);
		MpMessageWhere *w = &g_array_index (batch->where, MpMessageWhere, i);
		Entry *e = g_new0 (Entry, 1);

		e->file = g_steal_pointer (&w->file);
		e->locator = g_steal_pointer (&m->locator);
		e->index = m->index;
		g_queue_push_tail (&mr->entries, e);
	}
	mp_batch_free (batch);
}

static void
on_notice (const MpFolder *folder, const char *code, const char *detail, gpointer user_data)
{
	/* the Maildir backend has none today; a scan reports them */
}

static MpFixItem *
maildir_next (MpFixReader *r, GError **error)
{
	MaildirReader *mr = (MaildirReader *) r;
	g_autoptr(MpFixItem) it = NULL;
	g_autofree char *dir = NULL;
	g_autofree char *subdir = NULL;
	Entry *e;
	struct stat st;

	g_clear_pointer (&mr->current, mp_fix_item_free);
	if (mr->fd >= 0) {
		close (mr->fd);
		mr->fd = -1;
	}
	if ((e = g_queue_pop_head (&mr->entries)) == NULL)
		return NULL;
	it = g_new0 (MpFixItem, 1);
	it->folder = g_strdup (r->folder);
	it->kind = MP_FIX_STORED_FILE;
	it->path = g_steal_pointer (&e->file);
	it->locator = g_steal_pointer (&e->locator);
	it->index = e->index;
	it->fd = -1;
	entry_free (e);
	it->env.maildir_name = g_path_get_basename (it->path);
	dir = g_path_get_dirname (it->path);
	subdir = g_path_get_basename (dir);
	it->env.flags = mp_fix_flags_from_maildir_name (it->env.maildir_name, strcmp (subdir, "new") == 0,
	                                                &it->env.keywords);
	it->env.arrival = MP_FIX_NO_TIME;
	mr->fd = open (it->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (mr->fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", it->path, g_strerror (errno));
		return NULL;
	}
	if (fstat (mr->fd, &st) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", it->path, g_strerror (errno));
		return NULL;
	}
	if (!S_ISREG (st.st_mode)) {
		/* a scan counts it with the problem not-a-file; there is no mail
		 * to copy */
		it->internal = TRUE;
	} else {
		it->end = (guint64) st.st_size;
		it->env.arrival = st.st_mtime;
	}
	it->fd = mr->fd;
	mr->current = g_steal_pointer (&it);
	return mr->current;
}

static void
maildir_free (MpFixReader *r)
{
	MaildirReader *mr = (MaildirReader *) r;

	g_clear_pointer (&mr->current, mp_fix_item_free);
	if (mr->fd >= 0)
		close (mr->fd);
	g_queue_clear_full (&mr->entries, entry_free);
	g_free (mr->base.folder);
	g_free (mr);
}

static const MpFixReaderOps maildir_ops = {
	.next = maildir_next,
	.free = maildir_free,
};

MpFixReader *
mp_fix_reader_maildir_open (MpSource *src, const MpFolder *folder, GError **error)
{
	MaildirReader *mr = g_new0 (MaildirReader, 1);

	mr->base.ops = &maildir_ops;
	mr->base.format = MP_FIX_FORMAT_MAILDIR;
	mr->base.folder = g_strdup (folder->name);
	mr->fd = -1;
	g_queue_init (&mr->entries);
	/* the backend lists the names (cur/ and new/, sorted as a scan sorts
	 * them) and hands them over in batches */
	if (!src->ops->enumerate (src, folder, on_batch, on_notice, mr, error)) {
		maildir_free (&mr->base);
		return NULL;
	}
	return &mr->base;
}
