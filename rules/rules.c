/* rules.c — loading and checking rules files and built-in profiles.
 *
 * GKeyFile parses the INI syntax. It does not say on which line a key
 * stands, and it merges duplicate groups and keys silently, so a first pass
 * over the lines records where every group and key is and refuses
 * duplicates: every error then names file and line, and nothing a user
 * wrote is ever silently ignored. Inheritance (`inherits = PROFILE`) merges
 * key files: a rule of the same name overrides the inherited one key by key,
 * `enabled = false` drops it. */
#include "rules.h"
#include "rules-private.h"
#include "rules-resources.h"

#include <string.h>

#define PROFILE_PREFIX "/org/mailpreflight/profiles/"
#define MAX_INHERIT_DEPTH 8

typedef enum {
	KEY_SIZE,      /* 17920 KB */
	KEY_COUNT,     /* 100 */
	KEY_DURATION,  /* 6 months */
	KEY_BOOL,      /* true / false */
	KEY_LIST,      /* a, b, c */
	KEY_TEXT,
} KeyType;

typedef struct {
	MpCheck     check;
	const char *name;
	MpScope     scope;
	KeyType     max_type;  /* type of `max`; KEY_TEXT: the check has no max */
	const char *keys;      /* further keys it takes, space-separated */
} CheckDef;

static const CheckDef check_defs[] = {
	{ MP_CHECK_MESSAGE_SIZE, "message-size", MP_SCOPE_MESSAGE, KEY_SIZE, "" },
	{ MP_CHECK_ATTACHMENT_COUNT, "attachment-count", MP_SCOPE_MESSAGE, KEY_COUNT, "count-inline" },
	{ MP_CHECK_ATTACHMENT_SIZE, "attachment-size", MP_SCOPE_MESSAGE, KEY_SIZE, "" },
	{ MP_CHECK_MIME_PART_COUNT, "mime-part-count", MP_SCOPE_MESSAGE, KEY_COUNT, "" },
	{ MP_CHECK_NESTING_DEPTH, "nesting-depth", MP_SCOPE_MESSAGE, KEY_COUNT, "" },
	{ MP_CHECK_LINE_LENGTH, "line-length", MP_SCOPE_MESSAGE, KEY_COUNT, "" },
	{ MP_CHECK_ATTACHMENT_TYPE, "attachment-type", MP_SCOPE_MESSAGE, KEY_TEXT, "extensions mime-types inside-archives" },
	{ MP_CHECK_HEADER, "header", MP_SCOPE_MESSAGE, KEY_TEXT, "problems" },
	{ MP_CHECK_ENCRYPTED_OR_SIGNED, "encrypted-or-signed", MP_SCOPE_MESSAGE, KEY_TEXT, "kinds" },
	{ MP_CHECK_FOLDER_NAME, "folder-name", MP_SCOPE_FOLDER, KEY_TEXT,
	  "max-length forbidden-characters ascii-only odd-blanks reserved case-collisions" },
	{ MP_CHECK_FOLDER_DEPTH, "folder-depth", MP_SCOPE_FOLDER, KEY_COUNT, "" },
	{ MP_CHECK_FOLDER_MESSAGE_COUNT, "folder-message-count", MP_SCOPE_FOLDER, KEY_COUNT, "" },
	{ MP_CHECK_FOLDER_SIZE, "folder-size", MP_SCOPE_FOLDER, KEY_SIZE, "" },
	{ MP_CHECK_MAILBOX_SIZE, "mailbox-size", MP_SCOPE_ACCOUNT, KEY_SIZE, "" },
	{ MP_CHECK_MAILBOX_MESSAGE_COUNT, "mailbox-message-count", MP_SCOPE_ACCOUNT, KEY_COUNT, "" },
	{ MP_CHECK_ACCOUNT_IDLE, "account-idle", MP_SCOPE_ACCOUNT, KEY_DURATION,
	  "unless-forwarded activity-evidence sent-folders" },
};

static const char *const common_keys[] = { "check", "severity", "advice", "enabled", "max", NULL };
static const char *const profile_keys[] = { "name", "inherits", "description", NULL };

typedef struct {
	const char *name;
	guint       bit;
} NameBit;

/* The header problems a `header` rule can judge, named by the one
 * vocabulary of problem codes (problem-codes.h): the analyzer records
 * them and the rules read them back by code, never by spelling. */
