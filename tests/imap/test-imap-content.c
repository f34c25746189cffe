/* test-imap-content.c — the content checks of IMAP sources at the edge
 * (analyzer/source-imap-content.c): how streamed BODY[...] literals are
 * applied to a message (longest line, archive listing, measured size) —
 * also when several responses arrive in one read. What a plan fetches is
 * tested in test-imap-content-plan.c. */
#include "source-imap-content.h"
#include "archive-list.h"
#include "mime-analyze.h"

#include <string.h>

/* A zip holding tools/evil.exe and readme.txt, base64 with CRLF lines. */
static const char zip_b64[] =
	"UEsDBBQAAAAAAAAAIVBdm7CPAgAAAAIAAAAOAAAAdG9vbHMvZXZpbC5leGVNWlBLAwQUAAAAAAAA\r\n"
	"ACFQrCqT2AIAAAACAAAACgAAAHJlYWRtZS50eHRoaVBLAQIUAxQAAAAAAAAAIVBdm7CPAgAAAAIA\r\n"
	"AAAOAAAAAAAAAAAAAACAAQAAAAB0b29scy9ldmlsLmV4ZVBLAQIUAxQAAAAAAAAAIVCsKpPYAgAA\r\n"
	"AAIAAAAKAAAAAAAAAAAAAACAAS4AAAByZWFkbWUudHh0UEsFBgAAAAACAAIAdAAAAFgAAAAAAA==\r\n";

/* Parses BYTES (one or more complete responses) fed in CHUNK-octet pieces
 * with STREAM attached (NULL: literals kept); returns the responses. */
static GPtrArray *
parse_all (const char *bytes, gsize len, gsize chunk, MpImapContentStream *stream)
{
	MpImapParserSettings set;
	g_autoptr(MpImapParser) p = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_imap_response_free);
	MpImapResponse *r;

	mp_imap_parser_settings_init (&set);
	if (stream != NULL)
		mp_imap_content_stream_attach (stream, &set);
	p = mp_imap_parser_new (&set);
	for (gsize off = 0; off < len; off += chunk)
		g_assert_true (mp_imap_parser_feed (p, (const guint8 *) bytes + off, MIN (chunk, len - off), &error));
	g_assert_no_error (error);
	while ((r = mp_imap_parser_pop (p)) != NULL)
		g_ptr_array_add (out, r);
	return out;
}

static const MpImapValue *
msg_att (GPtrArray *responses, guint i)
{
	return mp_imap_value_get_child (mp_imap_response_get_data (g_ptr_array_index (responses, i)), 2);
}

static GArray *
regions_new (void)
{
	GArray *a = g_array_new (FALSE, FALSE, sizeof (MpImapRegion));

	g_array_set_clear_func (a, (GDestroyNotify) mp_imap_region_clear);
	return a;
}

/* The message M and regions R of BODYSTRUCTURE text BS with RFC822.SIZE SIZE. */
static MpMessage *
walk (const char *bs, guint64 size, GArray *r)
{
	g_autofree char *text = g_strdup_printf ("* 1 FETCH (UID 1 BODYSTRUCTURE %s)\r\n", bs);
	g_autoptr(GPtrArray) resp = parse_all (text, strlen (text), strlen (text), NULL);
	MpMessage *m = mp_message_new ();

	g_assert_cmpuint (resp->len, ==, 1);
	mp_imap_bodystructure_analyze_regions (mp_imap_value_lookup (msg_att (resp, 0), "BODYSTRUCTURE"), m, r,
	                                       mp_mime_decode_header_text);
	m->size = size;
	return m;
}

/* multipart/mixed (text, multipart/alternative (text, html), zip, message/rfc822) */
static const char mixed[] =
	"((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 1 NIL NIL NIL NIL)"
	"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 30 1 NIL NIL NIL NIL)"
	"(\"text\" \"html\" NIL NIL NIL \"quoted-printable\" 40 1 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"a\") NIL NIL NIL)"
	"(\"application\" \"zip\" (\"name\" \"t.zip\") NIL NIL \"base64\" 5000 NIL (\"attachment\" (\"filename\" \"t.zip\")) NIL NIL)"
	"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 3000 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL)"
	" ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)"
	"  (\"application\" \"zip\" (\"name\" \"inner.zip\") NIL NIL \"base64\" 900 NIL (\"attachment\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"
	" 60 NIL NIL NIL NIL)"
	" \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)";

