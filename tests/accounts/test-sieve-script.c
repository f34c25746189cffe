/* test-sieve-script.c — Sieve scripts (analyzer/accounts/sieve-lexer.c and
 * sieve-script.c): redirect commands anywhere, with :copy, in every string
 * form; never a "redirect" in a comment or a string, never vacation or
 * notify; syntax errors named with their line. */
#include "sieve-script.h"
#include "sieve-lexer.h"

#include <string.h>

static MpSieveScript *
parse (const char *data)
{
	MpSieveScript *s = mp_sieve_script_parse (data, strlen (data));
	for (guint i = 0; i < s->targets->len; i++) {
		const MpForwardTarget *t = s->targets->pdata[i];
		g_assert_cmpuint (t->offset + t->length, <=, strlen (data));
		g_assert_cmpuint (strlen (t->address), <=, t->length);
	}
	return s;
}

/* "address[c?]": c = :copy, ? = inside a block */
static char *
targets_of (const MpSieveScript *s)
{
	GString *out = g_string_new (NULL);
	for (guint i = 0; i < s->targets->len; i++) {
		const MpForwardTarget *t = s->targets->pdata[i];
		g_string_append_printf (out, "%s%s%s%s", out->len ? " " : "", t->address, t->keeps_copy ? "c" : "",
		                        t->conditional ? "?" : "");
	}
	return g_string_free (out, FALSE);
}

