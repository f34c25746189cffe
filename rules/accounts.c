/* accounts.c — the account rules and the verdict of an account
 * (DEFINITIONS.md, "Dates, accounts, idle time and abandonment"). The audit
 * (audit.c) gathers an account's counts over all its sources and its
 * activity evidence (analyzer/accounts/activity.c); here they are judged. */
#include "rules-private.h"
#include "notice-codes.h"

#include <string.h>

void
mp_account_state_init (MpAccountState *st)
{
	memset (st, 0, sizeof *st);
	st->folder_names = g_ptr_array_new_with_free_func (g_free);
	st->dates = g_array_new (FALSE, FALSE, sizeof (gint64));
}

void
mp_account_state_reset (MpAccountState *st)
{
	g_ptr_array_set_size (st->folder_names, 0);
	g_array_set_size (st->dates, 0);
	st->messages = st->bytes = st->folders = st->undated = st->read_errors = 0;
	memset (st->findings, 0, sizeof st->findings);
}

void
mp_account_state_clear (MpAccountState *st)
{
	g_clear_pointer (&st->folder_names, g_ptr_array_unref);
	g_clear_pointer (&st->dates, g_array_unref);
}

static const MpRule *
first_idle_rule (const MpRuleSet *rules)
{
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		if (r->check == MP_CHECK_ACCOUNT_IDLE)
			return r;
	}
	return NULL;
}

guint
mp_account_evidence_kinds (const MpRuleSet *rules)
{
	const MpRule *r = first_idle_rule (rules);

	return r ? r->activity_evidence : MP_EVIDENCE_DEFAULT_KINDS;
}

const char *const *
mp_account_sent_names (const MpRuleSet *rules)
{
	const MpRule *r = first_idle_rule (rules);

	return r ? (const char *const *) r->sent_folders : NULL;
}

MpDuration
mp_rules_idle_limit (const MpRuleSet *rules)
{
	const MpRule *r = first_idle_rule (rules);
	MpDuration six = { 6, 0 };

	return r ? r->idle : six;
}

/* LAST + LIMIT (calendar months, then days), or NULL. */
static GDateTime *
add_limit (gint64 last, const MpDuration *limit)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (last);
	g_autoptr(GDateTime) d = NULL;

	if (t == NULL)
		return NULL;
	d = g_date_time_add_months (t, limit->months);
	return d ? g_date_time_add_days (d, limit->days) : NULL;
}

MpVerdict
mp_account_verdict (gint64 last, gint64 as_of, const MpDuration *limit, MpForwardState fwd, gint *idle_months)
{
	g_autoptr(GDateTime) until = NULL;

	if (idle_months)
		*idle_months = last ? mp_calendar_months_between (last, as_of) : -1;
	if (last == 0)
		return MP_VERDICT_UNKNOWN;
	until = add_limit (last, limit);
	/* idle exactly LIMIT is still within it: "idle more than" */
	if (until == NULL || g_date_time_to_unix (until) >= as_of)
		return MP_VERDICT_ACTIVE;
	return fwd == MP_FORWARD_YES ? MP_VERDICT_FORWARDED
	     : fwd == MP_FORWARD_NO ? MP_VERDICT_ABANDONED : MP_VERDICT_IDLE_UNKNOWN_FORWARDING;
}

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
check_message_count (const MpAccountJudge *j, const MpRule *r)
{
	MpAccountState *st = j->state;
	guint64 lost;
	g_autofree char *cut = NULL;
	MpFinding *f;

	if (st->messages <= r->max)
		return;
	lost = st->messages - r->max;
	f = mp_finding_count (r, "messages in the account", st->messages);
	g_array_sort (st->dates, compare_desc);
	if (st->dates->len > r->max) {
		/* Microsoft's IMAP migration takes the newest first (TARGET-LIMITS.md [11]) */
		cut = format_day (g_array_index (st->dates, gint64, r->max));
		g_free (f->detail);
		f->detail = g_strdup_printf ("%" G_GUINT64_FORMAT " messages > %" G_GUINT64_FORMAT
		                             ": the %" G_GUINT64_FORMAT " oldest (dated %s and before%s) would not be migrated",
		                             st->messages, r->max, lost, cut,
		                             st->undated ? ", undated ones not placed" : "");
	}
	j->emit (j->self, NULL, f);
}