static const struct {
	guint         bit;
	MpProblemCode code;
} header_problems[] = {
	{ MP_HDR_MISSING_FROM, MP_PROBLEM_MISSING_FROM },
	{ MP_HDR_EMPTY_FROM, MP_PROBLEM_EMPTY_FROM },
	{ MP_HDR_MULTIPLE_FROM, MP_PROBLEM_MULTIPLE_FROM },
	{ MP_HDR_INVALID_FROM, MP_PROBLEM_INVALID_FROM },
	{ MP_HDR_MISSING_DATE, MP_PROBLEM_MISSING_DATE },
	{ MP_HDR_INVALID_DATE, MP_PROBLEM_INVALID_DATE },
	{ MP_HDR_TWO_DIGIT_YEAR, MP_PROBLEM_TWO_DIGIT_YEAR },
	{ MP_HDR_INVALID_TIME, MP_PROBLEM_INVALID_TIME },
	{ MP_HDR_FUTURE_DATE, MP_PROBLEM_FUTURE_DATE },
	{ MP_HDR_ANCIENT_DATE, MP_PROBLEM_ANCIENT_DATE },
	{ MP_HDR_MISSING_MESSAGE_ID, MP_PROBLEM_MISSING_MESSAGE_ID },
	{ MP_HDR_DUPLICATE_MESSAGE_ID, MP_PROBLEM_DUPLICATE_MESSAGE_ID },
	{ MP_HDR_MALFORMED_HEADER, MP_PROBLEM_MALFORMED_HEADER },
	{ MP_HDR_UNENCODED_8BIT, MP_PROBLEM_UNENCODED_8BIT_HEADER },
};

/* The flags an `encrypted-or-signed` rule can judge (`kinds = ...`), named
 * as every report names them (message.h). */
static const guint crypto_kinds[] = {
	MP_MSG_FLAG_SIGNED, MP_MSG_FLAG_ENCRYPTED, MP_MSG_FLAG_SMIME_OPAQUE,
};

static const CheckDef *
check_def (MpCheck check)
{
	for (gsize i = 0; i < G_N_ELEMENTS (check_defs); i++)
		if (check_defs[i].check == check)
			return &check_defs[i];
	g_assert_not_reached ();
	return NULL;
}

const char *
mp_check_name (MpCheck check)
{
	return check_def (check)->name;
}

MpScope
mp_check_scope (MpCheck check)
{
	return check_def (check)->scope;
}

guint
mp_header_problem_bit (MpProblemCode code)
{
	for (gsize i = 0; i < G_N_ELEMENTS (header_problems); i++)
		if (header_problems[i].code == code)
			return header_problems[i].bit;
	return 0;
}

const char *
mp_header_problem_name (guint bit)
{
	for (gsize i = 0; i < G_N_ELEMENTS (header_problems); i++)
		if (header_problems[i].bit == bit)
			return mp_problem_name (header_problems[i].code);
	return "header";
}

static void
rule_free (MpRule *r)
{
	g_free (r->name);
	g_free (r->advice);
	g_free (r->max_text);
	g_strfreev (r->extensions);
	g_strfreev (r->mime_types);
	g_free (r->forbidden);
	g_strfreev (r->reserved);
	g_strfreev (r->sent_folders);
	g_free (r);
}

void
mp_rules_free (MpRuleSet *rules)
{
	if (rules == NULL)
		return;
	g_free (rules->name);
	g_free (rules->origin);
	g_ptr_array_unref (rules->rules);
	g_free (rules);
}

/* "rule  a " and "rule a" name the same rule. Free with g_free. */
static char *
canonical_group (const char *group)
{
	g_autofree char *copy = g_strstrip (g_strdup (group));

	if (g_str_has_prefix (copy, "rule ")) {
		g_autofree char *name = g_strstrip (g_strdup (copy + 5));
		return g_strconcat ("rule ", name, NULL);
	}
	return g_steal_pointer (&copy);
}

/* ---- where things stand in the text ---------------------------------- */

typedef struct {
	char  *origin;
	guint  line;
} Place;

typedef struct {
	GKeyFile   *kf;      /* the merged key file */
	GHashTable *places;  /* "group\nkey" (key "" for the group) -> Place* */
	GPtrArray  *order;   /* rule group names, in order */
} Loaded;

static void
place_free (gpointer p)
{
	Place *pl = p;

	g_free (pl->origin);
	g_free (pl);
}

