/* cmd-compare.c — `mailpreflight compare SOURCE TARGET`: after the move,
 * which messages of the source arrived on the target, and why the others
 * did not. Wiring only: the options go to the parts that use them (both
 * sides' settings, the rules, the comparison, its reports). */
#include "accounts-json.h"
#include "accounts-report.h"
#include "commands.h"
#include "compare-report.h"
#include "discover.h"
#include "imap-args.h"
#include "outcome.h"
#include "output-file.h"
#include "read-sides.h"
#include "rules.h"
#include "shown-text.h"
#include "source-needs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A side's settings: its own login and TLS options, the connection
 * options both sides share (the source's MpImapArgs holds them). */
static void
fill_settings (MpSourceSettings *net, const MpImapArgs *a, gint connections, gint timeout_s)
{
	mp_imap_args_apply (a, net);
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

/* What every pair of a run shares. */
typedef struct {
	const MpRuleSet       *rules;
	const MpSizeTolerance *tolerance;
	gint                   jobs, connections, timeout_s;
	gboolean               content_checks, progress, interactive;
	gboolean               accept_predicted, fail_on_changed;
	const char            *account;     /* --accounts: named in messages on stderr */
} PairArgs;

/* Reads SOURCE_PATH and TARGET_PATH and matches them. NULL when a side
 * could not be read at all (*UNREADABLE says which and why, printed too) or
 * the comparison could not be made (ERROR). The sides are the caller's. */
static MpCompareOutcome *
compare_pair (const PairArgs *p, const char *source_path, const MpImapArgs *src, const char *target_path,
              const MpImapArgs *dst, GPtrArray *notes, MpSide **source, MpSide **target, char **unreadable,
              GError **error)
{
	g_autofree char *src_host = NULL;
	g_autofree char *dst_host = NULL;
	g_autofree char *prefix = p->account ? g_strdup_printf ("account %s: ", p->account) : g_strdup ("");
	g_autoptr(GString) why = g_string_new (NULL);
	MpSourceSettings src_net = { 0 }, dst_net = { 0 };
	MpReadSidesOptions ropt = { 0 };
	MpCompareOutcome *outcome;

	fill_settings (&src_net, src, p->connections, p->timeout_s);
	fill_settings (&dst_net, dst, p->connections, p->timeout_s);
	src_net.interactive = dst_net.interactive = p->interactive;
	mp_rules_fill_source_settings (p->rules, &src_net);
	src_net.metadata_only = !p->content_checks;
	/* Each side's secret goes to its own host only (imap-secret.h): the
	 * source's ($MAILPREFLIGHT_PASSWORD, --password-file, --oauth2-token-file
	 * or the accounts file's password columns) to the source's host, the
	 * target's ($MAILPREFLIGHT_TARGET_PASSWORD, --target-password-file,
	 * --target-oauth2-token-file or the target_ columns) to the target's; no
	 * server is ever sent the other side's password. */
	{
		const char *one[2] = { source_path, NULL };
		src_host = mp_source_secret_host (one);
		one[0] = target_path;
		dst_host = mp_source_secret_host (one);
	}
	src_net.secret_host = src_host;
	dst_net.secret_host = dst_host;
	dst_net.password_env = "MAILPREFLIGHT_TARGET_PASSWORD";
	dst_net.password_option = "--target-password-file";
	if (mp_source_is_network (source_path) && src_net.metadata_only) {
		g_auto(GStrv) n = mp_rules_metadata_only_notices (p->rules);
		for (int i = 0; n[i]; i++)
			g_ptr_array_add (notes, g_strdup_printf ("%s (--content-checks reads what they need)", n[i]));
	}

	ropt.source = source_path;
	ropt.target = target_path;
	ropt.rules = p->rules;
	ropt.source_settings = &src_net;
	ropt.target_settings = &dst_net;
	ropt.source_jobs = p->jobs ? (guint) p->jobs : side_jobs (source_path, (guint) p->connections);
	ropt.target_jobs = p->jobs ? (guint) p->jobs : side_jobs (target_path, (guint) p->connections);
	ropt.progress = p->progress;
	if (!mp_read_sides (&ropt, source, target, error))
		return NULL;
	if ((*source)->error || (*target)->error || (*source)->failure || (*target)->failure) {
		/* nothing to compare with: no report that would call everything missing */
		const MpSide *side[2] = { *source, *target };
		const char *label[2] = { "source", "target" };
		for (int k = 0; k < 2; k++)
			if (side[k]->error || side[k]->failure) {
				g_autofree char *what = g_strdup_printf ("%s%s", prefix, label[k]);
				const char *msg = side[k]->error ? side[k]->error : side[k]->failure->message;
				print_side_error (what, side[k]->name, msg);
				g_string_append_printf (why, "%s%s %s: %s", why->len ? "; " : "", label[k], side[k]->name, msg);
			}
		*unreadable = g_string_free (g_steal_pointer (&why), FALSE);
		return NULL;
	}
	for (guint i = 0; i < (*source)->folders->len; i++)
		if (mp_side_folder (*source, i)->error) {
			g_autofree char *what = g_strdup_printf ("%ssource folder", prefix);
			print_side_error (what, mp_side_folder (*source, i)->name, mp_side_folder (*source, i)->error);
		}
	for (guint i = 0; i < (*target)->folders->len; i++)
		if (mp_side_folder (*target, i)->error) {
			g_autofree char *what = g_strdup_printf ("%starget folder", prefix);
			print_side_error (what, mp_side_folder (*target, i)->name, mp_side_folder (*target, i)->error);
		}
	outcome = mp_compare_outcome_new (*source, *target, p->rules, p->tolerance, error);
	if (outcome != NULL) {
		outcome->accept_predicted = p->accept_predicted;
		outcome->fail_on_changed = p->fail_on_changed;
	}
	return outcome;
}

/* `compare merge FILE.json... [--json OUT]`: the shards of one --accounts
 * run joined into the document one run gives. */
static int
compare_merge (const char *const *paths, const char *json, const char *csv, const char *folders_csv,
               const char *html, gboolean quiet)
{
	g_autoptr(GError) error = NULL;
	MpCompareAccountsTotals totals = { 0 };
	guint64 missing = 0;

	if (paths[0] == NULL) {
		g_printerr ("mailpreflight compare: merge needs at least one FILE.json (of compare --accounts)\n");
		return MP_EXIT_USAGE;
	}
	if (!mp_compare_accounts_merge (paths, json ? json : "-", csv, folders_csv, html, &totals, &missing, &error)) {
		g_printerr ("mailpreflight compare merge: %s\n", error->message);
		return error->code == MP_ERROR_USAGE ? MP_EXIT_USAGE : MP_EXIT_SOURCE;
	}
	if (!quiet)
		mp_compare_accounts_totals_print (stderr, &totals);
	if (missing) {
		/* an account no file holds was not compared: as an account that failed */
		g_printerr ("mailpreflight compare merge: WARNING: %" G_GUINT64_FORMAT " account(s) of the run are in no "
		            "file given: is a shard missing?\n", missing);
		return MP_EXIT_SOURCE;
	}
	/* the status the run of all the accounts gives, recomputed from the
	 * accounts and the settings the files record */
	return (int) totals.exit_status;
}

/* The accounts of FILE that this shard compares; a usage error names every
 * account that cannot be compared (file and line). */
static GPtrArray *
load_accounts (const char *file, const char *shard, guint *total, GError **error)
{
	g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	g_autoptr(GString) problems = g_string_new (NULL);
	guint k = 0, n = 0;

	if (shard != NULL && !mp_shard_parse (shard, &k, &n, error))
		return NULL;
	if (!mp_accounts_from_file (file, accounts, error) || !mp_accounts_finish (accounts, error))
		return NULL;
	for (guint i = 0; i < accounts->len; i++) {
		const MpAccount *a = g_ptr_array_index (accounts, i);
		const MpAccountSource *s = g_ptr_array_index (a->sources, 0);
		const char *what = a->sources->len != 1 ? "has several sources: compare takes one per account"
		                   : a->target == NULL ? "has no target (the target column)"
		                   : mp_source_is_network (s->location) && !s->password_file && !s->oauth2_token_file
		                   ? "is on IMAP: give its password_file or oauth2_token_file"
		                   : mp_source_is_network (a->target->location) && !a->target->password_file &&
		                     !a->target->oauth2_token_file
		                   ? "has an IMAP target: give its target_password_file or target_oauth2_token_file"
		                   : NULL;
		if (what != NULL && problems->len < 8192)
			g_string_append_printf (problems, "%s%s: account %s %s", problems->len ? "\n" : "",
			                        a->origin ? a->origin : file, a->name, what);
	}
	if (problems->len) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE, problems->str);
		return NULL;
	}
	*total = accounts->len;
	if (shard != NULL)
		mp_accounts_shard (accounts, k, n);
	return g_steal_pointer (&accounts);
}

