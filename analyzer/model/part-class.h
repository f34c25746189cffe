/* part-class.h — the attachment definition (DEFINITIONS.md, "Attachment
 * count"), on a description of one MIME part that any source can fill: the
 * GMime walk (mime-gmime.c), the light walker (mime-fast.c) and the IMAP
 * BODYSTRUCTURE walk (imap-bodystructure.c).
 * Keeping the decision here is what makes mbox, Maildir and IMAP agree. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a part stands under its parent. */
typedef enum {
	MP_PART_ROLE_PLAIN = 0,
	MP_PART_ROLE_SIGNATURE,         /* 2nd child of multipart/signed (E1) */
	MP_PART_ROLE_ENCRYPTED_CONTROL, /* 1st child of multipart/encrypted (E2) */
	MP_PART_ROLE_ROOT,              /* the message's own body (never A3) */
} MpPartRole;

typedef struct {
	const char *type;          /* "image"; any case; NULL means text */
	const char *subtype;       /* "png"; any case; NULL means plain */
	const char *disposition;   /* "attachment", "inline", NULL when absent */
	gboolean    has_filename;  /* A2: non-empty filename / filename* / name / name* */
	gboolean    has_content_id;
	MpPartRole  role;
} MpPartInfo;

typedef enum {
	MP_PART_BODY = 0,     /* text or other content, not an attachment */
	MP_PART_ATTACHMENT,   /* counts (A1, A2 or A3) */
	MP_PART_INLINE,       /* Content-ID or inline disposition, no filename: reported */
	MP_PART_EXCLUDED,     /* E1 / E2: signature or encryption control part */
} MpPartKind;

/* Classifies a non-multipart part. */
MpPartKind mp_part_classify (const MpPartInfo *part);
/* The MpMessageFlags a part of this type sets (tnef, smime_opaque, calendar). */
guint      mp_part_flags    (const MpPartInfo *part);
/* TRUE for message/rfc822 and message/global (A3: counted once, not entered). */
gboolean   mp_part_is_embedded_message (const char *type, const char *subtype);
/* TRUE when PARAM_NAME is BASE or an RFC 2231 form of it (BASE*, BASE*0,
 * BASE*0*): IMAP servers return parameter names raw. */
gboolean   mp_param_name_matches (const char *param_name, const char *base);

G_END_DECLS
