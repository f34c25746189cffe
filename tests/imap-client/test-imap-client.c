/* test-imap-client.c — the IMAP connection layer: the client
 * (analyzer/imap/imap-client.c) and what it is built on: URLs (imap-url.c),
 * secrets (imap-secret.c), SASL messages (imap-sasl.c) and the TCP+TLS
 * transport (imap-transport.c).
 *
 *   /imap-client/unit/...     no server: URLs, secrets, SASL, quoting,
 *                             guards; the transport on a loopback socket
 *   /imap-client/fake/...     fake-imap-server.py scenarios on 127.0.0.1:
 *                             STARTTLS injection, PREAUTH, plaintext, cut-off
 *                             and stalled servers, OAuth2, bad certificates
 *   /imap-client/dovecot/...  a real Dovecot from dovecot-fixture.py
 *
 * run-tests.py sets the environment: IMAPC_FAKE_SERVER (the script),
 * IMAPC_CA_FILE, IMAPC_CERT/KEY, IMAPC_WRONG_CERT/KEY, and for Dovecot
 * IMAPC_HOST, IMAPC_IMAP_PORT, IMAPC_IMAPS_PORT, IMAPC_PLAIN_HOST,
 * IMAPC_PLAIN_PORT. A group whose variables are missing is skipped. */
#include "imap-client.h"
#include "imap-sasl.h"
#include "imap-secret.h"
#include "imap-transport.h"
#include "imap-write.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The SEED contract of dovecot-fixture.py. */
#define ALICE_PASSWORD "secret"
#define BOB_PASSWORD   "P\xc3\xa4 ss\"w\\d"
#define CHLOE_PASSWORD "motdepasse"
/* the master user (MASTER_USERS), separator "*" */
#define ADMIN_USER     "admin"
#define ADMIN_PASSWORD "admin-secret"

static const char *
env_or_skip (const char *name)
{
	const char *v = g_getenv (name);
	if (v == NULL || *v == '\0') {
		g_autofree char *msg = g_strdup_printf ("%s is not set (run through run-tests.py)", name);
		g_test_skip (msg);
		return NULL;
	}
	return v;
}

static MpImapClient *
client_for (const char *url, const MpImapClientOptions *o)
{
	MpImapUrl u;
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_url_parse (url, &u, &error));
	g_assert_no_error (error);
	MpImapClient *c = mp_imap_client_new (&u, o);
	mp_imap_url_clear (&u);
	return c;
}

/* ---- fake servers ------------------------------------------------------ */

typedef struct {
	GPid  pid;
	guint port;
	char *transcript;
} Fake;

typedef enum { FAKE_PLAIN, FAKE_TLS, FAKE_TLS_WRONG, FAKE_TLS_NOSAN } FakeTls;

static gboolean
fake_start (Fake *f, const char *scenario, FakeTls tls)
{
	const char *script = env_or_skip ("IMAPC_FAKE_SERVER");
	if (script == NULL || (tls == FAKE_TLS_NOSAN && env_or_skip ("IMAPC_NOSAN_CERT") == NULL))
		return FALSE;
	memset (f, 0, sizeof *f);
	int tfd = g_file_open_tmp ("imapc-transcript-XXXXXX", &f->transcript, NULL);
	g_assert_cmpint (tfd, >=, 0);
	close (tfd);
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_ptr_array_add (argv, (char *) "python3");
	g_ptr_array_add (argv, (char *) script);
	g_ptr_array_add (argv, (char *) scenario);
	if (tls != FAKE_PLAIN) {
		const char *cert = tls == FAKE_TLS ? "IMAPC_CERT" : tls == FAKE_TLS_WRONG ? "IMAPC_WRONG_CERT"
		                                                                        : "IMAPC_NOSAN_CERT";
		const char *key = tls == FAKE_TLS ? "IMAPC_KEY" : tls == FAKE_TLS_WRONG ? "IMAPC_WRONG_KEY"
		                                                                      : "IMAPC_NOSAN_KEY";
		g_ptr_array_add (argv, (char *) g_getenv (cert));
		g_ptr_array_add (argv, (char *) g_getenv (key));
		g_ptr_array_insert (argv, (gint) argv->len - 2, (char *) "--tls");
	}
	g_ptr_array_add (argv, (char *) "--transcript");
	g_ptr_array_add (argv, f->transcript);
	g_ptr_array_add (argv, NULL);
	int out = -1;
	g_autoptr(GError) error = NULL;
	g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
	                          G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
	                          &f->pid, NULL, &out, NULL, &error);
	g_assert_no_error (error);
	char line[32];
	gsize n = 0;
	while (n < sizeof line - 1) {
		ssize_t r = read (out, line + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || line[n] == '\n')
			break;
		n++;
	}
	close (out);
	line[n] = '\0';
	f->port = (guint) g_ascii_strtoull (line, NULL, 10);
	g_assert_cmpuint (f->port, >, 0);
	return TRUE;
}

/* Waits for the server to exit (bounded) and returns what the client sent. */
static char *
fake_finish (Fake *f)
{
	int status;
	for (int i = 0; i < 200; i++) {
		if (waitpid (f->pid, &status, WNOHANG) == f->pid) {
			f->pid = 0;
			break;
		}
		g_usleep (100 * 1000);
	}
	if (f->pid != 0) {
		kill (f->pid, SIGKILL);
		waitpid (f->pid, &status, 0);
	}
	g_spawn_close_pid (f->pid);
	char *t = NULL;
	g_file_get_contents (f->transcript, &t, NULL, NULL);
	unlink (f->transcript);
	g_free (f->transcript);
	return t ? t : g_strdup ("");
}

static char *
fake_url (const char *scheme, const char *user, guint port)
{
	return g_strdup_printf ("%s://%s@127.0.0.1:%u", scheme, user, port);
}

/* ---- unit -------------------------------------------------------------- */

