/* test-accounts.c — the account model's arithmetic and parsers: calendar
 * months and the verdict at the six-month boundary (DEFINITIONS.md), the
 * evidence that wins, the accounts file's CSV reader and its errors,
 * account names and homes of SOURCE arguments, and the shard hash. */
#include "account.h"
#include "activity.h"
#include "csv-read.h"
#include "discover.h"
#include "rules.h"

#include <string.h>

static gint64
t_of (const char *iso)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, utc);

	g_assert_nonnull (dt);
	return g_date_time_to_unix (dt);
}

static void
test_months (void)
{
	static const struct {
		const char *from, *to;
		gint months;
	} cases[] = {
		{ "2025-01-15T10:00:00Z", "2025-07-15T10:00:00Z", 6 },
		{ "2025-01-15T10:00:00Z", "2025-07-15T09:59:59Z", 5 },
		{ "2025-01-15T10:00:00Z", "2025-07-15T10:00:01Z", 6 },
		/* the day is clamped: Aug 31 + 6 months is Feb 28 */
		{ "2024-08-31T00:00:00Z", "2025-02-28T00:00:00Z", 6 },
		{ "2024-08-31T00:00:00Z", "2025-02-27T23:59:59Z", 5 },
		/* a leap day */
		{ "2024-02-29T12:00:00Z", "2025-02-28T12:00:00Z", 12 },
		{ "2025-07-15T10:00:00Z", "2025-01-15T10:00:00Z", 0 },
		{ "2020-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 60 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_test_message ("%s .. %s", cases[i].from, cases[i].to);
		g_assert_cmpint (mp_calendar_months_between (t_of (cases[i].from), t_of (cases[i].to)), ==,
		                 cases[i].months);
	}
}

static void
test_verdict_boundary (void)
{
	MpDuration six = { 6, 0 };
	gint64 last = t_of ("2025-01-15T10:00:00Z");
	gint idle = -2;

	/* exactly six months idle: still within the limit */
	g_assert_cmpint (mp_account_verdict (last, t_of ("2025-07-15T10:00:00Z"), &six, MP_FORWARD_NO, &idle), ==,
	                 MP_VERDICT_ACTIVE);
	g_assert_cmpint (idle, ==, 6);
	/* one second more: abandoned, forwarded or unknown forwarding */
	g_assert_cmpint (mp_account_verdict (last, t_of ("2025-07-15T10:00:01Z"), &six, MP_FORWARD_NO, &idle), ==,
	                 MP_VERDICT_ABANDONED);
	g_assert_cmpint (mp_account_verdict (last, t_of ("2025-07-15T10:00:01Z"), &six, MP_FORWARD_YES, NULL), ==,
	                 MP_VERDICT_FORWARDED);
	g_assert_cmpint (mp_account_verdict (last, t_of ("2025-07-15T10:00:01Z"), &six, MP_FORWARD_UNKNOWN, NULL), ==,
	                 MP_VERDICT_IDLE_UNKNOWN_FORWARDING);
	/* no evidence: unknown, never a guess */
	g_assert_cmpint (mp_account_verdict (0, t_of ("2025-07-15T10:00:01Z"), &six, MP_FORWARD_NO, &idle), ==,
	                 MP_VERDICT_UNKNOWN);
	g_assert_cmpint (idle, ==, -1);
	/* a limit in days adds to the months */
	{
		MpDuration d = { 0, 30 };
		g_assert_cmpint (mp_account_verdict (last, last + 30 * 86400, &d, MP_FORWARD_NO, NULL), ==, MP_VERDICT_ACTIVE);
		g_assert_cmpint (mp_account_verdict (last, last + 30 * 86400 + 1, &d, MP_FORWARD_NO, NULL), ==,
		                 MP_VERDICT_ABANDONED);
	}
}

static MpMessage *
message (const char *folder, gint64 date, gint64 arrival, MpReadState read)
{
	MpMessage *m = mp_message_new ();

	m->folder = g_strdup (folder);
	m->index = 1;
	m->date_unix = date;
	m->date_source = date ? MP_DATE_HEADER : MP_DATE_NONE;
	m->arrival_unix = arrival;
	m->read_state = read;
	return m;
}

static void
test_evidence (void)
{
	gint64 as_of = t_of ("2025-07-15T00:00:00Z");
	g_autoptr(MpActivity) a = mp_activity_new (MP_EVIDENCE_DEFAULT_KINDS, NULL, as_of);
	g_autoptr(MpAccountResult) r = mp_account_result_new ("x");
	MpFolder inbox = { (char *) "INBOX", NULL, 0 };
	MpFolder envois = { (char *) "Mes envois", NULL, MP_SPECIAL_USE_SENT };
	MpFolder projects = { (char *) "Work/Projects", NULL, 0 };
	MpFolder trash = { (char *) "Trash", NULL, 0 };
	g_autoptr(MpMessage) m1 = message ("INBOX", as_of - 100 * 86400, as_of - 90 * 86400, MP_READ_SEEN);
	g_autoptr(MpMessage) m2 = message ("Mes envois", as_of - 50 * 86400, as_of - 10 * 86400, MP_READ_SEEN);
	g_autoptr(MpMessage) m3 = message ("Work/Projects", 0, as_of - 70 * 86400, MP_READ_UNSEEN);
	g_autoptr(MpMessage) m4 = message ("Trash", 0, as_of - 5 * 86400, MP_READ_UNSEEN);
	g_autoptr(MpMessage) future = message ("INBOX", 0, as_of + 30 * 86400, MP_READ_SEEN);

	g_assert_cmpint (mp_folder_role (&envois, NULL), ==, MP_FOLDER_ROLE_SENT);
	g_assert_cmpint (mp_folder_role (&projects, NULL), ==, MP_FOLDER_ROLE_USER);
	g_assert_cmpint (mp_folder_role (&trash, NULL), ==, MP_FOLDER_ROLE_TRASH);
	mp_activity_folder (a, "src", &inbox, FALSE);
	mp_activity_message (a, m1);
	mp_activity_message (a, future);
	mp_activity_folder (a, "src", &envois, FALSE);
	mp_activity_message (a, m2);
	mp_activity_folder (a, "src", &projects, FALSE);
	mp_activity_message (a, m3);
	mp_activity_folder (a, "src", &trash, FALSE);
	mp_activity_message (a, m4);
	mp_activity_fill (a, r);
	/* sending is the message's date in \Sent (not its arrival there) */
	g_assert_cmpint (r->evidence[MP_EVIDENCE_SENDING].time, ==, as_of - 50 * 86400);
	/* reading: the read message's arrival; the one "from the future" is none */
	g_assert_cmpint (r->evidence[MP_EVIDENCE_READING].time, ==, as_of - 90 * 86400);
	g_assert_cmpint (r->evidence[MP_EVIDENCE_FILING].time, ==, as_of - 70 * 86400);
	g_assert_nonnull (strstr (r->evidence[MP_EVIDENCE_FILING].place, "Work/Projects"));
	g_assert_cmpint (r->last_kind, ==, MP_EVIDENCE_SENDING);
	/* the admin's last login wins, even when older */
	mp_activity_login (a, as_of - 400 * 86400, "accounts.csv:2");
	mp_activity_fill (a, r);
	g_assert_cmpint (r->last_kind, ==, MP_EVIDENCE_LOGIN);
	g_assert_cmpint (mp_account_result_last_activity (r), ==, as_of - 400 * 86400);
}

static void
test_csv_reader (void)
{
	const char *text = "\xef\xbb\xbf" "a,b,c\r\n"
	                   "1,\"two, with comma\",\"three \"\"quoted\"\"\"\r\n"
	                   "\r\n"
	                   "x,\"multi\nline\",z\n"
	                   "last,,\n";
	g_autoptr(MpCsvReader) r = mp_csv_reader_new (text, strlen (text), "t.csv");
	g_autoptr(GError) error = NULL;
	GPtrArray *f;
	guint64 line;

	g_assert_true (mp_csv_reader_next (r, &f, &line, &error));
	g_assert_cmpuint (line, ==, 1);
	g_assert_cmpstr (g_ptr_array_index (f, 0), ==, "a");
	g_assert_true (mp_csv_reader_next (r, &f, &line, &error));
	g_assert_cmpuint (line, ==, 2);
	g_assert_cmpstr (g_ptr_array_index (f, 1), ==, "two, with comma");
	g_assert_cmpstr (g_ptr_array_index (f, 2), ==, "three \"quoted\"");
	g_assert_true (mp_csv_reader_next (r, &f, &line, &error));
	g_assert_cmpuint (line, ==, 4);
	g_assert_cmpstr (g_ptr_array_index (f, 1), ==, "multi\nline");
	g_assert_true (mp_csv_reader_next (r, &f, &line, &error));
	g_assert_cmpuint (line, ==, 6);
	g_assert_cmpuint (f->len, ==, 3);
	g_assert_cmpstr (g_ptr_array_index (f, 2), ==, "");
	g_assert_false (mp_csv_reader_next (r, &f, &line, &error));
	g_assert_no_error (error);
}

static void
test_csv_errors (void)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "a,b\n1,\"open\n", "t.csv:2: a quoted field is not closed" },
		{ "a,b\n1,\"x\"y\n", "t.csv:2: text after a closing" },
		{ "a,b\n\n\n1,x\"y\n", "t.csv:4: a '\"' inside an unquoted field" },
		{ "a,b\n1,\xff\n", "t.csv:2: a field is not valid UTF-8" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(MpCsvReader) r = mp_csv_reader_new (cases[i].text, strlen (cases[i].text), "t.csv");
		g_autoptr(GError) error = NULL;
		GPtrArray *f;
		guint64 line;

		g_assert_true (mp_csv_reader_next (r, &f, &line, &error));
		g_assert_false (mp_csv_reader_next (r, &f, &line, &error));
		g_assert_nonnull (error);
		g_test_message ("%s", error->message);
		g_assert_true (g_str_has_prefix (error->message, cases[i].error));
	}
}

