/* report.h — the one scan sink behind every report format.
 *
 * MpReport updates a bounded model (MpSummary: totals, per-folder and
 * per-rule counters, histograms, the largest messages) and hands every sink
 * event, in order, to one writer per requested format (writer.h): CSV
 * findings and inventory, JSON, JUnit, HTML. Nothing per message is kept.
 * `mailpreflight report` feeds the same sink from a saved JSON report
 * (json-read.h), so a re-rendered report comes from the same code path. */
#pragma once

#include "meta.h"
#include "scan.h"
#include "summary.h"

G_BEGIN_DECLS

typedef struct {
	const char *findings_csv;   /* --csv, NULL for none, "-" for stdout */
	const char *inventory_csv;  /* --inventory */
	const char *json;           /* --json */
	const char *junit;          /* --junit */
	const char *html;           /* --html */
	const char *accounts_csv;   /* --accounts-csv */
	gboolean    progress;       /* a progress line on stderr (a TTY) */
	guint64     progress_total; /* estimated bytes to read (for the ETA), 0 unknown */
	guint64     accounts_total; /* accounts in the run (the progress line counts them), 0 unknown */
	gboolean    quiet_errors;   /* do not print source and folder errors on stderr */
} MpReportOptions;

typedef struct _MpReport MpReport;

/* META (runs, rules, --fail-on) must outlive the report. */
MpReport         *mp_report_new     (const MpReportOptions *options, const MpReportMeta *meta,
                                     GError **error);
const MpScanSink *mp_report_sink    (void);
MpSummary        *mp_report_summary (MpReport *r);
/* Findings at or above --fail-on. */
guint64           mp_report_blocking (MpReport *r);
/* Completes and renames the report files into place. */
gboolean          mp_report_finish  (MpReport *r, GError **error);
/* Frees; files not finished are removed. */
void              mp_report_free    (MpReport *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpReport, mp_report_free)

/* csv-report.c: the CSV formats, documented in README.md. ACCOUNT names
 * the account every row is about. */
extern const char *const mp_findings_csv_columns[];
extern const char *const mp_inventory_csv_columns[];
extern const char *const mp_accounts_csv_columns[];
void mp_findings_csv_write  (FILE *fp, const char *account, const char *source, const MpMessage *m);
void mp_inventory_csv_write (FILE *fp, const char *account, const char *source, const MpMessage *m);
/* A folder finding (FOLDER set) or account finding: the message columns stay empty. */
void mp_findings_csv_write_scoped (FILE *fp, const char *account, const char *source, const char *folder,
                                   const MpFinding *f);
void mp_accounts_csv_write  (FILE *fp, const MpAccountResult *r);

G_END_DECLS
