/* record.h — what a fix did to one message, for the verifier, the
 * manifest (manifest.c), the HTML section (fix-html.c) and the summary.
 * Only changed messages and messages that could not be fixed get a record;
 * a folder's records live until the folder is verified and reported. */
#pragma once

#include "digest.h"
#include "plan.h"

G_BEGIN_DECLS

typedef enum {
	MP_FIX_ACTION_SPLIT,     /* replaced by N >= 2 parts (attachments maybe detached) */
	MP_FIX_ACTION_DETACH,    /* one message, its large attachments saved as files */
	MP_FIX_ACTION_NOT_FIXED, /* breaks the rules and was copied as it is: WHY */
} MpFixAction;

typedef struct {
	guint    k;
	char    *key;          /* the writer's key (Maildir path, mbox offset) */
	char    *locator;      /* for people: where it is in the copy */
	char    *message_id;   /* with angle brackets */
	guint64  size;         /* as planned */
	guint    attachments;  /* as planned */
	gboolean checked;      /* read back (or, in a dry run, parsed) and checked */
	guint64  checked_size; /* what the check measured */
	guint    checked_attachments;
	guint32  uid;          /* a live IMAP account: the part's UID (APPENDUID), 0 when not appended */
} MpFixPartRecord;

typedef struct {
	char        *source;    /* the SOURCE argument */
	char        *folder;
	guint64      index;
	char        *locator;
	char        *message_id;
	char        *subject;
	char        *date;
	guint64      size;
	guint        attachments;
	char       **rules;     /* the rules it broke (of those fixed) */
	char         sha256[65];/* of its canonical bytes; "" when not read */
	MpFixAction  action;
	char        *why;       /* NOT_FIXED: why */
	GPtrArray   *parts;     /* MpFixPartRecord*, k = 1..N */
	GPtrArray   *atts;      /* MpFixAttachment*: its attachments, and where each went */
	guint        detached;
	char        *out_folder;/* its folder in the copy */
	/* a live IMAP account (imap-apply.c), fixed in place: UIDVALIDITY is 0
	 * for a mailbox on disk; STATE is the backup manifest's word for how
	 * far it went, BACKUP the mbox its original went to (NULL in a dry run) */
	guint32      uidvalidity;
	guint32      uid;
	const char  *state;
	char        *backup;
	guint64      backup_offset;
	guint64      backup_length;
} MpFixRecord;

MpFixRecord     *mp_fix_record_new   (const char *source, const MpMessage *m, char **rules);
void             mp_fix_record_free  (MpFixRecord *r);
MpFixPartRecord *mp_fix_record_add_part (MpFixRecord *r, guint k);
const char      *mp_fix_action_name  (MpFixAction a);
/* "message 2 (.Large/cur/1546..., <id@x>)": how errors name it within its
 * folder. */
char            *mp_fix_record_describe (const MpFixRecord *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixRecord, mp_fix_record_free)

G_END_DECLS
