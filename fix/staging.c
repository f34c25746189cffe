/* staging.c — see staging.h. */
#include "staging.h"
#include "escape.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _MpFixStaging {
	char       *dir;          /* the staging directory */
	char       *out;          /* dir/out */
	char       *att;          /* dir/attachments */
	char       *dest;         /* absolute */
	char       *att_dest;     /* absolute, or NULL */
	gboolean    committed;
	GHashTable *files;        /* sha256 -> GPtrArray of sidecar JSON objects */
	GHashTable *sizes;        /* sha256 -> guint64* */
};

char *
mp_fix_attachments_dir_for (const char *dest)
{
	g_autofree char *d = g_strdup (dest);
	gsize n = strlen (d);

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return g_strdup_printf ("%s-attachments", d);
}

char *
mp_fix_abs_path (const char *path)
{
	g_autofree char *abs = g_canonicalize_filename (path, NULL);
	g_autofree char *dir = g_path_get_dirname (abs);
	g_autofree char *base = g_path_get_basename (abs);
	char *real = realpath (dir, NULL);
	char *out;

	if (real == NULL)
		return g_steal_pointer (&abs);
	out = strcmp (base, "/") == 0 ? g_strdup (real) : g_build_filename (real, base, NULL);
	free (real);
	return out;
}

/* A inside B, or equal. */
static gboolean
path_within (const char *a, const char *b)
{
	gsize n = strlen (b);

	if (strcmp (b, "/") == 0)
		return TRUE;
	return strncmp (a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static gboolean
dir_is_empty (const char *path)
{
	g_autoptr(GDir) d = g_dir_open (path, 0, NULL);

	return d != NULL && g_dir_read_name (d) == NULL;
}

static gboolean
check_one (const char *what, const char *path, gboolean want_file, const char *const *sources, GError **error)
{
	g_autofree char *abs = mp_fix_abs_path (path);
	g_autofree char *parent = g_path_get_dirname (abs);
	struct stat st;

	if (lstat (path, &st) == 0) {
		if (S_ISLNK (st.st_mode)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s is a symbolic link: give the real path",
			             what, path);
			return FALSE;
		}
		if (S_ISDIR (st.st_mode) && want_file) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s is a directory, but the copy of an mbox "
			             "file is a file: give a new name", what, path);
			return FALSE;
		}
		if (S_ISDIR (st.st_mode) && !dir_is_empty (path)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s exists and is not empty: a fix writes a new "
			             "copy and never overwrites mail; give a new or empty directory", what, path);
			return FALSE;
		}
		if (S_ISREG (st.st_mode) && !want_file) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s is a file, but the copy is a directory",
			             what, path);
			return FALSE;
		}
		if (S_ISREG (st.st_mode) && st.st_size != 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s exists and is not empty: a fix writes a new "
			             "copy and never overwrites mail", what, path);
			return FALSE;
		}
		if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s is neither a file nor a directory", what, path);
			return FALSE;
		}
	} else if (errno != ENOENT) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s: %s", what, path, g_strerror (errno));
		return FALSE;
	}
	if (!g_file_test (parent, G_FILE_TEST_IS_DIR)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s: directory %s does not exist", what, path, parent);
		return FALSE;
	}
	for (gsize i = 0; sources && sources[i]; i++) {
		char *real = realpath (sources[i], NULL);
		g_autofree char *src = real ? g_strdup (real) : mp_fix_abs_path (sources[i]);

		free (real);
		if (path_within (abs, src) || path_within (src, abs)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s %s source %s: a fix never writes into a "
			             "source; write the copy elsewhere", what, path,
			             path_within (abs, src) ? (strcmp (abs, src) == 0 ? "is the" : "is inside the")
			                                    : "holds the", sources[i]);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
mp_fix_dest_check (const char *dest, gboolean out_is_file, const char *attachments,
                   const char *const *sources, GError **error)
{
	if (!check_one ("--out", dest, out_is_file, sources, error))
		return FALSE;
	if (attachments != NULL) {
		g_autofree char *a = mp_fix_abs_path (attachments);
		g_autofree char *d = mp_fix_abs_path (dest);
		if (!check_one ("the attachments directory", attachments, FALSE, sources, error))
			return FALSE;
		if (path_within (a, d) || path_within (d, a)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "the attachments directory %s and --out %s overlap",
			             attachments, dest);
			return FALSE;
		}
	}
	return TRUE;
}

static void
sidecars_free (gpointer p)
{
	g_ptr_array_unref (p);
}

MpFixStaging *
mp_fix_staging_new (const char *dest, gboolean out_is_file, const char *attachments, GError **error)
{
	MpFixStaging *s = g_new0 (MpFixStaging, 1);
	g_autofree char *parent = NULL;
	g_autofree char *base = NULL;
	g_autofree char *tmpl = NULL;

	s->dest = mp_fix_abs_path (dest);
	s->att_dest = attachments ? mp_fix_abs_path (attachments) : NULL;
	parent = g_path_get_dirname (s->dest);
	base = g_path_get_basename (s->dest);
	tmpl = g_strdup_printf ("%s/.%s.mp-fix-XXXXXX", parent, base);
	if (g_mkdtemp_full (tmpl, 0700) == NULL) {
		int saved = errno;
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: cannot create a staging directory beside it: %s",
		             dest, g_strerror (saved));
		g_free (s->dest);
		g_free (s->att_dest);
		g_free (s);
		return NULL;
	}
	s->dir = g_steal_pointer (&tmpl);
	s->out = g_build_filename (s->dir, "out", NULL);
	s->att = g_build_filename (s->dir, "attachments", NULL);
	s->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sidecars_free);
	s->sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	(void) out_is_file;
	return s;
}

