/* test-imap-date.c — IMAP's date-time (analyzer/imap/imap-date.c, RFC 3501
 * §9), the INTERNALDATE an IMAP source falls back on when a message has no
 * valid Date: header. Table-driven: what servers send, and what is not a
 * date-time. */
#include "imap-date.h"

static void
test_good (void)
{
	static const struct {
		const char *in, *iso;
	} cases[] = {
		{ "17-Jul-1996 02:44:25 -0700", "1996-07-17T02:44:25-07" },
		/* date-day-fixed: a space before a one-digit day, or none */
		{ " 7-Jul-1996 02:44:25 +0000", "1996-07-07T02:44:25Z" },
		{ "7-Jul-1996 02:44:25 +0000", "1996-07-07T02:44:25Z" },
		{ "01-jan-2024 00:00:00 +0130", "2024-01-01T00:00:00+01:30" },
		{ "  17-JUL-1996 02:44:25 -0700  ", "1996-07-17T02:44:25-07" },
		/* a leap second is kept in its minute */
		{ "31-Dec-2016 23:59:60 +0000", "2016-12-31T23:59:59Z" },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GDateTime) dt = mp_imap_date_time_parse (cases[i].in);
		g_autofree char *iso = NULL;
		g_test_message ("%s", cases[i].in);
		g_assert_nonnull (dt);
		iso = g_date_time_format_iso8601 (dt);
		g_assert_cmpstr (iso, ==, cases[i].iso);
	}
}

static void
test_bad (void)
{
	static const char *const cases[] = {
		"", "17-Jul-1996", "17-Jul-1996 02:44:25", "17-Foo-1996 02:44:25 -0700",
		"32-Jul-1996 02:44:25 -0700", "0-Jul-1996 02:44:25 -0700", "17-Jul-1899 02:44:25 -0700",
		"17-Jul-1996 24:00:00 -0700", "17-Jul-1996 02:60:00 -0700", "17-Jul-1996 02:44 -0700",
		"17-Jul-1996  02:44:25 -0700", "17/Jul/1996 02:44:25 -0700", "17-Jul-1996 02:44:25 +0000 x",
	};
	g_assert_null (mp_imap_date_time_parse (NULL));
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GDateTime) dt = mp_imap_date_time_parse (cases[i]);
		g_test_message ("'%s'", cases[i]);
		g_assert_null (dt);
	}
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/imap-date/good", test_good);
	g_test_add_func ("/imap-date/bad", test_bad);
	return g_test_run ();
}
