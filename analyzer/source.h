/* source.h — one small interface for every mailbox backend.
 *
 * A backend turns a SOURCE argument into folders, and each folder into jobs:
 * batches of messages that a worker thread analyzes. One file per backend
 * (source-mbox.c, source-maildir.c, source-mboxdir.c, source-imap.c), each
 * exporting one MpSourceOps filled with designated initializers.
 *
 * Failures scoped by blast radius (isync): a message GMime cannot read is a
 * problem recorded on that message; a folder that cannot be read is a GError
 * for that folder and the others go on; a source that cannot be opened is a
 * GError for that source. */
#pragma once

#include "mp-error.h"
#include "message.h"
#include "mime-analyze.h"
#include "special-use.h"

G_BEGIN_DECLS

typedef struct _MpSource MpSource;
typedef struct _MpBatch  MpBatch;

#define MP_MAX_SIZE_LIMITS 8
/* Connections per network account when MpSourceSettings.connections is 0:
 * servers throttle more (source-imap.c's pool size). */
#define MP_DEFAULT_CONNECTIONS 4

/* Connections a network source may open beyond its first, shared with
 * every other account reading the same server (scan.h, server_connections):
 * try_take() never waits (FALSE: make do with the connections it has),
 * give_back() returns one. The scan owns it; it outlives the source. */
typedef struct {
	gboolean (*try_take)  (gpointer budget);
	void     (*give_back) (gpointer budget);
	gpointer   budget;
} MpConnectionBudget;

/* What network sources need from the command line (IMAP). Copied by
 * mp_source_open_with(); NULL fields take defaults. */
typedef struct {
	const char *ca_file;              /* PEM trust anchors instead of the system store */
	gboolean    insecure_skip_verify; /* no certificate check (the CLI warns loudly) */
	gboolean    allow_plaintext;      /* a password over an unencrypted connection */
	const char *password_file;        /* wins over $MAILPREFLIGHT_PASSWORD; else a prompt */
	/* The password's own variable and option when not the run's
	 * ($MAILPREFLIGHT_PASSWORD, --password-file): `compare` reads its
	 * target with $MAILPREFLIGHT_TARGET_PASSWORD, tied to the target's
	 * host (SECRET_HOST of the target's settings), never the source's. */
	const char *password_env;
	const char *password_option;
	const char *oauth2_token_file;    /* XOAUTH2 / OAUTHBEARER instead of a password */
	/* the one host every network source is on (mp_source_secret_host):
	 * the password or token given for the run goes there only; NULL:
	 * the sources are on several hosts, each needs its own (a prompt).
	 * An account's own password or token file (accounts file) is for its
	 * own host only: the scan sets this to that host (scan.c). */
	const char *secret_host;
	gboolean    interactive;          /* may prompt on the terminal */
	guint       connections;          /* parallel connections per account; 0: MP_DEFAULT_CONNECTIONS */
	const MpConnectionBudget *budget; /* the server's spare connections; NULL: no bound */
	guint       timeout_ms;           /* per network wait; 0: 60 s */
	guint       command_timeout_ms;   /* per IMAP command as a whole; 0: 10 min */
	/* content checks (source-imap-content.h): what the rules need beyond metadata */
	guint64     line_limit;           /* smallest line-length max; 0: no such rule */
	gboolean    list_archives;        /* attachment-type rules look inside archives */
	gboolean    metadata_only;        /* never download content (checks not run) */
	/* activity evidence reads arrival times (reading, filing): INTERNALDATE
	 * for the messages it can use, not only for those without a Date: */
	gboolean    arrival_times;
	/* message-size limits: near one, an estimated size is measured */
	guint64     size_limits[MP_MAX_SIZE_LIMITS];
	guint       n_size_limits;
	/* Admin login (IMAP): read the URL's user's mailbox with this admin's
	 * password ($MAILPREFLIGHT_ADMIN_PASSWORD, else the first line of
	 * admin_password_file), never the user's: SASL PLAIN with the user as
	 * authorization identity (RFC 4616; Dovecot master users, Cyrus
	 * admins), or, when admin_separator is set, the login name
	 * "user<admin_separator>admin" (Dovecot's auth_master_user_separator,
	 * usually "*"). NULL admin_user: the user's own login. */
	const char *admin_user;
	const char *admin_separator;
	const char *admin_password_file;
} MpSourceSettings;

