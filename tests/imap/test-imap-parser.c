/* test-imap-parser.c — the IMAP response parser on hand-written server
 * responses, good and hostile. Every good case is fed whole and in chunks
 * of 1, 2, 3 and 7 octets and must give the same responses (literals and
 * CRLFs break at buffer edges: STYLE.md habit 11). */
#include "imap-parser.h"

#include <string.h>

/* Parses IN (LEN octets) in chunks of CHUNK (0: all at once) and returns the
 * debug strings of the responses, one per line, or NULL with ERROR set. */
static char *
parse_debug (const MpImapParserSettings *set, const char *in, gsize len, gsize chunk, GError **error)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (set);
	g_autoptr(GString) out = g_string_new (NULL);
	MpImapResponse *r;
	gsize step = chunk ? chunk : MAX (len, 1);

	for (gsize off = 0; off < len; off += step) {
		if (!mp_imap_parser_feed (p, (const guint8 *) in + off, MIN (step, len - off), error))
			return NULL;
	}
	if (!mp_imap_parser_finish (p, error))
		return NULL;
	while ((r = mp_imap_parser_pop (p)) != NULL) {
		g_autofree char *s = mp_imap_response_to_debug_string (r);
		if (out->len)
			g_string_append_c (out, '\n');
		g_string_append (out, s);
		mp_imap_response_free (r);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
	const char *in;
	gsize       len;      /* 0: strlen (in) */
	const char *expected; /* debug strings, "\n"-separated */
} GoodCase;

#define GOOD(in, exp) { in, 0, exp }
#define GOODN(in, exp) { in, sizeof in - 1, exp }