/* One line per account on stdout: its verdict and counts. */
static void
print_account (FILE *fp, const MpAccount *a, const MpCompareOutcome *o, const char *unreadable)
{
	g_autofree char *name = mp_text_for_terminal (a->name, 200);

	if (o == NULL) {
		g_autofree char *why = mp_text_for_terminal (unreadable, 400);
		fprintf (fp, "%s: NOT COMPARED: %s\n", name, why);
		return;
	}
	fprintf (fp, "%s: %s: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT " arrived (%" G_GUINT64_FORMAT
	        " moved), %" G_GUINT64_FORMAT " missing as predicted, %" G_GUINT64_FORMAT " unexpected, %"
	        G_GUINT64_FORMAT " changed; %" G_GUINT64_FORMAT " extra on the target\n",
	         name, mp_compare_verdict_name (mp_compare_verdict (o)), o->totals.messages, o->totals.arrived,
	         o->totals.moved, o->totals.missing, o->totals.unexpected, o->totals.changed, o->target_totals.extra);
}

/* The reports of many accounts beside the JSON (each may be NULL). */
typedef struct {
	const char *csv;
	const char *folders_csv;
	const char *html;
} Reports;

/* What comparing one account gives: its JSON line (with its line end) and
 * its summary line, or ERROR when its line could not be written. */
typedef struct {
	char   *line;
	size_t  len;
	char   *summary;
	int     status;
	char   *error;
} AccountDone;

static void
account_done_free (AccountDone *d)
{
	g_free (d->line);
	g_free (d->summary);
	g_free (d->error);
	g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AccountDone, account_done_free)

/* What every account of one --accounts run shares. */
typedef struct {
	const PairArgs    *base;
	const MpImapArgs  *src_cli, *dst_cli;
	const MpCompareInfo *info;
	GPtrArray         *accounts;   /* MpAccount* */
	MpOutputFile      *out;        /* the JSON, or NULL */
	MpAccountsReport  *report;
	gboolean           quiet;
	guint              emitted;
} AccountsJob;

/* Compares account I on its own; safe in a thread of its own (each
 * account's sides, records and outcome are its own; the rules are read only). */
static AccountDone *
compare_one (const AccountsJob *job, guint i)
{
	const MpAccount *a = g_ptr_array_index (job->accounts, i);
	const MpAccountSource *s = g_ptr_array_index (a->sources, 0);
	g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(MpSide) source = NULL;
	g_autoptr(MpSide) target = NULL;
	g_autoptr(MpCompareOutcome) outcome = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *unreadable = NULL;
	PairArgs p = *job->base;
	MpImapArgs sa = *job->src_cli, da = *job->dst_cli; /* borrowed: never cleared */
	MpCompareInfo ci = *job->info;
	AccountDone *done = g_new0 (AccountDone, 1);
	FILE *mem;

	p.account = a->name;
	p.interactive = FALSE; /* each account has its own secret, from the accounts file */
	sa.password_file = s->password_file;
	sa.oauth2_token_file = s->oauth2_token_file;
	da.password_file = a->target->password_file;
	da.oauth2_token_file = a->target->oauth2_token_file;
	outcome = compare_pair (&p, s->location, &sa, a->target->location, &da, notes, &source, &target,
	                        &unreadable, &error);
	if (outcome == NULL && unreadable == NULL) {
		/* the comparison itself failed (a temporary file): this account only */
		unreadable = g_strdup (error->message);
		g_printerr ("mailpreflight compare: account %s: %s\n", a->name, error->message);
		g_clear_error (&error);
	}
	ci.notes = notes;
	ci.source_metadata_only = mp_source_is_network (s->location) && !job->base->content_checks;
	done->status = outcome ? (int) mp_compare_exit_status (outcome) : MP_EXIT_SOURCE;
	/* the account's line, once: to the JSON and to the other reports,
	 * which read it as `compare merge` reads a shard's */
	mem = open_memstream (&done->line, &done->len);
	if (mem == NULL) {
		done->error = g_strdup ("out of memory");
		return done;
	}
	if (!mp_compare_accounts_json_account (mem, TRUE, a, outcome, &ci, unreadable, (guint) done->status, &error))
		done->error = g_strdup (error->message);
	if (fclose (mem) != 0 && done->error == NULL)
		done->error = g_strdup ("out of memory");
	if (!job->quiet) {
		size_t n = 0;
		mem = open_memstream (&done->summary, &n);
		if (mem != NULL) {
			print_account (mem, a, outcome, unreadable);
			fclose (mem);
		}
	}
	return done;
}

/* Account DONE, the next in order: to the JSON, the reports, the summary. */
static gboolean
emit (AccountsJob *job, const AccountDone *done, int *worst)
{
	g_autoptr(GError) error = NULL;
	const MpAccount *a = g_ptr_array_index (job->accounts, job->emitted);

	if (done->error != NULL || done->len == 0) {
		g_printerr ("mailpreflight compare: %s\n", done->error ? done->error : "cannot write the JSON");
		return FALSE;
	}
	if (job->out != NULL) {
		FILE *fp = mp_output_file_stream (job->out);
		if (job->emitted > 0)
			fputc (',', fp);
		fwrite (done->line, 1, done->len, fp);
	}
	/* without its line end */
	if (!mp_accounts_report_add (job->report, done->line, done->len - 1, a->name, job->emitted + 1, &error)) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return FALSE;
	}
	if (done->summary != NULL)
		fputs (done->summary, stdout);
	*worst = MAX (*worst, done->status);
	job->emitted++;
	return TRUE;
}

