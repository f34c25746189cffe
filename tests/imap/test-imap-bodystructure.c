/* test-imap-bodystructure.c — the BODYSTRUCTURE walker.
 *
 * 1. data/NAME.eml is a message; data/NAME.fetch is the FETCH response a
 *    real Dovecot 2.3.19 sent for it (tests/imap/capture-dovecot.sh). The
 *    walker on the .fetch must give what the GMime analyzer gives on the
 *    .eml (DEFINITIONS.md: the same message gives the same numbers from
 *    every source), and both must give the numbers in `expected` below, so
 *    they cannot agree on a wrong answer.
 * 2. Hand-written BODYSTRUCTUREs for what other servers send: upper case,
 *    NIL everywhere, no extension data, raw RFC 2231 segments, garbage. */
#include "imap-bodystructure.h"
#include "mime-analyze.h"

#include <fcntl.h>
#include <string.h>

typedef struct {
	const char *name;
	guint       attachments;
	guint       inline_parts;
	guint       nested;
	const char *flags;
	const char *files; /* "filename|mime/type" of each attachment, ";"-separated */
	/* non-NULL: the server cannot show the whole tree, so mime_parts and
	 * depth may be smaller over IMAP; says why */
	const char *hidden;
} Expected;

static const Expected expected[] = {
	{ "01-nested-related", 1, 1, 0, "", "report.pdf|application/pdf" },
	{ "02-inline-filename", 1, 0, 0, "", "logo.jpg|image/jpeg" },
	{ "03-name-star", 1, 0, 0, "", "\xe2\x82\xac.bin|application/octet-stream" },
	{ "04-rfc822-two", 1, 0, 2, "", "fwd.eml|message/rfc822" },
	{ "05-signed", 0, 0, 0, "signed", "" },
	{ "06-encrypted", 1, 0, 0, "encrypted", "encrypted.asc|application/octet-stream" },
	{ "07-tnef", 1, 0, 0, "tnef", "winmail.dat|application/ms-tnef" },
	{ "08-pkcs7-mime", 1, 0, 0, "smime_opaque", "smime.p7m|application/pkcs7-mime" },
	{ "09-calendar", 1, 0, 0, "calendar", "invite.ics|application/ics" },
	{ "10-filename-continuation", 2, 0, 0, "",
	  "\xe2\x82\xac.pdf|application/pdf;caf\xc3\xa9.pdf|application/pdf" },
	{ "11-rfc822-base64", 1, 0, 0, "", "|message/rfc822" },
	{ "12-rfc2047-filename", 1, 0, 0, "", "\xc3\x9c" "bersicht.xls|application/vnd.ms-excel" },
	/* the whole body is an attached message: its attachment is nested */
	{ "13-root-rfc822", 0, 0, 1, "", "" },
	{ "14-plain", 0, 0, 0, "", "" },
	{ "15-empty-filename", 1, 1, 0, "", "|text/plain" },
	{ "16-signed-nested-attachment", 2, 0, 0, "signed",
	  "contract.pdf|application/pdf;intl.eml|message/global",
	  /* RFC 3501 knows only MESSAGE/RFC822 as body-type-msg: Dovecot 2.3
	   * sends message/global in the basic form, so the attached message's
	   * own parts (and any attachments in it) are invisible over IMAP */
	  "message/global sent as a basic body" },
};

static char *
describe_files (const MpMessage *m)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < m->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		g_string_append_printf (s, "%s%s|%s", i ? ";" : "", a->filename ? a->filename : "", a->mime_type);
	}
	return g_string_free (s, FALSE);
}

static char *
describe (const MpMessage *m)
{
	g_autofree char *flags = mp_message_flags_string (m->flags);
	g_autofree char *files = describe_files (m);

	return g_strdup_printf ("attachments=%u inline=%u nested=%u flags=%s files=%s",
	                        m->attachments, m->inline_parts, m->nested_attachments, flags, files);
}

/* The first FETCH response's BODYSTRUCTURE, parsed from BYTES in chunks of
 * CHUNK octets. */
