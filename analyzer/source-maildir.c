/* source-maildir.c — Maildir, Maildir++ (.Folder.Sub/) and nested Maildir
 * trees (Folder/Sub/cur/).
 *
 * Messages live in cur/ and new/; tmp/ holds deliveries in progress and is
 * ignored (maildir(5)). The producer only lists names; workers open, count and
 * parse each file, so parallelism covers the I/O too. */
#include "source.h"
#include "source-fs.h"
#include "dates.h"
#include "mutf7.h"
#include "notice-codes.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folder trees deeper than this are reported, not followed (a loop guard on
 * top of the device/inode check). */
#define MAX_TREE_DEPTH 64

static gboolean find_maildir_below (const char *dir, guint depth);

static gboolean
maildir_probe (const char *path)
{
	if (!g_file_test (path, G_FILE_TEST_IS_DIR))
		return FALSE;
	return mp_dir_is_maildir (path) || find_maildir_below (path, 0);
}

static gboolean
is_reserved_subdir (const char *name)
{
	return strcmp (name, "cur") == 0 || strcmp (name, "new") == 0 || strcmp (name, "tmp") == 0;
}

static gboolean
find_maildir_below (const char *dir, guint depth)
{
	g_autoptr(GPtrArray) names = NULL;

	if (depth > 4) /* probing only: a nested Maildir is found near the top */
		return FALSE;
	if ((names = mp_dir_list_path (dir)) == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = NULL;
		if (is_reserved_subdir (name))
			continue;
		sub = g_build_filename (dir, name, NULL);
		if (!g_file_test (sub, G_FILE_TEST_IS_DIR) || g_file_test (sub, G_FILE_TEST_IS_SYMLINK))
			continue;
		if (mp_dir_is_maildir (sub) || find_maildir_below (sub, depth + 1))
			return TRUE;
	}
	return FALSE;
}

/* A folder name as the user sees it: modified UTF-7 decoded where valid
 * (Dovecot stores names that way on disk, RFC 3501 §5.1.3). */
static char *
display_name (const char *raw)
{
	char *decoded = mp_mutf7_decode (raw);

	return decoded ? decoded : g_utf8_make_valid (raw, -1);
}

typedef struct {
	MpSource   *src;
	GPtrArray  *folders;
	GHashTable *seen; /* directories visited */
} TreeCtx;

