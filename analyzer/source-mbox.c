/* source-mbox.c — one mbox file is one folder.
 *
 * The file is cut into pieces at message starts (mbox-boundary.h: the From_
 * rule is local, so a piece starting at a From_ line splits on its own
 * exactly as the whole file would). The producer only finds those cuts,
 * reading a few KiB around each; each worker reads its piece once, splits
 * it and analyzes every message from the bytes it just read. Before, the
 * producer read and split the whole file and each worker read its messages
 * a second time: two copies of every byte out of the page cache and a
 * serial boundary pass (bench/RESULTS.md). A message larger than
 * MP_ANALYZER_MEM_MAX is not kept in memory; its worker parses it from the
 * file as a substream. RSS stays flat whatever the file size (no whole-file
 * mmap: it would count in RSS, and a file truncated under it would kill the
 * scan with SIGBUS). Each message is parsed on its own, so a broken message
 * can never swallow the rest of the file (GMIME-IMAP-FACTS §1.5). */
#include "source-mbox.h"
#include "source-fs.h"
#include "mbox-boundary.h"
#include "dates.h"
#include "stream-pread.h"
#include "worker-buffer.h"
#include "notice-codes.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pieces aim at MESSAGES_PER_PIECE messages (what bounds the memory held by
 * batches in flight, like MP_BATCH_MAX_MESSAGES) and at most PIECE_MAX
 * bytes; until the first pieces are analyzed the mean message size is
 * unknown and PIECE_FIRST is used. */
#define MESSAGES_PER_PIECE MP_BATCH_MAX_MESSAGES
#define PIECE_MIN          (64 * 1024)
#define PIECE_FIRST        (256 * 1024)
#define PIECE_MAX          MP_BATCH_MAX_BYTES
/* The producer looks for a message start in windows of this size. */
#define FIND_WINDOW        (64 * 1024)
/* Workers read their piece in reads of this size. */
#define READ_CHUNK         (1024 * 1024)

static gboolean
mbox_probe (const char *path)
{
	return mp_file_looks_like_mbox (path, MP_OPEN_FOLLOW); /* the SOURCE argument */
}

static GPtrArray *
mbox_folders (MpSource *src, GError **error)
{
	GPtrArray *folders = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free);
	g_autofree char *base = g_path_get_basename (src->abs_path);

	g_ptr_array_add (folders, mp_folder_new (base, src->abs_path));
	return folders;
}

/* What the workers tell the producer about the pieces analyzed so far, to
 * size the next ones. Shared by the pieces of one file. */
typedef struct {
	gint    refs;
	guint64 bytes;    /* atomic */
	guint64 messages; /* atomic */
} PieceStats;

static PieceStats *
stats_ref (PieceStats *st)
{
	g_atomic_int_inc (&st->refs);
	return st;
}

static void
stats_unref (gpointer p)
{
	PieceStats *st = p;

	if (st != NULL && g_atomic_int_dec_and_test (&st->refs))
		g_free (st);
}

/* A batch of the mbox backends: the bytes [start, end) of the file, from a
 * message start (or the first one) to the next message start or the end. */
typedef struct {
	guint64     start, end;
	gboolean    first;  /* the file's first message is in it */
	PieceStats *stats;
} Piece;

static void
piece_free (gpointer p)
{
	Piece *pc = p;

	stats_unref (pc->stats);
	g_free (pc);
}

/* The producer's reads, remembering a failure: the folder then fails as a
 * whole, after the pieces already handed out (which stand). */
typedef struct {
	int fd;
	int error; /* errno of a failed read, 0 when none */
} Finder;

static gssize
read_at (gpointer user_data, char *buf, gsize len, guint64 offset)
{
	Finder *f = user_data;
	gssize n = mp_pread_full (f->fd, buf, len, offset);

	if (n < 0 && f->error == 0)
		f->error = errno;
	return n;
}

static guint64
next_message_start (Finder *f, guint64 from, guint64 size, char *buf)
{
	return mp_mbox_next_message_start (read_at, f, from, size, buf, FIND_WINDOW);
}

