/* mime-fast.h — the light MIME walker: reads the common, well-formed message
 * straight from its bytes in memory and fills MpMessage exactly as the GMime
 * tree walk (mime-gmime.h) would, without building a GMime object tree;
 * both record through the same recorder (mime-record.h).
 *
 * It accepts only what it can prove GMime reads the same way: header blocks
 * of plain "Name: value" lines in 7-bit ASCII without CR or NUL, no
 * duplicated header GMime would warn about, no encoded word where it could
 * change a MIME header, RFC 2231 parameters, multipart boundaries that occur
 * only as whole, exact boundary lines, no message/ parts, and no warning
 * from any GMime helper it calls (it calls GMime's own parsers for every
 * header value it uses, except plain Content-Type and Content-Disposition
 * values: plain-field.h). Anything else is declined: it
 * returns FALSE with M untouched and the caller runs GMime as before.
 *
 * One MpMimeFast per MpAnalyzer (one thread). */
#pragma once

#include "mime-record.h"

G_BEGIN_DECLS

typedef struct _MpMimeFast MpMimeFast;

MpMimeFast *mp_mime_fast_new      (void);
void        mp_mime_fast_free     (MpMimeFast *f);
/* Reads the message BYTES (all of it; archives are listed from windows of
 * it, as GMime's persisted content streams) and, when it accepts, records
 * it into M through R as mp_mime_gmime_analyze() would and returns TRUE.
 * Returns FALSE, M untouched, when it declines. LIST_ARCHIVES and
 * MBOX_QUOTED as for mp_mime_gmime_analyze(). */
gboolean    mp_mime_fast_analyze  (MpMimeFast *f, MpMimeRecorder *r, GByteArray *bytes,
                                   gboolean list_archives, gboolean mbox_quoted, MpMessage *m);
/* It declines a message of more than MAX_PARTS MIME parts (none by
 * default; the analyzer sets MP_MIME_MAX_PARTS): the leaves it keeps
 * until it commits would grow with the parts. */
void        mp_mime_fast_set_max_parts (MpMimeFast *f, guint max_parts);
/* Messages accepted so far. */
guint64     mp_mime_fast_accepted (const MpMimeFast *f);
/* Why the last call declined (a short fixed phrase), NULL after an accept:
 * for the differential tools' statistics. */
const char *mp_mime_fast_last_decline (const MpMimeFast *f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMimeFast, mp_mime_fast_free)

G_END_DECLS