/* PATH relative to the source root, for notices. */
static const char *
relative (const MpSource *src, const char *path)
{
	gsize n = strlen (src->abs_path);

	if (strncmp (path, src->abs_path, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* Sorted entry names of DIR, or NULL with ERROR. */
static GPtrArray *
sorted_entries (const char *dir, GError **error)
{
	GPtrArray *names = mp_dir_list_path (dir);

	if (names == NULL)
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", dir, g_strerror (errno));
	return names;
}

/* Maildir++: ".Archive.2019" in DIR is folder PREFIX/Archive/2019
 * (Courier's layout, used by Dovecot's default maildir++ list). */
static void
add_maildirpp (TreeCtx *ctx, const char *dir, const char *prefix)
{
	g_autoptr(GPtrArray) names = sorted_entries (dir, NULL);

	for (guint i = 0; names && i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = NULL;
		g_auto(GStrv) parts = NULL;
		g_autoptr(GString) shown = NULL;

		if (name[0] != '.' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0 || name[1] == '\0')
			continue;
		sub = g_build_filename (dir, name, NULL);
		/* a folder link is entered only when it stays inside the source */
		if (!mp_walk_enters (ctx->src, sub, relative (ctx->src, sub)) || !mp_dir_is_maildir (sub) ||
		    !mp_dir_mark_seen (ctx->seen, sub))
			continue;
		parts = g_strsplit (name + 1, ".", -1);
		shown = g_string_new (prefix);
		for (int p = 0; parts[p]; p++) {
			g_autofree char *part = display_name (parts[p]);
			if (shown->len)
				g_string_append_c (shown, '/');
			g_string_append (shown, part);
		}
		g_ptr_array_add (ctx->folders, mp_folder_new (shown->str, sub));
	}
}

/* Nested trees: DIR/Name/cur is folder PREFIX/Name. A directory reached
 * twice (a symlink to ".", or to another folder) is listed once: its mail
 * must not be counted twice. */
static void
walk_tree (TreeCtx *ctx, const char *dir, const char *prefix, guint depth)
{
	g_autoptr(GPtrArray) names = NULL;

	if (depth > MAX_TREE_DEPTH)
		return;
	names = sorted_entries (dir, NULL);
	if (names == NULL)
		return;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = NULL;
		g_autofree char *shown = NULL;
		g_autofree char *folder = NULL;

		/* Maildir++ folders (".Name") are listed from the root only */
		if (name[0] == '.' || is_reserved_subdir (name))
			continue;
		sub = g_build_filename (dir, name, NULL);
		/* a folder link is entered only when it stays inside the source */
		if (!mp_walk_enters (ctx->src, sub, relative (ctx->src, sub)) || !mp_dir_mark_seen (ctx->seen, sub))
			continue;
		shown = display_name (name);
		folder = prefix ? g_strdup_printf ("%s/%s", prefix, shown) : g_strdup (shown);
		if (mp_dir_is_maildir (sub)) {
			g_ptr_array_add (ctx->folders, mp_folder_new (folder, sub));
			/* a nested Maildir with Maildir++ folders of its own (a
			 * user's Maildir below a home): its ".Sent" is folder/Sent,
			 * never dropped */
			add_maildirpp (ctx, sub, folder);
		}
		walk_tree (ctx, sub, folder, depth + 1);
	}
}

static GPtrArray *
maildir_folders (MpSource *src, GError **error)
{
	TreeCtx ctx;
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GHashTable) seen = mp_dir_seen_new ();

	ctx.src = src;
	ctx.folders = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free);
	ctx.seen = seen;

	names = sorted_entries (src->abs_path, error);
	if (names == NULL) {
		g_ptr_array_unref (ctx.folders);
		return NULL;
	}
	mp_dir_mark_seen (seen, src->abs_path);
	if (mp_dir_is_maildir (src->abs_path))
		g_ptr_array_add (ctx.folders, mp_folder_new ("INBOX", src->abs_path));

	add_maildirpp (&ctx, src->abs_path, NULL);
	walk_tree (&ctx, src->abs_path, NULL, 0);
	return ctx.folders;
}

/* The Maildir info ("name:2,FRST"; mu writes "name!2,S"): the flags, in
 * ASCII order after "2,", or NULL when the name has none. */
static const char *
info_flags (const char *name)
{
	const char *info = strstr (name, ":2,");

	if (info == NULL)
		info = strstr (name, "!2,");
	return info ? info + 3 : NULL;
}

static MpReadState
read_state_from_name (const char *subdir, const char *name)
{
	const char *flags = info_flags (name);

	if (strcmp (subdir, "new") == 0 || flags == NULL)
		return MP_READ_UNSEEN;
	return strchr (flags, 'S') ? MP_READ_SEEN : MP_READ_UNSEEN;
}

/* T, "trashed": the user deleted the message and the next expunge removes
 * it (maildir(5), Dovecot's \Deleted); still stored until then. */
static MpDeleted
deleted_from_name (const char *name)
{
	const char *flags = info_flags (name);

	return flags && strchr (flags, 'T') ? MP_DELETED_MAILDIR_T : MP_DELETED_NONE;
}

/* A path as reports can carry it: valid UTF-8, a byte that is not
 * escaped as \xNN (and '\\' as "\\\\") so the file can still be found. */
static char *
locator_text (const char *path)
{
	GString *out;

	if (g_utf8_validate (path, -1, NULL) && strchr (path, '\\') == NULL)
		return g_strdup (path);
	out = g_string_new (NULL);
	for (const char *p = path; *p;) {
		gunichar c = g_utf8_get_char_validated (p, -1);
		if (*p == '\\') {
			g_string_append (out, "\\\\");
			p++;
		} else if (c == (gunichar) -1 || c == (gunichar) -2) {
			g_string_append_printf (out, "\\x%02X", (guchar) *p++);
		} else {
			const char *next = g_utf8_next_char (p);
			g_string_append_len (out, p, next - p);
			p = next;
		}
	}
	return g_string_free (out, FALSE);
}

/* What a message file's name says of M, file NAME of subdirectory S of
 * FOLDER: where it is (the locator: its path below the source's root) and
 * its flags (read, deleted). */
