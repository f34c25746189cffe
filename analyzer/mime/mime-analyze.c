#include "mime-analyze.h"
#include "stream-pread.h"

#include "archive-list.h"
#include <iconv.h>
#include "octets.h"
#include "mime-fast.h"
#include "mime-shared.h"
#include "dates.h"
#include "worker-buffer.h"
#include "part-class.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Deeper than GMime's own MAX_LEVEL (1024) cannot happen; the cap keeps our
 * recursive walk's stack bounded even if that ever changes. */
#define MP_MAX_WALK_DEPTH 1100

struct _MpAnalyzer {
	GMimeParserOptions *options;
	GByteArray         *buffer;  /* messages up to MP_ANALYZER_MEM_MAX */
	MpAnalyzeFlags      flags;
	gboolean            mbox_quoted; /* the message being read comes from an mbox */
	GHashTable         *charsets;    /* charset name -> known (GINT_TO_POINTER 1/2) */
	MpMessage          *current; /* the message the warning callback writes to */
	MpMimeFast         *fast;    /* the light walker tried first (mime-fast.c); NULL when off */
};

static const char *
warning_code (GMimeParserWarning w)
{
	switch (w) {
	case GMIME_WARN_DUPLICATED_HEADER: return "duplicated-header";
	case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated-parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded-8bit-header";
	case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid-content-type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "undecodable-encoded-word";
	case GMIME_WARN_MALFORMED_MULTIPART: return "malformed-multipart";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated";
	case GMIME_WARN_MALFORMED_MESSAGE: return "malformed-message";
	case GMIME_CRIT_INVALID_HEADER_NAME: return "malformed-header";
	case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting-header";
	case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting-parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart-without-boundary";
	case GMIME_WARN_INVALID_PARAMETER: return "invalid-parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid-address-list";
	case GMIME_CRIT_NESTING_OVERFLOW: return "nesting-overflow";
	case GMIME_WARN_PART_WITHOUT_CONTENT: return "part-without-content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "part-without-headers-or-content";
	default: return "parser-warning";
	}
}

static void
on_parser_warning (gint64 offset, GMimeParserWarning errcode, const gchar *item, gpointer user_data)
{
	MpAnalyzer *a = user_data;

	if (a->current != NULL)
		mp_message_add_problem (a->current, warning_code (errcode), item);
}

MpAnalyzer *
mp_analyzer_new (void)
{
	MpAnalyzer *a = g_new0 (MpAnalyzer, 1);

	mp_gmime_init_once ();
	a->options = g_mime_parser_options_new ();
	/* a message up to MP_ANALYZER_MEM_MAX is read into it (Maildir, IMAP,
	 * mbox messages read again): made once (mp_worker_buffer_new), so the
	 * array never reallocates it (set_size stays within its allocation);
	 * given back before the array is freed */
	a->buffer = g_byte_array_new_take (mp_worker_buffer_new (MP_ANALYZER_MEM_MAX), MP_ANALYZER_MEM_MAX);
	g_byte_array_set_size (a->buffer, 0);
	a->charsets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	g_mime_parser_options_set_warning_callback (a->options, on_parser_warning, a);
	a->fast = mp_mime_fast_new ();
	return a;
}

void
mp_analyzer_set_fast_path (MpAnalyzer *a, gboolean enabled)
{
	if (enabled && a->fast == NULL)
		a->fast = mp_mime_fast_new ();
	else if (!enabled && a->fast != NULL)
		g_clear_pointer (&a->fast, mp_mime_fast_free);
}

guint64
mp_analyzer_fast_path_count (const MpAnalyzer *a)
{
	return a->fast != NULL ? mp_mime_fast_accepted (a->fast) : 0;
}

void
mp_analyzer_set_flags (MpAnalyzer *a, MpAnalyzeFlags flags)
{
	a->flags = flags;
}

void
mp_analyzer_free (MpAnalyzer *a)
{
	if (a == NULL)
		return;
	g_mime_parser_options_free (a->options);
	mp_worker_buffer_free (g_byte_array_steal (a->buffer, NULL));
	g_byte_array_unref (a->buffer);
	g_hash_table_unref (a->charsets);
	mp_mime_fast_free (a->fast);
	g_free (a);
}

