/* cmd-fix.c — `mailpreflight fix split` and `mailpreflight fix detach`:
 * wiring only. The options go to the fix (fix/fix.h), which reads, writes,
 * verifies and reports. */
#include "commands.h"
#include "fix.h"
#include "imap-args.h"
#include "imap-apply.h"
#include "source.h"
#include "rules.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char fix_description[] =
	"Exit status: 0 done (every message that needed it was fixed, the copy verified and\n"
	"written), 1 done but some messages could not be fixed (copied as they were, listed),\n"
	"2 usage error (nothing read or written), 3 a source could not be read or a check\n"
	"failed (nothing written: DEST does not appear).\n\n"
	"Safety: sources are only read. DEST must not exist or be empty; the copy is built\n"
	"beside it, made durable, read back and verified (every copy byte for byte, every\n"
	"part within the rules, every attachment by SHA-256 in exactly one part or file), and\n"
	"only then renamed to DEST.\n\n"
	"The workflow:\n"
	"  mailpreflight scan --json scan.json ~/Maildir          # what the target refuses\n"
	"  mailpreflight fix split ~/Maildir --out ~/Maildir.fixed --json fix.json\n"
	"  mailpreflight scan ~/Maildir.fixed                     # no size or attachment errors\n";

static gboolean
parse_format (const char *text, MpFixFormat *out)
{
	if (text == NULL) {
		*out = MP_FIX_FORMAT_SAME;
		return TRUE;
	}
	if (strcmp (text, "mbox") == 0)
		*out = MP_FIX_FORMAT_MBOX;
	else if (strcmp (text, "maildir") == 0)
		*out = MP_FIX_FORMAT_MAILDIR;
	else
		return FALSE;
	return TRUE;
}

static int
usage_error (const char *cmd, const char *msg)
{
	g_printerr ("mailpreflight fix %s: %s\nTry 'mailpreflight fix %s --help'.\n", cmd, msg, cmd);
	return MP_EXIT_USAGE;
}

/* `fix split imap[s]://...`: the live account (fix/imap-apply.h). */
static int
run_fix_imap (const char *cmd, char **sources, const char *rules_arg, const char *severity, gboolean allow_break,
              gboolean apply, gboolean expunge, const char *backup, const char *out, const MpImapArgs *imap,
              const MpFixImapOptions *base)
{
	MpFixImapOptions opt = *base;
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;

	if (sources[1] != NULL)
		return usage_error (cmd, "one IMAP account at a time");
	if (out != NULL)
		return usage_error (cmd, "--out is for mailboxes on disk: an IMAP account is fixed in place "
		                         "(--apply --backup FILE.mbox)");
	if (expunge && !apply)
		return usage_error (cmd, "--expunge needs --apply");
	if (apply && backup == NULL)
		return usage_error (cmd, "--apply needs --backup FILE.mbox: every original is saved there first");
	if (severity != NULL && !mp_severity_parse (severity, &opt.level))
		return usage_error (cmd, "--severity: error, warning or info");
	if (severity == NULL)
		opt.level = MP_SEVERITY_ERROR;
	if (!mp_imap_args_check_ranges (imap, &error) || !mp_imap_args_check_admin (imap, &error))
		return usage_error (cmd, error->message);
	if ((rules = mp_rules_load (rules_arg, &error)) == NULL) {
		g_printerr ("mailpreflight fix %s: %s\n", cmd, error->message);
		return MP_EXIT_USAGE;
	}
	mp_imap_args_warn (imap);
	mp_imap_args_apply_fix (imap, &opt);
	opt.url = sources[0];
	opt.rules = rules;
	opt.allow_break_signatures = allow_break;
	opt.apply = apply;
	opt.expunge = expunge;
	opt.backup = backup;
	opt.interactive = isatty (STDIN_FILENO);
	signal (SIGXFSZ, SIG_IGN);
	return mp_fix_imap_run (&opt);
}

