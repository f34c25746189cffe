/* writer.h — one report format (private to reports/).
 *
 * report.c is the only MpScanSink: it updates the bounded model (MpSummary)
 * and hands every event, in order, to each writer. A writer sees the same
 * events whether they come from a scan or from a saved JSON report
 * (json-read.c), so every format is rendered from one result. finish() gets
 * the complete model (totals, histograms, the largest messages) for what
 * can only be written at the end. */
#pragma once

#include "escape.h"
#include "meta.h"
#include "output-file.h"
#include "summary.h"

G_BEGIN_DECLS

typedef struct _MpWriter MpWriter;

typedef struct {
	/* an account begins: its sources follow (MpWriter.account names it) */
	void     (*account_begin) (MpWriter *w, const MpAccount *account);
	/* after its sources and account findings: what the audit found */
	void     (*account_end)   (MpWriter *w, const MpAccountResult *result);
	void     (*source_begin) (MpWriter *w, const char *source, const char *kind);
	void     (*source_error) (MpWriter *w, const char *source, const char *message);
	void     (*folder_begin) (MpWriter *w, const char *source, const char *folder);
	void     (*folder_error) (MpWriter *w, const char *source, const char *folder, const char *message);
	/* FOLDER NULL: about the source; SOURCE NULL too: about the account */
	void     (*notice)       (MpWriter *w, const char *source, const char *folder,
	                          const char *code, const char *detail);
	void     (*message)      (MpWriter *w, const char *source, const MpMessage *m);
	/* SOURCE NULL: an account finding (FOLDER set: a folder judged on the
	 * whole account, case collisions); else about FOLDER of SOURCE, or
	 * about SOURCE when FOLDER is NULL */
	void     (*finding)      (MpWriter *w, const char *source, const char *folder, const MpFinding *f);
	void     (*folder_end)   (MpWriter *w, const char *source, const char *folder);
	void     (*source_end)   (MpWriter *w, const char *source);
	/* Writes what is left and commits the file. */
	gboolean (*finish)       (MpWriter *w, const MpSummary *model, GError **error);
	void     (*free)         (MpWriter *w);
} MpWriterOps;

struct _MpWriter {
	const MpWriterOps  *ops;
	const MpReportMeta *meta;
	MpOutputFile       *out;     /* aborted by mp_writer_free unless committed */
	const char         *account; /* the account being written (set by report.c), or NULL */
};

/* Each returns NULL with ERROR when PATH cannot be created. */
MpWriter *mp_csv_findings_writer_new  (const char *path, const MpReportMeta *meta, GError **error);
MpWriter *mp_csv_inventory_writer_new (const char *path, const MpReportMeta *meta, GError **error);
MpWriter *mp_json_writer_new          (const char *path, const MpReportMeta *meta, GError **error);
MpWriter *mp_junit_writer_new         (const char *path, const MpReportMeta *meta, GError **error);
MpWriter *mp_html_writer_new          (const char *path, const MpReportMeta *meta, GError **error);
MpWriter *mp_csv_accounts_writer_new  (const char *path, const MpReportMeta *meta, GError **error);
/* writer.c: frees W; its file is removed unless committed. */
void      mp_writer_free              (MpWriter *w);
/* writer.c: commits W->out (finish() helpers). */
gboolean  mp_writer_commit            (MpWriter *w, GError **error);

G_END_DECLS