static void
set_from_name (MpMessage *m, const MpSource *src, const MpFolder *folder, const char *subdir, const char *name)
{
	gsize root_len = strlen (src->abs_path);
	g_autofree char *file = g_build_filename (folder->path, subdir, name, NULL);

	g_free (m->locator);
	m->locator = locator_text (file + root_len + (file[root_len] == '/' ? 1 : 0));
	m->read_state = read_state_from_name (subdir, name);
	m->deleted = deleted_from_name (name);
}

typedef struct {
	char       *name;   /* sort key and file name */
	guint       subdir; /* index into subdirs[] */
} Entry;

static const char *const subdirs[] = { "cur", "new" };

static int
compare_entries (gconstpointer a, gconstpointer b)
{
	const Entry *x = a, *y = b;
	int c = strcmp (x->name, y->name);

	return c ? c : (int) x->subdir - (int) y->subdir;
}

static void
entry_clear (gpointer p)
{
	g_free (((Entry *) p)->name);
}

/* Which cur/ and new/ the producer listed (device and inode): a worker
 * opens them again and reads nothing from a directory swapped in since. */
typedef struct {
	gboolean listed[G_N_ELEMENTS (subdirs)];
	dev_t    dev[G_N_ELEMENTS (subdirs)];
	ino_t    ino[G_N_ELEMENTS (subdirs)];
} ListedDirs;

static gboolean
maildir_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit, MpNoticeFunc notice,
                   gpointer user_data, GError **error)
{
	g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
	g_autoptr(MpBatch) batch = NULL;
	guint64 index = 0;
	g_autoptr(GString) unreadable = g_string_new (NULL);
	ListedDirs listed = { { FALSE } };
	int folder_fd;

	/* the folder was inside the source when it was listed: it still is */
	folder_fd = mp_source_open_inside (src->real_path, folder->path, MP_OPEN_DIRECTORY | MP_OPEN_FOLLOW);
	if (folder_fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, mp_source_open_error (errno));
		return FALSE;
	}
	g_array_set_clear_func (entries, entry_clear);
	for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++) {
		g_autoptr(GPtrArray) names = NULL;
		struct stat st;
		int fd = mp_source_openat (folder_fd, subdirs[s], MP_OPEN_DIRECTORY);

		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			continue;
		if (fd < 0 && errno == ELOOP) {
			g_autofree char *d = g_strdup_printf ("%s/ is a symbolic link: not followed, its messages "
			                                      "are not read", subdirs[s]);
			notice (folder, mp_notice_name (MP_NOTICE_SYMLINK_NOT_FOLLOWED), d, user_data);
			continue;
		}
		if (fd >= 0 && fstat (fd, &st) == 0 && (names = mp_dir_list_sorted (fd)) != NULL) {
			listed.listed[s] = TRUE;
			listed.dev[s] = st.st_dev;
			listed.ino[s] = st.st_ino;
		} else {
			/* the folder's mail there would be missing from the audit:
			 * a failure of the folder (exit 3), after what can be read */
			g_string_append_printf (unreadable, "%s%s/%s: %s", unreadable->len ? "; " : "", folder->path,
			                        subdirs[s], g_strerror (errno));
		}
		if (fd >= 0)
			close (fd);
		for (guint i = 0; names != NULL && i < names->len; i++) {
			const char *name = g_ptr_array_index (names, i);
			Entry e = { NULL, s };
			if (name[0] == '.')
				continue; /* not a message by maildir(5) naming */
			e.name = g_strdup (name);
			g_array_append_val (entries, e);
		}
	}
	close (folder_fd);
	/* file names start with the delivery time: name order is arrival order */
	g_array_sort (entries, compare_entries);

	for (guint i = 0; i < entries->len; i++) {
		Entry *e = &g_array_index (entries, Entry, i);
		MpMessageWhere where = { e->subdir, 0, NULL };
		MpMessage *m;

		m = mp_message_new ();
		m->folder = g_strdup (folder->name);
		set_from_name (m, src, folder, subdirs[e->subdir], e->name);
		m->index = ++index;
		m->store_flags = TRUE; /* the file name holds the flags, not headers */
		where.file = g_strdup (e->name);
		if (batch == NULL) {
			batch = mp_batch_new (folder);
			batch->backend_data = g_memdup2 (&listed, sizeof listed);
			batch->backend_free = g_free;
		}
		mp_batch_add (batch, m, &where);
		if (batch->messages->len >= MP_BATCH_MAX_MESSAGES / 4)
			emit (g_steal_pointer (&batch), user_data);
	}
	if (batch != NULL)
		emit (g_steal_pointer (&batch), user_data);
	if (unreadable->len) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s", unreadable->str);
		return FALSE;
	}
	return TRUE;
}

