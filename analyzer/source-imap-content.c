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
	guint64       reserved; /* of the spool budget, while fd is open */
	char         *problem;  /* why it was not spooled, or NULL */
} Streamed;

/* What a content fetch asked for (mp_imap_content_stream_expect). */
typedef struct {
	guint64  uid;
	char    *section;
	guint64  max_octets;
	gboolean spool;
	gboolean taken;   /* its literal was streamed */
	gboolean applied; /* an answer was applied to the message */
} Expected;

/* The parser may complete several responses from one read before the
 * client hands the first to us, so the streamed literals form a queue in
 * stream order: each response takes its own from the head. Only literals
 * that were asked for are queued, so its length follows the fetch; this
 * bounds it whatever the server does. */
#define MAX_QUEUED 4096

struct _MpImapContentStream {
	gboolean   active;
	GQueue     items;        /* Streamed*, in the order the literals came */
	GArray    *expected;     /* Expected */
	GHashTable *by_key;      /* "UID section" -> index + 1 in expected */
	guint64    spool_budget;
	guint64    spooled;      /* reserved by queued items */
};

static void
streamed_free_in (MpImapContentStream *s, Streamed *st)
{
	if (st->fd >= 0)
		close (st->fd);
	if (s != NULL)
		s->spooled -= MIN (s->spooled, st->reserved);
	g_free (st->item);
	g_free (st->problem);
	g_free (st);
}

