/* test-rules.c — sizes, the default profile and rules-file errors
 * (rules/rules.h). DEFINITIONS.md "Units": KB = 1024 octets, the seed limit
 * 17920 KB is 18,350,080 octets, and a limit is inclusive. */
#include "rules.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

typedef struct {
	const char *text;
	gboolean    ok;
	guint64     bytes;
} SizeCase;

static const SizeCase size_cases[] = {
	{ "17920 KB", TRUE, 18350080 },
	{ "17.5 MB", TRUE, 18350080 },
	{ "17920KB", TRUE, 18350080 },
	{ "17920 kb", TRUE, 18350080 },
	{ "17920 KiB", TRUE, 18350080 },
	{ "  17920 KB  ", TRUE, 18350080 },
	{ "1 GiB", TRUE, 1073741824 },
	{ "1 GB", TRUE, 1073741824 },
	{ "150 MB", TRUE, 157286400 },
	{ "1 MiB", TRUE, 1048576 },
	{ "100", TRUE, 100 },
	{ "100 B", TRUE, 100 },
	{ "0", TRUE, 0 },
	{ "0.5 KB", TRUE, 512 },
	{ "MBs", FALSE, 0 },
	{ "17 MBs", FALSE, 0 },
	{ "-1 MB", FALSE, 0 },
	{ "+1 MB", FALSE, 0 },
	{ "", FALSE, 0 },
	{ "   ", FALSE, 0 },
	{ "abc", FALSE, 0 },
	{ "17 XB", FALSE, 0 },
	{ "0.1 B", FALSE, 0 },     /* not a whole number of bytes */
	{ "nan", FALSE, 0 },
	{ "inf", FALSE, 0 },
	{ "1e30 GB", FALSE, 0 },  /* absurd */
};

static void
test_parse_size (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (size_cases); i++) {
		const SizeCase *c = &size_cases[i];
		g_autoptr(GError) error = NULL;
		guint64 out = 424242;
		gboolean ok = mp_parse_size (c->text, &out, &error);

		g_test_message ("size '%s'", c->text);
		g_assert_cmpint (ok, ==, c->ok);
		if (c->ok) {
			g_assert_no_error (error);
			g_assert_cmpuint (out, ==, c->bytes);
		} else {
			g_assert_error (error, MP_ERROR, MP_ERROR_RULES);
			g_assert_cmpuint (out, ==, 424242); /* untouched on error */
		}
	}
}

static void
test_format_size (void)
{
	static const struct { guint64 bytes; const char *text; } cases[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.0 KB" },
		{ 1536, "1.5 KB" },
		{ 18350080, "17.5 MB" },
		{ 18350079, "17.4 MB" },   /* rounded down: never shown as the limit */
		{ 18350081, "17.5 MB" },
		{ 1073741824, "1.0 GB" },
		{ G_GUINT64_CONSTANT (1099511627776), "1.0 TB" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *s = mp_format_size (cases[i].bytes);
		g_assert_cmpstr (s, ==, cases[i].text);
	}
}

static MpMessage *
message_with (guint64 size, guint attachments)
{
	MpMessage *m = mp_message_new ();

	m->folder = g_strdup ("INBOX");
	m->index = 1;
	m->size = size;
	m->attachments = attachments;
	return m;
}

static const MpFinding *
find (const MpMessage *m, const char *rule)
{
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		if (g_strcmp0 (f->rule, rule) == 0)
			return f;
	}
	return NULL;
}

/* FIND that fails the test (and tells the compiler so) when RULE is absent. */
static const MpFinding *
must_find (const MpMessage *m, const char *rule)
{
	const MpFinding *f = find (m, rule);

	if (f == NULL) {
		g_test_message ("no finding for rule %s", rule);
		g_test_fail ();
		abort ();
	}
	return f;
}

