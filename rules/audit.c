/* audit.c — folder and account rules, as a sink wrapping the report's.
 *
 * An account's state runs from account_begin to account_end over all its
 * sources: account rules judge accounts, never single folders or sources
 * (DEFINITIONS.md). The account rules themselves are in accounts.c. */
#include "audit.h"
#include "activity.h"
#include "rules-private.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	char    *name;
	guint64  messages;
	guint64  bytes;
} FolderState;

struct _MpAudit {
	const MpRuleSet  *rules;
	const MpScanSink *down;
	gpointer          down_data;
	guint             dup_rules;   /* header rules that want duplicate-message-id */
	gboolean          want_dates;  /* a mailbox-message-count rule */

	/* the current source */
	char       *source;
	/* the current account, over all its sources */
	MpAccountState acct;
	MpActivity *activity;
	guint       evidence_kinds;

	/* the current folder */
	FolderState folder;
	GHashTable *message_ids;       /* 64-bit hashes of Message-IDs */
};

MpAudit *
mp_audit_new (const MpRuleSet *rules, const MpScanSink *down, gpointer down_data)
{
	MpAudit *a = g_new0 (MpAudit, 1);

	a->rules = rules;
	a->down = down;
	a->down_data = down_data;
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		if (r->check == MP_CHECK_HEADER && (r->header_problems & MP_HDR_DUPLICATE_MESSAGE_ID))
			a->dup_rules++;
		if (r->check == MP_CHECK_MAILBOX_MESSAGE_COUNT)
			a->want_dates = TRUE;
	}
	a->evidence_kinds = mp_account_evidence_kinds (rules);
	a->activity = mp_activity_new (a->evidence_kinds, mp_account_sent_names (rules), rules->as_of);
	mp_account_state_init (&a->acct);
	a->message_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
	return a;
}

void
mp_audit_free (MpAudit *a)
{
	if (a == NULL)
		return;
	g_free (a->source);
	mp_account_state_clear (&a->acct);
	mp_activity_free (a->activity);
	g_free (a->folder.name);
	g_hash_table_unref (a->message_ids);
	g_free (a);
}

guint
mp_audit_evidence_kinds (const MpAudit *a)
{
	return a->evidence_kinds;
}

void
mp_audit_add_evidence_kinds (MpAudit *a, guint kinds)
{
	a->evidence_kinds |= kinds;
	mp_activity_free (a->activity);
	a->activity = mp_activity_new (a->evidence_kinds, mp_account_sent_names (a->rules), a->rules->as_of);
}

/* Hands F (taken) to the wrapped sink: about FOLDER of the current source,
 * or with SOURCE NULL about the account. */
static void
emit_for (MpAudit *a, const char *source, const MpFolder *folder, MpFinding *f)
{
	if ((guint) f->severity < G_N_ELEMENTS (a->acct.findings))
		a->acct.findings[f->severity]++;
	if (a->down->finding)
		a->down->finding (a->down_data, source, folder, f);
	mp_finding_free (f);
}

static void
emit (MpAudit *a, const MpFolder *folder, MpFinding *f)
{
	emit_for (a, a->source, folder, f);
}

static void
account_emit (gpointer self, const MpFolder *folder, MpFinding *f)
{
	emit_for (self, NULL, folder, f);
}

static void
account_notice (gpointer self, const char *code, const char *detail)
{
	MpAudit *a = self;

	if (a->down->notice)
		a->down->notice (a->down_data, NULL, NULL, code, detail);
}

/* ---- folder rules ---------------------------------------------------- */

static gboolean
has_odd_blanks (const char *s)
{
	gsize n = strlen (s);

	return n > 0 && (g_ascii_isspace (s[0]) || g_ascii_isspace (s[n - 1]) || strstr (s, "  ") != NULL);
}

