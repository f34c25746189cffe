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

/* Octets one connection may hold in spooled sections at once (attachments
 * waiting to be listed) when 0 is given: a message is at most 150 MB at
 * any target (TARGET-LIMITS.md). */
#define MP_IMAP_DEFAULT_SPOOL_BUDGET ((guint64) 512 << 20)

/* SPOOL_BUDGET: see MP_IMAP_DEFAULT_SPOOL_BUDGET (0: that default). */
MpImapContentStream *mp_imap_content_stream_new  (guint64 spool_budget);
void                 mp_imap_content_stream_free (MpImapContentStream *s);
/* Points SETTINGS' literal callbacks at S. */
void mp_imap_content_stream_attach (MpImapContentStream *s, MpImapParserSettings *settings);
/* While active, a BODY[...] literal the content fetch asked for
 * (mp_imap_content_stream_expect) is streamed: counted, and spooled to an
 * unlinked temporary file when it is an archive to list; a larger one than
 * asked for fails the connection. Any other literal is kept by the parser
 * as usual (bounded by its limits, never spooled). Setting it (in)active
 * forgets the expectations and any queued literals. */
void mp_imap_content_stream_set_active (MpImapContentStream *s, gboolean active);
/* The content fetch asked for SECTION ("" for BODY[], "HEADER", "2.1") of
 * UID: its literal may be streamed once, with at most MAX_OCTETS octets;
 * SPOOL keeps its octets for mp_imap_content_apply() to list (within the
 * connection's spool budget). */
void mp_imap_content_stream_expect (MpImapContentStream *s, guint64 uid, const char *section,
                                    guint64 max_octets, gboolean spool);

/* Applies the content items of one FETCH response MSG_ATT (BODY[],
 * BODY[HEADER], BODY[section]: streamed, or sent as strings) to M: the
 * longest line, the archive listings of its attachments (REGIONS say which
 * section is which attachment; those NEEDS->attachment_wanted picks are
 * listed as archives), and what was downloaded; only sections that were
 * expected of the response's UID count, each once; a whole message on a
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
