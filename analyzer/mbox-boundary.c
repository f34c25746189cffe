#include "mbox-boundary.h"
#include "octets-lf.h"

#include <string.h>

/* Can a line starting with C be no From_ line, no quoted From line and not
 * empty? Then only its size and length matter. */
static inline gboolean
ordinary_start (char c)
{
	return c != '>' && c != 'F' && c != '\n' && c != '\r';
}

/* What the first bytes of a line say about it. */
typedef enum {
	PREFIX_QUOTES,     /* reading leading '>' characters */
	PREFIX_FROM,       /* matching "From " after them */
	PREFIX_DONE,       /* decided: see line_kind */
} PrefixState;

typedef enum {
	LINE_OTHER,
	LINE_FROM,         /* ^From  */
	LINE_QUOTED_FROM,  /* ^>+From  */
} LineKind;

static const char from_tag[] = "From ";
#define FROM_TAG_LEN 5

struct _MpMboxBoundaries {
	MpMboxRangeFunc on_range;
	MpMboxJunkFunc  on_junk;
	gpointer        user_data;

	guint64 offset;         /* file offset of the next byte */
	char    last_byte;      /* the byte before offset (for CR before LF) */

	/* the line being read */
	guint64     line_start;
	guint64     line_len;
	PrefixState prefix;
	guint       prefix_matched; /* bytes of "From " matched */
	guint64     quotes;
	LineKind    line_kind;
	gboolean    line_boundary;  /* a From_ line that starts a message */
	gboolean    prev_empty;     /* the previous line was empty */

	/* the message being read */
	gboolean    in_message;
	MpMboxRange cur;
	char        from_text[MP_MBOX_FROM_LINE_MAX + 1]; /* the message's From_ line */
	gsize       from_text_len;
	/* the From_ line being read: kept apart, the message before it is
	 * emitted (with its own From_ line) only when this line ends */
	char        line_from_text[MP_MBOX_FROM_LINE_MAX];
	gsize       line_from_len;
	gboolean    have_pending_empty; /* an empty line that may be the separator */
	guint64     pending_start;
	guint64     pending_len;
	guint64     pending_size;

	MpMboxCoverage cov;
	gboolean finished;
};

MpMboxBoundaries *
mp_mbox_boundaries_new (MpMboxRangeFunc on_range, MpMboxJunkFunc on_junk, gpointer user_data)
{
	MpMboxBoundaries *s = g_new0 (MpMboxBoundaries, 1);

	s->on_range = on_range;
	s->on_junk = on_junk;
	s->user_data = user_data;
	s->prev_empty = TRUE; /* the start of the file counts as "after an empty line" */
	return s;
}

void
mp_mbox_boundaries_free (MpMboxBoundaries *s)
{
	g_free (s);
}

static void
emit_message (MpMboxBoundaries *s, guint64 end)
{
	s->cur.end = end;
	s->from_text[s->from_text_len] = '\0';
	s->cur.from_line = s->from_text;
	s->cov.messages += s->cur.end - s->cur.start;
	s->cov.count++;
	if (s->on_range)
		s->on_range (&s->cur, s->user_data);
	s->in_message = FALSE;
}

static void
emit_junk (MpMboxBoundaries *s, guint64 end)
{
	if (end == 0)
		return;
	s->cov.junk = end;
	if (s->on_junk)
		s->on_junk (0, end, s->user_data);
}

/* Ends the current message at the start of the line being read, or at the
 * empty line before it, which is then the separator and not counted. */
static void
close_message (MpMboxBoundaries *s)
{
	guint64 end = s->line_start;

	if (s->have_pending_empty) {
		end = s->pending_start;
		s->cov.separators += s->pending_len;
	}
	emit_message (s, end);
}

/* A whole line has been read: [line_start, line_start + line_len), ending
 * with a LF when TERMINATED, with a CR before it when CR; EMPTY says it is
 * "\n" or "\r\n". Its size and length are counted as octets-lf.h says. */
