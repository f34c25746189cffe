/* reader-mbox.c — the messages of one mbox file, split by the analyzer's
 * own splitter (mbox-boundary.h: the rule of DEFINITIONS.md, never GMime's
 * mbox mode), read in 1 MiB chunks: memory does not grow with the file or
 * with a message. Each item knows its whole entry (From_ line, message,
 * separator), so a copy to another mbox can be byte for byte. */
#include "reader.h"
#include "mbox-boundary.h"
#include "dates.h"
#include "source-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1024 * 1024)
/* the header block is looked at for Status headers up to this far */
#define HEAD_MAX   (64 * 1024)

typedef struct {
	MpFixReader       base;
	char             *path;
	int               fd;
	guint64           size;     /* the file as it was when opened */
	guint64           pos;      /* bytes fed */
	MpMboxBoundaries *split;
	gboolean          finished;
	GQueue            ready;    /* MpFixItem*, in file order */
	MpFixItem        *last;     /* the newest range: its entry end is not known yet */
	MpFixItem        *current; /* returned by next(), freed by the next call */
	guint64           index;
	gboolean          first;
	guint8           *buf;
	int               read_errno;
} MboxReader;

/* UW-IMAP's first pseudo-message ("DON'T DELETE THIS MESSAGE -- FOLDER
 * INTERNAL DATA", X-IMAP header) holds folder state, no mail; a scan skips
 * it (source-mbox.c does the same test). */
static gboolean
is_uw_imap_internal (const char *head, gsize n)
{
	g_autofree char *s = g_strndup (head, n);

	return (g_str_has_prefix (s, "X-IMAP:") || strstr (s, "\nX-IMAP:") != NULL ||
	        g_str_has_prefix (s, "X-IMAPbase:") || strstr (s, "\nX-IMAPbase:") != NULL) &&
	       strstr (s, "FOLDER INTERNAL DATA") != NULL;
}

/* The length of the header block at HEAD (up to and including the empty
 * line), or N when it does not end within N octets. */
static gsize
header_length (const char *head, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		if (head[i] != '\n')
			continue;
		if (i + 1 < n && head[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && head[i + 1] == '\r' && head[i + 2] == '\n')
			return i + 3;
	}
	if (n > 0 && head[0] == '\n')
		return 1;
	return n;
}

static void
on_range (const MpMboxRange *r, gpointer user_data)
{
	MboxReader *mr = user_data;
	MpFixItem *it = g_new0 (MpFixItem, 1);
	char head[4096];
	gsize want = (gsize) MIN (r->end - r->start, (guint64) HEAD_MAX);
	g_autofree char *big = want > sizeof head ? g_malloc (want) : NULL;
	char *h = big ? big : head;
	gssize n;
	g_autoptr(GDateTime) dt = NULL;

	it->folder = g_strdup (mr->base.folder);
	it->kind = MP_FIX_STORED_MBOX;
	it->path = g_strdup (mr->path);
	it->fd = mr->fd;
	it->entry_start = r->from_offset;
	it->start = r->start;
	it->end = r->end;
	it->entry_end = r->end;
	it->size = r->size;
	it->max_line = r->max_line;
	it->quoted_from_lines = r->quoted_from_lines;
	it->locator = g_strdup_printf ("%" G_GUINT64_FORMAT, r->from_offset);
	it->env.from_line = g_strdup (r->from_line);
	it->env.arrival = MP_FIX_NO_TIME;
	if ((dt = mp_parse_from_line_date (r->from_line)) != NULL)
		it->env.arrival = g_date_time_to_unix (dt);
	do
		n = pread (mr->fd, h, want, (off_t) r->start);
	while (n < 0 && errno == EINTR);
	if (n < 0 && mr->read_errno == 0)
		mr->read_errno = errno;
	if (n > 0) {
		gsize hl = header_length (h, (gsize) n);
		it->env.flags = mp_fix_flags_from_mbox_headers (h, hl, &it->env.flags_in_headers);
		if (mr->first)
			it->internal = is_uw_imap_internal (h, hl);
	}
	mr->first = FALSE;
	if (!it->internal)
		it->index = ++mr->index;
	/* the previous range ends where this one's From_ line starts */
	if (mr->last != NULL) {
		mr->last->entry_end = r->from_offset;
		g_queue_push_tail (&mr->ready, mr->last);
	}
	mr->last = it;
}

