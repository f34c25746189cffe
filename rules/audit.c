#include "audit.h"
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

	/* the current source (account) */
	char       *source;
	GPtrArray  *folder_names;      /* char*, for case collisions */
	guint64     messages, bytes;
	GArray     *dates;             /* gint64, for mailbox-message-count */
	guint64     undated;
	gint64      last_sent;         /* newest Sent message, 0 when none */
	char       *last_sent_folder;

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
	a->folder_names = g_ptr_array_new_with_free_func (g_free);
	a->dates = g_array_new (FALSE, FALSE, sizeof (gint64));
	a->message_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
	return a;
}

void
mp_audit_free (MpAudit *a)
{
	if (a == NULL)
		return;
	g_free (a->source);
	g_ptr_array_unref (a->folder_names);
	g_array_unref (a->dates);
	g_free (a->last_sent_folder);
	g_free (a->folder.name);
	g_hash_table_unref (a->message_ids);
	g_free (a);
}

static void
emit (MpAudit *a, const MpFolder *folder, MpFinding *f)
{
	if (a->down->finding)
		a->down->finding (a->down_data, a->source, folder, f);
	mp_finding_free (f);
}

gboolean
mp_folder_is_sent (const char *folder_name)
{
	/* the usual names of the Sent folder (RFC 6154 \Sent is used where a
	 * server announces it) in the languages our users have */
	static const char *const names[] = {
		"sent", "sent items", "sent messages", "sent mail", "sent-mail", "outbox sent",
		"gesendet", "gesendete objekte", "gesendete elemente", "envoyés", "éléments envoyés",
		"messages envoyés", "enviados", "elementos enviados", "inviati", "posta inviata",
		"verzonden", "verzonden items", "skickat", "sendt", "lähetetyt", "wysłane", NULL
	};
	const char *last = strrchr (folder_name, '/');
	g_autofree char *lower = g_utf8_strdown (last ? last + 1 : folder_name, -1);

	for (int i = 0; names[i]; i++)
		if (strcmp (lower, names[i]) == 0)
			return TRUE;
	return FALSE;
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
	g_ptr_array_add (a->folder_names, g_strdup (folder->name));

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

	if (!m->skipped) {
		a->folder.messages++;
		mp_add_saturating (&a->folder.bytes, m->size);
		a->messages++;
		mp_add_saturating (&a->bytes, m->size);
		if (a->dup_rules)
			check_duplicate (a, m);
		if (a->want_dates) {
			if (m->date_source != MP_DATE_NONE)
				g_array_append_val (a->dates, m->date_unix);
			else
				a->undated++;
		}
		if (m->date_source != MP_DATE_NONE && m->date_unix > a->last_sent &&
		    m->date_unix <= a->rules->as_of + 24 * 3600 && mp_folder_is_sent (m->folder)) {
			a->last_sent = m->date_unix;
			g_free (a->last_sent_folder);
			a->last_sent_folder = g_strdup (m->folder);
		}
	}
	if (a->down->message)
		a->down->message (a->down_data, m);
}

/* ---- account rules ----------------------------------------------------- */

static int
compare_desc (gconstpointer x, gconstpointer y)
{
	gint64 a = *(const gint64 *) x, b = *(const gint64 *) y;

	return a < b ? 1 : a > b ? -1 : 0;
}

static char *
format_day (gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

	return dt ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
}

static void
check_message_count (MpAudit *a, const MpRule *r)
{
	guint64 lost;
	g_autofree char *cut = NULL;
	MpFinding *f;

	if (a->messages <= r->max)
		return;
	lost = a->messages - r->max;
	f = mp_finding_count (r, "messages in the account", a->messages);
	g_array_sort (a->dates, compare_desc);
	if (a->dates->len > r->max) {
		/* Microsoft's IMAP migration takes the newest first (TARGET-LIMITS.md [11]) */
		cut = format_day (g_array_index (a->dates, gint64, r->max));
		g_free (f->detail);
		f->detail = g_strdup_printf ("%" G_GUINT64_FORMAT " messages > %" G_GUINT64_FORMAT
		                             ": the %" G_GUINT64_FORMAT " oldest (dated %s and before%s) would not be migrated",
		                             a->messages, r->max, lost, cut,
		                             a->undated ? ", undated ones not placed" : "");
	}
	emit (a, NULL, f);
}

/* Forwarding evidence on disk: a .forward file or a Sieve script with a
 * redirect, in the mailbox's directory or the one above it (the home
 * directory of ~/Maildir). Over IMAP forwarding is not visible. */
static char *
find_forwarding (const char *source)
{
	g_autofree char *abs = g_canonicalize_filename (source, NULL);
	g_autofree char *dir = g_file_test (abs, G_FILE_TEST_IS_DIR) ? g_strdup (abs) : g_path_get_dirname (abs);
	g_autofree char *parent = g_path_get_dirname (dir);
	const char *dirs[] = { dir, parent };

	for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++) {
		g_autofree char *fwd = g_build_filename (dirs[i], ".forward", NULL);
		g_autofree char *sieve = g_build_filename (dirs[i], ".dovecot.sieve", NULL);
		g_autofree char *text = NULL;
		gsize len;
		if (g_file_test (fwd, G_FILE_TEST_IS_REGULAR))
			return g_strdup_printf ("%s exists", fwd);
		if (g_file_get_contents (sieve, &text, &len, NULL) && len < 1024 * 1024 && strstr (text, "redirect"))
			return g_strdup_printf ("%s has a redirect", sieve);
	}
	return NULL;
}