static void
end_line (MpMboxBoundaries *s, gboolean empty, gboolean terminated, gboolean cr)
{
	guint64 size = mp_octets_line_size (s->line_len, terminated, cr);

	if (s->line_boundary) {
		if (s->in_message)
			close_message (s); /* the empty line before this From_ line is the separator */
		else
			emit_junk (s, s->line_start);
		s->have_pending_empty = FALSE;
		s->in_message = TRUE;
		memset (&s->cur, 0, sizeof s->cur);
		s->cur.from_offset = s->line_start;
		s->cur.start = s->line_start + s->line_len;
		s->cov.from_lines += s->line_len;
		memcpy (s->from_text, s->line_from_text, s->line_from_len);
		s->from_text_len = s->line_from_len;
	} else if (s->in_message) {
		if (s->have_pending_empty) {
			/* not followed by a From_ line: it was part of the message */
			s->cur.size += s->pending_size;
			s->have_pending_empty = FALSE;
		}
		if (empty) {
			s->have_pending_empty = TRUE;
			s->pending_start = s->line_start;
			s->pending_len = s->line_len;
			s->pending_size = size;
		} else {
			guint64 content = mp_octets_line_length (s->line_len, terminated, cr);
			if (s->line_kind == LINE_QUOTED_FROM)
				content--; /* unescaped: its quoting '>' is not mail */
			if (content > s->cur.max_line)
				s->cur.max_line = content;
			s->cur.size += size;
			if (s->line_kind == LINE_FROM)
				s->cur.inner_from_lines++;
			if (s->line_kind == LINE_QUOTED_FROM) {
				/* one '>' removed: restores mboxrd and mboxo quoting */
				s->cur.size -= 1;
				s->cur.quoted_from_lines++;
			}
		}
		s->cur.last_line_unterminated = !terminated;
	}
	s->prev_empty = empty;

	/* reset for the next line */
	s->line_start += s->line_len;
	s->line_len = 0;
	s->prefix = PREFIX_QUOTES;
	s->prefix_matched = 0;
	s->quotes = 0;
	s->line_kind = LINE_OTHER;
	s->line_boundary = FALSE;
}

static void
decide_prefix (MpMboxBoundaries *s, LineKind kind)
{
	s->prefix = PREFIX_DONE;
	s->line_kind = kind;
	if (kind == LINE_FROM && s->prev_empty) {
		s->line_boundary = TRUE;
		memcpy (s->line_from_text, from_tag, FROM_TAG_LEN);
		s->line_from_len = FROM_TAG_LEN;
	}
}

/* Looks at one byte at the start of a line (before the prefix is decided). */
static void
prefix_byte (MpMboxBoundaries *s, char c)
{
	if (s->prefix == PREFIX_QUOTES) {
		if (c == '>') {
			s->quotes++;
			return;
		}
		s->prefix = PREFIX_FROM;
	}
	if (c == from_tag[s->prefix_matched]) {
		if (++s->prefix_matched == FROM_TAG_LEN)
			decide_prefix (s, s->quotes ? LINE_QUOTED_FROM : LINE_FROM);
	} else {
		decide_prefix (s, LINE_OTHER);
	}
}

static void
capture_from_text (MpMboxBoundaries *s, const char *p, gsize n)
{
	gsize room = MP_MBOX_FROM_LINE_MAX - s->line_from_len;

	if (n > room)
		n = room;
	memcpy (s->line_from_text + s->line_from_len, p, n);
	s->line_from_len += n;
}

void
mp_mbox_boundaries_feed (MpMboxBoundaries *s, const char *buf, gsize len)
{
	const char *p = buf;
	const char *end = buf + len;

	g_return_if_fail (!s->finished);

	while (p < end) {
		const char *lf;
		gsize n;

		/* Fast path: whole ordinary lines (most of any mbox). A line that
		 * starts with neither '>', 'F', CR nor LF can be no From_ line, no
		 * quoted From line and not empty: only its size and length count.
		 * Does exactly what the general path below does for each such
		 * line, summed over the run (octets-lf.h finds the line ends and
		 * counts them). */
		if (s->line_len == 0 && s->prefix == PREFIX_QUOTES && p < end && ordinary_start (*p)) {
			MpLfScan scan;
			MpLineTally tally = { 0, 0 };
			const char *line = p;

			mp_lf_scan_init (&scan, p, end);
			while ((lf = mp_lf_scan_next (&scan)) != NULL) {
				/* an ordinary line has at least one byte before its LF */
				mp_line_tally_add (&tally, line, lf);
				line = lf + 1;
				if (line == end || !ordinary_start (*line))
					break;
			}
			if (line > p) {
				if (s->in_message) {
					if (s->have_pending_empty) {
						s->cur.size += s->pending_size;
						s->have_pending_empty = FALSE;
					}
					if (tally.max_line > s->cur.max_line)
						s->cur.max_line = tally.max_line;
					s->cur.size += mp_line_tally_size (&tally, (guint64) (line - p));
					s->cur.last_line_unterminated = FALSE;
				}
				s->prev_empty = FALSE;
				s->line_start += (guint64) (line - p);
				s->last_byte = '\n';
				p = line;
			}
		}
		if (p == end)
			break;

		/* the first bytes of a line, one at a time, until decided */
		while (s->prefix != PREFIX_DONE && p < end && *p != '\n') {
			prefix_byte (s, *p);
			s->last_byte = *p++;
			s->line_len++;
		}
		if (p == end)
			break;

		lf = memchr (p, '\n', (size_t) (end - p));
		n = (lf ? (gsize) (lf - p) : (gsize) (end - p));
		if (s->line_boundary && n > 0)
			capture_from_text (s, p, n);
		if (n > 0)
			s->last_byte = p[n - 1];
		s->line_len += n;
		p += n;
		if (lf) {
			gboolean cr = (s->last_byte == '\r' && s->line_len > 0);
			gboolean empty;

			s->line_len++; /* the LF */
			empty = (s->line_len == 1 || (s->line_len == 2 && cr));
			/* drop the CR of a CRLF From_ line kept whole */
			if (s->line_boundary && cr && s->line_from_len == s->line_len - 1)
				s->line_from_len--;
			s->last_byte = '\n';
			p++;
			end_line (s, empty, TRUE, cr);
		}
	}
	s->offset += len;
	s->cov.total += len;
}

