/* source-imap-content.c — see source-imap-content.h. */
#include "source-imap-content.h"

#include "archive-list.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* ---- streaming ----------------------------------------------------------- */

typedef struct {
	char         *item;     /* "BODY[2]" as the server named it */
	MpCrlfCounter lines;
	int           fd;       /* the spooled octets, or -1 */
	char         *problem;  /* why spooling failed, or NULL */
} Streamed;

/* The parser may complete several responses from one read before the
 * client hands the first to us, so the streamed literals form a queue in
 * stream order: each response takes its own from the head. */
#define MAX_QUEUED 256

/* An attachment is spooled up to this much; beyond it the listing is given
 * up (a message is at most 150 MB at any target, TARGET-LIMITS.md), so a
 * server cannot fill the disk through us. */
#define MAX_SPOOL ((guint64) 1 << 30)

struct _MpImapContentStream {
	gboolean   active;
	gboolean   spool;
	GQueue     items; /* Streamed*, in the order the literals came */
};

static void
streamed_free (Streamed *s)
{
	if (s->fd >= 0)
		close (s->fd);
	g_free (s->item);
	g_free (s->problem);
	g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Streamed, streamed_free)

MpImapContentStream *
mp_imap_content_stream_new (void)
{
	MpImapContentStream *s = g_new0 (MpImapContentStream, 1);

	g_queue_init (&s->items);
	return s;
}

void
mp_imap_content_stream_free (MpImapContentStream *s)
{
	if (s == NULL)
		return;
	g_queue_clear_full (&s->items, (GDestroyNotify) streamed_free);
	g_free (s);
}

void
mp_imap_content_stream_set_active (MpImapContentStream *s, gboolean active, gboolean spool)
{
	s->active = active;
	s->spool = spool;
	g_queue_clear_full (&s->items, (GDestroyNotify) streamed_free);
}

/* "BODY[2.1]" -> "2.1"; NULL for anything that is not a BODY[...] item. */
static char *
body_section (const MpImapValue *item)
{
	const char *name = mp_imap_value_is_atom (item, NULL) ? mp_imap_value_get_string (item, NULL) : NULL;
	const char *end;

	if (name == NULL || g_ascii_strncasecmp (name, "BODY[", 5) != 0 ||
	    (end = strchr (name + 5, ']')) == NULL || end[1] != '\0')
		return NULL;
	return g_strndup (name + 5, (gsize) (end - name - 5));
}

/* An unlinked temporary file: gone when closed, whatever happens. */
static int
spool_open (char **problem)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	int fd = g_file_open_tmp ("mailpreflight-XXXXXX", &path, &error);

	if (fd < 0) {
		*problem = g_strdup (error->message);
		return -1;
	}
	g_unlink (path);
	return fd;
}

static gboolean
on_literal_begin (const MpImapValue *item, guint64 size, gpointer user_data)
{
	MpImapContentStream *s = user_data;
	g_autofree char *section = NULL;
	Streamed *st;

	/* a server sending literals nobody takes gets them kept, bounded by the
	 * parser's limits, instead of one temporary file each */
	if (!s->active || s->items.length >= MAX_QUEUED || (section = body_section (item)) == NULL)
		return FALSE;
	st = g_new0 (Streamed, 1);
	st->item = g_ascii_strup (mp_imap_value_get_string (item, NULL), -1);
	st->fd = -1;
	mp_crlf_init (&st->lines);
	/* only a part can be an archive; BODY[] and BODY[HEADER] are counted */
	if (s->spool && g_ascii_isdigit (section[0]))
		st->fd = spool_open (&st->problem);
	g_queue_push_tail (&s->items, st);
	return TRUE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
	while (len > 0) {
		ssize_t n = write (fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		data += n;
		len -= (gsize) n;
	}
	return TRUE;
}

static gboolean
on_literal_data (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	MpImapContentStream *s = user_data;
	Streamed *st = g_queue_peek_tail (&s->items);

	if (st == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "literal data without a literal");
		return FALSE;
	}
	mp_crlf_feed (&st->lines, (const char *) data, len);
	if (st->fd >= 0 && st->lines.octets > MAX_SPOOL) {
		st->problem = g_strdup ("the attachment is over 1 GiB: not listed");
		close (st->fd);
		st->fd = -1;
	} else if (st->fd >= 0 && !write_all (st->fd, data, len)) {
		/* a full disk costs this listing, not the connection */
		st->problem = g_strdup_printf ("could not spool the attachment: %s", g_strerror (errno));
		close (st->fd);
		st->fd = -1;
	}
	return TRUE;
}

void
mp_imap_content_stream_attach (MpImapContentStream *s, MpImapParserSettings *settings)
{
	settings->literal_begin = on_literal_begin;
	settings->literal_data = on_literal_data;
	settings->user_data = s;
}

/* ---- applying a response ------------------------------------------------- */

/* The next streamed literal, which must be KEY's; NULL when the queue is
 * out of step with the responses (a server that breaks the protocol). */
static Streamed *
take_streamed (MpImapContentStream *s, const char *key)
{
	Streamed *st = g_queue_pop_head (&s->items);

	if (st != NULL && g_ascii_strcasecmp (st->item, key) != 0) {
		streamed_free (st);
		return NULL;
	}
	return st;
}

