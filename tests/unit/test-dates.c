/* test-dates.c — every date mailpreflight reads or writes
 * (analyzer/mime/dates.h, DEFINITIONS.md "Dates"): the ISO 8601 form of the
 * reports against g_date_time_format(), the Date: syntax checks and the
 * From_ line date each against the first implementation they replaced (kept
 * here as the oracle), on hand-written and generated values. */
#include "dates.h"
#include "gmime-setup.h"

#include <string.h>

/* ---- the report form ---- */

static void
test_format_date (void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-5 * 3600);
	g_autoptr(GDateTime) dt = g_date_time_new (tz, 2020, 2, 29, 23, 59, 58);
	g_autoptr(GDateTime) utc = g_date_time_new_utc (1999, 12, 31, 0, 0, 0);
	g_autofree char *s = mp_format_date (dt);
	g_autofree char *u = mp_format_date (utc);

	g_assert_cmpstr (s, ==, "2020-02-29T23:59:58-05:00");
	g_assert_cmpstr (u, ==, "1999-12-31T00:00:00+00:00");
}

/* mp_format_date() writes what g_date_time_format() writes: every offset
 * GTimeZone takes (whole minutes, and odd seconds), both signs, under one
 * hour, half and quarter hours, at years of 1 to 4 digits and random times,
 * in named zones, and for dates as GMime parses them. */
static void
check_format_date (GDateTime *dt)
{
	g_autofree char *want = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%:z");
	g_autofree char *got = mp_format_date (dt);

	g_assert_cmpstr (got, ==, want);
}

static void
test_format_date_like_glib (void)
{
	static const int years[] = { 1, 9, 10, 99, 100, 999, 1000, 1583, 1899, 1900, 1969, 1970,
	                             1999, 2000, 2024, 2038, 2106, 9998, 9999 };
	static const char *const zones[] = { "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
	                                     "Australia/Lord_Howe", "Pacific/Chatham", "Africa/Monrovia",
	                                     "America/Caracas", "Pacific/Kiritimati", "UTC" };
	static const char *const headers[] = {
		"Tue, 12 Mar 2019 10:00:00 +0100", "Tue, 12 Mar 2019 10:00:00 -0030",
		"Tue, 12 Mar 2019 10:00:00 -0000", "Tue, 12 Mar 2019 10:00:00 +0545",
		"Tue, 12 Mar 2019 10:00:00 -0930", "Tue, 12 Mar 2019 10:00:00 +1400",
		"Tue, 12 Mar 2019 10:00:00 -1200", "Tue, 12 Mar 2019 10:00:00 +2359",
		"Tue, 12 Mar 2019 10:00:00 -2359", "Tue, 12 Mar 2019 10:00:00 +9959",
		"Tue, 12 Mar 2019 10:00:00 EST", "Tue, 12 Mar 2019 10:00:00 PDT",
		"Tue, 12 Mar 2019 10:00:00 GMT", "Tue, 12 Mar 2019 10:00:00 UT",
		"12 Mar 19 10:00 +0100", "1 Jan 0001 00:00:00 +0000", "31 Dec 9999 23:59:59 -2359",
		"1 Jan 1970 00:00:00 -0001", "29 Feb 2000 12:00:60 +0000", "Tue, 12 Mar 2019 10:00:00 junk",
	};
	g_autoptr(GRand) r = g_rand_new_with_seed (4711);

	for (int offset = -24 * 3600; offset <= 24 * 3600; offset += 60) {
		g_autoptr(GTimeZone) tz = g_time_zone_new_offset (offset);
		for (gsize y = 0; y < G_N_ELEMENTS (years); y++) {
			g_autoptr(GDateTime) dt = g_date_time_new (tz, years[y], g_rand_int_range (r, 1, 13),
			                                           g_rand_int_range (r, 1, 29), g_rand_int_range (r, 0, 24),
			                                           g_rand_int_range (r, 0, 60), g_rand_double_range (r, 0, 60));
			if (dt != NULL)
				check_format_date (dt);
		}
	}
	for (int offset = -86399; offset <= 86399; offset += 1237) {
		g_autoptr(GTimeZone) tz = g_time_zone_new_offset (offset);
		g_autoptr(GDateTime) dt = g_date_time_new (tz, 2020, 6, 15, 12, 30, 45);
		check_format_date (dt);
	}
	for (gsize z = 0; z < G_N_ELEMENTS (zones); z++) {
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zones[z]);
		if (tz == NULL)
			continue;
		for (int k = 0; k < 200; k++) {
			g_autoptr(GDateTime) dt = g_date_time_new (tz, g_rand_int_range (r, 1, 10000),
			                                           g_rand_int_range (r, 1, 13), g_rand_int_range (r, 1, 29),
			                                           g_rand_int_range (r, 0, 24), g_rand_int_range (r, 0, 60), 59.999);
			if (dt != NULL)
				check_format_date (dt);
		}
	}
	for (gsize h = 0; h < G_N_ELEMENTS (headers); h++) {
		g_autoptr(GDateTime) dt = g_mime_utils_header_decode_date (headers[h]);
		if (dt != NULL)
			check_format_date (dt);
	}
}

