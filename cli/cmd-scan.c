/* cmd-scan.c — `mailpreflight scan`: the audit of local sources. */
#include "audit.h"
#include "commands.h"
#include "mp-config.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "target.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
evaluate (MpMessage *m, gpointer user_data)
{
	mp_rules_evaluate (user_data, m);
}

/* The bytes on disk under PATH, for the progress line's ETA: mbox files and
 * message files, not Maildir tmp/ nor Thunderbird .msf indexes. An estimate:
 * the scan counts CRLF octets. */
static guint64
estimate_bytes (const char *path, int depth)
{
	struct stat st;
	guint64 total = 0;
	GDir *dir;
	const char *name;

	if (stat (path, &st) != 0)
		return 0;
	if (S_ISREG (st.st_mode))
		return (guint64) st.st_size;
	if (!S_ISDIR (st.st_mode) || depth > 32 || (dir = g_dir_open (path, 0, NULL)) == NULL)
		return 0;
	while ((name = g_dir_read_name (dir)) != NULL) {
		g_autofree char *child = NULL;
		if (strcmp (name, "tmp") == 0 || g_str_has_suffix (name, ".msf") || g_str_has_prefix (name, "dovecot"))
			continue;
		child = g_build_filename (path, name, NULL);
		total += estimate_bytes (child, depth + 1);
	}
	g_dir_close (dir);
	return total;
}

