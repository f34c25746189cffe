/* test-managesieve-parser.c — the ManageSieve response parser
 * (analyzer/imap/managesieve-parser.c) on server lines, good and hostile.
 * Every good case is fed whole and in chunks of 1, 2, 3 and 7 octets and
 * must give the same lines (literals and CRLFs break at buffer edges:
 * STYLE.md habit 11). */
#include "managesieve-parser.h"

#include <string.h>

/* The debug strings of the lines parsed from IN in chunks of CHUNK (0:
 * whole), one per line; NULL with ERROR on failure. */
static char *
parse_debug (const MpManageSieveLimits *limits, const char *in, gsize len, gsize chunk, GError **error)
{
	g_autoptr(MpManageSieveParser) p = mp_managesieve_parser_new (limits);
	g_autoptr(GString) out = g_string_new (NULL);
	MpManageSieveValue *line;
	gsize step = chunk ? chunk : MAX (len, 1);

	for (gsize off = 0; off < len; off += step) {
		if (!mp_managesieve_parser_feed (p, (const guint8 *) in + off, MIN (step, len - off), error))
			return NULL;
	}
	g_assert_false (mp_managesieve_parser_in_line (p));
	while ((line = mp_managesieve_parser_pop (p)) != NULL) {
		g_autofree char *s = mp_managesieve_value_to_debug_string (line);
		g_string_append_printf (out, "%s%s", out->len ? "\n" : "", s);
		mp_managesieve_value_free (line);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

#define GETSCRIPT_ANSWER "{25}\r\nredirect \"a@x\";\r\n# x\0yz\r\n\r\nOK \"Getscript completed.\"\r\n"

static const struct {
	const char *in;
	gsize       len;
	const char *expected;
} good[] = {
	/* the greeting of Pigeonhole (RFC 5804 §1.7) */
	{ "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto reject envelope\"\r\n"
	  "\"SASL\" \"PLAIN LOGIN\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\nOK \"Dovecot ready.\"\r\n", 0,
	  "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\n\"SIEVE\" \"fileinto reject envelope\"\n"
	  "\"SASL\" \"PLAIN LOGIN\"\n\"STARTTLS\"\n\"VERSION\" \"1.0\"\nOK \"Dovecot ready.\"" },
	/* final lines with codes (RFC 5804 §4) */
	{ "NO (NONEXISTENT) \"Sieve script `x' not found\"\r\n", 0, "NO (NONEXISTENT) \"Sieve script `x' not found\"" },
	{ "OK (SASL \"cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\")\r\n", 0,
	  "OK (SASL \"cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\")" },
	{ "NO (QUOTA/MAXSCRIPTS) \"too many\"\r\n", 0, "NO (QUOTA/MAXSCRIPTS) \"too many\"" },
	{ "BYE (REFERRAL \"sieve://other.example.org\") \"go there\"\r\n", 0,
	  "BYE (REFERRAL \"sieve://other.example.org\") \"go there\"" },
	{ "OK (WARNINGS) {10}\r\nline 1: x\n\r\n", 0, "OK (WARNINGS) \"line 1: x\\x0a\"" },
	{ "OK (TAG \"a\" (nested (deeper 1)))\r\n", 0, "OK (TAG \"a\" (nested (deeper 1)))" },
	{ "ok\r\n", 0, "ok" },
	/* LISTSCRIPTS (§2.7): names as quoted strings and literals */
	{ "\"vacation\"\r\n\"main\" ACTIVE\r\n{7}\r\nodd\"one\r\nOK\r\n", 0,
	  "\"vacation\"\n\"main\" ACTIVE\n\"odd\"one\"\nOK" },
	/* GETSCRIPT (§2.9): a literal holding anything, NUL and CRLF too */
	{ GETSCRIPT_ANSWER, sizeof GETSCRIPT_ANSWER - 1,
	  "\"redirect \"a@x\";\\x0d\\x0a# x\\x00yz\\x0d\\x0a\"\nOK \"Getscript completed.\"" },
	{ "{0}\r\n\r\nOK\r\n", 0, "\"\"\nOK" },
	{ "{3+}\r\nabc\r\n", 0, "\"abc\"" },
	/* escapes, an empty challenge, bare LF, blanks */
	{ "\"a \\\"q\\\" \\\\ b\"\r\n", 0, "\"a \"q\" \\x5c b\"" },
	{ "\"\"\r\n", 0, "\"\"" },
	{ "OK  \"two  blanks\"\n", 0, "OK \"two  blanks\"" },
	{ "\"UTF-8 \xc3\xa9\"\r\n", 0, "\"UTF-8 \\xc3\\xa9\"" },
};

static void
test_good (void)
{
	static const gsize chunks[] = { 0, 1, 2, 3, 7 };
	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		gsize len = good[i].len ? good[i].len : strlen (good[i].in);
		for (guint c = 0; c < G_N_ELEMENTS (chunks); c++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *out = parse_debug (NULL, good[i].in, len, chunks[c], &error);
			g_assert_no_error (error);
			if (g_strcmp0 (out, good[i].expected) != 0)
				g_test_message ("case %u chunk %" G_GSIZE_FORMAT ": got\n%s", i, chunks[c], out);
			g_assert_cmpstr (out, ==, good[i].expected);
		}
	}
}

static void
test_values (void)
{
	static const char in[] = "\"main\" ACTIVE\r\n";
	g_autoptr(MpManageSieveParser) p = mp_managesieve_parser_new (NULL);
	g_assert_true (mp_managesieve_parser_feed (p, (const guint8 *) in, sizeof in - 1, NULL));
	g_autoptr(MpManageSieveValue) line = mp_managesieve_parser_pop (p);
	g_assert_nonnull (line);
	g_assert_null (mp_managesieve_parser_pop (p));
	g_assert_cmpint (mp_managesieve_value_get_type (line), ==, MP_MANAGESIEVE_VALUE_LIST);
	g_assert_cmpuint (mp_managesieve_value_get_n_children (line), ==, 2);
	const MpManageSieveValue *name = mp_managesieve_value_get_child (line, 0);
	gsize len = 0;
	g_assert_cmpint (mp_managesieve_value_get_type (name), ==, MP_MANAGESIEVE_VALUE_STRING);
	g_assert_cmpstr (mp_managesieve_value_get_string (name, &len), ==, "main");
	g_assert_cmpuint (len, ==, 4);
	g_assert_true (mp_managesieve_value_is_atom (mp_managesieve_value_get_child (line, 1), "active"));
	g_assert_false (mp_managesieve_value_is_atom (name, "main")); /* a string is no atom */
	g_assert_null (mp_managesieve_value_get_child (line, 2));
	g_assert_null (mp_managesieve_value_get_string (line, NULL));
}

static const struct {
	const char *in;
	const char *error;
} bad[] = {
	{ "\r\n", "empty line" },
	{ "OK (SASL \"x\"\r\n", "inside a '('" },
	{ "OK )\r\n", "closes nothing" },
	{ "\"unterminated\r\n", "line end in a quoted string" },
	{ "\"bad \\q escape\"\r\n", "bad escape" },
	{ "\"a\"\"b\"\r\n", "no blank after a string" },
	{ "{x}\r\n", "no size" },
	{ "{12345678901234567890}\r\n", "too long" },
	{ "{5]\r\nabcde\r\n", "expected '}'" },
	{ "{5} extra\r\nabcde\r\n", "must end its line" },
	{ "OK\rX\n", "CR without LF" },
	{ "OK \x01\r\n", "unexpected octet 0x01" },
	/* a script over the limit is refused when announced, before its octets */
	{ "{1048577}\r\n", "over the limit of 1048576" },
	{ "OK ((((((((((deep))))))))))\r\n", "nested deeper than 8" },
};

static void
test_bad (void)
{
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		for (gsize chunk = 0; chunk <= 1; chunk++) {
			g_autoptr(MpManageSieveParser) p = mp_managesieve_parser_new (NULL);
			g_autoptr(GError) error = NULL;
			gsize len = strlen (bad[i].in), step = chunk ? 1 : len;
			gboolean ok = TRUE;
			for (gsize off = 0; ok && off < len; off += step)
				ok = mp_managesieve_parser_feed (p, (const guint8 *) bad[i].in + off, MIN (step, len - off),
				                                 &error);
			g_test_message ("case %u: %s", i, error ? error->message : "accepted");
			g_assert_false (ok);
			g_assert_error (error, MP_ERROR, MP_ERROR_READ);
			g_assert_nonnull (strstr (error->message, bad[i].error));
			g_assert_true (mp_managesieve_parser_is_failed (p));
			/* refused for ever after */
			g_clear_error (&error);
			g_assert_false (mp_managesieve_parser_feed (p, (const guint8 *) "OK\r\n", 4, &error));
		}
	}
}

