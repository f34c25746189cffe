/* verify.c — see verify.h. */
#include "verify.h"
#include "source-fs.h"
#include "build.h"
#include "cut.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

typedef enum {
	EXPECT_COPY,
	EXPECT_PART,
} ExpectKind;

typedef struct {
	ExpectKind      kind;
	gboolean        seen;
	/* a copy: the source message */
	MpFixStoredKind src_kind;
	char           *src_path;
	guint64         src_entry_start, src_start, src_end, src_quoted;
	MpFixEnvelope   env;
	char           *src_name;   /* how errors name it */
	gboolean        same_format;
	/* a part */
	MpFixRecord    *rec;
	guint           k;
} Expect;

struct _MpFixCheck {
	const MpFixLimits *limits;
	const MpRuleSet   *rules;
	MpAnalyzer        *analyzer;
	char              *tmpdir;
	GHashTable        *expect;   /* key -> Expect* */
	GPtrArray         *order;    /* Expect*, as expected */
	GHashTable        *files_ok; /* detached files read back: sha256 */
	guint8            *a, *b;    /* CHUNK octets each, made once */
};

static void
expect_free (gpointer p)
{
	Expect *e = p;

	g_free (e->src_path);
	g_free (e->src_name);
	mp_fix_envelope_clear (&e->env);
	g_free (e);
}

MpFixCheck *
mp_fix_check_new (const MpFixLimits *limits, const MpRuleSet *rules, MpAnalyzer *analyzer, const char *tmpdir)
{
	MpFixCheck *c = g_new0 (MpFixCheck, 1);

	c->limits = limits;
	c->rules = rules;
	c->analyzer = analyzer;
	c->tmpdir = g_strdup (tmpdir);
	c->expect = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	c->order = g_ptr_array_new_with_free_func (expect_free);
	c->files_ok = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	c->a = g_malloc (CHUNK);
	c->b = g_malloc (CHUNK);
	return c;
}

void
mp_fix_check_free (MpFixCheck *c)
{
	if (c == NULL)
		return;
	g_hash_table_unref (c->expect);
	g_ptr_array_unref (c->order);
	g_hash_table_unref (c->files_ok);
	g_free (c->a);
	g_free (c->b);
	g_free (c->tmpdir);
	g_free (c);
}

static void
add_expect (MpFixCheck *c, const char *key, Expect *e)
{
	g_ptr_array_add (c->order, e);
	g_hash_table_replace (c->expect, g_strdup (key), e);
}

void
mp_fix_check_expect_copy (MpFixCheck *c, const char *key, const MpFixItem *src, MpFixFormat out_format)
{
	Expect *e = g_new0 (Expect, 1);

	e->kind = EXPECT_COPY;
	e->src_kind = src->kind;
	e->src_path = g_strdup (src->path);
	e->src_entry_start = src->entry_start;
	e->src_start = src->start;
	e->src_end = src->end;
	e->src_quoted = src->quoted_from_lines;
	mp_fix_envelope_copy (&e->env, &src->env);
	e->src_name = g_strdup_printf ("message %" G_GUINT64_FORMAT " (%s)", src->index, src->locator);
	e->same_format = (src->kind == MP_FIX_STORED_MBOX) == (out_format == MP_FIX_FORMAT_MBOX);
	add_expect (c, key, e);
}

void
mp_fix_check_expect_part (MpFixCheck *c, const char *key, MpFixRecord *rec, guint k)
{
	Expect *e = g_new0 (Expect, 1);

	e->kind = EXPECT_PART;
	e->rec = rec;
	e->k = k;
	add_expect (c, key, e);
}

static gboolean
fail (GError **error, const char *who, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *who, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *what = NULL;

	va_start (ap, fmt);
	what = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "verification failed: %s: %s", who, what);
	return FALSE;
}

/* The same octets at [A, A + LEN) of FA and [B, B + LEN) of FB. */
static gboolean
same_bytes (MpFixCheck *c, int fa, guint64 a, int fb, guint64 b, guint64 len, GError **error)
{
	guint8 *x = c->a, *y = c->b;

	while (len > 0) {
		gsize want = (gsize) MIN ((guint64) CHUNK, len);
		gssize n = pread (fa, x, want, (off_t) a);
		gssize m = pread (fb, y, want, (off_t) b);
		if (n != (gssize) want || m != (gssize) want) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "reading back failed: %s",
			             g_strerror ((n < 0 || m < 0) ? errno : EIO));
			return FALSE;
		}
		if (memcmp (x, y, want) != 0)
			return FALSE;
		a += want;
		b += want;
		len -= want;
	}
	return TRUE;
}

static gboolean
is_status_field (const char *name)
{
	return g_ascii_strcasecmp (name, "Status") == 0 || g_ascii_strcasecmp (name, "X-Status") == 0;
}

