/* imap-content.h — the content checks of an IMAP source: which sections of
 * a message must be downloaded, and what their octets say.
 *
 * Metadata (RFC822.SIZE, BODYSTRUCTURE) answers size and attachment counts.
 * Two checks need content:
 *   - line length: a line longer than the limit lies inside one region
 *     (mp_imap_bodystructure_analyze_regions) or in what is left of
 *     RFC822.SIZE after the regions (headers, part headers, boundaries,
 *     preambles). So only regions bigger than the limit are fetched, the
 *     header block too when the rest is bigger than the limit, and the
 *     whole message only when the rest without the header still is;
 *   - archives: an attachment that is a zip, tar, gzip or bzip2 file is
 *     fetched (BODY.PEEK[section]) and listed like a local one.
 * Everything is streamed: the parser hands the literals of BODY[...] items
 * to an MpImapContentStream (one per connection), which counts lines on the
 * fly and spools archive sections to an unlinked temporary file; nothing is
 * held in memory whole. */
#pragma once

#include "imap-bodystructure.h"
#include "imap-parser.h"
#include "octets.h"

G_BEGIN_DECLS

/* What the rules need from content. */
typedef struct {
	guint64  line_limit;    /* the smallest line-length max; 0: no such rule */
	gboolean list_archives; /* an attachment-type rule looks inside archives */
	gboolean size_exact;    /* RFC822.SIZE is exact (Exchange only estimates it) */
	/* message-size limits: an estimated size within 2% of one is measured
	 * on the whole message (DEFINITIONS.md, "Message size") */
	const guint64 *size_limits;
	guint          n_size_limits;
} MpImapContentNeeds;

/* What one message needs fetched. */
typedef struct {
	gboolean   whole;    /* BODY.PEEK[]: nothing else can answer */
	gboolean   header;   /* BODY.PEEK[HEADER] */
	GPtrArray *sections; /* char*: BODY.PEEK[section] for each */
	guint64    rest;     /* octets of the message in no region (line check) */
	gboolean   lines;    /* the line check needs this message at all */
	gboolean   measure;  /* an estimated size near a limit: count the octets */
} MpImapContentPlan;

/* Fills PLAN (cleared first) for M, whose metadata has been read, with the
 * REGIONS of its BODYSTRUCTURE. TRUE when anything is to be fetched. */
gboolean mp_imap_content_plan     (MpImapContentPlan *plan, const MpMessage *m, const GArray *regions,
                                   const MpImapContentNeeds *needs);
void     mp_imap_content_plan_clear (MpImapContentPlan *plan);
/* The FETCH items of PLAN: "(UID BODY.PEEK[HEADER] BODY.PEEK[2])". */
char    *mp_imap_content_plan_items (const MpImapContentPlan *plan);

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
 * section is which attachment; listed only when NEEDS->list_archives), and
 * what was downloaded; a whole message on a server that only estimates
 * sizes (NEEDS->size_exact FALSE) gives M its measured size, and the
 * problem size-measured keeps the estimate. *HEADER_OCTETS gets the size of BODY[HEADER] when it
 * came. Takes this response's streamed literals off S's queue; every FETCH
 * response read while S is active must go either here or to
 * mp_imap_content_stream_drop(), in the order they came. */
void mp_imap_content_apply (MpImapContentStream *s, const MpImapValue *msg_att, MpMessage *m,
                            const GArray *regions, const MpImapContentNeeds *needs,
                            guint64 *header_octets);

/* Discards the streamed literals of a FETCH response that is not applied
 * (an unsolicited one, or a second answer). */
void mp_imap_content_stream_drop (MpImapContentStream *s, const MpImapValue *msg_att);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapContentStream, mp_imap_content_stream_free)

G_END_DECLS
