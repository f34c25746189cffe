/* message-compare.h — field-by-field comparison of two MpMessages, for the
 * differential tests of the light MIME walker (test-mime-fast.c,
 * mime-fast-diff.c, tests/fuzz/fuzz-mime-fast.c). Header-only. */
#pragma once

#include "message.h"

#include <string.h>

static inline void
mp_test_diff_str (GString *why, const char *field, const char *a, const char *b)
{
	if (g_strcmp0 (a, b) != 0)
		g_string_append_printf (why, "%s: \"%s\" != \"%s\"; ", field, a ? a : "(null)", b ? b : "(null)");
}

static inline void
mp_test_diff_u64 (GString *why, const char *field, guint64 a, guint64 b)
{
	if (a != b)
		g_string_append_printf (why, "%s: %" G_GUINT64_FORMAT " != %" G_GUINT64_FORMAT "; ", field, a, b);
}

static inline void
mp_test_diff_strv (GString *why, const char *field, const GPtrArray *a, const GPtrArray *b)
{
	guint na = a ? a->len : 0, nb = b ? b->len : 0;

	if ((a == NULL) != (b == NULL))
		g_string_append_printf (why, "%s: one is NULL; ", field);
	mp_test_diff_u64 (why, field, na, nb);
	for (guint i = 0; i < MIN (na, nb); i++)
		mp_test_diff_str (why, field, g_ptr_array_index (a, i), g_ptr_array_index (b, i));
}

/* TRUE when A and B hold the same data; else appends what differs to WHY. */
static inline gboolean
mp_test_messages_equal (const MpMessage *a, const MpMessage *b, GString *why)
{
	gsize before = why->len;

	mp_test_diff_str (why, "folder", a->folder, b->folder);
	mp_test_diff_str (why, "locator", a->locator, b->locator);
	mp_test_diff_u64 (why, "index", a->index, b->index);
	mp_test_diff_u64 (why, "size", a->size, b->size);
	mp_test_diff_u64 (why, "attachments", a->attachments, b->attachments);
	mp_test_diff_u64 (why, "inline_parts", a->inline_parts, b->inline_parts);
	mp_test_diff_u64 (why, "nested_attachments", a->nested_attachments, b->nested_attachments);
	mp_test_diff_u64 (why, "mime_parts", a->mime_parts, b->mime_parts);
	mp_test_diff_u64 (why, "depth", a->depth, b->depth);
	mp_test_diff_u64 (why, "max_line", a->max_line, b->max_line);
	mp_test_diff_u64 (why, "from_addresses", a->from_addresses, b->from_addresses);
	mp_test_diff_u64 (why, "flags", a->flags, b->flags);
	mp_test_diff_u64 (why, "attachment_list", a->attachment_list->len, b->attachment_list->len);
	for (guint i = 0; i < MIN (a->attachment_list->len, b->attachment_list->len); i++) {
		const MpAttachment *x = g_ptr_array_index (a->attachment_list, i);
		const MpAttachment *y = g_ptr_array_index (b->attachment_list, i);
		mp_test_diff_str (why, "attachment filename", x->filename, y->filename);
		mp_test_diff_str (why, "attachment mime_type", x->mime_type, y->mime_type);
		mp_test_diff_u64 (why, "attachment encoded_size", x->encoded_size, y->encoded_size);
		mp_test_diff_strv (why, "archive_entries", x->archive_entries, y->archive_entries);
		mp_test_diff_u64 (why, "archive_encrypted", x->archive_encrypted, y->archive_encrypted);
		mp_test_diff_str (why, "archive_problem", x->archive_problem, y->archive_problem);
	}
	mp_test_diff_str (why, "date", a->date, b->date);
	mp_test_diff_u64 (why, "date_unix", (guint64) a->date_unix, (guint64) b->date_unix);
	mp_test_diff_u64 (why, "date_source", a->date_source, b->date_source);
	mp_test_diff_str (why, "from", a->from, b->from);
	mp_test_diff_str (why, "subject", a->subject, b->subject);
	mp_test_diff_str (why, "message_id", a->message_id, b->message_id);
	mp_test_diff_u64 (why, "read_state", a->read_state, b->read_state);
	mp_test_diff_u64 (why, "deleted", a->deleted, b->deleted);
	mp_test_diff_strv (why, "problems", a->problems, b->problems);
	mp_test_diff_u64 (why, "findings", a->findings->len, b->findings->len);
	mp_test_diff_u64 (why, "skipped", a->skipped, b->skipped);
	return why->len == before;
}