static void
loaded_clear (Loaded *l)
{
	g_clear_pointer (&l->kf, g_key_file_unref);
	g_clear_pointer (&l->places, g_hash_table_unref);
	g_clear_pointer (&l->order, g_ptr_array_unref);
}

static char *
place_key (const char *group, const char *key)
{
	return g_strdup_printf ("%s\n%s", group, key ? key : "");
}

static void
set_place (Loaded *l, const char *group, const char *key, const char *origin, guint line)
{
	Place *pl = g_new0 (Place, 1);

	pl->origin = g_strdup (origin);
	pl->line = line;
	g_hash_table_replace (l->places, place_key (group, key), pl);
}

/* "rules.ini:7" for a key (or its group, or the file). Free with g_free. */
static char *
where (Loaded *l, const char *origin, const char *group, const char *key)
{
	g_autofree char *k = place_key (group, key);
	Place *pl = g_hash_table_lookup (l->places, k);

	if (pl == NULL && key != NULL) {
		g_autofree char *gk = place_key (group, NULL);
		pl = g_hash_table_lookup (l->places, gk);
	}
	if (pl == NULL)
		return g_strdup (origin);
	return g_strdup_printf ("%s:%u", pl->origin, pl->line);
}

G_GNUC_PRINTF (5, 6) static void
fail (GError **error, Loaded *l, const char *origin, const char *group, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;
	g_autofree char *at = where (l, origin, group, NULL);

	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: %s", at, msg);
}

G_GNUC_PRINTF (6, 7) static void
fail_key (GError **error, Loaded *l, const char *origin, const char *group, const char *key,
          const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;
	g_autofree char *at = where (l, origin, group, key);

	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] %s: %s", at, group, key, msg);
}

/* The first pass: records the line of every group and key of TEXT into L
 * and refuses what GKeyFile would silently merge. */
static gboolean
scan_lines (Loaded *l, const char *text, gsize len, const char *origin, GError **error)
{
	g_autofree char *copy = g_strndup (text, len);
	g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
	g_autoptr(GHashTable) groups_here = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) keys_here = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *group = NULL;

	for (guint i = 0; lines[i]; i++) {
		char *line = g_strstrip (lines[i]);
		guint lineno = i + 1;
		char *eq;

		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			char *close = strchr (line, ']');
			if (close == NULL || close[1] != '\0') {
				g_set_error (error, MP_ERROR, MP_ERROR_RULES,
				             "%s:%u: a group header is written [profile] or [rule NAME]", origin, lineno);
				return FALSE;
			}
			*close = '\0';
			g_free (group);
			group = canonical_group (line + 1);
			if (g_hash_table_contains (groups_here, group)) {
				g_autofree char *first = where (l, origin, group, NULL);
				g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s:%u: duplicate %s [%s] (first at %s)",
				             origin, lineno, g_str_has_prefix (group, "rule ") ? "rule name" : "group",
				             group, first);
				return FALSE;
			}
			g_hash_table_add (groups_here, g_strdup (group));
			set_place (l, group, NULL, origin, lineno);
			continue;
		}
		eq = strchr (line, '=');
		if (eq == NULL || group == NULL) {
			g_set_error (error, MP_ERROR, MP_ERROR_RULES, group == NULL
			             ? "%s:%u: a key before any group: start with [profile] or [rule NAME]"
			             : "%s:%u: not a 'key = value' line", origin, lineno);
			return FALSE;
		}
		*eq = '\0';
		{
			g_autofree char *key = g_strdup (g_strstrip (line));
			g_autofree char *seen = place_key (group, key);
			if (g_hash_table_contains (keys_here, seen)) {
				g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s:%u: [%s] '%s' is given twice",
				             origin, lineno, group, key);
				return FALSE;
			}
			g_hash_table_add (keys_here, g_steal_pointer (&seen));
			set_place (l, group, key, origin, lineno);
		}
	}
	return TRUE;
}

static gboolean load_into (Loaded *l, const char *data, gsize len, const char *origin,
                           guint depth, char **profile_name, GError **error);

