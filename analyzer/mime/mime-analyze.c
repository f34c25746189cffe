/* mime-analyze.c — the facade of analyzer/mime (see mime-analyze.h): reads
 * a message's bytes (from a file range, memory or a stream), counts its
 * size, and dispatches: the light walker first (mime-fast.c) on a message
 * in memory, the GMime tree walk (mime-gmime.c) on whatever it declines and
 * on messages too large for memory; and, past MP_MIME_MAX_PARTS parts, the
 * streaming counter (mime-count.c) instead of any tree. All record through
 * one recorder (mime-record.c); none knows the others or this file. */
#include "mime-analyze.h"

#include "mime-count.h"
#include "mime-fast.h"
#include "mime-gmime.h"
#include "mime-record.h"
#include "octets.h"
#include "part-class.h"
#include "stream-pread.h"
#include "worker-buffer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct _MpAnalyzer {
	MpMimeRecorder *recorder; /* what both readers record through (charset cache) */
	MpMimeGmime    *gmime;    /* the GMime tree walk: GMime's per-thread parser options */
	MpMimeFast     *fast;     /* the light walker tried first; NULL when off */
	GByteArray     *buffer;   /* messages up to MP_ANALYZER_MEM_MAX */
	MpAnalyzeFlags  flags;
	guint           max_parts;
};

MpAnalyzer *
mp_analyzer_new (void)
{
	MpAnalyzer *a = g_new0 (MpAnalyzer, 1);

	mp_gmime_init_once ();
	a->recorder = mp_mime_recorder_new ();
	a->gmime = mp_mime_gmime_new ();
	/* a message up to MP_ANALYZER_MEM_MAX is read into it (Maildir, IMAP,
	 * mbox messages read again): made once (mp_worker_buffer_new), so the
	 * array never reallocates it (set_size stays within its allocation);
	 * given back before the array is freed */
	a->buffer = g_byte_array_new_take (mp_worker_buffer_new (MP_ANALYZER_MEM_MAX), MP_ANALYZER_MEM_MAX);
	g_byte_array_set_size (a->buffer, 0);
	a->max_parts = MP_MIME_MAX_PARTS;
	a->fast = mp_mime_fast_new ();
	mp_mime_fast_set_max_parts (a->fast, a->max_parts);
	return a;
}

void
mp_analyzer_set_fast_path (MpAnalyzer *a, gboolean enabled)
{
	if (enabled && a->fast == NULL) {
		a->fast = mp_mime_fast_new ();
		mp_mime_fast_set_max_parts (a->fast, a->max_parts);
	} else if (!enabled && a->fast != NULL) {
		g_clear_pointer (&a->fast, mp_mime_fast_free);
	}
}

void
mp_analyzer_set_max_parts (MpAnalyzer *a, guint max_parts)
{
	a->max_parts = MAX (max_parts, 1);
	if (a->fast != NULL)
		mp_mime_fast_set_max_parts (a->fast, a->max_parts);
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
	mp_mime_gmime_free (a->gmime);
	mp_worker_buffer_free (g_byte_array_steal (a->buffer, NULL));
	g_byte_array_unref (a->buffer);
	mp_mime_recorder_free (a->recorder);
	mp_mime_fast_free (a->fast);
	g_free (a);
}

static gboolean
list_archives (const MpAnalyzer *a)
{
	return (a->flags & MP_ANALYZE_LIST_ARCHIVES) != 0;
}

/* A header block larger than this is not handed to GMime, which keeps
 * headers in memory several times over: the message is reported, its size
 * counted, its parts not analyzed. Real header blocks are kilobytes; the
 * largest in the test corpora is 135 KB. */
#define MP_MAX_HEADER_BLOCK (8 * 1024 * 1024)

/* ---- past MP_MIME_MAX_PARTS: counting instead of a tree ---- */

#define COUNT_CHUNK_READ (256 * 1024)

/* The message's bytes, for the counter: in memory, in a file range or in
 * a GMime stream (read from its position at the start). */
typedef struct {
	const guint8 *data;
	gsize         len;
	int           fd;
	guint64       start;   /* of the message in FD or STREAM */
	GMimeStream  *stream;
} Bytes;

