/* source.c — the list of mailbox backends, opening a SOURCE with the first
 * backend that recognizes it, and what a command asks of a SOURCE before
 * the scan (is it on the network, how many workers suit it). The helpers
 * backends share are elsewhere (source-batch.c, source-fs.c), so that
 * backends never call back into the file that lists them. */
#include "source.h"
#include "imap-secret.h"
#include "imap-url.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const MpSourceOps *const backends[] = {
	&mp_source_maildir,
	&mp_source_mbox,
	&mp_source_mboxdir,
};

MpSource *
mp_source_open (const char *path, GError **error)
{
	return mp_source_open_with (path, NULL, error);
}

static void
settings_copy (MpSourceSettings *dst, const MpSourceSettings *src)
{
	if (src != NULL)
		*dst = *src;
	dst->ca_file = g_strdup (dst->ca_file);
	dst->password_file = g_strdup (dst->password_file);
	dst->oauth2_token_file = g_strdup (dst->oauth2_token_file);
	dst->secret_host = g_strdup (dst->secret_host);
	dst->password_env = g_strdup (dst->password_env);
	dst->password_option = g_strdup (dst->password_option);
	dst->admin_user = g_strdup (dst->admin_user);
	dst->admin_separator = g_strdup (dst->admin_separator);
	dst->admin_password_file = g_strdup (dst->admin_password_file);
}

static MpSource *
source_new (const MpSourceOps *ops, const char *path, const MpSourceSettings *settings)
{
	MpSource *src = g_new0 (MpSource, 1);

	src->ops = ops;
	src->path = g_strdup (path);
	src->abs_path = ops == &mp_source_imap ? g_strdup (path) : g_canonicalize_filename (path, NULL);
	if (ops != &mp_source_imap)
		src->real_path = realpath (src->abs_path, NULL);
	settings_copy (&src->settings, settings);
	return src;
}

MpSource *
mp_source_open_with (const char *path, const MpSourceSettings *settings, GError **error)
{
	struct stat st;

	if (mp_source_imap.probe (path))
		return source_new (&mp_source_imap, path, settings);
	if (stat (path, &st) != 0) {
		int saved = errno;
		g_set_error (error, MP_ERROR, saved == ENOENT ? MP_ERROR_NOT_FOUND : MP_ERROR_READ,
		             "%s: %s", path, g_strerror (saved));
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
		if (backends[i]->probe (path))
			return source_new (backends[i], path, settings);
	if (S_ISDIR (st.st_mode))
		g_set_error (error, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE,
		             "%s: not a mail folder: no Maildir (cur/, new/) and no mbox file found in it",
		             path);
	else if (S_ISREG (st.st_mode) && access (path, R_OK) != 0)
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", path, g_strerror (errno));
	else
		g_set_error (error, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE,
		             "%s: not an mbox file (no \"From \" line starts a message), "
		             "not a Maildir and not a folder of mbox files", path);
	return NULL;
}

void
mp_source_free (MpSource *src)
{
	if (src == NULL)
		return;
	if (src->ops->close)
		src->ops->close (src);
	g_free (src->path);
	g_free (src->abs_path);
	free (src->real_path);
	if (src->notices != NULL)
		g_ptr_array_unref (src->notices);
	g_free ((char *) src->settings.ca_file);
	g_free ((char *) src->settings.password_file);
	g_free ((char *) src->settings.oauth2_token_file);
	g_free ((char *) src->settings.secret_host);
	g_free ((char *) src->settings.password_env);
	g_free ((char *) src->settings.password_option);
	g_free ((char *) src->settings.admin_user);
	g_free ((char *) src->settings.admin_separator);
	g_free ((char *) src->settings.admin_password_file);
	g_free (src);
}

gboolean
mp_source_is_network (const char *path)
{
	return mp_source_imap.probe (path);
}

char *
mp_source_server_key (const char *path)
{
	MpImapUrl url = { 0 };
	char *key;

	if (!mp_source_is_network (path) || !mp_imap_url_parse (path, &url, NULL))
		return NULL;
	key = g_strdup_printf ("%s:%u", url.host, (guint) url.port);
	mp_imap_url_clear (&url);
	return key;
}

char *
mp_source_secret_host (const char *const *paths)
{
	g_autofree char *host = NULL;

	for (gsize i = 0; paths[i] != NULL; i++) {
		MpImapUrl url;
		if (!mp_source_is_network (paths[i]) || !mp_imap_url_parse (paths[i], &url, NULL))
			continue;
		if (host == NULL) {
			host = g_strdup (url.host);
		} else if (g_ascii_strcasecmp (host, url.host) != 0) {
			mp_imap_url_clear (&url);
			return NULL;
		}
		mp_imap_url_clear (&url);
	}
	return g_steal_pointer (&host);
}

void
mp_source_take_secrets (void)
{
	mp_imap_secrets_take_env ();
}

guint
mp_source_default_jobs (const char *const *paths, guint connections)
{
	guint jobs = g_get_num_processors ();

	for (gsize i = 0; paths[i] != NULL; i++)
		if (mp_source_is_network (paths[i]))
			return MAX (jobs, connections ? connections : MP_DEFAULT_CONNECTIONS);
	return jobs;
}
