/* test-fix.c — the parts of the fix (fix/) on their own: mbox quoting,
 * From_ lines, flags of each format, decoding (gmime#150), the cut of a
 * message into ranges and what it declines, the packing of a split checked
 * on thousands of generated messages, and the verifier failing on a damaged
 * part. */
#include "split-check.h"
#include "dates.h"
#include "item.h"
#include "rules.h"

#include <string.h>

static MpAnalyzer *analyzer;

/* ---- mbox quoting ---- */

static char *
quote (const char *in, gboolean q, gsize step)
{
	MpFixQuoter quoter;
	GByteArray *out = g_byte_array_new ();
	gsize n = strlen (in);

	mp_fix_quoter_init (&quoter, q);
	for (gsize i = 0; i < n; i += step)
		mp_fix_quoter_feed (&quoter, (const guint8 *) in + i, MIN (step, n - i), out);
	mp_fix_quoter_finish (&quoter, out);
	g_byte_array_append (out, (const guint8 *) "", 1);
	return (char *) g_byte_array_free (out, FALSE);
}

static void
test_quoting (void)
{
	static const struct {
		const char *plain, *quoted;
	} cases[] = {
		{ "From here\n", ">From here\n" },
		{ ">From here\n", ">>From here\n" },
		{ "x\nFrom a\n>>From b\nFrom\n>Fro\n>From", "x\n>From a\n>>>From b\nFrom\n>Fro\n>From" },
		{ "From", "From" },                   /* no blank after it: not a From line */
		{ "a From b\n", "a From b\n" },        /* not at a line start */
		{ ">>>x\n", ">>>x\n" },
		{ "\n>F\n", "\n>F\n" },
		{ "", "" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		for (gsize step = 1; step <= 7; step += 3) {
			g_autofree char *q = quote (cases[i].plain, TRUE, step);
			g_autofree char *u = quote (cases[i].quoted, FALSE, step);
			g_assert_cmpstr (q, ==, cases[i].quoted);
			g_assert_cmpstr (u, ==, cases[i].plain);
		}
	}
}

/* Quoting then unquoting gives the text back, however it is fed. */
static void
test_quoting_round_trip (void)
{
	static const char alphabet[] = ">From \n>x";
	GRand *rand = g_rand_new_with_seed (16);

	for (int n = 0; n < 3000; n++) {
		char text[64];
		gsize len = (gsize) g_rand_int_range (rand, 0, sizeof text);
		g_autofree char *q = NULL;
		g_autofree char *back = NULL;
		for (gsize i = 0; i < len; i++)
			text[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
		text[len] = '\0';
		q = quote (text, TRUE, (gsize) g_rand_int_range (rand, 1, 9));
		back = quote (q, FALSE, (gsize) g_rand_int_range (rand, 1, 9));
		g_assert_cmpstr (back, ==, text);
	}
	g_rand_free (rand);
}

/* ---- envelopes ---- */

static void
test_from_line (void)
{
	static const gint64 times[] = { 0, 1546300800, 1546300801 + 86400 * 9, 2147483647, 4102444800 };

	for (gsize i = 0; i < G_N_ELEMENTS (times); i++) {
		g_autofree char *line = mp_fix_from_line (i ? "a@b.example" : NULL, times[i]);
		g_autoptr(GDateTime) dt = mp_parse_from_line_date (line);
		/* ASCII only, asctime() form: the day padded with a blank */
		for (const char *p = line; *p; p++)
			g_assert_cmpint ((guchar) *p, <, 0x80);
		g_assert_nonnull (dt);
		g_assert_cmpint (g_date_time_to_unix (dt), ==, times[i]);
	}
	{
		g_autofree char *line = mp_fix_from_line (NULL, 1546300800);
		g_assert_cmpstr (line, ==, "From MAILER-DAEMON Tue Jan  1 00:00:00 2019");
	}
}

static void
test_maildir_flags (void)
{
	g_autofree char *kw = NULL;
	g_autofree char *info = NULL;
	g_autofree char *base = NULL;
	guint f = mp_fix_flags_from_maildir_name ("1.M1.h,S=5:2,TSRFDab", FALSE, &kw);

	g_assert_cmpuint (f, ==, MP_FIX_SEEN | MP_FIX_ANSWERED | MP_FIX_FLAGGED | MP_FIX_DRAFT | MP_FIX_DELETED);
	g_assert_cmpstr (kw, ==, "ab");
	info = mp_fix_maildir_info (f, kw);
	g_assert_cmpstr (info, ==, ":2,DFRSTab"); /* maildir(5): ASCII order */
	g_assert_cmpuint (mp_fix_flags_from_maildir_name ("1.M1.h", TRUE, NULL), ==, MP_FIX_RECENT);
	g_assert_cmpuint (mp_fix_flags_from_maildir_name ("1.M1.h!2,S", FALSE, NULL), ==, MP_FIX_SEEN); /* mu */
	base = mp_fix_maildir_base ("1.M1.h,S=5:2,S");
	g_assert_cmpstr (base, ==, "1.M1.h,S=5");
}

static void
test_mbox_flags (void)
{
	static const char head[] = "From: a\nStatus: RO\nX-Status: AFTD\nSubject: x\n\n";
	gboolean any = FALSE;
	guint f = mp_fix_flags_from_mbox_headers (head, strlen (head), &any);
	g_autofree char *back = mp_fix_mbox_status_headers (f, "\n");

	g_assert_true (any);
	g_assert_cmpuint (f, ==, MP_FIX_SEEN | MP_FIX_ANSWERED | MP_FIX_FLAGGED | MP_FIX_DRAFT | MP_FIX_DELETED);
	g_assert_cmpstr (back, ==, "Status: RO\nX-Status: AFTD\n");
	/* no Status at all: nothing known (not "new") */
	g_assert_cmpuint (mp_fix_flags_from_mbox_headers ("From: a\n\n", 9, &any), ==, 0);
	g_assert_false (any);
	/* Status: O without R: seen by a client, unread */
	g_assert_cmpuint (mp_fix_flags_from_mbox_headers ("Status: O\n\n", 11, &any), ==, 0);
	/* Thunderbird: read, replied */
	g_assert_cmpuint (mp_fix_flags_from_mbox_headers ("X-Mozilla-Status: 0003\n\n", 24, &any), ==,
	                  MP_FIX_SEEN | MP_FIX_ANSWERED);
}

/* ---- decoding ---- */

static GMimeMessage *
parse (const char *text, GMimeStream **stream)
{
	g_autoptr(GMimeParser) parser = NULL;

	*stream = g_mime_stream_mem_new_with_buffer (text, strlen (text));
	parser = g_mime_parser_new_with_stream (*stream);
	g_mime_parser_set_persist_stream (parser, TRUE);
	return g_mime_parser_construct_message (parser, NULL);
}

/* gmime#150: "VklSVVM=\nISE=" is "VIRUS!!"; GMime 3.2.13 says "VIRUS". A
 * detached file must hold all of it. */
static void
test_chunked_base64 (void)
{
	g_autoptr(GMimeStream) s = NULL;
	g_autoptr(GMimeMessage) msg = parse ("Content-Type: application/octet-stream\n"
	                                     "Content-Disposition: attachment; filename=v.bin\n"
	                                     "Content-Transfer-Encoding: base64\n\nVklSVVM=\nISE=\n", &s);
	g_autoptr(GPtrArray) idx = mp_fix_attachment_index (msg, s, NULL);
	g_autofree char *want = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "VIRUS!!", -1);

	const MpFixAttachment *a;

	g_assert_nonnull (idx);
	g_assert_cmpuint (idx->len, ==, 1);
	a = g_ptr_array_index (idx, 0);
	g_assert_nonnull (a);
	g_assert_cmpstr (a->sha256, ==, want);
	g_assert_cmpuint (a->size, ==, 7);
}

/* A Content-Type GMime cannot parse ("X-ZIP; name=a.zip") still names a
 * file: the analyzer counts it as an attachment (A2, mime-record.c), so
 * the fix must index it too, or a split would not account for it. */
static void
test_unparseable_type_named (void)
{
	g_autoptr(GMimeStream) s = NULL;
	g_autoptr(GMimeMessage) msg = parse ("From: a@b\nSubject: s\nMIME-Version: 1.0\n"
	                                     "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
	                                     "--B\nContent-Type: text/plain\n\nbody\n"
	                                     "--B\nContent-Type: X-ZIP; name=a.zip\n"
	                                     "Content-Transfer-Encoding: base64\n\nAAAA\n--B--\n", &s);
	g_autoptr(GPtrArray) idx = mp_fix_attachment_index (msg, s, NULL);

	g_assert_nonnull (idx);
	g_assert_cmpuint (idx->len, ==, 1);
	g_assert_cmpuint (((const MpFixAttachment *) g_ptr_array_index (idx, 0))->size, ==, 3);
}

/* An attached message is digested on its stored bytes (RFC 2046: without
 * the line end before the next delimiter), not as GMime writes it back:
 * GMime adds an empty line after a nested multipart's close delimiter, and
 * writes a boundary line without its trailing blanks, so a copy that
 * changed those bytes would have passed the check. */
#define FORWARDED(CLOSE) \
	"From: a@b\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"out\"\n\n" \
	"--out\nContent-Type: text/plain\n\nsee below\n" \
	"--out\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n" \
	FORWARDED_INNER (CLOSE) "\n--out--\n"
#define FORWARDED_INNER(CLOSE) \
	"From: c@d\nSubject: inner\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"in\"\n\n" \
	"--in\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n" \
	"--alt\nContent-Type: text/plain\n\nhi\n--alt--\n" \
	"--in\nContent-Type: application/pdf; name=a.pdf\n\n%PDF\n" CLOSE

static void
test_attached_message_stored_bytes (void)
{
	g_autoptr(GMimeStream) s = NULL;
	g_autoptr(GMimeStream) s2 = NULL;
	g_autoptr(GMimeMessage) msg = parse (FORWARDED ("--in--"), &s);
	g_autoptr(GMimeMessage) blanks = parse (FORWARDED ("--in--  "), &s2);
	g_autoptr(GPtrArray) idx = mp_fix_attachment_index (msg, s, NULL);
	g_autoptr(GPtrArray) idx2 = mp_fix_attachment_index (blanks, s2, NULL);
	g_autofree char *want = g_compute_checksum_for_string (G_CHECKSUM_SHA256, FORWARDED_INNER ("--in--"), -1);
	const MpFixAttachment *a, *b;

	g_assert_nonnull (idx);
	g_assert_nonnull (idx2);
	g_assert_cmpuint (idx->len, ==, 1);
	g_assert_cmpuint (idx2->len, ==, 1);
	a = g_ptr_array_index (idx, 0);
	b = g_ptr_array_index (idx2, 0);
	g_assert_cmpstr (a->type, ==, "message/rfc822");
	g_assert_cmpstr (a->sha256, ==, want);
	g_assert_cmpuint (a->size, ==, strlen (FORWARDED_INNER ("--in--")));
	/* two blanks more on a boundary line: another attachment */
	g_assert_cmpstr (a->sha256, !=, b->sha256);
	g_assert_cmpuint (b->size, ==, a->size + 2);
	g_assert_false (mp_fix_attachment_same (a, b));
	/* GMime writes both back alike: that reading is kept beside */
	g_assert_true (a->stored && b->stored);
	g_assert_cmpstr (a->written_sha256, ==, b->written_sha256);
	g_assert_cmpstr (a->written_sha256, !=, a->sha256);
}

/* An attached message read by its stored bytes on one side only (where
 * the counter lists other attachments than GMime's tree, as a fuzzer found
 * in a split part of a hostile message) is compared as GMime writes both
 * back; two stored readings are compared byte for byte. */
static void
test_attachment_same (void)
{
	MpFixAttachment o = { 0 }, a = { 0 };

	g_strlcpy (o.sha256, "stored-one", sizeof o.sha256);
	g_strlcpy (o.written_sha256, "written", sizeof o.written_sha256);
	o.stored = TRUE;
	a = o;
	g_assert_true (mp_fix_attachment_same (&o, &a));
	g_strlcpy (a.sha256, "stored-two", sizeof a.sha256);
	g_assert_false (mp_fix_attachment_same (&o, &a));  /* both stored: the bytes decide */
	a.stored = FALSE;
	g_strlcpy (a.sha256, "written", sizeof a.sha256);
	g_assert_true (mp_fix_attachment_same (&o, &a));   /* one side written back only */
	g_strlcpy (a.written_sha256, "other", sizeof a.written_sha256);
	g_assert_false (mp_fix_attachment_same (&o, &a));
	/* any other attachment: its digest */
	memset (&o, 0, sizeof o);
	memset (&a, 0, sizeof a);
	g_strlcpy (o.sha256, "x", sizeof o.sha256);
	g_strlcpy (a.sha256, "x", sizeof a.sha256);
	g_assert_true (mp_fix_attachment_same (&o, &a));
	g_strlcpy (a.sha256, "y", sizeof a.sha256);
	g_assert_false (mp_fix_attachment_same (&o, &a));
}

/* ---- the cut ---- */

static const char regular[] =
	"From: a@b\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
	"preamble\n--B\nContent-Type: text/plain\n\nbody\n--B  \n"
	"Content-Type: application/octet-stream; name=x.bin\nContent-Transfer-Encoding: base64\n\nAAAA\n"
	"--BB\n--B\nContent-Type: multipart/alternative; boundary=B2\n\n--B2\n\nt\n--B2--\n\n--B--\nepilogue\n";

static void
test_cut_regular (void)
{
	g_autoptr(GMimeStream) s = NULL;
	g_autoptr(GMimeMessage) msg = parse (regular, &s);
	g_autoptr(MpFixCut) cut = mp_fix_cut_new (s, msg, FALSE, NULL);
	const MpFixRange *r;

	g_assert_nonnull (cut);
	g_assert_null (cut->why);
	g_assert_nonnull (cut->container);
	g_assert_cmpstr (cut->boundary, ==, "B");
	g_assert_cmpuint (cut->children->len, ==, 3);
	/* the text; the attachment (a "--BB" line is not our delimiter, a
	 * delimiter may have trailing blanks); the nested multipart */
	r = &g_array_index (cut->children, MpFixRange, 0);
	g_assert_cmpmem (regular + r->start, r->end - r->start, "Content-Type: text/plain\n\nbody", 30);
	r = &g_array_index (cut->children, MpFixRange, 1);
	g_assert_cmpmem (regular + r->end - 9, 9, "AAAA\n--BB", 9);
	r = &g_array_index (cut->children, MpFixRange, 2);
	g_assert_cmpmem (regular + r->end - 7, 7, "--B2--\n", 7);
	g_assert_cmpmem (regular + cut->preamble.start, cut->preamble.end - cut->preamble.start, "preamble\n", 9);
	g_assert_cmpmem (regular + cut->epilogue.start, cut->epilogue.end - cut->epilogue.start, "epilogue\n", 9);
	g_assert_cmpuint (cut->fields->len, ==, 4);
}

static void
test_cut_declines (void)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "Subject: x\n\nno MIME\n", "no multipart body" },
		{ "Content-Type: multipart/mixed; boundary=B\n\n--B\n\nx\n", "no closing delimiter" },
		{ "Content-Type: multipart/mixed; boundary=B\n\njust text\n", "no delimiter" },
		{ "Content-Type: multipart/mixed; boundary=B\n\n--B\n\nx\n--B\n--B--\n", "empty" },
		{ "Content-Type: multipart/alternative; boundary=B\n\n--B\n\nx\n--B--\n", "not multipart/mixed" },
		{ "Content-Type: multipart/signed; boundary=B\n\n--B\n\nx\n--B\n\ny\n--B--\n", "signed" },
		{ "Content-Type: multipart/mixed\n\n--B\n\nx\n--B--\n", "no boundary" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GMimeStream) s = NULL;
		g_autoptr(GMimeMessage) msg = parse (cases[i].text, &s);
		g_autoptr(MpFixCut) cut = NULL;

		g_assert_nonnull (msg);
		cut = mp_fix_cut_new (s, msg, FALSE, NULL);
		if (cut == NULL)
			g_error ("case %" G_GSIZE_FORMAT ": not cut at all", i);
		g_assert_null (cut->container);
		g_assert_nonnull (cut->why);
		if (strstr (cut->why, cases[i].why) == NULL)
			g_error ("case %" G_GSIZE_FORMAT ": \"%s\" does not say \"%s\"", i, cut->why, cases[i].why);
	}
}

