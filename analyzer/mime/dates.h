/* dates.h — every date mailpreflight reads or writes (DEFINITIONS.md,
 * "Dates"): the one ISO 8601 form of the reports, the Date: syntax checks,
 * and the date of an mbox From_ line. GMime parses the Date: value itself
 * (g_mime_utils_header_decode_date); what it accepts silently but strict
 * importers refuse is checked here. */
#pragma once

#include "message.h"

G_BEGIN_DECLS

/* The ISO 8601 form used in every report ("2019-03-12T10:00:00+01:00"). */
char      *mp_format_date (GDateTime *dt);

/* The Date: syntax checks strict importers apply (Google DMS wants a
 * 4-digit year and a time within 00:00:00-23:59:60, TARGET-LIMITS.md [22]):
 * adds two-digit-year and invalid-time to M for the raw value RAW. Used for
 * a Date: header read locally and for IMAP's ENVELOPE date alike. */
void       mp_date_check_syntax (MpMessage *m, const char *raw);

/* Parses the date of an mbox From_ line ("From a@b Tue Mar 12 10:00:00 2019").
 * Returns NULL when there is none. */
GDateTime *mp_parse_from_line_date (const char *from_line);

G_END_DECLS