/* ---- the Date: syntax checks ---- */

/* The Date: syntax check as it was before it stopped allocating
 * (g_strsplit_set, g_strsplit): the oracle of /dates/date-syntax. */
static void
date_syntax_oracle (MpMessage *m, const char *raw)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                      "jul", "aug", "sep", "oct", "nov", "dec" };
	g_auto(GStrv) tok = g_strsplit_set (raw, " \t\r\n,", -1);
	g_autoptr(GPtrArray) words = g_ptr_array_new ();

	for (int i = 0; tok[i]; i++)
		if (*tok[i])
			g_ptr_array_add (words, tok[i]);
	for (guint i = 0; i + 1 < words->len; i++) {
		const char *w = g_ptr_array_index (words, i);
		const char *y = g_ptr_array_index (words, i + 1);
		gboolean is_month = FALSE, digits = *y != '\0';

		for (gsize k = 0; k < G_N_ELEMENTS (months); k++)
			if (g_ascii_strcasecmp (w, months[k]) == 0)
				is_month = TRUE;
		if (!is_month)
			continue;
		for (const char *c = y; *c; c++)
			digits = digits && g_ascii_isdigit (*c);
		if (digits && strlen (y) < 4)
			mp_message_add_problem (m, MP_PROBLEM_TWO_DIGIT_YEAR, raw);
		if (i + 2 < words->len) {
			g_auto(GStrv) hms = g_strsplit (g_ptr_array_index (words, i + 2), ":", 4);
			static const guint64 max[] = { 23, 59, 60 };
			guint n = g_strv_length (hms);
			for (guint k = 0; k < n && k < 3; k++) {
				guint64 v;
				if (!g_ascii_string_to_unsigned (hms[k], 10, 0, max[k], &v, NULL)) {
					mp_message_add_problem (m, MP_PROBLEM_INVALID_TIME, raw);
					break;
				}
			}
			if (n < 2 || n > 3)
				mp_message_add_problem (m, MP_PROBLEM_INVALID_TIME, raw);
		}
		return;
	}
}

static char *
problems_joined (const MpMessage *m)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < m->problems->len; i++)
		g_string_append_printf (s, "%s|", (const char *) g_ptr_array_index (m->problems, i));
	return g_string_free (s, FALSE);
}

/* mp_date_check_syntax against the oracle on hand-written and
 * 20,000 generated Date: values (100,000 with -m slow), of words from the
 * edges: month names in any case, short and long years, good and bad
 * times, separators, junk. */
