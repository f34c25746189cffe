/* source-fs.c — see source-fs.h; and mp_source_estimate_bytes (source.h),
 * which walks the same directories. */
#include "source-fs.h"
#include "stream-pread.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MBOX_SNIFF_BYTES (64 * 1024)

gboolean
mp_file_looks_like_mbox (const char *path)
{
	struct stat st;
	g_autofree char *buf = NULL;
	gssize n;
	int fd;

	if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
		return FALSE;
	if (st.st_size == 0)
		return TRUE; /* an empty mbox holds no message, and that is fine */
	fd = open (path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	buf = g_malloc (MBOX_SNIFF_BYTES + 1);
	n = mp_pread_full (fd, buf, MBOX_SNIFF_BYTES, 0);
	close (fd);
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

int
mp_compare_strings (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static guint64
estimate_bytes (const char *path, int depth)
{
	struct stat st;
	guint64 total = 0;
	GDir *dir;
	const char *name;

	if (stat (path, &st) != 0)
		return 0;
	if (S_ISREG (st.st_mode))
		return (guint64) st.st_size;
	/* deeper than any mail tree: a loop of symlinks */
	if (!S_ISDIR (st.st_mode) || depth > 32 || (dir = g_dir_open (path, 0, NULL)) == NULL)
		return 0;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *child = NULL;
		/* deliveries in progress, Thunderbird and Dovecot indexes: never scanned */
		if (strcmp (name, "tmp") == 0 || g_str_has_suffix (name, ".msf") || g_str_has_prefix (name, "dovecot"))
			continue;
		child = g_build_filename (path, name, NULL);
		total += estimate_bytes (child, depth + 1);
	}
	g_dir_close (dir);
	return total;
}

guint64
mp_source_estimate_bytes (const char *path)
{
	return estimate_bytes (path, 0);
}
