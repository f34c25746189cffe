/* cmd-scan.c — `mailpreflight scan`: the audit of mailboxes on disk and of
 * IMAP accounts. Wiring only: the options go to the parts that use them
 * (sources, rules, the report, the audit) and the scan connects them. */
#include "audit.h"
#include "commands.h"
#include "discover.h"
#include "forward-check.h"
#include "imap-args.h"
#include "report-args.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "short-options.h"
#include "source-needs.h"
#include "target.h"

#include <stdio.h>
#include <string.h>
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

/* The accounts of this run, numbered, then this shard's share of them. */
static GPtrArray *
collect_accounts (char **sources, const char *accounts_file, const char *accounts_dir, const char *layout,
                  const char *shard, guint *total, GError **error)
{
	g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	guint k = 1, n = 1;

	if (shard != NULL && !mp_shard_parse (shard, &k, &n, error))
		return NULL;
	if (sources != NULL) {
		for (int i = 0; sources[i]; i++) {
			if (!mp_source_is_network (sources[i]) && mp_dir_is_account_tree (sources[i]))
				g_printerr ("mailpreflight: %s is a tree of homes: one account per subdirectory "
				            "(as with --accounts-dir)\n", sources[i]);
		}
		if (!mp_accounts_from_sources ((const char *const *) sources, accounts, error))
			return NULL;
	}
	if (accounts_file != NULL && !mp_accounts_from_file (accounts_file, accounts, error))
		return NULL;
	if ((accounts_dir != NULL || layout != NULL) && !mp_accounts_from_dir (accounts_dir, layout, accounts, error))
		return NULL;
	if (!mp_accounts_finish (accounts, error))
		return NULL;
	*total = accounts->len;
	if (n > 1)
		mp_accounts_shard (accounts, k, n);
	return g_steal_pointer (&accounts);
}

/* Passwords are per account and per host: the command line's password is
 * one login's, never handed to several IMAP accounts. Sources on several
 * hosts get none of it (the host tie, imap-secret.h: each such source
 * fails and says why); on one host, several logins would share it. */
static gboolean
check_passwords (GPtrArray *accounts, const MpSourceSettings *net, GError **error)
{
	g_autoptr(GHashTable) logins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GPtrArray) shared = g_ptr_array_new ();
	g_autofree char *host = NULL;

	if (net->admin_user != NULL)
		return TRUE;
	for (guint i = 0; i < accounts->len; i++) {
		const MpAccount *a = g_ptr_array_index (accounts, i);
		for (guint k = 0; k < a->sources->len; k++) {
			const MpAccountSource *s = g_ptr_array_index (a->sources, k);
			if (mp_source_is_network (s->location) && s->password_file == NULL && s->oauth2_token_file == NULL) {
				/* one login: the user at the server (folders of one account are one) */
				g_autofree char *user = mp_account_name_for_source (s->location);
				g_autofree char *server = mp_source_server_key (s->location);
				g_hash_table_add (logins, g_strdup_printf ("%s@%s", user, server ? server : "?"));
				g_ptr_array_add (shared, s->location);
			}
		}
	}
	g_ptr_array_add (shared, NULL);
	host = mp_source_secret_host ((const char *const *) shared->pdata);
	if (host != NULL && g_hash_table_size (logins) > 1) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "%u IMAP accounts would share one password ($MAILPREFLIGHT_PASSWORD, --password-file): "
		             "give each its own (the accounts file's password_file or oauth2_token_file column) or "
		             "log in as an admin (--admin-user)", g_hash_table_size (logins));
		return FALSE;
	}
	return TRUE;
}

/* The one host of the sources that use the run's secret (those without a
 * password or token file of their own in the accounts file), or NULL when
 * they are on several (imap-secret.h). */
static char *
run_secret_host (GPtrArray *accounts)
{
	g_autoptr(GPtrArray) shared = g_ptr_array_new ();

	for (guint i = 0; i < accounts->len; i++) {
		const MpAccount *a = g_ptr_array_index (accounts, i);
		for (guint k = 0; k < a->sources->len; k++) {
			const MpAccountSource *s = g_ptr_array_index (a->sources, k);
			if (s->password_file == NULL && s->oauth2_token_file == NULL)
				g_ptr_array_add (shared, s->location);
		}
	}
	g_ptr_array_add (shared, NULL);
	return mp_source_secret_host ((const char *const *) shared->pdata);
}

