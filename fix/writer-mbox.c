/* writer-mbox.c — an mbox copy: one file, or a folder of mbox files.
 *
 * From mbox, a message that is not changed is copied byte for byte with
 * its From_ line and separator (its Status and X-Status headers are in its
 * bytes), and bytes before the first message too: an unchanged mbox comes
 * out identical. A folder of mbox files keeps its layout.
 *
 * Everything else is written as mboxrd (RFC 4155 §2 cites it; the rule of
 * DEFINITIONS.md): a From_ line (the original's for a part of a split mbox
 * message, else one made from the Return-Path and the arrival time), the
 * message with one '>' added to each ^>*From line, an empty separator line.
 * A message from a Maildir keeps its flags as Status/X-Status headers, as
 * mutt, UW-IMAP and Dovecot keep them (its own Status lines, if any, are
 * replaced). Folders from a Maildir become a folder of mbox files in
 * Thunderbird's layout ("A/B" is A.sbd/B), which a scan reads back. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_FLUSH (1024 * 1024)
/* a header block larger than this is not rewritten (a scan does not parse
 * one either: mime-analyze.c's MP_MAX_HEADER_BLOCK) */
#define HEADER_MAX (8 * 1024 * 1024)

typedef struct {
	MpFixWriter   base;
	MpFixStaging *staging;
	char         *root;
	gboolean      root_is_file;
	MpFixFormat   from;
	char         *path;       /* the folder's file */
	char         *folder;
	int           fd;
	guint64       offset;     /* octets written to it */
	guint8        tail[4];    /* its last octets (tail_len of them) */
	guint         tail_len;
	GByteArray   *buf;        /* written, not yet flushed */
	GByteArray   *io;         /* for copies and reads, made once */
	GByteArray   *quoted;     /* a message as quoted, made once */
} MboxWriter;

/* Names that a reader of a folder of mbox files passes over as companion
 * files (source-mboxdir.c) get a '_' after them; hidden ones one before. */
static char *
safe_component (const char *c, gboolean last)
{
	static const char *const suffixes[] = { ".msf", ".dat", ".json", ".sqlite", ".cmeta", ".index",
	                                        ".lock", ".ev-summary", ".html", ".js", ".mozlz4",
	                                        ".summary", ".sbd" };
	g_autofree char *s = c[0] == '.' || c[0] == '\0' ? g_strdup_printf ("_%s", c) : g_strdup (c);

	for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
		if (g_str_has_suffix (s, suffixes[i]))
			return g_strdup_printf ("%s_%s", s, last ? "" : ".sbd");
	return last ? g_steal_pointer (&s) : g_strdup_printf ("%s.sbd", s);
}

