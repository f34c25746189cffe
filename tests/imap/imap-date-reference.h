/* imap-date-reference.h — the reading of an INTERNALDATE that
 * analyzer/imap/imap-date.c had before it stopped splitting strings (2.6%
 * of a metadata scan's CPU went to g_strsplit): GLib's splitting and
 * number parsing, kept here as the reference test-imap-date and
 * fuzz-imap-parser compare the scanning reader with. */
#pragma once

#include <glib.h>

static inline GDateTime *
mp_imap_date_time_parse_reference (const char *s)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	g_auto(GStrv) parts = NULL;
	g_auto(GStrv) date = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	g_autofree char *copy = NULL;
	guint64 d, y;
	int month = 0;

	if (s == NULL)
		return NULL;
	copy = g_strstrip (g_strdup (s));
	parts = g_strsplit (copy, " ", -1);
	if (g_strv_length (parts) != 3)
		return NULL;
	date = g_strsplit (parts[0], "-", 3);
	if (g_strv_length (date) != 3)
		return NULL;
	for (int i = 0; i < 12; i++)
		if (g_ascii_strcasecmp (date[1], months[i]) == 0)
			month = i + 1;
	if (month == 0 || !g_ascii_string_to_unsigned (date[0], 10, 1, 31, &d, NULL) ||
	    !g_ascii_string_to_unsigned (date[2], 10, 1900, 9999, &y, NULL))
		return NULL;
	tz = g_time_zone_new_identifier (parts[2]);
	if (tz == NULL)
		return NULL;
	{
		g_auto(GStrv) hms = g_strsplit (parts[1], ":", 3);
		guint64 h, mi, sec;
		if (g_strv_length (hms) != 3 || !g_ascii_string_to_unsigned (hms[0], 10, 0, 23, &h, NULL) ||
		    !g_ascii_string_to_unsigned (hms[1], 10, 0, 59, &mi, NULL) ||
		    !g_ascii_string_to_unsigned (hms[2], 10, 0, 60, &sec, NULL))
			return NULL;
		return g_date_time_new (tz, (int) y, month, (int) d, (int) h, (int) mi, (gdouble) MIN (sec, 59));
	}
}
