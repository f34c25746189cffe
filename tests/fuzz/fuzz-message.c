/* fuzz-message.c — one message through GMime and our walker
 * (analyzer/mime/mime-analyze.c, mime-gmime.c, mime-record.c, part-class.c,
 * archive-list.c, octets.c).
 *
 * The input is one RFC 5322 message. It is analyzed twice:
 *  - mp_analyzer_run on a GMime memory stream;
 *  - mp_analyzer_run_range on a memfd holding the bytes, with count_size,
 *    the path the Maildir backend takes.
 * Archive listing is on when the input's length is odd (so both the
 * plain walk and libarchive are reached). Checked, abort() on violation:
 * every string that reaches a report (from, subject, message_id, date,
 * problems, attachment names and types) is valid UTF-8, problems are
 * bounded, attachment counts agree, the size equals mp_crlf_size() of the
 * bytes, no attachment is larger than the message (an attached message's
 * stored size comes from the counter's ranges: they stay within it) and
 * both runs agree on what they found, attachment sizes included. */
#include "fuzz-common.h"
#include "mime-analyze.h"
#include "octets.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static MpAnalyzer *analyzer;

static void
fail (const char *what, const char *value)
{
	fprintf (stderr, "fuzz-message: %s%s%s\n", what, value ? ": " : "", value ? value : "");
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
	check_utf8 ("date", m->date);
	if (m->problems->len > 33) /* MP_MAX_PROBLEMS + "more-problems" */
		fail ("more problems than the cap", NULL);
	for (guint i = 0; i < m->problems->len; i++) {
		const char *p = g_ptr_array_index (m->problems, i);
		if (p == NULL)
			fail ("a NULL problem", NULL);
		check_utf8 ("problem", p);
		for (const char *c = p; *c; c++)
			if ((guchar) *c < 0x20)
				fail ("problem holds a control character", p);
	}
	/* past MP_MIME_MAX_PARTS every attachment is counted, the first listed */
	if (m->attachments != m->attachment_list->len &&
	    !(mp_message_has_problem (m, MP_PROBLEM_TOO_MANY_PARTS) && m->attachments > m->attachment_list->len))
		fail ("attachments != attachment_list->len", NULL);
	for (guint i = 0; i < m->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		check_utf8 ("attachment filename", a->filename);
		check_utf8 ("attachment type", a->mime_type);
		if (a->archive_entries) {
			if (a->archive_entries->len > MP_ARCHIVE_MAX_ENTRIES)
				fail ("more archive entries than the cap", NULL);
			for (guint k = 0; k < a->archive_entries->len; k++)
				check_utf8 ("archive entry", g_ptr_array_index (a->archive_entries, k));
		}
		check_utf8 ("archive problem", a->archive_problem);
	}
	if (m->mime_parts > 0 && m->depth >= m->mime_parts)
		fail ("depth >= mime_parts", NULL);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpMessage) a = mp_message_new ();
	g_autoptr(MpMessage) b = mp_message_new ();
	int fd;

	if (analyzer == NULL) {
		mp_gmime_init_once ();
		analyzer = mp_analyzer_new ();
	}
	mp_analyzer_set_flags (analyzer, (size & 1) ? MP_ANALYZE_LIST_ARCHIVES : MP_ANALYZE_DEFAULT);

	{
		/* a copy GMime does not own: it must not write to or free it */
		g_autoptr(GByteArray) copy = g_byte_array_sized_new ((guint) size);
		g_autoptr(GMimeStream) mem = NULL;
		g_byte_array_append (copy, data, (guint) size);
		mem = g_mime_stream_mem_new_with_byte_array (copy);
		g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
		mp_analyzer_run (analyzer, mem, a);
	}
	check_message (a);

	fd = memfd_create ("fuzz-message", MFD_CLOEXEC);
	if (fd < 0)
		fail ("memfd_create failed", NULL);
	if (size > 0 && write (fd, data, size) != (ssize_t) size)
		fail ("write to memfd failed", NULL);
	mp_analyzer_run_range (analyzer, fd, 0, size, TRUE, b);
	close (fd);
	check_message (b);

	if (b->size != mp_crlf_size ((const char *) data, size))
		fail ("run_range size != mp_crlf_size", NULL);
	if (a->attachment_list->len != b->attachment_list->len)
		fail ("memory stream and file range list different attachments", NULL);
	for (guint i = 0; i < a->attachment_list->len; i++) {
		const MpAttachment *x = g_ptr_array_index (a->attachment_list, i);
		const MpAttachment *y = g_ptr_array_index (b->attachment_list, i);
		if (x->encoded_size > b->size || y->encoded_size > b->size)
			fail ("an attachment larger than its message", x->mime_type);
		if (x->encoded_size != y->encoded_size)
			fail ("memory stream and file range disagree on an attachment's size", x->mime_type);
	}
	/* the file range also scans the raw bytes (NUL, the end of the header
	 * block, its size): those problems exist on that side only, and where
	 * the problem list hit its cap the extra ones shift what is kept */
	gboolean capped = mp_message_has_problem (a, MP_PROBLEM_MORE_PROBLEMS) || mp_message_has_problem (b, MP_PROBLEM_MORE_PROBLEMS);
	guint raw_only = (mp_message_has_problem (b, MP_PROBLEM_NUL_BYTE) ? 1 : 0) +
	                 (mp_message_has_problem (b, MP_PROBLEM_UNTERMINATED_HEADER) ? 1 : 0);
	if (a->attachments != b->attachments || a->mime_parts != b->mime_parts ||
	    a->inline_parts != b->inline_parts || a->nested_attachments != b->nested_attachments ||
	    a->flags != b->flags ||
	    (!capped && a->problems->len != b->problems->len - raw_only) ||
	    g_strcmp0 (a->subject, b->subject) != 0 || g_strcmp0 (a->from, b->from) != 0)
		fail ("memory stream and file range disagree", NULL);
	return 0;
}