static void
test_accounts_file (void)
{
	const char *text = "account,source,last_login,forward_to,home\n"
	                   "alice,/srv/a/Maildir,2025-01-31,,\n"
	                   "bob,imaps://bob@mail.example.org,2025-02-01T08:15:00Z,bob@else.example,\n"
	                   "alice,/srv/archive/alice.mbox,,,\n";
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	g_autoptr(GError) error = NULL;
	const MpAccount *a, *b;

	g_assert_true (mp_accounts_from_csv_data (text, strlen (text), "acc.csv", out, &error));
	g_assert_no_error (error);
	g_assert_true (mp_accounts_finish (out, &error));
	g_assert_cmpuint (out->len, ==, 2);
	a = g_ptr_array_index (out, 0);
	b = g_ptr_array_index (out, 1);
	g_assert_cmpstr (a->name, ==, "alice");
	g_assert_cmpuint (a->sources->len, ==, 2);
	g_assert_cmpint (a->last_login, ==, t_of ("2025-01-31T00:00:00Z"));
	g_assert_cmpstr (a->origin, ==, "acc.csv:2");
	g_assert_cmpstr (a->home, ==, "/srv/a");
	g_assert_cmpuint (a->ordinal, ==, 0);
	g_assert_cmpstr (b->forward_to, ==, "bob@else.example");
	g_assert_null (b->home);
	g_assert_cmpuint (b->ordinal, ==, 1);
}

