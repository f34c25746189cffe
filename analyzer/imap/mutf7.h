/* mutf7.h — IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3), as
 * Dovecot also uses it for Maildir++ folder names on disk. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes NAME to UTF-8. Returns NULL when NAME is not valid modified UTF-7
 * (the caller then shows it as it is). */
char *mp_mutf7_decode (const char *name);

G_END_DECLS