static gboolean
parse_evidence_kinds (const char *text, guint *out, GError **error)
{
	g_auto(GStrv) names = g_strsplit_set (text, ", ", -1);

	*out = 0;
	for (int i = 0; names[i]; i++) {
		MpEvidenceKind k;
		if (*names[i] == '\0')
			continue;
		if (!mp_evidence_kind_parse (names[i], &k)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--activity-evidence: unknown kind '%s' "
			             "(login, sending, reading, filing, file-times)", names[i]);
			return FALSE;
		}
		*out |= 1u << k;
	}
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
	g_auto(MpImapArgs) imap = { 0 };
	gboolean metadata_only = FALSE;
	g_autofree char *target = NULL;
	g_autofree char *accounts_file = NULL;
	g_autofree char *accounts_dir = NULL;
	g_autofree char *layout = NULL;
	g_autofree char *shard = NULL;
	g_autofree char *evidence = NULL;
	gint parallel_accounts = 0;
	gint managesieve_port = -1;
	MpForwardCheckOptions fwd = { 0 };
	gint server_connections = -1;
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
		{ "target", 0, 0, G_OPTION_ARG_STRING, &target,
		  "Read the message-size limit the target announces (IMAP APPENDLIMIT, RFC 7889) from URL "
		  "(imaps://[USER@]HOST[:PORT]; to log in: $MAILPREFLIGHT_TARGET_PASSWORD) and check it too", "URL" },
		{ "metadata-only", 0, 0, G_OPTION_ARG_NONE, &metadata_only,
		  "IMAP: never download message content; line-length rules and archive contents are then "
		  "not checked (by default only the parts those rules need are fetched, with BODY.PEEK)", NULL },
		{ "accounts", 0, 0, G_OPTION_ARG_FILENAME, &accounts_file,
		  "Audit the accounts listed in FILE: CSV with a header; columns account, source (path or IMAP URL), "
		  "and optional password_file, oauth2_token_file, last_login, forward_to, home", "FILE" },
		{ "accounts-dir", 0, 0, G_OPTION_ARG_FILENAME, &accounts_dir,
		  "Audit every subdirectory of DIR as an account (a /home or /srv/mail tree): its mail in Maildir/, "
		  "mail/ or itself, the subdirectory its home", "DIR" },
		{ "layout", 0, 0, G_OPTION_ARG_STRING, &layout,
		  "Where each account's mail is, below --accounts-dir or absolute: %u user, %n user part, "
		  "%d domain (%u/Maildir, /var/mail/%u, %d/%n)", "PATTERN" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &shard,
		  "Audit only shard K of N of the accounts (a stable hash of the name); auto: from "
		  "JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm)", "K/N|auto" },
		{ "activity-evidence", 0, 0, G_OPTION_ARG_STRING, &evidence,
		  "Also use these kinds of activity evidence: file-times (Maildir inode change times and "
		  "Dovecot's index log; only on the server's own store)", "KINDS" },
		{ "managesieve-port", 0, 0, G_OPTION_ARG_INT, &managesieve_port,
		  "IMAP: the port of the server's ManageSieve service, asked for the active Sieve script "
		  "(default 4190; 0: do not ask, forwarding is then unknown)", "PORT" },
		{ "parallel-accounts", 0, 0, G_OPTION_ARG_INT, &parallel_accounts,
		  "Accounts read at the same time (default: 1, or 8 with IMAP accounts)", "N" },
		{ "server-connections", 0, 0, G_OPTION_ARG_INT, &server_connections,
		  "IMAP: connections to one server for all accounts together (default 16; 0: no bound)", "N" },
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
	g_autoptr(GPtrArray) accounts = NULL;
	g_autoptr(GPtrArray) all_sources = g_ptr_array_new ();
	guint total_accounts = 0;
	guint evidence_kinds = 0;

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
	mp_imap_args_add_to_group (&imap, g_option_context_get_main_group (ctx), MP_IMAP_ARGS_USE_SCAN,
	                           MP_IMAP_ARGS_CONNECTIONS | MP_IMAP_ARGS_TIMEOUT | MP_IMAP_ARGS_COMMAND_TIMEOUT |
	                           MP_IMAP_ARGS_ADMIN);
	if (!g_option_context_parse_strv (ctx, &args, &error)) {
		g_printerr ("mailpreflight scan: %s\nTry 'mailpreflight scan --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	if ((sources == NULL || sources[0] == NULL) && accounts_file == NULL && accounts_dir == NULL && layout == NULL) {
		g_printerr ("mailpreflight scan: no SOURCE given (nor --accounts or --accounts-dir)\n"
		            "Try 'mailpreflight scan --help'.\n");
		return MP_EXIT_USAGE;
	}
	if (evidence != NULL && !parse_evidence_kinds (evidence, &evidence_kinds, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (managesieve_port > 65535 || managesieve_port < -1) {
		g_printerr ("mailpreflight scan: --managesieve-port is from 0 to 65535\n");
		return MP_EXIT_USAGE;
	}
	fwd.managesieve_port = managesieve_port == 0 ? -1 : managesieve_port < 0 ? 0 : managesieve_port;
	if (parallel_accounts < 0 || parallel_accounts > 256 || server_connections < -1 || server_connections > 1024) {
		g_printerr ("mailpreflight scan: --parallel-accounts is from 1 to 256, --server-connections from 0 to 1024\n");
		return MP_EXIT_USAGE;
	}
	accounts = collect_accounts (sources, accounts_file, accounts_dir, layout, shard, &total_accounts, &error);
	if (accounts == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	for (guint i = 0; i < accounts->len; i++) {
		const MpAccount *a = g_ptr_array_index (accounts, i);
		for (guint k = 0; k < a->sources->len; k++)
			g_ptr_array_add (all_sources, ((MpAccountSource *) g_ptr_array_index (a->sources, k))->location);
	}
	g_ptr_array_add (all_sources, NULL);
	if (!mp_report_args_apply_fail_on (&out, meta, &error) || !mp_report_args_check_outputs (&out, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (jobs < 0 || jobs > 1024) {
		g_printerr ("mailpreflight scan: --jobs: %d is not from 1 to 1024\n", jobs);
		return MP_EXIT_USAGE;
	}
	if (!mp_imap_args_check_ranges (&imap, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	for (guint i = 0; all_sources->pdata[i]; i++)
		any_url |= mp_source_is_network (all_sources->pdata[i]);
	if (jobs == 0)
		jobs = (gint) mp_source_default_jobs ((const char *const *) all_sources->pdata, (guint) imap.connections);
	mp_imap_args_warn (&imap);
	mp_imap_args_apply (&imap, &net);
	/* a prompt is for one account: with several, each has its own secret */
	net.interactive = isatty (STDIN_FILENO) && accounts->len == 1;
	if (!mp_imap_args_check_admin (&imap, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (!check_passwords (accounts, &net, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	/* a password given for the run goes to the run's one host only; an
	 * account's own password file goes to its own host (scan.c) */
	secret_host = run_secret_host (accounts);
	net.secret_host = secret_host;
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
		/* the as-of time is always recorded: merged shards must agree on it */
		MpRunInfo *run = mp_run_info_new_current (command, TRUE, rules->as_of);
		run->rules_name = g_strdup (rules->name);
		run->rules_origin = g_strdup (rules->origin);
		run->rules_digest = mp_rules_digest (rules);
		if (evidence_kinds) {
			/* --activity-evidence judges too: runs to merge must agree on it */
			g_autofree char *both = g_strdup_printf ("%s+evidence=%u", run->rules_digest, evidence_kinds);
			g_free (run->rules_digest);
			run->rules_digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, both, -1);
		}
		run->insecure_skip_verify = imap.insecure_skip_verify;
		run->metadata_only = metadata_only;
		run->exclude_folders = exclude[0] ? g_strdupv (exclude) : NULL;
		run->include_folders = include[0] ? g_strdupv (include) : NULL;
		/* notes of the run travel with it into the JSON: a re-rendered
		 * report says them too */
		if (imap.insecure_skip_verify)
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
	ropt.accounts_total = accounts->len;
	if (ropt.progress)
		for (guint i = 0; all_sources->pdata[i]; i++)
			ropt.progress_total += mp_source_estimate_bytes (all_sources->pdata[i]);
	report = mp_report_new (&ropt, meta, &error);
	if (report == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}

	/* the audit wraps the report: folder and account rules, duplicates */
	audit = mp_audit_new (rules, mp_report_sink (), report);
	if (evidence_kinds)
		mp_audit_add_evidence_kinds (audit, evidence_kinds);
	/* reading and filing evidence are arrival times: an IMAP source asks
	 * INTERNALDATE for the messages that can give them */
	net.arrival_times = (mp_audit_evidence_kinds (audit) &
	                     ((1u << MP_EVIDENCE_READING) | (1u << MP_EVIDENCE_FILING))) != 0;
	if (shard != NULL)
		g_printerr ("mailpreflight: --shard %s: %u of %u accounts\n", shard, accounts->len, total_accounts);
	sopt.jobs = (guint) jobs;
	sopt.folder_filter = folder_filter;
	sopt.source_settings = &net;
	sopt.analyze_flags = mp_rules_analyze_flags (rules);
	sopt.evaluate = rules_judge_message;
	sopt.evaluate_data = rules;
	sopt.sink = mp_audit_sink ();
	sopt.sink_data = audit;
	sopt.account_probe = mp_forward_check;
	sopt.account_probe_data = &fwd;
	sopt.parallel_accounts = parallel_accounts ? (guint) parallel_accounts : any_url ? 8 : 1;
	sopt.server_connections = server_connections >= 0 ? (guint) server_connections : 16;
	mp_scan_run_accounts ((MpAccount *const *) accounts->pdata, accounts->len, &sopt, &result);

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
