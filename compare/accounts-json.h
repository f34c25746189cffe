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
 *   ]}
 *
 * Any JSON reader reads it; only the merge relies on the lines. */
#pragma once

#include "account.h"
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

/* The document up to the first account. */
void     mp_compare_accounts_json_begin   (FILE *fp, const MpCompareAccountsInfo *info);
/* One account's line. O: its comparison, or NULL when it could not be made
 * (ERROR_TEXT says why; EXIT its exit status). FIRST: the first account. */
gboolean mp_compare_accounts_json_account (FILE *fp, gboolean first, const MpAccount *account,
                                           MpCompareOutcome *o, const MpCompareInfo *info,
                                           const char *error_text, guint exit_status, GError **error);
void     mp_compare_accounts_json_end     (FILE *fp);

/* `compare merge`: joins the documents PATHS (NULL-terminated; the shards
 * of one run) into OUT_PATH ('-': stdout): their tool and settings lines
 * must be byte-equal (the same version, rules, --as-of, tolerance and
 * accounts file), ordinals unique; the accounts come out in ordinal order. Streamed: each account line is copied from its file, never
 * held. *MISSING: accounts of the run no document holds (a shard not given). */
gboolean mp_compare_accounts_merge (const char *const *paths, const char *out_path, guint64 *missing,
                                    GError **error);
/* The same over already open streams (NAMES for errors); the fuzz target's. */
gboolean mp_compare_accounts_merge_streams (FILE *const *in, const char *const *names, guint n, FILE *out,
                                            guint64 *missing, GError **error);

G_END_DECLS
