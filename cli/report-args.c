/* report-args.c — see report-args.h. */
#include "report-args.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

GOptionGroup *
mp_report_args_group (MpReportArgs *args, const char *fail_on_default)
{
	GOptionGroup *group = g_option_group_new ("report", "Report options:", "Show the report options",
	                                          NULL, NULL);

	g_free (args->fail_on_help);
	args->fail_on_help = g_strdup_printf ("Exit 1 on findings at or above LEVEL: error, warning, info or never "
	                                      "(default: %s)", fail_on_default);
	{
		/* copied by g_option_group_add_entries; the texts are not */
		const GOptionEntry entries[] = {
			{ "csv", 0, 0, G_OPTION_ARG_FILENAME, &args->csv,
			  "Write one CSV row per finding to FILE ('-' for stdout)", "FILE" },
			{ "inventory", 0, 0, G_OPTION_ARG_FILENAME, &args->inventory,
			  "Write one CSV row per message to FILE", "FILE" },
			{ "json", 0, 0, G_OPTION_ARG_FILENAME, &args->json,
			  "Write the whole result as JSON to FILE ('-' for stdout; schema mailpreflight-report/2)", "FILE" },
			{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &args->junit,
			  "Write JUnit XML to FILE (one testcase per rule and folder, for CI)", "FILE" },
			{ "html", 0, 0, G_OPTION_ARG_FILENAME, &args->html,
			  "Write a self-contained HTML report to FILE", "FILE" },
			{ "accounts-csv", 0, 0, G_OPTION_ARG_FILENAME, &args->accounts_csv,
			  "Write one CSV row per account to FILE ('-' for stdout): last activity, forwarding, verdict", "FILE" },
			{ "fail-on", 0, 0, G_OPTION_ARG_STRING, &args->fail_on, args->fail_on_help, "LEVEL" },
			{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &args->quiet, "Print no summary on stdout", NULL },
			{ NULL }
		};
		g_option_group_add_entries (group, entries);
	}
	return group;
}

static guint
outputs_to_stdout (const MpReportArgs *args)
{
	const char *outs[] = { args->csv, args->inventory, args->json, args->junit, args->html, args->accounts_csv };
	guint n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS (outs); i++)
		n += (outs[i] != NULL && strcmp (outs[i], "-") == 0);
	return n;
}

gboolean
mp_report_args_check_outputs (const MpReportArgs *args, GError **error)
{
	if (outputs_to_stdout (args) > 1) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "only one report can go to stdout ('-')");
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_report_args_apply_fail_on (const MpReportArgs *args, MpReportMeta *meta, GError **error)
{
	MpSeverity level;

	if (args->fail_on == NULL)
		return TRUE;
	if (g_ascii_strcasecmp (args->fail_on, "never") == 0) {
		meta->fail_never = TRUE;
		return TRUE;
	}
	if (!mp_severity_parse (args->fail_on, &level)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "--fail-on: unknown level '%s' (error, warning, info or never)", args->fail_on);
		return FALSE;
	}
	meta->fail_never = FALSE;
	meta->fail_on = level;
	return TRUE;
}

void
mp_report_args_fill (const MpReportArgs *args, MpReportOptions *options)
{
	options->findings_csv = args->csv;
	options->inventory_csv = args->inventory;
	options->json = args->json;
	options->junit = args->junit;
	options->html = args->html;
	options->accounts_csv = args->accounts_csv;
}

/* Colour on stdout: a terminal and NO_COLOR unset or empty (no-color.org). */
static gboolean
use_colour (void)
{
	const char *no = g_getenv ("NO_COLOR");

	return isatty (STDOUT_FILENO) && (no == NULL || *no == '\0');
}

void
mp_report_args_print_summary (const MpReportArgs *args, MpReport *report, const MpReportMeta *meta)
{
	g_autofree char *used = NULL;

	if (args->quiet || outputs_to_stdout (args) > 0)
		return;
	used = g_strdup_printf ("%s (%s)", meta->rules_name ? meta->rules_name : "unknown",
	                        meta->rules_origin ? meta->rules_origin : "unknown");
	mp_summary_print (mp_report_summary (report), stdout, used, mp_report_meta_fail_on_name (meta),
	                  mp_report_blocking (report), use_colour ());
}

void
mp_report_args_clear (MpReportArgs *args)
{
	g_clear_pointer (&args->csv, g_free);
	g_clear_pointer (&args->inventory, g_free);
	g_clear_pointer (&args->json, g_free);
	g_clear_pointer (&args->junit, g_free);
	g_clear_pointer (&args->html, g_free);
	g_clear_pointer (&args->accounts_csv, g_free);
	g_clear_pointer (&args->fail_on, g_free);
	g_clear_pointer (&args->fail_on_help, g_free);
}