const char *
mp_fix_staging_dir (const MpFixStaging *s)
{
	return s->dir;
}

const char *
mp_fix_staging_out (const MpFixStaging *s)
{
	return s->out;
}

guint
mp_fix_staging_files (const MpFixStaging *s)
{
	return g_hash_table_size (s->files);
}

char *
mp_fix_staging_file_path (const MpFixStaging *s, const char *sha256)
{
	return g_build_filename (s->att, sha256, NULL);
}

gboolean
mp_fix_staging_put_file (MpFixStaging *s, MpFixProduceFunc produce, gpointer data, const char *sidecar,
                         char sha256[65], guint64 *size, char **where, GError **error)
{
	g_autofree char *tmp = NULL;
	g_autofree char *final = NULL;
	GPtrArray *list;
	int fd;

	if (s->att_dest == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "no attachments directory for this run");
		return FALSE;
	}
	if (g_mkdir_with_parents (s->att, 0700) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", s->att, g_strerror (errno));
		return FALSE;
	}
	tmp = g_build_filename (s->att, ".incoming.XXXXXX", NULL);
	if ((fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644)) < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", s->att, g_strerror (errno));
		return FALSE;
	}
	if (!produce (fd, data, sha256, size, error)) {
		close (fd);
		unlink (tmp);
		return FALSE;
	}
	if (close (fd) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", tmp, g_strerror (errno));
		unlink (tmp);
		return FALSE;
	}
	final = g_build_filename (s->att, sha256, NULL);
	if ((list = g_hash_table_lookup (s->files, sha256)) != NULL) {
		unlink (tmp); /* the same content: kept once */
	} else {
		guint64 *sz = g_new (guint64, 1);
		if (rename (tmp, final) != 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", final, g_strerror (errno));
			unlink (tmp);
			g_free (sz);
			return FALSE;
		}
		list = g_ptr_array_new_with_free_func (g_free);
		g_hash_table_insert (s->files, g_strdup (sha256), list);
		*sz = *size;
		g_hash_table_insert (s->sizes, g_strdup (sha256), sz);
	}
	g_ptr_array_add (list, g_strdup (sidecar));
	if (where != NULL)
		*where = g_build_filename (s->att_dest, sha256, NULL);
	return TRUE;
}

/* <sha256>.json beside each file: what it is and every place it came from. */
static gboolean
write_sidecars (MpFixStaging *s, GError **error)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init (&it, s->files);
	while (g_hash_table_iter_next (&it, &key, &value)) {
		const char *sha = key;
		GPtrArray *list = value;
		g_autofree char *name = g_strdup_printf ("%s.json", sha);
		g_autofree char *path = g_build_filename (s->att, name, NULL);
		GString *text = g_string_new (NULL);
		gboolean ok;

		g_string_append_printf (text, "{\"schema\":\"mailpreflight-detached/1\",\"sha256\":\"%s\","
		                        "\"size\":%" G_GUINT64_FORMAT ",\"occurrences\":[", sha,
		                        *(guint64 *) g_hash_table_lookup (s->sizes, sha));
		for (guint i = 0; i < list->len; i++)
			g_string_append_printf (text, "%s\n%s", i ? "," : "", (const char *) g_ptr_array_index (list, i));
		g_string_append (text, "\n]}\n");
		ok = g_file_set_contents_full (path, text->str, (gssize) text->len, G_FILE_SET_CONTENTS_NONE, 0644, error);
		g_string_free (text, TRUE);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
sync_dir (const char *path, GError **error)
{
	int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", path, g_strerror (errno));
		return FALSE;
	}
	rc = fsync (fd);
	close (fd);
	if (rc != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: fsync: %s", path, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_fix_staging_commit (MpFixStaging *s, GError **error)
{
	gboolean have_att = g_hash_table_size (s->files) > 0;
	g_autofree char *parent = g_path_get_dirname (s->dest);
	int fd;

	if (have_att && !write_sidecars (s, error))
		return FALSE;
	/* every file of the copy on stable storage before any rename: syncfs
	 * flushes the file system once rather than one fsync per message */
	fd = open (s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs (fd) != 0) {
		int saved = errno;
		if (fd >= 0)
			close (fd);
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: sync: %s", s->dir, g_strerror (saved));
		return FALSE;
	}
	close (fd);
	if (have_att && rename (s->att, s->att_dest) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", s->att_dest, g_strerror (errno));
		return FALSE;
	}
	if (rename (s->out, s->dest) != 0) {
		int saved = errno;
		if (have_att)
			(void) rename (s->att_dest, s->att); /* back: nothing half-done stays */
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", s->dest, g_strerror (saved));
		return FALSE;
	}
	s->committed = TRUE;
	mp_fix_remove_tree (s->dir);
	/* the renames themselves durable */
	if (!sync_dir (parent, error))
		return FALSE;
	if (have_att) {
		g_autofree char *att_parent = g_path_get_dirname (s->att_dest);
		if (strcmp (att_parent, parent) != 0 && !sync_dir (att_parent, error))
			return FALSE;
	}
	return TRUE;
}

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove (path) == 0 || errno == ENOENT ? 0 : -1;
}

gboolean
mp_fix_remove_tree (const char *path)
{
	struct stat st;

	if (lstat (path, &st) != 0)
		return errno == ENOENT;
	return nftw (path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

void
mp_fix_staging_free (MpFixStaging *s)
{
	if (s == NULL)
		return;
	if (!s->committed)
		mp_fix_remove_tree (s->dir);
	g_free (s->dir);
	g_free (s->out);
	g_free (s->att);
	g_free (s->dest);
	g_free (s->att_dest);
	g_hash_table_unref (s->files);
	g_hash_table_unref (s->sizes);
	g_free (s);
}
