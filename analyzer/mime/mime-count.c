/* mime-count.c — the streaming part counter (see mime-count.h). */
#include "mime-count.h"

#include "octets.h"
#include "part-class.h"
#include "plain-field.h"

#include <string.h>

/* Octets of a line kept: enough for any header name and the start of its
 * value, and for any boundary line we match (BOUNDARY_MAX). */
#define LINE_KEEP    8192
/* Octets of a Content-Type or Content-Disposition value kept (a longer one
 * is cut: its later parameters are not seen). */
#define VALUE_MAX    (16 * 1024)
/* GMime's own nesting limit (gmime-parser.c MAX_LEVEL, GMIME-IMAP-FACTS §5). */
#define MAX_DEPTH    1024
/* RFC 2046 §5.1.1 allows 70; a longer one is followed up to this. */
#define BOUNDARY_MAX 1024

typedef enum {
	FRAME_MULTIPART,
	FRAME_MESSAGE,   /* an attached message: its body follows its headers */
} FrameKind;

typedef struct {
	FrameKind kind;
	char     *boundary;   /* FRAME_MULTIPART */
	gsize     blen;
	gboolean  is_signed, is_encrypted, is_digest;
	guint     children;   /* parts begun so far */
	guint     depth;      /* of the multipart itself */
	guint     nested;     /* attached messages around it */
} Frame;

/* The entity whose header block is being read. */
typedef struct {
	GString   *ct, *cd;       /* Content-Type, Content-Disposition values */
	gboolean   has_ct, has_cd, has_cid;
	GString   *capture;       /* ct or cd while a field is read, else NULL */
	guint      depth;
	guint      nested;
	MpPartRole role;
	gboolean   digest_child;  /* no Content-Type: message/rfc822 (RFC 2046 §5.1.5) */
	gboolean   top;           /* the message's own header block */
} Entity;

typedef struct {
	guint64 start, end;
	guint64 rfc_end;          /* END without the line end of a last close delimiter */
	gsize   index;            /* into the scratch message's attachment_list */
} Range;

struct _MpMimeCount {
	MpMimeRecorder *recorder;
	MpMessage      *scratch;    /* leaves recorded here (mp_mime_record_leaf) */
	guint           max_listed;
	GArray         *frames;     /* Frame, innermost last */
	gboolean        in_headers;
	Entity          ent;
	guint64         parts;
	guint           depth;
	gboolean        nesting_overflow, without_boundary;
	GArray         *ranges;     /* Range per listed attachment */
	gboolean        range_open; /* the last range's end is not known yet */
	guint           range_frame;/* frames->len when it opened */
	guint64         header_end;
	guint64         after_close; /* where the line after the last close delimiter starts */
	gboolean        top_done;
	/* the line being split */
	guint64         offset;     /* octets fed */
	guint64         line_start;
	GByteArray     *line;       /* its first LINE_KEEP octets */
	guint64         line_len;
	gboolean        last_cr;    /* its last octet so far is CR */
	gboolean        finished;
};

void
mp_dash_lines_init (MpDashLines *d)
{
	d->lines = 0;
	d->line_start = TRUE;
	d->dash = FALSE;
}

void
mp_dash_lines_feed (MpDashLines *d, const guint8 *buf, gsize len)
{
	const guint8 *p = buf, *end = buf + len;

	if (len == 0)
		return;
	/* a "--" that straddles the feeds */
	if (d->dash) {
		d->dash = FALSE;
		if (*p == '-')
			d->lines++;
	} else if (d->line_start && *p == '-') {
		if (len == 1)
			d->dash = TRUE;
		else if (p[1] == '-')
			d->lines++;
	}
	/* then every '-' that follows a LF (most mail has few '-' at all:
	 * memchr runs at memory speed over base64) */
	for (p = buf + 1; p < end && (p = memchr (p, '-', (gsize) (end - p))) != NULL; p++) {
		if (p[-1] != '\n')
			continue;
		if (p + 1 == end)
			d->dash = TRUE;
		else if (p[1] == '-')
			d->lines++;
	}
	d->line_start = end[-1] == '\n';
}

