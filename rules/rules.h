/* rules.h — what a message may be, read from a rules file (GKeyFile, INI)
 * or a built-in profile, and the evaluation that turns a message into
 * findings.
 *
 * Format (one group per rule):
 *   [profile]            name = ...
 *   [rule NAME]          check = message-size | attachment-count
 *                        max = 17920 KB        (units: B, KB/KiB, MB/MiB, GB/GiB,
 *                                               all powers of 1024)
 *                        severity = error | warning | info
 *                        advice = text shown with each finding
 *
 * A rule set is immutable once loaded and is shared by the worker threads. */
#pragma once

#include "mp-common.h"
#include "message.h"

G_BEGIN_DECLS

#define MP_DEFAULT_PROFILE "outlook-connected-accounts"

typedef enum {
	MP_CHECK_MESSAGE_SIZE,
	MP_CHECK_ATTACHMENT_COUNT,
} MpCheck;

typedef struct {
	char      *name;      /* "too-large" */
	MpCheck    check;
	guint64    max;       /* bytes or a count; inclusive: value <= max passes */
	char      *max_text;  /* as written: "17920 KB" */
	MpSeverity severity;
	char      *advice;    /* may be NULL */
} MpRule;

typedef struct {
	char      *name;    /* the profile's display name */
	char      *origin;  /* "built-in profile outlook-connected-accounts" or a path */
	GPtrArray *rules;   /* MpRule* */
} MpRuleSet;

/* NAME_OR_FILE is a built-in profile name or a path. NULL: the default. */
MpRuleSet  *mp_rules_load       (const char *name_or_file, GError **error);
/* Parses rules text; ORIGIN names it in errors. */
MpRuleSet  *mp_rules_load_data  (const char *data, gsize len, const char *origin, GError **error);
void        mp_rules_free       (MpRuleSet *rules);
/* Adds a finding to M for each rule it breaks. Thread-safe. */
void        mp_rules_evaluate   (const MpRuleSet *rules, MpMessage *m);
/* Built-in profile names, NULL-terminated; free with g_strfreev. */
char      **mp_rules_builtin_names (void);
/* The text of a built-in profile, or NULL. */
GBytes     *mp_rules_builtin_text  (const char *name);
const char *mp_check_name       (MpCheck check);

/* "17920 KB" -> 18350080. Units are powers of 1024 as mail providers mean
 * them; a bare number is bytes. FALSE with a message naming the problem. */
gboolean    mp_parse_size       (const char *text, guint64 *out, GError **error);
/* 18350080 -> "17.5 MB" */
char       *mp_format_size      (guint64 bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpRuleSet, mp_rules_free)

G_END_DECLS