/* ---- the split, checked ---- */

static MpRuleSet *
small_rules (guint64 size, guint count)
{
	g_autofree char *text = g_strdup_printf ("[profile]\nname = small\n\n[rule s]\ncheck = message-size\nmax = %"
	                                         G_GUINT64_FORMAT "\n\n[rule c]\ncheck = attachment-count\n"
	                                         "max = %u\n", size, count);
	return mp_rules_load_data (text, strlen (text), "test", NULL);
}

/* A multipart/mixed with text and N attachments of random sizes, some
 * nested in a second multipart/mixed, some inline images in a
 * multipart/related. */
static GString *
random_message (GRand *rand, guint n)
{
	GString *m = g_string_new ("From: a@b\nSubject: random\nMessage-ID: <r@x>\nMIME-Version: 1.0\n"
	                           "Content-Type: multipart/mixed; boundary=\"=_b\"\n\n--=_b\nContent-Type: text/plain\n\n"
	                           "text\n");
	for (guint i = 0; i < n; i++) {
		guint size = (guint) g_rand_int_range (rand, 1, 3000);
		guint kind = (guint) g_rand_int_range (rand, 0, 8);
		g_string_append (m, "\n--=_b\n");
		if (kind == 0) {
			g_string_append (m, "Content-Type: multipart/mixed; boundary=\"=_n\"\n\n");
			for (int k = 0; k < 2; k++)
				g_string_append_printf (m, "--=_n\nContent-Type: text/plain; name=n%u-%d.txt\n\n%u\n", i, k, size + k);
			g_string_append (m, "--=_n--\n");
			continue;
		}
		if (kind == 1) {
			g_string_append_printf (m, "Content-Type: multipart/related; boundary=\"=_r\"\n\n--=_r\n"
			                        "Content-Type: text/html\n\n<img src=cid:i%u>\n--=_r\nContent-Type: image/png\n"
			                        "Content-ID: <i%u>\n\n%u\n--=_r--\n", i, i, size);
			continue;
		}
		g_string_append_printf (m, "Content-Type: application/octet-stream\nContent-Disposition: attachment; "
		                        "filename=\"a%u.bin\"\nContent-Transfer-Encoding: base64\n\n", i);
		{
			guint8 *data = g_malloc (size);
			g_autofree char *b64 = NULL;
			for (guint k = 0; k < size; k++)
				data[k] = (guint8) g_rand_int (rand);
			b64 = g_base64_encode (data, size);
			for (gsize k = 0, nb = strlen (b64); k < nb; k += 76)
				g_string_append_printf (m, "%.76s\n", b64 + k);
			g_free (data);
		}
	}
	g_string_append (m, "--=_b--\n");
	return m;
}

