/* managesieve.h — a read-only ManageSieve client (RFC 5804): reads which
 * Sieve script is a user's active one and its text, so that forwarding
 * can be checked on IMAP accounts (sieve-script.h parses the text;
 * DEFINITIONS.md, "Forwarded").
 *
 * The server is the IMAP server's host, port 4190 (RFC 5804 §1.8). Like
 * imap:// it starts in clear and requires STARTTLS (RFC 5804 §2.2; there is
 * no implicit-TLS port); TLS goes through the same transport as IMAP
 * (imap-transport.h: TLS 1.2+, certificate and host name verified unless
 * asked not to), octets sent between STARTTLS's OK and the handshake are
 * refused (response injection), and the capabilities are read again after
 * it. Login is SASL (imap-sasl.h): PLAIN with the password, or with an
 * admin's password and the user as authorization identity or "user*admin"
 * (MpImapAdminLogin, as for IMAP); OAUTHBEARER / XOAUTH2 with a token.
 *
 * Read-only by construction: the client sends only CAPABILITY, STARTTLS,
 * AUTHENTICATE, LISTSCRIPTS, GETSCRIPT and LOGOUT (never PUTSCRIPT,
 * SETACTIVE, DELETESCRIPT, RENAMESCRIPT); a script larger than
 * max_script_size is refused before it is read.
 *
 * Errors (domain MP_ERROR), messages starting with "sieve://user@host:port: ":
 *   MP_ERROR_USAGE   options that cannot work (no TLS allowed, bad names)
 *   MP_ERROR_READ    the connection: refused, timed out, closed, TLS and
 *                    certificate failures, a response that breaks the
 *                    grammar or a limit, BYE; the client is then broken
 *   MP_ERROR_FAILED  the server said NO (authentication failed, no such
 *                    script); the connection is still usable
 * No message ever holds a password or token.
 *
 * One MpManageSieve is one connection, used by one thread at a time. It
 * copies its options; secrets stay the caller's. */
#pragma once

#include "imap-sasl.h"

G_BEGIN_DECLS

typedef struct _MpManageSieve MpManageSieve;

#define MP_MANAGESIEVE_DEFAULT_PORT 4190

typedef struct {
	const char *host;                 /* name or address */
	guint16     port;                 /* 0: 4190 */
	const char *user;                 /* whose scripts are read */
	const char *ca_file;              /* PEM trust anchors instead of the system store */
	gboolean    insecure_skip_verify; /* no certificate or host name check */
	gboolean    allow_plaintext;      /* a server without STARTTLS: secrets in clear */
	guint       timeout_ms;           /* each network wait; 0: 60 s */
	MpImapAdminLogin admin;           /* admin login (imap-sasl.h); user NULL: none */
	gsize       max_script_size;      /* octets; 0: 1 MiB (Pigeonhole's default limit) */
} MpManageSieveOptions;

/* A client (no I/O). */
MpManageSieve *mp_managesieve_new          (const MpManageSieveOptions *options);
/* Closes the connection without LOGOUT and frees everything. */
void           mp_managesieve_free         (MpManageSieve *m);
/* "sieve://user@host:port" (RFC 5804 §3), for messages. */
const char    *mp_managesieve_get_display  (const MpManageSieve *m);
/* Connects, reads the capabilities, does STARTTLS (refusing a server
 * without it unless allow_plaintext) and reads them again. */
gboolean       mp_managesieve_connect      (MpManageSieve *m, GError **error);
/* TRUE when the server advertises capability NAME ("STARTTLS", "SIEVE"...;
 * any case). */
gboolean       mp_managesieve_has_capability (const MpManageSieve *m, const char *name);
/* The value of capability NAME ("SASL" -> "PLAIN LOGIN"), or NULL. */
const char    *mp_managesieve_get_capability (const MpManageSieve *m, const char *name);
/* Logs in (see above): with OAUTH2_TOKEN by OAUTHBEARER or XOAUTH2, else
 * with PASSWORD by PLAIN. Never sends a secret without TLS unless
 * allow_plaintext. */
gboolean       mp_managesieve_authenticate (MpManageSieve *m, const char *password,
                                            const char *oauth2_token, GError **error);
/* LISTSCRIPTS: *NAMES (transfer full, char*, may be NULL to ignore) the
 * user's scripts; *ACTIVE (transfer full) the active one, or NULL when none
 * is active. */
gboolean       mp_managesieve_list_scripts (MpManageSieve *m, GPtrArray **names, char **active,
                                            GError **error);
/* GETSCRIPT NAME: the script's octets (transfer full). */
GBytes        *mp_managesieve_get_script   (MpManageSieve *m, const char *name, GError **error);
/* LOGOUT and close (best effort, bounded by the timeout). Must still be
 * freed. */
void           mp_managesieve_logout       (MpManageSieve *m);
/* TRUE after an MP_ERROR_READ. */
gboolean       mp_managesieve_is_broken    (const MpManageSieve *m);

/* All of it: connect, log in, LISTSCRIPTS, GETSCRIPT of the active script,
 * LOGOUT. TRUE with *NAME and *SCRIPT NULL when no script is active (the
 * user has Sieve but forwards nothing through it). */
gboolean       mp_managesieve_fetch_active (const MpManageSieveOptions *options,
                                            const char *password, const char *oauth2_token,
                                            char **name, GBytes **script, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpManageSieve, mp_managesieve_free)

G_END_DECLS
