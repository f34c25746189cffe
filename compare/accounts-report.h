/* accounts-report.h — the reports of `compare --accounts` beyond its JSON:
 * the rows CSV and the folders CSV with an `account` column first, one
 * HTML page (a table of the accounts, then each account's rows), and the
 * totals across accounts (the JSON's "totals" record, the terminal's last
 * line, the exit status). They are made from the account lines of the
 * mailpreflight-compare-accounts/1 document (accounts-json.h), whether a
 * run has just written them or `compare merge` copies them from shards:
 * so a sharded run merged ends with byte for byte the reports of one run.
 * One account line is held (parsed) at a time; the page's account sections
 * wait in an unlinked temporary file until the table of accounts is done. */
#pragma once

#include "compare-report.h"

G_BEGIN_DECLS

typedef struct {
	guint64         accounts;       /* account lines read */
	guint64         by_verdict[MP_COMPARE_INCOMPLETE + 1];
	guint64         failed;         /* not compared at all (comparison null) */
	MpCompareCounts counts;         /* summed over the accounts compared */
	guint64         target_messages;
	guint64         target_bytes;
	guint64         extra;
	guint64         copies;
	guint64         by_message_id;
	guint64         by_fingerprint;
	guint           exit_status;    /* the worst account's, recomputed (accounts-report.c) */
} MpCompareAccountsTotals;

typedef struct _MpAccountsReport MpAccountsReport;

/* SETTINGS_LINE: the document's settings object ({...}, as
 * mp_compare_accounts_json_settings writes it); it gives the tolerance,
 * --accept-predicted and --fail-on-changed the exit status is judged by.
 * CSV, FOLDERS_CSV, HTML: files to write, each may be NULL. */
MpAccountsReport *mp_accounts_report_new    (const char *settings_line, const char *csv, const char *folders_csv,
                                             const char *html, GError **error);
/* One account line ({"ordinal":N,...}; NAME and LINE for errors). */
gboolean          mp_accounts_report_add    (MpAccountsReport *r, const char *line, gsize len, const char *name,
                                             guint64 line_no, GError **error);
/* The totals so far. */
const MpCompareAccountsTotals *mp_accounts_report_totals (const MpAccountsReport *r);
/* Commits the files. */
gboolean          mp_accounts_report_finish (MpAccountsReport *r, GError **error);
void              mp_accounts_report_free   (MpAccountsReport *r);

/* The "totals" record of the JSON document: the line after the accounts. */
void              mp_compare_accounts_totals_write (FILE *fp, const MpCompareAccountsTotals *t);
/* For people: one line. */
void              mp_compare_accounts_totals_print (FILE *fp, const MpCompareAccountsTotals *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAccountsReport, mp_accounts_report_free)

G_END_DECLS
