/* writer-io.c — the file I/O the real writers share: whole writes with
 * their errors named, and copies of byte ranges that the kernel can do
 * without passing them through us (copy_file_range, as cp does). */
#include "writer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

GByteArray *
mp_fix_copy_buffer_new (void)
{
	GByteArray *b = g_byte_array_sized_new (MP_FIX_COPY_CHUNK);

	g_byte_array_set_size (b, MP_FIX_COPY_CHUNK);
	return b;
}

void
mp_fix_writer_free (MpFixWriter *w)
{
	if (w != NULL)
		w->ops->free (w);
}

gboolean
mp_fix_write_all (int fd, const void *buf, gsize len, const char *path, GError **error)
{
	const char *p = buf;

	while (len > 0) {
		gssize n = write (fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* a full disk (ENOSPC), a file size limit (EFBIG), a quota */
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: write failed: %s", path,
			             g_strerror (n < 0 ? errno : ENOSPC));
			return FALSE;
		}
		p += n;
		len -= (gsize) n;
	}
	return TRUE;
}

static gboolean
copy_by_reading (int in, guint64 start, guint64 end, int out, const char *in_path, const char *out_path,
                 GByteArray *buf, GError **error)
{
	while (start < end) {
		gssize n = pread (in, buf->data, (gsize) MIN ((guint64) buf->len, end - start), (off_t) start);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: offset %" G_GUINT64_FORMAT ": %s", in_path,
			             start, n < 0 ? g_strerror (errno) : "the file shrank while it was copied");
			return FALSE;
		}
		if (!mp_fix_write_all (out, buf->data, (gsize) n, out_path, error))
			return FALSE;
		start += (guint64) n;
	}
	return TRUE;
}

gboolean
mp_fix_copy_range (int in, guint64 start, guint64 end, int out, const char *in_path, const char *out_path,
                   GByteArray *buf, GError **error)
{
	loff_t off = (loff_t) start;

	while ((guint64) off < end) {
		gssize n = copy_file_range (in, &off, out, NULL, (gsize) MIN ((guint64) G_MAXINT32, end - (guint64) off), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
		              errno == EBADF))
			return copy_by_reading (in, (guint64) off, end, out, in_path, out_path, buf, error);
		if (n < 0) {
			/* ENOSPC, EFBIG, EIO: the error is the output's unless reading failed */
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: write failed: %s", out_path, g_strerror (errno));
			return FALSE;
		}
		if (n == 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: the file shrank while it was copied", in_path);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
mp_fix_copy_stream (GMimeStream *stream, int out, const char *out_path, GByteArray *buf, GError **error)
{
	gssize n;

	while ((n = mp_fix_stream_read (stream, (char *) buf->data, buf->len)) > 0)
		if (!mp_fix_write_all (out, buf->data, (gsize) n, out_path, error))
			return FALSE;
	if (n < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "reading a message to write it to %s failed", out_path);
		return FALSE;
	}
	return TRUE;
}
