/* imap-sasl.h — the client side of the SASL mechanisms mailpreflight logs
 * in with (RFC 4422): PLAIN (RFC 4616) for passwords, OAUTHBEARER
 * (RFC 7628) and Google's XOAUTH2 for OAuth2 access tokens. It builds the
 * messages and answers the server's challenges; it sends nothing. IMAP's
 * AUTHENTICATE (RFC 3501 §6.2.2, with SASL-IR, RFC 4959) frames them in
 * imap-client.c; ManageSieve's AUTHENTICATE (RFC 5804 §2.1) frames the same
 * base64 strings as quoted strings.
 *
 * Every mechanism here sends its credentials in the initial response; the
 * only challenge that follows is a failure: OAUTHBEARER and XOAUTH2 send an
 * error as a base64 JSON challenge and wait for an answer before the
 * server's final NO (RFC 7628 §3.2.3); it is kept so the error message can
 * say why (e.g. "invalid_token").
 *
 * It also says who logs in for an admin login (MpImapAdminLogin): one
 * admin credential reads every user's mailbox, through PLAIN's
 * authorization identity or Dovecot's "user*admin" login name; IMAP and
 * ManageSieve use it alike.
 *
 * Ownership: an MpImapSasl copies the credentials it is given and zeroes
 * them (imap-secret.h) when freed. Strings it returns are its own. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpImapSasl MpImapSasl;

/* ---- Admin login ---------------------------------------------------- */

/* How an admin logs in as another user with the admin's own password
 * (auditing every account of a server with one credential). */
typedef enum {
	/* SASL PLAIN with an authorization identity (RFC 4616 §2): authzid =
	 * the user, authcid = the admin. Dovecot master users, Cyrus admins
	 * (and other servers implementing RFC 4616 proxy authorization). */
	MP_IMAP_ADMIN_AUTHZID = 0,
	/* The login name "user*admin" (Dovecot's auth_master_user_separator),
	 * by any password mechanism: PLAIN without authzid, or IMAP LOGIN. */
	MP_IMAP_ADMIN_SEPARATOR,
} MpImapAdminForm;

typedef struct {
	const char     *user;      /* the admin's login; NULL: no admin login */
	MpImapAdminForm form;
	const char     *separator; /* MP_IMAP_ADMIN_SEPARATOR's; NULL: "*" */
} MpImapAdminLogin;

#define MP_IMAP_DEFAULT_ADMIN_SEPARATOR "*"

/* The identities that log in as USER (ADMIN NULL or without a user: USER
 * itself), each newly allocated: *AUTHZID (NULL when none) and *AUTHCID,
 * the name whose password is checked. FALSE with MP_ERROR_USAGE for an
 * empty name, a name holding \001, CR or LF, or a separator found in
 * either name (the server would split the login name elsewhere). */
gboolean    mp_imap_admin_identities (const char *user, const MpImapAdminLogin *admin,
                                      char **authzid, char **authcid, GError **error);

/* ---- SASL exchanges --------------------------------------------------- */

/* PLAIN (RFC 4616 §2) for AUTHCID with PASSWORD, acting as AUTHZID (NULL
 * or "": as itself). Neither name may hold \001, CR or LF. */
MpImapSasl *mp_imap_sasl_new_plain (const char *authzid, const char *authcid,
                                    const char *password);
/* An exchange by MECHANISM ("PLAIN", "XOAUTH2", "OAUTHBEARER"; any case)
 * for USER with SECRET: the password for PLAIN, else the access token.
 * HOST and PORT are the server's, which OAUTHBEARER names (RFC 7628 §3.1).
 * NULL for another mechanism. USER must not hold \001, CR or LF. */
MpImapSasl *mp_imap_sasl_new (const char *mechanism, const char *user, const char *host,
                              guint16 port, const char *secret);
/* Zeroes the secrets and frees S; NULL is fine. */
void        mp_imap_sasl_free (MpImapSasl *s);
/* The mechanism's name, upper-cased. */
const char *mp_imap_sasl_get_mechanism (const MpImapSasl *s);

/* The initial response, base64 (a secret): sent with the command when the
 * server allows it (SASL-IR), else as the answer to the first, empty
 * challenge (mp_imap_sasl_step() does that). Calling this counts it as
 * sent. */
const char *mp_imap_sasl_initial_response (MpImapSasl *s);
/* The answer to the server's challenge CHALLENGE (LEN octets of base64 text
 * as sent), base64 without a line end: the initial response if it has not
 * been sent, the answer that asks for the final result after a failure
 * challenge ("AQ==", \001, for OAUTHBEARER; "" for XOAUTH2), and "*" (give
 * up: RFC 3501 §6.2.2, RFC 5804 §2.1) to anything else. */
const char *mp_imap_sasl_step (MpImapSasl *s, const char *challenge, gsize len);
/* The decoded failure challenge (untrusted octets, may hold NUL; *LEN of
 * them), or NULL when none came. */
const char *mp_imap_sasl_get_failure (const MpImapSasl *s, gsize *len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapSasl, mp_imap_sasl_free)

G_END_DECLS
