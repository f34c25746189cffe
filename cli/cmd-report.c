/* cmd-report.c — `mailpreflight report`: renders saved JSON reports again
 * (HTML, CSV, inventory, JUnit, JSON) without rescanning, and merges the
 * results of several runs. The JSON is replayed through the same report
 * sink and writers as a scan (reports/json-read.h), so the output equals
 * what the scan would have written. */
#include "commands.h"
#include "json-read.h"
#include "report-args.h"
#include "report.h"

#include <stdio.h>
#include <string.h>

/* Takes TMP's runs and rules into META (a merge keeps every run). */
static void
absorb (MpReportMeta *meta, MpReportMeta *tmp, gboolean first)
{
	if (first) {
		g_free (meta->rules_name);
		g_free (meta->rules_origin);
		meta->rules_name = g_steal_pointer (&tmp->rules_name);
		meta->rules_origin = g_steal_pointer (&tmp->rules_origin);
		meta->fail_never = tmp->fail_never;
		meta->fail_on = tmp->fail_on;
		meta->deleted_skip = tmp->deleted_skip;
	}
	for (guint i = 0; i < tmp->runs->len; i++)
		g_ptr_array_add (meta->runs, g_steal_pointer (&g_ptr_array_index (tmp->runs, i)));
	for (guint i = 0; i < tmp->rules->len; i++)
		mp_report_meta_add_rule (meta, g_steal_pointer (&g_ptr_array_index (tmp->rules, i)));
	g_ptr_array_set_size (tmp->runs, 0);
	g_ptr_array_set_size (tmp->rules, 0);
}

/* A merge is one report only when every run was judged alike: by the same
 * rules, as of the same time. FIRST is the first run seen (of FIRST_FILE). */
static gboolean
check_same_judgement (const MpRunInfo *first, const char *first_file, const MpRunInfo *run, const char *file,
                      GError **error)
{
	const char *a = first->as_of ? first->as_of : first->scan_time;
	const char *b = run->as_of ? run->as_of : run->scan_time;

	if (first->rules_digest && run->rules_digest && strcmp (first->rules_digest, run->rules_digest) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "cannot merge: %s and %s were judged by different rules (%s and %s): scan every part "
		             "with the same --rules (and --activity-evidence)", first_file, file,
		             first->rules_name ? first->rules_name : "?", run->rules_name ? run->rules_name : "?");
		return FALSE;
	}
	if (g_strcmp0 (a, b) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "cannot merge: %s was judged as of %s, %s as of %s: idle times would not compare; scan "
		             "every part with the same --as-of", first_file, a ? a : "?", file, b ? b : "?");
		return FALSE;
	}
	return TRUE;
}

/* Do the files hold disjoint accounts of one numbering (shards of a run)? */
static gboolean
are_shards (GPtrArray *infos)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

	for (guint i = 0; i < infos->len; i++) {
		const MpJsonInfo *info = g_ptr_array_index (infos, i);
		if (info->major < 2)
			return FALSE;
		for (guint k = 0; k < info->ordinals->len; k++) {
			gint64 o = (gint64) g_array_index (info->ordinals, guint64, k);
			if (g_hash_table_contains (seen, &o))
				return FALSE;
			g_hash_table_add (seen, g_memdup2 (&o, sizeof o));
		}
	}
	return TRUE;
}

static void
info_free (MpJsonInfo *info)
{
	if (info->ordinals)
		g_array_unref (info->ordinals);
	g_free (info);
}

