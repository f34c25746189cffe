/* imap-url.h — the IMAP URLs mailpreflight takes on its command line:
 * imaps://USER@HOST[:PORT][/FOLDER] (implicit TLS, RFC 8314, port 993) or
 * imap://USER@HOST[:PORT][/FOLDER] (STARTTLS, RFC 3501 §6.2.1, port 143).
 * A subset of RFC 5092: no password (it would show in process lists), no
 * ";AUTH=" (--auth-mechanism says it), no query or fragment. HOST may be a
 * name, an IPv4 address or an IPv6 address in brackets (RFC 3986 §3.2.2).
 *
 * Errors (domain MP_ERROR, code MP_ERROR_USAGE) start with "IMAP URL " and
 * the URL, any "user:password@" shown as "user:***@". */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct {
	gboolean implicit_tls; /* imaps:// */
	char    *user;         /* percent-decoded */
	char    *host;         /* without brackets */
	guint16  port;
	char    *folder;       /* percent-decoded UTF-8, or NULL for "all folders" */
	char    *display;      /* the URL as given, for messages (it cannot hold a password) */
} MpImapUrl;

/* Parses URL into OUT (cleared first). FALSE with MP_ERROR_USAGE naming the
 * URL (a password in it is never repeated) and the problem. */
gboolean mp_imap_url_parse (const char *url, MpImapUrl *out, GError **error);
/* Copies SRC into DST (DST's old contents are not freed). A SRC without a
 * display string gets "SCHEME://USER@HOST:PORT". */
void     mp_imap_url_copy  (MpImapUrl *dst, const MpImapUrl *src);
/* Frees the strings of U and zeroes it; safe on a zeroed struct. */
void     mp_imap_url_clear (MpImapUrl *u);

G_END_DECLS
