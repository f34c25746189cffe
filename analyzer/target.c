/* target.c — see target.h. */
#include "target.h"
#include "imap-target.h"

#include <string.h>

void
mp_target_limit_clear (MpTargetLimit *t)
{
	g_clear_pointer (&t->origin, g_free);
	g_clear_pointer (&t->notes, g_ptr_array_unref);
	memset (t, 0, sizeof *t);
}

gboolean
mp_target_read_limit (const char *url, const MpSourceSettings *net, MpTargetLimit *out, GError **error)
{
	MpImapClientOptions opt = { 0 };
	MpImapTargetLimit t = { 0 };
	/* the target's own password, never the sources' (imap-secret.h) */
	char *password = mp_imap_secret_env (MP_IMAP_TARGET_PASSWORD_ENV);
	gboolean ok;

	memset (out, 0, sizeof *out);
	out->notes = g_ptr_array_new_with_free_func (g_free);
	opt.ca_file = net->ca_file;
	opt.insecure_skip_verify = net->insecure_skip_verify;
	opt.allow_plaintext = net->allow_plaintext;
	opt.timeout_ms = net->timeout_ms;
	opt.command_timeout_ms = net->command_timeout_ms;
	ok = mp_imap_target_read_limit (url, &opt, password, &t, error);
	if (!ok) {
		mp_imap_secret_free (password);
		mp_target_limit_clear (out);
		return FALSE;
	}
	if (t.login_error != NULL)
		g_ptr_array_add (out->notes, g_strdup_printf ("--target: %s", t.login_error));
	if (t.found) {
		out->found = TRUE;
		out->limit = t.limit;
		out->origin = g_strdup_printf ("APPENDLIMIT=%" G_GUINT64_FORMAT " announced by %s", t.limit, t.shown);
	} else {
		g_ptr_array_add (out->notes, g_strdup_printf (
			"--target %s announces no APPENDLIMIT%s: the rules' own limits apply", t.shown,
			t.with_user && password == NULL
			? " before login (set MAILPREFLIGHT_TARGET_PASSWORD to log in and ask again)" : ""));
	}
	mp_imap_target_limit_clear (&t);
	mp_imap_secret_free (password);
	return TRUE;
}
