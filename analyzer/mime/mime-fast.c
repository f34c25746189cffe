/* mime-fast.c — the light MIME walker (see mime-fast.h).
 *
 * Why it is exact: the parts of GMime 3.2.13 it stands in for are the
 * parser's line and boundary logic (gmime-parser.c: step_headers,
 * check_boundary, parser_scan_content, parser_construct_multipart), which
 * are small and are followed here only where they are unambiguous; every
 * header value it uses goes through the same GMime function the tree would
 * call on it (g_mime_utils_header_unfold + g_mime_utils_header_decode_text,
 * g_mime_content_type_parse, g_mime_content_disposition_parse,
 * internet_address_list_append_parse, g_mime_utils_header_decode_date,
 * g_mime_utils_decode_message_id), with parser options of the same defaults
 * whose warning callback only notes that GMime would have warned, except a
 * plain Content-Type or Content-Disposition value, which plain-field.c
 * reads as GMime would (its grammar has one reading; fuzz-plain-field and
 * test-plain-field compare every accept with GMime's parse); and the
 * facts become MpMessage fields through the same recorder as the GMime
 * path (mime-record.h). Whatever could make GMime warn or read otherwise is
 * declined.
 *
 * Two phases, so a decline leaves M untouched: read() gathers facts into
 * the walker's own state; commit() writes M. */
#include "mime-fast.h"

#include "archive-list.h"
#include "octets.h"
#include "part-class.h"
#include "plain-field.h"

#include <string.h>

/* Limits of the fast path (beyond them GMime reads the message). */
#define FAST_MAX_HEADERS  256 /* header fields in one block */
#define FAST_MAX_DEPTH    32  /* nested multiparts */
#define FAST_MAX_BOUNDARY 70  /* RFC 2046 §5.1.1: 1 to 70 characters */

typedef struct {
	const char *name;
	gsize       name_len;
	const char *value; /* after the colon, through the final LF: GMime's raw_value */
	gsize       value_len;
} Field;

/* The Content-* facts of one part, as g_mime_part_get_*() and the GMime
 * tree walk would see them. A Content-Type or Content-Disposition value is
 * read by plain-field.c when it is plain (the strings then live in
 * ct_buf / disp_buf), else by GMime (they live in ct_obj / disp_obj). */
typedef struct {
	const char          *type, *subtype;  /* NULL until read_part() defaults them */
	const char          *charset;         /* Content-Type parameters, as      */
	const char          *name;            /* g_mime_content_type_get_parameter */
	const char          *boundary;
	gboolean             ct_has_name;     /* a non-empty name / name* parameter */
	const char          *disposition;     /* NULL when absent */
	const char          *filename;        /* its filename parameter */
	gboolean             disp_has_filename;
	char                *ct_value;        /* owned: decoded Content-Type value, NULL when absent */
	char                *ct_buf, *disp_buf; /* owned: plain-field.c's strings */
	GObject             *ct_obj, *disp_obj; /* owned: GMime's parse */
	gboolean             has_content_id;
	GMimeContentEncoding encoding;        /* Content-Transfer-Encoding, as GMimePart reads it */
} PartHeaders;

/* One leaf, in tree order, with what commit() needs. */
typedef struct {
	PartHeaders h;
	MpPartRole  role;
	gsize       start, end; /* the stored body, as GMime's content stream */
} Leaf;

struct _MpMimeFast {
	GMimeParserOptions *options;  /* GMime's defaults; the callback notes warnings */
	guint               max_parts;
	gboolean            warned;
	guint64             accepted;
	const char         *decline;
	Field              *fields;   /* FAST_MAX_HEADERS, reused per block */
	GArray             *leaves;   /* Leaf */
};

/* The top-level header facts, owned (MpHeaderFacts borrows from here). */
typedef struct {
	char                *raw[4];  /* Subject, From, To, Cc raw values */
	char                *date_value;
	GDateTime           *date;
	InternetAddressList *from;
	char                *from_value;
	char                *subject;
	char                *message_id;
	char                *status;
	char                *x_status;
	char                *mozilla_status;
} TopFacts;