static void
entity_reset (Entity *e, guint depth, guint nested, MpPartRole role, gboolean digest_child, gboolean top)
{
	g_string_truncate (e->ct, 0);
	g_string_truncate (e->cd, 0);
	e->has_ct = e->has_cd = e->has_cid = FALSE;
	e->capture = NULL;
	e->depth = depth;
	e->nested = nested;
	e->role = role;
	e->digest_child = digest_child;
	e->top = top;
}

static void
frame_clear (gpointer p)
{
	g_free (((Frame *) p)->boundary);
}

MpMimeCount *
mp_mime_count_new (MpMimeRecorder *r, guint max_listed)
{
	MpMimeCount *c = g_new0 (MpMimeCount, 1);

	c->recorder = r;
	c->scratch = mp_message_new ();
	c->max_listed = max_listed;
	c->frames = g_array_new (FALSE, TRUE, sizeof (Frame));
	g_array_set_clear_func (c->frames, frame_clear);
	c->ranges = g_array_new (FALSE, FALSE, sizeof (Range));
	c->line = g_byte_array_sized_new (256);
	c->ent.ct = g_string_new (NULL);
	c->ent.cd = g_string_new (NULL);
	entity_reset (&c->ent, 0, 0, MP_PART_ROLE_ROOT, FALSE, TRUE);
	c->in_headers = TRUE;
	return c;
}

void
mp_mime_count_free (MpMimeCount *c)
{
	if (c == NULL)
		return;
	mp_message_free (c->scratch);
	g_array_unref (c->frames);
	g_array_unref (c->ranges);
	g_byte_array_unref (c->line);
	g_string_free (c->ent.ct, TRUE);
	g_string_free (c->ent.cd, TRUE);
	g_free (c);
}

guint64
mp_mime_count_parts (const MpMimeCount *c)
{
	return c->parts;
}

guint64
mp_mime_count_header_end (const MpMimeCount *c)
{
	return c->top_done ? c->header_end : c->offset;
}

/* ---- what an entity is ---- */

/* The parsed headers of an entity, as the tree walk would see them. */
typedef struct {
	char         *ct_buf, *cd_buf;     /* plain-field.c's strings */
	GMimeContentType        *ct_obj;   /* GMime's, when not plain */
	GMimeContentDisposition *cd_obj;
	const char   *type, *subtype, *boundary, *charset, *name;
	const char   *disposition, *filename;
	gboolean      has_filename;
} Parsed;

static void
parsed_clear (Parsed *p)
{
	g_free (p->ct_buf);
	g_free (p->cd_buf);
	g_clear_object (&p->ct_obj);
	g_clear_object (&p->cd_obj);
}

static gboolean
plain_has (const MpPlainField *f, const char *base)
{
	for (guint i = 0; i < f->n_params; i++)
		if (mp_param_name_matches (f->params[i].name, base) && f->params[i].value[0] != '\0')
			return TRUE;
	return FALSE;
}

/* A header value as GMime's g_mime_header_get_value() gives it: unfolded,
 * encoded words decoded, 8-bit text made UTF-8. Plain 7-bit text decodes
 * to itself (mime-fast.c, decoded_value), so the decoder is skipped. */
static char *
decoded (const GString *raw)
{
	g_autofree char *unfolded = g_mime_utils_header_unfold (raw->str);

	if (strstr (unfolded, "=?") == NULL && mp_octets_plain ((const guint8 *) unfolded, strlen (unfolded)))
		return g_steal_pointer (&unfolded);
	return g_mime_utils_header_decode_text (NULL, unfolded);
}

/* Content-Type and Content-Disposition of E: plain values without GMime's
 * objects (plain-field.h), anything else by GMime. */