static gboolean
param_list_has (GMimeParamList *list, const char *base)
{
	int n = list ? g_mime_param_list_length (list) : 0;

	for (int i = 0; i < n; i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at (list, i);
		const char *v = g_mime_param_get_value (p);
		if (mp_param_name_matches (g_mime_param_get_name (p), base) && v && *v)
			return TRUE;
	}
	return FALSE;
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

static const char *
part_filename (GMimeObject *obj)
{
	if (GMIME_IS_PART (obj))
		return g_mime_part_get_filename (GMIME_PART (obj)); /* RFC 2231-decoded */
	return mp_part_filename (g_mime_object_get_content_type (obj),
	                         g_mime_object_get_content_disposition (obj));
}

const char *
mp_part_filename (GMimeContentType *ct, GMimeContentDisposition *d)
{
	const char *name;

	/* what g_mime_part_get_filename() does (gmime-part.c, 3.2.13) */
	if (d && (name = g_mime_content_disposition_get_parameter (d, "filename")) != NULL)
		return name;
	return ct ? g_mime_content_type_get_parameter (ct, "name") : NULL;
}

/* TRUE when iconv knows CHARSET (cached per analyzer: one thread). GMime
 * decodes text in an unknown charset as Latin-1 without a word, so the
 * audit must say it: the target will show such text garbled. */
gboolean
mp_analyzer_charset_known (MpAnalyzer *a, const char *charset)
{
	gpointer cached;
	char small[64]; /* the lookup key, lower-cased; no allocation per part */
	g_autofree char *large = NULL;
	char *key = small;
	gsize n = strlen (charset);
	iconv_t cd;
	gboolean known;

	if (n >= sizeof small)
		key = large = g_malloc (n + 1);
	for (gsize i = 0; i <= n; i++)
		key[i] = g_ascii_tolower (charset[i]);
	if ((cached = g_hash_table_lookup (a->charsets, key)) != NULL)
		return GPOINTER_TO_INT (cached) == 1;
	cd = g_mime_iconv_open ("UTF-8", charset);
	known = cd != (iconv_t) -1;
	if (known)
		g_mime_iconv_close (cd);
	if (g_hash_table_size (a->charsets) < 256)
		g_hash_table_insert (a->charsets, g_strdup (key), GINT_TO_POINTER (known ? 1 : 2));
	return known;
}

/* The charsets named by RFC 2047 encoded words ("=?charset?Q?...?=") in a
 * raw header value, each checked. */
static void
check_encoded_word_charsets (MpAnalyzer *a, MpMessage *m, const char *raw)
{
	for (const char *p = raw; p && (p = strstr (p, "=?")) != NULL;) {
		const char *q = strchr (p + 2, '?');
		g_autofree char *charset = NULL;
		char *star;

		if (q == NULL || q - p > 66)
			return;
		charset = g_strndup (p + 2, (gsize) (q - p - 2));
		if ((star = strchr (charset, '*')) != NULL)
			*star = '\0'; /* RFC 2231 language suffix */
		if (*charset && !mp_analyzer_charset_known (a, charset))
			mp_message_add_problem (m, "unknown-charset", charset);
		p = q + 1;
	}
}

/* GMime drops the parameters of a Content-Type it cannot parse
 * ("X-ZIP; name=a.zip", "application-x-gzip; name=a.gz") and reports
 * application/octet-stream; the target still sees a named file (A2), so look
 * for a name parameter in the raw value. */
static gboolean
raw_content_type_has_name (const char *raw)
{
	g_auto(GStrv) params = NULL;

	if (raw == NULL || strchr (raw, ';') == NULL)
		return FALSE;
	params = g_strsplit (raw, ";", -1);
	for (int i = 1; params[i]; i++) {
		char *p = g_strstrip (params[i]);
		char *eq = strchr (p, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		g_strstrip (p);
		if (mp_param_name_matches (p, "name")) {
			char *v = g_strstrip (eq + 1);
			if (*v && strcmp (v, "\"\"") != 0)
				return TRUE;
		}
	}
	return FALSE;
}

typedef struct {
	MpMessage     *m;
	MpAnalyzeFlags flags;
	gboolean       mbox_quoted;
	MpAnalyzer    *analyzer;
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

gboolean
mp_part_has_filename (GMimeContentType *ct, GMimeContentDisposition *disp, const char *ct_value)
{
	if (disp != NULL && param_list_has (g_mime_content_disposition_get_parameters (disp), "filename"))
		return TRUE;
	if (ct != NULL && param_list_has (g_mime_content_type_get_parameters (ct), "name"))
		return TRUE;
	return ct_value != NULL && raw_content_type_has_name (ct_value);
}

MpPartKind
mp_analyzer_record_leaf (MpAnalyzer *a, MpMessage *m, const MpPartInfo *info, const char *charset,
                         guint nested)
{
	MpPartKind kind = mp_part_classify (info);

	if (charset && *charset && !mp_analyzer_charset_known (a, charset))
		mp_message_add_problem (m, "unknown-charset", charset);
	if (nested == 0) {
		m->flags |= mp_part_flags (info);
		if (kind == MP_PART_ATTACHMENT)
			m->attachments++;
		else if (kind == MP_PART_INLINE)
			m->inline_parts++;
	} else if (kind == MP_PART_ATTACHMENT) {
		m->nested_attachments++;
	}
	return kind;
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
		mp_message_add_problem (ctx->m, "nesting-overflow", NULL);
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

	kind = mp_analyzer_record_leaf (ctx->analyzer, ctx->m, &info,
	                                g_mime_object_get_content_type_parameter (obj, "charset"), nested);
	if (nested == 0 && kind == MP_PART_ATTACHMENT) {
		g_autofree char *mime_type = g_strdup_printf ("%s/%s", type, subtype);
		MpAttachment *att = mp_message_add_attachment (ctx->m, part_filename (obj), mime_type,
		                                               encoded_size (obj, ctx->mbox_quoted));
		if ((ctx->flags & MP_ANALYZE_LIST_ARCHIVES) && mp_archive_is_candidate (att->mime_type, att->filename))
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

static gboolean
is_blank (const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isspace (*s))
			return FALSE;
	return TRUE;
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
				mp_message_add_problem (m, "unencoded-8bit-header", g_mime_header_get_name (h));
				return;
			}
		}
	}
}

/* Header text kept for reports, cut at MP_MAX_HEADER_TEXT characters: a
 * 60 MB Subject must not become a 60 MB CSV cell. */
#define MP_MAX_HEADER_TEXT 2000

static char *
capped_text (const char *s)
{
	g_autofree char *valid = g_utf8_make_valid (s, -1);

	if (g_utf8_strlen (valid, -1) <= MP_MAX_HEADER_TEXT)
		return g_steal_pointer (&valid);
	{
		const char *cut = g_utf8_offset_to_pointer (valid, MP_MAX_HEADER_TEXT);
		return g_strdup_printf ("%.*s…", (int) (cut - valid), valid);
	}
}

static gboolean
is_ascii (const char *s)
{
	for (; *s; s++)
		if ((guchar) *s >= 0x80)
			return FALSE;
	return TRUE;
}

/* internet_address_list_to_string() writes each mailbox through
 * internet_address_mailbox_get_idn_addr() (internet-address.c, 3.2.13),
 * which, the first time, runs idn2_to_ascii_8z() on the domain and caches
 * the result in the public field idn_addr: the local part and '@', then the
 * domain unchanged when idn2 fails or returns it equal ignoring ASCII case,
 * else idn2's output. For an all-ASCII domain idn2 (UTS #46 processing) can
 * only map ASCII upper case to lower case or fail; an xn-- label is checked,
 * not rewritten, so the result is always ADDR itself. Filling the cache with
 * it here skips idn2's Unicode tables (about 31 K instructions per message,
 * the largest cost of the header facts); non-ASCII domains still go through
 * idn2. test-mime-analyze /mime-analyze/idn-shortcut compares this with
 * GMime's own output on many tricky ASCII domains. */
void
mp_address_list_prefill_idn (InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length (list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);

		if (INTERNET_ADDRESS_IS_GROUP (ia)) {
			mp_address_list_prefill_idn (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)));
		} else if (INTERNET_ADDRESS_IS_MAILBOX (ia)) {
			InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX (ia);
			if (mb->idn_addr == NULL && mb->addr != NULL && is_ascii (mb->addr))
				mb->idn_addr = g_strdup (mb->addr);
		}
	}
}

