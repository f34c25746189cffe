/* imap-client.c — one IMAP connection on an imap-transport.h transport:
 * the greeting, STARTTLS without response injection, CAPABILITY, login
 * (SASL through imap-sasl.c, or LOGIN), tagged commands with pipelining,
 * and the read-only helpers LIST, EXAMINE and UID FETCH. Responses are
 * parsed by imap-parser.c; this file never parses server bytes itself. */
#include "imap-client.h"
#include "imap-sasl.h"
#include "imap-secret.h"
#include "imap-transport.h"
#include "mutf7.h"

#include <string.h>

/* Server text shown in messages is cut here: it is untrusted. */
#define MAX_SHOWN_TEXT 300

struct _MpImapClient {
	MpImapUrl  url;
	char      *ca_file;
	gboolean   insecure_skip_verify;
	gboolean   allow_plaintext;
	guint      timeout_ms;
	char      *sasl_mechanism;
	char      *admin_user;     /* admin login (MpImapClientOptions.admin), or NULL */
	MpImapAdminForm admin_form;
	char      *admin_separator;
	MpImapAlertFunc alert_func;
	gpointer   alert_data;
	MpImapParserSettings parser_settings;
	guint      command_timeout_ms;
	guint      untagged_slack;
	guint      max_untagged;
	guint      max_sasl_rounds;

	MpImapTransport *transport; /* while connected */
	MpImapParser *parser;
	guint8     inbuf[16384];
	gsize      in_start, in_end;
	gboolean   line_mode;      /* feed the parser one line at a time (STARTTLS) */

	GPtrArray *caps;           /* upper-cased, NULL-terminated */
	gboolean   caps_updated;   /* a CAPABILITY arrived since the flag was cleared */
	guint      next_tag;
	GHashTable *pending;       /* tag -> verb ("EXAMINE") of commands sent */
	GHashTable *done;          /* tag -> MpImapResponse completions read early */
	char      *bye_text;
	char      *greeting;       /* the greeting's text, shown_text()-safe */
	gboolean   connected, broken, authenticated;
	guint64    exists;         /* EXISTS of the open folder, G_MAXUINT64: none open */
	guint64    untagged_seen;  /* untagged responses of the command being waited for */
	guint64    untagged_limit; /* and how many it may bring */
	gint64     deadline;       /* of the exchange under way (monotonic µs), or 0 */
	gboolean   writes_allowed; /* mp_imap_client_allow_writes(): the fix path only */
	const char *deadline_what; /* what it is for, in messages */
};

/* ---- small helpers ---------------------------------------------------- */

/* Untrusted server text made safe for a message: valid UTF-8, no control
 * characters, bounded. */
