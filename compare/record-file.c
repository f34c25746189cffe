/* record-file.c — see record-file.h. A record is
 *   u32 length of what follows
 *   u64 index, u64 size, u32 attachments
 *   6 strings (folder, locator, message_id, date, from, subject)
 *   u32 number of reasons, then per reason: rule, check, u32 severity, detail
 * where a string is u32 length (G_MAXUINT32: NULL) and its octets; all in
 * the machine's own byte order (the file never leaves this process). */
#include "record-file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Writes are gathered and go to the file this many octets at a time. */
#define WRITE_CHUNK (64 * 1024)
#define NO_STRING   G_MAXUINT32
/* The largest record mp_record_file_add can write, with room to spare. */
#define MAX_RECORD  (64 + 6 * (4 + MP_RECORD_FIELD_MAX) + \
                     MP_RECORD_MAX_REASONS * (12 + 3 * (4 + MP_RECORD_FIELD_MAX)))

struct _MpRecordFile {
	int          fd;
	guint64      written;   /* octets in the file */
	GByteArray  *pending;   /* octets not yet written, after WRITTEN */
	GMappedFile *map;       /* the file as sealed, read where it reaches */
};

MpRecordFile *
mp_record_file_new (GError **error)
{
	g_autofree char *path = NULL;
	MpRecordFile *f;
	int fd = g_file_open_tmp ("mailpreflight-compare-XXXXXX", &path, error);

	if (fd < 0)
		return NULL;
	/* unlinked at once: the records of a mailbox never outlive the run */
	unlink (path);
	f = g_new0 (MpRecordFile, 1);
	f->fd = fd;
	f->pending = g_byte_array_sized_new (WRITE_CHUNK + MAX_RECORD);
	return f;
}

void
mp_record_file_free (MpRecordFile *f)
{
	if (f == NULL)
		return;
	g_clear_pointer (&f->map, g_mapped_file_unref);
	if (f->fd >= 0)
		close (f->fd);
	g_byte_array_unref (f->pending);
	g_free (f);
}

guint64
mp_record_file_size (const MpRecordFile *f)
{
	return f->written + f->pending->len;
}

static gboolean
flush (MpRecordFile *f, GError **error)
{
	gsize done = 0;

	while (done < f->pending->len) {
		ssize_t n = pwrite (f->fd, f->pending->data + done, f->pending->len - done,
		                    (off_t) (f->written + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "temporary file of the comparison: %s",
			             g_strerror (e));
			return FALSE;
		}
		done += (gsize) n;
	}
	f->written += f->pending->len;
	g_byte_array_set_size (f->pending, 0);
	return TRUE;
}

