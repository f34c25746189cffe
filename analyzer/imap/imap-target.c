/* imap-target.c — see imap-target.h. */
#include "imap-target.h"

#include <string.h>

/* RFC 7889: "APPENDLIMIT=N" in CAPABILITY is the largest message the
 * server accepts. */
static gboolean
find_appendlimit (MpImapClient *c, guint64 *out)
{
	const char *const *caps = mp_imap_client_get_capabilities (c);

	for (int i = 0; caps && caps[i]; i++)
		if (g_ascii_strncasecmp (caps[i], "APPENDLIMIT=", 12) == 0 &&
		    g_ascii_string_to_unsigned (caps[i] + 12, 10, 1, G_MAXUINT64, out, NULL))
			return TRUE;
	return FALSE;
}

void
mp_imap_target_limit_clear (MpImapTargetLimit *t)
{
	g_clear_pointer (&t->shown, g_free);
	g_clear_pointer (&t->login_error, g_free);
	memset (t, 0, sizeof *t);
}

gboolean
mp_imap_target_read_limit (const char *url_text, const MpImapClientOptions *options,
                           const char *password, MpImapTargetLimit *out, GError **error)
{
	MpImapUrl url = { 0 };
	g_autoptr(MpImapClient) c = NULL;
	const char *authority = strstr (url_text, "://");
	g_autofree char *parsed = NULL;

	memset (out, 0, sizeof *out);
	out->with_user = TRUE;
	/* a target needs no user to announce its limit before login: the URL
	 * parser wants one, so a placeholder stands in (it never logs in) */
	if (authority != NULL && strchr (authority + 3, '@') == NULL) {
		parsed = g_strdup_printf ("%.*snobody@%s", (int) (authority + 3 - url_text), url_text, authority + 3);
		out->with_user = FALSE;
	}
	if (!mp_imap_url_parse (parsed ? parsed : url_text, &url, error))
		return FALSE;
	out->shown = g_strdup (out->with_user ? url.display : url_text);
	c = mp_imap_client_new (&url, options);
	mp_imap_url_clear (&url);
	if (!mp_imap_client_connect (c, error)) {
		mp_imap_target_limit_clear (out);
		return FALSE;
	}
	out->found = find_appendlimit (c, &out->limit);
	if (!out->found && out->with_user && password != NULL) {
		g_autoptr(GError) local = NULL;
		if (mp_imap_client_authenticate (c, password, NULL, &local) &&
		    mp_imap_client_command (c, "CAPABILITY", NULL, NULL, &local))
			out->found = find_appendlimit (c, &out->limit);
		else
			out->login_error = g_strdup (local->message);
	}
	mp_imap_client_logout (c);
	return TRUE;
}