static gssize
bytes_read_at (gpointer user_data, guint8 *buf, gsize len, guint64 offset)
{
	Bytes *b = user_data;

	if (b->data != NULL || b->len == 0) {
		gsize n = offset < b->len ? (gsize) MIN ((guint64) len, b->len - offset) : 0;
		if (n > 0)
			memcpy (buf, b->data + offset, n);
		return (gssize) n;
	}
	if (b->stream != NULL) {
		if (g_mime_stream_seek (b->stream, (gint64) (b->start + offset), GMIME_STREAM_SEEK_SET) < 0)
			return -1;
		return g_mime_stream_read (b->stream, (char *) buf, len);
	}
	return mp_pread_full (b->fd, buf, MIN ((guint64) len, b->len - MIN (offset, b->len)), b->start + offset);
}

/* Feeds the LEN bytes of B to COUNTER. */
static void
count_bytes (MpMimeCount *counter, Bytes *b)
{
	g_autofree guint8 *buf = NULL;

	if (b->data != NULL) {
		mp_mime_count_feed (counter, b->data, b->len);
		return;
	}
	buf = g_malloc (COUNT_CHUNK_READ);
	for (guint64 off = 0; off < b->len;) {
		gssize n = bytes_read_at (b, buf, (gsize) MIN ((guint64) COUNT_CHUNK_READ, b->len - off), off);
		if (n <= 0)
			break;
		mp_mime_count_feed (counter, buf, (gsize) n);
		off += (guint64) n;
	}
}

static gboolean
is_attached_message (const MpAttachment *att)
{
	const char *slash = strchr (att->mime_type, '/');
	g_autofree char *type = slash ? g_strndup (att->mime_type, (gsize) (slash - att->mime_type)) : NULL;

	return type != NULL && mp_part_is_embedded_message (type, slash + 1);
}

/* An attached message's size is, as every attachment's, its octets as
 * stored (the number IMAP reports as body-fld-octets, RFC 3501 §7.4.2, so
 * that a Maildir and the same account over IMAP agree). GMime keeps no
 * offsets of a message part: the tree walk can only write it back, and
 * GMime 3.2.13 does not write a nested multipart back byte for byte
 * (GMIME-IMAP-FACTS §4.2: an empty line after a close delimiter without an
 * epilogue, as in most forwarded mail). The streaming counter finds the
 * stored bytes, reading attached messages as GMime parses them; its sizes
 * are taken only where it lists the tree's attachments (as many, the same
 * types in the same order), else the written-back size stays. B: the
 * message's bytes, NULL when they cannot be read again. */
static void
stored_message_sizes (MpAnalyzer *a, Bytes *b, gboolean mbox_quoted, MpMessage *m, guint first)
{
	g_autoptr(MpMimeCount) counter = NULL;
	const GPtrArray *listed;
	gboolean any = FALSE;
	guint n = m->attachment_list->len - first;

	for (guint i = first; i < m->attachment_list->len && !any; i++)
		any = is_attached_message (g_ptr_array_index (m->attachment_list, i));
	if (!any || b == NULL)
		return;
	counter = mp_mime_count_new (a->recorder, n + 1); /* one more: a longer list shows */
	count_bytes (counter, b);
	listed = mp_mime_count_listed (counter);
	if (listed->len != n)
		return;
	for (guint i = 0; i < n; i++) {
		const MpAttachment *c = g_ptr_array_index (listed, i);
		const MpAttachment *t = g_ptr_array_index (m->attachment_list, first + i);
		if (g_ascii_strcasecmp (c->mime_type, t->mime_type) != 0)
			return;
	}
	/* only the attached messages' bytes are read again */
	for (guint i = 0; i < n; i++) {
		MpAttachment *t = g_ptr_array_index (m->attachment_list, first + i);
		if (is_attached_message (t))
			t->encoded_size = mp_mime_count_stored_size (counter, i, bytes_read_at, b, mbox_quoted);
	}
}

/* The GMime path on STREAM, whose bytes are B (NULL: not to be read
 * again); MBOX_QUOTED as in MP_RANGE_MBOX_QUOTED. */
