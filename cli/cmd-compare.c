/* cmd-compare.c — `mailpreflight compare SOURCE TARGET`: after the move,
 * which messages of the source arrived on the target, and why the others
 * did not. Wiring only: the options go to the parts that use them (both
 * sides' settings, the rules, the comparison, its reports). */
#include "commands.h"
#include "compare-report.h"
#include "outcome.h"
#include "read-sides.h"
#include "rules.h"
#include "shown-text.h"
#include "source-needs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What a side of the comparison needs to be read (IMAP); strings owned. */
typedef struct {
	char    *password_file;
	char    *token_file;
	char    *ca_file;
	gboolean insecure;
	gboolean allow_plaintext;
} SideArgs;

static void
side_args_clear (SideArgs *a)
{
	g_free (a->password_file);
	g_free (a->token_file);
	g_free (a->ca_file);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SideArgs, side_args_clear)

static void
fill_settings (MpSourceSettings *net, const SideArgs *a, gint connections, gint timeout_s)
{
	net->ca_file = a->ca_file;
	net->insecure_skip_verify = a->insecure;
	net->allow_plaintext = a->allow_plaintext;
	net->password_file = a->password_file;
	net->oauth2_token_file = a->token_file;
	net->interactive = isatty (STDIN_FILENO);
	net->connections = (guint) connections;
	net->timeout_ms = (guint) timeout_s * 1000;
	/* the comparison needs what the metadata FETCH gives: size, ENVELOPE,
	 * BODYSTRUCTURE; nothing is downloaded */
	net->metadata_only = TRUE;
}

/* Worker threads for one side when the user sets none. Both sides are read
 * at once: a local side takes half the cores, so that the two together use
 * what one scan would (more threads than cores only cost switching); a
 * network side keeps one per connection, since it waits on its server. */
static guint
side_jobs (const char *path, guint connections)
{
	const char *one[2] = { path, NULL };
	guint n = mp_source_default_jobs (one, connections);

	return mp_source_is_network (path) ? n : MAX (1u, n / 2);
}

/* A side or folder that could not be read, on stderr: one line, no control
 * character (a folder name or a server's text comes from outside). */
static void
print_side_error (const char *what, const char *name, const char *message)
{
	g_autofree char *text = g_strdup_printf ("%s %s: %s", what, name, message);
	g_autofree char *shown = mp_text_for_terminal (text, -1);

	g_printerr ("mailpreflight compare: %s\n", shown);
}

static gboolean
use_colour (void)
{
	const char *no = g_getenv ("NO_COLOR");

	return isatty (STDOUT_FILENO) && (no == NULL || *no == '\0');
}

static gboolean
to_stdout (const char *path)
{
	return path != NULL && strcmp (path, "-") == 0;
}

