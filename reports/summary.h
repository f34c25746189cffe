/* summary.h — the totals of one scan, accumulated message by message in
 * bounded memory (per folder and per rule counters, the largest messages),
 * and the short human summary printed on stdout. */
#pragma once

#include "message.h"
#include <stdio.h>

G_BEGIN_DECLS

#define MP_SUMMARY_TOP 10

typedef struct {
	char   *source;
	char   *name;
	guint64 messages;
	guint64 bytes;
	guint64 findings;
	gboolean failed;
} MpFolderStats;

typedef struct {
	char      *rule;
	char      *check;
	MpSeverity severity;
	guint64    count;
} MpRuleStats;

typedef struct {
	char   *folder;
	guint64 index;
	guint64 size;
	guint   attachments;
	char   *subject;
	char   *rules; /* "too-large;too-many-attachments" */
} MpOffender;

typedef struct {
	guint64    messages;
	guint64    bytes;
	guint64    findings[3];         /* by MpSeverity */
	guint64    messages_with_findings;
	guint64    other_findings;      /* about folders and accounts */
	guint64    messages_with_problems;
	GPtrArray *folders;             /* MpFolderStats*, in scan order */
	GPtrArray *rules;               /* MpRuleStats*, in first-seen order */
	GPtrArray *offenders;           /* MpOffender*, largest first, at most MP_SUMMARY_TOP */
	GPtrArray *errors;              /* char*: sources and folders that failed */
	GPtrArray *notices;             /* char*: junk, skipped data */
	guint      sources;
	guint      sources_failed;
} MpSummary;

MpSummary *mp_summary_new          (void);
void       mp_summary_free         (MpSummary *s);
void       mp_summary_begin_folder (MpSummary *s, const char *source, const char *folder);
void       mp_summary_add_message  (MpSummary *s, const MpMessage *m);
/* A folder finding (FOLDER set) or an account finding. */
void       mp_summary_add_finding  (MpSummary *s, const char *folder, const MpFinding *f);
void       mp_summary_add_error    (MpSummary *s, const char *text);
void       mp_summary_add_notice   (MpSummary *s, const char *text);
/* Prints the human summary. RULES_ORIGIN names the rules used. */
void       mp_summary_print        (const MpSummary *s, FILE *fp, const char *rules_origin);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpSummary, mp_summary_free)

G_END_DECLS
