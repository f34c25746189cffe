/* imap-write.c — the write commands of the fix path (see imap-write.h). */
#include "imap-write.h"

#include <string.h>

void
mp_imap_write_enable (MpImapClient *c)
{
	mp_imap_client_allow_writes (c);
}

guint64
mp_imap_write_appendlimit (const MpImapClient *c)
{
	const char *const *caps = mp_imap_client_get_capabilities (c);

	/* RFC 7889 §3: "APPENDLIMIT=N" is the account's limit; a bare
	 * APPENDLIMIT means per-folder limits (STATUS), which we do not ask */
	for (gsize i = 0; caps && caps[i]; i++) {
		if (g_ascii_strncasecmp (caps[i], "APPENDLIMIT=", 12) == 0) {
			guint64 n;
			if (g_ascii_string_to_unsigned (caps[i] + 12, 10, 1, G_MAXUINT64, &n, NULL))
				return n;
		}
	}
	return G_MAXUINT64;
}

/* The completion's [APPENDUID uidvalidity uid] (RFC 4315 §3). */
static void
read_appenduid (const MpImapResponse *r, guint32 *uidvalidity, guint32 *uid)
{
	const MpImapValue *code = r ? mp_imap_response_get_code (r) : NULL;
	guint64 v, u;
	gsize len;
	const char *s;

	*uidvalidity = 0;
	*uid = 0;
	if (code == NULL || !mp_imap_value_is_atom (mp_imap_value_get_child (code, 0), "APPENDUID") ||
	    !mp_imap_value_get_number (mp_imap_value_get_child (code, 1), &v) || v == 0 || v > G_MAXUINT32)
		return;
	/* the UID is a uid-set; one message appended gives one number */
	if (mp_imap_value_get_number (mp_imap_value_get_child (code, 2), &u)) {
		if (u == 0 || u > G_MAXUINT32)
			return;
	} else if ((s = mp_imap_value_get_string (mp_imap_value_get_child (code, 2), &len)) == NULL ||
	           !g_ascii_string_to_unsigned (s, 10, 1, G_MAXUINT32, &u, NULL)) {
		return;
	}
	*uidvalidity = (guint32) v;
	*uid = (guint32) u;
}

static gboolean
flags_are_safe (const char *flags)
{
	/* flag atoms only (RFC 3501 §9 flag): no quoting, no list delimiters */
	for (const char *p = flags; *p; p++)
		if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f || strchr ("(){%*\"]", *p) != NULL)
			return FALSE;
	return TRUE;
}

gboolean
mp_imap_write_append (MpImapClient *c, const char *name, const char *flags, const char *internaldate,
                      guint64 size, MpImapLiteralSource source, gpointer source_data, guint32 *uidvalidity,
                      guint32 *uid, GError **error)
{
	g_autoptr(GString) cmd = g_string_new (NULL);
	g_autoptr(MpImapResponse) done = NULL;

	*uidvalidity = 0;
	*uid = 0;
	if (flags != NULL && !flags_are_safe (flags)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: APPEND: flags that are not atoms: %s",
		             mp_imap_client_get_display_url (c), flags);
		return FALSE;
	}
	/* RFC 3501 §6.3.11: APPEND mailbox [flag-list] [date-time] literal */
	g_string_append_printf (cmd, " (%s)", flags ? flags : "");
	if (internaldate != NULL) {
		if (strpbrk (internaldate, "\"\\\r\n") != NULL) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: APPEND: a bad date-time",
			             mp_imap_client_get_display_url (c));
			return FALSE;
		}
		g_string_append_printf (cmd, " \"%s\"", internaldate);
	}
	/* the folder's name as EXAMINE and SELECT send it: quoted, or a literal
	 * of its own when it must be (imap-client.c command_full) */
	if (!mp_imap_client_command_literal (c, "APPEND", name, cmd->str, size, source, source_data, NULL, NULL,
	                                     &done, error))
		return FALSE;
	read_appenduid (done, uidvalidity, uid);
	return TRUE;
}

gboolean
mp_imap_write_mark_deleted (MpImapClient *c, guint32 uid, GError **error)
{
	g_autofree char *cmd = g_strdup_printf ("UID STORE %u +FLAGS.SILENT (\\Deleted)", uid);
	return mp_imap_client_command (c, cmd, NULL, NULL, error);
}

gboolean
mp_imap_write_mark_deleted_unchanged (MpImapClient *c, guint32 uid, guint64 modseq, gboolean *modified,
                                      GError **error)
{
	g_autofree char *cmd = g_strdup_printf ("UID STORE %u (UNCHANGEDSINCE %" G_GUINT64_FORMAT ") "
	                                        "+FLAGS.SILENT (\\Deleted)", uid, modseq);
	g_autoptr(MpImapResponse) done = NULL;
	const MpImapValue *code;

	*modified = FALSE;
	if (!mp_imap_client_command_literal (c, cmd, NULL, NULL, 0, NULL, NULL, NULL, NULL, &done, error))
		return FALSE;
	/* OK [MODIFIED uid-set]: the condition failed for those, nothing stored */
	code = done ? mp_imap_response_get_code (done) : NULL;
	*modified = code != NULL && mp_imap_value_is_atom (mp_imap_value_get_child (code, 0), "MODIFIED");
	return TRUE;
}

gboolean
mp_imap_write_uid_expunge (MpImapClient *c, const char *uids, GError **error)
{
	g_autofree char *cmd = NULL;

	if (!mp_imap_client_has_capability (c, "UIDPLUS")) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: the server does not offer UIDPLUS (RFC 4315), so "
		             "it cannot expunge single messages by UID; a plain EXPUNGE would also remove every "
		             "other message marked \\Deleted (by you or another program). The originals stay, "
		             "marked \\Deleted", mp_imap_client_get_display_url (c));
		return FALSE;
	}
	for (const char *p = uids; *p; p++)
		if (!g_ascii_isdigit (*p) && *p != ',' && *p != ':') {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "UID EXPUNGE: not a UID set: %s", uids);
			return FALSE;
		}
	cmd = g_strdup_printf ("UID EXPUNGE %s", uids);
	return mp_imap_client_command (c, cmd, NULL, NULL, error);
}

static gboolean
search_untagged (const MpImapResponse *r, gpointer user_data, GError **error)
{
	GArray *uids = user_data;
	const MpImapValue *data = mp_imap_response_get_data (r);

	if (data == NULL || !mp_imap_value_is_atom (mp_imap_value_get_child (data, 0), "SEARCH"))
		return TRUE;
	for (guint i = 1; i < mp_imap_value_get_n_children (data); i++) {
		guint64 n;
		if (mp_imap_value_get_number (mp_imap_value_get_child (data, i), &n) && n > 0 && n <= G_MAXUINT32) {
			guint32 u = (guint32) n;
			g_array_append_val (uids, u);
		}
	}
	return TRUE;
}

static gint
cmp_uid (gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
	return x < y ? -1 : x > y;
}

GArray *
mp_imap_write_search_header (MpImapClient *c, const char *field, const char *value, GError **error)
{
	g_autoptr(GString) cmd = g_string_new ("UID SEARCH HEADER ");
	g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));

	if (!mp_imap_append_astring (cmd, field) || (g_string_append_c (cmd, ' '), !mp_imap_append_astring (cmd, value))) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "UID SEARCH HEADER: 8-bit text is not searched");
		return NULL;
	}
	if (!mp_imap_client_command (c, cmd->str, search_untagged, uids, error))
		return NULL;
	g_array_sort (uids, cmp_uid);
	return g_steal_pointer (&uids);
}