static void
check_folder_name (MpAudit *a, const MpRule *r, const MpFolder *folder)
{
	g_auto(GStrv) parts = g_strsplit (folder->name, "/", -1);
	GString *why = g_string_new (NULL);

	for (int i = 0; parts[i]; i++) {
		const char *p = parts[i];
		if (r->max_length && (guint64) g_utf8_strlen (p, -1) > r->max_length)
			g_string_append_printf (why, "%s'%s' is longer than %" G_GUINT64_FORMAT " characters",
			                        why->len ? "; " : "", p, r->max_length);
		if (r->forbidden) {
			for (const char *c = r->forbidden; *c; c = g_utf8_next_char (c)) {
				gunichar u = g_utf8_get_char (c);
				if (u != ' ' && g_utf8_strchr (p, -1, u) != NULL) {
					char buf[8] = { 0 };
					g_unichar_to_utf8 (u, buf);
					g_string_append_printf (why, "%s'%s' contains '%s'", why->len ? "; " : "", p, buf);
				}
			}
		}
		if (r->no_odd_blanks && has_odd_blanks (p))
			g_string_append_printf (why, "%s'%s' has leading, trailing or doubled blanks", why->len ? "; " : "", p);
		for (int k = 0; r->reserved && r->reserved[k]; k++) {
			g_autofree char *lower = g_utf8_strdown (p, -1);
			if (strcmp (lower, r->reserved[k]) == 0)
				g_string_append_printf (why, "%s'%s' is a reserved name", why->len ? "; " : "", p);
		}
	}
	if (r->ascii_only) {
		for (const char *c = folder->name; *c; c++) {
			if ((guchar) *c >= 0x80) {
				g_string_append_printf (why, "%scontains non-ASCII characters", why->len ? "; " : "");
				break;
			}
		}
	}
	if (why->len)
		emit (a, folder, mp_finding_for_rule (r, g_strdup (folder->name), NULL,
		                                      g_strdup_printf ("folder %s: %s", folder->name, why->str)));
	g_string_free (why, TRUE);
}

static void
on_folder_begin (gpointer self, const char *source, const MpFolder *folder)
{
	MpAudit *a = self;

	if (a->down->folder_begin)
		a->down->folder_begin (a->down_data, source, folder);
	g_free (a->folder.name);
	a->folder.name = g_strdup (folder->name);
	a->folder.messages = a->folder.bytes = 0;
	g_hash_table_remove_all (a->message_ids);
	g_ptr_array_add (a->acct.folder_names, g_strdup (folder->name));
	a->acct.folders++;
	mp_activity_folder (a->activity, source, folder, !mp_source_is_network (source));

	for (guint i = 0; i < a->rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (a->rules->rules, i);
		guint depth;
		if (r->check == MP_CHECK_FOLDER_NAME) {
			check_folder_name (a, r, folder);
		} else if (r->check == MP_CHECK_FOLDER_DEPTH) {
			g_auto(GStrv) parts = g_strsplit (folder->name, "/", -1);
			depth = g_strv_length (parts);
			if (depth > r->max)
				emit (a, folder, mp_finding_count (r, "folder levels", depth));
		}
	}
}

static void
on_folder_end (gpointer self, const char *source, const MpFolder *folder)
{
	MpAudit *a = self;

	for (guint i = 0; i < a->rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (a->rules->rules, i);
		if (r->check == MP_CHECK_FOLDER_MESSAGE_COUNT && a->folder.messages > r->max)
			emit (a, folder, mp_finding_count (r, "messages in the folder", a->folder.messages));
		else if (r->check == MP_CHECK_FOLDER_SIZE && a->folder.bytes > r->max)
			emit (a, folder, mp_finding_size (r, "folder size", a->folder.bytes));
	}
	if (a->down->folder_end)
		a->down->folder_end (a->down_data, source, folder);
}

/* ---- messages ---------------------------------------------------------- */

static gint64
message_id_hash (const char *id)
{
	/* two independent 32-bit hashes: a false duplicate needs both to
	 * collide (about 1 in 10^19 per pair) */
	guint32 fnv = 2166136261u;

	for (const char *p = id; *p; p++)
		fnv = (fnv ^ (guchar) *p) * 16777619u;
	return (gint64) (((guint64) g_str_hash (id) << 32) | fnv);
}

static void
check_duplicate (MpAudit *a, MpMessage *m)
{
	gint64 key;

	if (m->message_id == NULL)
		return;
	key = message_id_hash (m->message_id);
	if (!g_hash_table_contains (a->message_ids, &key)) {
		g_hash_table_add (a->message_ids, g_memdup2 (&key, sizeof key));
		return;
	}
	for (guint i = 0; i < a->rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (a->rules->rules, i);
		if (r->check == MP_CHECK_HEADER && (r->header_problems & MP_HDR_DUPLICATE_MESSAGE_ID))
			mp_message_add_finding (m, mp_finding_for_rule (r, g_strdup (mp_problem_name (MP_PROBLEM_DUPLICATE_MESSAGE_ID)), NULL,
			                        g_strdup_printf ("duplicate-message-id: <%s> appears earlier in this folder "
			                                         "(importers may drop one of them)", m->message_id)));
	}
}

