#include "summary.h"
#include "rules.h"
#include "shown-text.h"

#include <string.h>
#include <time.h>

const guint mp_att_bucket_low[MP_ATT_BUCKETS] = { 0, 1, 2, 3, 4, 5, 6, 11, 21, 51, 101, 251 };

static void
folder_stats_free (MpFolderStats *f)
{
	g_free (f->source);
	g_free (f->name);
	g_free (f);
}

static void
rule_stats_free (MpRuleStats *r)
{
	g_free (r->rule);
	g_free (r->check);
	g_free (r);
}

static void
source_stats_free (MpSourceStats *st)
{
	g_free (st->source);
	g_free (st->kind);
	g_free (st->error);
	g_free (st);
}

static void
offender_free (MpOffender *o)
{
	g_free (o->source);
	g_free (o->date);
	g_free (o->from);
	g_free (o->folder);
	g_free (o->subject);
	g_free (o->rules);
	g_free (o);
}

static void
account_stats_free (MpAccountStats *a)
{
	g_free (a->name);
	g_free (a->last_activity);
	g_free (a->why);
	g_free (a);
}

/* How bad an account looks to an admin: abandoned first, then those whose
 * forwarding is unknown, unreadable ones, unknown activity, then errors. */
static gint
verdict_rank (MpVerdict v)
{
	switch (v) {
	case MP_VERDICT_ABANDONED: return 5;
	case MP_VERDICT_IDLE_UNKNOWN_FORWARDING: return 4;
	case MP_VERDICT_UNKNOWN: return 2;
	case MP_VERDICT_FORWARDED: return 1;
	case MP_VERDICT_ACTIVE:
	default: return 0;
	}
}

static gint
compare_accounts (const MpAccountStats *x, const MpAccountStats *y)
{
	gint rx = verdict_rank (x->verdict) + (x->read_errors ? 3 : 0);
	gint ry = verdict_rank (y->verdict) + (y->read_errors ? 3 : 0);

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->findings[MP_SEVERITY_ERROR] != y->findings[MP_SEVERITY_ERROR])
		return x->findings[MP_SEVERITY_ERROR] > y->findings[MP_SEVERITY_ERROR] ? -1 : 1;
	if (x->idle_months != y->idle_months)
		return x->idle_months > y->idle_months ? -1 : 1;
	/* the earlier account first: stable whatever the order of shards */
	return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

void
mp_summary_begin_account (MpSummary *s, const char *name)
{
	g_free (s->account);
	s->account = g_strdup (name);
}

void
mp_summary_end_account (MpSummary *s, const MpAccountResult *r)
{
	MpAccountStats *a = g_new0 (MpAccountStats, 1);
	gint64 last = mp_account_result_last_activity (r);
	guint pos;

	s->accounts++;
	if ((guint) r->verdict < MP_VERDICT_N)
		s->verdicts[r->verdict]++;
	a->name = g_strdup (r->name);
	a->ordinal = r->ordinal;
	a->verdict = r->verdict;
	a->idle_months = r->idle_months;
	a->messages = r->messages;
	a->bytes = r->bytes;
	memcpy (a->findings, r->findings, sizeof a->findings);
	a->read_errors = r->read_errors;
	if (last) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (last);
		a->last_activity = dt ? g_date_time_format (dt, "%Y-%m-%d") : NULL;
	}
	a->why = r->verdict == MP_VERDICT_UNKNOWN ? g_strdup ("no activity evidence")
	       : g_strdup (r->forwarding.evidence ? r->forwarding.evidence : mp_forward_state_name (r->forwarding.state));
	for (pos = 0; pos < s->worst_accounts->len; pos++)
		if (compare_accounts (a, g_ptr_array_index (s->worst_accounts, pos)) < 0)
			break;
	if (pos >= MP_SUMMARY_TOP) {
		account_stats_free (a);
		return;
	}
	g_ptr_array_insert (s->worst_accounts, (gint) pos, a);
	if (s->worst_accounts->len > MP_SUMMARY_TOP)
		g_ptr_array_remove_index (s->worst_accounts, s->worst_accounts->len - 1);
}