static char *
mbox_folder_target (MpFixWriter *w, const char *name, const char *source_rel)
{
	MboxWriter *mw = (MboxWriter *) w;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) out = NULL;

	if (mw->root_is_file || mw->from == MP_FIX_FORMAT_MBOX)
		return g_strdup (source_rel);
	parts = g_strsplit (name, "/", -1);
	out = g_string_new (NULL);
	for (int i = 0; parts[i]; i++) {
		g_autofree char *c = safe_component (parts[i], parts[i + 1] == NULL);
		if (out->len)
			g_string_append_c (out, '/');
		g_string_append (out, c);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
note_tail (MboxWriter *mw, const guint8 *p, gsize n)
{
	guint8 t[8];
	gsize keep;

	if (n >= 4) {
		memcpy (mw->tail, p + n - 4, 4);
		mw->tail_len = 4;
		return;
	}
	memcpy (t, mw->tail, mw->tail_len);
	memcpy (t + mw->tail_len, p, n);
	keep = MIN ((gsize) 4, mw->tail_len + n);
	memcpy (mw->tail, t + mw->tail_len + n - keep, keep);
	mw->tail_len = (guint) keep;
}

static gboolean
flush (MboxWriter *mw, GError **error)
{
	if (mw->buf->len == 0)
		return TRUE;
	if (!mp_fix_write_all (mw->fd, mw->buf->data, mw->buf->len, mw->path, error))
		return FALSE;
	g_byte_array_set_size (mw->buf, 0);
	return TRUE;
}

static gboolean
emit (MboxWriter *mw, const void *p, gsize n, GError **error)
{
	if (n == 0)
		return TRUE;
	g_byte_array_append (mw->buf, p, (guint) n);
	note_tail (mw, p, n);
	mw->offset += n;
	return mw->buf->len < BUF_FLUSH || flush (mw, error);
}

/* A From_ line starts a message only at the start of the file or after an
 * empty line (DEFINITIONS.md): make sure one precedes. */
static gboolean
separate (MboxWriter *mw, GError **error)
{
	const guint8 *t = mw->tail;
	guint n = mw->tail_len;

	if (mw->offset == 0)
		return TRUE;
	if ((n >= 2 && t[n - 1] == '\n' && t[n - 2] == '\n') ||
	    (n >= 3 && t[n - 1] == '\n' && t[n - 2] == '\r' && t[n - 3] == '\n'))
		return TRUE;
	if (n >= 1 && t[n - 1] == '\n')
		return emit (mw, "\n", 1, error);
	return emit (mw, "\n\n", 2, error);
}

static gboolean
mbox_folder_begin (MpFixWriter *w, const char *name, const char *source_rel, const char *source_path,
                   GError **error)
{
	MboxWriter *mw = (MboxWriter *) w;
	g_autofree char *rel = mbox_folder_target (w, name, source_rel);
	g_autofree char *dir = NULL;

	g_free (mw->path);
	g_free (mw->folder);
	mw->path = *rel ? g_build_filename (mw->root, rel, NULL) : g_strdup (mw->root);
	mw->folder = g_strdup (name);
	dir = g_path_get_dirname (mw->path);
	if (g_mkdir_with_parents (dir, 0700) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", dir, g_strerror (errno));
		return FALSE;
	}
	mw->fd = open (mw->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (mw->fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", mw->path, g_strerror (errno));
		return FALSE;
	}
	mw->offset = 0;
	mw->tail_len = 0;
	g_byte_array_set_size (mw->buf, 0);
	return TRUE;
}

static gboolean
copy_raw (MboxWriter *mw, int fd, guint64 start, guint64 end, const char *from_path, GError **error)
{
	guint8 t[4];
	gsize n = (gsize) MIN ((guint64) 4, end - start);

	if (end <= start)
		return TRUE;
	if (!flush (mw, error) || !mp_fix_copy_range (fd, start, end, mw->fd, from_path, mw->path, mw->io, error))
		return FALSE;
	if (pread (fd, t, n, (off_t) (end - n)) != (gssize) n) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", from_path, g_strerror (errno ? errno : EIO));
		return FALSE;
	}
	note_tail (mw, t, n);
	mw->offset += end - start;
	return TRUE;
}

static gboolean
mbox_junk (MpFixWriter *w, int fd, guint64 start, guint64 end, GError **error)
{
	MboxWriter *mw = (MboxWriter *) w;

	if (mw->from != MP_FIX_FORMAT_MBOX)
		return TRUE;
	return copy_raw (mw, fd, start, end, "the source", error);
}

/* Is the field starting at P (a header line) Status or X-Status? */
static gboolean
is_status_field (const guint8 *p, gsize n)
{
	return (n >= 7 && g_ascii_strncasecmp ((const char *) p, "Status:", 7) == 0) ||
	       (n >= 9 && g_ascii_strncasecmp ((const char *) p, "X-Status:", 9) == 0);
}

/* The header block of STREAM (up to the empty line, which is left in the
 * stream) with its Status and X-Status fields removed and FLAGS's added. */
static gboolean
header_with_status (GMimeStream *stream, guint flags, GByteArray *out, GError **error)
{
	g_autoptr(GByteArray) head = g_byte_array_new ();
	g_autofree char *status = NULL;
	const char *eol = "\n";
	gsize end = 0, pos = 0;
	gboolean found = FALSE, dropping = FALSE;
	char buf[4096];

	/* read to the end of the header block (or the message) */
	while (!found) {
		gssize n = mp_fix_stream_read (stream, buf, sizeof buf);
		gsize from = head->len > 2 ? head->len - 2 : 0;
		if (n < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "reading a message failed");
			return FALSE;
		}
		if (n == 0)
			break;
		g_byte_array_append (head, (const guint8 *) buf, (guint) n);
		for (gsize i = from; i < head->len; i++) {
			if (head->data[i] != '\n')
				continue;
			if (i == 0 || (i + 1 < head->len && head->data[i + 1] == '\n') ||
			    (i + 2 < head->len && head->data[i + 1] == '\r' && head->data[i + 2] == '\n')) {
				end = i == 0 ? 0 : i + 1;
				found = TRUE;
				break;
			}
		}
		if (head->len > HEADER_MAX) {
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "a header block over %d MB cannot be given "
			             "mbox Status headers", HEADER_MAX >> 20);
			return FALSE;
		}
	}
	if (!found)
		end = head->len;
	for (gsize i = 0; i + 1 < end; i++)
		if (head->data[i] == '\n') {
			eol = i > 0 && head->data[i - 1] == '\r' ? "\r\n" : "\n";
			break;
		}
	/* the fields, a continuation line (starting with a blank) belonging to
	 * the field before it */
	while (pos < end) {
		const guint8 *lf = memchr (head->data + pos, '\n', end - pos);
		gsize next = lf ? (gsize) (lf - head->data) + 1 : end;
		const guint8 *line = head->data + pos;
		gboolean continuation = line[0] == ' ' || line[0] == '\t';

		if (!continuation)
			dropping = is_status_field (line, next - pos);
		if (!dropping)
			g_byte_array_append (out, line, (guint) (next - pos));
		pos = next;
	}
	if (end > 0 && head->data[end - 1] != '\n')
		g_byte_array_append (out, (const guint8 *) eol, (guint) strlen (eol));
	status = mp_fix_mbox_status_headers (flags, eol);
	g_byte_array_append (out, (const guint8 *) status, (guint) strlen (status));
	/* what was read past the header block goes back */
	if (g_mime_stream_seek (stream, (gint64) end + stream->bound_start, GMIME_STREAM_SEEK_SET) < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read again");
		return FALSE;
	}
	return TRUE;
}

