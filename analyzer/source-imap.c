/* source-imap.c — an IMAP account, audited where it lives, read-only.
 *
 * imaps://USER@HOST[:PORT][/FOLDER] or imap://USER@HOST[:PORT][/FOLDER]
 * (STARTTLS). Metadata first: the producer lists the folders (only the one
 * a URL names) on the first connection, which then joins the pool, and per
 * folder the UIDs (UID SEARCH ALL); workers fetch
 *   UID FETCH set (UID RFC822.SIZE FLAGS BODYSTRUCTURE ENVELOPE)
 * for batches of UIDs, pipelined in commands of UIDS_PER_FETCH, over a small
 * pool of connections (--connections), and fill each MpMessage with the same
 * definitions as a local copy: size is RFC822.SIZE (RFC 3501 §2.3.4),
 * attachments come from BODYSTRUCTURE through mp_part_classify()
 * (imap-bodystructure.c), date, subject, From and Message-ID from ENVELOPE
 * (source-imap-envelope.c); INTERNALDATE, the date of a message without a
 * valid Date:, only for those, and, when activity evidence reads arrival
 * times (MpSourceSettings.arrival_times), for the messages it can use: those
 * marked read, and those filed outside INBOX and the special-use folders.
 *
 * An account's first connection is its own; the pool grows beyond it only
 * when a batch has waited GROW_AFTER_US for one, and each connection beyond
 * it is taken from the server's budget (MpConnectionBudget), shared by every
 * account of the run on that server.
 *
 * Content only where a rule needs it: the sections that can hold a line
 * over the line-length limit, and attached archives (imap-content-plan.h),
 * by pipelined UID FETCH ... BODY.PEEK[section], streamed
 * (source-imap-content.h); the whole message only when nothing smaller can
 * answer. Each message says what was downloaded (MpMessage.fetched).
 *
 * Read-only by construction (RFC 3501 §6.3.2): folders are opened with
 * EXAMINE, never SELECT, and no FETCH item sets \Seen (the client refuses
 * BODY[], RFC822 and RFC822.TEXT).
 *
 * Failures are scoped to the message (issue 14, item 1): a FETCH that
 * breaks the connection (a response over a limit or against the grammar,
 * a server that stops) is reopened and resumed with the messages not yet
 * read, the first of them alone (it is most likely the one that broke it),
 * so a hostile or damaged message costs itself, not its batch; it becomes
 * `unreadable` with the reason, and the scan's verdict says incomplete. */
#include "source.h"
#include "imap-bodystructure.h"
#include "imap-client.h"
#include "imap-secret.h"
#include "source-imap-content.h"
#include "source-imap-envelope.h"
#include "mutf7.h"
#include "archive-list.h"
#include "mime-analyze.h"
#include "notice-codes.h"

#include <string.h>

#define UIDS_PER_BATCH    500
/* Metadata of a batch goes out as pipelined UID FETCHes of this many UIDs
 * (RFC 3501 §5.5): the server works on the next while we read one. */
#define UIDS_PER_FETCH    125
/* Attempts in a row that read nothing and gave nothing up, before the rest
 * of a batch is given up (the server is gone); each after a back-off of
 * 1 s, 2 s, 4 s. */
#define MAX_RETRIES       3
/* A message that breaks the connection alone twice is given up... */
#define TRIES_ALONE       2
/* ...and after this many given up in a row, with nothing read between,
 * the rest of the batch too: a server that breaks every message is not
 * worth a reconnect per message. */
#define MAX_LOST_IN_A_ROW 3