/* Records on M why its file NAME in DIRFD could not be opened (ERR). */
static void
open_problem (MpMessage *m, int dirfd, const char *name, int err)
{
	char target[4096];
	gssize n;

	if (err != ELOOP) {
		mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, mp_source_open_error (err));
		return;
	}
	/* cur/2.x:2,S -> /some/secret would put that file in the report */
	n = readlinkat (dirfd, name, target, sizeof target - 1);
	if (n >= 0) {
		g_autofree char *d = NULL;
		target[n] = '\0';
		d = g_strdup_printf ("-> %s: not followed", target);
		mp_message_add_problem (m, MP_PROBLEM_SYMLINK, d);
	} else {
		mp_message_add_problem (m, MP_PROBLEM_SYMLINK, "not followed");
	}
}

/* Reads message file NAME of DIRFD, which is cur/ when IN_CUR. FALSE, with
 * nothing recorded, when there is no such file (any more). */
static gboolean
analyze_file (MpMessage *m, int dirfd, const char *name, gboolean in_cur, MpAnalyzer *analyzer)
{
	struct stat st;
	int fd;

	/* never through a link; a FIFO planted in a Maildir must not hang the
	 * scan (mp_source_openat: O_NOFOLLOW, O_NONBLOCK, O_NOATIME) */
	fd = mp_source_openat (dirfd, name, MP_OPEN_FILE);
	if (fd < 0 && errno == ENOENT)
		return FALSE;
	if (fd < 0) {
		open_problem (m, dirfd, name, errno);
		return TRUE;
	}
	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
		mp_message_add_problem (m, MP_PROBLEM_NOT_A_FILE, NULL);
		close (fd);
		return TRUE;
	}
	/* Maildir's arrival time is the file's mtime (maildir(5); Dovecot
	 * keeps it on copies): activity evidence reads it whatever Date: says */
	m->arrival_unix = st.st_mtime;
	/* a file in cur/ was moved there from new/ or renamed for a flag
	 * change: its inode change time is when (file-time evidence) */
	if (m->read_state != MP_READ_UNKNOWN && in_cur)
		m->changed_unix = st.st_ctime;
	if (m->date_source == MP_DATE_NONE) {
		/* the arrival time, used only when Date: is missing or invalid */
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (st.st_mtime);
		if (dt != NULL) {
			m->date = mp_format_date (dt);
			m->date_unix = st.st_mtime;
			m->date_source = MP_DATE_MTIME;
		}
	}
	/* size: the file's bytes, every bare LF counting twice (DEFINITIONS.md);
	 * Dovecot's ",W=" name field is never trusted */
	mp_analyzer_run_range (analyzer, fd, 0, (guint64) st.st_size, MP_RANGE_COUNT_SIZE, m);
	close (fd);
	return TRUE;
}

/* Opens the folder's subdirectory S again for a worker: the one the
 * producer listed, inside the source; -1 with ERR set when not. */
static int
open_listed (MpSource *src, const MpFolder *folder, const ListedDirs *listed, guint s, int *err)
{
	struct stat st;
	int dir, fd;

	dir = mp_source_open_inside (src->real_path, folder->path, MP_OPEN_DIRECTORY | MP_OPEN_FOLLOW);
	if (dir < 0) {
		*err = errno;
		return -1;
	}
	fd = mp_source_openat (dir, subdirs[s], MP_OPEN_DIRECTORY);
	*err = errno;
	close (dir);
	if (fd >= 0 && (fstat (fd, &st) != 0 || !listed->listed[s] || st.st_dev != listed->dev[s] ||
	                st.st_ino != listed->ino[s])) {
		close (fd);
		*err = EXDEV; /* another directory than the one listed: swapped in since */
		return -1;
	}
	return fd;
}

/* A message file's unique part (maildir(5): the name before its ":" info;
 * mu's "!2," info too): what a client keeps when it changes the flags or
 * moves the file from new/ to cur/. */
static char *
unique_part (const char *name)
{
	const char *end = strchr (name, ':');

	if (end == NULL)
		end = strstr (name, "!2,");
	return end ? g_strndup (name, (gsize) (end - name)) : g_strdup (name);
}

