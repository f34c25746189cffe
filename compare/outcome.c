/* outcome.c — see outcome.h. */
#include "outcome.h"

#include <string.h>

void
mp_compare_outcome_free (MpCompareOutcome *o)
{
	if (o == NULL)
		return;
	if (o->expected)
		g_array_unref (o->expected);
	if (o->folders)
		g_array_unref (o->folders);
	if (o->target_folders)
		g_array_unref (o->target_folders);
	if (o->cut_reasons)
		g_ptr_array_unref (o->cut_reasons);
	g_free (o);
}

/* ---- what the rules predicted for the account ---------------------------- */

typedef struct {
	gint64  date;
	guint32 i;
} Dated;

static int
newest_first (const void *x, const void *y)
{
	const Dated *a = x, *b = y;

	if (a->date != b->date)
		return a->date > b->date ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* A mailbox-message-count rule of severity warning or error that the
 * account broke: the oldest dated messages beyond its max are predicted
 * (rules/audit.c names them the same way: newest first, undated ones not
 * placed). */
static void
predict_cut (MpCompareOutcome *o, const MpRuleSet *rules)
{
	MpSide *s = o->source;

	for (guint r = 0; rules && r < rules->rules->len; r++) {
		const MpRule *rule = g_ptr_array_index (rules->rules, r);
		g_autoptr(GArray) dated = NULL;

		if (rule->check != MP_CHECK_MAILBOX_MESSAGE_COUNT || rule->severity < MP_SEVERITY_WARNING ||
		    s->keys->len <= rule->max)
			continue;
		dated = g_array_new (FALSE, FALSE, sizeof (Dated));
		for (guint i = 0; i < s->keys->len; i++) {
			const MpCompareKey *k = mp_side_key (s, i);
			Dated d = { k->date, i };
			if (k->flags & MP_KEY_HAS_DATE)
				g_array_append_val (dated, d);
		}
		g_array_sort (dated, newest_first);
		for (guint i = (guint) MIN ((guint64) dated->len, rule->max); i < dated->len; i++)
			mp_side_key (s, g_array_index (dated, Dated, i).i)->flags |= MP_KEY_CUT;
		for (guint f = 0; f < s->account_findings->len; f++) {
			const MpFinding *fi = g_ptr_array_index (s->account_findings, f);
			if (g_strcmp0 (fi->rule, rule->name) == 0)
				g_ptr_array_add (o->cut_reasons, (gpointer) fi);
		}
	}
}

static gboolean
is_predicted (const MpCompareOutcome *o, const MpCompareKey *k)
{
	return (k->flags & (MP_KEY_PREDICTED | MP_KEY_CUT)) != 0 ||
	       mp_side_folder (o->source, k->folder)->predicted;
}

/* ---- counting ---------------------------------------------------------- */

static void
add_moved_to (MpSourceFolderOutcome *fo, GHashTable *seen, guint32 target_folder)
{
	guint64 *n = g_hash_table_lookup (seen, GUINT_TO_POINTER (target_folder + 1));

	if (n == NULL) {
		n = g_new0 (guint64, 1);
		g_hash_table_insert (seen, GUINT_TO_POINTER (target_folder + 1), n);
	}
	(*n)++;
}

static int
most_first (const void *x, const void *y)
{
	const MpMovedTo *a = x, *b = y;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	return a->folder < b->folder ? -1 : a->folder > b->folder;
}

static void
keep_moved_to (MpSourceFolderOutcome *fo, GHashTable *seen)
{
	g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (MpMovedTo));
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init (&it, seen);
	while (g_hash_table_iter_next (&it, &k, &v)) {
		MpMovedTo m = { GPOINTER_TO_UINT (k) - 1, *(guint64 *) v };
		g_array_append_val (all, m);
	}
	g_array_sort (all, most_first);
	for (guint i = 0; i < all->len; i++) {
		const MpMovedTo *m = &g_array_index (all, MpMovedTo, i);
		if (i < MP_MOVED_TO_MAX)
			fo->moved_to[fo->n_moved_to++] = *m;
		else
			fo->moved_elsewhere += m->messages;
	}
}

static void
add_counts (MpCompareCounts *to, const MpCompareCounts *c)
{
	to->messages += c->messages;
	to->bytes += c->bytes;
	to->arrived += c->arrived;
	to->moved += c->moved;
	to->missing += c->missing;
	to->unexpected += c->unexpected;
	to->changed += c->changed;
}

