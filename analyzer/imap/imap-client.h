/* imap-client.h — a synchronous, read-only IMAP client connection (RFC 3501,
 * RFC 9051) over TLS (implicit, RFC 8314) or STARTTLS (RFC 3501 §6.2.1):
 * commands and responses (imap-parser.h) on a transport (imap-transport.h),
 * logging in with SASL (imap-sasl.h) or LOGIN.
 *
 * One MpImapClient is one connection and is used by one thread at a time;
 * a scan opens several clients, one per worker thread. Every wait on the
 * network (connect, TLS handshake, each read and each write) is bounded by
 * the timeout of MpImapClientOptions, and every command as a whole (the
 * greeting and login too) by its command timeout: a server that answers a
 * byte a second, or "* OK" every second, still cannot keep us. What one
 * command may bring is bounded too (MpImapClientOptions: untagged responses,
 * SASL rounds; MpImapParserSettings: each response).
 *
 * Errors (domain MP_ERROR):
 *   MP_ERROR_USAGE   a URL or option that cannot work (bad URL, no password)
 *   MP_ERROR_READ    the connection: refused, timed out, closed by the
 *                    server ("connection closed by server"), TLS and
 *                    certificate failures, a response that breaks the
 *                    grammar or a limit. The client is then broken
 *                    (mp_imap_client_is_broken()) and only good for freeing.
 *   MP_ERROR_FAILED  the server refused a command (tagged NO or BAD),
 *                    including "authentication failed"; the connection is
 *                    still usable.
 * Every message starts with the URL (without any password) and never holds a
 * password or token.
 *
 * Ownership: the client copies what it is given. Responses handed to a
 * callback belong to the client and live only during the call. The
 * secrets given to mp_imap_client_authenticate() stay the caller's
 * (imap-secret.h says where they come from and how they are freed). */
#pragma once

#include "imap-parser.h"
#include "imap-sasl.h"
#include "imap-url.h"
#include "special-use.h"

G_BEGIN_DECLS

/* ---- The connection --------------------------------------------------- */

typedef struct _MpImapClient MpImapClient;

/* Receives the text of an [ALERT] response code (RFC 3501 §7.1), which the
 * server requires be shown to the user. */
typedef void (*MpImapAlertFunc) (const char *url, const char *text, gpointer user_data);

/* Receives one untagged response while a command runs (FETCH, LIST,
 * STATUS, EXISTS, EXPUNGE...; unsolicited ones too). Returning FALSE with
 * ERROR set stops the command and breaks the connection. */
typedef gboolean (*MpImapUntaggedFunc) (const MpImapResponse *r, gpointer user_data,
                                        GError **error);

typedef struct {
	const char *ca_file;              /* PEM trust anchors instead of the system store */
	gboolean    insecure_skip_verify; /* no certificate or host name check (loud in the CLI) */
	gboolean    allow_plaintext;      /* imap:// without STARTTLS, passwords in clear */
	guint       timeout_ms;           /* each connect/read/write wait; 0: 60 s */
	const char *sasl_mechanism;       /* "XOAUTH2", "OAUTHBEARER", "PLAIN", "LOGIN"; NULL: best offered */
	MpImapAlertFunc alert_func;       /* NULL: g_message() */
	gpointer    alert_data;
	/* Parser limits and literal streaming (BODY[] to a file); NULL: defaults. */
	const MpImapParserSettings *parser_settings;
	guint       command_timeout_ms;   /* one command from sending to its completion,
	                                   * and connecting up to the capabilities; 0: 10 min */
	guint       untagged_slack;       /* untagged responses one command may bring beyond
	                                   * the EXISTS of the open folder (new mail,
	                                   * flag updates); 0: 1,000 */
	guint       max_untagged;         /* untagged responses of one command when no
	                                   * folder is open (LIST...); 0: 200,000 */
	guint       max_sasl_rounds;      /* server challenges in one AUTHENTICATE; 0: 8 */
	/* Admin login: read the URL's user's mailbox with ADMIN.user's password
	 * (imap-sasl.h: RFC 4616 authorization identity, or Dovecot's
	 * "user*admin"). ADMIN.user NULL: the user's own login. */
	MpImapAdminLogin admin;
} MpImapClientOptions;

#define MP_IMAP_DEFAULT_TIMEOUT_MS         60000
#define MP_IMAP_DEFAULT_COMMAND_TIMEOUT_MS 600000
#define MP_IMAP_DEFAULT_UNTAGGED_SLACK     1000
#define MP_IMAP_DEFAULT_MAX_UNTAGGED       200000
#define MP_IMAP_DEFAULT_MAX_SASL_ROUNDS    8

/* A client for URL (copied) with OPTIONS (copied; NULL: defaults). No I/O. */
MpImapClient *mp_imap_client_new     (const MpImapUrl *url, const MpImapClientOptions *options);
/* Closes the connection without LOGOUT and frees everything. */
void          mp_imap_client_free    (MpImapClient *c);
/* Connects, reads the greeting, does TLS or STARTTLS as the URL says, and
 * knows the CAPABILITY list afterwards. Refuses a PREAUTH greeting before
 * TLS, plaintext injected after STARTTLS's OK, and a server without
 * STARTTLS unless allow_plaintext. */
