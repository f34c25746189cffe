/* mime-record.h — the recorder: turns what a reader found in a message
 * into MpMessage fields and problems. Both readers, the GMime tree walk
 * (mime-gmime.c) and the light walker (mime-fast.c), gather the same facts
 * their own way and record them here, so both record them identically
 * (DEFINITIONS.md: the same message gives the same numbers however it is
 * read); neither calls the other.
 *
 * One MpMimeRecorder per analyzer (one thread): it holds the per-thread
 * cache of charset names iconv knows. All pointers handed in are borrowed.
 * Internal to analyzer/mime. */
#pragma once

#include "gmime-setup.h"
#include "message.h"
#include "part-class.h"

G_BEGIN_DECLS

typedef struct _MpMimeRecorder MpMimeRecorder;

MpMimeRecorder *mp_mime_recorder_new  (void);
void            mp_mime_recorder_free (MpMimeRecorder *r);

/* The top-level header facts mp_mime_record_headers needs; all borrowed. */
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
	const char          *x_status;    /* ... of the first X-Status header */
	const char          *mozilla_status; /* ... of the first X-Mozilla-Status header */
} MpHeaderFacts;

/* Date, From, Subject, Message-ID, read state and deleted mark into M, with
 * their problems (missing, invalid, unknown charset in an encoded word...). */
void       mp_mime_record_headers (MpMimeRecorder *r, MpMessage *m, const MpHeaderFacts *h);

/* Classifies a leaf (part-class.h), checks its charset, sets flags and
 * counts it (top level: attachments / inline_parts; NESTED > 0:
 * nested_attachments). The caller adds the attachment entry when this
 * returns MP_PART_ATTACHMENT and NESTED is 0. */
MpPartKind mp_mime_record_leaf (MpMimeRecorder *r, MpMessage *m, const MpPartInfo *info,
                                const char *charset, guint nested);

/* A2 on GMime's parsed headers; CT_VALUE is the decoded value of the first
 * Content-Type header (GMime drops the parameters of a type it cannot
 * parse). Any argument may be NULL. */
gboolean   mp_part_has_filename (GMimeContentType *ct, GMimeContentDisposition *disp,
                                 const char *ct_value);

/* Sets the idn_addr cache of each all-ASCII mailbox in LIST (groups
 * included) to its addr, which is what GMime's idn2 step would give it, so
 * that internet_address_list_to_string() skips idn2 for them. */
void       mp_address_list_prefill_idn (InternetAddressList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMimeRecorder, mp_mime_recorder_free)

G_END_DECLS
