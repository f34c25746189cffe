/* imap-args.c — see imap-args.h. */
#include "imap-args.h"

/* The ranges every command takes (0: the default). In milliseconds a
 * timeout must fit a guint: 4294968 s would wrap to 704 ms. */
#define MAX_CONNECTIONS     64
#define MAX_TIMEOUT_S       3600
#define MAX_COMMAND_TIMEOUT 86400

#define N_USES 4

/* One option: its name, what it fills, and its --help text for each use
 * (NULL: that use does not offer it). */
typedef struct {
	const char   *name;
	guint         needs;      /* MpImapArgsOptions; 0: always offered */
	GOptionArg    arg;
	gsize         offset;     /* of the field in MpImapArgs */
	const char   *help[N_USES];
	const char   *arg_description[N_USES];
} Option;

#define FIELD(f) G_STRUCT_OFFSET (MpImapArgs, f)
#define SAME(x) { x, x, x, x }

static const Option options[] = {
	{ "password-file", 0, G_OPTION_ARG_FILENAME, FIELD (password_file), {
		"IMAP: read the password from the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a "
		"prompt); used only when every IMAP source is on the same host",
		"IMAP: read the password from the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a prompt)",
		"IMAP source: the password is the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a prompt); "
		"sent to the source's host only",
		"IMAP target: its password is the first line of FILE (else $MAILPREFLIGHT_TARGET_PASSWORD, else a "
		"prompt); sent to the target's host only, and the source's password is never sent to the target",
	  }, SAME ("FILE") },
	{ "oauth2-token-file", 0, G_OPTION_ARG_FILENAME, FIELD (oauth2_token_file), {
		"IMAP: log in with the OAuth2 access token in FILE (XOAUTH2 / OAUTHBEARER)",
		"IMAP: log in with the OAuth2 access token in FILE",
		"IMAP source: log in with the OAuth2 access token in FILE",
		"IMAP target: log in with the OAuth2 access token in FILE (Microsoft 365, Gmail)",
	  }, SAME ("FILE") },
	{ "ca-file", 0, G_OPTION_ARG_FILENAME, FIELD (ca_file), {
		"IMAP: trust the certificates in FILE (PEM) instead of the system store",
		"IMAP: trust the certificates in FILE (PEM) instead of the system store",
		"IMAP source: trust the certificates in FILE (PEM) instead of the system store",
		"IMAP target: trust the certificates in FILE (PEM) instead of the system store",
	  }, SAME ("FILE") },
	{ "insecure-skip-verify", 0, G_OPTION_ARG_NONE, FIELD (insecure_skip_verify), {
		"IMAP: do not verify the server's certificate (dangerous; recorded in the report)",
		"IMAP: do not verify the server's certificate (dangerous)",
		"IMAP source: do not verify the server's certificate (dangerous)",
		"IMAP target: do not verify the server's certificate (dangerous)",
	  }, SAME (NULL) },
	{ "allow-plaintext", 0, G_OPTION_ARG_NONE, FIELD (allow_plaintext), {
		"IMAP: allow imap:// without STARTTLS, sending the password unencrypted",
		"IMAP: allow imap:// without STARTTLS, sending the password unencrypted",
		"IMAP source: allow imap:// without STARTTLS",
		"IMAP target: allow imap:// without STARTTLS",
	  }, SAME (NULL) },
	{ "connections", MP_IMAP_ARGS_CONNECTIONS, G_OPTION_ARG_INT, FIELD (connections), {
		"IMAP: parallel connections per account (default 4; servers throttle more)",
		NULL,
		"IMAP: parallel connections per side (default 4)",
		NULL,
	  }, SAME ("N") },
	{ "timeout", MP_IMAP_ARGS_TIMEOUT, G_OPTION_ARG_INT, FIELD (timeout_s), {
		"IMAP: seconds to wait for the server before giving up (default 60)",
		"IMAP: seconds to wait for the server before giving up (default 60)",
		"IMAP: seconds to wait for a server before giving up (default 60)",
		NULL,
	  }, SAME ("SECONDS") },
	{ "command-timeout", MP_IMAP_ARGS_COMMAND_TIMEOUT, G_OPTION_ARG_INT, FIELD (command_timeout_s), {
		"IMAP: seconds one command may take in all, however busy the server seems (default 600)",
		"IMAP: seconds one command may take in all (default 600)",
		NULL, NULL,
	  }, SAME ("SECONDS") },
	{ "admin-user", MP_IMAP_ARGS_ADMIN, G_OPTION_ARG_STRING, FIELD (admin_user), {
		"IMAP: log in to every account as this admin (SASL PLAIN with the account as authorization "
		"identity; password: $MAILPREFLIGHT_ADMIN_PASSWORD or --admin-password-file)",
		"IMAP: log in as this admin (master user) into the URL's user's mailbox: SASL PLAIN with the user "
		"as authorization identity; the admin's password from --admin-password-file or "
		"$MAILPREFLIGHT_ADMIN_PASSWORD",
		NULL, NULL,
	  }, { "NAME", "ADMIN", NULL, NULL } },
	{ "admin-separator", MP_IMAP_ARGS_ADMIN, G_OPTION_ARG_STRING, FIELD (admin_separator), {
		"IMAP: log in as USER<SEP>ADMIN instead (Dovecot's master user form: '*')",
		"IMAP: log in as \"USER<SEP>ADMIN\" instead (Dovecot's auth_master_user_separator, e.g. '*')",
		NULL, NULL,
	  }, SAME ("SEP") },
	{ "admin-password-file", MP_IMAP_ARGS_ADMIN, G_OPTION_ARG_FILENAME, FIELD (admin_password_file), {
		"IMAP: the admin's password is the first line of FILE",
		"IMAP: the admin's password, first line of FILE",
		NULL, NULL,
	  }, SAME ("FILE") },
};