/* The next boundary line found by scan(). */
typedef struct {
	gboolean eos;   /* none before the end of the message */
	gsize    line;  /* offset of the boundary line */
	gsize    next;  /* offset after its LF (the message length when it has none) */
	gboolean eol;   /* it ends with LF */
	gboolean end;   /* "--B--" */
	gboolean cr;    /* CR before the LF (GMime then trims two octets, not one) */
	guint    level; /* index into the boundary stack */
} Found;

typedef struct {
	MpMimeFast   *f;
	GByteArray   *bytes;      /* the message; buf and len are its data */
	const guint8 *buf;
	gsize         len;
	const char   *bound[FAST_MAX_DEPTH];
	gsize         blen[FAST_MAX_DEPTH];
	guint         nbounds;    /* innermost last */
	guint         parts;      /* mime_parts */
	guint         max_depth;
	guint         flags;      /* signed / encrypted */
	gboolean      list_archives;
	gboolean      mbox_quoted;
} Walk;

static void
on_warning (gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user_data)
{
	MpMimeFast *f = user_data;

	f->warned = TRUE;
}

static void
part_headers_clear (PartHeaders *ph)
{
	g_clear_pointer (&ph->ct_value, g_free);
	g_clear_pointer (&ph->ct_buf, g_free);
	g_clear_pointer (&ph->disp_buf, g_free);
	g_clear_object (&ph->ct_obj);
	g_clear_object (&ph->disp_obj);
}

static void
leaf_clear (gpointer p)
{
	part_headers_clear (&((Leaf *) p)->h);
}

MpMimeFast *
mp_mime_fast_new (void)
{
	MpMimeFast *f = g_new0 (MpMimeFast, 1);

	mp_gmime_init_once ();
	f->options = g_mime_parser_options_new ();
	g_mime_parser_options_set_warning_callback (f->options, on_warning, f);
	f->fields = g_new (Field, FAST_MAX_HEADERS);
	f->max_parts = G_MAXUINT; /* the analyzer sets its cap */
	f->leaves = g_array_new (FALSE, TRUE, sizeof (Leaf));
	g_array_set_clear_func (f->leaves, leaf_clear);
	return f;
}

void
mp_mime_fast_free (MpMimeFast *f)
{
	if (f == NULL)
		return;
	g_mime_parser_options_free (f->options);
	g_free (f->fields);
	g_array_unref (f->leaves);
	g_free (f);
}

void
mp_mime_fast_set_max_parts (MpMimeFast *f, guint max_parts)
{
	f->max_parts = max_parts;
}

guint64
mp_mime_fast_accepted (const MpMimeFast *f)
{
	return f->accepted;
}

const char *
mp_mime_fast_last_decline (const MpMimeFast *f)
{
	return f->decline;
}

static gboolean
decline (Walk *w, const char *why)
{
	if (w->f->decline == NULL)
		w->f->decline = why;
	return FALSE;
}

/* g_ascii_strncasecmp() for N octets without NUL, inline: header names are
 * compared a few dozen times per message, and GLib's calls a function per
 * octet. */
static inline gboolean
ascii_case_equal (const char *a, const char *b, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x != y && (x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
			return FALSE;
	}
	return TRUE;
}

static gboolean
name_is (const Field *h, const char *name)
{
	return h->name_len == strlen (name) && ascii_case_equal (h->name, name, h->name_len);
}

static gboolean
has_encoded_word (const Field *h)
{
	const char *p = h->value, *end = h->value + h->value_len;

	while (p < end && (p = memchr (p, '=', (size_t) (end - p))) != NULL) {
		if (p + 1 < end && p[1] == '?')
			return TRUE;
		p++;
	}
	return FALSE;
}

/* Splits the header block at POS into fields. Accepts only "Name: value"
 * lines (name: printable ASCII without ':', not starting "--"), folded
 * lines starting with space or tab, 7-bit values without CR or NUL (checked
 * once over the whole block, 16 octets at a time), and an empty line (LF)
 * at its end. Sets *N and *END (offset after the empty line). */