static guint64
piece_size (PieceStats *st)
{
	guint64 messages, bytes;

	messages = __atomic_load_n (&st->messages, __ATOMIC_RELAXED);
	bytes = __atomic_load_n (&st->bytes, __ATOMIC_RELAXED);
	if (messages == 0)
		return PIECE_FIRST;
	return CLAMP (bytes / messages * MESSAGES_PER_PIECE, (guint64) PIECE_MIN, (guint64) PIECE_MAX);
}

/* Opens FOLDER's mbox file (mp_source_openat: without changing its access
 * time). The SOURCE argument itself may be a symbolic link, the user named
 * it; a file found in a folder of mbox files never is, and must lie inside
 * the source. */
static int
open_mbox (MpSource *src, const MpFolder *folder)
{
	MpOpenFlags flags = strcmp (folder->path, src->abs_path) == 0 ? MP_OPEN_FOLLOW : MP_OPEN_FILE;

	return mp_source_open_inside (src->real_path, folder->path, flags);
}

gboolean
mp_mbox_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit, MpNoticeFunc notice,
                   gpointer user_data, GError **error)
{
	g_autofree char *buf = g_malloc (FIND_WINDOW);
	PieceStats *stats;
	struct stat st;
	guint64 size, pos;
	gboolean first = TRUE;
	int fd = open_mbox (src, folder);
	Finder finder = { fd, 0 };

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, mp_source_open_error (errno));
		return FALSE;
	}
	/* the file as it was when the scan began: a live mbox that keeps
	 * growing must not keep the scan going (what is appended is reported) */
	if (fstat (fd, &st) != 0) {
		int saved = errno;
		close (fd);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, g_strerror (saved));
		return FALSE;
	}
	size = (guint64) st.st_size;
	pos = size == 0 ? 0 : next_message_start (&finder, 0, size, buf);
	if (finder.error != 0) {
		close (fd);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, g_strerror (finder.error));
		return FALSE;
	}
	if (pos > 0) {
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes at offset 0 are not part of any message",
		                                      pos);
		notice (folder, mp_notice_name (MP_NOTICE_JUNK_BEFORE_FIRST_MESSAGE), d, user_data);
	}
	stats = g_new0 (PieceStats, 1);
	stats->refs = 1;
	while (pos < size) {
		MpBatch *batch = mp_batch_new (folder);
		Piece *pc = g_new0 (Piece, 1);
		guint64 want = piece_size (stats);

		pc->start = pos;
		pc->end = size - pos <= want ? size : next_message_start (&finder, pos + want, size, buf);
		pc->first = first;
		pc->stats = stats_ref (stats);
		batch->backend_data = pc;
		batch->backend_free = piece_free;
		batch->number_on_delivery = TRUE;
		first = FALSE;
		pos = pc->end;
		emit (batch, user_data);
	}
	stats_unref (stats);
	if (finder.error != 0) {
		close (fd);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: read failed: %s", folder->path,
		             g_strerror (finder.error));
		return FALSE;
	}
	if (fstat (fd, &st) == 0 && (guint64) st.st_size > size) {
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes were added after the scan began "
		                                      "and were not read", (guint64) st.st_size - size);
		notice (folder, mp_notice_name (MP_NOTICE_FILE_GREW_DURING_SCAN), d, user_data);
	}
	close (fd);
	return TRUE;
}

/* A worker's read buffer, kept per thread: a fresh one per piece would be
 * an mmap to fault in and zero each time. It holds the message being read
 * (up to MP_ANALYZER_MEM_MAX) and the next read, so it is made that size at
 * once (mp_worker_buffer_new: 2 MiB pages where the kernel has them). */
#define READ_BUF_SIZE (MP_ANALYZER_MEM_MAX + 2 * READ_CHUNK)

static GPrivate read_buf_key = G_PRIVATE_INIT (mp_worker_buffer_free);

typedef struct {
	MpBatch     *batch;
	Piece       *piece;
	MpAnalyzer  *analyzer;
	int          fd;
	guint8      *buf;       /* the thread's read buffer, READ_BUF_SIZE octets */
	guint64      buf_off;   /* buf holds the file bytes [buf_off, buf_off + fill) */
	gsize        fill;
	guint64      keep_from; /* bytes before this are no longer needed */
	gboolean     first;     /* the next message is the file's first */
	guint64      bytes;     /* message bytes analyzed (for PieceStats) */
} PieceCtx;