static gboolean
write_quoted (MboxWriter *mw, GMimeStream *stream, const MpFixEnvelope *env, gboolean status, GError **error)
{
	GByteArray *out = mw->quoted;
	char *buf = (char *) mw->io->data;
	MpFixQuoter q;
	const char *eol = "\n";
	gssize n;

	g_byte_array_set_size (out, 0);
	mp_fix_quoter_init (&q, TRUE);
	if (g_mime_stream_reset (stream) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read");
		return FALSE;
	}
	if (status) {
		g_autoptr(GByteArray) head = g_byte_array_new ();
		if (!header_with_status (stream, env->flags, head, error))
			return FALSE;
		mp_fix_quoter_feed (&q, head->data, head->len, out);
	}
	while ((n = mp_fix_stream_read (stream, buf, mw->io->len)) > 0) {
		mp_fix_quoter_feed (&q, (const guint8 *) buf, (gsize) n, out);
		if (out->len >= BUF_FLUSH) {
			if (!emit (mw, out->data, out->len, error))
				return FALSE;
			g_byte_array_set_size (out, 0);
		}
	}
	if (n < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "reading a message to write it to %s failed", mw->path);
		return FALSE;
	}
	mp_fix_quoter_finish (&q, out);
	if (!emit (mw, out->data, out->len, error))
		return FALSE;
	/* the message ends with a line end (as its own lines do), then the
	 * empty separator line */
	if (mw->tail_len >= 2 && mw->tail[mw->tail_len - 2] == '\r')
		eol = "\r\n";
	if (mw->tail_len > 0 && mw->tail[mw->tail_len - 1] != '\n' && !emit (mw, eol, strlen (eol), error))
		return FALSE;
	return emit (mw, "\n", 1, error);
}

/* The address of the first Return-Path header of STREAM, for a From_ line;
 * NULL when there is none usable. */
static char *
return_path (GMimeStream *stream)
{
	char head[8192];
	gssize n;
	const char *p, *end;

	if (g_mime_stream_reset (stream) != 0 || (n = mp_fix_stream_read (stream, head, sizeof head - 1)) <= 0)
		return NULL;
	head[n] = '\0';
	end = head + n;
	for (p = head; p < end;) {
		const char *lf = memchr (p, '\n', (gsize) (end - p));
		if (lf == p || (lf == p + 1 && *p == '\r'))
			break; /* the end of the header block */
		if (g_ascii_strncasecmp (p, "Return-Path:", 12) == 0) {
			const char *a = memchr (p, '<', (gsize) ((lf ? lf : end) - p));
			const char *b = a ? memchr (a, '>', (gsize) ((lf ? lf : end) - a)) : NULL;
			if (a && b && b > a + 1) {
				g_autofree char *addr = g_strndup (a + 1, (gsize) (b - a - 1));
				for (const char *c = addr; *c; c++)
					if ((guchar) *c <= ' ' || (guchar) *c >= 0x7f)
						return NULL;
				return g_steal_pointer (&addr);
			}
			return NULL;
		}
		if (lf == NULL)
			break;
		p = lf + 1;
	}
	return NULL;
}