static void
test_url (void)
{
	static const struct {
		const char *url;
		gboolean    tls;
		const char *user, *host, *folder;
		guint       port;
	} good[] = {
		{ "imaps://alice@mail.example.org", TRUE, "alice", "mail.example.org", NULL, 993 },
		{ "imap://alice@mail.example.org", FALSE, "alice", "mail.example.org", NULL, 143 },
		{ "IMAPS://alice%40example.org@host:1993/INBOX", TRUE, "alice@example.org", "host", "INBOX", 1993 },
		{ "imaps://alice@example.org@host/Sent%20Items/", TRUE, "alice@example.org", "host", "Sent Items", 993 },
		{ "imaps://u@[::1]:10993/a/b", TRUE, "u", "::1", "a/b", 10993 },
		{ "imaps://u@[::1]", TRUE, "u", "::1", NULL, 993 },
		{ "imap://u@127.0.0.1:1/", FALSE, "u", "127.0.0.1", NULL, 1 },
		{ "imaps://u@h/Entw%C3%BCrfe", TRUE, "u", "h", "Entw\xc3\xbcrfe", 993 },
	};
	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		MpImapUrl u;
		g_autoptr(GError) error = NULL;
		g_test_message ("%s", good[i].url);
		g_assert_true (mp_imap_url_parse (good[i].url, &u, &error));
		g_assert_no_error (error);
		g_assert_cmpint (u.implicit_tls, ==, good[i].tls);
		g_assert_cmpstr (u.user, ==, good[i].user);
		g_assert_cmpstr (u.host, ==, good[i].host);
		g_assert_cmpstr (u.folder, ==, good[i].folder);
		g_assert_cmpuint (u.port, ==, good[i].port);
		g_assert_cmpstr (u.display, ==, good[i].url);
		mp_imap_url_clear (&u);
	}

	static const struct {
		const char *url, *expect;
	} bad[] = {
		{ "pop3://a@h", "must start with imaps://" },
		{ "imaps://host", "no user name" },
		{ "imaps://@host", "user name is empty" },
		{ "imaps://a%zz@host", "percent-encoded" },
		{ "imaps://a%0d%0a@host", "percent-encoded" },
		{ "imaps://a@", "no host name" },
		{ "imaps://a@ho st", "spaces" },
		{ "imaps://a@h:0", "out of range" },
		{ "imaps://a@h:70000", "out of range" },
		{ "imaps://a@h:12x", "bad port" },
		{ "imaps://a@h:", "bad port" },
		{ "imaps://a@[::1", "unterminated" },
		{ "imaps://a@[nope]", "not an IPv6 address" },
		{ "imaps://a@[::1]x", "after ']'" },
		{ "imaps://a@h/%ff", "badly percent-encoded" },
		{ "imaps://a@ex!ample", "not a host name" },
		{ "imaps://a;AUTH=*@h", "AUTH" },
	};
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		MpImapUrl u;
		g_autoptr(GError) error = NULL;
		g_assert_false (mp_imap_url_parse (bad[i].url, &u, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
		g_test_message ("%s", error->message);
		g_assert_nonnull (strstr (error->message, bad[i].expect));
		g_assert_nonnull (strstr (error->message, "IMAP URL "));
		mp_imap_url_clear (&u);
	}

	/* a password in the URL is refused and never repeated */
	MpImapUrl u;
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_url_parse ("imaps://alice:hunter2@host/INBOX", &u, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_null (strstr (error->message, "hunter2"));
	g_assert_nonnull (strstr (error->message, "imaps://alice:***@host/INBOX"));
}

/* A client keeps its own copy of the URL; one made by hand (no display
 * string) is shown as SCHEME://USER@HOST:PORT. */
static void
test_url_copy (void)
{
	MpImapUrl u, copy;
	g_autoptr(GError) error = NULL;

	g_assert_true (mp_imap_url_parse ("imap://alice@h:1143/Sent%20Items", &u, &error));
	mp_imap_url_copy (&copy, &u);
	mp_imap_url_clear (&u);
	g_assert_false (copy.implicit_tls);
	g_assert_cmpstr (copy.user, ==, "alice");
	g_assert_cmpstr (copy.host, ==, "h");
	g_assert_cmpuint (copy.port, ==, 1143);
	g_assert_cmpstr (copy.folder, ==, "Sent Items");
	g_assert_cmpstr (copy.display, ==, "imap://alice@h:1143/Sent%20Items");
	mp_imap_url_clear (&copy);

	MpImapUrl made = { .implicit_tls = TRUE, .user = (char *) "bob", .host = (char *) "::1", .port = 993 };
	mp_imap_url_copy (&copy, &made);
	g_assert_cmpstr (copy.display, ==, "imaps://bob@::1:993");
	g_assert_null (copy.folder);
	mp_imap_url_clear (&copy);
	g_assert_null (copy.user); /* cleared: safe to clear again */
	mp_imap_url_clear (&copy);
}

/* The initial response of MECH for USER and SECRET, decoded. */
static GBytes *
sasl_initial (const char *mech, const char *user, const char *secret)
{
	g_autoptr(MpImapSasl) s = mp_imap_sasl_new (mech, user, "mail.example.org", 993, secret);
	gsize len = 0;
	g_assert_nonnull (s);
	guchar *dec = g_base64_decode (mp_imap_sasl_initial_response (s), &len);
	return g_bytes_new_take (dec, len);
}

static void
assert_bytes (GBytes *b, const char *expected, gsize len)
{
	gsize n = 0;
	const char *data = g_bytes_get_data (b, &n);
	g_assert_cmpmem (data, n, expected, len);
}

static void
test_sasl (void)
{
	/* RFC 4616 §2: [authzid] NUL authcid NUL passwd */
	g_autoptr(GBytes) plain = sasl_initial ("PLAIN", "alice", "s3cret pw");
	assert_bytes (plain, "\0alice\0s3cret pw", 16);
	/* Google's XOAUTH2 */
	g_autoptr(GBytes) x = sasl_initial ("xoauth2", "alice@example.org", "ya29.tok");
	static const char x_want[] = "user=alice@example.org\001auth=Bearer ya29.tok\001\001";
	assert_bytes (x, x_want, sizeof x_want - 1);
	/* RFC 7628 §3.1, the user as a gs2 saslname (RFC 5801 §4: ',' and '='
	 * escaped) and the server's host and port */
	g_autoptr(GBytes) ob = sasl_initial ("OAUTHBEARER", "a,b=c", "tok");
	static const char ob_want[] = "n,a=a=2Cb=3Dc,\001host=mail.example.org\001port=993\001auth=Bearer tok\001\001";
	assert_bytes (ob, ob_want, sizeof ob_want - 1);
	/* LOGIN is an IMAP command, not one of these; others are unknown */
	g_assert_null (mp_imap_sasl_new ("LOGIN", "a", "h", 143, "pw"));
	g_assert_null (mp_imap_sasl_new ("CRAM-MD5", "a", "h", 143, "pw"));

	/* without SASL-IR: the first (empty) challenge gets the initial response */
	g_autoptr(MpImapSasl) p = mp_imap_sasl_new ("plain", "alice", "h", 143, "pw");
	g_assert_cmpstr (mp_imap_sasl_get_mechanism (p), ==, "PLAIN");
	g_autofree char *ir = g_strdup (mp_imap_sasl_initial_response (p));
	g_autoptr(MpImapSasl) p2 = mp_imap_sasl_new ("PLAIN", "alice", "h", 143, "pw");
	g_assert_cmpstr (mp_imap_sasl_step (p2, "", 0), ==, ir);
	/* PLAIN expects no further challenge: cancel, and no failure detail */
	g_assert_cmpstr (mp_imap_sasl_step (p2, "", 0), ==, "*");
	gsize flen = 99;
	g_assert_null (mp_imap_sasl_get_failure (p2, &flen));
	g_assert_cmpuint (flen, ==, 0);

	/* RFC 7628 §3.2.3: a failure challenge is answered with \001 (XOAUTH2:
	 * an empty line) to get the final NO, and kept for the message */
	static const char json[] = "{\"status\":\"invalid_token\"}";
	g_autofree char *challenge = g_base64_encode ((const guchar *) json, sizeof json - 1);
	const char *mechs[] = { "OAUTHBEARER", "XOAUTH2" }, *answers[] = { "AQ==", "" };
	for (guint i = 0; i < G_N_ELEMENTS (mechs); i++) {
		g_autoptr(MpImapSasl) o = mp_imap_sasl_new (mechs[i], "alice", "h", 993, "expired");
		g_assert_nonnull (mp_imap_sasl_initial_response (o)); /* sent with SASL-IR */
		g_assert_cmpstr (mp_imap_sasl_step (o, challenge, strlen (challenge)), ==, answers[i]);
		const char *failure = mp_imap_sasl_get_failure (o, &flen);
		g_assert_cmpmem (failure, flen, json, sizeof json - 1);
		/* a second challenge is not answered again: cancel */
		g_assert_cmpstr (mp_imap_sasl_step (o, challenge, strlen (challenge)), ==, "*");
	}
}

/* Who logs in for an admin login (RFC 4616 §2 authzid, Dovecot's
 * "user*admin"), and the PLAIN message that carries it. */
static void
test_admin_identities (void)
{
	static const struct {
		const char     *user, *admin, *separator;
		MpImapAdminForm form;
		const char     *authzid, *authcid; /* NULL authcid: refused */
	} cases[] = {
		{ "alice", NULL, NULL, MP_IMAP_ADMIN_AUTHZID, NULL, "alice" },
		{ "alice", "admin", NULL, MP_IMAP_ADMIN_AUTHZID, "alice", "admin" },
		{ "alice", "admin", NULL, MP_IMAP_ADMIN_SEPARATOR, NULL, "alice*admin" },
		{ "alice@example.org", "admin", "%", MP_IMAP_ADMIN_SEPARATOR, NULL, "alice@example.org%admin" },
		{ "alice", "admin", "", MP_IMAP_ADMIN_SEPARATOR, NULL, "alice*admin" },
		/* the separator inside a name: the server would split elsewhere */
		{ "al*ice", "admin", NULL, MP_IMAP_ADMIN_SEPARATOR, NULL, NULL },
		{ "alice", "ad*min", "*", MP_IMAP_ADMIN_SEPARATOR, NULL, NULL },
		{ "alice", "admin", "\n", MP_IMAP_ADMIN_SEPARATOR, NULL, NULL },
		/* an authzid may hold the separator: nothing is split */
		{ "al*ice", "admin", NULL, MP_IMAP_ADMIN_AUTHZID, "al*ice", "admin" },
		{ "alice", "", NULL, MP_IMAP_ADMIN_AUTHZID, NULL, NULL },
		{ "alice", "ad\001min", NULL, MP_IMAP_ADMIN_AUTHZID, NULL, NULL },
		{ "al\rice", "admin", NULL, MP_IMAP_ADMIN_AUTHZID, NULL, NULL },
		{ "", NULL, NULL, MP_IMAP_ADMIN_AUTHZID, NULL, NULL },
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		MpImapAdminLogin admin = { cases[i].admin, cases[i].form, cases[i].separator };
		g_autofree char *authzid = NULL, *authcid = NULL;
		g_autoptr(GError) error = NULL;
		g_test_message ("case %u: %s / %s", i, cases[i].user, cases[i].admin ? cases[i].admin : "-");
		gboolean ok = mp_imap_admin_identities (cases[i].user, &admin, &authzid, &authcid, &error);
		if (cases[i].authcid == NULL) {
			g_assert_false (ok);
			g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
			g_assert_null (authzid);
			g_assert_null (authcid);
			continue;
		}
		g_assert_no_error (error);
		g_assert_true (ok);
		g_assert_cmpstr (authzid, ==, cases[i].authzid);
		g_assert_cmpstr (authcid, ==, cases[i].authcid);
	}
	/* NULL admin: the user's own login */
	g_autofree char *z = NULL, *c = NULL;
	g_assert_true (mp_imap_admin_identities ("bob", NULL, &z, &c, NULL));
	g_assert_null (z);
	g_assert_cmpstr (c, ==, "bob");

	/* RFC 4616 §2: authzid NUL authcid NUL passwd */
	gsize len = 0;
	g_autoptr(MpImapSasl) s = mp_imap_sasl_new_plain ("alice", "admin", "pw");
	g_assert_cmpstr (mp_imap_sasl_get_mechanism (s), ==, "PLAIN");
	g_autofree guchar *dec = g_base64_decode (mp_imap_sasl_initial_response (s), &len);
	g_assert_cmpmem (dec, len, "alice\0admin\0pw", 14);
	g_autoptr(MpImapSasl) s2 = mp_imap_sasl_new_plain ("", "alice*admin", "pw");
	g_autofree guchar *dec2 = g_base64_decode (mp_imap_sasl_initial_response (s2), &len);
	g_assert_cmpmem (dec2, len, "\0alice*admin\0pw", 15);
}

/* A listening socket on 127.0.0.1; its port in *PORT. */
static int
listen_loopback (guint16 *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint (fd, >=, 0);
	g_assert_cmpint (bind (fd, (struct sockaddr *) &a, sizeof a), ==, 0);
	g_assert_cmpint (listen (fd, 4), ==, 0);
	g_assert_cmpint (getsockname (fd, (struct sockaddr *) &a, &len), ==, 0);
	*port = ntohs (a.sin_port);
	return fd;
}

/* The transport alone: octets both ways, a peer that closes (not an
 * error: the protocol says why), a stalled peer, a refused connection and
 * a bad CA file, with messages that do not name the server (the client
 * prefixes its URL). */
static void
test_transport (void)
{
	guint16 port;
	int lfd = listen_loopback (&port);
	MpImapTransportOptions o = { .host = "127.0.0.1", .port = port, .timeout_ms = 300 };
	g_autoptr(MpImapTransport) t = mp_imap_transport_new (&o);
	g_autoptr(GError) error = NULL;
	guint8 buf[64];
	gsize got = 0;

	g_assert_true (mp_imap_transport_connect (t, &error));
	g_assert_no_error (error);
	g_assert_false (mp_imap_transport_is_tls (t));
	int peer = accept (lfd, NULL, NULL);
	g_assert_cmpint (peer, >=, 0);

	/* nothing sent yet: a read waits for the timeout */
	g_assert_false (mp_imap_transport_has_unread (t));
	g_assert_cmpint (mp_imap_transport_read (t, buf, sizeof buf, &got, &error), ==, MP_IMAP_IO_FAILED);
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_assert_cmpstr (error->message, ==, "timed out after 0.300 s waiting for the server");
	g_clear_error (&error);

	/* both ways */
	g_assert_cmpint (mp_imap_transport_write (t, "A1 NOOP\r\n", 9, &error), ==, MP_IMAP_IO_OK);
	g_assert_cmpint (recv (peer, buf, 9, MSG_WAITALL), ==, 9);
	g_assert_cmpmem (buf, 9, "A1 NOOP\r\n", 9);
	g_assert_cmpint (send (peer, "* OK hi\r\n", 9, 0), ==, 9);
	for (int i = 0; i < 100 && !mp_imap_transport_has_unread (t); i++)
		g_usleep (10 * 1000);
	g_assert_true (mp_imap_transport_has_unread (t)); /* what STARTTLS checks */
	g_assert_cmpint (mp_imap_transport_read (t, buf, sizeof buf, &got, &error), ==, MP_IMAP_IO_OK);
	g_assert_cmpmem (buf, got, "* OK hi\r\n", 9);

	/* the peer closes: CLOSED, no error */
	close (peer);
	g_assert_cmpint (mp_imap_transport_read (t, buf, sizeof buf, &got, &error), ==, MP_IMAP_IO_CLOSED);
	g_assert_no_error (error);

	/* a CA file that cannot be loaded is the user's mistake */
	MpImapTransportOptions bad = { .host = "127.0.0.1", .port = port, .timeout_ms = 300,
	                               .ca_file = "/nonexistent/ca.pem" };
	g_autoptr(MpImapTransport) t2 = mp_imap_transport_new (&bad);
	g_assert_true (mp_imap_transport_connect (t2, &error));
	g_assert_false (mp_imap_transport_start_tls (t2, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_true (g_str_has_prefix (error->message, "cannot load CA file /nonexistent/ca.pem: "));
	g_clear_error (&error);
	g_assert_false (mp_imap_transport_is_tls (t2));

	/* nobody listening any more */
	close (lfd);
	g_autoptr(MpImapTransport) t3 = mp_imap_transport_new (&o);
	g_assert_false (mp_imap_transport_connect (t3, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_autofree char *want = g_strdup_printf ("cannot connect to 127.0.0.1 port %u: ", port);
	g_test_message ("%s", error->message);
	g_assert_true (g_str_has_prefix (error->message, want));
}

/* g_file_set_contents() replaces the file: a fresh 0644 one each time. */
static void
write_private (const char *path, const char *text)
{
	g_assert_true (g_file_set_contents (path, text, -1, NULL));
	g_assert_cmpint (chmod (path, 0600), ==, 0);
}

/* mp_imap_secret_for() for URL with O: the password, or NULL with ERROR. */
static char *
secret_for (const char *url, const MpImapSecretOptions *o, GError **error)
{
	MpImapUrl u;
	char *pw = NULL, *tok = NULL;
	g_assert_true (mp_imap_url_parse (url, &u, NULL));
	gboolean ok = mp_imap_secret_for (&u, o, &pw, &tok, error);
	mp_imap_url_clear (&u);
	g_assert_null (tok);
	g_assert_true (ok == (pw != NULL));
	return pw;
}

static void
test_password_sources (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("imapc-pw-XXXXXX", &error);
	g_assert_no_error (error);
	g_autofree char *file = g_build_filename (dir, "pw", NULL);
	g_autofree char *tok = g_build_filename (dir, "tok", NULL);
	MpImapSecretOptions o = { .host = "mail.example.org" };
	const char *url = "imaps://alice@MAIL.example.org/INBOX";

	/* issue 14, item 7: the environment is read once, then wiped there */
	g_setenv ("MAILPREFLIGHT_PASSWORD", "from-env", TRUE);
	const char *before = g_getenv ("MAILPREFLIGHT_PASSWORD");
	mp_imap_secrets_take_env ();
	g_assert_null (g_getenv ("MAILPREFLIGHT_PASSWORD"));
	g_assert_cmpint (before[0], ==, '\0'); /* the octets themselves were zeroed */
	/* ... and not dumpable while a secret is held */
	g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);

	/* the run's host (any case): the environment's password */
	char *pw = secret_for (url, &o, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "from-env");
	mp_imap_secret_free (pw);

	/* another host: not sent there */
	g_assert_null (secret_for ("imaps://alice@mail.attacker.example", &o, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "is for mail.example.org, not for mail.attacker.example"));
	g_assert_null (strstr (error->message, "from-env"));
	g_clear_error (&error);

	/* sources on several hosts: the run's one password goes to none */
	o.host = NULL;
	g_assert_null (secret_for (url, &o, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "several hosts"));
	g_clear_error (&error);
	o.host = "mail.example.org";

	/* first line of a private file; the explicit file wins over the
	 * environment (it used to be the other way round) */
	write_private (file, "s3cret pw\r\nsecond line\n");
	o.password_file = file;
	pw = secret_for (url, &o, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "s3cret pw");
	mp_imap_secret_free (pw);

	/* readable by others: still read, with a warning */
	chmod (file, 0644);
	g_test_expect_message ("mailpreflight", G_LOG_LEVEL_WARNING, "*can be read by group or others*");
	pw = secret_for (url, &o, &error);
	g_test_assert_expected_messages ();
	g_assert_cmpstr (pw, ==, "s3cret pw");
	mp_imap_secret_free (pw);
	chmod (file, 0600);

	/* empty first line, missing file */
	write_private (file, "\nx\n");
	g_assert_null (secret_for (url, &o, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);
	g_autofree char *missing = g_build_filename (dir, "missing", NULL);
	o.password_file = missing;
	g_assert_null (secret_for (url, &o, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_NOT_FOUND);
	g_clear_error (&error);

	/* tokens: white space around is dropped, inside is refused */
	write_private (tok, "  ya29.a0Af-_x~y+/=\n\n");
	char *t = mp_imap_token_read (tok, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (t, ==, "ya29.a0Af-_x~y+/=");
	mp_imap_secret_free (t);
	write_private (tok, "two words\n");
	g_assert_null (mp_imap_token_read (tok, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);
	write_private (tok, "\n");
	g_assert_null (mp_imap_token_read (tok, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);

	unlink (file);
	unlink (tok);
	rmdir (dir);
}

/* TRUE in a child process of the current test, which runs the test's
 * body; FALSE in the parent, after the child passed. The environment's
 * secrets are taken once per process (mp_imap_secrets_take_env), so a test
 * that sets them needs a process of its own. */
static gboolean
in_own_process (void)
{
	if (g_test_subprocess ())
		return TRUE;
	g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed ();
	return FALSE;
}

/* mp_imap_admin_password_get() for URL with HOST and FILE: the password, or
 * NULL with ERROR. */
static char *
admin_pw (const char *url, const char *host, const char *file, GError **error)
{
	MpImapUrl u;
	g_assert_true (mp_imap_url_parse (url, &u, NULL));
	char *pw = mp_imap_admin_password_get (&u, host, file, error);
	mp_imap_url_clear (&u);
	g_assert_true ((pw == NULL) == (*error != NULL));
	return pw;
}

/* Without $MAILPREFLIGHT_ADMIN_PASSWORD (each case in its own process: the
 * environment is read once per process). */
static void
test_admin_password_file (void)
{
	if (!in_own_process ())
		return;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("imapc-apw-XXXXXX", &error);
	g_assert_no_error (error);
	g_autofree char *file = g_build_filename (dir, "admin-pw", NULL);
	const char *url = "imaps://chloe@mail.example.org";

	g_unsetenv ("MAILPREFLIGHT_ADMIN_PASSWORD");
	/* a user's password is never taken for the admin's */
	g_setenv ("MAILPREFLIGHT_PASSWORD", "users-own", TRUE);
	mp_imap_secrets_take_env ();
	g_assert_null (admin_pw (url, "mail.example.org", NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "MAILPREFLIGHT_ADMIN_PASSWORD"));
	g_clear_error (&error);

	write_private (file, "adm1n pw\r\nsecond\n");
	char *pw = admin_pw (url, "MAIL.example.org", file, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "adm1n pw");
	mp_imap_secret_free (pw);

	/* tied to the run's one host, as a user's password is */
	g_assert_null (admin_pw ("imaps://chloe@mail.attacker.example", "mail.example.org", file, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "is for mail.example.org, not for mail.attacker.example"));
	g_clear_error (&error);
	g_assert_null (admin_pw (url, NULL, file, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "several hosts"));
	g_clear_error (&error);

	write_private (file, "\n");
	g_assert_null (admin_pw (url, "mail.example.org", file, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "admin password file"));
	g_clear_error (&error);
	unlink (file);
	g_assert_null (admin_pw (url, "mail.example.org", file, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_NOT_FOUND);
	rmdir (dir);
}

/* With $MAILPREFLIGHT_ADMIN_PASSWORD: taken out of the environment; a file
 * wins over it. */
static void
test_admin_password_env (void)
{
	if (!in_own_process ())
		return;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("imapc-apw-XXXXXX", &error);
	g_assert_no_error (error);
	g_autofree char *file = g_build_filename (dir, "admin-pw", NULL);
	const char *url = "imaps://chloe@mail.example.org";

	g_setenv ("MAILPREFLIGHT_ADMIN_PASSWORD", "from-env", TRUE);
	mp_imap_secrets_take_env ();
	g_assert_null (g_getenv ("MAILPREFLIGHT_ADMIN_PASSWORD"));
	char *pw = admin_pw (url, "mail.example.org", NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "from-env");
	mp_imap_secret_free (pw);

	write_private (file, "from-file\n");
	pw = admin_pw (url, "mail.example.org", file, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "from-file");
	mp_imap_secret_free (pw);
	unlink (file);
	rmdir (dir);
}

/* compare's target (issue 18): its own variable, tied to the target's host;
 * the run's password never goes to the target, the target's never to the
 * source. */
static void
test_target_password (void)
{
	if (!in_own_process ())
		return;
	g_autoptr(GError) error = NULL;
	const char *source = "imaps://alice@old.example.edu";
	const char *target = "imaps://alice@outlook.office365.com";
	MpImapSecretOptions so = { .host = "old.example.edu" };
	MpImapSecretOptions to = { .host = "outlook.office365.com", .password_env = MP_IMAP_TARGET_PASSWORD_ENV,
	                           .password_option = "--target-password-file" };

	g_setenv (MP_IMAP_PASSWORD_ENV, "source-pw", TRUE);
	mp_imap_secrets_take_env ();
	g_assert_null (g_getenv (MP_IMAP_PASSWORD_ENV));
	/* only the source's password is set: the target gets none, and the
	 * error names the target's own variable and option */
	g_assert_null (secret_for (target, &to, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, MP_IMAP_TARGET_PASSWORD_ENV));
	g_assert_nonnull (strstr (error->message, "--target-password-file"));
	g_assert_null (strstr (error->message, "source-pw"));
	g_clear_error (&error);
	char *pw = secret_for (source, &so, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "source-pw");
	mp_imap_secret_free (pw);
	/* the target's settings pointed at the source's host (a mistyped
	 * SOURCE/TARGET pair) still send nothing there */
	g_assert_null (secret_for (source, &to, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "is for outlook.office365.com, not for old.example.edu"));
	g_clear_error (&error);
}

/* The same, with both variables set: each side gets its own. The
 * environment is read once per process, hence a second subprocess. */
static void
test_target_password_both (void)
{
	if (!in_own_process ())
		return;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp ("imapc-tpw-XXXXXX", &error);
	g_assert_no_error (error);
	g_autofree char *file = g_build_filename (dir, "target-pw", NULL);
	const char *source = "imaps://alice@old.example.edu";
	const char *target = "imaps://alice@outlook.office365.com";
	MpImapSecretOptions so = { .host = "old.example.edu" };
	MpImapSecretOptions to = { .host = "outlook.office365.com", .password_env = MP_IMAP_TARGET_PASSWORD_ENV };

	g_setenv (MP_IMAP_PASSWORD_ENV, "source-pw", TRUE);
	g_setenv (MP_IMAP_TARGET_PASSWORD_ENV, "target-pw", TRUE);
	mp_imap_secrets_take_env ();
	g_assert_null (g_getenv (MP_IMAP_TARGET_PASSWORD_ENV));
	char *pw = secret_for (target, &to, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "target-pw");
	mp_imap_secret_free (pw);
	pw = secret_for (source, &so, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "source-pw");
	mp_imap_secret_free (pw);
	/* the target's file wins over its variable */
	write_private (file, "target-file\n");
	to.password_file = file;
	pw = secret_for (target, &to, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (pw, ==, "target-file");
	mp_imap_secret_free (pw);
	unlink (file);
	rmdir (dir);
}

static void
test_astring (void)
{
	g_autoptr(GString) s = g_string_new ("X ");
	g_assert_true (mp_imap_append_astring (s, "a \"b\" \\c"));
	g_assert_cmpstr (s->str, ==, "X \"a \\\"b\\\" \\\\c\"");
	g_string_assign (s, "");
	g_assert_true (mp_imap_append_astring (s, ""));
	g_assert_cmpstr (s->str, ==, "\"\"");
	g_string_assign (s, "");
	g_assert_false (mp_imap_append_astring (s, "a\r\nb"));
	g_assert_false (mp_imap_append_astring (s, "\xc3\xa4"));
	g_assert_cmpstr (s->str, ==, "");
}

/* Items that would set \Seen are refused before anything is sent. */
static void
test_fetch_guard (void)
{
	g_autoptr(MpImapClient) c = client_for ("imaps://a@127.0.0.1:1", NULL);
	static const char *const bad[] = { "(BODY[])", "(UID body[header])", "RFC822", "(UID RFC822.TEXT)",
	                                   "(BINARY[1])", "(FLAGS RFC822)" };
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false (mp_imap_client_uid_fetch (c, "1:*", bad[i], NULL, NULL, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
		g_assert_nonnull (strstr (error->message, "mark messages as read"));
	}
	static const char *const good[] = { "(UID BODY.PEEK[HEADER] RFC822.SIZE)", "(RFC822.HEADER)",
	                                    "(BINARY.PEEK[1] BODYSTRUCTURE)" };
	for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false (mp_imap_client_uid_fetch (c, "1:*", good[i], NULL, NULL, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_READ); /* not connected */
	}
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_uid_fetch (c, "1:* X", "(UID)", NULL, NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
}

/* ---- fake-server tests ------------------------------------------------- */

static void
test_fake_refused (void)
{
	/* a port nobody listens on: bind, learn it, close */
	Fake f;
	if (!fake_start (&f, "plain", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "a", f.port);
	g_autoptr(MpImapClient) first = client_for (url, &(MpImapClientOptions) { .allow_plaintext = TRUE });
	g_assert_true (mp_imap_client_connect (first, NULL));
	mp_imap_client_logout (first);
	g_free (fake_finish (&f));

	g_autoptr(MpImapClient) c = client_for (url, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "cannot connect to 127.0.0.1 port"));
	g_assert_true (g_str_has_prefix (error->message, url));
}

static void
test_fake_plaintext_refused (void)
{
	Fake f;
	if (!fake_start (&f, "plain", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "alice", f.port);
	g_autoptr(MpImapClient) c = client_for (url, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "does not offer STARTTLS"));
	/* and authenticate refuses too */
	g_clear_error (&error);
	g_assert_false (mp_imap_client_authenticate (c, "secret", NULL, &error));
	mp_imap_client_free (g_steal_pointer (&c));
	g_autofree char *t = fake_finish (&f);
	g_assert_null (strstr (t, "LOGIN"));
	g_assert_null (strstr (t, "AUTHENTICATE"));
	g_assert_null (strstr (t, "secret"));
}

static void
test_fake_plaintext_allowed (void)
{
	Fake f;
	if (!fake_start (&f, "plain", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "alice", f.port);
	MpImapClientOptions o = { .allow_plaintext = TRUE };
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	g_assert_false (mp_imap_client_is_tls (c));
	g_assert_true (mp_imap_client_has_capability (c, "auth=plain"));
	g_assert_true (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_no_error (error);
	/* the OK's [CAPABILITY] replaced the list */
	g_assert_true (mp_imap_client_has_capability (c, "IDLE"));
	g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (folders->len, ==, 1);
	MpImapFolder *inbox = g_ptr_array_index (folders, 0);
	g_assert_cmpstr (inbox->name, ==, "INBOX");
	g_assert_cmpint (inbox->delimiter, ==, '/');
	mp_imap_client_logout (c);
	g_autofree char *t = fake_finish (&f);
	g_assert_nonnull (strstr (t, "AUTHENTICATE PLAIN "));  /* SASL-IR */
	g_assert_null (strstr (t, "secret"));                   /* base64, but never plain */
}

static void
test_fake_inject (void)
{
	Fake f;
	if (!fake_start (&f, "inject", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "alice", f.port);
	g_autoptr(MpImapClient) c = client_for (url, &(MpImapClientOptions) { .allow_plaintext = TRUE });
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "injection"));
	g_assert_true (mp_imap_client_is_broken (c));
	mp_imap_client_free (g_steal_pointer (&c));
	g_autofree char *t = fake_finish (&f);
	g_assert_nonnull (strstr (t, "STARTTLS"));
	g_assert_null (strstr (t, "LOGIN"));
}

static void
test_fake_preauth (void)
{
	Fake f;
	if (!fake_start (&f, "preauth", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "alice", f.port);
	g_autoptr(MpImapClient) c = client_for (url, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "PREAUTH"));
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static MpImapClientOptions
tls_options (void)
{
	return (MpImapClientOptions) { .ca_file = g_getenv ("IMAPC_CA_FILE") };
}

static void
test_fake_close_mid (void)
{
	Fake f;
	if (!fake_start (&f, "close-mid", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	g_assert_true (mp_imap_client_is_tls (c));
	g_assert_true (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_no_error (error);
	GPtrArray *folders = mp_imap_client_list (c, &error);
	g_assert_null (folders);
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "connection closed by server"));
	g_assert_true (mp_imap_client_is_broken (c));
	/* later commands fail at once */
	g_clear_error (&error);
	g_assert_false (mp_imap_client_command (c, "NOOP", NULL, NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_stall (void)
{
	Fake f;
	if (!fake_start (&f, "stall", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	o.timeout_ms = 1000;
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	gint64 t0 = g_get_monotonic_time ();
	g_assert_false (mp_imap_client_command (c, "NOOP", NULL, NULL, &error));
	gint64 ms = (g_get_monotonic_time () - t0) / 1000;
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s after %" G_GINT64_FORMAT " ms", error->message, ms);
	g_assert_nonnull (strstr (error->message, "timed out after 1.000 s"));
	g_assert_cmpint (ms, >=, 900);
	g_assert_cmpint (ms, <, 3000);
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
expect_cert_error (FakeTls tls, const char *host, const char *ca_file, const char *expect)
{
	Fake f;
	if (!fake_start (&f, "plain", tls))
		return;
	g_autofree char *url = g_strdup_printf ("imaps://alice@%s:%u", host, f.port);
	MpImapClientOptions o = { .ca_file = ca_file };
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "certificate verify failed: "));
	g_assert_nonnull (strstr (error->message, expect));
	g_autofree char *for_host = g_strdup_printf ("for host %s", host);
	g_assert_nonnull (strstr (error->message, for_host));
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_wrong_ip (void)
{
	expect_cert_error (FAKE_TLS_WRONG, "127.0.0.1", g_getenv ("IMAPC_CA_FILE"), "IP address mismatch");
}

static void
test_fake_wrong_name (void)
{
	expect_cert_error (FAKE_TLS_WRONG, "localhost", g_getenv ("IMAPC_CA_FILE"), "hostname mismatch");
}

/* Issue 14, item 13: a certificate whose subject CN is the host but that
 * has no subjectAltName names no host (RFC 9525); OpenSSL's fallback to the
 * CN is off. */
static void
test_fake_cn_without_san (void)
{
	expect_cert_error (FAKE_TLS_NOSAN, "localhost", g_getenv ("IMAPC_CA_FILE"), "hostname mismatch");
}

static void
test_fake_untrusted (void)
{
	/* the system store does not know the test CA */
	expect_cert_error (FAKE_TLS, "127.0.0.1", NULL, "local issuer");
}

static void
test_fake_insecure (void)
{
	Fake f;
	if (!fake_start (&f, "plain", FAKE_TLS_WRONG))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = { .insecure_skip_verify = TRUE };
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	mp_imap_client_logout (c);
	g_free (fake_finish (&f));
}

static void
test_fake_bad_ca_file (void)
{
	g_autoptr(MpImapClient) c = NULL;
	Fake f;
	if (!fake_start (&f, "plain", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = { .ca_file = "/nonexistent/ca.pem" };
	c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "cannot load CA file /nonexistent/ca.pem"));
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_login_literal (void)
{
	Fake f;
	if (!fake_start (&f, "login", FAKE_PLAIN))
		return;
	g_autofree char *url = fake_url ("imap", "bob", f.port);
	MpImapClientOptions o = { .allow_plaintext = TRUE };
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_true (mp_imap_client_authenticate (c, BOB_PASSWORD, NULL, &error));
	g_assert_no_error (error);
	mp_imap_client_logout (c);
	g_autofree char *t = fake_finish (&f);
	g_assert_nonnull (strstr (t, "LOGIN \"bob\" {"));  /* quoted user, literal password */
}

static void
test_fake_plain_no_ir (void)
{
	Fake f;
	if (!fake_start (&f, "plain-noir", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_true (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_no_error (error);
	mp_imap_client_logout (c);
	g_autofree char *t = fake_finish (&f);
	/* no SASL-IR: the command alone, the response after the "+" */
	g_assert_nonnull (strstr (t, "AUTHENTICATE PLAIN\n"));
}

/* An admin login on a fake server: what is sent for each form. */
#define ADMIN_OK (-1) /* admin_case's EXPECT_ERROR when the login succeeds */

static void
admin_case (const char *scenario, MpImapAdminForm form, const char *mechanism, const char *expect_sent,
            int expect_error)
{
	Fake f;
	if (!fake_start (&f, scenario, FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	o.admin.user = ADMIN_USER;
	o.admin.form = form;
	o.sasl_mechanism = mechanism;
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	gboolean ok = mp_imap_client_authenticate (c, ADMIN_PASSWORD, NULL, &error);
	if (expect_error == ADMIN_OK) {
		g_assert_no_error (error);
		g_assert_true (ok);
	} else {
		g_assert_false (ok);
		g_assert_error (error, MP_ERROR, expect_error);
		g_test_message ("%s", error->message);
		g_assert_null (strstr (error->message, ADMIN_PASSWORD));
	}
	mp_imap_client_logout (c);
	g_autofree char *t = fake_finish (&f);
	if (expect_sent != NULL) {
		g_assert_nonnull (strstr (t, expect_sent));
	} else {
		/* refused before anything was sent */
		g_assert_null (strstr (t, "AUTHENTICATE"));
		g_assert_null (strstr (t, "LOGIN \""));
	}
}

static void
test_fake_admin (void)
{
	/* RFC 4616: authzid "alice", authcid "admin" (base64 of
	 * "alice\0admin\0admin-secret") */
	admin_case ("admin", MP_IMAP_ADMIN_AUTHZID, NULL,
	            "AUTHENTICATE PLAIN YWxpY2UAYWRtaW4AYWRtaW4tc2VjcmV0\n", ADMIN_OK);
	/* "alice*admin" by PLAIN ("\0alice*admin\0admin-secret") */
	admin_case ("admin", MP_IMAP_ADMIN_SEPARATOR, NULL,
	            "AUTHENTICATE PLAIN AGFsaWNlKmFkbWluAGFkbWluLXNlY3JldA==\n", ADMIN_OK);
	/* "alice*admin" by LOGIN */
	admin_case ("admin", MP_IMAP_ADMIN_SEPARATOR, "LOGIN", "LOGIN \"alice*admin\" \"admin-secret\"\n", ADMIN_OK);
	/* an authorization identity has no place in LOGIN */
	admin_case ("admin", MP_IMAP_ADMIN_AUTHZID, "LOGIN", NULL, MP_ERROR_USAGE);
	/* without AUTH=PLAIN: only the separator form */
	admin_case ("admin-noplain", MP_IMAP_ADMIN_AUTHZID, NULL, NULL, MP_ERROR_FAILED);
	admin_case ("admin-noplain", MP_IMAP_ADMIN_SEPARATOR, NULL, "LOGIN \"alice*admin\" \"admin-secret\"\n", ADMIN_OK);
}

static void
test_fake_admin_refused (void)
{
	Fake f;
	if (!fake_start (&f, "admin", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	o.admin.user = ADMIN_USER;
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	/* an OAuth2 token is a user's own: not for an admin login */
	g_assert_false (mp_imap_client_authenticate (c, NULL, "tok", &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);
	g_assert_false (mp_imap_client_authenticate (c, "wrong", NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "authentication failed for user alice as admin admin (PLAIN)"));
	mp_imap_client_logout (c);
	g_free (fake_finish (&f));
}

/* RFC 6154: special uses from LIST, asked for with RETURN (SPECIAL-USE)
 * when LIST-EXTENDED is there, read from a plain LIST otherwise. */
static void
special_use_case (const char *scenario, const char *expect_list)
{
	Fake f;
	if (!fake_start (&f, scenario, FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_true (mp_imap_client_authenticate (c, ALICE_PASSWORD, NULL, &error));
	g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (folders->len, ==, 6);
	static const struct {
		const char  *name;
		MpSpecialUse use;
	} want[] = {
		{ "INBOX", MP_SPECIAL_USE_NONE },
		{ "Mes envois", MP_SPECIAL_USE_SENT },
		{ "Sent", MP_SPECIAL_USE_SENT },                             /* "\sent": any case */
		{ "Both", MP_SPECIAL_USE_ARCHIVE | MP_SPECIAL_USE_JUNK },   /* two uses */
		{ "[Gmail]/All Mail", MP_SPECIAL_USE_ALL },
		{ "Other", MP_SPECIAL_USE_NONE },                            /* \Sentinel is no \Sent */
	};
	for (guint i = 0; i < G_N_ELEMENTS (want); i++) {
		MpImapFolder *folder = g_ptr_array_index (folders, i);
		g_assert_cmpstr (folder->name, ==, want[i].name);
		g_assert_cmpint (folder->special_use, ==, want[i].use);
	}
	mp_imap_client_logout (c);
	g_autofree char *t = fake_finish (&f);
	g_assert_nonnull (strstr (t, expect_list));
}

static void
test_fake_special_use (void)
{
	special_use_case ("special-use", "LIST \"\" \"*\" RETURN (SPECIAL-USE)\n");
	/* no LIST-EXTENDED: no RETURN option (RFC 5258 §3), the attributes
	 * come anyway (RFC 6154 §2) */
	special_use_case ("special-use-plain", "LIST \"\" \"*\"\n");
}

static void
oauth_case (const char *scenario, const char *mech, const char *token, gboolean expect_ok)
{
	Fake f;
	if (!fake_start (&f, scenario, FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	o.sasl_mechanism = mech;
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	gboolean ok = mp_imap_client_authenticate (c, NULL, token, &error);
	if (expect_ok) {
		g_assert_no_error (error);
		g_assert_true (ok);
		mp_imap_client_logout (c);
	} else {
		g_assert_false (ok);
		g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
		g_test_message ("%s", error->message);
		g_assert_nonnull (strstr (error->message, "authentication failed for user alice"));
		g_assert_nonnull (strstr (error->message, "Invalid credentials"));
		g_assert_nonnull (strstr (error->message, "invalid_token")); /* the JSON detail */
		g_assert_null (strstr (error->message, token));
		g_assert_false (mp_imap_client_is_broken (c));
	}
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_oauth (void)
{
	oauth_case ("oauth-ok", NULL, "tok123", TRUE);          /* OAUTHBEARER preferred */
	oauth_case ("oauth-ok", "XOAUTH2", "tok123", TRUE);
	oauth_case ("oauth-fail", NULL, "expired-token", FALSE);
	oauth_case ("oauth-fail", "xoauth2", "expired-token", FALSE);
}

static void
alert_cb (const char *url, const char *text, gpointer user_data)
{
	g_free (*(char **) user_data);
	*(char **) user_data = g_strdup (text);
}

static void
test_fake_alert (void)
{
	Fake f;
	if (!fake_start (&f, "alert", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	g_autofree char *alert = NULL;
	MpImapClientOptions o = tls_options ();
	o.alert_func = alert_cb;
	o.alert_data = &alert;
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_true (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_cmpstr (alert, ==, "Maintenance tonight");
	mp_imap_client_logout (c);
	g_free (fake_finish (&f));
}

static gboolean
count_untagged (const MpImapResponse *r, gpointer user_data, GError **error)
{
	(*(guint *) user_data)++;
	return TRUE;
}

static void
test_fake_pipeline (void)
{
	Fake f;
	if (!fake_start (&f, "pipeline", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	guint t1 = mp_imap_client_send (c, "NOOP", &error);
	guint t2 = mp_imap_client_send (c, "NOOP", &error);
	g_assert_no_error (error);
	g_assert_cmpuint (t1, >, 0);
	g_assert_cmpuint (t2, >, t1);
	guint untagged = 0;
	/* the server completes t2 first; waiting for t1 first must keep it */
	g_assert_true (mp_imap_client_wait (c, t1, count_untagged, &untagged, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (untagged, ==, 1);
	g_assert_true (mp_imap_client_wait (c, t2, count_untagged, &untagged, &error));
	g_assert_no_error (error);
	g_assert_false (mp_imap_client_wait (c, t2, NULL, NULL, &error)); /* already collected */
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	mp_imap_client_logout (c);
	g_free (fake_finish (&f));
}

/* ---- hostile servers (issue 14, item 2) ------------------------------------ */

/* Logs in to SCENARIO with OPTIONS; NULL when the group is skipped. */
static MpImapClient *
fake_login (Fake *f, const char *scenario, MpImapClientOptions *o)
{
	if (!fake_start (f, scenario, FAKE_TLS))
		return NULL;
	g_autofree char *url = fake_url ("imaps", "alice", f->port);
	MpImapClient *c = client_for (url, o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	g_assert_true (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_no_error (error);
	return c;
}

/* A server that answers "* OK" every 0.2 s, or one octet every 0.1 s,
 * passes every per-read timeout; the command's deadline stops it. */
static void
deadline_case (const char *scenario)
{
	Fake f;
	MpImapClientOptions o = tls_options ();
	o.timeout_ms = 1000;
	o.command_timeout_ms = 2000;
	g_autoptr(MpImapClient) c = fake_login (&f, scenario, &o);
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	gint64 t0 = g_get_monotonic_time ();
	g_assert_false (mp_imap_client_command (c, "NOOP", NULL, NULL, &error));
	gint64 ms = (g_get_monotonic_time () - t0) / 1000;
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s: %s after %" G_GINT64_FORMAT " ms", scenario, error->message, ms);
	g_assert_nonnull (strstr (error->message, "NOOP took longer than 2 s (the command timeout)"));
	g_assert_true (mp_imap_client_is_broken (c));
	/* bounded: not the 12 s the server would go on */
	g_assert_cmpint (ms, <, 6000);
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_ok_flood (void)
{
	deadline_case ("ok-flood");
}

static void
test_fake_trickle (void)
{
	deadline_case ("trickle");
}

/* Untagged responses without end: at most EXISTS + slack in a folder
 * (UIDs beyond EXISTS), at most max_untagged without one. */
static void
test_fake_untagged_flood (void)
{
	Fake f;
	MpImapClientOptions o = tls_options ();
	o.max_untagged = 50;
	o.untagged_slack = 10;
	g_autoptr(MpImapClient) c = fake_login (&f, "untagged-flood", &o);
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	guint seen = 0;
	g_assert_false (mp_imap_client_command (c, "NOOP", count_untagged, &seen, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_assert_nonnull (strstr (error->message, "more than 50 responses to one command"));
	g_assert_cmpuint (seen, ==, 50);
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));

	g_clear_error (&error);
	c = fake_login (&f, "untagged-flood", &o);
	MpImapMailboxInfo info;
	g_assert_true (mp_imap_client_examine (c, "INBOX", &info, &error));
	g_assert_cmpuint (info.exists, ==, 5);
	seen = 0;
	g_assert_false (mp_imap_client_command (c, "UID FETCH 1:* (UID)", count_untagged, &seen, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "more than 15 responses"));
	g_assert_nonnull (strstr (error->message, "more than the folder has messages"));
	g_assert_cmpuint (seen, ==, 15);
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

static void
test_fake_sasl_endless (void)
{
	Fake f;
	if (!fake_start (&f, "sasl-endless", FAKE_TLS))
		return;
	g_autofree char *url = fake_url ("imaps", "alice", f.port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_false (mp_imap_client_authenticate (c, "secret", NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "more than 8 SASL rounds"));
	mp_imap_client_free (g_steal_pointer (&c));
	g_free (fake_finish (&f));
}

typedef struct {
	const char *s;
	gsize      *at;
} LiteralString;

static gssize
literal_from_string (guint8 *buf, gsize len, gpointer data, GError **error)
{
	LiteralString *l = data;
	gsize n = MIN (len, strlen (l->s) - *l->at);

	memcpy (buf, l->s + *l->at, n);
	*l->at += n;
	return (gssize) n;
}

/* Issue 14, item 13: names with CR, LF or raw UTF-8 go out as literals. */
static void
examine_literal_case (const char *scenario)
{
	Fake f;
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = fake_login (&f, scenario, &o);
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (folders->len, ==, 3);
	for (guint i = 1; i < folders->len; i++) {
		MpImapFolder *fo = g_ptr_array_index (folders, i);
		MpImapMailboxInfo info;
		g_test_message ("%s: examine %s", scenario, fo->display);
		/* shown without the line break */
		g_assert_null (strpbrk (fo->display, "\r\n"));
		g_assert_true (mp_imap_client_examine (c, fo->name, &info, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (info.exists, ==, 1);
	}
	/* issue 17: SELECT and APPEND send the name as EXAMINE does (the fix
	 * on such a folder); APPENDUID 7 k says the fake got name, flags, date
	 * and message exactly */
	mp_imap_client_allow_writes (c);
	for (guint i = 1; i < folders->len; i++) {
		MpImapFolder *fo = g_ptr_array_index (folders, i);
		MpImapMailboxInfo info;
		static const char msg[] = "Subject: x\r\n\r\nhi\r\n";
		guint32 v = 0, u = 0;
		gsize at = 0;

		g_test_message ("%s: select and append to %s", scenario, fo->display);
		g_assert_true (mp_imap_client_select (c, fo->name, &info, &error));
		g_assert_no_error (error);
		g_assert_true (mp_imap_write_append (c, fo->name, "\\Seen", "02-Mar-2021 10:11:12 +0100", strlen (msg),
		                                     literal_from_string, &(LiteralString) { msg, &at }, &v, &u, &error));
		g_assert_no_error (error);
		g_assert_cmpuint (v, ==, 7);
		g_assert_cmpuint (u, ==, i);
	}
	mp_imap_client_logout (c);
	g_free (fake_finish (&f));
}

static void
test_fake_examine_literal (void)
{
	examine_literal_case ("examine-literal");
	examine_literal_case ("examine-literal-plus");
}

/* ---- Dovecot ------------------------------------------------------------ */

static char *
dovecot_url (const char *scheme, const char *user, const char *host_var, const char *port_var)
{
	const char *host = env_or_skip (host_var);
	const char *port = host ? env_or_skip (port_var) : NULL;
	if (port == NULL)
		return NULL;
	return g_strdup_printf ("%s://%s@%s:%s", scheme, user, host, port);
}

static MpImapClient *
dovecot_login (const char *scheme, const char *port_var)
{
	g_autofree char *url = dovecot_url (scheme, "alice", "IMAPC_HOST", port_var);
	if (url == NULL)
		return NULL;
	MpImapClientOptions o = tls_options ();
	MpImapClient *c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	g_assert_true (mp_imap_client_is_tls (c));
	g_assert_true (mp_imap_client_authenticate (c, ALICE_PASSWORD, NULL, &error));
	g_assert_no_error (error);
	return c;
}

static void
test_dovecot_imaps (void)
{
	g_autoptr(MpImapClient) c = dovecot_login ("imaps", "IMAPC_IMAPS_PORT");
	if (c == NULL)
		return;
	g_assert_true (mp_imap_client_has_capability (c, "IMAP4rev1"));
	g_assert_true (mp_imap_client_has_capability (c, "LIST-STATUS")); /* post-login list */
	mp_imap_client_logout (c);
}

static void
test_dovecot_localhost (void)
{
	/* a DNS name: SNI and the host name check (SAN DNS:localhost) */
	const char *port = env_or_skip ("IMAPC_IMAPS_PORT");
	if (port == NULL)
		return;
	g_autofree char *url = g_strdup_printf ("imaps://alice@localhost:%s", port);
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_no_error (error);
	mp_imap_client_logout (c);
}

static void
test_dovecot_starttls (void)
{
	g_autoptr(MpImapClient) c = dovecot_login ("imap", "IMAPC_IMAP_PORT");
	if (c == NULL)
		return;
	g_assert_false (mp_imap_client_has_capability (c, "STARTTLS"));
	g_assert_true (mp_imap_client_has_capability (c, "IMAP4rev1"));
	mp_imap_client_logout (c);
}

static void
test_dovecot_untrusted (void)
{
	g_autofree char *url = dovecot_url ("imaps", "alice", "IMAPC_HOST", "IMAPC_IMAPS_PORT");
	if (url == NULL)
		return;
	g_autoptr(MpImapClient) c = client_for (url, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "certificate verify failed: unable to get local issuer"));
	g_assert_nonnull (strstr (error->message, "for host 127.0.0.1"));
	/* the same over STARTTLS */
	g_autofree char *url2 = dovecot_url ("imap", "alice", "IMAPC_HOST", "IMAPC_IMAP_PORT");
	g_autoptr(MpImapClient) c2 = client_for (url2, NULL);
	g_clear_error (&error);
	g_assert_false (mp_imap_client_connect (c2, &error));
	g_assert_nonnull (strstr (error->message, "certificate verify failed"));
}

static void
test_dovecot_wrong_password (void)
{
	g_autofree char *url = dovecot_url ("imaps", "alice", "IMAPC_HOST", "IMAPC_IMAPS_PORT");
	if (url == NULL)
		return;
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_false (mp_imap_client_authenticate (c, "not-the-password", NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_test_message ("%s", error->message);
	g_assert_nonnull (strstr (error->message, "authentication failed for user alice (PLAIN)"));
	g_assert_null (strstr (error->message, "not-the-password"));
	g_assert_false (mp_imap_client_is_broken (c));
	/* a token to a server without OAuth mechanisms */
	g_clear_error (&error);
	g_assert_false (mp_imap_client_authenticate (c, NULL, "tok", &error));
	g_assert_nonnull (strstr (error->message, "neither AUTH=OAUTHBEARER nor AUTH=XOAUTH2"));
}

static void
test_dovecot_mechanisms (void)
{
	static const char *const mechs[] = { "LOGIN", "PLAIN" };
	for (guint i = 0; i < G_N_ELEMENTS (mechs); i++) {
		g_autofree char *url = dovecot_url ("imap", "bob", "IMAPC_HOST", "IMAPC_IMAP_PORT");
		if (url == NULL)
			return;
		MpImapClientOptions o = tls_options ();
		o.sasl_mechanism = mechs[i];
		g_autoptr(MpImapClient) c = client_for (url, &o);
		g_autoptr(GError) error = NULL;
		g_assert_true (mp_imap_client_connect (c, &error));
		g_assert_true (mp_imap_client_authenticate (c, BOB_PASSWORD, NULL, &error));
		g_assert_no_error (error);
		mp_imap_client_logout (c);
	}
}

static void
test_dovecot_plain_listener (void)
{
	g_autofree char *url = dovecot_url ("imap", "alice", "IMAPC_PLAIN_HOST", "IMAPC_PLAIN_PORT");
	if (url == NULL)
		return;
	g_autoptr(MpImapClient) c = client_for (url, NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_imap_client_connect (c, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_assert_nonnull (strstr (error->message, "does not offer STARTTLS"));
	g_clear_error (&error);

	MpImapClientOptions o = { .allow_plaintext = TRUE };
	g_autoptr(MpImapClient) c2 = client_for (url, &o);
	g_assert_true (mp_imap_client_connect (c2, &error));
	g_assert_no_error (error);
	g_assert_false (mp_imap_client_is_tls (c2));
	g_assert_true (mp_imap_client_authenticate (c2, ALICE_PASSWORD, NULL, &error));
	g_assert_no_error (error);
	mp_imap_client_logout (c2);
}

/* Issue 17: a client is read-only until the fix path says otherwise:
 * every command that changes a mailbox is refused before it is sent, and
 * the connection stays usable; after mp_imap_client_allow_writes() SELECT
 * goes out. Nothing is written to the seeded account. */
static void
test_dovecot_read_only_guard (void)
{
	static const char *const refused[] = {
		"SELECT INBOX", "APPEND INBOX (\\Seen) {1}", "UID STORE 1 +FLAGS.SILENT (\\Deleted)",
		"STORE 1 +FLAGS (\\Deleted)", "EXPUNGE", "UID EXPUNGE 1", "COPY 1 Archive", "UID MOVE 1 Archive",
		"CREATE Nope", "DELETE Archive", "RENAME Archive Nope", "close", "Uid Copy 1 Archive", NULL,
	};
	g_autoptr(MpImapClient) c = dovecot_login ("imaps", "IMAPC_IMAPS_PORT");
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	MpImapMailboxInfo info = { 0 };

	for (gsize i = 0; refused[i]; i++) {
		g_assert_false (mp_imap_client_command (c, refused[i], NULL, NULL, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
		g_assert_nonnull (strstr (error->message, "read-only"));
		g_clear_error (&error);
	}
	g_assert_false (mp_imap_client_command_astring (c, "DELETE", "Entw\xc3\xbcrfe", NULL, NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);
	g_assert_false (mp_imap_client_select (c, "INBOX", &info, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);
	/* nothing was sent: the connection is in step and usable */
	g_assert_false (mp_imap_client_is_broken (c));
	g_assert_true (mp_imap_client_examine (c, "INBOX", &info, &error));
	g_assert_no_error (error);
	g_assert_true (info.read_only);
	mp_imap_client_allow_writes (c);
	g_assert_true (mp_imap_client_select (c, "INBOX", &info, &error));
	g_assert_no_error (error);
	g_assert_false (info.read_only);
	mp_imap_client_logout (c);
}

static MpImapFolder *
find_folder (GPtrArray *folders, const char *display)
{
	for (guint i = 0; i < folders->len; i++) {
		MpImapFolder *f = g_ptr_array_index (folders, i);
		if (g_strcmp0 (f->display, display) == 0)
			return f;
	}
	g_error ("LIST gave no folder '%s'", display); /* noreturn: no NULL to dereference */
}

static void
test_dovecot_list (void)
{
	g_autoptr(MpImapClient) c = dovecot_login ("imaps", "IMAPC_IMAPS_PORT");
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
	g_assert_no_error (error);
	for (guint i = 0; i < folders->len; i++) {
		MpImapFolder *f = g_ptr_array_index (folders, i);
		g_autofree char *uses = mp_special_use_to_string (f->special_use);
		g_test_message ("%s (%s) %c use=%s messages=%" G_GUINT64_FORMAT " size=%" G_GUINT64_FORMAT,
		                f->display, f->name, f->delimiter ? f->delimiter : '-', uses, f->messages,
		                f->size);
	}
	MpImapFolder *inbox = find_folder (folders, "INBOX");
	g_assert_nonnull (inbox);
	g_assert_true (inbox->has_status);
	g_assert_cmpuint (inbox->messages, ==, 3);
	g_assert_cmpuint (inbox->size, >, 1000);
	g_assert_cmpuint (inbox->size, <, G_MAXUINT64);
	g_assert_cmpint (inbox->delimiter, ==, '/');
	MpImapFolder *de = find_folder (folders, "Entw\xc3\xbcrfe");
	g_assert_nonnull (de);
	g_assert_cmpstr (de->name, ==, "Entw&APw-rfe");
	g_assert_cmpuint (de->messages, ==, 0);
	MpImapFolder *archive = find_folder (folders, "Archive");
	g_assert_nonnull (archive);
	g_assert_cmpuint (archive->messages, ==, 1);
	g_assert_nonnull (find_folder (folders, "Projects/2024"));
	MpImapFolder *sent = find_folder (folders, "Sent");
	g_assert_nonnull (sent);
	g_assert_cmpint (sent->special_use, ==, MP_SPECIAL_USE_SENT);
	MpImapFolder *trash = find_folder (folders, "Trash");
	g_assert_nonnull (trash);
	g_assert_cmpint (trash->special_use, ==, MP_SPECIAL_USE_TRASH);
	g_assert_cmpint (archive->special_use, ==, MP_SPECIAL_USE_NONE);
	g_assert_cmpint (inbox->special_use, ==, MP_SPECIAL_USE_NONE);
	mp_imap_client_logout (c);
}

/* An admin login on a real Dovecot with a master user (dovecot-fixture.py:
 * passdb master = yes): each form reads chloe's mailbox, whose Sent folder
 * only she has ("Mes envois"). */
static void
test_dovecot_admin (void)
{
	static const struct {
		const char     *scheme, *port_var, *mechanism;
		MpImapAdminForm form;
	} forms[] = {
		{ "imaps", "IMAPC_IMAPS_PORT", NULL, MP_IMAP_ADMIN_AUTHZID },
		{ "imap", "IMAPC_IMAP_PORT", NULL, MP_IMAP_ADMIN_AUTHZID },
		{ "imaps", "IMAPC_IMAPS_PORT", NULL, MP_IMAP_ADMIN_SEPARATOR },
		{ "imap", "IMAPC_IMAP_PORT", "LOGIN", MP_IMAP_ADMIN_SEPARATOR },
	};
	for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
		g_autofree char *url = dovecot_url (forms[i].scheme, "chloe", "IMAPC_HOST", forms[i].port_var);
		if (url == NULL)
			return;
		MpImapClientOptions o = tls_options ();
		o.admin.user = ADMIN_USER;
		o.admin.form = forms[i].form;
		o.sasl_mechanism = forms[i].mechanism;
		g_autoptr(MpImapClient) c = client_for (url, &o);
		g_autoptr(GError) error = NULL;
		g_test_message ("%s form %d mechanism %s", url, forms[i].form,
		                forms[i].mechanism ? forms[i].mechanism : "-");
		g_assert_true (mp_imap_client_connect (c, &error));
		g_assert_true (mp_imap_client_authenticate (c, ADMIN_PASSWORD, NULL, &error));
		g_assert_no_error (error);
		g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
		g_assert_no_error (error);
		MpImapFolder *sent = find_folder (folders, "Mes envois");
		g_assert_cmpint (sent->special_use, ==, MP_SPECIAL_USE_SENT);
		mp_imap_client_logout (c);
	}

	/* the admin's password is checked, and the user must exist */
	static const struct {
		const char     *user, *password;
		MpImapAdminForm form;
	} bad[] = {
		{ "chloe", "wrong", MP_IMAP_ADMIN_AUTHZID },
		{ "chloe", "wrong", MP_IMAP_ADMIN_SEPARATOR },
		{ "nobody", ADMIN_PASSWORD, MP_IMAP_ADMIN_AUTHZID },
		{ "nobody", ADMIN_PASSWORD, MP_IMAP_ADMIN_SEPARATOR },
		/* a user's own password is not an admin's */
		{ "chloe", CHLOE_PASSWORD, MP_IMAP_ADMIN_AUTHZID },
	};
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autofree char *url = dovecot_url ("imaps", bad[i].user, "IMAPC_HOST", "IMAPC_IMAPS_PORT");
		MpImapClientOptions o = tls_options ();
		o.admin.user = ADMIN_USER;
		o.admin.form = bad[i].form;
		g_autoptr(MpImapClient) c = client_for (url, &o);
		g_autoptr(GError) error = NULL;
		g_assert_true (mp_imap_client_connect (c, &error));
		g_assert_false (mp_imap_client_authenticate (c, bad[i].password, NULL, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
		g_test_message ("%s", error->message);
		g_assert_nonnull (strstr (error->message, "as admin admin"));
		g_assert_null (strstr (error->message, bad[i].password));
		mp_imap_client_logout (c);
	}
}

/* RFC 6154 on a real Dovecot: chloe's Sent folder is "Mes envois", known as
 * Sent by its attribute, and there is no folder named Sent. */
static void
test_dovecot_special_use (void)
{
	g_autofree char *url = dovecot_url ("imaps", "chloe", "IMAPC_HOST", "IMAPC_IMAPS_PORT");
	if (url == NULL)
		return;
	MpImapClientOptions o = tls_options ();
	g_autoptr(MpImapClient) c = client_for (url, &o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_imap_client_connect (c, &error));
	g_assert_true (mp_imap_client_authenticate (c, CHLOE_PASSWORD, NULL, &error));
	g_assert_no_error (error);
	/* Dovecot offers both, so LIST asks RETURN (SPECIAL-USE) */
	g_assert_true (mp_imap_client_has_capability (c, "SPECIAL-USE"));
	g_assert_true (mp_imap_client_has_capability (c, "LIST-EXTENDED"));
	g_autoptr(GPtrArray) folders = mp_imap_client_list (c, &error);
	g_assert_no_error (error);
	guint sent = 0;
	for (guint i = 0; i < folders->len; i++) {
		MpImapFolder *f = g_ptr_array_index (folders, i);
		g_assert_cmpstr (f->display, !=, "Sent");
		if (f->special_use & MP_SPECIAL_USE_SENT) {
			sent++;
			g_assert_cmpstr (f->display, ==, "Mes envois");
			g_assert_cmpuint (f->messages, ==, 1);
		}
	}
	g_assert_cmpuint (sent, ==, 1);
	g_assert_cmpint (find_folder (folders, "Trash")->special_use, ==, MP_SPECIAL_USE_TRASH);
	g_assert_cmpint (find_folder (folders, "INBOX")->special_use, ==, MP_SPECIAL_USE_NONE);
	mp_imap_client_logout (c);
}

typedef struct {
	GHashTable *flags;  /* uid -> "flags sorted, \Recent dropped" */
	guint       fetches;
	guint64     sizes;
} FetchResult;

static gboolean
collect_fetch (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	FetchResult *res = user_data;
	guint64 uid, size;
	if (!mp_imap_value_get_number (mp_imap_value_lookup (att, "UID"), &uid))
		return TRUE;
	res->fetches++;
	if (mp_imap_value_get_number (mp_imap_value_lookup (att, "RFC822.SIZE"), &size))
		res->sizes += size;
	const MpImapValue *flags = mp_imap_value_lookup (att, "FLAGS");
	if (flags != NULL) {
		g_autoptr(GPtrArray) names = g_ptr_array_new ();
		for (guint i = 0; i < mp_imap_value_get_n_children (flags); i++) {
			const char *s = mp_imap_value_get_string (mp_imap_value_get_child (flags, i), NULL);
			/* \Recent is a session flag (RFC 3501 §2.3.2): not permanent state */
			if (s && g_ascii_strcasecmp (s, "\\Recent") != 0)
				g_ptr_array_add (names, (gpointer) s);
		}
		g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
		g_ptr_array_add (names, NULL);
		g_hash_table_insert (res->flags, GUINT_TO_POINTER ((guint) uid),
		                     g_strjoinv (" ", (char **) names->pdata));
	}
	return TRUE;
}

static FetchResult
fetch_result_new (void)
{
	return (FetchResult) { g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free), 0, 0 };
}

static void
assert_same_flags (GHashTable *a, GHashTable *b)
{
	g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init (&it, a);
	while (g_hash_table_iter_next (&it, &k, &v))
		g_assert_cmpstr (v, ==, g_hash_table_lookup (b, k));
}

static void
test_dovecot_examine_fetch (void)
{
	g_autoptr(MpImapClient) c = dovecot_login ("imaps", "IMAPC_IMAPS_PORT");
	if (c == NULL)
		return;
	g_autoptr(GError) error = NULL;
	MpImapMailboxInfo info;
	g_assert_true (mp_imap_client_examine (c, "INBOX", &info, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (info.exists, ==, 3);
	g_assert_true (info.read_only);
	g_assert_cmpuint (info.uidvalidity, >, 0);
	g_assert_cmpuint (info.uidnext, ==, 4);

	FetchResult before = fetch_result_new ();
	g_assert_true (mp_imap_client_uid_fetch (c, "1:*", "(UID RFC822.SIZE FLAGS)", collect_fetch, &before, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (before.fetches, ==, 3);
	g_assert_cmpuint (before.sizes, >, 1000);
	g_assert_cmpstr (g_hash_table_lookup (before.flags, GUINT_TO_POINTER (1)), ==, "");
	g_assert_cmpstr (g_hash_table_lookup (before.flags, GUINT_TO_POINTER (2)), ==, "\\Flagged");

	/* reading headers and structure (what the audit does) */
	FetchResult mid = fetch_result_new ();
	g_assert_true (mp_imap_client_uid_fetch (c, "1:*", "(UID BODY.PEEK[HEADER] BODYSTRUCTURE)",
	                                         collect_fetch, &mid, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (mid.fetches, ==, 3);
	/* and the guard against what would set \Seen */
	g_assert_false (mp_imap_client_uid_fetch (c, "1:*", "(BODY[])", collect_fetch, &mid, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_clear_error (&error);

	/* pipelined chunks, as the scan fetches */
	guint t1 = mp_imap_client_send (c, "UID FETCH 1:2 (UID FLAGS)", &error);
	guint t2 = mp_imap_client_send (c, "UID FETCH 3:* (UID FLAGS)", &error);
	g_assert_no_error (error);
	g_assert_true (mp_imap_client_wait (c, t2, NULL, NULL, &error));
	g_assert_true (mp_imap_client_wait (c, t1, NULL, NULL, &error));
	g_assert_no_error (error);

	FetchResult after = fetch_result_new ();
	g_assert_true (mp_imap_client_uid_fetch (c, "1:*", "(UID FLAGS)", collect_fetch, &after, &error));
	assert_same_flags (before.flags, after.flags);
	mp_imap_client_logout (c);

	/* a new session sees the same permanent flags: nothing became \Seen */
	g_autoptr(MpImapClient) c2 = dovecot_login ("imap", "IMAPC_IMAP_PORT");
	g_assert_true (mp_imap_client_examine (c2, "INBOX", NULL, &error));
	FetchResult later = fetch_result_new ();
	g_assert_true (mp_imap_client_uid_fetch (c2, "1:*", "(UID FLAGS)", collect_fetch, &later, &error));
	g_assert_no_error (error);
	assert_same_flags (before.flags, later.flags);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init (&it, later.flags);
	while (g_hash_table_iter_next (&it, &k, &v))
		g_assert_null (strstr (v, "\\Seen"));

	/* a folder that does not exist is a NO, and the connection lives on */
	g_assert_false (mp_imap_client_examine (c2, "No such folder", NULL, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_test_message ("%s", error->message);
	/* the caller names the folder as the user sees it, once (report.c) */
	g_assert_nonnull (strstr (error->message, "EXAMINE failed"));
	g_assert_null (strstr (error->message, "folder No such folder: "));
	g_assert_false (mp_imap_client_is_broken (c2));
	g_clear_error (&error);
	g_assert_true (mp_imap_client_examine (c2, "Archive", &info, &error));
	g_assert_cmpuint (info.exists, ==, 1);
	mp_imap_client_logout (c2);

	g_hash_table_unref (before.flags);
	g_hash_table_unref (mid.flags);
	g_hash_table_unref (after.flags);
	g_hash_table_unref (later.flags);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/imap-client/unit/url", test_url);
	g_test_add_func ("/imap-client/unit/url-copy", test_url_copy);
	g_test_add_func ("/imap-client/unit/sasl", test_sasl);
	g_test_add_func ("/imap-client/unit/admin-identities", test_admin_identities);
	g_test_add_func ("/imap-client/unit/transport", test_transport);
	g_test_add_func ("/imap-client/unit/password-sources", test_password_sources);
	g_test_add_func ("/imap-client/unit/admin-password-file", test_admin_password_file);
	g_test_add_func ("/imap-client/unit/admin-password-env", test_admin_password_env);
	g_test_add_func ("/imap-client/unit/target-password", test_target_password);
	g_test_add_func ("/imap-client/unit/target-password-both", test_target_password_both);
	g_test_add_func ("/imap-client/unit/astring", test_astring);
	g_test_add_func ("/imap-client/unit/fetch-guard", test_fetch_guard);

	g_test_add_func ("/imap-client/fake/refused", test_fake_refused);
	g_test_add_func ("/imap-client/fake/plaintext-refused", test_fake_plaintext_refused);
	g_test_add_func ("/imap-client/fake/plaintext-allowed", test_fake_plaintext_allowed);
	g_test_add_func ("/imap-client/fake/starttls-injection", test_fake_inject);
	g_test_add_func ("/imap-client/fake/preauth", test_fake_preauth);
	g_test_add_func ("/imap-client/fake/close-mid-response", test_fake_close_mid);
	g_test_add_func ("/imap-client/fake/stall-timeout", test_fake_stall);
	g_test_add_func ("/imap-client/fake/wrong-ip", test_fake_wrong_ip);
	g_test_add_func ("/imap-client/fake/wrong-name", test_fake_wrong_name);
	g_test_add_func ("/imap-client/fake/untrusted", test_fake_untrusted);
	g_test_add_func ("/imap-client/fake/insecure", test_fake_insecure);
	g_test_add_func ("/imap-client/fake/bad-ca-file", test_fake_bad_ca_file);
	g_test_add_func ("/imap-client/fake/login-literal", test_fake_login_literal);
	g_test_add_func ("/imap-client/fake/plain-without-sasl-ir", test_fake_plain_no_ir);
	g_test_add_func ("/imap-client/fake/oauth2", test_fake_oauth);
	g_test_add_func ("/imap-client/fake/alert", test_fake_alert);
	g_test_add_func ("/imap-client/fake/pipeline", test_fake_pipeline);
	g_test_add_func ("/imap-client/fake/cn-without-san", test_fake_cn_without_san);
	g_test_add_func ("/imap-client/fake/ok-flood", test_fake_ok_flood);
	g_test_add_func ("/imap-client/fake/trickle", test_fake_trickle);
	g_test_add_func ("/imap-client/fake/untagged-flood", test_fake_untagged_flood);
	g_test_add_func ("/imap-client/fake/sasl-endless", test_fake_sasl_endless);
	g_test_add_func ("/imap-client/fake/examine-literal", test_fake_examine_literal);
	g_test_add_func ("/imap-client/fake/admin", test_fake_admin);
	g_test_add_func ("/imap-client/fake/admin-refused", test_fake_admin_refused);
	g_test_add_func ("/imap-client/fake/special-use", test_fake_special_use);

	g_test_add_func ("/imap-client/dovecot/imaps", test_dovecot_imaps);
	g_test_add_func ("/imap-client/dovecot/localhost", test_dovecot_localhost);
	g_test_add_func ("/imap-client/dovecot/starttls", test_dovecot_starttls);
	g_test_add_func ("/imap-client/dovecot/untrusted", test_dovecot_untrusted);
	g_test_add_func ("/imap-client/dovecot/wrong-password", test_dovecot_wrong_password);
	g_test_add_func ("/imap-client/dovecot/mechanisms", test_dovecot_mechanisms);
	g_test_add_func ("/imap-client/dovecot/plain-listener", test_dovecot_plain_listener);
	g_test_add_func ("/imap-client/dovecot/list", test_dovecot_list);
	g_test_add_func ("/imap-client/dovecot/examine-fetch", test_dovecot_examine_fetch);
	g_test_add_func ("/imap-client/dovecot/admin", test_dovecot_admin);
	g_test_add_func ("/imap-client/dovecot/special-use", test_dovecot_special_use);
	g_test_add_func ("/imap-client/dovecot/read-only-guard", test_dovecot_read_only_guard);
	return g_test_run ();
}
