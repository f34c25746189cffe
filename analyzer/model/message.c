#include "message.h"

#include <string.h>

static void
attachment_free (gpointer p)
{
	MpAttachment *a = p;

	g_free (a->filename);
	g_free (a->mime_type);
	if (a->archive_entries)
		g_ptr_array_unref (a->archive_entries);
	g_free (a->archive_problem);
	g_free (a);
}

MpMessage *
mp_message_new (void)
{
	MpMessage *m = g_new0 (MpMessage, 1);

	m->attachment_list = g_ptr_array_new_with_free_func (attachment_free);
	m->problems = g_ptr_array_new_with_free_func (g_free);
	m->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_finding_free);
	return m;
}

void
mp_message_free (MpMessage *m)
{
	if (m == NULL)
		return;
	g_free (m->folder);
	g_free (m->locator);
	g_ptr_array_unref (m->attachment_list);
	g_free (m->date);
	g_free (m->from);
	g_free (m->subject);
	g_free (m->message_id);
	g_ptr_array_unref (m->problems);
	g_ptr_array_unref (m->findings);
	g_free (m);
}

/* A problem is recorded once per code and detail: a message with 10,000
 * broken headers must not make a 10,000-entry problem list. */
#define MP_MAX_PROBLEMS 32

G_STATIC_ASSERT (MP_PROBLEM_COUNT <= 64); /* problem_set is one guint64 */

static void
note_code (MpMessage *m, MpProblemCode code)
{
	m->problem_set |= G_GUINT64_CONSTANT (1) << code;
}

/* Details are kept short and on one line: they end up in CSV cells. A
 * longer one keeps its start and its end, where the cause usually is
 * ("imaps://alice@host: UID FETCH 1:500: ...: connection reset by peer"):
 * cut at 80 octets, it lost the cause. */
#define DETAIL_HEAD 80
#define DETAIL_TAIL 80

/* The octets of S from FROM to TO (character boundaries), control
 * characters as blanks. */
static void
append_one_line (GString *out, const char *from, const char *to)
{
	for (const char *p = from; p < to; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if (c < 0x20 || c == 0x7f)
			g_string_append_c (out, ' ');
		else
			g_string_append_len (out, p, g_utf8_next_char (p) - p);
	}
}

static void
trim_blanks (GString *s)
{
	while (s->len && s->str[s->len - 1] == ' ')
		g_string_truncate (s, s->len - 1);
}

static char *
detail_text (const char *detail)
{
	g_autofree char *valid = g_utf8_make_valid (detail, -1);
	gsize len = strlen (valid);
	GString *s = g_string_new (NULL);
	const char *head_end, *tail;

	if (len <= DETAIL_HEAD + DETAIL_TAIL) {
		append_one_line (s, valid, valid + len);
		trim_blanks (s);
		return g_string_free (s, FALSE);
	}
	/* the characters that start in the first DETAIL_HEAD octets, and those
	 * in the last DETAIL_TAIL */
	head_end = g_utf8_find_next_char (valid + DETAIL_HEAD - 1, NULL);
	tail = g_utf8_find_next_char (valid + len - DETAIL_TAIL - 1, NULL);
	append_one_line (s, valid, head_end);
	trim_blanks (s);
	g_string_append (s, "...");
	while (*tail == ' ')
		tail++;
	append_one_line (s, tail, valid + len);
	trim_blanks (s);
	return g_string_free (s, FALSE);
}

