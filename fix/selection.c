/* selection.c — see selection.h. */
#include "selection.h"
#include "imap-url.h"
#include "json-read.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	char    *message_id;
	gboolean found;
} Listed;

struct _MpFixSelection {
	GHashTable *listed;    /* "abs-source\x1ffolder\x1flocator" -> Listed* */
	GHashTable *sources;   /* abs path -> the SOURCE argument */
	GPtrArray  *foreign;   /* report sources that are no SOURCE */
	char       *current;   /* the abs path of the source being read, or NULL when foreign */
};

static char *
abs_of (const char *path)
{
	MpImapUrl url = { 0 };
	char *real;

	/* an IMAP account is one source whatever folder its URL names: a scan
	 * of the whole account selects messages of a fix of one folder */
	if ((g_str_has_prefix (path, "imap://") || g_str_has_prefix (path, "imaps://")) &&
	    mp_imap_url_parse (path, &url, NULL)) {
		g_autofree char *host = g_ascii_strdown (url.host, -1); /* a host name's case does not matter */
		char *key = g_strdup_printf ("imap://%s@%s:%u", url.user, host, url.port);
		mp_imap_url_clear (&url);
		return key;
	}
	real = realpath (path, NULL);
	char *out = real ? g_strdup (real) : g_canonicalize_filename (path, NULL);

	free (real);
	return out;
}

static char *
key_of (const char *abs, const char *folder, const char *locator)
{
	return g_strdup_printf ("%s\x1f%s\x1f%s", abs, folder ? folder : "", locator ? locator : "");
}

static void
listed_free (gpointer p)
{
	Listed *l = p;

	g_free (l->message_id);
	g_free (l);
}

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpFixSelection *s = self;
	g_autofree char *abs = abs_of (source);

	g_clear_pointer (&s->current, g_free);
	if (g_hash_table_contains (s->sources, abs))
		s->current = g_steal_pointer (&abs);
	else
		g_ptr_array_add (s->foreign, g_strdup (source));
}

/* the checks a fix is for */
static gboolean
is_fixable_check (const char *check)
{
	return g_strcmp0 (check, "message-size") == 0 || g_strcmp0 (check, "attachment-count") == 0 ||
	       g_strcmp0 (check, "attachment-size") == 0;
}

static void
on_message (gpointer self, const MpMessage *m)
{
	MpFixSelection *s = self;
	Listed *l;

	if (s->current == NULL)
		return;
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		if (!is_fixable_check (f->check))
			continue;
		l = g_new0 (Listed, 1);
		l->message_id = g_strdup (m->message_id);
		g_hash_table_replace (s->listed, key_of (s->current, m->folder, m->locator), l);
		return;
	}
}

static const MpScanSink selection_sink = {
	.source_begin = on_source_begin,
	.message = on_message,
};

MpFixSelection *
mp_fix_selection_load (const char *path, const char *const *sources, GError **error)
{
	MpFixSelection *s = g_new0 (MpFixSelection, 1);

	s->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, listed_free);
	s->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
	s->foreign = g_ptr_array_new_with_free_func (g_free);
	for (gsize i = 0; sources[i]; i++)
		g_hash_table_replace (s->sources, abs_of (sources[i]), g_strdup (sources[i]));
	if (!mp_json_read_sources (path, &selection_sink, s, error)) {
		g_prefix_error (error, "--from-report %s: ", path);
		mp_fix_selection_free (s);
		return NULL;
	}
	g_ptr_array_add (s->foreign, NULL);
	return s;
}

void
mp_fix_selection_free (MpFixSelection *s)
{
	if (s == NULL)
		return;
	g_hash_table_unref (s->listed);
	g_hash_table_unref (s->sources);
	g_ptr_array_unref (s->foreign);
	g_free (s->current);
	g_free (s);
}

gboolean
mp_fix_selection_lists (MpFixSelection *s, const char *source, const char *folder, const char *locator,
                        const char **message_id)
{
	g_autofree char *abs = abs_of (source);
	g_autofree char *key = key_of (abs, folder, locator);
	Listed *l = g_hash_table_lookup (s->listed, key);

	if (l == NULL)
		return FALSE;
	l->found = TRUE;
	if (message_id != NULL)
		*message_id = l->message_id;
	return TRUE;
}

guint
mp_fix_selection_count (const MpFixSelection *s)
{
	return g_hash_table_size (s->listed);
}

static int
by_text (gconstpointer a, gconstpointer b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
mp_fix_selection_missing (const MpFixSelection *s)
{
	GPtrArray *out = g_ptr_array_new ();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init (&it, s->listed);
	while (g_hash_table_iter_next (&it, &k, &v)) {
		g_auto(GStrv) parts = NULL;
		if (((Listed *) v)->found)
			continue;
		parts = g_strsplit (k, "\x1f", 3);
		g_ptr_array_add (out, g_strdup_printf ("%s: folder %s, locator %s", parts[0], parts[1], parts[2]));
	}
	g_ptr_array_sort (out, by_text);
	g_ptr_array_add (out, NULL);
	return (char **) g_ptr_array_free (out, FALSE);
}

const char *const *
mp_fix_selection_foreign (const MpFixSelection *s)
{
	return (const char *const *) s->foreign->pdata;
}