static char *
shown_text (const char *s, gsize len)
{
	if (s == NULL)
		return g_strdup ("");
	gsize n = MIN (len, (gsize) MAX_SHOWN_TEXT);
	g_autofree char *valid = g_utf8_make_valid (s, (gssize) n);
	for (char *p = valid; *p; p++) {
		if ((guchar) *p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	if (len > n)
		return g_strconcat (valid, "...", NULL);
	return g_steal_pointer (&valid);
}

static char *
response_text (const MpImapResponse *r)
{
	gsize len = 0;
	const char *t = mp_imap_response_get_text (r, &len);
	return shown_text (t, len);
}

static void G_GNUC_PRINTF (4, 5)
client_error (MpImapClient *c, GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	g_autofree char *msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	if (code == MP_ERROR_READ)
		c->broken = TRUE;
	g_set_error (error, MP_ERROR, code, "%s: %s", c->url.display, msg);
}

/* ---- creation --------------------------------------------------------- */

MpImapClient *
mp_imap_client_new (const MpImapUrl *url, const MpImapClientOptions *options)
{
	static const MpImapClientOptions defaults = { 0 };
	const MpImapClientOptions *o = options ? options : &defaults;
	MpImapClient *c = g_new0 (MpImapClient, 1);
	mp_imap_url_copy (&c->url, url);
	c->ca_file = g_strdup (o->ca_file);
	c->insecure_skip_verify = o->insecure_skip_verify;
	c->allow_plaintext = o->allow_plaintext;
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : MP_IMAP_DEFAULT_TIMEOUT_MS;
	c->sasl_mechanism = g_strdup (o->sasl_mechanism);
	c->admin_user = g_strdup (o->admin.user);
	c->admin_form = o->admin.form;
	c->admin_separator = g_strdup (o->admin.separator);
	c->alert_func = o->alert_func;
	c->alert_data = o->alert_data;
	if (o->parser_settings)
		c->parser_settings = *o->parser_settings;
	else
		mp_imap_parser_settings_init (&c->parser_settings);
	c->command_timeout_ms = o->command_timeout_ms ? o->command_timeout_ms : MP_IMAP_DEFAULT_COMMAND_TIMEOUT_MS;
	c->untagged_slack = o->untagged_slack ? o->untagged_slack : MP_IMAP_DEFAULT_UNTAGGED_SLACK;
	c->max_untagged = o->max_untagged ? o->max_untagged : MP_IMAP_DEFAULT_MAX_UNTAGGED;
	c->max_sasl_rounds = o->max_sasl_rounds ? o->max_sasl_rounds : MP_IMAP_DEFAULT_MAX_SASL_ROUNDS;
	c->exists = G_MAXUINT64;
	c->caps = g_ptr_array_new_with_free_func (g_free);
	g_ptr_array_add (c->caps, NULL);
	c->pending = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
	c->done = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
	                                 (GDestroyNotify) mp_imap_response_free);
	return c;
}

static void
close_connection (MpImapClient *c)
{
	g_clear_pointer (&c->transport, mp_imap_transport_free);
	g_clear_pointer (&c->parser, mp_imap_parser_free);
	c->in_start = c->in_end = 0;
	c->connected = FALSE;
}

void
mp_imap_client_free (MpImapClient *c)
{
	if (c == NULL)
		return;
	close_connection (c);
	mp_imap_url_clear (&c->url);
	g_free (c->ca_file);
	g_free (c->sasl_mechanism);
	g_free (c->admin_user);
	g_free (c->admin_separator);
	g_ptr_array_unref (c->caps);
	g_hash_table_unref (c->pending);
	g_hash_table_unref (c->done);
	g_free (c->bye_text);
	g_free (c->greeting);
	g_free (c);
}

gboolean
mp_imap_client_is_broken (const MpImapClient *c)
{
	return c->broken;
}

gboolean
mp_imap_client_is_tls (const MpImapClient *c)
{
	return c->transport != NULL && mp_imap_transport_is_tls (c->transport);
}

const char *
mp_imap_client_get_display_url (const MpImapClient *c)
{
	return c->url.display;
}

const char *
mp_imap_client_get_greeting (const MpImapClient *c)
{
	return c->greeting;
}

/* ---- capabilities ----------------------------------------------------- */

static void
caps_clear (MpImapClient *c)
{
	g_ptr_array_set_size (c->caps, 0);
	g_ptr_array_add (c->caps, NULL);
}

/* Replaces the capabilities by the atoms of LIST from index FIRST on. */
static void
caps_set (MpImapClient *c, const MpImapValue *list, guint first)
{
	caps_clear (c);
	g_ptr_array_set_size (c->caps, 0);
	guint n = mp_imap_value_get_n_children (list);
	for (guint i = first; i < n && i < first + 1000; i++) {
		const MpImapValue *v = mp_imap_value_get_child (list, i);
		if (!mp_imap_value_is_atom (v, NULL))
			continue;
		g_ptr_array_add (c->caps, g_ascii_strup (mp_imap_value_get_string (v, NULL), -1));
	}
	g_ptr_array_add (c->caps, NULL);
	c->caps_updated = TRUE;
}

gboolean
mp_imap_client_has_capability (const MpImapClient *c, const char *cap)
{
	for (guint i = 0; i + 1 < c->caps->len; i++) {
		if (g_ascii_strcasecmp (g_ptr_array_index (c->caps, i), cap) == 0)
			return TRUE;
	}
	return FALSE;
}

const char *const *
mp_imap_client_get_capabilities (const MpImapClient *c)
{
	return (const char *const *) c->caps->pdata;
}

/* ---- the transport ---------------------------------------------------- */

/* A failure of the transport, named with the URL; one of MP_ERROR_READ
 * breaks the connection. */
static gboolean
transport_error (MpImapClient *c, GError *local, GError **error)
{
	if (local->code == MP_ERROR_READ)
		c->broken = TRUE;
	g_propagate_prefixed_error (error, local, "%s: ", c->url.display);
	return FALSE;
}

/* ---- deadlines -------------------------------------------------------- */

/* From now on, the exchange WHAT ("UID FETCH", "the login") has the
 * command timeout in all: every wait of the transport stops there. */
static void
deadline_start (MpImapClient *c, const char *what)
{
	c->deadline = g_get_monotonic_time () + (gint64) c->command_timeout_ms * 1000;
	c->deadline_what = what;
	if (c->transport != NULL)
		mp_imap_transport_set_deadline (c->transport, c->deadline);
}

static void
deadline_end (MpImapClient *c)
{
	c->deadline = 0;
	if (c->transport != NULL)
		mp_imap_transport_set_deadline (c->transport, 0);
}

/* Rewords a failure that came from the deadline: the transport only knows
 * a wait ended, the client knows which command took too long. */
static void
explain_deadline (MpImapClient *c, GError **error)
{
	if (error == NULL || *error == NULL || c->deadline == 0 || g_get_monotonic_time () < c->deadline)
		return;
	g_clear_error (error);
	client_error (c, error, MP_ERROR_READ, "%s took longer than %u s (the command timeout); giving up",
	              c->deadline_what ? c->deadline_what : "the command", c->command_timeout_ms / 1000);
}

static gboolean
closed_error (MpImapClient *c, GError **error)
{
	if (c->bye_text)
		client_error (c, error, MP_ERROR_READ, "connection closed by server (BYE %s)", c->bye_text);
	else
		client_error (c, error, MP_ERROR_READ, "connection closed by server");
	return FALSE;
}

/* Reads at least one octet into BUF. */
static gboolean
raw_read (MpImapClient *c, guint8 *buf, gsize len, gsize *got, GError **error)
{
	GError *local = NULL;
	switch (mp_imap_transport_read (c->transport, buf, len, got, &local)) {
	case MP_IMAP_IO_OK:
		return TRUE;
	case MP_IMAP_IO_CLOSED:
		return closed_error (c, error);
	case MP_IMAP_IO_FAILED:
	default:
		return transport_error (c, local, error);
	}
}

static gboolean
raw_write (MpImapClient *c, const void *data, gsize len, GError **error)
{
	GError *local = NULL;
	switch (mp_imap_transport_write (c->transport, data, len, &local)) {
	case MP_IMAP_IO_OK:
		return TRUE;
	case MP_IMAP_IO_CLOSED:
		return closed_error (c, error);
	case MP_IMAP_IO_FAILED:
	default:
		return transport_error (c, local, error);
	}
}

static gboolean
start_tls (MpImapClient *c, GError **error)
{
	GError *local = NULL;
	deadline_start (c, "the TLS handshake");
	gboolean ok = mp_imap_transport_start_tls (c->transport, &local);
	if (!ok) {
		transport_error (c, local, error);
		explain_deadline (c, error);
	}
	deadline_end (c);
	return ok;
}

/* ---- responses -------------------------------------------------------- */

/* What every response may carry: [ALERT], [CAPABILITY ...], * CAPABILITY,
 * * BYE. */
static void
handle_common (MpImapClient *c, const MpImapResponse *r)
{
	const MpImapValue *code = mp_imap_response_get_code (r);
	if (code != NULL) {
		const MpImapValue *name = mp_imap_value_get_child (code, 0);
		if (mp_imap_value_is_atom (name, "ALERT")) {
			g_autofree char *t = response_text (r);
			if (c->alert_func)
				c->alert_func (c->url.display, t, c->alert_data);
			else
				g_message ("%s: server alert: %s", c->url.display, t);
		} else if (mp_imap_value_is_atom (name, "CAPABILITY")) {
			caps_set (c, code, 1);
		}
	}
	if (mp_imap_response_get_kind (r) != MP_IMAP_RESPONSE_UNTAGGED)
		return;
	const MpImapValue *data = mp_imap_response_get_data (r);
	if (data != NULL && mp_imap_value_is_atom (mp_imap_value_get_child (data, 0), "CAPABILITY"))
		caps_set (c, data, 1);
	if (mp_imap_response_get_status (r) == MP_IMAP_STATUS_BYE) {
		g_free (c->bye_text);
		c->bye_text = response_text (r);
	}
}

/* The next response from the server (transfer full), or NULL with ERROR. */
static MpImapResponse *
read_response (MpImapClient *c, GError **error)
{
	if (c->broken || c->parser == NULL) {
		client_error (c, error, MP_ERROR_READ, "the connection is not usable");
		return NULL;
	}
	for (;;) {
		MpImapResponse *r = mp_imap_parser_pop (c->parser);
		if (r != NULL) {
			handle_common (c, r);
			return r;
		}
		if (c->in_start < c->in_end) {
			gsize n = c->in_end - c->in_start;
			if (c->line_mode) {
				const guint8 *lf = memchr (c->inbuf + c->in_start, '\n', n);
				if (lf != NULL)
					n = (gsize) (lf - (c->inbuf + c->in_start)) + 1;
			}
			g_autoptr(GError) perr = NULL;
			if (!mp_imap_parser_feed (c->parser, c->inbuf + c->in_start, n, &perr)) {
				client_error (c, error, MP_ERROR_READ, "bad response from server: %s", perr->message);
				return NULL;
			}
			c->in_start += n;
			continue;
		}
		c->in_start = c->in_end = 0;
		gsize got = 0;
		if (!raw_read (c, c->inbuf, sizeof c->inbuf, &got, error))
			return NULL;
		c->in_end = got;
	}
}

static guint
tag_number (const MpImapResponse *r)
{
	const char *t = mp_imap_response_get_tag (r);
	if (t == NULL || t[0] != 'A' || t[1] == '\0')
		return 0;
	guint64 n = 0;
	for (const char *p = t + 1; *p; p++) {
		if (!g_ascii_isdigit (*p) || n > G_MAXUINT / 10)
			return 0;
		n = n * 10 + (guint64) (*p - '0');
	}
	return n <= G_MAXUINT ? (guint) n : 0;
}

/* Reads until the completion of TAG or, when WANT_CONT, a continuation
 * request; untagged responses go to FUNC. Completions of other pending
 * tags are kept. Transfer full. */
static MpImapResponse *
read_until (MpImapClient *c, guint tag, gboolean want_cont, MpImapUntaggedFunc func,
            gpointer user_data, GError **error)
{
	MpImapResponse *early = g_hash_table_lookup (c->done, GUINT_TO_POINTER (tag));
	if (early != NULL) {
		g_hash_table_steal (c->done, GUINT_TO_POINTER (tag));
		return early;
	}
	for (;;) {
		g_autoptr(MpImapResponse) r = read_response (c, error);
		if (r == NULL)
			return NULL;
		switch (mp_imap_response_get_kind (r)) {
		case MP_IMAP_RESPONSE_TAGGED: {
			guint t = tag_number (r);
			if (t == tag)
				return g_steal_pointer (&r);
			if (t != 0 && g_hash_table_contains (c->pending, GUINT_TO_POINTER (t)) &&
			    !g_hash_table_contains (c->done, GUINT_TO_POINTER (t))) {
				g_hash_table_insert (c->done, GUINT_TO_POINTER (t), g_steal_pointer (&r));
				continue;
			}
			g_autofree char *shown = shown_text (mp_imap_response_get_tag (r),
			                                     strlen (mp_imap_response_get_tag (r)));
			client_error (c, error, MP_ERROR_READ, "server answered an unknown tag %s", shown);
			return NULL;
		}
		case MP_IMAP_RESPONSE_CONTINUATION:
			if (want_cont)
				return g_steal_pointer (&r);
			client_error (c, error, MP_ERROR_READ, "unexpected continuation request from server");
			return NULL;
		case MP_IMAP_RESPONSE_UNTAGGED:
		default:
			/* a command brings at most one response per message of the
			 * folder plus some news (RFC 3501 §7: EXISTS, EXPUNGE, flag
			 * updates); a server that sends more is flooding us */
			if (++c->untagged_seen > c->untagged_limit) {
				client_error (c, error, MP_ERROR_READ,
				              "server sent more than %" G_GUINT64_FORMAT " responses to one command%s",
				              c->untagged_limit,
				              c->exists != G_MAXUINT64 ? " (more than the folder has messages)" : "");
				return NULL;
			}
			if (func != NULL) {
				g_autoptr(GError) cerr = NULL;
				if (!func (r, user_data, &cerr)) {
					c->broken = TRUE;
					if (cerr != NULL)
						g_propagate_error (error, g_steal_pointer (&cerr));
					else
						client_error (c, error, MP_ERROR_FAILED, "stopped by the caller");
					return NULL;
				}
			}
			break;
		}
	}
}

/* TRUE for a tagged OK; else MP_ERROR_FAILED naming VERB and the server's
 * text. */
static gboolean
completion_result (MpImapClient *c, const MpImapResponse *r, const char *verb, GError **error)
{
	MpImapStatus st = mp_imap_response_get_status (r);
	if (st == MP_IMAP_STATUS_OK)
		return TRUE;
	g_autofree char *t = response_text (r);
	client_error (c, error, MP_ERROR_FAILED, "%s failed: server said %s: %s", verb,
	              st == MP_IMAP_STATUS_NO ? "NO" : st == MP_IMAP_STATUS_BAD ? "BAD" : "?", t);
	return FALSE;
}

/* ---- commands --------------------------------------------------------- */

static gboolean
check_usable (MpImapClient *c, GError **error)
{
	if (c->broken) {
		client_error (c, error, MP_ERROR_READ, "the connection is broken after an earlier error");
		return FALSE;
	}
	if (!c->connected) {
		client_error (c, error, MP_ERROR_READ, "not connected");
		return FALSE;
	}
	return TRUE;
}

/* Commands that change a mailbox or the account (RFC 3501 §6.3-6.4, RFC
 * 4315, RFC 6851, RFC 4314, RFC 2087, RFC 5464, RFC 5256): a client sends
 * none of them unless mp_imap_client_allow_writes() was called, which only
 * the fix path does (imap-write.c). SELECT is among them: it clears
 * \Recent and lets a later FETCH BODY[] set \Seen (RFC 3501 §6.3.1). */
static const char *const write_verbs[] = {
	"SELECT", "APPEND", "STORE", "UID STORE", "EXPUNGE", "UID EXPUNGE", "COPY", "UID COPY", "MOVE",
	"UID MOVE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "SETACL", "DELETEACL",
	"SETQUOTA", "SETMETADATA", "CLOSE", "REPLACE", "UID REPLACE", NULL,
};

static char *
command_verb (const char *command)
{
	gsize vlen = strcspn (command, " ");
	/* "UID FETCH": the verb is two words */
	if (vlen == 3 && g_ascii_strncasecmp (command, "UID ", 4) == 0)
		vlen = 4 + strcspn (command + 4, " ");
	g_autofree char *verb = g_strndup (command, vlen);
	return g_ascii_strup (verb, -1);
}

static gboolean
check_read_only (MpImapClient *c, const char *command, GError **error)
{
	g_autofree char *verb = NULL;

	if (c->writes_allowed)
		return TRUE;
	verb = command_verb (command);
	if (!g_strv_contains (write_verbs, verb))
		return TRUE;
	client_error (c, error, MP_ERROR_USAGE, "%s not sent: it changes the mailbox, and this connection "
	              "is read-only", verb);
	return FALSE;
}

void
mp_imap_client_allow_writes (MpImapClient *c)
{
	c->writes_allowed = TRUE;
}

static guint
register_tag (MpImapClient *c, const char *command)
{
	guint tag = ++c->next_tag;
	if (tag == 0)
		tag = ++c->next_tag;
	g_hash_table_insert (c->pending, GUINT_TO_POINTER (tag), command_verb (command));
	return tag;
}

guint
mp_imap_client_send (MpImapClient *c, const char *command, GError **error)
{
	if (!check_usable (c, error))
		return 0;
	if (strpbrk (command, "\r\n") != NULL) {
		client_error (c, error, MP_ERROR_USAGE, "a command must not contain CR or LF");
		return 0;
	}
	if (!check_read_only (c, command, error))
		return 0;
	guint tag = register_tag (c, command);
	g_autofree char *line = g_strdup_printf ("A%u %s\r\n", tag, command);
	g_debug ("%s: C: A%u %s", c->url.display, tag, command);
	if (!raw_write (c, line, strlen (line), error))
		return 0;
	return tag;
}

/* Waiting for one command's completion starts its deadline and its count
 * of untagged responses. */
static void
begin_wait (MpImapClient *c, const char *what)
{
	c->untagged_seen = 0;
	c->untagged_limit = c->exists != G_MAXUINT64 ? c->exists + c->untagged_slack : c->max_untagged;
	deadline_start (c, what);
}

static gboolean
wait_full (MpImapClient *c, guint tag, MpImapUntaggedFunc func, gpointer user_data,
           MpImapResponse **tagged_out, GError **error)
{
	const char *v = g_hash_table_lookup (c->pending, GUINT_TO_POINTER (tag));
	if (v == NULL) {
		client_error (c, error, MP_ERROR_USAGE, "no command with tag A%u is pending", tag);
		return FALSE;
	}
	g_autofree char *verb = g_strdup (v);
	begin_wait (c, verb);
	g_autoptr(MpImapResponse) r = read_until (c, tag, FALSE, func, user_data, error);
	explain_deadline (c, error);
	deadline_end (c);
	if (r == NULL)
		return FALSE;
	g_hash_table_remove (c->pending, GUINT_TO_POINTER (tag));
	gboolean ok = completion_result (c, r, verb, error);
	if (tagged_out)
		*tagged_out = g_steal_pointer (&r);
	return ok;
}

gboolean
mp_imap_client_wait (MpImapClient *c, guint tag, MpImapUntaggedFunc func, gpointer user_data,
                     GError **error)
{
	return wait_full (c, tag, func, user_data, NULL, error);
}

gboolean
mp_imap_client_command (MpImapClient *c, const char *command, MpImapUntaggedFunc func,
                        gpointer user_data, GError **error)
{
	guint tag = mp_imap_client_send (c, command, error);
	return tag != 0 && wait_full (c, tag, func, user_data, NULL, error);
}

gboolean
mp_imap_append_astring (GString *command, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\r' || *p == '\n' || (guchar) *p >= 0x80)
			return FALSE;
	}
	g_string_append_c (command, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c (command, '\\');
		g_string_append_c (command, *p);
	}
	g_string_append_c (command, '"');
	return TRUE;
}

