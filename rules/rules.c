#include "rules.h"
#include "rules-resources.h"

#include <errno.h>
#include <string.h>

#define PROFILE_PREFIX "/org/mailpreflight/profiles/"

static const struct {
	MpCheck     check;
	const char *name;
	gboolean    is_size; /* max is a size with units, else a plain count */
} checks[] = {
	{ MP_CHECK_MESSAGE_SIZE, "message-size", TRUE },
	{ MP_CHECK_ATTACHMENT_COUNT, "attachment-count", FALSE },
};

const char *
mp_check_name (MpCheck check)
{
	for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
		if (checks[i].check == check)
			return checks[i].name;
	return "unknown";
}

static void
rule_free (MpRule *r)
{
	g_free (r->name);
	g_free (r->max_text);
	g_free (r->advice);
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

gboolean
mp_parse_size (const char *text, guint64 *out, GError **error)
{
	static const struct { const char *unit; guint shift; } units[] = {
		{ "B", 0 }, { "KB", 10 }, { "KiB", 10 }, { "MB", 20 }, { "MiB", 20 },
		{ "GB", 30 }, { "GiB", 30 },
	};
	g_autofree char *copy = g_strstrip (g_strdup (text));
	const char *p = copy;
	char *end = NULL;
	gdouble number;
	guint shift = 0;
	gboolean found = FALSE;

	if (*p == '\0' || *p == '-' || *p == '+') {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is not a size: give a positive number and a unit, e.g. 17920 KB", text);
		return FALSE;
	}
	errno = 0;
	number = g_ascii_strtod (p, &end);
	if (end == p || errno != 0 || !(number >= 0)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is not a size: give a number and a unit, e.g. 17920 KB", text);
		return FALSE;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end == '\0') {
		found = TRUE; /* bytes */
	} else {
		for (gsize i = 0; i < G_N_ELEMENTS (units); i++) {
			if (g_ascii_strcasecmp (end, units[i].unit) == 0) {
				shift = units[i].shift;
				found = TRUE;
				break;
			}
		}
	}
	if (!found) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "unknown unit '%s' in '%s': use B, KB, MB or GB (powers of 1024)", end, text);
		return FALSE;
	}
	number *= (gdouble) ((guint64) 1 << shift);
	/* 1 PB is absurd for a mail limit and keeps the cast below exact */
	if (number > (gdouble) ((guint64) 1 << 50)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is too large for a mail limit", text);
		return FALSE;
	}
	if (number != (gdouble) (guint64) number) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is not a whole number of bytes", text);
		return FALSE;
	}
	*out = (guint64) number;
	return TRUE;
}

char *
mp_format_size (guint64 bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	gdouble v = (gdouble) bytes;
	gsize u = 0;

	while (v >= 1024.0 && u + 1 < G_N_ELEMENTS (units)) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);
	/* one decimal, but never round up across a limit: 17.99 shows as 17.9 */
	return g_strdup_printf ("%.1f %s", (gdouble) ((guint64) (v * 10.0)) / 10.0, units[u]);
}

static gboolean
parse_rule (GKeyFile *kf, const char *group, const char *origin, MpRule **out, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *check = NULL;
	g_autofree char *max = NULL;
	g_autofree char *severity = NULL;
	MpRule *r;
	gsize ci;

	check = g_key_file_get_string (kf, group, "check", NULL);
	if (check == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] has no 'check'", origin, group);
		return FALSE;
	}
	g_strstrip (check);
	for (ci = 0; ci < G_N_ELEMENTS (checks); ci++)
		if (strcmp (check, checks[ci].name) == 0)
			break;
	if (ci == G_N_ELEMENTS (checks)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] unknown check '%s' (known: message-size, attachment-count)",
		             origin, group, check);
		return FALSE;
	}
	max = g_key_file_get_string (kf, group, "max", NULL);
	if (max == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] has no 'max'", origin, group);
		return FALSE;
	}
	g_strstrip (max);
	r = g_new0 (MpRule, 1);
	r->name = g_strdup (group + strlen ("rule "));
	g_strstrip (r->name);
	r->check = checks[ci].check;
	r->max_text = g_strdup (max);
	r->severity = MP_SEVERITY_ERROR;
	if (checks[ci].is_size) {
		if (!mp_parse_size (max, &r->max, &local)) {
			g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] max: %s", origin, group, local->message);
			rule_free (r);
			return FALSE;
		}
	} else if (!g_ascii_string_to_unsigned (max, 10, 0, 1000000000, &r->max, &local)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] max: '%s' is not a count from 0 to 1000000000",
		             origin, group, max);
		rule_free (r);
		return FALSE;
	}
	severity = g_key_file_get_string (kf, group, "severity", NULL);
	if (severity != NULL && !mp_severity_parse (g_strstrip (severity), &r->severity)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: [%s] unknown severity '%s' (error, warning or info)",
		             origin, group, severity);
		rule_free (r);
		return FALSE;
	}
	r->advice = g_key_file_get_string (kf, group, "advice", NULL);
	*out = r;
	return TRUE;
}