void
mp_analyzer_record_headers (MpAnalyzer *a, MpMessage *m, const MpHeaderFacts *h)
{
	const char *raw;

	for (gsize i = 0; i < G_N_ELEMENTS (h->worded_raw); i++)
		if (h->worded_raw[i] != NULL)
			check_encoded_word_charsets (a, m, h->worded_raw[i]);
	raw = h->date_value;
	if (raw != NULL)
		mp_date_check_syntax (m, raw);
	if (h->date != NULL) {
		g_free (m->date);
		m->date = mp_format_date (h->date);
		m->date_unix = g_date_time_to_unix (h->date);
		m->date_source = MP_DATE_HEADER;
	} else if (raw == NULL) {
		mp_message_add_problem (m, "missing-date", NULL);
	} else {
		mp_message_add_problem (m, "invalid-date", raw);
	}

	raw = h->from_value;
	if (h->from != NULL && internet_address_list_length (h->from) > 0) {
		g_autofree char *text = NULL;
		mp_address_list_prefill_idn (h->from);
		text = internet_address_list_to_string (h->from, NULL, FALSE);
		m->from = capped_text (text);
		m->from_addresses = (guint) internet_address_list_length (h->from);
		/* RFC 5322 §3.6.2 allows several authors with a Sender:, but
		 * importers (Google DMS) want exactly one */
		if (m->from_addresses > 1)
			mp_message_add_problem (m, "multiple-from", NULL);
	} else if (raw == NULL) {
		mp_message_add_problem (m, "missing-from", NULL);
	} else if (is_blank (raw)) {
		mp_message_add_problem (m, "empty-from", NULL);
	} else {
		mp_message_add_problem (m, "invalid-from", raw);
	}

	if (h->subject != NULL) {
		m->subject = capped_text (h->subject);
		/* GMime leaves an encoded word it cannot decode as it is */
		if (strstr (h->subject, "=?") && strstr (h->subject, "?="))
			mp_message_add_problem (m, "undecodable-encoded-word", "Subject");
	}

	raw = h->message_id;
	if (raw != NULL && *raw)
		m->message_id = capped_text (raw);
	else
		mp_message_add_problem (m, "missing-message-id", NULL);

	/* mbox Status: header (R = read), as written by mutt, UW-IMAP and Dovecot */
	if (m->read_state == MP_READ_UNKNOWN && (raw = h->status) != NULL)
		m->read_state = strchr (raw, 'R') ? MP_READ_SEEN : MP_READ_UNSEEN;
}

