/* imap-target.h — the largest message a target IMAP server accepts, as it
 * announces it itself: "APPENDLIMIT=N" in its CAPABILITY (RFC 7889). A
 * preflight can then check the target's real limit instead of a table
 * (TARGET-LIMITS.md: Gmail announces APPENDLIMIT=35651584). */
#pragma once

#include "imap-client.h"
/* PASSWORD below is a secret: its callers free it with mp_imap_secret_free() */
#include "imap-secret.h"

G_BEGIN_DECLS

typedef struct {
	gboolean found;       /* the server announced a limit */
	guint64  limit;       /* octets, when found */
	gboolean with_user;   /* the URL named a user (a login could be tried) */
	char    *shown;       /* the URL as shown in messages, never with a secret */
	char    *login_error; /* why the login to ask again failed, or NULL */
} MpImapTargetLimit;

/* Connects to URL_TEXT (imap[s]://[USER@]HOST[:PORT]; no user is needed to
 * read the limit before login) with OPTIONS and reads APPENDLIMIT from the
 * CAPABILITY before login. Some servers (Gmail) announce it only after
 * login: when none was found, the URL has a user and PASSWORD is not NULL,
 * logs in and asks again (a failed login is no error: OUT->login_error
 * says why). Never logs in otherwise. FALSE with ERROR when the URL is bad
 * or the server cannot be reached. Clear OUT with mp_imap_target_limit_clear. */
gboolean mp_imap_target_read_limit (const char *url_text, const MpImapClientOptions *options,
                                    const char *password, MpImapTargetLimit *out, GError **error);
void     mp_imap_target_limit_clear (MpImapTargetLimit *t);

G_END_DECLS