/* Sends LINE (its octets so far) ending in a literal's "{LEN}" or
 * "{LEN+}" and CRLF. Without LITERAL+ (RFC 7888) the server's continuation
 * request must come first: a tagged answer instead is its refusal, given
 * to TAGGED_OUT, and FALSE. */
static gboolean
literal_head (MpImapClient *c, guint tag, GString *line, guint64 len, gboolean plus, const char *verb,
              MpImapUntaggedFunc func, gpointer user_data, MpImapResponse **tagged_out, GError **error)
{
	g_string_append_printf (line, "{%" G_GUINT64_FORMAT "%s}\r\n", len, plus ? "+" : "");
	g_debug ("%s: C: %.*s", c->url.display, (int) MIN (line->len, 200), line->str);
	if (!raw_write (c, line->str, line->len, error))
		return FALSE;
	g_string_truncate (line, 0);
	if (plus)
		return TRUE;
	begin_wait (c, verb);
	g_autoptr(MpImapResponse) r = read_until (c, tag, TRUE, func, user_data, error);
	explain_deadline (c, error);
	deadline_end (c);
	if (r == NULL)
		return FALSE;
	if (mp_imap_response_get_kind (r) == MP_IMAP_RESPONSE_TAGGED) {
		/* refused before the literal was sent */
		g_hash_table_remove (c->pending, GUINT_TO_POINTER (tag));
		if (completion_result (c, r, verb, error))
			client_error (c, error, MP_ERROR_READ, "server completed %s before its literal", verb);
		if (tagged_out)
			*tagged_out = g_steal_pointer (&r);
		return FALSE;
	}
	return TRUE;
}

