/* source-imap.c — an IMAP account, audited where it lives, read-only.
 *
 * imaps://USER@HOST[:PORT][/FOLDER] or imap://USER@HOST[:PORT][/FOLDER]
 * (STARTTLS). Metadata first: the producer lists the folders and, per
 * folder, the UIDs (UID FETCH 1:* (UID)); workers fetch
 *   UID FETCH set (UID RFC822.SIZE INTERNALDATE FLAGS BODYSTRUCTURE ENVELOPE)
 * for batches of UIDs over a small pool of connections (--connections), and
 * fill each MpMessage with the same definitions as a local copy: size is
 * RFC822.SIZE (RFC 3501 §2.3.4), attachments come from BODYSTRUCTURE through
 * mp_part_classify() (imap-bodystructure.c), date, subject, From and
 * Message-ID from ENVELOPE (source-imap-envelope.c).
 *
 * Content only where a rule needs it: the sections that can hold a line
 * over the line-length limit, and attached archives (imap-content-plan.h),
 * by pipelined UID FETCH ... BODY.PEEK[section], streamed
 * (source-imap-content.h); the whole message only when nothing smaller can
 * answer. Each message says what was downloaded (MpMessage.fetched).
 *
 * Read-only by construction (RFC 3501 §6.3.2): folders are opened with
 * EXAMINE, never SELECT, and no FETCH item sets \Seen (the client refuses
 * BODY[], RFC822 and RFC822.TEXT). A dropped connection is reopened and the
 * batch resumes with the UIDs not yet received, a bounded number of times. */
#include "source.h"
#include "imap-bodystructure.h"
#include "imap-client.h"
#include "imap-secret.h"
#include "source-imap-content.h"
#include "source-imap-envelope.h"
#include "archive-list.h"
#include "mime-analyze.h"

#include <string.h>

#define UIDS_PER_BATCH    500
#define MAX_RETRIES       3
#define DEFAULT_POOL_SIZE 4

typedef struct {
	MpImapClient        *client;
	char                *examined; /* the folder this connection has open, raw name */
	MpImapContentStream *stream;   /* where its BODY[...] literals go */
} Conn;

typedef struct {
	MpImapUrl            url;
	MpImapClientOptions  options;
	char                *password; /* secret: mp_imap_secret_free */
	char                *token;    /* secret */
	/* the pool of connections workers share */
	GMutex               lock;
	GCond                cond;
	GQueue               idle;     /* Conn* */
	guint                open;     /* connections alive, idle or in use */
	guint                max_open;
	guint                budget_taken; /* connections beyond the first, taken from the server's budget */
	const MpConnectionBudget *budget;  /* NULL: no bound */
	gboolean             ready;    /* set up: URL, secret, and a first connection that proved them */
	MpImapContentNeeds   needs;
	gboolean             content;  /* some rule needs content */
	gboolean             estimate_noticed;
} Imap;

static gboolean
imap_probe (const char *path)
{
	return g_str_has_prefix (path, "imap://") || g_str_has_prefix (path, "imaps://");
}

static void
conn_free (Conn *c)
{
	if (c == NULL)
		return;
	if (c->client && !mp_imap_client_is_broken (c->client))
		mp_imap_client_logout (c->client);
	g_clear_pointer (&c->client, mp_imap_client_free);
	mp_imap_content_stream_free (c->stream);
	g_free (c->examined);
	g_free (c);
}

static void
imap_close (MpSource *src)
{
	Imap *im = src->priv;
	Conn *c;

	if (im == NULL)
		return;
	while ((c = g_queue_pop_head (&im->idle)) != NULL)
		conn_free (c);
	for (; im->budget_taken > 0; im->budget_taken--)
		im->budget->give_back (im->budget->budget);
	mp_imap_secret_free (im->password);
	mp_imap_secret_free (im->token);
	mp_imap_url_clear (&im->url);
	g_mutex_clear (&im->lock);
	g_cond_clear (&im->cond);
	g_free (im);
	src->priv = NULL;
}

static void
on_alert (const char *url, const char *text, gpointer user_data)
{
	/* RFC 3501 §7.1: an ALERT must be shown to the user */
	g_printerr ("mailpreflight: %s: server alert: %s\n", url, text);
}