static void
run_gmime (MpAnalyzer *a, GMimeStream *stream, Bytes *b, gboolean mbox_quoted, MpMessage *m)
{
	guint first = m->attachment_list->len;

	mp_mime_gmime_analyze (a->gmime, a->recorder, stream, list_archives (a), mbox_quoted, m);
	stored_message_sizes (a, b, mbox_quoted, m, first);
}

/* Whether M was recorded by the streaming counter instead of a tree: when
 * DASH_LINES (lines starting "--", mp_dash_lines_feed) say the message
 * may have more parts than the cap, the counter reads it; past the cap it
 * records the structure and GMime the header block alone, and TRUE says
 * no tree is to be built. The bytes are in B (LEN of them). */
static gboolean
counted_instead (MpAnalyzer *a, guint64 dash_lines, Bytes *b, gboolean mbox_quoted, MpMessage *m)
{
	g_autoptr(MpMimeCount) counter = NULL;
	g_autoptr(GByteArray) head = NULL;
	g_autoptr(GMimeStream) head_stream = NULL;
	guint64 header_end;

	/* GMime makes at most about two parts per such line (one more inside
	 * each attached message): below half the cap it is safe to build */
	if (dash_lines <= a->max_parts / 2)
		return FALSE;
	/* listed: as many attachments as a tree may hold, whatever this
	 * analyzer's own cap (tests lower it) */
	counter = mp_mime_count_new (a->recorder, MP_MIME_MAX_PARTS);
	count_bytes (counter, b);
	mp_mime_count_finish (counter);
	if (mp_mime_count_parts (counter) <= a->max_parts)
		return FALSE;
	/* the header facts from GMime, on the header block alone (at most
	 * MP_MAX_HEADER_BLOCK: a larger one never gets here) */
	header_end = MIN (mp_mime_count_header_end (counter), (guint64) MP_MAX_HEADER_BLOCK);
	head = g_byte_array_sized_new ((guint) header_end);
	g_byte_array_set_size (head, (guint) header_end);
	if (header_end > 0 && bytes_read_at (b, head->data, (gsize) header_end, 0) != (gssize) header_end)
		g_byte_array_set_size (head, 0);
	head_stream = g_mime_stream_mem_new_with_byte_array (head);
	g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (head_stream), FALSE);
	mp_mime_gmime_analyze_headers (a->gmime, a->recorder, head_stream, m);
	mp_mime_count_commit (counter, m, bytes_read_at, b, mbox_quoted);
	return TRUE;
}

void
mp_analyzer_run (MpAnalyzer *a, GMimeStream *stream, MpMessage *m)
{
	gint64 start = g_mime_stream_tell (stream);
	gint64 end = g_mime_stream_length (stream);

	Bytes b = { NULL, 0, -1, 0, NULL };
	gboolean seekable = start >= 0 && end > start;

	/* a seekable stream is looked at first, as any other message: no tree
	 * past the cap */
	if (seekable) {
		MpDashLines dl;
		char chunk[16384];
		gssize n;

		b = (Bytes) { NULL, (gsize) (end - start), -1, (guint64) start, stream };
		mp_dash_lines_init (&dl);
		while ((n = g_mime_stream_read (stream, chunk, sizeof chunk)) > 0)
			mp_dash_lines_feed (&dl, (const guint8 *) chunk, (gsize) n);
		if (counted_instead (a, dl.lines, &b, FALSE, m))
			return;
		if (g_mime_stream_seek (stream, start, GMIME_STREAM_SEEK_SET) != start)
			return;
	}
	run_gmime (a, stream, seekable ? &b : NULL, FALSE, m);
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
	if (nul != NULL && !mp_message_has_problem (m, MP_PROBLEM_NUL_BYTE)) {
		g_autofree char *d = g_strdup_printf ("at octet %" G_GUINT64_FORMAT, base + (guint64) (nul - buf));
		mp_message_add_problem (m, MP_PROBLEM_NUL_BYTE, d);
	}
	return nul != NULL;
}