static gboolean
same_but_case (const char *x, const char *y)
{
	g_autofree char *fx = g_utf8_casefold (x, -1);
	g_autofree char *fy = g_utf8_casefold (y, -1);

	return strcmp (x, y) != 0 && strcmp (fx, fy) == 0;
}

static void
check_case_collisions (const MpAccountJudge *j, const MpRule *r)
{
	GPtrArray *names = j->state->folder_names;

	/* quadratic in folders per account, which are few (hundreds) */
	for (guint i = 0; i < names->len; i++) {
		for (guint k = i + 1; k < names->len; k++) {
			const char *x = g_ptr_array_index (names, i);
			const char *y = g_ptr_array_index (names, k);
			if (same_but_case (x, y)) {
				MpFolder f = { (char *) y, NULL };
				j->emit (j->self, &f, mp_finding_for_rule (r, g_strdup (y), g_strdup (x),
				         g_strdup_printf ("folders '%s' and '%s' differ only in case: the target merges them", x, y)));
			}
		}
	}
}

static const char *
forwarding_text (const MpForwarding *fw)
{
	return fw->evidence ? fw->evidence
	     : fw->state == MP_FORWARD_UNKNOWN ? "forwarding could not be checked" : "no forwarding found";
}

static void
check_idle (const MpAccountJudge *j, const MpRule *r, const MpAccountResult *res)
{
	gint64 last = mp_account_result_last_activity (res);
	MpVerdict v = mp_account_verdict (last, j->rules->as_of, &r->idle, res->forwarding.state, NULL);
	g_autofree char *limit = mp_format_duration (&r->idle);
	g_autofree char *as_of_day = format_day (j->rules->as_of);
	g_autofree char *evidence = NULL;
	g_autofree char *day = NULL;
	const char *why;

	if (v == MP_VERDICT_UNKNOWN || v == MP_VERDICT_ACTIVE)
		return;
	if (v == MP_VERDICT_FORWARDED && r->unless_forwarded)
		return; /* idle, but forwarded: not abandoned */
	evidence = mp_account_result_evidence_text (res);
	day = format_day (last);
	why = v == MP_VERDICT_IDLE_UNKNOWN_FORWARDING
		? "forwarding could not be checked, so it may be abandoned: check it"
		: v == MP_VERDICT_ABANDONED ? "not forwarded: abandoned" : "forwarded";
	j->emit (j->self, NULL, mp_finding_for_rule (r, g_strdup (day), g_strdup (limit),
	         g_strdup_printf ("idle more than %s: last activity %s (%s) as of %s; %s (%s)",
	                          limit, day, evidence, as_of_day, why, forwarding_text (&res->forwarding))));
}

void
mp_account_judge (const MpAccountJudge *j, const MpAccount *account, MpAccountResult *res)
{
	const MpRuleSet *rules = j->rules;
	MpAccountState *st = j->state;
	gboolean have_idle_rule = FALSE;
	MpDuration limit = mp_rules_idle_limit (rules);

	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		switch (r->check) {
		case MP_CHECK_FOLDER_NAME:
			if (r->case_collisions)
				check_case_collisions (j, r);
			break;
		case MP_CHECK_MAILBOX_SIZE:
			if (st->bytes > r->max)
				j->emit (j->self, NULL, mp_finding_size (r, "account size", st->bytes));
			break;
		case MP_CHECK_MAILBOX_MESSAGE_COUNT:
			check_message_count (j, r);
			break;
		case MP_CHECK_ACCOUNT_IDLE:
			have_idle_rule = TRUE;
			check_idle (j, r, res);
			break;
		default:
			break;
		}
	}
	res->messages = st->messages;
	res->bytes = st->bytes;
	res->folders = st->folders;
	memcpy (res->findings, st->findings, sizeof res->findings);
	res->read_errors = st->read_errors;
	res->as_of = rules->as_of;
	res->verdict = mp_account_verdict (mp_account_result_last_activity (res), rules->as_of, &limit,
	                                   res->forwarding.state, &res->idle_months);
	if (res->verdict == MP_VERDICT_UNKNOWN && have_idle_rule) {
		/* no evidence is said as such, never guessed (DEFINITIONS.md); it
		 * is no broken rule, so a notice rather than a finding */
		g_autofree char *detail = g_strdup_printf ("account %s: no activity evidence (no dated message in a "
		                                           "Sent folder, none marked read, none filed by the user), "
		                                           "so the last activity is unknown", account->name);
		j->notice (j->self, mp_notice_name (MP_NOTICE_NO_ACTIVITY_EVIDENCE), detail);
	}
}