static void
test_default_profile_size (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load (MP_DEFAULT_PROFILE, &error);
	g_autoptr(MpMessage) at = message_with (18350080, 0);
	g_autoptr(MpMessage) over = message_with (18350081, 0);
	g_autoptr(MpMessage) small = message_with (1000, 0);
	const MpFinding *f;

	g_assert_no_error (error);
	g_assert_nonnull (rules);
	g_assert_cmpstr (MP_DEFAULT_PROFILE, ==, "outlook-connected-accounts");
	mp_rules_evaluate (rules, at);
	mp_rules_evaluate (rules, over);
	mp_rules_evaluate (rules, small);
	/* inclusive limit */
	g_assert_null (find (at, "too-large"));
	g_assert_cmpuint (at->findings->len, ==, 0);
	g_assert_cmpuint (small->findings->len, ==, 0);
	f = must_find (over, "too-large");
	g_assert_cmpuint (over->findings->len, ==, 1);
	g_assert_cmpstr (f->check, ==, "message-size");
	g_assert_cmpint (f->severity, ==, MP_SEVERITY_ERROR);
	g_assert_cmpstr (f->value, ==, "18350081");
	g_assert_cmpstr (f->limit, ==, "18350080");
	g_assert_nonnull (f->detail);
	g_assert_nonnull (strstr (f->detail, "17920 KB"));
	g_assert_nonnull (f->advice);
}

static void
test_default_profile_attachments (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load (MP_DEFAULT_PROFILE, &error);
	g_autoptr(MpMessage) at = message_with (1000, 100);
	g_autoptr(MpMessage) over = message_with (1000, 101);
	g_autoptr(MpMessage) both = message_with (18350081, 101);
	const MpFinding *f;

	g_assert_no_error (error);
	mp_rules_evaluate (rules, at);
	mp_rules_evaluate (rules, over);
	mp_rules_evaluate (rules, both);
	g_assert_cmpuint (at->findings->len, ==, 0);
	f = must_find (over, "too-many-attachments");
	g_assert_cmpuint (over->findings->len, ==, 1);
	g_assert_cmpstr (f->check, ==, "attachment-count");
	g_assert_cmpint (f->severity, ==, MP_SEVERITY_ERROR);
	g_assert_cmpstr (f->value, ==, "101");
	g_assert_cmpstr (f->limit, ==, "100");
	g_assert_cmpuint (both->findings->len, ==, 2);
	g_assert_nonnull (find (both, "too-large"));
	g_assert_nonnull (find (both, "too-many-attachments"));
}

/* A skipped pseudo-message (UW-IMAP internal data) is never judged. */
static void
test_skipped_not_evaluated (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load (MP_DEFAULT_PROFILE, &error);
	g_autoptr(MpMessage) m = message_with (G_MAXUINT32, 1000);

	g_assert_no_error (error);
	m->skipped = TRUE;
	mp_rules_evaluate (rules, m);
	g_assert_cmpuint (m->findings->len, ==, 0);
}

static void
test_load_data (void)
{
	static const char text[] =
		"[profile]\nname = Test\n\n"
		"[rule big]\ncheck = message-size\nmax = 1 KB\nseverity = warning\nadvice = shrink it\n\n"
		"[rule many]\ncheck = attachment-count\nmax = 2\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load_data (text, strlen (text), "test.ini", &error);
	g_autoptr(MpMessage) m = message_with (1025, 3);
	const MpRule *r;
	const MpFinding *f;

	g_assert_no_error (error);
	g_assert_cmpstr (rules->name, ==, "Test");
	g_assert_cmpuint (rules->rules->len, ==, 2);
	r = g_ptr_array_index (rules->rules, 0);
	g_assert_cmpstr (r->name, ==, "big");
	g_assert_cmpint (r->check, ==, MP_CHECK_MESSAGE_SIZE);
	g_assert_cmpuint (r->max, ==, 1024);
	g_assert_cmpstr (r->max_text, ==, "1 KB");
	g_assert_cmpint (r->severity, ==, MP_SEVERITY_WARNING);
	g_assert_cmpstr (r->advice, ==, "shrink it");
	r = g_ptr_array_index (rules->rules, 1);
	g_assert_cmpstr (r->name, ==, "many");
	g_assert_cmpint (r->check, ==, MP_CHECK_ATTACHMENT_COUNT);
	g_assert_cmpuint (r->max, ==, 2);
	g_assert_cmpint (r->severity, ==, MP_SEVERITY_ERROR); /* the default */

	mp_rules_evaluate (rules, m);
	g_assert_cmpuint (m->findings->len, ==, 2);
	f = must_find (m, "big");
	g_assert_cmpint (f->severity, ==, MP_SEVERITY_WARNING);
	g_assert_cmpstr (f->advice, ==, "shrink it");
	g_assert_nonnull (find (m, "many"));
}

typedef struct {
	const char *name;
	const char *text;
	const char *in_message; /* a word the error must contain */
} BadCase;