MpRuleSet *
mp_rules_load_data (const char *data, gsize len, const char *origin, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new ();
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) groups = NULL;
	g_autoptr(MpRuleSet) set = g_new0 (MpRuleSet, 1);

	set->origin = g_strdup (origin);
	set->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
	if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "%s: %s", origin, local->message);
		return NULL;
	}
	set->name = g_key_file_get_string (kf, "profile", "name", NULL);
	if (set->name == NULL)
		set->name = g_strdup (origin);
	groups = g_key_file_get_groups (kf, NULL);
	for (int i = 0; groups[i]; i++) {
		MpRule *r = NULL;
		if (strcmp (groups[i], "profile") == 0)
			continue;
		if (!g_str_has_prefix (groups[i], "rule ")) {
			g_set_error (error, MP_ERROR, MP_ERROR_RULES,
			             "%s: unknown group [%s]: groups are [profile] and [rule NAME]", origin, groups[i]);
			return NULL;
		}
		if (!parse_rule (kf, groups[i], origin, &r, error))
			return NULL;
		g_ptr_array_add (set->rules, r);
	}
	return g_steal_pointer (&set);
}

char **
mp_rules_builtin_names (void)
{
	g_auto(GStrv) files = g_resources_enumerate_children (PROFILE_PREFIX, 0, NULL);
	GPtrArray *names = g_ptr_array_new ();

	for (int i = 0; files && files[i]; i++)
		if (g_str_has_suffix (files[i], ".ini"))
			g_ptr_array_add (names, g_strndup (files[i], strlen (files[i]) - 4));
	g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
	g_ptr_array_add (names, NULL);
	return (char **) g_ptr_array_free (names, FALSE);
}

GBytes *
mp_rules_builtin_text (const char *name)
{
	g_autofree char *path = NULL;

	if (strchr (name, '/') != NULL)
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
	gsize len = 0;

	if (name_or_file == NULL)
		name_or_file = MP_DEFAULT_PROFILE;
	builtin = mp_rules_builtin_text (name_or_file);
	if (builtin != NULL) {
		g_autofree char *origin = g_strdup_printf ("built-in profile %s", name_or_file);
		return mp_rules_load_data (g_bytes_get_data (builtin, NULL), g_bytes_get_size (builtin),
		                           origin, error);
	}
	if (!g_file_test (name_or_file, G_FILE_TEST_EXISTS) && strchr (name_or_file, '/') == NULL &&
	    !g_str_has_suffix (name_or_file, ".ini")) {
		g_auto(GStrv) names = mp_rules_builtin_names ();
		g_autofree char *list = g_strjoinv (", ", names);
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is neither a built-in profile (%s) nor a rules file", name_or_file, list);
		return NULL;
	}
	if (!g_file_get_contents (name_or_file, &contents, &len, &local)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "rules: %s", local->message);
		return NULL;
	}
	return mp_rules_load_data (contents, len, name_or_file, error);
}

static void
add_finding (MpMessage *m, const MpRule *r, char *value, char *limit, char *detail)
{
	MpFinding *f = mp_finding_new ();

	f->rule = g_strdup (r->name);
	f->check = g_strdup (mp_check_name (r->check));
	f->severity = r->severity;
	f->value = value;
	f->limit = limit;
	f->detail = detail;
	f->advice = g_strdup (r->advice);
	mp_message_add_finding (m, f);
}

void
mp_rules_evaluate (const MpRuleSet *rules, MpMessage *m)
{
	if (m->skipped)
		return;
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);

		switch (r->check) {
		case MP_CHECK_MESSAGE_SIZE:
			/* inclusive limit: size <= max passes (DEFINITIONS.md, "Units") */
			if (m->size > r->max) {
				g_autofree char *have = mp_format_size (m->size);
				add_finding (m, r, g_strdup_printf ("%" G_GUINT64_FORMAT, m->size),
				             g_strdup_printf ("%" G_GUINT64_FORMAT, r->max),
				             g_strdup_printf ("%s (%" G_GUINT64_FORMAT " B) > %s (%" G_GUINT64_FORMAT " B)",
				                              have, m->size, r->max_text, r->max));
			}
			break;
		case MP_CHECK_ATTACHMENT_COUNT:
			if (m->attachments > r->max)
				add_finding (m, r, g_strdup_printf ("%u", m->attachments),
				             g_strdup_printf ("%" G_GUINT64_FORMAT, r->max),
				             g_strdup_printf ("%u attachments > %" G_GUINT64_FORMAT,
				                              m->attachments, r->max));
			break;
		default:
			g_assert_not_reached ();
		}
	}
}