/* The SHA-256 of a message as a conversion keeps it: its canonical bytes
 * without the mbox Status and X-Status fields (they carry the flags and
 * are rewritten), ending with a line end (an mbox entry needs one). */
static gboolean
content_digest (MpFixCheck *c, GMimeStream *s, char hex[65], GError **error)
{
	g_autoptr(GByteArray) head = g_byte_array_new ();
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char *buf = (char *) c->a;
	guint64 base = (guint64) MAX (s->bound_start, 0);
	gint64 len = g_mime_stream_length (s);
	guint8 last = '\n';
	gssize n;

	if (len < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read back");
		return FALSE;
	}
	if (mp_fix_read_header_block (s, base, base + (guint64) len, head, error)) {
		g_autoptr(GArray) fields = mp_fix_header_fields (head->data, head->len);
		gsize end = 0;
		for (guint i = 0; i < fields->len; i++) {
			const MpFixField *f = &g_array_index (fields, MpFixField, i);
			if (!is_status_field (f->name))
				mp_fix_sha_update (sha, head->data + f->range.start, (gsize) (f->range.end - f->range.start));
			end = (gsize) f->range.end;
		}
		mp_fix_sha_update (sha, head->data + end, head->len - end);
		last = head->len ? head->data[head->len - 1] : '\n';
	} else {
		if (error && *error)
			return FALSE;
		g_byte_array_set_size (head, 0); /* no header block: the whole message */
	}
	if (g_mime_stream_seek (s, (gint64) (base + head->len), GMIME_STREAM_SEEK_SET) < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read back");
		return FALSE;
	}
	while ((n = mp_fix_stream_read (s, buf, CHUNK)) > 0) {
		mp_fix_sha_update (sha, buf, (gsize) n);
		last = (guint8) buf[n - 1];
	}
	if (n < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a message cannot be read back");
		return FALSE;
	}
	if (last != '\n')
		mp_fix_sha_update (sha, "\n", 1);
	mp_fix_sha_finish (g_steal_pointer (&sha), hex);
	return TRUE;
}

static gboolean
check_copy (MpFixCheck *c, Expect *e, const MpFixItem *out, GError **error)
{
	/* read again as the reader read it: a Maildir file never through a
	 * link, the mbox file the reader checked; the access time stays */
	int fd = mp_source_openat (AT_FDCWD, e->src_path,
	                           e->src_kind == MP_FIX_STORED_MBOX ? MP_OPEN_FOLLOW : MP_OPEN_FILE);
	gboolean ok = TRUE;

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", e->src_path, mp_source_open_error (errno));
		return FALSE;
	}
	if (e->same_format) {
		/* the entry (From_ line and message) or the whole file, byte for byte */
		guint64 a = e->src_kind == MP_FIX_STORED_MBOX ? e->src_entry_start : e->src_start;
		guint64 b = out->kind == MP_FIX_STORED_MBOX ? out->entry_start : out->start;
		guint64 la = e->src_end - a, lb = out->end - b;
		if (la != lb) {
			ok = fail (error, e->src_name, "the copy has %" G_GUINT64_FORMAT " octets, the source %" G_GUINT64_FORMAT,
			           lb, la);
		} else if (!same_bytes (c, fd, a, out->fd, b, la, error)) {
			ok = error && *error ? FALSE : fail (error, e->src_name, "the copy differs from the source");
		} else if (e->src_kind == MP_FIX_STORED_FILE &&
		           (g_strcmp0 (out->env.maildir_name, e->env.maildir_name) != 0 ||
		            out->env.arrival != e->env.arrival)) {
			ok = fail (error, e->src_name, "the copy's name or time differs from the source's");
		}
	} else {
		/* another format: the same message, flags and arrival */
		MpFixItem src = { 0 };
		g_autoptr(GMimeStream) a = NULL;
		g_autoptr(GMimeStream) b = NULL;
		char da[65], db[65];
		guint mask = ~(guint) MP_FIX_RECENT; /* \Recent is the server's to set */

		src.kind = e->src_kind;
		src.path = e->src_path;
		src.fd = fd;
		src.start = e->src_start;
		src.end = e->src_end;
		src.quoted_from_lines = e->src_quoted;
		a = mp_fix_item_stream (&src, c->tmpdir, error);
		b = a ? mp_fix_item_stream (out, c->tmpdir, error) : NULL;
		if (a == NULL || b == NULL || !content_digest (c, a, da, error) || !content_digest (c, b, db, error))
			ok = FALSE;
		else if (strcmp (da, db) != 0)
			ok = fail (error, e->src_name, "the copy differs from the source");
		else if ((out->env.flags & mask) != (e->env.flags & mask))
			ok = fail (error, e->src_name, "the copy's flags differ from the source's");
		else if (e->env.arrival != MP_FIX_NO_TIME && out->env.arrival != e->env.arrival)
			ok = fail (error, e->src_name, "the copy's arrival time (%" G_GINT64_FORMAT ") differs from the "
			           "source's (%" G_GINT64_FORMAT ")", out->env.arrival, e->env.arrival);
	}
	close (fd);
	return ok;
}

