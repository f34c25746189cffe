/* test-imap-content.c — the content checks of IMAP sources
 * (analyzer/source-imap-content.c): the regions and section numbers the
 * BODYSTRUCTURE walk yields (RFC 3501 §6.4.5), what a plan fetches for the
 * line-length and archive rules, and how streamed BODY[...] literals are
 * applied to a message — also when several responses arrive in one read. */
#include "source-imap-content.h"
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

static char *
describe_regions (const GArray *r)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < r->len; i++) {
		const MpImapRegion *x = &g_array_index (r, MpImapRegion, i);
		g_string_append_printf (s, "%s%s:%" G_GUINT64_FORMAT ":%d", i ? " " : "", x->section, x->octets,
		                        x->attachment);
	}
	return g_string_free (s, FALSE);
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

static void
test_regions (void)
{
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk (mixed, 9000, r);
	g_autofree char *got = describe_regions (r);

	/* RFC 3501 §6.4.5: parts numbered below their multipart; the attached
	 * message is one region, its own parts are not listed */
	g_assert_cmpstr (got, ==, "1:20:-1 2.1:30:-1 2.2:40:-1 3:5000:0 4:3000:1");
	g_assert_cmpuint (m->attachments, ==, 2);
	g_assert_cmpstr (g_array_index (r, MpImapRegion, 3).encoding, ==, "base64");

	/* a single-part message is part 1 */
	g_array_set_size (r, 0);
	{
		g_autoptr(MpMessage) m1 = walk ("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1234 10 NIL NIL NIL NIL)", 1500, r);
		g_autofree char *one = describe_regions (r);
		g_assert_cmpstr (one, ==, "1:1234:-1");
		g_assert_cmpuint (m1->attachments, ==, 0);
	}
}

static char *
plan_string (const MpImapContentPlan *p)
{
	g_autofree char *items = mp_imap_content_plan_items (p);

	return g_strdup_printf ("%s rest=%" G_GUINT64_FORMAT, items, p->rest);
}

/* What mp_imap_content_plan() fetches for M: its items and rest, or
 * NULL when nothing. */
static void
assert_plan (const MpMessage *m, const GArray *r, const MpImapContentNeeds *needs, const char *expected)
{
	MpImapContentPlan plan;
	gboolean any = mp_imap_content_plan (&plan, m, r, needs);
	g_autofree char *got = plan_string (&plan);

	mp_imap_content_plan_clear (&plan);
	g_assert_cmpint (any, ==, expected != NULL);
	if (expected != NULL)
		g_assert_cmpstr (got, ==, expected);
}

static void
test_plan (void)
{
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk (mixed, 9000, r);
	MpImapContentNeeds needs = { 1000, FALSE, TRUE };

	/* only the regions over the limit; the rest (9000 - 8090 = 910) is under it */
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3] BODY.PEEK[4]) rest=910");

	/* a rest over the limit: the header block too */
	m->size = 12000;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[HEADER] BODY.PEEK[3] BODY.PEEK[4]) rest=3910");

	/* an estimated size (Exchange) cannot bound anything: the whole message */
	needs.size_exact = FALSE;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[]) rest=0");
	needs.size_exact = TRUE;

	/* regions adding up to more than the size: the tree is not trusted */
	m->size = 8000;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[]) rest=0");

	/* under the limit as a whole: no line can be over it */
	m->size = 999;
	assert_plan (m, r, &needs, NULL);

	/* archives only: the top-level zip, not the one inside the attached
	 * message (archives are listed on top-level attachments, as locally) */
	needs.line_limit = 0;
	needs.list_archives = TRUE;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3]) rest=0");

	/* both: one fetch serves both */
	needs.line_limit = 1000;
	m->size = 9000;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3] BODY.PEEK[4]) rest=910");
}

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
	MpImapContentNeeds needs = { 1000, TRUE, TRUE };
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
	g_assert_true (mp_message_has_problem (other, "content-unavailable"));
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
	MpImapContentNeeds needs = { 1, FALSE, TRUE };

	mp_imap_content_stream_set_active (s, TRUE, FALSE);
	resp = parse_all (text, strlen (text), strlen (text), s);
	/* the first response is never applied nor dropped (a caller bug or a
	 * server out of step): the second must not take its literal */
	mp_imap_content_apply (s, msg_att (resp, 1), m, NULL, &needs, NULL);
	g_assert_true (mp_message_has_problem (m, "content-unreadable"));
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
 * measured (DEFINITIONS.md, "Message size"), and the estimate is kept. */
