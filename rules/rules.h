/* rules.h — what a message, folder or account may be, read from a rules
 * file (GKeyFile INI) or a built-in profile, and the evaluation that turns
 * what the analyzer measured into findings. The format is documented in
 * README.md ("Rules files") and checked by `mailpreflight rules check`.
 *
 * A rule set is immutable once loaded; message rules are evaluated on the
 * worker threads, folder and account rules by the audit sink (audit.h) on
 * the scan's thread. */
#pragma once

#include "mp-error.h"
#include "account.h"
#include "folder-map.h"
#include "message.h"
#include "mime-analyze.h"

G_BEGIN_DECLS

#define MP_DEFAULT_PROFILE "outlook-connected-accounts"

typedef enum {
	/* messages */
	MP_CHECK_MESSAGE_SIZE,
	MP_CHECK_ATTACHMENT_COUNT,
	MP_CHECK_ATTACHMENT_SIZE,
	MP_CHECK_MIME_PART_COUNT,
	MP_CHECK_NESTING_DEPTH,
	MP_CHECK_LINE_LENGTH,
	MP_CHECK_ATTACHMENT_TYPE,
	MP_CHECK_HEADER,
	MP_CHECK_ENCRYPTED_OR_SIGNED,
	MP_CHECK_MESSAGE_STRUCTURE,
	/* folders */
	MP_CHECK_FOLDER_NAME,
	MP_CHECK_FOLDER_DEPTH,
	MP_CHECK_FOLDER_MESSAGE_COUNT,
	MP_CHECK_FOLDER_SIZE,
	/* accounts (all the sources of one account together) */
	MP_CHECK_MAILBOX_SIZE,
	MP_CHECK_MAILBOX_MESSAGE_COUNT,
	MP_CHECK_ACCOUNT_IDLE,
} MpCheck;

typedef enum {
	MP_SCOPE_MESSAGE,
	MP_SCOPE_FOLDER,
	MP_SCOPE_ACCOUNT,
} MpScope;

/* The header problems a `header` rule can report (bits of MpRule.header_problems). */
typedef enum {
	MP_HDR_MISSING_FROM         = 1 << 0,
	MP_HDR_EMPTY_FROM           = 1 << 1,
	MP_HDR_MULTIPLE_FROM        = 1 << 2,
	MP_HDR_INVALID_FROM         = 1 << 3,
	MP_HDR_MISSING_DATE         = 1 << 4,
	MP_HDR_INVALID_DATE         = 1 << 5,
	MP_HDR_TWO_DIGIT_YEAR       = 1 << 6,
	MP_HDR_INVALID_TIME         = 1 << 7,
	MP_HDR_FUTURE_DATE          = 1 << 8,
	MP_HDR_ANCIENT_DATE         = 1 << 9,  /* before 1980 */
	MP_HDR_MISSING_MESSAGE_ID   = 1 << 10,
	MP_HDR_DUPLICATE_MESSAGE_ID = 1 << 11, /* within a folder */
	MP_HDR_MALFORMED_HEADER     = 1 << 12,
	MP_HDR_UNENCODED_8BIT       = 1 << 13,
	MP_HDR_ALL                  = (1 << 14) - 1,
} MpHeaderProblem;

/* A calendar duration: months and days (DEFINITIONS.md: idle time is in
 * calendar months, g_date_time_add_months). */
typedef struct {
	gint months;
	gint days;
} MpDuration;

typedef struct {
	char      *name;       /* "too-large" */
	MpCheck    check;
	MpSeverity severity;
	char      *advice;     /* may be NULL */
	guint64    max;        /* bytes or a count; inclusive: value <= max passes */
	char      *max_text;   /* as written: "17920 KB"; NULL when the check has no max */
	/* attachment-count */
	gboolean   count_inline;
	/* attachment-type */
	char     **extensions;     /* lower case, with the dot: ".exe" */
	char     **mime_types;     /* lower case */
	gboolean   inside_archives;
	/* header */
	guint      header_problems;
	/* encrypted-or-signed: MpMessageFlags that count */
	guint      crypto_flags;
	/* message-structure: the problems it judges, a bit per MpProblemCode */
	guint64    structure_problems;
	/* folder-name */
	guint64    max_length;     /* characters; 0: no limit */
	char      *forbidden;      /* characters not allowed (UTF-8) */
	gboolean   ascii_only;
	gboolean   no_odd_blanks;  /* leading, trailing or doubled blanks */
	char     **reserved;       /* names refused, compared case-insensitively */
	gboolean   case_collisions;
	/* account-idle */
	MpDuration idle;
	gboolean   unless_forwarded;
	guint      activity_evidence; /* bits 1 << MpEvidenceKind */
	char     **sent_folders;      /* more names of the Sent folder, lower case */
} MpRule;

