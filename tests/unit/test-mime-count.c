/* test-mime-count.c — the streaming part counter (analyzer/mime/mime-count.h)
 * and the cap on MIME parts (MP_MIME_MAX_PARTS, mime-analyze.h).
 *
 * Each message is analyzed twice: by the GMime tree walk with no cap, and
 * with a cap of one part, so that the streaming counter reads every
 * multipart. On these messages the counter is exact: everything the walk
 * records is recorded the same (structure, attachment list with sizes,
 * header facts, problems), plus the problem too-many-parts. Then the cases
 * where it is an approximation and the limits it keeps. */
#include "mime-analyze.h"
#include "mime-count.h"
#include "message-compare.h"

#include <string.h>

typedef struct {
	const char *name;
	const char *text;
	MpRangeFlags flags;
} Case;

#define HEAD "From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: case\n" \
             "Date: Tue, 01 Jan 2019 10:00:00 +0000\nMessage-ID: <c@example.org>\nMIME-Version: 1.0\n"
#define HEAD_CRLF "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: case\r\n" \
                  "Date: Tue, 01 Jan 2019 10:00:00 +0000\r\nMessage-ID: <c@example.org>\r\nMIME-Version: 1.0\r\n"

static const Case exact[] = {
	{ "mixed with an attachment", HEAD "Content-Type: multipart/mixed; boundary=\"b1\"\n\npreamble\n"
	  "--b1\nContent-Type: text/plain; charset=utf-8\n\nhello\n"
	  "--b1\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment; filename=\"a.pdf\"\n"
	  "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\nJVBERi0xLjQK\n--b1--\nepilogue\n", 0 },
	{ "CRLF", HEAD_CRLF "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
	  "--b\r\nContent-Disposition: attachment; filename=x.bin\r\n\r\n0123456789\r\n--b--\r\n", 0 },
	{ "nested alternative, inline image", HEAD "Content-Type: multipart/mixed; boundary=outer\n\n"
	  "--outer\nContent-Type: multipart/related; boundary=rel\n\n--rel\n"
	  "Content-Type: multipart/alternative; boundary=alt\n\n--alt\nContent-Type: text/plain\n\ntext\n"
	  "--alt\nContent-Type: text/html\n\n<img src=cid:i1>\n--alt--\n"
	  "--rel\nContent-Type: image/png\nContent-ID: <i1>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--rel--\n"
	  "--outer\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\n--outer\n"
	  "Content-Type: application/ms-tnef; name=winmail.dat\n\nTNEF\n--outer--\n", 0 },
	{ "signed", HEAD "Content-Type: multipart/signed; boundary=s; protocol=\"application/pgp-signature\"\n\n"
	  "--s\nContent-Type: text/plain\n\nsigned text\n--s\nContent-Type: application/pgp-signature; name=sig.asc\n\n"
	  "-----BEGIN PGP SIGNATURE-----\n--s--\n", 0 },
	{ "encrypted", HEAD "Content-Type: multipart/encrypted; boundary=e\n\n--e\n"
	  "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--e\n"
	  "Content-Type: application/octet-stream; name=encrypted.asc\n\n-----BEGIN PGP MESSAGE-----\n--e--\n", 0 },
	{ "attached message with its own attachments", HEAD "Content-Type: multipart/mixed; boundary=m\n\n"
	  "--m\nContent-Type: text/plain\n\nsee below\n--m\nContent-Type: message/rfc822\n\n"
	  "From: x@example.org\nSubject: inner\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=in\n\n"
	  "--in\nContent-Type: text/plain\n\ninner text\n--in\nContent-Disposition: attachment; filename=i.zip\n\nPK\n"
	  "--in--\n\n--m\nContent-Type: image/gif; name=g.gif\n\nGIF89a\n--m--\n", 0 },
	{ "digest", HEAD "Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: a@x\nSubject: one\n\nbody one\n"
	  "--d\n\nFrom: b@x\nSubject: two\n\nbody two\n--d--\n", 0 },
	{ "boundary with trailing blanks", HEAD "Content-Type: multipart/mixed; boundary=w\n\n--w  \n"
	  "Content-Type: text/plain\n\nx\n--w\t\nContent-Disposition: attachment; filename=y.txt\n\ny\n--w-- \n", 0 },
	{ "RFC 2231 and encoded words", HEAD "Content-Type: multipart/mixed; boundary=r\n\n--r\n"
	  "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename*=UTF-8''%E2%82%AC.bin\n\nx\n"
	  "--r\nContent-Type: text/plain; name=\"=?UTF-8?B?w6QudHh0?=\"\n\ny\n--r--\n", 0 },
	{ "mbox quoting", HEAD "Content-Type: multipart/mixed; boundary=q\n\n--q\n"
	  "Content-Disposition: attachment; filename=q.txt\n\n>From the start\nx\n>>From deeper\n--q--\n",
	  MP_RANGE_MBOX_QUOTED },
	{ "headers ended by a boundary", HEAD "Content-Type: multipart/mixed; boundary=h\n\n--h\n"
	  "Content-Type: text/plain\n--h\nContent-Disposition: attachment; filename=z\n\nz\n--h--\n", 0 },
	{ "8-bit header", "From: a@example.org\nSubject: caf\xc3\xa9\nDate: Tue, 01 Jan 2019 10:00:00 +0000\n"
	  "Message-ID: <e@x>\nContent-Type: multipart/mixed; boundary=8\n\n--8\nContent-Type: text/plain\n\nx\n"
	  "--8\nContent-Disposition: attachment; filename=a\n\na\n--8--\n", 0 },
	{ "unknown charset, no date", "From: a@example.org\nSubject: s\nContent-Type: multipart/mixed; boundary=u\n\n"
	  "--u\nContent-Type: text/plain; charset=x-no-such-charset\n\nx\n--u--\n", 0 },
	{ "last line without LF", HEAD "Content-Type: multipart/mixed; boundary=n\n\n--n\n"
	  "Content-Disposition: attachment; filename=n\n\nnnn\n--n--", 0 },
};

