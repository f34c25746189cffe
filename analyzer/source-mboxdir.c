/* source-mboxdir.c — a folder of mbox files, as mutt, Thunderbird and
 * Evolution keep them. Each mbox file is a folder named by its path:
 * Thunderbird's "Name.sbd/" subfolder directories become "Name/", its ".msf"
 * index files and other non-mbox files are passed over. */
#include "source.h"
#include "source-fs.h"
#include "source-mbox.h"
#include "notice-codes.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	g_autoptr(GPtrArray) names = NULL;

	if (depth > 4)
		return FALSE;
	if ((names = mp_dir_list_path (dir)) == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = g_build_filename (dir, name, NULL);
		struct stat st;

		/* probing only: no link is followed, what it reads is no file's
		 * access time (mp_file_looks_like_mbox) */
		if (is_known_companion (name) || lstat (sub, &st) != 0)
			continue;
		if (S_ISDIR (st.st_mode)) {
			if (has_mbox_below (sub, depth + 1))
				return TRUE;
		} else if (S_ISREG (st.st_mode) && st.st_size > 0 && mp_file_looks_like_mbox (sub, MP_OPEN_FILE)) {
			return TRUE; /* an empty file alone does not make a mail folder */
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
	MpSource   *src;
	GPtrArray  *folders;
	GHashTable *seen;
} TreeCtx;

/* A link to a file in a folder of mbox files: never followed (it could
 * lead out of the source, and an mbox opened through it could be swapped
 * for another file); a notice says which. */
static void
note_file_link (TreeCtx *ctx, const char *path, const char *shown)
{
	char target[4096];
	gssize n = readlink (path, target, sizeof target - 1);
	g_autofree char *target_text = NULL;
	g_autofree char *detail = NULL;

	target[MAX (n, 0)] = '\0';
	target_text = g_utf8_make_valid (target, -1);
	detail = g_strdup_printf ("%s -> %s: a link to a file, not followed", shown, target_text);
	mp_source_add_notice (ctx->src, mp_notice_name (MP_NOTICE_SYMLINK_NOT_FOLLOWED), detail);
}

static void
walk (TreeCtx *ctx, const char *dir, const char *prefix, guint depth)
{
	g_autoptr(GPtrArray) names = NULL;
	gsize root_len = strlen (ctx->src->abs_path);

	if (depth > MAX_TREE_DEPTH || !mp_dir_mark_seen (ctx->seen, dir))
		return; /* too deep, or a symlink loop */
	if ((names = mp_dir_list_path (dir)) == NULL)
		return;

	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *path = NULL;
		g_autofree char *shown = NULL;
		g_autofree char *folder = NULL;
		const char *rel;
		struct stat st;

		if (is_known_companion (name))
			continue;
		path = g_build_filename (dir, name, NULL);
		rel = path + root_len + (path[root_len] == '/' ? 1 : 0);
		shown = g_utf8_make_valid (name, -1);
		if (g_str_has_suffix (shown, ".sbd"))
			shown[strlen (shown) - 4] = '\0'; /* Thunderbird: Name.sbd/ holds Name's subfolders */
		folder = prefix ? g_strdup_printf ("%s/%s", prefix, shown) : g_strdup (shown);
		if (lstat (path, &st) != 0)
			continue;
		if (S_ISLNK (st.st_mode) && stat (path, &st) == 0 && S_ISREG (st.st_mode))
			note_file_link (ctx, path, rel);
		else if (mp_walk_enters (ctx->src, path, rel)) /* a directory, or a link to one inside */
			walk (ctx, path, folder, depth + 1);
		else if (S_ISREG (st.st_mode) && mp_file_looks_like_mbox (path, MP_OPEN_FILE))
			g_ptr_array_add (ctx->folders, mp_folder_new (folder, path));
	}
}

static GPtrArray *
mboxdir_folders (MpSource *src, GError **error)
{
	g_autoptr(GHashTable) seen = mp_dir_seen_new ();
	TreeCtx ctx = { src, g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free), seen };

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
