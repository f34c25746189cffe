/* managesieve.c — see managesieve.h. Lines are parsed by
 * managesieve-parser.c; octets travel on imap-transport.c; SASL messages
 * come from imap-sasl.c. This file never parses server bytes itself. */
#include "managesieve.h"
#include "managesieve-parser.h"
#include "imap-secret.h"
#include "imap-transport.h"
#include "shown-text.h"

#include <string.h>

/* Server text shown in messages is cut here: it is untrusted. */
#define MAX_SHOWN_TEXT 300
/* Data lines in one response (capabilities, LISTSCRIPTS): a real server
 * sends tens; a hostile one must not grow our memory. */
#define MAX_DATA_LINES 10000
/* SASL challenges answered in one AUTHENTICATE. */
#define MAX_SASL_ROUNDS 8
#define DEFAULT_TIMEOUT_MS 60000

typedef struct {
	char *name;  /* upper-cased */
	char *value; /* or NULL */
} Capability;

struct _MpManageSieve {
	char           *host;
	guint16         port;
	char           *user;
	char           *ca_file;
	gboolean        insecure_skip_verify;
	gboolean        allow_plaintext;
	guint           timeout_ms;
	char           *admin_user;
	MpImapAdminForm admin_form;
	char           *admin_separator;
	gsize           max_script_size;
	char           *display;

	MpImapTransport     *transport;
	MpManageSieveParser *parser;
	guint8               inbuf[16384];
	gsize                in_start, in_end;
	gboolean             line_mode;  /* one line at a time (STARTTLS) */
	GArray              *caps;       /* Capability */
	gboolean             connected, broken, authenticated;
};

/* ---- small helpers -------------------------------------------------------- */

/* Untrusted server text made safe for a message (shown-text.h: valid
 * UTF-8, no control character), at most MAX_SHOWN_TEXT characters. */
static char *
shown_text (const char *s, gsize len)
{
	/* characters are at most 4 octets: cut the octets first */
	g_autofree char *cut = g_strndup (s ? s : "", MIN (len, (gsize) MAX_SHOWN_TEXT * 4));
	return mp_text_for_terminal (cut, MAX_SHOWN_TEXT);
}

static void G_GNUC_PRINTF (4, 5)
client_error (MpManageSieve *m, GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	g_autofree char *msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	if (code == MP_ERROR_READ)
		m->broken = TRUE;
	g_set_error (error, MP_ERROR, code, "%s: %s", m->display, msg);
}

/* Puts WHAT after the display URL at the start of ERROR's message:
 * "sieve://u@h:4190: WHAT: connection closed by server". */
static void
add_context (MpManageSieve *m, GError **error, const char *what)
{
	if (error == NULL || *error == NULL)
		return;
	gsize n = strlen (m->display);
	const char *msg = (*error)->message;
	g_autofree char *rest = g_strdup (strncmp (msg, m->display, n) == 0 && msg[n] == ':' ? msg + n + 2 : msg);
	g_free ((*error)->message);
	(*error)->message = g_strdup_printf ("%s: %s: %s", m->display, what, rest);
}

static void
capability_clear (gpointer p)
{
	Capability *c = p;
	g_free (c->name);
	g_free (c->value);
}

/* ---- creation ------------------------------------------------------------- */

MpManageSieve *
mp_managesieve_new (const MpManageSieveOptions *o)
{
	MpManageSieve *m = g_new0 (MpManageSieve, 1);

	m->host = g_strdup (o->host ? o->host : "");
	m->port = o->port ? o->port : MP_MANAGESIEVE_DEFAULT_PORT;
	m->user = g_strdup (o->user ? o->user : "");
	m->ca_file = g_strdup (o->ca_file);
	m->insecure_skip_verify = o->insecure_skip_verify;
	m->allow_plaintext = o->allow_plaintext;
	m->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	m->admin_user = g_strdup (o->admin.user);
	m->admin_form = o->admin.form;
	m->admin_separator = g_strdup (o->admin.separator);
	m->max_script_size = o->max_script_size ? o->max_script_size : MP_MANAGESIEVE_DEFAULT_MAX_LITERAL_SIZE;
	/* RFC 5804 §3: sieve://[userinfo@]host[:port]; IPv6 in brackets */
	gboolean v6 = strchr (m->host, ':') != NULL;
	g_autofree char *user = g_uri_escape_string (m->user, G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS, FALSE);
	m->display = g_strdup_printf ("sieve://%s@%s%s%s:%u", user, v6 ? "[" : "", m->host, v6 ? "]" : "",
	                              m->port);
	m->caps = g_array_new (FALSE, TRUE, sizeof (Capability));
	g_array_set_clear_func (m->caps, capability_clear);
	return m;
}