/* The one writer of a command with a mailbox name (or another string) and
 * message octets: "VERB[ ARG][REST][ {SIZE}\r\nOCTETS]". ARG is quoted, or
 * sent as a literal when it must be (CR, LF or 8-bit octets: RFC 3501
 * §4.3, §9 astring), so EXAMINE, SELECT and APPEND name a folder the same
 * way; SOURCE (NULL: none) gives SIZE octets for a final literal (APPEND's
 * message). REST must be plain text. The completion goes to TAGGED_OUT. */
static gboolean
command_full (MpImapClient *c, const char *verb, const char *arg, const char *rest, guint64 size,
              MpImapLiteralSource source, gpointer source_data, MpImapUntaggedFunc func, gpointer user_data,
              MpImapResponse **tagged_out, GError **error)
{
	g_autoptr(GString) cmd = g_string_new (verb);
	gboolean quoted = TRUE;

	if (arg != NULL) {
		g_string_append_c (cmd, ' ');
		quoted = mp_imap_append_astring (cmd, arg);
	}
	if (quoted && rest != NULL)
		g_string_append (cmd, rest);
	if (quoted && source == NULL) {
		guint tag = mp_imap_client_send (c, cmd->str, error);
		return tag != 0 && wait_full (c, tag, func, user_data, tagged_out, error);
	}
	if (!check_usable (c, error) || !check_read_only (c, verb, error))
		return FALSE;
	if (strpbrk (verb, "\r\n") != NULL || (rest != NULL && strpbrk (rest, "\r\n") != NULL)) {
		client_error (c, error, MP_ERROR_USAGE, "a command must not contain CR or LF");
		return FALSE;
	}
	gboolean plus = mp_imap_client_has_capability (c, "LITERAL+");
	guint tag = register_tag (c, verb);
	g_autofree char *v = command_verb (verb);
	g_autoptr(GString) line = g_string_new (NULL);
	g_string_printf (line, "A%u ", tag);
	if (quoted) {
		g_string_append (line, cmd->str);
	} else {
		gsize len = strlen (arg);
		g_string_append_printf (line, "%s ", verb);
		if (!literal_head (c, tag, line, len, plus, v, func, user_data, tagged_out, error) ||
		    !raw_write (c, arg, len, error))
			return FALSE;
		if (rest != NULL)
			g_string_append (line, rest);
	}
	if (source != NULL) {
		g_string_append_c (line, ' ');
		if (!literal_head (c, tag, line, size, plus, v, func, user_data, tagged_out, error))
			return FALSE;
		deadline_start (c, v);
		g_autofree guint8 *buf = g_malloc (65536);
		guint64 sent = 0;
		while (sent < size) {
			GError *local = NULL;
			gssize n = source (buf, (gsize) MIN ((guint64) 65536, size - sent), source_data, &local);
			if (n <= 0) {
				/* the literal's length was promised: the connection cannot go on */
				c->broken = TRUE;
				if (local != NULL)
					g_propagate_error (error, local);
				else
					client_error (c, error, MP_ERROR_FAILED, "%s: the literal ended after %" G_GUINT64_FORMAT
					              " of %" G_GUINT64_FORMAT " octets", v, sent, size);
				deadline_end (c);
				return FALSE;
			}
			if (!raw_write (c, buf, (gsize) n, error)) {
				explain_deadline (c, error);
				deadline_end (c);
				return FALSE;
			}
			sent += (guint64) n;
		}
		deadline_end (c);
	}
	g_string_append (line, "\r\n");
	if (!raw_write (c, line->str, line->len, error))
		return FALSE;
	return wait_full (c, tag, func, user_data, tagged_out, error);
}

static gboolean
command_astring (MpImapClient *c, const char *verb, const char *arg, MpImapUntaggedFunc func,
                 gpointer user_data, MpImapResponse **tagged_out, GError **error)
{
	return command_full (c, verb, arg, NULL, 0, NULL, NULL, func, user_data, tagged_out, error);
}

gboolean
mp_imap_client_command_literal (MpImapClient *c, const char *verb, const char *arg, const char *rest,
                                guint64 size, MpImapLiteralSource source, gpointer source_data,
                                MpImapUntaggedFunc func, gpointer user_data,
                                MpImapResponse **tagged_out, GError **error)
{
	return command_full (c, verb, arg, rest, size, source, source_data, func, user_data, tagged_out, error);
}

gboolean
mp_imap_client_command_astring (MpImapClient *c, const char *verb, const char *arg, MpImapUntaggedFunc func,
                                gpointer user_data, GError **error)
{
	return command_astring (c, verb, arg, func, user_data, NULL, error);
}

/* ---- connect ---------------------------------------------------------- */

/* CAPABILITY; REQUIRED: a server that answers without the list is broken
 * (else the old list stays). */
static gboolean
ask_capability (MpImapClient *c, gboolean required, GError **error)
{
	c->caps_updated = FALSE;
	if (!mp_imap_client_command (c, "CAPABILITY", NULL, NULL, error))
		return FALSE;
	if (!c->caps_updated && required) {
		client_error (c, error, MP_ERROR_READ, "server sent no CAPABILITY response");
		return FALSE;
	}
	return TRUE;
}

