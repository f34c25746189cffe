/* imap-date.h — IMAP's own date-time syntax (RFC 3501 §9 date-time, the
 * value of INTERNALDATE: "17-Jul-1996 02:44:25 -0700"). Message dates in
 * ENVELOPE are the Date: header's RFC 5322 text instead, read by the MIME
 * room like a local copy's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* S as a GDateTime in its own zone, or NULL when S is NULL or not a
 * date-time. Lenient where servers differ: surrounding white space, a day
 * below 10 with or without its leading space, month names in any case, and
 * a leap second read as :59. Strict where a server could lead us astray:
 * the zone is "+hhmm" or "-hhmm", never a zone name. */
GDateTime *mp_imap_date_time_parse (const char *s);

G_END_DECLS