static void
check_idle (MpAudit *a, const MpRule *r)
{
	g_autofree char *forwarded = find_forwarding (a->source);
	g_autofree char *limit = mp_format_duration (&r->idle);
	g_autoptr(GDateTime) last = NULL;
	g_autoptr(GDateTime) until = NULL;
	g_autoptr(GDateTime) as_of = g_date_time_new_from_unix_utc (a->rules->as_of);
	g_autofree char *day = NULL;
	g_autofree char *as_of_day = format_day (a->rules->as_of);

	if (a->last_sent == 0) {
		/* no evidence is said as such, never guessed (DEFINITIONS.md); it is
		 * no broken rule, so a notice rather than a finding */
		g_autofree char *detail = g_strdup_printf ("rule %s: no dated message in a Sent folder, so the "
		                                           "last activity is unknown%s", r->name,
		                                           forwarded ? " (forwarding found)" : "");
		if (a->down->notice)
			a->down->notice (a->down_data, a->source, NULL, "no-activity-evidence", detail);
		return;
	}
	last = g_date_time_new_from_unix_utc (a->last_sent);
	until = g_date_time_add_days (last, r->idle.days);
	{
		GDateTime *t = g_date_time_add_months (until, r->idle.months);
		g_date_time_unref (until);
		until = t;
	}
	if (g_date_time_compare (until, as_of) >= 0)
		return; /* active within the limit */
	if (forwarded && r->unless_forwarded)
		return; /* idle, but forwarded: not abandoned */
	day = format_day (a->last_sent);
	emit (a, NULL, mp_finding_for_rule (r, g_strdup (day), g_strdup (limit),
	      g_strdup_printf ("idle more than %s: last activity %s (newest message in %s) as of %s; %s",
	                       limit, day, a->last_sent_folder, as_of_day,
	                       forwarded ? forwarded : "no forwarding found (.forward, Sieve redirect)")));
}

static gboolean
same_but_case (const char *x, const char *y)
{
	g_autofree char *fx = g_utf8_casefold (x, -1);
	g_autofree char *fy = g_utf8_casefold (y, -1);

	return strcmp (x, y) != 0 && strcmp (fx, fy) == 0;
}

static void
check_case_collisions (MpAudit *a, const MpRule *r)
{
	/* quadratic in folders per account, which are few (hundreds) */
	for (guint i = 0; i < a->folder_names->len; i++) {
		for (guint j = i + 1; j < a->folder_names->len; j++) {
			const char *x = g_ptr_array_index (a->folder_names, i);
			const char *y = g_ptr_array_index (a->folder_names, j);
			if (same_but_case (x, y)) {
				MpFolder f = { (char *) y, NULL };
				emit (a, &f, mp_finding_for_rule (r, g_strdup (y), g_strdup (x),
				      g_strdup_printf ("folders '%s' and '%s' differ only in case: the target merges them", x, y)));
			}
		}
	}
}

static void
reset_source (MpAudit *a)
{
	g_clear_pointer (&a->source, g_free);
	g_ptr_array_set_size (a->folder_names, 0);
	g_array_set_size (a->dates, 0);
	a->messages = a->bytes = a->undated = 0;
	a->last_sent = 0;
	g_clear_pointer (&a->last_sent_folder, g_free);
}

static void
on_source_begin (gpointer self, const char *source, const char *kind)
{
	MpAudit *a = self;

	reset_source (a);
	a->source = g_strdup (source);
	if (a->down->source_begin)
		a->down->source_begin (a->down_data, source, kind);
}

static void
on_source_end (gpointer self, const char *source)
{
	MpAudit *a = self;

	for (guint i = 0; i < a->rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (a->rules->rules, i);
		switch (r->check) {
		case MP_CHECK_FOLDER_NAME:
			if (r->case_collisions)
				check_case_collisions (a, r);
			break;
		case MP_CHECK_MAILBOX_SIZE:
			if (a->bytes > r->max)
				emit (a, NULL, mp_finding_size (r, "account size", a->bytes));
			break;
		case MP_CHECK_MAILBOX_MESSAGE_COUNT:
			check_message_count (a, r);
			break;
		case MP_CHECK_ACCOUNT_IDLE:
			check_idle (a, r);
			break;
		default:
			break;
		}
	}
	if (a->down->source_end)
		a->down->source_end (a->down_data, source);
	reset_source (a);
}

/* ---- pass-through ------------------------------------------------------ */

static void
on_source_error (gpointer self, const char *source, const GError *error)
{
	MpAudit *a = self;

	if (a->down->source_error)
		a->down->source_error (a->down_data, source, error);
}

static void
on_folder_error (gpointer self, const char *source, const MpFolder *folder, const GError *error)
{
	MpAudit *a = self;

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
