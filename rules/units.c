/* units.c — sizes, durations and "did you mean" for rules files, and the
 * --as-of time the rules judge dates by. */
#include "rules.h"

#include <errno.h>
#include <string.h>

static const char *const size_units[] = { "B", "KB", "KiB", "MB", "MiB", "GB", "GiB", NULL };
static const guint size_shifts[] = { 0, 10, 10, 20, 20, 30, 30 };

/* Levenshtein distance, ASCII case-insensitive, capped at 9. */
static guint
distance (const char *a, const char *b)
{
	gsize la = strlen (a), lb = strlen (b);
	g_autofree guint *prev = NULL;
	g_autofree guint *cur = NULL;

	if (la > 64 || lb > 64)
		return 9;
	prev = g_new (guint, lb + 1);
	cur = g_new (guint, lb + 1);
	for (gsize j = 0; j <= lb; j++)
		prev[j] = (guint) j;
	for (gsize i = 1; i <= la; i++) {
		cur[0] = (guint) i;
		for (gsize j = 1; j <= lb; j++) {
			guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
			cur[j] = MIN (MIN (prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
		}
		memcpy (prev, cur, (lb + 1) * sizeof (guint));
	}
	return MIN (prev[lb], 9u);
}

const char *
mp_suggest (const char *word, const char *const *candidates)
{
	const char *best = NULL;
	guint best_d = 9;
	guint allowed = MAX (1u, (guint) strlen (word) / 3);

	for (gsize i = 0; candidates[i]; i++) {
		guint d = distance (word, candidates[i]);
		/* "MBs" -> "MB", "kb" -> "KB": a prefix also counts as close */
		if (d > 0 && g_ascii_strncasecmp (word, candidates[i], strlen (candidates[i])) == 0)
			d = MIN (d, 1u);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= allowed + 1 ? best : NULL;
}

gboolean
mp_parse_size (const char *text, guint64 *out, GError **error)
{
	g_autofree char *copy = g_strstrip (g_strdup (text));
	char *end = NULL;
	gdouble number;
	guint shift = 0;
	gboolean found = FALSE;

	if (*copy == '\0' || *copy == '-' || *copy == '+' || !g_ascii_isdigit (*copy)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is not a size: give a positive number and a unit, e.g. 17920 KB", text);
		return FALSE;
	}
	errno = 0;
	number = g_ascii_strtod (copy, &end);
	if (end == copy || errno != 0 || !(number >= 0)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is not a size: give a number and a unit, e.g. 17920 KB", text);
		return FALSE;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end == '\0') {
		found = TRUE; /* bytes */
	} else {
		for (gsize i = 0; size_units[i]; i++) {
			if (g_ascii_strcasecmp (end, size_units[i]) == 0) {
				shift = size_shifts[i];
				found = TRUE;
				break;
			}
		}
	}
	if (!found) {
		const char *hint = mp_suggest (end, size_units);
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "unknown unit '%s' in '%s'%s%s%s: use B, KB, MB or GB (powers of 1024)",
		             end, text, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
		return FALSE;
	}
	number *= (gdouble) ((guint64) 1 << shift);
	/* 1 TiB is absurd for any mail limit and keeps the cast below exact */
	if (number > (gdouble) ((guint64) 1 << 40)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is absurdly large for a mail limit", text);
		return FALSE;
	}
	if (number != (gdouble) (guint64) number) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "'%s' is not a whole number of bytes", text);
		return FALSE;
	}
	*out = (guint64) number;
	return TRUE;
}

gboolean
mp_parse_duration (const char *text, MpDuration *out, GError **error)
{
	static const char *const units[] = { "day", "days", "week", "weeks", "month", "months",
	                                     "year", "years", NULL };
	g_autofree char *copy = g_strstrip (g_strdup (text));
	g_auto(GStrv) parts = g_strsplit_set (copy, " \t", -1);
	g_autoptr(GPtrArray) words = g_ptr_array_new ();
	guint64 n;
	const char *unit;

	for (int i = 0; parts[i]; i++)
		if (*parts[i])
			g_ptr_array_add (words, parts[i]);
	if (words->len != 2 ||
	    !g_ascii_string_to_unsigned (g_ptr_array_index (words, 0), 10, 1, 1200, &n, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_RULES,
		             "'%s' is not a duration: give a number from 1 to 1200 and a unit, e.g. 6 months", text);
		return FALSE;
	}
	unit = g_ptr_array_index (words, 1);
	memset (out, 0, sizeof *out);
	if (g_ascii_strcasecmp (unit, "day") == 0 || g_ascii_strcasecmp (unit, "days") == 0)
		out->days = (gint) n;
	else if (g_ascii_strcasecmp (unit, "week") == 0 || g_ascii_strcasecmp (unit, "weeks") == 0)
		out->days = (gint) n * 7;
	else if (g_ascii_strcasecmp (unit, "month") == 0 || g_ascii_strcasecmp (unit, "months") == 0)
		out->months = (gint) n;
	else if (g_ascii_strcasecmp (unit, "year") == 0 || g_ascii_strcasecmp (unit, "years") == 0)
		out->months = (gint) n * 12;
	else {
		const char *hint = mp_suggest (unit, units);
		g_set_error (error, MP_ERROR, MP_ERROR_RULES, "unknown duration unit '%s' in '%s'%s%s%s: use days, weeks, months or years",
		             unit, text, hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_parse_as_of (const char *text, gint64 *out, GError **error)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (text, utc);

	/* GLib wants a time; a date alone is the usual way to say a day */
	if (t == NULL) {
		g_autofree char *with_time = g_strdup_printf ("%sT00:00:00Z", text);
		t = g_date_time_new_from_iso8601 (with_time, utc);
	}
	if (t == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "'%s' is not an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)", text);
		return FALSE;
	}
	*out = g_date_time_to_unix (t);
	return TRUE;
}

char *
mp_format_size (guint64 bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	gdouble v = (gdouble) bytes;
	gsize u = 0;

	while (v >= 1024.0 && u + 1 < G_N_ELEMENTS (units)) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		return g_strdup_printf ("%" G_GUINT64_FORMAT " B", bytes);
	/* one decimal, rounded down: 17.99 MB shows as 17.9, never as the limit */
	return g_strdup_printf ("%.1f %s", (gdouble) (guint64) (v * 10.0) / 10.0, units[u]);
}

char *
mp_format_duration (const MpDuration *d)
{
	if (d->months && d->months % 12 == 0)
		return g_strdup_printf ("%d year%s", d->months / 12, d->months == 12 ? "" : "s");
	if (d->months)
		return g_strdup_printf ("%d month%s", d->months, d->months == 1 ? "" : "s");
	return g_strdup_printf ("%d day%s", d->days, d->days == 1 ? "" : "s");
}