/* Two FETCH responses in one buffer: the parser completes both before the
 * first is applied, so the literals must be matched in order. */
static void
check_apply (gsize chunk)
{
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk (mixed, 9000, r);
	g_autoptr(MpMessage) other = mp_message_new ();
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (0);
	g_autoptr(GString) body3 = g_string_new (zip_b64);
	g_autoptr(GString) text = g_string_new (NULL);
	g_autoptr(GPtrArray) resp = NULL;
	MpImapContentNeeds needs = { .line_limit = 1000, .attachment_wanted = mp_archive_is_candidate,
	                             .size_exact = TRUE };
	g_autofree char *line = g_strnfill (1500, 'L');
	guint64 header = G_MAXUINT64;
	const MpAttachment *a;

	g_string_append_printf (text, "* 1 FETCH (UID 1 BODY[HEADER] {%u}\r\nSubject: x\r\n\r\n",
	                        (guint) strlen ("Subject: x\r\n\r\n"));
	g_string_append_printf (text, " BODY[3] {%u}\r\n%s", (guint) body3->len, body3->str);
	g_string_append_printf (text, " BODY[4] {%u}\r\n%s\r\nshort", (guint) strlen (line) + 7, line);
	g_string_append (text, ")\r\n");
	/* an unsolicited FETCH with a literal of its own, then a quoted one */
	g_string_append (text, "* 2 FETCH (UID 2 BODY[1] {5}\r\nabcde)\r\n");
	g_string_append (text, "* 3 FETCH (UID 3 BODY[1] \"quoted\" BODY[2] NIL)\r\n");

	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 1, "HEADER", 9000, FALSE);
	mp_imap_content_stream_expect (s, 1, "3", body3->len, TRUE);
	mp_imap_content_stream_expect (s, 1, "4", 5000, FALSE);
	mp_imap_content_stream_expect (s, 3, "1", 100, FALSE);
	mp_imap_content_stream_expect (s, 3, "2", 100, FALSE);
	resp = parse_all (text->str, text->len, chunk, s);
	g_assert_cmpuint (resp->len, ==, 3);

	mp_imap_content_apply (s, msg_att (resp, 0), m, r, &needs, &header);
	g_assert_cmpuint (header, ==, strlen ("Subject: x\r\n\r\n"));
	g_assert_cmpuint (m->max_line, ==, 1500);
	g_assert_cmpint (m->fetched, ==, MP_FETCHED_PARTS);
	g_assert_cmpuint (m->fetched_octets, ==, strlen ("Subject: x\r\n\r\n") + body3->len + strlen (line) + 7);
	a = g_ptr_array_index (m->attachment_list, 0);
	g_assert_nonnull (a->archive_entries);
	g_assert_cmpuint (a->archive_entries->len, ==, 2);
	g_assert_cmpstr (g_ptr_array_index (a->archive_entries, 0), ==, "tools/evil.exe");
	g_assert_null (a->archive_problem);
	g_assert_cmpuint (m->problems->len, ==, 0);

	/* not ours: dropped, and the next response still finds its own */
	mp_imap_content_stream_drop (s, msg_att (resp, 1));
	mp_imap_content_apply (s, msg_att (resp, 2), other, NULL, &needs, NULL);
	g_assert_cmpuint (other->max_line, ==, 6);
	g_assert_cmpuint (other->fetched_octets, ==, 6);
	g_assert_true (mp_message_has_problem (other, MP_PROBLEM_CONTENT_UNAVAILABLE));
}

static void
test_apply_one_read (void)
{
	check_apply (1 << 20);
}

static void
test_apply_byte_by_byte (void)
{
	check_apply (1);
}