static Conn *
conn_open (Imap *im, GError **error)
{
	g_autoptr(MpImapContentStream) stream = mp_imap_content_stream_new ();
	MpImapClientOptions options = im->options;
	MpImapParserSettings parser;
	g_autoptr(MpImapClient) client = NULL;
	Conn *c;

	/* each connection streams its own BODY[...] literals */
	mp_imap_parser_settings_init (&parser);
	mp_imap_content_stream_attach (stream, &parser);
	options.parser_settings = &parser;
	client = mp_imap_client_new (&im->url, &options);
	if (!mp_imap_client_connect (client, error) ||
	    !mp_imap_client_authenticate (client, im->password, im->token, error))
		return NULL;
	c = g_new0 (Conn, 1);
	c->client = g_steal_pointer (&client);
	c->stream = g_steal_pointer (&stream);
	return c;
}

/* Microsoft Exchange's RFC822.SIZE is an estimate (TARGET-LIMITS.md): its
 * greeting says "The Microsoft Exchange IMAP4 service is ready." */
static gboolean
size_is_estimate (const MpImapClient *c)
{
	const char *g = mp_imap_client_get_greeting (c);

	return g != NULL && strstr (g, "Microsoft Exchange") != NULL;
}

/* Sets up the account: URL, options, the secret, and one connection that
 * proves them (so a wrong password fails the source, not every batch). */
static Imap *
imap_setup (MpSource *src, GError **error)
{
	Imap *im = src->priv;

	Conn *first;

	if (im != NULL) {
		if (!im->ready)
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "%s: not connected", src->path);
		return im->ready ? im : NULL;
	}
	im = g_new0 (Imap, 1);
	g_mutex_init (&im->lock);
	g_cond_init (&im->cond);
	g_queue_init (&im->idle);
	src->priv = im;
	if (!mp_imap_url_parse (src->path, &im->url, error))
		return NULL;
	im->options.ca_file = src->settings.ca_file;
	im->options.insecure_skip_verify = src->settings.insecure_skip_verify;
	im->options.allow_plaintext = src->settings.allow_plaintext;
	im->options.timeout_ms = src->settings.timeout_ms;
	im->options.alert_func = on_alert;
	im->max_open = src->settings.connections ? src->settings.connections : DEFAULT_POOL_SIZE;
	im->budget = src->settings.budget;
	if (src->settings.admin_user) {
		/* one admin credential for every account (imap-sasl.h) */
		im->options.admin.user = src->settings.admin_user;
		im->options.admin.form = src->settings.admin_separator ? MP_IMAP_ADMIN_SEPARATOR
		                                                       : MP_IMAP_ADMIN_AUTHZID;
		im->options.admin.separator = src->settings.admin_separator;
		if ((im->password = mp_imap_admin_password_get (src->settings.admin_password_file,
		                                                error)) == NULL)
			return NULL;
	} else if (src->settings.oauth2_token_file) {
		if ((im->token = mp_imap_token_read (src->settings.oauth2_token_file, error)) == NULL)
			return NULL;
	} else if ((im->password = mp_imap_password_get (src->settings.password_file,
	                                                 src->settings.interactive, error)) == NULL) {
		return NULL;
	}
	if ((first = conn_open (im, error)) == NULL)
		return NULL;
	im->needs.line_limit = src->settings.line_limit;
	/* the protocol fetches what the payload side says is an archive */
	im->needs.attachment_wanted = src->settings.list_archives ? mp_archive_is_candidate : NULL;
	im->needs.size_exact = !size_is_estimate (first->client);
	im->needs.size_limits = src->settings.size_limits;
	im->needs.n_size_limits = MIN (src->settings.n_size_limits, (guint) MP_MAX_SIZE_LIMITS);
	im->content = !src->settings.metadata_only &&
	              (im->needs.line_limit > 0 || im->needs.attachment_wanted != NULL ||
	               (!im->needs.size_exact && im->needs.n_size_limits > 0));
	/* the first connection joins the pool: the producer (LIST, EXAMINE,
	 * the UIDs) and the workers share --connections connections, so a
	 * small account needs one connection, not one for each side */
	g_queue_push_tail (&im->idle, first);
	im->open = 1;
	im->ready = TRUE;
	return im;
}