static void
record_headers (MpAnalyzer *a, MpMessage *m, GMimeMessage *msg)
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
	mp_analyzer_record_headers (a, m, &h);
}

void
mp_analyzer_run (MpAnalyzer *a, GMimeStream *stream, MpMessage *m)
{
	g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
	g_autoptr(GMimeMessage) msg = NULL;
	WalkCtx ctx = { m, a->flags, a->mbox_quoted, a };

	g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream (parser, TRUE);
	a->current = m;
	msg = g_mime_parser_construct_message (parser, a->options);
	if (msg == NULL) {
		mp_message_add_problem (m, "unparseable", "GMime could not read a header block");
		a->current = NULL;
		return;
	}
	record_headers (a, m, msg);
	walk_message (&ctx, msg, 0, 0);
	a->current = NULL;
}

/* All LEN bytes at OFFSET, through the backends' mp_pread_full(); a file
 * that shrank while we read it is EIO. */
static gboolean
pread_all (int fd, guint8 *buf, gsize len, guint64 offset)
{
	gssize n = mp_pread_full (fd, buf, len, offset);

	if (n >= 0 && (gsize) n < len)
		errno = EIO;
	return n >= 0 && (gsize) n == len;
}

#define COUNT_CHUNK (64 * 1024)

/* A header block larger than this is not handed to GMime, which keeps
 * headers in memory several times over: the message is reported, its size
 * counted, its parts not analyzed. Real header blocks are kilobytes; the
 * largest in the test corpora is 135 KB. */
