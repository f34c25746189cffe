/* source-fs.c — see source-fs.h; and mp_source_estimate_bytes (source.h),
 * which walks the same directories. */
#include "source-fs.h"
#include "notice-codes.h"
#include "stream-pread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_SNIFF_BYTES (64 * 1024)

int
mp_source_openat (int dirfd, const char *name, MpOpenFlags flags)
{
	int base = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd;

	if ((flags & MP_OPEN_DIRECTORY) != 0)
		base |= O_DIRECTORY;
	if ((flags & MP_OPEN_FOLLOW) == 0)
		base |= O_NOFOLLOW;
	fd = openat (dirfd, name, base | O_NOATIME);
	/* O_NOATIME is for the owner and root only (open(2)) */
	if (fd < 0 && errno == EPERM)
		fd = openat (dirfd, name, base);
	return fd;
}

gboolean
mp_path_inside (const char *root_real, const char *path)
{
	g_autofree char *real = realpath (path, NULL);
	gsize n = strlen (root_real);

	if (real == NULL)
		return FALSE;
	return strcmp (root_real, "/") == 0 ||
	       (strncmp (real, root_real, n) == 0 && (real[n] == '\0' || real[n] == '/'));
}

/* TRUE when the file open on FD lies inside ROOT_REAL: the kernel's own
 * name for what was opened (/proc/self/fd), so a link swapped in after a
 * check cannot lead out. Without /proc, PATH is resolved instead. */
static gboolean
fd_inside (int fd, const char *path, const char *root_real)
{
	char link[64];
	char real[PATH_MAX + 1];
	gssize n;
	gsize r = strlen (root_real);

	g_snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink (link, real, sizeof real - 1);
	if (n < 0)
		return mp_path_inside (root_real, path);
	real[n] = '\0';
	return strcmp (root_real, "/") == 0 ||
	       (strncmp (real, root_real, r) == 0 && (real[r] == '\0' || real[r] == '/'));
}