static void
test_table (void)
{
	static const struct {
		const char *script;
		const char *targets;
		guint       error_line; /* 0: parses */
	} cases[] = {
		{ "redirect \"jo@example.org\";", "jo@example.org", 0 },
		/* false friends: comments, strings, other commands */
		{ "# we never redirect\nkeep;\n", "", 0 },
		{ "/* redirect \"jo@example.org\"; */\nkeep;", "", 0 },
		{ "/* a comment\n * over lines; redirect \"x@y\";\n */ keep;", "", 0 },
		{ "fileinto \"redirect\";", "", 0 },
		{ "if header :contains \"subject\" \"redirect \\\"x@y\\\";\" { keep; }", "", 0 },
		{ "require \"vacation\";\nvacation :days 7 :addresses [\"jo@example.org\", \"j@x\"] \"I am away.\";", "", 0 },
		{ "require [\"enotify\"];\nnotify :message \"new mail\" \"mailto:jo@example.org\";", "", 0 },
		{ "set \"note\" text:\nredirect \"x@y\";\n.\n;\nkeep;", "", 0 },
		/* redirect in if / elsif / else, with :copy (RFC 3894) */
		{ "require [\"copy\"];\n"
		  "if header :contains \"from\" \"boss\" { redirect :copy \"jo@example.org\"; }\n"
		  "elsif address :is \"to\" \"list@x\" { redirect \"list@example.net\"; stop; }\n"
		  "else { if true { redirect \"deep@example.com\"; } }\n",
		  "jo@example.orgc? list@example.net? deep@example.com?", 0 },
		/* nested tests and test lists, numbers with quantifiers */
		{ "if anyof (not exists \"x-spam\", allof (size :over 100K, header :is \"a\" [\"b\", \"c\"])) "
		  "{ redirect \"big@example.org\"; }", "big@example.org?", 0 },
		/* strings: escapes, multi-line with dot-stuffing, CRLF */
		{ "redirect \"jo\\@example.\\org\";", "jo@example.org", 0 },
		{ "redirect text:\r\njo@example.org\r\n.\r\n;\r\n", "jo@example.org", 0 },
		{ "redirect text: # where to\n  jo@example.org\n.\n;", "jo@example.org", 0 },
		/* case-insensitive command names (RFC 5228 §2.9), tags with
		 * arguments before the address (RFC 6009) */
		{ "REDIRECT \"a@x\"; Redirect :COPY \"b@y\";", "a@x b@yc", 0 },
		{ "redirect :notify \"never\" :ret \"hdrs\" \"a@x\";", "a@x", 0 },
		/* variables (RFC 5229): as written */
		{ "require \"variables\"; set \"fwd\" \"jo@example.org\"; redirect \"${fwd}\";", "${fwd}", 0 },
		/* what Roundcube's managesieve plugin writes */
		{ "require [\"copy\"];\n# rule:[forward]\nif true\n{\n\tredirect :copy \"jo@example.org\";\n}\n",
		  "jo@example.orgc?", 0 },
		/* syntax errors: the line, and nothing after it */
		{ "redirect \"a@x\"", "", 1 },
		{ "redirect \"a@x\";\nif true {\n redirect \"b@y\";\n", "a@x b@y?", 4 },
		{ "keep;\nredirect \"a@x;\n", "", 2 },
		{ "keep;\n/* open\n", "", 2 },
		{ "keep;\n\nredirect text:\na@x\n", "", 3 },
		{ "}", "", 1 },
		{ "keep\nredirect \"a@x\";", "", 2 },
		{ "if true redirect \"a@x\";", "", 1 },
		{ "if true;", "", 1 },
		{ "else redirect \"a@x\";", "", 1 },
		{ "redirect [\"a@x\" \"b@y\"];", "", 1 },
		{ "\"redirect\";", "", 1 },
		{ "redirect @x;", "", 1 },
		{ "", "", 0 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_test_message ("case %u: %s", i, cases[i].script);
		g_autoptr(MpSieveScript) s = parse (cases[i].script);
		g_autofree char *targets = targets_of (s);
		g_test_message ("  -> %s (%s)", targets, s->error ? s->error : "no error");
		g_assert_cmpstr (targets, ==, cases[i].targets);
		g_assert_cmpuint (s->error_line, ==, cases[i].error_line);
		g_assert_cmpint (s->error != NULL, ==, cases[i].error_line != 0);
	}
}

static void
test_where (void)
{
	static const char script[] =
		"require [\"copy\", \"include\"];\n"
		"# forward everything\n"
		"redirect :copy \"jo@example.org\";\n"
		"include :global \"spam-filter\";\n"
		"include :personal \"rules\";\n";
	g_autoptr(MpSieveScript) s = parse (script);
	g_assert_null (s->error);
	g_assert_cmpuint (s->n_commands, ==, 4);
	g_assert_cmpuint (s->targets->len, ==, 1);
	const MpForwardTarget *t = s->targets->pdata[0];
	g_assert_cmpuint (t->line, ==, 3);
	/* the token is the quoted string */
	g_assert_cmpmem (script + t->offset, t->length, "\"jo@example.org\"", 16);
	g_assert_cmpuint (s->includes->len, ==, 2);
	const MpSieveInclude *a = s->includes->pdata[0], *b = s->includes->pdata[1];
	g_assert_cmpstr (a->name, ==, "spam-filter");
	g_assert_true (a->global);
	g_assert_cmpuint (a->line, ==, 4);
	g_assert_cmpstr (b->name, ==, "rules");
	g_assert_false (b->global);
}

static void
test_lexer (void)
{
	static const char src[] = "if size :over 2M /* c */ { set \"a\" text:\n..x\n.y\n.\n; } # end\n10G 99999999999999999999K";
	MpSieveLexer lx;
	MpSieveToken t;
	static const MpSieveTokenType want[] = {
		MP_SIEVE_TOKEN_IDENTIFIER, MP_SIEVE_TOKEN_IDENTIFIER, MP_SIEVE_TOKEN_TAG, MP_SIEVE_TOKEN_NUMBER,
		MP_SIEVE_TOKEN_SPECIAL, MP_SIEVE_TOKEN_IDENTIFIER, MP_SIEVE_TOKEN_STRING, MP_SIEVE_TOKEN_MULTILINE,
		MP_SIEVE_TOKEN_SPECIAL, MP_SIEVE_TOKEN_SPECIAL, MP_SIEVE_TOKEN_NUMBER, MP_SIEVE_TOKEN_NUMBER,
		MP_SIEVE_TOKEN_END, MP_SIEVE_TOKEN_END,
	};
	mp_sieve_lexer_init (&lx, src, strlen (src));
	for (guint i = 0; i < G_N_ELEMENTS (want); i++) {
		g_assert_true (mp_sieve_lexer_next (&lx, &t));
		g_assert_cmpint (t.type, ==, want[i]);
		if (i == 2)
			g_assert_true (mp_sieve_token_is (&lx, &t, "OVER"));
		if (i == 3)
			g_assert_cmpuint (t.number, ==, 2u << 20);
		if (i == 7) {
			gsize len;
			g_autofree char *v = mp_sieve_token_value (&lx, &t, &len);
			/* dot-stuffing removed, line ends kept */
			g_assert_cmpstr (v, ==, ".x\ny\n");
			g_assert_cmpuint (t.line, ==, 1);
		}
		if (i == 10) {
			g_assert_cmpuint (t.number, ==, (guint64) 10 << 30);
			g_assert_cmpuint (t.line, ==, 6);
		}
		if (i == 11)
			g_assert_cmpuint (t.number, ==, G_MAXUINT64); /* saturated */
	}
	mp_sieve_lexer_clear (&lx);

	/* an error sticks */
	mp_sieve_lexer_init (&lx, "keep; \x01 redirect", 16);
	g_assert_true (mp_sieve_lexer_next (&lx, &t));
	g_assert_true (mp_sieve_lexer_next (&lx, &t));
	g_assert_false (mp_sieve_lexer_next (&lx, &t));
	g_assert_cmpint (t.type, ==, MP_SIEVE_TOKEN_ERROR);
	g_assert_cmpstr (lx.error, ==, "line 1: unexpected octet 0x01");
	g_assert_false (mp_sieve_lexer_next (&lx, &t));
	mp_sieve_lexer_clear (&lx);
}

static void
test_bounds (void)
{
	/* nesting: blocks and tests are bounded, never the C stack */
	GString *deep = g_string_new (NULL);
	for (guint i = 0; i < 10000; i++)
		g_string_append (deep, "if true {");
	g_autoptr(MpSieveScript) s = mp_sieve_script_parse (deep->str, deep->len);
	g_assert_nonnull (strstr (s->error, "nested deeper than"));
	g_string_truncate (deep, 0);
	g_string_append (deep, "if ");
	for (guint i = 0; i < 10000; i++)
		g_string_append (deep, "not ");
	g_string_append (deep, "true { redirect \"a@x\"; }");
	g_autoptr(MpSieveScript) t = mp_sieve_script_parse (deep->str, deep->len);
	g_assert_nonnull (strstr (t->error, "nested deeper than"));
	g_assert_cmpuint (t->targets->len, ==, 0);
	/* within the limit */
	g_string_truncate (deep, 0);
	for (guint i = 0; i < MP_SIEVE_MAX_DEPTH; i++)
		g_string_append (deep, "if true {");
	g_string_append (deep, "redirect \"a@x\";");
	for (guint i = 0; i < MP_SIEVE_MAX_DEPTH; i++)
		g_string_append (deep, "}");
	g_autoptr(MpSieveScript) u = mp_sieve_script_parse (deep->str, deep->len);
	g_assert_null (u->error);
	g_assert_cmpuint (u->targets->len, ==, 1);
	g_string_free (deep, TRUE);

	/* many redirects: bounded */
	GString *many = g_string_new (NULL);
	for (guint i = 0; i < MP_FORWARD_MAX_TARGETS + 5; i++)
		g_string_append_printf (many, "redirect \"u%u@x\";\n", i);
	g_autoptr(MpSieveScript) m = mp_sieve_script_parse (many->str, many->len);
	g_assert_true (m->truncated);
	g_assert_cmpuint (m->targets->len, ==, MP_FORWARD_MAX_TARGETS);
	g_string_free (many, TRUE);

	/* a NUL inside a string cuts the address there */
	static const char nul[] = "redirect \"a@x\0tail\";";
	g_autoptr(MpSieveScript) n = mp_sieve_script_parse (nul, sizeof nul - 1);
	g_assert_null (n->error);
	g_assert_cmpstr (((MpForwardTarget *) n->targets->pdata[0])->address, ==, "a@x");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/sieve-script/table", test_table);
	g_test_add_func ("/sieve-script/where", test_where);
	g_test_add_func ("/sieve-script/lexer", test_lexer);
	g_test_add_func ("/sieve-script/bounds", test_bounds);
	return g_test_run ();
}
