/* test-shown-text.c — text as mailpreflight records and shows it
 * (analyzer/model/shown-text.h): URL passwords redacted, no control
 * characters on a terminal. */
#include "shown-text.h"

#include <string.h>

typedef struct {
	const char *in;
	const char *out;
} Case;

static const Case redact_cases[] = {
	{ "imaps://alice:secret@mail.example.org", "imaps://alice:***@mail.example.org" },
	{ "imap://alice:secret@host:143/INBOX", "imap://alice:***@host:143/INBOX" },
	{ "--target=imaps://bob:hunter2@imap.gmail.com", "--target=imaps://bob:***@imap.gmail.com" },
	/* the last '@' of the authority ends the userinfo */
	{ "imaps://alice@example.org:p@ss@host", "imaps://alice@example.org:***@host" },
	/* a '@' after the authority is no userinfo */
	{ "imaps://alice@host/a:b@c", "imaps://alice@host/a:b@c" },
	{ "imaps://host:993/x@y", "imaps://host:993/x@y" },
	/* no password: unchanged */
	{ "imaps://alice@host", "imaps://alice@host" },
	{ "imaps://alice:@host", "imaps://alice:@host" },
	{ "/srv/mail/alice", "/srv/mail/alice" },
	{ "user:pass@host", "user:pass@host" },
	{ "", "" },
	/* every URL in a text (an error message) */
	{ "IMAP URL imaps://a:1@h and imap://b:2@k: bad", "IMAP URL imaps://a:***@h and imap://b:***@k: bad" },
	{ "x://:pw@h", "x://:***@h" },
	{ "://", "://" },
	{ "a://b:c", "a://b:c" },
};

static void
test_redact (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (redact_cases); i++) {
		g_autofree char *out = mp_text_redact_passwords (redact_cases[i].in);
		g_assert_cmpstr (out, ==, redact_cases[i].out);
	}
	g_assert_null (mp_text_redact_passwords (NULL));
}

static void
test_redact_strv (void)
{
	g_auto(GStrv) argv = g_new0 (char *, 5);

	argv[0] = g_strdup ("scan");
	argv[1] = g_strdup ("--target");
	argv[2] = g_strdup ("imaps://bob:hunter2@host");
	argv[3] = g_strdup ("imaps://alice:secret@host/INBOX");
	mp_text_redact_passwords_strv (argv);
	g_assert_cmpstr (argv[0], ==, "scan");
	g_assert_cmpstr (argv[1], ==, "--target");
	g_assert_cmpstr (argv[2], ==, "imaps://bob:***@host");
	g_assert_cmpstr (argv[3], ==, "imaps://alice:***@host/INBOX");
	mp_text_redact_passwords_strv (NULL);
}

static const Case terminal_cases[] = {
	{ "INBOX", "INBOX" },
	/* OSC: set the window title; CSI: clear the screen */
	{ "\033]0;pwned\007Inbox", "?]0;pwned?Inbox" },
	{ "\033[2J\033[H", "?[2J?[H" },
	/* one line */
	{ "a\nmailpreflight: fake line", "a?mailpreflight: fake line" },
	{ "cr\rlf", "cr?lf" },
	{ "tab\there", "tab?here" },
	{ "del\177", "del?" },
	/* C1 controls in UTF-8 (U+009B is CSI for an 8-bit terminal) */
	{ "c1\xc2\x9b" "2J", "c1?2J" },
	{ "nel\xc2\x85", "nel?" },
	/* invalid UTF-8 becomes U+FFFD, never a raw 8-bit control */
	{ "raw\x9b" "2J", "raw\xef\xbf\xbd" "2J" },
	{ "Entw\xc3\xbc" "rfe \xe2\x82\xac", "Entw\xc3\xbc" "rfe \xe2\x82\xac" },
};

static void
test_terminal (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (terminal_cases); i++) {
		g_autofree char *out = mp_text_for_terminal (terminal_cases[i].in, -1);
		g_assert_cmpstr (out, ==, terminal_cases[i].out);
	}
}

static void
test_terminal_cut (void)
{
	g_autofree char *a = mp_text_for_terminal ("abcdef", 3);
	g_autofree char *b = mp_text_for_terminal ("abc", 3);
	g_autofree char *c = mp_text_for_terminal ("\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f", 2);
	g_autofree char *d = mp_text_for_terminal (NULL, 10);

	g_assert_cmpstr (a, ==, "abc...");
	g_assert_cmpstr (b, ==, "abc");
	g_assert_cmpstr (c, ==, "\xc3\xa4\xc3\xb6...");
	g_assert_cmpstr (d, ==, "");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/shown-text/redact", test_redact);
	g_test_add_func ("/shown-text/redact-strv", test_redact_strv);
	g_test_add_func ("/shown-text/terminal", test_terminal);
	g_test_add_func ("/shown-text/terminal-cut", test_terminal_cut);
	return g_test_run ();
}