static void
test_date_syntax (void)
{
	static const char *const fixed[] = {
		"Tue, 12 Mar 2019 10:00:00 +0000", "Tue, 12 Mar 19 10:00:00 +0000",
		"12 mar 2019 25:00", "12 MAR 2019 10:61:00", "12 Mar 2019 10", "12 Mar 2019 1:2:3:4",
		"12 Mar", "Mar", "", " , ", "Mar 5", "Mar 05 ::", "Mar 1999 23:59:60",
		"Mar 1999 23:59:61", "x Mar y Apr 99 10:00", "Marc 99 10:00", "Mar 99999999999999999999 00:00",
		"Mar 2019 99999999999999999999:00", "Mar 2019 +1:00", "Mar 2019 1:-0", "Mar\t99,10:00",
	};
	static const char *const words[] = {
		"Mon", "Tue,", "12", "1", "123", "2019", "19", "Mar", "mar", "MAR", "Dec", "Mars", "ma",
		"10:00", "10:00:00", "23:59:60", "24:00", "10:60", "1:2:3:4", "10:", ":", "::", "10:00:61",
		"+0000", "-0500", "(CET)", "x", "0", "00", "007", "\xc3\xa9", "99999999999999999999",
		"10:5a", " ", ",", "\t", "\r\n", ",,", "", "Jan,", "12:30,",
	};
	GRand *rand = g_rand_new_with_seed (1126);
	guint checked = 0, with_problems = 0;
	guint rounds = g_test_slow () ? 100000 : 20000; /* 100,000 take 30 s under ASan */

	for (guint i = 0; i < G_N_ELEMENTS (fixed) + rounds; i++) {
		g_autoptr(GString) v = g_string_new (NULL);
		g_autoptr(MpMessage) a = mp_message_new ();
		g_autoptr(MpMessage) b = mp_message_new ();
		g_autofree char *pa = NULL, *pb = NULL;

		if (i < G_N_ELEMENTS (fixed)) {
			g_string_append (v, fixed[i]);
		} else {
			guint n = (guint) g_rand_int_range (rand, 0, 8);
			for (guint k = 0; k < n; k++) {
				if (k > 0)
					g_string_append_c (v, " ,\t"[g_rand_int_range (rand, 0, 3)]);
				g_string_append (v, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
			}
		}
		mp_date_check_syntax (a, v->str);
		date_syntax_oracle (b, v->str);
		pa = problems_joined (a);
		pb = problems_joined (b);
		if (g_strcmp0 (pa, pb) != 0)
			g_error ("Date \"%s\": \"%s\", oracle \"%s\"", v->str, pa, pb);
		checked++;
		with_problems += *pb != '\0';
	}
	g_rand_free (rand);
	g_test_message ("%u values, %u with problems, all as the oracle", checked, with_problems);
	g_assert_cmpuint (with_problems, >, checked / 20);
}

/* ---- the From_ line date ---- */

/* The first implementation of mp_parse_from_line_date (g_strsplit and
 * g_ascii_string_to_unsigned), kept as the oracle for the allocation-free
 * one: both must agree on every line. */
static GDateTime *
reference_from_line_date (const char *from_line)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                      "jul", "aug", "sep", "oct", "nov", "dec" };
	g_auto(GStrv) tok = g_strsplit_set (from_line, " \t", -1);
	g_autoptr(GPtrArray) words = g_ptr_array_new ();
	guint64 day, year, h, mi, sec = 0;

	for (int i = 0; tok[i]; i++)
		if (*tok[i])
			g_ptr_array_add (words, tok[i]);
	for (guint i = 2; i + 3 < words->len; i++) {
		const char *mon = g_ptr_array_index (words, i);
		g_auto(GStrv) hms = NULL;
		const char *yr;
		int month = 0;

		for (int k = 0; k < 12; k++)
			if (g_ascii_strncasecmp (mon, months[k], 3) == 0 && strlen (mon) == 3)
				month = k + 1;
		if (month == 0)
			continue;
		if (!g_ascii_string_to_unsigned (g_ptr_array_index (words, i + 1), 10, 0, 31, &day, NULL) || day == 0)
			return NULL;
		hms = g_strsplit (g_ptr_array_index (words, i + 2), ":", 3);
		if (g_strv_length (hms) < 2 || !g_ascii_string_to_unsigned (hms[0], 10, 0, 23, &h, NULL) ||
		    !g_ascii_string_to_unsigned (hms[1], 10, 0, 59, &mi, NULL) ||
		    (hms[2] && !g_ascii_string_to_unsigned (hms[2], 10, 0, 60, &sec, NULL)))
			return NULL;
		yr = g_ptr_array_index (words, i + 3);
		if (!g_ascii_string_to_unsigned (yr, 10, 0, 9999, &year, NULL) && i + 4 < words->len)
			yr = g_ptr_array_index (words, i + 4);
		if (!g_ascii_string_to_unsigned (yr, 10, 0, 9999, &year, NULL) || year < 1970)
			return NULL;
		return g_date_time_new_utc ((int) year, month, (int) day, (int) h, (int) mi,
		                            (gdouble) (sec > 59 ? 59 : sec));
	}
	return NULL;
}

static char *
date_or_null (GDateTime *dt)
{
	char *s = dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : g_strdup ("(none)");

	if (dt)
		g_date_time_unref (dt);
	return s;
}