MpSummary *
mp_summary_new (void)
{
	MpSummary *s = g_new0 (MpSummary, 1);

	s->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_stats_free);
	s->top_folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_stats_free);
	s->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_stats_free);
	s->offenders = g_ptr_array_new_with_free_func ((GDestroyNotify) offender_free);
	s->errors = g_ptr_array_new_with_free_func (g_free);
	s->notices = g_ptr_array_new_with_free_func (g_free);
	s->left_out = g_ptr_array_new_with_free_func (g_free);
	s->source_stats = g_ptr_array_new_with_free_func ((GDestroyNotify) source_stats_free);
	s->largest = g_ptr_array_new_with_free_func ((GDestroyNotify) offender_free);
	s->worst_accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_stats_free);
	return s;
}

void
mp_summary_free (MpSummary *s)
{
	if (s == NULL)
		return;
	g_ptr_array_unref (s->folders);
	g_ptr_array_unref (s->top_folders);
	if (s->folder_scratch)
		folder_stats_free (s->folder_scratch);
	if (s->source_scratch)
		source_stats_free (s->source_scratch);
	g_ptr_array_unref (s->rules);
	g_ptr_array_unref (s->offenders);
	g_ptr_array_unref (s->errors);
	g_ptr_array_unref (s->notices);
	g_ptr_array_unref (s->left_out);
	g_ptr_array_unref (s->source_stats);
	g_ptr_array_unref (s->largest);
	g_ptr_array_unref (s->worst_accounts);
	g_free (s->account);
	g_free (s);
}

static MpSourceStats *
current_source (MpSummary *s)
{
	return s->source;
}

/* A new source's stats: kept in the list while it is short, else in the
 * scratch entry, reused. */
static MpSourceStats *
new_source (MpSummary *s, const char *source, const char *kind)
{
	MpSourceStats *st;

	s->n_sources++;
	if (s->source_stats->len < MP_SUMMARY_FOLDERS) {
		st = g_new0 (MpSourceStats, 1);
		g_ptr_array_add (s->source_stats, st);
	} else {
		if (s->source_scratch)
			source_stats_free (s->source_scratch);
		st = s->source_scratch = g_new0 (MpSourceStats, 1);
	}
	st->source = g_strdup (source);
	st->kind = g_strdup (kind);
	s->source = st;
	return st;
}

void
mp_summary_begin_source (MpSummary *s, const char *source, const char *kind)
{
	new_source (s, source, kind);
}

void
mp_summary_source_error (MpSummary *s, const char *source, const char *message)
{
	MpSourceStats *st = current_source (s);

	/* an error after source_begin (the folders could not be listed) belongs
	 * to that source; else the source could not be opened at all */
	if (st == NULL || st->error != NULL || g_strcmp0 (st->source, source) != 0)
		st = new_source (s, source, NULL);
	st->error = g_strdup (message);
}

guint
mp_size_bucket (guint64 size)
{
	guint b = size ? g_bit_storage (size) : 0;

	return MIN (b, MP_SIZE_BUCKETS - 1);
}

guint
mp_att_bucket (guint n)
{
	guint b = 0;

	while (b + 1 < MP_ATT_BUCKETS && n >= mp_att_bucket_low[b + 1])
		b++;
	return b;
}

void
mp_summary_begin_folder (MpSummary *s, const char *source, const char *folder)
{
	MpFolderStats *f = g_new0 (MpFolderStats, 1);
	MpSourceStats *st = current_source (s);

	if (st)
		st->folders++;

	f->source = g_strdup (source);
	f->name = g_strdup (folder);
	s->n_folders++;
	if (s->folders->len < MP_SUMMARY_FOLDERS) {
		g_ptr_array_add (s->folders, f);
	} else {
		if (s->folder_scratch)
			folder_stats_free (s->folder_scratch);
		s->folder_scratch = f;
	}
	s->folder = f;
}

void
mp_summary_end_folder (MpSummary *s)
{
	MpFolderStats *f = s->folder, *copy;
	guint pos;

	if (f == NULL)
		return;
	s->folder = NULL;
	if (s->top_folders->len == MP_SUMMARY_TOP_FOLDERS &&
	    ((MpFolderStats *) g_ptr_array_index (s->top_folders, s->top_folders->len - 1))->bytes >= f->bytes)
		return;
	for (pos = 0; pos < s->top_folders->len; pos++)
		if (((MpFolderStats *) g_ptr_array_index (s->top_folders, pos))->bytes < f->bytes)
			break;
	copy = g_memdup2 (f, sizeof *f);
	copy->source = g_strdup (f->source);
	copy->name = g_strdup (f->name);
	g_ptr_array_insert (s->top_folders, (gint) pos, copy);
	if (s->top_folders->len > MP_SUMMARY_TOP_FOLDERS)
		g_ptr_array_remove_index (s->top_folders, s->top_folders->len - 1);
}

