/* test-special-use.c — the vocabulary of mailbox special uses
 * (analyzer/model/special-use.c, RFC 6154 §2 and RFC 8457). */
#include "special-use.h"

static void
test_attributes (void)
{
	static const struct {
		const char  *attribute;
		MpSpecialUse use;
	} cases[] = {
		{ "\\Sent", MP_SPECIAL_USE_SENT },
		{ "\\sent", MP_SPECIAL_USE_SENT },       /* RFC 3501 §9: any case */
		{ "\\SENT", MP_SPECIAL_USE_SENT },
		{ "\\All", MP_SPECIAL_USE_ALL },
		{ "\\Archive", MP_SPECIAL_USE_ARCHIVE },
		{ "\\Drafts", MP_SPECIAL_USE_DRAFTS },
		{ "\\Flagged", MP_SPECIAL_USE_FLAGGED },
		{ "\\Junk", MP_SPECIAL_USE_JUNK },
		{ "\\Trash", MP_SPECIAL_USE_TRASH },
		{ "\\Important", MP_SPECIAL_USE_IMPORTANT },
		/* not special uses */
		{ "\\HasNoChildren", MP_SPECIAL_USE_NONE },
		{ "\\Noselect", MP_SPECIAL_USE_NONE },
		{ "Sent", MP_SPECIAL_USE_NONE },          /* a name, not an attribute */
		{ "\\Sentinel", MP_SPECIAL_USE_NONE },
		{ "\\Sen", MP_SPECIAL_USE_NONE },
		{ "", MP_SPECIAL_USE_NONE },
		{ NULL, MP_SPECIAL_USE_NONE },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_assert_cmpint (mp_special_use_from_attribute (cases[i].attribute), ==, cases[i].use);
		if (cases[i].use != MP_SPECIAL_USE_NONE) {
			/* and back: the RFC's spelling */
			const char *a = mp_special_use_attribute (cases[i].use);
			g_assert_nonnull (a);
			g_assert_cmpint (g_ascii_strcasecmp (a, cases[i].attribute), ==, 0);
		}
	}
	/* one use only: not a set, not an unknown bit */
	g_assert_null (mp_special_use_attribute (MP_SPECIAL_USE_NONE));
	g_assert_null (mp_special_use_attribute (MP_SPECIAL_USE_SENT | MP_SPECIAL_USE_TRASH));
	g_assert_null (mp_special_use_attribute ((MpSpecialUse) (1 << 20)));
}

static void
test_sets (void)
{
	g_autofree char *none = mp_special_use_to_string (MP_SPECIAL_USE_NONE);
	g_assert_cmpstr (none, ==, "");
	g_autofree char *two = mp_special_use_to_string (MP_SPECIAL_USE_SENT | MP_SPECIAL_USE_ARCHIVE);
	g_assert_cmpstr (two, ==, "\\Archive \\Sent");
	g_autofree char *all = mp_special_use_to_string (MP_SPECIAL_USE_ANY);
	g_assert_cmpstr (all, ==, "\\All \\Archive \\Drafts \\Flagged \\Junk \\Sent \\Trash \\Important");
	/* every bit of ANY is a use with a name */
	for (guint bit = 0; bit < 31; bit++) {
		MpSpecialUse u = (MpSpecialUse) (1u << bit);
		g_assert_cmpint ((u & MP_SPECIAL_USE_ANY) != 0, ==, mp_special_use_attribute (u) != NULL);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/special-use/attributes", test_attributes);
	g_test_add_func ("/special-use/sets", test_sets);
	return g_test_run ();
}
