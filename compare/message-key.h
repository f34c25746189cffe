/* message-key.h — what `compare` keeps in memory of one message: a few
 * hashes and numbers (64 bytes), never the MpMessage; the text for reports
 * waits on disk (record-file.h). Sides of 100,000 messages and more fit.
 *
 * The Message-ID, the From address and the Subject are normalized before
 * they are hashed, so that a target that rewrites their form but not their
 * content (angle brackets and white space around an id, a display name, an
 * RFC 2047 encoding, folded white space) still matches:
 *   Message-ID  white space and the angle brackets removed (RFC 5322 §3.6.4);
 *   From        the addresses inside <...>, else the whole value, ASCII
 *               lower case (the local part of an address is case-sensitive
 *               in theory, never in practice: servers lower-case domains);
 *   Subject     runs of white space as one space, trimmed;
 *   Date        the Date: header's instant (unix seconds), not its text: a
 *               target that writes another zone keeps the instant. A message
 *               without a valid Date: has no date in its fingerprint (its
 *               arrival time differs on every server).
 * Text longer than MP_KEY_TEXT_MAX characters is compared by that prefix:
 * local reads keep 2,000 characters of a header, IMAP ENVELOPEs all. */
#pragma once

#include "message.h"
#include "mp-error.h"

G_BEGIN_DECLS

#define MP_KEY_TEXT_MAX 1000

typedef enum {
	MP_KEY_HAS_ID       = 1 << 0,  /* a Message-ID */
	MP_KEY_HAS_DATE     = 1 << 1,  /* a valid Date: header */
	MP_KEY_ID_DUP       = 1 << 2,  /* its Message-ID is on another message of its side too */
	MP_KEY_PREDICTED    = 1 << 3,  /* a message rule of severity warning or error (source side) */
	MP_KEY_NOTED        = 1 << 4,  /* a message rule of severity info (source side) */
	MP_KEY_MOVED        = 1 << 5,  /* matched outside the expected folder */
	MP_KEY_COPY         = 1 << 6,  /* target: unmatched, but its Message-ID is a matched one's */
	MP_KEY_CUT          = 1 << 7,  /* source: beyond a mailbox-message-count limit (the oldest) */
} MpKeyFlags;

/* What differs between two matched messages; "changed" in the reports. */
typedef enum {
	MP_CHANGE_SIZE        = 1 << 0,  /* beyond the size tolerance */
	MP_CHANGE_ATTACHMENTS = 1 << 1,
	MP_CHANGE_MESSAGE_ID  = 1 << 2,
	MP_CHANGE_DATE        = 1 << 3,
	MP_CHANGE_FROM        = 1 << 4,
	MP_CHANGE_SUBJECT     = 1 << 5,
} MpChange;

#define MP_CHANGE_ALL ((1u << 6) - 1)

/* How far two sizes of one message may differ and still be the same
 * message unchanged: up to the larger of BYTES and BASIS_POINTS / 10,000
 * of the larger size. Targets add headers (Received, authentication
 * results) and some report an estimate (Exchange, DEFINITIONS.md), so the
 * sizes of a moved message differ slightly; --size-tolerance sets it. */
typedef struct {
	guint64 bytes;
	guint   basis_points;  /* 200 = 2% */
} MpSizeTolerance;

/* The default: 8 KB or 2%, whichever is larger (README, "compare"). */
#define MP_SIZE_TOLERANCE_DEFAULT { 8 * 1024, 200 }

typedef struct {
	guint64 id;          /* hash of the normalized Message-ID; 0 when none */
	guint64 from;        /* hash of the normalized From */
	guint64 subject;     /* hash of the normalized Subject */
	gint64  date;        /* Date: in unix seconds, when MP_KEY_HAS_DATE */
	guint64 size;        /* RFC 5322 octets (DEFINITIONS.md) */
	guint64 record;      /* where its text is in the side's record file */
	guint32 attachments;
	guint32 folder;      /* index into the side's folders */
	guint32 flags;       /* MpKeyFlags */
	guint32 match;       /* 1 + index of its match on the other side; 0 none */
} MpCompareKey;

/* Fills K's hashes, date, size and attachment count from M (folder,
 * record and the rest are the caller's). */
void     mp_compare_key_fill        (MpCompareKey *k, const MpMessage *m);
/* The normalized forms (free with g_free); NULL in, NULL out for the id. */
char    *mp_compare_normalize_id      (const char *message_id);
char    *mp_compare_normalize_from    (const char *from);
char    *mp_compare_normalize_subject (const char *subject);
/* The hash the key keeps of a normalized text: 64-bit FNV-1a (GLib's string
 * hash has 32 bits, too few for 100,000 keys); never 0. A hash only finds
 * candidates: the matcher compares the texts before it pairs two messages. */
guint64  mp_compare_hash            (const char *normalized);
/* The fingerprint of K: its date (when it has one), From and Subject. */
guint64  mp_compare_key_fingerprint (const MpCompareKey *k);
/* Do sizes A and B differ by no more than T allows? */
gboolean mp_size_within             (const MpSizeTolerance *t, guint64 a, guint64 b);
/* What differs between A and B (MpChange bits), sizes compared within T. */
guint    mp_compare_key_changes     (const MpCompareKey *a, const MpCompareKey *b,
                                     const MpSizeTolerance *t);
/* --size-tolerance: "8 KB", "2%", "8 KB,2%" (the larger of the two), "0".
 * MP_ERROR_USAGE otherwise. */
gboolean mp_size_tolerance_parse    (const char *text, MpSizeTolerance *out, GError **error);
/* "8 KB or 2%" for reports. */
char    *mp_size_tolerance_string   (const MpSizeTolerance *t);
/* "size;subject" for CHANGES (MpChange bits), in the order of the enum. */
char    *mp_compare_changes_string  (guint changes);
const char *mp_compare_change_name  (guint change);

G_END_DECLS
