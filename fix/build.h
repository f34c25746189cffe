/* build.h — the bytes of the messages a fix writes, assembled from the
 * original's own byte ranges (cut.h) and a few generated texts:
 *
 *   part 1     the original header block byte for byte (but for
 *              Content-Length, Lines and X-UID, which describe the original's
 *              body or UID and are dropped from every part; plus
 *              X-Mailpreflight-Split and, after a detach,
 *              X-Mailpreflight-Detached), the preamble, the body units and
 *              the attachments packed into it, placeholders of detached
 *              attachments, and a text/plain listing every attachment and
 *              the part it went to; the epilogue
 *   part k/N   the original header block with "[part k/N]" before the
 *              Subject, a new Message-ID, In-Reply-To and References to the
 *              original's (so clients thread the parts), and
 *              X-Mailpreflight-Split naming the original and the part;
 *              then its attachments
 *
 * Every part keeps the original multipart/mixed boundary: it is known not to
 * occur in any unit (that is how the units were cut). A part is a
 * GMimeStreamCat of memory streams and substreams of the original, so a
 * 40 MB message is never copied into memory to be split. Generated text is
 * 7-bit (base64 when a name is not ASCII), no line begins with "From " or
 * "--", and nothing from the message goes unfiltered into a header. */
#pragma once

#include "plan.h"

G_BEGIN_DECLS

typedef struct {
	guint        k, n;
	GMimeStream *stream;      /* the part's canonical bytes */
	guint64      size;        /* their CRLF octets, as planned */
	guint        attachments; /* as planned */
	char        *message_id;  /* with angle brackets; NULL when it has none */
} MpFixPart;

void         mp_fix_part_free (MpFixPart *p);

/* The Message-ID of part K of N (with angle brackets): the original's for
 * part 1 (a new one when it has none), else a new unique one. */
char        *mp_fix_part_message_id (const MpFixBuildInfo *info, guint k, guint n);
/* The header block of part K of N (its empty line included). DETACHED:
 * attachments detached from the message (part 1 says so). */
GByteArray  *mp_fix_part_header (const MpFixCut *cut, const MpFixBuildInfo *info, guint k, guint n,
                                 guint detached);
/* The text/plain entity (headers and body) listing each attachment of PLAN
 * and its part; with WORST, every part number is N (for the largest text). */
GByteArray  *mp_fix_listing     (const MpFixPlan *plan, const MpFixBuildInfo *info, guint n, gboolean worst,
                                 const char *eol);
/* The text/plain entity put in place of a detached attachment. */
GByteArray  *mp_fix_placeholder (const char *name, const char *type, guint64 size, const char *sha256,
                                 const char *where, const char *why, const char *eol);
/* The CRLF octets of DATA (DEFINITIONS.md). */
guint64      mp_fix_crlf_size   (const guint8 *data, gsize len);
/* The CRLF octets of [R.start, R.end) of STREAM, read in chunks. */
gboolean     mp_fix_range_crlf_size (GMimeStream *stream, MpFixRange r, guint64 *size, GError **error);

/* The parts of PLAN (MpFixPart*, k = 1..N). */
GPtrArray   *mp_fix_build       (const MpFixPlan *plan, const MpFixBuildInfo *info, GError **error);

G_END_DECLS
