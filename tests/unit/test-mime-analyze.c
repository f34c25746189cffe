/* test-mime-analyze.c — the attachment definition and header reading as the
 * GMime analyzer applies them (analyzer/mime/mime-analyze.h), on hand-written
 * messages. DEFINITIONS.md "Attachment count" is the contract.
 *
 * Every message is analyzed twice: as written (LF) and converted to CRLF.
 * Counts, flags, file names and encoded sizes (which are CRLF sizes) must
 * be the same for both. */
#include "mime-analyze.h"

#include "octets.h"
#include "mime-record.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define HDRS \
	"From: Alice <alice@example.org>\n" \
	"To: bob@example.org\n" \
	"Subject: test\n" \
	"Date: Tue, 12 Mar 2019 10:00:00 +0100\n" \
	"Message-ID: <1@example.org>\n" \
	"MIME-Version: 1.0\n"

#define MAX_ATT 4

typedef struct {
	const char *filename;  /* NULL: none */
	const char *mime_type;
	guint64     encoded_size; /* 0: not checked */
} ExpAttachment;

typedef struct {
	const char   *name;
	const char   *text;
	guint         attachments;
	guint         inline_parts;
	guint         nested;
	guint         flags;
	guint         mime_parts;   /* entities below the message, containers included */
	guint         depth;        /* containers above the deepest part */
	ExpAttachment att[MAX_ATT];
} MimeCase;