gboolean      mp_imap_client_connect (MpImapClient *c, GError **error);
/* Logs in as the URL's user: with OAUTH2_TOKEN by OAUTHBEARER or XOAUTH2,
 * else with PASSWORD by AUTHENTICATE PLAIN (SASL-IR when offered) or LOGIN.
 * With an admin login (MpImapClientOptions.admin), PASSWORD is the admin's:
 * AUTHENTICATE PLAIN with the user as authorization identity (the server
 * must offer AUTH=PLAIN; no OAuth2), or "user*admin" by PLAIN or LOGIN.
 * Never sends a secret without TLS unless allow_plaintext. The caller still
 * owns and clears the secrets. */
gboolean      mp_imap_client_authenticate (MpImapClient *c, const char *password,
                                           const char *oauth2_token, GError **error);
/* TRUE when the server advertises CAP ("IDLE", "AUTH=PLAIN"; any case). */
gboolean      mp_imap_client_has_capability (const MpImapClient *c, const char *cap);
/* The advertised capabilities, upper-cased, NULL-terminated. */
const char *const *mp_imap_client_get_capabilities (const MpImapClient *c);
/* TRUE after an MP_ERROR_READ: the connection cannot be used any more. */
gboolean      mp_imap_client_is_broken (const MpImapClient *c);
/* TRUE when the connection is encrypted. */
gboolean      mp_imap_client_is_tls    (const MpImapClient *c);
/* The URL as shown in messages. */
const char   *mp_imap_client_get_display_url (const MpImapClient *c);

/* Sends COMMAND (without tag and CRLF; the caller quotes its arguments with
 * mp_imap_append_astring()) and reads until its tagged completion, handing
 * each untagged response to FUNC (may be NULL). TRUE on OK; a NO or BAD is
 * MP_ERROR_FAILED with the server's text. */
gboolean      mp_imap_client_command (MpImapClient *c, const char *command,
                                      MpImapUntaggedFunc func, gpointer user_data,
                                      GError **error);
/* Pipelining: sends COMMAND without waiting and returns its tag number
 * (> 0), or 0 with ERROR set. */
guint         mp_imap_client_send    (MpImapClient *c, const char *command, GError **error);
/* Reads until the completion of TAG (from mp_imap_client_send()); untagged
 * responses meanwhile go to FUNC, completions of other tags are kept for
 * their own wait. Same result as mp_imap_client_command(). */
gboolean      mp_imap_client_wait    (MpImapClient *c, guint tag,
                                      MpImapUntaggedFunc func, gpointer user_data,
                                      GError **error);
/* Appends S to COMMAND as an IMAP quoted string ("\"" and "\\" escaped).
 * FALSE (nothing appended) for NUL, CR, LF or 8-bit octets, which need a
 * literal. */
gboolean      mp_imap_append_astring (GString *command, const char *s);
/* Sends "VERB ARG" and waits for its completion like
 * mp_imap_client_command(), ARG as a quoted string where it can be, else as
 * a literal (RFC 3501 §4.3: a folder name with 8-bit octets, CR or LF;
 * LITERAL+ when offered, else after the server's continuation). */
gboolean      mp_imap_client_command_astring (MpImapClient *c, const char *verb, const char *arg,
                                              MpImapUntaggedFunc func, gpointer user_data,
                                              GError **error);

/* ---- The write side (fix only) ---------------------------------------- */

/* A client is read-only: SELECT, APPEND, STORE, EXPUNGE, COPY, MOVE,
 * CREATE, DELETE, RENAME and the other commands that change a mailbox are
 * refused (MP_ERROR_USAGE, nothing sent) by every function above. The fix
 * path (imap-write.c, called from fix/ only; tests/layout/check-layout.py
 * checks that no other room calls it) lifts that for its own connection. */
void          mp_imap_client_allow_writes (MpImapClient *c);

/* Produces the next at most LEN octets of a literal into BUF: the count,
 * or 0 / -1 (ERROR set) when it cannot. */
typedef gssize (*MpImapLiteralSource) (guint8 *buf, gsize len, gpointer data, GError **error);

/* Sends "VERB ARG REST {SIZE}" followed by SIZE octets from SOURCE (RFC
 * 3501 §4.3; LITERAL+ when offered, RFC 7888, else after the continuation
 * request) and waits for the completion, handed to *TAGGED_OUT when not
 * NULL (its response code: APPENDUID). ARG (a folder name) is sent as
 * mp_imap_client_command_astring() sends it — quoted, or as a literal of
 * its own when it must be — by the same code; REST is plain text (may be
 * NULL). A server that refuses before a literal is a NO (MP_ERROR_FAILED),
 * the connection still usable. */
gboolean      mp_imap_client_command_literal (MpImapClient *c, const char *verb, const char *arg,
                                              const char *rest, guint64 size,
                                              MpImapLiteralSource source, gpointer source_data,
                                              MpImapUntaggedFunc func, gpointer user_data,
                                              MpImapResponse **tagged_out, GError **error);

