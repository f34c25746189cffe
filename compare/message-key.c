/* message-key.c — see message-key.h. */
#include "message-key.h"
#include "rules.h"

#include <string.h>

/* FNV-1a, 64 bits (Fowler, Noll, Vo; the offset basis and prime of the
 * published 64-bit variant). */
#define FNV64_BASIS 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

static guint64
fnv64 (guint64 h, const void *data, gsize len)
{
	const guchar *p = data;

	for (gsize i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV64_PRIME;
	return h;
}

guint64
mp_compare_hash (const char *normalized)
{
	guint64 h = fnv64 (FNV64_BASIS, normalized, strlen (normalized));

	return h ? h : 1;
}

/* A normalized text fits a buffer of NORM_MAX octets: at most
 * MP_KEY_TEXT_MAX characters of at most 4 octets, and a NUL. The keys of a
 * whole mailbox are made in such buffers on the stack: no allocation per
 * message. */
#define NORM_MAX (MP_KEY_TEXT_MAX * 4 + 1)

/* The first MP_KEY_TEXT_MAX characters of S, made valid UTF-8, into OUT
 * (NORM_MAX octets); their length. A local read cuts a header at 2,000
 * characters and marks the cut with "…" (mime-record.c): far beyond this
 * prefix, so a cut and an uncut copy of one header agree. */
static gsize
prefix_into (const char *s, char *out)
{
	gsize bytes = strlen (s);
	g_autofree char *valid = NULL;
	const char *end;

	if (!g_utf8_validate (s, (gssize) bytes, NULL)) {
		s = valid = g_utf8_make_valid (s, (gssize) bytes);
		bytes = strlen (s);
	}
	/* the common case, valid and short, costs one scan */
	if (bytes <= MP_KEY_TEXT_MAX) {
		end = s + bytes;
	} else {
		end = s;
		for (guint i = 0; i < MP_KEY_TEXT_MAX && *end; i++)
			end = g_utf8_next_char (end);
	}
	memcpy (out, s, (gsize) (end - s));
	out[end - s] = '\0';
	return (gsize) (end - s);
}

/* The normalized Message-ID into OUT; FALSE when there is none. */
static gboolean
id_into (const char *id, char *out)
{
	char text[NORM_MAX];
	gsize n = 0;

	prefix_into (id, text);
	for (const char *p = text; *p; p++)
		if (!g_ascii_isspace (*p) && *p != '<' && *p != '>')
			out[n++] = *p;
	out[n] = '\0';
	return n > 0;
}

static void
from_into (const char *from, char *out)
{
	char text[NORM_MAX];
	gsize n = 0;
	const char *p = text;

	prefix_into (from, text);
	/* the addr-specs of "Name <a@b>, Other <c@d>" */
	while ((p = strchr (p, '<')) != NULL) {
		const char *close = strchr (p, '>');
		if (close == NULL)
			break;
		if (n)
			out[n++] = ',';
		memcpy (out + n, p + 1, (gsize) (close - p - 1));
		n += (gsize) (close - p - 1);
		p = close + 1;
	}
	if (n == 0) {
		const char *a = text, *b = text + strlen (text);
		while (a < b && g_ascii_isspace (*a))
			a++;
		while (b > a && g_ascii_isspace (b[-1]))
			b--;
		memcpy (out, a, (gsize) (b - a));
		n = (gsize) (b - a);
	}
	out[n] = '\0';
	for (gsize i = 0; i < n; i++)
		out[i] = g_ascii_tolower (out[i]);
}

static void
subject_into (const char *subject, char *out)
{
	char text[NORM_MAX];
	gsize n = 0;
	gboolean blank = FALSE;

	prefix_into (subject, text);
	for (const char *p = text; *p; p++) {
		if (g_ascii_isspace (*p)) {
			blank = TRUE;
			continue;
		}
		if (blank && n)
			out[n++] = ' ';
		blank = FALSE;
		out[n++] = *p;
	}
	out[n] = '\0';
}

char *
mp_compare_normalize_id (const char *message_id)
{
	char out[NORM_MAX];

	return message_id != NULL && id_into (message_id, out) ? g_strdup (out) : NULL;
}

char *
mp_compare_normalize_from (const char *from)
{
	char out[NORM_MAX];

	from_into (from ? from : "", out);
	return g_strdup (out);
}

char *
mp_compare_normalize_subject (const char *subject)
{
	char out[NORM_MAX];

	subject_into (subject ? subject : "", out);
	return g_strdup (out);
}

void
mp_compare_key_fill (MpCompareKey *k, const MpMessage *m)
{
	char text[NORM_MAX];

	k->flags &= ~(guint32) (MP_KEY_HAS_ID | MP_KEY_HAS_DATE);
	k->id = 0;
	if (m->message_id != NULL && id_into (m->message_id, text)) {
		k->id = mp_compare_hash (text);
		k->flags |= MP_KEY_HAS_ID;
	}
	from_into (m->from ? m->from : "", text);
	k->from = mp_compare_hash (text);
	subject_into (m->subject ? m->subject : "", text);
	k->subject = mp_compare_hash (text);
	k->date = 0;
	if (m->date_source == MP_DATE_HEADER) {
		k->date = m->date_unix;
		k->flags |= MP_KEY_HAS_DATE;
	}
	k->size = m->size;
	k->attachments = m->attachments;
}

guint64
mp_compare_key_fingerprint (const MpCompareKey *k)
{
	guint64 h = FNV64_BASIS;
	guint8 has_date = (k->flags & MP_KEY_HAS_DATE) != 0;

	h = fnv64 (h, &has_date, 1);
	if (has_date)
		h = fnv64 (h, &k->date, sizeof k->date);
	h = fnv64 (h, &k->from, sizeof k->from);
	h = fnv64 (h, &k->subject, sizeof k->subject);
	return h ? h : 1;
}

gboolean
mp_size_within (const MpSizeTolerance *t, guint64 a, guint64 b)
{
	guint64 diff = a > b ? a - b : b - a;
	guint64 big = MAX (a, b);
	/* big / 10,000 * bp without overflow for any size */
	guint64 relative = big / 10000 * t->basis_points + big % 10000 * t->basis_points / 10000;

	return diff <= MAX (t->bytes, relative);
}

guint
mp_compare_key_changes (const MpCompareKey *a, const MpCompareKey *b, const MpSizeTolerance *t)
{
	guint c = 0;

	if (!mp_size_within (t, a->size, b->size))
		c |= MP_CHANGE_SIZE;
	if (a->attachments != b->attachments)
		c |= MP_CHANGE_ATTACHMENTS;
	if ((a->flags & MP_KEY_HAS_ID) != (b->flags & MP_KEY_HAS_ID) || a->id != b->id)
		c |= MP_CHANGE_MESSAGE_ID;
	if ((a->flags & MP_KEY_HAS_DATE) != (b->flags & MP_KEY_HAS_DATE) || a->date != b->date)
		c |= MP_CHANGE_DATE;
	if (a->from != b->from)
		c |= MP_CHANGE_FROM;
	if (a->subject != b->subject)
		c |= MP_CHANGE_SUBJECT;
	return c;
}

static const char *const change_names[] = {
	"size", "attachments", "message-id", "date", "from", "subject",
};

const char *
mp_compare_change_name (guint change)
{
	for (guint i = 0; i < G_N_ELEMENTS (change_names); i++)
		if (change == 1u << i)
			return change_names[i];
	return NULL;
}

char *
mp_compare_changes_string (guint changes)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; i < G_N_ELEMENTS (change_names); i++) {
		if (changes & (1u << i)) {
			if (s->len)
				g_string_append_c (s, ';');
			g_string_append (s, change_names[i]);
		}
	}
	return g_string_free (s, FALSE);
}

