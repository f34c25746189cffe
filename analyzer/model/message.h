/* message.h — what the analyzer records about one message, whatever the
 * source (mbox, Maildir, IMAP). Findings about mail are data here; GError is
 * only for failures of the tool.
 *
 * Ownership: an MpMessage owns all its strings and arrays; mp_message_free()
 * releases them. */
#pragma once

#include <glib.h>

#include "problem-codes.h"

G_BEGIN_DECLS

typedef enum {
	MP_READ_UNKNOWN = 0, /* the source does not say (mbox without Status:) */
	MP_READ_SEEN,
	MP_READ_UNSEEN,
} MpReadState;

/* How a message is marked deleted but still stored (DEFINITIONS.md,
 * "Deleted"): counted and shown as deleted; whether rules judge it is the
 * rules file's choice (`deleted = judge | skip`). Each mark has one name
 * (mp_deleted_name), written in the inventory and the JSON. */
typedef enum {
	MP_DELETED_NONE = 0,  /* not marked, or the store does not say */
	MP_DELETED_MAILDIR_T, /* Maildir info flag T, "trashed" (maildir(5)): gone
	                       * at the next expunge */
	MP_DELETED_IMAP,      /* IMAP \Deleted (RFC 3501 §2.3.2): shown until an
	                       * EXPUNGE (§6.4.3) */
	MP_DELETED_STATUS,    /* mbox Status: with D */
	MP_DELETED_X_STATUS,  /* mbox X-Status: with D (mutt, UW-IMAP, Dovecot's mbox) */
	MP_DELETED_MOZILLA,   /* X-Mozilla-Status with bit 0x0008 (Thunderbird's
	                       * MSG_FLAG_EXPUNGED): deleted, kept until the
	                       * folder is compacted */
	MP_DELETED_COUNT
} MpDeleted;

/* Flags reported beside the attachment count, never in it (DEFINITIONS.md). */
typedef enum {
	MP_MSG_FLAG_TNEF         = 1 << 0, /* application/ms-tnef: real content hidden */
	MP_MSG_FLAG_SMIME_OPAQUE = 1 << 1, /* application/pkcs7-mime */
	MP_MSG_FLAG_SIGNED       = 1 << 2, /* multipart/signed */
	MP_MSG_FLAG_ENCRYPTED    = 1 << 3, /* multipart/encrypted */
	MP_MSG_FLAG_CALENDAR     = 1 << 4, /* text/calendar */
} MpMessageFlags;

#define MP_MSG_FLAG_ALL ((1u << 5) - 1)

/* Where the Date column came from (DEFINITIONS.md, "Dates"). */
typedef enum {
	MP_DATE_NONE = 0,
	MP_DATE_HEADER,       /* the Date: header */
	MP_DATE_FROM_LINE,    /* the mbox From_ line */
	MP_DATE_MTIME,        /* the Maildir file's mtime */
	MP_DATE_INTERNALDATE, /* IMAP INTERNALDATE */
} MpDateSource;

/* What of a message a network source downloaded for content checks
 * (line length, archive listing); local sources read everything and say
 * NONE. */
typedef enum {
	MP_FETCHED_NONE = 0,  /* metadata only */
	MP_FETCHED_PARTS,     /* some sections (BODY.PEEK[2], BODY.PEEK[HEADER]) */
	MP_FETCHED_WHOLE,     /* the whole message (BODY.PEEK[]) */
} MpFetched;

typedef enum {
	MP_SEVERITY_INFO = 0,
	MP_SEVERITY_WARNING,
	MP_SEVERITY_ERROR,
} MpSeverity;

typedef struct {
	char      *filename;     /* NULL when the part has none (e.g. message/rfc822) */
	char      *mime_type;    /* lower case, "type/subtype" */
	guint64    encoded_size; /* octets of the part body as stored, CRLF form */
	/* Only when archives are listed (MP_ANALYZE_LIST_ARCHIVES) and this is a
	 * zip, tar, gzip or bzip2 file: the entries, nested ones as
	 * "inner.zip/evil.exe", at most MP_ARCHIVE_MAX_ENTRIES; else NULL. */
	GPtrArray *archive_entries;
	gboolean   archive_encrypted; /* an entry is password-protected */
	char      *archive_problem;   /* why the listing is incomplete, or NULL */
} MpAttachment;

#define MP_ARCHIVE_MAX_ENTRIES 1000

/* One rule a message breaks. */
typedef struct {
	char      *rule;     /* rule name, e.g. "too-large" */
	char      *check;    /* check name, e.g. "message-size" */
	MpSeverity severity;
	char      *value;    /* measured, human-readable: "18350081" */
	char      *limit;    /* "18350080" */
	char      *detail;   /* "18350081 B > 17920 KB (18350080 B)" */
	char      *advice;   /* may be NULL */
} MpFinding;