/* RFC 5322 §3.5: an empty line ends the header block (and starts the
 * body). Without one, a server cannot tell headers from body: Cyrus refuses
 * the message on APPEND ("Message has no header/body separator"), others
 * read the body as headers. Judged on the bytes, the same for both walkers. */
static void
note_unterminated_header (MpMessage *m, const char *detail)
{
	mp_message_add_problem (m, MP_PROBLEM_UNTERMINATED_HEADER, detail);
}

/* The in-memory path of mp_analyzer_run_range / _bytes: DATA may be the
 * analyzer's own buffer or the caller's (an mbox worker's read buffer). */
static void
run_in_memory (MpAnalyzer *a, const guint8 *data, gsize len, MpRangeFlags flags, MpMessage *m)
{
	g_autoptr(GMimeStream) mem = NULL;
	gboolean mbox_quoted = (flags & MP_RANGE_MBOX_QUOTED) != 0;
	gboolean nul;

	if ((flags & MP_RANGE_COUNT_SIZE) != 0) {
		MpCrlfCounter c;
		mp_crlf_init (&c);
		mp_crlf_feed (&c, (const char *) data, len);
		m->size = mp_crlf_total (&c);
		m->max_line = mp_crlf_max_line (&c);
	}
	nul = note_nul (m, data, len, 0);
	if (len > 0) {
		HeaderEnd h = { 0, 0, 1 };
		header_end_feed (&h, (const char *) data, len);
		if (h.header_end == 0)
			note_unterminated_header (m, NULL);
	}
	/* the common case without building a GMime tree; it declines
	 * (leaving M untouched) on anything GMime might read differently */
	if (a->fast != NULL && !nul) {
		gboolean done;

		if (data == a->buffer->data) {
			done = mp_mime_fast_analyze (a->fast, a->recorder, a->buffer, list_archives (a), mbox_quoted, m);
		} else {
			/* the walker reads a GByteArray: one over the caller's bytes,
			 * without a copy, given back before it is freed */
			GByteArray *view = g_byte_array_new_take ((guint8 *) data, len);
			done = mp_mime_fast_analyze (a->fast, a->recorder, view, list_archives (a), mbox_quoted, m);
			g_byte_array_steal (view, NULL);
			g_byte_array_unref (view);
		}
		if (done)
			return;
	}
	{
		Bytes b = { data, len, -1, 0, NULL };
		MpDashLines dl;

		mp_dash_lines_init (&dl);
		mp_dash_lines_feed (&dl, data, len);
		if (counted_instead (a, dl.lines, &b, mbox_quoted, m))
			return;
	}
	/* GMime's persisted content streams are windows on one byte array, and
	 * the GMime walk counts attachment sizes in them: the bytes must be the
	 * analyzer's */
	if (data != a->buffer->data) {
		g_byte_array_set_size (a->buffer, (guint) len);
		if (len > 0)
			memcpy (a->buffer->data, data, len);
	}
	mem = g_mime_stream_mem_new_with_byte_array (a->buffer);
	g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
	{
		Bytes b = { a->buffer->data, len, -1, 0, NULL };
		run_gmime (a, mem, &b, mbox_quoted, m);
	}
}

void
mp_analyzer_run_bytes (MpAnalyzer *a, const guint8 *data, gsize len, MpRangeFlags flags, MpMessage *m)
{
	g_return_if_fail (len <= MP_ANALYZER_MEM_MAX);
	run_in_memory (a, data, len, flags, m);
}

