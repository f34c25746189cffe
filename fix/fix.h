/* fix.h — the write side of mailpreflight: `fix split` and `fix detach`.
 *
 * A fix reads SOURCEs (never writing to them), writes a copy in which every
 * message that breaks a message-size, attachment-count or attachment-size
 * rule is split into messages that pass (or has its too-large attachments
 * saved as files), verifies the copy, and only then makes it visible under
 * DEST. See docs/fix-manifest.md and README.md ("Fixing").
 *
 *   fix.c         the run: sources -> folders -> messages -> writer -> check -> commit
 *   reader*.c     the messages of a folder, as a scan sees them
 *   writer*.c     the only code that writes mail; dry run as a wrapper
 *   cut.c plan.c build.c detach.c   one message: ranges, plan, new bytes
 *   digest.c verify.c               what "nothing lost" means, and its check
 *   manifest.c fix-html.c           the reports of a fix */
#pragma once

#include "plan.h"
#include "reader.h"

G_BEGIN_DECLS

typedef enum {
	MP_FIX_OK = 0,          /* done: every message that needed it was fixed, verified, written */
	MP_FIX_NOT_FIXED = 1,   /* done, but some messages could not be fixed (copied as they were) */
	MP_FIX_USAGE = 2,       /* bad arguments: nothing was read or written */
	MP_FIX_FAILED = 3,      /* a source could not be read or a check failed: nothing was written */
} MpFixStatus;

typedef struct {
	MpFixMode        mode;
	const char      *out;            /* DEST */
	MpFixFormat      out_format;     /* SAME: as each source */
	const MpRuleSet *rules;
	MpSeverity       level;          /* fix the rules of at least this severity */
	gboolean         detach_oversize;/* --oversize detach */
	guint64          min_size;       /* fix detach --min-size */
	gboolean         allow_break_signatures;
	gboolean         dry_run;
	const char      *from_report;    /* a saved scan (JSON): only the messages it lists */
	const char      *json;           /* the manifest, or NULL */
	const char      *html;           /* the HTML report, or NULL */
	char           **command;        /* argv of the subcommand, for the manifest */
	gboolean         progress;       /* a progress line on stderr */
	gboolean         quiet;          /* no summary on stdout */
	gboolean         colour;
	/* tests only: $MAILPREFLIGHT_FIX_FAULT (writer-fault.c) */
	const char      *fault;
} MpFixOptions;

/* Runs the fix of SOURCES. Errors and what could not be fixed are printed
 * on stderr, the summary on stdout; returns the exit status. */
MpFixStatus mp_fix_run (const char *const *sources, const MpFixOptions *opt);

G_END_DECLS