static gboolean
load_base (Loaded *l, const char *name, const char *origin, guint depth, char **profile_name,
           GError **error)
{
	g_autoptr(GBytes) builtin = mp_rules_builtin_text (name);
	g_autofree char *contents = NULL;
	g_autofree char *base_origin = NULL;
	gsize len;

	if (depth >= MAX_INHERIT_DEPTH) {
		fail_key (error, l, origin, "profile", "inherits", "inheritance deeper than %d levels (a loop?)",
		          MAX_INHERIT_DEPTH);
		return FALSE;
	}
	if (builtin != NULL) {
		base_origin = g_strdup_printf ("built-in profile %s", name);
		return load_into (l, g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin),
		                  base_origin, depth + 1, profile_name, error);
	}
	if (strchr (name, '/') != NULL || g_str_has_suffix (name, ".ini")) {
		g_autoptr(GError) local = NULL;
		g_autofree char *dir = g_path_get_dirname (origin);
		base_origin = g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (dir, name, NULL);
		if (!g_file_get_contents (base_origin, &contents, &len, &local)) {
			fail_key (error, l, origin, "profile", "inherits", "%s", local->message);
			return FALSE;
		}
		return load_into (l, contents, len, base_origin, depth + 1, profile_name, error);
	}
	{
		g_auto(GStrv) names = mp_rules_builtin_names ();
		const char *hint = mp_suggest (name, (const char *const *) names);
		g_autofree char *list = g_strjoinv (", ", names);
		fail_key (error, l, origin, "profile", "inherits", "no built-in profile '%s'%s%s%s (known: %s)",
		          name, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
	}
	return FALSE;
}

/* Reads DATA over what L already holds (its base profile). */
static gboolean
load_into (Loaded *l, const char *data, gsize len, const char *origin, guint depth,
           char **profile_name, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new ();
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) groups = NULL;
	g_autofree char *inherits = NULL;

	if (!g_utf8_validate (data, (gssize) len, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: not UTF-8 text", origin);
		return FALSE;
	}
	if (!scan_lines (l, data, len, origin, error))
		return FALSE;
	if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: %s", origin, local->message);
		return FALSE;
	}
	inherits = g_key_file_get_string (kf, "profile", "inherits", NULL);
	if (inherits != NULL && !load_base (l, g_strstrip (inherits), origin, depth, profile_name, error))
		return FALSE;

	groups = g_key_file_get_groups (kf, NULL);
	for (int i = 0; groups[i]; i++) {
		g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[i], NULL, NULL);
		g_autofree char *group = canonical_group (groups[i]);
		gboolean is_rule = g_str_has_prefix (group, "rule ");

		if (strcmp (group, "profile") == 0) {
			for (int k = 0; keys[k]; k++) {
				if (!g_strv_contains (profile_keys, keys[k])) {
					const char *hint = mp_suggest (keys[k], profile_keys);
					fail_key (error, l, origin, "profile", keys[k], "unknown key%s%s%s (known: name, inherits, description)",
					          hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
					return FALSE;
				}
			}
			if (g_key_file_has_key (kf, groups[i], "name", NULL)) {
				g_free (*profile_name);
				*profile_name = g_key_file_get_string (kf, groups[i], "name", NULL);
			}
			continue;
		}
		if (!is_rule || group[5] == '\0') {
			fail (error, l, origin, group, "unknown group [%s]: groups are [profile] and [rule NAME]",
			      groups[i]);
			return FALSE;
		}
		if (!g_key_file_has_group (l->kf, group))
			g_ptr_array_add (l->order, g_strdup (group));
		for (int k = 0; keys[k]; k++) {
			g_autofree char *value = g_key_file_get_value (kf, groups[i], keys[k], NULL);
			g_key_file_set_value (l->kf, group, keys[k], value);
		}
	}
	return TRUE;
}

/* ---- turning a merged group into an MpRule --------------------------- */

static gboolean
get_bool (Loaded *l, const char *origin, const char *group, const char *key, gboolean dflt,
          gboolean *out, GError **error)
{
	g_autofree char *v = g_key_file_get_value (l->kf, group, key, NULL);

	if (v == NULL) {
		*out = dflt;
		return TRUE;
	}
	g_strstrip (v);
	if (g_ascii_strcasecmp (v, "true") == 0 || g_ascii_strcasecmp (v, "yes") == 0) {
		*out = TRUE;
	} else if (g_ascii_strcasecmp (v, "false") == 0 || g_ascii_strcasecmp (v, "no") == 0) {
		*out = FALSE;
	} else {
		fail_key (error, l, origin, group, key, "'%s' is not true or false", v);
		return FALSE;
	}
	return TRUE;
}

