/* account.c — see account.h. */
#include "account.h"

#include <string.h>

MpAccount *
mp_account_new (const char *name)
{
	MpAccount *a = g_new0 (MpAccount, 1);

	a->name = g_strdup (name);
	a->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_source_free);
	return a;
}

void
mp_account_source_free (MpAccountSource *s)
{
	if (s == NULL)
		return;
	g_free (s->location);
	g_free (s->password_file);
	g_free (s->oauth2_token_file);
	g_free (s);
}

void
mp_account_free (MpAccount *a)
{
	if (a == NULL)
		return;
	g_free (a->name);
	g_ptr_array_unref (a->sources);
	g_free (a->home);
	g_free (a->home_origin);
	g_free (a->forward_to);
	g_free (a->origin);
	mp_account_source_free (a->target);
	g_free (a);
}

MpAccountSource *
mp_account_add_source (MpAccount *a, const char *location)
{
	MpAccountSource *s = g_new0 (MpAccountSource, 1);

	s->location = g_strdup (location);
	g_ptr_array_add (a->sources, s);
	return s;
}

MpAccountResult *
mp_account_result_new (const char *name)
{
	MpAccountResult *r = g_new0 (MpAccountResult, 1);

	r->name = g_strdup (name);
	r->sources = g_ptr_array_new_with_free_func (g_free);
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		r->evidence[k].kind = (MpEvidenceKind) k;
	r->last_kind = -1;
	r->idle_months = -1;
	return r;
}

void
mp_account_result_free (MpAccountResult *r)
{
	if (r == NULL)
		return;
	g_free (r->name);
	g_ptr_array_unref (r->sources);
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		g_free (r->evidence[k].place);
	g_free (r->forwarding.evidence);
	g_free (r);
}

gint64
mp_account_result_last_activity (const MpAccountResult *r)
{
	return r->last_kind >= 0 ? r->evidence[r->last_kind].time : 0;
}

char *
mp_account_result_evidence_text (const MpAccountResult *r)
{
	const MpEvidence *e;
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *day = NULL;

	if (r->last_kind < 0)
		return NULL;
	e = &r->evidence[r->last_kind];
	dt = g_date_time_new_from_unix_utc (e->time);
	day = dt ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
	return g_strdup_printf ("%s: %s, %s", mp_evidence_kind_name (e->kind), e->place ? e->place : "?", day);
}

static const char *const verdict_names[MP_VERDICT_N] = {
	[MP_VERDICT_UNKNOWN] = "unknown",
	[MP_VERDICT_ACTIVE] = "active",
	[MP_VERDICT_FORWARDED] = "forwarded",
	[MP_VERDICT_ABANDONED] = "abandoned",
	[MP_VERDICT_IDLE_UNKNOWN_FORWARDING] = "idle-unknown-forwarding",
};

const char *
mp_verdict_name (MpVerdict v)
{
	return (guint) v < MP_VERDICT_N ? verdict_names[v] : "unknown";
}

gboolean
mp_verdict_parse (const char *name, MpVerdict *out)
{
	for (int v = 0; v < MP_VERDICT_N; v++)
		if (g_strcmp0 (name, verdict_names[v]) == 0) {
			*out = (MpVerdict) v;
			return TRUE;
		}
	return FALSE;
}

static const char *const kind_names[MP_EVIDENCE_N_KINDS] = {
	[MP_EVIDENCE_LOGIN] = "login",
	[MP_EVIDENCE_SENDING] = "sending",
	[MP_EVIDENCE_READING] = "reading",
	[MP_EVIDENCE_FILING] = "filing",
	[MP_EVIDENCE_FILE_TIME] = "file-times",
};

const char *
mp_evidence_kind_name (MpEvidenceKind k)
{
	return (guint) k < MP_EVIDENCE_N_KINDS ? kind_names[k] : "unknown";
}

gboolean
mp_evidence_kind_parse (const char *name, MpEvidenceKind *out)
{
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		if (g_strcmp0 (name, kind_names[k]) == 0) {
			*out = (MpEvidenceKind) k;
			return TRUE;
		}
	return FALSE;
}

static const char *const forward_names[] = {
	[MP_FORWARD_UNKNOWN] = "unknown",
	[MP_FORWARD_NO] = "no",
	[MP_FORWARD_YES] = "yes",
};

const char *
mp_forward_state_name (MpForwardState s)
{
	return (guint) s < G_N_ELEMENTS (forward_names) ? forward_names[s] : "unknown";
}

gboolean
mp_forward_state_parse (const char *name, MpForwardState *out)
{
	for (gsize s = 0; s < G_N_ELEMENTS (forward_names); s++)
		if (g_strcmp0 (name, forward_names[s]) == 0) {
			*out = (MpForwardState) s;
			return TRUE;
		}
	return FALSE;
}

gint
mp_calendar_months_between (gint64 from, gint64 to)
{
	g_autoptr(GDateTime) a = g_date_time_new_from_unix_utc (from);
	g_autoptr(GDateTime) b = g_date_time_new_from_unix_utc (to);
	gint n;

	if (a == NULL || b == NULL || to <= from)
		return 0;
	/* a first guess from the calendar, then corrected: adding months clamps
	 * the day (Jan 31 + 1 month = Feb 28), so count by adding */
	n = (g_date_time_get_year (b) - g_date_time_get_year (a)) * 12 +
	    (g_date_time_get_month (b) - g_date_time_get_month (a));
	n = MAX (n, 0);
	for (;;) {
		g_autoptr(GDateTime) t = g_date_time_add_months (a, n);
		if (n == 0 || (t != NULL && g_date_time_to_unix (t) <= to))
			break;
		n--;
	}
	for (;;) {
		g_autoptr(GDateTime) t = g_date_time_add_months (a, n + 1);
		if (t == NULL || g_date_time_to_unix (t) > to)
			break;
		n++;
	}
	return n;
}