static const GoodCase good_cases[] = {
	/* RFC 3501 §7.1 status responses with codes */
	GOOD ("* OK [ALERT] System shutdown in 10 minutes\r\n", "* OK [ALERT] System shutdown in 10 minutes"),
	GOOD ("A001 OK [READ-ONLY] EXAMINE completed\r\n", "A001 OK [READ-ONLY] EXAMINE completed"),
	GOOD ("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "* OK [UIDVALIDITY 3857529045] UIDs valid"),
	GOOD ("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
	      "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited"),
	GOOD ("A2 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
	      "A2 OK [COPYUID 38505 304,319:320 3956:3958] Done"),
	GOOD ("a NO [TRYCREATE] no such mailbox\r\n", "a NO [TRYCREATE] no such mailbox"),
	GOOD ("a BAD\r\n", "a BAD"),
	GOOD ("a ok lower case status\r\n", "a OK lower case status"),
	GOOD ("* OK [ALERT]no space\r\n", "* OK [ALERT] no space"),
	GOOD ("* OK [NEWNAME \"a\" \"b\"] x\r\n", "* OK [NEWNAME \"a\" \"b\"] x"),
	GOOD ("* BYE Autologout; idle for too long\r\n", "* BYE Autologout; idle for too long"),
	GOOD ("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Logged in as mp\r\n",
	      "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Logged in as mp"),
	/* resp-text is text: a "{5}" or '"' there is no token */
	GOOD ("* OK {5}\r\n", "* OK {5}"),
	GOOD ("* NO \"unbalanced ( text\r\n", "* NO \"unbalanced ( text"),
	/* RFC 3501 §7.5 continuation */
	GOOD ("+ \r\n", "+"),
	GOOD ("+\r\n", "+"),
	GOOD ("+ idling\r\n", "+ idling"),
	GOOD ("+ dGVzdA==\r\n", "+ dGVzdA=="),
	GOOD ("+ [ALERT] go ahead\r\n", "+ [ALERT] go ahead"),
	/* untagged data */
	GOOD ("* 23 EXISTS\r\n", "* 23 EXISTS"),
	GOOD ("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\n", "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN"),
	GOOD ("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
	      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"),
	GOOD ("* LIST (\\HasNoChildren) \"/\" INBOX\r\n", "* LIST (\\HasNoChildren) \"/\" INBOX"),
	GOOD ("* LIST () \"/\" ~/Mail/foo]bar\r\n", "* LIST () \"/\" ~/Mail/foo]bar"),
	GOOD ("* LIST () \"\\\\\" \"a \\\"b\\\" c\"\r\n", "* LIST () \"\\\\\" \"a \\\"b\\\" c\""),
	GOOD ("* X NIL \"NIL\" nil ()\r\n", "* X NIL \"NIL\" NIL ()"),
	GOOD ("* 18446744073709551615 EXISTS\r\n", "* 18446744073709551615 EXISTS"),
	GOOD ("* SEARCH\r\n", "* SEARCH"),
	GOOD ("* X \"caf\xc3\xa9\"\r\n", "* X \"caf\\xc3\\xa9\""),
	GOOD ("* 1 FETCH (UID 5 RFC822.SIZE 1879 FLAGS (\\Seen \\Recent) BODYSTRUCTURE (\"text\" \"plain\" "
	      "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL))\r\n",
	      "* 1 FETCH (UID 5 RFC822.SIZE 1879 FLAGS (\\Seen \\Recent) BODYSTRUCTURE (\"text\" \"plain\" "
	      "(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL))"),
	/* parts abut: ")(" */
	GOOD ("* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" NIL NIL NIL "
	      "\"7bit\" 1 1) \"alternative\"))\r\n",
	      "* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) (\"text\" \"html\" NIL NIL NIL "
	      "\"7bit\" 1 1) \"alternative\"))"),
	/* RFC 3501 §9 section syntax: one item name */
	GOOD ("* 12 FETCH (BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]<0> {33}\r\n"
	      "Subject: x\r\nMessage-ID: <a@b>\r\n\r\n UID 7)\r\n",
	      "* 12 FETCH (BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]<0> {33}\"Subject: x\\x0d\\x0aMessage-ID: "
	      "<a@b>\\x0d\\x0a\\x0d\\x0a\" UID 7)"),
	GOOD ("* 1 FETCH (BODY[HEADER.FIELDS (\"X-A]\" B)] NIL)\r\n",
	      "* 1 FETCH (BODY[HEADER.FIELDS (\"X-A]\" B)] NIL)"),
	GOOD ("* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\n", "* 1 FETCH (BODY[] {5}\"ab\\x0d\\x0ac\")"),
	GOOD ("* 1 FETCH (BODY[1] {0}\r\n)\r\n", "* 1 FETCH (BODY[1] {0}\"\")"),
	GOOD ("* 1 FETCH (BODY[1] {3+}\r\nabc)\r\n", "* 1 FETCH (BODY[1] {3}\"abc\")"),
	/* RFC 3516 literal8 with NUL and 8-bit octets */
	GOODN ("* 1 FETCH (BINARY[1] ~{4}\r\na\0\xffz)\r\n", "* 1 FETCH (BINARY[1] ~{4}\"a\\x00\\xffz\")"),
	/* several responses in one chunk; bare LF tolerated */
	GOOD ("* 3 EXISTS\r\n* 0 RECENT\nA1 OK done\r\n", "* 3 EXISTS\n* 0 RECENT\nA1 OK done"),
	/* a literal is not text: "{" inside a literal is data */
	GOOD ("* 1 FETCH (BODY[] {4}\r\n{9}\n)\r\n", "* 1 FETCH (BODY[] {4}\"{9}\\x0a\")"),
};

static void
test_good_cases (void)
{
	static const gsize chunks[] = { 0, 1, 2, 3, 7 };

	for (gsize i = 0; i < G_N_ELEMENTS (good_cases); i++) {
		const GoodCase *c = &good_cases[i];
		gsize len = c->len ? c->len : strlen (c->in);
		for (gsize k = 0; k < G_N_ELEMENTS (chunks); k++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *got = parse_debug (NULL, c->in, len, chunks[k], &error);
			if (got == NULL)
				g_error ("case %" G_GSIZE_FORMAT " (chunk %" G_GSIZE_FORMAT "): %s", i, chunks[k], error->message);
			g_assert_cmpstr (got, ==, c->expected);
		}
	}
}

typedef struct {
	const char *in;
	gsize       len;
	const char *error; /* a substring of the error message */
} BadCase;

#define BAD(in, err) { in, 0, err }
#define BADN(in, err) { in, sizeof in - 1, err }

static const BadCase bad_cases[] = {
	BAD ("* 1 FETCH (BODY[] {99999999999999999999}\r\n", "literal size larger than 18446744073709551615"),
	BAD ("* 1 FETCH (BODY[] {18446744073709551616}\r\n", "literal size larger than 18446744073709551615"),
	BAD ("* 1 FETCH (BODY[] {000000000000000000001}\r\n", "literal size larger than"),
	BAD ("* 1 FETCH (BODY[] {18446744073709551615}\r\n", "literal of 18446744073709551615 octets exceeds the limit of 1073741824"),
	BAD ("* 1 FETCH (BODY[] {1073741825}\r\n", "literal of 1073741825 octets exceeds the limit of 1073741824"),
	BAD ("* 1 FETCH (BODY[] {}\r\n", "invalid literal size"),
	BAD ("* 1 FETCH (BODY[] {-1}\r\n", "invalid literal size"),
	BAD ("* 1 FETCH (BODY[] {5}x\r\n", "literal size not followed by CRLF"),
	BAD ("* 1 FETCH (BODY[] {1}\r\naB)\r\n", "expected a space after a string"),
	BAD ("* 123456789012345678901 EXISTS\r\n", "number longer than 20 digits"),
	BAD ("* 18446744073709551616 EXISTS\r\n", "number larger than 18446744073709551615"),
	BAD ("* X \"abc\r\n", "unterminated quoted string"),
	BADN ("* X \"a\0b\"\r\n", "NUL in quoted string"),
	BAD ("* X \"a\\nb\"\r\n", "invalid escape in quoted string"),
	BADN ("* X a\0b\r\n", "unexpected octet 0x00 in atom"),
	BADN ("* OK a\0b\r\n", "NUL in response text"),
	BAD ("* X (a))\r\n", "unexpected ')'"),
	BAD ("* X (a\r\n", "unterminated list"),
	BAD ("* OK [ALERT text\r\n", "unterminated response code"),
	BAD ("* OK [BADCHARSET (UTF-8] x\r\n", "unterminated list in response code"),
	BAD ("A1 FOO bar\r\n", "tagged response without OK, NO or BAD"),
	BAD ("A1 (OK)\r\n", "tagged response without OK, NO or BAD"),
	BAD ("A1 {2}\r\nOK\r\n", "tagged response without OK, NO or BAD"),
	BAD ("A1 PREAUTH x\r\n", "tagged response without OK, NO or BAD"),
	BAD ("A1\r\n", "response ends after its tag"),
	BAD ("\r\n", "empty line"),
	BAD (" * OK\r\n", "response starts with a space"),
	BAD ("*\r\n", "response ends after its tag"),
	BAD ("* \r\n", "empty untagged response"),
	BAD ("A+1 OK x\r\n", "invalid tag"),
	BAD ("A(1 OK x\r\n", "invalid octet 0x28 in tag"),
	BAD ("* OK x\ry\r\n", "CR not followed by LF"),
	BAD ("* 1 FETCH (BODY[HEADER.FIELDS (A B] x)\r\n", "unterminated list in section"),
	BAD ("* 1 FETCH (BODY[1\r\n", "unterminated section"),
	BAD ("* 1 FETCH (BODY[{3}\r\nabc])\r\n", "unexpected octet 0x7b in section"),
	BAD ("* X a\"b\r\n", "unexpected octet 0x22 in atom"),
	BAD ("* X a\tb\r\n", "unexpected octet 0x09 in atom"),
	BAD ("* 1 FETCH (BODY[] {5}\r\nab", "the stream ended inside a response"),
	BAD ("* OK no line end", "the stream ended inside a response"),
};

static void
test_bad_cases (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
		const BadCase *c = &bad_cases[i];
		gsize len = c->len ? c->len : strlen (c->in);
		for (gsize chunk = 0; chunk <= 1; chunk++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *got = parse_debug (NULL, c->in, len, chunk, &error);
			if (got != NULL)
				g_error ("bad case %" G_GSIZE_FORMAT " parsed: %s", i, got);
			g_assert_error (error, MP_ERROR, MP_ERROR_READ);
			if (strstr (error->message, c->error) == NULL)
				g_error ("bad case %" G_GSIZE_FORMAT ": got \"%s\", want \"%s\"", i, error->message, c->error);
		}
	}
}

/* "* OKx" is untagged data with one atom, not a status. */
static void
test_okx_is_data (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *got = parse_debug (NULL, "* OKx\r\n", 7, 0, &error);

	g_assert_no_error (error);
	g_assert_cmpstr (got, ==, "* OKx");
}

/* The error names the response (1-based) and the 0-based stream offset of
 * the octet that broke it. */
static void
test_error_position (void)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) again = NULL;
	const char *in = "* 1 EXISTS\r\n* X \"abc\r\n";
	MpImapResponse *r;

	g_assert_false (mp_imap_parser_feed (p, (const guint8 *) in, strlen (in), &error));
	g_assert_cmpstr (error->message, ==, "IMAP response 2, stream offset 20: unterminated quoted string");
	g_assert_true (mp_imap_parser_is_failed (p));
	/* what was complete before the error is still there */
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	mp_imap_response_free (r);
	g_assert_null (mp_imap_parser_pop (p));
	/* and the parser refuses anything more: the connection must go */
	g_assert_false (mp_imap_parser_feed (p, (const guint8 *) "* OK\r\n", 6, &again));
	g_assert_nonnull (strstr (again->message, "stopped after an earlier error"));
	g_clear_error (&again);
	g_assert_false (mp_imap_parser_finish (p, &again));
}

