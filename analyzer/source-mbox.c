/* source-mbox.c — one mbox file is one folder.
 *
 * The producer splits the file itself (mbox-split.c) reading it sequentially
 * in 1 MiB chunks, so RSS stays flat whatever the file size (no whole-file
 * mmap: it would count in RSS). Workers parse each message range as one
 * GMIME_FORMAT_MESSAGE on a substream of their own fd, so a broken message
 * can never swallow the rest of the file (GMIME-IMAP-FACTS §1.5). */
#include "source.h"
#include "source-util.h"
#include "mbox-split.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1024 * 1024)

static gboolean
mbox_probe (const char *path)
{
	return mp_file_looks_like_mbox (path);
}

static GPtrArray *
mbox_folders (MpSource *src, GError **error)
{
	GPtrArray *folders = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free);
	g_autofree char *base = g_path_get_basename (src->abs_path);

	g_ptr_array_add (folders, mp_folder_new (base, src->abs_path));
	return folders;
}

typedef struct {
	const MpFolder *folder;
	int             fd;
	MpBatchFunc     emit;
	MpNoticeFunc    notice;
	gpointer        user_data;
	MpBatch        *batch;
	guint64         batch_bytes;
	guint64         index;
	gboolean        first;
} SplitCtx;

static void
flush_batch (SplitCtx *ctx)
{
	if (ctx->batch && ctx->batch->messages->len > 0)
		ctx->emit (g_steal_pointer (&ctx->batch), ctx->user_data);
	g_clear_pointer (&ctx->batch, mp_batch_free);
	ctx->batch_bytes = 0;
}

/* UW-IMAP keeps folder state in a first pseudo-message ("DON'T DELETE THIS
 * MESSAGE -- FOLDER INTERNAL DATA", with an X-IMAP header). It is no mail. */
static guint64
cov_size (const MpMboxSplitter *s)
{
	MpMboxCoverage c;

	mp_mbox_splitter_coverage (s, &c);
	return c.total;
}

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
on_range (const MpMboxRange *r, gpointer user_data)
{
	SplitCtx *ctx = user_data;
	MpMessageWhere where = { r->start, r->end, NULL };
	MpMessage *m;
	GDateTime *dt;

	if (ctx->first) {
		ctx->first = FALSE;
		if (is_uw_imap_internal (ctx->fd, r)) {
			g_autofree char *d = g_strdup_printf ("offset %" G_GUINT64_FORMAT, r->from_offset);
			ctx->notice (ctx->folder, "uw-imap-internal-data-skipped", d, ctx->user_data);
			return;
		}
	}
	m = mp_message_new ();
	m->folder = g_strdup (ctx->folder->name);
	m->locator = g_strdup_printf ("%" G_GUINT64_FORMAT, r->from_offset);
	m->index = ++ctx->index;
	m->size = r->size;
	m->max_line = r->max_line;
	/* the arrival date, used only when the Date: header is missing or invalid */
	if ((dt = mp_parse_from_line_date (r->from_line)) != NULL) {
		m->date = mp_format_date (dt);
		m->date_unix = g_date_time_to_unix (dt);
		m->date_source = MP_DATE_FROM_LINE;
		g_date_time_unref (dt);
	}
	if (r->inner_from_lines > 0) {
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " line(s) begin with \"From \" without "
		                                      "an empty line before them: unescaped text, or messages "
		                                      "this mbox writer did not separate", r->inner_from_lines);
		mp_message_add_problem (m, "unseparated-from-line", d);
	}
	if (ctx->batch == NULL)
		ctx->batch = mp_batch_new (ctx->folder);
	mp_batch_add (ctx->batch, m, &where);
	ctx->batch_bytes += r->end - r->start;
	if (ctx->batch->messages->len >= MP_BATCH_MAX_MESSAGES || ctx->batch_bytes >= MP_BATCH_MAX_BYTES)
		flush_batch (ctx);
}

static void
on_junk (guint64 start, guint64 end, gpointer user_data)
{
	SplitCtx *ctx = user_data;
	g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
	                                      " are not part of any message", end - start, start);

	ctx->notice (ctx->folder, "junk-before-first-message", d, ctx->user_data);
}

gboolean
mp_mbox_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit, MpNoticeFunc notice,
                gpointer user_data, GError **error)
{
	SplitCtx ctx = { folder, -1, emit, notice, user_data, NULL, 0, 0, TRUE };
	g_autoptr(MpMboxSplitter) splitter = mp_mbox_splitter_new (on_range, on_junk, &ctx);
	g_autofree char *buf = g_malloc (READ_CHUNK);
	MpMboxCoverage cov;
	struct stat st;
	guint64 remaining;

	ctx.fd = open (folder->path, O_RDONLY | O_CLOEXEC);
	if (ctx.fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, g_strerror (errno));
		return FALSE;
	}
	posix_fadvise (ctx.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* the file as it was when the scan began: a live mbox that keeps
	 * growing must not keep the scan going (what is appended is reported) */
	if (fstat (ctx.fd, &st) != 0) {
		int saved = errno;
		close (ctx.fd);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, g_strerror (saved));
		return FALSE;
	}
	remaining = (guint64) st.st_size;
	while (remaining > 0) {
		ssize_t n = read (ctx.fd, buf, (size_t) MIN ((guint64) READ_CHUNK, remaining));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			flush_batch (&ctx);
			close (ctx.fd);
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: read failed after %" G_GUINT64_FORMAT
			             " messages: %s", folder->path, ctx.index, g_strerror (saved));
			return FALSE;
		}
		if (n == 0)
			break; /* truncated while we read: what was read is reported */
		mp_mbox_splitter_feed (splitter, buf, (gsize) n);
		remaining -= (guint64) n;
	}
	mp_mbox_splitter_finish (splitter);
	if (fstat (ctx.fd, &st) == 0 && (guint64) st.st_size > cov_size (splitter)) {
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes were added after the scan began "
		                                      "and were not read", (guint64) st.st_size - cov_size (splitter));
		notice (folder, "file-grew-during-scan", d, user_data);
	}
	flush_batch (&ctx);
	close (ctx.fd);

	mp_mbox_splitter_coverage (splitter, &cov);
	if (cov.messages + cov.from_lines + cov.separators + cov.junk != cov.total) {
		/* cannot happen by construction; checked so it can never be silent */
		g_autofree char *d = g_strdup_printf ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
		                                      " bytes unaccounted for",
		                                      cov.total - (cov.messages + cov.from_lines + cov.separators + cov.junk),
		                                      cov.total);
		notice (folder, "coverage-gap", d, user_data);
	}
	return TRUE;
}

void
mp_mbox_analyze (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer)
{
	/* each batch opens its own fd: threads never share a stream (GMIME-IMAP-FACTS §5) */
	int fd = open (batch->folder->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		for (guint i = 0; i < batch->messages->len; i++)
			mp_message_add_problem (g_ptr_array_index (batch->messages, i), "unreadable",
			                        g_strerror (errno));
		return;
	}
	for (guint i = 0; i < batch->messages->len; i++) {
		const MpMessageWhere *w = &g_array_index (batch->where, MpMessageWhere, i);

		/* the size was counted by the splitter (with mbox unescaping) */
		mp_analyzer_run_range (analyzer, fd, w->start, w->end, MP_RANGE_MBOX_QUOTED,
		                       g_ptr_array_index (batch->messages, i));
	}
	close (fd);
}

const MpSourceOps mp_source_mbox = {
	.name = "mbox",
	.probe = mbox_probe,
	.folders = mbox_folders,
	.enumerate = mp_mbox_enumerate,
	.analyze = mp_mbox_analyze,
};
