/* imap-bodystructure.h — the attachment count (DEFINITIONS.md, "Attachment
 * count") of a message read from its IMAP BODYSTRUCTURE (RFC 3501 §7.4.2,
 * §9 body; RFC 9051 §7.5.2), without fetching any content.
 *
 * The walk mirrors the GMime walk of mime-gmime.c part for part, and every
 * decision goes through part-class.h with the same roles, so an IMAP source
 * and a local copy of the same mailbox give the same numbers. */
#pragma once

#include "imap-parser.h"
#include "message.h"

G_BEGIN_DECLS

/* Decodes the RFC 2047 encoded words in TEXT into newly allocated UTF-8.
 * The protocol room knows no charset tables: the caller hands in the MIME
 * reader's decoder (mp_mime_decode_header_text), so a file name reads the
 * same over IMAP as from a local copy. NULL keeps values as sent. */
typedef char *(*MpImapWordDecoder) (const char *text);

/* Fills M's attachments, inline_parts, nested_attachments, mime_parts,
 * depth, flags and attachment_list from BODY, the value after the BODYSTRUCTURE
 * item of a FETCH response. A BODYSTRUCTURE that breaks the grammar is a
 * finding about the mail, not a failure: it is recorded in M as the problem
 * "malformed-bodystructure" and whatever can be read is still counted.
 * Nesting deeper than the walker's cap is the problem "nesting-overflow". */
void  mp_imap_bodystructure_analyze (const MpImapValue *body, MpMessage *m,
                                     MpImapWordDecoder decode);

/* A part of the message body that can be fetched on its own with
 * BODY.PEEK[section]: a leaf outside any attached message, or an attached
 * message (message/rfc822) as one piece. Together the regions hold every
 * body octet of the leaves; what is left of RFC822.SIZE is headers, part
 * headers, boundary lines, preambles and epilogues. */
typedef struct {
	char    *section;    /* part specifier, RFC 3501 §6.4.5: "1", "2.3" */
	char    *encoding;   /* body-fld-enc as sent ("BASE64"), or NULL */
	guint64  octets;     /* body-fld-octets */
	gint     attachment; /* its index in M's attachment_list, or -1 */
} MpImapRegion;

void  mp_imap_region_clear (MpImapRegion *r);

/* mp_imap_bodystructure_analyze(), also appending to REGIONS (a GArray of
 * MpImapRegion with mp_imap_region_clear as its clear function) the
 * fetchable regions in tree order. */
void  mp_imap_bodystructure_analyze_regions (const MpImapValue *body, MpMessage *m, GArray *regions,
                                             MpImapWordDecoder decode);

/* The value of parameter BASE in a body-fld-param list ("name", "filename"),
 * as UTF-8 where it can be decoded: RFC 2231 forms (BASE*, BASE*0, BASE*0*,
 * charset'lang'%XX) are joined and decoded, RFC 2047 words in a plain value
 * are decoded with DECODE (may be NULL); what cannot be decoded is returned raw. NULL when PARAMS has
 * no such parameter or only an empty one. Free with g_free. */
char *mp_imap_body_param_value (const MpImapValue *params, const char *base,
                                MpImapWordDecoder decode);

G_END_DECLS
