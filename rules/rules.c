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
#include "folder-filter.h"

#include <string.h>

#define PROFILE_PREFIX "/org/mailpreflight/profiles/"
#define FOLDER_MAP_GROUP "folder-map"
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
	{ MP_CHECK_MESSAGE_STRUCTURE, "message-structure", MP_SCOPE_MESSAGE, KEY_TEXT, "problems" },
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
static const char *const profile_keys[] = {
	"name", "inherits", "description", "deleted", "exclude-folders", "include-folders", NULL
};

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

/* What a `message-structure` rule can judge: a message whose structure a
 * server may refuse on APPEND (Cyrus imapd's message_copy_strict() refuses a
 * header line that is no header, "Message contains invalid header"; a header
 * block without the empty line after it, "Message has no header/body
 * separator"; a NUL, "Message contains NUL characters"; GMIME-IMAP-FACTS.md
 * §9). By problem code, as the readers record them. */
static const MpProblemCode structure_problems[] = {
	MP_PROBLEM_MALFORMED_HEADER, MP_PROBLEM_UNTERMINATED_HEADER, MP_PROBLEM_UNPARSEABLE, MP_PROBLEM_NUL_BYTE,
};

guint64
mp_structure_problem_bit (MpProblemCode code)
{
	for (gsize i = 0; i < G_N_ELEMENTS (structure_problems); i++)
		if (structure_problems[i] == code)
			return G_GUINT64_CONSTANT (1) << code;
	return 0;
}

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
	g_strfreev (rules->exclude_folders);
	g_strfreev (rules->include_folders);
	if (rules->folder_map)
		g_ptr_array_unref (rules->folder_map);
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

/* One error, placed: sorted by file (in the order the files were read) and
 * line before they are reported. */
typedef struct {
	guint  file;  /* index in Loaded.origins */
	guint  line;  /* 0: the file as a whole */
	guint  seq;   /* the order found: ties keep it */
	char  *text;  /* "rules.ini:7: [rule x] max: ..." */
} Problem;

typedef struct {
	GKeyFile   *kf;       /* the merged key file; [profile] holds the merged settings */
	GHashTable *places;   /* "group\nkey" (key "" for the group) -> Place* */
	GPtrArray  *order;    /* rule group names, in order */
	GPtrArray  *origins;  /* char*: the files read, first seen first */
	GArray     *problems; /* Problem: every error, found going on where that is safe */
	GPtrArray  *map_order; /* [folder-map] labels, in order (inherited first) */
} Loaded;

static void
place_free (gpointer p)
{
	Place *pl = p;

	g_free (pl->origin);
	g_free (pl);
}

static void
problem_clear (gpointer p)
{
	g_free (((Problem *) p)->text);
}

static void
loaded_init (Loaded *l)
{
	l->kf = g_key_file_new ();
	l->places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, place_free);
	l->order = g_ptr_array_new_with_free_func (g_free);
	l->origins = g_ptr_array_new_with_free_func (g_free);
	l->problems = g_array_new (FALSE, TRUE, sizeof (Problem));
	g_array_set_clear_func (l->problems, problem_clear);
	l->map_order = g_ptr_array_new_with_free_func (g_free);
}

