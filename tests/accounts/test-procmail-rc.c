/* test-procmail-rc.c — procmail recipes (analyzer/accounts/procmail-rc.c):
 * '!' actions forward, and nothing else does — not a comment, not a
 * negated condition, not a pipe to sendmail, not a '!' outside a recipe or
 * inside a quoted value. */
#include "procmail-rc.h"

#include <string.h>

static MpProcmailRc *
parse (const char *data)
{
	MpProcmailRc *rc = mp_procmail_rc_parse (data, strlen (data));
	/* each address is the input's octets at its offset (a continued line:
	 * in order, around the "\\\n") */
	for (guint i = 0; i < rc->targets->len; i++) {
		const MpForwardTarget *t = rc->targets->pdata[i];
		g_assert_cmpuint (t->offset + t->length, <=, strlen (data));
		if (memchr (data + t->offset, '\n', t->length) == NULL)
			g_assert_cmpmem (data + t->offset, t->length, t->address, strlen (t->address));
	}
	return rc;
}

/* "address[c?]" per target: c = keeps a copy, ? = conditional */
static char *
targets_of (const MpProcmailRc *rc)
{
	GString *s = g_string_new (NULL);
	for (guint i = 0; i < rc->targets->len; i++) {
		const MpForwardTarget *t = rc->targets->pdata[i];
		g_string_append_printf (s, "%s%s%s%s", s->len ? " " : "", t->address, t->keeps_copy ? "c" : "",
		                        t->conditional ? "?" : "");
	}
	return g_string_free (s, FALSE);
}