static void
streamed_free (Streamed *st)
{
	streamed_free_in (NULL, st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Streamed, streamed_free)

static void
expected_clear (Expected *e)
{
	g_free (e->section);
}

MpImapContentStream *
mp_imap_content_stream_new (guint64 spool_budget)
{
	MpImapContentStream *s = g_new0 (MpImapContentStream, 1);

	g_queue_init (&s->items);
	s->expected = g_array_new (FALSE, FALSE, sizeof (Expected));
	g_array_set_clear_func (s->expected, (GDestroyNotify) expected_clear);
	s->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	s->spool_budget = spool_budget ? spool_budget : MP_IMAP_DEFAULT_SPOOL_BUDGET;
	return s;
}

static void
clear_queue (MpImapContentStream *s)
{
	Streamed *st;

	while ((st = g_queue_pop_head (&s->items)) != NULL)
		streamed_free_in (s, st);
	s->spooled = 0;
}

void
mp_imap_content_stream_free (MpImapContentStream *s)
{
	if (s == NULL)
		return;
	clear_queue (s);
	g_array_unref (s->expected);
	g_hash_table_unref (s->by_key);
	g_free (s);
}

void
mp_imap_content_stream_set_active (MpImapContentStream *s, gboolean active)
{
	s->active = active;
	clear_queue (s);
	g_array_set_size (s->expected, 0);
	g_hash_table_remove_all (s->by_key);
}

static char *
expect_key (guint64 uid, const char *section)
{
	g_autofree char *up = g_ascii_strup (section, -1);

	return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", uid, up);
}

void
mp_imap_content_stream_expect (MpImapContentStream *s, guint64 uid, const char *section,
                               guint64 max_octets, gboolean spool)
{
	Expected e = { uid, g_ascii_strup (section, -1), max_octets, spool, FALSE, FALSE };

	g_array_append_val (s->expected, e);
	g_hash_table_replace (s->by_key, expect_key (uid, section), GUINT_TO_POINTER (s->expected->len));
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

/* The expectation LITERAL answers: by UID and section when the UID came
 * before it in the response (as every server we know sends it), else the
 * untaken one of that section that allows the most (the response's UID
 * then decides, when it is applied). */
static Expected *
find_expected (MpImapContentStream *s, const MpImapValue *list, const char *section)
{
	const MpImapValue *v = mp_imap_value_lookup (list, "UID");
	guint64 uid;
	Expected *best = NULL;

	if (v != NULL && mp_imap_value_get_number (v, &uid)) {
		g_autofree char *key = expect_key (uid, section);
		guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (s->by_key, key));
		Expected *e = idx ? &g_array_index (s->expected, Expected, idx - 1) : NULL;
		if (e == NULL || e->taken)
			return NULL;
		e->taken = TRUE; /* once each */
		return e;
	}
	for (guint i = 0; i < s->expected->len; i++) {
		Expected *e = &g_array_index (s->expected, Expected, i);
		if (!e->taken && g_ascii_strcasecmp (e->section, section) == 0 &&
		    (best == NULL || e->max_octets > best->max_octets))
			best = e;
	}
	return best;
}

static MpImapLiteralAction
on_literal_begin (const MpImapValue *list, const MpImapValue *item, guint64 size, gpointer user_data,
                  GError **error)
{
	MpImapContentStream *s = user_data;
	g_autofree char *section = NULL;
	Expected *e;
	Streamed *st;

	/* Metadata FETCHes, and literals nobody asked for, are kept by the
	 * parser within its limits: in memory, never spooled (a server that
	 * sends them costs a bounded read, not the disk) */
	if (!s->active || (section = body_section (item)) == NULL ||
	    (e = find_expected (s, list, section)) == NULL)
		return MP_IMAP_LITERAL_KEEP;
	if (size > e->max_octets) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "the server sent %s with %" G_GUINT64_FORMAT
		             " octets where at most %" G_GUINT64_FORMAT " were asked for",
		             mp_imap_value_get_string (item, NULL), size, e->max_octets);
		return MP_IMAP_LITERAL_REFUSE;
	}
	if (s->items.length >= MAX_QUEUED) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "more than %d sections queued", MAX_QUEUED);
		return MP_IMAP_LITERAL_REFUSE;
	}
	st = g_new0 (Streamed, 1);
	st->item = g_ascii_strup (mp_imap_value_get_string (item, NULL), -1);
	st->fd = -1;
	mp_crlf_init (&st->lines);
	if (e->spool && s->spool_budget - s->spooled < size) {
		st->problem = g_strdup_printf ("not listed: more than %" G_GUINT64_FORMAT
		                               " MiB of attachments waiting on this connection",
		                               s->spool_budget >> 20);
	} else if (e->spool) {
		st->fd = spool_open (&st->problem);
		if (st->fd >= 0) {
			st->reserved = size;
			s->spooled += size;
		}
	}
	g_queue_push_tail (&s->items, st);
	return MP_IMAP_LITERAL_STREAM;
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
	/* the literal is no larger than its reservation: begin checked it */
	if (st->fd >= 0 && !write_all (st->fd, data, len)) {
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

/* The expectation SECTION of the response's UID answers, the first time;
 * NULL for what was not asked (or came twice): it is not applied. */
static Expected *
expected_once (MpImapContentStream *s, const MpImapValue *msg_att, const char *section)
{
	guint64 uid;
	g_autofree char *key = NULL;
	guint idx;
	Expected *e;

	if (!mp_imap_value_get_number (mp_imap_value_lookup (msg_att, "UID"), &uid))
		return NULL;
	key = expect_key (uid, section);
	idx = GPOINTER_TO_UINT (g_hash_table_lookup (s->by_key, key));
	e = idx ? &g_array_index (s->expected, Expected, idx - 1) : NULL;
	if (e == NULL || e->applied)
		return NULL;
	e->applied = TRUE;
	return e;
}

/* The next streamed literal, which must be KEY's; NULL when the queue is
 * out of step with the responses (a server that breaks the protocol). */
static Streamed *
take_streamed (MpImapContentStream *s, const char *key)
{
	Streamed *st = g_queue_pop_head (&s->items);

	if (st != NULL && g_ascii_strcasecmp (st->item, key) != 0) {
		streamed_free_in (s, st);
		return NULL;
	}
	if (st != NULL) {
		/* off the queue: its octets no longer wait (the caller closes it) */
		s->spooled -= MIN (s->spooled, st->reserved);
		st->reserved = 0;
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
				streamed_free_in (s, st);
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
		}
		/* only what was asked of this message, once (issue 14, item 3): a
		 * section nobody asked for says nothing about it */
		if (expected_once (s, msg_att, section) == NULL)
			continue;
		if (mp_imap_value_is_streamed (value)) {
			size = mp_imap_value_get_size (value);
			max_line = mp_crlf_max_line (&st->lines);
			crlf_size = mp_crlf_total (&st->lines);
		} else if (mp_imap_value_is_truncated (value)) {
			/* kept by the parser, and too large for it: not all was seen */
			mp_message_add_problem (m, MP_PROBLEM_CONTENT_UNREADABLE, "a section too large to hold in memory");
			continue;
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
