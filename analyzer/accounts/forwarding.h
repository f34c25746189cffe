/* forwarding.h — what the forwarding parsers find: the addresses an
 * account's incoming mail is sent on to (DEFINITIONS.md, "Forwarded"),
 * each with where it was written. Three parsers fill it:
 *   forward-file.h  ~/.forward (sendmail, Postfix local(8))
 *   procmail-rc.h   procmail recipes (~/.procmailrc), run from a .forward pipe
 *   sieve-script.h  Sieve scripts (RFC 5228): Dovecot's ~/.dovecot.sieve, or
 *                   the active script ManageSieve reports (managesieve.h)
 * They read bytes (the caller reads the file, bounded, and says which one
 * it was); none follows another file itself: each says which other files
 * decide too (a procmail rc, INCLUDERC, :include:, a Sieve include).
 *
 * All memory belongs to the caller of a parser (free the result with its
 * own _free function); nothing refers back into the parsed input. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A parser stops collecting at this many targets (and says so: truncated):
 * a real rule file has a handful; a hostile one must not grow our memory. */
#define MP_FORWARD_MAX_TARGETS 1000

typedef struct {
	char    *address;     /* where mail goes, as written ("jo@example.org",
	                       * procmail's "$FWD"; Sieve strings unescaped) */
	guint    line;        /* 1-based line of the input where it is written */
	gsize    offset;      /* octets before its token in the input: the
	                       * address itself, or the Sieve string holding it */
	gsize    length;      /* octets of that token */
	gboolean keeps_copy;  /* the account keeps the mail too (.forward
	                       * "\user", procmail's c flag, Sieve :copy) */
	gboolean conditional; /* only for some messages (procmail conditions or
	                       * a nested block, a Sieve if/elsif/else block) */
} MpForwardTarget;

void mp_forward_target_free (MpForwardTarget *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpForwardTarget, mp_forward_target_free)

G_END_DECLS