/* "2%" or "2.5%" in basis points (at most 100%). */
static gboolean
parse_percent (const char *text, guint *out)
{
	g_autofree char *num = g_strndup (text, strlen (text) - 1);
	char *end = NULL;
	gdouble v;

	g_strstrip (num);
	if (*num == '\0' || *num == '-' || *num == '+')
		return FALSE;
	v = g_ascii_strtod (num, &end);
	if (end == num || *end != '\0' || !(v >= 0.0 && v <= 100.0))
		return FALSE;
	*out = (guint) (v * 100.0 + 0.5);
	return TRUE;
}

gboolean
mp_size_tolerance_parse (const char *text, MpSizeTolerance *out, GError **error)
{
	g_auto(GStrv) parts = NULL;
	gboolean have_bytes = FALSE, have_percent = FALSE;
	MpSizeTolerance t = { 0, 0 };

	if (!g_utf8_validate (text, -1, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--size-tolerance: not UTF-8 text");
		return FALSE;
	}
	parts = g_strsplit (text, ",", -1);

	for (int i = 0; parts[i]; i++) {
		g_autoptr(GError) local = NULL;
		char *p = g_strstrip (parts[i]);
		if (g_str_has_suffix (p, "%")) {
			if (have_percent || !parse_percent (p, &t.basis_points)) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
				             "--size-tolerance: '%s' is not one percentage from 0%% to 100%%", p);
				return FALSE;
			}
			have_percent = TRUE;
		} else {
			if (have_bytes || !mp_parse_size (p, &t.bytes, &local)) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
				             "--size-tolerance: '%s': %s (write a size such as '8 KB', a percentage such as "
				             "'2%%', or both: '8 KB,2%%')", p, local ? local->message : "given twice");
				return FALSE;
			}
			have_bytes = TRUE;
		}
	}
	if (!have_bytes && !have_percent) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--size-tolerance: empty");
		return FALSE;
	}
	*out = t;
	return TRUE;
}

/* 200 -> "2%", 250 -> "2.5%", 205 -> "2.05%" */
static char *
percent_text (guint bp)
{
	if (bp % 100 == 0)
		return g_strdup_printf ("%u%%", bp / 100);
	if (bp % 10 == 0)
		return g_strdup_printf ("%u.%u%%", bp / 100, bp % 100 / 10);
	return g_strdup_printf ("%u.%02u%%", bp / 100, bp % 100);
}

char *
mp_size_tolerance_string (const MpSizeTolerance *t)
{
	g_autofree char *bytes = mp_format_size (t->bytes);
	g_autofree char *pct = percent_text (t->basis_points);

	if (t->basis_points == 0)
		return t->bytes ? g_strdup (bytes) : g_strdup ("0 B (exact sizes)");
	if (t->bytes == 0)
		return g_steal_pointer (&pct);
	return g_strdup_printf ("%s or %s, whichever is larger", bytes, pct);
}