void
mp_analyzer_run_range (MpAnalyzer *a, int fd, guint64 start, guint64 end, MpRangeFlags flags,
                       MpMessage *m)
{
	guint64 len = end > start ? end - start : 0;
	gboolean count_size = (flags & MP_RANGE_COUNT_SIZE) != 0;

	if (len <= MP_ANALYZER_MEM_MAX) {
		g_byte_array_set_size (a->buffer, (guint) len);
		if (!pread_all (fd, a->buffer->data, (gsize) len, start)) {
			mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, g_strerror (errno));
			return;
		}
		run_in_memory (a, a->buffer->data, (gsize) len, flags, m);
	} else {
		/* one pass over the bytes for size, longest line, NUL and the end
		 * of the header block; then GMime streams from the file */
		g_autoptr(GMimeStream) sub = NULL;
		g_autofree guint8 *buf = g_malloc (COUNT_CHUNK);
		Bytes b = { NULL, (gsize) len, fd, start, NULL };
		HeaderEnd h = { 0, 0, 1 };
		MpCrlfCounter c;
		MpDashLines dl;
		int own;

		mp_crlf_init (&c);
		mp_dash_lines_init (&dl);
		for (guint64 off = start; off < end; off += COUNT_CHUNK) {
			gsize n = (gsize) MIN ((guint64) COUNT_CHUNK, end - off);
			if (!pread_all (fd, buf, n, off)) {
				mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, g_strerror (errno));
				return;
			}
			if (count_size)
				mp_crlf_feed (&c, (const char *) buf, n);
			note_nul (m, buf, n, off - start);
			mp_dash_lines_feed (&dl, buf, n);
			if (h.header_end == 0 && h.offset <= MP_MAX_HEADER_BLOCK)
				header_end_feed (&h, (const char *) buf, n);
		}
		if (count_size) {
			m->size = mp_crlf_total (&c);
			m->max_line = mp_crlf_max_line (&c);
		}
		if (h.header_end == 0 && len <= MP_MAX_HEADER_BLOCK) {
			/* read to its end: the whole message would be headers */
			note_unterminated_header (m, "no empty line after the headers: parts not analyzed");
			return;
		}
		if (h.header_end == 0 || h.header_end > MP_MAX_HEADER_BLOCK) {
			g_autofree char *d = g_strdup_printf ("no end of the header block within %d MB: "
			                                      "parts not analyzed", MP_MAX_HEADER_BLOCK >> 20);
			mp_message_add_problem (m, MP_PROBLEM_OVERSIZED_HEADER, d);
			return;
		}
		if (counted_instead (a, dl.lines, &b, (flags & MP_RANGE_MBOX_QUOTED) != 0, m))
			return;
		if ((own = dup (fd)) < 0) {
			mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, g_strerror (errno));
			return;
		}
		/* pread in 128 KiB, not lseek + read per 4 KiB (stream-pread.h) */
		sub = mp_stream_pread_new (own, (gint64) start, (gint64) end);
		run_gmime (a, sub, &b, (flags & MP_RANGE_MBOX_QUOTED) != 0, m);
	}
}

static void
stored_attachment_clear (gpointer p)
{
	g_free (((MpStoredAttachment *) p)->mime_type);
}

GArray *
mp_analyzer_stored_attachments (GMimeStream *stream, guint max)
{
	gint64 start = g_mime_stream_tell (stream);
	gint64 end = g_mime_stream_length (stream);
	g_autoptr(MpMimeRecorder) recorder = NULL; /* the counter's charset checks, not kept */
	g_autoptr(MpMimeCount) counter = NULL;
	const GPtrArray *listed;
	GArray *out;
	Bytes b;

	if (start < 0 || end < start)
		return NULL;
	mp_gmime_init_once ();
	b = (Bytes) { NULL, (gsize) (end - start), -1, (guint64) start, stream };
	recorder = mp_mime_recorder_new ();
	counter = mp_mime_count_new (recorder, max);
	count_bytes (counter, &b);
	listed = mp_mime_count_listed (counter);
	out = g_array_sized_new (FALSE, TRUE, sizeof (MpStoredAttachment), listed->len);
	g_array_set_clear_func (out, stored_attachment_clear);
	for (guint i = 0; i < listed->len; i++) {
		MpStoredAttachment s = { 0 };
		if (!mp_mime_count_attachment_range (counter, i, &s.start, &s.end))
			break;
		s.mime_type = g_strdup (((const MpAttachment *) g_ptr_array_index (listed, i))->mime_type);
		g_array_append_val (out, s);
	}
	return out;
}

char *
mp_mime_decode_header_text (const char *text)
{
	/* GMime's charset tables need g_mime_init (once-guarded) */
	mp_gmime_init_once ();
	return g_mime_utils_header_decode_text (NULL, text);
}
