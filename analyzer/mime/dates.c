/* dates.c — every date mailpreflight reads or writes: the ISO 8601 form of
 * the reports, the Date: syntax checks strict importers apply, and the
 * asctime() date of an mbox From_ line. */
#include "dates.h"

#include <string.h>

#define MP_DATE_FORMAT "%Y-%m-%dT%H:%M:%S%:z"

static char *
put_2 (char *p, int v)
{
	*p++ = (char) ('0' + v / 10);
	*p++ = (char) ('0' + v % 10);
	return p;
}

char *
mp_format_date (GDateTime *dt)
{
	/* %:z gives +01:00; reports sort and compare on this string.
	 * g_date_time_format() costs about 6 K instructions (a GString, a
	 * UTF-8 check, a printf per field) and runs twice per message (the
	 * mbox producer formats the From_ line date too), so the string is
	 * put together here from the same GDateTime fields, as GLib 2.74
	 * writes them: %Y without padding, the other fields 2 digits, %:z as
	 * sign (- only for a negative offset), hours and minutes of |offset|
	 * in whole seconds, seconds dropped (gdatetime.c, format_z). Anything
	 * outside 4-digit years and 2-digit offset hours goes to GLib itself.
	 * test-dates /dates/format/like-glib compares both. */
	gint64 offset = g_date_time_get_utc_offset (dt) / G_TIME_SPAN_SECOND;
	gint64 abs_offset = offset < 0 ? -offset : offset;
	char buf[32], *p = buf;
	int year, month, day;

	g_date_time_get_ymd (dt, &year, &month, &day);
	if (year < 1000 || year > 9999 || abs_offset >= 100 * 3600)
		return g_date_time_format (dt, MP_DATE_FORMAT);
	p = put_2 (p, year / 100);
	p = put_2 (p, year % 100);
	*p++ = '-';
	p = put_2 (p, month);
	*p++ = '-';
	p = put_2 (p, day);
	*p++ = 'T';
	p = put_2 (p, g_date_time_get_hour (dt));
	*p++ = ':';
	p = put_2 (p, g_date_time_get_minute (dt));
	*p++ = ':';
	p = put_2 (p, g_date_time_get_second (dt));
	*p++ = offset < 0 ? '-' : '+';
	p = put_2 (p, (int) (abs_offset / 3600));
	*p++ = ':';
	p = put_2 (p, (int) (abs_offset / 60 % 60));
	return g_strndup (buf, (gsize) (p - buf));
}

/* The next word of a Date: value from *P: a run of octets other than
 * space, tab, CR, LF and comma (the separators g_strsplit_set() was given
 * before this was allocation-free). FALSE when there is none. */
static gboolean
next_date_word (const char **p, const char **word, gsize *len)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == ',')
		s++;
	if (*s == '\0')
		return FALSE;
	*word = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' && *s != ',')
		s++;
	*len = (gsize) (s - *word);
	*p = s;
	return TRUE;
}

static gboolean
all_digits (const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isdigit (s[i]))
			return FALSE;
	return n > 0;
}

/* What g_ascii_string_to_unsigned (S, 10, 0, MAX) accepts: digits only,
 * at least one, the value at most MAX. */
static gboolean
time_field_ok (const char *s, gsize n, guint64 max)
{
	guint64 v = 0;

	if (n == 0)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit (s[i]))
			return FALSE;
		v = v * 10 + (guint64) (s[i] - '0');
		if (v > max)
			return FALSE; /* also before it could overflow */
	}
	return TRUE;
}

/* Checks a Date: value the way strict importers do (Google DMS wants a
 * 4-digit year and a time within 00:00:00-23:59:60, TARGET-LIMITS.md [22];
 * RFC 5322 §4.3 made 2-digit years obsolete). GMime accepts both forms.
 * The first month name followed by another word decides: the word after
 * it is the year, the one after that "hh:mm" or "hh:mm:ss". Runs once per
 * message, so it allocates nothing; test-dates /dates/date-syntax compares
 * it with the g_strsplit() version it replaced. */