static void
test_accounts_file_errors (void)
{
	const char *text = "account,source,password_file\n"
	                   "a,/srv/a,/pw\n"
	                   "b,imaps://b@h,\n"
	                   "c,imaps://c@h,/pw,extra\n";
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	g_autoptr(GError) error = NULL;

	g_assert_false (mp_accounts_from_csv_data (text, strlen (text), "acc.csv", out, &error));
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "acc.csv:2: password_file and oauth2_token_file are for IMAP"));
	g_assert_nonnull (strstr (error->message, "acc.csv:4: 4 fields, but the header has 3"));
	g_assert_null (strstr (error->message, "acc.csv:3"));
	g_assert_cmpuint (out->len, ==, 0);
}

/* `compare --accounts`: the target column and the target's own secret */
static void
test_accounts_file_targets (void)
{
	const char *text = "account,source,target,target_password_file,target_oauth2_token_file\n"
	                   "alice,/srv/a/Maildir,/new/alice,,\n"
	                   "bob,/srv/b/Maildir,imaps://bob@imap.example.org,,/tok/bob\n"
	                   "carol,/srv/c/Maildir,,,\n";
	const char *bad = "account,source,target,target_password_file,target_oauth2_token_file\n"
	                  "a,/srv/a,/new/a,/pw,\n"
	                  "b,/srv/b,imaps://b@h,/pw,/tok\n"
	                  "c,/srv/c,/new/c,,\n"
	                  "c,/srv/c2,/new/other,,\n"
	                  "d,/srv/d,,/pw,\n";
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	g_autoptr(GError) error = NULL;
	const MpAccount *a, *b, *c;

	g_assert_true (mp_accounts_from_csv_data (text, strlen (text), "acc.csv", out, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (out->len, ==, 3);
	a = g_ptr_array_index (out, 0);
	b = g_ptr_array_index (out, 1);
	c = g_ptr_array_index (out, 2);
	g_assert_cmpstr (a->target->location, ==, "/new/alice");
	g_assert_null (a->target->password_file);
	g_assert_cmpstr (b->target->location, ==, "imaps://bob@imap.example.org");
	g_assert_cmpstr (b->target->oauth2_token_file, ==, "/tok/bob");
	g_assert_null (b->target->password_file);
	g_assert_null (c->target);

	g_ptr_array_set_size (out, 0);
	g_assert_false (mp_accounts_from_csv_data (bad, strlen (bad), "acc.csv", out, &error));
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "acc.csv:2: target_password_file and target_oauth2_token_file "
	                                          "are for IMAP targets only"));
	g_assert_nonnull (strstr (error->message, "acc.csv:3: give target_password_file or "
	                                          "target_oauth2_token_file, not both"));
	g_assert_nonnull (strstr (error->message, "acc.csv:5: account c: target '/new/other'"));
	g_assert_nonnull (strstr (error->message, "acc.csv:6: target_password_file"));
	g_assert_null (strstr (error->message, "acc.csv:4"));
	/* an unknown column lists every known one, the target's too */
	g_clear_error (&error);
	g_assert_false (mp_accounts_from_csv_data ("account,source,targte\n", 22, "acc.csv", out, &error));
	g_assert_nonnull (strstr (error->message, "home, target, target_password_file, target_oauth2_token_file)"));
}

