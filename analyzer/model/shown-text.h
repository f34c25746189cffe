/* shown-text.h — text the tool did not write itself (a SOURCE argument, a
 * folder name, a server's error text), made safe to record and to show:
 *
 *   mp_text_redact_passwords  the password of every URL's userinfo
 *                             ("imaps://alice:secret@host") as "***", for
 *                             whatever is recorded (reports, the command
 *                             line, errors): passwords never in reports
 *   mp_text_for_terminal      no control characters, for a terminal: a
 *                             folder name or a server's text must not set
 *                             the window title or clear the screen
 *
 * Both return a new string (g_free), never NULL for a non-NULL TEXT. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TEXT with the password of each "SCHEME://USER:PASSWORD@HOST" in it
 * replaced by "***" (RFC 3986 §3.2.1 deprecates it: "user:password" in
 * userinfo). What has no "://" or no ':' before the authority's last '@'
 * is returned unchanged. NULL gives NULL. */
char *mp_text_redact_passwords (const char *text);
/* In place on each string of a NULL-terminated vector (argv). */
void  mp_text_redact_passwords_strv (char **strv);

/* TEXT as valid UTF-8 (invalid bytes as U+FFFD) with every C0 control,
 * DEL and C1 control (U+0080-U+009F: 8-bit CSI and OSC included) replaced
 * by '?', cut at MAX_CHARS characters with "..." (-1: no cut). Line ends
 * are controls too: the result is always one line. */
char *mp_text_for_terminal (const char *text, glong max_chars);

G_END_DECLS
