/* digest.c — SHA-256 of decoded attachments (see digest.h). */
#include "digest.h"
#include "mime-analyze.h"
#include "mime-record.h"
#include "item.h"
#include "part-class.h"

#include <openssl/evp.h>
#include <string.h>

/* small enough for the stack: buffers made and freed per attachment would
 * cost page faults (glibc gives memory back to the kernel on free) */
#define CHUNK (32 * 1024)

struct _MpFixSha {
	EVP_MD_CTX *ctx;
};

MpFixSha *
mp_fix_sha_new (void)
{
	MpFixSha *s = g_new0 (MpFixSha, 1);

	s->ctx = EVP_MD_CTX_new ();
	if (s->ctx == NULL || EVP_DigestInit_ex (s->ctx, EVP_sha256 (), NULL) != 1)
		g_critical ("OpenSSL: SHA-256 is not available");
	return s;
}

void
mp_fix_sha_update (MpFixSha *s, const void *data, gsize len)
{
	if (len > 0)
		EVP_DigestUpdate (s->ctx, data, len);
}

void
mp_fix_sha_finish (MpFixSha *s, char hex[65])
{
	guint8 md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char digits[] = "0123456789abcdef";

	EVP_DigestFinal_ex (s->ctx, md, &n);
	for (unsigned int i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	mp_fix_sha_free (s);
}

void
mp_fix_sha_free (MpFixSha *s)
{
	if (s == NULL)
		return;
	EVP_MD_CTX_free (s->ctx);
	g_free (s);
}

void
mp_fix_decoder_init (MpFixDecoder *d, GMimeContentEncoding encoding)
{
	memset (d, 0, sizeof *d);
	d->encoding = encoding;
}

void
mp_fix_decoder_feed (MpFixDecoder *d, const guint8 *in, gsize len, GByteArray *out)
{
	guint old = out->len;
	gsize n;

	switch (d->encoding) {
	case GMIME_CONTENT_ENCODING_BASE64:
		/* GLib's: GMime 3.2.13's stops at the first '=' (gmime#150) */
		g_byte_array_set_size (out, old + (guint) (len / 4 * 3 + 3));
		n = g_base64_decode_step ((const char *) in, len, out->data + old, &d->state, &d->save);
		g_byte_array_set_size (out, old + (guint) n);
		break;
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE: {
		guint32 save = d->save;
		g_byte_array_set_size (out, old + (guint) len + 3);
		n = g_mime_encoding_quoted_decode_step (in, len, out->data + old, &d->state, &save);
		d->save = save;
		g_byte_array_set_size (out, old + (guint) n);
		break;
	}
	default:
		/* 7bit, 8bit, binary; uuencode is hashed as it is stored (and
		 * never detached: decoded it would need its begin line) */
		g_byte_array_append (out, in, (guint) len);
		break;
	}
}

gboolean
mp_fix_part_decode (GMimePart *part, MpFixChunkFunc func, gpointer user_data, char sha256[65], guint64 *size,
                    GError **error)
{
	GMimeDataWrapper *content = g_mime_part_get_content (part);
	GMimeStream *stream = content ? g_mime_data_wrapper_get_stream (content) : NULL;
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	g_autoptr(GByteArray) out = g_byte_array_sized_new (CHUNK);
	char buf[CHUNK];
	MpFixDecoder d;
	gssize n;

	*size = 0;
	mp_fix_decoder_init (&d, content ? g_mime_data_wrapper_get_encoding (content) : GMIME_CONTENT_ENCODING_DEFAULT);
	if (stream != NULL) {
		if (g_mime_stream_reset (stream) != 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "an attachment cannot be read");
			return FALSE;
		}
		while ((n = mp_fix_stream_read (stream, buf, CHUNK)) > 0) {
			g_byte_array_set_size (out, 0);
			mp_fix_decoder_feed (&d, (const guint8 *) buf, (gsize) n, out);
			mp_fix_sha_update (sha, out->data, out->len);
			*size += out->len;
			if (func != NULL && out->len > 0 && !func (out->data, out->len, user_data, error))
				return FALSE;
		}
		if (n < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "an attachment cannot be read");
			return FALSE;
		}
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), sha256);
	return TRUE;
}

void
mp_fix_attachment_free (MpFixAttachment *a)
{
	if (a == NULL)
		return;
	g_free (a->name);
	g_free (a->type);
	g_free (a->detached);
	g_free (a);
}