/* Feeds IN whole and one octet at a time; both must give EXPECTED (debug
 * strings of the responses) without an error. */
static void
assert_parses (const MpImapParserSettings *set, const char *in, gsize len, const char *expected)
{
	static const gsize chunks[] = { 0, 1, 4096 };

	for (gsize k = 0; k < G_N_ELEMENTS (chunks); k++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *got = parse_debug (set, in, len, chunks[k], &error);
		g_assert_no_error (error);
		g_assert_cmpstr (got, ==, expected);
	}
}

/* 200,000 "(" stop being kept at the depth limit: no recursion, no
 * allocation beyond it; the rest is read and dropped, so the next response
 * is in step, and the response says it was cut (issue 14, item 1: a
 * structure too large to hold costs that message, not the connection). */
static void
test_deep_nesting (void)
{
	gsize n = 200000;
	g_autoptr(GString) in = g_string_new ("* 1 FETCH (UID 7 BODYSTRUCTURE ");
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(MpImapResponse) r = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *got = NULL;

	for (gsize i = 0; i < n; i++)
		g_string_append_c (in, '(');
	for (gsize i = 0; i < n; i++)
		g_string_append_c (in, ')');
	g_string_append (in, ")\r\n* 2 EXISTS\r\n");
	got = parse_debug (NULL, in->str, in->len, 0, &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_suffix (got, "<truncated>) <truncated>) <truncated>\n* 2 EXISTS"));

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) in->str, in->len, &error));
	r = mp_imap_parser_pop (p);
	g_assert_true (mp_imap_response_is_truncated (r));
	{
		const MpImapValue *att = mp_imap_value_get_child (mp_imap_response_get_data (r), 2);
		const MpImapValue *bs = mp_imap_value_lookup (att, "BODYSTRUCTURE");
		guint64 uid = 0;
		guint depth = 0;
		g_assert_true (mp_imap_value_get_number (mp_imap_value_lookup (att, "UID"), &uid));
		g_assert_cmpuint (uid, ==, 7);
		g_assert_true (mp_imap_value_is_truncated (att));
		for (const MpImapValue *v = bs; mp_imap_value_is_list (v); v = mp_imap_value_get_child (v, 0)) {
			g_assert_true (mp_imap_value_is_truncated (v));
			depth++;
		}
		/* the root, FETCH's list, then lists up to depth 128 */
		g_assert_cmpuint (depth, ==, 127);
	}
	g_clear_pointer (&r, mp_imap_response_free);
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	g_assert_false (mp_imap_response_is_truncated (r));
	g_clear_pointer (&r, mp_imap_response_free);
	/* one octet at a time: the same */
	{
		g_autofree char *bytewise = parse_debug (NULL, in->str, in->len, 1, &error);
		g_assert_no_error (error);
		g_assert_cmpstr (bytewise, ==, got);
	}
	/* unterminated, it is still an error at the end of the stream */
	g_string_truncate (in, 31 + n);
	g_clear_pointer (&got, g_free);
	got = parse_debug (NULL, in->str, in->len, 0, &error);
	g_assert_null (got);
	g_assert_nonnull (strstr (error->message, "the stream ended inside a response"));
}

