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
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new ();
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

	mp_imap_content_stream_set_active (s, TRUE, TRUE);
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
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new ();
	g_autoptr(MpMessage) m = mp_message_new ();
	const char text[] = "* 1 FETCH (UID 1 BODY[2] {3}\r\nabc)\r\n* 2 FETCH (UID 2 BODY[] {2}\r\nxy)\r\n";
	g_autoptr(GPtrArray) resp = NULL;
	MpImapContentNeeds needs = { .line_limit = 1, .size_exact = TRUE };

	mp_imap_content_stream_set_active (s, TRUE, FALSE);
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
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new ();
	const char text[] = "* 1 FETCH (UID 1 ENVELOPE (NIL {3}\r\nabc NIL NIL NIL NIL NIL NIL NIL NIL) BODY[1] {2}\r\nxy)\r\n";
	g_autoptr(GPtrArray) resp = NULL;
	const MpImapValue *v;

	/* metadata FETCHes: nothing is streamed */
	resp = parse_all (text, strlen (text), 7, s);
	v = mp_imap_value_lookup (msg_att (resp, 0), "BODY[1]");
	g_assert_false (mp_imap_value_is_streamed (v));
	g_assert_cmpstr (mp_imap_value_get_string (v, NULL), ==, "xy");
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
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new ();
	MpImapContentNeeds needs = { .size_exact = FALSE, .size_limits = limits, .n_size_limits = 1 };
	const char text[] = "* 1 FETCH (UID 1 BODY[] {22}\r\nSubject: x\r\n\r\nbody\r\n\r\n)\r\n";
	g_autoptr(GPtrArray) resp = NULL;

	mp_imap_content_stream_set_active (s, TRUE, FALSE);
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
	return g_test_run ();
}
