/* backup-manifest.c — the backup manifest, written and read (see
 * backup-manifest.h and docs/backup-manifest.md). */
#include "backup-manifest.h"
#include "escape.h"
#include "mp-error.h"

#include <string.h>

static const char *const state_names[MP_FIX_BACKUP_N_STATES] = {
	"backed-up", "parts-appended", "verified", "deleted", "expunged", "refused",
};

const char *
mp_fix_backup_state_name (MpFixBackupState s)
{
	return s < MP_FIX_BACKUP_N_STATES ? state_names[s] : "?";
}

MpFixBackupEntry *
mp_fix_backup_entry_new (void)
{
	MpFixBackupEntry *e = g_new0 (MpFixBackupEntry, 1);
	e->parts = g_array_new (FALSE, TRUE, sizeof (guint32));
	e->stale = g_array_new (FALSE, TRUE, sizeof (guint32));
	return e;
}

void
mp_fix_backup_entry_free (MpFixBackupEntry *e)
{
	if (e == NULL)
		return;
	g_free (e->folder);
	g_free (e->message_id);
	g_free (e->internaldate);
	g_free (e->flags);
	g_array_unref (e->parts);
	g_array_unref (e->stale);
	g_free (e);
}

static void
append_uids (GString *s, const char *key, const GArray *uids)
{
	g_string_append_printf (s, ", \"%s\": [", key);
	for (guint k = 0; k < uids->len; k++)
		g_string_append_printf (s, "%s%u", k ? ", " : "", g_array_index (uids, guint32, k));
	g_string_append_c (s, ']');
}

GString *
mp_fix_backup_manifest_render (const char *account, const char *user, const char *backup,
                               const GPtrArray *entries)
{
	GString *s = g_string_new ("{\"format\": \"" MP_FIX_BACKUP_FORMAT "\",\n \"account\": ");

	mp_json_append_string (s, account);
	g_string_append (s, ",\n \"user\": ");
	mp_json_append_string (s, user);
	g_string_append (s, ",\n \"backup\": ");
	mp_json_append_string (s, backup);
	g_string_append (s, ",\n \"originals\": [\n");
	for (guint i = 0; i < entries->len; i++) {
		const MpFixBackupEntry *e = g_ptr_array_index (entries, i);
		g_string_append (s, "{\"folder\": ");
		mp_json_append_string (s, e->folder);
		g_string_append_printf (s, ", \"uidvalidity\": %u, \"uid\": %u, \"state\": \"%s\", \"sha256\": \"%s\", "
		                        "\"size\": %" G_GUINT64_FORMAT ", \"backup_offset\": %" G_GUINT64_FORMAT
		                        ", \"backup_length\": %" G_GUINT64_FORMAT ", \"message_id\": ",
		                        e->uidvalidity, e->uid, mp_fix_backup_state_name (e->state), e->sha256, e->size,
		                        e->backup_offset, e->backup_length);
		if (e->message_id)
			mp_json_append_string (s, e->message_id);
		else
			g_string_append (s, "null");
		g_string_append (s, ", \"internaldate\": ");
		mp_json_append_string (s, e->internaldate ? e->internaldate : "");
		g_string_append (s, ", \"flags\": ");
		mp_json_append_string (s, e->flags ? e->flags : "");
		append_uids (s, "parts", e->parts);
		append_uids (s, "stale_parts", e->stale);
		g_string_append_printf (s, "}%s\n", i + 1 < entries->len ? "," : "");
	}
	g_string_append (s, "]}\n");
	return s;
}

/* The JSON string after "KEY": on LINE (as mp_json_append_string wrote
 * it, valid UTF-8 with \uXXXX escapes), or NULL. */