static const BadCase bad_cases[] = {
	{ "unknown-check", "[rule x]\ncheck = message-sise\nmax = 1 MB\n", "message-sise" },
	{ "missing-check", "[rule x]\nmax = 1 MB\n", "check" },
	{ "missing-max", "[rule x]\ncheck = message-size\n", "max" },
	{ "bad-severity", "[rule x]\ncheck = message-size\nmax = 1 MB\nseverity = fatal\n", "fatal" },
	{ "bad-size", "[rule x]\ncheck = message-size\nmax = 17 MBs\n", "MBs" },
	{ "negative-size", "[rule x]\ncheck = message-size\nmax = -1 MB\n", "-1 MB" },
	{ "bad-count", "[rule x]\ncheck = attachment-count\nmax = many\n", "many" },
	{ "unknown-group", "[rules x]\ncheck = message-size\nmax = 1 MB\n", "rules x" },
	{ "not-ini", "this is not a key file\n", "test.ini" },
	/* [folder-map]: the line of the entry, and what is wrong with it */
	{ "folder-map-no-arrow", "[profile]\nname = t\n[folder-map]\nsent = Sent Sent Items\n", "test.ini:4" },
	{ "folder-map-empty-target", "[folder-map]\nsent = Sent ->\n", "target folder" },
	{ "folder-map-star", "[folder-map]\nall = * -> Imported\n", "'*'" },
	{ "folder-map-twice", "[folder-map]\nsent = a -> b\nsent = c -> d\n", "test.ini:3" },
};

static void
test_load_data_errors (gconstpointer data)
{
	const BadCase *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load_data (c->text, strlen (c->text), "test.ini", &error);

	g_assert_null (rules);
	g_assert_error (error, MP_ERROR, MP_ERROR_RULES);
	g_test_message ("error: %s", error->message);
	g_assert_nonnull (strstr (error->message, c->in_message));
	g_assert_nonnull (strstr (error->message, "test.ini"));
}

static void
test_folder_map (void)
{
	/* an inheriting file overrides an entry by its label, drops one with an
	 * empty value and adds its own after the inherited ones */
	static const char text[] =
		"[profile]\ninherits = exchange-online\n"
		"[folder-map]\nsent = Sent -> Gesendete Elemente\ntrash =\nmine = [Gmail]/Sent Mail -> Sent Items\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load_data (text, strlen (text), "test.ini", &error);
	g_autoptr(MpRuleSet) generic = mp_rules_load ("generic", &error);
	g_autoptr(GString) seen = g_string_new (NULL);

	g_assert_no_error (error);
	for (guint i = 0; i < rules->folder_map->len; i++) {
		const MpFolderMapEntry *e = g_ptr_array_index (rules->folder_map, i);
		g_string_append_printf (seen, "%s=%s>%s;", e->label, e->source, e->target);
	}
	g_assert_cmpstr (seen->str, ==,
	                 "sent=Sent>Gesendete Elemente;sent-messages=Sent Messages>Sent Items;"
	                 "sent-mail=Sent Mail>Sent Items;deleted-messages=Deleted Messages>Deleted Items;"
	                 "junk=Junk>Junk Email;spam=Spam>Junk Email;mine=[Gmail]/Sent Mail>Sent Items;");
	/* a profile without a map has an empty one */
	g_assert_cmpuint (generic->folder_map->len, ==, 0);
}

static void
test_builtin_profiles (void)
{
	g_auto(GStrv) names = mp_rules_builtin_names ();
	g_autoptr(GError) error = NULL;

	g_assert_nonnull (names);
	g_assert_true (g_strv_contains ((const char *const *) names, "outlook-connected-accounts"));
	g_assert_true (g_strv_contains ((const char *const *) names, "generic"));
	/* every built-in profile loads, and has a text */
	for (int i = 0; names[i]; i++) {
		g_autoptr(MpRuleSet) rules = mp_rules_load (names[i], &error);
		g_autoptr(GBytes) text = mp_rules_builtin_text (names[i]);
		g_assert_no_error (error);
		g_assert_nonnull (rules);
		g_assert_cmpuint (rules->rules->len, >, 0);
		g_assert_nonnull (text);
		g_assert_nonnull (strstr (rules->origin, names[i]));
	}
	g_assert_null (mp_rules_builtin_text ("no-such-profile"));
	g_assert_null (mp_rules_builtin_text ("../outlook-connected-accounts"));
}

