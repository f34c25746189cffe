#include "scan.h"

#include <string.h>

typedef enum {
	ITEM_BATCH,
	ITEM_SOURCE_BEGIN,
	ITEM_SOURCE_ERROR,
	ITEM_FOLDER_BEGIN,
	ITEM_FOLDER_ERROR,
	ITEM_NOTICE,
	ITEM_FOLDER_END,
	ITEM_SOURCE_END,
} ItemKind;

/* One entry of the ordered stream from producer to sink. */
typedef struct {
	ItemKind        kind;
	gboolean        done;    /* analyzed (batches) or nothing to do (events) */
	MpBatch        *batch;
	MpSource       *source;  /* for batches: the backend that analyzes it */
	const MpFolder *folder;
	char           *source_name;
	char           *kind_name;
	char           *code;
	char           *detail;
	GError         *error;
} Item;

typedef struct {
	const MpScanOptions *opt;
	GThreadPool *pool;
	GMutex       lock;
	GCond        cond;
	GQueue       pending;     /* Item*, in production order */
	guint        max_pending;
	GPrivate    *analyzer_key;
	const char  *current_source;
	MpSource    *current_src;
	guint64      folder_index; /* messages delivered in the current folder */
} Scan;

static void
item_free (Item *it)
{
	if (it->batch)
		mp_batch_free (it->batch);
	g_free (it->source_name);
	g_free (it->kind_name);
	g_free (it->code);
	g_free (it->detail);
	g_clear_error (&it->error);
	g_free (it);
}

static void
deliver (Scan *s, Item *it)
{
	const MpScanSink *k = s->opt->sink;
	gpointer self = s->opt->sink_data;

	switch (it->kind) {
	case ITEM_BATCH:
		if (it->batch->notices != NULL && k->notice)
			for (guint i = 0; i < it->batch->notices->len; i++) {
				const MpBatchNotice *n = g_ptr_array_index (it->batch->notices, i);
				k->notice (self, it->source_name, it->folder, n->code, n->detail);
			}
		for (guint i = 0; i < it->batch->messages->len; i++) {
			MpMessage *m = g_ptr_array_index (it->batch->messages, i);

			s->folder_index++;
			if (it->batch->number_on_delivery)
				m->index = s->folder_index;
			if (k->message)
				k->message (self, m);
		}
		break;
	case ITEM_SOURCE_BEGIN:
		if (k->source_begin)
			k->source_begin (self, it->source_name, it->kind_name);
		break;
	case ITEM_SOURCE_ERROR:
		if (k->source_error)
			k->source_error (self, it->source_name, it->error);
		break;
	case ITEM_FOLDER_BEGIN:
		s->folder_index = 0;
		if (k->folder_begin)
			k->folder_begin (self, it->source_name, it->folder);
		break;
	case ITEM_FOLDER_ERROR:
		if (k->folder_error)
			k->folder_error (self, it->source_name, it->folder, it->error);
		break;
	case ITEM_NOTICE:
		if (k->notice)
			k->notice (self, it->source_name, it->folder, it->code, it->detail);
		break;
	case ITEM_FOLDER_END:
		if (k->folder_end)
			k->folder_end (self, it->source_name, it->folder);
		break;
	case ITEM_SOURCE_END:
		if (k->source_end)
			k->source_end (self, it->source_name);
		break;
	default:
		g_assert_not_reached ();
	}
}

/* Delivers finished items from the head of the queue; with WAIT, blocks
 * until the queue is shorter than LIMIT. Called on the producer thread. */
static void
drain (Scan *s, guint limit)
{
	for (;;) {
		Item *head;

		g_mutex_lock (&s->lock);
		while ((head = g_queue_peek_head (&s->pending)) != NULL && !head->done &&
		       g_queue_get_length (&s->pending) >= limit)
			g_cond_wait (&s->cond, &s->lock);
		if (head == NULL || !head->done) {
			g_mutex_unlock (&s->lock);
			return;
		}
		g_queue_pop_head (&s->pending);
		g_mutex_unlock (&s->lock);
		/* sinks run without the lock: workers go on meanwhile */
		deliver (s, head);
		item_free (head);
	}
}

static void
push (Scan *s, Item *it)
{
	g_mutex_lock (&s->lock);
	g_queue_push_tail (&s->pending, it);
	g_mutex_unlock (&s->lock);
	if (it->kind == ITEM_BATCH)
		g_thread_pool_push (s->pool, it, NULL);
	drain (s, s->max_pending);
}

static void
free_analyzer (gpointer p)
{
	mp_analyzer_free (p);
}