static void
test_depth_limit_exact (void)
{
	MpImapParserSettings set;

	mp_imap_parser_settings_init (&set);
	set.max_depth = 5;
	assert_parses (&set, "* X (((((a)))))\r\n", 17, "* X (((((a)))))");
	assert_parses (&set, "* X ((((((a)))))) b\r\n", 21,
	               "* X (((((<truncated>) <truncated>) <truncated>) <truncated>) <truncated>) <truncated>");
	/* the same limit inside a response code */
	assert_parses (&set, "* OK [X (((((a)))))] t\r\n", 24, "* OK [X (((((a)))))] t");
	assert_parses (&set, "* OK [X ((((((a))))))] t\r\n", 26,
	               "* OK [X (((((<truncated>) <truncated>) <truncated>) <truncated>) <truncated>) <truncated>] "
	               "<truncated>");
}

/* A 9 MiB line keeps its first 8 MiB at most: values are dropped past the
 * limit, a text keeps its start; the response says so and the next one is
 * read as usual. Before the tag and status are known, the limit fails. */
static void
test_long_line (void)
{
	static const char *const prefixes[] = { "* X ", "* X \"", "* OK " };
	gsize n = 9 << 20;

	for (gsize k = 0; k < G_N_ELEMENTS (prefixes); k++) {
		g_autoptr(GString) in = g_string_new (prefixes[k]);
		g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
		g_autoptr(MpImapResponse) r = NULL;
		g_autoptr(MpImapResponse) next = NULL;
		g_autoptr(GError) error = NULL;
		gsize len = 0;
		while (in->len < n)
			g_string_append_c (in, 'a');
		if (k == 1)
			g_string_append_c (in, '"');
		g_string_append (in, "\r\nA1 OK done\r\n");
		for (gsize off = 0; off < in->len; off += 4096)
			g_assert_true (mp_imap_parser_feed (p, (const guint8 *) in->str + off, MIN (4096, in->len - off),
			                                    &error));
		g_assert_no_error (error);
		r = mp_imap_parser_pop (p);
		g_assert_true (mp_imap_response_is_truncated (r));
		if (k == 2) {
			const char *t = mp_imap_response_get_text (r, &len);
			g_assert_cmpuint (len, ==, (8 << 20) - 5);
			g_assert_cmpint (t[0], ==, 'a');
		} else {
			g_assert_cmpuint (mp_imap_value_get_n_children (mp_imap_response_get_data (r)), ==, 1);
		}
		next = mp_imap_parser_pop (p);
		g_assert_cmpstr (mp_imap_response_get_tag (next), ==, "A1");
	}
	/* a 9 MiB tag: nothing to truncate to */
	{
		g_autoptr(GString) tag = g_string_new (NULL);
		g_autoptr(GError) error = NULL;
		g_autofree char *got = NULL;
		while (tag->len < n)
			g_string_append_c (tag, 'a');
		g_string_append (tag, " OK x\r\n");
		got = parse_debug (NULL, tag->str, tag->len, 0, &error);
		g_assert_null (got);
		g_assert_nonnull (strstr (error->message, "response longer than 8388608 octets outside literals"));
	}
}

