/* mime-gmime.c — the GMime tree walk (see mime-gmime.h). */
#include "mime-gmime.h"

#include "archive-list.h"
#include "octets.h"

#include <string.h>

/* Deeper than GMime's own MAX_LEVEL (1024) cannot happen; the cap keeps our
 * recursive walk's stack bounded even if that ever changes. */
#define MP_MAX_WALK_DEPTH 1100

struct _MpMimeGmime {
	GMimeParserOptions *options;
	MpMessage          *current; /* the message the warning callback writes to */
	gboolean            headers_only; /* only a header block is parsed */
};

static MpProblemCode
warning_code (GMimeParserWarning w)
{
	switch (w) {
	case GMIME_WARN_DUPLICATED_HEADER: return MP_PROBLEM_DUPLICATED_HEADER;
	case GMIME_WARN_DUPLICATED_PARAMETER: return MP_PROBLEM_DUPLICATED_PARAMETER;
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return MP_PROBLEM_UNENCODED_8BIT_HEADER;
	case GMIME_WARN_INVALID_CONTENT_TYPE: return MP_PROBLEM_INVALID_CONTENT_TYPE;
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return MP_PROBLEM_UNDECODABLE_ENCODED_WORD;
	case GMIME_WARN_MALFORMED_MULTIPART: return MP_PROBLEM_MALFORMED_MULTIPART;
	case GMIME_WARN_TRUNCATED_MESSAGE: return MP_PROBLEM_TRUNCATED;
	case GMIME_WARN_MALFORMED_MESSAGE: return MP_PROBLEM_MALFORMED_MESSAGE;
	case GMIME_CRIT_INVALID_HEADER_NAME: return MP_PROBLEM_MALFORMED_HEADER;
	case GMIME_CRIT_CONFLICTING_HEADER: return MP_PROBLEM_CONFLICTING_HEADER;
	case GMIME_CRIT_CONFLICTING_PARAMETER: return MP_PROBLEM_CONFLICTING_PARAMETER;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY;
	case GMIME_WARN_INVALID_PARAMETER: return MP_PROBLEM_INVALID_PARAMETER;
	case GMIME_WARN_INVALID_ADDRESS_LIST: return MP_PROBLEM_INVALID_ADDRESS_LIST;
	case GMIME_CRIT_NESTING_OVERFLOW: return MP_PROBLEM_NESTING_OVERFLOW;
	case GMIME_WARN_PART_WITHOUT_CONTENT: return MP_PROBLEM_PART_WITHOUT_CONTENT;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return MP_PROBLEM_PART_WITHOUT_HEADERS_OR_CONTENT;
	default: return MP_PROBLEM_PARSER_WARNING;
	}
}

/* Warnings about the header fields themselves, which a header block alone
 * shows as the whole message would. */
static gboolean
is_header_warning (GMimeParserWarning w)
{
	switch (w) {
	case GMIME_WARN_DUPLICATED_HEADER:
	case GMIME_WARN_DUPLICATED_PARAMETER:
	case GMIME_WARN_UNENCODED_8BIT_HEADER:
	case GMIME_WARN_INVALID_CONTENT_TYPE:
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
	case GMIME_CRIT_INVALID_HEADER_NAME:
	case GMIME_CRIT_CONFLICTING_HEADER:
	case GMIME_CRIT_CONFLICTING_PARAMETER:
	case GMIME_WARN_INVALID_PARAMETER:
	case GMIME_WARN_INVALID_ADDRESS_LIST:
		return TRUE;
	default:
		return FALSE;
	}
}

static void
on_parser_warning (gint64 offset, GMimeParserWarning errcode, const gchar *item, gpointer user_data)
{
	MpMimeGmime *g = user_data;

	/* a header block alone: what GMime says of the missing body is not so */
	if (g->headers_only && !is_header_warning (errcode))
		return;
	if (g->current != NULL)
		mp_message_add_problem (g->current, warning_code (errcode), item);
}