/* --parallel-accounts N: N accounts compared at once, in a pool of N
 * threads; each account's lines come out in the file's order all the same
 * (the same bytes as one at a time). At most 2N accounts are under way or
 * waiting for the ones before them, so memory stays bounded by the pool,
 * not by the accounts file. */
typedef struct {
	AccountsJob  *job;
	GMutex        lock;
	GCond         ready;
	AccountDone **slots;   /* per account: done, not yet emitted */
} Pool;

static void
pool_work (gpointer data, gpointer user_data)
{
	Pool *pool = user_data;
	guint i = GPOINTER_TO_UINT (data) - 1;
	AccountDone *done = compare_one (pool->job, i);

	g_mutex_lock (&pool->lock);
	pool->slots[i] = done;
	g_cond_broadcast (&pool->ready);
	g_mutex_unlock (&pool->lock);
}

static gboolean
compare_parallel (AccountsJob *job, guint parallel, int *worst)
{
	Pool pool = { job };
	GThreadPool *threads;
	guint n = job->accounts->len, next = 0;
	gboolean ok = TRUE;

	g_mutex_init (&pool.lock);
	g_cond_init (&pool.ready);
	pool.slots = g_new0 (AccountDone *, MAX (n, 1));
	threads = g_thread_pool_new (pool_work, &pool, (gint) parallel, TRUE, NULL);
	for (guint i = 0; i < n; i++) {
		AccountDone *done;

		/* keep the window full: accounts i .. i + 2N - 1 under way */
		for (; next < n && next < i + 2 * parallel; next++)
			g_thread_pool_push (threads, GUINT_TO_POINTER (next + 1), NULL);
		g_mutex_lock (&pool.lock);
		while (pool.slots[i] == NULL)
			g_cond_wait (&pool.ready, &pool.lock);
		done = g_steal_pointer (&pool.slots[i]);
		g_mutex_unlock (&pool.lock);
		if (ok)
			ok = emit (job, done, worst);
		account_done_free (done);
	}
	/* every account pushed was waited for above: the pool is idle */
	g_thread_pool_free (threads, FALSE, TRUE);
	g_free (pool.slots);
	g_mutex_clear (&pool.lock);
	g_cond_clear (&pool.ready);
	return ok;
}