/* The open folder now has EXISTS messages (after an APPEND): later
 * commands may bring that many untagged responses. */
void          mp_imap_client_note_exists (MpImapClient *c, guint64 exists);

/* ---- Read-only helpers ------------------------------------------------ */

typedef struct {
	char    *name;         /* as the server sent it (modified UTF-7): use it in commands */
	char    *display;      /* UTF-8 for people (the raw name when it does not decode) */
	char     delimiter;    /* hierarchy delimiter, '\0' for NIL */
	char   **attributes;   /* "\\HasNoChildren", "\\Sent"... as sent */
	gboolean noselect;     /* \Noselect or \NonExistent: cannot be EXAMINEd */
	MpSpecialUse special_use; /* \Sent, \All... (RFC 6154): a set, NONE when unmarked */
	gboolean has_status;   /* LIST-STATUS gave the two numbers below */
	guint64  messages;
	guint64  size;         /* G_MAXUINT64 when the server has no STATUS=SIZE */
} MpImapFolder;

void mp_imap_folder_free (MpImapFolder *f);

/* LIST "" "*", with RETURN (SPECIAL-USE STATUS (MESSAGES SIZE)) as far as
 * SPECIAL-USE, LIST-STATUS and STATUS=SIZE are advertised. Special-use
 * attributes (RFC 6154) are read from every LIST response, asked for or
 * not (§2: a server may send them on a plain LIST). Returns a GPtrArray of
 * MpImapFolder (transfer full), in the server's order. */
GPtrArray    *mp_imap_client_list    (MpImapClient *c, GError **error);
/* LIST "" PATTERN (RFC 3501 §6.3.8: "*" and "%" are wildcards; 7-bit,
 * modified UTF-7), with SPECIAL-USE but without STATUS: what a scan needs.
 * STATUS would make the server open every folder it lists (Dovecot: 0.1 s
 * for a folder of 5,000 messages). */
GPtrArray    *mp_imap_client_list_pattern (MpImapClient *c, const char *pattern, GError **error);

typedef struct {
	guint64  exists;       /* messages in the folder */
	guint32  uidvalidity;  /* 0 when not sent */
	guint32  uidnext;      /* 0 when not sent */
	guint64  highestmodseq;/* 0 when not sent (CONDSTORE) */
	gboolean read_only;    /* the completion had [READ-ONLY] */
} MpImapMailboxInfo;

/* EXAMINE NAME (the raw name from MpImapFolder.name, sent as a literal
 * when it has 8-bit octets, CR or LF): opens the folder read-only, so
 * nothing (\Seen, \Recent) changes (RFC 3501 §6.3.2). Never SELECT. INFO
 * may be NULL. Later commands may bring at most its EXISTS plus the
 * untagged slack of untagged responses. */
gboolean      mp_imap_client_examine (MpImapClient *c, const char *name,
                                      MpImapMailboxInfo *info, GError **error);
/* SELECT NAME: opens the folder read-write (refused unless writes are
 * allowed), INFO as for mp_imap_client_examine(). */
gboolean      mp_imap_client_select (MpImapClient *c, const char *name, MpImapMailboxInfo *info,
                                     GError **error);

/* Receives the msg-att list of one untagged FETCH: "(UID 5 FLAGS (...) ...)".
 * Unsolicited FETCHes (flags only, no UID) come too: check for UID. */
typedef gboolean (*MpImapFetchFunc) (guint64 seq, const MpImapValue *msg_att,
                                     gpointer user_data, GError **error);

/* UID FETCH UID_SET ITEMS ("1:*", "(UID RFC822.SIZE FLAGS)"), each FETCH to
 * FUNC. Refuses ITEMS that would set \Seen (BODY[...], RFC822, RFC822.TEXT,
 * BINARY[...]): use BODY.PEEK / BINARY.PEEK. */
gboolean      mp_imap_client_uid_fetch (MpImapClient *c, const char *uid_set, const char *items,
                                        MpImapFetchFunc func, gpointer user_data,
                                        GError **error);

/* Pipelined UID FETCHes (RFC 3501 §5.5): command I is UID FETCH
 * UID_SETS[I] ITEMS[I]; a window of them is in flight at once, and every
 * FETCH response goes to FUNC. A NO for one command does not stop the
 * others: FALSE with the first refusal (MP_ERROR_FAILED) after all have
 * completed; a broken connection stops at once (MP_ERROR_READ). ITEMS are
 * checked as for mp_imap_client_uid_fetch() before anything is sent. */
gboolean      mp_imap_client_uid_fetch_many (MpImapClient *c, guint n, const char *const *uid_sets,
                                             const char *const *items, MpImapFetchFunc func,
                                             gpointer user_data, GError **error);

/* The text of the server's greeting ("Dovecot ready."), printable, or NULL
 * before connecting. */
const char   *mp_imap_client_get_greeting (const MpImapClient *c);

/* LOGOUT, then closes the connection (best effort, bounded by the timeout;
 * errors are ignored). The client is then closed but must still be freed. */
void          mp_imap_client_logout  (MpImapClient *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapClient, mp_imap_client_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapFolder, mp_imap_folder_free)

G_END_DECLS