static MpRuleStats *
rule_stats (MpSummary *s, const MpFinding *f)
{
	MpRuleStats *r;

	for (guint i = 0; i < s->rules->len; i++) {
		r = g_ptr_array_index (s->rules, i);
		if (strcmp (r->rule, f->rule) == 0)
			return r;
	}
	r = g_new0 (MpRuleStats, 1);
	r->rule = g_strdup (f->rule);
	r->check = g_strdup (f->check);
	r->severity = f->severity;
	g_ptr_array_add (s->rules, r);
	return r;
}

/* Keeps the MAX largest messages of TOP, largest first (the first seen
 * wins a tie: stable, whatever the number of jobs). */
static void
consider_offender (GPtrArray *top, guint max, const char *source, const MpMessage *m)
{
	MpOffender *o;
	GString *rules;
	guint pos;

	if (top->len == max &&
	    ((MpOffender *) g_ptr_array_index (top, top->len - 1))->size >= m->size)
		return;
	for (pos = 0; pos < top->len; pos++)
		if (((MpOffender *) g_ptr_array_index (top, pos))->size < m->size)
			break;
	o = g_new0 (MpOffender, 1);
	o->source = g_strdup (source);
	o->folder = g_strdup (m->folder);
	o->date = g_strdup (m->date);
	o->from = g_strdup (m->from);
	o->index = m->index;
	o->size = m->size;
	o->attachments = m->attachments;
	o->subject = g_strdup (m->subject);
	o->deleted = m->deleted;
	rules = g_string_new (NULL);
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		if (rules->len)
			g_string_append_c (rules, ';');
		g_string_append (rules, f->rule);
	}
	o->rules = g_string_free (rules, FALSE);
	g_ptr_array_insert (top, (gint) pos, o);
	if (top->len > max)
		g_ptr_array_remove_index (top, top->len - 1);
}

void
mp_summary_add_message (MpSummary *s, const MpMessage *m)
{
	MpFolderStats *f = s->folder;
	MpSourceStats *st = current_source (s);
	const char *source = st ? st->source : NULL;

	if (m->skipped)
		return;
	s->messages++;
	mp_add_saturating (&s->bytes, m->size);
	mp_add_saturating (&s->attachments, m->attachments);
	s->size_hist[mp_size_bucket (m->size)]++;
	s->att_hist[mp_att_bucket (m->attachments)]++;
	if (m->date != NULL) {
		time_t t = (time_t) m->date_unix;
		struct tm tm;
		if (gmtime_r (&t, &tm) == NULL || tm.tm_year + 1900 < MP_YEAR_FIRST)
			s->years_before++;
		else if (tm.tm_year + 1900 > MP_YEAR_LAST)
			s->years_after++;
		else
			s->years[tm.tm_year + 1900 - MP_YEAR_FIRST]++;
	} else {
		s->undated++;
	}
	if (m->problems->len)
		s->messages_with_problems++;
	if (mp_message_has_problem (m, MP_PROBLEM_UNREADABLE) || mp_message_has_problem (m, MP_PROBLEM_CONTENT_UNREADABLE))
		s->unreadable++;
	if (m->deleted != MP_DELETED_NONE) {
		s->deleted++;
		if (f)
			f->deleted++;
	}
	if (m->fetched != MP_FETCHED_NONE) {
		s->downloaded++;
		s->downloaded_whole += m->fetched == MP_FETCHED_WHOLE;
		mp_add_saturating (&s->downloaded_octets, m->fetched_octets);
	}
	if (st) {
		st->messages++;
		mp_add_saturating (&st->bytes, m->size);
		st->findings += m->findings->len;
	}
	if (f) {
		f->messages++;
		mp_add_saturating (&f->bytes, m->size);
		f->findings += m->findings->len;
		mp_add_saturating (&f->attachments, m->attachments);
		f->largest = MAX (f->largest, m->size);
	}
	consider_offender (s->largest, MP_SUMMARY_LARGEST, source, m);
	if (m->findings->len == 0)
		return;
	s->messages_with_findings++;
	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *fd = g_ptr_array_index (m->findings, i);
		rule_stats (s, fd)->count++;
		if ((guint) fd->severity < G_N_ELEMENTS (s->findings)) {
			s->findings[fd->severity]++;
			if (f)
				f->by_severity[fd->severity]++;
		}
	}
	consider_offender (s->offenders, MP_SUMMARY_TOP, source, m);
}