static Conn *pool_acquire (Imap *im, GError **error);
static void  pool_release (Imap *im, Conn *c);

/* ---- folders ------------------------------------------------------------- */

static gboolean
is_virtual (const MpImapFolder *f)
{
	/* RFC 6154: \All and \Flagged hold messages of other folders (Gmail's
	 * All Mail, Starred); counting them would count mail twice */
	return (f->special_use & (MP_SPECIAL_USE_ALL | MP_SPECIAL_USE_FLAGGED)) != 0;
}

static char *
display_name (const MpImapFolder *f)
{
	/* folders are shown '/'-separated whatever the server's delimiter */
	g_autofree char *name = g_strdup (f->display);

	if (f->delimiter && f->delimiter != '/')
		g_strdelimit (name, (char[]) { f->delimiter, '\0' }, '/');
	return g_steal_pointer (&name);
}

static GPtrArray *
imap_folders (MpSource *src, GError **error)
{
	Imap *im = imap_setup (src, error);
	g_autoptr(GPtrArray) list = NULL;
	GPtrArray *folders;
	Conn *c;

	if (im == NULL || (c = pool_acquire (im, error)) == NULL)
		return NULL;
	list = mp_imap_client_list (c->client, error);
	pool_release (im, c);
	if (list == NULL)
		return NULL;
	folders = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_free);
	for (guint i = 0; i < list->len; i++) {
		const MpImapFolder *f = g_ptr_array_index (list, i);
		g_autofree char *shown = NULL;

		if (f->noselect || is_virtual (f))
			continue;
		shown = display_name (f);
		/* imap://user@host/Folder audits that folder only */
		if (im->url.folder && strcmp (shown, im->url.folder) != 0 && strcmp (f->name, im->url.folder) != 0)
			continue;
		/* MpFolder.path holds the raw (modified UTF-7) name for commands */
		MpFolder *folder = mp_folder_new (shown, f->name);
		folder->special_use = f->special_use;
		g_ptr_array_add (folders, folder);
	}
	if (im->url.folder && folders->len == 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_NOT_FOUND, "%s: no folder '%s' on the server",
		             im->url.display, im->url.folder);
		g_ptr_array_unref (folders);
		return NULL;
	}
	return folders;
}

/* ---- enumerate: the UIDs of a folder, in batches ------------------------- */

static gboolean
collect_uid (guint64 seq, const MpImapValue *msg_att, gpointer user_data, GError **error)
{
	GArray *uids = user_data;
	const MpImapValue *v = mp_imap_value_lookup (msg_att, "UID");
	guint64 uid;

	if (v != NULL && mp_imap_value_get_number (v, &uid) && uid > 0 && uid <= G_MAXUINT32) {
		guint32 u = (guint32) uid;
		g_array_append_val (uids, u);
	}
	return TRUE;
}

static int
compare_uid (gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

	return x < y ? -1 : x > y;
}

static gboolean
examine (Conn *c, const char *folder, MpImapMailboxInfo *info, GError **error)
{
	MpImapMailboxInfo local;

	if (c->examined && strcmp (c->examined, folder) == 0 && info == NULL)
		return TRUE;
	if (!mp_imap_client_examine (c->client, folder, info ? info : &local, error)) {
		g_clear_pointer (&c->examined, g_free);
		return FALSE;
	}
	g_free (c->examined);
	c->examined = g_strdup (folder);
	return TRUE;
}