static void
on_junk (guint64 start, guint64 end, gpointer user_data)
{
	MboxReader *mr = user_data;

	mr->base.junk_start = start;
	mr->base.junk_end = end;
}

static MpFixItem *
mbox_next (MpFixReader *r, GError **error)
{
	MboxReader *mr = (MboxReader *) r;

	g_clear_pointer (&mr->current, mp_fix_item_free);
	while (g_queue_is_empty (&mr->ready) && !mr->finished) {
		gsize want = (gsize) MIN ((guint64) READ_CHUNK, mr->size - mr->pos);
		gssize n = 0;

		if (want > 0) {
			do
				n = pread (mr->fd, mr->buf, want, (off_t) mr->pos);
			while (n < 0 && errno == EINTR);
			if (n < 0) {
				g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: offset %" G_GUINT64_FORMAT ": %s",
				             mr->path, mr->pos, g_strerror (errno));
				return NULL;
			}
		}
		if (n == 0) {
			if (mr->pos < mr->size) {
				g_set_error (error, MP_ERROR, MP_ERROR_READ,
				             "%s: the file shrank while it was read (%" G_GUINT64_FORMAT " of %"
				             G_GUINT64_FORMAT " bytes)", mr->path, mr->pos, mr->size);
				return NULL;
			}
			mp_mbox_boundaries_finish (mr->split);
			mr->finished = TRUE;
			if (mr->last != NULL) {
				mr->last->entry_end = mr->pos;
				g_queue_push_tail (&mr->ready, g_steal_pointer (&mr->last));
			}
			break;
		}
		mp_mbox_boundaries_feed (mr->split, (const char *) mr->buf, (gsize) n);
		mr->pos += (guint64) n;
	}
	if (mr->read_errno != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", mr->path, g_strerror (mr->read_errno));
		return NULL;
	}
	if (mr->finished && g_queue_is_empty (&mr->ready)) {
		MpMboxCoverage cov;
		mp_mbox_boundaries_coverage (mr->split, &cov);
		if (cov.messages + cov.from_lines + cov.separators + cov.junk != cov.total) {
			/* cannot happen by construction; never silent */
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %" G_GUINT64_FORMAT " bytes unaccounted for",
			             mr->path, cov.total - (cov.messages + cov.from_lines + cov.separators + cov.junk));
		}
		return NULL;
	}
	mr->current = g_queue_pop_head (&mr->ready);
	return mr->current;
}

static void
mbox_free (MpFixReader *r)
{
	MboxReader *mr = (MboxReader *) r;

	g_clear_pointer (&mr->current, mp_fix_item_free);
	g_clear_pointer (&mr->last, mp_fix_item_free);
	g_queue_clear_full (&mr->ready, (GDestroyNotify) mp_fix_item_free);
	g_clear_pointer (&mr->split, mp_mbox_boundaries_free);
	if (mr->fd >= 0)
		close (mr->fd);
	g_free (mr->buf);
	g_free (mr->path);
	g_free (mr->base.folder);
	g_free (mr);
}

static const MpFixReaderOps mbox_ops = {
	.next = mbox_next,
	.free = mbox_free,
};

MpFixReader *
mp_fix_reader_mbox_open (MpSource *src, const MpFolder *folder, GError **error)
{
	MboxReader *mr;
	struct stat st;
	/* opened as a scan opens it (source-mbox.c): the SOURCE argument may be
	 * a link, the user named it; a file found in a folder of mbox files
	 * never is and lies inside the source; the access time stays */
	MpOpenFlags how = strcmp (folder->path, src->abs_path) == 0 ? MP_OPEN_FOLLOW : MP_OPEN_FILE;
	int fd = mp_source_open_inside (src->real_path, folder->path, how);

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path, mp_source_open_error (errno));
		return NULL;
	}
	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
		int saved = errno;
		close (fd);
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", folder->path,
		             saved ? g_strerror (saved) : "not a regular file");
		return NULL;
	}
	mr = g_new0 (MboxReader, 1);
	mr->base.ops = &mbox_ops;
	mr->base.format = MP_FIX_FORMAT_MBOX;
	mr->base.folder = g_strdup (folder->name);
	mr->path = g_strdup (folder->path);
	mr->fd = fd;
	mr->size = (guint64) st.st_size;
	mr->first = TRUE;
	mr->buf = g_malloc (READ_CHUNK);
	mr->split = mp_mbox_boundaries_new (on_range, on_junk, mr);
	g_queue_init (&mr->ready);
	return &mr->base;
}
