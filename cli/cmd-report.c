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
		"2 usage error or an unreadable report, 3 the saved scan could not read a source.\n\n"
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
		if (strcmp (files[i], "-") == 0) {
			g_printerr ("mailpreflight report: the report is read twice: give a file, not '-'\n");
			return MP_EXIT_USAGE;
		}
		if (!mp_json_read_meta (files[i], meta, i == 0, &error)) {
			g_printerr ("mailpreflight report: %s\n", error->message);
			return MP_EXIT_USAGE;
		}
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
	for (int i = 0; files[i]; i++) {
		if (!mp_json_read_sources (files[i], mp_report_sink (), report, &error)) {
			/* the partial outputs are removed (never renamed into place) */
			g_printerr ("mailpreflight report: %s\n", error->message);
			return MP_EXIT_USAGE;
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
