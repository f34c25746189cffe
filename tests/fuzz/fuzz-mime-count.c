/* fuzz-mime-count.c — the streaming part counter (analyzer/mime/mime-count.c)
 * and the cap on MIME parts (MP_MIME_MAX_PARTS, mime-analyze.c).
 *
 * The input is one message. Checked, abort() on violation:
 *  - the counter fed in pieces (sizes taken from the input) finds what it
 *    finds fed at once: parts, the end of the header block, and every
 *    field it records;
 *  - analyzed with a cap of one part (so the counter reads any multipart),
 *    every string that reaches a report is valid UTF-8, problems and the
 *    attachment list are bounded, no more attachments are listed than
 *    counted;
 *  - wherever the light walker accepts the message (regular mail, read by
 *    GMime one way only), the counter is exact: what the analyzer records
 *    with a cap of one part equals what it records without a cap, but for
 *    the problem too-many-parts;
 *  - the light walker on and off agree under the cap too (its differential
 *    guarantee holds on both sides of the cap).
 * Bit 0 of the length reads the bytes as an mbox range (MP_RANGE_MBOX_QUOTED). */
#include "fuzz-common.h"
#include "mime-analyze.h"
#include "mime-count.h"
#include "../unit/message-compare.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static MpAnalyzer *tree;      /* no cap, light walker on */
static MpAnalyzer *capped;    /* a cap of one part, light walker on */
static MpAnalyzer *capped_gm; /* a cap of one part, light walker off */
static MpMimeRecorder *recorder;

static void
fail (const char *what, const char *detail)
{
	fprintf (stderr, "fuzz-mime-count: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort ();
}

static void
check_utf8 (const char *what, const char *s)
{
	if (s != NULL && !g_utf8_validate (s, -1, NULL))
		fail (what, "not valid UTF-8");
}

static void
check_message (const MpMessage *m)
{
	check_utf8 ("from", m->from);
	check_utf8 ("subject", m->subject);
	check_utf8 ("message_id", m->message_id);
	if (m->problems->len > 33) /* MP_MAX_PROBLEMS + "more-problems" */
		fail ("more problems than the cap", NULL);
	for (guint i = 0; i < m->problems->len; i++)
		check_utf8 ("problem", g_ptr_array_index (m->problems, i));
	if (m->attachment_list->len > m->attachments || m->attachment_list->len > MP_MIME_MAX_PARTS)
		fail ("more attachments listed than counted, or than the cap", NULL);
	for (guint i = 0; i < m->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		check_utf8 ("attachment filename", a->filename);
		check_utf8 ("attachment type", a->mime_type);
	}
	if (m->depth > 1100)
		fail ("deeper than GMime's nesting", NULL);
}

static gssize
read_mem (gpointer data, guint8 *buf, gsize len, guint64 offset)
{
	GBytes *b = data;
	gsize n;
	const guint8 *p = g_bytes_get_data (b, &n);

	len = offset < n ? MIN (len, n - (gsize) offset) : 0;
	memcpy (buf, p + offset, len);
	return (gssize) len;
}

/* The counter fed whole and in pieces: the same. */
static void
check_chunks (const uint8_t *data, size_t size, gboolean mbox_quoted)
{
	g_autoptr(GBytes) bytes = g_bytes_new (data, size);
	g_autoptr(MpMimeCount) whole = mp_mime_count_new (recorder, 50);
	g_autoptr(MpMimeCount) parts = mp_mime_count_new (recorder, 50);
	g_autoptr(MpMessage) a = mp_message_new ();
	g_autoptr(MpMessage) b = mp_message_new ();
	g_autoptr(GString) why = g_string_new (NULL);
	size_t off = 0, k = 0;

	mp_mime_count_feed (whole, data, size);
	while (off < size) {
		/* piece sizes 1..16 from the input itself: every boundary of a
		 * line lands on a feed's edge somewhere */
		size_t want = (size_t) (data[k++ % size] % 16) + 1; /* not inside MIN: evaluated once */
		size_t n = MIN (want, size - off);
		mp_mime_count_feed (parts, data + off, n);
		off += n;
	}
	mp_mime_count_finish (whole);
	mp_mime_count_finish (parts);
	if (mp_mime_count_parts (whole) != mp_mime_count_parts (parts) ||
	    mp_mime_count_header_end (whole) != mp_mime_count_header_end (parts))
		fail ("fed in pieces, the counter counts otherwise", NULL);
	if (mp_mime_count_header_end (whole) > size)
		fail ("the header block ends past the message", NULL);
	mp_mime_count_commit (whole, a, read_mem, bytes, mbox_quoted);
	mp_mime_count_commit (parts, b, read_mem, bytes, mbox_quoted);
	if (!mp_test_messages_equal (a, b, why))
		fail ("fed in pieces, the counter records otherwise", why->str);
	check_message (a);
}

static void
drop_too_many_parts (MpMessage *m)
{
	for (guint i = m->problems->len; i-- > 0;)
		if (g_str_has_prefix (g_ptr_array_index (m->problems, i), "too-many-parts"))
			g_ptr_array_remove_index (m->problems, i);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpMessage) t = mp_message_new ();
	g_autoptr(MpMessage) c = mp_message_new ();
	g_autoptr(MpMessage) g = mp_message_new ();
	g_autoptr(GString) why = g_string_new (NULL);
	MpRangeFlags flags = (size & 1) ? MP_RANGE_MBOX_QUOTED : MP_RANGE_COUNT_SIZE;
	guint64 accepted;

	if (tree == NULL) {
		mp_gmime_init_once ();
		tree = mp_analyzer_new ();
		mp_analyzer_set_max_parts (tree, G_MAXUINT);
		capped = mp_analyzer_new ();
		mp_analyzer_set_max_parts (capped, 1);
		capped_gm = mp_analyzer_new ();
		mp_analyzer_set_max_parts (capped_gm, 1);
		mp_analyzer_set_fast_path (capped_gm, FALSE);
		recorder = mp_mime_recorder_new ();
	}
	if (size > MP_ANALYZER_MEM_MAX)
		return 0;
	check_chunks (data, size, (flags & MP_RANGE_MBOX_QUOTED) != 0);

	accepted = mp_analyzer_fast_path_count (tree);
	mp_analyzer_run_bytes (tree, data, size, flags, t);
	mp_analyzer_run_bytes (capped, data, size, flags, c);
	mp_analyzer_run_bytes (capped_gm, data, size, flags, g);
	check_message (c);
	if (!mp_test_messages_equal (c, g, why))
		fail ("under the cap, the light walker on and off differ", why->str);
	if (mp_analyzer_fast_path_count (tree) > accepted && mp_message_has_problem (c, MP_PROBLEM_TOO_MANY_PARTS)) {
		drop_too_many_parts (c);
		if (!mp_test_messages_equal (t, c, why))
			fail ("on a message the light walker accepts, the counter differs from the tree", why->str);
	}
	return 0;
}