static gboolean
mbox_put (MpFixWriter *w, const MpFixOut *out, char **key, GError **error)
{
	MboxWriter *mw = (MboxWriter *) w;
	const MpFixEnvelope *env = out->env;
	g_autoptr(GMimeStream) own = NULL;
	GMimeStream *stream = out->content;
	g_autofree char *from_line = NULL;
	g_autofree char *sender = NULL;

	*key = NULL;
	if (!separate (mw, error))
		return FALSE;
	*key = g_strdup_printf ("%" G_GUINT64_FORMAT, mw->offset);
	if (out->copy_of != NULL && out->copy_of->kind == MP_FIX_STORED_MBOX)
		return copy_raw (mw, out->copy_of->fd, out->copy_of->entry_start, out->copy_of->entry_end,
		                 out->copy_of->path, error);
	if (stream == NULL) {
		own = mp_fix_item_stream (out->copy_of, mw->staging ? mp_fix_staging_dir (mw->staging) : NULL, error);
		if (own == NULL)
			return FALSE;
		stream = own;
	}
	if (env->from_line != NULL) {
		from_line = g_strdup_printf ("%s\n", env->from_line);
	} else {
		g_autofree char *line = NULL;
		sender = out->sender ? g_strdup (out->sender) : return_path (stream);
		line = mp_fix_from_line (sender, env->arrival);
		from_line = g_strdup_printf ("%s\n", line);
	}
	if (!emit (mw, from_line, strlen (from_line), error))
		return FALSE;
	/* flags that no header of the message holds yet go into Status lines */
	return write_quoted (mw, stream, env, !env->flags_in_headers && env->from_line == NULL, error);
}

static gboolean
mbox_put_file (MpFixWriter *w, MpFixFile *file, char **where, GError **error)
{
	MboxWriter *mw = (MboxWriter *) w;

	return mp_fix_staging_put_file (mw->staging, file->produce, file->data, file->sidecar, file->sha256,
	                                &file->size, where, error);
}

static gboolean
mbox_folder_end (MpFixWriter *w, GError **error)
{
	MboxWriter *mw = (MboxWriter *) w;
	gboolean ok = flush (mw, error);

	if (mw->fd >= 0 && close (mw->fd) != 0 && ok) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", mw->path, g_strerror (errno));
		ok = FALSE;
	}
	mw->fd = -1;
	return ok;
}

static gboolean
mbox_read_back (MpFixWriter *w, MpSource **source, MpFolder **folder)
{
	MboxWriter *mw = (MboxWriter *) w;
	MpSource *src = g_new0 (MpSource, 1);

	src->ops = &mp_source_mbox;
	src->path = g_strdup (mw->root);
	src->abs_path = g_strdup (mw->root);
	*source = src;
	*folder = mp_folder_new (mw->folder, mw->path);
	return TRUE;
}

static char *
mbox_file_path (MpFixWriter *w, const char *sha256)
{
	MboxWriter *mw = (MboxWriter *) w;

	return mp_fix_staging_file_path (mw->staging, sha256);
}

static void
mbox_free (MpFixWriter *w)
{
	MboxWriter *mw = (MboxWriter *) w;

	if (mw->fd >= 0)
		close (mw->fd);
	g_byte_array_unref (mw->buf);
	g_byte_array_unref (mw->io);
	g_byte_array_unref (mw->quoted);
	g_free (mw->root);
	g_free (mw->path);
	g_free (mw->folder);
	g_free (mw);
}

static const MpFixWriterOps mbox_ops = {
	.name = "mbox",
	.folder_target = mbox_folder_target,
	.folder_begin = mbox_folder_begin,
	.junk = mbox_junk,
	.put = mbox_put,
	.put_file = mbox_put_file,
	.folder_end = mbox_folder_end,
	.read_back = mbox_read_back,
	.file_path = mbox_file_path,
	.free = mbox_free,
};

MpFixWriter *
mp_fix_writer_mbox_new (MpFixStaging *staging, const char *root, gboolean root_is_file, MpFixFormat from)
{
	MboxWriter *mw = g_new0 (MboxWriter, 1);

	mw->base.ops = &mbox_ops;
	mw->base.format = MP_FIX_FORMAT_MBOX;
	mw->staging = staging;
	mw->root = g_strdup (root);
	mw->root_is_file = root_is_file;
	mw->from = from;
	mw->fd = -1;
	mw->buf = g_byte_array_sized_new (BUF_FLUSH + 64 * 1024);
	mw->io = mp_fix_copy_buffer_new ();
	mw->quoted = g_byte_array_sized_new (BUF_FLUSH + 64 * 1024);
	return &mw->base;
}