/* The checks of part K of REC: M is what the analyzer and the rules make
 * of it, CANON its bytes. */
static gboolean
check_part (MpFixCheck *c, MpFixRecord *rec, guint k, const MpMessage *m, GMimeStream *canon, GError **error)
{
	g_autofree char *who = mp_fix_record_describe (rec);
	MpFixPartRecord *p = k >= 1 && k <= rec->parts->len ? g_ptr_array_index (rec->parts, k - 1) : NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(GPtrArray) idx = NULL;
	guint n = rec->parts->len;

	if (p == NULL)
		return fail (error, who, "part %u is not one of its %u parts", k, n);
	if (p->checked)
		return fail (error, who, "part %u/%u is in the copy twice", k, n);
	if (c->limits != NULL) {
		for (guint i = 0; i < m->findings->len; i++) {
			const MpFinding *f = g_ptr_array_index (m->findings, i);
			for (guint r = 0; r < c->limits->rules->len; r++)
				if (strcmp (((const MpRule *) g_ptr_array_index (c->limits->rules, r))->name, f->rule) == 0)
					return fail (error, who, "part %u/%u breaks rule %s: %s", k, n, f->rule, f->detail);
		}
	}
	if (g_mime_stream_reset (canon) != 0)
		return fail (error, who, "part %u/%u cannot be read", k, n);
	parser = g_mime_parser_new_with_stream (canon);
	g_mime_parser_set_persist_stream (parser, TRUE);
	msg = g_mime_parser_construct_message (parser, NULL);
	if (msg == NULL)
		return fail (error, who, "part %u/%u cannot be parsed", k, n);
	if ((idx = mp_fix_attachment_index (msg, canon, error)) == NULL)
		return FALSE;
	/* each attachment found takes one of the original's with that hash */
	for (guint i = 0; i < idx->len; i++) {
		const MpFixAttachment *a = g_ptr_array_index (idx, i);
		MpFixAttachment *match = NULL;
		for (guint j = 0; rec->atts && j < rec->atts->len && match == NULL; j++) {
			MpFixAttachment *o = g_ptr_array_index (rec->atts, j);
			if (o->part == 0 && o->detached == NULL && mp_fix_attachment_same (o, a))
				match = o;
		}
		if (match == NULL)
			return fail (error, who, "part %u/%u holds attachment %s (SHA-256 %s), which the original does "
			             "not have, or not that often", k, n, a->name ? a->name : a->type, a->sha256);
		match->part = k;
	}
	p->checked = TRUE;
	p->checked_size = m->size;
	p->checked_attachments = m->attachments;
	return TRUE;
}

gboolean
mp_fix_check_part_stream (MpFixCheck *c, MpFixRecord *rec, guint k, GMimeStream *stream, GError **error)
{
	g_autoptr(MpMessage) m = mp_message_new ();
	gint64 len = g_mime_stream_length (stream);

	/* the size and the rules as a scan would see them */
	if (len < 0 || g_mime_stream_reset (stream) != 0)
		return fail (error, "a part", "it cannot be read");
	if (len <= MP_ANALYZER_MEM_MAX) {
		g_autoptr(GByteArray) bytes = g_byte_array_sized_new ((guint) len);
		char buf[65536];
		gssize n;
		while ((n = mp_fix_stream_read (stream, buf, sizeof buf)) > 0)
			g_byte_array_append (bytes, (const guint8 *) buf, (guint) n);
		mp_analyzer_run_bytes (c->analyzer, bytes->data, bytes->len, MP_RANGE_COUNT_SIZE, m);
	} else {
		guint64 base = (guint64) MAX (stream->bound_start, 0);
		MpFixRange r = { base, base + (guint64) len };
		guint64 size = 0;
		if (!mp_fix_range_crlf_size (stream, r, &size, error))
			return FALSE;
		g_mime_stream_reset (stream);
		mp_analyzer_run (c->analyzer, stream, m);
		m->size = size;
	}
	if (c->rules != NULL)
		mp_rules_evaluate (c->rules, m);
	return check_part (c, rec, k, m, stream, error);
}