static gboolean
get_count (Loaded *l, const char *origin, const char *group, const char *key, guint64 *out,
           GError **error)
{
	g_autofree char *v = g_strstrip (g_key_file_get_value (l->kf, group, key, NULL));

	if (!g_ascii_string_to_unsigned (v, 10, 0, 1000000000, out, NULL)) {
		fail_key (error, l, origin, group, key, "'%s' is not a whole number from 0 to 1000000000", v);
		return FALSE;
	}
	return TRUE;
}

/* "a, b c" -> {"a","b","c"}, lower-cased. */
static char **
get_list (Loaded *l, const char *group, const char *key)
{
	g_autofree char *v = g_key_file_get_value (l->kf, group, key, NULL);
	g_auto(GStrv) parts = NULL;
	GPtrArray *out = g_ptr_array_new ();

	if (v != NULL) {
		parts = g_strsplit_set (v, ", \t;", -1);
		for (int i = 0; parts[i]; i++)
			if (*parts[i])
				g_ptr_array_add (out, g_utf8_strdown (parts[i], -1));
	}
	g_ptr_array_add (out, NULL);
	return (char **) g_ptr_array_free (out, FALSE);
}

/* KEY's list of names, each one of TABLE's, as the OR of their bits; ALL
 * when the key is absent. An unknown name is an error with a suggestion. */