static void
worker (gpointer data, gpointer user_data)
{
	Item *it = data;
	Scan *s = user_data;
	MpAnalyzer *analyzer = g_private_get (s->analyzer_key);

	if (analyzer == NULL) {
		analyzer = mp_analyzer_new ();
		g_private_set (s->analyzer_key, analyzer);
	}
	mp_analyzer_set_flags (analyzer, s->opt->analyze_flags);
	it->source->ops->analyze (it->source, it->batch, analyzer);
	if (s->opt->evaluate)
		for (guint i = 0; i < it->batch->messages->len; i++)
			s->opt->evaluate (g_ptr_array_index (it->batch->messages, i), s->opt->evaluate_data);

	g_mutex_lock (&s->lock);
	it->done = TRUE;
	g_cond_broadcast (&s->cond);
	g_mutex_unlock (&s->lock);
}

static Item *
event (ItemKind kind, const char *source, const MpFolder *folder)
{
	Item *it = g_new0 (Item, 1);

	it->kind = kind;
	it->done = TRUE;
	it->source_name = g_strdup (source);
	it->folder = folder;
	return it;
}

static void
on_batch (MpBatch *batch, gpointer user_data)
{
	Scan *s = user_data;
	Item *it = event (ITEM_BATCH, s->current_source, batch->folder);

	it->done = FALSE;
	it->batch = batch;
	it->source = s->current_src;
	push (s, it);
}

static void
on_notice (const MpFolder *folder, const char *code, const char *detail, gpointer user_data)
{
	Scan *s = user_data;
	Item *it = event (ITEM_NOTICE, s->current_source, folder);

	it->code = g_strdup (code);
	it->detail = g_strdup (detail);
	push (s, it);
}

static GPrivate analyzer_key = G_PRIVATE_INIT (free_analyzer);

void
mp_scan_run (const char *const *sources, const MpScanOptions *opt, MpScanResult *result)
{
	Scan s = { 0 };
	/* keep every source open until the pool is done: batches point at them */
	g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_source_free);
	g_autoptr(GPtrArray) folder_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

	memset (result, 0, sizeof *result);
	mp_gmime_init_once ();
	s.opt = opt;
	s.max_pending = MAX (opt->jobs, 1) * 4 + 4;
	s.analyzer_key = &analyzer_key;
	g_mutex_init (&s.lock);
	g_cond_init (&s.cond);
	g_queue_init (&s.pending);
	s.pool = g_thread_pool_new (worker, &s, (gint) MAX (opt->jobs, 1), FALSE, NULL);

	for (gsize i = 0; sources[i]; i++) {
		g_autoptr(GError) error = NULL;
		MpSource *src = mp_source_open_with (sources[i], opt->source_settings, &error);
		GPtrArray *folders;
		Item *it;

		if (src == NULL) {
			it = event (ITEM_SOURCE_ERROR, sources[i], NULL);
			it->error = g_steal_pointer (&error);
			push (&s, it);
			result->sources_failed++;
			continue;
		}
		g_ptr_array_add (opened, src);
		s.current_source = src->path;
		s.current_src = src;
		it = event (ITEM_SOURCE_BEGIN, src->path, NULL);
		it->kind_name = g_strdup (src->ops->name);
		push (&s, it);

		folders = src->ops->folders (src, &error);
		if (folders == NULL) {
			it = event (ITEM_SOURCE_ERROR, src->path, NULL);
			it->error = g_steal_pointer (&error);
			push (&s, it);
			result->sources_failed++;
			continue;
		}
		g_ptr_array_add (folder_lists, folders);
		/* what the listing found that is no failure (a folder link leading
		 * out of the source): notices of the source, before its folders */
		for (guint n = 0; src->notices != NULL && n < src->notices->len; n++) {
			const MpBatchNotice *bn = g_ptr_array_index (src->notices, n);
			it = event (ITEM_NOTICE, src->path, NULL);
			it->code = g_strdup (bn->code);
			it->detail = g_strdup (bn->detail);
			push (&s, it);
		}
		for (guint f = 0; f < folders->len; f++) {
			const MpFolder *folder = g_ptr_array_index (folders, f);

			push (&s, event (ITEM_FOLDER_BEGIN, src->path, folder));
			if (!src->ops->enumerate (src, folder, on_batch, on_notice, &s, &error)) {
				it = event (ITEM_FOLDER_ERROR, src->path, folder);
				it->error = g_steal_pointer (&error);
				push (&s, it);
				result->folders_failed++;
			}
			push (&s, event (ITEM_FOLDER_END, src->path, folder));
		}
		push (&s, event (ITEM_SOURCE_END, src->path, NULL));
	}
	drain (&s, 1);
	g_thread_pool_free (s.pool, FALSE, TRUE);
	drain (&s, 1);
	g_assert (g_queue_is_empty (&s.pending));
	g_mutex_clear (&s.lock);
	g_cond_clear (&s.cond);
}