static const MimeCase cases[] = {
	{ "plain-text",
	  HDRS "Content-Type: text/plain; charset=utf-8\n\nhello\n",
	  0, 0, 0, 0, 1, 0, { { 0 } } },

	{ "no-mime-headers-at-all",
	  "From: a@example.org\nSubject: x\nDate: Tue, 12 Mar 2019 10:00:00 +0000\nMessage-ID: <x@y>\n\nbody\n",
	  0, 0, 0, 0, 1, 0, { { 0 } } },

	{ "mixed-two-attachments",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
	  "--b1\nContent-Type: text/plain\n\nbody\n"
	  "--b1\nContent-Type: application/pdf; name=\"a.pdf\"\n"
	  "Content-Disposition: attachment; filename=\"a.pdf\"\n"
	  "Content-Transfer-Encoding: base64\n\nQUJDREVG\nR0hJ\n"
	  "--b1\nContent-Type: image/png\n"
	  "Content-Disposition: attachment; filename=\"b.png\"\n"
	  "Content-Transfer-Encoding: base64\n\niVBORw0K\n"
	  "--b1--\n",
	  2, 0, 0, 0, 4, 1,
	  { { "a.pdf", "application/pdf", 14 }, { "b.png", "image/png", 8 } } },

	{ "nested-mixed-alternative-related-inline-image",
	  HDRS "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
	  "--m\nContent-Type: multipart/alternative; boundary=\"a\"\n\n"
	  "--a\nContent-Type: text/plain\n\nplain\n"
	  "--a\nContent-Type: multipart/related; boundary=\"r\"\n\n"
	  "--r\nContent-Type: text/html\n\n<img src=\"cid:img1\">\n"
	  "--r\nContent-Type: image/png\nContent-ID: <img1>\nContent-Transfer-Encoding: base64\n\niVBORw0K\n"
	  "--r--\n"
	  "--a--\n"
	  "--m\nContent-Type: application/zip; name=\"x.zip\"\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n"
	  "--m--\n",
	  1, 1, 0, 0, 7, 3,
	  { { "x.zip", "application/zip", 8 } } },

	{ "inline-with-filename-counts-a2",
	  HDRS "Content-Type: multipart/related; boundary=\"r\"\n\n"
	  "--r\nContent-Type: text/html\n\n<img src=\"cid:logo\">\n"
	  "--r\nContent-Type: image/jpeg\nContent-ID: <logo>\n"
	  "Content-Disposition: inline; filename=logo.jpg\nContent-Transfer-Encoding: base64\n\n/9j/4AAQ\n"
	  "--r--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "logo.jpg", "image/jpeg", 8 } } },

	{ "name-only-in-content-type-counts",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/octet-stream; name=\"data.bin\"\n\nraw bytes\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "data.bin", "application/octet-stream", 9 } } },

	{ "rfc2231-filename-star",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/pdf\n"
	  "Content-Disposition: inline; filename*=utf-8''%E2%82%AC.pdf\n\n%PDF\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "\xe2\x82\xac.pdf", "application/pdf", 4 } } },

	{ "rfc2231-filename-continuations",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/pdf\n"
	  "Content-Disposition: inline;\n filename*0*=utf-8''%E2%82%AC;\n filename*1*=.pdf\n\n%PDF\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "\xe2\x82\xac.pdf", "application/pdf", 4 } } },

	{ "rfc2231-name-star-only",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/octet-stream; name*=utf-8''%E2%82%AC.bin\n\nxx\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "\xe2\x82\xac.bin", "application/octet-stream", 2 } } },

	{ "attached-message-with-two-attachments",
	  HDRS "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
	  "--outer\nContent-Type: text/plain\n\nsee attached\n"
	  "--outer\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"fwd.eml\"\n\n"
	  "From: c@example.org\nSubject: inner\nMIME-Version: 1.0\n"
	  "Content-Type: multipart/mixed; boundary=\"inner\"\n\n"
	  "--inner\nContent-Type: text/plain\n\ninner body\n"
	  "--inner\nContent-Type: application/zip\nContent-Disposition: attachment; filename=\"i1.zip\"\n\nZIP\n"
	  "--inner\nContent-Type: image/gif; name=\"i2.gif\"\n\nGIF\n"
	  "--inner--\n"
	  "--outer--\n",
	  1, 0, 2, 0, 7, 3,
	  /* the attached message as stored, read as Dovecot and Cyrus give
	   * its body-fld-octets: the line end of "--inner--" is its own, not
	   * the "--outer--" delimiter's (320 without it; GMime's writing back
	   * would add an empty line after the nested multipart) */
	  { { "fwd.eml", "message/rfc822", 322 } } },

	{ "attached-message-without-disposition-a3",
	  HDRS "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
	  "--outer\nContent-Type: text/plain\n\nsee attached\n"
	  "--outer\nContent-Type: message/rfc822\n\n"
	  "From: c@example.org\nSubject: inner\n\ninner body\n"
	  "--outer--\n",
	  1, 0, 0, 0, 4, 2,
	  { { NULL, "message/rfc822", 49 } } },

	{ "message-global-a3",
	  HDRS "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
	  "--outer\nContent-Type: text/plain\n\nsee attached\n"
	  "--outer\nContent-Type: message/global\n\n"
	  "From: c@example.org\nSubject: inner\n\ninner body\n"
	  "--outer--\n",
	  1, 0, 0, 0, 4, 2,
	  { { NULL, "message/global", 49 } } },

	{ "base64-message-rfc822-counts-by-content-type",
	  /* "From: x@y\nSubject: s\n\nb\n", base64 */
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
	  "RnJvbTogeEB5ClN1YmplY3Q6IHMKCmIK\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { NULL, "message/rfc822", 32 } } },

	{ "multipart-signed-p7s-not-counted",
	  HDRS "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"s\"\n\n"
	  "--s\nContent-Type: multipart/mixed; boundary=\"m\"\n\n"
	  "--m\nContent-Type: text/plain\n\nsigned text\n"
	  "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"report.pdf\"\n\n%PDF\n"
	  "--m--\n"
	  "--s\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
	  "Content-Disposition: attachment; filename=\"smime.p7s\"\nContent-Transfer-Encoding: base64\n\nMIAGCSqG\n"
	  "--s--\n",
	  1, 0, 0, MP_MSG_FLAG_SIGNED, 5, 2,
	  { { "report.pdf", "application/pdf", 4 } } },

	{ "multipart-signed-pgp",
	  HDRS "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=\"s\"\n\n"
	  "--s\nContent-Type: text/plain\n\nsigned text\n"
	  "--s\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\n"
	  "--s--\n",
	  0, 0, 0, MP_MSG_FLAG_SIGNED, 3, 1,
	  { { 0 } } },

	{ "multipart-encrypted-control-part-not-counted",
	  HDRS "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\n\n"
	  "--e\nContent-Type: application/pgp-encrypted\nContent-Disposition: attachment\n\nVersion: 1\n"
	  "--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n"
	  "--e--\n",
	  0, 0, 0, MP_MSG_FLAG_ENCRYPTED, 3, 1,
	  { { 0 } } },

	{ "multipart-encrypted-named-payload-counts",
	  /* E2 excludes the control part only: a payload with a file name is A2 */
	  HDRS "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\n\n"
	  "--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
	  "--e\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n"
	  "Content-Disposition: inline; filename=\"encrypted.asc\"\n\n-----BEGIN PGP MESSAGE-----\n"
	  "--e--\n",
	  1, 0, 0, MP_MSG_FLAG_ENCRYPTED, 3, 1,
	  { { "encrypted.asc", "application/octet-stream", 27 } } },

	{ "tnef-winmail-dat",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nsee winmail\n"
	  "--b\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
	  "Content-Disposition: attachment; filename=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\neJ8+IgAA\n"
	  "--b--\n",
	  1, 0, 0, MP_MSG_FLAG_TNEF, 3, 1,
	  { { "winmail.dat", "application/ms-tnef", 8 } } },

	{ "smime-opaque-p7m",
	  HDRS "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
	  "Content-Disposition: attachment; filename=\"smime.p7m\"\nContent-Transfer-Encoding: base64\n\n"
	  "MIAGCSqGSIb3\nDQEHA6CAMIAC\n",
	  1, 0, 0, MP_MSG_FLAG_SMIME_OPAQUE, 1, 0,
	  { { "smime.p7m", "application/pkcs7-mime", 28 } } }, /* to the end: no boundary */

	{ "calendar-without-disposition-not-counted",
	  HDRS "Content-Type: multipart/alternative; boundary=\"a\"\n\n"
	  "--a\nContent-Type: text/plain\n\nmeeting\n"
	  "--a\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n"
	  "--a--\n",
	  0, 0, 0, MP_MSG_FLAG_CALENDAR, 3, 1,
	  { { 0 } } },

	{ "calendar-with-ics-copy",
	  HDRS "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
	  "--m\nContent-Type: multipart/alternative; boundary=\"a\"\n\n"
	  "--a\nContent-Type: text/plain\n\nmeeting\n"
	  "--a\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n"
	  "--a--\n"
	  "--m\nContent-Type: application/ics; name=\"invite.ics\"\n"
	  "Content-Disposition: attachment; filename=\"invite.ics\"\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n"
	  "--m--\n",
	  1, 0, 0, MP_MSG_FLAG_CALENDAR, 5, 2,
	  { { "invite.ics", "application/ics", 30 } } },

	{ "disposition-upper-case-counts",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/octet-stream\nContent-Disposition: ATTACHMENT\n\nabc\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { NULL, "application/octet-stream", 3 } } },

	{ "empty-filename-is-not-a2",
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: image/png\nContent-Disposition: inline; filename=\"\"\n\nPNG\n"
	  "--b\nContent-Type: application/octet-stream; name=\"\"\n\nBIN\n"
	  "--b--\n",
	  0, 1, 0, 0, 4, 1,
	  { { 0 } } },

	{ "upper-case-types",
	  HDRS "Content-Type: MULTIPART/MIXED; boundary=\"b\"\n\n"
	  "--b\nContent-Type: TEXT/PLAIN\n\nx\n"
	  "--b\nContent-Type: Application/PDF; NAME=\"UP.PDF\"\n\n%PDF\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "UP.PDF", "application/pdf", 4 } } },

	{ "crlf-body-before-boundary-not-counted",
	  /* the line end before a boundary belongs to the boundary (RFC 2046 §5.1.1) */
	  HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	  "--b\nContent-Type: text/plain\n\nx\n"
	  "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=two-lines.txt\n\n"
	  "line1\nline2\n\n"
	  "--b--\n",
	  1, 0, 0, 0, 3, 1,
	  { { "two-lines.txt", "application/octet-stream", 14 } } },
};

static char *
to_crlf (const char *lf)
{
	GString *s = g_string_new (NULL);

	for (const char *p = lf; *p; p++) {
		if (*p == '\n' && (p == lf || p[-1] != '\r'))
			g_string_append_c (s, '\r');
		g_string_append_c (s, *p);
	}
	return g_string_free (s, FALSE);
}

static MpMessage *
analyze_len (const char *text, gsize len)
{
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (text, len);
	MpMessage *m = mp_message_new ();

	mp_analyzer_run (a, stream, m);
	return m;
}

static MpMessage *
analyze (const char *text)
{
	return analyze_len (text, strlen (text));
}

static void
dump_problems (const MpMessage *m)
{
	for (guint i = 0; i < m->problems->len; i++)
		g_test_message ("  problem: %s", (const char *) g_ptr_array_index (m->problems, i));
}

static void
check_case (const MimeCase *c, const MpMessage *m)
{
	guint n_exp = 0;

	dump_problems (m);
	g_assert_cmpuint (m->attachments, ==, c->attachments);
	g_assert_cmpuint (m->inline_parts, ==, c->inline_parts);
	g_assert_cmpuint (m->nested_attachments, ==, c->nested);
	g_assert_cmphex (m->flags, ==, c->flags);
	g_assert_cmpuint (m->mime_parts, ==, c->mime_parts);
	g_assert_cmpuint (m->depth, ==, c->depth);
	while (n_exp < MAX_ATT && c->att[n_exp].mime_type != NULL)
		n_exp++;
	g_assert_cmpuint (m->attachment_list->len, ==, c->attachments);
	g_assert_cmpuint (n_exp, ==, c->attachments);
	for (guint i = 0; i < n_exp; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		g_assert_cmpstr (a->filename, ==, c->att[i].filename);
		g_assert_cmpstr (a->mime_type, ==, c->att[i].mime_type);
		if (c->att[i].encoded_size != 0)
			g_assert_cmpuint (a->encoded_size, ==, c->att[i].encoded_size);
		else
			g_assert_cmpuint (a->encoded_size, >, 0);
	}
	/* these well-formed messages parse without complaint */
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_UNPARSEABLE));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_TRUNCATED));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_MALFORMED_MULTIPART));
}

