/* imap-apply.h — `fix split imap[s]://USER@HOST[/FOLDER]`: the split done
 * on the live IMAP account, where the migration will read from.
 *
 * Without --apply a dry run: every folder is opened with EXAMINE, each
 * message the rules would split is fetched with BODY.PEEK[], planned,
 * built and checked in memory as the local fix's dry run does; nothing is
 * written anywhere. With --apply, per message to change, in this order:
 *
 *   1. fetch it (BODY.PEEK[]: \Seen is never set; checked after);
 *   2. append it to the local backup mbox (mboxrd, a From_ line with its
 *      INTERNALDATE) and fsync; the backup manifest says "backed-up";
 *   3. build the parts from those bytes exactly as the local fix does
 *      (planner limit: min(rule, the server's APPENDLIMIT));
 *   4. APPEND each part to the same folder with the original's flags and
 *      INTERNALDATE (APPENDUID recorded); a part a cut run already
 *      appended (UID SEARCH HEADER X-Mailpreflight-Split "sha256=...") is
 *      reused, never appended twice;
 *   5. fetch every part back: byte for byte what was built, within the
 *      rules, every attachment in exactly one part (fix/verify.c), flags
 *      and INTERNALDATE equal to the original's;
 *   6. only then UID STORE +FLAGS.SILENT (\Deleted) on the original — with
 *      CONDSTORE (RFC 7162) UNCHANGEDSINCE the MODSEQ it was read with: a
 *      message another client changed meanwhile is left alone and
 *      reported, its parts marked \Deleted (stale) for a re-run to redo;
 *   7. with --expunge, at the end of the folder, UID EXPUNGE of exactly
 *      the originals marked in 6 (RFC 4315; refused without UIDPLUS).
 *
 * --json and --html write the same manifest and HTML report as the local
 * fix (manifest.c, fix-html.c): a dry run lists the plan, an applied run
 * the parts' UIDs and where each original went in the backup.
 *
 * The backup manifest (FILE.mbox.json, docs/backup-manifest.md) is
 * rewritten atomically after every step, so a cut connection leaves a
 * true record, and the same command run again finishes the job. */
#pragma once

#include "plan.h"
#include "reader.h"

G_BEGIN_DECLS

typedef struct {
	const char      *url;            /* imap[s]://USER@HOST[:PORT][/FOLDER] */
	const MpRuleSet *rules;
	MpSeverity       level;
	gboolean         allow_break_signatures;
	gboolean         apply;          /* else a dry run */
	gboolean         expunge;
	const char      *backup;         /* FILE.mbox; required with apply */
	/* the connection, as for scan */
	const char      *ca_file;
	gboolean         insecure_skip_verify;
	gboolean         allow_plaintext;
	const char      *password_file;
	const char      *oauth2_token_file;
	guint            timeout_ms;
	guint            command_timeout_ms;
	gboolean         interactive;
	/* admin login (issue 15): the URL's user's mailbox with ADMIN_USER's password */
	const char      *admin_user;
	const char      *admin_separator;
	const char      *admin_password_file;
	gboolean         progress;
	gboolean         quiet;
	/* the local fix's reports (fix-report.h), one entry per message changed
	 * or planned: --json (the manifest, '-' for stdout) and --html */
	const char      *json;
	const char      *html;
	char           **command;        /* argv of the subcommand, for the reports */
	const char      *from_report;    /* a saved scan of the account (JSON): only the messages it lists */
} MpFixImapOptions;

/* Returns an MpFixStatus (fix.h). */
int mp_fix_imap_run (const MpFixImapOptions *opt);

G_END_DECLS
