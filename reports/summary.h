/* summary.h — the totals of one scan, accumulated message by message in
 * bounded memory (per folder and per rule counters, the largest messages),
 * and the short human summary printed on stdout. */
#pragma once

#include "account.h"
#include "message.h"
#include <stdio.h>

G_BEGIN_DECLS

#define MP_SUMMARY_TOP 10
/* folders and sources kept for the tables (the HTML lists as many); the
 * rest are counted, so that memory does not grow with the accounts */
#define MP_SUMMARY_FOLDERS 2000
/* the largest folders kept for the chart */
#define MP_SUMMARY_TOP_FOLDERS 15
/* the largest messages of all (findings or not), for the HTML report */
#define MP_SUMMARY_LARGEST 50
/* message sizes by bit length: bucket b holds sizes in [2^(b-1), 2^b) */
#define MP_SIZE_BUCKETS 41
/* attachments per message: 0..5, 6-10, 11-20, 21-50, 51-100, 101-250, 251+ */
#define MP_ATT_BUCKETS 12
extern const guint mp_att_bucket_low[MP_ATT_BUCKETS];
/* messages per year of their date */
#define MP_YEAR_FIRST 1970
#define MP_YEAR_LAST  2099

typedef struct {
	char   *source;
	char   *name;
	guint64 messages;
	guint64 bytes;
	guint64 findings;
	gboolean failed;
	guint64 by_severity[3];  /* findings by MpSeverity */
	guint64 attachments;
	guint64 largest;
	guint64 deleted;         /* messages marked deleted */
} MpFolderStats;

typedef struct {
	char   *source;
	char   *kind;   /* NULL when the source could not be opened */
	char   *error;  /* why it could not be read, or NULL */
	guint   folders;
	guint64 messages;
	guint64 bytes;
	guint64 findings;
} MpSourceStats;

typedef struct {
	char      *rule;
	char      *check;
	MpSeverity severity;
	guint64    count;
} MpRuleStats;

typedef struct {
	char   *source;
	char   *folder;
	char   *date;
	char   *from;
	guint64 index;
	guint64 size;
	guint   attachments;
	char   *subject;
	char   *rules; /* "too-large;too-many-attachments" */
	MpDeleted deleted;
} MpOffender;

/* One account, for the worst-accounts list. */
typedef struct {
	char      *name;
	guint64    ordinal;
	MpVerdict  verdict;
	gint       idle_months;
	guint64    messages, bytes;
	guint64    findings[3];
	guint64    read_errors;
	char      *last_activity; /* "2025-01-15", or NULL */
	char      *why;           /* the evidence, or the forwarding */
} MpAccountStats;

typedef struct {
	guint64    messages;
	guint64    bytes;
	guint64    findings[3];         /* by MpSeverity */
	guint64    messages_with_findings;
	guint64    other_findings;      /* about folders and accounts */
	guint64    messages_with_problems;
	/* messages marked deleted but still stored (DEFINITIONS.md), counted
	 * apart; judged unless the rules say deleted = skip */
	guint64    deleted;
	gboolean   deleted_skip;
	GPtrArray *folders;             /* MpFolderStats*, the first MP_SUMMARY_FOLDERS, in scan order */
	GPtrArray *top_folders;         /* copies of the largest finished folders, largest first,
	                                 * at most MP_SUMMARY_TOP_FOLDERS (the first seen wins a tie) */
	guint64    n_folders;           /* every folder */
	guint64    n_sources;           /* every source */
	MpFolderStats *folder;          /* the folder being read: in folders, or folder_scratch */
	MpFolderStats *folder_scratch;
	MpSourceStats *source;          /* the source being read: in source_stats, or source_scratch */
	MpSourceStats *source_scratch;
	GPtrArray *rules;               /* MpRuleStats*, in first-seen order */
	GPtrArray *offenders;           /* MpOffender*, largest first, at most MP_SUMMARY_TOP */
	GPtrArray *errors;              /* char*: sources and folders that failed */
	GPtrArray *notices;             /* char*: junk, skipped data */
	GPtrArray *left_out;            /* char*: folders the folder filter left out
	                                 * (never read), "folder" */
	guint      sources;
	guint      sources_failed;
	/* bounded aggregates for the charts and tables of the reports */
	GPtrArray *source_stats;        /* MpSourceStats*, the first MP_SUMMARY_FOLDERS, in scan order */
	GPtrArray *largest;             /* MpOffender*, largest first, at most MP_SUMMARY_LARGEST */
	guint64    size_hist[MP_SIZE_BUCKETS];
	guint64    att_hist[MP_ATT_BUCKETS];
	guint64    years[MP_YEAR_LAST - MP_YEAR_FIRST + 1];
	guint64    years_before, years_after, undated;
	guint64    attachments;
	/* IMAP content checks: messages of which something was downloaded,
	 * those downloaded whole, and the octets */
	guint64    downloaded;
	guint64    downloaded_whole;
	guint64    downloaded_octets;
	guint64    errors_total;        /* errors and notices seen (the lists are capped) */
	guint64    notices_total;
	/* accounts: counted per verdict; the worst kept (bounded) */
	guint64    accounts;
	guint64    verdicts[MP_VERDICT_N];
	GPtrArray *worst_accounts;      /* MpAccountStats*, worst first, at most MP_SUMMARY_TOP */
	char      *account;             /* the account being read, or NULL */
	/* messages that could not be read (problem unreadable), or whose
	 * content a rule needed could not be (content-unreadable): the audit
	 * of them is not complete (issue 14, item 1) */
	guint64    unreadable;
	guint64    left_out_total;
} MpSummary;

