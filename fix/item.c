/* item.c — stored messages, their envelopes, and the flags each mailbox
 * format keeps (see item.h). */
#include "item.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
mp_fix_envelope_clear (MpFixEnvelope *env)
{
	g_clear_pointer (&env->from_line, g_free);
	g_clear_pointer (&env->maildir_name, g_free);
	g_clear_pointer (&env->keywords, g_free);
}

void
mp_fix_envelope_copy (MpFixEnvelope *dst, const MpFixEnvelope *src)
{
	*dst = *src;
	dst->from_line = g_strdup (src->from_line);
	dst->maildir_name = g_strdup (src->maildir_name);
	dst->keywords = g_strdup (src->keywords);
}

void
mp_fix_item_free (MpFixItem *item)
{
	if (item == NULL)
		return;
	g_free (item->folder);
	g_free (item->locator);
	g_free (item->path);
	mp_fix_envelope_clear (&item->env);
	g_free (item);
}

/* maildir(5): "2," then the flags in ASCII order: D draft, F flagged,
 * P passed, R replied, S seen, T trashed; Dovecot adds keywords as the
 * letters a-z (mapped to names by dovecot-keywords). P has no IMAP flag and
 * is kept as it is only when a file is copied by name. */
static const struct {
	char  letter;
	guint flag;
} maildir_letters[] = {
	{ 'D', MP_FIX_DRAFT },
	{ 'F', MP_FIX_FLAGGED },
	{ 'R', MP_FIX_ANSWERED },
	{ 'S', MP_FIX_SEEN },
	{ 'T', MP_FIX_DELETED },
};

static const char *
maildir_info (const char *name)
{
	const char *info = strstr (name, ":2,");

	return info != NULL ? info : strstr (name, "!2,"); /* mu writes "!2," */
}

guint
mp_fix_flags_from_maildir_name (const char *name, gboolean in_new, char **keywords)
{
	const char *info = maildir_info (name);
	g_autoptr(GString) kw = g_string_new (NULL);
	guint flags = in_new ? MP_FIX_RECENT : 0;

	if (info != NULL) {
		for (const char *p = info + 3; *p; p++) {
			for (gsize i = 0; i < G_N_ELEMENTS (maildir_letters); i++)
				if (*p == maildir_letters[i].letter)
					flags |= maildir_letters[i].flag;
			if (*p >= 'a' && *p <= 'z' && strchr (kw->str, *p) == NULL)
				g_string_append_c (kw, *p);
		}
	}
	if (keywords != NULL)
		*keywords = kw->len ? g_string_free (g_steal_pointer (&kw), FALSE) : NULL;
	return flags;
}

char *
mp_fix_maildir_info (guint flags, const char *keywords)
{
	GString *s = g_string_new (":2,");
	char letters[32];
	gsize n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS (maildir_letters); i++)
		if (flags & maildir_letters[i].flag)
			letters[n++] = maildir_letters[i].letter;
	for (const char *k = keywords; k && *k && n < sizeof letters - 1; k++)
		if (*k >= 'a' && *k <= 'z')
			letters[n++] = *k;
	letters[n] = '\0';
	/* the upper-case letters are already in order; keywords after them */
	g_string_append (s, letters);
	return g_string_free (s, FALSE);
}

char *
mp_fix_maildir_base (const char *name)
{
	const char *info = maildir_info (name);

	return info ? g_strndup (name, (gsize) (info - name)) : g_strdup (name);
}

/* The value of header NAME in the header block [P, END), unfolded only as
 * far as the first line: enough for Status-like headers. */