static gboolean
split_headers (Walk *w, gsize pos, guint *n, gsize *end)
{
	const guint8 *buf = w->buf, *lim = w->buf + w->len;
	const guint8 *p = buf + pos;

	*n = 0;
	for (;;) {
		const guint8 *name = p, *value, *eol;
		Field *h;

		if (p >= lim)
			return decline (w, "header block without end");
		if (*p == '\n') {
			/* names are printable ASCII: this checks the values */
			if (!mp_octets_plain (buf + pos, (gsize) (p - (buf + pos))))
				return decline (w, "8-bit, CR or NUL in a header");
			*end = (gsize) (p + 1 - buf);
			return TRUE;
		}
		while (p < lim && *p != ':' && *p > 0x20 && *p < 0x7f)
			p++;
		if (p >= lim || *p != ':' || p == name)
			return decline (w, "not a header line");
		if (p - name >= 2 && name[0] == '-' && name[1] == '-')
			return decline (w, "header name starts --");
		value = p + 1;
		/* the field's lines: this one and its folded continuations */
		for (;;) {
			eol = memchr (p, '\n', (size_t) (lim - p));
			if (eol == NULL)
				return decline (w, "header block without end");
			p = eol + 1;
			if (p >= lim || (*p != ' ' && *p != '\t'))
				break;
		}
		if (*n == FAST_MAX_HEADERS)
			return decline (w, "too many header fields");
		h = &w->f->fields[(*n)++];
		h->name = (const char *) name;
		h->name_len = (gsize) (value - 1 - name);
		h->value = (const char *) value;
		h->value_len = (gsize) (p - value);
	}
}

/* The value GMime's g_mime_header_get_value() returns for a field:
 * g_mime_utils_header_decode_text() of the unfolded raw value. That decoder
 * (gmime-utils.c, tokenize_rfc2047_text + rfc2047_decode_tokens, 3.2.13)
 * copies lwsp and word tokens verbatim unless a word starts "=?" or holds
 * 8-bit bytes; split_headers() lets no 8-bit byte through, so a value
 * without "=?" decodes to itself and the tokenizer (a malloc per token) is
 * skipped. */
static char *
decoded_value (MpMimeFast *f, const Field *h)
{
	char small[512]; /* most values: no copy on the heap just to end them with NUL */
	g_autofree char *large = NULL;
	char *raw = small;
	g_autofree char *unfolded = NULL;

	if (h->value_len >= sizeof small)
		raw = large = g_malloc (h->value_len + 1);
	memcpy (raw, h->value, h->value_len);
	raw[h->value_len] = '\0';
	unfolded = g_mime_utils_header_unfold (raw);

	if (!has_encoded_word (h))
		return g_steal_pointer (&unfolded);
	return g_mime_utils_header_decode_text (f->options, unfolded);
}

/* "type/subtype" then nothing or ';', as tokens only: GMime's parser (on the
 * raw value) and g_mime_content_type_parse (on the decoded one) then agree
 * on the type, and no comment or junk is skipped. */
static gboolean
plain_content_type (const char *v)
{
	const guchar *p = (const guchar *) v;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!mp_token_char (*p))
		return FALSE;
	while (mp_token_char (*p))
		p++;
	if (*p++ != '/' || !mp_token_char (*p))
		return FALSE;
	while (mp_token_char (*p))
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == ';';
}

/* TRUE when F has a non-empty BASE or BASE* parameter (what
 * mp_part_has_filename() asks of GMime's list, mime-record.c). */
static gboolean
plain_has (const MpPlainField *f, const char *base)
{
	for (guint i = 0; i < f->n_params; i++)
		if (mp_param_name_matches (f->params[i].name, base) && f->params[i].value[0] != '\0')
			return TRUE;
	return FALSE;
}

/* The Content-Type value PH->ct_value, read as plain (in a copy: commit()
 * hands ct_value itself to mp_part_has_filename, which looks for a name
 * parameter in the raw text) or by GMime. */