static MpMessage *
analyze (MpAnalyzer *a, const char *text, MpRangeFlags flags)
{
	MpMessage *m = mp_message_new ();

	mp_analyzer_run_bytes (a, (const guint8 *) text, strlen (text), flags | MP_RANGE_COUNT_SIZE, m);
	return m;
}

/* M's problems without too-many-parts, which only the counter records. */
static void
drop_too_many_parts (MpMessage *m)
{
	for (guint i = m->problems->len; i-- > 0;)
		if (g_str_has_prefix (g_ptr_array_index (m->problems, i), "too-many-parts"))
			g_ptr_array_remove_index (m->problems, i);
}

static void
test_exact (void)
{
	g_autoptr(MpAnalyzer) tree = mp_analyzer_new ();
	g_autoptr(MpAnalyzer) counting = mp_analyzer_new ();

	mp_analyzer_set_fast_path (tree, FALSE);
	mp_analyzer_set_max_parts (tree, G_MAXUINT);
	mp_analyzer_set_max_parts (counting, 1);
	for (gsize i = 0; i < G_N_ELEMENTS (exact); i++) {
		g_autoptr(MpMessage) a = analyze (tree, exact[i].text, exact[i].flags);
		g_autoptr(MpMessage) b = analyze (counting, exact[i].text, exact[i].flags);
		g_autoptr(GString) why = g_string_new (NULL);

		g_test_message ("case: %s", exact[i].name);
		g_assert_true (mp_message_has_problem (b, MP_PROBLEM_TOO_MANY_PARTS));
		g_assert_false (mp_message_has_problem (a, MP_PROBLEM_TOO_MANY_PARTS));
		drop_too_many_parts (b);
		if (!mp_test_messages_equal (a, b, why))
			g_error ("%s: the counter differs from the tree walk: %s", exact[i].name, why->str);
	}
}

