/* source-imap-envelope.h — what an IMAP FETCH says about a message's
 * header, mapped onto the message model as a local copy's header would be:
 * ENVELOPE (RFC 3501 §7.4.2) gives the date, subject, From and Message-ID,
 * read with the MIME room's own helpers (GMime's date, phrase and RFC 2047
 * decoders; the Date: syntax checks of dates.h), so an IMAP source and a
 * local copy of the same mailbox give the same values and problems; the
 * arrival time (INTERNALDATE) stands in when Date: is missing or invalid. */
#pragma once

#include "imap-parser.h"
#include "message.h"

G_BEGIN_DECLS

/* Fills M's date, subject, from (and from_addresses), message_id and their
 * problems (malformed-envelope, missing-date, invalid-date and the Date:
 * syntax problems, missing-from, multiple-from, missing-message-id) from
 * ENVELOPE, the value after the ENVELOPE item of a FETCH response (NULL
 * when it was missing); then, when no date came from it, M's date from
 * INTERNALDATE (may be NULL) with date_source MP_DATE_INTERNALDATE. */
void mp_imap_envelope_apply (MpMessage *m, const MpImapValue *envelope, const MpImapValue *internaldate);
/* The same, with the From addresses formatted through CACHE (may be NULL):
 * a mailbox's From lists repeat (correspondents, lists), and formatting
 * one through GMime is a fifth of a metadata scan's CPU. The cache maps the
 * list's fields (name, mailbox, host of each address) to the text and
 * count GMime gave for them: the same fields give the same result, so a
 * cached answer is the uncached one (test-imap-envelope and
 * fuzz-imap-parser compare them). Bounded: small lists only, and emptied
 * when full. Not thread-safe: one per connection. */
typedef struct _MpEnvelopeCache MpEnvelopeCache;
MpEnvelopeCache *mp_envelope_cache_new  (void);
void             mp_envelope_cache_free (MpEnvelopeCache *cache);
void mp_imap_envelope_apply_cached (MpMessage *m, const MpImapValue *envelope, const MpImapValue *internaldate,
                                    MpEnvelopeCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpEnvelopeCache, mp_envelope_cache_free)
/* The second half alone: M's arrival time (arrival_unix, activity evidence)
 * from INTERNALDATE (NULL: none), and when M has no date yet, its date from
 * it with date_source MP_DATE_INTERNALDATE. For a source that fetches
 * INTERNALDATE only for the messages that need it. */
void mp_imap_envelope_apply_arrival (MpMessage *m, const MpImapValue *internaldate);

G_END_DECLS
