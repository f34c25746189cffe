/* report-args.h — the options of every command that writes reports (`scan`,
 * `report`): the five outputs, --fail-on and --quiet, declared once as one
 * GOptionGroup that each command inherits (notmuch's .opt_inherit), and
 * what follows from them: their checks, the MpReportOptions paths, the
 * --fail-on level of the report and the summary on stdout.
 *
 * Errors are usage errors (MP_ERROR_USAGE); the command prints them with
 * its name and exits 2. */
#pragma once

#include "meta.h"
#include "report.h"

G_BEGIN_DECLS

/* The options as given; strings owned, freed by mp_report_args_clear. */
typedef struct {
	char    *csv;          /* --csv FILE ('-': stdout), or NULL */
	char    *inventory;    /* --inventory FILE */
	char    *json;         /* --json FILE ('-': stdout) */
	char    *junit;        /* --junit FILE */
	char    *html;         /* --html FILE */
	char    *accounts_csv; /* --accounts-csv FILE */
	char    *fail_on;      /* --fail-on LEVEL as typed, or NULL */
	gboolean quiet;        /* --quiet */
	char    *fail_on_help; /* --fail-on's help text: it names the command's default */
} MpReportArgs;

/* The options as a group that fills ARGS, which must outlive it. A command
 * makes it its context's main group (g_option_context_set_main_group) and
 * then adds its own entries, so that its --help lists all of them under
 * one heading. FAIL_ON_DEFAULT says in --help what applies without
 * --fail-on ("error"; a saved report keeps its own level). */
GOptionGroup *mp_report_args_group          (MpReportArgs *args, const char *fail_on_default);
/* FALSE when more than one report goes to stdout ('-'): they would mix. */
gboolean      mp_report_args_check_outputs  (const MpReportArgs *args, GError **error);
/* Sets META's --fail-on level when --fail-on was given, else leaves META
 * as it is (a new meta's default, or the level of a saved report). FALSE
 * for an unknown level. */
gboolean      mp_report_args_apply_fail_on  (const MpReportArgs *args, MpReportMeta *meta,
                                             GError **error);
/* Sets the five output paths of OPTIONS (the other fields are left). */
void          mp_report_args_fill           (const MpReportArgs *args, MpReportOptions *options);
/* Prints REPORT's summary on stdout, naming the rules of META, unless
 * --quiet or a report goes to stdout (it must stay parseable: nothing
 * beside it). */
void          mp_report_args_print_summary  (const MpReportArgs *args, MpReport *report,
                                             const MpReportMeta *meta);
void          mp_report_args_clear          (MpReportArgs *args);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MpReportArgs, mp_report_args_clear)

G_END_DECLS
