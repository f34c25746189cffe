/* folder-map.c — see folder-map.h. */
#include "folder-map.h"

#include <string.h>

/* Folder names longer than this are no folder names (Dovecot refuses
 * names over PATH_MAX; TARGET-LIMITS.md [53]). */
#define MAX_NAME 4096

void
mp_folder_map_entry_free (MpFolderMapEntry *e)
{
	if (e == NULL)
		return;
	g_free (e->label);
	g_free (e->source);
	g_free (e->target);
	g_free (e);
}

/* NULL when NAME is fine, else why not. */
static const char *
bad_name (const char *name)
{
	if (*name == '\0')
		return "is empty";
	if (strlen (name) > MAX_NAME)
		return "is longer than 4096 bytes";
	for (const char *p = name; *p; p++)
		if ((guchar) *p < 0x20 || *p == 0x7f)
			return "holds a control character";
	if (name[0] == '/' || name[strlen (name) - 1] == '/' || strstr (name, "//") != NULL)
		return "has an empty level: folders are written Parent/Child";
	return NULL;
}

MpFolderMapEntry *
mp_folder_map_entry_parse (const char *label, const char *value, GError **error)
{
	const char *arrow = strstr (value, "->");
	g_autoptr(MpFolderMapEntry) e = NULL;
	const char *why;

	if (!g_utf8_validate (value, -1, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "folder names must be UTF-8");
		return NULL;
	}
	if (arrow == NULL || strstr (arrow + 2, "->") != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is not 'SOURCE -> TARGET' (one arrow), e.g. 'Sent -> Sent Items'", value);
		return NULL;
	}
	e = g_new0 (MpFolderMapEntry, 1);
	e->label = g_strdup (label);
	e->source = g_strstrip (g_strndup (value, (gsize) (arrow - value)));
	e->target = g_strstrip (g_strdup (arrow + 2));
	if ((why = bad_name (e->source)) != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "the source folder '%s' %s", e->source, why);
		return NULL;
	}
	if ((why = bad_name (e->target)) != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "the target folder '%s' %s", e->target, why);
		return NULL;
	}
	if (strcmp (e->source, "*") == 0) {
		const char *star = strchr (e->target, '*');
		if (star == NULL || strchr (star + 1, '*') != NULL) {
			g_set_error (error, MP_ERROR, MP_ERROR_RULES,
			             "with source '*' the target holds one '*' for the folder's name, e.g. '* -> Imported/*'");
			return NULL;
		}
	} else if (strchr (e->source, '*') != NULL || strchr (e->target, '*') != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'*' stands alone as the source ('* -> Imported/*'); no other name may hold it");
		return NULL;
	}
	return g_steal_pointer (&e);
}

/* How many leading levels of FOLDER (split at '/') equal SOURCE's levels,
 * case-insensitively; 0 when SOURCE is not FOLDER or one of its parents. */
static guint
levels_matched (char **folder, const char *source)
{
	g_auto(GStrv) parts = g_strsplit (source, "/", -1);
	guint n = g_strv_length (parts);

	for (guint i = 0; i < n; i++) {
		g_autofree char *a = NULL;
		g_autofree char *b = NULL;
		if (folder[i] == NULL)
			return 0;
		a = g_utf8_casefold (folder[i], -1);
		b = g_utf8_casefold (parts[i], -1);
		if (strcmp (a, b) != 0)
			return 0;
	}
	return n;
}

gboolean
mp_folder_map_targets (const GPtrArray *map, const char *folder, GPtrArray *out)
{
	g_auto(GStrv) levels = g_strsplit (folder, "/", -1);
	guint best = 0;
	guint before = out->len;
	gboolean found = FALSE;

	if (map == NULL)
		return FALSE;
	for (guint i = 0; i < map->len; i++) {
		const MpFolderMapEntry *e = g_ptr_array_index (map, i);
		if (strcmp (e->source, "*") != 0)
			best = MAX (best, levels_matched (levels, e->source));
	}
	for (guint i = 0; best > 0 && i < map->len; i++) {
		const MpFolderMapEntry *e = g_ptr_array_index (map, i);
		if (strcmp (e->source, "*") != 0 && levels_matched (levels, e->source) == best) {
			g_autofree char *rest = g_strjoinv ("/", levels + best);
			g_ptr_array_add (out, *rest ? g_strconcat (e->target, "/", rest, NULL) : g_strdup (e->target));
			found = TRUE;
		}
	}
	for (guint i = 0; !found && i < map->len; i++) {
		const MpFolderMapEntry *e = g_ptr_array_index (map, i);
		if (strcmp (e->source, "*") == 0) {
			const char *star = strchr (e->target, '*');
			g_ptr_array_add (out, g_strdup_printf ("%.*s%s%s", (int) (star - e->target), e->target,
			                                       folder, star + 1));
		}
	}
	return out->len > before;
}
