#include "stream-pread.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PREAD_BUFFER (128 * 1024)

struct _MpStreamPread {
	GMimeStream parent_instance;
	int         fd;
	gboolean    owner;   /* closes fd when finalized */
	gboolean    eos;
	guint8     *buf;     /* file bytes [buf_at, buf_at + buf_len), allocated on first read */
	gint64      buf_at;
	gsize       buf_len;
};

G_DEFINE_TYPE (MpStreamPread, mp_stream_pread, GMIME_TYPE_STREAM)

/* The semantics are GMimeStreamFs's (gmime-stream-fs.c), read-only: a
 * read at or past a set end fails with EINVAL, a read of 0 bytes marks the
 * end of the stream, seeks stay within the bounds. */

static ssize_t
stream_read (GMimeStream *stream, char *out, size_t len)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);
	gsize done = 0;

	if (s->fd == -1) {
		errno = EBADF;
		return -1;
	}
	if (stream->bound_end != -1 && stream->position >= stream->bound_end) {
		errno = EINVAL;
		return -1;
	}
	if (stream->bound_end != -1)
		len = (size_t) MIN (stream->bound_end - stream->position, (gint64) len);
	while (done < len) {
		gint64 pos = stream->position + (gint64) done;

		if (s->buf != NULL && pos >= s->buf_at && pos < s->buf_at + (gint64) s->buf_len) {
			gsize off = (gsize) (pos - s->buf_at);
			gsize n = MIN (len - done, s->buf_len - off);
			memcpy (out + done, s->buf + off, n);
			done += n;
			continue;
		}
		if (done > 0)
			break; /* what the buffer held; the next read refills it */
		{
			gsize want = PREAD_BUFFER;
			ssize_t n;

			/* a bounded stream (a part's content) needs no more than its
			 * length: GMime keeps one substream per part, thousands in a
			 * hostile message, all alive with the message */
			if (stream->bound_end != -1)
				want = (gsize) MIN ((gint64) want, stream->bound_end - pos);
			if (s->buf == NULL)
				s->buf = g_malloc (stream->bound_end != -1
				                   ? (gsize) MIN ((gint64) PREAD_BUFFER, stream->bound_end - stream->bound_start)
				                   : PREAD_BUFFER);
			do {
				n = pread (s->fd, s->buf, want, (off_t) pos);
			} while (n == -1 && errno == EINTR);
			if (n <= 0) {
				s->buf_len = 0;
				if (n == 0)
					s->eos = TRUE;
				return n;
			}
			s->buf_at = pos;
			s->buf_len = (gsize) n;
		}
	}
	stream->position += (gint64) done;
	if (stream->bound_end != -1 && stream->position >= stream->bound_end) {
		/* read to its end: the buffer goes (a reread after a reset makes
		 * it again), so that the parts read one after the other hold one
		 * buffer at a time, not one each */
		g_clear_pointer (&s->buf, g_free);
		s->buf_len = 0;
	}
	return (ssize_t) done;
}

static ssize_t
stream_write (GMimeStream *stream, const char *buf, size_t len)
{
	(void) stream; (void) buf; (void) len;
	errno = EBADF; /* read-only: sources are never written */
	return -1;
}

static int
stream_flush (GMimeStream *stream)
{
	(void) stream;
	return 0;
}

static int
stream_close (GMimeStream *stream)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);
	int rv = 0;

	if (s->fd != -1 && s->owner)
		rv = close (s->fd);
	s->fd = -1;
	return rv;
}

static gboolean
stream_eos (GMimeStream *stream)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);

	return s->fd == -1 || s->eos;
}

static int
stream_reset (GMimeStream *stream)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);

	if (s->fd == -1) {
		errno = EBADF;
		return -1;
	}
	/* the base class sets position to bound_start */
	s->eos = FALSE;
	return 0;
}

static gint64
stream_seek (GMimeStream *stream, gint64 offset, GMimeSeekWhence whence)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);
	gint64 real;

	if (s->fd == -1) {
		errno = EBADF;
		return -1;
	}
	switch (whence) {
	case GMIME_STREAM_SEEK_SET:
		real = offset;
		break;
	case GMIME_STREAM_SEEK_CUR:
		real = stream->position + offset;
		break;
	case GMIME_STREAM_SEEK_END:
		if (stream->bound_end == -1) {
			gint64 end = lseek (s->fd, 0, SEEK_END);
			if (end == -1)
				return -1;
			real = end + offset;
		} else {
			real = stream->bound_end + offset;
		}
		break;
	default:
		g_assert_not_reached ();
		return -1;
	}
	if (real < stream->bound_start) {
		errno = EINVAL;
		return -1;
	}
	if (real == stream->position)
		return real;
	if (stream->bound_end != -1 && real > stream->bound_end) {
		errno = EINVAL;
		return -1;
	}
	if ((stream->bound_end != -1 && real < stream->bound_end) || (s->eos && real < stream->position))
		s->eos = FALSE;
	stream->position = real;
	return real;
}

static gint64
stream_tell (GMimeStream *stream)
{
	return stream->position;
}

static gint64
stream_length (GMimeStream *stream)
{
	MpStreamPread *s = MP_STREAM_PREAD (stream);
	gint64 end;

	if (s->fd == -1) {
		errno = EBADF;
		return -1;
	}
	if (stream->bound_end != -1)
		return stream->bound_end - stream->bound_start;
	if ((end = lseek (s->fd, 0, SEEK_END)) == -1)
		return -1;
	if (end < stream->bound_start) {
		errno = EINVAL;
		return -1;
	}
	return end - stream->bound_start;
}

static GMimeStream *
stream_substream (GMimeStream *stream, gint64 start, gint64 end)
{
	MpStreamPread *sub = g_object_new (MP_TYPE_STREAM_PREAD, NULL);

	g_mime_stream_construct (GMIME_STREAM (sub), start, end);
	sub->fd = MP_STREAM_PREAD (stream)->fd;
	sub->owner = FALSE; /* g_mime_stream_substream() keeps STREAM, the owner, alive */
	return GMIME_STREAM (sub);
}

static void
mp_stream_pread_finalize (GObject *object)
{
	MpStreamPread *s = MP_STREAM_PREAD (object);

	if (s->fd != -1 && s->owner)
		close (s->fd);
	g_free (s->buf);
	G_OBJECT_CLASS (mp_stream_pread_parent_class)->finalize (object);
}

static void
mp_stream_pread_class_init (MpStreamPreadClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);
	GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

	object_class->finalize = mp_stream_pread_finalize;
	stream_class->read = stream_read;
	stream_class->write = stream_write;
	stream_class->flush = stream_flush;
	stream_class->close = stream_close;
	stream_class->eos = stream_eos;
	stream_class->reset = stream_reset;
	stream_class->seek = stream_seek;
	stream_class->tell = stream_tell;
	stream_class->length = stream_length;
	stream_class->substream = stream_substream;
}

static void
mp_stream_pread_init (MpStreamPread *s)
{
	s->fd = -1;
}

GMimeStream *
mp_stream_pread_new (int fd, gint64 start, gint64 end)
{
	MpStreamPread *s = g_object_new (MP_TYPE_STREAM_PREAD, NULL);

	g_mime_stream_construct (GMIME_STREAM (s), start, end);
	s->fd = fd;
	s->owner = TRUE;
	return GMIME_STREAM (s);
}

gssize
mp_pread_full (int fd, void *buf, gsize len, guint64 offset)
{
	gsize done = 0;

	while (done < len) {
		ssize_t n = pread (fd, (char *) buf + done, len - done, (off_t) (offset + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (gsize) n;
	}
	return (gssize) done;
}

