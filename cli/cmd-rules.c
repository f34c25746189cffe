/* cmd-rules.c — `mailpreflight rules list|show NAME|check FILE`. */
#include "commands.h"
#include "rules.h"

#include <stdio.h>
#include <string.h>

/* What [profile] says beside the rules. */
static void
print_profile_settings (const MpRuleSet *set)
{
	printf ("  messages marked deleted: %s\n", set->deleted_skip ? "not judged (deleted = skip)"
	                                                            : "judged (deleted = judge)");
	if (set->exclude_folders) {
		g_autofree char *list = g_strjoinv (", ", set->exclude_folders);
		printf ("  folders left out: %s\n", list);
	}
	if (set->include_folders) {
		g_autofree char *list = g_strjoinv (", ", set->include_folders);
		printf ("  only the folders: %s\n", list);
	}
}

int
mp_cmd_rules (int argc, char **argv)
{
	if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
		FILE *fp = argc < 2 ? stderr : stdout;
		fprintf (fp, "Usage:\n"
		             "  mailpreflight rules list         the built-in target profiles\n"
		             "  mailpreflight rules show NAME    print a profile, to copy and edit\n"
		             "  mailpreflight rules check FILE   validate a rules file (exit 0 valid, 2 not)\n"
		             "\nThe rules file format is described in mailpreflight(1) and README.md.\n");
		return argc < 2 ? MP_EXIT_USAGE : MP_EXIT_OK;
	}
	if (strcmp (argv[1], "list") == 0) {
		g_auto(GStrv) names = mp_rules_builtin_names ();
		for (int i = 0; names[i]; i++) {
			g_autoptr(GError) error = NULL;
			g_autoptr(MpRuleSet) set = mp_rules_load (names[i], &error);
			printf ("%-28s %s%s\n", names[i], set ? set->name : error->message,
			        strcmp (names[i], MP_DEFAULT_PROFILE) == 0 ? " (default)" : "");
		}
		return MP_EXIT_OK;
	}
	if (strcmp (argv[1], "show") == 0 && argc == 3) {
		g_autoptr(GBytes) text = mp_rules_builtin_text (argv[2]);
		if (text == NULL) {
			g_printerr ("mailpreflight rules: no built-in profile '%s' (see 'mailpreflight rules list')\n", argv[2]);
			return MP_EXIT_USAGE;
		}
		fwrite (g_bytes_get_data (text, NULL), 1, g_bytes_get_size (text), stdout);
		return MP_EXIT_OK;
	}
	if (strcmp (argv[1], "check") == 0 && argc == 3) {
		g_autoptr(GError) error = NULL;
		g_autoptr(MpRuleSet) set = NULL;
		g_autoptr(GPtrArray) errors = NULL;
		g_autofree char *contents = NULL;
		gsize len = 0;
		const char *origin = strcmp (argv[2], "-") == 0 ? "/dev/stdin" : argv[2];

		/* a named profile is no file to check: read the path as given */
		if (!g_file_get_contents (origin, &contents, &len, &error)) {
			g_printerr ("mailpreflight rules: %s\n", error->message);
			return MP_EXIT_USAGE;
		}
		/* every error, each with its file and line: fixed in one go */
		set = mp_rules_check_data (contents, len, argv[2], &errors);
		if (set == NULL) {
			for (guint i = 0; i < errors->len; i++)
				g_printerr ("%s\n", (const char *) g_ptr_array_index (errors, i));
			g_printerr ("%s: %u error(s)\n", argv[2], errors->len);
			return MP_EXIT_USAGE;
		}
		printf ("%s: OK, %u rule(s), profile \"%s\"\n", argv[2], set->rules->len, set->name);
		for (guint i = 0; i < set->rules->len; i++) {
			const MpRule *rule = g_ptr_array_index (set->rules, i);
			printf ("  %-28s %-22s %-8s %s\n", rule->name, mp_check_name (rule->check),
			        mp_severity_name (rule->severity), rule->max_text ? rule->max_text : "");
		}
		print_profile_settings (set);
		if (set->folder_map->len > 0)
			printf ("folder map (compare): %u entr%s\n", set->folder_map->len,
			        set->folder_map->len == 1 ? "y" : "ies");
		for (guint i = 0; i < set->folder_map->len; i++) {
			const MpFolderMapEntry *e = g_ptr_array_index (set->folder_map, i);
			printf ("  %-28s %s -> %s\n", e->label, e->source, e->target);
		}
		return MP_EXIT_OK;
	}
	fprintf (stderr, "mailpreflight rules: unknown arguments; try 'mailpreflight rules --help'\n");
	return MP_EXIT_USAGE;
}
