/* evaluate.c — message rules: what one message measured against each rule.
 * Runs on the worker threads; reads the rule set only. Folder and account
 * rules are in audit.c. */
#include "rules.h"
#include "rules-private.h"

#include <string.h>

MpFinding *
mp_finding_for_rule (const MpRule *r, char *value, char *limit, char *detail)
{
	MpFinding *f = mp_finding_new ();

	f->rule = g_strdup (r->name);
	f->check = g_strdup (mp_check_name (r->check));
	f->severity = r->severity;
	f->value = value;
	f->limit = limit;
	f->detail = detail;
	f->advice = g_strdup (r->advice);
	return f;
}

/* value > max with exact bytes, since rounded sizes can look equal:
 * "17.5 MB (18350081 B) > 17920 KB (18350080 B)" */
MpFinding *
mp_finding_size (const MpRule *r, const char *what, guint64 value)
{
	g_autofree char *have = mp_format_size (value);

	return mp_finding_for_rule (r, g_strdup_printf ("%" G_GUINT64_FORMAT, value),
	                            g_strdup_printf ("%" G_GUINT64_FORMAT, r->max),
	                            g_strdup_printf ("%s%s%s (%" G_GUINT64_FORMAT " B) > %s (%" G_GUINT64_FORMAT " B)",
	                                             what ? what : "", what ? ": " : "", have, value,
	                                             r->max_text, r->max));
}

MpFinding *
mp_finding_count (const MpRule *r, const char *what, guint64 value)
{
	return mp_finding_for_rule (r, g_strdup_printf ("%" G_GUINT64_FORMAT, value),
	                            g_strdup_printf ("%" G_GUINT64_FORMAT, r->max),
	                            g_strdup_printf ("%" G_GUINT64_FORMAT " %s > %" G_GUINT64_FORMAT,
	                                             value, what, r->max));
}

static const char *
extension_of (const char *name)
{
	const char *dot = name ? strrchr (name, '.') : NULL;

	return dot && dot[1] ? dot : NULL;
}

/* The blocked extension NAME ends in, or NULL. Double extensions
 * ("invoice.pdf.exe") end in the blocked one, which is what the target
 * sees; trailing dots and blanks (a Windows trick) are ignored. */
static const char *
blocked_extension (const MpRule *r, const char *name)
{
	g_autofree char *clean = NULL;
	g_autofree char *lower = NULL;
	const char *ext;

	if (name == NULL)
		return NULL;
	clean = g_strdup (name);
	g_strchomp (clean);
	while (*clean && clean[strlen (clean) - 1] == '.')
		clean[strlen (clean) - 1] = '\0';
	lower = g_utf8_strdown (clean, -1);
	ext = extension_of (lower);
	for (int i = 0; ext && r->extensions[i]; i++)
		if (strcmp (ext, r->extensions[i]) == 0)
			return r->extensions[i];
	return NULL;
}

static void
check_attachment_type (const MpRule *r, MpMessage *m)
{
	for (guint i = 0; i < m->attachment_list->len; i++) {
		const MpAttachment *a = g_ptr_array_index (m->attachment_list, i);
		const char *ext = blocked_extension (r, a->filename);
		const char *shown = a->filename ? a->filename : a->mime_type;

		if (ext != NULL) {
			mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (shown), g_strdup (ext),
			                        g_strdup_printf ("attachment %s has blocked extension %s", shown, ext)));
			continue;
		}
		for (int k = 0; r->mime_types[k]; k++) {
			if (strcmp (a->mime_type, r->mime_types[k]) == 0) {
				mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (shown), g_strdup (a->mime_type),
				                        g_strdup_printf ("attachment %s has blocked type %s", shown, a->mime_type)));
				break;
			}
		}
		if (!r->inside_archives || a->archive_entries == NULL)
			continue;
		for (guint e = 0; e < a->archive_entries->len; e++) {
			const char *entry = g_ptr_array_index (a->archive_entries, e);
			const char *inner = blocked_extension (r, entry);
			if (inner != NULL) {
				mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup_printf ("%s/%s", shown, entry),
				                        g_strdup (inner),
				                        g_strdup_printf ("archive %s contains %s (blocked extension %s)",
				                                         shown, entry, inner)));
				break; /* one finding per archive is enough to act on */
			}
		}
		if (a->archive_encrypted)
			mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (shown), g_strdup ("encrypted"),
			                        g_strdup_printf ("archive %s is password-protected: its content cannot be checked "
			                                         "and some targets refuse it", shown)));
	}
}

/* 1980-01-01T00:00:00Z: the "Date before 1980" */
#define ANCIENT_DATE G_GINT64_CONSTANT (315532800)
/* a clock a day ahead is common; more is a broken Date: */
#define FUTURE_SLACK (24 * 3600)