static void
read_content_type (MpMimeFast *f, PartHeaders *ph)
{
	GMimeContentType *ct;
	MpPlainField pf;

	ph->ct_buf = g_strdup (ph->ct_value);
	if (mp_plain_field_parse (ph->ct_buf, TRUE, &pf)) {
		ph->type = pf.type;
		ph->subtype = pf.subtype;
		ph->charset = mp_plain_field_param (&pf, "charset");
		ph->name = mp_plain_field_param (&pf, "name");
		ph->boundary = mp_plain_field_param (&pf, "boundary");
		ph->ct_has_name = plain_has (&pf, "name");
		return;
	}
	g_clear_pointer (&ph->ct_buf, g_free);
	ct = g_mime_content_type_parse (f->options, ph->ct_value);
	ph->ct_obj = G_OBJECT (ct);
	ph->type = g_mime_content_type_get_media_type (ct);
	ph->subtype = g_mime_content_type_get_media_subtype (ct);
	ph->charset = g_mime_content_type_get_parameter (ct, "charset");
	ph->name = g_mime_content_type_get_parameter (ct, "name");
	ph->boundary = g_mime_content_type_get_parameter (ct, "boundary");
	ph->ct_has_name = mp_part_has_filename (ct, NULL, NULL);
}

/* The Content-Disposition field H, read as plain (in place in its decoded
 * value, which PH then owns) or by GMime (from a fresh decoded value: the
 * plain reader may have cut the first one up). */
static void
read_content_disposition (MpMimeFast *f, PartHeaders *ph, const Field *h, char *v)
{
	GMimeContentDisposition *d;
	MpPlainField pf;

	if (mp_plain_field_parse (v, FALSE, &pf)) {
		ph->disp_buf = v;
		ph->disposition = pf.type;
		ph->filename = mp_plain_field_param (&pf, "filename");
		ph->disp_has_filename = plain_has (&pf, "filename");
		return;
	}
	g_free (v);
	v = decoded_value (f, h);
	d = g_mime_content_disposition_parse (f->options, v);
	g_free (v);
	ph->disp_obj = G_OBJECT (d);
	ph->disposition = g_mime_content_disposition_get_disposition (d);
	ph->filename = g_mime_content_disposition_get_parameter (d, "filename");
	ph->disp_has_filename = mp_part_has_filename (NULL, d, NULL);
}

/* Content-Type, Content-Disposition and Content-Id of one part, read as
 * object_header_changed() (gmime-object.c) reads them. */
static gboolean
content_field (Walk *w, const Field *h, PartHeaders *ph)
{
	MpMimeFast *f = w->f;

	if (has_encoded_word (h))
		return decline (w, "encoded word in a Content- header");
	if (name_is (h, "Content-Type")) {
		ph->ct_value = decoded_value (f, h);
		if (!plain_content_type (ph->ct_value))
			return decline (w, "unusual Content-Type");
		if (strchr (ph->ct_value, '*') != NULL)
			return decline (w, "RFC 2231 parameter");
		read_content_type (f, ph);
	} else if (name_is (h, "Content-Disposition")) {
		char *v = decoded_value (f, h);
		if (strchr (v, '*') != NULL) {
			g_free (v);
			return decline (w, "RFC 2231 parameter");
		}
		read_content_disposition (f, ph, h, v);
	} else if (name_is (h, "Content-Id")) {
		g_autofree char *v = decoded_value (f, h);
		g_autofree char *id = g_mime_utils_decode_message_id (v);
		ph->has_content_id = id != NULL;
	} else if (name_is (h, "Content-Transfer-Encoding")) {
		/* gmime-part.c process_header() */
		g_autofree char *v = decoded_value (f, h);
		ph->encoding = g_mime_content_encoding_from_string (v);
	}
	return TRUE;
}

static gboolean
is_content_field (const Field *h)
{
	return h->name_len >= 8 && ascii_case_equal (h->name, "Content-", 8);
}

static gboolean
same_name (const Field *a, const Field *b)
{
	return a->name_len == b->name_len && ascii_case_equal (a->name, b->name, a->name_len);
}

