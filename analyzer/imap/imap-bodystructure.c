/* imap-bodystructure.c — see imap-bodystructure.h.
 *
 * RFC 3501 §9 (RFC 9051 §9 is the same here):
 *   body            = "(" (body-type-1part / body-type-mpart) ")"
 *   body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 *   body-type-1part = (body-type-basic / body-type-msg / body-type-text)
 *                     [SP body-ext-1part]
 *   body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP
 *                     body-fld-enc SP body-fld-octets
 *   body-type-msg   = media-message SP body-fields SP envelope SP body SP
 *                     body-fld-lines
 *   body-type-text  = media-text SP body-fields SP body-fld-lines
 *   body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang ...]]
 *   body-fld-dsp    = "(" string SP body-fld-param ")" / nil
 * Real servers put NIL where a string belongs and leave extension data out:
 * every field is optional here, and a missing one reads as absent. */
#include "imap-bodystructure.h"

#include "part-class.h"

#include <string.h>

/* mime-gmime.c's MP_MAX_WALK_DEPTH. A parsed tree is never this deep
 * (MP_IMAP_MAX_DEPTH_CEILING); the cap keeps the recursive walk bounded
 * whatever parser settings built the tree. */
#define MP_IMAP_MAX_WALK_DEPTH 1100

/* body-fields positions in a body-type-1part (RFC 3501 §9). */
enum {
	F_TYPE = 0,
	F_SUBTYPE,
	F_PARAMS,
	F_ID,
	F_DESC,
	F_ENC,
	F_OCTETS,
	F_AFTER_FIELDS, /* lines (text), envelope (message), or the extension */
};

/* RFC 2231 continuations beyond this are ignored (a name is never that long). */
#define MP_MAX_PARAM_SEGMENTS 64

typedef struct {
	MpMessage        *m;
	GArray           *regions; /* MpImapRegion, or NULL */
	MpImapWordDecoder decode;  /* RFC 2047 in plain parameter values, or NULL */
} Walk;

static void walk_body (Walk *w, const MpImapValue *body, MpPartRole role, guint depth, guint nested,
                       const char *section);

static const char *
nstring (const MpImapValue *v)
{
	return mp_imap_value_is_string (v) ? mp_imap_value_get_string (v, NULL) : NULL;
}

static void
malformed (Walk *w, const char *detail)
{
	mp_message_add_problem (w->m, MP_PROBLEM_MALFORMED_BODYSTRUCTURE, detail);
}