static void
close_connection (MpManageSieve *m)
{
	g_clear_pointer (&m->transport, mp_imap_transport_free);
	g_clear_pointer (&m->parser, mp_managesieve_parser_free);
	m->in_start = m->in_end = 0;
	m->connected = FALSE;
}

void
mp_managesieve_free (MpManageSieve *m)
{
	if (m == NULL)
		return;
	close_connection (m);
	g_free (m->host);
	g_free (m->user);
	g_free (m->ca_file);
	g_free (m->admin_user);
	g_free (m->admin_separator);
	g_free (m->display);
	g_array_unref (m->caps);
	g_free (m);
}

const char *
mp_managesieve_get_display (const MpManageSieve *m)
{
	return m->display;
}

gboolean
mp_managesieve_is_broken (const MpManageSieve *m)
{
	return m->broken;
}

/* ---- reading -------------------------------------------------------------- */

static gboolean
transport_failed (MpManageSieve *m, GError *local, GError **error)
{
	if (local->code == MP_ERROR_READ)
		m->broken = TRUE;
	g_propagate_prefixed_error (error, local, "%s: ", m->display);
	return FALSE;
}

/* The next line from the server (transfer full), or NULL with ERROR. */
static MpManageSieveValue *
read_line (MpManageSieve *m, GError **error)
{
	if (m->broken || m->parser == NULL) {
		client_error (m, error, MP_ERROR_READ, "the connection is not usable");
		return NULL;
	}
	for (;;) {
		MpManageSieveValue *line = mp_managesieve_parser_pop (m->parser);
		if (line != NULL)
			return line;
		if (m->in_start < m->in_end) {
			gsize n = m->in_end - m->in_start;
			if (m->line_mode) {
				const guint8 *lf = memchr (m->inbuf + m->in_start, '\n', n);
				if (lf != NULL)
					n = (gsize) (lf - (m->inbuf + m->in_start)) + 1;
			}
			g_autoptr(GError) perr = NULL;
			if (!mp_managesieve_parser_feed (m->parser, m->inbuf + m->in_start, n, &perr)) {
				client_error (m, error, MP_ERROR_READ, "bad response from server: %s", perr->message);
				return NULL;
			}
			m->in_start += n;
			continue;
		}
		m->in_start = m->in_end = 0;
		gsize got = 0;
		GError *local = NULL;
		switch (mp_imap_transport_read (m->transport, m->inbuf, sizeof m->inbuf, &got, &local)) {
		case MP_IMAP_IO_OK:
			m->in_end = got;
			break;
		case MP_IMAP_IO_CLOSED:
			client_error (m, error, MP_ERROR_READ, "connection closed by server");
			return NULL;
		case MP_IMAP_IO_FAILED:
		default:
			transport_failed (m, local, error);
			return NULL;
		}
	}
}

typedef enum { FINAL_NONE, FINAL_OK, FINAL_NO, FINAL_BYE } Final;

/* RFC 5804 §4: response-oknobye = ("OK" / "NO" / "BYE") ... */
static Final
final_of (const MpManageSieveValue *line)
{
	const MpManageSieveValue *first = mp_managesieve_value_get_child (line, 0);
	if (mp_managesieve_value_is_atom (first, "OK"))
		return FINAL_OK;
	if (mp_managesieve_value_is_atom (first, "NO"))
		return FINAL_NO;
	if (mp_managesieve_value_is_atom (first, "BYE"))
		return FINAL_BYE;
	return FINAL_NONE;
}