/* TRUE when Q (before END) is a line end: LF, CR LF, CR at the end, or the end. */
static gboolean
at_eol (const guint8 *q, const guint8 *end, gboolean *cr)
{
	*cr = q < end && *q == '\r';
	if (*cr)
		q++;
	return q == end || *q == '\n';
}

static gboolean
is_lwsp_char (guchar c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Finds the next line that is a boundary of the stack, from FROM (a line
 * start) up to LIMIT, as check_boundary() (gmime-parser.c) would: the
 * innermost boundary first, "--B--" before "--B". It accepts only whole,
 * exact boundary lines ("--B" or "--B--", an optional CR before the LF) and
 * declines wherever GMime's answer could be another: a boundary string not
 * at a line start (GMime also tests the starts of the pieces of lines longer
 * than its buffer) or followed by white space (GMime allows trailing white
 * space, also on such a piece). */
static gboolean
scan (Walk *w, gsize from, gsize limit, Found *out)
{
	const guint8 *buf = w->buf, *end = w->buf + limit, *p = w->buf + from;

	out->eos = TRUE;
	if (w->nbounds == 0)
		return TRUE;
	while (p + 1 < end && (p = memchr (p, '-', (size_t) (end - p - 1))) != NULL) {
		if (p[1] == '-') {
			for (guint k = w->nbounds; k-- > 0;) {
				gsize bl = w->blen[k];
				const guint8 *q = p + 2 + bl;
				gboolean cr, is_end = FALSE;

				if ((gsize) (end - p - 2) < bl || memcmp (p + 2, w->bound[k], bl) != 0)
					continue;
				if (p != buf + from && p[-1] != '\n')
					return decline (w, "boundary text inside a line");
				if (end - q >= 2 && q[0] == '-' && q[1] == '-' && at_eol (q + 2, end, &cr)) {
					is_end = TRUE;
					q += 2;
				} else if (!at_eol (q, end, &cr)) {
					/* not this boundary for GMime either, unless what
					 * follows starts with white space */
					if ((q < end && is_lwsp_char (*q)) ||
					    (end - q >= 3 && q[0] == '-' && q[1] == '-' && is_lwsp_char (q[2])))
						return decline (w, "boundary line with trailing white space");
					continue;
				}
				if (cr)
					q++;
				out->eos = FALSE;
				out->end = is_end;
				out->cr = cr;
				out->line = (gsize) (p - buf);
				out->level = k;
				out->eol = q < end;
				out->next = q < end ? (gsize) (q + 1 - buf) : limit;
				return TRUE;
			}
		}
		p++;
	}
	return TRUE;
}

/* The header block of a part inside a multipart, at POS. GMime checks every
 * header of such a part for a repeat (check_header_conflict) and every
 * header line for a boundary. */
static gboolean
read_part_headers (Walk *w, gsize pos, PartHeaders *ph, gsize *content)
{
	Field *fields = w->f->fields;
	Found fd;
	guint n;

	if (!split_headers (w, pos, &n, content))
		return FALSE;
	if (!scan (w, pos, *content, &fd))
		return FALSE;
	if (!fd.eos)
		return decline (w, "boundary in a part's headers");
	for (guint i = 0; i < n; i++) {
		for (guint k = 0; k < i; k++)
			if (same_name (&fields[i], &fields[k]))
				return decline (w, "repeated header in a part");
		if (has_encoded_word (&fields[i]))
			return decline (w, "encoded word in a part's header");
		if (is_content_field (&fields[i]) && !content_field (w, &fields[i], ph))
			return FALSE;
	}
	return TRUE;
}

static gboolean
valid_boundary (const char *b)
{
	gsize n = b ? strlen (b) : 0;

	if (n == 0 || n > FAST_MAX_BOUNDARY)
		return FALSE;
	/* RFC 2046 §5.1.1 bchars, without the space */
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum (b[i]) && strchr ("'()+_,-./:=?", b[i]) == NULL)
			return FALSE;
	return TRUE;
}