/* Reads the greeting (RFC 3501 §7.1.1: OK, PREAUTH or BYE). */
static gboolean
read_greeting (MpImapClient *c, GError **error)
{
	c->caps_updated = FALSE;
	deadline_start (c, "the greeting");
	g_autoptr(MpImapResponse) r = read_response (c, error);
	explain_deadline (c, error);
	deadline_end (c);
	if (r == NULL) {
		g_prefix_error (error, "reading the greeting: ");
		return FALSE;
	}
	MpImapStatus st = mp_imap_response_get_status (r);
	if (mp_imap_response_get_kind (r) != MP_IMAP_RESPONSE_UNTAGGED ||
	    (st != MP_IMAP_STATUS_OK && st != MP_IMAP_STATUS_PREAUTH && st != MP_IMAP_STATUS_BYE)) {
		client_error (c, error, MP_ERROR_READ, "not an IMAP server (bad greeting)");
		return FALSE;
	}
	if (st == MP_IMAP_STATUS_BYE) {
		g_autofree char *t = response_text (r);
		client_error (c, error, MP_ERROR_READ, "server refused the connection: BYE %s", t);
		return FALSE;
	}
	g_free (c->greeting);
	c->greeting = response_text (r);
	if (st == MP_IMAP_STATUS_PREAUTH) {
		/* CVE-2020-14093: a PREAUTH greeting skips STARTTLS, and a
		 * man in the middle can send it */
		if (!mp_imap_transport_is_tls (c->transport) && !c->allow_plaintext) {
			client_error (c, error, MP_ERROR_READ,
			              "server sent a PREAUTH greeting on a connection without TLS; refusing "
			              "(STARTTLS cannot follow it, so it may be a man in the middle)");
			return FALSE;
		}
		c->authenticated = TRUE;
	}
	return TRUE;
}

static gboolean
do_starttls (MpImapClient *c, GError **error)
{
	/* One line at a time, so that octets after the OK stay in our buffer
	 * where we can see them (RFC 3501 §6.2.1; CVE-2020-14954). */
	c->line_mode = TRUE;
	gboolean ok = mp_imap_client_command (c, "STARTTLS", NULL, NULL, error);
	c->line_mode = FALSE;
	if (!ok)
		return FALSE;
	if (c->in_start < c->in_end || mp_imap_transport_has_unread (c->transport)) {
		client_error (c, error, MP_ERROR_READ,
		              "server sent data after STARTTLS's OK before the TLS handshake; refusing "
		              "(response injection, CVE-2020-14954)");
		return FALSE;
	}
	/* forget everything learnt in plaintext */
	mp_imap_parser_free (c->parser);
	c->parser = mp_imap_parser_new (&c->parser_settings);
	caps_clear (c);
	g_clear_pointer (&c->bye_text, g_free);
	if (!start_tls (c, error))
		return FALSE;
	return ask_capability (c, TRUE, error);
}

gboolean
mp_imap_client_connect (MpImapClient *c, GError **error)
{
	if (c->connected || c->broken) {
		client_error (c, error, MP_ERROR_USAGE, "connect called twice");
		return FALSE;
	}
	MpImapTransportOptions topts = {
		.host = c->url.host,
		.port = c->url.port,
		.ca_file = c->ca_file,
		.insecure_skip_verify = c->insecure_skip_verify,
		.timeout_ms = c->timeout_ms,
	};
	GError *local = NULL;
	c->transport = mp_imap_transport_new (&topts);
	if (!mp_imap_transport_connect (c->transport, &local)) {
		g_clear_pointer (&c->transport, mp_imap_transport_free);
		return transport_error (c, local, error);
	}
	c->parser = mp_imap_parser_new (&c->parser_settings);
	c->connected = TRUE;
	if (c->url.implicit_tls && !start_tls (c, error))
		return FALSE;
	if (!read_greeting (c, error))
		return FALSE;
	if (!c->caps_updated && !ask_capability (c, TRUE, error))
		return FALSE;
	if (c->url.implicit_tls || c->authenticated)
		return TRUE;

	if (mp_imap_client_has_capability (c, "STARTTLS"))
		return do_starttls (c, error);
	if (c->allow_plaintext)
		return TRUE;
	client_error (c, error, MP_ERROR_READ,
	              "server does not offer STARTTLS; refusing to continue without TLS "
	              "(use imaps://, or allow plaintext explicitly)");
	return FALSE;
}

/* ---- authentication --------------------------------------------------- */

/* The tagged completion of an authentication: OK, or "authentication
 * failed" with the server's text and any decoded challenge DETAIL. */
static gboolean
auth_result (MpImapClient *c, const MpImapResponse *r, const char *mech, const char *detail,
             GError **error)
{
	if (mp_imap_response_get_status (r) == MP_IMAP_STATUS_OK)
		return TRUE;
	g_autofree char *t = response_text (r);
	g_autofree char *as_admin = c->admin_user ? g_strdup_printf (" as admin %s", c->admin_user) : NULL;
	client_error (c, error, MP_ERROR_FAILED, "authentication failed for user %s%s (%s): server said %s%s%s",
	              c->url.user, as_admin ? as_admin : "", mech, t, detail ? "; details: " : "",
	              detail ? detail : "");
	return FALSE;
}

/* AUTHENTICATE (RFC 3501 §6.2.2): the exchange SASL knows, framed as IMAP
 * wants it (base64 lines after "+" continuations); the initial response
 * goes with the command when the server has SASL-IR (RFC 4959). At most
 * max_sasl_rounds challenges: every mechanism we speak needs one or two. */
static gboolean
sasl_exchange (MpImapClient *c, MpImapSasl *sasl, GError **error)
{
	guint rounds = 0;
	const char *mech = mp_imap_sasl_get_mechanism (sasl);
	g_autoptr(GString) line = g_string_sized_new (256);
	guint tag = register_tag (c, "AUTHENTICATE");
	gboolean ir = mp_imap_client_has_capability (c, "SASL-IR");
	if (ir)
		g_string_printf (line, "A%u AUTHENTICATE %s %s\r\n", tag, mech, mp_imap_sasl_initial_response (sasl));
	else
		g_string_printf (line, "A%u AUTHENTICATE %s\r\n", tag, mech);
	g_debug ("%s: C: A%u AUTHENTICATE %s%s", c->url.display, tag, mech, ir ? " <secret>" : "");
	gboolean ok = raw_write (c, line->str, line->len, error);
	mp_imap_secret_wipe (line->str, line->allocated_len);
	while (ok) {
		g_autoptr(MpImapResponse) r = read_until (c, tag, TRUE, NULL, NULL, error);
		if (r == NULL) {
			ok = FALSE;
			break;
		}
		if (mp_imap_response_get_kind (r) == MP_IMAP_RESPONSE_TAGGED) {
			gsize flen = 0;
			const char *failure = mp_imap_sasl_get_failure (sasl, &flen);
			g_autofree char *detail = failure ? shown_text (failure, flen) : NULL;
			g_hash_table_remove (c->pending, GUINT_TO_POINTER (tag));
			ok = auth_result (c, r, mech, detail, error);
			break;
		}
		if (++rounds > c->max_sasl_rounds) {
			client_error (c, error, MP_ERROR_READ, "server asked for more than %u SASL rounds (%s)",
			              c->max_sasl_rounds, mech);
			ok = FALSE;
			break;
		}
		gsize tlen = 0;
		const char *challenge = mp_imap_response_get_text (r, &tlen);
		g_string_printf (line, "%s\r\n", mp_imap_sasl_step (sasl, challenge, tlen));
		ok = raw_write (c, line->str, line->len, error);
		mp_imap_secret_wipe (line->str, line->allocated_len);
	}
	return ok;
}

static gboolean
sasl_authenticate (MpImapClient *c, MpImapSasl *sasl, GError **error)
{
	begin_wait (c, "the login");
	gboolean ok = sasl_exchange (c, sasl, error);
	explain_deadline (c, error);
	deadline_end (c);
	return ok;
}

