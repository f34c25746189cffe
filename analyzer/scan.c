/* scan.c — see scan.h.
 *
 * Each account being read has a lane: the ordered queue of its items
 * (events and batches), filled by the producer that claimed the account
 * and emptied, in order, by the calling thread once every earlier account
 * has been delivered. Producers claim accounts in order; a producer whose
 * lane is full waits, so at most max_pending items per lane are in flight.
 * The head account (the next to deliver) always has a producer and is never
 * waiting on a later one: its lane is emptied as it fills, and the server
 * connection budget admits accounts in claim order. */
#include "scan.h"
#include "notice-codes.h"

#include <string.h>

typedef enum {
	ITEM_BATCH,
	ITEM_ACCOUNT_BEGIN,
	ITEM_SOURCE_BEGIN,
	ITEM_SOURCE_ERROR,
	ITEM_FOLDER_BEGIN,
	ITEM_FOLDER_ERROR,
	ITEM_NOTICE,
	ITEM_FOLDER_END,
	ITEM_SOURCE_END,
	ITEM_ACCOUNT_END,
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

/* What one server's connections are shared out by (server_connections):
 * an account takes one when it begins (admit(), in claim order) and its
 * source takes more while there are some (budget, never waiting). */
typedef struct _Scan Scan;
typedef struct {
	guint  used;
	GQueue waiting; /* Lane*, in claim order */
	Scan  *scan;
	MpConnectionBudget budget;
} Server;

typedef struct {
	const MpAccount *account;
	GQueue           items;        /* Item*, in production order */
	gboolean         finished;     /* the producer pushed ACCOUNT_END */
	GPtrArray       *opened;       /* MpSource*: closed once delivered */
	GPtrArray       *folder_lists; /* batches point at their folders */
	MpAccountResult *result;
	GPtrArray       *servers;      /* char*: server keys this account holds a share of */
	guint            share;        /* connections it holds on each */
	/* producer state */
	const char      *current_source;
	MpSource        *current_src;
} Lane;

struct _Scan {
	const MpScanOptions *opt;
	MpAccount *const *accounts;
	guint        n_accounts;
	GThreadPool *pool;
	GMutex       lock;
	GCond        cond;
	Lane       **lanes;        /* one per account, NULL until claimed and after delivery */
	guint        next_claim;
	guint        max_pending;
	GHashTable  *servers;      /* key -> Server* */
	GPrivate    *analyzer_key;
	guint64      folder_index; /* messages delivered in the current folder */
	/* the current folder's first failed batch, and how many failed: one
	 * folder error per folder, as every report records it */
	GError      *batch_error;
	guint        batch_errors;
	gint         sources_failed;
	gint         folders_failed;
};

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
server_free (Server *sv)
{
	g_queue_clear (&sv->waiting);
	g_free (sv);
}

static void
lane_free (Lane *lane)
{
	g_queue_clear_full (&lane->items, (GDestroyNotify) item_free);
	g_ptr_array_unref (lane->folder_lists);
	g_ptr_array_unref (lane->opened);
	g_ptr_array_unref (lane->servers);
	mp_account_result_free (lane->result);
	g_free (lane);
}

/* The folder error of the batches of the folder IT ends that could not be
 * read fully (mp_batch_fail): the first one's bytes and reason, and how
 * many more batches failed (an mbox: byte ranges). */
static void
folder_batch_error (Scan *s, Item *it)
{
	const MpScanSink *k = s->opt->sink;
	g_autoptr(GError) first = g_steal_pointer (&s->batch_error);
	g_autoptr(GError) error = NULL;

	if (first == NULL)
		return;
	if (s->batch_errors > 1)
		error = g_error_new (first->domain, first->code, "%s (and %u more byte ranges not read)", first->message,
		                     s->batch_errors - 1);
	s->batch_errors = 0;
	if (k->folder_error)
		k->folder_error (s->opt->sink_data, it->source_name, it->folder, error ? error : first);
	g_atomic_int_inc (&s->folders_failed);
}

static void
deliver (Scan *s, Lane *lane, Item *it)
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
		/* the messages read stand; the folder is incomplete, said once
		 * at its end (folder_batch_error) */
		if (it->batch->error != NULL) {
			if (s->batch_error == NULL)
				s->batch_error = g_error_copy (it->batch->error);
			s->batch_errors++;
		}
		break;
	case ITEM_ACCOUNT_BEGIN:
		if (k->account_begin)
			k->account_begin (self, lane->account);
		break;
	case ITEM_ACCOUNT_END:
		if (k->account_end)
			k->account_end (self, lane->account, lane->result);
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
		if (s->batch_error != NULL) {
			/* the producer's failure, and the workers' before it */
			g_autoptr(GError) both = g_error_new (it->error->domain, it->error->code, "%s; %s",
			                                      it->error->message, s->batch_error->message);
			g_clear_error (&s->batch_error);
			s->batch_errors = 0;
			if (k->folder_error)
				k->folder_error (self, it->source_name, it->folder, both);
		} else if (k->folder_error) {
			k->folder_error (self, it->source_name, it->folder, it->error);
		}
		break;
	case ITEM_NOTICE:
		if (k->notice)
			k->notice (self, it->source_name, it->folder, it->code, it->detail);
		break;
	case ITEM_FOLDER_END:
		folder_batch_error (s, it);
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

/* ---- the server connection budget ----------------------------------------- */

static gboolean
budget_try_take (gpointer p)
{
	Server *sv = p;
	gboolean ok;

	g_mutex_lock (&sv->scan->lock);
	ok = sv->used < sv->scan->opt->server_connections;
	if (ok)
		sv->used++;
	g_mutex_unlock (&sv->scan->lock);
	return ok;
}

static void
budget_give_back (gpointer p)
{
	Server *sv = p;

	g_mutex_lock (&sv->scan->lock);
	sv->used--;
	g_cond_broadcast (&sv->scan->cond);
	g_mutex_unlock (&sv->scan->lock);
}

/* Queues LANE for a share of each server its account reads (under the
 * lock, in the same step as the claim, so that every server's queue is in
 * claim order). */
static void
enqueue_for_servers (Scan *s, Lane *lane)
{
	if (s->opt->server_connections == 0)
		return;
	/* the first connection: an account's producer and workers share its
	 * pool (source-imap.c), which grows from the budget while it can */
	lane->share = 1;
	for (guint i = 0; i < lane->account->sources->len; i++) {
		const MpAccountSource *src = g_ptr_array_index (lane->account->sources, i);
		g_autofree char *key = mp_source_server_key (src->location);
		Server *sv;

		if (key == NULL || g_ptr_array_find_with_equal_func (lane->servers, key, g_str_equal, NULL))
			continue;
		sv = g_hash_table_lookup (s->servers, key);
		if (sv == NULL) {
			sv = g_new0 (Server, 1);
			g_queue_init (&sv->waiting);
			sv->scan = s;
			sv->budget.try_take = budget_try_take;
			sv->budget.give_back = budget_give_back;
			sv->budget.budget = sv;
			g_hash_table_insert (s->servers, g_strdup (key), sv);
		}
		g_queue_push_tail (&sv->waiting, lane);
		g_ptr_array_add (lane->servers, g_steal_pointer (&key));
	}
}

static gboolean
admissible (Scan *s, Lane *lane)
{
	for (guint i = 0; i < lane->servers->len; i++) {
		Server *sv = g_hash_table_lookup (s->servers, g_ptr_array_index (lane->servers, i));
		if (g_queue_peek_head (&sv->waiting) != lane || sv->used + lane->share > s->opt->server_connections)
			return FALSE;
	}
	return TRUE;
}

/* Waits until LANE's account may open its connections, and takes them. */
static void
admit (Scan *s, Lane *lane)
{
	if (lane->servers->len == 0)
		return;
	g_mutex_lock (&s->lock);
	while (!admissible (s, lane))
		g_cond_wait (&s->cond, &s->lock);
	for (guint i = 0; i < lane->servers->len; i++) {
		Server *sv = g_hash_table_lookup (s->servers, g_ptr_array_index (lane->servers, i));
		g_queue_pop_head (&sv->waiting);
		sv->used += lane->share;
	}
	g_cond_broadcast (&s->cond);
	g_mutex_unlock (&s->lock);
}

/* Called with the lock held. */
static void
release (Scan *s, Lane *lane)
{
	for (guint i = 0; i < lane->servers->len; i++) {
		Server *sv = g_hash_table_lookup (s->servers, g_ptr_array_index (lane->servers, i));
		sv->used -= lane->share;
	}
	g_ptr_array_set_size (lane->servers, 0);
	g_cond_broadcast (&s->cond);
}

/* ---- producers -------------------------------------------------------------- */

static void
push (Scan *s, Lane *lane, Item *it)
{
	gboolean batch = it->kind == ITEM_BATCH;

	g_mutex_lock (&s->lock);
	/* bounded: wait while this lane is full (the deliverer empties the head
	 * lane as it fills; a later lane waits its turn) */
	while (g_queue_get_length (&lane->items) >= s->max_pending)
		g_cond_wait (&s->cond, &s->lock);
	g_queue_push_tail (&lane->items, it);
	if (it->kind == ITEM_ACCOUNT_END)
		lane->finished = TRUE; /* from here on the deliverer may free LANE */
	g_cond_broadcast (&s->cond);
	g_mutex_unlock (&s->lock);
	if (batch)
		g_thread_pool_push (s->pool, it, NULL);
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

typedef struct {
	Scan *scan;
	Lane *lane;
} Emit;

static void
on_batch (MpBatch *batch, gpointer user_data)
{
	Emit *e = user_data;
	Item *it = event (ITEM_BATCH, e->lane->current_source, batch->folder);

	it->done = FALSE;
	it->batch = batch;
	it->source = e->lane->current_src;
	push (e->scan, e->lane, it);
}

static void
on_notice (const MpFolder *folder, const char *code, const char *detail, gpointer user_data)
{
	Emit *e = user_data;
	Item *it = event (ITEM_NOTICE, e->lane->current_source, folder);

	it->code = g_strdup (code);
	it->detail = g_strdup (detail);
	push (e->scan, e->lane, it);
}

/* The settings of one source: the command line's, with the account's own
 * password or token file where it has one. That file is this account's
 * secret at this account's host (imap-secret.h): *OWN_HOST (the caller
 * frees it) holds the host it is tied to, in place of the run's one host. */
static void
source_settings (Scan *s, const MpAccountSource *as, MpSourceSettings *out, char **own_host)
{
	const MpScanOptions *opt = s->opt;

	if (opt->source_settings)
		*out = *opt->source_settings;
	else
		memset (out, 0, sizeof *out);
	if (opt->server_connections > 0) {
		g_autofree char *key = mp_source_server_key (as->location);
		Server *sv = NULL;
		if (key != NULL) {
			g_mutex_lock (&s->lock);
			sv = g_hash_table_lookup (s->servers, key);
			g_mutex_unlock (&s->lock);
		}
		out->budget = sv ? &sv->budget : NULL;
	}
	/* the account's own secret is its own login, not the admin's */
	if (as->password_file) {
		out->password_file = as->password_file;
		out->oauth2_token_file = NULL;
		out->admin_user = NULL;
	}
	if (as->oauth2_token_file) {
		out->oauth2_token_file = as->oauth2_token_file;
		out->admin_user = NULL;
	}
	*own_host = NULL;
	if ((as->password_file || as->oauth2_token_file) && as->location != NULL) {
		const char *one[] = { as->location, NULL };
		*own_host = mp_source_secret_host (one);
		out->secret_host = *own_host;
	}
}

static void
read_source (Scan *s, Lane *lane, const MpAccountSource *as)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *own_host = NULL;
	MpSourceSettings settings;
	MpSource *src;
	GPtrArray *folders;
	Emit e = { s, lane };
	Item *it;

	source_settings (s, as, &settings, &own_host);
	src = mp_source_open_with (as->location, &settings, &error);
	if (src == NULL) {
		it = event (ITEM_SOURCE_ERROR, as->location, NULL);
		it->error = g_steal_pointer (&error);
		push (s, lane, it);
		g_atomic_int_inc (&s->sources_failed);
		return;
	}
	g_ptr_array_add (lane->opened, src);
	lane->current_source = src->path;
	lane->current_src = src;
	it = event (ITEM_SOURCE_BEGIN, src->path, NULL);
	it->kind_name = g_strdup (src->ops->name);
	push (s, lane, it);

	folders = src->ops->folders (src, &error);
	if (folders == NULL) {
		it = event (ITEM_SOURCE_ERROR, src->path, NULL);
		it->error = g_steal_pointer (&error);
		push (s, lane, it);
		g_atomic_int_inc (&s->sources_failed);
		return;
	}
	g_ptr_array_add (lane->folder_lists, folders);
	/* what the listing found that is no failure (a folder link leading
	 * out of the source): notices of the source, before its folders */
	for (guint n = 0; src->notices != NULL && n < src->notices->len; n++) {
		const MpBatchNotice *bn = g_ptr_array_index (src->notices, n);
		it = event (ITEM_NOTICE, src->path, NULL);
		it->code = g_strdup (bn->code);
		it->detail = g_strdup (bn->detail);
		push (s, lane, it);
	}
	for (guint f = 0; f < folders->len; f++) {
		const MpFolder *folder = g_ptr_array_index (folders, f);
		/* the one place folders are chosen, for every backend: a folder
		 * left out is never opened (IMAP: never EXAMINEd) */
		g_autofree char *left_out = mp_folder_filter_left_out (s->opt->folder_filter, folder->name);

		if (left_out != NULL) {
			it = event (ITEM_NOTICE, src->path, folder);
			it->code = g_strdup (mp_notice_name (MP_NOTICE_FOLDER_LEFT_OUT));
			it->detail = g_steal_pointer (&left_out);
			push (s, lane, it);
			continue;
		}
		push (s, lane, event (ITEM_FOLDER_BEGIN, src->path, folder));
		if (!src->ops->enumerate (src, folder, on_batch, on_notice, &e, &error)) {
			it = event (ITEM_FOLDER_ERROR, src->path, folder);
			it->error = g_steal_pointer (&error);
			push (s, lane, it);
			g_atomic_int_inc (&s->folders_failed);
		}
		push (s, lane, event (ITEM_FOLDER_END, src->path, folder));
	}
	push (s, lane, event (ITEM_SOURCE_END, src->path, NULL));
}

static void
produce (Scan *s, Lane *lane)
{
	const MpAccount *a = lane->account;

	admit (s, lane);
	lane->result = mp_account_result_new (a->name);
	lane->result->ordinal = a->ordinal;
	for (guint i = 0; i < a->sources->len; i++)
		g_ptr_array_add (lane->result->sources,
		                 g_strdup (((const MpAccountSource *) g_ptr_array_index (a->sources, i))->location));
	push (s, lane, event (ITEM_ACCOUNT_BEGIN, NULL, NULL));
	if (s->opt->account_probe) {
		MpSourceSettings settings;
		MpAccountSource none = { 0 };
		g_autofree char *own_host = NULL;
		source_settings (s, a->sources->len ? g_ptr_array_index (a->sources, 0) : &none, &settings, &own_host);
		s->opt->account_probe (a, &settings, lane->result, s->opt->account_probe_data);
	}
	for (guint i = 0; i < a->sources->len; i++)
		read_source (s, lane, g_ptr_array_index (a->sources, i));
	push (s, lane, event (ITEM_ACCOUNT_END, NULL, NULL));
}

static gpointer
producer (gpointer data)
{
	Scan *s = data;

	for (;;) {
		Lane *lane;
		guint k;

		g_mutex_lock (&s->lock);
		k = s->next_claim;
		if (k >= s->n_accounts) {
			g_mutex_unlock (&s->lock);
			return NULL;
		}
		s->next_claim++;
		lane = g_new0 (Lane, 1);
		lane->account = s->accounts[k];
		g_queue_init (&lane->items);
		lane->opened = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_source_free);
		lane->folder_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
		lane->servers = g_ptr_array_new_with_free_func (g_free);
		enqueue_for_servers (s, lane);
		s->lanes[k] = lane;
		g_cond_broadcast (&s->cond);
		g_mutex_unlock (&s->lock);
		produce (s, lane);
	}
}

