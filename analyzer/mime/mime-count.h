/* mime-count.h — the streaming part counter: what the GMime tree walk
 * (mime-gmime.c) records of a message's structure — MIME parts, depth,
 * attachments, inline parts, nested attachments, flags and the attachment
 * list — read from its bytes in one pass, fed in chunks, in memory bounded
 * by the nesting depth and MAX_LISTED, never by the number of parts.
 *
 * Why: GMime builds the whole tree of a message before anything can walk
 * it, and each part costs it about 2 to 7 KB (issue 14: 751 MB for 100,000
 * parts in 5 MB; 1.6 GB for a 25 MB message of tiny parts). Past
 * MP_MIME_MAX_PARTS the analyzer does not build a tree: it counts with this
 * (mime-analyze.c) and records the problem too-many-parts.
 *
 * An approximation of GMime's reading, exact on regular mail (fuzz-mime-count
 * compares it with the light walker wherever that accepts a message): it
 * follows boundaries as whole lines ("--B" or "--B--", trailing blanks
 * allowed, innermost first) also inside a part's headers, attached
 * messages (message/rfc822, message/global, a multipart/digest entry
 * without Content-Type) as GMime parses them, and classifies each leaf with
 * the one attachment definition through the recorder (mime-record.h).
 * Header values it reads are kept up to 16 KiB (longer ones are cut);
 * nesting stops at GMime's own 1024 levels (nesting-overflow). Archives
 * are not listed; each attachment's size is counted on its stored bytes as
 * the tree walk counts it, for the first MAX_LISTED attachments, which are
 * all it lists.
 *
 * Two phases, as the light walker: feeding gathers facts in the counter's
 * own state; mp_mime_count_commit() writes a message. Internal to
 * analyzer/mime. */
#pragma once

#include "mime-record.h"

G_BEGIN_DECLS

/* Lines that begin with "--", fed in chunks: every MIME part but a
 * message's own body starts after such a line, so GMime makes at most
 * about twice as many parts as there are of them (one more inside each
 * attached message; nesting is bounded). Cheap (memchr for '-'): whether a
 * message needs counting at all. */
typedef struct {
	guint64  lines;
	gboolean line_start; /* the next octet starts a line */
	gboolean dash;       /* a line started with one '-' so far */
} MpDashLines;

void mp_dash_lines_init (MpDashLines *d);
void mp_dash_lines_feed (MpDashLines *d, const guint8 *buf, gsize len);

typedef struct _MpMimeCount MpMimeCount;

/* Reads the LEN octets at OFFSET into BUF (the message's own offsets);
 * returns how many were read, -1 on an error. */
typedef gssize (*MpMimeReadAt) (gpointer data, guint8 *buf, gsize len, guint64 offset);

/* A counter for one message. R is borrowed (charset checks); at most
 * MAX_LISTED attachments are listed. */
MpMimeCount *mp_mime_count_new    (MpMimeRecorder *r, guint max_listed);
void         mp_mime_count_free   (MpMimeCount *c);
/* The next LEN octets of the message, from its first. */
void         mp_mime_count_feed   (MpMimeCount *c, const guint8 *buf, gsize len);
/* The message ends here. */
void         mp_mime_count_finish (MpMimeCount *c);
/* MIME parts counted so far (mp_message's mime_parts). */
guint64      mp_mime_count_parts  (const MpMimeCount *c);
/* The offset just after the message's own header block (its empty line),
 * the length fed when the block never ended. */
guint64      mp_mime_count_header_end (const MpMimeCount *c);
/* The listed attachments (MpAttachment, in tree order, owned by C; their
 * sizes not read); finishes C. Range I below is attachment I. For the tree
 * walk's attached messages, whose stored bytes GMime cannot give
 * (mime-analyze.c). */
const GPtrArray *mp_mime_count_listed (MpMimeCount *c);
/* The stored size of listed attachment I (read back with READ_AT over DATA,
 * as mp_mime_count_commit() sizes each), 0 when I is not listed. */
guint64          mp_mime_count_stored_size (MpMimeCount *c, guint i, MpMimeReadAt read_at, gpointer data,
                                            gboolean mbox_quoted);
/* The bytes [START, RFC_END) of listed attachment I, read by RFC 2046
 * §5.1.1 (the line end before a delimiter is the delimiter's, also after a
 * close delimiter, where the stored size keeps it); finishes C. FALSE when
 * I is not listed. */
gboolean         mp_mime_count_attachment_range (MpMimeCount *c, guint i, guint64 *start, guint64 *rfc_end);
/* Records the structure into M (after finish): mime_parts, depth,
 * attachments, inline_parts, nested_attachments, flags, the listed
 * attachments with their sizes (read back with READ_AT over DATA; an mbox
 * message's quoting '>' not counted with MBOX_QUOTED) and the problems
 * found; not the header facts. */
void         mp_mime_count_commit (MpMimeCount *c, MpMessage *m, MpMimeReadAt read_at, gpointer data,
                                   gboolean mbox_quoted);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMimeCount, mp_mime_count_free)

G_END_DECLS
