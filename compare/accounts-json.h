/* accounts-json.h — `compare --accounts`: one JSON document for many
 * accounts, schema mailpreflight-compare-accounts/1 (docs/compare-json.md).
 * Each account's comparison is the object of mailpreflight-compare/1
 * without schema, tool and run (those are the document's), written on ONE
 * line of its own, so that `compare merge` can join the documents of
 * --shard runs line by line into exactly the document one run gives (only
 * `runs` differs: it keeps every shard's). The layout, line by line:
 *
 *   {"schema":"mailpreflight-compare-accounts/1",
 *   "tool":{...},
 *   "settings":{...},          the same in every shard of one run
 *   "runs":[
 *   {...}                      one line per run; the lines after the first
 *   ],                         begin with ','
 *   "accounts":[
 *   {"ordinal":N,...}          one line per account, in ordinal order
 *   ],
 *   "totals":{...}}            the totals across the accounts (accounts-report.h);
 *                              a merge recomputes them from the account lines
 *
 * Any JSON reader reads it; only the merge relies on the lines. */
#pragma once

#include "account.h"
#include "accounts-report.h"
#include "compare-report.h"

G_BEGIN_DECLS

#define MP_COMPARE_ACCOUNTS_SCHEMA "mailpreflight-compare-accounts/1"

/* What every shard of one run shares. */
typedef struct {
	const MpRunInfo       *run;
	const char            *shard;          /* --shard as given, or NULL */
	MpSizeTolerance        tolerance;
	gboolean               accept_predicted;
	gboolean               fail_on_changed;
	guint                  accounts_total; /* before --shard */
} MpCompareAccountsInfo;

/* The settings object alone ({...}, no line end): what the reports of many
 * accounts read their tolerance and exit rule from (accounts-report.h). */
void     mp_compare_accounts_json_settings (FILE *fp, const MpCompareAccountsInfo *info);
/* The document up to the first account. */
void     mp_compare_accounts_json_begin   (FILE *fp, const MpCompareAccountsInfo *info);
/* One account's line. O: its comparison, or NULL when it could not be made
 * (ERROR_TEXT says why; EXIT its exit status). FIRST: the first account. */
gboolean mp_compare_accounts_json_account (FILE *fp, gboolean first, const MpAccount *account,
                                           MpCompareOutcome *o, const MpCompareInfo *info,
                                           const char *error_text, guint exit_status, GError **error);
/* The end: the totals record and the closing brace. */
void     mp_compare_accounts_json_end     (FILE *fp, const MpCompareAccountsTotals *totals);

/* `compare merge`: joins the documents PATHS (NULL-terminated; the shards
 * of one run) into OUT_PATH ('-': stdout): their tool and settings lines
 * must be byte-equal (the same version, rules, --as-of, tolerance and
 * accounts file), ordinals unique; the accounts come out in ordinal order.
 * Streamed: each account line is copied from its file, held only while it
 * is copied. *MISSING: accounts of the run no document holds (a shard not
 * given). Each account line also goes to a report of many accounts
 * (accounts-report.h) made with the documents' settings and CSV,
 * FOLDERS_CSV, HTML (each may be NULL): it gives the totals written at the
 * end (those in the files are not read but recomputed) and *TOTALS (may be
 * NULL). A document without totals (an earlier /1 writer's) is read alike. */
gboolean mp_compare_accounts_merge (const char *const *paths, const char *out_path, const char *csv,
                                    const char *folders_csv, const char *html, MpCompareAccountsTotals *totals,
                                    guint64 *missing, GError **error);
/* The same over already open streams (NAMES for errors); the fuzz target's. */
gboolean mp_compare_accounts_merge_streams (FILE *const *in, const char *const *names, guint n, FILE *out,
                                            const char *csv, const char *folders_csv, const char *html,
                                            MpCompareAccountsTotals *totals, guint64 *missing, GError **error);

G_END_DECLS