static gboolean
header_value (const char *p, const char *end, const char *name, char *out, gsize outlen)
{
	gsize n = strlen (name);

	while (p < end) {
		const char *eol = memchr (p, '\n', (gsize) (end - p));
		const char *line_end = eol ? eol : end;

		if ((gsize) (line_end - p) > n && g_ascii_strncasecmp (p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			gsize len;
			while (v < line_end && (*v == ' ' || *v == '\t'))
				v++;
			len = (gsize) (line_end - v);
			while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			len = MIN (len, outlen - 1);
			memcpy (out, v, len);
			out[len] = '\0';
			return TRUE;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return FALSE;
}

guint
mp_fix_flags_from_mbox_headers (const char *header, gsize len, gboolean *any)
{
	const char *end = header + len;
	char v[64];
	guint flags = MP_FIX_RECENT;
	gboolean found = FALSE;

	/* Status: R read, O old (seen by a client: not \Recent) — mutt,
	 * UW-IMAP, Dovecot (mbox(5) of mutt, Dovecot's mbox-sync) */
	if (header_value (header, end, "Status", v, sizeof v)) {
		found = TRUE;
		if (strchr (v, 'R'))
			flags |= MP_FIX_SEEN;
		if (strchr (v, 'O') || strchr (v, 'R'))
			flags &= ~(guint) MP_FIX_RECENT;
	}
	/* X-Status: A answered, F flagged, T draft, D deleted */
	if (header_value (header, end, "X-Status", v, sizeof v)) {
		found = TRUE;
		if (strchr (v, 'A'))
			flags |= MP_FIX_ANSWERED;
		if (strchr (v, 'F'))
			flags |= MP_FIX_FLAGGED;
		if (strchr (v, 'T'))
			flags |= MP_FIX_DRAFT;
		if (strchr (v, 'D'))
			flags |= MP_FIX_DELETED;
	}
	/* Thunderbird (nsMsgMessageFlags): 0x1 read, 0x2 replied, 0x4 marked,
	 * 0x8 expunged */
	if (header_value (header, end, "X-Mozilla-Status", v, sizeof v)) {
		guint64 bits;
		if (g_ascii_string_to_unsigned (v, 16, 0, 0xffff, &bits, NULL)) {
			found = TRUE;
			if (bits & 0x1)
				flags |= MP_FIX_SEEN;
			if (bits & 0x2)
				flags |= MP_FIX_ANSWERED;
			if (bits & 0x4)
				flags |= MP_FIX_FLAGGED;
			if (bits & 0x8)
				flags |= MP_FIX_DELETED;
			flags &= ~(guint) MP_FIX_RECENT;
		}
	}
	if (!found)
		flags = 0; /* no state kept: not known to be new either */
	if (any != NULL)
		*any = found;
	return flags;
}

char *
mp_fix_mbox_status_headers (guint flags, const char *eol)
{
	GString *s = g_string_new (NULL);
	char xs[8];
	gsize n = 0;

	if (flags & MP_FIX_SEEN)
		g_string_append_printf (s, "Status: RO%s", eol);
	else if (!(flags & MP_FIX_RECENT))
		g_string_append_printf (s, "Status: O%s", eol);
	if (flags & MP_FIX_ANSWERED)
		xs[n++] = 'A';
	if (flags & MP_FIX_FLAGGED)
		xs[n++] = 'F';
	if (flags & MP_FIX_DRAFT)
		xs[n++] = 'T';
	if (flags & MP_FIX_DELETED)
		xs[n++] = 'D';
	xs[n] = '\0';
	if (n > 0)
		g_string_append_printf (s, "X-Status: %s%s", xs, eol);
	return g_string_free (s, FALSE);
}

char *
mp_fix_from_line (const char *sender, gint64 arrival)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (arrival == MP_FIX_NO_TIME ? 0 : arrival);

	if (dt == NULL)
		dt = g_date_time_new_from_unix_utc (0);
	/* asctime(): "Tue Jan  1 00:00:00 2019", in English whatever the
	 * locale (GLib's %e pads with U+2007, which no mbox reader expects) */
	return g_strdup_printf ("From %s %s %s %2d %02d:%02d:%02d %04d", sender && *sender ? sender : "MAILER-DAEMON",
	                        days[g_date_time_get_day_of_week (dt) - 1], months[g_date_time_get_month (dt) - 1],
	                        g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
	                        g_date_time_get_minute (dt), g_date_time_get_second (dt), g_date_time_get_year (dt));
}

/* ---- mbox quoting ---- */

static const char from_[] = "From ";

void
mp_fix_quoter_init (MpFixQuoter *q, gboolean quote)
{
	memset (q, 0, sizeof *q);
	q->quote = quote;
	q->line_start = TRUE;
}

/* Gives back what was withheld when the line turned out not to match. */
static void
release (MpFixQuoter *q, GByteArray *out)
{
	if (q->pending)
		g_byte_array_append (out, (const guint8 *) ">", 1);
	if (q->matched)
		g_byte_array_append (out, (const guint8 *) from_, q->matched);
	q->pending = FALSE;
	q->in_gts = FALSE;
	q->matched = 0;
}

void
mp_fix_quoter_feed (MpFixQuoter *q, const guint8 *in, gsize len, GByteArray *out)
{
	gsize i = 0;

	while (i < len) {
		guint8 c = in[i];

		if (q->line_start) {
			q->line_start = FALSE;
			if (c == '>') {
				/* unquoting withholds the first '>'; quoting only
				 * follows the run of them */
				q->pending = !q->quote;
				q->in_gts = TRUE;
				if (q->quote)
					g_byte_array_append (out, &c, 1);
				i++;
				continue;
			}
			/* quoting also matches a bare "From " line */
			q->in_gts = q->quote;
		}
		if (q->in_gts) {
			if (c == '>' && q->matched == 0) {
				g_byte_array_append (out, &c, 1);
				i++;
				continue;
			}
			if (c == (guint8) from_[q->matched]) {
				i++;
				if (++q->matched == 5) {
					/* the line matches: one '>' more, or one less */
					if (q->quote)
						g_byte_array_append (out, (const guint8 *) ">", 1);
					g_byte_array_append (out, (const guint8 *) from_, 5);
					q->pending = FALSE;
					q->in_gts = FALSE;
					q->matched = 0;
					q->changed++;
				}
				continue;
			}
			release (q, out);
			/* C is looked at again below */
		}
		{
			/* the rest of the line, up to and including its LF */
			const guint8 *lf = memchr (in + i, '\n', len - i);
			gsize n = lf ? (gsize) (lf - (in + i)) + 1 : len - i;
			g_byte_array_append (out, in + i, (guint) n);
			i += n;
			q->line_start = lf != NULL;
		}
	}
}

void
mp_fix_quoter_finish (MpFixQuoter *q, GByteArray *out)
{
	release (q, out);
}

gssize
mp_fix_stream_read (GMimeStream *stream, char *buf, gsize len)
{
	gssize n;

	if (g_mime_stream_eos (stream))
		return 0;
	n = g_mime_stream_read (stream, buf, len);
	return n < 0 && g_mime_stream_eos (stream) ? 0 : n;
}

/* ---- the canonical stream ---- */

#define CHUNK (64 * 1024)

GMimeStream *
mp_fix_item_stream (const MpFixItem *item, const char *tmpdir, GError **error)
{
	g_autoptr(GByteArray) out = NULL;
	g_autofree guint8 *buf = NULL;
	MpFixQuoter q;
	int fd, tmp = -1;

	if (item->kind != MP_FIX_STORED_MBOX || item->quoted_from_lines == 0) {
		if ((fd = dup (item->fd)) < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", item->path, g_strerror (errno));
			return NULL;
		}
		return g_mime_stream_fs_new_with_bounds (fd, (gint64) item->start, (gint64) item->end);
	}
	/* unquote: into memory, or a file nobody else sees for a big one */
	if (item->end - item->start > MP_FIX_UNQUOTE_MEM_MAX) {
		tmp = open (tmpdir ? tmpdir : g_get_tmp_dir (), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (tmp < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: temporary file: %s",
			             tmpdir ? tmpdir : g_get_tmp_dir (), g_strerror (errno));
			return NULL;
		}
	}
	buf = g_malloc (CHUNK);
	out = g_byte_array_new ();
	mp_fix_quoter_init (&q, FALSE);
	for (guint64 off = item->start; off < item->end;) {
		gsize want = (gsize) MIN ((guint64) CHUNK, item->end - off);
		gssize n = pread (item->fd, buf, want, (off_t) off);
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;
			if (n < 0 && errno == EINTR)
				continue;
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: offset %" G_GUINT64_FORMAT ": %s",
			             item->path, off, g_strerror (saved));
			if (tmp >= 0)
				close (tmp);
			return NULL;
		}
		mp_fix_quoter_feed (&q, buf, (gsize) n, out);
		off += (guint64) n;
		if (tmp >= 0 && (off >= item->end || out->len >= CHUNK)) {
			if (off >= item->end)
				mp_fix_quoter_finish (&q, out);
			for (gsize done = 0; done < out->len;) {
				gssize w = write (tmp, out->data + done, out->len - done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "temporary file: %s",
					             g_strerror (w < 0 ? errno : ENOSPC));
					close (tmp);
					return NULL;
				}
				done += (gsize) w;
			}
			g_byte_array_set_size (out, 0);
		}
	}
	if (tmp >= 0)
		return g_mime_stream_fs_new_with_bounds (tmp, 0, -1);
	mp_fix_quoter_finish (&q, out);
	return g_mime_stream_mem_new_with_byte_array (g_steal_pointer (&out));
}