static int
run_fix (MpFixMode mode, int argc, char **argv)
{
	const char *cmd = mode == MP_FIX_MODE_SPLIT ? "split" : "detach";
	g_autoptr(GStrvBuilder) cb = g_strv_builder_new ();
	g_auto(GStrv) command = NULL;
	g_autofree char *out = NULL;
	g_autofree char *out_format = NULL;
	g_autofree char *rules_arg = NULL;
	g_autofree char *severity = NULL;
	g_autofree char *oversize = NULL;
	g_autofree char *min_size = NULL;
	g_autofree char *from_report = NULL;
	g_autofree char *json = NULL;
	g_autofree char *html = NULL;
	gboolean allow_break = FALSE, dry_run = FALSE, quiet = FALSE, no_progress = FALSE;
	/* a live IMAP account */
	g_autofree char *backup = NULL;
	gboolean apply = FALSE, expunge = FALSE;
	g_auto(MpImapArgs) imap = { 0 };
	g_auto(GStrv) sources = NULL;
	const GOptionEntry split_entries[] = {
		{ "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
		  "Rules: a built-in profile name or a rules file (default: as for scan); their message-size, "
		  "attachment-count and attachment-size rules are what a split is for", "NAME|FILE" },
		{ "severity", 0, 0, G_OPTION_ARG_STRING, &severity,
		  "Fix the rules of this severity or above: error (default), warning or info", "LEVEL" },
		{ "oversize", 0, 0, G_OPTION_ARG_STRING, &oversize,
		  "An attachment too large for any message on its own: keep (default: the message is copied "
		  "as it is and reported) or detach (saved under DEST-attachments/, a note in its place)", "keep|detach" },
		{ NULL }
	};
	const GOptionEntry imap_entries[] = {
		{ "apply", 0, 0, G_OPTION_ARG_NONE, &apply,
		  "IMAP: change the account (default: a dry run): back up, APPEND the parts, verify, mark the "
		  "original \\Deleted", NULL },
		{ "backup", 0, 0, G_OPTION_ARG_FILENAME, &backup,
		  "IMAP: the local mbox every original goes to before anything changes (required with --apply; "
		  "a new file, or an earlier run's backup to resume it; manifest FILE.json)", "FILE.mbox" },
		{ "expunge", 0, 0, G_OPTION_ARG_NONE, &expunge,
		  "IMAP: expunge the originals once their parts are verified, by UID only (UID EXPUNGE, needs "
		  "UIDPLUS)", NULL },
		{ NULL }
	};
	const GOptionEntry detach_entries[] = {
		{ "min-size", 0, 0, G_OPTION_ARG_STRING, &min_size,
		  "Detach every attachment at least this large, encoded (e.g. 10 MB; KB/MB/GB are powers of 1024)",
		  "SIZE" },
		{ "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
		  "Rules used to analyze the messages (default: as for scan)", "NAME|FILE" },
		{ NULL }
	};
	const GOptionEntry common[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "Write the copy to DEST, which must not exist or be empty (a directory; a file for an mbox file)",
		  "DEST" },
		{ "out-format", 0, 0, G_OPTION_ARG_STRING, &out_format,
		  "Write the copy as mbox or maildir (default: as each SOURCE)", "mbox|maildir" },
		{ "allow-break-signatures", 0, 0, G_OPTION_ARG_NONE, &allow_break,
		  "Also change signed or encrypted messages (S/MIME, PGP): their signatures no longer verify", NULL },
		{ "from-report", 0, 0, G_OPTION_ARG_FILENAME, &from_report,
		  "Change only the messages this saved scan report (scan --json) lists with a size or attachment "
		  "finding: apply a reviewed plan", "FILE" },
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		  "Plan and check everything, write no mail: print (and --json) what would be done", NULL },
		{ "json", 0, 0, G_OPTION_ARG_FILENAME, &json,
		  "Write the manifest to FILE ('-' for stdout): every changed message, its parts, attachments and "
		  "their SHA-256 (schema mailpreflight-fix/1)", "FILE" },
		{ "html", 0, 0, G_OPTION_ARG_FILENAME, &html,
		  "Write an HTML report to FILE: each changed message before and after", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no summary on stdout", NULL },
		{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "No progress line on stderr", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sources, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autofree char *prgname = g_strdup_printf ("mailpreflight fix %s", cmd);
	MpFixOptions opt = { 0 };
	const char *no_colour = g_getenv ("NO_COLOR");

	/* the command as typed, for the manifest: "fix split ..." */
	g_strv_builder_add (cb, "fix");
	for (int i = 0; i < argc; i++)
		g_strv_builder_add (cb, argv[i]);
	command = g_strv_builder_end (cb);
	g_set_prgname (prgname);
	if (mode == MP_FIX_MODE_SPLIT) {
		ctx = g_option_context_new ("SOURCE... --out DEST | imap[s]://USER@HOST[/FOLDER] [--apply --backup FILE.mbox] - "
		                            "split what a migration target would refuse");
		g_option_context_set_summary (ctx,
			"Writes a copy of each SOURCE (an mbox file, a folder of mbox files or a Maildir) in\n"
			"which every message that breaks a message-size or attachment-count rule is replaced\n"
			"by several messages that each pass: part 1 keeps the headers, the text (HTML and its\n"
			"inline images) and lists where each attachment went; parts 2..N carry the\n"
			"attachments, with \"[part k/N]\" before the Subject and References to the original.\n"
			"Attachments are copied from their original bytes. Every other message is copied\n"
			"byte for byte with its flags and dates. Signed and encrypted messages are left\n"
			"alone unless --allow-break-signatures.\n\n"
			"An IMAP account is fixed in place, where the migration will read from: without\n"
			"--apply a dry run (EXAMINE, BODY.PEEK: nothing changes). With --apply, per message:\n"
			"the original is saved to the --backup mbox (fsynced) first, its parts APPENDed\n"
			"with its flags and INTERNALDATE and read back byte for byte, and only then is it\n"
			"marked \\Deleted; it is expunged only with --expunge, by UID (UIDPLUS). A cut run\n"
			"is finished by running the same command again (FILE.mbox.json says how far it went).\n"
			"The dry run prints how many messages it would split into how many parts; --json and\n"
			"--html write the local fix's manifest and report for an account too (dry run and\n"
			"--apply): each message by folder and UID, its parts and, applied, their UIDs.");
		g_option_context_add_main_entries (ctx, split_entries, NULL);
		g_option_context_add_main_entries (ctx, imap_entries, NULL);
		mp_imap_args_add_to_group (&imap, g_option_context_get_main_group (ctx), MP_IMAP_ARGS_USE_FIX,
		                           MP_IMAP_ARGS_TIMEOUT | MP_IMAP_ARGS_COMMAND_TIMEOUT | MP_IMAP_ARGS_ADMIN);
	} else {
		ctx = g_option_context_new ("SOURCE... --out DEST --min-size SIZE - save large attachments as files");
		g_option_context_set_summary (ctx,
			"Writes a copy of each SOURCE in which every attachment at least --min-size large\n"
			"(encoded, at the top of its message) is saved under DEST-attachments/ (named by its\n"
			"SHA-256, with a JSON sidecar holding its original name) and replaced by a short\n"
			"text stating its name, size, SHA-256 and where it went. Everything else is copied\n"
			"byte for byte.");
		g_option_context_add_main_entries (ctx, detach_entries, NULL);
	}
	g_option_context_set_description (ctx, fix_description);
	g_option_context_add_main_entries (ctx, common, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error))
		return usage_error (cmd, error->message);
	if (sources == NULL || sources[0] == NULL)
		return usage_error (cmd, "no SOURCE given");
	if (mode == MP_FIX_MODE_SPLIT && mp_source_is_network (sources[0])) {
		/* what only a copy on disk has: refused, never silently ignored */
		if (out_format != NULL)
			return usage_error (cmd, "--out-format is for mailboxes on disk: an IMAP account is fixed in "
			                         "place, there is no copy to write in another format");
		if (oversize != NULL)
			return usage_error (cmd, "--oversize is for mailboxes on disk: a detached attachment is saved "
			                         "as a file beside the copy (DEST-attachments/), and an IMAP account "
			                         "fixed in place has no copy; fix a local copy (scan, then fix split "
			                         "--out) for those messages");
		if (dry_run && apply)
			return usage_error (cmd, "--dry-run and --apply: choose one");
		if (json != NULL && html != NULL && strcmp (json, "-") == 0 && strcmp (html, "-") == 0)
			return usage_error (cmd, "only one of --json and --html can go to stdout ('-')");
		if ((json != NULL && strcmp (json, "-") == 0) || (html != NULL && strcmp (html, "-") == 0))
			quiet = TRUE; /* stdout holds that report alone */
		return run_fix_imap (cmd, sources, rules_arg, severity, allow_break, apply, expunge, backup, out, &imap,
		                     &(MpFixImapOptions) {
			.progress = !no_progress && isatty (STDERR_FILENO), .quiet = quiet,
			.json = json, .html = html, .command = command, .from_report = from_report,
		});
	}
	if (apply || expunge || backup != NULL)
		return usage_error (cmd, "--apply, --backup and --expunge are for an IMAP account (imap[s]://...)");
	if (out == NULL)
		return usage_error (cmd, "--out DEST is required: a fix always writes a new copy");
	if (!parse_format (out_format, &opt.out_format))
		return usage_error (cmd, "--out-format: mbox or maildir");
	if (severity != NULL && (!mp_severity_parse (severity, &opt.level)))
		return usage_error (cmd, "--severity: error, warning or info");
	if (severity == NULL)
		opt.level = MP_SEVERITY_ERROR;
	if (oversize != NULL && strcmp (oversize, "keep") != 0 && strcmp (oversize, "detach") != 0)
		return usage_error (cmd, "--oversize: keep or detach");
	if (mode == MP_FIX_MODE_DETACH) {
		if (min_size == NULL)
			return usage_error (cmd, "--min-size SIZE is required");
		if (!mp_parse_size (min_size, &opt.min_size, &error)) {
			g_autofree char *m = g_strdup_printf ("--min-size: %s", error->message);
			return usage_error (cmd, m);
		}
		if (opt.min_size == 0)
			return usage_error (cmd, "--min-size must be more than 0");
	}
	if (json != NULL && html != NULL && strcmp (json, "-") == 0 && strcmp (html, "-") == 0)
		return usage_error (cmd, "only one of --json and --html can go to stdout ('-')");
	if ((json != NULL && strcmp (json, "-") == 0) || (html != NULL && strcmp (html, "-") == 0))
		quiet = TRUE; /* stdout holds that report alone */
	rules = mp_rules_load (rules_arg, &error);
	if (rules == NULL) {
		g_printerr ("mailpreflight fix %s: %s\n", cmd, error->message);
		return MP_EXIT_USAGE;
	}
	/* a write over a file size limit (ulimit -f) must fail as an error the
	 * fix handles (EFBIG), not kill it before it can clean up */
	signal (SIGXFSZ, SIG_IGN);
	opt.mode = mode;
	opt.out = out;
	opt.rules = rules;
	opt.detach_oversize = oversize != NULL && strcmp (oversize, "detach") == 0;
	opt.allow_break_signatures = allow_break;
	opt.dry_run = dry_run;
	opt.from_report = from_report;
	opt.json = json;
	opt.html = html;
	opt.command = command;
	opt.progress = !no_progress && isatty (STDERR_FILENO);
	opt.quiet = quiet;
	opt.colour = isatty (STDOUT_FILENO) && (no_colour == NULL || *no_colour == '\0');
	opt.fault = g_getenv ("MAILPREFLIGHT_FIX_FAULT");
	return (int) mp_fix_run ((const char *const *) sources, &opt);
}

