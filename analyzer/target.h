/* target.h — what a migration target says about itself, read before a scan
 * (`scan --target URL`): today the largest message it accepts, as an IMAP
 * server announces it (APPENDLIMIT, RFC 7889; imap-target.h does the
 * protocol). The rules then check that limit too. */
#pragma once

#include "source.h"

G_BEGIN_DECLS

typedef struct {
	gboolean   found;
	guint64    limit;   /* octets, when found */
	char      *origin;  /* "APPENDLIMIT=N announced by URL", for the report */
	GPtrArray *notes;   /* char*: what the user should know (no limit read, a
	                     * failed login), one line each, without a prefix */
} MpTargetLimit;

/* Reads the limit the target at URL announces, with the TLS settings of
 * NET. To log in (Gmail announces it only then) the target's own password
 * comes from $MAILPREFLIGHT_TARGET_PASSWORD: the sources' password is never
 * sent to another server. FALSE with ERROR when the target cannot be
 * reached; a target that announces nothing is no error (a note says so).
 * Clear OUT with mp_target_limit_clear. */
gboolean mp_target_read_limit  (const char *url, const MpSourceSettings *net,
                                MpTargetLimit *out, GError **error);
void     mp_target_limit_clear (MpTargetLimit *t);

G_END_DECLS