/* The counter fed in pieces of every size finds what it finds at once. */
static void
test_chunks (void)
{
	g_autoptr(MpMimeRecorder) r = mp_mime_recorder_new ();

	for (gsize i = 0; i < G_N_ELEMENTS (exact); i++) {
		const guint8 *text = (const guint8 *) exact[i].text;
		gsize len = strlen (exact[i].text);
		g_autoptr(MpMimeCount) whole = mp_mime_count_new (r, 100);

		mp_mime_count_feed (whole, text, len);
		mp_mime_count_finish (whole);
		for (gsize step = 1; step < 40; step++) {
			g_autoptr(MpMimeCount) c = mp_mime_count_new (r, 100);
			MpDashLines d1, d2;

			mp_dash_lines_init (&d1);
			mp_dash_lines_init (&d2);
			mp_dash_lines_feed (&d1, text, len);
			for (gsize off = 0; off < len; off += step) {
				mp_mime_count_feed (c, text + off, MIN (step, len - off));
				mp_dash_lines_feed (&d2, text + off, MIN (step, len - off));
			}
			mp_mime_count_finish (c);
			g_assert_cmpuint (mp_mime_count_parts (c), ==, mp_mime_count_parts (whole));
			g_assert_cmpuint (mp_mime_count_header_end (c), ==, mp_mime_count_header_end (whole));
			g_assert_cmpuint (d2.lines, ==, d1.lines);
		}
	}
}