static char *
line_string (const char *line, const char *key)
{
	g_autofree char *pat = g_strdup_printf ("\"%s\": \"", key);
	const char *p = strstr (line, pat);
	g_autoptr(GString) out = g_string_new (NULL);

	if (p == NULL)
		return NULL;
	for (p += strlen (pat); *p && *p != '"'; p++) {
		if (*p != '\\') {
			g_string_append_c (out, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'n': g_string_append_c (out, '\n'); break;
		case 'r': g_string_append_c (out, '\r'); break;
		case 't': g_string_append_c (out, '\t'); break;
		case 'b': g_string_append_c (out, '\b'); break;
		case 'f': g_string_append_c (out, '\f'); break;
		case '"': case '\\': case '/': g_string_append_c (out, *p); break;
		case 'u': {
			char hex[5] = { 0 };
			guint64 cp;
			if (strlen (p + 1) < 4)
				return NULL;
			memcpy (hex, p + 1, 4);
			/* a NUL or a surrogate is nothing the writer writes */
			if (!g_ascii_string_to_unsigned (hex, 16, 1, 0xffff, &cp, NULL) || (cp >= 0xd800 && cp <= 0xdfff))
				return NULL;
			g_string_append_unichar (out, (gunichar) cp);
			p += 4;
			break;
		}
		default:
			return NULL;
		}
	}
	if (*p != '"' || !g_utf8_validate (out->str, (gssize) out->len, NULL))
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
line_number (const char *line, const char *key, guint64 max, guint64 *out)
{
	g_autofree char *pat = g_strdup_printf ("\"%s\": ", key);
	const char *p = strstr (line, pat);
	g_autofree char *digits = NULL;
	gsize n;

	if (p == NULL)
		return FALSE;
	p += strlen (pat);
	n = strspn (p, "0123456789");
	if (n == 0 || n > 20)
		return FALSE;
	digits = g_strndup (p, n);
	return g_ascii_string_to_unsigned (digits, 10, 0, max, out, NULL);
}

/* The numbers of the list "KEY": [1, 2] on LINE, appended to OUT. */
static gboolean
line_uids (const char *line, const char *key, GArray *out)
{
	g_autofree char *pat = g_strdup_printf ("\"%s\": [", key);
	const char *p = strstr (line, pat);

	if (p == NULL)
		return TRUE;
	p += strlen (pat);
	while (g_ascii_isdigit (*p)) {
		gsize n = strspn (p, "0123456789");
		g_autofree char *digits = g_strndup (p, MIN (n, 11));
		guint64 u;
		guint32 v;

		if (n > 10 || !g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, &u, NULL))
			return FALSE;
		v = (guint32) u;
		g_array_append_val (out, v);
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return *p == ']';
}

static gboolean
damaged (const char *path, gsize line, GError **error)
{
	g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s:%" G_GSIZE_FORMAT ": a damaged entry", path, line);
	return FALSE;
}

gboolean
mp_fix_backup_manifest_parse (const char *text, gsize len, const char *path, char **user, GPtrArray *entries,
                              GError **error)
{
	g_autofree char *copy = g_strndup (text, len);
	g_auto(GStrv) lines = NULL;

	*user = NULL;
	if (strlen (copy) != len) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s is not a backup manifest of mailpreflight (a NUL)",
		             path);
		return FALSE;
	}
	lines = g_strsplit (copy, "\n", -1);
	if (lines[0] == NULL || strstr (lines[0], "\"" MP_FIX_BACKUP_FORMAT "\"") == NULL || lines[1] == NULL ||
	    lines[2] == NULL || (*user = line_string (lines[2], "user")) == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s is not a backup manifest of mailpreflight", path);
		return FALSE;
	}
	for (gsize i = 3; lines[i]; i++) {
		const char *l = lines[i];
		g_autofree char *state = NULL, *sha = NULL;
		MpFixBackupEntry *e;
		guint64 n;

		if (!g_str_has_prefix (l, "{\"folder\": "))
			continue;
		e = mp_fix_backup_entry_new ();
		g_ptr_array_add (entries, e);
		e->folder = line_string (l, "folder");
		state = line_string (l, "state");
		sha = line_string (l, "sha256");
		e->message_id = line_string (l, "message_id");
		e->internaldate = line_string (l, "internaldate");
		e->flags = line_string (l, "flags");
		if (e->folder == NULL || state == NULL || sha == NULL || strlen (sha) != 64 ||
		    strspn (sha, "0123456789abcdef") != 64)
			return damaged (path, i + 1, error);
		memcpy (e->sha256, sha, 65);
		e->state = MP_FIX_BACKUP_N_STATES;
		for (int s = 0; s < MP_FIX_BACKUP_N_STATES; s++)
			if (strcmp (state, state_names[s]) == 0)
				e->state = (MpFixBackupState) s;
		if (e->state == MP_FIX_BACKUP_N_STATES || !line_number (l, "uidvalidity", G_MAXUINT32, &n))
			return damaged (path, i + 1, error);
		e->uidvalidity = (guint32) n;
		if (!line_number (l, "uid", G_MAXUINT32, &n) || n == 0)
			return damaged (path, i + 1, error);
		e->uid = (guint32) n;
		if (!line_number (l, "size", G_MAXUINT64, &e->size) ||
		    !line_number (l, "backup_offset", G_MAXUINT64, &e->backup_offset) ||
		    !line_number (l, "backup_length", G_MAXUINT64, &e->backup_length) ||
		    !line_uids (l, "parts", e->parts) || !line_uids (l, "stale_parts", e->stale))
			return damaged (path, i + 1, error);
	}
	return TRUE;
}
