/* cut.c — see cut.h. */
#include "cut.h"
#include "item.h"

#include <string.h>

#define CHUNK (256 * 1024)
/* A header block larger than this is not cut (a scan does not parse one
 * either: mime-analyze.c's MP_MAX_HEADER_BLOCK) */
#define HEADER_MAX (8 * 1024 * 1024)
/* RFC 2046 §5.1.1 allows 70 characters of boundary; a delimiter line longer
 * than this (trailing blanks included) makes the message irregular */
#define DELIM_LINE_MAX 2048

static void
field_clear (gpointer p)
{
	g_free (((MpFixField *) p)->name);
}

void
mp_fix_cut_free (MpFixCut *cut)
{
	if (cut == NULL)
		return;
	if (cut->header)
		g_byte_array_unref (cut->header);
	if (cut->fields)
		g_array_unref (cut->fields);
	if (cut->container_header)
		g_byte_array_unref (cut->container_header);
	if (cut->container_fields)
		g_array_unref (cut->container_fields);
	if (cut->children)
		g_array_unref (cut->children);
	g_free (cut->boundary);
	g_free (cut);
}

gboolean
mp_fix_read_range (GMimeStream *stream, guint64 start, guint64 end, GByteArray *out, GError **error)
{
	char buf[65536];

	if (g_mime_stream_seek (stream, (gint64) start, GMIME_STREAM_SEEK_SET) < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read at %" G_GUINT64_FORMAT, start);
		return FALSE;
	}
	while (start < end) {
		gssize n = mp_fix_stream_read (stream, buf, (gsize) MIN ((guint64) sizeof buf, end - start));
		if (n <= 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read at %" G_GUINT64_FORMAT, start);
			return FALSE;
		}
		g_byte_array_append (out, (const guint8 *) buf, (guint) n);
		start += (guint64) n;
	}
	return TRUE;
}

GArray *
mp_fix_header_fields (const guint8 *head, gsize len)
{
	GArray *fields = g_array_new (FALSE, TRUE, sizeof (MpFixField));
	gsize pos = 0;

	g_array_set_clear_func (fields, field_clear);
	while (pos < len) {
		const guint8 *lf = memchr (head + pos, '\n', len - pos);
		gsize next = lf ? (gsize) (lf - head) + 1 : len;
		const guint8 *colon;

		if (head[pos] == '\n' || (head[pos] == '\r' && pos + 1 < len && head[pos + 1] == '\n'))
			break; /* the empty line */
		if ((head[pos] == ' ' || head[pos] == '\t') && fields->len > 0) {
			/* a continuation line belongs to the field before it */
			g_array_index (fields, MpFixField, fields->len - 1).range.end = next;
		} else {
			MpFixField f = { 0 };
			colon = memchr (head + pos, ':', next - pos);
			f.range.start = pos;
			f.range.end = next;
			f.colon = colon ? (gsize) (colon - (head + pos)) : 0;
			f.name = colon ? g_strndup ((const char *) head + pos, f.colon) : g_strdup ("");
			g_strchomp (f.name);
			g_array_append_val (fields, f);
		}
		pos = next;
	}
	return fields;
}

const MpFixField *
mp_fix_field_find (GArray *fields, const char *name)
{
	for (guint i = 0; fields && i < fields->len; i++) {
		const MpFixField *f = &g_array_index (fields, MpFixField, i);
		if (g_ascii_strcasecmp (f->name, name) == 0)
			return f;
	}
	return NULL;
}

/* The header block from START: read up to the empty line (kept), at most
 * HEADER_MAX octets. FALSE when there is no end within it. */
gboolean
mp_fix_read_header_block (GMimeStream *stream, guint64 start, guint64 end, GByteArray *out, GError **error)
{
	guint64 pos = start;

	while (pos < end && out->len <= HEADER_MAX) {
		guint64 want = MIN ((guint64) 16384, end - pos);
		gsize from = out->len;
		if (!mp_fix_read_range (stream, pos, pos + want, out, error))
			return FALSE;
		pos += want;
		/* an empty line: at the very start, or a LF followed by [CR] LF */
		for (gsize i = from > 2 ? from - 2 : 0; i < out->len; i++) {
			gsize cut = 0;
			if (i == 0 && out->data[0] == '\n')
				cut = 1;
			else if (i == 0 && out->len > 1 && out->data[0] == '\r' && out->data[1] == '\n')
				cut = 2;
			else if (out->data[i] == '\n' && i + 1 < out->len && out->data[i + 1] == '\n')
				cut = i + 2;
			else if (out->data[i] == '\n' && i + 2 < out->len && out->data[i + 1] == '\r' &&
			         out->data[i + 2] == '\n')
				cut = i + 3;
			if (cut) {
				g_byte_array_set_size (out, (guint) cut);
				return TRUE;
			}
		}
	}
	return FALSE; /* no body, or a header block too large to cut */
}

