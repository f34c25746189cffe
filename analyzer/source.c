#include "source.h"
#include "source-util.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const MpSourceOps *const backends[] = {
	&mp_source_maildir,
	&mp_source_mbox,
	&mp_source_mboxdir,
};

MpSource *
mp_source_open (const char *path, GError **error)
{
	return mp_source_open_with (path, NULL, error);
}

static void
settings_copy (MpSourceSettings *dst, const MpSourceSettings *src)
{
	if (src != NULL)
		*dst = *src;
	dst->ca_file = g_strdup (dst->ca_file);
	dst->password_file = g_strdup (dst->password_file);
	dst->oauth2_token_file = g_strdup (dst->oauth2_token_file);
}

static MpSource *
source_new (const MpSourceOps *ops, const char *path, const MpSourceSettings *settings)
{
	MpSource *src = g_new0 (MpSource, 1);

	src->ops = ops;
	src->path = g_strdup (path);
	src->abs_path = ops == &mp_source_imap ? g_strdup (path) : g_canonicalize_filename (path, NULL);
	settings_copy (&src->settings, settings);
	return src;
}

MpSource *
mp_source_open_with (const char *path, const MpSourceSettings *settings, GError **error)
{
	struct stat st;

	if (mp_source_imap.probe (path))
		return source_new (&mp_source_imap, path, settings);
	if (stat (path, &st) != 0) {
		int saved = errno;
		g_set_error (error, MP_ERROR, saved == ENOENT ? MP_ERROR_NOT_FOUND : MP_ERROR_READ,
		             "%s: %s", path, g_strerror (saved));
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
		if (backends[i]->probe (path))
			return source_new (backends[i], path, settings);
	if (S_ISDIR (st.st_mode))
		g_set_error (error, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE,
		             "%s: not a mail folder: no Maildir (cur/, new/) and no mbox file found in it",
		             path);
	else if (S_ISREG (st.st_mode) && access (path, R_OK) != 0)
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s: %s", path, g_strerror (errno));
	else
		g_set_error (error, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE,
		             "%s: not an mbox file (no \"From \" line starts a message), "
		             "not a Maildir and not a folder of mbox files", path);
	return NULL;
}

void
mp_source_free (MpSource *src)
{
	if (src == NULL)
		return;
	if (src->ops->close)
		src->ops->close (src);
	g_free (src->path);
	g_free (src->abs_path);
	g_free ((char *) src->settings.ca_file);
	g_free ((char *) src->settings.password_file);
	g_free ((char *) src->settings.oauth2_token_file);
	g_free (src);
}

MpFolder *
mp_folder_new (const char *name, const char *path)
{
	MpFolder *f = g_new0 (MpFolder, 1);

	f->name = g_strdup (name);
	f->path = g_strdup (path);
	return f;
}

void
mp_folder_free (MpFolder *f)
{
	if (f == NULL)
		return;
	g_free (f->name);
	g_free (f->path);
	g_free (f);
}

static void
where_clear (gpointer p)
{
	MpMessageWhere *w = p;

	g_free (w->file);
}

MpBatch *
mp_batch_new (const MpFolder *folder)
{
	MpBatch *b = g_new0 (MpBatch, 1);

	b->folder = folder;
	b->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_message_free);
	b->where = g_array_new (FALSE, TRUE, sizeof (MpMessageWhere));
	g_array_set_clear_func (b->where, where_clear);
	return b;
}

void
mp_batch_free (MpBatch *b)
{
	if (b == NULL)
		return;
	g_ptr_array_unref (b->messages);
	g_array_unref (b->where);
	if (b->backend_free != NULL)
		b->backend_free (b->backend_data);
	if (b->notices != NULL)
		g_ptr_array_unref (b->notices);
	g_free (b);
}

static void
batch_notice_free (gpointer p)
{
	MpBatchNotice *n = p;

	g_free (n->code);
	g_free (n->detail);
	g_free (n);
}

void
mp_batch_add_notice (MpBatch *b, const char *code, const char *detail)
{
	MpBatchNotice *n = g_new (MpBatchNotice, 1);

	n->code = g_strdup (code);
	n->detail = g_strdup (detail);
	if (b->notices == NULL)
		b->notices = g_ptr_array_new_with_free_func (batch_notice_free);
	g_ptr_array_add (b->notices, n);
}

void
mp_batch_add (MpBatch *b, MpMessage *m, const MpMessageWhere *where)
{
	g_ptr_array_add (b->messages, m);
	if (where != NULL)
		g_array_append_vals (b->where, where, 1);
}