static void
test_mime_case (gconstpointer data)
{
	const MimeCase *c = data;
	g_autoptr(MpMessage) lf = analyze (c->text);
	g_autofree char *crlf_text = to_crlf (c->text);
	g_autoptr(MpMessage) crlf = analyze (crlf_text);

	g_test_message ("%s: LF form", c->name);
	check_case (c, lf);
	g_test_message ("%s: CRLF form", c->name);
	check_case (c, crlf);
	/* even where not pinned, the CRLF size is the same for both storages */
	for (guint i = 0; i < lf->attachment_list->len; i++)
		g_assert_cmpuint (((MpAttachment *) g_ptr_array_index (lf->attachment_list, i))->encoded_size, ==,
		                  ((MpAttachment *) g_ptr_array_index (crlf->attachment_list, i))->encoded_size);
}

/* ---- headers ---- */

static void
test_headers_decoded (void)
{
	g_autoptr(MpMessage) m = analyze (
		"From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\n"
		"Subject: =?UTF-8?B?R3LDvMOfZQ==?= =?ISO-8859-1?Q?_und_Caf=E9?=\n"
		"Date: Tue, 12 Mar 2019 10:00:00 +0100\n"
		"Message-ID: <abc.123@example.org>\n"
		"\nbody\n");

	dump_problems (m);
	g_assert_cmpstr (m->subject, ==, "Gr\xc3\xbc\xc3\x9f" "e und Caf\xc3\xa9");
	g_assert_cmpstr (m->from, ==, "J\xc3\xbcrgen <j@example.org>");
	g_assert_cmpstr (m->message_id, ==, "abc.123@example.org");
	g_assert_cmpstr (m->date, ==, "2019-03-12T10:00:00+01:00");
	g_assert_cmpint (m->date_unix, ==, 1552381200);
	g_assert_cmpint (m->date_source, ==, MP_DATE_HEADER);
	g_assert_cmpuint (m->problems->len, ==, 0);
}

static void
test_header_missing_date (void)
{
	g_autoptr(MpMessage) m = analyze ("From: a@example.org\nSubject: s\nMessage-ID: <1@x>\n\nbody\n");

	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MISSING_DATE));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_INVALID_DATE));
	g_assert_null (m->date);
	g_assert_cmpint (m->date_source, ==, MP_DATE_NONE);
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_MISSING_MESSAGE_ID));
}

static void
test_header_invalid_date (void)
{
	g_autoptr(MpMessage) m = analyze ("From: a@example.org\nDate: yesterday-ish\nMessage-ID: <1@x>\n\nbody\n");

	dump_problems (m);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_INVALID_DATE));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_MISSING_DATE));
	g_assert_null (m->date);
}

static void
test_header_missing_message_id (void)
{
	g_autoptr(MpMessage) m = analyze ("From: a@example.org\nDate: Tue, 12 Mar 2019 10:00:00 +0000\n\nbody\n");

	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MISSING_MESSAGE_ID));
	g_assert_null (m->message_id);
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_MISSING_DATE));
}

static void
test_header_missing_from (void)
{
	g_autoptr(MpMessage) m = analyze ("Subject: s\nDate: Tue, 12 Mar 2019 10:00:00 +0000\nMessage-ID: <1@x>\n\nbody\n");

	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MISSING_FROM));
	g_assert_null (m->from);
}

/* A problem is recorded once, however often it is found. */
static void
test_problem_dedup (void)
{
	g_autoptr(MpMessage) m = mp_message_new ();

	mp_message_add_problem (m, MP_PROBLEM_TRUNCATED, "detail");
	mp_message_add_problem (m, MP_PROBLEM_TRUNCATED, "detail");
	mp_message_add_problem (m, MP_PROBLEM_TRUNCATED, NULL);
	g_assert_cmpuint (m->problems->len, ==, 2);
	g_assert_cmpstr (g_ptr_array_index (m->problems, 0), ==, "truncated: detail");
	g_assert_cmpstr (g_ptr_array_index (m->problems, 1), ==, "truncated");
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_TRUNCATED));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_MALFORMED_MESSAGE));
	g_assert_false (mp_message_has_problem (m, MP_PROBLEM_UNKNOWN));
	for (int i = 0; i < 100; i++) {
		g_autofree char *d = g_strdup_printf ("d%d", i);
		mp_message_add_problem (m, MP_PROBLEM_NUL_BYTE, d);
	}
	/* capped, with a marker */
	g_assert_cmpuint (m->problems->len, <=, 33);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MORE_PROBLEMS));
}