static gboolean
is_type (const char *a, const char *b)
{
	return a != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* One part whose headers are PH (taken) and whose body starts at CONTENT.
 * On return FOUND holds the boundary line after it (or eos), as GMime's
 * priv->boundary. Mirrors parser_construct_leaf_part and
 * parser_construct_multipart for the inputs it accepts. */
static gboolean
read_part (Walk *w, PartHeaders *ph, gsize content, guint depth, MpPartRole role, Found *found)
{
	const char *type, *subtype;

	if (ph->type == NULL) {
		/* no Content-Type: g_mime_content_type_new ("text", "plain") */
		ph->type = "text";
		ph->subtype = "plain";
	}
	type = ph->type;
	subtype = ph->subtype;
	if (depth >= FAST_MAX_DEPTH - 1)
		return decline (w, "deep nesting");
	/* no tree past the cap: the leaves kept would grow with the parts */
	if (++w->parts > w->f->max_parts)
		return decline (w, "too many parts");
	w->max_depth = MAX (w->max_depth, depth);

	if (is_type (type, "multipart")) {
		const char *b = ph->boundary;
		gboolean is_signed = is_type (subtype, "signed");
		gboolean is_encrypted = is_type (subtype, "encrypted");
		guint own = w->nbounds;
		guint i = 0;
		Found fd;

		if (!valid_boundary (b))
			return decline (w, "missing or unusual boundary");
		if (is_type (subtype, "digest"))
			return decline (w, "multipart/digest"); /* parts default to message/rfc822 */
		w->bound[own] = b; /* PH, which owns it, lives until we return */
		w->blen[own] = strlen (b);
		w->nbounds++;
		if (is_signed)
			w->flags |= MP_MSG_FLAG_SIGNED;
		if (is_encrypted)
			w->flags |= MP_MSG_FLAG_ENCRYPTED;

		/* the prologue must end at our first boundary */
		if (!scan (w, content, w->len, &fd))
			return FALSE;
		if (fd.eos || fd.level != own || fd.end)
			return decline (w, "prologue does not end at a first boundary");
		do {
			PartHeaders child = { 0 };
			MpPartRole child_role = MP_PART_ROLE_PLAIN;
			gsize child_content;
			gboolean ok;

			if (!fd.eol)
				return decline (w, "boundary at the end without LF");
			if (is_signed && i == 1)
				child_role = MP_PART_ROLE_SIGNATURE;
			else if (is_encrypted && i == 0)
				child_role = MP_PART_ROLE_ENCRYPTED_CONTROL;
			ok = read_part_headers (w, fd.next, &child, &child_content) &&
			     read_part (w, &child, child_content, depth + 1, child_role, &fd);
			part_headers_clear (&child);
			if (!ok)
				return FALSE;
			if (fd.eos || fd.level != own)
				return decline (w, "part not ended by its boundary");
			i++;
		} while (!fd.end);
		w->nbounds--;
		/* the epilogue runs to a boundary of an enclosing multipart */
		return scan (w, fd.next, w->len, found);
	}

	if (is_type (type, "message"))
		return decline (w, "message/ part");
	if (!scan (w, content, w->len, found))
		return FALSE;
	{
		Leaf leaf = { 0 };
		gsize end = w->len;

		if (!found->eos) {
			/* parser_scan_content: the line end before the boundary
			 * belongs to it; two octets when the boundary line ends CR LF */
			gsize trim = found->cr ? 2 : 1;
			end = found->line;
			if (found->line > content) {
				if (found->line - content < trim)
					return decline (w, "CR boundary after a 1-octet body");
				end = found->line - trim;
			}
		}
		leaf.h = *ph; /* taken: PH is left owning nothing */
		memset (ph, 0, sizeof *ph);
		leaf.role = role;
		leaf.start = content;
		leaf.end = end;
		g_array_append_val (w->f->leaves, leaf);
	}
	return TRUE;
}

static void
top_facts_clear (TopFacts *t)
{
	for (gsize i = 0; i < G_N_ELEMENTS (t->raw); i++)
		g_free (t->raw[i]);
	g_free (t->date_value);
	if (t->date)
		g_date_time_unref (t->date);
	g_clear_object (&t->from);
	g_free (t->from_value);
	g_free (t->subject);
	g_free (t->message_id);
	g_free (t->status);
	g_free (t->x_status);
	g_free (t->mozilla_status);
}

/* The message's own header block: message headers as GMimeMessage's
 * process_header() reads them, Content-* headers into PH. */
static gboolean
read_top_headers (Walk *w, TopFacts *t, PartHeaders *ph, gsize *content)
{
	/* a repeat of these makes GMime warn (rfc5322_single_hdr, Content-*),
	 * or choose between first and last */
	static const char *const single[] = {
		"Bcc", "Cc", "Date", "From", "In-Reply-To", "Message-Id", "References",
		"Reply-To", "Sender", "Subject", "To", "Status", "MIME-Version",
		/* GMime's get_header gives the first: a repeat goes to GMime */
		"X-Status", "X-Mozilla-Status",
	};
	static const char *const worded[] = { "Subject", "From", "To", "Cc" };
	static const char *const addresses[] = { "Sender", "From", "Reply-To", "To", "Cc", "Bcc" };
	MpMimeFast *f = w->f;
	Field *fields = f->fields;
	guint n;

	if (w->len == 0 || w->buf[0] == '\n')
		return decline (w, "no header");
	if (!split_headers (w, 0, &n, content))
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const Field *h = &fields[i];
		gboolean content_hdr = is_content_field (h);
		gboolean check_repeat = content_hdr;

		for (gsize k = 0; k < G_N_ELEMENTS (single) && !check_repeat; k++)
			check_repeat = name_is (h, single[k]);
		for (guint k = 0; check_repeat && k < i; k++)
			if (same_name (h, &fields[k]))
				return decline (w, "repeated header");
		if (content_hdr) {
			if (!content_field (w, h, ph))
				return FALSE;
			continue;
		}
		for (gsize k = 0; k < G_N_ELEMENTS (worded); k++)
			if (name_is (h, worded[k]))
				t->raw[k] = g_strndup (h->value, h->value_len);
		for (gsize k = 0; k < G_N_ELEMENTS (addresses); k++) {
			if (name_is (h, addresses[k])) {
				/* message_add_addresses() parses the raw value into an
				 * empty list (_internet_address_list_append_parse); the
				 * public parser returns NULL both for no address and for
				 * a parse that stopped half way (keeping what it had):
				 * only the first is the same empty list */
				g_autofree char *raw = g_strndup (h->value, h->value_len);
				g_autoptr(InternetAddressList) list = internet_address_list_parse (f->options, raw);
				if (list == NULL) {
					for (const char *c = raw; *c; c++)
						if (strchr (" \t\r\n", *c) == NULL)
							return decline (w, "address list GMime reads partly");
					list = internet_address_list_new ();
				}
				if (k == 1) {
					t->from = g_steal_pointer (&list);
					t->from_value = decoded_value (f, h);
				}
			}
		}
		if (name_is (h, "Subject")) {
			t->subject = decoded_value (f, h);
		} else if (name_is (h, "Date")) {
			t->date_value = decoded_value (f, h);
			t->date = g_mime_utils_header_decode_date (t->date_value);
		} else if (name_is (h, "Message-Id")) {
			g_autofree char *v = decoded_value (f, h);
			t->message_id = g_mime_utils_decode_message_id (v);
		} else if (name_is (h, "Status")) {
			t->status = decoded_value (f, h);
		} else if (name_is (h, "X-Status")) {
			t->x_status = decoded_value (f, h);
		} else if (name_is (h, "X-Mozilla-Status")) {
			t->mozilla_status = decoded_value (f, h);
		} else if (has_encoded_word (h)) {
			/* GMime decodes every header once to warn about it */
			g_free (decoded_value (f, h));
		}
	}
	if (t->from == NULL)
		t->from = internet_address_list_new ();
	return TRUE;
}

