/* imap-secret.h — where the password or OAuth2 access token of an account
 * comes from (the environment, a file, a prompt without echo), which host
 * it may go to, and how a secret is wiped when it is no longer needed.
 *
 * A secret is tied to its host. One given for the whole run
 * ($MAILPREFLIGHT_PASSWORD, --password-file, --oauth2-token-file) is only
 * used when every IMAP source of the run is on one host
 * (MpImapSecretOptions.host); sources on several hosts need a secret each
 * (a prompt per account, or later the per-account secrets of an accounts
 * file: mp_imap_secret_for() is the one lookup, by user and host). The
 * explicit --password-file wins over the environment.
 *
 * The environment is read once, early (mp_imap_secrets_take_env), then the
 * value is wiped in place and the variable unset, so neither children nor
 * /proc/PID/environ show it. While the process holds a secret it is not
 * dumpable (prctl PR_SET_DUMPABLE 0): no core file, no ptrace or
 * /proc/PID/mem by the same user.
 *
 * Secrets returned here are the caller's: free them with
 * mp_imap_secret_free(), which zeroes them first (OPENSSL_cleanse, which the
 * compiler may not remove), so they do not linger in freed heap memory.
 * Errors (domain MP_ERROR): MP_ERROR_USAGE when no secret was given, it is
 * not for this host, or it has the wrong shape; MP_ERROR_NOT_FOUND for a
 * missing file, MP_ERROR_READ for one that cannot be read. No message ever
 * holds the secret. */
#pragma once

#include "imap-url.h"

G_BEGIN_DECLS

/* The run's password in the environment; the target's (--target) has its
 * own, never the sources'. */
#define MP_IMAP_PASSWORD_ENV        "MAILPREFLIGHT_PASSWORD"
#define MP_IMAP_TARGET_PASSWORD_ENV "MAILPREFLIGHT_TARGET_PASSWORD"
/* An admin's, for an admin login to many accounts (never a user's). */
#define MP_IMAP_ADMIN_PASSWORD_ENV  "MAILPREFLIGHT_ADMIN_PASSWORD"

/* Where the secret of an account may come from in this run. */
typedef struct {
	const char *password_file; /* --password-file: the first line; wins over the environment */
	const char *token_file;    /* --oauth2-token-file: an OAuth2 access token instead */
	/* The one host (ASCII case-insensitive) every IMAP source of the run is
	 * on: the secret given for the run (environment or file) goes there
	 * only. NULL when they are on several hosts: none is used. */
	const char *host;
	gboolean    interactive;   /* may prompt on the terminal (per account) */
	/* The variable that holds this side's password, when not the run's
	 * (MP_IMAP_PASSWORD_ENV): `compare` reads its target with
	 * MP_IMAP_TARGET_PASSWORD_ENV and --target-password-file, tied to the
	 * target's host, so no server is ever sent another's password. NULL:
	 * MP_IMAP_PASSWORD_ENV. One of the three names above. */
	const char *password_env;
	const char *password_option; /* names PASSWORD_FILE in errors; NULL: --password-file */
} MpImapSecretOptions;

/* The secret of URL's user at URL's host: *PASSWORD, or *TOKEN when
 * O->token_file is given. In order: the token file, the password file, the
 * environment (each only when URL's host is O->host), then a prompt naming
 * user and host, when O->interactive and stdin is a terminal. Else
 * MP_ERROR_USAGE saying how to give one (and why the run's secret does not
 * apply here). Prompts are taken one at a time, whatever the thread (compare
 * opens both sides at once). */
gboolean mp_imap_secret_for (const MpImapUrl *url, const MpImapSecretOptions *o, char **password,
                             char **token, GError **error);
/* The admin's password for an admin login (imap-sasl.h, MpImapAdminLogin)
 * to URL, when URL's host is HOST (the run's one host, as in
 * MpImapSecretOptions): the first line of PASSWORD_FILE (warns when others
 * may read it), else $MAILPREFLIGHT_ADMIN_PASSWORD; else MP_ERROR_USAGE
 * saying how to give one. Never a prompt: an audit of many accounts runs
 * unattended. Never $MAILPREFLIGHT_PASSWORD, which is a user's. */
char    *mp_imap_admin_password_get (const MpImapUrl *url, const char *host,
                                     const char *password_file, GError **error);
/* Takes the three passwords' variables above out of
 * the environment (kept for mp_imap_secret_env). Call it first thing, before
 * any thread starts: unsetenv() races getenv() in other threads. Later
 * calls do nothing; without a call the first mp_imap_secret_env() does it. */
void     mp_imap_secrets_take_env (void);
/* A copy of what the environment variable NAME (one of the three above) held,
 * or NULL. */
char    *mp_imap_secret_env (const char *name);
/* The process is not dumpable from now on (a secret is in memory). */
void     mp_imap_secret_protect (void);
/* The OAuth2 access token in PATH (surrounding white space removed; at
 * most 64 KiB). */
char    *mp_imap_token_read   (const char *path, GError **error);
/* Zeroes and frees a secret; NULL is fine. */
void     mp_imap_secret_free  (char *secret);
/* Zeroes LEN octets at DATA (a buffer that held a secret). */
void     mp_imap_secret_wipe  (void *data, gsize len);

G_END_DECLS