/* The one vocabulary (problem-codes.h): every code has one name, distinct
 * from the others, that reads back to the same code — the way a rules file
 * and a saved report name it. */
static void
test_problem_vocabulary (void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(MpMessage) m = mp_message_new ();

	for (guint c = MP_PROBLEM_UNKNOWN + 1; c < MP_PROBLEM_COUNT; c++) {
		const char *name = mp_problem_name ((MpProblemCode) c);
		g_assert_nonnull (name);
		g_assert_cmpstr (name, !=, "unknown");
		g_assert_false (g_hash_table_contains (seen, name));
		g_hash_table_add (seen, (gpointer) name);
		g_assert_cmpint (mp_problem_from_name (name, strlen (name)), ==, c);
	}
	g_assert_cmpint (mp_problem_of_text ("missing-date: x"), ==, MP_PROBLEM_MISSING_DATE);
	g_assert_cmpint (mp_problem_of_text ("missing-dat"), ==, MP_PROBLEM_UNKNOWN);
	g_assert_cmpint (mp_problem_of_text ("no-such-problem: x"), ==, MP_PROBLEM_UNKNOWN);
	/* what a saved report holds reads back as the code it names */
	mp_message_add_problem_text (m, "invalid-time: Tue, 1 Jan 2019 25:00 +0000");
	mp_message_add_problem_text (m, "from-a-newer-version");
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_INVALID_TIME));
	g_assert_cmpuint (m->problems->len, ==, 2);
}

/* Flag names: one table for reports and rules files (DEFINITIONS.md spells
 * smime_opaque; "smime-opaque" is how rules files wrote it before). */
static void
test_flag_vocabulary (void)
{
	g_autofree char *all = mp_message_flags_string (MP_MSG_FLAG_ALL);

	g_assert_cmpstr (all, ==, "tnef;smime_opaque;signed;encrypted;calendar");
	for (guint flag = 1; flag & MP_MSG_FLAG_ALL; flag <<= 1)
		g_assert_cmpuint (mp_message_flag_from_name (mp_message_flag_name (flag)), ==, flag);
	g_assert_cmpuint (mp_message_flag_from_name ("smime-opaque"), ==, MP_MSG_FLAG_SMIME_OPAQUE);
	g_assert_cmpuint (mp_message_flag_from_name ("smime"), ==, 0);
	g_assert_cmpuint (mp_message_flag_from_name ("smime_opaque_"), ==, 0);
	g_assert_null (mp_message_flag_name (MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_TNEF));
}

static void
test_read_state_from_status (void)
{
	g_autoptr(MpMessage) seen = analyze ("From: a@x\nStatus: RO\nMessage-ID: <1@x>\n\nb\n");
	g_autoptr(MpMessage) unseen = analyze ("From: a@x\nStatus: O\nMessage-ID: <1@x>\n\nb\n");
	g_autoptr(MpMessage) unknown = analyze ("From: a@x\nMessage-ID: <1@x>\n\nb\n");

	g_assert_cmpint (seen->read_state, ==, MP_READ_SEEN);
	g_assert_cmpint (unseen->read_state, ==, MP_READ_UNSEEN);
	g_assert_cmpint (unknown->read_state, ==, MP_READ_UNKNOWN);
}

/* DEFINITIONS.md "Deleted": the marks mbox stores keep in headers, read the
 * same by the light walker and by GMime; a store that keeps flags outside
 * the message (Maildir, IMAP: store_flags) is not overruled by stale
 * headers. */
typedef struct {
	const char *headers;
	MpDeleted   expect;
} DeletedCase;

static const DeletedCase deleted_cases[] = {
	{ "Status: RO\n", MP_DELETED_NONE },
	{ "Status: RD\n", MP_DELETED_STATUS },
	{ "Status: O\nX-Status: AD\n", MP_DELETED_X_STATUS },
	{ "X-Status: F\n", MP_DELETED_NONE },
	{ "X-Mozilla-Status: 0001\n", MP_DELETED_NONE },
	{ "X-Mozilla-Status: 0009\n", MP_DELETED_MOZILLA },
	{ "X-Mozilla-Status: 0008\nX-Mozilla-Status2: 00000000\n", MP_DELETED_MOZILLA },
	{ "X-Mozilla-Status:  8008 \n", MP_DELETED_MOZILLA },
	{ "X-Mozilla-Status: 8001\n", MP_DELETED_NONE },
	{ "X-Mozilla-Status: zz08\n", MP_DELETED_NONE },
	{ "x-status: D\n", MP_DELETED_X_STATUS },       /* header names in any case */
	/* a repeat makes the light walker decline: GMime reads the first */
	{ "X-Status: D\nX-Status: A\n", MP_DELETED_X_STATUS },
	{ "X-Mozilla-Status: 0001\nX-Mozilla-Status: 0009\n", MP_DELETED_NONE },
};

static void
test_deleted_marks (void)
{
	/* one analyzer per walker, reused: each holds a 4 MiB buffer */
	g_autoptr(MpAnalyzer) gmime = mp_analyzer_new ();
	g_autoptr(MpAnalyzer) light = mp_analyzer_new ();

	mp_analyzer_set_fast_path (gmime, FALSE);
	for (gsize i = 0; i < G_N_ELEMENTS (deleted_cases); i++) {
		const DeletedCase *c = &deleted_cases[i];
		g_autofree char *text = g_strdup_printf ("From: a@x\n%sSubject: s\nMessage-ID: <1@x>\n\nbody\n", c->headers);

		for (int fast = 0; fast <= 1; fast++) {
			for (int store_flags = 0; store_flags <= 1; store_flags++) {
				MpAnalyzer *a = fast ? light : gmime;
				g_autoptr(MpMessage) m = mp_message_new ();

				m->store_flags = store_flags;
				mp_analyzer_run_bytes (a, (const guint8 *) text, strlen (text), MP_RANGE_COUNT_SIZE, m);
				g_test_message ("%s fast=%d store_flags=%d: %d", c->headers, fast, store_flags, m->deleted);
				g_assert_cmpint (m->deleted, ==, store_flags ? MP_DELETED_NONE : c->expect);
			}
		}
	}
	/* the vocabulary: one name per mark, read back */
	for (guint d = MP_DELETED_NONE + 1; d < MP_DELETED_COUNT; d++)
		g_assert_cmpint (mp_deleted_from_name (mp_deleted_name ((MpDeleted) d)), ==, d);
	g_assert_null (mp_deleted_name (MP_DELETED_NONE));
	g_assert_cmpint (mp_deleted_from_name ("deleted"), ==, MP_DELETED_NONE);
}

