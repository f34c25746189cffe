/* scan.h — the audit walk: sources -> folders -> batches -> worker threads ->
 * results handed to a sink in source order.
 *
 * The producer (the calling thread) detects each source, lists its folders
 * and enumerates messages; a GThreadPool analyzes batches; finished batches
 * are delivered to the sink strictly in the order they were produced, so the
 * output of --jobs 8 equals --jobs 1 byte for byte. At most a bounded number
 * of batches is in flight: memory does not grow with the mailbox. All sink
 * callbacks run on the calling thread. */
#pragma once

#include "folder-filter.h"
#include "source.h"

G_BEGIN_DECLS

typedef struct {
	/* a source is about to be read; KIND is "mbox", "maildir", ... */
	void (*source_begin) (gpointer self, const char *source, const char *kind);
	/* SOURCE could not be opened or listed: the scan goes on with the others */
	void (*source_error) (gpointer self, const char *source, const GError *error);
	void (*folder_begin) (gpointer self, const char *source, const MpFolder *folder);
	/* FOLDER could not be read (fully): the messages already delivered stand */
	void (*folder_error) (gpointer self, const char *source, const MpFolder *folder, const GError *error);
	/* something about a folder that is not a message: junk, skipped data;
	 * also a folder left out by the folder filter (MP_NOTICE_FOLDER_LEFT_OUT,
	 * before or between folders: it has no folder_begin) */
	void (*notice)       (gpointer self, const char *source, const MpFolder *folder,
	                      const char *code, const char *detail);
	/* one analyzed (and evaluated) message, in source order */
	void (*message)      (gpointer self, const MpMessage *m);
	void (*folder_end)   (gpointer self, const char *source, const MpFolder *folder);
	void (*source_end)   (gpointer self, const char *source);
	/* a finding about a folder (FOLDER set) or a whole account (FOLDER NULL);
	 * never called by the scan itself: sinks that evaluate folder and account
	 * rules (rules/audit.c) call it on the sink they wrap */
	void (*finding)      (gpointer self, const char *source, const MpFolder *folder,
	                      const MpFinding *finding);
} MpScanSink;

/* Runs on a worker thread right after a message is analyzed (rules). */
typedef void (*MpEvaluateFunc) (MpMessage *m, gpointer user_data);

/* The notice code of a folder the scan does not read because the folder
 * filter leaves it out (MpScanOptions.folder_filter); the detail says which
 * pattern. */
#define MP_NOTICE_FOLDER_LEFT_OUT "folder-left-out"

typedef struct {
	guint             jobs;          /* worker threads, >= 1 */
	const MpFolderFilter *folder_filter; /* folders to read; NULL: all */
	MpAnalyzeFlags    analyze_flags; /* what the analyzer looks at beyond the defaults */
	const MpSourceSettings *source_settings; /* network sources; may be NULL */
	MpEvaluateFunc    evaluate;      /* may be NULL */
	gpointer          evaluate_data; /* must be safe to use from several threads */
	const MpScanSink *sink;
	gpointer          sink_data;
} MpScanOptions;

typedef struct {
	guint sources_failed;  /* sources that could not be opened */
	guint folders_failed;  /* folders that could not be (fully) read */
} MpScanResult;

void mp_scan_run (const char *const *sources, const MpScanOptions *options, MpScanResult *result);

G_END_DECLS
