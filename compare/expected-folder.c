/* expected-folder.c — see expected-folder.h. */
#include "expected-folder.h"
#include "folder-map.h"

#include <string.h>

static void
clear_expected (gpointer p)
{
	MpExpectedFolder *e = p;

	g_free (e->name);
}

/* The index of NAME in TARGET: exactly, else case-insensitively (the first
 * such folder); MP_NO_FOLDER when neither. */
static guint32
lookup (GHashTable *exact, GHashTable *folded, const char *name)
{
	gpointer v;
	g_autofree char *key = NULL;

	if (g_hash_table_lookup_extended (exact, name, NULL, &v))
		return GPOINTER_TO_UINT (v);
	key = g_utf8_casefold (name, -1);
	if (g_hash_table_lookup_extended (folded, key, NULL, &v))
		return GPOINTER_TO_UINT (v);
	return MP_NO_FOLDER;
}

GArray *
mp_expected_folders (const MpSide *source, const MpSide *target, const GPtrArray *map)
{
	g_autoptr(GHashTable) exact = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(GHashTable) folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	GArray *out = g_array_sized_new (FALSE, TRUE, sizeof (MpExpectedFolder), source->folders->len);

	g_array_set_clear_func (out, clear_expected);
	/* the first folder of a name wins, as in the scan's order */
	for (guint i = target->folders->len; i-- > 0;) {
		const char *name = mp_side_folder (target, i)->name;
		g_hash_table_insert (exact, (gpointer) name, GUINT_TO_POINTER (i));
		g_hash_table_insert (folded, g_utf8_casefold (name, -1), GUINT_TO_POINTER (i));
	}
	for (guint i = 0; i < source->folders->len; i++) {
		const char *name = mp_side_folder (source, i)->name;
		g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
		MpExpectedFolder e = { NULL, MP_NO_FOLDER, FALSE };
		guint mapped;

		e.mapped = map != NULL && mp_folder_map_targets (map, name, candidates);
		mapped = candidates->len;
		/* the folder's own name last: a target may have kept it */
		g_ptr_array_add (candidates, g_strdup (name));
		for (guint c = 0; c < candidates->len && e.folder == MP_NO_FOLDER; c++) {
			e.folder = lookup (exact, folded, g_ptr_array_index (candidates, c));
			if (e.folder != MP_NO_FOLDER)
				e.mapped = c < mapped;
		}
		e.name = g_strdup (e.folder != MP_NO_FOLDER ? mp_side_folder (target, e.folder)->name
		                                            : g_ptr_array_index (candidates, 0));
		g_array_append_val (out, e);
	}
	return out;
}
