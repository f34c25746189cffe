/* imap-content-plan.h — which sections of a message an IMAP source must
 * download for the checks that metadata cannot answer, decided from its
 * RFC822.SIZE and the regions of its BODYSTRUCTURE
 * (mp_imap_bodystructure_analyze_regions), before anything is fetched.
 *
 *   - line length: a line longer than the limit lies inside one region or
 *     in what is left of RFC822.SIZE after the regions (headers, part
 *     headers, boundaries, preambles). So only regions bigger than the
 *     limit are fetched, the header block too when the rest is bigger than
 *     the limit, and the whole message only when the rest without the
 *     header still is (the caller's second round, once the header's size
 *     is known);
 *   - attachments whose content the caller wants (archives to list): their
 *     sections, BODY.PEEK[section]. Which ones is the caller's to say
 *     (MpImapContentNeeds.attachment_wanted): the protocol knows no
 *     payload;
 *   - a size only estimated by the server (Exchange), near a size limit:
 *     the whole message, to be measured.
 * What the downloaded octets then say is for the caller (in analyzer/,
 * source-imap-content.h). */
#pragma once

#include "imap-bodystructure.h"

G_BEGIN_DECLS

/* TRUE when the content of an attachment of type MIME_TYPE (lower-case
 * "type/subtype") named FILENAME (or NULL) is wanted. */
typedef gboolean (*MpImapAttachmentWanted) (const char *mime_type, const char *filename);

/* What the checks need from content. */
typedef struct {
	guint64  line_limit;    /* the smallest line-length max; 0: no such rule */
	/* the attachments to download (an attachment-type rule looks inside
	 * archives: mp_archive_is_candidate); NULL: none */
	MpImapAttachmentWanted attachment_wanted;
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

/* The most octets the literal of SECTION ("" for BODY[], "HEADER", or a
 * part "2.1") of M may have: what RFC822.SIZE or the BODYSTRUCTURE of M
 * (its REGIONS) says, with slack (more on a server that only estimates
 * sizes). A server that sends more is not answering what was asked. */
guint64  mp_imap_content_max_octets (const MpMessage *m, const GArray *regions, const char *section,
                                     const MpImapContentNeeds *needs);
/* TRUE when SECTION of M holds an attachment whose content NEEDS wants
 * (an archive to list): its octets are to be kept, not only counted. */
gboolean mp_imap_content_section_wanted (const MpMessage *m, const GArray *regions, const char *section,
                                         const MpImapContentNeeds *needs);

/* The attachment of M that region R holds, when NEEDS wants its content;
 * else NULL. */
MpAttachment *mp_imap_content_wanted_attachment (const MpImapContentNeeds *needs, const MpMessage *m,
                                                 const MpImapRegion *r);

G_END_DECLS