static void
count (MpCompareOutcome *o)
{
	MpSide *s = o->source, *t = o->target;
	g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

	g_array_set_size (o->folders, s->folders->len);
	g_array_set_size (o->target_folders, t->folders->len);
	for (guint f = 0; f < s->folders->len; f++)
		g_ptr_array_add (moved, g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free));
	for (guint i = 0; i < s->keys->len; i++) {
		const MpCompareKey *k = mp_side_key (s, i);
		MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, k->folder);
		MpCompareCounts *c = &fo->counts;

		c->messages++;
		c->bytes += k->size;
		if (k->match) {
			c->arrived++;
			if (k->flags & MP_KEY_MOVED) {
				c->moved++;
				add_moved_to (fo, g_ptr_array_index (moved, k->folder), mp_side_key (t, k->match - 1)->folder);
			}
			if (mp_key_changes (k))
				c->changed++;
		} else if (is_predicted (o, k)) {
			c->missing++;
		} else {
			c->unexpected++;
		}
	}
	for (guint f = 0; f < s->folders->len; f++) {
		MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, f);
		keep_moved_to (fo, g_ptr_array_index (moved, f));
		add_counts (&o->totals, &fo->counts);
	}
	for (guint i = 0; i < t->keys->len; i++) {
		const MpCompareKey *k = mp_side_key (t, i);
		MpTargetFolderOutcome *to = &g_array_index (o->target_folders, MpTargetFolderOutcome, k->folder);

		to->messages++;
		to->bytes += k->size;
		if (k->match) {
			to->matched++;
		} else {
			to->extra++;
			to->copies += (k->flags & MP_KEY_COPY) != 0;
		}
	}
	for (guint f = 0; f < t->folders->len; f++) {
		const MpTargetFolderOutcome *to = &g_array_index (o->target_folders, MpTargetFolderOutcome, f);
		o->target_totals.messages += to->messages;
		o->target_totals.bytes += to->bytes;
		o->target_totals.matched += to->matched;
		o->target_totals.extra += to->extra;
		o->target_totals.copies += to->copies;
	}
}

MpCompareOutcome *
mp_compare_outcome_new (MpSide *source, MpSide *target, const MpRuleSet *rules,
                        const MpSizeTolerance *tolerance, GError **error)
{
	g_autoptr(MpCompareOutcome) o = g_new0 (MpCompareOutcome, 1);

	o->source = source;
	o->target = target;
	o->tolerance = *tolerance;
	o->folders = g_array_new (FALSE, TRUE, sizeof (MpSourceFolderOutcome));
	o->target_folders = g_array_new (FALSE, TRUE, sizeof (MpTargetFolderOutcome));
	o->cut_reasons = g_ptr_array_new ();
	if (!mp_record_file_seal (source->records, error) || !mp_record_file_seal (target->records, error))
		return NULL;
	o->expected = mp_expected_folders (source, target, rules ? rules->folder_map : NULL);
	if (!mp_match (source, target, o->expected, tolerance, &o->stats, error))
		return NULL;
	predict_cut (o, rules);
	count (o);
	return g_steal_pointer (&o);
}

/* ---- rows ---------------------------------------------------------------- */

static MpRecordReason *
reason_from_finding (const MpFinding *f)
{
	MpRecordReason *r = g_new0 (MpRecordReason, 1);

	r->rule = g_strdup (f->rule);
	r->check = g_strdup (f->check);
	r->severity = f->severity;
	r->detail = g_strdup (f->detail);
	return r;
}

static void
reason_free (MpRecordReason *r)
{
	g_free (r->rule);
	g_free (r->check);
	g_free (r->detail);
	g_free (r);
}

/* The message's own reasons, then its folder's, then the account's cut. */
static GPtrArray *
reasons_of (const MpCompareOutcome *o, const MpCompareKey *k, const MpRecord *r)
{
	GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
	const MpSideFolder *f = mp_side_folder (o->source, k->folder);

	for (guint i = 0; i < r->reasons->len; i++) {
		const MpRecordReason *x = g_ptr_array_index (r->reasons, i);
		MpRecordReason *c = g_new0 (MpRecordReason, 1);
		c->rule = g_strdup (x->rule);
		c->check = g_strdup (x->check);
		c->severity = x->severity;
		c->detail = g_strdup (x->detail);
		g_ptr_array_add (out, c);
	}
	for (guint i = 0; i < f->findings->len; i++)
		g_ptr_array_add (out, reason_from_finding (g_ptr_array_index (f->findings, i)));
	if (k->flags & MP_KEY_CUT)
		for (guint i = 0; i < o->cut_reasons->len; i++)
			g_ptr_array_add (out, reason_from_finding (g_ptr_array_index (o->cut_reasons, i)));
	return out;
}

static const char *
target_folder_name (const MpCompareOutcome *o, guint32 i)
{
	return i == MP_NO_FOLDER ? NULL : mp_side_folder (o->target, i)->name;
}

