/* test-imap-content-plan.c — what an IMAP source fetches for the checks
 * that need content (analyzer/imap/imap-content-plan.c): the regions and
 * section numbers the BODYSTRUCTURE walk yields (RFC 3501 §6.4.5), and the
 * plan for the line-length rule, wanted attachments and estimated sizes.
 *
 * Built like the IMAP room itself, without GMime's include path: the plan
 * is protocol only. Which attachments are wanted is the caller's predicate
 * (the scan hands in mp_archive_is_candidate); here a stand-in picks zips. */
#include "imap-content-plan.h"

#include <string.h>

/* Parses BYTES (complete responses); returns them. */
static GPtrArray *
parse_all (const char *bytes, gsize len)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_imap_response_free);
	MpImapResponse *r;

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) bytes, len, &error));
	g_assert_no_error (error);
	while ((r = mp_imap_parser_pop (p)) != NULL)
		g_ptr_array_add (out, r);
	return out;
}

static GArray *
regions_new (void)
{
	GArray *a = g_array_new (FALSE, FALSE, sizeof (MpImapRegion));

	g_array_set_clear_func (a, (GDestroyNotify) mp_imap_region_clear);
	return a;
}

/* The message M and regions R of BODYSTRUCTURE text BS with RFC822.SIZE
 * SIZE (file names are plain here: no RFC 2047 decoder is needed). */
static MpMessage *
walk (const char *bs, guint64 size, GArray *r)
{
	g_autofree char *text = g_strdup_printf ("* 1 FETCH (UID 1 BODYSTRUCTURE %s)\r\n", bs);
	g_autoptr(GPtrArray) resp = parse_all (text, strlen (text));
	MpMessage *m = mp_message_new ();
	const MpImapValue *att;

	g_assert_cmpuint (resp->len, ==, 1);
	att = mp_imap_value_get_child (mp_imap_response_get_data (g_ptr_array_index (resp, 0)), 2);
	mp_imap_bodystructure_analyze_regions (mp_imap_value_lookup (att, "BODYSTRUCTURE"), m, r, NULL);
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

/* The stand-in for the MIME room's archive predicate, and a record of
 * what it was asked. */
static GString *asked;

static gboolean
wants_zip (const char *mime_type, const char *filename)
{
	if (asked != NULL)
		g_string_append_printf (asked, "%s%s|%s", asked->len ? ";" : "", mime_type,
		                        filename ? filename : "");
	return g_strcmp0 (mime_type, "application/zip") == 0;
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
	MpImapContentNeeds needs = { .line_limit = 1000, .size_exact = TRUE };

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
	needs.attachment_wanted = wants_zip;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3]) rest=0");

	/* both: one fetch serves both */
	needs.line_limit = 1000;
	m->size = 9000;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3] BODY.PEEK[4]) rest=910");
}

/* The caller decides which attachments are wanted: the plan asks it about
 * each top-level attachment with its type and file name, and fetches
 * exactly those. */
static void
test_wanted_attachments (void)
{
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk (mixed, 9000, r);
	MpImapContentNeeds needs = { .size_exact = TRUE };

	/* nobody wants content: nothing to fetch */
	assert_plan (m, r, &needs, NULL);
	g_assert_null (mp_imap_content_wanted_attachment (&needs, m, &g_array_index (r, MpImapRegion, 3)));

	asked = g_string_new (NULL);
	needs.attachment_wanted = wants_zip;
	assert_plan (m, r, &needs, "(UID BODY.PEEK[3]) rest=0");
	/* the zip and the attached message, the regions that are attachments */
	g_assert_cmpstr (asked->str, ==, "application/zip|t.zip;message/rfc822|");
	g_string_free (g_steal_pointer (&asked), TRUE);

	/* the region of the zip is its attachment; a region that is no
	 * attachment (the text part) has none */
	g_assert_true (mp_imap_content_wanted_attachment (&needs, m, &g_array_index (r, MpImapRegion, 3)) ==
	               g_ptr_array_index (m->attachment_list, 0));
	g_assert_null (mp_imap_content_wanted_attachment (&needs, m, &g_array_index (r, MpImapRegion, 0)));
	g_assert_null (mp_imap_content_wanted_attachment (&needs, m, &g_array_index (r, MpImapRegion, 4)));
}

/* Exchange estimates RFC822.SIZE: near a size limit the message is
 * measured (DEFINITIONS.md, "Message size"); what the measurement gives is
 * tested with the streaming in test-imap-content.c. */
static void
test_estimated_size (void)
{
	static const guint64 limits[] = { 18350080 };
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = walk ("(\"text\" \"plain\" NIL NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)", 18000000, r);
	MpImapContentNeeds needs = { .size_exact = FALSE, .size_limits = limits, .n_size_limits = 1 };
	MpImapContentPlan plan;
	g_autofree char *items = NULL;

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
}

/* A message with more big parts than one command should name: whole. */
static void
test_many_sections (void)
{
	g_autoptr(GString) bs = g_string_new ("(");
	g_autoptr(GArray) r = regions_new ();
	g_autoptr(MpMessage) m = NULL;
	MpImapContentNeeds needs = { .line_limit = 1000, .size_exact = TRUE };
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
	g_test_add_func ("/imap-content-plan/regions", test_regions);
	g_test_add_func ("/imap-content-plan/plan", test_plan);
	g_test_add_func ("/imap-content-plan/wanted-attachments", test_wanted_attachments);
	g_test_add_func ("/imap-content-plan/estimated-size", test_estimated_size);
	g_test_add_func ("/imap-content-plan/many-sections", test_many_sections);
	return g_test_run ();
}
