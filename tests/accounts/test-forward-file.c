/* test-forward-file.c — ~/.forward files (analyzer/accounts/forward-file.c):
 * addresses against comments, pipes, files and includes; procmail pipes and
 * the rc file they name; the owner's own mailbox; offsets into the input. */
#include "forward-file.h"

#include <string.h>

/* Every entry's value is the octets at its offset (forward-file.h). */
static void
assert_offsets (const MpForwardFile *f, const char *data)
{
	for (guint i = 0; i < f->entries->len; i++) {
		const MpForwardEntry *e = f->entries->pdata[i];
		g_assert_cmpmem (data + e->offset, strlen (e->value), e->value, strlen (e->value));
	}
	for (guint i = 0; i < f->targets->len; i++) {
		const MpForwardTarget *t = f->targets->pdata[i];
		g_assert_cmpuint (t->length, ==, strlen (t->address));
		g_assert_cmpmem (data + t->offset, t->length, t->address, t->length);
	}
}

static MpForwardFile *
parse (const char *data, const char *owner)
{
	MpForwardFile *f = mp_forward_file_parse (data, strlen (data), owner);
	assert_offsets (f, data);
	return f;
}

/* The targets' addresses, space-separated ("" for none). */
static char *
targets_of (const MpForwardFile *f)
{
	GString *s = g_string_new (NULL);
	for (guint i = 0; i < f->targets->len; i++) {
		const MpForwardTarget *t = f->targets->pdata[i];
		g_string_append_printf (s, "%s%s", s->len ? " " : "", t->address);
	}
	return g_string_free (s, FALSE);
}

/* "kind:value kind:value" of the entries. */
static char *
entries_of (const MpForwardFile *f)
{
	GString *s = g_string_new (NULL);
	for (guint i = 0; i < f->entries->len; i++) {
		const MpForwardEntry *e = f->entries->pdata[i];
		g_string_append_printf (s, "%s%s:%s", s->len ? " " : "", mp_forward_entry_kind_name (e->kind),
		                        e->value);
	}
	return g_string_free (s, FALSE);
}

static void
test_table (void)
{
	static const struct {
		const char *input, *owner;
		const char *entries;  /* kind:value ... */
		const char *targets;  /* forwarded to */
		gboolean    procmail;
		const char *rc;
	} cases[] = {
		{ "jo@example.org\n", "jo", "address:jo@example.org", "jo@example.org", FALSE, NULL },
		/* comments: nothing (aliases(5): first non-blank '#') */
		{ "# jo@example.org\n   # bob@example.net\n\n", "jo", "", "", FALSE, NULL },
		/* keep a copy and forward one */
		{ "\\jo, jo@example.org\n", "jo", "mailbox:jo address:jo@example.org", "jo@example.org", FALSE, NULL },
		/* the owner's own name, with or without '\': his mailbox */
		{ "jo\n\\jo\n", "jo", "address:jo mailbox:jo", "", FALSE, NULL },
		/* another user's mailbox is forwarding; unknown owner: a '\' is his */
		{ "\\bob\n", "jo", "mailbox:bob", "bob", FALSE, NULL },
		{ "\\bob\n", NULL, "mailbox:bob", "", FALSE, NULL },
		{ "bob\n", NULL, "address:bob", "bob", FALSE, NULL },
		/* procmail, as its man page says to call it */
		{ "\"|IFS=' ' && exec /usr/bin/procmail -f- || exit 75 #jo\"\n", "jo",
		  "pipe:IFS=' ' && exec /usr/bin/procmail -f- || exit 75 #jo", "", TRUE, NULL },
		{ "|/usr/bin/procmail\n", "jo", "pipe:/usr/bin/procmail", "", TRUE, NULL },
		{ "\"|exec /usr/local/bin/procmail -t -a arg VERBOSE=on rc/fwd.rc\"\n", "jo",
		  "pipe:exec /usr/local/bin/procmail -t -a arg VERBOSE=on rc/fwd.rc", "", TRUE, "rc/fwd.rc" },
		{ "\"|procmail -m /etc/procmail/filter.rc\"\n", NULL, "pipe:procmail -m /etc/procmail/filter.rc",
		  "", TRUE, "/etc/procmail/filter.rc" },
		{ "\"|/usr/bin/procmail -d jo\"\n", NULL, "pipe:/usr/bin/procmail -d jo", "", TRUE, NULL },
		/* other programs: no address, no procmail */
		{ "\"|/usr/bin/vacation jo\"\n", "jo", "pipe:/usr/bin/vacation jo", "", FALSE, NULL },
		{ "\"|/usr/bin/procmail-wrapper\"\n", "jo", "pipe:/usr/bin/procmail-wrapper", "", FALSE, NULL },
		{ "\"|echo procmail\"\n", "jo", "pipe:echo procmail", "", FALSE, NULL },
		/* a file, an include */
		{ "/var/mail/jo.copy\n", "jo", "file:/var/mail/jo.copy", "", FALSE, NULL },
		{ "\"/home/jo/saved mail\"\n", "jo", "file:/home/jo/saved mail", "", FALSE, NULL },
		{ ":include:/etc/mail/lists/staff\n", "jo", "include:/etc/mail/lists/staff", "", FALSE, NULL },
		/* RFC 5322 forms and trailing comments */
		{ "Jo Smith <jo@example.org>, bob@example.net (Bob, at home)\n", "jo",
		  "address:jo@example.org address:bob@example.net", "jo@example.org bob@example.net", FALSE, NULL },
		{ "jo@example.org   # the new account\n", "jo", "address:jo@example.org", "jo@example.org", FALSE, NULL },
		{ "\"jo smith\"@example.org\n", NULL, "address:\"jo smith\"@example.org", "\"jo smith\"@example.org",
		  FALSE, NULL },
		{ "\"bob@example.net\"\n", NULL, "address:bob@example.net", "bob@example.net", FALSE, NULL },
		/* several per line, empty ones, CRLF */
		{ "a@x,b@y,,  c@z\r\nd@w\r\n", NULL, "address:a@x address:b@y address:c@z address:d@w",
		  "a@x b@y c@z d@w", FALSE, NULL },
		/* not understood: never an address */
		{ "forward this please\n", "jo", "invalid:forward this please", "", FALSE, NULL },
		{ "\"unterminated@example.org\n", "jo", "invalid:\"unterminated@example.org", "", FALSE, NULL },
		{ "Jo <>\n", "jo", "invalid:Jo <>", "", FALSE, NULL },
		/* a NUL ends the line's text */
		{ "", NULL, "", "", FALSE, NULL },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_test_message ("case %u: %s", i, cases[i].input);
		g_autoptr(MpForwardFile) f = parse (cases[i].input, cases[i].owner);
		g_autofree char *entries = entries_of (f);
		g_autofree char *targets = targets_of (f);
		g_assert_cmpstr (entries, ==, cases[i].entries);
		g_assert_cmpstr (targets, ==, cases[i].targets);
		g_assert_cmpint (f->runs_procmail, ==, cases[i].procmail);
		g_assert_cmpstr (f->procmail_rc, ==, cases[i].rc);
		g_assert_false (f->truncated);
	}
}