/* Colour on stdout: a terminal and NO_COLOR unset or empty (no-color.org). */
gboolean
mp_use_colour (void)
{
	const char *no = g_getenv ("NO_COLOR");

	return isatty (STDOUT_FILENO) && (no == NULL || *no == '\0');
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

int
mp_cmd_scan (int argc, char **argv)
{
	g_autofree char *json = NULL;
	g_autofree char *junit = NULL;
	g_autofree char *html = NULL;
	g_auto(GStrv) command = g_strdupv (argv);
	g_autofree char *rules_arg = NULL;
	g_autofree char *csv = NULL;
	g_autofree char *inventory = NULL;
	g_autofree char *fail_on = NULL;
	g_autofree char *as_of = NULL;
	gint jobs = 0;
	gboolean quiet = FALSE;
	gboolean no_progress = FALSE;
	g_autofree char *ca_file = NULL;
	g_autofree char *password_file = NULL;
	g_autofree char *token_file = NULL;
	gboolean insecure = FALSE;
	gboolean allow_plaintext = FALSE;
	gint connections = 0;
	gint timeout_s = 0;
	gboolean metadata_only = FALSE;
	g_autofree char *target = NULL;
	MpSourceSettings net = { 0 };
	gboolean any_url = FALSE;
	g_auto(GStrv) sources = NULL;
	const GOptionEntry entries[] = {
		{ "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
		  "Rules: a built-in profile name or a rules file (default: outlook-connected-accounts)", "NAME|FILE" },
		{ "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write one CSV row per finding to FILE ('-' for stdout)", "FILE" },
		{ "inventory", 0, 0, G_OPTION_ARG_FILENAME, &inventory, "Write one CSV row per message to FILE", "FILE" },
		{ "json", 0, 0, G_OPTION_ARG_FILENAME, &json,
		  "Write the whole result as JSON to FILE ('-' for stdout; schema mailpreflight-report/1)", "FILE" },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "Write JUnit XML to FILE (one testcase per rule and folder, for CI)", "FILE" },
		{ "html", 0, 0, G_OPTION_ARG_FILENAME, &html, "Write a self-contained HTML report to FILE", "FILE" },
		{ "fail-on", 0, 0, G_OPTION_ARG_STRING, &fail_on,
		  "Exit 1 on findings at or above LEVEL: error (default), warning, info or never", "LEVEL" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker threads (default: number of cores)", "N" },
		{ "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of,
		  "Judge dates and idle time as of this ISO 8601 time (default: now)", "TIME" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no summary on stdout", NULL },
		{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "No progress line on stderr", NULL },
		{ "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
		  "IMAP: read the password from the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a prompt)", "FILE" },
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
		{ "metadata-only", 0, 0, G_OPTION_ARG_NONE, &metadata_only,
		  "IMAP: never download message content; line-length rules and archive contents are then "
		  "not checked (by default only the parts those rules need are fetched, with BODY.PEEK)", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sources, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE... - audit mailboxes before a migration");

	g_set_prgname ("mailpreflight scan");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autoptr(MpReport) report = NULL;
	g_autoptr(MpAudit) audit = NULL;
	g_autoptr(MpReportMeta) meta = mp_report_meta_new ();
	int to_stdout = 0;
	MpReportOptions ropt = { 0 };
	MpScanOptions sopt = { 0 };
	MpScanResult result;
	MpSummary *summary;
	MpSeverity threshold = MP_SEVERITY_ERROR;
	gboolean never = FALSE;
	guint64 failing = 0;

	g_option_context_set_summary (ctx,
		"Each SOURCE is an mbox file, a Maildir (also Maildir++ and nested trees), a\n"
		"folder of mbox files (mutt, Thunderbird, Evolution), or an IMAP account:\n"
		"imaps://USER@HOST[:PORT][/FOLDER] (TLS) or imap://USER@HOST[:PORT][/FOLDER]\n"
		"(STARTTLS required). The kind is detected. Sources are only read, never\n"
		"changed: IMAP folders are opened with EXAMINE and nothing sets \\Seen.\n"
		"Passwords never go on the command line: $MAILPREFLIGHT_PASSWORD,\n"
		"--password-file or a prompt.");
	g_option_context_set_description (ctx,
		"Exit status: 0 no finding at or above --fail-on, 1 findings at that level,\n"
		"2 usage or rules error, 3 a source could not be read (the others are still scanned).\n\n"
		"Examples:\n  mailpreflight scan --csv report.csv --inventory inventory.csv ~/Maildir ~/mail/archive.mbox\n"
		"  mailpreflight scan --html report.html --json report.json --junit junit.xml ~/Maildir\n");
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("mailpreflight scan: %s\nTry 'mailpreflight scan --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (sources == NULL || sources[0] == NULL) {
		g_printerr ("mailpreflight scan: no SOURCE given\nTry 'mailpreflight scan --help'.\n");
		return MP_EXIT_USAGE;
	}
	if (fail_on != NULL) {
		if (g_ascii_strcasecmp (fail_on, "never") == 0) {
			never = TRUE;
		} else if (!mp_severity_parse (fail_on, &threshold)) {
			g_printerr ("mailpreflight scan: --fail-on: unknown level '%s' (error, warning, info or never)\n", fail_on);
			return MP_EXIT_USAGE;
		}
	}
	{
		const char *outs[] = { csv, inventory, json, junit, html };
		for (gsize i = 0; i < G_N_ELEMENTS (outs); i++)
			to_stdout += (outs[i] != NULL && strcmp (outs[i], "-") == 0);
	}
	if (to_stdout > 1) {
		g_printerr ("mailpreflight scan: only one report can go to stdout ('-')\n");
		return MP_EXIT_USAGE;
	}
	if (jobs < 0 || jobs > 1024) {
		g_printerr ("mailpreflight scan: --jobs: %d is not from 1 to 1024\n", jobs);
		return MP_EXIT_USAGE;
	}
	if (connections < 0 || connections > 64 || timeout_s < 0 || timeout_s > 3600) {
		g_printerr ("mailpreflight scan: --connections is from 1 to 64, --timeout from 1 to 3600 seconds\n");
		return MP_EXIT_USAGE;
	}
	for (int i = 0; sources[i]; i++)
		if (g_str_has_prefix (sources[i], "imap://") || g_str_has_prefix (sources[i], "imaps://"))
			any_url = TRUE;
	if (jobs == 0) {
		jobs = (gint) g_get_num_processors ();
		/* IMAP batches wait on the network, not the CPU: one worker per connection */
		if (any_url)
			jobs = MAX (jobs, connections ? connections : 4);
	}
	if (insecure)
		g_printerr ("mailpreflight: WARNING: --insecure-skip-verify: the IMAP server's certificate is NOT "
		            "verified; anyone on the network path can read the password and the mail.\n");
	net.ca_file = ca_file;
	net.insecure_skip_verify = insecure;
	net.allow_plaintext = allow_plaintext;
	net.password_file = password_file;
	net.oauth2_token_file = token_file;
	net.interactive = isatty (STDIN_FILENO);
	net.connections = (guint) connections;
	net.timeout_ms = (guint) timeout_s * 1000;

	rules = mp_rules_load (rules_arg, &error);
	if (rules == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (as_of != NULL) {
		g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
		g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (as_of, utc);
		if (t == NULL) {
			g_autofree char *with_time = g_strdup_printf ("%sT00:00:00Z", as_of);
			t = g_date_time_new_from_iso8601 (with_time, utc);
		}
		if (t == NULL) {
			g_printerr ("mailpreflight scan: --as-of: '%s' is not an ISO 8601 date or time "
			            "(e.g. 2026-01-31 or 2026-01-31T12:00:00Z)\n", as_of);
			return MP_EXIT_USAGE;
		}
		rules->as_of = g_date_time_to_unix (t);
	}

	if (target != NULL && !apply_target_limit (rules, target, &net, &error)) {
		g_printerr ("mailpreflight scan: --target: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	mp_report_meta_set_rules (meta, rules);
	meta->fail_never = never;
	meta->fail_on = threshold;
	{
		MpRunInfo *run = mp_run_info_new_current (command, as_of != NULL, rules->as_of);
		run->rules_name = g_strdup (rules->name);
		run->rules_origin = g_strdup (rules->origin);
		run->insecure_skip_verify = insecure;
		run->metadata_only = metadata_only;
		g_ptr_array_add (meta->runs, run);
	}
	ropt.findings_csv = csv;
	ropt.inventory_csv = inventory;
	ropt.json = json;
	ropt.junit = junit;
	ropt.html = html;
	ropt.progress = !no_progress && isatty (STDERR_FILENO);
	if (ropt.progress)
		for (int i = 0; sources[i]; i++)
			ropt.progress_total += estimate_bytes (sources[i], 0);
	report = mp_report_new (&ropt, meta, &error);
	if (report == NULL) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_USAGE;
	}

	/* the audit wraps the report: folder and account rules, duplicates */
	audit = mp_audit_new (rules, mp_report_sink (), report);
	if (insecure)
		mp_summary_add_notice (mp_report_summary (report),
		                       "TLS certificate verification was disabled (--insecure-skip-verify)");
	net.metadata_only = metadata_only;
	net.list_archives = (mp_rules_analyze_flags (rules) & MP_ANALYZE_LIST_ARCHIVES) != 0;
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		/* the smallest limit: a line over it may break any of the rules */
		if (r->check == MP_CHECK_LINE_LENGTH && (net.line_limit == 0 || r->max < net.line_limit))
			net.line_limit = r->max;
		if (r->check == MP_CHECK_MESSAGE_SIZE && net.n_size_limits < MP_MAX_SIZE_LIMITS)
			net.size_limits[net.n_size_limits++] = r->max;
	}
	if (any_url && metadata_only) {
		/* --metadata-only: say which rules could not look */
		for (guint i = 0; i < rules->rules->len; i++) {
			const MpRule *r = g_ptr_array_index (rules->rules, i);
			if (r->check == MP_CHECK_LINE_LENGTH ||
			    (r->check == MP_CHECK_ATTACHMENT_TYPE && r->inside_archives)) {
				g_autofree char *text = g_strdup_printf (
					"rule %s (%s) is not evaluated on message content for IMAP sources "
					"(--metadata-only)%s", r->name, mp_check_name (r->check),
					r->check == MP_CHECK_ATTACHMENT_TYPE ? ": attachment names and types are checked, "
					"archives are not opened" : "");
				mp_summary_add_notice (mp_report_summary (report), text);
				g_printerr ("mailpreflight: note: %s\n", text);
			}
		}
	}
	sopt.jobs = (guint) jobs;
	sopt.source_settings = &net;
	sopt.analyze_flags = mp_rules_analyze_flags (rules);
	sopt.evaluate = evaluate;
	sopt.evaluate_data = rules;
	sopt.sink = mp_audit_sink ();
	sopt.sink_data = audit;
	mp_scan_run ((const char *const *) sources, &sopt, &result);

	if (!mp_report_finish (report, &error)) {
		g_printerr ("mailpreflight scan: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	summary = mp_report_summary (report);
	failing = mp_report_blocking (report);
	/* a report on stdout must stay parseable: no summary beside it */
	if (!quiet && !to_stdout) {
		g_autofree char *used = g_strdup_printf ("%s (%s)", rules->name, rules->origin);
		mp_summary_print (summary, stdout, used, failing, mp_use_colour ());
	}

	if (result.sources_failed || result.folders_failed)
		return MP_EXIT_SOURCE;
	return failing > 0 ? MP_EXIT_FINDINGS : MP_EXIT_OK;
}