void
mp_message_add_problem (MpMessage *m, MpProblemCode code, const char *detail)
{
	const char *name = mp_problem_name (code);
	g_autofree char *entry = NULL;

	if (detail != NULL && *detail != '\0') {
		g_autofree char *shown = detail_text (detail);
		entry = g_strdup_printf ("%s: %s", name, shown);
	} else {
		entry = g_strdup (name);
	}
	for (guint i = 0; i < m->problems->len; i++)
		if (strcmp (g_ptr_array_index (m->problems, i), entry) == 0)
			return;
	if (m->problems->len == MP_MAX_PROBLEMS) {
		if (!mp_message_has_problem (m, MP_PROBLEM_MORE_PROBLEMS)) {
			g_ptr_array_add (m->problems, g_strdup (mp_problem_name (MP_PROBLEM_MORE_PROBLEMS)));
			note_code (m, MP_PROBLEM_MORE_PROBLEMS);
		}
		return;
	}
	if (m->problems->len > MP_MAX_PROBLEMS)
		return;
	g_ptr_array_add (m->problems, g_steal_pointer (&entry));
	note_code (m, code);
}

void
mp_message_add_problem_text (MpMessage *m, const char *text)
{
	/* as the report that saved it wrote it: already cut and capped */
	g_ptr_array_add (m->problems, g_strdup (text));
	note_code (m, mp_problem_of_text (text));
}

gboolean
mp_message_has_problem (const MpMessage *m, MpProblemCode code)
{
	return code != MP_PROBLEM_UNKNOWN && (m->problem_set & (G_GUINT64_CONSTANT (1) << code)) != 0;
}

MpAttachment *
mp_message_add_attachment (MpMessage *m, const char *filename, const char *mime_type,
                           guint64 encoded_size)
{
	MpAttachment *a = g_new0 (MpAttachment, 1);

	a->filename = (filename && *filename) ? g_utf8_make_valid (filename, -1) : NULL;
	a->mime_type = g_ascii_strdown (mime_type ? mime_type : "application/octet-stream", -1);
	a->encoded_size = encoded_size;
	g_ptr_array_add (m->attachment_list, a);
	return a;
}

char *
mp_message_capped_text (const char *s)
{
	/* a character is at most 4 octets: past this many octets there are
	 * more than MP_MAX_HEADER_TEXT characters, and only they are looked at
	 * (a hostile 60 MB value costs no more than a short one) */
	gsize enough = (gsize) MP_MAX_HEADER_TEXT * 4 + 4;
	gsize len = strlen (s);
	g_autofree char *valid = NULL;
	const char *cut;

	/* the common case: short and valid, no character to count */
	if (len <= MP_MAX_HEADER_TEXT && g_utf8_validate_len (s, len, NULL))
		return g_strndup (s, len);
	valid = g_utf8_make_valid (s, (gssize) MIN (len, enough));
	if (len <= enough && g_utf8_strlen (valid, -1) <= MP_MAX_HEADER_TEXT)
		return g_steal_pointer (&valid);
	cut = g_utf8_offset_to_pointer (valid, MP_MAX_HEADER_TEXT);
	return g_strdup_printf ("%.*s…", (int) (cut - valid), valid);
}

char *
mp_message_subject_text (const char *s)
{
	/* a long value is looked at no further than the cap can use, as above */
	gsize enough = (gsize) MP_MAX_HEADER_TEXT * 4 + 4;
	g_autoptr(GString) out = g_string_sized_new (MIN (strlen (s), enough));
	gboolean blank = FALSE;

	for (const char *p = s; *p && out->len < enough; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			blank = TRUE;
			continue;
		}
		if (blank && out->len > 0)
			g_string_append_c (out, ' ');
		blank = FALSE;
		g_string_append_c (out, *p);
	}
	return mp_message_capped_text (out->str);
}

void
mp_message_add_finding (MpMessage *m, MpFinding *f)
{
	g_ptr_array_add (m->findings, f);
}

/* The one vocabulary of flag names (DEFINITIONS.md "Attachment count":
 * "flags: tnef, smime_opaque, signed, encrypted, calendar"), in the order
 * reports list them. */
static const struct {
	guint       flag;
	const char *name;
} flag_names[] = {
	{ MP_MSG_FLAG_TNEF, "tnef" },
	{ MP_MSG_FLAG_SMIME_OPAQUE, "smime_opaque" },
	{ MP_MSG_FLAG_SIGNED, "signed" },
	{ MP_MSG_FLAG_ENCRYPTED, "encrypted" },
	{ MP_MSG_FLAG_CALENDAR, "calendar" },
};