typedef struct {
	char      *name;    /* the profile's display name */
	char      *origin;  /* "built-in profile outlook-connected-accounts" or a path */
	GPtrArray *rules;   /* MpRule*, in file order (inherited ones first) */
	gint64     as_of;   /* "now" for dates and idle time (unix seconds) */
	/* [profile] deleted = skip: messages marked deleted (DEFINITIONS.md,
	 * "Deleted") are shown and counted but no rule judges them */
	gboolean   deleted_skip;
	/* [profile] exclude-folders / include-folders: folder globs
	 * (folder-filter.h), NULL when not given */
	char     **exclude_folders;
	char     **include_folders;
	/* MpFolderMapEntry*: the [folder-map], in file order (inherited ones
	 * first): where the target files a source folder's mail (compare) */
	GPtrArray *folder_map;
} MpRuleSet;

/* NAME_OR_FILE is a built-in profile name or a path. NULL: the user's
 * $XDG_CONFIG_HOME/mailpreflight/rules.ini if it exists, else the default
 * profile. Errors name file and line and suggest a fix. */
MpRuleSet  *mp_rules_load       (const char *name_or_file, GError **error);
/* Parses rules text; ORIGIN names it in errors ("rules.ini"). On failure
 * the error holds every error found, one a line. */
MpRuleSet  *mp_rules_load_data  (const char *data, gsize len, const char *origin, GError **error);
/* The same, each error apart: ERRORS (new, char*) holds every error, in
 * file and line order ("rules.ini:7: [rule x] max: ..."); the loader goes
 * on after an error wherever the rest still means something. NULL when
 * there is any (`rules check`). */
MpRuleSet  *mp_rules_check_data (const char *data, gsize len, const char *origin, GPtrArray **errors);
void        mp_rules_free       (MpRuleSet *rules);
/* Adds a message-size rule NAME with the limit a target announced itself
 * (RFC 7889 APPENDLIMIT), replacing a rule of that name; ORIGIN says where
 * the number came from, for the report. */
void        mp_rules_add_size_limit (MpRuleSet *rules, const char *name, guint64 max,
                                     const char *origin);
/* What the analyzer must look at for these rules (archive listing). */
MpAnalyzeFlags mp_rules_analyze_flags (const MpRuleSet *rules);
/* Does any rule judge M (a message, and not a deleted one under
 * `deleted = skip`)? Folder and account rules count only these. */
gboolean    mp_rules_judge      (const MpRuleSet *rules, const MpMessage *m);
/* Adds a finding to M for each message rule it breaks. Thread-safe. */
void        mp_rules_evaluate   (const MpRuleSet *rules, MpMessage *m);
/* SHA-256 (hex) of every setting of every rule: two runs judged by the same rules have the same digest. */
char       *mp_rules_digest     (const MpRuleSet *rules);
/* Built-in profile names, NULL-terminated; free with g_strfreev. */
char      **mp_rules_builtin_names (void);
/* The text of a built-in profile, or NULL. */
GBytes     *mp_rules_builtin_text  (const char *name);
const char *mp_check_name       (MpCheck check);
/* The name of one MpHeaderProblem bit, as written in rules files. */
const char *mp_header_problem_name (guint bit);
MpScope     mp_check_scope      (MpCheck check);

/* The verdict of an account (DEFINITIONS.md) whose last activity was LAST
 * (0: unknown), as of AS_OF, idle beyond LIMIT when LAST + LIMIT < AS_OF
 * (exactly LIMIT is still within it), forwarding FWD. IDLE_MONTHS: whole
 * calendar months idle, -1 when unknown. */
MpVerdict   mp_account_verdict  (gint64 last, gint64 as_of, const MpDuration *limit,
                                 MpForwardState fwd, gint *idle_months);
/* The idle limit of verdicts: the first account-idle rule's, else six
 * months (the mission's target, TARGET-LIMITS.md). */
MpDuration  mp_rules_idle_limit (const MpRuleSet *rules);

/* Values. Sizes: B, KB/KiB, MB/MiB, GB/GiB, all powers of 1024 as mail
 * providers mean them ("17920 KB" = 18350080); a bare number is bytes. */
gboolean    mp_parse_size       (const char *text, guint64 *out, GError **error);
/* "6 months", "180 days", "2 weeks", "1 year" */
gboolean    mp_parse_duration   (const char *text, MpDuration *out, GError **error);
/* --as-of: an ISO 8601 date and time ("2026-01-31T12:00:00Z"; without an
 * offset, UTC) or a date alone, taken as midnight UTC; unix seconds in OUT.
 * MP_ERROR_USAGE otherwise. */
gboolean    mp_parse_as_of      (const char *text, gint64 *out, GError **error);
/* 18350080 -> "17.5 MB" (rounded down: never across a limit) */
char       *mp_format_size      (guint64 bytes);
char       *mp_format_duration  (const MpDuration *d);
/* The closest of CANDIDATES to WORD (for "did you mean"), or NULL. */
const char *mp_suggest          (const char *word, const char *const *candidates);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpRuleSet, mp_rules_free)

G_END_DECLS