typedef struct {
	MpImapClient        *client;
	char                *examined; /* the folder this connection has open, raw name */
	MpImapContentStream *stream;   /* where its BODY[...] literals go */
	MpEnvelopeCache     *envelopes; /* From lists formatted on it (one thread at a time) */
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
	/* the first connection: it proves the credentials and LISTs, then
	 * joins the pool (every connection costs the server a process, a TLS
	 * handshake and, for a Maildir, reading the folder's index once) */
	Conn                *control;
	gboolean             ready;    /* set up and the credentials proven */
	guint                budget_taken; /* connections beyond the first, taken from the server's budget */
	const MpConnectionBudget *budget;  /* NULL: no bound */
	gboolean             arrival_times; /* activity evidence reads INTERNALDATE */
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
	mp_envelope_cache_free (c->envelopes);
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
	conn_free (im->control);
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
	g_autoptr(MpImapContentStream) stream = mp_imap_content_stream_new (0);
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
	c->envelopes = mp_envelope_cache_new ();
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
	im->options.command_timeout_ms = src->settings.command_timeout_ms;
	im->options.alert_func = on_alert;
	im->max_open = src->settings.connections ? src->settings.connections : MP_DEFAULT_CONNECTIONS;
	im->budget = src->settings.budget;
	im->arrival_times = src->settings.arrival_times;
	if (src->settings.admin_user) {
		/* one admin credential for every account (imap-sasl.h) */
		im->options.admin.user = src->settings.admin_user;
		im->options.admin.form = src->settings.admin_separator ? MP_IMAP_ADMIN_SEPARATOR
		                                                       : MP_IMAP_ADMIN_AUTHZID;
		im->options.admin.separator = src->settings.admin_separator;
		if ((im->password = mp_imap_admin_password_get (&im->url, src->settings.secret_host,
		                                                src->settings.admin_password_file,
		                                                error)) == NULL)
			return NULL;
	} else {
		/* the secret of this account at this host (imap-secret.h: one
		 * given for the run goes to the run's one host only) */
		MpImapSecretOptions so = {
			.password_file = src->settings.password_file,
			.token_file = src->settings.oauth2_token_file,
			.host = src->settings.secret_host,
			.interactive = src->settings.interactive,
			.password_env = src->settings.password_env,
			.password_option = src->settings.password_option,
		};
		if (!mp_imap_secret_for (&im->url, &so, &im->password, &im->token, error))
			return NULL;
	}
	if ((im->control = conn_open (im, error)) == NULL)
		return NULL;
	im->needs.line_limit = src->settings.line_limit;
	/* the protocol fetches what the payload side says is an archive */
	im->needs.attachment_wanted = src->settings.list_archives ? mp_archive_is_candidate : NULL;
	im->needs.size_exact = !size_is_estimate (im->control->client);
	im->needs.size_limits = src->settings.size_limits;
	im->needs.n_size_limits = MIN (src->settings.n_size_limits, (guint) MP_MAX_SIZE_LIMITS);
	im->content = !src->settings.metadata_only &&
	              (im->needs.line_limit > 0 || im->needs.attachment_wanted != NULL ||
	               (!im->needs.size_exact && im->needs.n_size_limits > 0));
	im->ready = TRUE;
	return im;
}

/* The first connection joins the pool once its LIST is done: the folders
 * are opened there and on the others alike. */
static void
pool_adopt_control (Imap *im)
{
	g_mutex_lock (&im->lock);
	if (im->control != NULL) {
		g_queue_push_head (&im->idle, g_steal_pointer (&im->control));
		im->open++;
		g_cond_signal (&im->cond);
	}
	g_mutex_unlock (&im->lock);
}

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

/* The LIST pattern for the folder the URL names ("Archive/2019"): each
 * level in modified UTF-7, "*" where the delimiter goes (it may not be
 * "/"), so the server lists that folder and few others; NULL for all. */
static char *
folder_pattern (const char *folder)
{
	g_auto(GStrv) levels = NULL;

	if (folder == NULL)
		return NULL;
	levels = g_strsplit (folder, "/", -1);
	for (guint i = 0; levels[i] != NULL; i++) {
		char *enc = mp_mutf7_encode (levels[i]);
		g_free (levels[i]);
		levels[i] = enc;
	}
	return g_strjoinv ("*", levels);
}

/* INBOX first, then by name: the order a Maildir lists its folders in. A
 * server's LIST order is its own and may change from one session to the
 * next (Dovecot's follows its directory and index), and the reports list
 * folders in the source's order: so that two runs over one account (a
 * sharded run and its merge, issue 18) say the same thing the same way. */
static gint
folder_order (gconstpointer a, gconstpointer b)
{
	const MpFolder *x = *(const MpFolder *const *) a, *y = *(const MpFolder *const *) b;
	gboolean xi = g_ascii_strcasecmp (x->path, "INBOX") == 0, yi = g_ascii_strcasecmp (y->path, "INBOX") == 0;

	if (xi != yi)
		return xi ? -1 : 1;
	return strcmp (x->name, y->name);
}