static void
check_header (const MpRule *r, const MpRuleSet *set, MpMessage *m)
{
	/* the analyzer's problem codes are the header problems' names; one
	 * finding per kind of problem, with the first one's detail */
	guint seen = 0;
	const guint judged_here = MP_HDR_FUTURE_DATE | MP_HDR_ANCIENT_DATE | MP_HDR_DUPLICATE_MESSAGE_ID;

	for (guint p = 0; p < m->problems->len; p++) {
		const char *problem = g_ptr_array_index (m->problems, p);
		MpProblemCode code = mp_problem_of_text (problem);
		guint bit = mp_header_problem_bit (code);
		if (bit == 0 || (bit & judged_here) || !(r->header_problems & bit) || (seen & bit))
			continue;
		seen |= bit;
		mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (mp_problem_name (code)), NULL,
		                                                g_strdup (problem)));
	}
	if (m->date_source != MP_DATE_HEADER)
		return;
	if ((r->header_problems & MP_HDR_FUTURE_DATE) && m->date_unix > set->as_of + FUTURE_SLACK)
		mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (mp_problem_name (MP_PROBLEM_FUTURE_DATE)), NULL,
		                        g_strdup_printf ("future-date: Date %s is after the scan time", m->date)));
	if ((r->header_problems & MP_HDR_ANCIENT_DATE) && m->date_unix < ANCIENT_DATE)
		mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (mp_problem_name (MP_PROBLEM_ANCIENT_DATE)), NULL,
		                        g_strdup_printf ("ancient-date: Date %s is before 1980", m->date)));
}

/* Does a rule judge M? Not when it is no message (UW-IMAP data), nor when
 * it is marked deleted and the rules say `deleted = skip`: shown and
 * counted, not judged (DEFINITIONS.md, "Deleted"). */
gboolean
mp_rules_judge (const MpRuleSet *rules, const MpMessage *m)
{
	return !m->skipped && !(m->deleted != MP_DELETED_NONE && rules->deleted_skip);
}

/* What a server that refuses it says, and why (Cyrus imapd, message.c
 * message_copy_strict(); RFC 5322). */
static const char *
structure_cause (MpProblemCode code)
{
	switch (code) {
	case MP_PROBLEM_MALFORMED_HEADER:
		return "a line of the header block is no header (RFC 5322 §2.2): Cyrus refuses the message on APPEND, "
		       "\"Message contains invalid header\"";
	case MP_PROBLEM_UNTERMINATED_HEADER:
		return "no empty line ends the header block (RFC 5322 §3.5): Cyrus refuses the message, \"Message has "
		       "no header/body separator\", other servers read the body as headers";
	case MP_PROBLEM_UNPARSEABLE:
		return "the header block cannot be read at all: a server may refuse the message";
	case MP_PROBLEM_NUL_BYTE:
		return "a NUL byte (RFC 5322 §2.1 forbids it): Cyrus refuses the message, \"Message contains NUL "
		       "characters\"";
	default:
		return "a server may refuse the message";
	}
}

/* One finding per kind of structural problem, with the problem as the
 * reader recorded it (the line, the octet) and the cause. */
static void
check_structure (const MpRule *r, MpMessage *m)
{
	guint64 seen = 0;

	for (guint p = 0; p < m->problems->len; p++) {
		const char *problem = g_ptr_array_index (m->problems, p);
		MpProblemCode code = mp_problem_of_text (problem);
		guint64 bit = mp_structure_problem_bit (code);
		if (bit == 0 || !(r->structure_problems & bit) || (seen & bit))
			continue;
		seen |= bit;
		mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (mp_problem_name (code)), NULL,
		                        g_strdup_printf ("%s; %s", problem, structure_cause (code))));
	}
}

void
mp_rules_evaluate (const MpRuleSet *rules, MpMessage *m)
{
	if (!mp_rules_judge (rules, m))
		return;
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		guint64 largest = 0;
		guint64 count;

		switch (r->check) {
		case MP_CHECK_MESSAGE_SIZE:
			/* inclusive limit: size <= max passes (DEFINITIONS.md, "Units") */
			if (m->size > r->max)
				mp_message_add_finding (m, mp_finding_size (r, NULL, m->size));
			break;
		case MP_CHECK_ATTACHMENT_COUNT:
			count = m->attachments + (r->count_inline ? m->inline_parts : 0);
			if (count > r->max)
				mp_message_add_finding (m, mp_finding_count (r, r->count_inline ? "attachments and inline parts"
				                                                                 : "attachments", count));
			break;
		case MP_CHECK_ATTACHMENT_SIZE:
			for (guint a = 0; a < m->attachment_list->len; a++)
				largest = MAX (largest, ((MpAttachment *) g_ptr_array_index (m->attachment_list, a))->encoded_size);
			if (largest > r->max)
				mp_message_add_finding (m, mp_finding_size (r, "largest attachment (encoded)", largest));
			break;
		case MP_CHECK_MIME_PART_COUNT:
			if (m->mime_parts > r->max)
				mp_message_add_finding (m, mp_finding_count (r, "MIME parts", m->mime_parts));
			break;
		case MP_CHECK_NESTING_DEPTH:
			if (m->depth > r->max)
				mp_message_add_finding (m, mp_finding_count (r, "levels of nested multiparts and messages", m->depth));
			break;
		case MP_CHECK_LINE_LENGTH:
			if (m->max_line > r->max)
				mp_message_add_finding (m, mp_finding_count (r, "octets in the longest line", m->max_line));
			break;
		case MP_CHECK_ATTACHMENT_TYPE:
			check_attachment_type (r, m);
			break;
		case MP_CHECK_HEADER:
			check_header (r, rules, m);
			break;
		case MP_CHECK_MESSAGE_STRUCTURE:
			check_structure (r, m);
			break;
		case MP_CHECK_ENCRYPTED_OR_SIGNED:
			if (m->flags & r->crypto_flags) {
				g_autofree char *flags = mp_message_flags_string (m->flags & r->crypto_flags);
				mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (flags), NULL,
				                        g_strdup_printf ("%s: splitting or converting it would break the "
				                                         "signature or lose access to the content", flags)));
			}
			break;
		default:
			break; /* folder and account rules: audit.c */
		}
	}
}