/* A worker's view of a batch's directories: opened when first needed, and
 * for files renamed since the listing, their names by unique part. */
typedef struct {
	MpSource          *src;
	const MpFolder    *folder;
	const ListedDirs  *listed;
	int                dirfd[G_N_ELEMENTS (subdirs)];
	int                err[G_N_ELEMENTS (subdirs)];
	gboolean           tried[G_N_ELEMENTS (subdirs)];
	GHashTable        *by_unique[G_N_ELEMENTS (subdirs)]; /* unique part -> name */
} BatchDirs;

static int
batch_dir (BatchDirs *d, guint s)
{
	if (!d->tried[s]) {
		d->tried[s] = TRUE;
		d->dirfd[s] = open_listed (d->src, d->folder, d->listed, s, &d->err[s]);
	}
	return d->dirfd[s];
}

/* The name that the file called UNIQUE has in subdirectory S now, or NULL. */
static const char *
renamed_to (BatchDirs *d, guint s, const char *unique)
{
	if (batch_dir (d, s) < 0)
		return NULL;
	if (d->by_unique[s] == NULL) {
		g_autoptr(GPtrArray) names = mp_dir_list_sorted (d->dirfd[s]);
		d->by_unique[s] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
		for (guint i = 0; names != NULL && i < names->len; i++) {
			const char *name = g_ptr_array_index (names, i);
			if (name[0] != '.')
				g_hash_table_insert (d->by_unique[s], unique_part (name), g_strdup (name));
		}
	}
	return g_hash_table_lookup (d->by_unique[s], unique);
}

/* The file of M (listed as NAME in subdirectory S) is gone: a client
 * changed its flags (renamed it) or moved it from new/ to cur/ while the
 * folder was read, as clients of a live mailbox do all the time. It is read
 * under the name it has now, its locator and flags as that name says.
 * FALSE when it is nowhere: deleted meanwhile. */
static gboolean
analyze_renamed (BatchDirs *d, MpMessage *m, guint s, const char *name, MpAnalyzer *analyzer)
{
	g_autofree char *unique = unique_part (name);

	for (guint k = 0; k < G_N_ELEMENTS (subdirs); k++) {
		guint s2 = (s + k) % G_N_ELEMENTS (subdirs); /* its own directory first */
		const char *now = renamed_to (d, s2, unique);

		if (now == NULL || strcmp (now, name) == 0)
			continue;
		set_from_name (m, d->src, d->folder, subdirs[s2], now);
		return analyze_file (m, d->dirfd[s2], now, strcmp (subdirs[s2], "cur") == 0, analyzer);
	}
	return FALSE;
}

static void
maildir_analyze (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer)
{
	BatchDirs d = { src, batch->folder, batch->backend_data, { -1, -1 }, { 0, 0 }, { FALSE, FALSE }, { NULL, NULL } };
	guint gone = 0;

	for (guint i = 0; i < batch->messages->len; i++) {
		MpMessage *m = g_ptr_array_index (batch->messages, i);
		const MpMessageWhere *w = &g_array_index (batch->where, MpMessageWhere, i);
		guint s = (guint) w->start;

		if (batch_dir (&d, s) < 0)
			mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, mp_source_open_error (d.err[s]));
		else if (!analyze_file (m, d.dirfd[s], w->file, strcmp (subdirs[s], "cur") == 0, analyzer) &&
		         !analyze_renamed (&d, m, s, w->file, analyzer)) {
			/* deleted by its owner's client since the folder was listed:
			 * gone, as a message expunged meanwhile over IMAP */
			m->skipped = TRUE;
			gone++;
		}
	}
	if (gone > 0) {
		/* said, so that a count that changes from one scan to the next
		 * has its reason in the report */
		g_autofree char *detail = g_strdup_printf ("%u message file(s) deleted after the folder was listed: "
		                                           "left out", gone);
		mp_batch_add_notice (batch, mp_notice_name (MP_NOTICE_DELETED_DURING_SCAN), detail);
	}
	for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++) {
		if (d.dirfd[s] >= 0)
			close (d.dirfd[s]);
		if (d.by_unique[s] != NULL)
			g_hash_table_unref (d.by_unique[s]);
	}
}

const MpSourceOps mp_source_maildir = {
	.name = "maildir",
	.probe = maildir_probe,
	.folders = maildir_folders,
	.enumerate = maildir_enumerate,
	.analyze = maildir_analyze,
};
