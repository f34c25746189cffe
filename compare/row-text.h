/* row-text.h — one row of a comparison in words, the same in every format
 * (CSV, HTML, the terminal; JSON keeps the parts apart). */
#pragma once

#include "outcome.h"

G_BEGIN_DECLS

/* The rules that predicted a missing message (severity warning or error),
 * "too-large;folder-names"; "" when none. */
char *mp_compare_row_rules   (const MpCompareRow *row);
/* For people: why it is missing (the rules' details), what changed
 * ("size 2048 -> 9000 B; subject 'a' -> 'b'"), or what an extra message is.
 * Free with g_free. */
char *mp_compare_row_detail  (const MpCompareRow *row, const MpSizeTolerance *tolerance);
/* Does REASON predict (severity warning or error)? */
gboolean mp_compare_reason_predicts (const MpRecordReason *reason);

G_END_DECLS
