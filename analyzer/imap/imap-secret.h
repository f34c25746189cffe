/* imap-secret.h — where the password or OAuth2 access token of an account
 * comes from (the environment, a file, a prompt without echo), and how a
 * secret is wiped when it is no longer needed.
 *
 * Secrets returned here are the caller's: free them with
 * mp_imap_secret_free(), which zeroes them first (OPENSSL_cleanse, which the
 * compiler may not remove), so they do not linger in freed heap memory.
 * Errors (domain MP_ERROR): MP_ERROR_USAGE when no secret was given or it
 * has the wrong shape, MP_ERROR_NOT_FOUND for a missing file, MP_ERROR_READ
 * for one that cannot be read. No message ever holds the secret. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

/* The password: $MAILPREFLIGHT_PASSWORD, else the first line of
 * PASSWORD_FILE (warns when it is readable by group or others), else, when
 * INTERACTIVE and stdin is a terminal, a prompt without echo on /dev/tty;
 * else MP_ERROR_USAGE saying how to give one. */
char *mp_imap_password_get (const char *password_file, gboolean interactive, GError **error);
/* The admin's password for an admin login (imap-sasl.h, MpImapAdminLogin):
 * $MAILPREFLIGHT_ADMIN_PASSWORD, else the first line of PASSWORD_FILE
 * (warns when it is readable by group or others); else MP_ERROR_USAGE
 * saying how to give one. Never a prompt: an audit of many accounts runs
 * unattended. Never $MAILPREFLIGHT_PASSWORD, which is a user's. */
char *mp_imap_admin_password_get (const char *password_file, GError **error);
/* The OAuth2 access token in PATH (surrounding white space removed; at
 * most 64 KiB). */
char *mp_imap_token_read   (const char *path, GError **error);
/* Zeroes and frees a secret; NULL is fine. */
void  mp_imap_secret_free  (char *secret);
/* Zeroes LEN octets at DATA (a buffer that held a secret). */
void  mp_imap_secret_wipe  (void *data, gsize len);

G_END_DECLS