/* What the server said in a final line: its code and text, shown safely:
 * "(NONEXISTENT) Sieve script `x' not found". */
static char *
final_text (const MpManageSieveValue *line)
{
	GString *s = g_string_new (NULL);
	for (guint i = 1; i < mp_managesieve_value_get_n_children (line); i++) {
		const MpManageSieveValue *v = mp_managesieve_value_get_child (line, i);
		g_autofree char *part = NULL;
		if (mp_managesieve_value_get_type (v) == MP_MANAGESIEVE_VALUE_LIST) {
			g_autofree char *code = mp_managesieve_value_to_debug_string (v);
			part = g_strdup_printf ("(%s)", code);
		} else {
			gsize len = 0;
			const char *t = mp_managesieve_value_get_string (v, &len);
			part = shown_text (t, len);
		}
		g_autofree char *shown = shown_text (part, strlen (part));
		g_string_append_printf (s, "%s%s", s->len ? " " : "", shown);
	}
	if (s->len == 0)
		g_string_append (s, "(no text)");
	return g_string_free (s, FALSE);
}

/* Reads data lines (to DATA when not NULL) up to the final line, which is
 * returned (transfer full). A BYE breaks the connection: NULL with ERROR. */
static MpManageSieveValue *
read_response (MpManageSieve *m, GPtrArray *data, GError **error)
{
	guint lines = 0;
	for (;;) {
		g_autoptr(MpManageSieveValue) line = read_line (m, error);
		if (line == NULL)
			return NULL;
		Final f = final_of (line);
		if (f == FINAL_BYE) {
			g_autofree char *t = final_text (line);
			client_error (m, error, MP_ERROR_READ, "connection closed by server (BYE %s)", t);
			return NULL;
		}
		if (f != FINAL_NONE)
			return g_steal_pointer (&line);
		if (++lines > MAX_DATA_LINES) {
			client_error (m, error, MP_ERROR_READ, "more than %d lines in one response", MAX_DATA_LINES);
			return NULL;
		}
		if (data != NULL)
			g_ptr_array_add (data, g_steal_pointer (&line));
	}
}

/* TRUE for OK; NO is MP_ERROR_FAILED naming WHAT and the server's text. */
static gboolean
check_ok (MpManageSieve *m, const MpManageSieveValue *final, const char *what, GError **error)
{
	if (final_of (final) == FINAL_OK)
		return TRUE;
	g_autofree char *t = final_text (final);
	client_error (m, error, MP_ERROR_FAILED, "%s failed: server said NO %s", what, t);
	return FALSE;
}

/* ---- writing -------------------------------------------------------------- */

static gboolean
write_all (MpManageSieve *m, const char *data, gsize len, GError **error)
{
	GError *local = NULL;
	switch (mp_imap_transport_write (m->transport, data, len, &local)) {
	case MP_IMAP_IO_OK:
		return TRUE;
	case MP_IMAP_IO_CLOSED:
		client_error (m, error, MP_ERROR_READ, "connection closed by server");
		return FALSE;
	case MP_IMAP_IO_FAILED:
	default:
		return transport_failed (m, local, error);
	}
}

/* Appends S as a ManageSieve string (RFC 5804 §4): quoted, or a literal
 * "{n+}" when it holds a line end or NUL... (a NUL-free C string here). */
static void
append_string (GString *line, const char *s)
{
	if (strpbrk (s, "\r\n") != NULL || strlen (s) > 1024) {
		g_string_append_printf (line, "{%" G_GSIZE_FORMAT "+}\r\n%s", strlen (s), s);
		return;
	}
	g_string_append_c (line, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c (line, '\\');
		g_string_append_c (line, *p);
	}
	g_string_append_c (line, '"');
}

/* The only commands this client sends: read-only by construction. */
static const char *const allowed_commands[] = {
	"CAPABILITY", "STARTTLS", "AUTHENTICATE", "LISTSCRIPTS", "GETSCRIPT", "LOGOUT",
};

/* Sends VERB with ARG (NULL: none) as a string; SECRET_ARG (NULL: none), a
 * second string, is wiped from memory after sending and never logged. */