/* GMime's serialization of an attached message it parsed. */
static gboolean
message_part_digest (GMimeMessagePart *mp, char sha256[65], guint64 *size)
{
	GMimeMessage *inner = g_mime_message_part_get_message (mp);
	g_autoptr(GMimeStream) null = g_mime_stream_null_new ();
	g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (null);
	GMimeFilter *sum = g_mime_filter_checksum_new (G_CHECKSUM_SHA256);
	g_autofree char *hex = NULL;

	g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), sum);
	if (inner != NULL)
		g_mime_object_write_to_stream (GMIME_OBJECT (inner), NULL, filtered);
	g_mime_stream_flush (filtered);
	hex = g_mime_filter_checksum_get_string (GMIME_FILTER_CHECKSUM (sum)); /* newly allocated */
	g_strlcpy (sha256, hex, 65);
	*size = GMIME_STREAM_NULL (null)->written;
	g_object_unref (sum);
	return TRUE;
}

typedef struct {
	GPtrArray *list;
	GArray    *written_back; /* guint: entries of LIST digested as GMime writes them back */
	GError   **error;
	gboolean   failed;
} IndexCtx;

static void
index_walk (IndexCtx *ctx, GMimeObject *obj, MpPartRole role, guint depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type (obj);
	const char *type = ct ? g_mime_content_type_get_media_type (ct) : "text";
	const char *subtype = ct ? g_mime_content_type_get_media_subtype (ct) : "plain";
	GMimeContentDisposition *disp;
	MpPartInfo info = { 0 };
	MpFixAttachment *a;

	if (ctx->failed || depth > 1100) /* GMime stops at 1024 levels */
		return;
	if (GMIME_IS_MULTIPART (obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART (obj);
		gboolean is_signed = g_ascii_strcasecmp (subtype, "signed") == 0;
		gboolean is_encrypted = g_ascii_strcasecmp (subtype, "encrypted") == 0;

		for (int i = 0; i < g_mime_multipart_get_count (mp); i++) {
			MpPartRole r = MP_PART_ROLE_PLAIN;
			if (is_signed && i == 1)
				r = MP_PART_ROLE_SIGNATURE;
			else if (is_encrypted && i == 0)
				r = MP_PART_ROLE_ENCRYPTED_CONTROL;
			index_walk (ctx, g_mime_multipart_get_part (mp, i), r, depth + 1);
		}
		return;
	}
	info.type = type;
	info.subtype = subtype;
	info.role = role;
	disp = g_mime_object_get_content_disposition (obj);
	if (disp != NULL)
		info.disposition = g_mime_content_disposition_get_disposition (disp);
	/* the analyzer's reading of a file name (also a name in a Content-Type
	 * GMime cannot parse), so that the fix counts what the scan counts */
	info.has_filename = mp_part_has_filename (ct, disp, g_mime_object_get_header (obj, "Content-Type"));
	info.has_content_id = g_mime_object_get_content_id (obj) != NULL;
	if (mp_part_classify (&info) != MP_PART_ATTACHMENT)
		return;
	a = g_new0 (MpFixAttachment, 1);
	a->type = g_ascii_strdown (type, -1);
	{
		g_autofree char *sub = g_ascii_strdown (subtype, -1);
		g_autofree char *t = a->type;
		a->type = g_strdup_printf ("%s/%s", t, sub);
	}
	if (GMIME_IS_PART (obj)) {
		const char *name = g_mime_part_get_filename (GMIME_PART (obj));
		a->name = name ? g_utf8_make_valid (name, -1) : NULL;
		if (!mp_fix_part_decode (GMIME_PART (obj), NULL, NULL, a->sha256, &a->size, ctx->error)) {
			mp_fix_attachment_free (a);
			ctx->failed = TRUE;
			return;
		}
	} else if (GMIME_IS_MESSAGE_PART (obj)) {
		const char *name = disp ? g_mime_content_disposition_get_parameter (disp, "filename") : NULL;
		a->name = name ? g_utf8_make_valid (name, -1) : NULL;
		message_part_digest (GMIME_MESSAGE_PART (obj), a->sha256, &a->size);
		memcpy (a->written_sha256, a->sha256, sizeof a->written_sha256);
		g_array_append_val (ctx->written_back, ctx->list->len);
	} else {
		mp_fix_attachment_free (a);
		return;
	}
	g_ptr_array_add (ctx->list, a);
}

/* The SHA-256 and the number of octets [START, END) of STREAM. */
static gboolean
range_digest (GMimeStream *stream, guint64 start, guint64 end, char sha256[65], guint64 *size, GError **error)
{
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char buf[CHUNK];

	*size = end - start;
	if (g_mime_stream_seek (stream, (gint64) start, GMIME_STREAM_SEEK_SET) < 0)
		goto unreadable;
	while (start < end) {
		gssize n = mp_fix_stream_read (stream, buf, (gsize) MIN ((guint64) CHUNK, end - start));
		if (n <= 0)
			goto unreadable;
		mp_fix_sha_update (sha, buf, (gsize) n);
		start += (guint64) n;
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), sha256);
	return TRUE;
unreadable:
	g_set_error (error, MP_ERROR, MP_ERROR_READ, "an attached message cannot be read at %" G_GUINT64_FORMAT, start);
	return FALSE;
}