int
mp_cmd_report (int argc, char **argv)
{
	g_auto(MpReportArgs) out = { 0 };
	g_auto(GStrv) inputs = NULL;
	const GOptionEntry entries[] = {
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new ("FILE.json | merge FILE.json... - render saved reports");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpReportMeta) meta = mp_report_meta_new ();
	g_autoptr(MpReport) report = NULL;
	MpReportOptions ropt = { 0 };
	g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) info_free);
	g_autoptr(MpRunInfo) first_run = NULL;
	const char *first_file = NULL;
	const char *const *files;
	gboolean merge;
	MpSummary *summary;

	g_set_prgname ("mailpreflight report");
	g_option_context_set_summary (ctx,
		"Renders a JSON report saved by 'scan --json' in other formats, without\n"
		"rescanning; 'merge' joins the results of several runs (accounts scanned\n"
		"separately) into one report.");
	g_option_context_set_description (ctx,
		"Exit status: 0 no finding at or above --fail-on, 1 findings at that level,\n"
		"2 usage error or an unreadable report, 3 the saved scan could not read a source\n"
		"(3 wins over 1).\n\n"
		"Examples:\n  mailpreflight report scan.json --html report.html --junit junit.xml\n"
		"  mailpreflight report merge alice.json bob.json --json all.json --html all.html\n");
	g_option_context_set_main_group (ctx, mp_report_args_group (&out, "as saved"));
	g_option_context_add_main_entries (ctx, entries, NULL);
	if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
		g_printerr ("mailpreflight report: %s\nTry 'mailpreflight report --help'.\n", error->message);
		return MP_EXIT_USAGE;
	}
	merge = inputs && inputs[0] && strcmp (inputs[0], "merge") == 0;
	files = (const char *const *) (inputs ? inputs + (merge ? 1 : 0) : NULL);
	if (files == NULL || files[0] == NULL || (!merge && files[1] != NULL)) {
		g_printerr ("mailpreflight report: %s\nTry 'mailpreflight report --help'.\n",
		            merge ? "merge needs at least one FILE.json"
		            : files && files[0] ? "one FILE.json at a time (use 'report merge' for several)"
		                                : "no FILE.json given");
		return MP_EXIT_USAGE;
	}
	if (!mp_report_args_check_outputs (&out, &error)) {
		g_printerr ("mailpreflight report: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	for (int i = 0; files[i]; i++) {
		g_autoptr(MpReportMeta) tmp = mp_report_meta_new ();
		MpJsonInfo *info = g_new0 (MpJsonInfo, 1);

		if (strcmp (files[i], "-") == 0) {
			g_printerr ("mailpreflight report: the report is read twice: give a file, not '-'\n");
			info_free (info);
			return MP_EXIT_USAGE;
		}
		g_ptr_array_add (infos, info);
		if (!mp_json_read_info (files[i], tmp, TRUE, info, &error)) {
			g_printerr ("mailpreflight report: %s\n", error->message);
			return MP_EXIT_USAGE;
		}
		for (guint r = 0; r < tmp->runs->len; r++) {
			const MpRunInfo *run = g_ptr_array_index (tmp->runs, r);
			if (first_run == NULL) {
				first_run = run->rules_digest || run->as_of || run->scan_time ? g_new0 (MpRunInfo, 1) : NULL;
				if (first_run) {
					first_run->rules_digest = g_strdup (run->rules_digest);
					first_run->rules_name = g_strdup (run->rules_name);
					first_run->as_of = g_strdup (run->as_of);
					first_run->scan_time = g_strdup (run->scan_time);
					first_file = files[i];
				}
			} else if (!check_same_judgement (first_run, first_file, run, files[i], &error)) {
				g_printerr ("mailpreflight report: %s\n", error->message);
				return MP_EXIT_USAGE;
			}
		}
		absorb (meta, tmp, i == 0);
	}
	/* after reading: --fail-on overrides the level the reports were saved with */
	if (!mp_report_args_apply_fail_on (&out, meta, &error)) {
		g_printerr ("mailpreflight report: %s\n", error->message);
		return MP_EXIT_USAGE;
	}

	mp_report_args_fill (&out, &ropt);
	ropt.quiet_errors = TRUE; /* they were shown by the scan; the summary lists them */
	report = mp_report_new (&ropt, meta, &error);
	if (report == NULL) {
		g_printerr ("mailpreflight report: %s\n", error->message);
		return MP_EXIT_USAGE;
	}
	if (merge && are_shards (infos)) {
		/* shards of one run: their accounts in the order of the run */
		g_autoptr(GPtrArray) ordinals = g_ptr_array_new ();
		for (guint i = 0; i < infos->len; i++)
			g_ptr_array_add (ordinals, ((MpJsonInfo *) g_ptr_array_index (infos, i))->ordinals);
		if (!mp_json_merge_replay (files, (GArray *const *) ordinals->pdata, mp_report_sink (), report, &error)) {
			g_printerr ("mailpreflight report: %s\n", error->message);
			return MP_EXIT_USAGE;
		}
	} else {
		/* separate runs (each numbers its accounts from 0): one after the
		 * other, numbered on as one run of all their sources would be */
		guint64 base = 0;
		for (int i = 0; files[i]; i++) {
			const MpJsonInfo *info = g_ptr_array_index (infos, i);
			guint64 next = base;
			for (guint k = 0; info->ordinals && k < info->ordinals->len; k++)
				next = MAX (next, base + g_array_index (info->ordinals, guint64, k) + 1);
			if (!mp_json_read_sources_after (files[i], base, mp_report_sink (), report, &error)) {
				/* the partial outputs are removed (never renamed into place) */
				g_printerr ("mailpreflight report: %s\n", error->message);
				return MP_EXIT_USAGE;
			}
			base = next;
		}
	}
	if (!mp_report_finish (report, &error)) {
		g_printerr ("mailpreflight report: %s\n", error->message);
		return MP_EXIT_SOURCE;
	}
	mp_report_args_print_summary (&out, report, meta);
	summary = mp_report_summary (report);
	if (mp_summary_incomplete (summary))
		return MP_EXIT_SOURCE;
	return mp_report_blocking (report) > 0 ? MP_EXIT_FINDINGS : MP_EXIT_OK;
}