void
mp_date_check_syntax (MpMessage *m, const char *raw)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                      "jul", "aug", "sep", "oct", "nov", "dec" };
	static const guint64 max[] = { 23, 59, 60 };
	const char *p = raw, *w, *year, *time;
	gsize wlen, year_len, time_len;

	if (!next_date_word (&p, &w, &wlen))
		return;
	for (;;) {
		gboolean is_month = FALSE;

		if (!next_date_word (&p, &year, &year_len))
			return; /* a month must be followed by a word */
		for (gsize k = 0; k < G_N_ELEMENTS (months) && !is_month; k++)
			is_month = wlen == 3 && g_ascii_strncasecmp (w, months[k], 3) == 0;
		if (is_month)
			break;
		w = year;
		wlen = year_len;
	}
	if (all_digits (year, year_len) && year_len < 4)
		mp_message_add_problem (m, MP_PROBLEM_TWO_DIGIT_YEAR, raw);
	if (next_date_word (&p, &time, &time_len)) {
		/* "hh:mm[:ss]": split at the first three colons at most (the
		 * fourth field, if any, keeps the rest) */
		const char *q = time, *end = time + time_len;
		guint n = 0;
		gboolean bad = FALSE;

		for (;;) {
			const char *colon = n < 3 ? memchr (q, ':', (gsize) (end - q)) : NULL;
			const char *field_end = colon ? colon : end;

			if (n < 3 && !bad && !time_field_ok (q, (gsize) (field_end - q), max[n])) {
				mp_message_add_problem (m, MP_PROBLEM_INVALID_TIME, raw);
				bad = TRUE;
			}
			n++;
			if (colon == NULL)
				break;
			q = colon + 1;
		}
		if (n < 2 || n > 3)
			mp_message_add_problem (m, MP_PROBLEM_INVALID_TIME, raw);
	}
}

/* A word of a From_ line, in place. */
typedef struct {
	const char *s;
	gsize       len;
} Word;

static int
month_number (Word w)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                      "jul", "aug", "sep", "oct", "nov", "dec" };
	if (w.len != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (g_ascii_strncasecmp (w.s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* What g_ascii_string_to_unsigned (base 10, 0..MAX) accepts: one or more
 * ASCII digits and nothing else, at most MAX. */
static gboolean
parse_uint (Word w, guint64 max, guint64 *out)
{
	guint64 v = 0;

	if (w.len == 0)
		return FALSE;
	for (gsize i = 0; i < w.len; i++) {
		if (!g_ascii_isdigit (w.s[i]))
			return FALSE;
		v = v * 10 + (guint64) (w.s[i] - '0');
		if (v > max)
			return FALSE; /* MAX is small: no overflow before this */
	}
	*out = v;
	return TRUE;
}

/* Words are at most MP_MBOX_FROM_LINE_MAX / 2: a From_ line is cut there. */
#define FROM_LINE_WORDS_MAX 256

GDateTime *
mp_parse_from_line_date (const char *from_line)
{
	/* asctime() form after the envelope sender: "Www Mmm dd hh:mm:ss yyyy",
	 * some writers add a zone before or after the year. Taken as UTC when
	 * no zone is given (what mutt and Dovecot write). Runs once per mbox
	 * message on the producer thread: the words stay in place, nothing is
	 * allocated (test-dates /dates/from-line compares it with the
	 * g_strsplit() version it replaced). */
	Word words[FROM_LINE_WORDS_MAX];
	guint n = 0;
	guint64 day, year, h, mi, sec = 0;
	int month;

	for (const char *p = from_line; *p != '\0' && n < FROM_LINE_WORDS_MAX;) {
		const char *start;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		words[n].s = start;
		words[n].len = (gsize) (p - start);
		n++;
	}
	/* words: From, sender, Www, Mmm, dd, time, [zone], yyyy */
	for (guint i = 2; i + 3 < n; i++) {
		Word tm, hms[3];
		guint nhms = 0;
		const char *colon;

		if ((month = month_number (words[i])) == 0)
			continue;
		if (!parse_uint (words[i + 1], 31, &day) || day == 0)
			return NULL;
		/* hh:mm[:ss], split at the first two colons (the seconds keep any
		 * further colon, and then do not parse) */
		tm = words[i + 2];
		while (nhms < 2 && (colon = memchr (tm.s, ':', tm.len)) != NULL) {
			hms[nhms].s = tm.s;
			hms[nhms].len = (gsize) (colon - tm.s);
			nhms++;
			tm.len -= (gsize) (colon - tm.s) + 1;
			tm.s = colon + 1;
		}
		hms[nhms++] = tm;
		if (nhms < 2 || !parse_uint (hms[0], 23, &h) || !parse_uint (hms[1], 59, &mi) ||
		    (nhms == 3 && !parse_uint (hms[2], 60, &sec)))
			return NULL;
		if (!parse_uint (words[i + 3], 9999, &year) &&
		    (i + 4 >= n || !parse_uint (words[i + 4], 9999, &year))) /* "hh:mm:ss ZONE yyyy" */
			return NULL;
		if (year < 1970)
			return NULL;
		return g_date_time_new_utc ((int) year, month, (int) day, (int) h, (int) mi,
		                            (gdouble) (sec > 59 ? 59 : sec));
	}
	return NULL;
}