/* --accounts: every account compared on its own; one that cannot be read
 * is reported and the others go on. The exit status is the worst of them
 * (3 before 1 before 0). */
static int
compare_accounts (const PairArgs *base, const MpImapArgs *src_cli, const MpImapArgs *dst_cli, const char *file,
                  const char *shard, const MpCompareInfo *info, const char *json, const Reports *reports,
                  guint parallel, gboolean quiet)
{
	AccountsJob job = { 0 };
	g_autoptr(MpAccountsReport) report = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) accounts = NULL;
	g_autoptr(MpOutputFile) out = NULL;
	MpCompareAccountsInfo ai = { 0 };
	guint total = 0;
	int worst = MP_EXIT_OK;

	accounts = load_accounts (file, shard, &total, &error);
	if (accounts == NULL) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (shard != NULL)
		g_printerr ("mailpreflight: --shard %s: %u of %u accounts\n", shard, accounts->len, total);
	ai.run = info->run;
	ai.shard = shard;
	ai.tolerance = *base->tolerance;
	ai.accept_predicted = base->accept_predicted;
	ai.fail_on_changed = base->fail_on_changed;
	ai.accounts_total = total;
	{
		/* the reports of many accounts read the settings as a merge does */
		g_autofree char *settings = NULL;
		size_t settings_len = 0;
		FILE *mem = open_memstream (&settings, &settings_len);

		if (mem == NULL) {
			g_printerr ("mailpreflight compare: out of memory\n");
			return MP_EXIT_SOURCE;
		}
		mp_compare_accounts_json_settings (mem, &ai);
		fclose (mem);
		report = mp_accounts_report_new (settings, reports->csv, reports->folders_csv, reports->html, &error);
		if (report == NULL) {
			g_printerr ("mailpreflight compare: %s\n", error->message);
			return MP_EXIT_SOURCE;
		}
	}
	if (json != NULL) {
		out = mp_output_file_open (json, &error);
		if (out == NULL) {
			g_printerr ("mailpreflight compare: %s\n", error->message);
			return MP_EXIT_SOURCE;
		}
		mp_compare_accounts_json_begin (mp_output_file_stream (out), &ai);
	}
	job.base = base;
	job.src_cli = src_cli;
	job.dst_cli = dst_cli;
	job.info = info;
	job.accounts = accounts;
	job.out = out;
	job.report = report;
	job.quiet = quiet;
	if (parallel <= 1) {
		for (guint i = 0; i < accounts->len; i++) {
			g_autoptr(AccountDone) done = compare_one (&job, i);
			if (!emit (&job, done, &worst))
				return MP_EXIT_SOURCE;
		}
	} else if (!compare_parallel (&job, parallel, &worst)) {
		return MP_EXIT_SOURCE;
	}
	if (out != NULL) {
		mp_compare_accounts_json_end (mp_output_file_stream (out), mp_accounts_report_totals (report));
		if (!mp_output_file_commit (g_steal_pointer (&out), &error)) {
			g_printerr ("mailpreflight compare: %s\n", error->message);
			return MP_EXIT_SOURCE;
		}
	}
	if (!mp_accounts_report_finish (report, &error)) {
		g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	if (!quiet)
		mp_compare_accounts_totals_print (stdout, mp_accounts_report_totals (report));
	return worst;
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
	g_autofree char *accounts_file = NULL;
	g_autofree char *shard = NULL;
	g_autofree char *unreadable = NULL;
	gboolean quiet = FALSE;
	gboolean accept_predicted = FALSE;
	gboolean fail_on_changed = FALSE;
	gboolean content_checks = FALSE;
	gboolean no_progress = FALSE;
	gint jobs = 0;
	gint parallel_accounts = 0;
	g_auto(MpImapArgs) src = { 0 };
	g_auto(MpImapArgs) dst = { 0 };
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
		{ "accounts", 0, 0, G_OPTION_ARG_FILENAME, &accounts_file,
		  "Compare many accounts, each independently: the accounts file of `scan --accounts` with a target "
		  "column (and target_password_file or target_oauth2_token_file for an IMAP target); every report "
		  "then lists every account, and the totals", "FILE" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &shard,
		  "With --accounts: compare only shard K of N of the accounts, as `scan --shard` does (auto: from "
		  "Kubernetes or Slurm); join the shards' JSON with `compare merge`", "K/N|auto" },
		{ "parallel-accounts", 0, 0, G_OPTION_ARG_INT, &parallel_accounts,
		  "With --accounts: compare N accounts at once (default 1); the reports list them in the file's "
		  "order all the same, byte for byte", "N" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE TARGET | --accounts FILE | merge FILE.json... - after the move: "
	                                                       "what did not arrive, and why");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autoptr(MpRunInfo) run = NULL;
	g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(MpSide) source = NULL;
	g_autoptr(MpSide) target = NULL;
	g_autoptr(MpCompareOutcome) outcome = NULL;
	MpSizeTolerance tolerance = MP_SIZE_TOLERANCE_DEFAULT;
	PairArgs pair = { 0 };
	MpCompareInfo info = { 0 };
	const char *outs[4];
	guint n_stdout = 0;

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
		"the one the rules' [folder-map] expects (Sent -> Sent Items) arrived, moved.\n\n"
		"With --accounts FILE every account of the file is compared with its target\n"
		"column, each on its own (an account that cannot be read is reported and the\n"
		"others go on); --shard K/N takes a share as `scan` does, and\n"
		"`compare merge SHARD.json... --json ALL.json` joins the shards' JSON into the\n"
		"one a single run gives (docs/scale-out.md); with --csv, --folders-csv, --html it\n"
		"writes the reports of all the accounts too, byte for byte those of one run.\n"
		"With --accounts the CSVs gain a first column, account; the HTML page lists the\n"
		"accounts, then each one's rows; JSON and summary end with the totals.");
	g_option_context_set_description (ctx,
		"Exit status: 0 every message arrived (or, with --accept-predicted, every missing\n"
		"one was predicted), 1 otherwise, 2 usage or rules error, 3 a side could not be\n"
		"read (fully). With --accounts: the worst account's. compare merge exits with\n"
		"the status the one run gives, recomputed from the accounts and the settings\n"
		"the files record (--accept-predicted, --fail-on-changed); 3 when a shard is\n"
		"missing.\n\n"
		"Examples:\n"
		"  mailpreflight compare --html check.html ~/Maildir imaps://me@outlook.office365.com\n"
		"  mailpreflight compare --rules gmail-imap --accept-predicted --csv missing.csv \\\n"
		"      imaps://bob@old.example.org imaps://bob@imap.gmail.com\n"
		"  mailpreflight compare --accounts moved.csv --as-of 2026-02-01 --shard 1/4 --json s1.json\n"
		"  mailpreflight compare merge s1.json s2.json s3.json s4.json --json all.json \\\n"
		"      --csv all.csv --html all.html\n");
	g_option_context_add_main_entries (ctx, entries, NULL);
	mp_imap_args_add_to_group (&src, g_option_context_get_main_group (ctx), MP_IMAP_ARGS_USE_COMPARE_SOURCE,
	                           MP_IMAP_ARGS_CONNECTIONS | MP_IMAP_ARGS_TIMEOUT);
	mp_imap_args_add_to_group (&dst, g_option_context_get_main_group (ctx), MP_IMAP_ARGS_USE_COMPARE_TARGET, 0);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("mailpreflight compare: %s\nTry 'mailpreflight compare --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (args != NULL && args[0] != NULL && strcmp (args[0], "merge") == 0)
		return compare_merge ((const char *const *) args + 1, json, csv, folders_csv, html, quiet);
	if (accounts_file != NULL) {
		const char *bad = args != NULL ? "SOURCE and TARGET arguments"
		                  : src.password_file || dst.password_file ? "--password-file and --target-password-file"
		                  : src.oauth2_token_file || dst.oauth2_token_file ? "--oauth2-token-file and --target-oauth2-token-file"
		                  : NULL;
		if (bad != NULL) {
			/* a password is one login's: each account's are in its own columns */
			g_printerr ("mailpreflight compare: --accounts does not take %s\n", bad);
			return MP_EXIT_USAGE;
		}
	} else if (shard != NULL || parallel_accounts != 0) {
		g_printerr ("mailpreflight compare: %s needs --accounts\n", shard ? "--shard" : "--parallel-accounts");
		return MP_EXIT_USAGE;
	} else if (args == NULL || g_strv_length (args) != 2) {
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
	if (jobs < 0 || jobs > 1024 || !mp_imap_args_in_range (&src) || parallel_accounts < 0 || parallel_accounts > 256) {
		g_printerr ("mailpreflight compare: --jobs is from 1 to 1024, --connections from 1 to 64, "
		            "--timeout from 1 to 3600 seconds, --parallel-accounts from 1 to 256\n");
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
	/* one warning, naming the source's option when both are given */
	if (!mp_imap_args_warn (&src))
		mp_imap_args_warn (&dst);

	pair.rules = rules;
	pair.tolerance = &tolerance;
	pair.jobs = jobs;
	pair.connections = src.connections;
	pair.timeout_s = src.timeout_s;
	pair.content_checks = content_checks;
	pair.progress = !no_progress && isatty (STDERR_FILENO);
	pair.accept_predicted = accept_predicted;
	pair.fail_on_changed = fail_on_changed;

	run = mp_run_info_new_current (command, as_of != NULL, rules->as_of);
	run->rules_name = g_strdup (rules->name);
	run->rules_origin = g_strdup (rules->origin);
	run->rules_digest = mp_rules_digest (rules);
	run->insecure_skip_verify = src.insecure_skip_verify || dst.insecure_skip_verify;
	run->metadata_only = !content_checks;
	info.run = run;
	info.source_insecure = src.insecure_skip_verify;
	info.target_insecure = dst.insecure_skip_verify;
	info.notes = notes;

	if (accounts_file != NULL) {
		const Reports reports = { csv, folders_csv, html };
		if (parallel_accounts > 1)
			pair.progress = FALSE; /* one progress line cannot tell several accounts apart */
		return compare_accounts (&pair, &src, &dst, accounts_file, shard, &info, json, &reports,
		                         (guint) MAX (parallel_accounts, 1), quiet || n_stdout > 0);
	}

	pair.interactive = isatty (STDIN_FILENO);
	outcome = compare_pair (&pair, args[0], &src, args[1], &dst, notes, &source, &target, &unreadable, &error);
	if (outcome == NULL) {
		if (error != NULL)
			g_printerr ("mailpreflight compare: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	info.source_metadata_only = mp_source_is_network (args[0]) && !content_checks;

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