MpMimeGmime *
mp_mime_gmime_new (void)
{
	MpMimeGmime *g = g_new0 (MpMimeGmime, 1);

	mp_gmime_init_once ();
	g->options = g_mime_parser_options_new ();
	g_mime_parser_options_set_warning_callback (g->options, on_parser_warning, g);
	return g;
}

void
mp_mime_gmime_free (MpMimeGmime *g)
{
	if (g == NULL)
		return;
	g_mime_parser_options_free (g->options);
	g_free (g);
}

/* The CRLF size of a leaf's body as stored (still transfer-encoded): the
 * same number IMAP reports as body-fld-octets. Streams from the persisted
 * source; nothing is decoded (GMime 3.2.13 decodes chunked base64 wrongly,
 * GMIME-IMAP-FACTS §5). */
static guint64
encoded_size (GMimeObject *obj, gboolean mbox_quoted)
{
	GMimeDataWrapper *content;
	GMimeStream *stream;
	MpRegionCounter c;
	char buf[16384];
	gint64 saved;
	gssize n;

	if (GMIME_IS_MESSAGE_PART (obj)) {
		/* parsed as a message: re-serialize in CRLF form to count it */
		GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
		g_autoptr(GMimeStream) null = g_mime_stream_null_new ();
		GMimeFormatOptions *fo;
		if (inner == NULL)
			return 0;
		fo = g_mime_format_options_new ();
		g_mime_format_options_set_newline_format (fo, GMIME_NEWLINE_FORMAT_DOS);
		g_mime_object_write_to_stream (GMIME_OBJECT (inner), fo, null);
		g_mime_format_options_free (fo);
		return GMIME_STREAM_NULL (null)->written;
	}
	if (!GMIME_IS_PART (obj))
		return 0;
	content = g_mime_part_get_content (GMIME_PART (obj));
	if (content == NULL || (stream = g_mime_data_wrapper_get_stream (content)) == NULL)
		return 0;
	if (GMIME_IS_STREAM_MEM (stream)) {
		/* parsed from memory (persist_stream): the content is a window
		 * [bound_start, bound_end) of the message buffer; count it there
		 * instead of copying it out through g_mime_stream_read */
		GByteArray *ba = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
		if (ba != NULL) {
			gint64 from = MAX (stream->bound_start, 0);
			gint64 to = stream->bound_end < 0 ? (gint64) ba->len : MIN (stream->bound_end, (gint64) ba->len);
			if (to < from)
				to = from;
			return mp_region_size (ba->data + from, (gsize) (to - from), mbox_quoted);
		}
	}
	saved = g_mime_stream_tell (stream);
	if (g_mime_stream_reset (stream) == -1)
		return 0;
	mp_region_counter_init (&c, mbox_quoted);
	while ((n = g_mime_stream_read (stream, buf, sizeof buf)) > 0)
		mp_region_counter_feed (&c, (const guint8 *) buf, (gsize) n);
	if (saved >= 0)
		g_mime_stream_seek (stream, saved, GMIME_STREAM_SEEK_SET);
	return mp_region_counter_total (&c);
}

/* What g_mime_part_get_filename() returns for these headers (gmime-part.c,
 * 3.2.13), for a leaf that is no GMimePart (a message/rfc822 part). */
static const char *
headers_filename (GMimeContentType *ct, GMimeContentDisposition *d)
{
	const char *name;

	if (d && (name = g_mime_content_disposition_get_parameter (d, "filename")) != NULL)
		return name;
	return ct ? g_mime_content_type_get_parameter (ct, "name") : NULL;
}

static const char *
part_filename (GMimeObject *obj)
{
	if (GMIME_IS_PART (obj))
		return g_mime_part_get_filename (GMIME_PART (obj)); /* RFC 2231-decoded */
	return headers_filename (g_mime_object_get_content_type (obj),
	                         g_mime_object_get_content_disposition (obj));
}

typedef struct {
	MpMessage      *m;
	gboolean        list_archives;
	gboolean        mbox_quoted;
	MpMimeRecorder *recorder;
} WalkCtx;

