/* imap-date.c — see imap-date.h. */
#include "imap-date.h"

#include <string.h>

/* [B, E) as a number in [MIN, MAX]: decimal digits only, at least one, as
 * g_ascii_string_to_unsigned reads a whole string (no sign, no space). */
static gboolean
number (const char *b, const char *e, guint64 min, guint64 max, guint64 *out)
{
	guint64 v = 0;

	if (b == e)
		return FALSE;
	for (; b < e; b++) {
		if (!g_ascii_isdigit (*b))
			return FALSE;
		if (v > (G_MAXUINT64 - (guint64) (*b - '0')) / 10)
			return FALSE;
		v = v * 10 + (guint64) (*b - '0');
	}
	if (v < min || v > max)
		return FALSE;
	*out = v;
	return TRUE;
}

/* The first SEP in [B, E), or E. */
static const char *
find (const char *b, const char *e, char sep)
{
	const char *p = memchr (b, sep, (gsize) (e - b));
	return p ? p : e;
}

/* Read by scanning, once per message of a scan (INTERNALDATE): no copy, no
 * split. tests/imap/imap-date-reference.h keeps the reading by GLib's
 * splitting this replaced; test-imap-date and fuzz-imap-parser hold the
 * two equal wherever the zone is RFC 3501's. */
GDateTime *
mp_imap_date_time_parse (const char *s)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	const char *b, *e, *sp1, *sp2, *d1, *d2, *c1, *c2;
	guint64 d, y, h, mi, sec;
	int month = 0;
	char zone[6];
	g_autoptr(GTimeZone) tz = NULL;

	if (s == NULL)
		return NULL;
	/* surrounding white space (g_strstrip) */
	b = s;
	while (g_ascii_isspace (*b))
		b++;
	e = b + strlen (b);
	while (e > b && g_ascii_isspace (e[-1]))
		e--;
	/* date SP time SP zone: exactly two spaces */
	sp1 = find (b, e, ' ');
	if (sp1 == e)
		return NULL;
	sp2 = find (sp1 + 1, e, ' ');
	if (sp2 == e || find (sp2 + 1, e, ' ') != e)
		return NULL;
	/* day-month-year: the year takes the rest (a third "-" fails it) */
	d1 = find (b, sp1, '-');
	if (d1 == sp1)
		return NULL;
	d2 = find (d1 + 1, sp1, '-');
	if (d2 == sp1)
		return NULL;
	if (d2 - d1 - 1 == 3)
		for (int i = 0; i < 12 && month == 0; i++)
			if (g_ascii_strncasecmp (d1 + 1, months + 3 * i, 3) == 0)
				month = i + 1;
	if (month == 0 || !number (b, d1, 1, 31, &d) || !number (d2 + 1, sp1, 1900, 9999, &y))
		return NULL;
	/* zone = ("+" / "-") 4DIGIT (RFC 3501 §9), which GLib reads as an
	 * offset. Only that: a zone name would have GLib look for a file of
	 * that name under its zoneinfo directory, at a server's word. */
	if (e - sp2 - 1 != 5 || (sp2[1] != '+' && sp2[1] != '-') || !g_ascii_isdigit (sp2[2]) ||
	    !g_ascii_isdigit (sp2[3]) || !g_ascii_isdigit (sp2[4]) || !g_ascii_isdigit (sp2[5]))
		return NULL;
	memcpy (zone, sp2 + 1, 5);
	zone[5] = '\0';
	tz = g_time_zone_new_identifier (zone);
	if (tz == NULL)
		return NULL;
	/* hh:mm:ss, the seconds taking the rest */
	c1 = find (sp1 + 1, sp2, ':');
	if (c1 == sp2)
		return NULL;
	c2 = find (c1 + 1, sp2, ':');
	if (c2 == sp2 || !number (sp1 + 1, c1, 0, 23, &h) || !number (c1 + 1, c2, 0, 59, &mi) ||
	    !number (c2 + 1, sp2, 0, 60, &sec))
		return NULL;
	/* a leap second is kept in its minute */
	return g_date_time_new (tz, (int) y, month, (int) d, (int) h, (int) mi, (gdouble) MIN (sec, 59));
}
