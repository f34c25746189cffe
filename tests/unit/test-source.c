/* test-source.c — source detection, folder listing and the ordered parallel
 * scan (analyzer/source.h, analyzer/scan.h), on trees built in a temporary
 * directory. */
#include "source.h"
#include "source-fs.h"
#include "scan.h"
#include "octets.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/* ---- helpers ---- */

static void
write_file (const char *root, const char *rel, const char *data, gssize len)
{
	g_autofree char *path = g_build_filename (root, rel, NULL);
	g_autofree char *dir = g_path_get_dirname (path);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	g_file_set_contents (path, data, len, &error);
	g_assert_no_error (error);
}

static void
make_dir (const char *root, const char *rel)
{
	g_autofree char *path = g_build_filename (root, rel, NULL);

	g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
}

static void
rm_rf (const char *path)
{
	GDir *d = g_dir_open (path, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name (d)) != NULL) {
			g_autofree char *sub = g_build_filename (path, name, NULL);
			if (g_file_test (sub, G_FILE_TEST_IS_DIR) && !g_file_test (sub, G_FILE_TEST_IS_SYMLINK))
				rm_rf (sub);
			else
				g_unlink (sub);
		}
		g_dir_close (d);
	}
	g_rmdir (path);
}

static char *
make_tmp (void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp ("mp-unit-XXXXXX", &error);

	g_assert_no_error (error);
	return dir;
}

/* A small message; ATTACHMENTS parts with file names. */
static char *
make_message (const char *subject, guint attachments, const char *date)
{
	GString *s = g_string_new (NULL);

	g_string_append_printf (s, "From: a@example.org\nSubject: %s\nMessage-ID: <%s@example.org>\n", subject, subject);
	if (date)
		g_string_append_printf (s, "Date: %s\n", date);
	if (attachments == 0) {
		g_string_append_printf (s, "\nbody of %s\n", subject);
		return g_string_free (s, FALSE);
	}
	g_string_append (s, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
	                    "--b\nContent-Type: text/plain\n\nbody\n");
	for (guint i = 0; i < attachments; i++)
		g_string_append_printf (s, "--b\nContent-Type: application/octet-stream; name=\"f%u.bin\"\n\n%s-%u\n",
		                        i, subject, i);
	g_string_append (s, "--b--\n");
	return g_string_free (s, FALSE);
}

static GPtrArray *
folder_names (MpSource *src)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *folders = src->ops->folders (src, &error);
	GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

	g_assert_no_error (error);
	g_assert_nonnull (folders);
	for (guint i = 0; i < folders->len; i++)
		g_ptr_array_add (names, g_strdup (((MpFolder *) g_ptr_array_index (folders, i))->name));
	g_ptr_array_unref (folders);
	return names;
}

static void
assert_names (GPtrArray *names, const char *const *want)
{
	guint n = g_strv_length ((char **) want);

	for (guint i = 0; i < names->len; i++)
		g_test_message ("folder %u: %s", i, (const char *) g_ptr_array_index (names, i));
	g_assert_cmpuint (names->len, ==, n);
	for (guint i = 0; i < n; i++)
		g_assert_cmpstr (g_ptr_array_index (names, i), ==, want[i]);
}

/* ---- a recording sink ---- */

typedef struct {
	GPtrArray *events;   /* char*: one line per callback */
	GPtrArray *messages; /* char*: "folder|index|size|attachments|locator" */
} Recorder;

static void
rec_add (Recorder *r, char *line)
{
	g_ptr_array_add (r->events, line);
}

static void
rec_source_begin (gpointer self, const char *source, const char *kind)
{
	g_autofree char *base = g_path_get_basename (source);
	rec_add (self, g_strdup_printf ("source-begin %s %s", base, kind));
}

static void
rec_source_error (gpointer self, const char *source, const GError *error)
{
	g_autofree char *base = g_path_get_basename (source);
	rec_add (self, g_strdup_printf ("source-error %s %d", base, error->code));
}

static void
rec_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	rec_add (self, g_strdup_printf ("folder-begin %s", folder->name));
}

static void
rec_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	rec_add (self, g_strdup_printf ("folder-error %s %s", folder->name, error->message));
}

static void
rec_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	rec_add (self, g_strdup_printf ("notice %s %s %s", folder ? folder->name : "-", code, detail ? detail : ""));
}

static void
rec_message (gpointer self, const MpMessage *m)
{
	Recorder *r = self;
	GString *p = g_string_new (NULL);
	char *line;

	for (guint i = 0; i < m->problems->len; i++)
		g_string_append_printf (p, "%s;", (const char *) g_ptr_array_index (m->problems, i));
	line = g_strdup_printf ("%s|%" G_GUINT64_FORMAT "|%" G_GUINT64_FORMAT "|%u|%s|%s|%s|%s|%s",
	                        m->folder, m->index, m->size, m->attachments, m->locator,
	                        m->subject ? m->subject : "", m->date ? m->date : "",
	                        mp_date_source_name (m->date_source), p->str);
	g_string_free (p, TRUE);
	g_ptr_array_add (r->messages, g_strdup (line));
	rec_add (r, line);
}