static void
test_estimated_size (void)
{
	static const guint64 limits[] = { 18350080 };
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk ("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)", 18000000, r);
	g_autoptr(MpImapContentStream) s = mp_imap_content_stream_new ();
	MpImapContentNeeds needs = { 0, FALSE, FALSE, limits, 1 };
	MpImapContentPlan plan;
	g_autofree char *items = NULL;
	const char text[] = "* 1 FETCH (UID 1 BODY[] {22}\r\nSubject: x\r\n\r\nbody\r\n\r\n)\r\n";
	g_autoptr(GPtrArray) resp = NULL;

	/* 18,000,000 is within 2% of 18,350,080 */
	g_assert_true (mp_imap_content_plan (&plan, m, r, &needs));
	g_assert_true (plan.measure);
	items = mp_imap_content_plan_items (&plan);
	g_assert_cmpstr (items, ==, "(UID BODY.PEEK[])");
	mp_imap_content_plan_clear (&plan);
	/* 17,000,000 is not; an exact server is never measured */
	m->size = 17000000;
	g_assert_false (mp_imap_content_plan (&plan, m, r, &needs));
	mp_imap_content_plan_clear (&plan);
	m->size = 18000000;
	needs.size_exact = TRUE;
	g_assert_false (mp_imap_content_plan (&plan, m, r, &needs));
	mp_imap_content_plan_clear (&plan);

	needs.size_exact = FALSE;
	mp_imap_content_stream_set_active (s, TRUE, FALSE);
	resp = parse_all (text, strlen (text), 3, s);
	mp_imap_content_apply (s, msg_att (resp, 0), m, r, &needs, NULL);
	g_assert_cmpuint (m->size, ==, 22);
	g_assert_true (mp_message_has_problem (m, "size-measured"));
	g_assert_cmpint (m->fetched, ==, MP_FETCHED_WHOLE);
}

/* A message with more big parts than one command should name: whole. */
static void
test_many_sections (void)
{
	g_autoptr(GString) bs = g_string_new ("(");
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = NULL;
	MpImapContentNeeds needs = { 1000, FALSE, TRUE };
	MpImapContentPlan plan;
	g_autofree char *items = NULL;

	for (int i = 0; i < 65; i++)
		g_string_append (bs, "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 2000 1 NIL NIL NIL NIL)");
	g_string_append (bs, " \"mixed\" (\"boundary\" \"x\") NIL NIL NIL)");
	m = walk (bs->str, 65 * 2000 + 500, r);
	g_assert_cmpuint (r->len, ==, 65);
	g_assert_true (mp_imap_content_plan (&plan, m, r, &needs));
	items = mp_imap_content_plan_items (&plan);
	g_assert_cmpstr (items, ==, "(UID BODY.PEEK[])");
	mp_imap_content_plan_clear (&plan);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	g_test_add_func ("/imap-content/regions", test_regions);
	g_test_add_func ("/imap-content/plan", test_plan);
	g_test_add_func ("/imap-content/apply-one-read", test_apply_one_read);
	g_test_add_func ("/imap-content/apply-byte-by-byte", test_apply_byte_by_byte);
	g_test_add_func ("/imap-content/out-of-step", test_out_of_step);
	g_test_add_func ("/imap-content/inactive", test_inactive_keeps_literals);
	g_test_add_func ("/imap-content/estimated-size", test_estimated_size);
	g_test_add_func ("/imap-content/many-sections", test_many_sections);
	return g_test_run ();
}