/* A 2 MiB "* SEARCH 1 2 3 ..." stops keeping values at the value limit,
 * before the line limit: the tree never holds a million values. */
static void
test_many_values (void)
{
	g_autoptr(GString) in = g_string_new ("* SEARCH");
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(MpImapResponse) r = NULL;
	g_autoptr(GError) error = NULL;

	while (in->len < (2 << 20))
		g_string_append (in, " 1");
	g_string_append (in, "\r\n");
	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) in->str, in->len, &error));
	r = mp_imap_parser_pop (p);
	g_assert_true (mp_imap_response_is_truncated (r));
	/* SEARCH itself and 299,999 numbers */
	g_assert_cmpuint (mp_imap_value_get_n_children (mp_imap_response_get_data (r)), ==,
	                  MP_IMAP_DEFAULT_MAX_RESPONSE_ITEMS);
}

/* Literal octets do not count against the line limit. A literal over
 * max_literal_size keeps its first octets (truncated), one over
 * max_literal_read fails; the response limit bounds what is kept in all. */
static void
test_literal_limits (void)
{
	MpImapParserSettings set;
	g_autoptr(GString) in = g_string_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *got = NULL;

	mp_imap_parser_settings_init (&set);
	set.max_line_length = 64;
	set.max_literal_size = 100;
	set.max_literal_read = 1000;
	set.max_response_size = 1024;
	g_string_append (in, "* 1 FETCH (A {100}\r\n");
	for (int i = 0; i < 100; i++)
		g_string_append_c (in, 'x');
	g_string_append (in, " B {104}\r\n");
	for (int i = 0; i < 104; i++)
		g_string_append_c (in, 'y');
	g_string_append (in, ")\r\n");
	got = parse_debug (&set, in->str, in->len, 3, &error);
	g_assert_no_error (error);
	/* B {104}: its first 100 octets kept */
	g_assert_true (g_str_has_suffix (got, "B {104}\"" "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	                                 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"<truncated>)"));
	g_clear_pointer (&got, g_free);

	got = parse_debug (&set, "* 1 FETCH (A {1001}\r\n", 21, 0, &error);
	g_assert_nonnull (strstr (error->message, "literal of 1001 octets exceeds the limit of 1000"));
	g_clear_error (&error);

	/* more literals than the response may keep: the last is dropped */
	g_string_truncate (in, in->len - 3);
	for (int k = 0; k < 8; k++) {
		g_string_append_printf (in, " C%d {99}\r\n", k);
		for (int i = 0; i < 99; i++)
			g_string_append_c (in, 'z');
	}
	g_string_append (in, ")\r\n");
	got = parse_debug (&set, in->str, in->len, 0, &error);
	g_assert_no_error (error);
	g_assert_true (g_str_has_suffix (got, " <truncated>) <truncated>"));
}

static void
test_item_limits (void)
{
	MpImapParserSettings set;

	mp_imap_parser_settings_init (&set);
	set.max_list_items = 3;
	set.max_response_items = 6;
	assert_parses (&set, "* X (1 2 3)\r\n", 13, "* X (1 2 3)");
	assert_parses (&set, "* X (1 2 3 4) (5)\r\n", 19, "* X (1 2 3 <truncated>) <truncated>");
	assert_parses (&set, "* X (1 2) (3 4)\r\n", 17, "* X (1 2) (3 <truncated>) <truncated>");
	/* a dropped literal is read, not kept: the next response is in step */
	assert_parses (&set, "* X (1 2) (3 {4}\r\nabcd) ({2}\r\nxy)\r\n* Y\r\n", 40,
	               "* X (1 2) (3 <truncated>) <truncated>\n* Y");
}

/* The value API, on the response the IMAP source will read most. */
static void
test_value_api (void)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(MpImapResponse) r = NULL;
	g_autoptr(GError) error = NULL;
	static const char in[] =
		"* 7 FETCH (UID 5 RFC822.SIZE 1879 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
		"FLAGS (\\Seen \\Recent) BINARY[1] ~{3}\r\na\0b BODY[] NIL)\r\n";
	const MpImapValue *data, *att, *v;
	guint64 n = 0;
	gsize len = 0;
	const char *s;

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) in, sizeof in - 1, &error));
	r = mp_imap_parser_pop (p);
	g_assert_nonnull (r);
	g_assert_cmpint (mp_imap_response_get_kind (r), ==, MP_IMAP_RESPONSE_UNTAGGED);
	g_assert_cmpint (mp_imap_response_get_status (r), ==, MP_IMAP_STATUS_NONE);
	g_assert_null (mp_imap_response_get_tag (r));
	g_assert_null (mp_imap_response_get_text (r, NULL));
	data = mp_imap_response_get_data (r);
	g_assert_cmpuint (mp_imap_value_get_n_children (data), ==, 3);
	g_assert_true (mp_imap_value_get_number (mp_imap_value_get_child (data, 0), &n));
	g_assert_cmpuint (n, ==, 7);
	g_assert_true (mp_imap_value_is_atom (mp_imap_value_get_child (data, 1), "fetch"));
	att = mp_imap_value_get_child (data, 2);
	g_assert_true (mp_imap_value_is_list (att));
	g_assert_true (mp_imap_value_get_number (mp_imap_value_lookup (att, "uid"), &n));
	g_assert_cmpuint (n, ==, 5);
	g_assert_true (mp_imap_value_get_number (mp_imap_value_lookup (att, "RFC822.SIZE"), &n));
	g_assert_cmpuint (n, ==, 1879);
	v = mp_imap_value_lookup (att, "INTERNALDATE");
	g_assert_true (mp_imap_value_is_string (v));
	g_assert_cmpstr (mp_imap_value_get_string (v, NULL), ==, "17-Jul-1996 02:44:25 -0700");
	v = mp_imap_value_lookup (att, "FLAGS");
	g_assert_cmpuint (mp_imap_value_get_n_children (v), ==, 2);
	g_assert_true (mp_imap_value_is_atom (mp_imap_value_get_child (v, 0), "\\seen"));
	v = mp_imap_value_lookup (att, "BINARY[1]");
	g_assert_true (mp_imap_value_is_literal8 (v));
	s = mp_imap_value_get_string (v, &len);
	g_assert_cmpuint (len, ==, 3);
	g_assert_cmpmem (s, len, "a\0b", 3);
	g_assert_cmpuint (mp_imap_value_get_size (v), ==, 3);
	v = mp_imap_value_lookup (att, "BODY[]");
	g_assert_true (mp_imap_value_is_nil (v));
	g_assert_null (mp_imap_value_get_string (v, NULL));
	g_assert_false (mp_imap_value_is_string (v));
	g_assert_null (mp_imap_value_lookup (att, "ENVELOPE"));
	g_assert_null (mp_imap_value_get_child (att, 99));
	g_assert_false (mp_imap_value_get_number (att, &n));
	g_assert_null (mp_imap_parser_pop (p));
}

