/* reader-maildir.c — the messages of one Maildir folder. The file names,
 * their order, index and locator come from the analyzer's own Maildir
 * backend (its enumerate()), so a fix sees the messages a scan sees; each
 * file is opened when its turn comes, the way a scan opens it
 * (mp_source_openat: never through a symbolic link, O_NONBLOCK so that a
 * FIFO planted in a Maildir does not hang the run, no access time change),
 * and its flags are its info suffix, its arrival its mtime. */
#include "reader.h"
#include "source-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const subdirs[] = { "cur", "new" };  /* MpMessageWhere.start */

typedef struct {
	char   *file;     /* the name in its subdirectory */
	guint   subdir;   /* index into subdirs[] */
	char   *locator;
	guint64 index;
} Entry;

typedef struct {
	MpFixReader base;
	GQueue      entries;  /* Entry*, in scan order */
	MpFixItem  *current;
	int         fd;
	char       *folder_path;
	int         dirfd[G_N_ELEMENTS (subdirs)]; /* cur/, new/ inside the source; -1 */
	int         dir_err[G_N_ELEMENTS (subdirs)]; /* errno when -1 */
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
		e->subdir = w->start < G_N_ELEMENTS (subdirs) ? (guint) w->start : 0;
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
	Entry *e;
	int err;
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
	it->path = g_build_filename (mr->folder_path, subdirs[e->subdir], e->file, NULL);
	it->locator = g_steal_pointer (&e->locator);
	it->index = e->index;
	it->fd = -1;
	it->env.maildir_name = g_strdup (e->file);
	it->env.flags = mp_fix_flags_from_maildir_name (it->env.maildir_name, e->subdir == 1, &it->env.keywords);
	it->env.arrival = MP_FIX_NO_TIME;
	if (mr->dirfd[e->subdir] < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", it->path, mp_source_open_error (mr->dir_err[e->subdir]));
		entry_free (e);
		return NULL;
	}
	mr->fd = mp_source_openat (mr->dirfd[e->subdir], e->file, MP_OPEN_FILE);
	err = errno;
	if (mr->fd < 0 && err == ELOOP) {
		/* a scan reports it (problem symlink) and reads nothing through
		 * it: nothing of another file goes into the copy either */
		it->internal = TRUE;
		it->not_mail = "is a symbolic link (not followed)";
		entry_free (e);
		mr->current = g_steal_pointer (&it);
		return mr->current;
	}
	entry_free (e);
	if (mr->fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", it->path, mp_source_open_error (err));
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
	for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
		if (mr->dirfd[i] >= 0)
			close (mr->dirfd[i]);
	g_free (mr->folder_path);
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
	mr->folder_path = g_strdup (folder->path);
	for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
		mr->dirfd[i] = -1;
	g_queue_init (&mr->entries);
	/* the backend lists the names (cur/ and new/, sorted as a scan sorts
	 * them) and hands them over in batches */
	if (!src->ops->enumerate (src, folder, on_batch, on_notice, mr, error)) {
		maildir_free (&mr->base);
		return NULL;
	}
	/* the folder was inside the source when the backend listed it: it
	 * still is (source-maildir.c opens it the same way) */
	{
		int dir = mp_source_open_inside (src->real_path, folder->path, MP_OPEN_DIRECTORY | MP_OPEN_FOLLOW);
		if (dir < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, mp_source_open_error (errno));
			maildir_free (&mr->base);
			return NULL;
		}
		for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++) {
			mr->dirfd[i] = mp_source_openat (dir, subdirs[i], MP_OPEN_DIRECTORY);
			mr->dir_err[i] = errno;
		}
		close (dir);
	}
	return &mr->base;
}