/* Lines of [START, END) of STREAM, streamed: each line start is passed with
 * up to DELIM_LINE_MAX of its first octets. */
typedef struct {
	guint64      pos;      /* of the line */
	const guint8 *text;
	gsize        len;      /* octets of the line given, line end included if within */
	gboolean     complete; /* TEXT holds the whole line */
} Line;

typedef gboolean (*LineFunc) (const Line *line, gpointer user_data);

static gboolean
each_line_start (GMimeStream *stream, guint64 start, guint64 end, LineFunc func, gpointer user_data,
                 GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new ();
	guint64 buf_pos = start; /* stream position of buf->data[0] */
	guint64 read_pos = start;
	gsize line = 0;          /* offset in buf of the current line start */

	for (;;) {
		gboolean at_end = read_pos >= end;
		const guint8 *lf;

		/* enough of the line in the buffer to judge it? */
		lf = buf->len > line ? memchr (buf->data + line, '\n', buf->len - line) : NULL;
		if (lf == NULL && buf->len - line < DELIM_LINE_MAX && !at_end) {
			guint64 want = MIN ((guint64) CHUNK, end - read_pos);
			if (line > 0) {
				/* drop what was passed */
				g_byte_array_remove_range (buf, 0, (guint) line);
				buf_pos += line;
				line = 0;
			}
			if (!mp_fix_read_range (stream, read_pos, read_pos + want, buf, error))
				return FALSE;
			read_pos += want;
			continue;
		}
		if (line >= buf->len && at_end)
			return TRUE;
		{
			Line l;
			gsize avail = buf->len - line;
			l.pos = buf_pos + line;
			l.text = buf->data + line;
			l.complete = lf != NULL || at_end;
			l.len = lf ? (gsize) (lf - l.text) + 1 : MIN (avail, (gsize) DELIM_LINE_MAX);
			if (!func (&l, user_data))
				return TRUE;
			if (lf != NULL) {
				line = (gsize) (lf - buf->data) + 1;
				continue;
			}
		}
		/* a long line: skip to its end without keeping it */
		for (;;) {
			lf = buf->len > line ? memchr (buf->data + line, '\n', buf->len - line) : NULL;
			if (lf != NULL) {
				line = (gsize) (lf - buf->data) + 1;
				break;
			}
			buf_pos += buf->len;
			g_byte_array_set_size (buf, 0);
			line = 0;
			if (read_pos >= end)
				return TRUE;
			{
				guint64 want = MIN ((guint64) CHUNK, end - read_pos);
				if (!mp_fix_read_range (stream, read_pos, read_pos + want, buf, error))
					return FALSE;
				read_pos += want;
			}
		}
	}
}

typedef struct {
	const char *boundary;
	gsize       blen;
	GArray     *delims;   /* MpFixRange of each delimiter line (line end included) */
	MpFixRange  close;
	gboolean    closed;
	const char *why;
} DelimCtx;

static gboolean
is_blank (guint8 c)
{
	return c == ' ' || c == '\t';
}

static gboolean
on_line (const Line *l, gpointer user_data)
{
	DelimCtx *d = user_data;
	gsize n = l->len, i;
	gboolean close = FALSE;

	if (n < 2 + d->blen || l->text[0] != '-' || l->text[1] != '-' ||
	    memcmp (l->text + 2, d->boundary, d->blen) != 0)
		return TRUE;
	if (!l->complete) {
		d->why = "a delimiter line is too long";
		return FALSE;
	}
	i = 2 + d->blen;
	if (i + 1 < n && l->text[i] == '-' && l->text[i + 1] == '-') {
		close = TRUE;
		i += 2;
	}
	while (i < n && is_blank (l->text[i]))
		i++;
	if (i < n && l->text[i] == '\r')
		i++;
	if (i < n && l->text[i] == '\n')
		i++;
	if (i != n)
		return TRUE; /* "--boundaryX": another boundary's line, not ours */
	if (close) {
		d->close.start = l->pos;
		d->close.end = l->pos + n;
		d->closed = TRUE;
		return FALSE; /* the rest is the epilogue */
	}
	{
		MpFixRange r = { l->pos, l->pos + n };
		g_array_append_val (d->delims, r);
	}
	return TRUE;
}