static MpImapResponse *
parse_fetch (const char *bytes, gsize len, gsize chunk, const MpImapValue **body)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	MpImapResponse *r;

	for (gsize off = 0; off < len; off += chunk)
		g_assert_true (mp_imap_parser_feed (p, (const guint8 *) bytes + off, MIN (chunk, len - off), &error));
	g_assert_no_error (error);
	g_assert_true (mp_imap_parser_finish (p, &error));
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	g_assert_true (mp_imap_value_is_atom (mp_imap_value_get_child (mp_imap_response_get_data (r), 1), "FETCH"));
	*body = mp_imap_value_lookup (mp_imap_value_get_child (mp_imap_response_get_data (r), 2), "BODYSTRUCTURE");
	g_assert_nonnull (*body);
	return r;
}

static MpMessage *
analyze_gmime (const char *path)
{
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(GMimeStream) stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
	MpMessage *m = mp_message_new ();

	g_assert_nonnull (stream);
	mp_analyzer_run (a, stream, m);
	return m;
}

static void
test_dovecot_matches_gmime (gconstpointer data)
{
	const Expected *e = data;
	g_autofree char *eml = g_strdup_printf ("%s.eml", e->name);
	g_autofree char *fetch = g_strdup_printf ("%s.fetch", e->name);
	const char *eml_path = g_test_get_filename (G_TEST_DIST, "data", eml, NULL);
	const char *fetch_path = g_test_get_filename (G_TEST_DIST, "data", fetch, NULL);
	g_autofree char *bytes = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(MpMessage) gm = NULL;
	g_autoptr(MpMessage) im = NULL;
	g_autofree char *want = NULL;
	g_autofree char *got_gmime = NULL;
	g_autofree char *got_imap = NULL;

	g_assert_true (g_file_get_contents (fetch_path, &bytes, &len, &error));
	gm = analyze_gmime (eml_path);
	for (gsize chunk = 1; chunk <= len; chunk = chunk * 7 + 3) {
		const MpImapValue *body = NULL;
		/* R owns what BODY points into */
		G_GNUC_UNUSED g_autoptr(MpImapResponse) r = parse_fetch (bytes, len, chunk, &body);
		g_autofree char *got = NULL;
		g_clear_pointer (&im, mp_message_free);
		im = mp_message_new ();
		mp_imap_bodystructure_analyze (body, im, mp_mime_decode_header_text);
		got = describe (im);
		if (got_imap != NULL)
			g_assert_cmpstr (got, ==, got_imap); /* chunking changes nothing */
		g_free (got_imap);
		got_imap = g_steal_pointer (&got);
	}
	got_gmime = describe (gm);
	want = g_strdup_printf ("attachments=%u inline=%u nested=%u flags=%s files=%s",
	                        e->attachments, e->inline_parts, e->nested, e->flags, e->files);
	g_assert_cmpstr (got_gmime, ==, want);
	g_assert_cmpstr (got_imap, ==, want);
	/* the same tree: every entity, and the deepest nesting */
	if (e->hidden == NULL) {
		g_assert_cmpuint (im->mime_parts, ==, gm->mime_parts);
		g_assert_cmpuint (im->depth, ==, gm->depth);
	} else {
		g_test_message ("%s: %s", e->name, e->hidden);
		g_assert_cmpuint (im->mime_parts, <, gm->mime_parts);
		g_assert_cmpuint (im->depth, <=, gm->depth);
	}
	g_assert_cmpuint (im->problems->len, ==, 0);
	/* encoded size: Dovecot's body-fld-octets is the CRLF size of the
	 * encoded body, which is what mime-gmime.c counts for a leaf */
	for (guint i = 0; i < im->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (im->attachment_list, i);
		const MpAttachment *b = g_ptr_array_index (gm->attachment_list, i);
		if (g_str_has_prefix (a->mime_type, "message/"))
			continue; /* GMime re-serializes an attached message: not byte-exact */
		g_assert_cmpuint (a->encoded_size, ==, b->encoded_size);
	}
}

/* ------------------------------------------------------- hand-written */

static MpMessage *
analyze_string (const char *bodystructure)
{
	g_autofree char *line = g_strdup_printf ("* 1 FETCH (UID 9 BODYSTRUCTURE %s)\r\n", bodystructure);
	const MpImapValue *body = NULL;
	/* R owns what BODY points into */
	G_GNUC_UNUSED g_autoptr(MpImapResponse) r = parse_fetch (line, strlen (line), 5, &body);
	MpMessage *m = mp_message_new ();

	mp_imap_bodystructure_analyze (body, m, mp_mime_decode_header_text);
	return m;
}