static gboolean
is_ci (const char *a, const char *b)
{
	return a != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* A2 (DEFINITIONS.md): a parameter named BASE or BASE*... with a non-empty
 * value; servers return RFC 2231 names raw ("name*", "filename*0*"). */
static gboolean
params_have (const MpImapValue *params, const char *base)
{
	guint n = mp_imap_value_get_n_children (params);

	for (guint i = 0; i + 1 < n; i += 2) {
		const char *name = nstring (mp_imap_value_get_child (params, i));
		const char *value = nstring (mp_imap_value_get_child (params, i + 1));
		if (mp_param_name_matches (name, base) && value != NULL && *value != '\0')
			return TRUE;
	}
	return FALSE;
}

/* ------------------------------------------------- RFC 2231 / 2047 values */

typedef struct {
	guint       index;
	gboolean    encoded;
	const char *value;
} Segment;

static int
segment_cmp (gconstpointer a, gconstpointer b)
{
	const Segment *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* RFC 2231 §4: "%XX" octets; a malformed escape is kept as it is. */
static void
append_percent_decoded (GByteArray *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		int hi, lo;
		guint8 c = (guint8) *p;
		if (*p == '%' && (hi = g_ascii_xdigit_value (p[1])) >= 0 &&
		    (lo = g_ascii_xdigit_value (p[2])) >= 0) {
			c = (guint8) (hi * 16 + lo);
			p += 2;
		}
		g_byte_array_append (out, &c, 1);
	}
}

/* What follows BASE in NAME: "" (plain), "*" (one extended value), "*N"
 * or "*N*" (segment N). FALSE when NAME is not a form of BASE. */
static gboolean
parse_param_name (const char *name, const char *base, Segment *seg, gboolean *plain)
{
	gsize n = strlen (base);
	const char *p;
	guint64 index = 0;
	int digits = 0;

	if (!mp_param_name_matches (name, base))
		return FALSE;
	p = name + n;
	*plain = *p == '\0';
	if (*plain)
		return TRUE;
	p++; /* '*' */
	if (*p == '\0') {
		seg->index = 0;
		seg->encoded = TRUE;
		return TRUE;
	}
	for (; g_ascii_isdigit (*p) && digits < 4; p++, digits++)
		index = index * 10 + (guint64) (*p - '0');
	if (digits == 0 || (*p != '\0' && !(p[0] == '*' && p[1] == '\0')))
		return FALSE;
	seg->index = (guint) index;
	seg->encoded = *p == '*';
	return TRUE;
}

/* Joins the segments of an RFC 2231 value (sorted, contiguous from 0) and
 * converts it to UTF-8 from the charset the first encoded segment names. */
static char *
join_segments (GArray *segs)
{
	g_autoptr(GByteArray) bytes = g_byte_array_new ();
	g_autofree char *charset = NULL;

	g_array_sort (segs, segment_cmp);
	for (guint i = 0; i < segs->len; i++) {
		const Segment *s = &g_array_index (segs, Segment, i);
		const char *v = s->value;
		if (s->index != i)
			break; /* a gap or a duplicate: keep what is contiguous */
		if (s->encoded && i == 0) {
			/* charset'language'value (RFC 2231 §4) */
			const char *q1 = strchr (v, '\'');
			const char *q2 = q1 ? strchr (q1 + 1, '\'') : NULL;
			if (q2 != NULL) {
				charset = g_strndup (v, (gsize) (q1 - v));
				v = q2 + 1;
			}
		}
		if (s->encoded)
			append_percent_decoded (bytes, v);
		else
			g_byte_array_append (bytes, (const guint8 *) v, (guint) strlen (v));
	}
	if (bytes->len == 0)
		return NULL;
	if (charset != NULL && *charset != '\0' && !is_ci (charset, "utf-8") && !is_ci (charset, "us-ascii")) {
		char *utf8 = g_convert ((const char *) bytes->data, bytes->len, "UTF-8", charset, NULL, NULL, NULL);
		if (utf8 != NULL)
			return utf8;
	}
	/* UTF-8 already, or a charset iconv does not know: raw (made valid
	 * UTF-8 by mp_message_add_attachment) */
	return g_strndup ((const char *) bytes->data, bytes->len);
}

char *
mp_imap_body_param_value (const MpImapValue *params, const char *base, MpImapWordDecoder decode)
{
	g_autoptr(GArray) segs = g_array_new (FALSE, FALSE, sizeof (Segment));
	const char *plain = NULL;
	guint n = mp_imap_value_get_n_children (params);

	for (guint i = 0; i + 1 < n; i += 2) {
		const char *name = nstring (mp_imap_value_get_child (params, i));
		const char *value = nstring (mp_imap_value_get_child (params, i + 1));
		Segment seg = { 0 };
		gboolean is_plain = FALSE;
		if (value == NULL || !parse_param_name (name, base, &seg, &is_plain))
			continue;
		if (is_plain) {
			if (plain == NULL)
				plain = value;
		} else if (segs->len < MP_MAX_PARAM_SEGMENTS) {
			seg.value = value;
			g_array_append_val (segs, seg);
		}
	}
	/* RFC 2231 §3: the extended form is what a capable reader should use */
	if (segs->len > 0) {
		char *joined = join_segments (segs);
		if (joined != NULL && *joined != '\0')
			return joined;
		g_free (joined);
	}
	if (plain == NULL || *plain == '\0')
		return NULL;
	/* RFC 2047 words in a quoted filename are not standard but common; GMime
	 * decodes them too, and so does the decoder the caller hands in */
	if (decode != NULL && strstr (plain, "=?") != NULL)
		return decode (plain);
	return g_strdup (plain);
}

/* "SECTION.N", or "N" below the top (RFC 3501 §6.4.5): one per part of
 * every message, so without printf's parsing */
static char *
child_section (const char *section, guint n)
{
	char num[16];
	gsize k = sizeof num - 1;

	num[k] = '\0';
	do {
		num[--k] = (char) ('0' + n % 10);
		n /= 10;
	} while (n > 0);
	return *section ? g_strconcat (section, ".", num + k, NULL) : g_strdup (num + k);
}

/* ------------------------------------------------------------------ walk */

static void
walk_multipart (Walk *w, const MpImapValue *body, guint depth, guint nested, const char *section)
{
	guint n = mp_imap_value_get_n_children (body);
	guint parts = 0;
	const char *subtype;
	gboolean is_signed, is_encrypted;

	while (parts < n && mp_imap_value_is_list (mp_imap_value_get_child (body, parts)))
		parts++;
	subtype = nstring (mp_imap_value_get_child (body, parts));
	if (subtype == NULL)
		malformed (w, "multipart without a subtype");
	/* RFC 1847 §2.1 multipart/signed, §2.2 multipart/encrypted */
	is_signed = is_ci (subtype, "signed");
	is_encrypted = is_ci (subtype, "encrypted");
	if (nested == 0) {
		if (is_signed)
			w->m->flags |= MP_MSG_FLAG_SIGNED;
		if (is_encrypted)
			w->m->flags |= MP_MSG_FLAG_ENCRYPTED;
	}
	for (guint i = 0; i < parts; i++) {
		MpPartRole role = MP_PART_ROLE_PLAIN;
		/* RFC 3501 §6.4.5: the parts of a multipart are numbered from 1
		 * below its own specifier; the top multipart has none */
		g_autofree char *child = child_section (section, i + 1);
		if (is_signed && i == 1)
			role = MP_PART_ROLE_SIGNATURE;
		else if (is_encrypted && i == 0)
			role = MP_PART_ROLE_ENCRYPTED_CONTROL;
		walk_body (w, mp_imap_value_get_child (body, i), role, depth + 1, nested, child);
	}
}

/* GMime parses a message/rfc822 whose body is base64, quoted-printable or
 * uuencoded as a plain leaf (GMIME-IMAP-FACTS §2.1; checked on 3.2.13 with
 * each encoding), while Dovecot still sends body-type-msg for it, with an
 * empty envelope and an empty text/plain body. Such a part is not entered,
 * so both sources see the same tree. */
static gboolean
is_opaque_encoding (const char *enc)
{
	return is_ci (enc, "base64") || is_ci (enc, "quoted-printable") || is_ci (enc, "x-uuencode") ||
	       is_ci (enc, "uuencode") || is_ci (enc, "x-uue");
}

/* TRUE for body-type-msg (RFC 3501 §9): message/rfc822 (or RFC 9051
 * message/global) with an envelope and a nested body that is to be entered.
 * Otherwise the part is a leaf: counted once by A3, not entered. */
static gboolean
has_nested_message (const MpImapValue *body, const char *type, const char *subtype)
{
	return mp_part_is_embedded_message (type, subtype) &&
	       !is_opaque_encoding (nstring (mp_imap_value_get_child (body, F_ENC))) &&
	       mp_imap_value_is_list (mp_imap_value_get_child (body, F_AFTER_FIELDS)) &&
	       mp_imap_value_is_list (mp_imap_value_get_child (body, F_AFTER_FIELDS + 1));
}

/* body-fld-dsp: "(" string SP body-fld-param ")" / nil. Also tolerates a
 * bare string, which some servers send. */
static void
read_disposition (const MpImapValue *dsp, const char **type, const MpImapValue **params)
{
	*type = NULL;
	*params = NULL;
	if (mp_imap_value_is_list (dsp)) {
		*type = nstring (mp_imap_value_get_child (dsp, 0));
		*params = mp_imap_value_get_child (dsp, 1);
	} else {
		*type = nstring (dsp);
	}
}

static char *
part_filename (const Walk *w, const MpImapValue *dsp_params, const MpImapValue *ct_params)
{
	/* g_mime_part_get_filename(): the disposition's filename, then the
	 * content type's name */
	char *name = mp_imap_body_param_value (dsp_params, "filename", w->decode);

	return name != NULL ? name : mp_imap_body_param_value (ct_params, "name", w->decode);
}

static void
add_region (Walk *w, const MpImapValue *body, const char *section, guint64 octets, gint attachment)
{
	MpImapRegion r = { 0 };

	if (w->regions == NULL)
		return;
	/* a single-part message's body is part 1 (RFC 3501 §6.4.5) */
	r.section = g_strdup (*section ? section : "1");
	r.encoding = g_strdup (nstring (mp_imap_value_get_child (body, F_ENC)));
	r.octets = octets;
	r.attachment = attachment;
	g_array_append_val (w->regions, r);
}

static void
walk_leaf (Walk *w, const MpImapValue *body, MpPartRole role, guint depth, guint nested,
           const char *section)
{
	const char *type = nstring (mp_imap_value_get_child (body, F_TYPE));
	const char *subtype = nstring (mp_imap_value_get_child (body, F_SUBTYPE));
	const MpImapValue *ct_params = mp_imap_value_get_child (body, F_PARAMS);
	const char *id = nstring (mp_imap_value_get_child (body, F_ID));
	const MpImapValue *dsp_params = NULL;
	gboolean message = FALSE;
	guint ext = F_AFTER_FIELDS;
	guint64 octets = 0;
	MpPartInfo info = { 0 };
	MpPartKind kind;

	if (mp_imap_value_get_n_children (body) < F_AFTER_FIELDS)
		malformed (w, "body-type-1part with fewer than 7 fields");
	/* GMime's default for a part without Content-Type (RFC 2045 §5.2) */
	if (type == NULL || subtype == NULL) {
		type = "text";
		subtype = "plain";
	} else if (*type == '\0' || *subtype == '\0') {
		/* a Content-Type the server could not read ("X-ZIP; name=a.zip"):
		 * Dovecot says "" "" and drops its parameters; GMime reads such a
		 * field of a local copy as application/octet-stream and warns */
		type = "application";
		subtype = "octet-stream";
		mp_message_add_problem (w->m, MP_PROBLEM_INVALID_CONTENT_TYPE, "the server could not read it");
	}
	message = has_nested_message (body, type, subtype);
	if (mp_part_is_embedded_message (type, subtype) &&
	    mp_imap_value_is_list (mp_imap_value_get_child (body, F_AFTER_FIELDS))) {
		ext = F_AFTER_FIELDS + 3; /* envelope, body, body-fld-lines */
	} else if (is_ci (type, "text")) {
		ext = F_AFTER_FIELDS + 1; /* body-fld-lines */
	}
	/* ext + 0 is body-fld-md5, ext + 1 body-fld-dsp (extension data: only in
	 * BODYSTRUCTURE, not in BODY; RFC 3501 §7.4.2) */
	read_disposition (mp_imap_value_get_child (body, ext + 1), &info.disposition, &dsp_params);
	mp_imap_value_get_number (mp_imap_value_get_child (body, F_OCTETS), &octets);

	info.type = type;
	info.subtype = subtype;
	info.role = role;
	info.has_filename = params_have (dsp_params, "filename") || params_have (ct_params, "name");
	info.has_content_id = id != NULL && *id != '\0';

	kind = mp_part_classify (&info);
	if (nested == 0) {
		gint index = -1;
		w->m->flags |= mp_part_flags (&info);
		if (kind == MP_PART_ATTACHMENT) {
			/* server strings are kept whole up to the parser's limit (1 MiB):
			 * reports get what a local copy's header would give, 2,000
			 * characters at most (issue 14, item 4) */
			g_autofree char *raw_type = g_strconcat (type, "/", subtype, NULL);
			g_autofree char *raw_name = part_filename (w, dsp_params, ct_params);
			g_autofree char *mime_type = mp_message_capped_text (raw_type);
			g_autofree char *filename = raw_name ? mp_message_capped_text (raw_name) : NULL;
			w->m->attachments++;
			index = (gint) w->m->attachment_list->len;
			mp_message_add_attachment (w->m, filename, mime_type, octets);
		} else if (kind == MP_PART_INLINE) {
			w->m->inline_parts++;
		}
		/* an attached message is one region, entered or not */
		add_region (w, body, section, octets, index);
	} else if (kind == MP_PART_ATTACHMENT) {
		w->m->nested_attachments++;
	}

	/* A3: an attached e-mail counts once; what it carries is reported as
	 * nested_attachments, never in the count. As in mime-gmime.c, a
	 * message whose whole body is message/rfc822 (a digest, a bounce) has
	 * its inner attachments nested too, though that body is no attachment. */
	if (message)
		walk_body (w, mp_imap_value_get_child (body, F_AFTER_FIELDS + 1), MP_PART_ROLE_ROOT,
		           depth + 1, nested + 1, section);
}

static void
walk_body (Walk *w, const MpImapValue *body, MpPartRole role, guint depth, guint nested,
           const char *section)
{
	if (depth > MP_IMAP_MAX_WALK_DEPTH) {
		mp_message_add_problem (w->m, MP_PROBLEM_NESTING_OVERFLOW, NULL);
		return;
	}
	if (!mp_imap_value_is_list (body) || mp_imap_value_get_n_children (body) == 0) {
		malformed (w, "body is not a non-empty list");
		return;
	}
	/* every entity below the message counts, multiparts and the parts of
	 * attached messages included (message.h) */
	w->m->mime_parts++;
	w->m->depth = MAX (w->m->depth, depth);
	if (mp_imap_value_is_list (mp_imap_value_get_child (body, 0)))
		walk_multipart (w, body, depth, nested, section);
	else
		walk_leaf (w, body, role, depth, nested, section);
}

void
mp_imap_region_clear (MpImapRegion *r)
{
	g_clear_pointer (&r->section, g_free);
	g_clear_pointer (&r->encoding, g_free);
}

void
mp_imap_bodystructure_analyze_regions (const MpImapValue *body, MpMessage *m, GArray *regions,
                                       MpImapWordDecoder decode)
{
	Walk w = { m, regions, decode };

	/* mime-gmime.c walk_message (&ctx, msg, 0, 0): the top body has the
	 * ROOT role and depth 0 */
	walk_body (&w, body, MP_PART_ROLE_ROOT, 0, 0, "");
}

void
mp_imap_bodystructure_analyze (const MpImapValue *body, MpMessage *m, MpImapWordDecoder decode)
{
	mp_imap_bodystructure_analyze_regions (body, m, NULL, decode);
}