static gboolean
source_row (MpCompareOutcome *o, guint i, guint statuses, MpCompareRowFunc func, gpointer data,
            GError **error)
{
	const MpCompareKey *k = mp_side_key (o->source, i);
	const MpExpectedFolder *e = &g_array_index (o->expected, MpExpectedFolder, k->folder);
	MpCompareRow row = { 0 };
	g_autoptr(MpRecord) r = NULL;
	g_autoptr(MpRecord) t = NULL;
	g_autoptr(GPtrArray) reasons = NULL;

	if (k->match)
		row.status = mp_key_changes (k) ? MP_ROW_CHANGED : 0;
	else
		row.status = is_predicted (o, k) ? MP_ROW_MISSING : MP_ROW_UNEXPECTED;
	if (!(row.status & statuses))
		return TRUE;
	r = mp_record_file_read (o->source->records, k->record, error);
	if (r == NULL)
		return FALSE;
	row.key = i;
	row.message = r;
	row.folder = mp_side_folder (o->source, k->folder)->name;
	row.reasons = reasons = reasons_of (o, k, r);
	if (k->match) {
		const MpCompareKey *tk = mp_side_key (o->target, k->match - 1);
		t = mp_record_file_read (o->target->records, tk->record, error);
		if (t == NULL)
			return FALSE;
		row.target = t;
		row.target_folder = target_folder_name (o, tk->folder);
		row.moved = (k->flags & MP_KEY_MOVED) != 0;
		row.changes = mp_key_changes (k);
	} else {
		row.target_folder = e->name;
	}
	return func (&row, data, error);
}

static gboolean
extra_row (MpCompareOutcome *o, guint i, MpCompareRowFunc func, gpointer data, GError **error)
{
	const MpCompareKey *k = mp_side_key (o->target, i);
	MpCompareRow row = { 0 };
	g_autoptr(MpRecord) r = NULL;
	g_autoptr(GPtrArray) reasons = g_ptr_array_new ();

	r = mp_record_file_read (o->target->records, k->record, error);
	if (r == NULL)
		return FALSE;
	row.status = MP_ROW_EXTRA;
	row.key = i;
	row.message = r;
	row.folder = target_folder_name (o, k->folder);
	row.target_folder = row.folder;
	row.copy = (k->flags & MP_KEY_COPY) != 0;
	row.reasons = reasons;
	return func (&row, data, error);
}

gboolean
mp_compare_outcome_rows (MpCompareOutcome *o, guint statuses, MpCompareRowFunc func, gpointer data,
                         GError **error)
{
	if (statuses & (MP_ROW_MISSING | MP_ROW_UNEXPECTED | MP_ROW_CHANGED))
		for (guint i = 0; i < o->source->keys->len; i++)
			if (!source_row (o, i, statuses, func, data, error))
				return FALSE;
	if (statuses & MP_ROW_EXTRA)
		for (guint i = 0; i < o->target->keys->len; i++)
			if (!mp_side_key (o->target, i)->match && !extra_row (o, i, func, data, error))
				return FALSE;
	return TRUE;
}

/* ---- verdict --------------------------------------------------------------- */

MpCompareVerdict
mp_compare_verdict (const MpCompareOutcome *o)
{
	if (!mp_side_complete (o->source) || !mp_side_complete (o->target))
		return MP_COMPARE_INCOMPLETE;
	if (o->totals.unexpected > 0)
		return MP_COMPARE_UNEXPECTED;
	if (o->totals.missing > 0)
		return MP_COMPARE_PREDICTED;
	return MP_COMPARE_COMPLETE;
}

MpCompareExit
mp_compare_exit_status (const MpCompareOutcome *o)
{
	switch (mp_compare_verdict (o)) {
	case MP_COMPARE_INCOMPLETE:
		return MP_COMPARE_EXIT_UNREADABLE;
	case MP_COMPARE_UNEXPECTED:
		return MP_COMPARE_EXIT_MISSING;
	case MP_COMPARE_PREDICTED:
		if (!o->accept_predicted)
			return MP_COMPARE_EXIT_MISSING;
		break;
	case MP_COMPARE_COMPLETE:
		break;
	}
	return o->fail_on_changed && o->totals.changed > 0 ? MP_COMPARE_EXIT_MISSING : MP_COMPARE_EXIT_OK;
}

const char *
mp_compare_verdict_name (MpCompareVerdict v)
{
	static const char *const names[] = { "complete", "missing-predicted", "missing-unexpected", "incomplete" };

	return names[v];
}

const char *
mp_row_status_name (MpRowStatus s)
{
	switch (s) {
	case MP_ROW_MISSING:    return "missing";
	case MP_ROW_UNEXPECTED: return "unexpected";
	case MP_ROW_CHANGED:    return "changed";
	case MP_ROW_EXTRA:      return "extra";
	default:                return "?";
	}
}