/* What the reports say of the mailboxes, whatever --fail-on (which sets
 * only the exit status): NOT_READY when a finding of severity error was
 * made (the target refuses or loses something), else INCOMPLETE when a
 * source, folder or message could not be (fully) read
 * (mp_summary_incomplete), else READY. */
typedef enum {
	MP_READINESS_READY,
	MP_READINESS_INCOMPLETE,
	MP_READINESS_NOT_READY,
} MpReadiness;

MpReadiness mp_summary_verdict  (const MpSummary *s);
/* "ready", "incomplete", "not-ready" (JSON totals.verdict). */
const char *mp_readiness_name   (MpReadiness v);
/* The line every report gives instead of a table of findings when there
 * are none, saying what was judged ("No findings: every message passes
 * the rules.", "No message could be read: nothing was judged."); NULL when
 * there are findings. Free with g_free. */
char       *mp_summary_no_findings (const MpSummary *s);

MpSummary *mp_summary_new          (void);
void       mp_summary_begin_account (MpSummary *s, const char *name);
void       mp_summary_end_account  (MpSummary *s, const MpAccountResult *r);
void       mp_summary_free         (MpSummary *s);
void       mp_summary_begin_source (MpSummary *s, const char *source, const char *kind);
/* SOURCE could not be opened (or listed) */
void       mp_summary_source_error (MpSummary *s, const char *source, const char *message);
void       mp_summary_begin_folder (MpSummary *s, const char *source, const char *folder);
/* The folder being read ends (it may count among the largest). */
void       mp_summary_end_folder   (MpSummary *s);
void       mp_summary_add_message  (MpSummary *s, const MpMessage *m);
/* A folder finding (FOLDER set) or an account finding. */
void       mp_summary_add_finding  (MpSummary *s, const char *folder, const MpFinding *f);
void       mp_summary_add_error    (MpSummary *s, const char *text);
void       mp_summary_add_notice   (MpSummary *s, const char *text);
/* TRUE when not everything could be read: a source or folder failed, or
 * a message was unreadable. The verdict is then "incomplete" (unless an
 * error finding makes it "not ready") and the exit status 3. */
gboolean   mp_summary_incomplete   (const MpSummary *s);
/* Prints the human summary. RULES_ORIGIN names the rules used; BLOCKING is
 * the number of findings at or above --fail-on; COLOUR adds ANSI colours. */
/* FOLDER was left out by the folder filter, never read. */
void       mp_summary_add_left_out (MpSummary *s, const char *folder);
/* Prints the human summary. RULES_ORIGIN names the rules used; FAIL_ON is
 * the --fail-on level ("error", ..., "never") and BLOCKING the number of
 * findings at or above it (the exit status); COLOUR adds ANSI colours. */
void       mp_summary_print        (const MpSummary *s, FILE *fp, const char *rules_origin,
                                    const char *fail_on, guint64 blocking, gboolean colour);
/* The bucket of a message size in size_hist. */
guint      mp_size_bucket          (guint64 size);
guint      mp_att_bucket           (guint attachments);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpSummary, mp_summary_free)

G_END_DECLS