static gboolean
file_sha256 (MpFixCheck *c, const char *path, char hex[65], GError **error)
{
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char *buf = (char *) c->a;
	int fd = open (path, O_RDONLY | O_CLOEXEC);
	gssize n;

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", path, g_strerror (errno));
		return FALSE;
	}
	while ((n = read (fd, buf, CHUNK)) > 0)
		mp_fix_sha_update (sha, buf, (gsize) n);
	close (fd);
	if (n < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", path, g_strerror (errno));
		return FALSE;
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), hex);
	return TRUE;
}

gboolean
mp_fix_check_record (MpFixCheck *c, MpFixRecord *rec, MpFixWriter *w, GError **error)
{
	g_autofree char *who = mp_fix_record_describe (rec);

	for (guint i = 0; i < rec->parts->len; i++) {
		const MpFixPartRecord *p = g_ptr_array_index (rec->parts, i);
		if (!p->checked)
			return fail (error, who, "part %u/%u is missing from the copy", p->k, rec->parts->len);
	}
	for (guint i = 0; rec->atts && i < rec->atts->len; i++) {
		const MpFixAttachment *a = g_ptr_array_index (rec->atts, i);
		g_autofree char *path = NULL;
		char got[65];

		if (a->part == 0 && a->detached == NULL)
			return fail (error, who, "attachment %s (SHA-256 %s) is in none of its parts",
			             a->name ? a->name : a->type, a->sha256);
		if (a->detached == NULL || g_hash_table_contains (c->files_ok, a->sha256))
			continue;
		/* the detached file, read back */
		if (w == NULL || (path = w->ops->file_path (w, a->sha256)) == NULL)
			continue; /* a dry run: nothing was written */
		if (!file_sha256 (c, path, got, error))
			return FALSE;
		if (strcmp (got, a->sha256) != 0)
			return fail (error, who, "the detached file of attachment %s has SHA-256 %s, not %s",
			             a->name ? a->name : a->type, got, a->sha256);
		g_hash_table_add (c->files_ok, g_strdup (a->sha256));
	}
	return TRUE;
}

static void
forget (MpFixCheck *c)
{
	g_hash_table_remove_all (c->expect);
	g_ptr_array_set_size (c->order, 0);
}

gboolean
mp_fix_check_folder (MpFixCheck *c, MpFixWriter *w, GError **error)
{
	g_autoptr(MpSource) src = NULL;
	g_autoptr(MpFolder) folder = NULL;
	g_autoptr(MpFixReader) reader = NULL;
	MpFixItem *item;
	guint64 count = 0;
	gboolean ok = TRUE;

	if (!w->ops->read_back (w, &src, &folder)) {
		forget (c);
		return TRUE; /* a dry run: its parts were checked as built */
	}
	reader = mp_fix_reader_open (src, folder, error);
	if (reader == NULL) {
		g_prefix_error (error, "verification failed: the copy of folder %s cannot be read back: ", folder->name);
		forget (c);
		return FALSE;
	}
	while (ok && (item = mp_fix_reader_next (reader, error)) != NULL) {
		const char *key = item->kind == MP_FIX_STORED_FILE ? item->path : item->locator;
		Expect *e = g_hash_table_lookup (c->expect, key);

		count++;
		if (e == NULL) {
			ok = fail (error, "the copy", "it holds a message that was not written (%s)", key);
		} else if (e->seen) {
			ok = fail (error, "the copy", "it holds message %s twice", key);
		} else if (e->kind == EXPECT_COPY) {
			e->seen = TRUE;
			ok = check_copy (c, e, item, error);
		} else {
			g_autoptr(MpMessage) m = mp_fix_item_analyze (item, c->analyzer, c->rules);
			g_autoptr(GMimeStream) canon = mp_fix_item_stream (item, c->tmpdir, error);
			e->seen = TRUE;
			ok = canon != NULL && check_part (c, e->rec, e->k, m, canon, error);
		}
	}
	if (ok && error && *error)
		ok = FALSE; /* the copy could not be read to its end */
	for (guint i = 0; ok && i < c->order->len; i++) {
		Expect *e = g_ptr_array_index (c->order, i);
		if (!e->seen)
			ok = e->kind == EXPECT_COPY
				? fail (error, e->src_name, "the message is missing from the copy")
				: fail (error, "a part", "part %u of message %" G_GUINT64_FORMAT " (%s) is missing from the copy",
				        e->k, e->rec->index, e->rec->locator);
	}
	if (ok && count != c->order->len)
		ok = fail (error, "the copy", "it holds %" G_GUINT64_FORMAT " messages, %u were written", count,
		           c->order->len);
	/* every changed message: all its attachments in exactly one place */
	for (guint i = 0; ok && i < c->order->len; i++) {
		Expect *e = g_ptr_array_index (c->order, i);
		if (e->kind == EXPECT_PART && e->k == 1)
			ok = mp_fix_check_record (c, e->rec, w, error);
	}
	forget (c);
	return ok;
}