static gboolean
send_command (MpManageSieve *m, const char *verb, const char *arg, const char *secret_arg,
              GError **error)
{
	gboolean allowed = FALSE;
	for (guint i = 0; i < G_N_ELEMENTS (allowed_commands); i++)
		allowed = allowed || strcmp (verb, allowed_commands[i]) == 0;
	g_assert (allowed); /* a programming error: this client never writes */
	if (m->broken || !m->connected) {
		client_error (m, error, MP_ERROR_READ, "the connection is not usable");
		return FALSE;
	}
	g_autoptr(GString) line = g_string_new (verb);
	if (arg != NULL) {
		g_string_append_c (line, ' ');
		append_string (line, arg);
	}
	if (secret_arg != NULL) {
		g_string_append_c (line, ' ');
		append_string (line, secret_arg);
	}
	g_debug ("%s: C: %s%s%s%s", m->display, verb, arg ? " " : "", arg ? arg : "",
	         secret_arg ? " <secret>" : "");
	g_string_append (line, "\r\n");
	gboolean ok = write_all (m, line->str, line->len, error);
	mp_imap_secret_wipe (line->str, line->allocated_len);
	return ok;
}

/* ---- connect -------------------------------------------------------------- */

/* The capability lines of a response (RFC 5804 §1.7): "NAME" ["value"]. */
static void
set_capabilities (MpManageSieve *m, GPtrArray *lines)
{
	g_array_set_size (m->caps, 0);
	for (guint i = 0; i < lines->len; i++) {
		const MpManageSieveValue *line = lines->pdata[i];
		const MpManageSieveValue *name = mp_managesieve_value_get_child (line, 0);
		const MpManageSieveValue *value = mp_managesieve_value_get_child (line, 1);
		gsize nlen = 0, vlen = 0;
		const char *n = mp_managesieve_value_get_string (name, &nlen);
		const char *v = mp_managesieve_value_get_string (value, &vlen);
		if (n == NULL || nlen == 0 || strlen (n) != nlen ||
		    mp_managesieve_value_get_type (name) != MP_MANAGESIEVE_VALUE_STRING)
			continue;
		Capability c = { g_ascii_strup (n, -1), v != NULL && strlen (v) == vlen ? g_strdup (v) : NULL };
		g_array_append_val (m->caps, c);
	}
}

static gboolean
read_capabilities (MpManageSieve *m, const char *when, GError **error)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_managesieve_value_free);
	g_autoptr(MpManageSieveValue) final = read_response (m, lines, error);
	if (final == NULL) {
		add_context (m, error, when);
		return FALSE;
	}
	if (final_of (final) != FINAL_OK) {
		g_autofree char *t = final_text (final);
		client_error (m, error, MP_ERROR_READ, "%s: server said NO %s", when, t);
		return FALSE;
	}
	set_capabilities (m, lines);
	return TRUE;
}

gboolean
mp_managesieve_has_capability (const MpManageSieve *m, const char *name)
{
	for (guint i = 0; i < m->caps->len; i++) {
		if (g_ascii_strcasecmp (g_array_index (m->caps, Capability, i).name, name) == 0)
			return TRUE;
	}
	return FALSE;
}

const char *
mp_managesieve_get_capability (const MpManageSieve *m, const char *name)
{
	for (guint i = 0; i < m->caps->len; i++) {
		const Capability *c = &g_array_index (m->caps, Capability, i);
		if (g_ascii_strcasecmp (c->name, name) == 0)
			return c->value;
	}
	return NULL;
}