void
mp_summary_add_finding (MpSummary *s, const char *folder, const MpFinding *f)
{
	rule_stats (s, f)->count++;
	if ((guint) f->severity < G_N_ELEMENTS (s->findings))
		s->findings[f->severity]++;
	s->other_findings++;
	if (current_source (s))
		current_source (s)->findings++;
	if (folder != NULL && s->folder != NULL && strcmp (s->folder->name, folder) == 0) {
		s->folder->findings++;
		if ((guint) f->severity < G_N_ELEMENTS (s->folder->by_severity))
			s->folder->by_severity[f->severity]++;
	} else if (folder != NULL) {
		for (guint i = s->folders->len; i > 0; i--) {
			MpFolderStats *fs = g_ptr_array_index (s->folders, i - 1);
			if (strcmp (fs->name, folder) == 0) {
				fs->findings++;
				if ((guint) f->severity < G_N_ELEMENTS (fs->by_severity))
					fs->by_severity[f->severity]++;
				break;
			}
		}
	}
}

MpReadiness
mp_summary_verdict (const MpSummary *s)
{
	if (s->findings[MP_SEVERITY_ERROR] > 0)
		return MP_READINESS_NOT_READY;
	if (mp_summary_incomplete (s))
		return MP_READINESS_INCOMPLETE;
	return MP_READINESS_READY;
}

const char *
mp_readiness_name (MpReadiness v)
{
	switch (v) {
	case MP_READINESS_NOT_READY: return "not-ready";
	case MP_READINESS_INCOMPLETE: return "incomplete";
	case MP_READINESS_READY:
	default: return "ready";
	}
}

char *
mp_summary_no_findings (const MpSummary *s)
{
	gboolean incomplete = s->sources_failed > 0 || s->errors_total > 0;

	if (s->rules->len > 0)
		return NULL;
	/* never "every message passes" about messages that were not read */
	if (s->messages == 0 && incomplete)
		return g_strdup ("No message could be read: nothing was judged.");
	if (incomplete)
		return g_strdup_printf ("No findings in the %" G_GUINT64_FORMAT " message(s) that could be read; "
		                        "the rest could not be judged.", s->messages);
	if (s->messages == 0)
		return g_strdup ("No findings: there are no messages, and the folders and accounts pass the rules.");
	return g_strdup ("No findings: every message passes the rules.");
}

/* Lists are bounded: a tree of 100,000 broken folders must not print them all. */
#define MAX_LISTED 1000

void
mp_summary_add_error (MpSummary *s, const char *text)
{
	s->errors_total++;
	if (s->errors->len < MAX_LISTED)
		g_ptr_array_add (s->errors, g_strdup (text));
}

void
mp_summary_add_notice (MpSummary *s, const char *text)
{
	s->notices_total++;
	if (s->notices->len < MAX_LISTED)
		g_ptr_array_add (s->notices, g_strdup (text));
}

void
mp_summary_add_left_out (MpSummary *s, const char *folder)
{
	s->left_out_total++;
	if (s->left_out->len < MAX_LISTED)
		g_ptr_array_add (s->left_out, g_strdup (folder));
}

/* Display width of a UTF-8 string, for aligned columns. */
static glong
width (const char *s)
{
	return s ? g_utf8_strlen (s, -1) : 0;
}

static void
print_padded (FILE *fp, const char *s, glong w)
{
	fputs (s, fp);
	for (glong i = width (s); i < w; i++)
		fputc (' ', fp);
}

/* Subjects come from anyone: no control characters to the terminal (the
 * same filter as the error lines on stderr). */
static char *
printable (const char *s, glong max)
{
	return mp_text_for_terminal (s, max);
}

/* ANSI colours, only when asked (a TTY and NO_COLOR unset: the caller decides) */
typedef struct {
	const char *bold, *red, *yellow, *green, *dim, *off;
} Colours;