static void
parse_entity (const Entity *e, Parsed *p)
{
	MpPlainField pf;
	gboolean ct_named = FALSE;

	memset (p, 0, sizeof *p);
	if (e->has_ct) {
		g_autofree char *v = decoded (e->ct);
		p->ct_buf = g_strdup (v);
		if (mp_plain_field_parse (p->ct_buf, TRUE, &pf)) {
			p->type = pf.type;
			p->subtype = pf.subtype;
			p->boundary = mp_plain_field_param (&pf, "boundary");
			p->charset = mp_plain_field_param (&pf, "charset");
			p->name = mp_plain_field_param (&pf, "name");
			ct_named = plain_has (&pf, "name");
		} else {
			g_clear_pointer (&p->ct_buf, g_free);
			p->ct_obj = g_mime_content_type_parse (NULL, v);
			p->type = g_mime_content_type_get_media_type (p->ct_obj);
			p->subtype = g_mime_content_type_get_media_subtype (p->ct_obj);
			p->boundary = g_mime_content_type_get_parameter (p->ct_obj, "boundary");
			p->charset = g_mime_content_type_get_parameter (p->ct_obj, "charset");
			p->name = g_mime_content_type_get_parameter (p->ct_obj, "name");
			ct_named = mp_part_has_filename (p->ct_obj, NULL, v);
		}
	}
	if (e->has_cd) {
		g_autofree char *v = decoded (e->cd);
		p->cd_buf = g_strdup (v);
		if (mp_plain_field_parse (p->cd_buf, FALSE, &pf)) {
			p->disposition = pf.type;
			p->filename = mp_plain_field_param (&pf, "filename");
			p->has_filename = plain_has (&pf, "filename");
		} else {
			g_clear_pointer (&p->cd_buf, g_free);
			p->cd_obj = g_mime_content_disposition_parse (NULL, v);
			p->disposition = g_mime_content_disposition_get_disposition (p->cd_obj);
			p->filename = g_mime_content_disposition_get_parameter (p->cd_obj, "filename");
			p->has_filename = mp_part_has_filename (NULL, p->cd_obj, NULL);
		}
	}
	p->has_filename = p->has_filename || ct_named;
	if (p->type == NULL) {
		/* no Content-Type: text/plain, but message/rfc822 in a digest */
		p->type = e->digest_child ? "message" : "text";
		p->subtype = e->digest_child ? "rfc822" : "plain";
	}
}