#define MP_MAX_HEADER_BLOCK (8 * 1024 * 1024)

/* Finds the end of the header block (the first empty line) across chunks. */
typedef struct {
	guint64  offset;     /* bytes seen */
	guint64  header_end; /* offset just past the empty line, 0 while unknown */
	int      state;      /* 0 in a line, 1 after LF, 2 after LF CR */
} HeaderEnd;

static void
header_end_feed (HeaderEnd *h, const char *buf, gsize n)
{
	for (gsize i = 0; i < n && h->header_end == 0; i++) {
		char ch = buf[i];
		if (h->offset + i == 0 && (ch == '\n' || ch == '\r')) {
			h->state = ch == '\n' ? 1 : 2; /* no header at all */
			if (ch == '\n') {
				h->header_end = 1;
				break;
			}
			continue;
		}
		if (ch == '\n') {
			if (h->state >= 1) {
				h->header_end = h->offset + i + 1;
				break;
			}
			h->state = 1;
		} else if (ch == '\r' && h->state == 1) {
			h->state = 2;
		} else {
			h->state = 0;
			/* most of a line: jump to its end */
			const char *lf = memchr (buf + i, '\n', n - i);
			if (lf == NULL) {
				break;
			}
			i = (gsize) (lf - buf) - 1;
		}
	}
	h->offset += n;
}

static gboolean
note_nul (MpMessage *m, const guint8 *buf, gsize n, guint64 base)
{
	const guint8 *nul = n ? memchr (buf, 0, n) : NULL; /* buf is NULL when n is 0 */

	/* RFC 5322 §2.1 forbids NUL; GMime cuts header values at it and some
	 * servers (Cyrus) refuse the whole message */
	if (nul != NULL && !mp_message_has_problem (m, "nul-byte")) {
		g_autofree char *d = g_strdup_printf ("at octet %" G_GUINT64_FORMAT, base + (guint64) (nul - buf));
		mp_message_add_problem (m, "nul-byte", d);
	}
	return nul != NULL;
}

/* The in-memory path of mp_analyzer_run_range / _bytes: DATA may be the
 * analyzer's own buffer or the caller's (an mbox worker's read buffer). */
static void
run_in_memory (MpAnalyzer *a, const guint8 *data, gsize len, MpRangeFlags flags, MpMessage *m)
{
	g_autoptr(GMimeStream) mem = NULL;
	gboolean nul;

	if ((flags & MP_RANGE_COUNT_SIZE) != 0) {
		MpCrlfCounter c;
		mp_crlf_init (&c);
		mp_crlf_feed (&c, (const char *) data, len);
		m->size = mp_crlf_total (&c);
		m->max_line = mp_crlf_max_line (&c);
	}
	nul = note_nul (m, data, len, 0);
	/* the common case without building a GMime tree; it declines
	 * (leaving M untouched) on anything GMime might read differently */
	if (a->fast != NULL && !nul) {
		gboolean done;

		if (data == a->buffer->data) {
			done = mp_mime_fast_analyze (a->fast, a, a->buffer, a->flags, a->mbox_quoted, m);
		} else {
			/* the walker reads a GByteArray: one over the caller's bytes,
			 * without a copy, given back before it is freed */
			GByteArray *view = g_byte_array_new_take ((guint8 *) data, len);
			done = mp_mime_fast_analyze (a->fast, a, view, a->flags, a->mbox_quoted, m);
			g_byte_array_steal (view, NULL);
			g_byte_array_unref (view);
		}
		if (done)
			return;
	}
	/* GMime's persisted content streams are windows on one byte array, and
	 * encoded_size() counts in them: the bytes must be the analyzer's */
	if (data != a->buffer->data) {
		g_byte_array_set_size (a->buffer, (guint) len);
		if (len > 0)
			memcpy (a->buffer->data, data, len);
	}
	mem = g_mime_stream_mem_new_with_byte_array (a->buffer);
	g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
	mp_analyzer_run (a, mem, m);
}