typedef struct {
	char *name;  /* as the user sees it, "/"-separated: "Archive/2019" */
	char *path;  /* where the backend finds it (file or directory) */
	/* What the server says the folder is for (RFC 6154: \Sent, \Drafts,
	 * \Trash, \Junk, \Archive...), whatever its name; a set. IMAP only:
	 * local backends leave NONE (a name like "Sent" is the rules' guess,
	 * not the server's word). */
	MpSpecialUse special_use;
} MpFolder;

/* What a backend records per message for its worker to find it again. */
typedef struct {
	guint64 start, end;    /* mbox: byte range of the message; IMAP: start is the UID;
	                        * Maildir: start is the subdirectory (0 cur/, 1 new/) */
	char   *file;          /* Maildir: the file's name in that subdirectory */
} MpMessageWhere;

/* A run of messages of one folder, in source order. The producer fills
 * messages (with folder, index, locator and anything known without parsing)
 * and where; a worker completes them. */
struct _MpBatch {
	const MpFolder *folder;
	GPtrArray      *messages; /* MpMessage* */
	GArray         *where;    /* MpMessageWhere, parallel to messages; empty
	                           * when the worker found the messages itself (mbox) */
	/* What the backend's worker needs beyond messages: an mbox batch is a
	 * byte range its worker splits itself (source-mbox.c). Freed with the
	 * batch by backend_free. */
	gpointer        backend_data;
	GDestroyNotify  backend_free;
	/* Messages found by the worker: the scan numbers them (MpMessage.index)
	 * in delivery order, per folder, as the producer would have. */
	gboolean        number_on_delivery;
	/* Folder notices the worker found (MpBatchNotice), delivered before the
	 * batch's messages; NULL when none. */
	GPtrArray      *notices;
	/* Set when the worker could not read all of the batch (an mbox byte
	 * range): what was not read was not judged, so the scan delivers it as
	 * a folder error after the batch's messages (the folder is incomplete).
	 * NULL when all was read. */
	GError         *error;
};

typedef struct {
	char *code;
	char *detail;
} MpBatchNotice;

/* Hands a full batch to the scan (which takes ownership). */
typedef void (*MpBatchFunc) (MpBatch *batch, gpointer user_data);

/* A folder-level problem that is no failure: junk before the first From_
 * line, a file that is not a message. Recorded in the report. */
typedef void (*MpNoticeFunc) (const MpFolder *folder, const char *code,
                              const char *detail, gpointer user_data);

typedef struct {
	const char *name;  /* "mbox", "maildir", "mbox-folder", "imap" */
	/* Is PATH a source of this kind? Cheap: a few stat()s or bytes. */
	gboolean (*probe)     (const char *path);
	/* Lists the folders under PATH, in the order they are reported. */
	GPtrArray *(*folders) (MpSource *src, GError **error);
	/* Walks FOLDER in source order, handing batches to EMIT. Runs on the
	 * scan's producer thread. FALSE with ERROR: the folder could not be read
	 * (the batches already emitted stand). */
	gboolean (*enumerate) (MpSource *src, const MpFolder *folder,
	                       MpBatchFunc emit, MpNoticeFunc notice,
	                       gpointer user_data, GError **error);
	/* Completes every message of BATCH; runs on a worker thread with that
	 * thread's analyzer. Never fails: a message that cannot be read gets a
	 * problem; bytes that cannot be read where no message is known yet (an
	 * mbox range) fail the batch (mp_batch_fail: a folder error). */
	void (*analyze)       (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer);
	/* Frees the backend's private state (may be NULL). */
	void (*close)         (MpSource *src);
} MpSourceOps;

