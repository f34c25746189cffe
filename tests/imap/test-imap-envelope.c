/* test-imap-envelope.c — ENVELOPE and INTERNALDATE onto the message model
 * (analyzer/source-imap-envelope.c): the values and problems a local copy
 * of the same header would give (tests/e2e/test_imap.py compares whole
 * mailboxes both ways; here each rule on its own). */
#include "source-imap-envelope.h"
#include "gmime-setup.h"

#include <string.h>

/* The message that "* 1 FETCH (UID 1 ATT)" gives. */
static MpMessage *
apply (const char *att)
{
	g_autofree char *text = g_strdup_printf ("* 1 FETCH (UID 1 %s)\r\n", att);
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(MpImapResponse) r = NULL;
	const MpImapValue *msg_att;
	MpMessage *m = mp_message_new ();

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) text, strlen (text), &error));
	g_assert_no_error (error);
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	msg_att = mp_imap_value_get_child (mp_imap_response_get_data (r), 2);
	mp_imap_envelope_apply (m, mp_imap_value_lookup (msg_att, "ENVELOPE"),
	                        mp_imap_value_lookup (msg_att, "INTERNALDATE"));
	return m;
}

static char *
problems (const MpMessage *m)
{
	g_autoptr(GString) s = g_string_new (NULL);

	for (guint i = 0; i < m->problems->len; i++)
		g_string_append_printf (s, "%s%s", i ? ";" : "", (const char *) g_ptr_array_index (m->problems, i));
	return g_strdup (s->str);
}

#define ARRIVED "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "

static void
test_complete (void)
{
	g_autoptr(MpMessage) m = apply (ARRIVED "ENVELOPE (\"Tue, 12 Mar 2019 10:00:00 +0100\" "
	                                "\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" "
	                                "((\"=?utf-8?q?Ann_B=C3=A9?=\" NIL \"ann\" \"example.org\")) "
	                                "NIL NIL NIL NIL NIL NIL \" <id@example.org> \")");
	g_autofree char *p = problems (m);

	g_assert_cmpstr (p, ==, "");
	g_assert_cmpint (m->date_source, ==, MP_DATE_HEADER);
	g_assert_cmpstr (m->date, ==, "2019-03-12T10:00:00+01:00");
	g_assert_cmpint (m->date_unix, ==, 1552381200);
	g_assert_cmpstr (m->subject, ==, "Gr\xc3\xbc\xc3\x9f" "e");
	g_assert_cmpstr (m->from, ==, "Ann B\xc3\xa9 <ann@example.org>");
	g_assert_cmpuint (m->from_addresses, ==, 1);
	/* without its angle brackets, as GMime gives it */
	g_assert_cmpstr (m->message_id, ==, "id@example.org");
	/* the arrival time is kept beside a valid Date: activity evidence
	 * (reading, filing) reads it */
	g_assert_cmpint (m->arrival_unix, ==, 837596665);
}

/* The arrival time alone (source-imap.c asks INTERNALDATE after the
 * metadata, for the messages that need it): M keeps its Date: and gains
 * the arrival time; without INTERNALDATE nothing changes. */
static void
test_arrival (void)
{
	g_autoptr(MpMessage) m = apply ("ENVELOPE (\"Tue, 12 Mar 2019 10:00:00 +0100\" NIL "
	                                "((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<i@x>\")");
	g_autofree char *text = g_strdup ("* 1 FETCH (UID 1 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n");
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(MpImapResponse) r = NULL;

	g_assert_cmpint (m->arrival_unix, ==, 0);
	mp_imap_envelope_apply_arrival (m, NULL);
	g_assert_cmpint (m->arrival_unix, ==, 0);
	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) text, strlen (text), &error));
	g_assert_no_error (error);
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	mp_imap_envelope_apply_arrival (m, mp_imap_value_lookup (mp_imap_value_get_child (mp_imap_response_get_data (r), 2),
	                                                         "INTERNALDATE"));
	g_assert_cmpint (m->arrival_unix, ==, 837596665);
	g_assert_cmpint (m->date_source, ==, MP_DATE_HEADER);
	g_assert_cmpint (m->date_unix, ==, 1552381200);
}

