/* source-imap-content.h — the content checks of an IMAP source, at the
 * edge between the protocol and the MIME reader: the octets of the
 * sections a plan fetched (imap-content-plan.h), streamed as they arrive,
 * and what they say about the message.
 *
 * The parser hands the literals of BODY[...] items to an
 * MpImapContentStream (one per connection), which counts lines on the fly
 * (RFC 5322 octets, bare LF counted as CRLF) and spools the sections of
 * wanted attachments to an unlinked temporary file; nothing is held in
 * memory whole. Applying a FETCH response then gives the message its
 * longest line, the listings of its archive attachments (decoded with
 * GMime's filters, listed by libarchive: archive-list.h) and what was
 * downloaded. */
#pragma once

#include "imap-content-plan.h"
#include "imap-parser.h"
#include "octets.h"

G_BEGIN_DECLS

/* ---- streaming the literals ------------------------------------------ */

typedef struct _MpImapContentStream MpImapContentStream;

MpImapContentStream *mp_imap_content_stream_new  (void);
void                 mp_imap_content_stream_free (MpImapContentStream *s);
/* Points SETTINGS' literal callbacks at S. */
void mp_imap_content_stream_attach (MpImapContentStream *s, MpImapParserSettings *settings);
/* While active, the literal of every BODY[...] item is streamed (counted;
 * spooled to a temporary file when SPOOL); else literals are kept as usual. */
void mp_imap_content_stream_set_active (MpImapContentStream *s, gboolean active, gboolean spool);

/* Applies the content items of one FETCH response MSG_ATT (BODY[],
 * BODY[HEADER], BODY[section]: streamed, or sent as strings) to M: the
 * longest line, the archive listings of its attachments (REGIONS say which
 * section is which attachment; those NEEDS->attachment_wanted picks are
 * listed as archives), and what was downloaded; a whole message on a
 * server that only estimates sizes (NEEDS->size_exact FALSE) gives M its
 * measured size, and the problem size-measured keeps the estimate.
 * *HEADER_OCTETS gets the size of BODY[HEADER] when it came. Takes this
 * response's streamed literals off S's queue; every FETCH response read
 * while S is active must go either here or to
 * mp_imap_content_stream_drop(), in the order they came. */
void mp_imap_content_apply (MpImapContentStream *s, const MpImapValue *msg_att, MpMessage *m,
                            const GArray *regions, const MpImapContentNeeds *needs,
                            guint64 *header_octets);

/* Discards the streamed literals of a FETCH response that is not applied
 * (an unsolicited one, or a second answer). */
void mp_imap_content_stream_drop (MpImapContentStream *s, const MpImapValue *msg_att);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapContentStream, mp_imap_content_stream_free)

G_END_DECLS
