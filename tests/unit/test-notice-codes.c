/* test-notice-codes.c — the notice vocabulary (analyzer/model/notice-codes.h):
 * one name a code, each written as reports and rules write codes, and each
 * documented for the people who read the reports: in README.md and in the
 * man page (their paths are the arguments after the GTest ones). */
#include "notice-codes.h"

#include <string.h>

static const char *readme_path;
static const char *man_path;

static void
test_names (void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

	for (guint c = 0; c < MP_NOTICE_COUNT; c++) {
		const char *name = mp_notice_name ((MpNotice) c);
		g_assert_nonnull (name);
		g_assert_cmpuint (strlen (name), >, 0);
		for (const char *p = name; *p; p++)
			g_assert_true (g_ascii_islower (*p) || *p == '-');
		g_assert_false (g_hash_table_contains (seen, name));
		g_hash_table_add (seen, (gpointer) name);
	}
}

/* The man page escapes each '-' of a name as "\-". */
static void
test_documented (void)
{
	g_autofree char *readme = NULL;
	g_autofree char *man = NULL;
	g_autoptr(GError) error = NULL;

	if (readme_path == NULL || man_path == NULL) {
		g_test_skip ("give README.md and the man page as arguments");
		return;
	}
	g_file_get_contents (readme_path, &readme, NULL, &error);
	g_assert_no_error (error);
	g_file_get_contents (man_path, &man, NULL, &error);
	g_assert_no_error (error);
	for (guint c = 0; c < MP_NOTICE_COUNT; c++) {
		const char *name = mp_notice_name ((MpNotice) c);
		g_autofree char *quoted = g_strdup_printf ("`%s`", name);
		g_auto(GStrv) pieces = g_strsplit (name, "-", -1);
		g_autofree char *escaped = g_strjoinv ("\\-", pieces);
		g_autofree char *entry = g_strdup_printf ("\n.B %s\n", escaped);
		if (strstr (readme, quoted) == NULL)
			g_error ("README.md does not name the notice %s", name);
		if (strstr (man, entry) == NULL)
			g_error ("the man page has no entry for the notice %s", name);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	if (argc >= 3) {
		readme_path = argv[1];
		man_path = argv[2];
	}
	g_test_add_func ("/notice-codes/names", test_names);
	g_test_add_func ("/notice-codes/documented", test_documented);
	return g_test_run ();
}