static gboolean
get_name_bits (Loaded *l, const char *origin, const char *group, const char *key,
               const NameBit *table, gsize n, guint all, guint *out, GError **error)
{
	g_auto(GStrv) names = get_list (l, group, key);
	g_autofree const char **known = g_new0 (const char *, n + 1);

	for (gsize k = 0; k < n; k++)
		known[k] = table[k].name;
	*out = names[0] == NULL ? all : 0;
	for (int i = 0; names[i]; i++) {
		guint bit = 0;
		for (gsize k = 0; k < n; k++)
			if (strcmp (names[i], table[k].name) == 0)
				bit = table[k].bit;
		/* flag names: "smime-opaque" is how rules files spelled
		 * smime_opaque before the vocabulary was one table */
		if (bit == 0 && strcmp (key, "kinds") == 0)
			for (gsize k = 0; k < n; k++)
				if (mp_message_flag_from_name (names[i]) == table[k].bit)
					bit = table[k].bit;
		if (bit == 0) {
			const char *hint = mp_suggest (names[i], known);
			g_autofree char *list = g_strjoinv (", ", (char **) known);
			fail_key (error, l, origin, group, key, "unknown name '%s'%s%s%s (known: %s)", names[i],
			          hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
			return FALSE;
		}
		*out |= bit;
	}
	return TRUE;
}

static gboolean
parse_rule (Loaded *l, const char *origin, const char *group, MpRule **out, GError **error)
{
	g_autofree char *check = g_key_file_get_value (l->kf, group, "check", NULL);
	g_autofree char *severity = g_key_file_get_value (l->kf, group, "severity", NULL);
	g_autofree char *max = g_key_file_get_value (l->kf, group, "max", NULL);
	g_auto(GStrv) keys = g_key_file_get_keys (l->kf, group, NULL, NULL);
	g_autoptr(GPtrArray) allowed = g_ptr_array_new_with_free_func (g_free);
	g_auto(GStrv) extra = NULL;
	const CheckDef *def = NULL;
	MpRule *r;

	*out = NULL;
	if (check == NULL) {
		fail (error, l, origin, group, "[%s] has no 'check = ...'", group);
		return FALSE;
	}
	g_strstrip (check);
	for (gsize i = 0; i < G_N_ELEMENTS (check_defs); i++)
		if (strcmp (check, check_defs[i].name) == 0)
			def = &check_defs[i];
	if (def == NULL) {
		const char *names[G_N_ELEMENTS (check_defs) + 1];
		const char *hint;
		for (gsize i = 0; i < G_N_ELEMENTS (check_defs); i++)
			names[i] = check_defs[i].name;
		names[G_N_ELEMENTS (check_defs)] = NULL;
		hint = mp_suggest (check, names);
		fail_key (error, l, origin, group, "check", "unknown check '%s'%s%s%s (see README: table of checks)",
		          check, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
		return FALSE;
	}
	/* every key must mean something for this check */
	for (int i = 0; common_keys[i]; i++)
		g_ptr_array_add (allowed, g_strdup (common_keys[i]));
	extra = g_strsplit (def->keys, " ", -1);
	for (int i = 0; extra[i]; i++)
		if (*extra[i])
			g_ptr_array_add (allowed, g_strdup (extra[i]));
	g_ptr_array_add (allowed, NULL);
	for (int k = 0; keys[k]; k++) {
		if (strcmp (keys[k], "max") == 0 && def->max_type == KEY_TEXT) {
			fail_key (error, l, origin, group, "max", "check %s takes no max", def->name);
			return FALSE;
		}
		if (!g_strv_contains ((const char *const *) allowed->pdata, keys[k])) {
			const char *hint = mp_suggest (keys[k], (const char *const *) allowed->pdata);
			g_ptr_array_remove_index (allowed, allowed->len - 1);
			fail_key (error, l, origin, group, keys[k], "unknown key for check %s%s%s%s",
			          def->name, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
			return FALSE;
		}
	}

	r = g_new0 (MpRule, 1);
	r->name = g_strstrip (g_strdup (group + 5));
	r->check = def->check;
	r->severity = MP_SEVERITY_ERROR;
	r->advice = g_key_file_get_string (l->kf, group, "advice", NULL);
	*out = r; /* freed by the caller on failure */

	if (severity != NULL && !mp_severity_parse (g_strstrip (severity), &r->severity)) {
		fail_key (error, l, origin, group, "severity", "unknown severity '%s' (error, warning or info)", severity);
		return FALSE;
	}
	if (def->max_type != KEY_TEXT) {
		g_autoptr(GError) local = NULL;
		if (max == NULL) {
			fail (error, l, origin, group, "[%s] check %s needs 'max = ...'", group, def->name);
			return FALSE;
		}
		r->max_text = g_strstrip (g_strdup (max));
		if (def->max_type == KEY_SIZE && !mp_parse_size (r->max_text, &r->max, &local)) {
			fail_key (error, l, origin, group, "max", "%s", local->message);
			return FALSE;
		}
		if (def->max_type == KEY_COUNT && !get_count (l, origin, group, "max", &r->max, error))
			return FALSE;
		if (def->max_type == KEY_DURATION && !mp_parse_duration (r->max_text, &r->idle, &local)) {
			fail_key (error, l, origin, group, "max", "%s", local->message);
			return FALSE;
		}
	}

	switch (def->check) {
	case MP_CHECK_ATTACHMENT_COUNT:
		return get_bool (l, origin, group, "count-inline", FALSE, &r->count_inline, error);
	case MP_CHECK_ATTACHMENT_TYPE:
		r->extensions = get_list (l, group, "extensions");
		r->mime_types = get_list (l, group, "mime-types");
		for (int i = 0; r->extensions[i]; i++) {
			if (r->extensions[i][0] != '.') {
				char *dotted = g_strconcat (".", r->extensions[i], NULL);
				g_free (r->extensions[i]);
				r->extensions[i] = dotted;
			}
		}
		if (!r->extensions[0] && !r->mime_types[0]) {
			fail (error, l, origin, group, "[%s] check attachment-type needs 'extensions' or 'mime-types'", group);
			return FALSE;
		}
		return get_bool (l, origin, group, "inside-archives", TRUE, &r->inside_archives, error);
	case MP_CHECK_HEADER:
	{
		NameBit table[G_N_ELEMENTS (header_problems)];
		for (gsize i = 0; i < G_N_ELEMENTS (header_problems); i++) {
			table[i].name = mp_problem_name (header_problems[i].code);
			table[i].bit = header_problems[i].bit;
		}
		return get_name_bits (l, origin, group, "problems", table, G_N_ELEMENTS (table),
		                      MP_HDR_ALL, &r->header_problems, error);
	}
	case MP_CHECK_ENCRYPTED_OR_SIGNED: {
		NameBit table[G_N_ELEMENTS (crypto_kinds)];
		for (gsize i = 0; i < G_N_ELEMENTS (crypto_kinds); i++) {
			table[i].name = mp_message_flag_name (crypto_kinds[i]);
			table[i].bit = crypto_kinds[i];
		}
		return get_name_bits (l, origin, group, "kinds", table, G_N_ELEMENTS (table),
		                      MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED | MP_MSG_FLAG_SMIME_OPAQUE,
		                      &r->crypto_flags, error);
	}
	case MP_CHECK_FOLDER_NAME: {
		g_autofree char *forbidden = g_key_file_get_string (l->kf, group, "forbidden-characters", NULL);
		if (g_key_file_has_key (l->kf, group, "max-length", NULL) &&
		    !get_count (l, origin, group, "max-length", &r->max_length, error))
			return FALSE;
		r->forbidden = forbidden ? g_strstrip (g_steal_pointer (&forbidden)) : NULL;
		r->reserved = get_list (l, group, "reserved");
		return get_bool (l, origin, group, "ascii-only", FALSE, &r->ascii_only, error) &&
		       get_bool (l, origin, group, "odd-blanks", FALSE, &r->no_odd_blanks, error) &&
		       get_bool (l, origin, group, "case-collisions", FALSE, &r->case_collisions, error);
	}
	case MP_CHECK_ACCOUNT_IDLE: {
		/* the kinds of activity evidence (DEFINITIONS.md); file times
		 * only when asked, since a copy or a restore resets them */
		NameBit table[MP_EVIDENCE_N_KINDS];
		for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++) {
			table[k].name = mp_evidence_kind_name ((MpEvidenceKind) k);
			table[k].bit = 1u << k;
		}
		r->sent_folders = get_list (l, group, "sent-folders");
		for (int i = 0; r->sent_folders[i]; i++) {
			char *lower = g_utf8_strdown (r->sent_folders[i], -1);
			g_free (r->sent_folders[i]);
			r->sent_folders[i] = lower;
		}
		return get_bool (l, origin, group, "unless-forwarded", TRUE, &r->unless_forwarded, error) &&
		       get_name_bits (l, origin, group, "activity-evidence", table, G_N_ELEMENTS (table),
		                      MP_EVIDENCE_DEFAULT_KINDS, &r->activity_evidence, error);
	}
	default:
		return TRUE;
	}
}

MpRuleSet *
mp_rules_load_data (const char *data, gsize len, const char *origin, GError **error)
{
	Loaded l = { 0 };
	g_autoptr(MpRuleSet) set = g_new0 (MpRuleSet, 1);
	g_autofree char *profile_name = NULL;
	gboolean ok = TRUE;

	set->origin = g_strdup (origin);
	set->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
	set->as_of = g_get_real_time () / G_USEC_PER_SEC;
	l.kf = g_key_file_new ();
	l.places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, place_free);
	l.order = g_ptr_array_new_with_free_func (g_free);

	if (!load_into (&l, data, len, origin, 0, &profile_name, error)) {
		loaded_clear (&l);
		return NULL;
	}
	for (guint i = 0; ok && i < l.order->len; i++) {
		const char *group = g_ptr_array_index (l.order, i);
		gboolean enabled = TRUE;
		MpRule *r = NULL;

		ok = get_bool (&l, origin, group, "enabled", TRUE, &enabled, error);
		if (!ok || !enabled)
			continue;
		ok = parse_rule (&l, origin, group, &r, error);
		if (ok)
			g_ptr_array_add (set->rules, r);
		else if (r)
			rule_free (r);
	}
	loaded_clear (&l);
	if (!ok)
		return NULL;
	set->name = profile_name ? g_steal_pointer (&profile_name) : g_strdup (origin);
	return g_steal_pointer (&set);
}

/* strcmp() for g_ptr_array_sort() of char* elements (byte order). */
static int
compare_names (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char **
mp_rules_builtin_names (void)
{
	g_auto(GStrv) files = g_resources_enumerate_children (PROFILE_PREFIX, 0, NULL);
	GPtrArray *names = g_ptr_array_new ();

	for (int i = 0; files && files[i]; i++)
		if (g_str_has_suffix (files[i], ".ini"))
			g_ptr_array_add (names, g_strndup (files[i], strlen (files[i]) - 4));
	g_ptr_array_sort (names, compare_names);
	g_ptr_array_add (names, NULL);
	return (char **) g_ptr_array_free (names, FALSE);
}

GBytes *
mp_rules_builtin_text (const char *name)
{
	g_autofree char *path = NULL;

	if (name == NULL || strchr (name, '/') != NULL)
		return NULL;
	path = g_strdup_printf (PROFILE_PREFIX "%s.ini", name);
	return g_resources_lookup_data (path, 0, NULL);
}

MpRuleSet *
mp_rules_load (const char *name_or_file, GError **error)
{
	g_autoptr(GBytes) builtin = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *contents = NULL;
	g_autofree char *user_file = NULL;
	gsize len = 0;

	if (name_or_file == NULL) {
		/* XDG base directory spec: the user's own rules, if any */
		user_file = g_build_filename (g_get_user_config_dir (), "mailpreflight", "rules.ini", NULL);
		name_or_file = g_file_test (user_file, G_FILE_TEST_IS_REGULAR) ? user_file : MP_DEFAULT_PROFILE;
	}
	builtin = mp_rules_builtin_text (name_or_file);
	if (builtin != NULL) {
		g_autofree char *origin = g_strdup_printf ("built-in profile %s", name_or_file);
		return mp_rules_load_data (g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin),
		                           origin, error);
	}
	if (!g_file_test (name_or_file, G_FILE_TEST_EXISTS) && strchr (name_or_file, '/') == NULL &&
	    !g_str_has_suffix (name_or_file, ".ini")) {
		g_auto(GStrv) names = mp_rules_builtin_names ();
		const char *hint = mp_suggest (name_or_file, (const char *const *) names);
		g_autofree char *list = g_strjoinv (", ", names);
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is neither a built-in profile nor a rules file%s%s%s (profiles: %s)",
		             name_or_file, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
		return NULL;
	}
	if (!g_file_get_contents (name_or_file, &contents, &len, &local)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s", local->message);
		return NULL;
	}
	return mp_rules_load_data (contents, len, name_or_file, error);
}

MpAnalyzeFlags
mp_rules_analyze_flags (const MpRuleSet *rules)
{
	MpAnalyzeFlags flags = MP_ANALYZE_DEFAULT;

	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		if (r->check == MP_CHECK_ATTACHMENT_TYPE && r->inside_archives)
			flags |= MP_ANALYZE_LIST_ARCHIVES;
	}
	return flags;
}

