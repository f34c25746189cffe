/* matcher.h — which message of the target is which message of the source.
 *
 * Each message is matched once (one-to-one), strongest evidence first:
 *  1. the same Message-ID (RFC 5322 §3.6.4: one id, one message). Within a
 *     group of one id, pairs with the same fingerprint (Date, From, Subject)
 *     go first, then, when the id is on one message of the source only,
 *     pairs whose fingerprint differs (a target that rewrote a header: the
 *     pair is "changed"); each time a copy in the expected folder first,
 *     then the closest size.
 *  2. the messages left, the source's without a Message-ID or with one
 *     that several of its messages share, by fingerprint: the same date
 *     (when both have a Date:), From and Subject and sizes within the
 *     tolerance; never two messages that both have Message-IDs and
 *     different ones. The expected folder first, then the closest size.
 * Hashes find the candidates; the texts (Message-ID, From, Subject, read
 * back from the records) decide, so a collision of hashes pairs nothing.
 *
 * Then every pair says what changed (mp_compare_key_changes) and whether
 * the target holds it outside its expected folder (MP_KEY_MOVED); a target
 * message left alone whose Message-ID is a matched one's is marked
 * MP_KEY_COPY (a second copy: Gmail labels, a folder filed twice). */
#pragma once

#include "expected-folder.h"
#include "side.h"

G_BEGIN_DECLS

/* Changes are kept in the source key's flags from this bit on. */
#define MP_KEY_CHANGES_SHIFT 16
#define mp_key_changes(k) (((k)->flags >> MP_KEY_CHANGES_SHIFT) & MP_CHANGE_ALL)

typedef struct {
	guint64 by_id;           /* pairs found by Message-ID */
	guint64 by_fingerprint;  /* pairs found by fingerprint */
} MpMatchStats;

/* Pairs SOURCE's keys with TARGET's (their `match` fields); EXPECTED is
 * mp_expected_folders (SOURCE, TARGET, ...). FALSE with ERROR only when a
 * record cannot be read back. Both record files must be sealed. */
gboolean mp_match (MpSide *source, MpSide *target, const GArray *expected,
                   const MpSizeTolerance *tolerance, MpMatchStats *stats, GError **error);

G_END_DECLS