static void
on_message (gpointer self, const MpMessage *cm)
{
	MpAudit *a = self;
	/* the scan hands each message to the sink chain in turn; the audit is
	 * first in the chain and may add the findings only it can see */
	MpMessage *m = (MpMessage *) cm;

	if (mp_rules_judge (a->rules, m)) {
		a->folder.messages++;
		mp_add_saturating (&a->folder.bytes, m->size);
		a->acct.messages++;
		mp_add_saturating (&a->acct.bytes, m->size);
		if (a->dup_rules)
			check_duplicate (a, m);
		if (a->want_dates) {
			if (m->date_source != MP_DATE_NONE)
				g_array_append_val (a->acct.dates, m->date_unix);
			else
				a->acct.undated++;
		}
		for (guint i = 0; i < m->findings->len; i++) {
			const MpFinding *f = g_ptr_array_index (m->findings, i);
			if ((guint) f->severity < G_N_ELEMENTS (a->acct.findings))
				a->acct.findings[f->severity]++;
		}
	}
	/* a message the owner sent, read or filed is evidence of use even when
	 * it is marked deleted since (DEFINITIONS.md, "Last activity"); the
	 * activity skips what is no message */
	mp_activity_message (a->activity, m);
	if (a->down->message)
		a->down->message (a->down_data, m);
}

/* ---- sources and accounts ---------------------------------------------- */

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpAudit *a = self;

	g_free (a->source);
	a->source = g_strdup (source);
	if (a->down->source_begin)
		a->down->source_begin (a->down_data, source, kind);
}

static void
on_source_end (gpointer self, const char *source)
{
	MpAudit *a = self;

	if (a->down->source_end)
		a->down->source_end (a->down_data, source);
	g_clear_pointer (&a->source, g_free);
}

static void
on_account_begin (gpointer self, const MpAccount *account)
{
	MpAudit *a = self;
	g_autofree char *place = NULL;

	mp_account_state_reset (&a->acct);
	mp_activity_reset (a->activity);
	if (account->last_login) {
		place = g_strdup_printf ("last_login of the accounts file%s%s", account->origin ? ", " : "",
		                         account->origin ? account->origin : "");
		mp_activity_login (a->activity, account->last_login, place);
	}
	if (a->down->account_begin)
		a->down->account_begin (a->down_data, account);
}

static void
on_account_end (gpointer self, const MpAccount *account, MpAccountResult *result)
{
	MpAudit *a = self;
	MpAccountJudge j = { a->rules, &a->acct, account_emit, account_notice, a };

	mp_activity_fill (a->activity, result);
	mp_account_judge (&j, account, result);
	if (a->down->account_end)
		a->down->account_end (a->down_data, account, result);
}

/* ---- pass-through ------------------------------------------------------ */

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpAudit *a = self;

	a->acct.read_errors++;
	if (a->down->source_error)
		a->down->source_error (a->down_data, source, error);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpAudit *a = self;

	a->acct.read_errors++;
	if (a->down->folder_error)
		a->down->folder_error (a->down_data, source, folder, error);
}

static void
on_notice (gpointer self, const char *source, const MpFolder *folder, const char *code, const char *detail)
{
	MpAudit *a = self;

	if (a->down->notice)
		a->down->notice (a->down_data, source, folder, code, detail);
}

static void
on_finding (gpointer self, const char *source, const MpFolder *folder, const MpFinding *f)
{
	MpAudit *a = self;

	if (a->down->finding)
		a->down->finding (a->down_data, source, folder, f);
}

static const MpScanSink audit_sink = {
	.account_begin = on_account_begin,
	.account_end = on_account_end,
	.source_begin = on_source_begin,
	.source_error = on_source_error,
	.folder_begin = on_folder_begin,
	.folder_error = on_folder_error,
	.notice = on_notice,
	.message = on_message,
	.folder_end = on_folder_end,
	.source_end = on_source_end,
	.finding = on_finding,
};

const MpScanSink *
mp_audit_sink (void)
{
	return &audit_sink;
}