static gboolean
is_type (const char *a, const char *b)
{
	return a != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* The header block of the current entity ended; its content starts at
 * CONTENT. Counts it, and for a multipart or an attached message opens
 * what follows. */
static void
end_headers (MpMimeCount *c, guint64 content)
{
	Entity *e = &c->ent;
	Parsed p;
	MpPartInfo info = { 0 };
	MpPartKind kind;

	parse_entity (e, &p);
	c->parts++;
	c->depth = MAX (c->depth, e->depth);
	if (e->top) {
		c->header_end = content;
		c->top_done = TRUE;
	}
	c->in_headers = FALSE;

	if (is_type (p.type, "multipart")) {
		gsize blen = p.boundary ? strlen (p.boundary) : 0;

		if (blen == 0 || blen > BOUNDARY_MAX) {
			/* GMime reads it as one leaf (GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY) */
			c->without_boundary = TRUE;
		} else if (c->frames->len >= MAX_DEPTH) {
			c->nesting_overflow = TRUE;
		} else {
			Frame f = { FRAME_MULTIPART, g_strdup (p.boundary), blen, is_type (p.subtype, "signed"),
			            is_type (p.subtype, "encrypted"), is_type (p.subtype, "digest"), 0,
			            e->depth, e->nested };
			if (e->nested == 0) {
				if (f.is_signed)
					c->scratch->flags |= MP_MSG_FLAG_SIGNED;
				if (f.is_encrypted)
					c->scratch->flags |= MP_MSG_FLAG_ENCRYPTED;
			}
			g_array_append_val (c->frames, f);
			parsed_clear (&p);
			return; /* the preamble: lines until the first boundary */
		}
	}

	info.type = p.type;
	info.subtype = p.subtype;
	info.disposition = p.disposition;
	info.has_filename = p.has_filename;
	info.has_content_id = e->has_cid;
	info.role = e->role;
	kind = mp_mime_record_leaf (c->recorder, c->scratch, &info, p.charset, e->nested);
	if (e->nested == 0 && kind == MP_PART_ATTACHMENT && c->ranges->len < c->max_listed) {
		g_autofree char *mime_type = g_strdup_printf ("%s/%s", p.type, p.subtype);
		Range r = { content, content, content, c->scratch->attachment_list->len };
		mp_message_add_attachment (c->scratch, p.filename ? p.filename : p.name, mime_type, 0);
		g_array_append_val (c->ranges, r);
		c->range_open = TRUE;
		c->range_frame = c->frames->len;
	}
	/* A3: an attached message is parsed as one, its body one level down */
	if (mp_part_is_embedded_message (p.type, p.subtype)) {
		if (c->frames->len >= MAX_DEPTH) {
			c->nesting_overflow = TRUE;
		} else {
			Frame f = { FRAME_MESSAGE, NULL, 0, FALSE, FALSE, FALSE, 0, e->depth, e->nested };
			guint depth = e->depth + 1, nested = e->nested + 1;
			g_array_append_val (c->frames, f);
			entity_reset (e, depth, nested, MP_PART_ROLE_ROOT, FALSE, FALSE);
			c->in_headers = TRUE;
		}
	}
	parsed_clear (&p);
}

/* A boundary line of frame K at START (END: "--B--"; CR: the line ends CR
 * LF). */
static void
on_boundary (MpMimeCount *c, guint k, gboolean end, gboolean cr, guint64 start)
{
	Frame *f;

	if (c->in_headers) {
		/* a part whose headers a boundary ended: GMime says so */
		end_headers (c, start);
		mp_message_add_problem (c->scratch, MP_PROBLEM_PART_WITHOUT_CONTENT, NULL);
	}
	if (c->range_open && k < c->range_frame) {
		/* the line end before a boundary belongs to it (RFC 2046 §5.1.1):
		 * two octets when the boundary line ends CR LF, as GMime trims.
		 * Not the line end of an inner close delimiter ("--in--" right
		 * before "--out"): Dovecot and Cyrus keep it in the part (an
		 * attached message's body-fld-octets, RFC 3501 §7.4.2) */
		Range *r = &g_array_index (c->ranges, Range, c->ranges->len - 1);
		guint64 trim = cr ? 2 : 1;
		r->rfc_end = start >= r->start + trim ? start - trim : r->start;
		r->end = c->after_close == start && start > r->start ? start : r->rfc_end;
		c->range_open = FALSE;
	}
	g_array_set_size (c->frames, k + 1); /* inner ones end with it, unclosed */
	f = &g_array_index (c->frames, Frame, k);
	if (end) {
		g_array_set_size (c->frames, k);
		return; /* the epilogue: lines until an outer boundary */
	}
	f->children++;
	entity_reset (&c->ent, f->depth + 1, f->nested,
	              f->is_signed && f->children == 2 ? MP_PART_ROLE_SIGNATURE
	              : f->is_encrypted && f->children == 1 ? MP_PART_ROLE_ENCRYPTED_CONTROL
	              : MP_PART_ROLE_PLAIN,
	              f->is_digest, FALSE);
	c->in_headers = TRUE;
}

/* Whether the line TEXT (LEN octets, CR LF excluded) is a boundary line of
 * an open multipart, innermost first, as GMime's check_boundary: "--B" or
 * "--B--", then only blanks. */
static gboolean
match_boundary (MpMimeCount *c, const guint8 *text, gsize len, guint *k, gboolean *end)
{
	if (len < 3 || text[0] != '-' || text[1] != '-')
		return FALSE;
	for (guint i = c->frames->len; i-- > 0;) {
		const Frame *f = &g_array_index (c->frames, Frame, i);
		const guint8 *rest;
		gsize left;

		if (f->kind != FRAME_MULTIPART || len < 2 + f->blen || memcmp (text + 2, f->boundary, f->blen) != 0)
			continue;
		rest = text + 2 + f->blen;
		left = len - 2 - f->blen;
		*end = left >= 2 && rest[0] == '-' && rest[1] == '-';
		if (*end) {
			rest += 2;
			left -= 2;
		}
		while (left > 0 && (*rest == ' ' || *rest == '\t')) {
			rest++;
			left--;
		}
		if (left == 0) {
			*k = i;
			return TRUE;
		}
	}
	return FALSE;
}

/* A header field line of the current entity: "Name: value" or a folded
 * continuation. */
static void
header_line (MpMimeCount *c, const guint8 *text, gsize len)
{
	Entity *e = &c->ent;
	const guint8 *colon;
	gsize name_len;

	if (text[0] == ' ' || text[0] == '\t') {
		if (e->capture != NULL && e->capture->len < VALUE_MAX)
			g_string_append_len (e->capture, (const char *) text,
			                     (gssize) MIN (len, VALUE_MAX - e->capture->len));
		return;
	}
	e->capture = NULL;
	if ((colon = memchr (text, ':', len)) == NULL)
		return; /* no field: GMime warns and goes on */
	name_len = (gsize) (colon - text);
	while (name_len > 0 && (text[name_len - 1] == ' ' || text[name_len - 1] == '\t'))
		name_len--;
	/* a repeated field replaces the first, as GMime's object sees it */
	if (name_len == 12 && g_ascii_strncasecmp ((const char *) text, "Content-Type", 12) == 0) {
		e->has_ct = TRUE;
		e->capture = e->ct;
	} else if (name_len == 19 && g_ascii_strncasecmp ((const char *) text, "Content-Disposition", 19) == 0) {
		e->has_cd = TRUE;
		e->capture = e->cd;
	} else if (name_len == 10 && g_ascii_strncasecmp ((const char *) text, "Content-Id", 10) == 0) {
		for (const guint8 *p = colon + 1; p < text + len; p++)
			if (*p != ' ' && *p != '\t')
				e->has_cid = TRUE;
		return;
	} else {
		return;
	}
	g_string_truncate (e->capture, 0);
	g_string_append_len (e->capture, (const char *) colon + 1,
	                     (gssize) MIN ((gsize) (text + len - colon - 1), (gsize) VALUE_MAX));
}

/* One line: its first KEPT octets at TEXT, LEN octets in all without its
 * LF (CR included), starting at START; CR: it ends CR LF; NEXT: where the
 * line after it starts. */
static void
handle_line (MpMimeCount *c, const guint8 *text, gsize kept, guint64 len, gboolean cr, guint64 start,
             guint64 next)
{
	guint64 bare = cr ? len - 1 : len; /* without CR */
	gsize shown = (gsize) MIN ((guint64) kept, bare);
	guint k;
	gboolean end;

	if (c->frames->len > 0 && bare <= LINE_KEEP && match_boundary (c, text, shown, &k, &end)) {
		on_boundary (c, k, end, cr, start);
		if (end)
			c->after_close = next;
		return;
	}
	if (!c->in_headers)
		return; /* content */
	if (bare == 0) {
		end_headers (c, next);
		return;
	}
	header_line (c, text, shown);
}

void
mp_mime_count_feed (MpMimeCount *c, const guint8 *buf, gsize len)
{
	const guint8 *p = buf, *end = buf + len;

	while (p < end) {
		const guint8 *lf = memchr (p, '\n', (gsize) (end - p));
		const guint8 *stop = lf ? lf : end;
		gsize n = (gsize) (stop - p);

		if (c->line->len < LINE_KEEP)
			g_byte_array_append (c->line, p, (guint) MIN (n, LINE_KEEP - c->line->len));
		if (n > 0)
			c->last_cr = stop[-1] == '\r';
		c->line_len += n;
		c->offset += n;
		p = stop;
		if (lf == NULL)
			break;
		c->offset++;
		handle_line (c, c->line->data, c->line->len, c->line_len, c->last_cr && c->line_len > 0,
		             c->line_start, c->offset);
		p++;
		c->line_start = c->offset;
		c->line_len = 0;
		c->last_cr = FALSE;
		g_byte_array_set_size (c->line, 0);
	}
}

void
mp_mime_count_finish (MpMimeCount *c)
{
	if (c->finished)
		return;
	c->finished = TRUE;
	/* the last line, without LF: a boundary still ends content */
	if (c->line_len > 0)
		handle_line (c, c->line->data, c->line->len, c->line_len, c->last_cr, c->line_start, c->offset);
	if (c->in_headers)
		end_headers (c, c->offset); /* headers to the end: no content */
	if (c->range_open) {
		Range *r = &g_array_index (c->ranges, Range, c->ranges->len - 1);
		r->end = r->rfc_end = c->offset;
		c->range_open = FALSE;
	}
}

/* The stored size of the bytes [START, END) read back with READ_AT. */
static guint64
range_size (MpMimeReadAt read_at, gpointer data, guint64 start, guint64 end, gboolean mbox_quoted,
            guint8 *buf, gsize buf_size)
{
	MpRegionCounter rc;

	mp_region_counter_init (&rc, mbox_quoted);
	while (start < end) {
		gssize n = read_at (data, buf, (gsize) MIN ((guint64) buf_size, end - start), start);
		if (n <= 0)
			break;
		mp_region_counter_feed (&rc, buf, (gsize) n);
		start += (guint64) n;
	}
	return mp_region_counter_total (&rc);
}

/* Range I of a finished counter: attachment I (each listed attachment gets
 * its range when it is listed, end_headers), NULL past the list. */
static const Range *
range_of (MpMimeCount *c, guint i)
{
	mp_mime_count_finish (c);
	if (i >= c->ranges->len)
		return NULL;
	g_assert (g_array_index (c->ranges, Range, i).index == i);
	return &g_array_index (c->ranges, Range, i);
}

const GPtrArray *
mp_mime_count_listed (MpMimeCount *c)
{
	mp_mime_count_finish (c);
	return c->scratch->attachment_list;
}

guint64
mp_mime_count_stored_size (MpMimeCount *c, guint i, MpMimeReadAt read_at, gpointer data, gboolean mbox_quoted)
{
	const Range *r = range_of (c, i);
	g_autofree guint8 *buf = NULL;

	if (r == NULL)
		return 0;
	buf = g_malloc (64 * 1024);
	return range_size (read_at, data, r->start, r->end, mbox_quoted, buf, 64 * 1024);
}

gboolean
mp_mime_count_attachment_range (MpMimeCount *c, guint i, guint64 *start, guint64 *rfc_end)
{
	const Range *r = range_of (c, i);

	if (r == NULL)
		return FALSE;
	*start = r->start;
	*rfc_end = r->rfc_end;
	return TRUE;
}

void
mp_mime_count_commit (MpMimeCount *c, MpMessage *m, MpMimeReadAt read_at, gpointer data, gboolean mbox_quoted)
{
	MpMessage *s = c->scratch;
	g_autofree guint8 *buf = g_malloc (64 * 1024);
	g_autofree char *detail = NULL;

	mp_mime_count_finish (c);
	m->mime_parts += (guint) MIN (c->parts, (guint64) G_MAXUINT);
	m->depth = MAX (m->depth, c->depth);
	m->attachments += s->attachments;
	m->inline_parts += s->inline_parts;
	m->nested_attachments += s->nested_attachments;
	m->flags |= s->flags;
	for (guint i = 0; i < c->ranges->len; i++) {
		const Range *r = &g_array_index (c->ranges, Range, i);
		MpAttachment *a = g_ptr_array_index (s->attachment_list, r->index);
		a->encoded_size = range_size (read_at, data, r->start, r->end, mbox_quoted, buf, 64 * 1024);
	}
	/* the entries move to M, in tree order */
	while (s->attachment_list->len > 0)
		g_ptr_array_add (m->attachment_list, g_ptr_array_steal_index (s->attachment_list, 0));
	for (guint i = 0; i < s->problems->len; i++) {
		/* "code: detail" as recorded: again through M's own cap */
		const char *text = g_ptr_array_index (s->problems, i);
		const char *colon = strchr (text, ':');
		mp_message_add_problem (m, mp_problem_of_text (text), colon ? colon + 2 : NULL);
	}
	detail = g_strdup_printf ("%" G_GUINT64_FORMAT " MIME parts, counted from the boundaries without "
	                          "building a tree; %u attachments listed, archives not", c->parts,
	                          m->attachment_list->len);
	mp_message_add_problem (m, MP_PROBLEM_TOO_MANY_PARTS, detail);
	if (c->nesting_overflow)
		mp_message_add_problem (m, MP_PROBLEM_NESTING_OVERFLOW, NULL);
	if (c->without_boundary)
		mp_message_add_problem (m, MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY, NULL);
	for (guint i = 0; i < c->frames->len; i++)
		if (g_array_index (c->frames, Frame, i).kind == FRAME_MULTIPART) {
			mp_message_add_problem (m, MP_PROBLEM_TRUNCATED, "a multipart without its closing boundary");
			break;
		}
}
