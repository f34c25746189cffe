/* folder-filter.c — see folder-filter.h. */
#include "folder-filter.h"
#include "mp-error.h"

#include <string.h>

typedef struct {
	char         *glob;  /* as given, for people */
	GPatternSpec *spec;  /* of the case-folded glob */
} Glob;

struct _MpFolderFilter {
	GArray *include; /* Glob */
	GArray *exclude; /* Glob */
};

static void
glob_clear (gpointer p)
{
	Glob *g = p;

	g_free (g->glob);
	g_pattern_spec_free (g->spec);
}

static GArray *
compile (const char *const *globs)
{
	GArray *out = g_array_new (FALSE, TRUE, sizeof (Glob));

	g_array_set_clear_func (out, glob_clear);
	for (gsize i = 0; globs != NULL && globs[i] != NULL; i++) {
		g_autofree char *folded = g_utf8_casefold (globs[i], -1);
		Glob g = { g_strdup (globs[i]), g_pattern_spec_new (folded) };
		g_array_append_val (out, g);
	}
	return out;
}

MpFolderFilter *
mp_folder_filter_new (const char *const *include, const char *const *exclude)
{
	MpFolderFilter *f;

	if ((include == NULL || include[0] == NULL) && (exclude == NULL || exclude[0] == NULL))
		return NULL;
	f = g_new0 (MpFolderFilter, 1);
	f->include = compile (include);
	f->exclude = compile (exclude);
	return f;
}

void
mp_folder_filter_free (MpFolderFilter *f)
{
	if (f == NULL)
		return;
	g_array_unref (f->include);
	g_array_unref (f->exclude);
	g_free (f);
}

static const Glob *
first_match (const GArray *globs, const char *folded)
{
	for (guint i = 0; i < globs->len; i++) {
		const Glob *g = &g_array_index (globs, Glob, i);
		if (g_pattern_spec_match_string (g->spec, folded))
			return g;
	}
	return NULL;
}

char *
mp_folder_filter_left_out (const MpFolderFilter *f, const char *folder)
{
	g_autofree char *folded = NULL;
	const Glob *g;

	if (f == NULL)
		return NULL;
	folded = g_utf8_casefold (folder, -1);
	if ((g = first_match (f->exclude, folded)) != NULL)
		return g_strdup_printf ("matches the exclude pattern '%s'", g->glob);
	if (f->include->len > 0 && first_match (f->include, folded) == NULL) {
		g_autoptr(GString) list = g_string_new (NULL);
		for (guint i = 0; i < f->include->len; i++)
			g_string_append_printf (list, "%s'%s'", i ? ", " : "", g_array_index (f->include, Glob, i).glob);
		return g_strdup_printf ("matches no include pattern (%s)", list->str);
	}
	return NULL;
}

gboolean
mp_folder_glob_check (const char *glob, GError **error)
{
	gsize n = strlen (glob);

	if (n == 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "an empty folder pattern");
		return FALSE;
	}
	if (!g_utf8_validate (glob, -1, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "folder pattern '%s' is not UTF-8", glob);
		return FALSE;
	}
	if (glob[0] == '/' || glob[n - 1] == '/') {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "folder pattern '%s': folder names have no '/' at either end "
		             "(write Archive for the folder, Archive/* for its subfolders)", glob);
		return FALSE;
	}
	return TRUE;
}