void
mp_imap_content_stream_drop (MpImapContentStream *s, const MpImapValue *msg_att)
{
	guint n = mp_imap_value_get_n_children (msg_att);

	for (guint i = 1; i < n; i += 2)
		if (mp_imap_value_is_streamed (mp_imap_value_get_child (msg_att, i))) {
			Streamed *st = g_queue_pop_head (&s->items);
			if (st != NULL)
				streamed_free (st);
		}
}

static const MpImapRegion *
find_region (const GArray *regions, const char *section)
{
	for (guint i = 0; regions && i < regions->len; i++) {
		const MpImapRegion *r = &g_array_index (regions, MpImapRegion, i);
		if (strcmp (r->section, section) == 0)
			return r;
	}
	return NULL;
}

/* Lists the archive in RAW (the part body as sent, ENCODING applied). */
static void
list_archive (GMimeStream *raw, const char *encoding, MpAttachment *a)
{
	g_autoptr(GMimeStream) filtered = g_mime_stream_filter_new (raw);
	GMimeContentEncoding enc = encoding ? g_mime_content_encoding_from_string (encoding)
	                                    : GMIME_CONTENT_ENCODING_DEFAULT;
	GMimeFilter *decoder = g_mime_filter_basic_new (enc, FALSE);

	g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
	g_object_unref (decoder);
	mp_archive_list (filtered, a);
}

void
mp_imap_content_apply (MpImapContentStream *s, const MpImapValue *msg_att, MpMessage *m,
                       const GArray *regions, const MpImapContentNeeds *needs,
                       guint64 *header_octets)
{
	guint n = mp_imap_value_get_n_children (msg_att);

	mp_gmime_init_once ();
	for (guint i = 0; i + 1 < n; i += 2) {
		const MpImapValue *key = mp_imap_value_get_child (msg_att, i);
		const MpImapValue *value = mp_imap_value_get_child (msg_att, i + 1);
		g_autofree char *section = body_section (key);
		const char *bytes = NULL;
		gsize len = 0;
		guint64 size, max_line, crlf_size;
		g_autoptr(Streamed) st = NULL;
		const MpImapRegion *region;
		MpAttachment *a;

		if (section == NULL)
			continue;
		if (mp_imap_value_is_streamed (value)) {
			st = take_streamed (s, mp_imap_value_get_string (key, NULL));
			if (st == NULL) {
				mp_message_add_problem (m, MP_PROBLEM_CONTENT_UNREADABLE, "literals out of step with responses");
				continue;
			}
			size = mp_imap_value_get_size (value);
			max_line = mp_crlf_max_line (&st->lines);
			crlf_size = mp_crlf_total (&st->lines);
		} else if (mp_imap_value_is_string (value)) {
			/* a small section may come as a quoted string */
			MpCrlfCounter c;
			bytes = mp_imap_value_get_string (value, &len);
			mp_crlf_init (&c);
			mp_crlf_feed (&c, bytes, len);
			size = len;
			max_line = mp_crlf_max_line (&c);
			crlf_size = mp_crlf_total (&c);
		} else {
			/* NIL: the server has no such part (RFC 3501 §7.4.2) */
			mp_message_add_problem (m, MP_PROBLEM_CONTENT_UNAVAILABLE, mp_imap_value_get_string (key, NULL));
			continue;
		}
		m->max_line = MAX (m->max_line, max_line);
		m->fetched_octets += size;
		if (*section == '\0' && !needs->size_exact && crlf_size != m->size) {
			g_autofree char *estimate = g_strdup_printf ("RFC822.SIZE estimated %" G_GUINT64_FORMAT
			                                             ", measured %" G_GUINT64_FORMAT,
			                                             m->size, crlf_size);
			mp_message_add_problem (m, MP_PROBLEM_SIZE_MEASURED, estimate);
			m->size = crlf_size;
		}
		if (*section == '\0')
			m->fetched = MP_FETCHED_WHOLE;
		else if (m->fetched == MP_FETCHED_NONE)
			m->fetched = MP_FETCHED_PARTS;
		if (g_ascii_strcasecmp (section, "HEADER") == 0 && header_octets != NULL)
			*header_octets = size;

		if ((region = find_region (regions, section)) == NULL ||
		    (a = mp_imap_content_wanted_attachment (needs, m, region)) == NULL || a->archive_entries != NULL)
			continue;
		if (st != NULL && st->fd < 0) {
			g_free (a->archive_problem);
			a->archive_problem = g_strdup (st->problem ? st->problem : "the attachment was not spooled");
		} else if (st != NULL) {
			int fd = dup (st->fd);
			if (fd < 0 || lseek (fd, 0, SEEK_SET) < 0) {
				if (fd >= 0)
					close (fd);
				g_free (a->archive_problem);
				a->archive_problem = g_strdup_printf ("could not read the spooled attachment: %s",
				                                      g_strerror (errno));
				continue;
			}
			g_autoptr(GMimeStream) raw = g_mime_stream_fs_new (fd);
			list_archive (raw, region->encoding, a);
		} else {
			g_autoptr(GMimeStream) raw = g_mime_stream_mem_new_with_buffer (bytes, len);
			list_archive (raw, region->encoding, a);
		}
	}
}
