/* digest.h — what "the same attachment" means to the fix: the SHA-256 of
 * its decoded content. The verifier indexes every attachment of an
 * original message and of each written part this way, and a detached file
 * is named by it.
 *
 * Decoding does not trust Debian's GMime 3.2.13 where it is known wrong:
 * its base64 decoder stops at the first '=' of chunked base64
 * (jstedfast/gmime#150, GMIME-IMAP-FACTS §5), so base64 is decoded with
 * GLib's g_base64_decode_step; quoted-printable and uuencode use GMime's
 * decoders, which have no such known bug. SHA-256 is OpenSSL's (EVP, with
 * the CPU's SHA instructions: 1.4 GB/s here against GChecksum's 160 MB/s,
 * bench/RESULTS.md), already a dependency for IMAP's TLS. */
#pragma once

#include "mime-analyze.h"

G_BEGIN_DECLS

typedef struct _MpFixSha MpFixSha;

MpFixSha *mp_fix_sha_new    (void);
void      mp_fix_sha_update (MpFixSha *s, const void *data, gsize len);
/* Writes the digest as 64 lower-case hex digits and a NUL; frees S. */
void      mp_fix_sha_finish (MpFixSha *s, char hex[65]);
void      mp_fix_sha_free   (MpFixSha *s);

/* A Content-Transfer-Encoding decoder, fed in chunks. */
typedef struct {
	GMimeContentEncoding encoding;
	int                  state;
	guint                save;
} MpFixDecoder;

void      mp_fix_decoder_init (MpFixDecoder *d, GMimeContentEncoding encoding);
/* Appends the decoded octets of IN to OUT. */
void      mp_fix_decoder_feed (MpFixDecoder *d, const guint8 *in, gsize len, GByteArray *out);

/* Called with each decoded chunk of a leaf. */
typedef gboolean (*MpFixChunkFunc) (const guint8 *data, gsize len, gpointer user_data, GError **error);

/* Decodes the content of leaf PART (its stored, transfer-encoded bytes,
 * read from the persisted stream: never re-encoded) chunk by chunk into
 * FUNC; sets SHA256 and SIZE (decoded octets). FUNC may be NULL. */
gboolean  mp_fix_part_decode  (GMimePart *part, MpFixChunkFunc func, gpointer user_data,
                               char sha256[65], guint64 *size, GError **error);

/* One attachment as DEFINITIONS.md counts them (A1-A3, E1-E2), at the top
 * level of a message (not inside attached messages, which count once). */
typedef struct {
	char    *name;    /* decoded file name, or NULL */
	char    *type;    /* "type/subtype", lower case */
	char     sha256[65];
	guint64  size;    /* decoded octets */
	/* an attached message GMime parsed: SHA256 is of its stored bytes
	 * (STORED) or, where they could not be found, of GMime's writing back,
	 * which WRITTEN_SHA256 always holds ("" for any other attachment) */
	gboolean stored;
	char     written_sha256[65];
	guint    part;    /* where the verifier found it: part number, 0 not (yet) */
	char    *detached; /* the file it was saved as, or NULL */
} MpFixAttachment;

void       mp_fix_attachment_free (MpFixAttachment *a);
/* The attachments of MSG, parsed from STREAM (its bytes from the start),
 * in tree order (MpFixAttachment*). A message/rfc822 attachment that GMime
 * parsed as a message is digested on its stored bytes, as the analyzer's
 * counter finds them (RFC 2046 §5.1.1: the line end before the next
 * delimiter not included), and as GMime writes it back (the same bytes
 * parse and write the same wherever they are), which alone serves where
 * the counter lists other attachments than GMime's tree (hostile
 * structure). ERROR when STREAM cannot be read. */
GPtrArray *mp_fix_attachment_index (GMimeMessage *msg, GMimeStream *stream, GError **error);

/* Whether attachment A of a written part is attachment O of the original:
 * the same SHA-256 of the same reading; an attached message read by its
 * stored bytes on one side only (the counter read the other side's
 * structure otherwise) is compared as GMime writes both back. */
gboolean   mp_fix_attachment_same (const MpFixAttachment *o, const MpFixAttachment *a);

/* The SHA-256 of everything STREAM holds from its start. */
gboolean   mp_fix_stream_sha256 (GMimeStream *stream, char sha256[65], GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixSha, mp_fix_sha_free)

G_END_DECLS