/* LOGIN name password (RFC 3501 §6.2.3), as quoted strings or, for 8-bit
 * octets, literals. NAME is the user's, or "user*admin". */
static gboolean
login_exchange (MpImapClient *c, const char *name, const char *password, GError **error)
{
	guint tag = register_tag (c, "LOGIN");
	gsize cap = strlen (name) * 2 + strlen (password) * 2 + 64;
	g_autoptr(GString) line = g_string_sized_new (cap);
	g_string_printf (line, "A%u LOGIN ", tag);
	const char *args[2] = { name, password };
	gboolean literal_plus = mp_imap_client_has_capability (c, "LITERAL+");
	gboolean ok = TRUE;
	g_debug ("%s: C: A%u LOGIN %s <secret>", c->url.display, tag, name);
	for (guint i = 0; ok && i < 2; i++) {
		if (i > 0)
			g_string_append_c (line, ' ');
		if (mp_imap_append_astring (line, args[i]))
			continue;
		gsize len = strlen (args[i]);
		if (literal_plus) {
			g_string_append_printf (line, "{%" G_GSIZE_FORMAT "+}\r\n", len);
		} else {
			g_string_append_printf (line, "{%" G_GSIZE_FORMAT "}\r\n", len);
			ok = raw_write (c, line->str, line->len, error);
			mp_imap_secret_wipe (line->str, line->allocated_len);
			g_string_truncate (line, 0);
			if (!ok)
				break;
			g_autoptr(MpImapResponse) r = read_until (c, tag, TRUE, NULL, NULL, error);
			if (r == NULL)
				return FALSE;
			if (mp_imap_response_get_kind (r) == MP_IMAP_RESPONSE_TAGGED) {
				/* refused before the literal was sent */
				g_hash_table_remove (c->pending, GUINT_TO_POINTER (tag));
				if (auth_result (c, r, "LOGIN", NULL, error))
					client_error (c, error, MP_ERROR_READ, "server completed LOGIN before its arguments");
				return FALSE;
			}
		}
		g_string_append_len (line, args[i], (gssize) len);
	}
	if (ok) {
		g_string_append (line, "\r\n");
		ok = raw_write (c, line->str, line->len, error);
	}
	mp_imap_secret_wipe (line->str, line->allocated_len);
	if (!ok)
		return FALSE;
	g_autoptr(MpImapResponse) r = read_until (c, tag, FALSE, NULL, NULL, error);
	if (r == NULL)
		return FALSE;
	g_hash_table_remove (c->pending, GUINT_TO_POINTER (tag));
	return auth_result (c, r, "LOGIN", NULL, error);
}

static gboolean
login (MpImapClient *c, const char *name, const char *password, GError **error)
{
	begin_wait (c, "the login");
	gboolean ok = login_exchange (c, name, password, error);
	explain_deadline (c, error);
	deadline_end (c);
	return ok;
}

static char *
auth_cap (const char *mech)
{
	return g_strconcat ("AUTH=", mech, NULL);
}

/* An admin login sends the admin's password: never with an OAuth2 token
 * (whose user is the token's), and with an authorization identity only by
 * SASL PLAIN (RFC 4616 §2; LOGIN has no place for it). */