static void
test_out_of_step (void)
{
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (0);
	g_autoptr(MpMessage) m = mp_message_new ();
	const char text[] = "* 1 FETCH (UID 1 BODY[2] {3}\r\nabc)\r\n* 2 FETCH (UID 2 BODY[] {2}\r\nxy)\r\n";
	g_autoptr(GPtrArray) resp = NULL;
	MpImapContentNeeds needs = { .line_limit = 1, .size_exact = TRUE };

	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 1, "2", 3, FALSE);
	mp_imap_content_stream_expect (s, 2, "", 2, FALSE);
	resp = parse_all (text, strlen (text), strlen (text), s);
	/* the first response is never applied nor dropped (a caller bug or a
	 * server out of step): the second must not take its literal */
	mp_imap_content_apply (s, msg_att (resp, 1), m, NULL, &needs, NULL);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_CONTENT_UNREADABLE));
	g_assert_cmpint (m->fetched, ==, MP_FETCHED_NONE);
}

static void
test_inactive_keeps_literals (void)
{
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (0);
	const char text[] = "* 1 FETCH (UID 1 ENVELOPE (NIL {3}\r\nabc NIL NIL NIL NIL NIL NIL NIL NIL) BODY[1] {2}\r\nxy)\r\n";
	g_autoptr(GPtrArray) resp = NULL;
	const MpImapValue *v;

	/* metadata FETCHes: nothing is streamed */
	resp = parse_all (text, strlen (text), 7, s);
	v = mp_imap_value_lookup (msg_att (resp, 0), "BODY[1]");
	g_assert_false (mp_imap_value_is_streamed (v));
	g_assert_cmpstr (mp_imap_value_get_string (v, NULL), ==, "xy");
}

/* Parses BYTES with STREAM attached; the parser's error, or NULL. */
static GError *
parse_error (const char *bytes, gsize len, MpImapContentStream *stream, GPtrArray **out)
{
	MpImapParserSettings set;
	g_autoptr(MpImapParser) p = NULL;
	GError *error = NULL;
	MpImapResponse *r;

	mp_imap_parser_settings_init (&set);
	mp_imap_content_stream_attach (stream, &set);
	p = mp_imap_parser_new (&set);
	mp_imap_parser_feed (p, (const guint8 *) bytes, len, &error);
	*out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_imap_response_free);
	while ((r = mp_imap_parser_pop (p)) != NULL)
		g_ptr_array_add (*out, r);
	return error;
}

/* Issue 14, item 2: a literal larger than what was asked for (the
 * section's octets, with slack) fails the connection at its header,
 * before a single octet is read: 2^64-1 octets where 100 were asked. */
static void
test_literal_over_asked (void)
{
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (0);
	g_autoptr(GPtrArray) resp = NULL;
	g_autoptr(GError) error = NULL;
	const char huge[] = "* 1 FETCH (UID 7 BODY[2] {18446744073709551615}\r\nabc";
	const char fits[] = "* 1 FETCH (UID 7 BODY[2] {100}\r\n";

	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 7, "2", 100, TRUE);
	error = parse_error (huge, strlen (huge), s, &resp);
	g_assert_nonnull (error);
	g_assert_nonnull (strstr (error->message, "BODY[2] with 18446744073709551615 octets where at most 100"));
	g_clear_error (&error);
	g_clear_pointer (&resp, g_ptr_array_unref);
	/* exactly what was asked is fine */
	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 7, "2", 100, TRUE);
	error = parse_error (fits, strlen (fits), s, &resp);
	g_assert_no_error (error);
}

/* Issue 14, item 3: only requested sections are streamed (and spooled),
 * once each; anything else is kept by the parser, bounded, never spooled;
 * spooled octets stay within the connection's budget. */