/* ---- damaged input: a problem, never a crash ---- */

static void
test_random_binary (void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed (7);

	for (int iter = 0; iter < 50; iter++) {
		gsize len = (gsize) g_rand_int_range (rand, 1, 4096);
		g_autofree guchar *buf = g_malloc (len);
		g_autoptr(MpMessage) m = NULL;

		for (gsize i = 0; i < len; i++)
			buf[i] = (guchar) g_rand_int_range (rand, 0, 256);
		/* a byte that cannot start a header name */
		buf[0] = (guchar) (0x80 | buf[0]);
		m = analyze_len ((const char *) buf, len);
		dump_problems (m);
		g_assert_cmpuint (m->problems->len, >, 0);
		g_assert_true (mp_message_has_problem (m, MP_PROBLEM_UNPARSEABLE) ||
		               mp_message_has_problem (m, MP_PROBLEM_MALFORMED_HEADER) ||
		               mp_message_has_problem (m, MP_PROBLEM_MISSING_FROM));
		g_assert_cmpuint (m->attachments, ==, 0);
	}
}

static void
test_empty_input (void)
{
	g_autoptr(MpMessage) m = analyze_len ("", 0);

	dump_problems (m);
	g_assert_cmpuint (m->problems->len, >, 0);
	g_assert_cmpuint (m->attachments, ==, 0);
}

static void
test_missing_closing_boundary (void)
{
	g_autoptr(MpMessage) m = analyze (
		HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
		"--b\nContent-Type: text/plain\n\nx\n"
		"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n%PDF\n");

	dump_problems (m);
	/* GMime 3.2.13 reports the missing end boundary as a truncated message */
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_TRUNCATED));
	/* what was there is still counted */
	g_assert_cmpuint (m->attachments, ==, 1);
}

static void
test_multipart_without_boundary (void)
{
	g_autoptr(MpMessage) m = analyze (
		HDRS "Content-Type: multipart/mixed\n\n"
		"--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n%PDF\n--b--\n");

	dump_problems (m);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY));
}

/* Far deeper than GMime's MAX_LEVEL (1024): no crash, a problem recorded. */
static void
test_deep_nesting (void)
{
	g_autoptr(GString) s = g_string_new (HDRS);
	const int depth = 2000;
	g_autoptr(MpMessage) m = NULL;

	for (int i = 0; i < depth; i++)
		g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	g_string_append (s, "Content-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\nx\n");
	for (int i = depth - 1; i >= 0; i--)
		g_string_append_printf (s, "--b%d--\n", i);
	m = analyze_len (s->str, s->len);
	dump_problems (m);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_NESTING_OVERFLOW));
}