static gboolean
imap_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit, MpNoticeFunc notice,
                gpointer user_data, GError **error)
{
	Imap *im = imap_setup (src, error);
	g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
	MpImapMailboxInfo info = { 0 };
	MpBatch *batch = NULL;
	Conn *c;
	gboolean ok;

	if (im == NULL || (c = pool_acquire (im, error)) == NULL)
		return FALSE;
	/* errors name no folder: the scan's folder_error does (report.c) */
	if (!examine (c, folder->path, &info, error)) {
		pool_release (im, c);
		return FALSE;
	}
	/* the UIDs only (a few bytes per message), then batches of them: a
	 * worker's batch is a UID set, so a reconnect resumes where it stopped */
	ok = info.exists == 0 || mp_imap_client_uid_fetch (c->client, "1:*", "(UID)", collect_uid, uids, error);
	/* given back before the batches go out: a worker may need it (with
	 * --connections 1 it is the only one) while the scan's queue is full */
	pool_release (im, c);
	if (!ok)
		return FALSE;
	if (!im->needs.size_exact && !im->estimate_noticed) {
		im->estimate_noticed = TRUE;
		notice (folder, "size-estimated",
		        "the server is Microsoft Exchange, whose RFC822.SIZE is an estimate: sizes within 2% of "
		        "a size limit are measured on the whole message (problem size-measured), others may be "
		        "off by a few percent; line lengths are measured on whole messages", user_data);
	}
	if (info.exists == 0)
		return TRUE;
	g_array_sort (uids, compare_uid);
	for (guint i = 0; i < uids->len; i++) {
		guint32 uid = g_array_index (uids, guint32, i);
		MpMessageWhere where = { uid, 0, NULL };
		MpMessage *m = mp_message_new ();

		m->folder = g_strdup (folder->name);
		m->locator = g_strdup_printf ("UID %u", uid);
		m->index = i + 1;
		if (batch == NULL)
			batch = mp_batch_new (folder);
		mp_batch_add (batch, m, &where);
		if (batch->messages->len == UIDS_PER_BATCH)
			emit (g_steal_pointer (&batch), user_data);
	}
	if (batch != NULL)
		emit (batch, user_data);
	return TRUE;
}

/* ---- analyze: fetch a batch's metadata ------------------------------------ */

/* A new connection costs a TCP and TLS handshake and a login, a small
 * batch one round trip: before the pool grows, a busy connection is waited
 * for this long. A large account's batches keep every connection busy
 * longer, and its pool grows; a small account's stays at one. */
#define GROW_AFTER_US (100 * 1000)

/* May the pool open one more connection? Called with the lock held. */
static gboolean
may_grow (Imap *im)
{
	const MpConnectionBudget *b = im->budget;

	if (im->open >= im->max_open)
		return FALSE;
	if (im->open == 0 || b == NULL)
		return TRUE; /* the first was given to the account when it began */
	if (!b->try_take (b->budget))
		return FALSE;
	im->budget_taken++;
	return TRUE;
}

static Conn *
pool_acquire (Imap *im, GError **error)
{
	gint64 grow_at = g_get_monotonic_time () + GROW_AFTER_US;
	gboolean took = FALSE;
	Conn *c;

	g_mutex_lock (&im->lock);
	for (;;) {
		if (!g_queue_is_empty (&im->idle))
			break;
		if (im->open == 0 || g_get_monotonic_time () >= grow_at) {
			guint before = im->budget_taken;
			if (may_grow (im)) {
				took = im->budget_taken != before;
				break;
			}
		}
		/* wait for a connection to come back, or the time to grow */
		if (im->open > 0 && g_get_monotonic_time () < grow_at)
			g_cond_wait_until (&im->cond, &im->lock, grow_at);
		else
			g_cond_wait (&im->cond, &im->lock);
	}
	c = g_queue_pop_head (&im->idle);
	if (c == NULL)
		im->open++;
	g_mutex_unlock (&im->lock);
	if (c != NULL)
		return c;
	if ((c = conn_open (im, error)) == NULL) {
		g_mutex_lock (&im->lock);
		im->open--;
		if (took) {
			im->budget_taken--;
			im->budget->give_back (im->budget->budget);
		}
		g_cond_signal (&im->cond);
		g_mutex_unlock (&im->lock);
	}
	return c;
}

static void
pool_release (Imap *im, Conn *c)
{
	gboolean broken = mp_imap_client_is_broken (c->client);

	if (broken)
		conn_free (c);
	g_mutex_lock (&im->lock);
	if (broken) {
		im->open--;
		/* the first connection's place is the account's own; the others
		 * go back to the server's budget */
		if (im->budget_taken > 0 && im->open <= im->budget_taken) {
			im->budget_taken--;
			im->budget->give_back (im->budget->budget);
		}
	} else {
		g_queue_push_tail (&im->idle, c);
	}
	g_cond_signal (&im->cond);
	g_mutex_unlock (&im->lock);
}