static gboolean
do_starttls (MpManageSieve *m, GError **error)
{
	/* one line at a time, so octets after the OK stay in our buffer where
	 * we can see them (response injection, as CVE-2020-14954 for IMAP) */
	m->line_mode = TRUE;
	gboolean ok = send_command (m, "STARTTLS", NULL, NULL, error);
	g_autoptr(MpManageSieveValue) final = ok ? read_response (m, NULL, error) : NULL;
	m->line_mode = FALSE;
	if (final == NULL)
		return FALSE;
	if (final_of (final) != FINAL_OK) {
		g_autofree char *t = final_text (final);
		client_error (m, error, MP_ERROR_READ, "STARTTLS refused: server said NO %s", t);
		return FALSE;
	}
	if (m->in_start < m->in_end || mp_imap_transport_has_unread (m->transport)) {
		client_error (m, error, MP_ERROR_READ,
		              "server sent data after STARTTLS's OK before the TLS handshake; refusing "
		              "(response injection)");
		return FALSE;
	}
	/* forget everything learnt in plaintext */
	mp_managesieve_parser_free (m->parser);
	MpManageSieveLimits limits = { .max_literal_size = m->max_script_size };
	m->parser = mp_managesieve_parser_new (&limits);
	g_array_set_size (m->caps, 0);
	GError *local = NULL;
	if (!mp_imap_transport_start_tls (m->transport, &local))
		return transport_failed (m, local, error);
	/* RFC 5804 §2.2: the server sends its capabilities again, unasked */
	return read_capabilities (m, "after STARTTLS", error);
}

gboolean
mp_managesieve_connect (MpManageSieve *m, GError **error)
{
	if (m->connected || m->broken) {
		client_error (m, error, MP_ERROR_USAGE, "connect called twice");
		return FALSE;
	}
	MpImapTransportOptions topts = {
		.host = m->host,
		.port = m->port,
		.ca_file = m->ca_file,
		.insecure_skip_verify = m->insecure_skip_verify,
		.timeout_ms = m->timeout_ms,
	};
	GError *local = NULL;
	m->transport = mp_imap_transport_new (&topts);
	if (!mp_imap_transport_connect (m->transport, &local)) {
		g_clear_pointer (&m->transport, mp_imap_transport_free);
		return transport_failed (m, local, error);
	}
	MpManageSieveLimits limits = { .max_literal_size = m->max_script_size };
	m->parser = mp_managesieve_parser_new (&limits);
	m->connected = TRUE;
	/* RFC 5804 §1.7: the greeting is the capability list and OK */
	if (!read_capabilities (m, "reading the greeting", error))
		return FALSE;
	if (mp_managesieve_has_capability (m, "STARTTLS"))
		return do_starttls (m, error);
	if (m->allow_plaintext)
		return TRUE;
	client_error (m, error, MP_ERROR_READ,
	              "server does not offer STARTTLS; refusing to continue without TLS "
	              "(allow plaintext explicitly to go on)");
	return FALSE;
}

/* ---- authenticate --------------------------------------------------------- */