/* UW-IMAP keeps folder state in a first pseudo-message ("DON'T DELETE THIS
 * MESSAGE -- FOLDER INTERNAL DATA", with an X-IMAP header). It is no mail. */
static gboolean
is_uw_imap_internal (int fd, const MpMboxRange *r)
{
	char head[4096];
	gsize want = (gsize) MIN (r->end - r->start, (guint64) sizeof head - 1);
	gssize n = mp_pread_full (fd, head, want, r->start);

	if (n <= 0)
		return FALSE;
	head[n] = '\0';
	return (strncmp (head, "X-IMAP:", 7) == 0 || strstr (head, "\nX-IMAP:") != NULL ||
	        strncmp (head, "X-IMAPbase:", 11) == 0 || strstr (head, "\nX-IMAPbase:") != NULL) &&
	       strstr (head, "FOLDER INTERNAL DATA") != NULL;
}

static void
on_range (const MpMboxRange *piece_r, gpointer user_data)
{
	PieceCtx *ctx = user_data;
	/* the boundary finder counts from the piece's start: make offsets the file's */
	MpMboxRange abs = *piece_r;
	const MpMboxRange *r = &abs;
	MpMessage *m;
	GDateTime *dt;
	guint64 len;
	MpRangeFlags quoted;

	abs.from_offset += ctx->piece->start;
	abs.start += ctx->piece->start;
	abs.end += ctx->piece->start;
	len = r->end - r->start;
	ctx->keep_from = r->end;
	if (ctx->first) {
		ctx->first = FALSE;
		if (is_uw_imap_internal (ctx->fd, r)) {
			g_autofree char *d = g_strdup_printf ("offset %" G_GUINT64_FORMAT, r->from_offset);
			mp_batch_add_notice (ctx->batch, mp_notice_name (MP_NOTICE_UW_IMAP_INTERNAL_DATA_SKIPPED), d);
			return;
		}
	}
	m = mp_message_new ();
	m->folder = g_strdup (ctx->batch->folder->name);
	m->locator = g_strdup_printf ("%" G_GUINT64_FORMAT, r->from_offset);
	m->size = r->size;
	m->max_line = r->max_line;
	/* the arrival date, used only when the Date: header is missing or invalid */
	if ((dt = mp_parse_from_line_date (r->from_line)) != NULL) {
		m->date = mp_format_date (dt);
		m->date_unix = g_date_time_to_unix (dt);
		m->date_source = MP_DATE_FROM_LINE;
		m->arrival_unix = m->date_unix;
		g_date_time_unref (dt);
	}
	if (r->inner_from_lines > 0) {
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " line(s) begin with \"From \" without "
		                                      "an empty line before them: unescaped text, or messages "
		                                      "this mbox writer did not separate", r->inner_from_lines);
		mp_message_add_problem (m, MP_PROBLEM_UNSEPARATED_FROM_LINE, d);
	}
	/* the size was counted by the boundary finder (with mbox unescaping); the
	 * bytes are analyzed where they were just read, while in the cache.
	 * The boundary finder also counted the ^>+From lines: in a message without
	 * any, no attachment has one either, and the analyzer need not look
	 * for them (a pass over every attachment's bytes). */
	quoted = r->quoted_from_lines > 0 ? MP_RANGE_MBOX_QUOTED : 0;
	if (len <= MP_ANALYZER_MEM_MAX && r->start >= ctx->buf_off && r->end <= ctx->buf_off + ctx->fill)
		mp_analyzer_run_bytes (ctx->analyzer, ctx->buf + (r->start - ctx->buf_off), (gsize) len,
		                       quoted, m);
	else
		mp_analyzer_run_range (ctx->analyzer, ctx->fd, r->start, r->end, quoted, m);
	ctx->bytes += len;
	mp_batch_add (ctx->batch, m, NULL); /* the worker needs no MpMessageWhere: it found the message */
}

static void
on_junk (guint64 start, guint64 end, gpointer user_data)
{
	PieceCtx *ctx = user_data;
	/* a piece starts at a message start: only a file rewritten since the
	 * producer looked at it has junk here */
	g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
	                                      " are not part of any message", end - start,
	                                      ctx->piece->start + start);

	mp_batch_add_notice (ctx->batch, mp_notice_name (MP_NOTICE_JUNK_BEFORE_FIRST_MESSAGE), d);
}