struct _MpSource {
	const MpSourceOps *ops;
	char              *path;      /* as given on the command line */
	char              *abs_path;  /* absolute (for URLs: the URL) */
	char              *real_path; /* abs_path with its symbolic links resolved:
	                               * a file backend reads nothing outside it
	                               * (source-fs.h); NULL for a URL */
	MpSourceSettings   settings;  /* strings owned by the source */
	gpointer           priv;      /* the backend's own state */
	GPtrArray         *notices;   /* MpBatchNotice*: what folders() found that is
	                               * no failure (a folder link leading out of the
	                               * source), delivered by the scan as notices of
	                               * the source; NULL when none */
};

/* Detects what PATH is and opens it. MP_ERROR_NOT_FOUND or
 * MP_ERROR_UNKNOWN_SOURCE name the path. */
MpSource *mp_source_open    (const char *path, GError **error);
/* The same with SETTINGS for network sources (NULL: defaults). */
MpSource *mp_source_open_with (const char *path, const MpSourceSettings *settings, GError **error);
void      mp_source_free    (MpSource *src);

/* What a command needs to know of a SOURCE argument before the scan. */

/* TRUE when PATH names a network source (an imap:// or imaps:// URL), read
 * over connections rather than from disk. */
gboolean  mp_source_is_network     (const char *path);
/* The server a network source connects to, "host:port" (connections are
 * bounded per server), or NULL for a local source or a bad URL. */
char     *mp_source_server_key     (const char *path);
/* The worker threads for PATHS when the user sets none: one per core, and
 * with a network source at least one per connection (CONNECTIONS as in
 * MpSourceSettings), since its batches wait on the server, not the CPU. */
guint     mp_source_default_jobs   (const char *const *paths, guint connections);
/* The one host every network source of PATHS is on, or NULL when they
 * are on several (or there is none): the only host a secret given for the
 * whole run may be sent to (imap-secret.h). Free with g_free. */
char     *mp_source_secret_host    (const char *const *paths);
/* Takes the secrets out of the environment ($MAILPREFLIGHT_PASSWORD...)
 * and wipes them there; call it first, before any thread starts. */
void      mp_source_take_secrets   (void);
/* source-fs.c: the bytes on disk under PATH, for the progress line's ETA:
 * mbox and message files, not Maildir tmp/, Thunderbird .msf indexes nor
 * Dovecot's index files; 0 for a URL or what cannot be read. An estimate:
 * the scan counts RFC 5322 (CRLF) octets. */
guint64   mp_source_estimate_bytes (const char *path);

MpFolder *mp_folder_new     (const char *name, const char *path);
void      mp_folder_free    (MpFolder *f);

MpBatch  *mp_batch_new      (const MpFolder *folder);
void      mp_batch_free     (MpBatch *b);
/* Appends M (taking it) with its WHERE (taking its strings), or none when
 * WHERE is NULL: a batch either has a WHERE for every message or none. */
void      mp_batch_add      (MpBatch *b, MpMessage *m, const MpMessageWhere *where);
/* Records a folder notice found by a worker (copies CODE and DETAIL). */
void      mp_batch_add_notice (MpBatch *b, const char *code, const char *detail);
/* The worker could not read all of B: ERROR (MP_ERROR_READ, taken) says
 * which bytes and why; only the first is kept. */
void      mp_batch_fail       (MpBatch *b, GError *error);
/* Records a notice of the whole source found by folders() (copies CODE and
 * DETAIL), at most 1000 (a tree of planted links must not grow it without
 * bound; the summary lists that many at most anyway). */
void      mp_source_add_notice (MpSource *src, const char *code, const char *detail);

extern const MpSourceOps mp_source_mbox;
extern const MpSourceOps mp_source_maildir;
extern const MpSourceOps mp_source_mboxdir;
extern const MpSourceOps mp_source_imap;

/* Batches are cut at this many messages or bytes, whichever comes first:
 * large enough to amortize the hand-off, small enough to bound memory. */
#define MP_BATCH_MAX_MESSAGES 256
#define MP_BATCH_MAX_BYTES    (8 * 1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpSource, mp_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFolder, mp_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpBatch, mp_batch_free)

G_END_DECLS