/* Decodes a leaf's content (base64, QP, uuencode) as a stream and lists it. */
static void
list_archive (GMimeObject *obj, MpAttachment *att)
{
	GMimeDataWrapper *content;
	GMimeStream *raw;
	g_autoptr(GMimeStream) filtered = NULL;
	GMimeFilter *decoder;

	if (!GMIME_IS_PART (obj))
		return;
	content = g_mime_part_get_content (GMIME_PART (obj));
	if (content == NULL || (raw = g_mime_data_wrapper_get_stream (content)) == NULL)
		return;
	if (g_mime_stream_reset (raw) == -1)
		return;
	filtered = g_mime_stream_filter_new (raw);
	decoder = g_mime_filter_basic_new (g_mime_data_wrapper_get_encoding (content), FALSE);
	g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
	g_object_unref (decoder);
	mp_archive_list (filtered, att);
}

static void walk (WalkCtx *ctx, GMimeObject *obj, MpPartRole role, guint depth, guint nested);

static void
walk_message (WalkCtx *ctx, GMimeMessage *msg, guint depth, guint nested)
{
	GMimeObject *body = g_mime_message_get_mime_part (msg);

	if (body != NULL)
		walk (ctx, body, MP_PART_ROLE_ROOT, depth, nested);
}

static void
walk (WalkCtx *ctx, GMimeObject *obj, MpPartRole role, guint depth, guint nested)
{
	GMimeContentType *ct = g_mime_object_get_content_type (obj);
	const char *type = ct ? g_mime_content_type_get_media_type (ct) : "text";
	const char *subtype = ct ? g_mime_content_type_get_media_subtype (ct) : "plain";
	GMimeContentDisposition *disp;
	MpPartInfo info = { 0 };
	MpPartKind kind;

	if (depth > MP_MAX_WALK_DEPTH) {
		mp_message_add_problem (ctx->m, MP_PROBLEM_NESTING_OVERFLOW, NULL);
		return;
	}
	ctx->m->mime_parts++;
	if (depth > ctx->m->depth)
		ctx->m->depth = depth;

	if (GMIME_IS_MULTIPART (obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART (obj);
		gboolean is_signed = g_ascii_strcasecmp (subtype, "signed") == 0;
		gboolean is_encrypted = g_ascii_strcasecmp (subtype, "encrypted") == 0;
		int count = g_mime_multipart_get_count (mp);

		if (nested == 0) {
			if (is_signed)
				ctx->m->flags |= MP_MSG_FLAG_SIGNED;
			if (is_encrypted)
				ctx->m->flags |= MP_MSG_FLAG_ENCRYPTED;
		}
		for (int i = 0; i < count; i++) {
			MpPartRole child_role = MP_PART_ROLE_PLAIN;
			if (is_signed && i == 1)
				child_role = MP_PART_ROLE_SIGNATURE;
			else if (is_encrypted && i == 0)
				child_role = MP_PART_ROLE_ENCRYPTED_CONTROL;
			walk (ctx, g_mime_multipart_get_part (mp, i), child_role, depth + 1, nested);
		}
		return;
	}

	info.type = type;
	info.subtype = subtype;
	info.role = role;
	disp = g_mime_object_get_content_disposition (obj);
	if (disp != NULL)
		info.disposition = g_mime_content_disposition_get_disposition (disp);
	info.has_filename = mp_part_has_filename (ct, disp, g_mime_object_get_header (obj, "Content-Type"));
	info.has_content_id = g_mime_object_get_content_id (obj) != NULL;

	kind = mp_mime_record_leaf (ctx->recorder, ctx->m, &info,
	                            g_mime_object_get_content_type_parameter (obj, "charset"), nested);
	if (nested == 0 && kind == MP_PART_ATTACHMENT) {
		g_autofree char *mime_type = g_strdup_printf ("%s/%s", type, subtype);
		MpAttachment *att = mp_message_add_attachment (ctx->m, part_filename (obj), mime_type,
		                                               encoded_size (obj, ctx->mbox_quoted));
		if (ctx->list_archives && mp_archive_is_candidate (att->mime_type, att->filename))
			list_archive (obj, att);
	}

	/* A3: an attached e-mail counts once; what it carries is reported as
	 * nested_attachments, never in the count. The walk goes through
	 * multipart containers only (DEFINITIONS.md), so a message whose whole
	 * body is message/rfc822 (a digest, a bounce) has its inner attachments
	 * nested too, though that body itself is no attachment. */
	if (GMIME_IS_MESSAGE_PART (obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
		if (inner != NULL)
			walk_message (ctx, inner, depth + 1, nested + 1);
	}
}

/* RFC 5322 §2.2: header bodies are US-ASCII (RFC 6532 allows UTF-8 only
 * where both ends agreed). GMime 3.2.13 does not warn in loose mode. */
static void
check_8bit_headers (MpMessage *m, GMimeObject *obj)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list (obj);
	int n = headers ? g_mime_header_list_get_count (headers) : 0;

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at (headers, i);
		const char *raw = g_mime_header_get_raw_value (h);
		for (const char *p = raw; p && *p; p++) {
			if ((guchar) *p >= 0x80) {
				mp_message_add_problem (m, MP_PROBLEM_UNENCODED_8BIT_HEADER, g_mime_header_get_name (h));
				return;
			}
		}
	}
}

