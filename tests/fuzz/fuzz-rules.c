/* fuzz-rules.c — rules files (rules/rules.c: GKeyFile, sizes, severities).
 *
 * The input is a rules file. When it loads, every rule must be complete
 * (a name, a known severity, a named check), every [folder-map] entry must
 * have UTF-8 names and map its own source, and evaluating the rules on a
 * few messages must work; when it does not, the GError must be
 * MP_ERROR_RULES with a valid UTF-8 message. mp_rules_check_data (every
 * error, for `rules check`) agrees: no error exactly when the file loads,
 * and the load's message is those errors, one a line, each "FILE:LINE: " or
 * "FILE: ". The input, cut at its first NUL, also goes through
 * mp_parse_size, and a parsed size round-trips through mp_format_size.
 * abort() on violation. */
#include "fuzz-common.h"
#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-rules: %s\n", what);
	abort ();
}

static void
evaluate_on (const MpRuleSet *rules, guint64 size, guint attachments)
{
	g_autoptr(MpMessage) m = mp_message_new ();

	m->size = size;
	m->attachments = attachments;
	mp_rules_evaluate (rules, m);
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		if (f->rule == NULL || f->check == NULL || f->detail == NULL)
			fail ("a finding without rule, check or detail");
		if (!g_utf8_validate (f->detail, -1, NULL))
			fail ("a finding detail that is not UTF-8");
	}
	if (m->findings->len > rules->rules->len)
		fail ("more findings than rules");
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = NULL;
	g_autofree char *text = g_strndup ((const char *) data, size);

	rules = mp_rules_load_data ((const char *) data, size, "fuzz.ini", &error);
	if (rules == NULL) {
		if (error == NULL || error->domain != MP_ERROR || error->code != MP_ERROR_RULES)
			fail ("load failed without an MP_ERROR_RULES error");
		if (!g_utf8_validate (error->message, -1, NULL))
			fail ("error message is not UTF-8");
	} else {
		if (error != NULL)
			fail ("load succeeded and set an error");
		if (rules->name == NULL || rules->origin == NULL)
			fail ("rule set without name or origin");
		for (guint i = 0; i < rules->rules->len; i++) {
			const MpRule *r = g_ptr_array_index (rules->rules, i);
			if (r->name == NULL)
				fail ("rule without a name");
			if ((guint) r->severity > MP_SEVERITY_ERROR)
				fail ("rule with an unknown severity");
			if (mp_check_name (r->check) == NULL)
				fail ("rule with a check that has no name");
			if (r->max_text != NULL && !g_utf8_validate (r->max_text, -1, NULL))
				fail ("max_text is not UTF-8");
		}
		for (guint i = 0; i < rules->folder_map->len; i++) {
			const MpFolderMapEntry *e = g_ptr_array_index (rules->folder_map, i);
			g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
			if (e->label == NULL || e->source == NULL || e->target == NULL || !*e->source || !*e->target)
				fail ("a folder-map entry without a label, source or target");
			if (!g_utf8_validate (e->source, -1, NULL) || !g_utf8_validate (e->target, -1, NULL))
				fail ("a folder-map name that is not UTF-8");
			if (strcmp (e->source, "*") != 0 && !mp_folder_map_targets (rules->folder_map, e->source, out))
				fail ("a folder-map entry that does not map its own source");
		}
		evaluate_on (rules, 0, 0);
		evaluate_on (rules, 18350081, 500);
		evaluate_on (rules, G_MAXUINT64, G_MAXUINT);
	}

	{
		g_autoptr(GPtrArray) errors = NULL;
		g_autoptr(MpRuleSet) again = mp_rules_check_data ((const char *) data, size, "fuzz.ini", &errors);
		if ((again == NULL) != (rules == NULL) || (errors->len == 0) != (rules != NULL))
			fail ("mp_rules_check_data and mp_rules_load_data disagree");
		if (rules == NULL) {
			g_autoptr(GString) joined = g_string_new (NULL);
			for (guint i = 0; i < errors->len; i++) {
				const char *e = g_ptr_array_index (errors, i);
				if (!g_str_has_prefix (e, "fuzz.ini") && strstr (e, ".ini") == NULL &&
				    !g_str_has_prefix (e, "built-in profile"))
					fail ("an error that names no file");
				g_string_append_printf (joined, "%s%s", i ? "\n" : "", e);
			}
			if (strcmp (joined->str, error->message) != 0)
				fail ("the load error is not the list of errors");
		}
	}
	{
		g_autoptr(GError) e2 = NULL;
		guint64 bytes = 0;
		if (mp_parse_size (text, &bytes, &e2)) {
			g_autofree char *shown = mp_format_size (bytes);
			if (shown == NULL || !g_utf8_validate (shown, -1, NULL))
				fail ("mp_format_size gave no valid text");
		} else if (e2 == NULL) {
			fail ("mp_parse_size failed without an error");
		}
	}
	return 0;
}