void
mp_rules_add_size_limit (MpRuleSet *rules, const char *name, guint64 max, const char *origin)
{
	MpRule *r = g_new0 (MpRule, 1);

	for (guint i = 0; i < rules->rules->len; i++) {
		if (strcmp (((MpRule *) g_ptr_array_index (rules->rules, i))->name, name) == 0) {
			g_ptr_array_remove_index (rules->rules, i);
			break;
		}
	}
	r->name = g_strdup (name);
	r->check = MP_CHECK_MESSAGE_SIZE;
	r->severity = MP_SEVERITY_ERROR;
	r->max = max;
	r->max_text = g_strdup_printf ("%" G_GUINT64_FORMAT " B", max);
	r->advice = g_strdup_printf ("The target announced this limit itself (%s): it refuses larger messages.", origin);
	g_ptr_array_add (rules->rules, r);
	{
		g_autofree char *old = rules->origin;
		rules->origin = g_strdup_printf ("%s + %s", old, origin);
	}
}

static void
digest_strv (GString *t, const char *key, char **v)
{
	g_string_append_printf (t, "%s=", key);
	for (int i = 0; v && v[i]; i++)
		g_string_append_printf (t, "%s\x1f", v[i]);
	g_string_append_c (t, '\n');
}

char *
mp_rules_digest (const MpRuleSet *rules)
{
	g_autoptr(GString) t = g_string_new (NULL);

	/* every field that changes a judgement, in one canonical text */
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		g_string_append_printf (t, "[%s]\ncheck=%s\nseverity=%d\nmax=%" G_GUINT64_FORMAT "\n"
		                        "count_inline=%d\ninside_archives=%d\nheader=%u\ncrypto=%u\n"
		                        "max_length=%" G_GUINT64_FORMAT "\nforbidden=%s\nascii=%d\nblanks=%d\n"
		                        "case=%d\nidle=%d/%d\nunless_forwarded=%d\nevidence=%u\n",
		                        r->name, mp_check_name (r->check), (int) r->severity, r->max,
		                        r->count_inline, r->inside_archives, r->header_problems, r->crypto_flags,
		                        r->max_length, r->forbidden ? r->forbidden : "", r->ascii_only,
		                        r->no_odd_blanks, r->case_collisions, r->idle.months, r->idle.days,
		                        r->unless_forwarded, r->activity_evidence);
		digest_strv (t, "extensions", r->extensions);
		digest_strv (t, "mime_types", r->mime_types);
		digest_strv (t, "reserved", r->reserved);
		digest_strv (t, "sent_folders", r->sent_folders);
	}
	return g_compute_checksum_for_string (G_CHECKSUM_SHA256, t->str, (gssize) t->len);
}