/* An attached message GMime parsed keeps no offsets, so the walk digests it
 * as GMime writes it back, which is not byte for byte (GMIME-IMAP-FACTS
 * §4.2) and would let a copy that changed a byte of it pass. The analyzer's
 * counter finds its stored bytes (by RFC 2046, so that they do not depend on
 * the line end written before the next delimiter); where it lists the
 * walk's attachments (as many, the same types in order), those bytes are
 * digested too, and the check compares the bytes themselves wherever both
 * sides have them (mp_fix_attachment_same). */
static gboolean
stored_digests (IndexCtx *ctx, GMimeStream *stream)
{
	g_autoptr(GArray) stored = NULL;

	if (ctx->written_back->len == 0)
		return TRUE;
	if (g_mime_stream_reset (stream) != 0) {
		g_set_error (ctx->error, MP_ERROR, MP_ERROR_READ, "a message cannot be read");
		return FALSE;
	}
	stored = mp_analyzer_stored_attachments (stream, ctx->list->len + 1);
	if (stored == NULL || stored->len != ctx->list->len)
		return TRUE;
	for (guint i = 0; i < stored->len; i++)
		if (g_ascii_strcasecmp (g_array_index (stored, MpStoredAttachment, i).mime_type,
		                        ((const MpFixAttachment *) g_ptr_array_index (ctx->list, i))->type) != 0)
			return TRUE;
	for (guint k = 0; k < ctx->written_back->len; k++) {
		guint i = g_array_index (ctx->written_back, guint, k);
		const MpStoredAttachment *s = &g_array_index (stored, MpStoredAttachment, i);
		MpFixAttachment *a = g_ptr_array_index (ctx->list, i);
		if (!range_digest (stream, s->start, s->end, a->sha256, &a->size, ctx->error))
			return FALSE;
		a->stored = TRUE;
	}
	return TRUE;
}

gboolean
mp_fix_attachment_same (const MpFixAttachment *o, const MpFixAttachment *a)
{
	if (o->stored == a->stored && strcmp (o->sha256, a->sha256) == 0)
		return TRUE;
	return o->stored != a->stored && o->written_sha256[0] != '\0' &&
	       strcmp (o->written_sha256, a->written_sha256) == 0;
}

GPtrArray *
mp_fix_attachment_index (GMimeMessage *msg, GMimeStream *stream, GError **error)
{
	IndexCtx ctx = { g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_attachment_free),
	                 g_array_new (FALSE, FALSE, sizeof (guint)), error, FALSE };
	GMimeObject *body = g_mime_message_get_mime_part (msg);

	if (body != NULL) {
		/* the root itself is an attachment only by A1/A2 (never A3) */
		index_walk (&ctx, body, MP_PART_ROLE_ROOT, 0);
	}
	if (!ctx.failed && !stored_digests (&ctx, stream))
		ctx.failed = TRUE;
	g_array_unref (ctx.written_back);
	if (ctx.failed) {
		g_ptr_array_unref (ctx.list);
		return NULL;
	}
	return ctx.list;
}

gboolean
mp_fix_stream_sha256 (GMimeStream *stream, char sha256[65], GError **error)
{
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char buf[CHUNK];
	gssize n;

	if (g_mime_stream_reset (stream) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read");
		return FALSE;
	}
	while ((n = mp_fix_stream_read (stream, buf, CHUNK)) > 0)
		mp_fix_sha_update (sha, buf, (gsize) n);
	if (n < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read");
		return FALSE;
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), sha256);
	return TRUE;
}