static void
put_u32 (GByteArray *b, guint32 v)
{
	g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
	g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

static void
put_str (GByteArray *b, const char *s)
{
	gsize len;

	if (s == NULL) {
		put_u32 (b, NO_STRING);
		return;
	}
	len = strlen (s);
	if (len > MP_RECORD_FIELD_MAX) {
		/* cut on a character boundary (a UTF-8 character has at most
		 * three continuation octets; text that is not UTF-8 is cut where
		 * it is) */
		const char *end = s + MP_RECORD_FIELD_MAX;
		for (int back = 0; back < 3 && ((guchar) *end & 0xc0) == 0x80; back++)
			end--;
		len = (gsize) (end - s);
	}
	put_u32 (b, (guint32) len);
	g_byte_array_append (b, (const guint8 *) s, (guint) len);
}

gboolean
mp_record_file_add (MpRecordFile *f, const MpMessage *m, guint64 *out, GError **error)
{
	GByteArray *b = f->pending;
	guint start = b->len;
	guint n_reasons = m->findings ? MIN (m->findings->len, (guint) MP_RECORD_MAX_REASONS) : 0;
	guint32 len;

	*out = mp_record_file_size (f);
	put_u32 (b, 0); /* the length, set below */
	put_u64 (b, m->index);
	put_u64 (b, m->size);
	put_u32 (b, m->attachments);
	put_str (b, m->folder);
	put_str (b, m->locator);
	put_str (b, m->message_id);
	put_str (b, m->date);
	put_str (b, m->from);
	put_str (b, m->subject);
	put_u32 (b, n_reasons);
	for (guint i = 0; i < n_reasons; i++) {
		const MpFinding *fi = g_ptr_array_index (m->findings, i);
		put_str (b, fi->rule);
		put_str (b, fi->check);
		put_u32 (b, (guint32) fi->severity);
		put_str (b, fi->detail);
	}
	len = b->len - start - (guint) sizeof (guint32);
	memcpy (b->data + start, &len, sizeof len);
	if (b->len >= WRITE_CHUNK)
		return flush (f, error);
	return TRUE;
}

/* ---- reading back ---------------------------------------------------- */

typedef struct {
	const guint8 *p, *end;
	gboolean      bad;
} Cursor;

static guint32
get_u32 (Cursor *c)
{
	guint32 v = 0;

	if ((gsize) (c->end - c->p) < sizeof v) {
		c->bad = TRUE;
		return 0;
	}
	memcpy (&v, c->p, sizeof v);
	c->p += sizeof v;
	return v;
}

static guint64
get_u64 (Cursor *c)
{
	guint64 v = 0;

	if ((gsize) (c->end - c->p) < sizeof v) {
		c->bad = TRUE;
		return 0;
	}
	memcpy (&v, c->p, sizeof v);
	c->p += sizeof v;
	return v;
}

static char *
get_str (Cursor *c)
{
	guint32 len = get_u32 (c);
	char *s;

	if (c->bad || len == NO_STRING)
		return NULL;
	if (len > MP_RECORD_FIELD_MAX || (gsize) (c->end - c->p) < len) {
		c->bad = TRUE;
		return NULL;
	}
	s = g_strndup ((const char *) c->p, len);
	c->p += len;
	return s;
}

static void
reason_free (MpRecordReason *r)
{
	g_free (r->rule);
	g_free (r->check);
	g_free (r->detail);
	g_free (r);
}

void
mp_record_free (MpRecord *r)
{
	if (r == NULL)
		return;
	g_free (r->folder);
	g_free (r->locator);
	g_free (r->message_id);
	g_free (r->date);
	g_free (r->from);
	g_free (r->subject);
	g_ptr_array_unref (r->reasons);
	g_free (r);
}

gboolean
mp_record_file_seal (MpRecordFile *f, GError **error)
{
	if (!flush (f, error))
		return FALSE;
	/* matching reads back the records of every message whose Message-ID
	 * hash meets one on the other side: 10,000 preads for two 5,000-message
	 * accounts, the comparison's largest serial cost after the scans. A
	 * map reads the same page cache without a system call each; it is
	 * still the kernel's to evict, not the process's memory. Without a
	 * map (none can be made, or an empty file) pread serves. */
	g_clear_pointer (&f->map, g_mapped_file_unref);
	if (f->written > 0)
		f->map = g_mapped_file_new_from_fd (f->fd, FALSE, NULL);
	return TRUE;
}

static gboolean
read_at (MpRecordFile *f, guint64 offset, void *buf, gsize len, GError **error)
{
	gsize done = 0;

	if (f->map != NULL && offset + len <= g_mapped_file_get_length (f->map)) {
		memcpy (buf, g_mapped_file_get_contents (f->map) + offset, len);
		return TRUE;
	}
	while (done < len) {
		ssize_t n = pread (f->fd, (guint8 *) buf + done, len - done, (off_t) (offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "temporary file of the comparison: %s",
			             n < 0 ? g_strerror (errno) : "short read");
			return FALSE;
		}
		done += (gsize) n;
	}
	return TRUE;
}

static gboolean
no_record (guint64 offset, GError **error)
{
	g_set_error (error, MP_ERROR, MP_ERROR_READ,
	             "temporary file of the comparison: no record at offset %" G_GUINT64_FORMAT, offset);
	return FALSE;
}

MpRecord *
mp_record_file_read (MpRecordFile *f, guint64 offset, GError **error)
{
	guint32 len = 0;
	/* most records are a few hundred octets: one read gets them whole */
	guint8 first[1024];
	gsize got;
	g_autofree guint8 *big = NULL;
	const guint8 *buf;
	g_autoptr(MpRecord) r = NULL;
	Cursor c;
	guint n;

	if (offset >= f->written && !flush (f, error))
		return NULL;
	if (offset + sizeof len > f->written) {
		no_record (offset, error);
		return NULL;
	}
	got = (gsize) MIN ((guint64) sizeof first, f->written - offset);
	if (!read_at (f, offset, first, got, error))
		return NULL;
	memcpy (&len, first, sizeof len);
	if (len > MAX_RECORD || offset + sizeof len + len > f->written) {
		no_record (offset, error);
		return NULL;
	}
	if (sizeof len + len <= got) {
		buf = first + sizeof len;
	} else {
		big = g_malloc (len);
		if (!read_at (f, offset + sizeof len, big, len, error))
			return NULL;
		buf = big;
	}
	c.p = buf;
	c.end = buf + len;
	c.bad = FALSE;
	r = g_new0 (MpRecord, 1);
	r->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
	r->index = get_u64 (&c);
	r->size = get_u64 (&c);
	r->attachments = get_u32 (&c);
	r->folder = get_str (&c);
	r->locator = get_str (&c);
	r->message_id = get_str (&c);
	r->date = get_str (&c);
	r->from = get_str (&c);
	r->subject = get_str (&c);
	n = get_u32 (&c);
	if (n > MP_RECORD_MAX_REASONS)
		c.bad = TRUE;
	for (guint i = 0; !c.bad && i < n; i++) {
		MpRecordReason *reason = g_new0 (MpRecordReason, 1);
		guint32 severity;
		reason->rule = get_str (&c);
		reason->check = get_str (&c);
		severity = get_u32 (&c);
		reason->severity = (MpSeverity) MIN (severity, (guint32) MP_SEVERITY_ERROR);
		reason->detail = get_str (&c);
		g_ptr_array_add (r->reasons, reason);
	}
	if (c.bad || c.p != c.end) {
		no_record (offset, error);
		return NULL;
	}
	return g_steal_pointer (&r);
}