/* Makes room for the next read: drops what no message needs any more, and
 * the message being read when it has outgrown MP_ANALYZER_MEM_MAX (its
 * worker reads it from the file). */
static void
make_room (PieceCtx *ctx, guint64 pos)
{

	if (ctx->keep_from > ctx->buf_off) {
		gsize drop = (gsize) MIN (ctx->keep_from - ctx->buf_off, (guint64) ctx->fill);
		memmove (ctx->buf, ctx->buf + drop, ctx->fill - drop);
		ctx->fill -= drop;
		ctx->buf_off += drop;
	}
	if (ctx->fill > MP_ANALYZER_MEM_MAX) {
		ctx->fill = 0;
		ctx->buf_off = pos;
	}
	/* FILL is at most MP_ANALYZER_MEM_MAX here: the buffer always has room */
	g_assert (ctx->fill + READ_CHUNK <= READ_BUF_SIZE);
}

void
mp_mbox_analyze (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer)
{
	Piece *pc = batch->backend_data;
	g_autoptr(MpMboxBoundaries) finder = NULL;
	PieceCtx ctx = { batch, pc, analyzer, -1, NULL, pc->start, 0, pc->start, pc->first, 0 };
	MpMboxCoverage cov;
	guint64 pos = pc->start;

	ctx.buf = g_private_get (&read_buf_key);
	if (ctx.buf == NULL) {
		ctx.buf = mp_worker_buffer_new (READ_BUF_SIZE);
		g_private_set (&read_buf_key, ctx.buf);
	}
	/* each piece opens its own fd: threads never share a stream (GMIME-IMAP-FACTS §5) */
	ctx.fd = open_mbox (src, batch->folder);
	if (ctx.fd < 0) {
		mp_batch_fail (batch, g_error_new (MP_ERROR, MP_ERROR_READ, "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
		                                   " not read: %s", pc->start, pc->end, mp_source_open_error (errno)));
		return;
	}
	finder = mp_mbox_boundaries_new (on_range, on_junk, &ctx);
	while (pos < pc->end) {
		gssize n;

		make_room (&ctx, pos);
		n = mp_pread_full (ctx.fd, ctx.buf + ctx.fill,
		                   (gsize) MIN ((guint64) READ_CHUNK, pc->end - pos), pos);
		if (n <= 0) {
			/* what was read is reported; a file that shrank while it was
			 * read lost messages the scan had counted on */
			mp_batch_fail (batch, g_error_new (MP_ERROR, MP_ERROR_READ, "bytes %" G_GUINT64_FORMAT "-%"
			                                   G_GUINT64_FORMAT " not read: %s", pos, pc->end,
			                                   n < 0 ? g_strerror (errno) : "the file shrank while it was read"));
			break;
		}
		ctx.fill += (gsize) n;
		mp_mbox_boundaries_feed (finder, (const char *) ctx.buf + ctx.fill - (gsize) n, (gsize) n);
		pos += (guint64) n;
	}
	mp_mbox_boundaries_finish (finder);
	close (ctx.fd);

	mp_mbox_boundaries_coverage (finder, &cov);
	if (cov.messages + cov.from_lines + cov.separators + cov.junk != cov.total) {
		/* cannot happen by construction; checked so it can never be silent:
		 * bytes no message holds were not judged */
		mp_batch_fail (batch, g_error_new (MP_ERROR, MP_ERROR_READ, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
		                                   " bytes at offset %" G_GUINT64_FORMAT " are in no message and no separator",
		                                   cov.total - (cov.messages + cov.from_lines + cov.separators + cov.junk),
		                                   cov.total, pc->start));
	}
	__atomic_add_fetch (&pc->stats->bytes, ctx.bytes, __ATOMIC_RELAXED);
	__atomic_add_fetch (&pc->stats->messages, (guint64) batch->messages->len, __ATOMIC_RELAXED);
}

const MpSourceOps mp_source_mbox = {
	.name = "mbox",
	.probe = mbox_probe,
	.folders = mbox_folders,
	.enumerate = mp_mbox_enumerate,
	.analyze = mp_mbox_analyze,
};