static void
test_limits (void)
{
	/* a line longer than the limit */
	MpManageSieveLimits small = { .max_line_length = 64, .max_literal_size = 16, .max_items = 4 };
	g_autofree char *longline = g_strnfill (100, 'a');
	g_autoptr(GError) error = NULL;
	g_assert_null (parse_debug (&small, longline, 100, 0, &error));
	g_assert_nonnull (strstr (error->message, "longer than 64"));
	g_clear_error (&error);
	/* literals count toward their own limit, not the line's */
	g_autofree char *lit = g_strdup_printf ("{16}\r\n%s\r\n", "0123456789abcdef");
	g_autofree char *out = parse_debug (&small, lit, strlen (lit), 0, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (out, ==, "\"0123456789abcdef\"");
	g_assert_null (parse_debug (&small, "{17}\r\n", 6, 0, &error));
	g_assert_nonnull (strstr (error->message, "over the limit of 16"));
	g_clear_error (&error);
	/* values in one line, all levels */
	g_assert_null (parse_debug (&small, "a b (c d)\r\n", 11, 0, &error));
	g_assert_nonnull (strstr (error->message, "more than 4 values"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/managesieve-parser/good", test_good);
	g_test_add_func ("/managesieve-parser/values", test_values);
	g_test_add_func ("/managesieve-parser/bad", test_bad);
	g_test_add_func ("/managesieve-parser/limits", test_limits);
	return g_test_run ();
}
