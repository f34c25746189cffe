/* report.h — the scan sink that renders one result into every requested
 * format as messages arrive (streaming: nothing per message is kept), plus
 * the summary totals. Formats are separate files (csv-report.c, ...); this
 * module only fans out. */
#pragma once

#include "scan.h"
#include "summary.h"

G_BEGIN_DECLS

typedef struct {
	const char *findings_csv;   /* --csv, NULL for none, "-" for stdout */
	const char *inventory_csv;  /* --inventory */
	gboolean    progress;       /* a progress line on stderr (a TTY) */
} MpReportOptions;

typedef struct _MpReport MpReport;

MpReport         *mp_report_new     (const MpReportOptions *options, GError **error);
const MpScanSink *mp_report_sink    (void);
MpSummary        *mp_report_summary (MpReport *r);
/* Completes and renames the report files into place. */
gboolean          mp_report_finish  (MpReport *r, GError **error);
/* Frees; files not finished are removed. */
void              mp_report_free    (MpReport *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpReport, mp_report_free)

/* csv-report.c: the two CSV formats, documented in README.md. */
extern const char *const mp_findings_csv_columns[];
extern const char *const mp_inventory_csv_columns[];
void mp_findings_csv_write  (FILE *fp, const char *source, const MpMessage *m);
void mp_inventory_csv_write (FILE *fp, const char *source, const MpMessage *m);
/* A folder finding (FOLDER set) or account finding: the message columns stay empty. */
void mp_findings_csv_write_scoped (FILE *fp, const char *source, const char *folder, const MpFinding *f);

G_END_DECLS