static void
test_table (void)
{
	static const struct {
		const char *input;
		const char *targets;
		guint       errors;
	} cases[] = {
		/* the simplest forward */
		{ ":0\n! jo@example.org\n", "jo@example.org", 0 },
		/* a copy, under a condition, to two addresses */
		{ ":0c\n* ^From:.*boss\n! jo@example.org bob@example.net\n", "jo@example.orgc? bob@example.netc?", 0 },
		/* flags and lock files in every spelling */
		{ ":0 Hc:\n! a@x\n:0:lockfile\n! b@y\n:0 B c : fwd.lock\n! c@z\n", "a@xc b@y c@zc", 0 },
		/* false friends: a comment, a negated condition, a pipe to sendmail,
		 * a mailbox named like an address */
		{ "# :0\n# ! jo@example.org\n"
		  ":0\n* !^From: bob@example.org\nnot-from-bob\n"
		  ":0 h\n* ^Subject: ping\n| (formail -r; echo pong) | $SENDMAIL -oi -t\n"
		  ":0\n! ^bob@example.org\n", "^bob@example.org", 0 },
		/* a '!' line outside any recipe is no action: an error */
		{ "! jo@example.org\n", "", 1 },
		/* a comment or a blank line between conditions */
		{ ":0\n* ^To: list\n# ! not@this\n\n* ^Subject: x\n! list-archive@example.org\n",
		  "list-archive@example.org?", 0 },
		/* a nested block */
		{ ":0\n* ^Subject: urgent\n{\n  :0c\n  ! pager@example.org\n\n  :0\n  urgent/\n}\n:0\n! all@example.org\n",
		  "pager@example.orgc? all@example.org", 0 },
		/* "{" and "}" on the action's line */
		{ ":0\n* x\n{ }\n:0\n{ :0\n! in@block\n}\n", "in@block?", 0 },
		/* continued lines: a condition, and the address list */
		{ ":0\n* ^From: a\\\n  b\n! jo@example.org \\\n  bob@example.net\n", "jo@example.org? bob@example.net?", 0 },
		/* sendmail options are no addresses; -f takes the next word */
		{ ":0\n! -oi -f \"$@\" jo@example.org\n", "jo@example.org", 0 },
		/* variables: the address as written */
		{ "FWD=jo@example.org\n:0\n! $FWD # the new address\n", "$FWD", 0 },
		/* a quoted value over several lines hides a '!' line */
		{ "MSG=\"hello\n! not@forward\n\"\n:0\n! yes@forward\n", "yes@forward", 0 },
		/* old-style recipes: ":1" takes the next line as its condition */
		{ ":1\n!^From: bob\n! jo@example.org\n", "jo@example.org?", 0 },
		/* errors: an unbalanced '}', a recipe without action, a block not closed */
		{ "}\n", "", 1 },
		{ ":0\n* ^From: x\n", "", 1 },
		{ ":0\n{\n:0\n! a@x\n", "a@x?", 1 },
		/* CRLF line ends */
		{ ":0c\r\n! jo@example.org\r\n", "jo@example.orgc", 0 },
		{ "", "", 0 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_test_message ("case %u: %s", i, cases[i].input);
		g_autoptr(MpProcmailRc) rc = parse (cases[i].input);
		g_autofree char *targets = targets_of (rc);
		g_test_message ("  -> %s (errors %u: %s)", targets, rc->n_errors,
		                rc->first_error ? rc->first_error : "-");
		g_assert_cmpstr (targets, ==, cases[i].targets);
		g_assert_cmpuint (rc->n_errors, ==, cases[i].errors);
		g_assert_cmpint (rc->n_errors > 0, ==, rc->first_error != NULL);
	}
}

static void
test_includes_and_lines (void)
{
	static const char data[] =
		"# ~/.procmailrc\n"
		"MAILDIR=$HOME/Mail\n"
		"INCLUDERC=$HOME/.procmail/forward.rc\n"
		"SWITCHRC = \"/etc/procmail/site.rc\"\n"
		"\n"
		":0c\n"
		"* ^To:.*jo\n"
		"! jo@example.org\n";
	g_autoptr(MpProcmailRc) rc = parse (data);
	g_assert_cmpuint (rc->includes->len, ==, 2);
	g_assert_cmpstr (rc->includes->pdata[0], ==, "$HOME/.procmail/forward.rc");
	g_assert_cmpstr (rc->includes->pdata[1], ==, "/etc/procmail/site.rc");
	g_assert_cmpuint (rc->n_recipes, ==, 1);
	g_assert_cmpuint (rc->targets->len, ==, 1);
	const MpForwardTarget *t = rc->targets->pdata[0];
	g_assert_cmpuint (t->line, ==, 8);
	g_assert_cmpuint (t->offset, ==, (gsize) (strstr (data, "jo@example.org") - data));
	g_assert_cmpuint (rc->n_errors, ==, 0);

	/* the error names its line */
	g_autoptr(MpProcmailRc) bad = parse ("MAILDIR=x\n\n:0\nmbox\n}\n");
	g_assert_cmpstr (bad->first_error, ==, "line 5: '}' closes no block");

	/* a continued address list: the second address is on line 3 of the
	 * input, its target on the recipe's logical line (2) */
	static const char cont[] = ":0\n! a@x \\\n  b@y\n";
	g_autoptr(MpProcmailRc) c = parse (cont);
	g_assert_cmpuint (c->targets->len, ==, 2);
	t = c->targets->pdata[1];
	g_assert_cmpstr (t->address, ==, "b@y");
	g_assert_cmpuint (t->offset, ==, (gsize) (strstr (cont, "b@y") - cont));
}

static void
test_bounds (void)
{
	GString *big = g_string_new (":0\n!");
	for (guint i = 0; i < MP_FORWARD_MAX_TARGETS + 5; i++)
		g_string_append_printf (big, " u%u@x", i);
	g_string_append_c (big, '\n');
	g_autoptr(MpProcmailRc) rc = mp_procmail_rc_parse (big->str, big->len);
	g_assert_true (rc->truncated);
	g_assert_cmpuint (rc->targets->len, ==, MP_FORWARD_MAX_TARGETS);
	g_string_free (big, TRUE);

	/* deep blocks cost no stack */
	GString *deep = g_string_new (NULL);
	for (guint i = 0; i < 100000; i++)
		g_string_append (deep, ":0\n{\n");
	g_string_append (deep, ":0\n! deep@x\n");
	for (guint i = 0; i < 100000; i++)
		g_string_append (deep, "}\n");
	g_autoptr(MpProcmailRc) d = mp_procmail_rc_parse (deep->str, deep->len);
	g_assert_cmpuint (d->targets->len, ==, 1);
	g_assert_cmpuint (d->n_errors, ==, 0);
	g_string_free (deep, TRUE);

	static const char nul[] = ":0\n! a@x\0 b@y\n";
	g_autoptr(MpProcmailRc) n = mp_procmail_rc_parse (nul, sizeof nul - 1);
	g_assert_cmpuint (n->targets->len, ==, 1);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/procmail-rc/table", test_table);
	g_test_add_func ("/procmail-rc/includes-and-lines", test_includes_and_lines);
	g_test_add_func ("/procmail-rc/bounds", test_bounds);
	return g_test_run ();
}