int
mp_source_open_inside (const char *root_real, const char *path, MpOpenFlags flags)
{
	int fd = mp_source_openat (AT_FDCWD, path, flags);

	if (fd >= 0 && root_real != NULL && !fd_inside (fd, path, root_real)) {
		close (fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

const char *
mp_source_open_error (int err)
{
	switch (err) {
	case ELOOP:
		return "a symbolic link: never followed (it could lead out of the source)";
	case EXDEV:
		return "outside the source (reached through a symbolic link): not read";
	default:
		return g_strerror (err);
	}
}

GPtrArray *
mp_dir_list_sorted (int dirfd)
{
	int own = dup (dirfd);
	DIR *d = own >= 0 ? fdopendir (own) : NULL;
	GPtrArray *names;
	struct dirent *e;

	if (d == NULL) {
		int saved = errno;
		if (own >= 0)
			close (own);
		errno = saved;
		return NULL;
	}
	/* the dup shares the offset: list from the start whatever read it before */
	rewinddir (d);
	names = g_ptr_array_new_with_free_func (g_free);
	while ((errno = 0, e = readdir (d)) != NULL) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		g_ptr_array_add (names, g_strdup (e->d_name));
	}
	if (errno != 0) {
		int saved = errno;
		closedir (d);
		g_ptr_array_unref (names);
		errno = saved;
		return NULL;
	}
	closedir (d);
	g_ptr_array_sort (names, mp_compare_strings);
	return names;
}

GPtrArray *
mp_dir_list_path (const char *path)
{
	int fd = mp_source_openat (AT_FDCWD, path, MP_OPEN_DIRECTORY | MP_OPEN_FOLLOW);
	GPtrArray *names;
	int saved;

	if (fd < 0)
		return NULL;
	names = mp_dir_list_sorted (fd);
	saved = errno;
	close (fd);
	errno = saved;
	return names;
}

gboolean
mp_fd_looks_like_mbox (int fd)
{
	struct stat st;
	g_autofree char *buf = NULL;
	gssize n;

	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
		return FALSE;
	if (st.st_size == 0)
		return TRUE; /* an empty mbox holds no message, and that is fine */
	buf = g_malloc (MBOX_SNIFF_BYTES + 1);
	n = mp_pread_full (fd, buf, MBOX_SNIFF_BYTES, 0);
	if (n < 5)
		return FALSE;
	buf[n] = '\0';
	if (memcmp (buf, "From ", 5) == 0)
		return TRUE;
	/* junk before the first message: a From_ line after an empty line */
	for (gssize i = 0; i + 7 <= n; i++) {
		if (buf[i] == '\n' && (memcmp (buf + i + 1, "\nFrom ", 6) == 0 ||
		                       (i + 8 <= n && memcmp (buf + i + 1, "\r\nFrom ", 7) == 0)))
			return TRUE;
	}
	return FALSE;
}

gboolean
mp_file_looks_like_mbox (const char *path, MpOpenFlags flags)
{
	struct stat st;
	gboolean yes;
	int fd;

	/* no open (and no read) of what is no regular file: a FIFO, a device */
	if (((flags & MP_OPEN_FOLLOW) ? stat (path, &st) : lstat (path, &st)) != 0 || !S_ISREG (st.st_mode))
		return FALSE;
	if ((fd = mp_source_openat (AT_FDCWD, path, flags & MP_OPEN_FOLLOW)) < 0)
		return FALSE;
	yes = mp_fd_looks_like_mbox (fd);
	close (fd);
	return yes;
}

gboolean
mp_dir_is_maildir (const char *dir)
{
	g_autofree char *cur = g_build_filename (dir, "cur", NULL);
	g_autofree char *new_ = g_build_filename (dir, "new", NULL);

	return g_file_test (cur, G_FILE_TEST_IS_DIR) || g_file_test (new_, G_FILE_TEST_IS_DIR);
}

GHashTable *
mp_dir_seen_new (void)
{
	return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

gboolean
mp_dir_mark_seen (GHashTable *seen, const char *dir)
{
	struct stat st;
	char *key;

	if (stat (dir, &st) != 0)
		return FALSE;
	key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
	if (g_hash_table_contains (seen, key)) {
		g_free (key);
		return FALSE;
	}
	g_hash_table_add (seen, key);
	return TRUE;
}

gboolean
mp_walk_enters (MpSource *src, const char *path, const char *shown)
{
	struct stat st;
	char target[PATH_MAX + 1];
	gssize n;
	g_autofree char *detail = NULL;
	g_autofree char *target_text = NULL;

	if (lstat (path, &st) != 0)
		return FALSE;
	if (S_ISDIR (st.st_mode))
		return TRUE;
	if (!S_ISLNK (st.st_mode) || stat (path, &st) != 0 || !S_ISDIR (st.st_mode))
		return FALSE;
	if (src->real_path == NULL || mp_path_inside (src->real_path, path))
		return TRUE;
	/* a folder link that leaves the source: Stolen -> /srv/bob would
	 * audit bob's mail as this source's */
	n = readlink (path, target, sizeof target - 1);
	target[MAX (n, 0)] = '\0';
	target_text = g_utf8_make_valid (target, -1);
	detail = g_strdup_printf ("%s -> %s: a folder link leading out of the source, not followed", shown,
	                          target_text);
	mp_source_add_notice (src, mp_notice_name (MP_NOTICE_SYMLINK_NOT_FOLLOWED), detail);
	return FALSE;
}

int
mp_compare_strings (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static guint64
estimate_bytes (int dirfd, const char *name, int depth)
{
	struct stat st;
	guint64 total = 0;
	g_autoptr(GPtrArray) names = NULL;
	int fd;

	if (fstatat (dirfd, name, &st, 0) != 0)
		return 0;
	if (S_ISREG (st.st_mode))
		return (guint64) st.st_size;
	/* deeper than any mail tree: a loop of symlinks */
	if (!S_ISDIR (st.st_mode) || depth > 32)
		return 0;
	/* listed as the scan lists it: without changing the access time */
	if ((fd = mp_source_openat (dirfd, name, MP_OPEN_DIRECTORY | MP_OPEN_FOLLOW)) < 0)
		return 0;
	names = mp_dir_list_sorted (fd);
	for (guint i = 0; names != NULL && i < names->len; i++) {
		const char *child = g_ptr_array_index (names, i);
		/* deliveries in progress, Thunderbird and Dovecot indexes: never scanned */
		if (strcmp (child, "tmp") == 0 || g_str_has_suffix (child, ".msf") || g_str_has_prefix (child, "dovecot"))
			continue;
		total += estimate_bytes (fd, child, depth + 1);
	}
	close (fd);
	return total;
}

guint64
mp_source_estimate_bytes (const char *path)
{
	return estimate_bytes (AT_FDCWD, path, 0);
}