static void
rec_folder_end (gpointer self, const char *source, const MpFolder *folder)
{
	rec_add (self, g_strdup_printf ("folder-end %s", folder->name));
}

static void
rec_source_end (gpointer self, const char *source)
{
	g_autofree char *base = g_path_get_basename (source);
	rec_add (self, g_strdup_printf ("source-end %s", base));
}

static const MpScanSink rec_sink = {
	.source_begin = rec_source_begin,
	.source_error = rec_source_error,
	.folder_begin = rec_folder_begin,
	.folder_error = rec_folder_error,
	.notice = rec_notice,
	.message = rec_message,
	.folder_end = rec_folder_end,
	.source_end = rec_source_end,
};

static void
rec_init (Recorder *r)
{
	r->events = g_ptr_array_new_with_free_func (g_free);
	r->messages = g_ptr_array_new_with_free_func (g_free);
}

static void
rec_clear (Recorder *r)
{
	g_ptr_array_unref (r->events);
	g_ptr_array_unref (r->messages);
}

static void
scan (const char *const *sources, guint jobs, Recorder *r, MpScanResult *result)
{
	MpScanOptions opt = { 0 };

	rec_init (r);
	opt.jobs = jobs;
	opt.sink = &rec_sink;
	opt.sink_data = r;
	mp_scan_run (sources, &opt, result);
}

static gboolean
has_event (const Recorder *r, const char *prefix)
{
	for (guint i = 0; i < r->events->len; i++)
		if (g_str_has_prefix (g_ptr_array_index (r->events, i), prefix))
			return TRUE;
	return FALSE;
}

/* ---- detection and folder lists ---- */

static void
build_maildir (const char *root)
{
	g_autofree char *m1 = make_message ("one", 0, "Tue, 12 Mar 2019 10:00:00 +0100");
	g_autofree char *m2 = make_message ("two", 2, "Tue, 12 Mar 2019 11:00:00 +0100");
	g_autofree char *m3 = make_message ("three", 0, "Tue, 12 Mar 2019 12:00:00 +0100");
	g_autofree char *m4 = make_message ("archived", 1, "Sat, 12 Jan 2019 12:00:00 +0000");

	write_file (root, "cur/1000.A.host:2,S", m1, -1);
	write_file (root, "cur/1001.B.host:2,", m2, -1);
	write_file (root, "new/1002.C.host", m3, -1);
	write_file (root, "tmp/1003.D.host", m1, -1);           /* in delivery: ignored */
	write_file (root, "cur/.hidden", m1, -1);               /* not a message name */
	write_file (root, ".Archive.2019/cur/2000.A.host:2,S", m4, -1);
	make_dir (root, ".Archive.2019/new");
	make_dir (root, ".Archive.2019/tmp");
	write_file (root, ".Entw&APw-rfe/cur/3000.A.host:2,S", m1, -1);
	write_file (root, "Projects/Alpha/cur/4000.A.host:2,S", m1, -1);
	make_dir (root, "not-a-folder/sub");
	write_file (root, "dovecot-uidlist", "3 V1 N4\n", -1);
}

static void
test_maildir_detect (void)
{
	g_autofree char *root = make_tmp ();
	g_autoptr(GError) error = NULL;
	g_autoptr(MpSource) src = NULL;
	g_autoptr(GPtrArray) names = NULL;
	static const char *const want[] = { "INBOX", "Archive/2019", "Entw\xc3\xbcrfe", "Projects/Alpha", NULL };

	build_maildir (root);
	src = mp_source_open (root, &error);
	g_assert_no_error (error);
	g_assert_nonnull (src);
	g_assert_cmpstr (src->ops->name, ==, "maildir");
	names = folder_names (src);
	assert_names (names, want);
	rm_rf (root);
}

