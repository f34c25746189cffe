/* test-imap-date.c — IMAP's date-time (analyzer/imap/imap-date.c, RFC 3501
 * §9), the INTERNALDATE an IMAP source falls back on when a message has no
 * valid Date: header. Table-driven: what servers send, and what is not a
 * date-time. */
#include "imap-date.h"
#include "imap-date-reference.h"

#include <string.h>

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
		/* RFC 3501's zone only: no zone names, which GLib would look up
		 * as files under its zoneinfo directory */
		"17-Jul-1996 02:44:25 UTC", "17-Jul-1996 02:44:25 Europe/Paris", "17-Jul-1996 02:44:25 +00000",
		"17-Jul-1996 02:44:25 0000", "17-Jul-1996 02:44:25 +00:00",
	};
	g_assert_null (mp_imap_date_time_parse (NULL));
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GDateTime) dt = mp_imap_date_time_parse (cases[i]);
		g_test_message ("'%s'", cases[i]);
		g_assert_null (dt);
	}
}

/* Whether S (stripped) ends in " +hhmm" or " -hhmm": RFC 3501's zone. */
static gboolean
rfc_zone (const char *s)
{
	g_autofree char *t = g_strstrip (g_strdup (s));
	gsize n = strlen (t);

	return n >= 6 && t[n - 6] == ' ' && (t[n - 5] == '+' || t[n - 5] == '-') && g_ascii_isdigit (t[n - 4]) &&
	       g_ascii_isdigit (t[n - 3]) && g_ascii_isdigit (t[n - 2]) && g_ascii_isdigit (t[n - 1]);
}

/* The scanning reader against GLib's splitting (imap-date-reference.h) on
 * 200,000 mutations of date-times: the same answer wherever the zone is
 * RFC 3501's, and none elsewhere. */
static void
test_reference (void)
{
	static const char *const seeds[] = {
		"17-Jul-1996 02:44:25 -0700", " 7-Jul-1996 02:44:25 +0000", "31-Dec-2016 23:59:60 +0000",
		"29-Feb-2024 12:00:00 +1400", "29-Feb-2023 12:00:00 -1200", "01-jan-1900 00:00:00 +2459",
	};
	static const char alphabet[] = " -:+0123456789JjaNnuUlLxX\t/";
	g_autoptr(GRand) rand = g_rand_new_with_seed (14);
	guint agreed = 0;

	for (guint i = 0; i < 200000; i++) {
		char buf[64];
		gsize len;
		g_strlcpy (buf, seeds[g_rand_int_range (rand, 0, G_N_ELEMENTS (seeds))], sizeof buf);
		for (gint k = g_rand_int_range (rand, 0, 4); k > 0; k--) {
			len = strlen (buf);
			gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) len + 1);
			char c = alphabet[g_rand_int_range (rand, 0, (gint32) sizeof alphabet - 1)];
			switch (g_rand_int_range (rand, 0, 3)) {
			case 0: /* replace */
				if (at < len)
					buf[at] = c;
				break;
			case 1: /* insert */
				if (len + 1 < sizeof buf) {
					memmove (buf + at + 1, buf + at, len - at + 1);
					buf[at] = c;
				}
				break;
			default: /* delete */
				if (at < len)
					memmove (buf + at, buf + at + 1, len - at);
			}
		}
		g_autoptr(GDateTime) ref = mp_imap_date_time_parse_reference (buf);
		g_autoptr(GDateTime) got = mp_imap_date_time_parse (buf);
		if (ref != NULL && rfc_zone (buf)) {
			if (got == NULL || !g_date_time_equal (got, ref) ||
			    g_date_time_get_utc_offset (got) != g_date_time_get_utc_offset (ref))
				g_error ("'%s': the reference reads it, the reader %s", buf, got ? "differs" : "does not");
			agreed++;
		} else if (got != NULL) {
			g_error ("'%s': the reader reads it, the reference %s", buf, ref ? "only with a zone name" : "does not");
		}
	}
	/* the mutations kept enough date-times valid to mean something */
	g_assert_cmpuint (agreed, >, 20000);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/imap-date/good", test_good);
	g_test_add_func ("/imap-date/bad", test_bad);
	g_test_add_func ("/imap-date/reference", test_reference);
	return g_test_run ();
}
