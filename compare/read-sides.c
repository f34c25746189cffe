/* read-sides.c — see read-sides.h. */
#include "read-sides.h"
#include "audit.h"
#include "scan.h"

#include <stdio.h>

typedef struct {
	const char             *path;
	MpSide                 *side;
	const MpRuleSet        *rules;   /* NULL: the target, indexed only */
	const MpSourceSettings *settings;
	guint                   jobs;
} SideScan;

static void
evaluate (MpMessage *m, gpointer user_data)
{
	mp_rules_evaluate (user_data, m);
}

static gpointer
scan_side (gpointer data)
{
	SideScan *ss = data;
	const char *paths[] = { ss->path, NULL };
	MpScanOptions opt = { 0 };
	MpScanResult result;
	g_autoptr(MpAudit) audit = NULL;

	opt.jobs = MAX (ss->jobs, 1);
	opt.source_settings = ss->settings;
	if (ss->rules != NULL) {
		audit = mp_audit_new (ss->rules, mp_side_sink (), ss->side);
		opt.analyze_flags = mp_rules_analyze_flags (ss->rules);
		opt.evaluate = evaluate;
		opt.evaluate_data = (gpointer) ss->rules;
		opt.sink = mp_audit_sink ();
		opt.sink_data = audit;
	} else {
		opt.analyze_flags = MP_ANALYZE_DEFAULT;
		opt.sink = mp_side_sink ();
		opt.sink_data = ss->side;
	}
	mp_scan_run (paths, &opt, &result);
	return NULL;
}

typedef struct {
	MpSide   *source, *target;
	gint      done;      /* atomic */
	GMutex    lock;
	GCond     cond;
} Progress;

static gpointer
show_progress (gpointer data)
{
	Progress *p = data;
	gint64 start = g_get_monotonic_time ();

	g_mutex_lock (&p->lock);
	while (!g_atomic_int_get (&p->done)) {
		gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 4;
		g_cond_wait_until (&p->cond, &p->lock, until);
		if (g_atomic_int_get (&p->done))
			break;
		fprintf (stderr, "\r\033[Kcompare: source %d messages, target %d messages, %.0f s",
		         g_atomic_int_get (&p->source->progress), g_atomic_int_get (&p->target->progress),
		         (gdouble) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
		fflush (stderr);
	}
	g_mutex_unlock (&p->lock);
	fputs ("\r\033[K", stderr);
	fflush (stderr);
	return NULL;
}

gboolean
mp_read_sides (const MpReadSidesOptions *o, MpSide **source, MpSide **target, GError **error)
{
	g_autoptr(MpSide) s = mp_side_new (o->source, error);
	g_autoptr(MpSide) t = s ? mp_side_new (o->target, error) : NULL;
	SideScan ss, ts;
	Progress p = { 0 };
	GThread *target_thread, *progress_thread = NULL;

	if (t == NULL)
		return FALSE;
	ss = (SideScan) { o->source, s, o->rules, o->source_settings, o->source_jobs };
	ts = (SideScan) { o->target, t, NULL, o->target_settings, o->target_jobs };
	p.source = s;
	p.target = t;
	g_mutex_init (&p.lock);
	g_cond_init (&p.cond);
	if (o->progress)
		progress_thread = g_thread_new ("compare-progress", show_progress, &p);
	/* the two sides wait on different disks or servers: read them at once */
	target_thread = g_thread_new ("compare-target", scan_side, &ts);
	scan_side (&ss);
	g_thread_join (target_thread);
	g_mutex_lock (&p.lock);
	g_atomic_int_set (&p.done, 1);
	g_cond_signal (&p.cond);
	g_mutex_unlock (&p.lock);
	if (progress_thread != NULL)
		g_thread_join (progress_thread);
	g_mutex_clear (&p.lock);
	g_cond_clear (&p.cond);
	*source = g_steal_pointer (&s);
	*target = g_steal_pointer (&t);
	return TRUE;
}