typedef struct {
	char        *folder;     /* as the user sees it: "Archive/2019"; "INBOX" for the root */
	char        *locator;    /* mbox: byte offset of the From_ line; Maildir: path
	                          * relative to the Maildir root */
	guint64      index;      /* 1-based, within the folder, in source order */
	guint64      size;       /* RFC 5322 octets (DEFINITIONS.md) */
	guint        attachments;
	guint        inline_parts;
	guint        nested_attachments;
	guint        mime_parts;  /* MIME entities below the message: multiparts and
	                           * leaves, those of attached messages included */
	guint        depth;       /* containers (multipart, message/rfc822) enclosing
	                           * the deepest part: 0 for a single-part message */
	guint64      max_line;    /* longest line in octets, line end excluded */
	guint        from_addresses; /* addresses in From: */
	guint        flags;       /* MpMessageFlags */
	GPtrArray   *attachment_list; /* MpAttachment*, in tree order */

	char        *date;        /* ISO 8601, NULL when unknown */
	gint64       date_unix;
	MpDateSource date_source;
	/* The arrival time (IMAP INTERNALDATE, Maildir file mtime, mbox From_
	 * line), whatever Date: says: reading and filing evidence of activity
	 * are lower bounds from it (DEFINITIONS.md). 0 when unknown. */
	gint64       arrival_unix;
	/* Maildir files in cur/: the inode change time (a move from new/ or a
	 * flag change renames the file), activity evidence only on request
	 * (--activity-evidence file-times). 0 when unknown. */
	gint64       changed_unix;
	char        *from;        /* decoded UTF-8 */
	char        *subject;     /* decoded UTF-8 */
	char        *message_id;
	MpReadState  read_state;
	MpDeleted    deleted;     /* how it is marked deleted, MP_DELETED_NONE if not */
	gboolean     store_flags; /* the store keeps the message's flags outside it
	                           * (Maildir file name, IMAP FLAGS): its Status,
	                           * X-Status or X-Mozilla-Status headers are stale
	                           * copies and say nothing (set by the backend) */

	GPtrArray   *problems;    /* char*: "code" or "code: detail", in the order
	                           * found; add with mp_message_add_problem */
	guint64      problem_set; /* bit per MpProblemCode in problems */
	GPtrArray   *findings;    /* MpFinding* */
	gboolean     skipped;     /* not a message (UW-IMAP folder internal data) */
	MpFetched    fetched;     /* IMAP: content downloaded for the checks */
	guint64      fetched_octets;
} MpMessage;

/* *TOTAL += V, stuck at G_MAXUINT64 instead of wrapping round: every total
 * of sizes (a folder's, an account's, a report's) adds numbers a server
 * sent (RFC822.SIZE is a number64, 2^64-1 fits) or a saved report holds,
 * and a wrapped total makes a huge mailbox look small ("3 messages, 100 B"). */
static inline void
mp_add_saturating (guint64 *total, guint64 v)
{
	if (!g_uint64_checked_add (total, *total, v))
		*total = G_MAXUINT64;
}

MpMessage *mp_message_new            (void);
void       mp_message_free           (MpMessage *m);
/* Records problem CODE with DETAIL (may be NULL; made one line, and when
 * longer than 160 octets cut to its first and last 80, so that a cause at
 * its end stays), once per code and detail, at most 32 per message. */
void       mp_message_add_problem    (MpMessage *m, MpProblemCode code, const char *detail);
/* Records a problem TEXT as a saved report wrote it ("code: detail"). */
void       mp_message_add_problem_text (MpMessage *m, const char *text);
gboolean   mp_message_has_problem    (const MpMessage *m, MpProblemCode code);
/* Returns the new attachment (owned by M). */
MpAttachment *mp_message_add_attachment (MpMessage *m, const char *filename,
                                         const char *mime_type, guint64 encoded_size);
/* Takes ownership of F. */
void       mp_message_add_finding    (MpMessage *m, MpFinding *f);
/* Header text kept for reports (subject, From, Message-ID; over IMAP also
 * file names and types from BODYSTRUCTURE), whatever the source: valid
 * UTF-8, cut at MP_MAX_HEADER_TEXT characters with "…" added. A 60 MB
 * Subject must not become a 60 MB CSV cell. Free with g_free. */
#define MP_MAX_HEADER_TEXT 2000
char      *mp_message_capped_text    (const char *s);
/* A Subject as reports show it: runs of blanks and line breaks as one
 * space, none at either end, then capped as above. Dovecot writes an
 * ENVELOPE's subject so ("for humans"), other servers and a local copy do
 * not: the same message then shows the same Subject from any of them. */
char      *mp_message_subject_text   (const char *s);
/* The flags as "tnef;signed", "" when none. Free with g_free. */
char      *mp_message_flags_string   (guint flags);
/* The one name of each MpMessageFlags bit, as every report and rules file
 * writes it ("smime_opaque"); NULL for anything but a single known bit. */
const char *mp_message_flag_name     (guint flag);
/* The bit named NAME, 0 when none. A '-' reads as '_' ("smime-opaque" is
 * how rules files spelled it before 0.2). */
guint       mp_message_flag_from_name (const char *name);

MpFinding  *mp_finding_new           (void);
void        mp_finding_free          (MpFinding *f);
const char *mp_severity_name         (MpSeverity s);
gboolean    mp_severity_parse        (const char *name, MpSeverity *out);
const char *mp_date_source_name      (MpDateSource s);
const char *mp_read_state_name       (MpReadState s);
/* The name of a deleted mark ("maildir-t", "imap-deleted", "status-d",
 * "x-status-d", "x-mozilla-status"); NULL for MP_DELETED_NONE. */
const char *mp_deleted_name          (MpDeleted d);
/* The mark named NAME; MP_DELETED_NONE for NULL or an unknown name. */
MpDeleted   mp_deleted_from_name     (const char *name);
/* "parts", "whole"; NULL for MP_FETCHED_NONE. */
const char *mp_fetched_name          (MpFetched f);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMessage, mp_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFinding, mp_finding_free)

G_END_DECLS