static GPtrArray *
imap_folders (MpSource *src, GError **error)
{
	Imap *im = imap_setup (src, error);
	g_autoptr(GPtrArray) list = NULL;
	g_autofree char *pattern = NULL;
	GPtrArray *folders;

	if (im == NULL)
		return NULL;
	if (im->control == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "%s: folders listed twice", src->path);
		return NULL;
	}
	/* LIST without STATUS: STATUS would open every folder listed */
	pattern = folder_pattern (im->url.folder);
	list = mp_imap_client_list_pattern (im->control->client, pattern ? pattern : "*", error);
	if (list != NULL && pattern != NULL && list->len == 0) {
		/* the name as the server spells it ("INBOX.Sent", "Entw&APw-rfe") */
		g_clear_pointer (&list, g_ptr_array_unref);
		list = mp_imap_client_list_pattern (im->control->client, "*", error);
	}
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
	g_ptr_array_sort (folders, folder_order);
	pool_adopt_control (im);
	return folders;
}

/* ---- enumerate: the UIDs of a folder, in batches ------------------------- */

/* RFC 3501 §2.3.1.1: a UID is a 32-bit number above 0. Anything else is a
 * server error, never mapped onto another message (issue 14, item 10). */
static gboolean
uid_of (const MpImapValue *msg_att, guint32 *out, GError **error)
{
	const MpImapValue *v = mp_imap_value_lookup (msg_att, "UID");
	guint64 uid;

	if (v == NULL || !mp_imap_value_get_number (v, &uid))
		return FALSE;
	if (uid == 0 || uid > G_MAXUINT32) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ,
		             "the server sent UID %" G_GUINT64_FORMAT ", which is no UID (RFC 3501: 1 to 4294967295)",
		             uid);
		return FALSE;
	}
	*out = (guint32) uid;
	return TRUE;
}

static gboolean
collect_uid (guint64 seq, const MpImapValue *msg_att, gpointer user_data, GError **error)
{
	GArray *uids = user_data;
	g_autoptr(GError) local = NULL;
	guint32 uid;

	if (uid_of (msg_att, &uid, &local)) {
		g_array_append_val (uids, uid);
		return TRUE;
	}
	if (local != NULL) {
		g_propagate_error (error, g_steal_pointer (&local));
		return FALSE;
	}
	return TRUE; /* a FETCH without UID: a flag update, not ours */
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

typedef struct {
	GArray  *uids;
	gboolean truncated;
} SearchCtx;

/* "* SEARCH 3 4 7" (RFC 3501 §7.2.5): the UIDs of UID SEARCH ALL. */
static gboolean
collect_search (const MpImapResponse *r, gpointer user_data, GError **error)
{
	SearchCtx *ctx = user_data;
	const MpImapValue *data = mp_imap_response_get_data (r);
	guint n = mp_imap_value_get_n_children (data);

	if (!mp_imap_value_is_atom (mp_imap_value_get_child (data, 0), "SEARCH"))
		return TRUE;
	ctx->truncated |= mp_imap_response_is_truncated (r);
	for (guint i = 1; i < n; i++) {
		guint64 uid;
		guint32 u;
		if (!mp_imap_value_get_number (mp_imap_value_get_child (data, i), &uid) || uid == 0 || uid > G_MAXUINT32) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "the server's SEARCH answer holds something that is no "
			             "UID (RFC 3501: 1 to 4294967295)");
			return FALSE;
		}
		u = (guint32) uid;
		g_array_append_val (ctx->uids, u);
	}
	return TRUE;
}

static Conn *pool_acquire (Imap *im, GError **error);
static void  pool_release (Imap *im, Conn *c);

/* EXAMINEs FOLDER on a pooled connection (left open there for the batches)
 * and lists its UIDs, sorted. */
static gboolean
list_uids (Imap *im, const MpFolder *folder, MpImapMailboxInfo *info, GArray *uids, GError **error)
{
	Conn *c = pool_acquire (im, error);
	gboolean ok;

	if (c == NULL)
		return FALSE;
	ok = examine (c, folder->path, info, error);
	/* the UIDs only (a few bytes per message), then batches of them: a
	 * worker's batch is a UID set, so a reconnect resumes where it stopped.
	 * UID SEARCH ALL is one line (Dovecot: 3 ms for 5,000 messages, where
	 * a FETCH per message takes 30); one too long to hold (the parser's
	 * limits, 300,000 values) falls back to UID FETCH 1:* (UID), which the
	 * client bounds at EXISTS plus slack responses, not an endless list */
	if (ok && info->exists > 0) {
		SearchCtx sc = { uids, FALSE };
		g_autoptr(GError) refused = NULL;
		ok = mp_imap_client_command (c->client, "UID SEARCH ALL", collect_search, &sc, &refused);
		if (!ok && refused->code != MP_ERROR_FAILED) {
			g_propagate_error (error, g_steal_pointer (&refused));
		} else if (!ok || sc.truncated || uids->len > info->exists) {
			/* refused (NO, BAD), cut, or more than the folder holds */
			g_array_set_size (uids, 0);
			ok = mp_imap_client_uid_fetch (c->client, "1:*", "(UID)", collect_uid, uids, error);
		}
	}
	pool_release (im, c);
	return ok;
}

