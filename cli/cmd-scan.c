/* cmd-scan.c — `mailpreflight scan`: the audit of mailboxes on disk and of
 * IMAP accounts. Wiring only: the options go to the parts that use them
 * (sources, rules, the report, the audit) and the scan connects them. */
#include "audit.h"
#include "commands.h"
#include "report-args.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "short-options.h"
#include "source-needs.h"
#include "target.h"

#include <stdio.h>
#include <unistd.h>

/* The scan's per-message callback (MpScanOptions.evaluate): the rules judge
 * each message on the worker that read it. */
static void
rules_judge_message (MpMessage *m, gpointer user_data)
{
	mp_rules_evaluate (user_data, m);
}

/* --target: the limit the target announces becomes a rule of its own. */
static gboolean
apply_target_limit (MpRuleSet *rules, const char *url, const MpSourceSettings *net, GError **error)
{
	MpTargetLimit t;

	if (!mp_target_read_limit (url, net, &t, error))
		return FALSE;
	for (guint i = 0; i < t.notes->len; i++)
		g_printerr ("mailpreflight: %s\n", (const char *) g_ptr_array_index (t.notes, i));
	if (t.found)
		mp_rules_add_size_limit (rules, "target-appendlimit", t.limit, t.origin);
	mp_target_limit_clear (&t);
	return TRUE;
}

/* The globs of the rules file and those of the command line, one list
 * (the command line adds to the rules'), each checked. */
static char **
folder_globs (char **from_rules, char **from_cli, const char *option, GError **error)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

	for (int i = 0; from_cli && from_cli[i]; i++) {
		if (!mp_folder_glob_check (from_cli[i], error)) {
			g_prefix_error (error, "%s: ", option);
			return NULL;
		}
	}
	if (from_rules)
		g_strv_builder_addv (b, (const char **) from_rules);
	if (from_cli)
		g_strv_builder_addv (b, (const char **) from_cli);
	return g_strv_builder_end (b);
}

