/* special-use.c — see special-use.h. */
#include "special-use.h"

/* RFC 6154 §2 and RFC 8457 §3: the attributes, in the enum's order */
static const struct {
	MpSpecialUse use;
	const char  *attribute;
} uses[] = {
	{ MP_SPECIAL_USE_ALL,       "\\All" },
	{ MP_SPECIAL_USE_ARCHIVE,   "\\Archive" },
	{ MP_SPECIAL_USE_DRAFTS,    "\\Drafts" },
	{ MP_SPECIAL_USE_FLAGGED,   "\\Flagged" },
	{ MP_SPECIAL_USE_JUNK,      "\\Junk" },
	{ MP_SPECIAL_USE_SENT,      "\\Sent" },
	{ MP_SPECIAL_USE_TRASH,     "\\Trash" },
	{ MP_SPECIAL_USE_IMPORTANT, "\\Important" },
};

MpSpecialUse
mp_special_use_from_attribute (const char *attribute)
{
	if (attribute == NULL)
		return MP_SPECIAL_USE_NONE;
	/* RFC 3501 §9: flag and attribute names are case-insensitive */
	for (guint i = 0; i < G_N_ELEMENTS (uses); i++) {
		if (g_ascii_strcasecmp (attribute, uses[i].attribute) == 0)
			return uses[i].use;
	}
	return MP_SPECIAL_USE_NONE;
}

const char *
mp_special_use_attribute (MpSpecialUse use)
{
	for (guint i = 0; i < G_N_ELEMENTS (uses); i++) {
		if (uses[i].use == use)
			return uses[i].attribute;
	}
	return NULL;
}

char *
mp_special_use_to_string (MpSpecialUse set)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < G_N_ELEMENTS (uses); i++) {
		if ((set & uses[i].use) == 0)
			continue;
		if (s->len > 0)
			g_string_append_c (s, ' ');
		g_string_append (s, uses[i].attribute);
	}
	return g_string_free (s, FALSE);
}
