/* mime-shared.h — what the two readers of a message share: the GMime tree
 * walk (mime-analyze.c) and the light walker (mime-fast.c). Each reader
 * gathers the same facts its own way; the code here turns facts into
 * MpMessage fields and problems, so both paths record them identically.
 * Internal to analyzer/. */
#pragma once

#include "mime-analyze.h"
#include "octets.h"
#include "part-class.h"

G_BEGIN_DECLS

/* The top-level header facts record_headers needs; all borrowed. */
typedef struct {
	/* raw values (text after the colon, folding kept) of the first
	 * Subject, From, To and Cc headers, NULL when absent */
	const char          *worded_raw[4];
	const char          *date_value;  /* decoded value of the first Date header */
	GDateTime           *date;        /* the Date GMime parsed, NULL when invalid */
	InternetAddressList *from;        /* From: as GMime parsed it (may be empty) */
	const char          *from_value;  /* decoded value of the first From header */
	const char          *subject;     /* decoded Subject, NULL when absent */
	const char          *message_id;  /* g_mime_utils_decode_message_id() of it */
	const char          *status;      /* decoded value of the first Status header */
} MpHeaderFacts;

void       mp_analyzer_record_headers (MpAnalyzer *a, MpMessage *m, const MpHeaderFacts *h);

/* Classifies a leaf, checks its charset, sets flags and counts it (top
 * level: attachments / inline_parts; NESTED > 0: nested_attachments). The
 * caller adds the attachment entry when this returns MP_PART_ATTACHMENT and
 * NESTED is 0. */
MpPartKind mp_analyzer_record_leaf (MpAnalyzer *a, MpMessage *m, const MpPartInfo *info,
                                    const char *charset, guint nested);
/* A2 on GMime's parsed headers; CT_VALUE is the decoded value of the first
 * Content-Type header (GMime drops the parameters of a type it cannot parse). */
gboolean   mp_part_has_filename (GMimeContentType *ct, GMimeContentDisposition *disp,
                                 const char *ct_value);
/* What g_mime_part_get_filename() returns for these headers. */
const char *mp_part_filename (GMimeContentType *ct, GMimeContentDisposition *disp);
/* TRUE when iconv knows CHARSET (cached per analyzer). */
gboolean   mp_analyzer_charset_known (MpAnalyzer *a, const char *charset);
/* Sets the idn_addr cache of each all-ASCII mailbox in LIST (groups
 * included) to its addr, which is what GMime's idn2 step would give it, so
 * that internet_address_list_to_string() skips idn2 for them. */
void       mp_address_list_prefill_idn (InternetAddressList *list);

G_END_DECLS
