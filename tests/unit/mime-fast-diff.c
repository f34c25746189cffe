/* mime-fast-diff.c — the differential check of the light MIME walker
 * (analyzer/mime/mime-fast.c) on real mail, for corpora that are not in the
 * repository (the bench mailboxes, ../shared/corpus):
 *
 *   mime-fast-diff PATH...
 *
 * Every regular file under each PATH is read as an mbox when it starts with
 * "From " (cut at its mbox boundaries, MP_RANGE_MBOX_QUOTED) and as one
 * message otherwise (MP_RANGE_COUNT_SIZE, as the Maildir backend). Every
 * message goes through mp_analyzer_run_range twice — light walker on and off
 * — with and without MP_ANALYZE_LIST_ARCHIVES, and every MpMessage field is
 * compared. Prints the counts and why the walker declined; exits 1 when any
 * message differs. Not a test by itself: tests/unit/test-mime-fast.c runs the
 * same comparison on the fixtures in the repository. */
#include "mbox-boundary.h"
#include "message-compare.h"
#include "mime-analyze.h"
#include "mime-fast.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	MpAnalyzer *fast;
	MpAnalyzer *gmime;
	MpMimeFast *probe;      /* for the decline reasons */
	MpMimeRecorder *probe_recorder; /* what the probe records through (thrown away) */
	guint64     messages;   /* compared (per analyze flag setting) */
	guint64     accepted;
	guint64     differ;
	guint64     large;      /* over MP_ANALYZER_MEM_MAX: GMime only */
	GHashTable *reasons;    /* reason -> count */
} Diff;

static void
one (Diff *d, const char *path, int fd, guint64 start, guint64 end, MpRangeFlags rflags)
{
	static const MpAnalyzeFlags settings[] = { MP_ANALYZE_DEFAULT, MP_ANALYZE_LIST_ARCHIVES };

	for (gsize s = 0; s < G_N_ELEMENTS (settings); s++) {
		g_autoptr(MpMessage) a = mp_message_new ();
		g_autoptr(MpMessage) b = mp_message_new ();
		g_autoptr(GString) why = g_string_new (NULL);
		guint64 before = mp_analyzer_fast_path_count (d->fast);

		mp_analyzer_set_flags (d->fast, settings[s]);
		mp_analyzer_set_flags (d->gmime, settings[s]);
		mp_analyzer_run_range (d->fast, fd, start, end, rflags, a);
		mp_analyzer_run_range (d->gmime, fd, start, end, rflags, b);
		d->messages++;
		if (mp_analyzer_fast_path_count (d->fast) > before) {
			d->accepted++;
		} else if (end - start > MP_ANALYZER_MEM_MAX) {
			d->large++;
		} else {
			/* ask the walker why, on the same bytes */
			g_autoptr(GByteArray) buf = g_byte_array_sized_new ((guint) (end - start));
			g_autoptr(MpMessage) scratch = mp_message_new ();
			const char *reason = "nul-byte or unreadable";
			g_byte_array_set_size (buf, (guint) (end - start));
			if (pread (fd, buf->data, end - start, (off_t) start) == (ssize_t) (end - start) &&
			    memchr (buf->data, 0, end - start) == NULL &&
			    !mp_mime_fast_analyze (d->probe, d->probe_recorder, buf,
			                           (settings[s] & MP_ANALYZE_LIST_ARCHIVES) != 0,
			                           (rflags & MP_RANGE_MBOX_QUOTED) != 0, scratch))
				reason = mp_mime_fast_last_decline (d->probe);
			g_hash_table_insert (d->reasons, (gpointer) reason,
			                     GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (d->reasons, reason)) + 1));
		}
		if (!mp_test_messages_equal (a, b, why)) {
			d->differ++;
			printf ("DIFFER %s @%" G_GUINT64_FORMAT " (flags %d): %s\n", path, start, settings[s], why->str);
		}
	}
}

typedef struct {
	GArray *ranges; /* guint64 pairs */
} Ranges;

static void
on_range (const MpMboxRange *r, gpointer user_data)
{
	Ranges *rs = user_data;

	g_array_append_val (rs->ranges, r->start);
	g_array_append_val (rs->ranges, r->end);
}

static void
file (Diff *d, const char *path)
{
	int fd = open (path, O_RDONLY | O_CLOEXEC);
	char head[5] = { 0 };
	off_t size;

	if (fd < 0) {
		fprintf (stderr, "%s: %s\n", path, g_strerror (errno));
		return;
	}
	size = lseek (fd, 0, SEEK_END);
	if (size > 0 && pread (fd, head, 5, 0) == 5 && memcmp (head, "From ", 5) == 0) {
		Ranges rs = { g_array_new (FALSE, FALSE, sizeof (guint64)) };
		g_autoptr(MpMboxBoundaries) sp = mp_mbox_boundaries_new (on_range, NULL, &rs);
		g_autofree char *buf = g_malloc (1 << 20);
		ssize_t n;
		off_t off = 0;
		while ((n = pread (fd, buf, 1 << 20, off)) > 0) {
			mp_mbox_boundaries_feed (sp, buf, (gsize) n);
			off += n;
		}
		mp_mbox_boundaries_finish (sp);
		for (guint i = 0; i + 1 < rs.ranges->len; i += 2)
			one (d, path, fd, g_array_index (rs.ranges, guint64, i),
			     g_array_index (rs.ranges, guint64, i + 1), MP_RANGE_MBOX_QUOTED);
		g_array_unref (rs.ranges);
	} else if (size >= 0) {
		one (d, path, fd, 0, (guint64) size, MP_RANGE_COUNT_SIZE);
	}
	close (fd);
}

static void
walk_path (Diff *d, const char *path)
{
	if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
		return;
	if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
		const char *name;
		while (dir && (name = g_dir_read_name (dir)) != NULL)
			g_ptr_array_add (names, g_strdup (name));
		g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
		for (guint i = 0; i < names->len; i++) {
			g_autofree char *child = g_build_filename (path, (const char *) g_ptr_array_index (names, i), NULL);
			walk_path (d, child);
		}
	} else if (g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
		file (d, path);
	}
}

int
main (int argc, char **argv)
{
	Diff d = { 0 };
	GHashTableIter it;
	gpointer k, v;

	if (argc < 2) {
		fprintf (stderr, "usage: %s PATH...\n", argv[0]);
		return 2;
	}
	mp_gmime_init_once ();
	d.fast = mp_analyzer_new ();
	d.gmime = mp_analyzer_new ();
	mp_analyzer_set_fast_path (d.gmime, FALSE);
	d.probe = mp_mime_fast_new ();
	d.probe_recorder = mp_mime_recorder_new ();
	d.reasons = g_hash_table_new (g_str_hash, g_str_equal);
	for (int i = 1; i < argc; i++)
		walk_path (&d, argv[i]);
	printf ("compared %" G_GUINT64_FORMAT " (message, flag setting) pairs: %" G_GUINT64_FORMAT
	        " light walker, %" G_GUINT64_FORMAT " over 4 MiB, %" G_GUINT64_FORMAT " differ\n",
	        d.messages, d.accepted, d.large, d.differ);
	g_hash_table_iter_init (&it, d.reasons);
	while (g_hash_table_iter_next (&it, &k, &v))
		printf ("  declined %6u  %s\n", GPOINTER_TO_UINT (v), (const char *) k);
	mp_analyzer_free (d.fast);
	mp_analyzer_free (d.gmime);
	mp_mime_fast_free (d.probe);
	mp_mime_recorder_free (d.probe_recorder);
	g_hash_table_unref (d.reasons);
	return d.differ ? 1 : 0;
}
