/* source-mboxdir.c — a folder of mbox files, as mutt, Thunderbird and
 * Evolution keep them. Each mbox file is a folder named by its path:
 * Thunderbird's "Name.sbd/" subfolder directories become "Name/", its ".msf"
 * index files and other non-mbox files are passed over. */
#include "source.h"
#include "source-fs.h"
#include "source-mbox.h"

#include <string.h>
#include <sys/stat.h>

#define MAX_TREE_DEPTH 64

/* Files that sit beside mbox files and are never mail. */
static gboolean
is_known_companion (const char *name)
{
	static const char *const suffixes[] = { ".msf", ".dat", ".json", ".sqlite", ".cmeta",
	                                        ".index", ".lock", ".ev-summary", ".ibex.index",
	                                        ".html", ".js", ".mozlz4", ".summary" };
	for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
		if (g_str_has_suffix (name, suffixes[i]))
			return TRUE;
	return name[0] == '.';
}

static gboolean
has_mbox_below (const char *dir, guint depth)
{
	g_autoptr(GDir) d = NULL;
	const char *name;

	if (depth > 4)
		return FALSE;
	if ((d = g_dir_open (dir, 0, NULL)) == NULL)
		return FALSE;
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree char *sub = g_build_filename (dir, name, NULL);
		if (is_known_companion (name))
			continue;
		if (g_file_test (sub, G_FILE_TEST_IS_DIR)) {
			if (!g_file_test (sub, G_FILE_TEST_IS_SYMLINK) && has_mbox_below (sub, depth + 1))
				return TRUE;
		} else if (mp_file_looks_like_mbox (sub)) {
			struct stat st;
			/* an empty file alone does not make a mail folder */
			if (stat (sub, &st) == 0 && st.st_size > 0)
				return TRUE;
		}
	}
	return FALSE;
}

static gboolean
mboxdir_probe (const char *path)
{
	return g_file_test (path, G_FILE_TEST_IS_DIR) && has_mbox_below (path, 0);
}

static int
compare_folders (gconstpointer a, gconstpointer b)
{
	const MpFolder *x = *(MpFolder *const *) a, *y = *(MpFolder *const *) b;

	return strcmp (x->name, y->name);
}

typedef struct {
	GPtrArray  *folders;
	GHashTable *seen;
} TreeCtx;

static void
walk (TreeCtx *ctx, const char *dir, const char *prefix, guint depth)
{
	g_autoptr(GDir) d = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
	const char *name;

	if (depth > MAX_TREE_DEPTH || !mp_dir_mark_seen (ctx->seen, dir))
		return; /* too deep, or a symlink loop */
	if ((d = g_dir_open (dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name (d)) != NULL)
		g_ptr_array_add (names, g_strdup (name));
	g_ptr_array_sort (names, mp_compare_strings);

	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = NULL;
		g_autofree char *shown = NULL;
		g_autofree char *folder = NULL;

		name = g_ptr_array_index (names, i);
		if (is_known_companion (name))
			continue;
		path = g_build_filename (dir, name, NULL);
		shown = g_utf8_make_valid (name, -1);
		if (g_str_has_suffix (shown, ".sbd"))
			shown[strlen (shown) - 4] = '\0'; /* Thunderbird: Name.sbd/ holds Name's subfolders */
		folder = prefix ? g_strdup_printf ("%s/%s", prefix, shown) : g_strdup (shown);
		if (g_file_test (path, G_FILE_TEST_IS_DIR))
			walk (ctx, path, folder, depth + 1);
		else if (mp_file_looks_like_mbox (path))
			g_ptr_array_add (ctx->folders, mp_folder_new (folder, path));
	}
}

static GPtrArray *
mboxdir_folders (MpSource *src, GError **error)
{
	g_autoptr(GHashTable) seen = mp_dir_seen_new ();
	TreeCtx ctx = { g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free), seen };

	walk (&ctx, src->abs_path, NULL, 0);
	/* Thunderbird lists "Name" before "Name/Sub": sort by the shown name so
	 * a folder's subfolders follow it whatever the on-disk order */
	g_ptr_array_sort (ctx.folders, compare_folders);
	return ctx.folders;
}

const MpSourceOps mp_source_mboxdir = {
	.name = "mbox-folder",
	.probe = mboxdir_probe,
	.folders = mboxdir_folders,
	.enumerate = mp_mbox_enumerate,
	.analyze = mp_mbox_analyze,
};