/* TRUE when the SASL capability lists MECH. */
static gboolean
offers_mechanism (const MpManageSieve *m, const char *mech)
{
	const char *list = mp_managesieve_get_capability (m, "SASL");
	g_auto(GStrv) mechs = g_strsplit (list ? list : "", " ", -1);
	for (guint i = 0; mechs[i] != NULL; i++) {
		if (g_ascii_strcasecmp (mechs[i], mech) == 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
mp_managesieve_authenticate (MpManageSieve *m, const char *password, const char *oauth2_token,
                             GError **error)
{
	if (m->authenticated)
		return TRUE;
	if (m->broken || !m->connected) {
		client_error (m, error, MP_ERROR_READ, "the connection is not usable");
		return FALSE;
	}
	if (!mp_imap_transport_is_tls (m->transport) && !m->allow_plaintext) {
		client_error (m, error, MP_ERROR_USAGE, "refusing to send credentials without TLS");
		return FALSE;
	}
	MpImapAdminLogin admin = { m->admin_user, m->admin_form, m->admin_separator };
	g_autofree char *authzid = NULL, *authcid = NULL;
	g_autoptr(GError) ierr = NULL;
	if (!mp_imap_admin_identities (m->user, &admin, &authzid, &authcid, &ierr)) {
		client_error (m, error, MP_ERROR_USAGE, "%s", ierr->message);
		return FALSE;
	}
	g_autoptr(MpImapSasl) sasl = NULL;
	if (oauth2_token != NULL) {
		if (m->admin_user != NULL) {
			client_error (m, error, MP_ERROR_USAGE,
			              "an admin login takes the admin's password, not an OAuth2 token");
			return FALSE;
		}
		const char *mech = offers_mechanism (m, "OAUTHBEARER") ? "OAUTHBEARER"
		                   : offers_mechanism (m, "XOAUTH2")   ? "XOAUTH2" : NULL;
		if (mech == NULL) {
			client_error (m, error, MP_ERROR_FAILED,
			              "an OAuth2 token was given but the server offers neither OAUTHBEARER nor XOAUTH2");
			return FALSE;
		}
		sasl = mp_imap_sasl_new (mech, authcid, m->host, m->port, oauth2_token);
	} else if (password != NULL) {
		if (!offers_mechanism (m, "PLAIN")) {
			const char *list = mp_managesieve_get_capability (m, "SASL");
			g_autofree char *shown = shown_text (list, list ? strlen (list) : 0);
			client_error (m, error, MP_ERROR_FAILED, "server does not offer SASL PLAIN (SASL: %s)",
			              list ? shown : "none");
			return FALSE;
		}
		sasl = mp_imap_sasl_new_plain (authzid, authcid, password);
	} else {
		client_error (m, error, MP_ERROR_USAGE, "no password given");
		return FALSE;
	}
	const char *mech = mp_imap_sasl_get_mechanism (sasl);
	/* RFC 5804 §2.1: AUTHENTICATE mechanism [initial-response] */
	if (!send_command (m, "AUTHENTICATE", mech, mp_imap_sasl_initial_response (sasl), error))
		return FALSE;
	for (guint round = 0;; round++) {
		g_autoptr(MpManageSieveValue) line = read_line (m, error);
		if (line == NULL)
			return FALSE;
		Final f = final_of (line);
		if (f == FINAL_OK)
			break;
		if (f == FINAL_NO || f == FINAL_BYE) {
			g_autofree char *t = final_text (line);
			gsize flen = 0;
			const char *failure = mp_imap_sasl_get_failure (sasl, &flen);
			g_autofree char *detail = failure ? shown_text (failure, flen) : NULL;
			g_autofree char *as_admin = m->admin_user ? g_strdup_printf (" as admin %s", m->admin_user) : NULL;
			client_error (m, error, f == FINAL_BYE ? MP_ERROR_READ : MP_ERROR_FAILED,
			              "authentication failed for user %s%s (%s): server said %s %s%s%s",
			              m->user, as_admin ? as_admin : "", mech, f == FINAL_BYE ? "BYE" : "NO", t,
			              detail ? "; details: " : "", detail ? detail : "");
			return FALSE;
		}
		/* a challenge: one string, answered with one string */
		const MpManageSieveValue *c = mp_managesieve_value_get_child (line, 0);
		gsize clen = 0;
		const char *challenge = mp_managesieve_value_get_string (c, &clen);
		if (round >= MAX_SASL_ROUNDS || challenge == NULL ||
		    mp_managesieve_value_get_type (c) != MP_MANAGESIEVE_VALUE_STRING) {
			client_error (m, error, MP_ERROR_READ, "unexpected answer to AUTHENTICATE");
			return FALSE;
		}
		g_autoptr(GString) answer = g_string_new (NULL);
		append_string (answer, mp_imap_sasl_step (sasl, challenge, clen));
		g_string_append (answer, "\r\n");
		gboolean ok = write_all (m, answer->str, answer->len, error);
		mp_imap_secret_wipe (answer->str, answer->allocated_len);
		if (!ok)
			return FALSE;
	}
	m->authenticated = TRUE;
	return TRUE;
}

/* ---- scripts -------------------------------------------------------------- */

gboolean
mp_managesieve_list_scripts (MpManageSieve *m, GPtrArray **names, char **active, GError **error)
{
	if (names != NULL)
		*names = NULL;
	if (active != NULL)
		*active = NULL;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_managesieve_value_free);
	if (!send_command (m, "LISTSCRIPTS", NULL, NULL, error))
		return FALSE;
	g_autoptr(MpManageSieveValue) final = read_response (m, lines, error);
	if (final == NULL || !check_ok (m, final, "LISTSCRIPTS", error))
		return FALSE;
	g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *on = NULL;
	for (guint i = 0; i < lines->len; i++) {
		/* RFC 5804 §2.7: sieve-name [SP "ACTIVE"] */
		const MpManageSieveValue *line = lines->pdata[i];
		const MpManageSieveValue *name = mp_managesieve_value_get_child (line, 0);
		gsize len = 0;
		const char *n = mp_managesieve_value_get_string (name, &len);
		if (n == NULL || mp_managesieve_value_get_type (name) != MP_MANAGESIEVE_VALUE_STRING ||
		    strlen (n) != len) {
			client_error (m, error, MP_ERROR_READ, "LISTSCRIPTS: a line is no script name");
			return FALSE;
		}
		g_ptr_array_add (all, g_strdup (n));
		if (mp_managesieve_value_is_atom (mp_managesieve_value_get_child (line, 1), "ACTIVE")) {
			if (on != NULL) {
				client_error (m, error, MP_ERROR_READ, "LISTSCRIPTS: two scripts are ACTIVE");
				return FALSE;
			}
			on = g_strdup (n);
		}
	}
	if (names != NULL)
		*names = g_steal_pointer (&all);
	if (active != NULL)
		*active = g_steal_pointer (&on);
	return TRUE;
}

GBytes *
mp_managesieve_get_script (MpManageSieve *m, const char *name, GError **error)
{
	if (name == NULL || *name == '\0') {
		client_error (m, error, MP_ERROR_USAGE, "no script name");
		return NULL;
	}
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_managesieve_value_free);
	if (!send_command (m, "GETSCRIPT", name, NULL, error))
		return NULL;
	g_autoptr(MpManageSieveValue) final = read_response (m, lines, error);
	if (final == NULL)
		return NULL;
	g_autofree char *shown = shown_text (name, strlen (name));
	g_autofree char *what = g_strdup_printf ("GETSCRIPT \"%s\"", shown);
	if (!check_ok (m, final, what, error))
		return NULL;
	/* RFC 5804 §2.9: the script is one string, then OK */
	const MpManageSieveValue *s = lines->len == 1 ? mp_managesieve_value_get_child (lines->pdata[0], 0) : NULL;
	if (s == NULL || mp_managesieve_value_get_type (s) != MP_MANAGESIEVE_VALUE_STRING ||
	    mp_managesieve_value_get_n_children (lines->pdata[0]) != 1) {
		client_error (m, error, MP_ERROR_READ, "%s: the answer is not one string", what);
		return NULL;
	}
	gsize len = 0;
	const char *data = mp_managesieve_value_get_string (s, &len);
	return g_bytes_new (data, len);
}

void
mp_managesieve_logout (MpManageSieve *m)
{
	if (m->connected && !m->broken) {
		/* a goodbye is not worth a minute */
		mp_imap_transport_set_timeout (m->transport, MIN (m->timeout_ms, 5000u));
		g_autoptr(GError) err = NULL;
		if (send_command (m, "LOGOUT", NULL, NULL, &err))
			mp_managesieve_value_free (read_response (m, NULL, &err));
		if (err != NULL)
			g_debug ("%s: LOGOUT: %s", m->display, err->message);
		if (!m->broken)
			mp_imap_transport_shutdown (m->transport);
	}
	close_connection (m);
}

gboolean
mp_managesieve_fetch_active (const MpManageSieveOptions *options, const char *password,
                             const char *oauth2_token, char **name, GBytes **script, GError **error)
{
	g_autoptr(MpManageSieve) m = mp_managesieve_new (options);
	g_autofree char *active = NULL;

	*name = NULL;
	*script = NULL;
	if (!mp_managesieve_connect (m, error) ||
	    !mp_managesieve_authenticate (m, password, oauth2_token, error) ||
	    !mp_managesieve_list_scripts (m, NULL, &active, error))
		return FALSE;
	if (active != NULL) {
		*script = mp_managesieve_get_script (m, active, error);
		if (*script == NULL)
			return FALSE;
		*name = g_steal_pointer (&active);
	}
	mp_managesieve_logout (m);
	return TRUE;
}