static void
test_dates (void)
{
	/* no Date: the arrival time stands in */
	g_autoptr(MpMessage) none = apply (ARRIVED "ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<i@x>\")");
	g_autofree char *pn = problems (none);
	g_assert_cmpstr (pn, ==, "missing-date");
	g_assert_cmpint (none->date_source, ==, MP_DATE_INTERNALDATE);
	g_assert_cmpstr (none->date, ==, "1996-07-17T02:44:25-07:00");

	/* a Date: nobody can read: said so, and the arrival time stands in */
	g_autoptr(MpMessage) bad = apply (ARRIVED "ENVELOPE (\"someday\" NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<i@x>\")");
	g_autofree char *pb = problems (bad);
	g_assert_cmpstr (pb, ==, "invalid-date: someday");
	g_assert_cmpint (bad->date_source, ==, MP_DATE_INTERNALDATE);

	/* a two-digit year is read, and flagged as strict importers refuse it */
	g_autoptr(MpMessage) two = apply (ARRIVED "ENVELOPE (\"Tue, 12 Mar 19 10:00:00 +0100\" NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<i@x>\")");
	g_assert_true (mp_message_has_problem (two, MP_PROBLEM_TWO_DIGIT_YEAR));
	g_assert_cmpint (two->date_source, ==, MP_DATE_HEADER);

	/* neither: no date at all */
	g_autoptr(MpMessage) neither = apply ("INTERNALDATE NIL ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL \"<i@x>\")");
	g_assert_cmpint (neither->date_source, ==, MP_DATE_NONE);
	g_assert_null (neither->date);
}

static void
test_from_and_id (void)
{
	/* RFC 3501 §7.4.2 group syntax: the markers (NIL host) are no address */
	g_autoptr(MpMessage) two = apply ("ENVELOPE (NIL NIL ((NIL NIL \"team\" NIL)(\"A\" NIL \"a\" \"x\")"
	                                  "(NIL NIL \"b\" \"x\")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL)");
	g_autofree char *p = problems (two);
	g_assert_cmpuint (two->from_addresses, ==, 2);
	g_assert_cmpstr (two->from, ==, "A <a@x>, b@x");
	g_assert_cmpstr (p, ==, "missing-date;multiple-from;missing-message-id");

	g_autoptr(MpMessage) nobody = apply ("ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL \"\")");
	g_autofree char *pn = problems (nobody);
	g_assert_null (nobody->from);
	g_assert_cmpstr (pn, ==, "missing-date;missing-from;missing-message-id");

	/* "From: user" has no domain: Dovecot says MISSING_DOMAIN, another
	 * server may say ""; printed bare, as GMime prints the header */
	g_autoptr(MpMessage) bare = apply ("ENVELOPE (NIL NIL ((NIL NIL \"user2\" \"MISSING_DOMAIN\")"
	                                   "(\"B\" NIL \"b\" \"\")) NIL NIL NIL NIL NIL NIL NIL)");
	g_assert_cmpstr (bare->from, ==, "user2, B <b>");
	g_assert_cmpuint (bare->from_addresses, ==, 2);
}

/* One FETCH's ENVELOPE applied through CACHE and without one: the same
 * From, address count and problems (the cache is exact by construction;
 * this proves it on the shapes format_addresses treats apart). */
static void
check_cached (MpEnvelopeCache *cache, const char *envelope)
{
	g_autofree char *text = g_strdup_printf ("* 1 FETCH (UID 1 ENVELOPE %s)\r\n", envelope);
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(MpImapResponse) r = NULL;
	g_autoptr(MpMessage) plain = mp_message_new ();
	g_autoptr(MpMessage) cached = mp_message_new ();
	const MpImapValue *env;

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) text, strlen (text), &error));
	g_assert_no_error (error);
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	env = mp_imap_value_lookup (mp_imap_value_get_child (mp_imap_response_get_data (r), 2), "ENVELOPE");
	mp_imap_envelope_apply (plain, env, NULL);
	mp_imap_envelope_apply_cached (cached, env, NULL, cache);
	g_assert_cmpstr (cached->from, ==, plain->from);
	g_assert_cmpuint (cached->from_addresses, ==, plain->from_addresses);
	{
		g_autofree char *a = problems (plain);
		g_autofree char *b = problems (cached);
		g_assert_cmpstr (b, ==, a);
	}
}