const char *
mp_message_flag_name (guint flag)
{
	for (gsize i = 0; i < G_N_ELEMENTS (flag_names); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

guint
mp_message_flag_from_name (const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS (flag_names); i++) {
		const char *a = flag_names[i].name, *b = name;
		while (*a != '\0' && (*a == *b || (*a == '_' && *b == '-'))) {
			a++;
			b++;
		}
		if (*a == '\0' && *b == '\0')
			return flag_names[i].flag;
	}
	return 0;
}

char *
mp_message_flags_string (guint flags)
{
	GString *s = g_string_new (NULL);

	for (gsize i = 0; i < G_N_ELEMENTS (flag_names); i++) {
		if (!(flags & flag_names[i].flag))
			continue;
		if (s->len)
			g_string_append_c (s, ';');
		g_string_append (s, flag_names[i].name);
	}
	return g_string_free (s, FALSE);
}

MpFinding *
mp_finding_new (void)
{
	return g_new0 (MpFinding, 1);
}

void
mp_finding_free (MpFinding *f)
{
	if (f == NULL)
		return;
	g_free (f->rule);
	g_free (f->check);
	g_free (f->value);
	g_free (f->limit);
	g_free (f->detail);
	g_free (f->advice);
	g_free (f);
}

static const char *const severity_names[] = { "info", "warning", "error" };

const char *
mp_severity_name (MpSeverity s)
{
	return (guint) s < G_N_ELEMENTS (severity_names) ? severity_names[s] : "unknown";
}

gboolean
mp_severity_parse (const char *name, MpSeverity *out)
{
	for (gsize i = 0; i < G_N_ELEMENTS (severity_names); i++) {
		if (g_ascii_strcasecmp (name, severity_names[i]) == 0) {
			*out = (MpSeverity) i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *
mp_date_source_name (MpDateSource s)
{
	switch (s) {
	case MP_DATE_HEADER: return "header";
	case MP_DATE_FROM_LINE: return "from-line";
	case MP_DATE_MTIME: return "mtime";
	case MP_DATE_INTERNALDATE: return "internaldate";
	case MP_DATE_NONE:
	default: return "none";
	}
}

const char *
mp_read_state_name (MpReadState s)
{
	switch (s) {
	case MP_READ_SEEN: return "read";
	case MP_READ_UNSEEN: return "unread";
	case MP_READ_UNKNOWN:
	default: return "";
	}
}

/* The one vocabulary of deleted marks, as the inventory and the JSON write
 * them: where the mark was found. */
static const char *const deleted_names[MP_DELETED_COUNT] = {
	[MP_DELETED_NONE] = NULL,
	[MP_DELETED_MAILDIR_T] = "maildir-t",
	[MP_DELETED_IMAP] = "imap-deleted",
	[MP_DELETED_STATUS] = "status-d",
	[MP_DELETED_X_STATUS] = "x-status-d",
	[MP_DELETED_MOZILLA] = "x-mozilla-status",
};

const char *
mp_deleted_name (MpDeleted d)
{
	return (guint) d < MP_DELETED_COUNT ? deleted_names[d] : NULL;
}

MpDeleted
mp_deleted_from_name (const char *name)
{
	for (guint d = MP_DELETED_NONE + 1; name != NULL && d < MP_DELETED_COUNT; d++)
		if (strcmp (name, deleted_names[d]) == 0)
			return (MpDeleted) d;
	return MP_DELETED_NONE;
}

const char *
mp_fetched_name (MpFetched f)
{
	switch (f) {
	case MP_FETCHED_PARTS: return "parts";
	case MP_FETCHED_WHOLE: return "whole";
	case MP_FETCHED_NONE:
	default: return NULL;
	}
}
