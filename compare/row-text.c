/* row-text.c — see row-text.h. */
#include "row-text.h"
#include "rules.h"

#include <string.h>

gboolean
mp_compare_reason_predicts (const MpRecordReason *reason)
{
	return reason->severity >= MP_SEVERITY_WARNING;
}

char *
mp_compare_row_rules (const MpCompareRow *row)
{
	GString *s = g_string_new (NULL);

	for (guint i = 0; row->reasons && i < row->reasons->len; i++) {
		const MpRecordReason *r = g_ptr_array_index (row->reasons, i);
		if (!mp_compare_reason_predicts (r) || r->rule == NULL)
			continue;
		if (s->len)
			g_string_append_c (s, ';');
		g_string_append (s, r->rule);
	}
	return g_string_free (s, FALSE);
}

static void
sep (GString *s)
{
	if (s->len)
		g_string_append (s, "; ");
}

static void
changed_text (GString *s, const MpCompareRow *row, const MpSizeTolerance *tolerance)
{
	const MpRecord *a = row->message, *b = row->target;

	if (row->changes & MP_CHANGE_SIZE) {
		g_autofree char *tol = mp_size_tolerance_string (tolerance);
		sep (s);
		g_string_append_printf (s, "size %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " B (more than %s)",
		                        a->size, b->size, tol);
	}
	if (row->changes & MP_CHANGE_ATTACHMENTS) {
		sep (s);
		g_string_append_printf (s, "attachments %u -> %u", a->attachments, b->attachments);
	}
	if (row->changes & MP_CHANGE_MESSAGE_ID) {
		sep (s);
		g_string_append_printf (s, "message-id <%s> -> %s%s%s", a->message_id ? a->message_id : "",
		                        b->message_id ? "<" : "none", b->message_id ? b->message_id : "",
		                        b->message_id ? ">" : "");
	}
	if (row->changes & MP_CHANGE_DATE) {
		sep (s);
		g_string_append_printf (s, "date %s -> %s", a->date ? a->date : "none", b->date ? b->date : "none");
	}
	if (row->changes & MP_CHANGE_FROM) {
		sep (s);
		g_string_append_printf (s, "from '%s' -> '%s'", a->from ? a->from : "", b->from ? b->from : "");
	}
	if (row->changes & MP_CHANGE_SUBJECT) {
		sep (s);
		g_string_append_printf (s, "subject '%s' -> '%s'", a->subject ? a->subject : "",
		                        b->subject ? b->subject : "");
	}
	if (row->moved) {
		sep (s);
		g_string_append_printf (s, "moved to %s", row->target_folder ? row->target_folder : "?");
	}
}

char *
mp_compare_row_detail (const MpCompareRow *row, const MpSizeTolerance *tolerance)
{
	GString *s = g_string_new (NULL);

	switch (row->status) {
	case MP_ROW_MISSING:
	case MP_ROW_UNEXPECTED:
		for (guint i = 0; row->reasons && i < row->reasons->len; i++) {
			const MpRecordReason *r = g_ptr_array_index (row->reasons, i);
			sep (s);
			g_string_append_printf (s, "%s (%s): %s", r->rule ? r->rule : "?", mp_severity_name (r->severity),
			                        r->detail ? r->detail : "");
		}
		if (row->status == MP_ROW_UNEXPECTED) {
			sep (s);
			g_string_append_printf (s, "not found on the target (expected in %s); no rule predicted it",
			                        row->target_folder ? row->target_folder : "?");
		}
		break;
	case MP_ROW_CHANGED:
		changed_text (s, row, tolerance);
		break;
	case MP_ROW_EXTRA:
		g_string_append (s, row->copy ? "a second copy of a message that arrived (another folder or label)"
		                              : "on the target only");
		break;
	}
	return g_string_free (s, FALSE);
}