static void
check_from_line (const char *line, const char *expected)
{
	g_autofree char *got = date_or_null (mp_parse_from_line_date (line));
	g_autofree char *ref = date_or_null (reference_from_line_date (line));

	g_test_message ("%s -> %s", line, got);
	g_assert_cmpstr (got, ==, ref);
	if (expected != NULL)
		g_assert_cmpstr (got, ==, expected);
}

static void
test_from_line_date (void)
{
	static const struct { const char *line, *expected; } cases[] = {
		{ "From alice@example.org Tue Mar 12 10:00:00 2019", "2019-03-12T10:00:00" },
		{ "From alice@example.org  Tue\tMar  2 09:05:07 2019", "2019-03-02T09:05:07" },
		{ "From MAILER-DAEMON Fri Jul  8 12:08:34 2011 +0200", "2011-07-08T12:08:34" },
		{ "From a@b Fri Jul 8 12:08:34 MET 2011", "2011-07-08T12:08:34" },
		{ "From a@b Fri JUL 8 12:08 2011", "2011-07-08T12:08:00" },
		{ "From a@b Fri Jul 8 23:59:60 2016", "2016-07-08T23:59:59" },
		{ "From a@b Fri Jul 08 007:08:09 2011", "2011-07-08T07:08:09" },
		{ "From a@b Fri Jul 8 24:00:00 2011", "(none)" },
		{ "From a@b Fri Jul 8 12:60:00 2011", "(none)" },
		{ "From a@b Fri Jul 8 12:08:61 2011", "(none)" },
		{ "From a@b Fri Jul 8 12:08:09:10 2011", "(none)" },
		{ "From a@b Fri Jul 8 12: 2011", "(none)" },
		{ "From a@b Fri Jul 8 12 2011", "(none)" },
		{ "From a@b Fri Jul 0 12:08:09 2011", "(none)" },
		{ "From a@b Fri Jul 32 12:08:09 2011", "(none)" },
		{ "From a@b Fri Jul +8 12:08:09 2011", "(none)" },
		{ "From a@b Fri Feb 30 12:08:09 2011", "(none)" },
		{ "From a@b Fri Jul 8 12:08:09 1969", "(none)" },
		{ "From a@b Fri Jul 8 12:08:09 10000", "(none)" },
		{ "From a@b Fri Jul 8 12:08:09", "(none)" },
		{ "From a@b Fri July 8 12:08:09 2011", "(none)" },
		{ "From jul@b Fri Jul 8 12:08:09 2011", "2011-07-08T12:08:09" },
		{ "From a@b Jul Fri Jul 8 12:08:09 2011", "(none)" },
		{ "From a@b", "(none)" },
		{ "", "(none)" },
		{ "From a@b Fri Jul 8 12:08:09 99999999999999999999999", "(none)" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
		check_from_line (cases[i].line, cases[i].expected);

	/* random lines built from the words the parser looks at */
	{
		static const char *const pieces[] = {
			"From", "a@b", "Jul", "jul", "Feb", "Fri", "8", "08", "0", "31", "32", "29", "+1",
			"12:08", "12:08:09", "1:2:3:4", "23:59:60", "24:00", ":", "12:", ":08", "2011",
			"1970", "1969", "9999", "10000", "MET", "+0200", "x", "", " ", "\t",
		};
		GRand *rand = g_rand_new_with_seed (1);

		for (int n = 0; n < 20000; n++) {
			g_autoptr(GString) line = g_string_new ("From ");
			int words = g_rand_int_range (rand, 0, 10);

			for (int w = 0; w < words; w++) {
				g_string_append (line, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
				g_string_append_c (line, g_rand_boolean (rand) ? ' ' : '\t');
			}
			{
				g_autofree char *got = date_or_null (mp_parse_from_line_date (line->str));
				g_autofree char *ref = date_or_null (reference_from_line_date (line->str));
				if (g_strcmp0 (got, ref) != 0)
					g_error ("\"%s\": %s, oracle %s", line->str, got, ref);
			}
		}
		g_rand_free (rand);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once (); /* g_mime_utils_header_decode_date in /dates/format/like-glib */
	g_test_add_func ("/dates/format", test_format_date);
	g_test_add_func ("/dates/format/like-glib", test_format_date_like_glib);
	g_test_add_func ("/dates/date-syntax", test_date_syntax);
	g_test_add_func ("/dates/from-line", test_from_line_date);
	return g_test_run ();
}
