/* scan.h — the audit walk: accounts -> sources -> folders -> batches ->
 * worker threads -> results handed to a sink in account and source order.
 *
 * Producers (a few threads, one account at a time each: accounts run in
 * parallel) detect each source of an account, list its folders and
 * enumerate messages; one GThreadPool analyzes the batches of every
 * account; finished batches are delivered to the sink strictly in the order
 * of the accounts and, within one, in the order they were produced, so the
 * output of --jobs 8 equals --jobs 1, and any number of parallel accounts
 * equals one, byte for byte. At most a bounded number of batches is in
 * flight per account being read: memory does not grow with the mailbox nor
 * with the number of accounts (an account's sources are closed once it has
 * been delivered). All sink callbacks run on the calling thread. */
#pragma once

#include "account.h"
#include "folder-filter.h"
#include "source.h"

G_BEGIN_DECLS

typedef struct {
	/* an account is about to be read: its sources follow */
	void (*account_begin) (gpointer self, const MpAccount *account);
	/* after the account's last source. RESULT was made by the scan (name,
	 * sources, ordinal, and what MpScanOptions.account_probe found) and is
	 * filled further by the sinks of the chain (rules/audit.c: counts,
	 * evidence, verdict) before the next sink reads it */
	void (*account_end)   (gpointer self, const MpAccount *account, MpAccountResult *result);
	/* a source is about to be read; KIND is "mbox", "maildir", ... */
	void (*source_begin) (gpointer self, const char *source, const char *kind);
	/* SOURCE could not be opened or listed: the scan goes on with the others */
	void (*source_error) (gpointer self, const char *source, const GError *error);
	void (*folder_begin) (gpointer self, const char *source, const MpFolder *folder);
	/* FOLDER could not be read (fully): the messages already delivered stand */
	void (*folder_error) (gpointer self, const char *source, const MpFolder *folder, const GError *error);
	/* something about a folder that is not a message: junk, skipped data;
	 * also a folder left out by the folder filter (MP_NOTICE_FOLDER_LEFT_OUT of notice-codes.h,
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

/* Runs on a producer thread when an account begins, before its sources are
 * read (forwarding: .forward, Sieve, ManageSieve, which may wait on a
 * server); fills RESULT. SETTINGS are the account's network settings. */
typedef void (*MpAccountProbeFunc) (const MpAccount *account, const MpSourceSettings *settings,
                                    MpAccountResult *result, gpointer user_data);

typedef struct {
	guint             jobs;          /* worker threads, >= 1 */
	const MpFolderFilter *folder_filter; /* folders to read; NULL: all */
	MpAnalyzeFlags    analyze_flags; /* what the analyzer looks at beyond the defaults */
	const MpSourceSettings *source_settings; /* network sources; may be NULL */
	MpEvaluateFunc    evaluate;      /* may be NULL */
	gpointer          evaluate_data; /* must be safe to use from several threads */
	const MpScanSink *sink;
	gpointer          sink_data;
	MpAccountProbeFunc account_probe; /* may be NULL */
	gpointer          account_probe_data; /* must be safe to use from several threads */
	/* accounts read at the same time (producer threads); 0: 1 */
	guint             parallel_accounts;
	/* connections to one server (host:port) for all accounts together; an
	 * account takes its share (MpSourceSettings.connections) before it
	 * begins and gives it back when it has been delivered; 0: no bound */
	guint             server_connections;
} MpScanOptions;

typedef struct {
	guint sources_failed;  /* sources that could not be opened */
	guint folders_failed;  /* folders that could not be (fully) read */
} MpScanResult;

/* Scans ACCOUNTS (N of them) in order. An account's source that fails is
 * reported (source_error) and the rest go on. */
void mp_scan_run_accounts (MpAccount *const *accounts, guint n, const MpScanOptions *options,
                           MpScanResult *result);
/* Scans SOURCES (NULL-terminated), each as an account named by its path. */
void mp_scan_run (const char *const *sources, const MpScanOptions *options, MpScanResult *result);

G_END_DECLS