void
mp_imap_args_add_to_group (MpImapArgs *args, GOptionGroup *group, MpImapArgsUse use, guint offered)
{
	args->prefix = use == MP_IMAP_ARGS_USE_COMPARE_TARGET ? "target-" : "";
	args->options = offered;
	if (args->names == NULL)
		args->names = g_ptr_array_new_with_free_func (g_free);
	for (gsize i = 0; i < G_N_ELEMENTS (options); i++) {
		const Option *o = &options[i];
		char *name;

		if ((o->needs & offered) != o->needs || o->help[use] == NULL)
			continue;
		name = g_strconcat (args->prefix, o->name, NULL);
		g_ptr_array_add (args->names, name);
		{
			/* copied by g_option_group_add_entries; the name is not (ARGS keeps it) */
			const GOptionEntry entry[] = {
				{ name, 0, 0, o->arg, (char *) args + o->offset, o->help[use], o->arg_description[use] },
				{ NULL }
			};
			g_option_group_add_entries (group, entry);
		}
	}
}

gboolean
mp_imap_args_in_range (const MpImapArgs *args)
{
	return args->connections >= 0 && args->connections <= MAX_CONNECTIONS &&
	       args->timeout_s >= 0 && args->timeout_s <= MAX_TIMEOUT_S &&
	       args->command_timeout_s >= 0 && args->command_timeout_s <= MAX_COMMAND_TIMEOUT;
}

gboolean
mp_imap_args_check_ranges (const MpImapArgs *args, GError **error)
{
	g_autoptr(GString) ranges = g_string_new (NULL);

	if (mp_imap_args_in_range (args))
		return TRUE;
	/* "--connections is from 1 to 64, --timeout from 1 to 3600 seconds, ..." */
	if (args->options & MP_IMAP_ARGS_CONNECTIONS)
		g_string_append_printf (ranges, "--%sconnections%s from 1 to %d", args->prefix,
		                        ranges->len ? "" : " is", MAX_CONNECTIONS);
	if (args->options & MP_IMAP_ARGS_TIMEOUT)
		g_string_append_printf (ranges, "%s--%stimeout%s from 1 to %d seconds", ranges->len ? ", " : "",
		                        args->prefix, ranges->len ? "" : " is", MAX_TIMEOUT_S);
	if (args->options & MP_IMAP_ARGS_COMMAND_TIMEOUT)
		g_string_append_printf (ranges, "%s--%scommand-timeout%s from 1 to %d seconds", ranges->len ? ", " : "",
		                        args->prefix, ranges->len ? "" : " is", MAX_COMMAND_TIMEOUT);
	g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE, ranges->str);
	return FALSE;
}

gboolean
mp_imap_args_check_admin (const MpImapArgs *args, GError **error)
{
	if ((args->admin_separator != NULL || args->admin_password_file != NULL) && args->admin_user == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--%sadmin-separator and --%sadmin-password-file need "
		             "--%sadmin-user", args->prefix, args->prefix, args->prefix);
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_imap_args_warn (const MpImapArgs *args)
{
	if (!args->insecure_skip_verify)
		return FALSE;
	g_printerr ("mailpreflight: WARNING: --%sinsecure-skip-verify: the IMAP server's certificate is NOT "
	            "verified; anyone on the network path can read the password and the mail.\n", args->prefix);
	return TRUE;
}

void
mp_imap_args_apply (const MpImapArgs *args, MpSourceSettings *net)
{
	net->ca_file = args->ca_file;
	net->insecure_skip_verify = args->insecure_skip_verify;
	net->allow_plaintext = args->allow_plaintext;
	net->password_file = args->password_file;
	net->oauth2_token_file = args->oauth2_token_file;
	net->connections = (guint) MAX (args->connections, 0);
	net->timeout_ms = (guint) MAX (args->timeout_s, 0) * 1000;
	net->command_timeout_ms = (guint) MAX (args->command_timeout_s, 0) * 1000;
	net->admin_user = args->admin_user;
	net->admin_separator = args->admin_separator;
	net->admin_password_file = args->admin_password_file;
}

void
mp_imap_args_apply_fix (const MpImapArgs *args, MpFixImapOptions *opt)
{
	opt->ca_file = args->ca_file;
	opt->insecure_skip_verify = args->insecure_skip_verify;
	opt->allow_plaintext = args->allow_plaintext;
	opt->password_file = args->password_file;
	opt->oauth2_token_file = args->oauth2_token_file;
	opt->timeout_ms = (guint) MAX (args->timeout_s, 0) * 1000;
	opt->command_timeout_ms = (guint) MAX (args->command_timeout_s, 0) * 1000;
	opt->admin_user = args->admin_user;
	opt->admin_separator = args->admin_separator;
	opt->admin_password_file = args->admin_password_file;
}

void
mp_imap_args_clear (MpImapArgs *args)
{
	g_clear_pointer (&args->password_file, g_free);
	g_clear_pointer (&args->oauth2_token_file, g_free);
	g_clear_pointer (&args->ca_file, g_free);
	g_clear_pointer (&args->admin_user, g_free);
	g_clear_pointer (&args->admin_separator, g_free);
	g_clear_pointer (&args->admin_password_file, g_free);
	g_clear_pointer (&args->names, g_ptr_array_unref);
}