/* ---- workers ------------------------------------------------------------------ */

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

static GPrivate analyzer_key = G_PRIVATE_INIT (free_analyzer);

/* ---- delivery (the calling thread) --------------------------------------------- */

static void
deliver_account (Scan *s, guint k)
{
	Lane *lane;

	for (;;) {
		Item *head;

		g_mutex_lock (&s->lock);
		while ((lane = s->lanes[k]) == NULL ||
		       ((head = g_queue_peek_head (&lane->items)) == NULL && !lane->finished) ||
		       (head != NULL && !head->done))
			g_cond_wait (&s->cond, &s->lock);
		if (head == NULL) {
			/* finished and empty: the account is delivered */
			s->lanes[k] = NULL;
			release (s, lane);
			g_mutex_unlock (&s->lock);
			break;
		}
		g_queue_pop_head (&lane->items);
		g_cond_broadcast (&s->cond);
		g_mutex_unlock (&s->lock);
		/* sinks run without the lock: workers and producers go on */
		deliver (s, lane, head);
		item_free (head);
	}
	/* every batch of the account was analyzed and delivered: nothing
	 * points at its sources any more, and its connections are closed */
	lane_free (lane);
}

void
mp_scan_run_accounts (MpAccount *const *accounts, guint n, const MpScanOptions *opt, MpScanResult *result)
{
	Scan s = { 0 };
	g_autoptr(GPtrArray) producers = g_ptr_array_new ();
	guint n_producers = MIN (MAX (opt->parallel_accounts, 1), MAX (n, 1));

	memset (result, 0, sizeof *result);
	mp_gmime_init_once ();
	s.opt = opt;
	s.accounts = accounts;
	s.n_accounts = n;
	s.max_pending = MAX (opt->jobs, 1) * 4 + 4;
	s.analyzer_key = &analyzer_key;
	s.lanes = g_new0 (Lane *, MAX (n, 1));
	s.servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) server_free);
	g_mutex_init (&s.lock);
	g_cond_init (&s.cond);
	s.pool = g_thread_pool_new (worker, &s, (gint) MAX (opt->jobs, 1), FALSE, NULL);

	for (guint i = 0; i < n_producers && n > 0; i++)
		g_ptr_array_add (producers, g_thread_new ("mp-producer", producer, &s));
	for (guint k = 0; k < n; k++)
		deliver_account (&s, k);
	for (guint i = 0; i < producers->len; i++)
		g_thread_join (g_ptr_array_index (producers, i));
	/* the workers are parked, not ended: a thread that ends while the
	 * process exits would take its thread-local state (OpenSSL's DRBG and
	 * error queue of the IMAP connections it opened) with it half freed */
	g_thread_pool_set_max_unused_threads (-1);
	g_thread_pool_free (s.pool, FALSE, TRUE);
	result->sources_failed = (guint) g_atomic_int_get (&s.sources_failed);
	result->folders_failed = (guint) g_atomic_int_get (&s.folders_failed);
	g_hash_table_unref (s.servers);
	g_free (s.lanes);
	g_clear_error (&s.batch_error); /* every folder ended: none left */
	g_mutex_clear (&s.lock);
	g_cond_clear (&s.cond);
}

void
mp_scan_run (const char *const *sources, const MpScanOptions *opt, MpScanResult *result)
{
	g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);

	for (gsize i = 0; sources[i]; i++) {
		MpAccount *a = mp_account_new (sources[i]);
		mp_account_add_source (a, sources[i]);
		a->ordinal = i;
		g_ptr_array_add (accounts, a);
	}
	mp_scan_run_accounts ((MpAccount *const *) accounts->pdata, accounts->len, opt, result);
}