int
mp_cmd_scan (int argc, char **argv)
{
	g_auto(GStrv) command = g_strdupv (argv);
	/* -j1 and -rgeneric as getopt takes them; parsed from a copy */
	g_auto(GStrv) args = mp_split_glued_short_options (argc, argv, "jr");
	g_auto(GStrv) exclude_cli = NULL;
	g_auto(GStrv) include_cli = NULL;
	g_auto(GStrv) exclude = NULL;
	g_auto(GStrv) include = NULL;
	g_autoptr(MpFolderFilter) folder_filter = NULL;
	g_auto(MpReportArgs) out = { 0 };
	g_autofree char *rules_arg = NULL;
	g_autofree char *as_of = NULL;
	gint jobs = 0;
	gboolean no_progress = FALSE;
	g_autofree char *ca_file = NULL;
	g_autofree char *password_file = NULL;
	g_autofree char *token_file = NULL;
	gboolean insecure = FALSE;
	gboolean allow_plaintext = FALSE;
	gint connections = 0;
	gint timeout_s = 0;
	gint command_timeout_s = 0;
	gboolean metadata_only = FALSE;
	g_autofree char *target = NULL;
	g_autofree char *secret_host = NULL;
	g_auto(GStrv) sources = NULL;
	const GOptionEntry entries[] = {
		{ "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
		  "Rules: a built-in profile name or a rules file (default: outlook-connected-accounts)", "NAME|FILE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker threads (default: number of cores)", "N" },
		{ "exclude-folder", 0, 0, G_OPTION_ARG_STRING_ARRAY, &exclude_cli,
		  "Leave out the folders whose name (as shown: Archive/2019) matches GLOB ('*' any text, '?' one "
		  "character, any case); repeatable; the rules file's exclude-folders too", "GLOB" },
		{ "include-folder", 0, 0, G_OPTION_ARG_STRING_ARRAY, &include_cli,
		  "Read only the folders that match GLOB (repeatable; the rules file's include-folders too)", "GLOB" },
		{ "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of,
		  "Judge dates and idle time as of this ISO 8601 time (default: now)", "TIME" },
		{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "No progress line on stderr", NULL },
		{ "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
		  "IMAP: read the password from the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a "
		  "prompt); used only when every IMAP source is on the same host", "FILE" },
		{ "oauth2-token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
		  "IMAP: log in with the OAuth2 access token in FILE (XOAUTH2 / OAUTHBEARER)", "FILE" },
		{ "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
		  "IMAP: trust the certificates in FILE (PEM) instead of the system store", "FILE" },
		{ "insecure-skip-verify", 0, 0, G_OPTION_ARG_NONE, &insecure,
		  "IMAP: do not verify the server's certificate (dangerous; recorded in the report)", NULL },
		{ "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &allow_plaintext,
		  "IMAP: allow imap:// without STARTTLS, sending the password unencrypted", NULL },
		{ "connections", 0, 0, G_OPTION_ARG_INT, &connections,
		  "IMAP: parallel connections per account (default 4; servers throttle more)", "N" },
		{ "target", 0, 0, G_OPTION_ARG_STRING, &target,
		  "Read the message-size limit the target announces (IMAP APPENDLIMIT, RFC 7889) from URL "
		  "(imaps://[USER@]HOST[:PORT]; to log in: $MAILPREFLIGHT_TARGET_PASSWORD) and check it too", "URL" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
		  "IMAP: seconds to wait for the server before giving up (default 60)", "SECONDS" },
		{ "command-timeout", 0, 0, G_OPTION_ARG_INT, &command_timeout_s,
		  "IMAP: seconds one command may take in all, however busy the server seems (default 600)", "SECONDS" },
		{ "metadata-only", 0, 0, G_OPTION_ARG_NONE, &metadata_only,
		  "IMAP: never download message content; line-length rules and archive contents are then "
		  "not checked (by default only the parts those rules need are fetched, with BODY.PEEK)", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sources, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE... - audit mailboxes before a migration");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autoptr(MpReport) report = NULL;
	g_autoptr(MpAudit) audit = NULL;
	g_autoptr(MpReportMeta) meta = mp_report_meta_new ();
	MpSourceSettings net = { 0 };
	MpReportOptions ropt = { 0 };
	MpScanOptions sopt = { 0 };
	MpScanResult result;
	gboolean any_url = FALSE;

	g_set_prgname ("mailpreflight scan");
	g_option_context_set_summary (ctx,
		"Each SOURCE is an mbox file, a Maildir (also Maildir++ and nested trees), a\n"
		"folder of mbox files (mutt, Thunderbird, Evolution), or an IMAP account:\n"
		"imaps://USER@HOST[:PORT][/FOLDER] (TLS) or imap://USER@HOST[:PORT][/FOLDER]\n"
		"(STARTTLS required). The kind is detected. Sources are only read, never\n"
		"changed: IMAP folders are opened with EXAMINE and nothing sets \\Seen.\n"
		"Passwords never go on the command line: $MAILPREFLIGHT_PASSWORD,\n"
		"--password-file or a prompt; the first two only when every IMAP source\n"
		"is on the same host.");
	g_option_context_set_description (ctx,
		"Exit status: 0 no finding at or above --fail-on, 1 findings at that level,\n"
		"2 usage or rules error, 3 a source could not be read (the others are still scanned);\n"
		"3 wins over 1: an incomplete audit is said first, its findings are in the reports.\n"
		"The verdict (READY, NOT READY, INCOMPLETE) describes the mailboxes whatever --fail-on.\n\n"
		"Examples:\n  mailpreflight scan --csv report.csv --inventory inventory.csv ~/Maildir ~/mail/archive.mbox\n"
		"  mailpreflight scan --html report.html --json report.json --junit junit.xml ~/Maildir\n");
	g_option_context_set_main_group (ctx, mp_report_args_group (&out, "error"));
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse_strv (ctx, &args, &error)) {
		g_printerr ("mailpreflight scan: %s\nTry 'mailpreflight scan --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (sources == NULL || sources[0] == NULL) {
		g_printerr ("mailpreflight scan: no SOURCE given\nTry 'mailpreflight scan --help'.\n");
		return MP_EXIT_USAGE;
	}
	if (!mp_report_args_apply_fail_on (&out, meta, &error) || !mp_report_args_check_outputs (&out, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (jobs < 0 || jobs > 1024) {
		g_printerr ("mailpreflight scan: --jobs: %d is not from 1 to 1024\n", jobs);
		return MP_EXIT_USAGE;
	}
	if (connections < 0 || connections > 64 || timeout_s < 0 || timeout_s > 3600 ||
	    command_timeout_s < 0 || command_timeout_s > 86400) {
		g_printerr ("mailpreflight scan: --connections is from 1 to 64, --timeout from 1 to 3600 seconds, "
		            "--command-timeout from 1 to 86400 seconds\n");
		return MP_EXIT_USAGE;
	}
	for (int i = 0; sources[i]; i++)
		any_url |= mp_source_is_network (sources[i]);
	if (jobs == 0)
		jobs = (gint) mp_source_default_jobs ((const char *const *) sources, (guint) connections);
	if (insecure)
		g_printerr ("mailpreflight: WARNING: --insecure-skip-verify: the IMAP server's certificate is NOT "
		            "verified; anyone on the network path can read the password and the mail.\n");
	net.ca_file = ca_file;
	net.insecure_skip_verify = insecure;
	net.allow_plaintext = allow_plaintext;
	net.password_file = password_file;
	net.oauth2_token_file = token_file;
	/* a password given for the run goes to the run's one host only */
	secret_host = mp_source_secret_host ((const char *const *) sources);
	net.secret_host = secret_host;
	net.interactive = isatty (STDIN_FILENO);
	net.connections = (guint) connections;
	net.timeout_ms = (guint) timeout_s * 1000;
	net.command_timeout_ms = (guint) command_timeout_s * 1000;
	net.metadata_only = metadata_only;

	rules = mp_rules_load (rules_arg, &error);
	if (rules == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (as_of != NULL && !mp_parse_as_of (as_of, &rules->as_of, &error)) {
		g_printerr ("mailpreflight scan: --as-of: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	exclude = folder_globs (rules->exclude_folders, exclude_cli, "--exclude-folder", &error);
	include = exclude ? folder_globs (rules->include_folders, include_cli, "--include-folder", &error) : NULL;
	if (exclude == NULL || include == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	folder_filter = mp_folder_filter_new ((const char *const *) include, (const char *const *) exclude);
	if (target != NULL && !apply_target_limit (rules, target, &net, &error)) {
		g_printerr ("mailpreflight scan: --target: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	mp_rules_fill_source_settings (rules, &net);
	mp_report_meta_set_rules (meta, rules);
	{
		MpRunInfo *run = mp_run_info_new_current (command, as_of != NULL, rules->as_of);
		run->rules_name = g_strdup (rules->name);
		run->rules_origin = g_strdup (rules->origin);
		run->insecure_skip_verify = insecure;
		run->metadata_only = metadata_only;
		run->exclude_folders = exclude[0] ? g_strdupv (exclude) : NULL;
		run->include_folders = include[0] ? g_strdupv (include) : NULL;
		/* notes of the run travel with it into the JSON: a re-rendered
		 * report says them too */
		if (insecure)
			mp_run_info_add_note (run, "TLS certificate verification was disabled (--insecure-skip-verify)");
		if (any_url) {
			g_auto(GStrv) notices = mp_rules_imap_notices (rules);
			for (int i = 0; notices[i]; i++)
				mp_run_info_add_note (run, notices[i]);
		}
		if (any_url && metadata_only) {
			g_auto(GStrv) notices = mp_rules_metadata_only_notices (rules);
			for (int i = 0; notices[i]; i++) {
				mp_run_info_add_note (run, notices[i]);
				g_printerr ("mailpreflight: note: %s\n", notices[i]);
			}
		}
		g_ptr_array_add (meta->runs, run);
	}
	mp_report_args_fill (&out, &ropt);
	ropt.progress = !no_progress && isatty (STDERR_FILENO);
	if (ropt.progress)
		for (int i = 0; sources[i]; i++)
			ropt.progress_total += mp_source_estimate_bytes (sources[i]);
	report = mp_report_new (&ropt, meta, &error);
	if (report == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}

	/* the audit wraps the report: folder and account rules, duplicates */
	audit = mp_audit_new (rules, mp_report_sink (), report);
	sopt.jobs = (guint) jobs;
	sopt.folder_filter = folder_filter;
	sopt.source_settings = &net;
	sopt.analyze_flags = mp_rules_analyze_flags (rules);
	sopt.evaluate = rules_judge_message;
	sopt.evaluate_data = rules;
	sopt.sink = mp_audit_sink ();
	sopt.sink_data = audit;
	mp_scan_run ((const char *const *) sources, &sopt, &result);

	if (!mp_report_finish (report, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	mp_report_args_print_summary (&out, report, meta);
	/* messages that could not be read make the audit incomplete too */
	if (result.sources_failed || result.folders_failed || mp_summary_incomplete (mp_report_summary (report)))
		return MP_EXIT_SOURCE;
	return mp_report_blocking (report) > 0 ? MP_EXIT_FINDINGS : MP_EXIT_OK;
}