typedef struct {
	MpBatch    *batch;
	GHashTable *by_uid;  /* uid -> index + 1 */
	gboolean   *filled;
	guint       retries; /* reconnects so far, reported on what they fetched */
	GArray    **regions; /* per message (MpImapRegion), when content is checked */
} FetchCtx;

static gboolean
on_fetch (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	FetchCtx *ctx = user_data;
	const MpImapValue *v;
	guint64 uid, size;
	gpointer slot;
	MpMessage *m;
	guint idx;

	v = mp_imap_value_lookup (att, "UID");
	if (v == NULL || !mp_imap_value_get_number (v, &uid) ||
	    (slot = g_hash_table_lookup (ctx->by_uid, GUINT_TO_POINTER ((guint) uid))) == NULL)
		return TRUE; /* unsolicited FETCH (flag changes): not ours */
	idx = GPOINTER_TO_UINT (slot) - 1;
	if (ctx->filled[idx])
		return TRUE;
	m = g_ptr_array_index (ctx->batch->messages, idx);
	ctx->filled[idx] = TRUE;

	/* RFC822.SIZE: the RFC 5322 octets (DEFINITIONS.md). Exchange reports
	 * an estimate: the source's notice size-estimated says so. */
	v = mp_imap_value_lookup (att, "RFC822.SIZE");
	if (v != NULL && mp_imap_value_get_number (v, &size))
		m->size = size;
	else
		mp_message_add_problem (m, MP_PROBLEM_MISSING_SIZE, NULL);
	mp_imap_envelope_apply (m, mp_imap_value_lookup (att, "ENVELOPE"),
	                        mp_imap_value_lookup (att, "INTERNALDATE"));
	v = mp_imap_value_lookup (att, "FLAGS");
	if (v != NULL && mp_imap_value_is_list (v)) {
		m->read_state = MP_READ_UNSEEN;
		for (guint i = 0; i < mp_imap_value_get_n_children (v); i++)
			if (mp_imap_value_is_atom (mp_imap_value_get_child (v, i), "\\Seen"))
				m->read_state = MP_READ_SEEN;
	}
	v = mp_imap_value_lookup (att, "BODYSTRUCTURE");
	if (v != NULL)
		mp_imap_bodystructure_analyze_regions (v, m, ctx->regions ? ctx->regions[idx] : NULL,
		                                       mp_mime_decode_header_text);
	else
		mp_message_add_problem (m, MP_PROBLEM_MISSING_BODYSTRUCTURE, NULL);
	if (ctx->retries > 0)
		mp_message_add_problem (m, MP_PROBLEM_FETCHED_AFTER_RECONNECT, NULL);
	return TRUE;
}

/* One attempt's work on a pooled connection that has the batch's folder
 * open; *NOTHING_LEFT when there was nothing to do (nothing is then sent). */
typedef void (*ConnWork) (Conn *c, gpointer data, gboolean *nothing_left, GError **error);

/* Runs WORK for BATCH until it has nothing left, on connections from the
 * pool. A dropped connection (MP_ERROR_READ) is reopened with back-off (1 s,
 * 2 s, 4 s) at most MAX_RETRIES times; a refusal (MP_ERROR_FAILED: folder
 * gone) will not get better and ends it. Returns the last error (or NULL);
 * *RETRIES counts the reconnects. */
static GError *
with_retries (Imap *im, const MpBatch *batch, ConnWork work, gpointer data, guint *retries)
{
	GError *last_error = NULL;

	for (guint attempt = 0; attempt <= MAX_RETRIES; attempt++) {
		g_autoptr(GError) error = NULL;
		gboolean nothing_left = FALSE;
		Conn *c;

		if (attempt > 0) {
			g_usleep ((gulong) G_USEC_PER_SEC << (attempt - 1));
			(*retries)++;
		}
		c = pool_acquire (im, &error);
		if (c != NULL) {
			if (examine (c, batch->folder->path, NULL, &error))
				work (c, data, &nothing_left, &error);
			pool_release (im, c);
		}
		if (error == NULL || nothing_left) {
			g_clear_error (&last_error);
			break;
		}
		g_clear_error (&last_error);
		last_error = g_steal_pointer (&error);
		if (last_error->code != MP_ERROR_READ)
			break;
	}
	return last_error;
}