void
mp_analyzer_run_bytes (MpAnalyzer *a, const guint8 *data, gsize len, MpRangeFlags flags, MpMessage *m)
{
	g_return_if_fail (len <= MP_ANALYZER_MEM_MAX);
	a->mbox_quoted = (flags & MP_RANGE_MBOX_QUOTED) != 0;
	run_in_memory (a, data, len, flags, m);
	a->mbox_quoted = FALSE;
}

void
mp_analyzer_run_range (MpAnalyzer *a, int fd, guint64 start, guint64 end, MpRangeFlags flags,
                       MpMessage *m)
{
	guint64 len = end > start ? end - start : 0;
	gboolean count_size = (flags & MP_RANGE_COUNT_SIZE) != 0;

	a->mbox_quoted = (flags & MP_RANGE_MBOX_QUOTED) != 0;
	if (len <= MP_ANALYZER_MEM_MAX) {
		g_byte_array_set_size (a->buffer, (guint) len);
		if (!pread_all (fd, a->buffer->data, (gsize) len, start)) {
			mp_message_add_problem (m, "unreadable", g_strerror (errno));
			a->mbox_quoted = FALSE;
			return;
		}
		run_in_memory (a, a->buffer->data, (gsize) len, flags, m);
	} else {
		/* one pass over the bytes for size, longest line, NUL and the end
		 * of the header block; then GMime streams from the file */
		g_autoptr(GMimeStream) sub = NULL;
		g_autofree guint8 *buf = g_malloc (COUNT_CHUNK);
		HeaderEnd h = { 0, 0, 1 };
		MpCrlfCounter c;
		int own;

		mp_crlf_init (&c);
		for (guint64 off = start; off < end; off += COUNT_CHUNK) {
			gsize n = (gsize) MIN ((guint64) COUNT_CHUNK, end - off);
			if (!pread_all (fd, buf, n, off)) {
				mp_message_add_problem (m, "unreadable", g_strerror (errno));
				a->mbox_quoted = FALSE;
				return;
			}
			if (count_size)
				mp_crlf_feed (&c, (const char *) buf, n);
			note_nul (m, buf, n, off - start);
			if (h.header_end == 0 && h.offset <= MP_MAX_HEADER_BLOCK)
				header_end_feed (&h, (const char *) buf, n);
		}
		if (count_size) {
			m->size = mp_crlf_total (&c);
			m->max_line = mp_crlf_max_line (&c);
		}
		if (h.header_end == 0 || h.header_end > MP_MAX_HEADER_BLOCK) {
			g_autofree char *d = g_strdup_printf ("no end of the header block within %d MB: "
			                                      "parts not analyzed", MP_MAX_HEADER_BLOCK >> 20);
			mp_message_add_problem (m, "oversized-header", d);
			a->mbox_quoted = FALSE;
			return;
		}
		if ((own = dup (fd)) < 0) {
			mp_message_add_problem (m, "unreadable", g_strerror (errno));
			a->mbox_quoted = FALSE;
			return;
		}
		/* pread in 128 KiB, not lseek + read per 4 KiB (stream-pread.h) */
		sub = mp_stream_pread_new (own, (gint64) start, (gint64) end);
		mp_analyzer_run (a, sub, m);
	}
	a->mbox_quoted = FALSE;
}

char *
mp_mime_decode_header_text (const char *text)
{
	/* GMime's charset tables need g_mime_init (once-guarded) */
	mp_gmime_init_once ();
	return g_mime_utils_header_decode_text (NULL, text);
}