static gboolean
admin_login_possible (MpImapClient *c, gboolean authzid, const char *oauth2_token, GError **error)
{
	const char *sep = c->admin_separator && *c->admin_separator ? c->admin_separator
	                                                            : MP_IMAP_DEFAULT_ADMIN_SEPARATOR;

	if (oauth2_token != NULL) {
		client_error (c, error, MP_ERROR_USAGE, "an admin login takes the admin's password, not an "
		              "OAuth2 token");
		return FALSE;
	}
	if (!authzid)
		return TRUE;
	if (c->sasl_mechanism != NULL && g_ascii_strcasecmp (c->sasl_mechanism, "PLAIN") != 0) {
		client_error (c, error, MP_ERROR_USAGE,
		              "an admin login with an authorization identity needs SASL PLAIN, not %s "
		              "(or log in as \"user%sadmin\")", c->sasl_mechanism, sep);
		return FALSE;
	}
	if (!mp_imap_client_has_capability (c, "AUTH=PLAIN")) {
		client_error (c, error, MP_ERROR_FAILED,
		              "server does not offer AUTH=PLAIN, which an admin login with an "
		              "authorization identity needs (RFC 4616); log in as \"user%sadmin\" if it "
		              "is a Dovecot with a master user separator", sep);
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_imap_client_authenticate (MpImapClient *c, const char *password, const char *oauth2_token,
                             GError **error)
{
	if (!check_usable (c, error))
		return FALSE;
	if (c->authenticated)
		return TRUE;
	if (!mp_imap_transport_is_tls (c->transport) && !c->allow_plaintext) {
		client_error (c, error, MP_ERROR_USAGE, "refusing to send credentials without TLS");
		return FALSE;
	}
	MpImapAdminLogin admin = { c->admin_user, c->admin_form, c->admin_separator };
	g_autofree char *authzid = NULL, *authcid = NULL;
	g_autoptr(GError) ierr = NULL;
	if (!mp_imap_admin_identities (c->url.user, &admin, &authzid, &authcid, &ierr)) {
		client_error (c, error, MP_ERROR_USAGE, "%s", ierr->message);
		return FALSE;
	}
	if (c->admin_user != NULL && !admin_login_possible (c, authzid != NULL, oauth2_token, error))
		return FALSE;

	g_autofree char *mech = NULL;
	if (authzid != NULL) {
		mech = g_strdup ("PLAIN"); /* only PLAIN carries an authorization identity */
	} else if (c->sasl_mechanism != NULL) {
		mech = g_ascii_strup (c->sasl_mechanism, -1);
		g_autofree char *capname = auth_cap (mech);
		if (g_strcmp0 (mech, "LOGIN") == 0) {
			if (mp_imap_client_has_capability (c, "LOGINDISABLED")) {
				client_error (c, error, MP_ERROR_FAILED, "server disables LOGIN (LOGINDISABLED)");
				return FALSE;
			}
		} else if (g_strcmp0 (mech, "PLAIN") != 0 && g_strcmp0 (mech, "XOAUTH2") != 0 &&
		           g_strcmp0 (mech, "OAUTHBEARER") != 0) {
			client_error (c, error, MP_ERROR_USAGE,
			              "unsupported mechanism %s (XOAUTH2, OAUTHBEARER, PLAIN or LOGIN)", mech);
			return FALSE;
		} else if (!mp_imap_client_has_capability (c, capname)) {
			client_error (c, error, MP_ERROR_FAILED, "server does not offer %s", capname);
			return FALSE;
		}
	} else if (oauth2_token != NULL) {
		if (mp_imap_client_has_capability (c, "AUTH=OAUTHBEARER"))
			mech = g_strdup ("OAUTHBEARER");
		else if (mp_imap_client_has_capability (c, "AUTH=XOAUTH2"))
			mech = g_strdup ("XOAUTH2");
		else {
			client_error (c, error, MP_ERROR_FAILED,
			              "an OAuth2 token was given but the server offers neither "
			              "AUTH=OAUTHBEARER nor AUTH=XOAUTH2");
			return FALSE;
		}
	} else if (password != NULL) {
		if (mp_imap_client_has_capability (c, "AUTH=PLAIN"))
			mech = g_strdup ("PLAIN");
		else if (!mp_imap_client_has_capability (c, "LOGINDISABLED"))
			mech = g_strdup ("LOGIN");
		else {
			client_error (c, error, MP_ERROR_FAILED,
			              "server offers no password login (LOGINDISABLED and no AUTH=PLAIN)");
			return FALSE;
		}
	}
	gboolean oauth = mech && (strcmp (mech, "XOAUTH2") == 0 || strcmp (mech, "OAUTHBEARER") == 0);
	if (mech == NULL || (oauth && oauth2_token == NULL) || (!oauth && password == NULL)) {
		client_error (c, error, MP_ERROR_USAGE, "no %s given", oauth ? "OAuth2 token" : "password");
		return FALSE;
	}

	c->caps_updated = FALSE;
	gboolean ok;
	if (strcmp (mech, "LOGIN") == 0) {
		ok = login (c, authcid, password, error);
	} else {
		g_autoptr(MpImapSasl) sasl = oauth ? mp_imap_sasl_new (mech, authcid, c->url.host, c->url.port,
		                                                       oauth2_token)
		                                   : mp_imap_sasl_new_plain (authzid, authcid, password);
		ok = sasl_authenticate (c, sasl, error);
	}
	if (!ok)
		return FALSE;
	c->authenticated = TRUE;
	/* capabilities change after login (RFC 3501 §6.2.2); Dovecot sends them
	 * in the OK, others must be asked */
	if (!c->caps_updated)
		return ask_capability (c, FALSE, error);
	return TRUE;
}

/* ---- LIST ------------------------------------------------------------- */

void
mp_imap_folder_free (MpImapFolder *f)
{
	if (f == NULL)
		return;
	g_free (f->name);
	g_free (f->display);
	g_strfreev (f->attributes);
	g_free (f);
}

typedef struct {
	GPtrArray  *folders;
	GHashTable *by_name; /* name -> MpImapFolder (borrowed) */
} ListCtx;

/* An astring or nstring value as a C string (NULL for NIL, lists and
 * strings holding NUL). */
static const char *
value_cstring (const MpImapValue *v)
{
	gsize len = 0;
	const char *s = mp_imap_value_get_string (v, &len);
	if (s == NULL || mp_imap_value_get_value_type (v) == MP_IMAP_VALUE_LIST || strlen (s) != len)
		return NULL;
	return s;
}

static gboolean
list_untagged (const MpImapResponse *r, gpointer user_data, GError **error)
{
	ListCtx *ctx = user_data;
	const MpImapValue *data = mp_imap_response_get_data (r);
	const MpImapValue *kw = mp_imap_value_get_child (data, 0);
	if (mp_imap_value_is_atom (kw, "LIST") && mp_imap_value_get_n_children (data) >= 4) {
		const MpImapValue *attrs = mp_imap_value_get_child (data, 1);
		const MpImapValue *delim = mp_imap_value_get_child (data, 2);
		const char *name = value_cstring (mp_imap_value_get_child (data, 3));
		if (name == NULL || !mp_imap_value_is_list (attrs))
			return TRUE; /* not usable: skip it, as a folder we cannot name */
		MpImapFolder *f = g_new0 (MpImapFolder, 1);
		f->name = g_strdup (name);
		f->display = g_ascii_strcasecmp (name, "INBOX") == 0 ? g_strdup ("INBOX") : mp_mutf7_decode (name);
		if (f->display == NULL)
			f->display = shown_text (name, strlen (name));
		const char *d = value_cstring (delim);
		f->delimiter = d ? d[0] : '\0';
		GPtrArray *a = g_ptr_array_new ();
		for (guint i = 0; i < mp_imap_value_get_n_children (attrs); i++) {
			const char *s = value_cstring (mp_imap_value_get_child (attrs, i));
			if (s == NULL)
				continue;
			g_ptr_array_add (a, g_strdup (s));
			if (g_ascii_strcasecmp (s, "\\Noselect") == 0 || g_ascii_strcasecmp (s, "\\NonExistent") == 0)
				f->noselect = TRUE;
			f->special_use |= mp_special_use_from_attribute (s);
		}
		g_ptr_array_add (a, NULL);
		f->attributes = (char **) g_ptr_array_free (a, FALSE);
		f->size = G_MAXUINT64;
		g_ptr_array_add (ctx->folders, f);
		g_hash_table_replace (ctx->by_name, f->name, f);
	} else if (mp_imap_value_is_atom (kw, "STATUS") && mp_imap_value_get_n_children (data) >= 3) {
		const char *name = value_cstring (mp_imap_value_get_child (data, 1));
		const MpImapValue *items = mp_imap_value_get_child (data, 2);
		MpImapFolder *f = name ? g_hash_table_lookup (ctx->by_name, name) : NULL;
		if (f == NULL || !mp_imap_value_is_list (items))
			return TRUE;
		guint64 n;
		if (mp_imap_value_get_number (mp_imap_value_lookup (items, "MESSAGES"), &n)) {
			f->messages = n;
			f->has_status = TRUE;
		}
		if (mp_imap_value_get_number (mp_imap_value_lookup (items, "SIZE"), &n))
			f->size = n;
	}
	return TRUE;
}

/* LIST "" PATTERN, with RETURN (SPECIAL-USE STATUS ...) as far as the
 * server has them and STATUS is WITH_STATUS. */
static GPtrArray *
list_folders (MpImapClient *c, const char *pattern, gboolean with_status, GError **error)
{
	gboolean extended = mp_imap_client_has_capability (c, "LIST-EXTENDED") ||
	                    mp_imap_client_has_capability (c, "LIST-STATUS");
	gboolean special = extended && mp_imap_client_has_capability (c, "SPECIAL-USE");
	gboolean status = with_status && mp_imap_client_has_capability (c, "LIST-STATUS");
	gboolean size = status && mp_imap_client_has_capability (c, "STATUS=SIZE");
	g_autoptr(GString) cmd = g_string_new ("LIST \"\" ");
	if (!mp_imap_append_astring (cmd, pattern)) {
		client_error (c, error, MP_ERROR_USAGE, "a LIST pattern must be 7-bit (modified UTF-7)");
		return NULL;
	}
	if (special || status) {
		g_string_append (cmd, " RETURN (");
		if (special)
			g_string_append (cmd, status ? "SPECIAL-USE " : "SPECIAL-USE");
		if (status)
			g_string_append (cmd, size ? "STATUS (MESSAGES SIZE)" : "STATUS (MESSAGES)");
		g_string_append_c (cmd, ')');
	}
	ListCtx ctx = {
		.folders = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_imap_folder_free),
		.by_name = g_hash_table_new (g_str_hash, g_str_equal),
	};
	gboolean ok = mp_imap_client_command (c, cmd->str, list_untagged, &ctx, error);
	g_hash_table_unref (ctx.by_name);
	if (!ok) {
		g_ptr_array_unref (ctx.folders);
		return NULL;
	}
	return ctx.folders;
}

GPtrArray *
mp_imap_client_list (MpImapClient *c, GError **error)
{
	return list_folders (c, "*", TRUE, error);
}

GPtrArray *
mp_imap_client_list_pattern (MpImapClient *c, const char *pattern, GError **error)
{
	return list_folders (c, pattern, FALSE, error);
}

/* ---- EXAMINE ---------------------------------------------------------- */

static gboolean
examine_untagged (const MpImapResponse *r, gpointer user_data, GError **error)
{
	MpImapMailboxInfo *info = user_data;
	guint64 n;
	const MpImapValue *data = mp_imap_response_get_data (r);
	if (data != NULL) {
		if (mp_imap_value_is_atom (mp_imap_value_get_child (data, 1), "EXISTS") &&
		    mp_imap_value_get_number (mp_imap_value_get_child (data, 0), &n))
			info->exists = n;
		return TRUE;
	}
	const MpImapValue *code = mp_imap_response_get_code (r);
	if (code == NULL || !mp_imap_value_get_number (mp_imap_value_get_child (code, 1), &n))
		return TRUE;
	const MpImapValue *name = mp_imap_value_get_child (code, 0);
	if (mp_imap_value_is_atom (name, "UIDVALIDITY") && n <= G_MAXUINT32)
		info->uidvalidity = (guint32) n;
	else if (mp_imap_value_is_atom (name, "UIDNEXT") && n <= G_MAXUINT32)
		info->uidnext = (guint32) n;
	else if (mp_imap_value_is_atom (name, "HIGHESTMODSEQ"))
		info->highestmodseq = n;
	return TRUE;
}

static gboolean
open_folder (MpImapClient *c, const char *verb, const char *name, MpImapMailboxInfo *info, GError **error)
{
	MpImapMailboxInfo local = { 0 };
	g_autoptr(MpImapResponse) done = NULL;

	/* until it is open, no folder bounds what a command may bring */
	c->exists = G_MAXUINT64;
	/* the error names no folder: the caller knows it as the user sees it
	 * (decoded), and the scan's folder error names it once */
	if (!command_astring (c, verb, name, examine_untagged, &local, &done, error))
		return FALSE;
	const MpImapValue *code = mp_imap_response_get_code (done);
	local.read_only = code && mp_imap_value_is_atom (mp_imap_value_get_child (code, 0), "READ-ONLY");
	c->exists = local.exists;
	if (info)
		*info = local;
	return TRUE;
}

gboolean
mp_imap_client_examine (MpImapClient *c, const char *name, MpImapMailboxInfo *info, GError **error)
{
	return open_folder (c, "EXAMINE", name, info, error);
}

gboolean
mp_imap_client_select (MpImapClient *c, const char *name, MpImapMailboxInfo *info, GError **error)
{
	return open_folder (c, "SELECT", name, info, error);
}

void
mp_imap_client_note_exists (MpImapClient *c, guint64 exists)
{
	if (c->exists != G_MAXUINT64 && exists > c->exists)
		c->exists = exists;
}

/* ---- UID FETCH -------------------------------------------------------- */

typedef struct {
	MpImapFetchFunc func;
	gpointer        user_data;
} FetchCtx;

static gboolean
fetch_untagged (const MpImapResponse *r, gpointer user_data, GError **error)
{
	FetchCtx *ctx = user_data;
	const MpImapValue *data = mp_imap_response_get_data (r);
	guint64 seq;
	if (data == NULL || !mp_imap_value_is_atom (mp_imap_value_get_child (data, 1), "FETCH") ||
	    !mp_imap_value_get_number (mp_imap_value_get_child (data, 0), &seq) ||
	    !mp_imap_value_is_list (mp_imap_value_get_child (data, 2)))
		return TRUE;
	return ctx->func (seq, mp_imap_value_get_child (data, 2), ctx->user_data, error);
}

/* FALSE when ITEMS would set \Seen (RFC 3501 §6.4.5): BODY[...] and
 * BINARY[...] without .PEEK, RFC822 and RFC822.TEXT. */
static gboolean
items_are_read_only (const char *items)
{
	g_autofree char *up = g_ascii_strup (items, -1);
	if (strstr (up, "BODY[") != NULL || strstr (up, "BINARY[") != NULL)
		return FALSE;
	for (char *tok = up; *tok;) {
		gsize n = strcspn (tok, " ()");
		if ((n == 6 && strncmp (tok, "RFC822", 6) == 0) || (n == 11 && strncmp (tok, "RFC822.TEXT", 11) == 0))
			return FALSE;
		tok += n;
		while (*tok == ' ' || *tok == '(' || *tok == ')')
			tok++;
	}
	return TRUE;
}

gboolean
mp_imap_client_uid_fetch (MpImapClient *c, const char *uid_set, const char *items,
                          MpImapFetchFunc func, gpointer user_data, GError **error)
{
	if (*uid_set == '\0' || strspn (uid_set, "0123456789:,*") != strlen (uid_set)) {
		client_error (c, error, MP_ERROR_USAGE, "bad UID set '%s'", uid_set);
		return FALSE;
	}
	if (!items_are_read_only (items)) {
		client_error (c, error, MP_ERROR_USAGE,
		              "FETCH items '%s' would mark messages as read: use BODY.PEEK[...]", items);
		return FALSE;
	}
	g_autofree char *cmd = g_strdup_printf ("UID FETCH %s %s", uid_set, items);
	FetchCtx ctx = { func, user_data };
	return mp_imap_client_command (c, cmd, fetch_untagged, &ctx, error);
}

/* Commands in flight at once: enough to hide the round trips, few enough
 * that our requests never fill the socket while the server writes. */
#define FETCH_WINDOW 16

gboolean
mp_imap_client_uid_fetch_many (MpImapClient *c, guint n, const char *const *uid_sets,
                               const char *const *items, MpImapFetchFunc func, gpointer user_data,
                               GError **error)
{
	FetchCtx ctx = { func, user_data };
	guint tags[FETCH_WINDOW];
	guint sent = 0, done = 0;
	g_autoptr(GError) refused = NULL;

	for (guint i = 0; i < n; i++) {
		if (*uid_sets[i] == '\0' || strspn (uid_sets[i], "0123456789:,*") != strlen (uid_sets[i])) {
			client_error (c, error, MP_ERROR_USAGE, "bad UID set '%s'", uid_sets[i]);
			return FALSE;
		}
		if (!items_are_read_only (items[i])) {
			client_error (c, error, MP_ERROR_USAGE,
			              "FETCH items '%s' would mark messages as read: use BODY.PEEK[...]", items[i]);
			return FALSE;
		}
	}
	/* RFC 3501 §5.5: FETCHes may be pipelined; each response names its UID */
	while (done < n) {
		g_autoptr(GError) local = NULL;
		while (sent < n && sent - done < FETCH_WINDOW) {
			g_autofree char *cmd = g_strdup_printf ("UID FETCH %s %s", uid_sets[sent], items[sent]);
			guint tag = mp_imap_client_send (c, cmd, error);
			if (tag == 0)
				return FALSE;
			tags[sent % FETCH_WINDOW] = tag;
			sent++;
		}
		if (!mp_imap_client_wait (c, tags[done % FETCH_WINDOW], fetch_untagged, &ctx, &local)) {
			if (c->broken) {
				g_propagate_error (error, g_steal_pointer (&local));
				return FALSE;
			}
			/* a NO for one command: the others still get their answers */
			if (refused == NULL)
				refused = g_steal_pointer (&local);
		}
		done++;
	}
	if (refused != NULL) {
		g_propagate_error (error, g_steal_pointer (&refused));
		return FALSE;
	}
	return TRUE;
}

/* ---- LOGOUT ----------------------------------------------------------- */

void
mp_imap_client_logout (MpImapClient *c)
{
	if (c->connected && !c->broken) {
		/* a goodbye is not worth a minute (the connection ends here, so
		 * the shorter wait is never undone) */
		mp_imap_transport_set_timeout (c->transport, MIN (c->timeout_ms, 5000u));
		g_autoptr(GError) err = NULL;
		guint tag = mp_imap_client_send (c, "LOGOUT", &err);
		if (tag != 0 && !mp_imap_client_wait (c, tag, NULL, NULL, &err))
			g_debug ("%s: LOGOUT: %s", c->url.display, err->message);
		if (!c->broken)
			mp_imap_transport_shutdown (c->transport);
	}
	close_connection (c);
}