static void
check (const char *bodystructure, const char *want, const char *problem)
{
	g_autoptr(MpMessage) m = analyze_string (bodystructure);
	g_autofree char *got = describe (m);

	g_assert_cmpstr (got, ==, want);
	if (problem == NULL)
		g_assert_cmpuint (m->problems->len, ==, 0);
	else if (!mp_message_has_problem (m, mp_problem_from_name (problem, strlen (problem))))
		g_error ("%s: no problem %s", bodystructure, problem);
}

/* BODY (no extension data, RFC 3501 §7.4.2): only name= can make A2. */
static void
test_no_extension_data (void)
{
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1)(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL "
	       "\"base64\" 100) \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=a.pdf|application/pdf", NULL);
}

/* Servers other than Dovecot upper-case everything (GMIME-IMAP-FACTS §9). */
static void
test_upper_case (void)
{
	check ("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL)"
	       "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 50 NIL (\"ATTACHMENT\" NIL) NIL)"
	       "(\"IMAGE\" \"PNG\" (\"NAME\" \"X.PNG\") NIL NIL \"BASE64\" 50 NIL NIL NIL)"
	       " \"MIXED\" (\"BOUNDARY\" \"x\") NIL NIL)",
	       "attachments=2 inline=0 nested=0 flags= files=|application/octet-stream;X.PNG|image/png", NULL);
}

static void
test_nil_everywhere (void)
{
	check ("(NIL NIL NIL NIL NIL NIL NIL)", "attachments=0 inline=0 nested=0 flags= files=", NULL);
	check ("((NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)(NIL NIL NIL NIL NIL NIL NIL NIL NIL) NIL)",
	       "attachments=0 inline=0 nested=0 flags= files=", "malformed-bodystructure");
}

/* A Content-Type the server could not read ("X-ZIP; name=a.zip"): Dovecot
 * sends "" "" without its parameters. Read as GMime reads the field of a
 * local copy: application/octet-stream, with the problem. */
static void
test_unreadable_type (void)
{
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1 NIL NIL NIL NIL)"
	       "(\"\" \"\" NIL NIL NIL \"7bit\" 4 NIL (\"attachment\" NIL) NIL NIL) \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=|application/octet-stream", "invalid-content-type");
}

/* A disposition as a bare string; an empty Content-ID is no Content-ID. */
static void
test_disposition_variants (void)
{
	check ("((\"text\" \"html\" NIL NIL NIL \"7bit\" 10 1 NIL NIL)"
	       "(\"image\" \"png\" NIL \"<a@b>\" NIL \"base64\" 10 NIL \"inline\" NIL)"
	       "(\"image\" \"gif\" NIL \"\" NIL \"base64\" 10 NIL NIL NIL)"
	       "(\"image\" \"gif\" NIL NIL NIL \"base64\" 10 NIL (\"inline\" (\"filename\" \"\")) NIL)"
	       "(\"image\" \"gif\" NIL NIL NIL \"base64\" 10 NIL (\"Attachment\" (\"FileName\" \"z.gif\")) NIL)"
	       " \"related\")",
	       "attachments=1 inline=2 nested=0 flags= files=z.gif|image/gif", NULL);
}

/* Raw RFC 2231 segments, as servers that do not join them send them. */
static void
test_raw_rfc2231_segments (void)
{
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"application\" \"pdf\" NIL NIL NIL \"base64\" 7 NIL "
	       "(\"attachment\" (\"filename*1\" \".pdf\" \"filename*0*\" \"utf-8''%E2%82%AC\")) NIL) \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=\xe2\x82\xac.pdf|application/pdf", NULL);
}

/* Attached messages inside attached messages: everything inside counts as
 * nested, the outer one once. */