static void
test_names_and_homes (void)
{
	g_autofree char *origin = NULL;
	g_autofree char *n1 = mp_account_name_for_source ("/srv/mail/alice/Maildir");
	g_autofree char *n2 = mp_account_name_for_source ("/var/mail/jo");
	g_autofree char *n3 = mp_account_name_for_source ("imaps://carol%40example.org@mail.example.org/INBOX");
	g_autofree char *n4 = mp_account_name_for_source ("archive/dave.mbox");
	g_autofree char *h1 = mp_account_home_for_source ("/srv/mail/alice/Maildir", "alice", &origin);
	g_autofree char *h2 = NULL;
	g_autofree char *h3 = NULL;
	g_autofree char *h4 = NULL;
	g_autofree char *root_home = mp_passwd_home ("root");

	g_assert_cmpstr (n1, ==, "alice");
	g_assert_cmpstr (n2, ==, "jo");
	g_assert_cmpstr (n3, ==, "carol@example.org");
	g_assert_cmpstr (n4, ==, "dave");
	g_assert_cmpstr (h1, ==, "/srv/mail/alice");
	g_clear_pointer (&origin, g_free);
	/* /var/mail/USER: the home is USER's in the passwd database, not /var */
	h2 = mp_account_home_for_source ("/var/mail/root", "root", &origin);
	g_assert_cmpstr (h2, ==, root_home);
	g_assert_nonnull (strstr (origin, "passwd"));
	g_clear_pointer (&origin, g_free);
	h3 = mp_account_home_for_source ("/var/mail/no-such-user-mp15", "no-such-user-mp15", &origin);
	g_assert_null (h3);
	/* an IMAP account has no home on this machine */
	h4 = mp_account_home_for_source ("imaps://x@h", "x", &origin);
	g_assert_null (h4);
}