/* Thousands of random messages: every plan that is made is within the
 * limits, and every attachment is in exactly one part (the checks of
 * verify.c); a message is declined only when something fits no part. */
static void
test_split_random (void)
{
	GRand *rand = g_rand_new_with_seed (1616);
	guint split = 0, declined = 0;
	/* fewer under AddressSanitizer, where every malloc unwinds the stack */
#if defined(__SANITIZE_ADDRESS__)
	int rounds = g_test_slow () ? 5000 : 50;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	int rounds = g_test_slow () ? 5000 : 50;
#else
	int rounds = g_test_slow () ? 5000 : 300;
#endif
#else
	int rounds = g_test_slow () ? 5000 : 300;
#endif

	for (int i = 0; i < rounds; i++) {
		guint64 size = (guint64) g_rand_int_range (rand, 3000, 40000);
		guint count = (guint) g_rand_int_range (rand, 2, 12);
		g_autoptr(MpRuleSet) rules = small_rules (size, count);
		g_autoptr(GString) m = random_message (rand, (guint) g_rand_int_range (rand, 0, 40));
		MpFixLimits limits;
		SplitResult r;

		g_assert_nonnull (rules);
		mp_fix_limits_init (&limits, rules, MP_SEVERITY_ERROR);
		split_check ((const guint8 *) m->str, m->len, rules, &limits, analyzer, 0, &r);
		if (r.failure != NULL)
			g_error ("round %d: %s", i, r.failure);
		if (r.parts > 0)
			split++;
		else if (r.why_not && strstr (r.why_not, "does not fit") == NULL && strstr (r.why_not, "nothing to split") == NULL &&
		         strstr (r.why_not, "still over the limits") == NULL) {
			g_error ("round %d: declined: %s", i, r.why_not);
		}
		else
			declined++;
		split_result_clear (&r);
		mp_fix_limits_clear (&limits);
	}
	g_test_message ("%u split, %u declined", split, declined);
	g_assert_cmpuint (split, >, (guint) rounds / 2);
	g_rand_free (rand);
}