/* Lines starting "--": at least one per part below a multipart. */
static void
test_dash_lines (void)
{
	static const struct {
		const char *text;
		guint64 lines;
	} cases[] = {
		{ "", 0 }, { "--", 1 }, { "-", 0 }, { "a--\n--b\n-c\n--", 2 }, { "\n--\n--\n", 2 },
		{ "x\r\n--b\r\n", 1 }, { "---\n", 1 }, { "a\n-\n-\n", 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		MpDashLines d;
		mp_dash_lines_init (&d);
		mp_dash_lines_feed (&d, (const guint8 *) cases[i].text, strlen (cases[i].text));
		g_assert_cmpuint (d.lines, ==, cases[i].lines);
	}
}

static char *
many_attachments (guint n, const char *extra_header)
{
	GString *s = g_string_new (HEAD);

	g_string_append (s, extra_header);
	g_string_append (s, "Content-Type: multipart/mixed; boundary=\"m\"\n\n");
	for (guint i = 0; i < n; i++)
		g_string_append_printf (s, "--m\nContent-Disposition: attachment; filename=\"f%u.txt\"\n\nbody %u\n", i, i);
	g_string_append (s, "--m--\n");
	return g_string_free (s, FALSE);
}

/* Past the cap: every attachment counted, the first MAX listed; at the
 * cap: a tree, nothing changed. The light walker and GMime agree on both
 * sides of it. */
static void
test_cap (void)
{
	g_autoptr(MpAnalyzer) fast = mp_analyzer_new ();
	g_autoptr(MpAnalyzer) gmime = mp_analyzer_new ();
	g_autofree char *eleven = many_attachments (10, "");   /* 11 parts */
	g_autofree char *twelve = many_attachments (11, "");   /* 12 parts */

	mp_analyzer_set_fast_path (gmime, FALSE);
	mp_analyzer_set_max_parts (fast, 11);
	mp_analyzer_set_max_parts (gmime, 11);
	{
		g_autoptr(MpMessage) a = analyze (fast, eleven, 0);
		g_autoptr(MpMessage) b = analyze (gmime, eleven, 0);
		g_autoptr(GString) why = g_string_new (NULL);
		g_assert_false (mp_message_has_problem (a, MP_PROBLEM_TOO_MANY_PARTS));
		g_assert_cmpuint (a->attachments, ==, 10);
		g_assert_cmpuint (a->attachment_list->len, ==, 10);
		g_assert_true (mp_test_messages_equal (a, b, why));
	}
	{
		g_autoptr(MpMessage) a = analyze (fast, twelve, 0);
		g_autoptr(MpMessage) b = analyze (gmime, twelve, 0);
		g_autoptr(GString) why = g_string_new (NULL);
		const MpAttachment *last;
		g_assert_true (mp_message_has_problem (a, MP_PROBLEM_TOO_MANY_PARTS));
		g_assert_cmpuint (a->mime_parts, ==, 12);
		g_assert_cmpuint (a->attachments, ==, 11);
		g_assert_cmpuint (a->attachment_list->len, ==, 11); /* up to MP_MIME_MAX_PARTS */
		last = g_ptr_array_index (a->attachment_list, 10);
		g_assert_cmpstr (last->filename, ==, "f10.txt");
		g_assert_cmpuint (last->encoded_size, ==, strlen ("body 10"));
		g_assert_true (mp_test_messages_equal (a, b, why));
	}
}

static gssize
read_text (gpointer data, guint8 *buf, gsize len, guint64 offset)
{
	const char *text = data;
	gsize n = strlen (text);

	len = offset < n ? MIN (len, n - (gsize) offset) : 0;
	memcpy (buf, text + offset, len);
	return (gssize) len;
}

/* The counter lists at most MAX_LISTED attachments and counts them all. */
static void
test_listed (void)
{
	g_autoptr(MpMimeRecorder) r = mp_mime_recorder_new ();
	g_autoptr(MpMimeCount) c = mp_mime_count_new (r, 5);
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autofree char *text = many_attachments (11, "");
	const MpAttachment *last;

	mp_mime_count_feed (c, (const guint8 *) text, strlen (text));
	mp_mime_count_commit (c, m, read_text, text, FALSE);
	last = g_ptr_array_index (m->attachment_list, 4);
	g_assert_cmpstr (last->filename, ==, "f4.txt");
	g_assert_cmpuint (last->encoded_size, ==, strlen ("body 4"));
	g_assert_cmpuint (m->attachments, ==, 11);
	g_assert_cmpuint (m->attachment_list->len, ==, 5);
	g_assert_cmpuint (m->mime_parts, ==, 12);
}

/* Where the counter is an approximation: what it still says. */
static void
test_limits (void)
{
	g_autoptr(MpAnalyzer) a = mp_analyzer_new ();
	g_autoptr(GString) deep = g_string_new (HEAD);

	mp_analyzer_set_max_parts (a, 1);
	{
		/* never closed: truncated, the parts still counted */
		g_autoptr(MpMessage) m = analyze (a, HEAD "Content-Type: multipart/mixed; boundary=o\n\n--o\n\nx\n--o\n"
		                                  "Content-Disposition: attachment; filename=y\n\ny\n", 0);
		g_assert_cmpuint (m->mime_parts, ==, 3);
		g_assert_cmpuint (m->attachments, ==, 1);
		g_assert_true (mp_message_has_problem (m, MP_PROBLEM_TRUNCATED));
	}
	{
		/* a multipart without boundary is one leaf, as GMime reads it */
		g_autoptr(MpMessage) m = analyze (a, HEAD "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
		                                  "Content-Type: multipart/alternative\n\n--x\n--a--\n", 0);
		g_assert_cmpuint (m->mime_parts, ==, 2);
		g_assert_true (mp_message_has_problem (m, MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY));
	}
	/* 2,000 nested multiparts: GMime's 1,024 levels, then one leaf */
	for (int i = 0; i < 2000; i++)
		g_string_append_printf (deep, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	g_string_append (deep, "Content-Type: text/plain\n\ndeep\n");
	{
		g_autoptr(MpMessage) m = analyze (a, deep->str, 0);
		g_assert_true (mp_message_has_problem (m, MP_PROBLEM_NESTING_OVERFLOW));
		g_assert_cmpuint (m->depth, ==, 1024);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/mime-count/exact", test_exact);
	g_test_add_func ("/mime-count/chunks", test_chunks);
	g_test_add_func ("/mime-count/dash-lines", test_dash_lines);
	g_test_add_func ("/mime-count/cap", test_cap);
	g_test_add_func ("/mime-count/listed", test_listed);
	g_test_add_func ("/mime-count/limits", test_limits);
	return g_test_run ();
}