static void
test_nested_messages (void)
{
	const char *inner =
		"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"deep\" NIL NIL NIL NIL NIL NIL NIL NIL) "
		"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"application\" \"zip\" (\"name\" \"d.zip\") NIL NIL "
		"\"base64\" 9) \"mixed\") 9)";
	g_autofree char *outer = g_strdup_printf (
		"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 900 "
		"(NIL \"mid\" NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)%s"
		"(\"image\" \"png\" (\"name\" \"p.png\") NIL NIL \"base64\" 9) \"mixed\") 20 NIL "
		"(\"attachment\" (\"filename\" \"mid.eml\")) NIL NIL) \"mixed\")", inner);

	check (outer, "attachments=1 inline=0 nested=3 flags= files=mid.eml|message/rfc822", NULL);
}

/* The message's own body being message/rfc822 (ROOT) is never counted
 * itself, and what it carries is nested (mime-gmime.c does the same). */
static void
test_root_message (void)
{
	check ("(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	       "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"application\" \"zip\" (\"name\" \"d.zip\") NIL NIL "
	       "\"base64\" 9) \"mixed\") 9)",
	       "attachments=0 inline=0 nested=1 flags= files=", NULL);
	/* encoded: GMime does not enter it, Dovecot sends an empty inner body */
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"message\" \"rfc822\" NIL NIL NIL \"BASE64\" 9 "
	       "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ((\"application\" \"zip\" (\"name\" \"d.zip\") NIL NIL "
	       "\"base64\" 9) \"mixed\") 3 NIL (\"attachment\" (\"filename\" \"f.eml\")) NIL NIL) \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=f.eml|message/rfc822", NULL);
	/* the basic form (no envelope): a leaf, not entered */
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"message\" \"rfc822\" NIL NIL NIL \"base64\" 9 NIL NIL NIL) "
	       "\"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=|message/rfc822", NULL);
}

/* E1 / E2 with the roles of part-class.h. */
static void
test_signed_encrypted (void)
{
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"application\" \"pkcs7-signature\" (\"name\" \"smime.p7s\") "
	       "NIL NIL \"base64\" 9 NIL (\"attachment\" (\"filename\" \"smime.p7s\")) NIL) \"signed\")",
	       "attachments=0 inline=0 nested=0 flags=signed files=", NULL);
	check ("((\"application\" \"pgp-encrypted\" (\"name\" \"x\") NIL NIL \"7bit\" 9)"
	       "(\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 9) \"ENCRYPTED\")",
	       "attachments=0 inline=0 nested=0 flags=encrypted files=", NULL);
	/* a signed message inside an attached message: no flag for the outer one */
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 "
	       "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)"
	       "(\"application\" \"pkcs7-signature\" NIL NIL NIL \"base64\" 9 NIL (\"attachment\" NIL) NIL) \"signed\") 3) "
	       "\"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=|message/rfc822", NULL);
}

/* Garbage is a finding, never a crash or an error. */
static void
test_malformed (void)
{
	check ("NIL", "attachments=0 inline=0 nested=0 flags= files=", "malformed-bodystructure");
	check ("()", "attachments=0 inline=0 nested=0 flags= files=", "malformed-bodystructure");
	check ("\"text\"", "attachments=0 inline=0 nested=0 flags= files=", "malformed-bodystructure");
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1))", "attachments=0 inline=0 nested=0 flags= files=",
	       "malformed-bodystructure");
	check ("(\"application\" \"zip\" (\"name\"))", "attachments=0 inline=0 nested=0 flags= files=",
	       "malformed-bodystructure");
	check ("((\"application\" \"zip\" (\"name\" \"a.zip\" \"odd\") NIL NIL \"base64\" \"notanumber\") \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=a.zip|application/zip", NULL);
	check ("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) NIL (1 2) \"mixed\")",
	       "attachments=0 inline=0 nested=0 flags= files=", "malformed-bodystructure");
	/* message/rfc822 whose "body" is garbage */
	check ("((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 () () 3) \"mixed\")",
	       "attachments=1 inline=0 nested=0 flags= files=|message/rfc822", "malformed-bodystructure");
}

/* As deep as the parser's default limit allows: the walk goes all the way. */
static void
test_deep (void)
{
	g_autoptr(GString) s = g_string_new (NULL);
	guint levels = 120;

	for (guint i = 0; i < levels; i++)
		g_string_append_c (s, '(');
	g_string_append (s, "\"application\" \"zip\" (\"name\" \"deep.zip\") NIL NIL \"base64\" 9)");
	for (guint i = 1; i < levels; i++)
		g_string_append (s, " \"mixed\")");
	check (s->str, "attachments=1 inline=0 nested=0 flags= files=deep.zip|application/zip", NULL);
}