static void
loaded_clear (Loaded *l)
{
	g_clear_pointer (&l->kf, g_key_file_unref);
	g_clear_pointer (&l->places, g_hash_table_unref);
	g_clear_pointer (&l->order, g_ptr_array_unref);
	g_clear_pointer (&l->origins, g_ptr_array_unref);
	g_clear_pointer (&l->problems, g_array_unref);
	g_clear_pointer (&l->map_order, g_ptr_array_unref);
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

/* Where a key (or its group) stands, NULL when nowhere (a default). */
static const Place *
find_place (Loaded *l, const char *group, const char *key)
{
	g_autofree char *k = place_key (group, key);
	const Place *pl = g_hash_table_lookup (l->places, k);

	if (pl == NULL && key != NULL) {
		g_autofree char *gk = place_key (group, NULL);
		pl = g_hash_table_lookup (l->places, gk);
	}
	return pl;
}

static guint
origin_index (Loaded *l, const char *origin)
{
	for (guint i = 0; i < l->origins->len; i++)
		if (strcmp (g_ptr_array_index (l->origins, i), origin) == 0)
			return i;
	g_ptr_array_add (l->origins, g_strdup (origin));
	return l->origins->len - 1;
}

/* Records an error at ORIGIN:LINE (LINE 0: the file); TEXT is taken. */
static void
add_problem (Loaded *l, const char *origin, guint line, char *text)
{
	Problem p = { origin_index (l, origin), line, l->problems->len, text };

	g_array_append_val (l->problems, p);
}

G_GNUC_PRINTF (4, 5) static gboolean
fail_at (Loaded *l, const char *origin, guint line, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	add_problem (l, origin, line, line ? g_strdup_printf ("%s:%u: %s", origin, line, msg)
	                                  : g_strdup_printf ("%s: %s", origin, msg));
	return FALSE;
}

/* An error about GROUP (or KEY of it), placed where it was written; at
 * ORIGIN when it was not (a default). Returns FALSE. */
static gboolean
fail_placed (Loaded *l, const char *origin, const char *group, const char *key, const char *msg)
{
	const Place *pl = find_place (l, group, key);
	const char *file = pl ? pl->origin : origin;
	guint line = pl ? pl->line : 0;
	g_autofree char *at = line ? g_strdup_printf ("%s:%u", file, line) : g_strdup (file);

	add_problem (l, file, line, key ? g_strdup_printf ("%s: [%s] %s: %s", at, group, key, msg)
	                                : g_strdup_printf ("%s: %s", at, msg));
	return FALSE;
}

G_GNUC_PRINTF (4, 5) static gboolean
fail (Loaded *l, const char *origin, const char *group, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	return fail_placed (l, origin, group, NULL, msg);
}

G_GNUC_PRINTF (5, 6) static gboolean
fail_key (Loaded *l, const char *origin, const char *group, const char *key, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start (ap, fmt);
	msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	return fail_placed (l, origin, group, key, msg);
}

static gint
compare_problems (gconstpointer a, gconstpointer b)
{
	const Problem *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The first pass: records the line of every group and key of TEXT into L
 * and refuses what GKeyFile would silently merge. Goes on after an error:
 * every line is looked at. CLEAN gets TEXT with the lines it refused made
 * empty (line numbers kept), so that GKeyFile can read the rest and every
 * other error is found too. */
static gboolean
scan_lines (Loaded *l, const char *text, gsize len, const char *origin, GString *clean)
{
	g_autofree char *copy = g_strndup (text, len);
	g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
	g_autoptr(GHashTable) groups_here = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) keys_here = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *group = NULL;
	gboolean ok = TRUE;

	origin_index (l, origin);
	for (guint i = 0; lines[i]; i++) {
		char *line = g_strstrip (lines[i]);
		guint lineno = i + 1;
		char *eq;

		/* the line as GKeyFile will read it; a refused one is dropped
		 * below (a duplicate stays: GKeyFile merges it harmlessly) */
		g_string_append_printf (clean, "%s%s", i ? "\n" : "", line);
		if (*line == '\0' || *line == '#')
			continue;
		if (*line == '[') {
			char *close = strchr (line, ']');
			if (close == NULL || close[1] != '\0') {
				g_string_truncate (clean, clean->len - strlen (line));
				ok = fail_at (l, origin, lineno, "a group header is written [profile] or [rule NAME]");
				continue;
			}
			*close = '\0';
			g_free (group);
			group = canonical_group (line + 1);
			if (g_hash_table_contains (groups_here, group)) {
				const Place *first = find_place (l, group, NULL);
				ok = fail_at (l, origin, lineno, "duplicate %s [%s] (first at %s:%u)",
				              g_str_has_prefix (group, "rule ") ? "rule name" : "group", group,
				              first ? first->origin : origin, first ? first->line : 0);
				continue;
			}
			g_hash_table_add (groups_here, g_strdup (group));
			set_place (l, group, NULL, origin, lineno);
			continue;
		}
		eq = strchr (line, '=');
		if (eq == NULL || group == NULL) {
			g_string_truncate (clean, clean->len - strlen (line));
			ok = fail_at (l, origin, lineno, group == NULL
			              ? "a key before any group: start with [profile] or [rule NAME]"
			              : "not a 'key = value' line");
			continue;
		}
		*eq = '\0';
		{
			g_autofree char *key = g_strdup (g_strstrip (line));
			g_autofree char *seen = place_key (group, key);
			if (g_hash_table_contains (keys_here, seen)) {
				ok = fail_at (l, origin, lineno, "[%s] '%s' is given twice", group, key);
				continue;
			}
			g_hash_table_add (keys_here, g_steal_pointer (&seen));
			set_place (l, group, key, origin, lineno);
		}
	}
	return ok;
}

static gboolean load_into (Loaded *l, const char *data, gsize len, const char *origin,
                           guint depth, char **profile_name);

static gboolean
load_base (Loaded *l, const char *name, const char *origin, guint depth, char **profile_name)
{
	g_autoptr(GBytes) builtin = mp_rules_builtin_text (name);
	g_autofree char *contents = NULL;
	g_autofree char *base_origin = NULL;
	gsize len;

	if (depth >= MAX_INHERIT_DEPTH)
		return fail_key (l, origin, "profile", "inherits", "inheritance deeper than %d levels (a loop?)",
		                 MAX_INHERIT_DEPTH);
	if (builtin != NULL) {
		base_origin = g_strdup_printf ("built-in profile %s", name);
		return load_into (l, g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin),
		                  base_origin, depth + 1, profile_name);
	}
	if (strchr (name, '/') != NULL || g_str_has_suffix (name, ".ini")) {
		g_autoptr(GError) local = NULL;
		g_autofree char *dir = g_path_get_dirname (origin);
		base_origin = g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (dir, name, NULL);
		if (!g_file_get_contents (base_origin, &contents, &len, &local))
			return fail_key (l, origin, "profile", "inherits", "%s", local->message);
		return load_into (l, contents, len, base_origin, depth + 1, profile_name);
	}
	{
		g_auto(GStrv) names = mp_rules_builtin_names ();
		const char *hint = mp_suggest (name, (const char *const *) names);
		g_autofree char *list = g_strjoinv (", ", names);
		return fail_key (l, origin, "profile", "inherits", "no built-in profile '%s'%s%s%s (known: %s)",
		                 name, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
	}
}

/* Reads DATA over what L already holds (its base profile): rule groups key
 * by key, [profile] settings (but inherits) likewise. Goes on after an
 * error where the rest still means something. */
static gboolean
load_into (Loaded *l, const char *data, gsize len, const char *origin, guint depth, char **profile_name)
{
	g_autoptr(GKeyFile) kf = g_key_file_new ();
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) groups = NULL;
	g_autofree char *inherits = NULL;
	g_autoptr(GString) clean = g_string_new (NULL);
	gboolean ok;

	if (!g_utf8_validate (data, (gssize) len, NULL))
		return fail_at (l, origin, 0, "not UTF-8 text");
	ok = scan_lines (l, data, len, origin, clean);
	if (!g_key_file_load_from_data (kf, clean->str, clean->len, G_KEY_FILE_NONE, &local))
		return fail_at (l, origin, 0, "%s", local->message);
	inherits = g_key_file_get_string (kf, "profile", "inherits", NULL);
	if (inherits != NULL && !load_base (l, g_strstrip (inherits), origin, depth, profile_name))
		ok = FALSE;

	groups = g_key_file_get_groups (kf, NULL);
	for (int i = 0; groups[i]; i++) {
		g_auto(GStrv) keys = g_key_file_get_keys (kf, groups[i], NULL, NULL);
		g_autofree char *group = canonical_group (groups[i]);
		gboolean is_rule = g_str_has_prefix (group, "rule ");

		if (strcmp (group, "profile") == 0) {
			for (int k = 0; keys[k]; k++) {
				g_autofree char *value = NULL;
				if (!g_strv_contains (profile_keys, keys[k])) {
					const char *hint = mp_suggest (keys[k], profile_keys);
					g_autofree char *known = g_strjoinv (", ", (char **) profile_keys);
					ok = fail_key (l, origin, "profile", keys[k], "unknown key%s%s%s (known: %s)",
					               hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", known);
					continue;
				}
				if (strcmp (keys[k], "inherits") == 0)
					continue;
				value = g_key_file_get_value (kf, groups[i], keys[k], NULL);
				g_key_file_set_value (l->kf, "profile", keys[k], value);
			}
			if (g_key_file_has_key (kf, groups[i], "name", NULL)) {
				g_free (*profile_name);
				*profile_name = g_key_file_get_string (kf, groups[i], "name", NULL);
			}
			continue;
		}
		if (strcmp (group, FOLDER_MAP_GROUP) == 0) {
			/* entries are read once all files are merged: an inheriting
			 * file overrides an entry by its label */
			for (int k = 0; keys[k]; k++) {
				g_autofree char *value = g_key_file_get_value (kf, groups[i], keys[k], NULL);
				if (!g_key_file_has_key (l->kf, FOLDER_MAP_GROUP, keys[k], NULL))
					g_ptr_array_add (l->map_order, g_strdup (keys[k]));
				g_key_file_set_value (l->kf, FOLDER_MAP_GROUP, keys[k], value);
			}
			continue;
		}
		if (!is_rule || group[5] == '\0') {
			ok = fail (l, origin, group, "unknown group [%s]: groups are [profile], [rule NAME] and [folder-map]",
			           groups[i]);
			continue;
		}
		if (!g_key_file_has_group (l->kf, group))
			g_ptr_array_add (l->order, g_strdup (group));
		for (int k = 0; keys[k]; k++) {
			g_autofree char *value = g_key_file_get_value (kf, groups[i], keys[k], NULL);
			g_key_file_set_value (l->kf, group, keys[k], value);
		}
	}
	return ok;
}

/* ---- turning a merged group into an MpRule --------------------------- */

static gboolean
get_bool (Loaded *l, const char *origin, const char *group, const char *key, gboolean dflt, gboolean *out)
{
	g_autofree char *v = g_key_file_get_value (l->kf, group, key, NULL);

	*out = dflt;
	if (v == NULL)
		return TRUE;
	g_strstrip (v);
	if (g_ascii_strcasecmp (v, "true") == 0 || g_ascii_strcasecmp (v, "yes") == 0)
		*out = TRUE;
	else if (g_ascii_strcasecmp (v, "false") == 0 || g_ascii_strcasecmp (v, "no") == 0)
		*out = FALSE;
	else
		return fail_key (l, origin, group, key, "'%s' is not true or false", v);
	return TRUE;
}

static gboolean
get_count (Loaded *l, const char *origin, const char *group, const char *key, guint64 *out)
{
	g_autofree char *v = g_strstrip (g_key_file_get_value (l->kf, group, key, NULL));

	if (!g_ascii_string_to_unsigned (v, 10, 0, 1000000000, out, NULL))
		return fail_key (l, origin, group, key, "'%s' is not a whole number from 0 to 1000000000", v);
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
 * when the key is absent. An unknown name is an error with a suggestion
 * (each one is reported). */
static gboolean
get_name_bits (Loaded *l, const char *origin, const char *group, const char *key,
               const NameBit *table, gsize n, guint all, guint *out)
{
	g_auto(GStrv) names = get_list (l, group, key);
	g_autofree const char **known = g_new0 (const char *, n + 1);
	gboolean ok = TRUE;

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
			ok = fail_key (l, origin, group, key, "unknown name '%s'%s%s%s (known: %s)", names[i],
			               hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
			continue;
		}
		*out |= bit;
	}
	return ok;
}

/* `problems` of a message-structure rule: problem codes of
 * structure_problems, as a bit per MpProblemCode; all when absent. */
static gboolean
get_structure_problems (Loaded *l, const char *origin, const char *group, guint64 *out)
{
	g_auto(GStrv) names = get_list (l, group, "problems");
	const char *known[G_N_ELEMENTS (structure_problems) + 1] = { NULL };
	gboolean ok = TRUE;

	for (gsize k = 0; k < G_N_ELEMENTS (structure_problems); k++)
		known[k] = mp_problem_name (structure_problems[k]);
	*out = 0;
	if (names[0] == NULL) {
		for (gsize k = 0; k < G_N_ELEMENTS (structure_problems); k++)
			*out |= G_GUINT64_CONSTANT (1) << structure_problems[k];
		return TRUE;
	}
	for (int i = 0; names[i]; i++) {
		guint64 bit = mp_structure_problem_bit (mp_problem_from_name (names[i], strlen (names[i])));
		if (bit == 0) {
			const char *hint = mp_suggest (names[i], known);
			g_autofree char *list = g_strjoinv (", ", (char **) known);
			ok = fail_key (l, origin, group, "problems", "unknown name '%s'%s%s%s (known: %s)", names[i],
			               hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "", list);
			continue;
		}
		*out |= bit;
	}
	return ok;
}

/* Every key of GROUP must mean something for DEF (each unknown one is
 * reported). */
static gboolean
check_rule_keys (Loaded *l, const char *origin, const char *group, const CheckDef *def)
{
	g_auto(GStrv) keys = g_key_file_get_keys (l->kf, group, NULL, NULL);
	g_autoptr(GPtrArray) allowed = g_ptr_array_new_with_free_func (g_free);
	g_auto(GStrv) extra = g_strsplit (def->keys, " ", -1);
	gboolean ok = TRUE;

	for (int i = 0; common_keys[i]; i++)
		g_ptr_array_add (allowed, g_strdup (common_keys[i]));
	for (int i = 0; extra[i]; i++)
		if (*extra[i])
			g_ptr_array_add (allowed, g_strdup (extra[i]));
	g_ptr_array_add (allowed, NULL);
	for (int k = 0; keys[k]; k++) {
		if (strcmp (keys[k], "max") == 0 && def->max_type == KEY_TEXT) {
			ok = fail_key (l, origin, group, "max", "check %s takes no max", def->name);
		} else if (!g_strv_contains ((const char *const *) allowed->pdata, keys[k])) {
			const char *hint = mp_suggest (keys[k], (const char *const *) allowed->pdata);
			ok = fail_key (l, origin, group, keys[k], "unknown key for check %s%s%s%s",
			               def->name, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
		}
	}
	return ok;
}

/* The keys a check takes beyond the common ones, into R. */
static gboolean
parse_check_keys (Loaded *l, const char *origin, const char *group, MpRule *r)
{
	gboolean ok = TRUE;

	switch (r->check) {
	case MP_CHECK_ATTACHMENT_COUNT:
		return get_bool (l, origin, group, "count-inline", FALSE, &r->count_inline);
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
		if (!r->extensions[0] && !r->mime_types[0])
			ok = fail (l, origin, group, "[%s] check attachment-type needs 'extensions' or 'mime-types'", group);
		return get_bool (l, origin, group, "inside-archives", TRUE, &r->inside_archives) && ok;
	case MP_CHECK_HEADER:
	{
		NameBit table[G_N_ELEMENTS (header_problems)];
		for (gsize i = 0; i < G_N_ELEMENTS (header_problems); i++) {
			table[i].name = mp_problem_name (header_problems[i].code);
			table[i].bit = header_problems[i].bit;
		}
		return get_name_bits (l, origin, group, "problems", table, G_N_ELEMENTS (table),
		                      MP_HDR_ALL, &r->header_problems);
	}
	case MP_CHECK_ENCRYPTED_OR_SIGNED: {
		NameBit table[G_N_ELEMENTS (crypto_kinds)];
		for (gsize i = 0; i < G_N_ELEMENTS (crypto_kinds); i++) {
			table[i].name = mp_message_flag_name (crypto_kinds[i]);
			table[i].bit = crypto_kinds[i];
		}
		return get_name_bits (l, origin, group, "kinds", table, G_N_ELEMENTS (table),
		                      MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED | MP_MSG_FLAG_SMIME_OPAQUE,
		                      &r->crypto_flags);
	}
	case MP_CHECK_FOLDER_NAME: {
		g_autofree char *forbidden = g_key_file_get_string (l->kf, group, "forbidden-characters", NULL);
		if (g_key_file_has_key (l->kf, group, "max-length", NULL) &&
		    !get_count (l, origin, group, "max-length", &r->max_length))
			ok = FALSE;
		r->forbidden = forbidden ? g_strstrip (g_steal_pointer (&forbidden)) : NULL;
		r->reserved = get_list (l, group, "reserved");
		/* each key is checked, so that every error is reported */
		ok = get_bool (l, origin, group, "ascii-only", FALSE, &r->ascii_only) && ok;
		ok = get_bool (l, origin, group, "odd-blanks", FALSE, &r->no_odd_blanks) && ok;
		ok = get_bool (l, origin, group, "case-collisions", FALSE, &r->case_collisions) && ok;
		return ok;
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
		/* each key is checked, so that every error is reported */
		ok = get_bool (l, origin, group, "unless-forwarded", TRUE, &r->unless_forwarded);
		ok = get_name_bits (l, origin, group, "activity-evidence", table, G_N_ELEMENTS (table),
		                    MP_EVIDENCE_DEFAULT_KINDS, &r->activity_evidence) && ok;
		return ok;
	}
	case MP_CHECK_MESSAGE_STRUCTURE:
		return get_structure_problems (l, origin, group, &r->structure_problems);
	default:
		return TRUE;
	}
}

/* The rule of GROUP into *OUT (NULL when it cannot be read at all); FALSE
 * when anything in it is wrong, every error reported. */
static gboolean
parse_rule (Loaded *l, const char *origin, const char *group, MpRule **out)
{
	g_autofree char *check = g_key_file_get_value (l->kf, group, "check", NULL);
	g_autofree char *severity = g_key_file_get_value (l->kf, group, "severity", NULL);
	g_autofree char *max = g_key_file_get_value (l->kf, group, "max", NULL);
	const CheckDef *def = NULL;
	gboolean ok = TRUE;
	MpRule *r;

	*out = NULL;
	if (check == NULL)
		return fail (l, origin, group, "[%s] has no 'check = ...'", group);
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
		return fail_key (l, origin, group, "check", "unknown check '%s'%s%s%s (see README: table of checks)",
		                 check, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
	}
	ok = check_rule_keys (l, origin, group, def);

	r = g_new0 (MpRule, 1);
	r->name = g_strstrip (g_strdup (group + 5));
	r->check = def->check;
	r->severity = MP_SEVERITY_ERROR;
	r->advice = g_key_file_get_string (l->kf, group, "advice", NULL);
	*out = r; /* freed by the caller on failure */

	if (severity != NULL && !mp_severity_parse (g_strstrip (severity), &r->severity))
		ok = fail_key (l, origin, group, "severity", "unknown severity '%s' (error, warning or info)", severity);
	if (def->max_type != KEY_TEXT) {
		g_autoptr(GError) local = NULL;
		if (max == NULL) {
			ok = fail (l, origin, group, "[%s] check %s needs 'max = ...'", group, def->name);
		} else {
			r->max_text = g_strstrip (g_strdup (max));
			if (def->max_type == KEY_SIZE && !mp_parse_size (r->max_text, &r->max, &local))
				ok = fail_key (l, origin, group, "max", "%s", local->message);
			else if (def->max_type == KEY_COUNT && !get_count (l, origin, group, "max", &r->max))
				ok = FALSE;
			else if (def->max_type == KEY_DURATION && !mp_parse_duration (r->max_text, &r->idle, &local))
				ok = fail_key (l, origin, group, "max", "%s", local->message);
		}
	}
	return parse_check_keys (l, origin, group, r) && ok;
}

/* ---- [profile] settings ------------------------------------------------ */

/* deleted = judge | skip (DEFINITIONS.md, "Deleted"): whether rules judge
 * a message marked deleted but still stored. */
static gboolean
parse_deleted (Loaded *l, const char *origin, MpRuleSet *set)
{
	static const char *const values[] = { "judge", "skip", NULL };
	g_autofree char *v = g_key_file_get_value (l->kf, "profile", "deleted", NULL);
	const char *hint;

	set->deleted_skip = FALSE;
	if (v == NULL)
		return TRUE;
	g_strstrip (v);
	if (strcmp (v, "judge") == 0)
		return TRUE;
	if (strcmp (v, "skip") == 0) {
		set->deleted_skip = TRUE;
		return TRUE;
	}
	hint = mp_suggest (v, values);
	return fail_key (l, origin, "profile", "deleted", "'%s' is neither judge nor skip%s%s%s", v,
	                 hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
}

/* exclude-folders / include-folders = GLOB, GLOB (folder-filter.h):
 * separated by commas only, since folder names hold blanks ("Sent Items"). */
static gboolean
parse_folder_globs (Loaded *l, const char *origin, const char *key, char ***out)
{
	g_autofree char *v = g_key_file_get_value (l->kf, "profile", key, NULL);
	g_auto(GStrv) parts = NULL;
	g_auto(GStrv) globs = NULL;
	g_autoptr(GPtrArray) list = g_ptr_array_new ();
	g_autoptr(GError) local = NULL;

	if (v == NULL)
		return TRUE;
	parts = g_strsplit (v, ",", -1);
	for (int i = 0; parts[i]; i++)
		if (*g_strstrip (parts[i]))
			g_ptr_array_add (list, g_strdup (parts[i]));
	g_ptr_array_add (list, NULL);
	globs = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
	if (globs[0] == NULL)
		return fail_key (l, origin, "profile", key, "an empty list: give folder names or patterns "
		                 "(Trash, Archive/" "*) or drop the key");
	for (int i = 0; globs[i]; i++)
		if (!mp_folder_glob_check (globs[i], &local))
			return fail_key (l, origin, "profile", key, "%s", local->message);
	*out = g_steal_pointer (&globs);
	return TRUE;
}

static gboolean
parse_profile (Loaded *l, const char *origin, MpRuleSet *set)
{
	gboolean ok = parse_deleted (l, origin, set);

	ok = parse_folder_globs (l, origin, "exclude-folders", &set->exclude_folders) && ok;
	ok = parse_folder_globs (l, origin, "include-folders", &set->include_folders) && ok;
	return ok;
}

/* One [folder-map] entry of the merged file; an empty value drops an
 * inherited entry of that label. */
static gboolean
parse_folder_map_entry (Loaded *l, const char *origin, const char *label, GPtrArray *map)
{
	g_autofree char *value = g_key_file_get_value (l->kf, FOLDER_MAP_GROUP, label, NULL);
	g_autoptr(GError) local = NULL;
	MpFolderMapEntry *e;

	if (value == NULL || *g_strstrip (value) == '\0')
		return TRUE;
	e = mp_folder_map_entry_parse (label, value, &local);
	if (e == NULL)
		return fail_key (l, origin, FOLDER_MAP_GROUP, label, "%s", local->message);
	g_ptr_array_add (map, e);
	return TRUE;
}

/* Loads, going on after every error it can; the set, or NULL with every
 * error in L->problems. */
static MpRuleSet *
load_all (Loaded *l, const char *data, gsize len, const char *origin)
{
	g_autoptr(MpRuleSet) set = g_new0 (MpRuleSet, 1);
	g_autofree char *profile_name = NULL;

	set->origin = g_strdup (origin);
	set->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
	set->folder_map = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_map_entry_free);
	set->as_of = g_get_real_time () / G_USEC_PER_SEC;
	loaded_init (l);
	if (!load_into (l, data, len, origin, 0, &profile_name) && l->problems->len == 0)
		fail_at (l, origin, 0, "cannot be read");
	parse_profile (l, origin, set);
	for (guint i = 0; i < l->order->len; i++) {
		const char *group = g_ptr_array_index (l->order, i);
		gboolean enabled = TRUE;
		MpRule *r = NULL;

		if (!get_bool (l, origin, group, "enabled", TRUE, &enabled) || !enabled)
			continue;
		if (parse_rule (l, origin, group, &r))
			g_ptr_array_add (set->rules, r);
		else if (r)
			rule_free (r);
	}
	for (guint i = 0; i < l->map_order->len; i++)
		parse_folder_map_entry (l, origin, g_ptr_array_index (l->map_order, i), set->folder_map);
	if (l->problems->len > 0)
		return NULL;
	set->name = profile_name ? g_steal_pointer (&profile_name) : g_strdup (origin);
	return g_steal_pointer (&set);
}

MpRuleSet *
mp_rules_check_data (const char *data, gsize len, const char *origin, GPtrArray **errors)
{
	Loaded l = { 0 };
	MpRuleSet *set = load_all (&l, data, len, origin);

	*errors = g_ptr_array_new_with_free_func (g_free);
	g_array_sort (l.problems, compare_problems);
	for (guint i = 0; i < l.problems->len; i++)
		g_ptr_array_add (*errors, g_steal_pointer (&g_array_index (l.problems, Problem, i).text));
	loaded_clear (&l);
	return set;
}

MpRuleSet *
mp_rules_load_data (const char *data, gsize len, const char *origin, GError **error)
{
	g_autoptr(GPtrArray) errors = NULL;
	MpRuleSet *set = mp_rules_check_data (data, len, origin, &errors);

	if (set == NULL) {
		/* every error, one a line: a rules file is fixed in one go */
		g_autofree char *all = NULL;
		g_ptr_array_add (errors, NULL);
		all = g_strjoinv ("\n", (char **) errors->pdata);
		g_set_error_literal (error, MP_ERROR, MP_ERROR_RULES, all);
	}
	return set;
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