static gboolean
imap_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit, MpNoticeFunc notice,
                gpointer user_data, GError **error)
{
	Imap *im = imap_setup (src, error);
	g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
	MpImapMailboxInfo info = { 0 };
	MpBatch *batch = NULL;
	guint64 n = 0;

	if (im == NULL)
		return FALSE;
	/* errors name no folder: the scan's folder_error does (report.c) */
	if (!list_uids (im, folder, &info, uids, error))
		return FALSE;
	if (!im->needs.size_exact && !im->estimate_noticed) {
		im->estimate_noticed = TRUE;
		notice (folder, mp_notice_name (MP_NOTICE_SIZE_ESTIMATED),
		        "the server is Microsoft Exchange, whose RFC822.SIZE is an estimate: sizes within 2% of "
		        "a size limit are measured on the whole message (problem size-measured), others may be "
		        "off by a few percent; line lengths are measured on whole messages", user_data);
	}
	g_array_sort (uids, compare_uid);
	for (guint i = 0; i < uids->len; i++) {
		guint32 uid = g_array_index (uids, guint32, i);
		MpMessageWhere where = { uid, 0, NULL };
		MpMessage *m;

		/* a UID listed twice is one message */
		if (i > 0 && uid == g_array_index (uids, guint32, i - 1))
			continue;
		m = mp_message_new ();
		m->folder = g_strdup (folder->name);
		m->locator = g_strdup_printf ("UID %u", uid);
		m->index = ++n;
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
		return TRUE; /* the first is the account's own (it LISTed) */
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

/* The index of the message of BATCH with UID, or -1. */
static gint
batch_index (GHashTable *by_uid, guint32 uid)
{
	gpointer slot = g_hash_table_lookup (by_uid, GUINT_TO_POINTER (uid));

	return slot != NULL ? (gint) GPOINTER_TO_UINT (slot) - 1 : -1;
}

/* ---- the messages of a batch, each read once, failures kept to one ------ */

/* What one round of work on a batch is: the messages still to do (TODO()
 * FALSE when message I needs nothing more), the commands for a set of them
 * on a connection that has the folder open (WORK), and giving one up with
 * the reason (GIVE_UP). */
typedef struct {
	gboolean (*todo)    (gpointer data, guint i);
	void     (*work)    (Conn *c, gpointer data, const guint *idx, guint n, GError **error);
	void     (*give_up) (gpointer data, guint i, const char *why);
} Round;

static guint
count_done (const Round *r, gpointer data, const guint *idx, guint n)
{
	guint done = 0;

	for (guint k = 0; k < n; k++)
		done += !r->todo (data, idx[k]);
	return done;
}

/* Runs ROUND for every message of BATCH still to do, on pooled connections.
 * A refusal (a tagged NO/BAD: the server could not give one of them) or a
 * broken connection (MP_ERROR_READ, reopened) is followed by the messages
 * still to do, the first of them alone: so a message that breaks the
 * connection is found and given up alone (after TRIES_ALONE tries), and
 * the others are read (issue 14, item 1). Attempts that make no progress
 * at all back off (1 s, 2 s, 4 s) and after MAX_RETRIES the rest is given
 * up; so is it after MAX_LOST_IN_A_ROW messages given up with nothing read
 * between. *RECONNECTS counts the connections lost. Messages still to do
 * after a successful attempt are left so (the caller knows why: expunged). */
static void
run_round (Imap *im, const MpBatch *batch, const Round *round, gpointer data, guint *reconnects)
{
	guint n = batch->messages->len;
	g_autofree guint *set = g_new (guint, n);
	g_autofree guint8 *alone = g_new0 (guint8, n); /* failed tries alone */
	g_autoptr(GError) last = NULL;
	guint no_progress = 0, lost_in_a_row = 0;
	gint isolate = -1;

	for (;;) {
		g_autoptr(GError) error = NULL;
		guint m = 0, before, after;
		Conn *c;

		gboolean alone_now = isolate >= 0 && round->todo (data, (guint) isolate);
		if (alone_now) {
			set[m++] = (guint) isolate;
		} else {
			for (guint i = 0; i < n; i++)
				if (round->todo (data, i))
					set[m++] = i;
		}
		isolate = -1;
		if (m == 0)
			return;
		if (no_progress > MAX_RETRIES || lost_in_a_row >= MAX_LOST_IN_A_ROW) {
			/* the server is gone, or breaks on everything: give up the rest */
			for (guint i = 0; i < n; i++)
				if (round->todo (data, i))
					round->give_up (data, i, last ? last->message : "the server does not answer");
			return;
		}
		if (no_progress > 0)
			g_usleep ((gulong) G_USEC_PER_SEC << (no_progress - 1));

		before = count_done (round, data, set, m);
		c = pool_acquire (im, &error);
		if (c != NULL) {
			if (examine (c, batch->folder->path, NULL, &error))
				round->work (c, data, set, m, &error);
			pool_release (im, c);
		}
		if (error == NULL) {
			if (alone_now) {
				/* it was not that one: on with the rest */
				no_progress = 0;
				lost_in_a_row = 0;
				continue;
			}
			return; /* what is still to do was not sent by the server */
		}
		after = count_done (round, data, set, m);
		if (error->code == MP_ERROR_READ)
			(*reconnects)++;
		g_clear_error (&last);
		last = g_steal_pointer (&error);

		if (after > before) {
			no_progress = 0;
			lost_in_a_row = 0;
		}
		if (m == 1 && round->todo (data, set[0])) {
			/* the message alone failed: once more, then it is lost */
			if (++alone[set[0]] >= TRIES_ALONE ||
			    (last->domain == MP_ERROR && last->code == MP_ERROR_FAILED)) {
				round->give_up (data, set[0], last->message);
				lost_in_a_row++;
				no_progress = 0;
			} else {
				isolate = (gint) set[0];
				no_progress++;
			}
			continue;
		}
		/* the first still to do is most likely what broke it */
		for (guint k = 0; k < m && isolate < 0; k++)
			if (round->todo (data, set[k]))
				isolate = (gint) set[k];
		if (after == before)
			no_progress++;
	}
}

/* ---- metadata ---- */

typedef struct {
	MpBatch    *batch;
	GHashTable *by_uid;  /* uid -> index + 1 */
	gboolean   *filled;
	gboolean   *lost;    /* given up: unreadable */
	gboolean   *undated; /* INTERNALDATE wanted: no date in its ENVELOPE, or activity evidence */
	guint       retries; /* reconnects so far, reported on what they fetched */
	GArray    **regions; /* per message (MpImapRegion), when content is checked */
	gboolean    arrival_times; /* Imap.arrival_times */
	MpEnvelopeCache *envelopes; /* the connection's, while it reads for this batch */
} FetchCtx;

/* Whether M's arrival time (INTERNALDATE, RFC 3501 §2.3.3) can be activity
 * evidence (DEFINITIONS.md, "Last activity"): a message marked read was read
 * after it arrived (reading), one in a folder the user made was filed
 * there after it arrived (filing). Not in Sent, whose evidence is the Date
 * of what was sent. A server may stat each message file for INTERNALDATE
 * (Dovecot's Maildir), so it is asked for these messages only, not for
 * unread mail in INBOX, Drafts, Trash or Junk (analyzer/accounts/activity.c
 * decides the role by name too: a folder named so without a special-use
 * attribute gets the time it does not use). */
static gboolean
arrival_is_evidence (const MpFolder *folder, const MpMessage *m)
{
	const guint special = MP_SPECIAL_USE_DRAFTS | MP_SPECIAL_USE_TRASH | MP_SPECIAL_USE_JUNK;

	if (folder->special_use & MP_SPECIAL_USE_SENT)
		return FALSE;
	if (m->read_state == MP_READ_SEEN)
		return TRUE;
	return g_ascii_strcasecmp (folder->name, "INBOX") != 0 && (folder->special_use & special) == 0;
}

/* A BODYSTRUCTURE (or the response around it) too large for the parser's
 * limits was cut: its walk counted the parts before the cut, so the
 * message has at least that many (issue 14, item 1: a finding, not a lost
 * batch). */
static void
note_truncated (MpMessage *m, const MpImapValue *bs)
{
	g_autofree char *detail = NULL;

	if (bs != NULL)
		detail = g_strdup_printf ("at least %u MIME parts; the server's description was too large to hold",
		                          m->mime_parts);
	else
		detail = g_strdup ("the server's response was too large to hold before it");
	mp_message_add_problem (m, MP_PROBLEM_BODYSTRUCTURE_TRUNCATED, detail);
}

static gboolean
on_fetch (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	FetchCtx *ctx = user_data;
	const MpImapValue *v;
	guint64 size;
	guint32 uid;
	MpMessage *m;
	gint idx;

	if (!uid_of (att, &uid, error))
		return error == NULL || *error == NULL; /* no UID: a flag update, not ours */
	if ((idx = batch_index (ctx->by_uid, uid)) < 0 || ctx->filled[idx] || ctx->lost[idx])
		return TRUE; /* unsolicited, or a second answer */
	m = g_ptr_array_index (ctx->batch->messages, idx);
	ctx->filled[idx] = TRUE;

	/* RFC822.SIZE: the RFC 5322 octets (DEFINITIONS.md). Exchange reports
	 * an estimate: the source's notice size-estimated says so. */
	v = mp_imap_value_lookup (att, "RFC822.SIZE");
	if (v != NULL && mp_imap_value_get_number (v, &size))
		m->size = size;
	else
		mp_message_add_problem (m, MP_PROBLEM_MISSING_SIZE, NULL);
	mp_imap_envelope_apply_cached (m, mp_imap_value_lookup (att, "ENVELOPE"),
	                               mp_imap_value_lookup (att, "INTERNALDATE"), ctx->envelopes);
	v = mp_imap_value_lookup (att, "FLAGS");
	m->store_flags = TRUE; /* the server keeps the flags, not the headers */
	if (v != NULL && mp_imap_value_is_list (v)) {
		m->read_state = MP_READ_UNSEEN;
		for (guint i = 0; i < mp_imap_value_get_n_children (v); i++) {
			const MpImapValue *flag = mp_imap_value_get_child (v, i);
			if (mp_imap_value_is_atom (flag, "\\Seen"))
				m->read_state = MP_READ_SEEN;
			/* RFC 3501 §2.3.2: marked for removal by a later EXPUNGE,
			 * and until then shown to every client, an importer too */
			else if (mp_imap_value_is_atom (flag, "\\Deleted"))
				m->deleted = MP_DELETED_IMAP;
		}
	}
	v = mp_imap_value_lookup (att, "BODYSTRUCTURE");
	if (v != NULL)
		mp_imap_bodystructure_analyze_regions (v, m, ctx->regions ? ctx->regions[idx] : NULL,
		                                       mp_mime_decode_header_text);
	if (mp_imap_value_is_truncated (v) || (v == NULL && mp_imap_value_is_truncated (att)))
		note_truncated (m, v);
	else if (v == NULL)
		mp_message_add_problem (m, MP_PROBLEM_MISSING_BODYSTRUCTURE, NULL);
	if (ctx->retries > 0)
		mp_message_add_problem (m, MP_PROBLEM_FETCHED_AFTER_RECONNECT, NULL);
	ctx->undated[idx] = m->date_source == MP_DATE_NONE ||
	                    (ctx->arrival_times && arrival_is_evidence (ctx->batch->folder, m));
	return TRUE;
}

/* "3:7,9,12:13" from the UIDs of BATCH at IDX[0..N) (ascending). */
static char *
uid_set (const MpBatch *batch, const guint *idx, guint n)
{
	GString *set = g_string_new (NULL);
	guint i = 0;

	while (i < n) {
		guint64 first = g_array_index (batch->where, MpMessageWhere, idx[i]).start, last = first;
		guint j = i + 1;
		while (j < n && g_array_index (batch->where, MpMessageWhere, idx[j]).start == last + 1) {
			last++;
			j++;
		}
		if (set->len)
			g_string_append_c (set, ',');
		if (first == last)
			g_string_append_printf (set, "%" G_GUINT64_FORMAT, first);
		else
			g_string_append_printf (set, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, first, last);
		i = j;
	}
	return g_string_free (set, FALSE);
}

static gboolean
metadata_todo (gpointer data, guint i)
{
	FetchCtx *ctx = data;

	return !ctx->filled[i] && !ctx->lost[i];
}

static void
metadata_give_up (gpointer data, guint i, const char *why)
{
	FetchCtx *ctx = data;

	ctx->lost[i] = TRUE;
	mp_message_add_problem (g_ptr_array_index (ctx->batch->messages, i), MP_PROBLEM_UNREADABLE, why);
}

/* No INTERNALDATE: it stands in only for a missing or invalid Date:, and
 * a server may stat every message file for it (Dovecot's Maildir: a fifth
 * of its work for these items); the few undated messages get it after, and
 * so do those whose arrival time is activity evidence (arrival_is_evidence). */
#define METADATA_ITEMS "(UID RFC822.SIZE FLAGS BODYSTRUCTURE ENVELOPE)"

static void
metadata_work (Conn *c, gpointer data, const guint *idx, guint n, GError **error)
{
	FetchCtx *ctx = data;
	guint commands = (n + UIDS_PER_FETCH - 1) / UIDS_PER_FETCH;
	g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GPtrArray) items = g_ptr_array_new ();

	/* pipelined: the next FETCH is queued at the server while we read this
	 * one (a window of them, mp_imap_client_uid_fetch_many) */
	for (guint k = 0; k < commands; k++) {
		guint first = k * UIDS_PER_FETCH;
		g_ptr_array_add (sets, uid_set (ctx->batch, idx + first, MIN (UIDS_PER_FETCH, n - first)));
		g_ptr_array_add (items, (gpointer) METADATA_ITEMS);
	}
	ctx->envelopes = c->envelopes;
	mp_imap_client_uid_fetch_many (c->client, commands, (const char *const *) sets->pdata,
	                               (const char *const *) items->pdata, on_fetch, ctx, error);
	ctx->envelopes = NULL;
}

/* ---- the arrival time of messages without a Date ---- */

static gboolean
on_arrival (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	FetchCtx *ctx = user_data;
	guint32 uid;
	gint idx;

	if (!uid_of (att, &uid, error))
		return error == NULL || *error == NULL;
	if ((idx = batch_index (ctx->by_uid, uid)) < 0 || !ctx->undated[idx])
		return TRUE;
	ctx->undated[idx] = FALSE;
	mp_imap_envelope_apply_arrival (g_ptr_array_index (ctx->batch->messages, idx),
	                                mp_imap_value_lookup (att, "INTERNALDATE"));
	return TRUE;
}

static gboolean
arrival_todo (gpointer data, guint i)
{
	FetchCtx *ctx = data;

	return ctx->undated[i];
}

static void
arrival_give_up (gpointer data, guint i, const char *why)
{
	FetchCtx *ctx = data;

	/* an undated message stays so (its missing-date problem says so);
	 * activity evidence goes without this arrival time */
	ctx->undated[i] = FALSE;
}

static void
arrival_work (Conn *c, gpointer data, const guint *idx, guint n, GError **error)
{
	FetchCtx *ctx = data;
	g_autofree char *set = uid_set (ctx->batch, idx, n);

	mp_imap_client_uid_fetch (c->client, set, "(UID INTERNALDATE)", on_arrival, ctx, error);
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
	guint32 uid = 0;
	gint idx = -1;

	if (!uid_of (att, &uid, error)) {
		if (error != NULL && *error != NULL)
			return FALSE;
	} else {
		idx = batch_index (ctx->by_uid, uid);
	}
	if (idx < 0 || !ctx->want[idx].pending) {
		/* not ours (a flag update), or a second answer: drop what it streamed */
		mp_imap_content_stream_drop (ctx->stream, att);
		return TRUE;
	}
	ctx->want[idx].pending = FALSE;
	if (mp_imap_value_is_truncated (att))
		mp_message_add_problem (g_ptr_array_index (ctx->batch->messages, idx), MP_PROBLEM_CONTENT_UNREADABLE,
		                        "the server's response was too large to hold");
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

/* Tells the stream what PLAN asks of message I of BATCH: each section's
 * literal is streamed once, no larger than its size says (issue 14, item
 * 3: a server cannot make us spool what was not asked for). */
static void
expect_content (MpImapContentStream *stream, const MpBatch *batch, guint i, const MpImapContentPlan *plan,
                const GArray *regions, const MpImapContentNeeds *needs)
{
	const MpMessage *m = g_ptr_array_index (batch->messages, i);
	guint64 uid = g_array_index (batch->where, MpMessageWhere, i).start;

	if (plan->whole)
		mp_imap_content_stream_expect (stream, uid, "", mp_imap_content_max_octets (m, regions, "", needs),
		                               FALSE);
	if (plan->header && !plan->whole)
		mp_imap_content_stream_expect (stream, uid, "HEADER",
		                               mp_imap_content_max_octets (m, regions, "HEADER", needs), FALSE);
	for (guint k = 0; plan->sections && k < plan->sections->len; k++) {
		const char *section = g_ptr_array_index (plan->sections, k);
		mp_imap_content_stream_expect (stream, uid, section,
		                               mp_imap_content_max_octets (m, regions, section, needs),
		                               mp_imap_content_section_wanted (m, regions, section, needs));
	}
}

static gboolean
content_todo (gpointer data, guint i)
{
	ContentCtx *ctx = data;

	return ctx->want[i].pending;
}

static void
content_give_up (gpointer data, guint i, const char *why)
{
	ContentCtx *ctx = data;

	ctx->want[i].pending = FALSE;
	mp_message_add_problem (g_ptr_array_index (ctx->batch->messages, i), MP_PROBLEM_CONTENT_UNREADABLE, why);
}

static void
content_work (Conn *c, gpointer data, const guint *idx, guint n, GError **error)
{
	ContentCtx *ctx = data;
	const MpBatch *batch = ctx->batch;
	g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
	g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

	ctx->stream = c->stream;
	mp_imap_content_stream_set_active (c->stream, TRUE);
	for (guint k = 0; k < n; k++) {
		guint i = idx[k];
		g_ptr_array_add (sets, g_strdup_printf ("%" G_GUINT64_FORMAT,
		                                        g_array_index (batch->where, MpMessageWhere, i).start));
		g_ptr_array_add (items, mp_imap_content_plan_items (&ctx->want[i].plan));
		expect_content (c->stream, batch, i, &ctx->want[i].plan, ctx->regions[i], ctx->needs);
	}
	mp_imap_client_uid_fetch_many (c->client, sets->len, (const char *const *) sets->pdata,
	                               (const char *const *) items->pdata, on_content, ctx, error);
	mp_imap_content_stream_set_active (c->stream, FALSE);
	ctx->stream = NULL;
}

/* Fetches what the pending wants of BATCH need, pipelined on one connection
 * per attempt, a failing message found and given up alone as for the
 * metadata. */
static void
fetch_content (Imap *im, ContentCtx *ctx)
{
	static const Round round = { content_todo, content_work, content_give_up };
	MpBatch *batch = ctx->batch;
	guint reconnects = 0;

	run_round (im, batch, &round, ctx, &reconnects);
	for (guint i = 0; i < batch->messages->len; i++)
		if (ctx->want[i].pending)
			content_give_up (ctx, i, "the server sent no content (expunged meanwhile?)");
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
imap_analyze (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer)
{
	static const Round round = { metadata_todo, metadata_work, metadata_give_up };
	static const Round arrival = { arrival_todo, arrival_work, arrival_give_up };
	Imap *im = src->priv;
	guint n = batch->messages->len;
	FetchCtx ctx = { batch, g_hash_table_new (g_direct_hash, g_direct_equal),
	                 g_new0 (gboolean, n), g_new0 (gboolean, n), g_new0 (gboolean, n), 0, NULL,
	                 im->arrival_times };
	guint reconnects = 0;

	if (im->content) {
		ctx.regions = g_new0 (GArray *, n);
		for (guint i = 0; i < n; i++) {
			ctx.regions[i] = g_array_new (FALSE, FALSE, sizeof (MpImapRegion));
			g_array_set_clear_func (ctx.regions[i], (GDestroyNotify) mp_imap_region_clear);
		}
	}
	for (guint i = 0; i < n; i++)
		g_hash_table_insert (ctx.by_uid,
		                     GUINT_TO_POINTER ((guint32) g_array_index (batch->where, MpMessageWhere, i).start),
		                     GUINT_TO_POINTER (i + 1));

	run_round (im, batch, &round, &ctx, &ctx.retries);
	run_round (im, batch, &arrival, &ctx, &reconnects);
	for (guint i = 0; i < n; i++) {
		/* neither read nor given up: the server did not send it (expunged
		 * by another client since the UIDs were listed) */
		if (!ctx.filled[i] && !ctx.lost[i])
			((MpMessage *) g_ptr_array_index (batch->messages, i))->skipped = TRUE;
	}
	if (im->content)
		check_content (im, batch, ctx.by_uid, ctx.regions, ctx.filled);
	for (guint i = 0; ctx.regions && i < n; i++)
		g_array_unref (ctx.regions[i]);
	g_free (ctx.regions);
	g_hash_table_unref (ctx.by_uid);
	g_free (ctx.filled);
	g_free (ctx.lost);
	g_free (ctx.undated);
}

const MpSourceOps mp_source_imap = {
	.name = "imap",
	.probe = imap_probe,
	.folders = imap_folders,
	.enumerate = imap_enumerate,
	.analyze = imap_analyze,
	.close = imap_close,
};