typedef struct {
	const char *params;
	const char *want; /* NULL: none */
} ParamCase;

static void
test_param_value (void)
{
	static const ParamCase cases[] = {
		{ "(\"filename\" \"a.pdf\")", "a.pdf" },
		{ "(\"FILENAME\" \"a.pdf\")", "a.pdf" },
		{ "(\"filename\" \"\")", NULL },
		{ "(\"filename\" NIL)", NULL },
		{ "NIL", NULL },
		{ "(\"filenamex\" \"a\")", NULL },
		{ "(\"filename*\" \"utf-8''%E2%82%AC.pdf\")", "\xe2\x82\xac.pdf" },
		{ "(\"filename*\" \"utf-8'en'%E2%82%AC.pdf\")", "\xe2\x82\xac.pdf" },
		{ "(\"filename*\" \"iso-8859-1''caf%E9\")", "caf\xc3\xa9" },
		{ "(\"filename*\" \"x-no-such-charset''abc\")", "abc" },
		{ "(\"filename*\" \"utf-8''bad%zz%4\")", "bad%zz%4" },
		{ "(\"filename*\" \"no quotes %41\")", "no quotes A" },
		{ "(\"filename*1\" \"b\" \"filename*0\" \"a\" \"filename*2\" \"c\")", "abc" },
		{ "(\"filename*0\" \"a\" \"filename*2\" \"c\")", "a" },
		{ "(\"filename*1\" \"b\")", NULL },
		{ "(\"filename*0*\" \"utf-8''%C3%A9\" \"filename*1*\" \"%C3%A9\" \"filename*2\" \"%41\")",
		  "\xc3\xa9\xc3\xa9%41" },
		{ "(\"filename\" \"plain.pdf\" \"filename*\" \"utf-8''ext.pdf\")", "ext.pdf" },
		{ "(\"filename\" \"=?UTF-8?B?w5xiZXJzaWNodC54bHM=?=\")", "\xc3\x9c" "bersicht.xls" },
		{ "(\"filename*x\" \"a\" \"filename*99999\" \"b\")", NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *line = g_strdup_printf ("* X %s\r\n", cases[i].params);
		g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
		g_autoptr(MpImapResponse) r = NULL;
		g_autoptr(GError) error = NULL;
		g_autofree char *got = NULL;
		g_assert_true (mp_imap_parser_feed (p, (const guint8 *) line, strlen (line), &error));
		r = mp_imap_parser_pop (p);
		got = mp_imap_body_param_value (mp_imap_value_get_child (mp_imap_response_get_data (r), 1), "filename",
		                                mp_mime_decode_header_text);
		g_assert_cmpstr (got, ==, cases[i].want);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	for (gsize i = 0; i < G_N_ELEMENTS (expected); i++) {
		g_autofree char *path = g_strdup_printf ("/imap-bodystructure/dovecot-vs-gmime/%s", expected[i].name);
		g_test_add_data_func (path, &expected[i], test_dovecot_matches_gmime);
	}
	g_test_add_func ("/imap-bodystructure/no-extension-data", test_no_extension_data);
	g_test_add_func ("/imap-bodystructure/upper-case", test_upper_case);
	g_test_add_func ("/imap-bodystructure/nil-everywhere", test_nil_everywhere);
	g_test_add_func ("/imap-bodystructure/unreadable-type", test_unreadable_type);
	g_test_add_func ("/imap-bodystructure/disposition-variants", test_disposition_variants);
	g_test_add_func ("/imap-bodystructure/raw-rfc2231-segments", test_raw_rfc2231_segments);
	g_test_add_func ("/imap-bodystructure/nested-messages", test_nested_messages);
	g_test_add_func ("/imap-bodystructure/root-message", test_root_message);
	g_test_add_func ("/imap-bodystructure/signed-encrypted", test_signed_encrypted);
	g_test_add_func ("/imap-bodystructure/malformed", test_malformed);
	g_test_add_func ("/imap-bodystructure/deep", test_deep);
	g_test_add_func ("/imap-bodystructure/param-value", test_param_value);
	return g_test_run ();
}