static void
test_only_requested (void)
{
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (1000);
	g_autoptr(GPtrArray) resp = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) text = g_string_new (NULL);
	g_autofree char *six = g_strnfill (600, 'x');
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autoptr(GArray) r = regions_new ();
	MpImapContentNeeds needs = { .line_limit = 10, .size_exact = TRUE };
	const MpImapValue *att;

	/* asked: UID 5 sections 2 and 3 (both to spool) */
	g_string_append_printf (text, "* 1 FETCH (UID 5 BODY[2] {600}\r\n%s BODY[2] {600}\r\n%s"
	                        " BODY[3] {600}\r\n%s BODY[4] {3}\r\nabc)\r\n", six, six, six);
	/* not asked at all: another UID */
	g_string_append (text, "* 2 FETCH (UID 6 BODY[2] {3}\r\nabc)\r\n");
	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 5, "2", 600, TRUE);
	mp_imap_content_stream_expect (s, 5, "3", 600, TRUE);
	error = parse_error (text->str, text->len, s, &resp);
	g_assert_no_error (error);
	g_assert_cmpuint (resp->len, ==, 2);
	att = msg_att (resp, 0);
	/* the first BODY[2] streamed; the second (once each) and BODY[4] (never
	 * asked) kept in memory by the parser */
	g_assert_true (mp_imap_value_is_streamed (mp_imap_value_get_child (att, 3)));
	g_assert_false (mp_imap_value_is_streamed (mp_imap_value_get_child (att, 5)));
	g_assert_true (mp_imap_value_is_streamed (mp_imap_value_get_child (att, 7)));
	g_assert_false (mp_imap_value_is_streamed (mp_imap_value_get_child (att, 9)));
	g_assert_false (mp_imap_value_is_streamed (mp_imap_value_lookup (msg_att (resp, 1), "BODY[2]")));
	/* BODY[3] was streamed but not spooled: 600 + 600 octets exceed the
	 * budget of 1000; applying says why */
	m->size = 5000;
	mp_message_add_attachment (m, "a.zip", "application/zip", 600);
	mp_message_add_attachment (m, "b.zip", "application/zip", 600);
	{
		MpImapRegion a = { g_strdup ("2"), NULL, 600, 0 }, b = { g_strdup ("3"), NULL, 600, 1 };
		g_array_append_val (r, a);
		g_array_append_val (r, b);
	}
	needs.attachment_wanted = mp_archive_is_candidate;
	mp_imap_content_apply (s, att, m, r, &needs, NULL);
	{
		const MpAttachment *b = g_ptr_array_index (m->attachment_list, 1);
		g_assert_nonnull (b->archive_problem);
		g_assert_nonnull (strstr (b->archive_problem, "attachments waiting on this connection"));
	}
}

/* Exchange estimates RFC822.SIZE: near a size limit the message is
 * measured (DEFINITIONS.md, "Message size"; the plan fetches it whole,
 * test-imap-content-plan.c), and the estimate is kept. */
static void
test_estimated_size (void)
{
	static const guint64 limits[] = { 18350080 };
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk ("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)", 18000000, r);
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new (0);
	MpImapContentNeeds needs = { .size_exact = FALSE, .size_limits = limits, .n_size_limits = 1 };
	const char text[] = "* 1 FETCH (UID 1 BODY[] {22}\r\nSubject: x\r\n\r\nbody\r\n\r\n)\r\n";
	g_autoptr(GPtrArray) resp = NULL;

	mp_imap_content_stream_set_active (s, TRUE);
	mp_imap_content_stream_expect (s, 1, "", mp_imap_content_max_octets (m, r, "", &needs), FALSE);
	resp = parse_all (text, strlen (text), 3, s);
	mp_imap_content_apply (s, msg_att (resp, 0), m, r, &needs, NULL);
	g_assert_cmpuint (m->size, ==, 22);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_SIZE_MEASURED));
	g_assert_cmpint (m->fetched, ==, MP_FETCHED_WHOLE);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	g_test_add_func ("/imap-content/apply-one-read", test_apply_one_read);
	g_test_add_func ("/imap-content/apply-byte-by-byte", test_apply_byte_by_byte);
	g_test_add_func ("/imap-content/out-of-step", test_out_of_step);
	g_test_add_func ("/imap-content/inactive", test_inactive_keeps_literals);
	g_test_add_func ("/imap-content/estimated-size", test_estimated_size);
	g_test_add_func ("/imap-content/literal-over-asked", test_literal_over_asked);
	g_test_add_func ("/imap-content/only-requested", test_only_requested);
	return g_test_run ();
}