static void
test_status_api (void)
{
	g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
	g_autoptr(GError) error = NULL;
	static const char in[] = "A7 NO [ALERT] quota \xc3\xa9xceeded\r\n+ ready\r\n";
	g_autoptr(MpImapResponse) a = NULL;
	g_autoptr(MpImapResponse) b = NULL;
	const MpImapValue *code;
	gsize len = 0;

	g_assert_true (mp_imap_parser_feed (p, (const guint8 *) in, sizeof in - 1, &error));
	g_assert_true (mp_imap_parser_finish (p, &error));
	a = mp_imap_parser_pop (p);
	g_assert_cmpint (mp_imap_response_get_kind (a), ==, MP_IMAP_RESPONSE_TAGGED);
	g_assert_cmpstr (mp_imap_response_get_tag (a), ==, "A7");
	g_assert_cmpint (mp_imap_response_get_status (a), ==, MP_IMAP_STATUS_NO);
	code = mp_imap_response_get_code (a);
	g_assert_true (mp_imap_value_is_atom (mp_imap_value_get_child (code, 0), "ALERT"));
	g_assert_cmpstr (mp_imap_response_get_text (a, &len), ==, "quota \xc3\xa9xceeded");
	g_assert_cmpuint (len, ==, 15);
	g_assert_null (mp_imap_response_get_data (a));
	b = mp_imap_parser_pop (p);
	g_assert_cmpint (mp_imap_response_get_kind (b), ==, MP_IMAP_RESPONSE_CONTINUATION);
	g_assert_cmpstr (mp_imap_response_get_text (b, NULL), ==, "ready");
	g_assert_null (mp_imap_response_get_code (b));
}