static void
test_shard_hash (void)
{
	guint taken[4] = { 0 };
	char name[32];

	/* FNV-1a 64 of "alice" is 0x508b2abb65a03907, of "bob" 0x4d4419134a0a54,
	 * of "carol" 0xafbc913b09910c72 (docs/scale-out.md): pinned, since a
	 * change of the hash would reshuffle every audit under way */
	g_assert_true (mp_shard_takes ("alice", 4, 4));
	g_assert_true (mp_shard_takes ("alice", 2, 7));
	g_assert_true (mp_shard_takes ("bob", 1, 4));
	g_assert_true (mp_shard_takes ("bob", 3, 7));
	g_assert_true (mp_shard_takes ("carol", 3, 4));
	g_assert_true (mp_shard_takes ("carol", 7, 7));
	g_assert_false (mp_shard_takes ("carol", 1, 4));
	for (int i = 0; i < 4000; i++) {
		guint hits = 0;
		g_snprintf (name, sizeof name, "user%d", i);
		for (guint k = 1; k <= 4; k++)
			if (mp_shard_takes (name, k, 4)) {
				taken[k - 1]++;
				hits++;
			}
		g_assert_cmpuint (hits, ==, 1);
	}
	for (int k = 0; k < 4; k++)
		g_assert_cmpuint (taken[k], >, 900);
}

static void
test_shard_parse (void)
{
	guint k = 0, n = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true (mp_shard_parse ("2/4", &k, &n, &error));
	g_assert_cmpuint (k, ==, 2);
	g_assert_cmpuint (n, ==, 4);
	g_assert_false (mp_shard_parse ("0/4", &k, &n, &error));
	g_clear_error (&error);
	g_assert_false (mp_shard_parse ("5/4", &k, &n, &error));
	g_clear_error (&error);
	g_assert_false (mp_shard_parse ("x", &k, &n, &error));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_unsetenv ("JOB_COMPLETION_INDEX");
	g_unsetenv ("SLURM_ARRAY_TASK_ID");
	g_test_add_func ("/accounts/calendar-months", test_months);
	g_test_add_func ("/accounts/verdict-six-month-boundary", test_verdict_boundary);
	g_test_add_func ("/accounts/evidence", test_evidence);
	g_test_add_func ("/accounts/csv-reader", test_csv_reader);
	g_test_add_func ("/accounts/csv-errors", test_csv_errors);
	g_test_add_func ("/accounts/accounts-file", test_accounts_file);
	g_test_add_func ("/accounts/accounts-file-errors", test_accounts_file_errors);
	g_test_add_func ("/accounts/accounts-file-targets", test_accounts_file_targets);
	g_test_add_func ("/accounts/names-and-homes", test_names_and_homes);
	g_test_add_func ("/accounts/shard-hash", test_shard_hash);
	g_test_add_func ("/accounts/shard-parse", test_shard_parse);
	return g_test_run ();
}