static const Colours plain = { "", "", "", "", "", "" };
static const Colours ansi = { "\033[1m", "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m" };

static const char *
severity_colour (const Colours *c, MpSeverity s)
{
	return s == MP_SEVERITY_ERROR ? c->red : s == MP_SEVERITY_WARNING ? c->yellow : c->dim;
}

/* Right-aligned number cell of width W. */
static void
print_num (FILE *fp, guint64 v, int w)
{
	fprintf (fp, "%*" G_GUINT64_FORMAT, w, v);
}

static int
digits (guint64 v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static const char *
verdict_colour (const Colours *c, MpVerdict v)
{
	return v == MP_VERDICT_ABANDONED ? c->red
	     : v == MP_VERDICT_IDLE_UNKNOWN_FORWARDING || v == MP_VERDICT_UNKNOWN ? c->yellow : c->green;
}

/* Verdict counts, and with several accounts the worst of them (the folders
 * of many accounts are in the HTML and JSON reports). */
static void
print_accounts (const MpSummary *s, FILE *fp, const Colours *c)
{
	static const MpVerdict order[] = {
		MP_VERDICT_ACTIVE, MP_VERDICT_FORWARDED, MP_VERDICT_ABANDONED,
		MP_VERDICT_IDLE_UNKNOWN_FORWARDING, MP_VERDICT_UNKNOWN,
	};
	glong wname = 7;

	fprintf (fp, "\n%sAccounts: %" G_GUINT64_FORMAT "%s (", c->bold, s->accounts, c->off);
	for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
		fprintf (fp, "%s%s%" G_GUINT64_FORMAT " %s%s", i ? ", " : "", s->verdicts[order[i]] ? verdict_colour (c, order[i]) : "",
		         s->verdicts[order[i]], mp_verdict_name (order[i]), s->verdicts[order[i]] ? c->off : "");
	fputs (")\n", fp);
	if (s->accounts <= 1)
		return;
	for (guint i = 0; i < s->worst_accounts->len; i++) {
		const MpAccountStats *a = g_ptr_array_index (s->worst_accounts, i);
		g_autofree char *shown = printable (a->name, 40);
		wname = MAX (wname, width (shown));
	}
	fprintf (fp, "Worst accounts:\n  %s", c->bold);
	print_padded (fp, "Account", wname);
	fprintf (fp, "  %-23s  %6s  %6s  %-13s  %s%s\n", "Verdict", "Idle", "Errors", "Last activity", "Why", c->off);
	for (guint i = 0; i < s->worst_accounts->len; i++) {
		const MpAccountStats *a = g_ptr_array_index (s->worst_accounts, i);
		g_autofree char *shown = printable (a->name, 40);
		g_autofree char *why = printable (a->read_errors ? "could not be read (fully)" : a->why, 60);
		g_autofree char *idle = a->idle_months >= 0 ? g_strdup_printf ("%dmo", a->idle_months) : g_strdup ("-");
		fputs ("  ", fp);
		print_padded (fp, shown, wname);
		fprintf (fp, "  %s%-23s%s  %6s  %6" G_GUINT64_FORMAT "  %-13s  %s\n", verdict_colour (c, a->verdict),
		         mp_verdict_name (a->verdict), c->off, idle, a->findings[MP_SEVERITY_ERROR],
		         a->last_activity ? a->last_activity : "unknown", why);
	}
}

gboolean
mp_summary_incomplete (const MpSummary *s)
{
	return s->sources_failed || s->errors_total || s->unreadable;
}

/* The verdict line, then what --fail-on makes of the findings when it is
 * not the default (the exit status, not the verdict). */
static void
print_verdict (const MpSummary *s, FILE *fp, const Colours *c, const char *fail_on, guint64 blocking)
{
	guint64 warnings = s->findings[MP_SEVERITY_WARNING];

	switch (mp_summary_verdict (s)) {
	case MP_READINESS_NOT_READY:
		fprintf (fp, "%s%sVerdict: NOT READY, %" G_GUINT64_FORMAT " error(s): what the target refuses or loses%s\n",
		         c->bold, c->red, s->findings[MP_SEVERITY_ERROR], c->off);
		break;
	case MP_READINESS_INCOMPLETE:
		fprintf (fp, "%s%sVerdict: INCOMPLETE, not everything could be read (below); no error in what was read%s\n",
		         c->bold, c->yellow, c->off);
		break;
	case MP_READINESS_READY:
	default:
		fprintf (fp, "%s%sVerdict: READY, no errors", c->bold, c->green);
		if (warnings)
			fprintf (fp, "; %" G_GUINT64_FORMAT " warning(s) to look at", warnings);
		fprintf (fp, "%s\n", c->off);
		break;
	}
	if (g_strcmp0 (fail_on, "never") == 0)
		fprintf (fp, "--fail-on never: findings do not change the exit status.\n");
	else if (fail_on != NULL && g_strcmp0 (fail_on, "error") != 0)
		fprintf (fp, "--fail-on %s: %" G_GUINT64_FORMAT " finding(s) at or above %s%s.\n", fail_on, blocking,
		         fail_on, blocking ? " (exit status 1)" : "");
}

void
mp_summary_print (const MpSummary *s, FILE *fp, const char *rules_origin, const char *fail_on,
                  guint64 blocking, gboolean colour)
{
	const Colours *c = colour ? &ansi : &plain;
	glong wname = 6;
	int wmsg = 8, wsize = 4, wfind = 8;
	g_autofree char *total = mp_format_size (s->bytes);
	g_autofree char *none = mp_summary_no_findings (s);

	fprintf (fp, "mailpreflight: %" G_GUINT64_FORMAT " messages, %s (%" G_GUINT64_FORMAT
	         " bytes) in %u folder(s); rules: %s\n",
	         s->messages, total, s->bytes, (guint) s->n_folders, rules_origin);
	print_verdict (s, fp, c, fail_on, blocking);
	if (s->downloaded) {
		g_autofree char *octets = mp_format_size (s->downloaded_octets);
		fprintf (fp, "Downloaded for content checks (IMAP): %" G_GUINT64_FORMAT " message(s), %"
		         G_GUINT64_FORMAT " of them whole, %s\n", s->downloaded, s->downloaded_whole, octets);
	}

	if (s->accounts > 0)
		print_accounts (s, fp, c);
	for (guint i = 0; s->accounts <= 1 && i < s->folders->len; i++) {
		const MpFolderStats *f = g_ptr_array_index (s->folders, i);
		g_autofree char *shown = printable (f->name, 60);
		g_autofree char *size = mp_format_size (f->bytes);
		wname = MAX (wname, width (shown));
		wmsg = MAX (wmsg, digits (f->messages));
		wsize = MAX (wsize, (int) strlen (size));
		wfind = MAX (wfind, digits (f->findings));
	}
	if (s->folders->len && s->accounts <= 1) {
		fputc ('\n', fp);
		fputs (c->bold, fp);
		print_padded (fp, "Folder", wname);
		fprintf (fp, "  %*s  %*s  %*s%s%s\n", wmsg, "Messages", wsize, "Size", wfind, "Findings",
		         s->deleted ? "  Deleted" : "", c->off);
		for (guint i = 0; i < s->folders->len; i++) {
			const MpFolderStats *f = g_ptr_array_index (s->folders, i);
			g_autofree char *shown = printable (f->name, 60);
			g_autofree char *size = mp_format_size (f->bytes);
			print_padded (fp, shown, wname);
			fputs ("  ", fp);
			print_num (fp, f->messages, wmsg);
			fprintf (fp, "  %*s  ", wsize, size);
			if (f->findings)
				fputs (severity_colour (c, f->by_severity[MP_SEVERITY_ERROR] ? MP_SEVERITY_ERROR
				                           : f->by_severity[MP_SEVERITY_WARNING] ? MP_SEVERITY_WARNING
				                           : MP_SEVERITY_INFO), fp);
			print_num (fp, f->findings, wfind);
			fputs (f->findings ? c->off : "", fp);
			if (s->deleted) {
				/* a column only when a message is marked deleted */
				fputs ("  ", fp);
				print_num (fp, f->deleted, 7);
			}
			fprintf (fp, "%s\n", f->failed ? "  (read failed)" : "");
		}
	}

	fputc ('\n', fp);
	if (none != NULL) {
		fprintf (fp, "%s\n", none);
	} else {
		glong wrule = 4, wcheck = 5;
		int wcount = 5;
		for (guint i = 0; i < s->rules->len; i++) {
			const MpRuleStats *r = g_ptr_array_index (s->rules, i);
			wrule = MAX (wrule, width (r->rule));
			wcheck = MAX (wcheck, width (r->check));
			wcount = MAX (wcount, digits (r->count));
		}
		fprintf (fp, "Findings per rule:\n");
		fprintf (fp, "  %s%-8s ", c->bold, "Severity");
		print_padded (fp, "Rule", wrule);
		fputs ("  ", fp);
		print_padded (fp, "Check", wcheck);
		fprintf (fp, "  %*s%s\n", wcount, "Count", c->off);
		for (guint i = 0; i < s->rules->len; i++) {
			const MpRuleStats *r = g_ptr_array_index (s->rules, i);
			fprintf (fp, "  %s%-8s%s ", severity_colour (c, r->severity), mp_severity_name (r->severity), c->off);
			print_padded (fp, r->rule, wrule);
			fputs ("  ", fp);
			print_padded (fp, r->check, wcheck);
			fputs ("  ", fp);
			print_num (fp, r->count, wcount);
			fputc ('\n', fp);
		}
		fprintf (fp, "  %" G_GUINT64_FORMAT " error(s), %" G_GUINT64_FORMAT " warning(s), %"
		         G_GUINT64_FORMAT " info in %" G_GUINT64_FORMAT " message(s)",
		         s->findings[MP_SEVERITY_ERROR], s->findings[MP_SEVERITY_WARNING],
		         s->findings[MP_SEVERITY_INFO], s->messages_with_findings);
		if (s->other_findings)
			fprintf (fp, " and %" G_GUINT64_FORMAT " about folders or accounts", s->other_findings);
		fputc ('\n', fp);
	}
	if (s->offenders->len) {
		fprintf (fp, "\nWorst offenders (largest messages with findings):\n");
		for (guint i = 0; i < s->offenders->len; i++) {
			const MpOffender *o = g_ptr_array_index (s->offenders, i);
			g_autofree char *size = mp_format_size (o->size);
			g_autofree char *folder = printable (o->folder, 30);
			g_autofree char *subject = printable (o->subject, 50);
			fprintf (fp, "  %10s  %4u att.  %s #%" G_GUINT64_FORMAT "  %s  [%s]%s\n",
			         size, o->attachments, folder, o->index, subject, o->rules,
			         o->deleted != MP_DELETED_NONE ? " (marked deleted)" : "");
		}
	}
	if (s->messages_with_problems)
		fprintf (fp, "\n%" G_GUINT64_FORMAT " message(s) have parse problems (see the inventory's problems column).\n",
		         s->messages_with_problems);
	if (s->deleted)
		fprintf (fp, "\n%" G_GUINT64_FORMAT " message(s) are marked deleted but still stored (the inventory's "
		         "deleted column): %s.\n", s->deleted,
		         s->deleted_skip ? "not judged (rules: deleted = skip)" : "judged like the others (rules: deleted = judge)");
	if (s->left_out->len) {
		fprintf (fp, "\nFolders left out (--exclude-folder, --include-folder or the rules file), not read: ");
		for (guint i = 0; i < s->left_out->len; i++) {
			g_autofree char *t = printable (g_ptr_array_index (s->left_out, i), 80);
			fprintf (fp, "%s%s", i ? ", " : "", t);
		}
		if (s->left_out_total > s->left_out->len)
			fprintf (fp, " and %" G_GUINT64_FORMAT " more", s->left_out_total - s->left_out->len);
		fputc ('\n', fp);
	}
	if (s->notices->len) {
		fprintf (fp, "\nNotices:\n");
		for (guint i = 0; i < s->notices->len; i++) {
			g_autofree char *t = printable (g_ptr_array_index (s->notices, i), 200);
			fprintf (fp, "  %s\n", t);
		}
	}
	if (s->unreadable)
		fprintf (fp, "\n%s%" G_GUINT64_FORMAT " message(s) could not be read%s (problem unreadable or "
		         "content-unreadable in the inventory): the audit of them is incomplete.\n",
		         c->red, s->unreadable, c->off);
	if (s->errors->len) {
		fprintf (fp, "\n%sCould not read:%s\n", c->red, c->off);
		for (guint i = 0; i < s->errors->len; i++) {
			g_autofree char *t = printable (g_ptr_array_index (s->errors, i), 300);
			fprintf (fp, "  %s\n", t);
		}
	}
}
