/* mutf7.h — IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3), as
 * Dovecot also uses it for Maildir++ folder names on disk. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Decodes NAME to UTF-8. Returns NULL when NAME is not valid modified UTF-7
 * (the caller then shows it as it is, made safe), and for a name holding a
 * control character (C0, DEL or C1), raw or encoded: U+0000 would cut the
 * name, ESC would reach the terminal. */
char *mp_mutf7_decode (const char *name);
/* Encodes UTF8 (valid UTF-8) as modified UTF-7: what the server calls a
 * folder whose name the user typed. */
char *mp_mutf7_encode (const char *utf8);

G_END_DECLS