void
mp_mbox_boundaries_finish (MpMboxBoundaries *s)
{
	g_return_if_fail (!s->finished);

	if (s->line_len > 0) {
		/* a last line without newline is counted as it is */
		if (s->prefix != PREFIX_DONE)
			decide_prefix (s, LINE_OTHER); /* "From" cut short is no From_ line */
		end_line (s, FALSE, FALSE, FALSE);
	}
	if (s->in_message)
		close_message (s); /* a final empty line is the separator too */
	else
		emit_junk (s, s->offset);
	s->finished = TRUE;
}

void
mp_mbox_boundaries_coverage (const MpMboxBoundaries *s, MpMboxCoverage *out)
{
	*out = s->cov;
}

/* Q indexes BUF (file offset BASE) at a line start: is the line before it
 * empty ("\n" or "\r\n"), or is Q the start of the file? end_line()'s
 * "empty" and the initial prev_empty, from the bytes alone. */
static gboolean
after_empty_line (const char *buf, guint64 base, gsize q)
{
	guint64 at = base + q;

	if (at == 0 || at == 1)
		return TRUE; /* the start of the file, or after a "\n" there */
	if (buf[q - 2] == '\n')
		return TRUE;
	return buf[q - 2] == '\r' && (at == 2 || buf[q - 3] == '\n');
}

static gboolean
starts_message (const char *buf, gsize len, guint64 base, gsize q)
{
	return q + FROM_TAG_LEN <= len && memcmp (buf + q, from_tag, FROM_TAG_LEN) == 0 &&
	       after_empty_line (buf, base, q);
}

/* BUF holds the file bytes [BASE, BASE + LEN). The first offset >= FROM
 * where a message starts and whose "From " lies wholly in BUF, or
 * G_MAXUINT64 when there is none. BUF begins at least 3 bytes before FROM
 * (or at the start of the file) so the line before can be seen. */
static guint64
find_message_start (const char *buf, gsize len, guint64 base, guint64 from)
{
	gsize q;
	MpLfScan scan;
	const char *lf;

	g_return_val_if_fail (from >= base && (base == 0 || from - base >= 3), G_MAXUINT64);
	q = (gsize) (from - base);
	if (q >= len)
		return G_MAXUINT64;
	if ((base + q == 0 || buf[q - 1] == '\n') && starts_message (buf, len, base, q))
		return base + q;
	mp_lf_scan_init (&scan, buf + q, buf + len);
	while ((lf = mp_lf_scan_next (&scan)) != NULL) {
		gsize s = (gsize) (lf - buf) + 1;

		if (s + FROM_TAG_LEN > len)
			break;
		if (buf[s] == 'F' && starts_message (buf, len, base, s))
			return base + s;
	}
	return G_MAXUINT64;
}

guint64
mp_mbox_next_message_start (MpMboxReadFunc read, gpointer user_data, guint64 from, guint64 size,
                            char *buf, gsize window)
{
	g_return_val_if_fail (window >= 16, size);

	while (from < size) {
		/* three bytes before FROM show whether the line before is empty */
		guint64 base = from >= 3 ? from - 3 : 0;
		gsize want = (gsize) MIN ((guint64) window, size - base);
		gssize n = read (user_data, buf, want, base);
		guint64 at;

		if (n <= 0 || (guint64) n <= from - base)
			return size;
		at = find_message_start (buf, (gsize) n, base, from);
		if (at != G_MAXUINT64)
			return at;
		if ((gsize) n < want || base + (guint64) n >= size)
			return size;
		/* a "From " cut by the window's end is looked at again */
		from = base + (guint64) n - (FROM_TAG_LEN - 1);
	}
	return size;
}
