/* mime-gmime.h — the GMime tree walk: parses a message with GMime and
 * hands what it finds to the recorder (mime-record.h). It reads anything
 * GMime reads, so it is the path of every message the light walker
 * (mime-fast.h) declines, and of every message too large to be read into
 * memory. GMime's parser warnings become problems on the message
 * (STYLE.md habit 7).
 *
 * One MpMimeGmime per analyzer (one thread): it holds the GMime parser
 * options, which are not shared between threads (GMIME-IMAP-FACTS §5).
 * Internal to analyzer/mime. */
#pragma once

#include "mime-record.h"

G_BEGIN_DECLS

typedef struct _MpMimeGmime MpMimeGmime;

MpMimeGmime *mp_mime_gmime_new     (void);
void         mp_mime_gmime_free    (MpMimeGmime *g);

/* Parses STREAM from its current position to its end as one message
 * (GMIME_FORMAT_MESSAGE, persist on: part contents stay offsets into
 * STREAM, so a large attachment is never copied into memory) and records
 * it into M through R. LIST_ARCHIVES: list the entries of attached
 * archives. MBOX_QUOTED: the bytes come from an mbox, so each ^>+From line
 * carries a quoting '>' that attachment sizes do not count. A message GMime
 * cannot parse is a problem recorded in M, never an error. */
void         mp_mime_gmime_analyze (MpMimeGmime *g, MpMimeRecorder *r, GMimeStream *stream,
                                    gboolean list_archives, gboolean mbox_quoted, MpMessage *m);

/* Records the header facts of the message whose header block (its empty
 * line included, nothing after it) is HEADERS: Date, From, Subject,
 * Message-ID and their problems, and GMime's warnings about header fields;
 * not what it would say of the missing body. For a message whose
 * structure the streaming counter reads (mime-count.h). */
void         mp_mime_gmime_analyze_headers (MpMimeGmime *g, MpMimeRecorder *r, GMimeStream *headers,
                                            MpMessage *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMimeGmime, mp_mime_gmime_free)

G_END_DECLS
