/* test-message.c — the message model (analyzer/model/message.h): how a
 * problem's detail is recorded, how a Subject is shown. */
#include "message.h"

#include <string.h>

static const char *
only_problem (const MpMessage *m)
{
	g_assert_cmpuint (m->problems->len, ==, 1);
	return g_ptr_array_index (m->problems, 0);
}

static void
test_detail_short (void)
{
	g_autoptr(MpMessage) m = mp_message_new ();

	mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, "Permission denied");
	g_assert_cmpstr (only_problem (m), ==, "unreadable: Permission denied");
}

/* A long detail keeps its end, where the cause is: cut at 80 octets, an
 * IMAP error lost it (issue 14, item 13). */
static void
test_detail_keeps_cause (void)
{
	g_autoptr(MpMessage) m = mp_message_new ();
	const char *detail = "imaps://alice.longname@imap.university.example.edu:993: UID FETCH 1001:1500 "
	                     "(UID RFC822.SIZE INTERNALDATE FLAGS BODYSTRUCTURE ENVELOPE): after 3 tries: "
	                     "the server closed the connection: BYE literal too large";
	const char *got;

	mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, detail);
	got = only_problem (m);
	g_assert_true (g_str_has_prefix (got, "unreadable: imaps://alice.longname@imap.university.example.edu:993"));
	g_assert_true (g_str_has_suffix (got, "the server closed the connection: BYE literal too large"));
	g_assert_nonnull (strstr (got, "..."));
	g_assert_cmpuint (strlen (got), <=, strlen ("unreadable: ") + 80 + 3 + 80);
}

/* Up to 160 octets a detail is kept whole; control characters become
 * blanks; multi-byte characters are never split. */
static void
test_detail_one_line (void)
{
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autoptr(GString) big = g_string_new (NULL);
	const char *got;

	mp_message_add_problem (m, MP_PROBLEM_INVALID_DATE, "Tue,\r\n 32 Foo 2019\t");
	g_assert_cmpstr (g_ptr_array_index (m->problems, 0), ==, "invalid-date: Tue,   32 Foo 2019");
	for (int i = 0; i < 100; i++)
		g_string_append (big, "\xc3\xa4"); /* 200 octets of ä */
	mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, big->str);
	got = g_ptr_array_index (m->problems, 1);
	g_assert_true (g_utf8_validate (got, -1, NULL));
	g_assert_cmpuint (strlen (got), ==, strlen ("unreadable: ") + 80 + 3 + 80);
}

/* A Subject's blanks and line breaks as Dovecot's ENVELOPE writes them:
 * a run as one space, none at the ends; then capped, however many blanks a
 * hostile value has. */
static void
test_subject_text (void)
{
	g_autofree char *folded = mp_message_subject_text ("  Re:  Another Priceless \r\n\tMoment\t ");
	g_autofree char *plain = mp_message_subject_text ("plain subject");
	g_autofree char *blank = mp_message_subject_text (" \t ");
	g_autoptr(GString) huge = g_string_new (NULL);
	g_autofree char *capped = NULL;

	g_assert_cmpstr (folded, ==, "Re: Another Priceless Moment");
	g_assert_cmpstr (plain, ==, "plain subject");
	g_assert_cmpstr (blank, ==, "");
	for (int i = 0; i < 1000000; i++)
		g_string_append (huge, "a   ");
	capped = mp_message_subject_text (huge->str);
	g_assert_cmpuint (g_utf8_strlen (capped, -1), ==, MP_MAX_HEADER_TEXT + 1); /* and the "…" */
	g_assert_true (g_str_has_prefix (capped, "a a a "));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/message/detail-short", test_detail_short);
	g_test_add_func ("/message/detail-keeps-cause", test_detail_keeps_cause);
	g_test_add_func ("/message/detail-one-line", test_detail_one_line);
	g_test_add_func ("/message/subject-text", test_subject_text);
	return g_test_run ();
}