/* What list_archive() in mime-gmime.c does with the part GMime built: the
 * same stream (a window of the message's byte array), decoder and lister. */
static void
list_archive (Walk *w, const Leaf *l, MpAttachment *att)
{
	g_autoptr(GMimeStream) mem = g_mime_stream_mem_new_with_byte_array (w->bytes);
	g_autoptr(GMimeStream) raw = NULL;
	g_autoptr(GMimeStream) filtered = NULL;
	GMimeFilter *decoder;

	g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
	raw = g_mime_stream_substream (mem, (gint64) l->start, (gint64) l->end);
	if (g_mime_stream_reset (raw) == -1)
		return;
	filtered = g_mime_stream_filter_new (raw);
	decoder = g_mime_filter_basic_new (l->h.encoding, FALSE);
	g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
	g_object_unref (decoder);
	mp_archive_list (filtered, att);
}

static void
commit (Walk *w, MpMimeRecorder *r, TopFacts *t, MpMessage *m)
{
	MpHeaderFacts h = { { NULL } };
	GArray *leaves = w->f->leaves;

	for (gsize i = 0; i < G_N_ELEMENTS (t->raw); i++)
		h.worded_raw[i] = t->raw[i];
	h.date_value = t->date_value;
	h.date = t->date;
	h.from = t->from;
	h.from_value = t->from_value;
	h.subject = t->subject;
	h.message_id = t->message_id;
	h.status = t->status;
	h.x_status = t->x_status;
	h.mozilla_status = t->mozilla_status;
	mp_mime_record_headers (r, m, &h);

	m->mime_parts += w->parts;
	m->depth = MAX (m->depth, w->max_depth);
	m->flags |= w->flags;
	for (guint i = 0; i < leaves->len; i++) {
		Leaf *l = &g_array_index (leaves, Leaf, i);
		MpPartInfo info = { 0 };
		MpPartKind kind;

		info.type = l->h.type;
		info.subtype = l->h.subtype;
		info.disposition = l->h.disposition;
		/* mp_part_has_filename() on the parsed headers, in its order */
		info.has_filename = l->h.disp_has_filename || l->h.ct_has_name ||
		                    mp_part_has_filename (NULL, NULL, l->h.ct_value);
		info.has_content_id = l->h.has_content_id;
		info.role = l->role;
		kind = mp_mime_record_leaf (r, m, &info, l->h.charset, 0);
		if (kind == MP_PART_ATTACHMENT) {
			g_autofree char *mime_type = g_strdup_printf ("%s/%s", info.type, info.subtype);
			MpAttachment *att = mp_message_add_attachment (m, l->h.filename ? l->h.filename : l->h.name, mime_type,
			                                               mp_region_size (w->buf + l->start, l->end - l->start,
			                                                               w->mbox_quoted));
			if (w->list_archives && mp_archive_is_candidate (att->mime_type, att->filename))
				list_archive (w, l, att);
		}
	}
}

gboolean
mp_mime_fast_analyze (MpMimeFast *f, MpMimeRecorder *r, GByteArray *bytes,
                      gboolean list_archives, gboolean mbox_quoted, MpMessage *m)
{
	Walk w = { 0 };
	TopFacts t = { { NULL } };
	PartHeaders ph = { 0 };
	gboolean ok;
	gsize content;
	Found found;

	w.f = f;
	w.bytes = bytes;
	w.buf = bytes->data;
	w.len = bytes->len;
	w.list_archives = list_archives;
	w.mbox_quoted = mbox_quoted;
	f->warned = FALSE;
	f->decline = NULL;
	g_array_set_size (f->leaves, 0);

	ok = read_top_headers (&w, &t, &ph, &content) &&
	     read_part (&w, &ph, content, 0, MP_PART_ROLE_ROOT, &found);
	part_headers_clear (&ph);
	if (ok && f->warned)
		ok = decline (&w, "a GMime helper warned");
	if (ok) {
		commit (&w, r, &t, m);
		f->accepted++;
	}
	top_facts_clear (&t);
	g_array_set_size (f->leaves, 0);
	return ok;
}