/* The line end just before POS (the one a delimiter line takes with it). */
static gsize
eol_before (GMimeStream *stream, guint64 pos, guint64 floor)
{
	guint8 t[2];
	gsize n = (gsize) MIN ((guint64) 2, pos - floor);
	g_autoptr(GByteArray) b = g_byte_array_new ();

	if (n == 0 || !mp_fix_read_range (stream, pos - n, pos, b, NULL))
		return 0;
	memcpy (t, b->data, n);
	if (n == 2 && t[0] == '\r' && t[1] == '\n')
		return 2;
	return t[n - 1] == '\n' ? 1 : 0;
}

/* Cuts the body [START, END) of a multipart with BOUNDARY into CUT. */
static gboolean
cut_body (MpFixCut *cut, guint64 start, guint64 end, GError **error)
{
	DelimCtx d = { cut->boundary, strlen (cut->boundary), g_array_new (FALSE, FALSE, sizeof (MpFixRange)),
	               { 0, 0 }, FALSE, NULL };
	gboolean ok = each_line_start (cut->stream, start, end, on_line, &d, error);

	if (!ok) {
		g_array_unref (d.delims);
		return FALSE;
	}
	if (d.why == NULL && d.delims->len == 0)
		d.why = "the multipart has no delimiter";
	if (d.why == NULL && !d.closed)
		d.why = "the multipart has no closing delimiter";
	if (d.why != NULL) {
		cut->why = d.why;
		g_array_unref (d.delims);
		return TRUE;
	}
	cut->preamble.start = start;
	cut->preamble.end = g_array_index (d.delims, MpFixRange, 0).start;
	cut->children = g_array_new (FALSE, FALSE, sizeof (MpFixRange));
	for (guint i = 0; i < d.delims->len; i++) {
		MpFixRange r;
		guint64 next = i + 1 < d.delims->len ? g_array_index (d.delims, MpFixRange, i + 1).start : d.close.start;
		gsize eol;
		r.start = g_array_index (d.delims, MpFixRange, i).end;
		eol = eol_before (cut->stream, next, r.start);
		if (next < r.start + eol || next - eol <= r.start) {
			cut->why = "a body part is empty";
			g_array_unref (d.delims);
			return TRUE;
		}
		r.end = next - eol;
		g_array_append_val (cut->children, r);
	}
	cut->close = d.close;
	cut->epilogue.start = d.close.end;
	cut->epilogue.end = end;
	g_array_unref (d.delims);
	return TRUE;
}

static gboolean
is_type (GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type (obj);

	return ct != NULL && g_mime_content_type_is_type (ct, type, subtype);
}

/* GMime's tree and the ranges agree: as many children, and each leaf's
 * content (its persisted stream window) inside its range. */
static gboolean
agrees_with_gmime (MpFixCut *cut, GMimeMultipart *mp)
{
	if ((guint) g_mime_multipart_get_count (mp) != cut->children->len)
		return FALSE;
	for (guint i = 0; i < cut->children->len; i++) {
		GMimeObject *child = g_mime_multipart_get_part (mp, (int) i);
		const MpFixRange *r = &g_array_index (cut->children, MpFixRange, i);
		GMimeDataWrapper *w;
		GMimeStream *s;

		if (!GMIME_IS_PART (child))
			continue;
		w = g_mime_part_get_content (GMIME_PART (child));
		s = w ? g_mime_data_wrapper_get_stream (w) : NULL;
		if (s == NULL || s->bound_start < 0)
			continue;
		if ((guint64) s->bound_start < r->start || (s->bound_end >= 0 && (guint64) s->bound_end > r->end))
			return FALSE;
	}
	return TRUE;
}

