/* item.h — one stored message as the fix sees it: where it is (folder,
 * index and locator, exactly as a scan names it), its bytes, and its
 * envelope — the flags and dates the mailbox keeps beside or around the
 * message (the Maildir info suffix and mtime, the mbox From_ line and
 * Status headers; an IMAP reader would fill FLAGS and INTERNALDATE).
 *
 * The bytes come in two forms. The *stored* form is what the file holds
 * (an mbox message keeps its quoting '>' on ^>+From lines); copying a
 * message to a mailbox of the same format copies it. The *canonical* form
 * is the RFC 5322 message itself, as a Maildir file or an IMAP APPEND holds
 * it (mbox quoting removed, DEFINITIONS.md): what is parsed, split, hashed
 * and compared. They differ only for mbox messages with quoted From lines.
 *
 * Ownership: an MpFixItem owns its strings; the file descriptor belongs to
 * the reader that made it (mp_fix_item_stream dups it). */
#pragma once

#include "mime-analyze.h"

G_BEGIN_DECLS

/* Flags every format can keep: the IMAP system flags (RFC 3501 §2.3.2). */
typedef enum {
	MP_FIX_SEEN     = 1 << 0,
	MP_FIX_ANSWERED = 1 << 1,
	MP_FIX_FLAGGED  = 1 << 2,
	MP_FIX_DELETED  = 1 << 3,
	MP_FIX_DRAFT    = 1 << 4,
	/* not yet looked at by a client: Maildir new/, mbox without Status O */
	MP_FIX_RECENT   = 1 << 5,
} MpFixFlags;

#define MP_FIX_NO_TIME G_MININT64

typedef struct {
	guint   flags;        /* MpFixFlags */
	gint64  arrival;      /* unix seconds (From_ line date, Maildir mtime,
	                       * INTERNALDATE); MP_FIX_NO_TIME when unknown */
	char   *from_line;    /* mbox: the From_ line, no line end; else NULL */
	char   *maildir_name; /* Maildir: the file name, info included; else NULL */
	char   *keywords;     /* Maildir: the info's keyword letters a-z
	                       * (Dovecot's dovecot-keywords maps them); or NULL */
	/* mbox: Status / X-Status / X-Mozilla-Status headers carry the flags
	 * (kept in the bytes): a writer of mbox need not add its own */
	gboolean flags_in_headers;
} MpFixEnvelope;

typedef enum {
	MP_FIX_STORED_FILE,   /* a Maildir file: [start, end) is the whole file */
	MP_FIX_STORED_MBOX,   /* a range of an mbox file */
} MpFixStoredKind;

typedef struct {
	char           *folder;   /* as the user sees it: "Archive/2019" */
	guint64         index;    /* 1-based in the folder, as a scan numbers it */
	char           *locator;  /* as a scan's: mbox From_ offset, Maildir path */
	MpFixEnvelope   env;
	MpFixStoredKind kind;
	char           *path;     /* the file holding it */
	int             fd;       /* open on PATH; borrowed (the reader's) */
	guint64         start, end;  /* the message: mbox after the From_ line,
	                              * the separator excluded */
	guint64         entry_start; /* mbox: the From_ line's offset */
	guint64         entry_end;   /* mbox: where the next entry (or the file)
	                              * begins: [end, entry_end) is the separator */
	guint64         size;     /* RFC 5322 octets (DEFINITIONS.md) */
	guint64         max_line; /* longest line, octets (mbox: known from the split) */
	guint64         quoted_from_lines; /* mbox: ^>+From lines (one '>' is quoting) */
	gboolean        internal; /* UW-IMAP's folder internal data: no message */
	const char     *not_mail; /* why INTERNAL (static text), for the note; NULL:
	                           * "is no message" */
} MpFixItem;

void        mp_fix_envelope_clear  (MpFixEnvelope *env);
void        mp_fix_envelope_copy   (MpFixEnvelope *dst, const MpFixEnvelope *src);
void        mp_fix_item_free       (MpFixItem *item);

/* The flags of a Maildir file name's info ("name:2,FRS", mu's "name!2,S"),
 * RECENT when it lies in new/; the keyword letters go to *KEYWORDS (NULL
 * when none; free it). */
guint       mp_fix_flags_from_maildir_name (const char *name, gboolean in_new, char **keywords);
/* The info suffix for FLAGS and KEYWORDS: ":2,DFRST" + keywords, in the
 * ASCII order maildir(5) asks for. Free with g_free. */
char       *mp_fix_maildir_info     (guint flags, const char *keywords);
/* NAME without its info suffix (":2,..." or "!2,..."). Free with g_free. */
char       *mp_fix_maildir_base     (const char *name);

/* The flags an mbox message's header block HEADER (LEN octets) carries:
 * Status (R seen, O old), X-Status (A answered, F flagged, T draft,
 * D deleted; Dovecot, UW-IMAP, mutt) and Thunderbird's X-Mozilla-Status
 * bits. *ANY is TRUE when one of those headers is present. */
guint       mp_fix_flags_from_mbox_headers (const char *header, gsize len, gboolean *any);
/* "Status: RO\nX-Status: AF\n" for FLAGS with line end EOL ("" when
 * nothing to say). Free with g_free. */
char       *mp_fix_mbox_status_headers (guint flags, const char *eol);

/* A From_ line for a message with sender SENDER (NULL: MAILER-DAEMON) that
 * arrived at ARRIVAL (unknown: the Unix epoch), asctime() form in UTC as
 * mutt and Dovecot write it. No line end. Free with g_free. */
char       *mp_fix_from_line        (const char *sender, gint64 arrival);

/* The canonical bytes of ITEM (mbox quoting removed) as a seekable
 * GMimeStream positioned at its start. Messages without quoted lines are
 * read from the file in place; others are unquoted into memory, or into an
 * unlinked file under TMPDIR when larger than MP_FIX_UNQUOTE_MEM_MAX. */
#define MP_FIX_UNQUOTE_MEM_MAX (8 * 1024 * 1024)
GMimeStream *mp_fix_item_stream     (const MpFixItem *item, const char *tmpdir, GError **error);

/* g_mime_stream_read(), but 0 at the end: GMime 3.2's file streams answer
 * -1 (EINVAL) to a read at their end bound, where other streams answer 0. */
gssize      mp_fix_stream_read      (GMimeStream *stream, char *buf, gsize len);

/* mbox quoting, fed in chunks (the state carries over a chunk's end).
 * mboxrd (RFC 4155 §2 cites it; the rule of DEFINITIONS.md): a writer adds
 * one '>' to every line matching ^>*From , a reader removes one from every
 * line matching ^>+From . Withholds at most 5 octets. */
typedef struct {
	gboolean quote;      /* TRUE: add a '>'; FALSE: remove one */
	gboolean line_start; /* the next octet starts a line */
	gboolean pending;    /* unquoting: a leading '>' withheld */
	gboolean in_gts;     /* after the line's leading '>'s */
	guint    matched;    /* octets of "From " matched and withheld */
	guint64  changed;    /* lines quoted or unquoted so far */
} MpFixQuoter;

void        mp_fix_quoter_init      (MpFixQuoter *q, gboolean quote);
void        mp_fix_quoter_feed      (MpFixQuoter *q, const guint8 *in, gsize len, GByteArray *out);
/* Appends what is still withheld. */
void        mp_fix_quoter_finish    (MpFixQuoter *q, GByteArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixItem, mp_fix_item_free)

G_END_DECLS