/* Many attachments: each counted, in order. */
static void
test_many_attachments (void)
{
	g_autoptr(GString) s = g_string_new (HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n\nbody\n");
	g_autoptr(MpMessage) m = NULL;

	for (int i = 0; i < 150; i++)
		g_string_append_printf (s, "--b\nContent-Type: text/plain; name=\"f%03d.txt\"\n\n%d\n", i, i);
	g_string_append (s, "--b--\n");
	m = analyze_len (s->str, s->len);
	g_assert_cmpuint (m->attachments, ==, 150);
	g_assert_cmpuint (m->attachment_list->len, ==, 150);
	g_assert_cmpstr (((MpAttachment *) g_ptr_array_index (m->attachment_list, 0))->filename, ==, "f000.txt");
	g_assert_cmpstr (((MpAttachment *) g_ptr_array_index (m->attachment_list, 149))->filename, ==, "f149.txt");
}

/* The analyzer reads from the stream's current position, and one analyzer
 * can be reused: results do not leak from one message to the next. */
static void
test_analyzer_reuse (void)
{
	const MimeCase *two = &cases[2];
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();

	g_assert_cmpstr (two->name, ==, "mixed-two-attachments");
	for (int i = 0; i < 3; i++) {
		g_autoptr(GMimeStream) s1 = g_mime_stream_mem_new_with_buffer (two->text, strlen (two->text));
		g_autoptr(GMimeStream) s2 = g_mime_stream_mem_new_with_buffer (cases[0].text, strlen (cases[0].text));
		g_autoptr(MpMessage) m1 = mp_message_new ();
		g_autoptr(MpMessage) m2 = mp_message_new ();

		mp_analyzer_run (a, s1, m1);
		mp_analyzer_run (a, s2, m2);
		g_assert_cmpuint (m1->attachments, ==, 2);
		g_assert_cmpuint (m2->attachments, ==, 0);
		g_assert_cmpuint (m2->problems->len, ==, 0);
	}
}

/* mp_analyzer_run_range: a byte range of a file, from memory (small) or
 * from the file (over MP_ANALYZER_MEM_MAX), gives the same result, and the
 * size is the CRLF size of exactly that range. */
static void
check_range (gsize attachment_bytes)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("mp-range-XXXXXX", &error);
	g_autofree char *path = g_build_filename (dir, "file", NULL);
	g_autoptr(GString) msg = g_string_new (HDRS "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	                                       "--b\nContent-Type: text/plain\n\nhi\n"
	                                       "--b\nContent-Type: application/octet-stream\n"
	                                       "Content-Disposition: attachment; filename=big.bin\n"
	                                       "Content-Transfer-Encoding: base64\n\n");
	g_autoptr(GString) file = g_string_new ("junk before\n");
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autoptr(MpMessage) m2 = mp_message_new ();
	const MpAttachment *att;
	gsize body_start, start;
	guint64 body_crlf;
	int fd;

	g_assert_no_error (error);
	body_start = msg->len;
	for (gsize done = 0; done < attachment_bytes; done += 77)
		g_string_append (msg, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n");
	/* the body as stored, without the line end that belongs to the boundary */
	body_crlf = mp_crlf_size (msg->str + body_start, msg->len - body_start - 1);
	g_string_append (msg, "--b--\n");
	start = file->len;
	g_string_append_len (file, msg->str, (gssize) msg->len);
	g_string_append (file, "trailing junk that is not part of the message\n");
	g_file_set_contents (path, file->str, (gssize) file->len, &error);
	g_assert_no_error (error);

	fd = g_open (path, O_RDONLY, 0);
	g_assert_cmpint (fd, >=, 0);
	mp_analyzer_run_range (a, fd, start, start + msg->len, TRUE, m);
	dump_problems (m);
	g_assert_cmpuint (m->size, ==, mp_crlf_size (msg->str, msg->len));
	g_assert_cmpuint (m->max_line, ==, 76);
	g_assert_cmpuint (m->attachments, ==, 1);
	g_assert_cmpuint (m->problems->len, ==, 0);
	att = g_ptr_array_index (m->attachment_list, 0);
	g_assert_cmpstr (att->filename, ==, "big.bin");
	g_assert_cmpuint (att->encoded_size, ==, body_crlf);
	g_assert_cmpstr (m->subject, ==, "test");
	/* without COUNT_SIZE the size is left alone */
	m2->size = 12345;
	mp_analyzer_run_range (a, fd, start, start + msg->len, FALSE, m2);
	g_assert_cmpuint (m2->size, ==, 12345);
	g_assert_cmpuint (m2->attachments, ==, 1);
	close (fd);
	g_unlink (path);
	g_rmdir (dir);
}

static void
test_run_range_small (void)
{
	check_range (10000);
}

static void
test_run_range_large (void)
{
	check_range (MP_ANALYZER_MEM_MAX + 100000);
}

static void
test_run_range_unreadable (void)
{
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(MpMessage) m = mp_message_new ();
	int fds[2];

	/* a closed descriptor cannot be read */
	g_assert_cmpint (pipe (fds), ==, 0);
	close (fds[0]);
	close (fds[1]);
	mp_analyzer_run_range (a, fds[0], 0, 100, TRUE, m);
	dump_problems (m);
	g_assert_true (mp_message_has_problem (m, MP_PROBLEM_UNREADABLE));
}

/* An attached message measures as stored (what IMAP reports as its
 * body-fld-octets), whichever way the bytes come: in memory from an mbox
 * (one '>' of a quoted From line not counted), or streamed from a file range
 * over MP_ANALYZER_MEM_MAX. GMime writes its nested multipart back with an
 * empty line more (GMIME-IMAP-FACTS §4.2): the size must not follow. */
/* A message forwarding another whose nested multipart has no epilogue,
 * with PDF_OCTETS of base64 in its attachment; *STORED: the attached
 * message's stored CRLF size, one '>' less for its quoted From line. The
 * line end of its last close delimiter is its own, as Dovecot and Cyrus
 * count it, though the next delimiter follows at once. */
static GString *
forwarded_message (gsize pdf_octets, guint64 *stored)
{
	g_autoptr(GString) inner = g_string_new ("From: c@example.org\nSubject: inner\nMIME-Version: 1.0\n"
	                                         "Content-Type: multipart/mixed; boundary=\"in\"\n\n"
	                                         "--in\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
	                                         "--alt\nContent-Type: text/plain\n\n>From the start\n"
	                                         "--alt\nContent-Type: text/html\n\n<p>x</p>\n"
	                                         "--alt--\n"
	                                         "--in\nContent-Type: application/pdf\n"
	                                         "Content-Disposition: attachment; filename=a.pdf\n"
	                                         "Content-Transfer-Encoding: base64\n\n");
	GString *msg = g_string_new (HDRS "Content-Type: multipart/mixed; boundary=\"out\"\n\n"
	                             "--out\nContent-Type: text/plain\n\nforwarded\n"
	                             "--out\nContent-Type: message/rfc822\n"
	                             "Content-Disposition: attachment; filename=fwd.eml\n\n");

	for (gsize done = 0; done < pdf_octets; done += 77)
		g_string_append (inner, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n");
	g_string_append (inner, "--in--\n");
	*stored = mp_crlf_size (inner->str, inner->len) - 1;
	g_string_append_len (msg, inner->str, (gssize) inner->len);
	g_string_append (msg, "--out--\n");
	return msg;
}

static void
check_forwarded (const MpMessage *m, guint64 stored)
{
	const MpAttachment *att;

	dump_problems (m);
	g_assert_cmpuint (m->attachments, ==, 1);
	g_assert_cmpuint (m->nested_attachments, ==, 1);
	att = g_ptr_array_index (m->attachment_list, 0);
	g_assert_cmpstr (att->mime_type, ==, "message/rfc822");
	g_assert_cmpuint (att->encoded_size, ==, stored);
}

/* An attached message measures as stored (what IMAP reports as its
 * body-fld-octets), whichever way the bytes come: in memory from an mbox
 * (one '>' of a quoted From line not counted) or a Maildir file, and
 * streamed from a file range over MP_ANALYZER_MEM_MAX. GMime writes its
 * nested multipart back with one empty line more (GMIME-IMAP-FACTS §4.2):
 * the size must not follow. */
static void
test_attached_message_stored_size (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("mp-fwd-XXXXXX", &error);
	g_autofree char *path = g_build_filename (dir, "file", NULL);
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(MpMessage) mbox = mp_message_new ();
	g_autoptr(MpMessage) maildir = mp_message_new ();
	g_autoptr(MpMessage) large = mp_message_new ();
	guint64 stored, stored_large;
	g_autoptr(GString) small = forwarded_message (1000, &stored);
	g_autoptr(GString) big = forwarded_message (MP_ANALYZER_MEM_MAX, &stored_large);
	int fd;

	g_assert_no_error (error);
	mp_analyzer_run_bytes (a, (const guint8 *) small->str, small->len, MP_RANGE_MBOX_QUOTED, mbox);
	check_forwarded (mbox, stored);
	/* in a Maildir file the '>' is the message's own */
	mp_analyzer_run_bytes (a, (const guint8 *) small->str, small->len, 0, maildir);
	check_forwarded (maildir, stored + 1);

	g_file_set_contents (path, big->str, (gssize) big->len, &error);
	g_assert_no_error (error);
	fd = g_open (path, O_RDONLY, 0);
	g_assert_cmpint (fd, >=, 0);
	mp_analyzer_run_range (a, fd, 0, big->len, MP_RANGE_MBOX_QUOTED, large);
	close (fd);
	check_forwarded (large, stored_large);
	g_unlink (path);
	g_rmdir (dir);
}

/* The idn shortcut (mp_address_list_prefill_idn, mime-record.c) must give
 * what GMime's own internet_address_list_to_string() gives: each address
 * list is parsed twice, written once by GMime alone and once after the
 * shortcut, and the strings compared. */
static void
check_idn_same (const char *text)
{
	g_autoptr(InternetAddressList) plain = internet_address_list_parse (NULL, text);
	g_autoptr(InternetAddressList) fast = internet_address_list_parse (NULL, text);
	g_autofree char *want = NULL;
	g_autofree char *got = NULL;

	if (plain == NULL) {
		g_assert_null (fast);
		return;
	}
	want = internet_address_list_to_string (plain, NULL, FALSE);
	mp_address_list_prefill_idn (fast);
	got = internet_address_list_to_string (fast, NULL, FALSE);
	if (g_strcmp0 (want, got) != 0)
		g_test_message ("differ for %s: GMime %s, shortcut %s", text, want, got);
	g_assert_cmpstr (got, ==, want);
}

#ifdef MP_TEST_HAVE_IDN2
#include <idn2.h>

/* The claim under the shortcut, asked of libidn2 directly: for an ASCII
 * domain, idn2_to_ascii_8z (flags 0, as GMime calls it) fails or returns
 * the domain up to ASCII case. */
static void
check_idn2_ascii (const char *domain)
{
	char *ascii = NULL;
	int rc = idn2_to_ascii_8z (domain, &ascii, 0);

	if (rc == IDN2_OK && g_ascii_strcasecmp (domain, ascii) != 0)
		g_test_message ("idn2 rewrites ASCII domain %s as %s", domain, ascii);
	g_assert_true (rc != IDN2_OK || g_ascii_strcasecmp (domain, ascii) == 0);
	idn2_free (ascii);
}
#endif

static void
check_idn_domain (const char *domain)
{
	g_autofree char *a = g_strdup_printf ("user@%s", domain);
	g_autofree char *b = g_strdup_printf ("\"Some One\" <Some.One@%s>, x@%s", domain, domain);
	g_autofree char *c = g_strdup_printf ("Team: \"a b\"@%s, <c@%s>;, d@example.org", domain, domain);

	check_idn_same (a);
	check_idn_same (b);
	check_idn_same (c);
#ifdef MP_TEST_HAVE_IDN2
	check_idn2_ascii (domain);
#endif
}

static void
test_idn_shortcut_fixed (void)
{
	static const char *const domains[] = {
		"example.org", "EXAMPLE.ORG", "Example.Org", "example.org.", "EXAMPLE.ORG.",
		"a", "A", "localhost", "127.0.0.1", "[127.0.0.1]", "[IPv6:::1]", "1.2.3.4.5",
		"123.example", "0x.example",
		/* A-labels: valid, with upper case, and invalid ones */
		"xn--bcher-kva.de", "XN--BCHER-KVA.DE", "xn--BCHER-kva.de", "Xn--Bcher-Kva.De",
		"xn--nxasmq6b.com", "XN--NXASMQ6B.COM", "xn--mnchen-3ya.de", "xn--80akhbyknj4f.xn--p1ai",
		"xn--fiqs8s", "XN--FIQS8S", "xn--zca.example", "xn--ss-fia.example",
		"xn--strae-oqa.de", "XN--STRAE-OQA.DE",
		"xn--.example", "xn--a.example", "xn---.example", "xn--abc-.example", "xn--abc.example",
		"xn--abc-def.example", "xn--ab--c.example", "xn--zzzzzzz.example", "xn--999.example",
		"xn--bcher-kva-.de", "xn--bcher-xxx.de", "xn--bcher-kva.xn--bcher-kva", "xn--a-ecp.ru",
		"xn--ls8h.la", "XN--LS8H.LA", "xn--i-7iq.ws", "xn--n3h.example", "xn--1ca.example",
		"xn--0ca.example", "xn--9ca.example", "xn--ida.example", "xn--tda.example",
		"xn--hxajbheg2az3al.xn--jxalpdlp", "xn--80a.example", "xn--fsqu00a.example",
		"xn--abc", "-xn--abc.example", "xn--", "xn--.", "XN--",
		/* STD3-invalid characters, hyphens at label ends, empty labels */
		"under_score.example", "_dmarc.example.org", "a_b_c", "-lead.example", "trail-.example",
		"-", "--", "a--b.example", "ab--cd.example", "a.-b.example", "a.b-.example",
		"a..b", "..", ".", ".example", "example..org", "example.org..",
		"a b.example", "a!b.example", "a$b.example", "a+b.example", "a=b.example", "a~b",
		"a'b.example", "a*b.example", "a#b", "a%b", "a&b", "a{b}", "a|b", "a^b", "a`b",
		"a/b", "a?b", "a\\b", "UPPER-CASE-ONLY", "MiXeD-123.CoM",
		/* long labels and domains */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",   /* 63 */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",  /* 64 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.example",
		"xn--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	};

	for (gsize i = 0; i < G_N_ELEMENTS (domains); i++)
		check_idn_domain (domains[i]);
	{
		/* a domain past 253 octets, and one of 253 */
		g_autoptr(GString) d = g_string_new (NULL);
		while (d->len < 300) {
			g_string_append (d, "Label-0123456789.");
			if (d->len > 240 && d->len < 260)
				check_idn_domain (d->str);
		}
		g_string_append (d, "COM");
		check_idn_domain (d->str);
		g_string_truncate (d, 253);
		check_idn_domain (d->str);
	}
	/* addresses without a domain, quoted and odd local parts, several
	 * mailboxes, groups, empty groups */
	check_idn_same ("user");
	check_idn_same ("<user>");
	check_idn_same ("\"quoted local\"@EXAMPLE.org");
	check_idn_same ("\"a@b\"@Example.COM");
	check_idn_same ("\"\"@example.org");
	check_idn_same ("@example.org");
	check_idn_same ("user@");
	check_idn_same ("a@b@c.example");
	check_idn_same ("A <a@X.example>, B <b@xn--bcher-kva.DE>, c@Y.example, \"D\" <d@_z.example>");
	check_idn_same ("Undisclosed recipients:;");
	check_idn_same ("G1: a@A.example, b@B.example;, G2: ;, e@E.example");
	check_idn_same ("G: H: a@nested.example;;");
	check_idn_same ("a@example.org (comment), b@Example.org (more)");
	check_idn_same ("=?utf-8?q?M=C3=BCller?= <mueller@Example.ORG>");
}

/* Random ASCII domains: labels of letters (both cases), digits, '-', '_',
 * and A-label-like labels, some of them mangled real A-labels. */
static void
test_idn_shortcut_random (void)
{
	static const char *const alabels[] = {
		"xn--bcher-kva", "xn--nxasmq6b", "xn--mnchen-3ya", "xn--80akhbyknj4f", "xn--p1ai",
		"xn--fiqs8s", "xn--zca", "xn--ss-fia", "xn--strae-oqa", "xn--ls8h", "xn--i-7iq",
		"xn--hxajbheg2az3al", "xn--jxalpdlp", "xn--fsqu00a", "xn--1ca", "xn--ida",
	};
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789--_";
	g_autoptr(GRand) r = g_rand_new_with_seed (20260101);
	int rounds = g_test_slow () ? 200000 : 20000;

	for (int n = 0; n < rounds; n++) {
		g_autoptr(GString) d = g_string_new (NULL);
		int labels = g_rand_int_range (r, 1, 5);

		for (int l = 0; l < labels; l++) {
			int kind = g_rand_int_range (r, 0, 4);
			gsize start = d->len;
			if (l > 0)
				g_string_append_c (d, '.');
			start = d->len;
			if (kind == 0) {
				/* a real A-label, then case flips and a mangled octet */
				g_string_append (d, alabels[g_rand_int_range (r, 0, G_N_ELEMENTS (alabels))]);
				for (gsize k = start; k < d->len; k++)
					if (g_rand_boolean (r))
						d->str[k] = g_ascii_toupper (d->str[k]);
				if (g_rand_int_range (r, 0, 3) == 0)
					d->str[g_rand_int_range (r, (gint32) start, (gint32) d->len)] =
						chars[g_rand_int_range (r, 0, sizeof chars - 1)];
			} else {
				int len = g_rand_int_range (r, 0, kind == 3 ? 70 : 12);
				if (kind == 1)
					g_string_append (d, g_rand_boolean (r) ? "xn--" : "XN--");
				for (int k = 0; k < len; k++)
					g_string_append_c (d, chars[g_rand_int_range (r, 0, sizeof chars - 1)]);
			}
		}
		if (g_rand_int_range (r, 0, 8) == 0)
			g_string_append_c (d, '.');
		check_idn_domain (d->str);
	}
}

/* Non-ASCII domains are left to idn2: the shortcut sets nothing and GMime
 * still writes the A-label. */
static void
test_idn_shortcut_non_ascii (void)
{
	g_autoptr(InternetAddressList) list = internet_address_list_parse (NULL, "B <b@b\xc3\xbc" "cher.de>, a@Example.org");
	InternetAddressMailbox *mb;
	g_autofree char *s = NULL;

	g_assert_nonnull (list);
	mp_address_list_prefill_idn (list);
	mb = INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 0));
	g_assert_null (mb->idn_addr);
	mb = INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, 1));
	g_assert_cmpstr (mb->idn_addr, ==, "a@Example.org");
	s = internet_address_list_to_string (list, NULL, FALSE);
	g_assert_cmpstr (s, ==, "B <b@xn--bcher-kva.de>, a@Example.org");
	check_idn_same ("B <b@b\xc3\xbc" "cher.de>, a@Example.org");
	check_idn_same ("c@B\xc3\x9c" "CHER.DE");
	check_idn_same ("d@\xe2\x98\x83" ".example");
	check_idn_same ("\xc3\xa9" "l\xc3\xa8" "ve@example.org");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *path = g_strdup_printf ("/mime-analyze/case/%s", cases[i].name);
		g_test_add_data_func (path, &cases[i], test_mime_case);
	}
	g_test_add_func ("/mime-analyze/headers/decoded", test_headers_decoded);
	g_test_add_func ("/mime-analyze/headers/missing-date", test_header_missing_date);
	g_test_add_func ("/mime-analyze/headers/invalid-date", test_header_invalid_date);
	g_test_add_func ("/mime-analyze/headers/missing-message-id", test_header_missing_message_id);
	g_test_add_func ("/mime-analyze/headers/missing-from", test_header_missing_from);
	g_test_add_func ("/mime-analyze/headers/status-read-state", test_read_state_from_status);
	g_test_add_func ("/mime-analyze/headers/deleted-marks", test_deleted_marks);
	g_test_add_func ("/mime-analyze/problems/dedup-and-cap", test_problem_dedup);
	g_test_add_func ("/mime-analyze/problems/vocabulary", test_problem_vocabulary);
	g_test_add_func ("/mime-analyze/flags/vocabulary", test_flag_vocabulary);
	g_test_add_func ("/mime-analyze/damaged/random-binary", test_random_binary);
	g_test_add_func ("/mime-analyze/damaged/empty", test_empty_input);
	g_test_add_func ("/mime-analyze/damaged/missing-closing-boundary", test_missing_closing_boundary);
	g_test_add_func ("/mime-analyze/damaged/multipart-without-boundary", test_multipart_without_boundary);
	g_test_add_func ("/mime-analyze/damaged/deep-nesting", test_deep_nesting);
	g_test_add_func ("/mime-analyze/many-attachments", test_many_attachments);
	g_test_add_func ("/mime-analyze/analyzer-reuse", test_analyzer_reuse);
	g_test_add_func ("/mime-analyze/idn-shortcut/fixed", test_idn_shortcut_fixed);
	g_test_add_func ("/mime-analyze/idn-shortcut/random", test_idn_shortcut_random);
	g_test_add_func ("/mime-analyze/idn-shortcut/non-ascii", test_idn_shortcut_non_ascii);
	g_test_add_func ("/mime-analyze/run-range/small", test_run_range_small);
	g_test_add_func ("/mime-analyze/run-range/large", test_run_range_large);
	g_test_add_func ("/mime-analyze/run-range/unreadable", test_run_range_unreadable);
	g_test_add_func ("/mime-analyze/attached-message/stored-size", test_attached_message_stored_size);
	return g_test_run ();
}