/* The verifier is seen to fail: a part damaged after it was built (one
 * octet of an attachment) is refused, naming the message. */
static void
test_verifier_fails (void)
{
	GRand *rand = g_rand_new_with_seed (7);
	g_autoptr(MpRuleSet) rules = small_rules (20000, 5);
	g_autoptr(GString) m = random_message (rand, 20);
	MpFixLimits limits;
	SplitResult ok, bad;

	mp_fix_limits_init (&limits, rules, MP_SEVERITY_ERROR);
	split_check ((const guint8 *) m->str, m->len, rules, &limits, analyzer, 0, &ok);
	g_assert_null (ok.failure);
	g_assert_cmpuint (ok.parts, >=, 3);
	split_check ((const guint8 *) m->str, m->len, rules, &limits, analyzer, 2, &bad);
	g_assert_nonnull (bad.failure);
	g_assert_nonnull (strstr (bad.failure, "verification failed: message 1"));
	g_assert_nonnull (strstr (bad.failure, "part 2/"));
	split_result_clear (&ok);
	split_result_clear (&bad);
	mp_fix_limits_clear (&limits);
	g_rand_free (rand);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	analyzer = mp_analyzer_new ();
	g_test_add_func ("/fix/quoting", test_quoting);
	g_test_add_func ("/fix/attached-message-stored-bytes", test_attached_message_stored_bytes);
	g_test_add_func ("/fix/attachment-same", test_attachment_same);
	g_test_add_func ("/fix/quoting-round-trip", test_quoting_round_trip);
	g_test_add_func ("/fix/from-line", test_from_line);
	g_test_add_func ("/fix/maildir-flags", test_maildir_flags);
	g_test_add_func ("/fix/mbox-flags", test_mbox_flags);
	g_test_add_func ("/fix/chunked-base64", test_chunked_base64);
	g_test_add_func ("/fix/unparseable-type-named", test_unparseable_type_named);
	g_test_add_func ("/fix/cut-regular", test_cut_regular);
	g_test_add_func ("/fix/cut-declines", test_cut_declines);
	g_test_add_func ("/fix/split-random", test_split_random);
	g_test_add_func ("/fix/verifier-fails", test_verifier_fails);
	{
		int rc = g_test_run ();
		mp_analyzer_free (analyzer);
		return rc;
	}
}
