/* meta.h — what a report says about the run itself, beside the results:
 * the tool, the command lines and times of the runs (one per scan; a merge
 * keeps every run), the rules used and the --fail-on level. A scan builds it
 * from its options and rule set; `mailpreflight report` reads it back from
 * a saved JSON report. Every format writes it from here. */
#pragma once

#include "message.h"
#include "rules.h"

G_BEGIN_DECLS

typedef struct {
	char      *name;
	char      *check;
	char      *scope;    /* "message", "folder" or "account" */
	MpSeverity severity;
	char      *max;      /* as written ("17920 KB"), or NULL */
	char      *advice;   /* or NULL */
} MpRuleInfo;

typedef struct {
	char  *tool_version;
	char **command;      /* argv, argv[0] shown as "mailpreflight"; URL passwords
	                      * as "***" (shown-text.h) */
	char  *scan_time;    /* ISO 8601 UTC; MAILPREFLIGHT_FIXED_TIME overrides it */
	char  *as_of;        /* ISO 8601 UTC of --as-of, or NULL (= scan time) */
	char  *rules_name;
	char  *rules_origin;
	char  *rules_digest; /* SHA-256 of every rule's every setting: runs to merge must agree */
	gboolean insecure_skip_verify; /* IMAP certificates were not verified */
	gboolean metadata_only;        /* IMAP content checks were turned off */
	char   **exclude_folders; /* the folder globs in effect (--exclude-folder and */
	char   **include_folders; /* the rules file's), NULL when none (folder-filter.h) */
	char   **notes;        /* what every report says about this run (its notices:
	                        * certificates not verified, rules not evaluated over
	                        * IMAP); NULL when none. Saved in the JSON (runs[].notes),
	                        * so a re-rendered report says it too */
} MpRunInfo;

typedef struct {
	GPtrArray *runs;      /* MpRunInfo*, at least one */
	GPtrArray *rules;     /* MpRuleInfo*, in file order (union by name for merges) */
	char      *rules_name;
	char      *rules_origin;
	gboolean   fail_never;
	MpSeverity fail_on;   /* meaningful unless fail_never */
	gboolean   deleted_skip; /* the rules say deleted = skip: messages marked
	                          * deleted were not judged (rules.h) */
} MpReportMeta;

MpReportMeta *mp_report_meta_new        (void);
void          mp_report_meta_free       (MpReportMeta *meta);
/* Appends a rule unless one of that name is known. Takes INFO. */
void          mp_report_meta_add_rule   (MpReportMeta *meta, MpRuleInfo *info);
/* Fills rules, rules_name and origin from SET. */
void          mp_report_meta_set_rules  (MpReportMeta *meta, const MpRuleSet *set);
/* A run of this process: COMMAND (the subcommand's argv, "scan" first; shown
 * after "mailpreflight"), the scan time (now, or
 * $MAILPREFLIGHT_FIXED_TIME), AS_OF (unix seconds) when --as-of was given. */
MpRunInfo    *mp_run_info_new_current   (char **command, gboolean have_as_of, gint64 as_of);
void          mp_run_info_free          (MpRunInfo *run);
void          mp_rule_info_free         (MpRuleInfo *info);
const MpRuleInfo *mp_report_meta_find_rule (const MpReportMeta *meta, const char *name);
/* "error", "warning", "info" or "never" */
const char   *mp_report_meta_fail_on_name (const MpReportMeta *meta);
/* Appends NOTE to RUN's notes. */
void          mp_run_info_add_note      (MpRunInfo *run, const char *note);
/* Does a finding of severity S count against --fail-on (a blocking finding)? */
gboolean      mp_report_meta_blocking   (const MpReportMeta *meta, MpSeverity s);
/* Unix seconds to "2026-01-31T12:00:00Z". */
char         *mp_iso8601_utc            (gint64 t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpReportMeta, mp_report_meta_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpRunInfo, mp_run_info_free)

G_END_DECLS