/* The header facts of MSG, as GMime parsed them, to the recorder. */
static void
record_headers (MpMimeRecorder *r, MpMessage *m, GMimeMessage *msg)
{
	static const char *const worded[] = { "Subject", "From", "To", "Cc" };
	GMimeObject *obj = GMIME_OBJECT (msg);
	GMimeHeaderList *list = g_mime_object_get_header_list (obj);
	MpHeaderFacts h = { { NULL } };

	check_8bit_headers (m, obj);
	for (gsize i = 0; i < G_N_ELEMENTS (worded); i++) {
		/* the raw value: get_header() returns it decoded already */
		GMimeHeader *hd = list ? g_mime_header_list_get_header (list, worded[i]) : NULL;
		if (hd != NULL)
			h.worded_raw[i] = g_mime_header_get_raw_value (hd);
	}
	h.date_value = g_mime_object_get_header (obj, "Date");
	h.date = g_mime_message_get_date (msg);
	h.from = g_mime_message_get_from (msg);
	h.from_value = g_mime_object_get_header (obj, "From");
	h.subject = g_mime_message_get_subject (msg);
	h.message_id = g_mime_message_get_message_id (msg);
	h.status = g_mime_object_get_header (obj, "Status");
	h.x_status = g_mime_object_get_header (obj, "X-Status");
	h.mozilla_status = g_mime_object_get_header (obj, "X-Mozilla-Status");
	mp_mime_record_headers (r, m, &h);
}

void
mp_mime_gmime_analyze (MpMimeGmime *g, MpMimeRecorder *r, GMimeStream *stream,
                       gboolean list_archives, gboolean mbox_quoted, MpMessage *m)
{
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
	g_autoptr(GMimeMessage) msg = NULL;
	WalkCtx ctx = { m, list_archives, mbox_quoted, r };

	g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream (parser, TRUE);
	g->current = m;
	msg = g_mime_parser_construct_message (parser, g->options);
	if (msg == NULL) {
		mp_message_add_problem (m, MP_PROBLEM_UNPARSEABLE, "GMime could not read a header block");
		g->current = NULL;
		return;
	}
	record_headers (r, m, msg);
	walk_message (&ctx, msg, 0, 0);
	g->current = NULL;
}

void
mp_mime_gmime_analyze_headers (MpMimeGmime *g, MpMimeRecorder *r, GMimeStream *headers, MpMessage *m)
{
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (headers);
	g_autoptr(GMimeMessage) msg = NULL;

	g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
	g->current = m;
	g->headers_only = TRUE;
	msg = g_mime_parser_construct_message (parser, g->options);
	g->headers_only = FALSE;
	if (msg == NULL)
		mp_message_add_problem (m, MP_PROBLEM_UNPARSEABLE, "GMime could not read a header block");
	else
		record_headers (r, m, msg);
	g->current = NULL;
}