/* "3:7,9,12:13" from the UIDs of BATCH not yet FILLED. */
static char *
missing_uid_set (const MpBatch *batch, const gboolean *filled)
{
	GString *set = g_string_new (NULL);
	guint i = 0;

	while (i < batch->messages->len) {
		guint j;
		guint64 first, last;
		if (filled[i]) {
			i++;
			continue;
		}
		first = last = g_array_index (batch->where, MpMessageWhere, i).start;
		for (j = i + 1; j < batch->messages->len && !filled[j] &&
		     g_array_index (batch->where, MpMessageWhere, j).start == last + 1; j++)
			last++;
		if (set->len)
			g_string_append_c (set, ',');
		if (first == last)
			g_string_append_printf (set, "%" G_GUINT64_FORMAT, first);
		else
			g_string_append_printf (set, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, first, last);
		i = j;
	}
	return g_string_free (set, set->len == 0);
}

/* ---- content checks: the sections the rules need ------------------------ */

typedef struct {
	MpImapContentPlan plan;
	gboolean          pending;       /* to be fetched in this round */
	gboolean          header_came;
	guint64           header_octets;
} Want;

typedef struct {
	MpBatch      *batch;
	GHashTable   *by_uid;
	GArray      **regions;
	Want         *want;
	const MpImapContentNeeds *needs;
	MpImapContentStream *stream; /* the connection's */
} ContentCtx;

static gboolean
on_content (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	ContentCtx *ctx = user_data;
	const MpImapValue *v = mp_imap_value_lookup (att, "UID");
	gpointer slot = NULL;
	guint64 uid;
	guint idx;

	if (v == NULL || !mp_imap_value_get_number (v, &uid) ||
	    (slot = g_hash_table_lookup (ctx->by_uid, GUINT_TO_POINTER ((guint) uid))) == NULL ||
	    !ctx->want[GPOINTER_TO_UINT (slot) - 1].pending) {
		/* not ours (a flag update), or a second answer: drop what it streamed */
		mp_imap_content_stream_drop (ctx->stream, att);
		return TRUE;
	}
	idx = GPOINTER_TO_UINT (slot) - 1;
	ctx->want[idx].pending = FALSE;
	{
		guint64 header = G_MAXUINT64;
		mp_imap_content_apply (ctx->stream, att, g_ptr_array_index (ctx->batch->messages, idx),
		                       ctx->regions[idx], ctx->needs, &header);
		if (header != G_MAXUINT64) {
			ctx->want[idx].header_came = TRUE;
			ctx->want[idx].header_octets = header;
		}
	}
	return TRUE;
}

static void
content_work (Conn *c, gpointer data, gboolean *nothing_left, GError **error)
{
	ContentCtx *ctx = data;
	const MpBatch *batch = ctx->batch;
	g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

	for (guint i = 0; i < batch->messages->len; i++) {
		if (!ctx->want[i].pending)
			continue;
		g_ptr_array_add (sets, g_strdup_printf ("%" G_GUINT64_FORMAT,
		                                        g_array_index (batch->where, MpMessageWhere, i).start));
		g_ptr_array_add (items, mp_imap_content_plan_items (&ctx->want[i].plan));
	}
	if ((*nothing_left = sets->len == 0))
		return;
	ctx->stream = c->stream;
	mp_imap_content_stream_set_active (c->stream, TRUE, ctx->needs->attachment_wanted != NULL);
	mp_imap_client_uid_fetch_many (c->client, sets->len, (const char *const *) sets->pdata,
	                               (const char *const *) items->pdata, on_content, ctx, error);
	mp_imap_content_stream_set_active (c->stream, FALSE, FALSE);
	ctx->stream = NULL;
}

/* Fetches what the pending wants of BATCH need, pipelined on one connection,
 * with the same bounded retries as the metadata. */
static void
fetch_content (Imap *im, ContentCtx *ctx)
{
	MpBatch *batch = ctx->batch;
	guint retries = 0;
	g_autoptr(GError) last_error = with_retries (im, batch, content_work, ctx, &retries);

	for (guint i = 0; i < batch->messages->len; i++) {
		if (!ctx->want[i].pending)
			continue;
		ctx->want[i].pending = FALSE;
		mp_message_add_problem (g_ptr_array_index (batch->messages, i), MP_PROBLEM_CONTENT_UNREADABLE,
		                        last_error ? last_error->message
		                                   : "the server sent no content (expunged meanwhile?)");
	}
}