static void
test_from_cache (void)
{
	g_autoptr(MpEnvelopeCache) cache = mp_envelope_cache_new ();
	g_autofree char *long_name = g_strnfill (3000, 'n');
	g_autofree char *long_env = g_strdup_printf ("(NIL NIL ((\"%s\" NIL \"a\" \"x\")) NIL NIL NIL NIL NIL NIL NIL)",
	                                             long_name);
	g_autoptr(GString) many = g_string_new ("(NIL NIL (");
	const char *const shapes[] = {
		"(NIL NIL ((\"Ann\" NIL \"ann\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((NIL NIL \"ann\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((NIL NIL \"ann\" \"example.net\")) NIL NIL NIL NIL NIL NIL NIL)",
		/* an empty name is not a NIL one */
		"(NIL NIL ((\"\" NIL \"ann\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL)",
		/* encoded words, specials that need quoting, 8-bit and IDN */
		"(NIL NIL ((\"=?UTF-8?B?w4RubmE=?=\" NIL \"anna\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((\"Doe, John (Sales)\" NIL \"jd\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((\"J\\\"D\" NIL \"jd\" \"b\\\\c\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((\"Jos\xc3\xa9\" NIL \"jose\" \"xn--bcher-kva.example\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((NIL NIL \"u\" \"b\xc3\xbc" "cher.example\")) NIL NIL NIL NIL NIL NIL NIL)",
		/* the same fields split differently between name and mailbox */
		"(NIL NIL ((\"ab\" NIL \"c\" \"x\")) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((\"a\" NIL \"bc\" \"x\")) NIL NIL NIL NIL NIL NIL NIL)",
		/* two addresses, a group's markers, no address, none at all */
		"(NIL NIL ((NIL NIL \"g\" NIL)(\"A\" NIL \"a\" \"x\")(NIL NIL \"b\" \"x\")(NIL NIL NIL NIL)) NIL NIL NIL NIL "
		"NIL NIL NIL)",
		"(NIL NIL ((NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL () NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)",
		"(NIL NIL ((\"A\" NIL \"a\")) NIL NIL NIL NIL NIL NIL NIL)",
		long_env,
	};

	/* a From too long to be a key (over 1,024 octets of fields) */
	for (guint i = 0; i < 60; i++)
		g_string_append_printf (many, "(\"Person number %u\" NIL \"person%u\" \"example.org\")", i, i);
	g_string_append (many, ") NIL NIL NIL NIL NIL NIL NIL)");
	/* each twice: the second answer comes from the cache */
	for (guint round = 0; round < 2; round++) {
		for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
			check_cached (cache, shapes[i]);
		check_cached (cache, many->str);
	}
	/* more distinct lists than the cache holds: emptied, still exact */
	for (guint round = 0; round < 2; round++)
		for (guint i = 0; i < 1500; i += round ? 7 : 1) {
			g_autofree char *env = g_strdup_printf ("(NIL NIL ((\"N %u\" NIL \"m%u\" \"x\")) NIL NIL NIL NIL NIL NIL NIL)",
			                                       i, i % 10);
			check_cached (cache, env);
		}
}

static void
test_malformed (void)
{
	/* too short, or missing: one problem, and the arrival time still serves */
	g_autoptr(MpMessage) s = apply (ARRIVED "ENVELOPE (NIL NIL)");
	g_autofree char *ps = problems (s);
	g_assert_cmpstr (ps, ==, "malformed-envelope");
	g_assert_cmpint (s->date_source, ==, MP_DATE_INTERNALDATE);

	g_autoptr(MpMessage) none = apply (ARRIVED "FLAGS ()");
	g_autofree char *pn = problems (none);
	g_assert_cmpstr (pn, ==, "malformed-envelope");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	g_test_add_func ("/imap-envelope/complete", test_complete);
	g_test_add_func ("/imap-envelope/dates", test_dates);
	g_test_add_func ("/imap-envelope/arrival", test_arrival);
	g_test_add_func ("/imap-envelope/from-and-id", test_from_and_id);
	g_test_add_func ("/imap-envelope/malformed", test_malformed);
	g_test_add_func ("/imap-envelope/from-cache", test_from_cache);
	return g_test_run ();
}
