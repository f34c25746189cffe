/* forward-check.h — is an account forwarded (DEFINITIONS.md, "Forwarded")?
 * The checks, in order, each saying what it rests on:
 *   1. the accounts file's forward_to (admin-supplied): yes;
 *   2. a local home: its .forward (addresses, not comments, pipes or files;
 *      a pipe to procmail forwards only if its recipes hold a '!' action)
 *      and the active Sieve script (~/.dovecot.sieve, usually a link into
 *      ~/sieve/) with a redirect command; neither: no;
 *   3. an IMAP account: the active script its server's ManageSieve service
 *      reports (RFC 5804), with a redirect: yes; none: no; no ManageSieve:
 *      unknown;
 *   4. otherwise (an mbox whose owner's home is unknown): unknown — never
 *      "no" for what could not be checked. */
#pragma once

#include "account.h"
#include "source.h"

G_BEGIN_DECLS

typedef struct {
	/* ManageSieve's port: 0 for 4190 (RFC 5804 §1.8), < 0 not to ask */
	gint managesieve_port;
} MpForwardCheckOptions;

/* An MpAccountProbeFunc (scan.h): fills RESULT->forwarding. USER_DATA is
 * an MpForwardCheckOptions or NULL. */
void mp_forward_check (const MpAccount *account, const MpSourceSettings *settings,
                       MpAccountResult *result, gpointer user_data);

G_END_DECLS