/* A tree of Maildirs without a root Maildir is still a Maildir source. */
static void
test_maildir_nested_only (void)
{
	g_autofree char *root = make_tmp ();
	g_autoptr(GError) error = NULL;
	g_autoptr(MpSource) src = NULL;
	g_autoptr(GPtrArray) names = NULL;
	static const char *const want[] = { "Projects/Alpha", NULL };
	g_autofree char *m1 = make_message ("one", 0, NULL);

	write_file (root, "Projects/Alpha/new/1.A.host", m1, -1);
	src = mp_source_open (root, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (src->ops->name, ==, "maildir");
	names = folder_names (src);
	assert_names (names, want);
	rm_rf (root);
}

static void
build_thunderbird (const char *root)
{
	g_autofree char *m1 = make_message ("inbox-1", 0, NULL);
	g_autofree char *m2 = make_message ("inbox-2", 1, NULL);
	g_autofree char *m3 = make_message ("arch-1", 0, NULL);
	g_autofree char *inbox = g_strdup_printf ("From - Tue Mar 12 10:00:00 2019\n%s\n"
	                                          "From - Wed Mar 13 11:30:00 2019\n%s\n", m1, m2);
	g_autofree char *archive = g_strdup_printf ("From - Mon Jan  7 09:00:00 2019\n%s", m3);

	write_file (root, "Inbox", inbox, -1);
	write_file (root, "Inbox.msf", "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n", -1);
	write_file (root, "Archive.sbd/2019", archive, -1);
	write_file (root, "Archive.sbd/2019.msf", "mork\n", -1);
	write_file (root, "popstate.dat", "# POP3 State File\n", -1);
	write_file (root, "notes.txt", "not mail\n", -1);
}

static void
test_mboxdir_detect (void)
{
	g_autofree char *root = make_tmp ();
	g_autoptr(GError) error = NULL;
	g_autoptr(MpSource) src = NULL;
	g_autoptr(GPtrArray) names = NULL;
	static const char *const want[] = { "Archive/2019", "Inbox", NULL };

	build_thunderbird (root);
	src = mp_source_open (root, &error);
	g_assert_no_error (error);
	g_assert_nonnull (src);
	g_assert_cmpstr (src->ops->name, ==, "mbox-folder");
	names = folder_names (src);
	assert_names (names, want);
	rm_rf (root);
}

static void
collect_batch (MpBatch *batch, gpointer user_data)
{
	g_ptr_array_add (user_data, batch);
}

static void
ignore_notice (const MpFolder *folder, const char *code, const char *detail, gpointer user_data)
{
}

/* The batches of an mbox file's one folder, enumerated as the scan's
 * producer does. */
static GPtrArray *
mbox_batches (MpSource *src, GPtrArray **folders)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *batches = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_batch_free);

	*folders = src->ops->folders (src, &error);
	g_assert_no_error (error);
	g_assert_cmpuint ((*folders)->len, ==, 1);
	g_assert_true (src->ops->enumerate (src, g_ptr_array_index (*folders, 0), collect_batch, ignore_notice,
	                                    batches, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (batches->len, ==, 1);
	return batches;
}

/* Bytes of an mbox file a worker cannot read (the file shrank or went away
 * after the producer cut it into pieces) were not judged: the batch fails
 * with which bytes and why (the scan makes it a folder error: incomplete,
 * exit 3), and the messages read before stand. Was a notice, and the
 * verdict said READY. */
static void
test_mbox_unread_bytes_fail (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *path = g_build_filename (root, "Inbox", NULL);
	const char *one = "From a Tue Mar 12 10:00:00 2019\nSubject: one\n\nb\n\n";
	g_autofree char *text = g_strconcat (one, "From a Tue Mar 12 10:00:00 2019\nSubject: two\n\nb\n\n"
	                                     "From a Tue Mar 12 10:00:00 2019\nSubject: three\n\nb\n", NULL);
	g_autoptr(MpAnalyzer) analyzer = mp_analyzer_new ();
	g_autoptr(GError) error = NULL;

	for (int way = 0; way < 2; way++) {
		g_autoptr(MpSource) src = NULL;
		g_autoptr(GPtrArray) folders = NULL;
		g_autoptr(GPtrArray) batches = NULL;
		g_autofree char *want = NULL;
		MpBatch *b;

		write_file (root, "Inbox", text, -1);
		src = mp_source_open (path, &error);
		g_assert_no_error (error);
		batches = mbox_batches (src, &folders);
		b = g_ptr_array_index (batches, 0);
		if (way == 0) {
			/* shrunk to its first message (and the separator) */
			g_assert_cmpint (truncate (path, (off_t) strlen (one)), ==, 0);
			want = g_strdup_printf ("bytes %zu-%zu not read: the file shrank while it was read", strlen (one),
			                        strlen (text));
		} else {
			g_assert_cmpint (g_unlink (path), ==, 0);
			want = g_strdup_printf ("bytes 0-%zu not read: ", strlen (text));
		}
		src->ops->analyze (src, b, analyzer);
		g_assert_nonnull (b->error);
		g_assert_true (g_error_matches (b->error, MP_ERROR, MP_ERROR_READ));
		g_test_message ("%s", b->error->message);
		g_assert_true (g_str_has_prefix (b->error->message, want));
		g_assert_cmpuint (b->messages->len, ==, way == 0 ? 1 : 0);
		g_assert_null (b->notices);
	}
	rm_rf (root);
}

/* A live Maildir: while a folder is read, clients rename message files (a
 * flag changes: cur/x:2, -> cur/x:2,S), move them from new/ to cur/, and
 * delete them. A renamed or moved message is read under the name it has
 * now (its locator and read state as that name says), a deleted one is
 * gone (skipped, as a message expunged meanwhile over IMAP, and counted in
 * a notice): none is
 * unreadable, which would make the audit incomplete (exit 3) for every
 * active user. */
static void
test_maildir_renamed_during_scan (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *msg = make_message ("m", 0, "Tue, 12 Mar 2019 10:00:00 +0000");
	g_autoptr(GError) error = NULL;
	g_autoptr(MpSource) src = NULL;
	g_autoptr(GPtrArray) folders = NULL;
	g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_batch_free);
	g_autoptr(MpAnalyzer) analyzer = mp_analyzer_new ();
	static const char *const names[] = { "cur/1000.M1P1.h:2,", "cur/1001.M1P1.h:2,S", "new/1002.M1P1.h",
	                                     "cur/1003.M1P1.h:2,", "cur/1004.M1P1.h:2," };
	MpBatch *b;

	for (guint i = 0; i < G_N_ELEMENTS (names); i++)
		write_file (root, names[i], msg, -1);
	src = mp_source_open (root, &error);
	g_assert_no_error (error);
	folders = src->ops->folders (src, &error);
	g_assert_no_error (error);
	g_assert_true (src->ops->enumerate (src, g_ptr_array_index (folders, 0), collect_batch, ignore_notice,
	                                    batches, &error));
	g_assert_cmpuint (batches->len, ==, 1);
	b = g_ptr_array_index (batches, 0);
	g_assert_cmpuint (b->messages->len, ==, 5);
	/* what the clients do after the listing */
	{
		static const char *const moves[][2] = {
			{ "cur/1000.M1P1.h:2,", "cur/1000.M1P1.h:2,S" },  /* read */
			{ "cur/1001.M1P1.h:2,S", "cur/1001.M1P1.h:2,ST" }, /* deleted, not expunged */
			{ "new/1002.M1P1.h", "cur/1002.M1P1.h:2,S" },      /* seen and read */
		};
		for (guint i = 0; i < G_N_ELEMENTS (moves); i++) {
			g_autofree char *from = g_build_filename (root, moves[i][0], NULL);
			g_autofree char *to = g_build_filename (root, moves[i][1], NULL);
			g_assert_cmpint (g_rename (from, to), ==, 0);
		}
		g_autofree char *gone = g_build_filename (root, "cur/1003.M1P1.h:2,", NULL);
		g_assert_cmpint (g_unlink (gone), ==, 0);
	}
	src->ops->analyze (src, b, analyzer);
	for (guint i = 0; i < b->messages->len; i++) {
		const MpMessage *m = g_ptr_array_index (b->messages, i);
		g_test_message ("%s skipped=%d read=%d problems=%u", m->locator, m->skipped, m->read_state,
		                m->problems->len);
		g_assert_cmpuint (m->problems->len, ==, 0);
		g_assert_true (m->skipped == (i == 3));
		if (!m->skipped)
			g_assert_cmpuint (m->size, ==, mp_crlf_size (msg, strlen (msg)));
	}
#define MSG(i) ((const MpMessage *) g_ptr_array_index (b->messages, i))
	g_assert_cmpstr (MSG (0)->locator, ==, "cur/1000.M1P1.h:2,S");
	g_assert_cmpint (MSG (0)->read_state, ==, MP_READ_SEEN);
	g_assert_cmpstr (MSG (1)->locator, ==, "cur/1001.M1P1.h:2,ST");
	g_assert_cmpint (MSG (1)->deleted, ==, MP_DELETED_MAILDIR_T);
	g_assert_cmpstr (MSG (2)->locator, ==, "cur/1002.M1P1.h:2,S");
	g_assert_cmpint (MSG (2)->read_state, ==, MP_READ_SEEN);
	g_assert_cmpstr (MSG (4)->locator, ==, "cur/1004.M1P1.h:2,");
	g_assert_cmpint (MSG (4)->read_state, ==, MP_READ_UNSEEN);
#undef MSG
	/* the one deleted is said, with the count */
	g_assert_nonnull (b->notices);
	g_assert_cmpuint (b->notices->len, ==, 1);
	g_assert_cmpstr (((const MpBatchNotice *) g_ptr_array_index (b->notices, 0))->code, ==, "deleted-during-scan");
	g_assert_true (g_str_has_prefix (((const MpBatchNotice *) g_ptr_array_index (b->notices, 0))->detail,
	                                 "1 message file(s) deleted"));
	rm_rf (root);
}