typedef struct {
	GByteArray *got;
	guint64     announced;
	char       *item;
	gboolean    refuse_data;
} StreamCtx;

static MpImapLiteralAction
on_literal_begin (const MpImapValue *list, const MpImapValue *item, guint64 size, gpointer user_data,
                  GError **error)
{
	StreamCtx *ctx = user_data;
	guint64 uid = 0;

	/* stream BODY[] only; keep small header literals */
	if (!mp_imap_value_is_atom (item, "BODY[]"))
		return MP_IMAP_LITERAL_KEEP;
	/* the list so far: the UID came before */
	if (!mp_imap_value_get_number (mp_imap_value_lookup (list, "UID"), &uid) || uid != 9) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_READ, "not the UID asked for");
		return MP_IMAP_LITERAL_REFUSE;
	}
	ctx->announced = size;
	g_free (ctx->item);
	ctx->item = g_strdup (mp_imap_value_get_string (item, NULL));
	return MP_IMAP_LITERAL_STREAM;
}

static gboolean
on_literal_data (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	StreamCtx *ctx = user_data;

	if (ctx->refuse_data) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_WRITE, "disk full");
		return FALSE;
	}
	g_byte_array_append (ctx->got, data, (guint) len);
	return TRUE;
}

/* A streamed literal bypasses max_literal_size and is never held. */
static void
test_streamed_literal (void)
{
	MpImapParserSettings set;
	StreamCtx ctx = { g_byte_array_new (), 0, NULL, FALSE };
	g_autoptr(GString) in = g_string_new ("* 1 FETCH (UID 9 BODY[HEADER] {4}\r\nab\r\n BODY[] {300}\r\n");
	g_autoptr(GError) error = NULL;
	g_autofree char *got = NULL;

	for (int i = 0; i < 300; i++)
		g_string_append_c (in, (char) ('a' + i % 26));
	g_string_append (in, ")\r\n");
	mp_imap_parser_settings_init (&set);
	set.max_literal_size = 10;
	set.literal_begin = on_literal_begin;
	set.literal_data = on_literal_data;
	set.user_data = &ctx;
	got = parse_debug (&set, in->str, in->len, 1, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (got, ==, "* 1 FETCH (UID 9 BODY[HEADER] {4}\"ab\\x0d\\x0a\" BODY[] {300}<streamed>)");
	g_assert_cmpuint (ctx.announced, ==, 300);
	g_assert_cmpstr (ctx.item, ==, "BODY[]");
	g_assert_cmpuint (ctx.got->len, ==, 300);
	g_assert_cmpmem (ctx.got->data, 26, "abcdefghijklmnopqrstuvwxyz", 26);

	ctx.refuse_data = TRUE;
	g_clear_pointer (&got, g_free);
	got = parse_debug (&set, in->str, in->len, 0, &error);
	g_assert_null (got);
	g_assert_nonnull (strstr (error->message, "literal consumer failed: disk full"));
	g_clear_error (&error);

	/* a literal the callback did not ask for fails the parser at once */
	ctx.refuse_data = FALSE;
	g_string_replace (in, "UID 9", "UID 8", 1);
	got = parse_debug (&set, in->str, in->len, 0, &error);
	g_assert_null (got);
	g_assert_nonnull (strstr (error->message, "literal of 300 octets refused: not the UID asked for"));
	g_byte_array_unref (ctx.got);
	g_free (ctx.item);
}

/* Every good case, concatenated, fed at every split point of a 2-way
 * split: the same responses as one feed. */
static void
test_all_splits (void)
{
	g_autoptr(GString) all = g_string_new (NULL);
	g_autofree char *whole = NULL;
	g_autoptr(GError) error = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS (good_cases); i++) {
		const GoodCase *c = &good_cases[i];
		g_string_append_len (all, c->in, (gssize) (c->len ? c->len : strlen (c->in)));
	}
	whole = parse_debug (NULL, all->str, all->len, 0, &error);
	g_assert_no_error (error);
	for (gsize cut = 1; cut < all->len; cut++) {
		g_autoptr(MpImapParser) p = mp_imap_parser_new (NULL);
		g_autoptr(GString) got = g_string_new (NULL);
		MpImapResponse *r;
		g_assert_true (mp_imap_parser_feed (p, (const guint8 *) all->str, cut, &error));
		g_assert_true (mp_imap_parser_feed (p, (const guint8 *) all->str + cut, all->len - cut, &error));
		g_assert_true (mp_imap_parser_finish (p, &error));
		while ((r = mp_imap_parser_pop (p)) != NULL) {
			g_autofree char *line = mp_imap_response_to_debug_string (r);
			g_string_append_printf (got, "%s%s", got->len ? "\n" : "", line);
			mp_imap_response_free (r);
		}
		g_assert_cmpstr (got->str, ==, whole);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/imap-parser/good", test_good_cases);
	g_test_add_func ("/imap-parser/bad", test_bad_cases);
	g_test_add_func ("/imap-parser/okx-is-data", test_okx_is_data);
	g_test_add_func ("/imap-parser/error-position", test_error_position);
	g_test_add_func ("/imap-parser/deep-nesting", test_deep_nesting);
	g_test_add_func ("/imap-parser/depth-limit-exact", test_depth_limit_exact);
	g_test_add_func ("/imap-parser/long-line", test_long_line);
	g_test_add_func ("/imap-parser/many-values", test_many_values);
	g_test_add_func ("/imap-parser/literal-limits", test_literal_limits);
	g_test_add_func ("/imap-parser/item-limits", test_item_limits);
	g_test_add_func ("/imap-parser/value-api", test_value_api);
	g_test_add_func ("/imap-parser/status-api", test_status_api);
	g_test_add_func ("/imap-parser/streamed-literal", test_streamed_literal);
	g_test_add_func ("/imap-parser/all-splits", test_all_splits);
	return g_test_run ();
}
