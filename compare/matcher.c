/* matcher.c — see matcher.h. Both passes are merge joins of two arrays of
 * (hash, index) sorted by hash: no hash table per message, and time
 * O(n log n) for sides of any size. A group of one hash is paired by
 * levels, each level trying every unmatched source member against every
 * unmatched target member; a hostile group (thousands of messages with one
 * Message-ID on both sides) is paired in order instead, so that the work
 * stays bounded. */
#include "matcher.h"

#include <string.h>

/* Above this many source x target members a group is paired in order,
 * each source member looking at most HOSTILE_WINDOW targets ahead. */
#define MAX_GROUP_WORK (1u << 16)
#define HOSTILE_WINDOW 64

typedef struct {
	guint64 h;
	guint32 i;
} Entry;

typedef struct {
	MpSide                *s, *t;
	const GArray          *expected;
	const MpSizeTolerance *tol;
	MpMatchStats          *stats;
	GError                *error;
} Matcher;

/* One member of a group, with the texts that decide (normalized as the
 * keys were). */
typedef struct {
	guint32 i;
	char   *id;       /* NULL when none */
	char   *from;     /* pass 2 only */
	char   *subject;  /* pass 2 only */
} Member;

static int
by_hash (const void *x, const void *y)
{
	const Entry *a = x, *b = y;

	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void
member_clear (gpointer p)
{
	Member *m = p;

	g_free (m->id);
	g_free (m->from);
	g_free (m->subject);
}

static guint32
expected_of (const Matcher *M, const MpCompareKey *sk)
{
	return g_array_index (M->expected, MpExpectedFolder, sk->folder).folder;
}

static void
pair (Matcher *M, guint32 si, guint32 ti)
{
	mp_side_key (M->s, si)->match = ti + 1;
	mp_side_key (M->t, ti)->match = si + 1;
}

static guint64
size_gap (const MpCompareKey *a, const MpCompareKey *b)
{
	return a->size > b->size ? a->size - b->size : b->size - a->size;
}

/* Reads the texts of member I of SIDE: the Message-ID, and From and
 * Subject for the fingerprint (pass 2). */
static gboolean
load_member (Matcher *M, MpSide *side, guint32 i, gboolean fingerprint, Member *out)
{
	g_autoptr(MpRecord) r = NULL;

	if (M->error != NULL)
		return FALSE;
	r = mp_record_file_read (side->records, mp_side_key (side, i)->record, &M->error);
	if (r == NULL)
		return FALSE;
	out->i = i;
	out->id = mp_compare_normalize_id (r->message_id);
	if (fingerprint) {
		out->from = mp_compare_normalize_from (r->from);
		out->subject = mp_compare_normalize_subject (r->subject);
	}
	return TRUE;
}

static GArray *
load_members (Matcher *M, MpSide *side, const Entry *e, guint n, gboolean fingerprint)
{
	GArray *out = g_array_sized_new (FALSE, TRUE, sizeof (Member), n);

	g_array_set_clear_func (out, member_clear);
	for (guint k = 0; k < n; k++) {
		Member m = { 0 };
		if (!load_member (M, side, e[k].i, fingerprint, &m)) {
			member_clear (&m);
			break;
		}
		g_array_append_val (out, m);
	}
	return out;
}

static gboolean
same_text (const char *x, const char *y)
{
	return x != NULL && y != NULL && strcmp (x, y) == 0;
}

/* ---- pass 1: Message-ID ---------------------------------------------------- */

/* May source member SM pair with target member TM at LEVEL (1-4)?
 * UNIQUE: the id is on one message of the source only. */
static gboolean
id_level_ok (const Matcher *M, const Member *sm, const Member *tm, guint level, gboolean unique)
{
	const MpCompareKey *sk = mp_side_key (M->s, sm->i);
	const MpCompareKey *tk = mp_side_key (M->t, tm->i);
	gboolean same_fp = mp_compare_key_fingerprint (sk) == mp_compare_key_fingerprint (tk);

	if (tk->match || !same_text (sm->id, tm->id))
		return FALSE;
	switch (level) {
	case 1: return same_fp && tk->folder == expected_of (M, sk);
	case 2: return same_fp;
	case 3: return unique && tk->folder == expected_of (M, sk);
	default: return unique;
	}
}

static guint
count_text (const GArray *members, const char *text)
{
	guint n = 0;

	for (guint k = 0; k < members->len; k++)
		n += same_text (g_array_index (members, Member, k).id, text);
	return n;
}

static void
pair_id_group (Matcher *M, const Entry *se, guint ns, const Entry *te, guint nt)
{
	g_autoptr(GArray) ss = load_members (M, M->s, se, ns, FALSE);
	g_autoptr(GArray) ts = load_members (M, M->t, te, nt, FALSE);

	if (M->error != NULL)
		return;
	if ((guint64) ns * nt > MAX_GROUP_WORK) {
		/* hostile: in order, the same text only */
		for (guint k = 0, j = 0; k < ns && j < nt; k++) {
			const Member *sm = &g_array_index (ss, Member, k);
			for (; j < nt; j++) {
				const Member *tm = &g_array_index (ts, Member, j);
				if (same_text (sm->id, tm->id)) {
					pair (M, sm->i, tm->i);
					M->stats->by_id++;
					j++;
					break;
				}
			}
		}
		return;
	}
	for (guint level = 1; level <= 4; level++) {
		for (guint k = 0; k < ns; k++) {
			const Member *sm = &g_array_index (ss, Member, k);
			const MpCompareKey *sk = mp_side_key (M->s, sm->i);
			gboolean unique;
			const Member *best = NULL;

			if (sk->match || sm->id == NULL)
				continue;
			unique = level <= 2 || count_text (ss, sm->id) == 1;
			for (guint j = 0; j < nt; j++) {
				const Member *tm = &g_array_index (ts, Member, j);
				if (id_level_ok (M, sm, tm, level, unique) &&
				    (best == NULL || size_gap (sk, mp_side_key (M->t, tm->i)) <
				                     size_gap (sk, mp_side_key (M->t, best->i))))
					best = tm;
			}
			if (best != NULL) {
				pair (M, sm->i, best->i);
				M->stats->by_id++;
			}
		}
	}
}

/* The (hash, index) entries of SIDE's keys that KEEP accepts, sorted. */
static GArray *
entries (MpSide *side, gboolean fingerprint, gboolean unmatched_only)
{
	GArray *out = g_array_new (FALSE, FALSE, sizeof (Entry));

	for (guint i = 0; i < side->keys->len; i++) {
		const MpCompareKey *k = mp_side_key (side, i);
		Entry e;
		if (unmatched_only && k->match)
			continue;
		if (!fingerprint && !(k->flags & MP_KEY_HAS_ID))
			continue;
		e.h = fingerprint ? mp_compare_key_fingerprint (k) : k->id;
		e.i = i;
		g_array_append_val (out, e);
	}
	g_array_sort (out, by_hash);
	return out;
}

/* Marks the keys whose id hash another key of the same side shares. */
static void
mark_duplicates (MpSide *side, const GArray *ids)
{
	for (guint a = 0; a < ids->len;) {
		guint b = a + 1;
		while (b < ids->len && g_array_index (ids, Entry, b).h == g_array_index (ids, Entry, a).h)
			b++;
		if (b - a > 1)
			for (guint k = a; k < b; k++)
				mp_side_key (side, g_array_index (ids, Entry, k).i)->flags |= MP_KEY_ID_DUP;
		a = b;
	}
}

/* Calls GROUP for every hash present in both sorted arrays. */
static void
join (Matcher *M, const GArray *sa, const GArray *ta,
      void (*group) (Matcher *, const Entry *, guint, const Entry *, guint))
{
	guint a = 0, b = 0;

	while (a < sa->len && b < ta->len && M->error == NULL) {
		guint64 ha = g_array_index (sa, Entry, a).h, hb = g_array_index (ta, Entry, b).h;
		guint ea = a, eb = b;
		if (ha < hb) {
			a++;
			continue;
		}
		if (hb < ha) {
			b++;
			continue;
		}
		while (ea < sa->len && g_array_index (sa, Entry, ea).h == ha)
			ea++;
		while (eb < ta->len && g_array_index (ta, Entry, eb).h == hb)
			eb++;
		group (M, &g_array_index (sa, Entry, a), ea - a, &g_array_index (ta, Entry, b), eb - b);
		a = ea;
		b = eb;
	}
}

/* ---- pass 2: fingerprint ------------------------------------------------- */

static gboolean
fp_level_ok (const Matcher *M, const Member *sm, const Member *tm, guint level)
{
	const MpCompareKey *sk = mp_side_key (M->s, sm->i);
	const MpCompareKey *tk = mp_side_key (M->t, tm->i);

	if (tk->match || !same_text (sm->from, tm->from) || !same_text (sm->subject, tm->subject))
		return FALSE;
	/* two Message-IDs that differ are two messages */
	if (sm->id != NULL && tm->id != NULL && strcmp (sm->id, tm->id) != 0)
		return FALSE;
	/* the fingerprint's hash mixes the date; the texts above do not */
	if ((sk->flags & MP_KEY_HAS_DATE) != (tk->flags & MP_KEY_HAS_DATE) || sk->date != tk->date)
		return FALSE;
	if (!mp_size_within (M->tol, sk->size, tk->size))
		return FALSE;
	return level == 2 || tk->folder == expected_of (M, sk);
}

static void
pair_fp_group (Matcher *M, const Entry *se, guint ns, const Entry *te, guint nt)
{
	g_autoptr(GArray) ss = load_members (M, M->s, se, ns, TRUE);
	g_autoptr(GArray) ts = load_members (M, M->t, te, nt, TRUE);
	gboolean hostile = (guint64) ns * nt > MAX_GROUP_WORK;

	if (M->error != NULL)
		return;
	for (guint level = 1; level <= 2; level++) {
		for (guint k = 0, from = 0; k < ns; k++) {
			const Member *sm = &g_array_index (ss, Member, k);
			const MpCompareKey *sk = mp_side_key (M->s, sm->i);
			const Member *best = NULL;

			if (sk->match)
				continue;
			/* hostile: a window of candidates, so the work stays linear */
			guint end = hostile ? MIN (nt, from + HOSTILE_WINDOW) : nt;
			for (guint j = hostile ? from : 0; j < end; j++) {
				const Member *tm = &g_array_index (ts, Member, j);
				if (!fp_level_ok (M, sm, tm, hostile ? 2 : level))
					continue;
				if (hostile) {
					/* in order: the first that fits */
					best = tm;
					from = j + 1;
					break;
				}
				if (best == NULL || size_gap (sk, mp_side_key (M->t, tm->i)) <
				                    size_gap (sk, mp_side_key (M->t, best->i)))
					best = tm;
			}
			if (best != NULL) {
				pair (M, sm->i, best->i);
				M->stats->by_fingerprint++;
			}
		}
		if (hostile)
			break;
	}
}

/* ---- after the passes ---------------------------------------------------- */

static void
describe_pairs (Matcher *M)
{
	for (guint i = 0; i < M->s->keys->len; i++) {
		MpCompareKey *sk = mp_side_key (M->s, i);
		const MpCompareKey *tk;
		guint changes;

		sk->flags &= ~((guint32) MP_CHANGE_ALL << MP_KEY_CHANGES_SHIFT | MP_KEY_MOVED);
		if (!sk->match)
			continue;
		tk = mp_side_key (M->t, sk->match - 1);
		changes = mp_compare_key_changes (sk, tk, M->tol);
		/* a target adds a Message-ID or a Date: a message lacked (Exchange
		 * does): nothing of the source was lost */
		if (!(sk->flags & MP_KEY_HAS_ID))
			changes &= ~(guint) MP_CHANGE_MESSAGE_ID;
		if (!(sk->flags & MP_KEY_HAS_DATE))
			changes &= ~(guint) MP_CHANGE_DATE;
		sk->flags |= (guint32) changes << MP_KEY_CHANGES_SHIFT;
		if (tk->folder != expected_of (M, sk))
			sk->flags |= MP_KEY_MOVED;
	}
}

static void
mark_copies (MpSide *t, const GArray *ids)
{
	for (guint a = 0; a < ids->len;) {
		guint b = a + 1;
		gboolean matched = mp_side_key (t, g_array_index (ids, Entry, a).i)->match != 0;
		while (b < ids->len && g_array_index (ids, Entry, b).h == g_array_index (ids, Entry, a).h) {
			matched |= mp_side_key (t, g_array_index (ids, Entry, b).i)->match != 0;
			b++;
		}
		for (guint k = a; matched && k < b; k++) {
			MpCompareKey *tk = mp_side_key (t, g_array_index (ids, Entry, k).i);
			if (!tk->match)
				tk->flags |= MP_KEY_COPY;
		}
		a = b;
	}
}

gboolean
mp_match (MpSide *source, MpSide *target, const GArray *expected, const MpSizeTolerance *tolerance,
          MpMatchStats *stats, GError **error)
{
	Matcher M = { source, target, expected, tolerance, stats, NULL };
	g_autoptr(GArray) sid = entries (source, FALSE, FALSE);
	g_autoptr(GArray) tid = entries (target, FALSE, FALSE);

	memset (stats, 0, sizeof *stats);
	for (guint i = 0; i < source->keys->len; i++)
		mp_side_key (source, i)->match = 0;
	for (guint i = 0; i < target->keys->len; i++)
		mp_side_key (target, i)->match = 0;
	mark_duplicates (source, sid);
	mark_duplicates (target, tid);

	join (&M, sid, tid, pair_id_group);
	if (M.error == NULL) {
		g_autoptr(GArray) sfp = entries (source, TRUE, TRUE);
		g_autoptr(GArray) tfp = entries (target, TRUE, TRUE);
		join (&M, sfp, tfp, pair_fp_group);
	}
	if (M.error != NULL) {
		g_propagate_error (error, M.error);
		return FALSE;
	}
	describe_pairs (&M);
	mark_copies (target, tid);
	return TRUE;
}