static void
test_mbox_file_detect (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *path = g_build_filename (root, "Sent", NULL);
	g_autofree char *junky = g_build_filename (root, "junky", NULL);
	g_autofree char *empty = g_build_filename (root, "empty.mbox", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(MpSource) src = NULL;
	g_autoptr(MpSource) src2 = NULL;
	g_autoptr(MpSource) src3 = NULL;
	g_autoptr(GPtrArray) names = NULL;
	static const char *const want[] = { "Sent", NULL };

	write_file (root, "Sent", "From a Tue Mar 12 10:00:00 2019\nSubject: x\n\nb\n", -1);
	write_file (root, "junky", "junk\n\nFrom a Tue Mar 12 10:00:00 2019\nSubject: x\n\nb\n", -1);
	write_file (root, "empty.mbox", "", 0);
	src = mp_source_open (path, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (src->ops->name, ==, "mbox");
	names = folder_names (src);
	assert_names (names, want);
	src2 = mp_source_open (junky, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (src2->ops->name, ==, "mbox");
	src3 = mp_source_open (empty, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (src3->ops->name, ==, "mbox");
	rm_rf (root);
}

static void
test_source_errors (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *missing = g_build_filename (root, "no-such-thing", NULL);
	g_autofree char *text = g_build_filename (root, "notes.txt", NULL);
	g_autofree char *emptydir = g_build_filename (root, "emptydir", NULL);
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(GError) e3 = NULL;

	write_file (root, "notes.txt", "Dear diary,\nFrom today on I write mail.\n", -1);
	make_dir (root, "emptydir");
	g_assert_null (mp_source_open (missing, &e1));
	g_assert_error (e1, MP_ERROR, MP_ERROR_NOT_FOUND);
	g_assert_nonnull (strstr (e1->message, "no-such-thing"));
	g_assert_null (mp_source_open (text, &e2));
	g_assert_error (e2, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE);
	g_assert_nonnull (strstr (e2->message, "notes.txt"));
	g_assert_null (mp_source_open (emptydir, &e3));
	g_assert_error (e3, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE);
	rm_rf (root);
}

/* Opening under a source root (source-fs.h): never through a link at the
 * end of a path, and never out of the root through a link in the middle,
 * which a user could swap in between the listing and the read. */
static void
test_open_inside (void)
{
	g_autofree char *tmp = make_tmp ();
	g_autofree char *root = g_build_filename (tmp, "root", NULL);
	g_autofree char *outside = g_build_filename (tmp, "outside", NULL);
	g_autofree char *root_real = NULL;
	g_autofree char *via_out = g_build_filename (root, "out", "secret", NULL);
	g_autofree char *via_in = g_build_filename (root, "in", "mail", NULL);
	g_autofree char *file_link = g_build_filename (root, "link", NULL);
	g_autofree char *plain = g_build_filename (root, "dir", "mail", NULL);
	g_autofree char *link_path = NULL;
	int fd;

	write_file (tmp, "outside/secret", "secret\n", -1);
	write_file (tmp, "root/dir/mail", "mail\n", -1);
	root_real = realpath (root, NULL);
	g_assert_nonnull (root_real);
	link_path = g_build_filename (root, "out", NULL);
	g_assert_cmpint (symlink (outside, link_path), ==, 0);
	g_free (link_path);
	link_path = g_build_filename (root, "in", NULL);
	g_assert_cmpint (symlink ("dir", link_path), ==, 0);
	g_assert_cmpint (symlink ("dir/mail", file_link), ==, 0);

	fd = mp_source_open_inside (root_real, plain, MP_OPEN_FILE);
	g_assert_cmpint (fd, >=, 0);
	close (fd);
	/* a directory link in the middle, inside the root: fine */
	fd = mp_source_open_inside (root_real, via_in, MP_OPEN_FILE);
	g_assert_cmpint (fd, >=, 0);
	close (fd);
	/* a directory link in the middle, leading out: refused after the open */
	errno = 0;
	g_assert_cmpint (mp_source_open_inside (root_real, via_out, MP_OPEN_FILE), ==, -1);
	g_assert_cmpint (errno, ==, EXDEV);
	g_assert_nonnull (strstr (mp_source_open_error (EXDEV), "outside the source"));
	/* a link at the end: never opened, even one leading inside */
	errno = 0;
	g_assert_cmpint (mp_source_open_inside (root_real, file_link, MP_OPEN_FILE), ==, -1);
	g_assert_cmpint (errno, ==, ELOOP);
	/* ... unless the caller follows it on purpose (the SOURCE argument) */
	fd = mp_source_open_inside (root_real, file_link, MP_OPEN_FOLLOW);
	g_assert_cmpint (fd, >=, 0);
	close (fd);
	g_assert_true (mp_path_inside (root_real, via_in));
	g_assert_false (mp_path_inside (root_real, via_out));
	rm_rf (tmp);
}

/* ---- scanning ---- */

static void
test_scan_maildir_contents (void)
{
	g_autofree char *root = make_tmp ();
	const char *sources[] = { root, NULL };
	g_autofree char *m1 = make_message ("one", 0, "Tue, 12 Mar 2019 10:00:00 +0100");
	g_autofree char *m2 = make_message ("two", 2, "Tue, 12 Mar 2019 11:00:00 +0100");
	g_autofree char *m3 = make_message ("three", 0, "Tue, 12 Mar 2019 12:00:00 +0100");
	Recorder r;
	MpScanResult res;
	g_autofree char *want1 = NULL, *want2 = NULL, *want3 = NULL;

	build_maildir (root);
	scan (sources, 2, &r, &res);
	for (guint i = 0; i < r.events->len; i++)
		g_test_message ("%s", (const char *) g_ptr_array_index (r.events, i));
	g_assert_cmpuint (res.sources_failed, ==, 0);
	g_assert_cmpuint (res.folders_failed, ==, 0);
	/* 3 in INBOX (tmp/ and .hidden ignored) + 1 + 1 + 1 */
	g_assert_cmpuint (r.messages->len, ==, 6);
	/* size: bytes + bare LFs, computed here independently */
	want1 = g_strdup_printf ("INBOX|1|%" G_GUINT64_FORMAT "|0|cur/1000.A.host:2,S|one|2019-03-12T10:00:00+01:00|header|",
	                         mp_crlf_size (m1, strlen (m1)));
	want2 = g_strdup_printf ("INBOX|2|%" G_GUINT64_FORMAT "|2|cur/1001.B.host:2,|two|2019-03-12T11:00:00+01:00|header|",
	                         mp_crlf_size (m2, strlen (m2)));
	want3 = g_strdup_printf ("INBOX|3|%" G_GUINT64_FORMAT "|0|new/1002.C.host|three|2019-03-12T12:00:00+01:00|header|",
	                         mp_crlf_size (m3, strlen (m3)));
	g_assert_cmpstr (g_ptr_array_index (r.messages, 0), ==, want1);
	g_assert_cmpstr (g_ptr_array_index (r.messages, 1), ==, want2);
	g_assert_cmpstr (g_ptr_array_index (r.messages, 2), ==, want3);
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 3), "Archive/2019|1|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 4), "Entw\xc3\xbcrfe|1|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 5), "Projects/Alpha|1|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.events, 0), "source-begin "));
	g_assert_true (g_str_has_suffix (g_ptr_array_index (r.events, 0), " maildir"));
	g_assert_cmpstr (g_ptr_array_index (r.events, 1), ==, "folder-begin INBOX");
	rec_clear (&r);
	rm_rf (root);
}

/* mbox-folder scan: the From_ line date is each message's own (a message
 * without Date: must not get the next message's From_ line date), and junk
 * before the first message is a notice. */
static void
test_scan_mboxdir_contents (void)
{
	g_autofree char *root = make_tmp ();
	const char *sources[] = { root, NULL };
	Recorder r;
	MpScanResult res;

	build_thunderbird (root);
	write_file (root, "Junky", "stray bytes\n\nFrom - Fri Feb  1 08:00:00 2019\nSubject: j\n\nb\n", -1);
	scan (sources, 1, &r, &res);
	for (guint i = 0; i < r.events->len; i++)
		g_test_message ("%s", (const char *) g_ptr_array_index (r.events, i));
	g_assert_cmpuint (res.sources_failed, ==, 0);
	g_assert_cmpuint (r.messages->len, ==, 4);
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 0),
	                                 "Archive/2019|1|"));
	g_assert_nonnull (strstr (g_ptr_array_index (r.messages, 0), "|arch-1|2019-01-07T09:00:00+00:00|from-line|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 1), "Inbox|1|"));
	g_assert_nonnull (strstr (g_ptr_array_index (r.messages, 1), "|0|0|inbox-1|2019-03-12T10:00:00+00:00|from-line|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 2), "Inbox|2|"));
	g_assert_nonnull (strstr (g_ptr_array_index (r.messages, 2), "|inbox-2|2019-03-13T11:30:00+00:00|from-line|"));
	g_assert_true (g_str_has_prefix (g_ptr_array_index (r.messages, 3), "Junky|1|"));
	g_assert_true (has_event (&r, "notice Junky junk-before-first-message 13 bytes at offset 0"));
	rec_clear (&r);
	rm_rf (root);
}

/* DEFINITIONS.md: the same message gives the same numbers from mbox and
 * Maildir. The mbox copy is written by mboxrd rules (">From " quoted). */
static void
test_scan_mbox_maildir_agree (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *md = g_build_filename (root, "md", NULL);
	g_autofree char *mb = g_build_filename (root, "box", NULL);
	const char *sources[] = { md, mb, NULL };
	const char *bodies[] = {
		"From: a@x\nSubject: s1\nMessage-ID: <1@x>\n\nFrom the start\n>From quoted\nend\n",
		"From: a@x\r\nSubject: s2\r\nMessage-ID: <2@x>\r\n\r\ncrlf body\r\n",
		("From: a@x\nSubject: s3\nMessage-ID: <3@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
		 "--q\n\nt\n--q\nContent-Disposition: attachment\n\nA\n--q\nContent-Type: message/rfc822\n\nSubject: in\n\nx\n--q--\n"),
		"From: a@x\nSubject: s4\nMessage-ID: <4@x>\n\nno final newline",
	};
	g_autoptr(GString) mbox = g_string_new (NULL);
	Recorder r;
	MpScanResult res;

	for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++) {
		g_autofree char *name = g_strdup_printf ("cur/%zu.A.host:2,S", 100 + i);
		g_auto(GStrv) lines = g_strsplit (bodies[i], "\n", -1);
		write_file (md, name, bodies[i], -1);
		g_string_append (mbox, "From a@x Tue Mar 12 10:00:00 2019\n");
		for (int l = 0; lines[l]; l++) {
			const char *p = lines[l];
			while (*p == '>')
				p++;
			if (g_str_has_prefix (p, "From "))
				g_string_append_c (mbox, '>');
			g_string_append (mbox, lines[l]);
			if (lines[l + 1])
				g_string_append_c (mbox, '\n');
		}
		/* the separator; the last message has no final newline, and EOF ends it */
		if (g_str_has_suffix (bodies[i], "\n"))
			g_string_append_c (mbox, '\n');
	}
	write_file (root, "box", mbox->str, (gssize) mbox->len);
	scan (sources, 3, &r, &res);
	g_assert_cmpuint (r.messages->len, ==, 2 * G_N_ELEMENTS (bodies));
	for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++) {
		g_auto(GStrv) a = g_strsplit (g_ptr_array_index (r.messages, i), "|", -1);
		g_auto(GStrv) b = g_strsplit (g_ptr_array_index (r.messages, i + G_N_ELEMENTS (bodies)), "|", -1);
		g_test_message ("maildir %s / mbox %s", (const char *) g_ptr_array_index (r.messages, i),
		                (const char *) g_ptr_array_index (r.messages, i + G_N_ELEMENTS (bodies)));
		g_assert_cmpstr (a[1], ==, b[1]);   /* index */
		g_assert_cmpstr (a[2], ==, b[2]);   /* size */
		g_assert_cmpuint (g_ascii_strtoull (a[2], NULL, 10), ==, mp_crlf_size (bodies[i], strlen (bodies[i])));
		g_assert_cmpstr (a[3], ==, b[3]);   /* attachments */
		g_assert_cmpstr (a[5], ==, b[5]);   /* subject */
	}
	rec_clear (&r);
	rm_rf (root);
}

/* --jobs 1 and --jobs 4 deliver the same sequence, across many batches,
 * several sources and a failing one. */
static void
test_scan_jobs_identical (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *md = g_build_filename (root, "md", NULL);
	g_autofree char *mb = g_build_filename (root, "big.mbox", NULL);
	g_autofree char *missing = g_build_filename (root, "missing", NULL);
	const char *sources[] = { md, missing, mb, NULL };
	g_autoptr(GString) mbox = g_string_new (NULL);
	Recorder r1, r4;
	MpScanResult res1, res4;
	const guint n_md = 200, n_mb = 700;

	for (guint i = 0; i < n_md; i++) {
		g_autofree char *subj = g_strdup_printf ("md%04u", i);
		g_autofree char *msg = make_message (subj, i % 4, NULL);
		g_autofree char *name = g_strdup_printf ("%s/%06u.M1.host:2,%s", i % 5 ? "cur" : "new", i, i % 2 ? "S" : "");
		write_file (md, name, msg, -1);
	}
	for (guint i = 0; i < n_mb; i++) {
		g_autofree char *subj = g_strdup_printf ("mb%04u", i);
		g_autofree char *msg = make_message (subj, i % 3, NULL);
		g_string_append_printf (mbox, "From x@y Tue Mar 12 10:%02u:00 2019\n%s", i % 60, msg);
		/* some padding so sizes differ */
		for (guint k = 0; k < i % 7; k++)
			g_string_append (mbox, "padding line\n");
		g_string_append_c (mbox, '\n');
	}
	write_file (root, "big.mbox", mbox->str, (gssize) mbox->len);

	scan (sources, 1, &r1, &res1);
	scan (sources, 4, &r4, &res4);
	g_assert_cmpuint (res1.sources_failed, ==, 1);
	g_assert_cmpuint (res4.sources_failed, ==, 1);
	g_assert_cmpuint (r1.messages->len, ==, n_md + n_mb);
	g_assert_cmpuint (r1.events->len, ==, r4.events->len);
	for (guint i = 0; i < r1.events->len; i++)
		g_assert_cmpstr (g_ptr_array_index (r1.events, i), ==, g_ptr_array_index (r4.events, i));
	/* the order is the source order, and counts are right */
	for (guint i = 0; i < n_md; i++) {
		g_autofree char *want = g_strdup_printf ("INBOX|%u|", i + 1);
		g_autofree char *subj = g_strdup_printf ("|md%04u|", i);
		const char *got = g_ptr_array_index (r4.messages, i);
		g_auto(GStrv) f = g_strsplit (got, "|", -1);
		g_assert_true (g_str_has_prefix (got, want));
		g_assert_nonnull (strstr (got, subj));
		g_assert_cmpuint (g_ascii_strtoull (f[3], NULL, 10), ==, i % 4);
	}
	for (guint i = 0; i < n_mb; i++) {
		g_autofree char *want = g_strdup_printf ("big.mbox|%u|", i + 1);
		g_autofree char *subj = g_strdup_printf ("|mb%04u|", i);
		const char *got = g_ptr_array_index (r4.messages, n_md + i);
		g_auto(GStrv) f = g_strsplit (got, "|", -1);
		g_assert_true (g_str_has_prefix (got, want));
		g_assert_nonnull (strstr (got, subj));
		g_assert_cmpuint (g_ascii_strtoull (f[3], NULL, 10), ==, i % 3);
	}
	g_assert_true (has_event (&r4, "source-error missing 1")); /* MP_ERROR_NOT_FOUND */
	rec_clear (&r1);
	rec_clear (&r4);
	rm_rf (root);
}

/* An mbox large enough to be cut into many pieces (source-mbox.c): messages
 * of all sizes, some over MP_ANALYZER_MEM_MAX (read from the file, not from
 * the worker's buffer), CRLF ones, quoted and unquoted "From " body lines and
 * junk before the first message. Each message must come out as its Maildir
 * copy does (index, size, attachments, subject, problems), in order, with
 * --jobs 1 and --jobs 3 alike. */
static void
test_scan_mbox_pieces (void)
{
	g_autofree char *root = make_tmp ();
	g_autofree char *md = g_build_filename (root, "md", NULL);
	g_autofree char *mb = g_build_filename (root, "pieces.mbox", NULL);
	const char *sources[] = { md, mb, NULL };
	g_autoptr(GString) mbox = g_string_new ("junk before the first message\n\n");
	g_autoptr(GRand) rand = g_rand_new_with_seed (3);
	const guint n = 1500;
	Recorder r1, r3;
	MpScanResult res1, res3;

	for (guint i = 0; i < n; i++) {
		g_autofree char *subj = g_strdup_printf ("p%04u", i);
		g_autoptr(GString) msg = g_string_new (NULL);
		g_autofree char *name = g_strdup_printf ("cur/%06u.M1.host:2,S", i);
		const char *eol = i % 17 == 3 ? "\r\n" : "\n";
		guint lines = i == 700 || i == 701 ? 70000 : /* ≈ 5 MiB: over MP_ANALYZER_MEM_MAX */
		              i % 50 == 0 ? 4000 : (guint) g_rand_int_range (rand, 0, 60);

		/* line by line into both copies (no g_strsplit of megabytes:
		 * under ASan its strstr calls are quadratic) */
		g_string_append_printf (mbox, "From a@x Tue Mar 12 10:00:00 2019%s", eol);
		g_string_append_printf (msg, "From: a@example.org%sSubject: %s%sMessage-ID: <%s@x>%s"
		                        "Date: Tue, 12 Mar 2019 10:00:00 +0000%s%s", eol, subj, eol, subj, eol, eol, eol);
		g_string_append_len (mbox, msg->str, (gssize) msg->len);
		for (guint l = 0; l < lines; l++) {
			gsize at = msg->len;

			if (l % 97 == 5)
				g_string_append_printf (msg, "From the body, not a message start%s", eol);
			else if (l % 89 == 7)
				g_string_append_printf (msg, ">From quoted%s", eol);
			else
				g_string_append_printf (msg, "line %u of %s, some text to fill it up to about seventy%s",
				                        l, subj, eol);
			/* the mbox copy: mboxrd quoting of ^>*From  lines */
			if (msg->str[at] == 'F' || msg->str[at] == '>')
				g_string_append_c (mbox, '>');
			g_string_append (mbox, msg->str + at);
		}
		write_file (md, name, msg->str, (gssize) msg->len);
		g_string_append (mbox, eol); /* the separator line */
	}
	write_file (root, "pieces.mbox", mbox->str, (gssize) mbox->len);
	scan (sources, 1, &r1, &res1);
	scan (sources, 3, &r3, &res3);
	g_assert_cmpuint (r1.messages->len, ==, 2 * n);
	g_assert_cmpuint (r3.messages->len, ==, 2 * n);
	g_assert_true (has_event (&r3, "notice pieces.mbox junk-before-first-message 31 bytes at offset 0"));
	for (guint i = 0; i < r1.events->len; i++)
		g_assert_cmpstr (g_ptr_array_index (r1.events, i), ==, g_ptr_array_index (r3.events, i));
	for (guint i = 0; i < n; i++) {
		g_auto(GStrv) a = g_strsplit (g_ptr_array_index (r3.messages, i), "|", -1);
		g_auto(GStrv) b = g_strsplit (g_ptr_array_index (r3.messages, n + i), "|", -1);
		g_autofree char *idx = g_strdup_printf ("%u", i + 1);
		g_autofree char *subj = g_strdup_printf ("p%04u", i);

		g_assert_cmpstr (a[1], ==, idx);
		g_assert_cmpstr (b[1], ==, idx);  /* numbered at delivery, in file order */
		g_assert_cmpstr (a[2], ==, b[2]); /* size */
		g_assert_cmpstr (a[3], ==, b[3]); /* attachments */
		g_assert_cmpstr (a[5], ==, subj);
		g_assert_cmpstr (b[5], ==, subj);
		g_assert_cmpstr (a[8], ==, b[8]); /* problems */
	}
	rec_clear (&r1);
	rec_clear (&r3);
	rm_rf (root);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	mp_gmime_init_once ();
	g_test_add_func ("/source/maildir/detect-and-folders", test_maildir_detect);
	g_test_add_func ("/source/maildir/nested-only", test_maildir_nested_only);
	g_test_add_func ("/source/mbox-folder/thunderbird", test_mboxdir_detect);
	g_test_add_func ("/source/mbox/file", test_mbox_file_detect);
	g_test_add_func ("/source/errors", test_source_errors);
	g_test_add_func ("/source/fs/open-inside", test_open_inside);
	g_test_add_func ("/scan/maildir-contents", test_scan_maildir_contents);
	g_test_add_func ("/scan/mbox-folder-contents", test_scan_mboxdir_contents);
	g_test_add_func ("/scan/mbox-and-maildir-agree", test_scan_mbox_maildir_agree);
	g_test_add_func ("/scan/jobs-1-equals-jobs-4", test_scan_jobs_identical);
	g_test_add_func ("/scan/mbox-pieces", test_scan_mbox_pieces);
	g_test_add_func ("/source/mbox-unread-bytes-fail", test_mbox_unread_bytes_fail);
	g_test_add_func ("/source/maildir-renamed-during-scan", test_maildir_renamed_during_scan);
	return g_test_run ();
}
