/* test-stream-pread.c — MpStreamPread (analyzer/mime/stream-pread.h) behaves as
 * the GMimeStreamFs substream it replaces: the same bytes and return values
 * for random reads, seeks, resets, lengths and substreams over random
 * bounds of a file, and GMime parses a message through it the same way. */
#include "stream-pread.h"
#include "mime-analyze.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define FILE_SIZE (700 * 1024) /* several of its 128 KiB buffers */

static char *
make_file (GRand *rand, guint8 **data_out)
{
	g_autoptr(GError) error = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp ("mp-stream-pread-XXXXXX", &path, &error);
	guint8 *data = g_malloc (FILE_SIZE);

	g_assert_no_error (error);
	for (gsize i = 0; i < FILE_SIZE; i++)
		data[i] = (guint8) g_rand_int_range (rand, 0, 256);
	g_assert_cmpint (write (fd, data, FILE_SIZE), ==, FILE_SIZE);
	close (fd);
	*data_out = data;
	return path;
}

/* One random operation on both streams; the results must agree. */
static void
same_step (GRand *rand, GMimeStream *a, GMimeStream *b)
{
	switch (g_rand_int_range (rand, 0, 10)) {
	case 0: case 1: case 2: case 3: case 4: {
		gsize len = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 1, 64)
		                                  : (gsize) g_rand_int_range (rand, 1, 300 * 1024);
		g_autofree char *x = g_malloc (len);
		g_autofree char *y = g_malloc (len);
		ssize_t nx = g_mime_stream_read (a, x, len);
		ssize_t ny = g_mime_stream_read (b, y, len);
		/* a read may return less than asked at a buffer's end: read on
		 * until both have as much or stop */
		while (nx > 0 && ny > nx) {
			ssize_t more = g_mime_stream_read (a, x + nx, (gsize) (ny - nx));
			if (more <= 0)
				break;
			nx += more;
		}
		while (ny > 0 && nx > ny) {
			ssize_t more = g_mime_stream_read (b, y + ny, (gsize) (nx - ny));
			if (more <= 0)
				break;
			ny += more;
		}
		g_assert_cmpint (nx, ==, ny);
		if (nx > 0)
			g_assert_cmpmem (x, (gsize) nx, y, (gsize) ny);
		break;
	}
	case 5: {
		GMimeSeekWhence whence = (GMimeSeekWhence) g_rand_int_range (rand, 0, 3);
		gint64 off = g_rand_int_range (rand, -200 * 1024, 200 * 1024);
		if (whence == GMIME_STREAM_SEEK_SET)
			off = a->bound_start + g_rand_int_range (rand, -10, 300 * 1024);
		if (whence == GMIME_STREAM_SEEK_END && off > 0)
			off = -off; /* past the end a bounded fs stream and ours differ only in errno */
		g_assert_cmpint (g_mime_stream_seek (a, off, whence), ==, g_mime_stream_seek (b, off, whence));
		break;
	}
	case 6:
		g_assert_cmpint (g_mime_stream_reset (a), ==, g_mime_stream_reset (b));
		break;
	case 7:
		g_assert_cmpint (g_mime_stream_length (a), ==, g_mime_stream_length (b));
		break;
	case 8:
		g_assert_cmpint (g_mime_stream_eos (a), ==, g_mime_stream_eos (b));
		break;
	default:
		g_assert_cmpint (g_mime_stream_tell (a), ==, g_mime_stream_tell (b));
		break;
	}
	g_assert_cmpint (g_mime_stream_tell (a), ==, g_mime_stream_tell (b));
}

static void
test_same_as_fs (void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed (7);
	g_autofree guint8 *data = NULL;
	g_autofree char *path = make_file (rand, &data);

	for (int round = 0; round < 40; round++) {
		gint64 start = g_rand_int_range (rand, 0, FILE_SIZE / 2);
		gint64 end = round % 5 == 0 ? -1 : start + g_rand_int_range (rand, 0, FILE_SIZE / 2);
		int fa = open (path, O_RDONLY), fb = open (path, O_RDONLY);
		g_autoptr(GMimeStream) a = mp_stream_pread_new (fa, start, end);
		g_autoptr(GMimeStream) fs = g_mime_stream_fs_new (fb);
		g_autoptr(GMimeStream) b = g_mime_stream_substream (fs, start, end);

		for (int step = 0; step < 60; step++)
			same_step (rand, a, b);
		/* substreams, as GMime's persisted part contents are */
		for (int k = 0; k < 3; k++) {
			gint64 len = g_mime_stream_length (a);
			gint64 s = start + (len > 0 ? g_rand_int_range (rand, 0, (gint32) MIN (len, G_MAXINT32)) : 0);
			gint64 e = s + g_rand_int_range (rand, 0, 200 * 1024);
			g_autoptr(GMimeStream) sa = g_mime_stream_substream (a, s, e);
			g_autoptr(GMimeStream) sb = g_mime_stream_substream (b, s, e);

			for (int step = 0; step < 30; step++)
				same_step (rand, sa, sb);
		}
	}
	g_unlink (path);
}

/* Bytes out of order: a read after a seek backwards into the buffered
 * window and forwards past it returns the file's bytes. */
static void
test_window (void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed (11);
	g_autofree guint8 *data = NULL;
	g_autofree char *path = make_file (rand, &data);
	g_autoptr(GMimeStream) s = mp_stream_pread_new (open (path, O_RDONLY), 100, FILE_SIZE - 100);
	char buf[4096];

	g_assert_cmpint (g_mime_stream_read (s, buf, 10), ==, 10);
	g_assert_cmpmem (buf, 10, data + 100, 10);
	g_assert_cmpint (g_mime_stream_seek (s, 5000, GMIME_STREAM_SEEK_SET), ==, 5000);
	g_assert_cmpint (g_mime_stream_read (s, buf, sizeof buf), ==, sizeof buf);
	g_assert_cmpmem (buf, sizeof buf, data + 5000, sizeof buf);
	g_assert_cmpint (g_mime_stream_seek (s, 400 * 1024, GMIME_STREAM_SEEK_SET), ==, 400 * 1024);
	g_assert_cmpint (g_mime_stream_read (s, buf, sizeof buf), ==, sizeof buf);
	g_assert_cmpmem (buf, sizeof buf, data + 400 * 1024, sizeof buf);
	g_assert_cmpint (g_mime_stream_seek (s, 0, GMIME_STREAM_SEEK_END), ==, FILE_SIZE - 100);
	g_assert_cmpint (g_mime_stream_read (s, buf, 1), ==, -1); /* at the bound: as GMimeStreamFs */
	g_assert_cmpint (g_mime_stream_seek (s, 99, GMIME_STREAM_SEEK_SET), ==, -1);
	g_assert_cmpint (g_mime_stream_write (s, "x", 1), ==, -1); /* read-only */
	g_unlink (path);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	g_test_add_func ("/stream-pread/same-as-fs", test_same_as_fs);
	g_test_add_func ("/stream-pread/window", test_window);
	return g_test_run ();
}