static void
test_load_unknown_profile (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) rules = mp_rules_load ("outlok-connected-accounts", &error);

	g_assert_null (rules);
	g_assert_error (error, MP_ERROR, MP_ERROR_RULES);
	g_assert_nonnull (strstr (error->message, "outlook-connected-accounts"));
}

static void
test_load_file (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("mp-rules-XXXXXX", &error);
	g_autofree char *path = g_build_filename (dir, "my.ini", NULL);
	g_autoptr(MpRuleSet) rules = NULL;

	g_assert_no_error (error);
	g_file_set_contents (path, "[rule r]\ncheck = message-size\nmax = 2 MB\n", -1, &error);
	g_assert_no_error (error);
	rules = mp_rules_load (path, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (rules->rules->len, ==, 1);
	g_assert_cmpuint (((MpRule *) g_ptr_array_index (rules->rules, 0))->max, ==, 2097152);
	g_assert_cmpstr (rules->origin, ==, path);
	g_unlink (path);
	g_rmdir (dir);
}

static void
test_check_names (void)
{
	g_assert_cmpstr (mp_check_name (MP_CHECK_MESSAGE_SIZE), ==, "message-size");
	g_assert_cmpstr (mp_check_name (MP_CHECK_ATTACHMENT_COUNT), ==, "attachment-count");
}

/* The flag vocabulary in rules files: `kinds` takes the names reports use
 * (smime_opaque), and the spelling rules files used before
 * (smime-opaque); anything else is an error that suggests the name. A
 * header rule's `problems` are the problem codes' names. */
static void
test_vocabulary_names (void)
{
	const char *const spellings[] = { "smime_opaque", "smime-opaque" };
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRuleSet) bad = NULL;
	g_autoptr(MpRuleSet) hdr = NULL;
	const char *bad_text = "[rule c]\ncheck = encrypted-or-signed\nkinds = smime_opaqe\n";
	const char *hdr_text = "[rule h]\ncheck = header\nproblems = two-digit-year, unencoded-8bit-header\n";

	for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++) {
		g_autofree char *text = g_strdup_printf ("[rule c]\ncheck = encrypted-or-signed\nkinds = signed, %s\n",
		                                         spellings[i]);
		g_autoptr(MpRuleSet) rules = mp_rules_load_data (text, strlen (text), "test.ini", &error);
		const MpRule *r;

		g_assert_no_error (error);
		r = g_ptr_array_index (rules->rules, rules->rules->len - 1);
		g_assert_cmpuint (r->crypto_flags, ==, MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_SMIME_OPAQUE);
	}
	bad = mp_rules_load_data (bad_text, strlen (bad_text), "test.ini", &error);
	g_assert_null (bad);
	g_assert_nonnull (strstr (error->message, "did you mean smime_opaque?"));
	g_clear_error (&error);
	hdr = mp_rules_load_data (hdr_text, strlen (hdr_text), "test.ini", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (((const MpRule *) g_ptr_array_index (hdr->rules, hdr->rules->len - 1))->header_problems, ==,
	                  MP_HDR_TWO_DIGIT_YEAR | MP_HDR_UNENCODED_8BIT);
	g_assert_cmpstr (mp_header_problem_name (MP_HDR_UNENCODED_8BIT), ==,
	                 mp_problem_name (MP_PROBLEM_UNENCODED_8BIT_HEADER));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/rules/parse-size", test_parse_size);
	g_test_add_func ("/rules/format-size", test_format_size);
	g_test_add_func ("/rules/default-profile/size", test_default_profile_size);
	g_test_add_func ("/rules/default-profile/attachments", test_default_profile_attachments);
	g_test_add_func ("/rules/skipped-not-evaluated", test_skipped_not_evaluated);
	g_test_add_func ("/rules/load-data", test_load_data);
	for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
		g_autofree char *path = g_strdup_printf ("/rules/load-data-error/%s", bad_cases[i].name);
		g_test_add_data_func (path, &bad_cases[i], test_load_data_errors);
	}
	g_test_add_func ("/rules/folder-map", test_folder_map);
	g_test_add_func ("/rules/builtin-profiles", test_builtin_profiles);
	g_test_add_func ("/rules/unknown-profile", test_load_unknown_profile);
	g_test_add_func ("/rules/load-file", test_load_file);
	g_test_add_func ("/rules/check-names", test_check_names);
	g_test_add_func ("/rules/vocabulary-names", test_vocabulary_names);
	return g_test_run ();
}