gssize
mp_pread_full (int fd, void *buf, gsize len, guint64 offset)
{
	gsize done = 0;

	while (done < len) {
		ssize_t n = pread (fd, (char *) buf + done, len - done, (off_t) (offset + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (gsize) n;
	}
	return (gssize) done;
}

#define MBOX_SNIFF_BYTES (64 * 1024)

gboolean
mp_file_looks_like_mbox (const char *path)
{
	struct stat st;
	g_autofree char *buf = NULL;
	gssize n;
	int fd;

	if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
		return FALSE;
	if (st.st_size == 0)
		return TRUE; /* an empty mbox holds no message, and that is fine */
	fd = open (path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	buf = g_malloc (MBOX_SNIFF_BYTES + 1);
	n = mp_pread_full (fd, buf, MBOX_SNIFF_BYTES, 0);
	close (fd);
	if (n < 5)
		return FALSE;
	buf[n] = '\0';
	if (memcmp (buf, "From ", 5) == 0)
		return TRUE;
	/* junk before the first message: a From_ line after an empty line */
	for (gssize i = 0; i + 7 <= n; i++) {
		if (buf[i] == '\n' && (memcmp (buf + i + 1, "\nFrom ", 6) == 0 ||
		                       (i + 8 <= n && memcmp (buf + i + 1, "\r\nFrom ", 7) == 0)))
			return TRUE;
	}
	return FALSE;
}

gboolean
mp_dir_is_maildir (const char *dir)
{
	g_autofree char *cur = g_build_filename (dir, "cur", NULL);
	g_autofree char *new_ = g_build_filename (dir, "new", NULL);

	return g_file_test (cur, G_FILE_TEST_IS_DIR) || g_file_test (new_, G_FILE_TEST_IS_DIR);
}

/* A word of a From_ line, in place. */
typedef struct {
	const char *s;
	gsize       len;
} Word;

static int
month_number (Word w)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
	                                      "jul", "aug", "sep", "oct", "nov", "dec" };
	if (w.len != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (g_ascii_strncasecmp (w.s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* What g_ascii_string_to_unsigned (base 10, 0..MAX) accepts: one or more
 * ASCII digits and nothing else, at most MAX. */
static gboolean
parse_uint (Word w, guint64 max, guint64 *out)
{
	guint64 v = 0;

	if (w.len == 0)
		return FALSE;
	for (gsize i = 0; i < w.len; i++) {
		if (!g_ascii_isdigit (w.s[i]))
			return FALSE;
		v = v * 10 + (guint64) (w.s[i] - '0');
		if (v > max)
			return FALSE; /* MAX is small: no overflow before this */
	}
	*out = v;
	return TRUE;
}

/* Words are at most MP_MBOX_FROM_LINE_MAX / 2: a From_ line is cut there. */
#define FROM_LINE_WORDS_MAX 256

GDateTime *
mp_parse_from_line_date (const char *from_line)
{
	/* asctime() form after the envelope sender: "Www Mmm dd hh:mm:ss yyyy",
	 * some writers add a zone before or after the year. Taken as UTC when
	 * no zone is given (what mutt and Dovecot write). Runs once per mbox
	 * message on the producer thread: the words stay in place, nothing is
	 * allocated. */
	Word words[FROM_LINE_WORDS_MAX];
	guint n = 0;
	guint64 day, year, h, mi, sec = 0;
	int month;

	for (const char *p = from_line; *p != '\0' && n < FROM_LINE_WORDS_MAX;) {
		const char *start;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		words[n].s = start;
		words[n].len = (gsize) (p - start);
		n++;
	}
	/* words: From, sender, Www, Mmm, dd, time, [zone], yyyy */
	for (guint i = 2; i + 3 < n; i++) {
		Word tm, hms[3];
		guint nhms = 0;
		const char *colon;

		if ((month = month_number (words[i])) == 0)
			continue;
		if (!parse_uint (words[i + 1], 31, &day) || day == 0)
			return NULL;
		/* hh:mm[:ss], split at the first two colons (the seconds keep any
		 * further colon, and then do not parse) */
		tm = words[i + 2];
		while (nhms < 2 && (colon = memchr (tm.s, ':', tm.len)) != NULL) {
			hms[nhms].s = tm.s;
			hms[nhms].len = (gsize) (colon - tm.s);
			nhms++;
			tm.len -= (gsize) (colon - tm.s) + 1;
			tm.s = colon + 1;
		}
		hms[nhms++] = tm;
		if (nhms < 2 || !parse_uint (hms[0], 23, &h) || !parse_uint (hms[1], 59, &mi) ||
		    (nhms == 3 && !parse_uint (hms[2], 60, &sec)))
			return NULL;
		if (!parse_uint (words[i + 3], 9999, &year) &&
		    (i + 4 >= n || !parse_uint (words[i + 4], 9999, &year))) /* "hh:mm:ss ZONE yyyy" */
			return NULL;
		if (year < 1970)
			return NULL;
		return g_date_time_new_utc ((int) year, month, (int) day, (int) h, (int) mi,
		                            (gdouble) (sec > 59 ? 59 : sec));
	}
	return NULL;
}

GHashTable *
mp_dir_seen_new (void)
{
	return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

gboolean
mp_dir_mark_seen (GHashTable *seen, const char *dir)
{
	struct stat st;
	char *key;

	if (stat (dir, &st) != 0)
		return FALSE;
	key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
	if (g_hash_table_contains (seen, key)) {
		g_free (key);
		return FALSE;
	}
	g_hash_table_add (seen, key);
	return TRUE;
}
