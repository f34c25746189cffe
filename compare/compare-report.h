/* compare-report.h — the reports of `compare`, one file per format: the
 * rows CSV (compare-csv.c: one row per source message that did not arrive
 * or changed, then the target's extra messages), the folders CSV (counts
 * per folder of both sides), JSON (compare-json.c, schema
 * mailpreflight-compare/1, docs/compare-json.md), HTML (compare-html.c) and
 * the summary on the terminal (compare-summary.c). Every file is written
 * through output-file.h (temporary name, then rename); every text from a
 * message goes through csv.h or escape.h. */
#pragma once

#include "meta.h"
#include "outcome.h"

G_BEGIN_DECLS

/* What the reports say about the run, beside the outcome. */
typedef struct {
	MpRunInfo *run;              /* command, time, version, as-of, rules (borrowed) */
	gboolean   source_insecure;  /* certificates not verified (IMAP) */
	gboolean   target_insecure;
	gboolean   source_metadata_only; /* the source's content was not read (IMAP) */
	GPtrArray *notes;            /* char*: what the reader should know, one sentence each */
} MpCompareInfo;

extern const char *const mp_compare_csv_columns[];
extern const char *const mp_compare_folders_csv_columns[];

gboolean mp_compare_write_csv         (MpCompareOutcome *o, const char *path, GError **error);
gboolean mp_compare_write_folders_csv (MpCompareOutcome *o, const char *path, GError **error);
gboolean mp_compare_write_json        (MpCompareOutcome *o, const MpCompareInfo *info, const char *path,
                                       GError **error);
/* The JSON object alone, to FP; EMBEDDED: without schema, tool and run
 * (an account of mailpreflight-compare-accounts/1, accounts-json.h). */
gboolean mp_compare_write_json_object (FILE *fp, MpCompareOutcome *o, const MpCompareInfo *info,
                                       gboolean embedded, GError **error);
/* COMMAND (a run's redacted argv) as a JSON array, argv[0] as "mailpreflight". */
void     mp_compare_json_write_command (FILE *fp, char *const *command);
gboolean mp_compare_write_html        (MpCompareOutcome *o, const MpCompareInfo *info, const char *path,
                                       GError **error);
/* The pieces the report of many accounts (accounts-report.h) shares with
 * the reports of one: a CSV row with ACCOUNT as its first cell (NULL: none,
 * as in the single-pair CSV), the page's head, a message's row of HTML. */
void     mp_compare_csv_write_row     (FILE *fp, const char *account, const MpCompareRow *row,
                                       const MpSizeTolerance *tolerance);
void     mp_compare_csv_write_source_folder (FILE *fp, const char *account, const char *folder,
                                             const char *expected, const MpCompareCounts *counts,
                                             const char *moved_to, const char *rules);
void     mp_compare_csv_write_target_folder (FILE *fp, const char *account, const char *folder,
                                             const MpTargetFolderOutcome *to);
void     mp_compare_html_head         (FILE *fp, const char *title);
/* One count of the page's head: VALUE under LABEL, its element ID. */
void     mp_compare_html_card         (FILE *fp, const char *id, guint64 value, const char *label);
/* A table of message rows up to its <tbody>; WHERE: the target folder column's title. */
void     mp_compare_html_rows_begin   (FILE *fp, const char *where);
void     mp_compare_html_row          (FILE *fp, const MpCompareRow *row, const MpSizeTolerance *tolerance);
/* The summary for people; COLOUR: ANSI colours (a terminal without NO_COLOR). */
gboolean mp_compare_print_summary     (MpCompareOutcome *o, const MpCompareInfo *info, FILE *fp,
                                       gboolean colour, GError **error);

G_END_DECLS
