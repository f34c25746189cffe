/* notice-codes.h — the one vocabulary of notice codes: what a scan says
 * about a folder, a source or an account that is no message's problem (a
 * byte range not read, a link not followed, sizes a server estimates, no
 * evidence of activity). Notices are data, never a failure of the tool
 * (STYLE.md); a report carries each as {folder, code, detail}
 * (docs/json-schema.md) and prints it as "code: detail".
 *
 * The names are part of the report formats (README.md, "Notices";
 * docs/json-schema.md): never rename one. A report read back keeps a code
 * this version does not know as it is written. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	/* a source's folders */
	MP_NOTICE_FOLDER_LEFT_OUT,        /* --exclude-folder / --include-folder left it out; detail: the pattern */
	MP_NOTICE_SYMLINK_NOT_FOLLOWED,   /* a link that leaves the source (issue 14, item 5) */
	/* an mbox file's bytes */
	MP_NOTICE_JUNK_BEFORE_FIRST_MESSAGE, /* bytes before the first From_ line: no message's */
	MP_NOTICE_UW_IMAP_INTERNAL_DATA_SKIPPED, /* UW-IMAP's "FOLDER INTERNAL DATA" pseudo-message */
	MP_NOTICE_FILE_GREW_DURING_SCAN,  /* bytes appended after the scan began: not read */
	/* a Maildir's files */
	MP_NOTICE_DELETED_DURING_SCAN,    /* message files deleted after the listing: left out */
	/* an IMAP account */
	MP_NOTICE_SIZE_ESTIMATED,         /* Exchange's RFC822.SIZE is an estimate (TARGET-LIMITS.md) */
	/* an account (the accounts audit) */
	MP_NOTICE_NO_ACTIVITY_EVIDENCE,   /* nothing tells when the user was last active */
	MP_NOTICE_COUNT
} MpNotice;

/* The code's name, as reports write it ("folder-left-out"). */
const char *mp_notice_name (MpNotice notice);

G_END_DECLS