MpFixCut *
mp_fix_cut_new (GMimeStream *stream, GMimeMessage *msg, gboolean unwrap_signed, GError **error)
{
	g_autoptr(MpFixCut) cut = g_new0 (MpFixCut, 1);
	GMimeObject *top = g_mime_message_get_mime_part (msg);
	guint64 body_start, body_end;
	const char *boundary;

	cut->stream = stream;
	cut->base = (guint64) MAX (stream->bound_start, 0);
	{
		gint64 len = g_mime_stream_length (stream);
		if (len < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be measured");
			return NULL;
		}
		cut->end = cut->base + (guint64) len;
	}
	cut->header = g_byte_array_new ();
	if (!mp_fix_read_header_block (stream, cut->base, cut->end, cut->header, error)) {
		if (error && *error)
			return NULL;
		cut->why = "the header block has no end (or is over 8 MB)";
		cut->fields = g_array_new (FALSE, TRUE, sizeof (MpFixField));
		return g_steal_pointer (&cut);
	}
	cut->header_end = cut->base + cut->header->len;
	cut->fields = mp_fix_header_fields (cut->header->data, cut->header->len);
	cut->eol = "\n";
	{
		const guint8 *lf = memchr (cut->header->data, '\n', cut->header->len);
		if (lf != NULL && lf > cut->header->data && lf[-1] == '\r')
			cut->eol = "\r\n";
	}
	if (top == NULL || !GMIME_IS_MULTIPART (top)) {
		cut->why = "the message has no multipart body";
		return g_steal_pointer (&cut);
	}
	body_start = cut->header_end;
	body_end = cut->end;
	if (is_type (top, "multipart", "signed") && unwrap_signed &&
	    g_mime_multipart_get_count (GMIME_MULTIPART (top)) >= 1 &&
	    is_type (g_mime_multipart_get_part (GMIME_MULTIPART (top), 0), "multipart", "mixed")) {
		/* the signed content is the container: find its range first */
		MpFixRange first;

		boundary = g_mime_object_get_content_type_parameter (top, "boundary");
		if (boundary == NULL || *boundary == '\0') {
			cut->why = "the signed multipart has no boundary";
			return g_steal_pointer (&cut);
		}
		cut->boundary = g_strdup (boundary);
		if (!cut_body (cut, body_start, body_end, error))
			return NULL;
		if (cut->why != NULL)
			return g_steal_pointer (&cut);
		if (!agrees_with_gmime (cut, GMIME_MULTIPART (top))) {
			cut->why = "GMime reads the signed multipart differently";
			return g_steal_pointer (&cut);
		}
		first = g_array_index (cut->children, MpFixRange, 0);
		g_clear_pointer (&cut->children, g_array_unref);
		g_clear_pointer (&cut->boundary, g_free);
		cut->container_header = g_byte_array_new ();
		if (!mp_fix_read_header_block (stream, first.start, first.end, cut->container_header, error)) {
			if (error && *error)
				return NULL;
			cut->why = "the signed content has no header block";
			return g_steal_pointer (&cut);
		}
		cut->container_fields = mp_fix_header_fields (cut->container_header->data, cut->container_header->len);
		cut->unwrapped = TRUE;
		top = g_mime_multipart_get_part (GMIME_MULTIPART (top), 0);
		body_start = first.start + cut->container_header->len;
		body_end = first.end;
	} else if (!is_type (top, "multipart", "mixed")) {
		cut->why = is_type (top, "multipart", "signed") ? "the message is signed"
		         : is_type (top, "multipart", "encrypted") ? "the message is encrypted"
		         : "the message's body is not multipart/mixed";
		return g_steal_pointer (&cut);
	}
	/* never g_mime_multipart_get_boundary() on parsed input: it can loop
	 * on a crafted boundary-less multipart (gmime#165, GMIME-IMAP-FACTS §5) */
	boundary = g_mime_object_get_content_type_parameter (top, "boundary");
	if (boundary == NULL || *boundary == '\0') {
		cut->why = "the multipart has no boundary";
		return g_steal_pointer (&cut);
	}
	cut->boundary = g_strdup (boundary);
	if (!cut_body (cut, body_start, body_end, error))
		return NULL;
	if (cut->why != NULL)
		return g_steal_pointer (&cut);
	if (!agrees_with_gmime (cut, GMIME_MULTIPART (top))) {
		cut->why = "GMime reads the multipart's parts differently";
		return g_steal_pointer (&cut);
	}
	cut->container = top;
	return g_steal_pointer (&cut);
}