static void
check_content (Imap *im, MpBatch *batch, GHashTable *by_uid, GArray **regions, const gboolean *filled)
{
	guint n = batch->messages->len;
	ContentCtx ctx = { batch, by_uid, regions, g_new0 (Want, n), &im->needs, NULL };
	guint count = 0;

	for (guint i = 0; i < n; i++) {
		MpMessage *m = g_ptr_array_index (batch->messages, i);
		if (filled[i] && mp_imap_content_plan (&ctx.want[i].plan, m, regions[i], &im->needs)) {
			ctx.want[i].pending = TRUE;
			count++;
		}
	}
	if (count > 0)
		fetch_content (im, &ctx);

	/* second round: where the header was not enough, the whole message */
	count = 0;
	for (guint i = 0; i < n; i++) {
		Want *w = &ctx.want[i];
		MpMessage *m = g_ptr_array_index (batch->messages, i);
		if (!w->plan.header || w->plan.whole || mp_message_has_problem (m, MP_PROBLEM_CONTENT_UNREADABLE))
			continue;
		if (!w->header_came || w->header_octets > w->plan.rest ||
		    w->plan.rest - w->header_octets > im->needs.line_limit) {
			/* the archive sections came in the first round */
			g_ptr_array_set_size (w->plan.sections, 0);
			w->plan.header = FALSE;
			w->plan.whole = TRUE;
			w->pending = TRUE;
			count++;
		}
	}
	if (count > 0)
		fetch_content (im, &ctx);
	for (guint i = 0; i < n; i++)
		mp_imap_content_plan_clear (&ctx.want[i].plan);
	g_free (ctx.want);
}

static void
metadata_work (Conn *c, gpointer data, gboolean *nothing_left, GError **error)
{
	FetchCtx *ctx = data;
	g_autofree char *set = missing_uid_set (ctx->batch, ctx->filled);

	if ((*nothing_left = set == NULL))
		return;
	mp_imap_client_uid_fetch (c->client, set, "(UID RFC822.SIZE INTERNALDATE FLAGS BODYSTRUCTURE ENVELOPE)",
	                          on_fetch, ctx, error);
}

static void
imap_analyze (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer)
{
	Imap *im = src->priv;
	guint n = batch->messages->len;
	FetchCtx ctx = { batch, g_hash_table_new (g_direct_hash, g_direct_equal),
	                 g_new0 (gboolean, n), 0, NULL };
	g_autoptr(GError) last_error = NULL;

	if (im->content) {
		ctx.regions = g_new0 (GArray *, n);
		for (guint i = 0; i < n; i++) {
			ctx.regions[i] = g_array_new (FALSE, FALSE, sizeof (MpImapRegion));
			g_array_set_clear_func (ctx.regions[i], (GDestroyNotify) mp_imap_region_clear);
		}
	}
	for (guint i = 0; i < n; i++)
		g_hash_table_insert (ctx.by_uid,
		                     GUINT_TO_POINTER ((guint) g_array_index (batch->where, MpMessageWhere, i).start),
		                     GUINT_TO_POINTER (i + 1));

	last_error = with_retries (im, batch, metadata_work, &ctx, &ctx.retries);
	for (guint i = 0; i < n; i++) {
		MpMessage *m = g_ptr_array_index (batch->messages, i);
		if (ctx.filled[i])
			continue;
		if (last_error != NULL) {
			mp_message_add_problem (m, MP_PROBLEM_UNREADABLE, last_error->message);
		} else {
			/* expunged by another client since the UIDs were listed */
			m->skipped = TRUE;
		}
	}
	if (im->content)
		check_content (im, batch, ctx.by_uid, ctx.regions, ctx.filled);
	for (guint i = 0; ctx.regions && i < n; i++)
		g_array_unref (ctx.regions[i]);
	g_free (ctx.regions);
	g_hash_table_unref (ctx.by_uid);
	g_free (ctx.filled);
}

const MpSourceOps mp_source_imap = {
	.name = "imap",
	.probe = imap_probe,
	.folders = imap_folders,
	.enumerate = imap_enumerate,
	.analyze = imap_analyze,
	.close = imap_close,
};