int
mp_cmd_fix (int argc, char **argv)
{
	if (argc >= 2 && strcmp (argv[1], "split") == 0)
		return run_fix (MP_FIX_MODE_SPLIT, argc - 1, argv + 1);
	if (argc >= 2 && strcmp (argv[1], "detach") == 0)
		return run_fix (MP_FIX_MODE_DETACH, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)) {
		printf ("Usage: mailpreflight fix split SOURCE... --out DEST [OPTIONS]\n"
		        "       mailpreflight fix split imap[s]://USER@HOST[/FOLDER] [--apply --backup FILE.mbox "
		        "[--expunge]] [OPTIONS]\n"
		        "       mailpreflight fix detach SOURCE... --out DEST --min-size SIZE [OPTIONS]\n\n"
		        "Writes a copy of the SOURCEs that a migration target accepts, losing nothing:\n"
		        "  split   replace each message over a size or attachment-count limit by\n"
		        "          messages that pass (too-large attachments: --oversize detach)\n"
		        "  detach  save attachments of --min-size or more as files, a note in their place\n"
		        "An IMAP account is split in place (a dry run unless --apply; a local backup first,\n"
		        "nothing expunged unless --expunge).\n\n"
		        "Run 'mailpreflight fix split --help' or 'mailpreflight fix detach --help' for the\n"
		        "options; see mailpreflight(1).\n\n%s", fix_description);
		return MP_EXIT_OK;
	}
	g_printerr ("Usage: mailpreflight fix split|detach SOURCE... --out DEST [OPTIONS]\n"
	            "Try 'mailpreflight fix --help'.\n");
	return MP_EXIT_USAGE;
}