int
mp_cmd_compare (int argc, char **argv)
{
	g_auto(GStrv) command = g_strdupv (argv);
	g_autofree char *rules_arg = NULL;
	g_autofree char *as_of = NULL;
	g_autofree char *tolerance_arg = NULL;
	g_autofree char *csv = NULL;
	g_autofree char *folders_csv = NULL;
	g_autofree char *json = NULL;
	g_autofree char *html = NULL;
	g_autofree char *src_host = NULL;
	g_autofree char *dst_host = NULL;
	gboolean quiet = FALSE;
	gboolean accept_predicted = FALSE;
	gboolean fail_on_changed = FALSE;
	gboolean content_checks = FALSE;
	gboolean no_progress = FALSE;
	gint jobs = 0;
	gint connections = 0;
	gint timeout_s = 0;
	g_auto(SideArgs) src = { 0 };
	g_auto(SideArgs) dst = { 0 };
	g_auto(GStrv) args = NULL;
	const GOptionEntry entries[] = {
		{ "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
		  "Rules judged on the source, to predict what the target refused, and their [folder-map] "
		  "(default: outlook-connected-accounts)", "NAME|FILE" },
		{ "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv,
		  "Write one CSV row per message that did not arrive or changed, then the target's extra "
		  "messages ('-' for stdout)", "FILE" },
		{ "folders-csv", 0, 0, G_OPTION_ARG_FILENAME, &folders_csv,
		  "Write the counts per folder of both sides as CSV", "FILE" },
		{ "json", 0, 0, G_OPTION_ARG_FILENAME, &json,
		  "Write the whole comparison as JSON ('-' for stdout; schema mailpreflight-compare/1)", "FILE" },
		{ "html", 0, 0, G_OPTION_ARG_FILENAME, &html, "Write a self-contained HTML report", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no summary on stdout", NULL },
		{ "accept-predicted", 0, 0, G_OPTION_ARG_NONE, &accept_predicted,
		  "Exit 0 when every missing message was predicted by the rules (CI)", NULL },
		{ "fail-on-changed", 0, 0, G_OPTION_ARG_NONE, &fail_on_changed,
		  "Exit 1 when a message arrived changed (size, attachments, headers)", NULL },
		{ "size-tolerance", 0, 0, G_OPTION_ARG_STRING, &tolerance_arg,
		  "How far the sizes of one message may differ on the two sides: a size, a percentage, or both "
		  "(the larger counts); 0 for exact (default: 8 KB,2%)", "SIZE,PCT%" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker threads per side (default: number of cores)", "N" },
		{ "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of,
		  "Judge dates as of this ISO 8601 time (default: now)", "TIME" },
		{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "No progress line on stderr", NULL },
		{ "content-checks", 0, 0, G_OPTION_ARG_NONE, &content_checks,
		  "IMAP source: download what line-length and archive rules need (BODY.PEEK), so that they "
		  "predict too (default: metadata only)", NULL },
		{ "password-file", 0, 0, G_OPTION_ARG_FILENAME, &src.password_file,
		  "IMAP source: the password is the first line of FILE (else $MAILPREFLIGHT_PASSWORD, else a prompt); "
		  "sent to the source's host only",
		  "FILE" },
		{ "oauth2-token-file", 0, 0, G_OPTION_ARG_FILENAME, &src.token_file,
		  "IMAP source: log in with the OAuth2 access token in FILE", "FILE" },
		{ "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &src.ca_file,
		  "IMAP source: trust the certificates in FILE (PEM) instead of the system store", "FILE" },
		{ "insecure-skip-verify", 0, 0, G_OPTION_ARG_NONE, &src.insecure,
		  "IMAP source: do not verify the server's certificate (dangerous)", NULL },
		{ "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &src.allow_plaintext,
		  "IMAP source: allow imap:// without STARTTLS", NULL },
		{ "target-password-file", 0, 0, G_OPTION_ARG_FILENAME, &dst.password_file,
		  "IMAP target: its password is the first line of FILE (else $MAILPREFLIGHT_TARGET_PASSWORD, else a "
		  "prompt); sent to the target's host only, and the source's password is never sent to the target", "FILE" },
		{ "target-oauth2-token-file", 0, 0, G_OPTION_ARG_FILENAME, &dst.token_file,
		  "IMAP target: log in with the OAuth2 access token in FILE (Microsoft 365, Gmail)", "FILE" },
		{ "target-ca-file", 0, 0, G_OPTION_ARG_FILENAME, &dst.ca_file,
		  "IMAP target: trust the certificates in FILE (PEM) instead of the system store", "FILE" },
		{ "target-insecure-skip-verify", 0, 0, G_OPTION_ARG_NONE, &dst.insecure,
		  "IMAP target: do not verify the server's certificate (dangerous)", NULL },
		{ "target-allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &dst.allow_plaintext,
		  "IMAP target: allow imap:// without STARTTLS", NULL },
		{ "connections", 0, 0, G_OPTION_ARG_INT, &connections,
		  "IMAP: parallel connections per side (default 4)", "N" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
		  "IMAP: seconds to wait for a server before giving up (default 60)", "SECONDS" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE TARGET - after the move: what did not arrive, and why");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autoptr(MpRunInfo) run = NULL;
	g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(MpSide) source = NULL;
	g_autoptr(MpSide) target = NULL;
	g_autoptr(MpCompareOutcome) outcome = NULL;
	MpSizeTolerance tolerance = MP_SIZE_TOLERANCE_DEFAULT;
	MpSourceSettings src_net = { 0 }, dst_net = { 0 };
	MpReadSidesOptions ropt = { 0 };
	MpCompareInfo info = { 0 };
	const char *outs[4];
	guint n_stdout = 0;
	gboolean any_url;

	g_set_prgname ("mailpreflight compare");
	g_option_context_set_summary (ctx,
		"Checks after a migration that every message of SOURCE arrived on TARGET, and says\n"
		"why the others did not: for each missing message, the rule that predicted it\n"
		"(too-large, too-many-attachments, a refused folder name...) or 'unexpected'.\n"
		"SOURCE and TARGET are any source `scan` reads: a Maildir, an mbox file, a folder\n"
		"of mbox files, or an IMAP account (imaps://USER@HOST[:PORT][/FOLDER]; the target is\n"
		"often Microsoft 365 or Gmail with --target-oauth2-token-file). Both are only read,\n"
		"with the metadata scan reads (IMAP: EXAMINE, no content downloaded).\n\n"
		"Messages are matched by Message-ID; without one (or with one several messages\n"
		"share) by date, From, Subject and size. A message found in another folder than\n"
		"the one the rules' [folder-map] expects (Sent -> Sent Items) arrived, moved.");
	g_option_context_set_description (ctx,
		"Exit status: 0 every message arrived (or, with --accept-predicted, every missing\n"
		"one was predicted), 1 otherwise, 2 usage or rules error, 3 a side could not be\n"
		"read (fully).\n\n"
		"Examples:\n"
		"  mailpreflight compare --html check.html ~/Maildir imaps://me@outlook.office365.com\n"
		"  mailpreflight compare --rules gmail-imap --accept-predicted --csv missing.csv \\\n"
		"      imaps://bob@old.example.org imaps://bob@imap.gmail.com\n");
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("mailpreflight compare: %s\nTry 'mailpreflight compare --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (args == NULL || g_strv_length (args) != 2) {
		g_printerr ("mailpreflight compare: give exactly two mailboxes, SOURCE and TARGET\n"
		            "Try 'mailpreflight compare --help'.\n");
		return MP_EXIT_USAGE;
	}
	outs[0] = csv;
	outs[1] = folders_csv;
	outs[2] = json;
	outs[3] = html;
	for (gsize i = 0; i < G_N_ELEMENTS (outs); i++)
		n_stdout += to_stdout (outs[i]);
	if (n_stdout > 1) {
		g_printerr ("mailpreflight compare: only one report can go to stdout ('-')\n");
		return MP_EXIT_USAGE;
	}
	if (jobs < 0 || jobs > 1024 || connections < 0 || connections > 64 || timeout_s < 0 || timeout_s > 3600) {
		g_printerr ("mailpreflight compare: --jobs is from 1 to 1024, --connections from 1 to 64, "
		            "--timeout from 1 to 3600 seconds\n");
		return MP_EXIT_USAGE;
	}
	if (tolerance_arg != NULL && !mp_size_tolerance_parse (tolerance_arg, &tolerance, &error)) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	rules = mp_rules_load (rules_arg, &error);
	if (rules == NULL) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (as_of != NULL && !mp_parse_as_of (as_of, &rules->as_of, &error)) {
		g_printerr ("mailpreflight compare: --as-of: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (src.insecure || dst.insecure)
		g_printerr ("mailpreflight: WARNING: --%sinsecure-skip-verify: the IMAP server's certificate is NOT "
		            "verified; anyone on the network path can read the password and the mail.\n",
		            src.insecure ? "" : "target-");

	fill_settings (&src_net, &src, connections, timeout_s);
	fill_settings (&dst_net, &dst, connections, timeout_s);
	mp_rules_fill_source_settings (rules, &src_net);
	src_net.metadata_only = !content_checks;
	/* Each side's secret goes to its own host only (imap-secret.h): the
	 * source's ($MAILPREFLIGHT_PASSWORD, --password-file, --oauth2-token-file)
	 * to the source's host, the target's ($MAILPREFLIGHT_TARGET_PASSWORD,
	 * --target-password-file, --target-oauth2-token-file) to the target's;
	 * no server is ever sent the other side's password. */
	{
		const char *one[2] = { args[0], NULL };
		src_host = mp_source_secret_host (one);
		one[0] = args[1];
		dst_host = mp_source_secret_host (one);
	}
	src_net.secret_host = src_host;
	dst_net.secret_host = dst_host;
	dst_net.password_env = "MAILPREFLIGHT_TARGET_PASSWORD";
	dst_net.password_option = "--target-password-file";
	any_url = mp_source_is_network (args[0]);
	if (any_url && src_net.metadata_only) {
		g_auto(GStrv) n = mp_rules_metadata_only_notices (rules);
		for (int i = 0; n[i]; i++)
			g_ptr_array_add (notes, g_strdup_printf ("%s (--content-checks reads what they need)", n[i]));
	}

	ropt.source = args[0];
	ropt.target = args[1];
	ropt.rules = rules;
	ropt.source_settings = &src_net;
	ropt.target_settings = &dst_net;
	ropt.source_jobs = jobs ? (guint) jobs : side_jobs (args[0], (guint) connections);
	ropt.target_jobs = jobs ? (guint) jobs : side_jobs (args[1], (guint) connections);
	ropt.progress = !no_progress && isatty (STDERR_FILENO);
	if (!mp_read_sides (&ropt, &source, &target, &error)) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	if (source->error || target->error || source->failure || target->failure) {
		/* nothing to compare with: no report that would call everything missing */
		if (source->error || source->failure)
			print_side_error ("source", source->name,
			                  source->error ? source->error : source->failure->message);
		if (target->error || target->failure)
			print_side_error ("target", target->name,
			                  target->error ? target->error : target->failure->message);
		return MP_EXIT_SOURCE;
	}
	for (guint i = 0; i < source->folders->len; i++)
		if (mp_side_folder (source, i)->error)
			print_side_error ("source folder", mp_side_folder (source, i)->name, mp_side_folder (source, i)->error);
	for (guint i = 0; i < target->folders->len; i++)
		if (mp_side_folder (target, i)->error)
			print_side_error ("target folder", mp_side_folder (target, i)->name, mp_side_folder (target, i)->error);

	outcome = mp_compare_outcome_new (source, target, rules, &tolerance, &error);
	if (outcome == NULL) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	outcome->accept_predicted = accept_predicted;
	outcome->fail_on_changed = fail_on_changed;

	run = mp_run_info_new_current (command, as_of != NULL, rules->as_of);
	run->rules_name = g_strdup (rules->name);
	run->rules_origin = g_strdup (rules->origin);
	run->insecure_skip_verify = src.insecure || dst.insecure;
	run->metadata_only = src_net.metadata_only;
	info.run = run;
	info.source_insecure = src.insecure;
	info.target_insecure = dst.insecure;
	info.source_metadata_only = any_url && src_net.metadata_only;
	info.notes = notes;

	if ((csv && !mp_compare_write_csv (outcome, csv, &error)) ||
	    (folders_csv && !mp_compare_write_folders_csv (outcome, folders_csv, &error)) ||
	    (json && !mp_compare_write_json (outcome, &info, json, &error)) ||
	    (html && !mp_compare_write_html (outcome, &info, html, &error))) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	if (!quiet && n_stdout == 0 && !mp_compare_print_summary (outcome, &info, stdout, use_colour (), &error)) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	return (int) mp_compare_exit_status (outcome);
}