static void
test_lines_and_copies (void)
{
	static const char data[] = "# forward, but keep a copy\n\n\\jo\nJo <jo@example.org>\n";
	g_autoptr(MpForwardFile) f = parse (data, "jo");
	g_assert_cmpuint (f->targets->len, ==, 1);
	const MpForwardTarget *t = f->targets->pdata[0];
	g_assert_cmpstr (t->address, ==, "jo@example.org");
	g_assert_cmpuint (t->line, ==, 4);
	g_assert_true (t->keeps_copy);
	g_assert_false (t->conditional);

	g_autoptr(MpForwardFile) g = parse ("jo@example.org\n", "jo");
	g_assert_false (((MpForwardTarget *) g->targets->pdata[0])->keeps_copy);
	/* a pipe delivers somewhere too */
	g_autoptr(MpForwardFile) h = parse ("jo@example.org, \"|/usr/bin/vacation jo\"\n", "jo");
	g_assert_true (((MpForwardTarget *) h->targets->pdata[0])->keeps_copy);
	g_assert_cmpuint (h->n_invalid, ==, 0);
}

/* Exim reads "# Exim filter" / "# Sieve filter" files as programs */
static void
test_filters (void)
{
	static const struct {
		const char     *input;
		MpForwardFilter filter;
	} cases[] = {
		{ "# Exim filter\nif $header_subject contains \"x\" then\n  deliver jo@example.org\nendif\n",
		  MP_FORWARD_FILTER_EXIM },
		{ "  #  exim   FILTER -- mine\ndeliver jo@example.org\n", MP_FORWARD_FILTER_EXIM },
		{ "# Sieve filter\nredirect \"jo@example.org\";\n", MP_FORWARD_FILTER_SIEVE },
		/* not the first line, or other words: a plain .forward */
		{ "jo@example.org\n# Exim filter\n", MP_FORWARD_FILTER_NONE },
		{ "# Eximfilter\njo@example.org\n", MP_FORWARD_FILTER_NONE },
		{ "# Exim filters are nice\njo@example.org\n", MP_FORWARD_FILTER_EXIM },
		{ "# Sieve\njo@example.org\n", MP_FORWARD_FILTER_NONE },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(MpForwardFile) f = parse (cases[i].input, "jo");
		g_assert_cmpint (f->filter, ==, cases[i].filter);
		if (cases[i].filter != MP_FORWARD_FILTER_NONE) {
			/* a program, not a list: no entry is read from it */
			g_assert_cmpuint (f->entries->len, ==, 0);
			g_assert_cmpuint (f->targets->len, ==, 0);
		} else {
			g_assert_cmpuint (f->targets->len, ==, 1);
		}
	}
}

static void
test_nul_and_bounds (void)
{
	static const char data[] = "a@x\0b@y\nc@z";
	g_autoptr(MpForwardFile) f = mp_forward_file_parse (data, sizeof data - 1, NULL);
	g_autofree char *targets = targets_of (f);
	g_assert_cmpstr (targets, ==, "a@x c@z");

	/* more entries than the limit: the rest is not read, and it says so */
	GString *big = g_string_new (NULL);
	for (guint i = 0; i < MP_FORWARD_MAX_TARGETS + 5; i++)
		g_string_append_printf (big, "u%u@example.org\n", i);
	g_autoptr(MpForwardFile) b = mp_forward_file_parse (big->str, big->len, NULL);
	g_assert_true (b->truncated);
	g_assert_cmpuint (b->entries->len, ==, MP_FORWARD_MAX_TARGETS);
	g_assert_cmpuint (b->targets->len, ==, MP_FORWARD_MAX_TARGETS);
	g_string_free (big, TRUE);

	/* an empty input and one without any line end */
	g_autoptr(MpForwardFile) e = mp_forward_file_parse ("", 0, NULL);
	g_assert_cmpuint (e->entries->len, ==, 0);
	g_autoptr(MpForwardFile) n = mp_forward_file_parse ("jo@example.org", 14, NULL);
	g_assert_cmpuint (n->targets->len, ==, 1);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/forward-file/table", test_table);
	g_test_add_func ("/forward-file/lines-and-copies", test_lines_and_copies);
	g_test_add_func ("/forward-file/filters", test_filters);
	g_test_add_func ("/forward-file/nul-and-bounds", test_nul_and_bounds);
	return g_test_run ();
}
