/* read-sides.h — reading both sides of a comparison: two scans (scan.h) at
 * the same time, one per side, each with its own worker threads, both
 * read-only (local sources are only read; IMAP folders are EXAMINEd and
 * nothing sets \Seen). The source is audited with the rules (message rules
 * on the workers, folder and account rules by the audit sink), so that what
 * they predict is known for every message; the target is only indexed. */
#pragma once

#include "rules.h"
#include "side.h"

G_BEGIN_DECLS

typedef struct {
	const char             *source;
	const char             *target;
	const MpRuleSet        *rules;            /* judged on the source */
	const MpSourceSettings *source_settings;  /* may be NULL */
	const MpSourceSettings *target_settings;  /* may be NULL */
	guint                   source_jobs;      /* worker threads, >= 1 */
	guint                   target_jobs;
	gboolean                progress;         /* a progress line on stderr */
} MpReadSidesOptions;

/* Fills *SOURCE and *TARGET (new sides; free them). A side that cannot be
 * opened, or a folder that cannot be read, is recorded in the side (its
 * error, folders_failed) and the other goes on. FALSE with ERROR only when
 * the comparison cannot be made at all (no temporary file). */
gboolean mp_read_sides (const MpReadSidesOptions *options, MpSide **source, MpSide **target,
                        GError **error);

G_END_DECLS
