/* test-mutf7.c — IMAP modified UTF-7 (RFC 3501 §5.1.3) mailbox names
 * (analyzer/imap/mutf7.h). */
#include "mutf7.h"

#include <string.h>

typedef struct {
	const char *in;
	const char *out; /* NULL: invalid */
} Mutf7Case;

static const Mutf7Case cases[] = {
	/* valid */
	{ "", "" },
	{ "INBOX", "INBOX" },
	{ "Entw&APw-rfe", "Entw\xc3\xbc" "rfe" },        /* Entwürfe */
	{ "&-", "&" },
	{ "a&-b&-", "a&b&" },
	{ "Tom &- Jerry", "Tom & Jerry" },
	{ "&AOQA5A-", "\xc3\xa4\xc3\xa4" },            /* ää */
	{ "&AOQ-&APY-", "\xc3\xa4\xc3\xb6" },           /* äö, two runs */
	{ "&2D3eAA-", "\xf0\x9f\x98\x80" },             /* U+1F600 as a surrogate pair */
	{ "x&2D3eANg93gE-y", "x\xf0\x9f\x98\x80\xf0\x9f\x98\x81y" }, /* two pairs in one run */
	/* RFC 3501 §5.1.3's own example */
	{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "&ImI-", "\xe2\x89\xa2" },                    /* U+2262, RFC 2152 example */
	/* invalid */
	{ "&", NULL },                   /* unterminated */
	{ "&Jjo", NULL },                /* unterminated run */
	{ "a&APw", NULL },
	{ "&AGE-", NULL },               /* printable ASCII 'a' must not be encoded */
	{ "&ACY-", NULL },               /* '&' encoded */
	{ "&2D0-", NULL },               /* lone high surrogate */
	{ "&3gA-", NULL },               /* lone low surrogate */
	{ "&2D3YPQ-", NULL },            /* two high surrogates */
	{ "&2D0AdA-", NULL },            /* high surrogate then 't' (no low) */
	{ "&APx-", NULL },               /* non-zero padding bits */
	{ "&AP-", NULL },                /* too few bits for one character */
	{ "&*-", NULL },                 /* not modified base64 */
	{ "&AP/8-", NULL },              /* '/' is plain base64, not modified */
	{ "Entw\xc3\xbcrfe", NULL },     /* raw 8-bit */
	/* controls are no name, encoded or raw (issue 14, item 9) */
	{ "nul&AAA-cut", NULL },         /* U+0000 would cut the name at "nul" */
	{ "&AB8-", NULL },               /* U+001F */
	{ "&ABs-]0;pwned&AAc-", NULL },  /* ESC ] ... BEL: sets a window title */
	{ "&AH8-", NULL },               /* DEL */
	{ "&AIA-", NULL },               /* U+0080 (C1) */
	{ "&AJs-2J", NULL },             /* U+009B, the C1 CSI: clears a screen */
	{ "a\x1b[2Jb", NULL },          /* raw ESC */
	{ "a\rb", NULL },
	{ "a\x7f", NULL },
};

static void
test_mutf7_table (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *out = mp_mutf7_decode (cases[i].in);
		g_test_message ("mutf7 '%s'", cases[i].in);
		g_assert_cmpstr (out, ==, cases[i].out);
		if (out != NULL)
			g_assert_true (g_utf8_validate (out, -1, NULL));
	}
}

/* Every modified-UTF-7 form of a BMP character decodes back. */
static void
test_mutf7_roundtrip_bmp (void)
{
	static const gunichar chars[] = { 0xa0, 0xe4, 0xfc, 0x20ac, 0x4e2d, 0xfffd, 0x100, 0xff };

	for (gsize i = 0; i < G_N_ELEMENTS (chars); i++) {
		guchar be[2] = { (guchar) (chars[i] >> 8), (guchar) (chars[i] & 0xff) };
		g_autofree char *b64 = g_base64_encode (be, 2);
		g_autofree char *name = NULL;
		g_autofree char *out = NULL;
		char want[8] = { 0 };
		char *eq = strchr (b64, '=');

		if (eq)
			*eq = '\0';
		g_strdelimit (b64, "/", ',');
		name = g_strdup_printf ("&%s-", b64);
		out = mp_mutf7_decode (name);
		g_unichar_to_utf8 (chars[i], want);
		g_test_message ("U+%04X as %s", chars[i], name);
		g_assert_cmpstr (out, ==, want);
	}
}

/* Encoding what a user types gives the server's name, and decodes back. */
static void
test_mutf7_encode (void)
{
	static const struct { const char *utf8, *mutf7; } names[] = {
		{ "INBOX", "INBOX" },
		{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
		{ "Tom & Jerry", "Tom &- Jerry" },
		{ "\xc3\xa4\xc3\xb6", "&AOQA9g-" },
		{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
		{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
		{ "", "" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
		g_autofree char *enc = mp_mutf7_encode (names[i].utf8);
		g_autofree char *dec = mp_mutf7_decode (enc);
		g_assert_cmpstr (enc, ==, names[i].mutf7);
		g_assert_cmpstr (dec, ==, names[i].utf8);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/mutf7/table", test_mutf7_table);
	g_test_add_func ("/mutf7/roundtrip-bmp", test_mutf7_roundtrip_bmp);
	g_test_add_func ("/mutf7/encode", test_mutf7_encode);
	return g_test_run ();
}
