/* test-managesieve.c — the ManageSieve client (analyzer/imap/managesieve.c)
 * on a scripted fake server (fake-managesieve-server.py) and on a real
 * Dovecot Pigeonhole managesieved (dovecot-fixture.py), and what a fetched
 * script says about forwarding (analyzer/accounts/sieve-script.c).
 *
 *   /managesieve/fake/...     STARTTLS (and its injection), SASL PLAIN with
 *                             and without admin, LISTSCRIPTS and GETSCRIPT,
 *                             refusals, limits, BYE, garbage, stalls
 *   /managesieve/dovecot/...  the real thing: own and admin logins, the
 *                             active script read back byte for byte
 *
 * run-tests.py sets IMAPC_FAKE_SIEVE_SERVER, IMAPC_CA_FILE, IMAPC_CERT/KEY,
 * and for Dovecot IMAPC_HOST, IMAPC_SIEVE_PORT and IMAPC_SIEVE_SCRIPT (the
 * file installed as alice's active script). A group whose variables are
 * missing is skipped. */
#include "managesieve.h"
#include "sieve-script.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What fake-managesieve-server.py serves as alice's "main". */
#define FAKE_MAIN "require [\"copy\"];\r\n# we never redirect in comments\r\n" \
                  "if true { redirect :copy \"jo@example.org\"; }\r\n"

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

/* ---- the fake server -------------------------------------------------------- */

typedef struct {
	GPid  pid;
	guint port;
	char *transcript;
} Fake;

static gboolean
fake_start (Fake *f, const char *scenario)
{
	const char *script = env_or_skip ("IMAPC_FAKE_SIEVE_SERVER");
	if (script == NULL)
		return FALSE;
	memset (f, 0, sizeof *f);
	int tfd = g_file_open_tmp ("sieve-transcript-XXXXXX", &f->transcript, NULL);
	g_assert_cmpint (tfd, >=, 0);
	close (tfd);
	const char *argv[] = { "python3", script, scenario, "--tls", g_getenv ("IMAPC_CERT"),
	                       g_getenv ("IMAPC_KEY"), "--transcript", f->transcript, NULL };
	int out = -1;
	g_autoptr(GError) error = NULL;
	g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
	                          NULL, NULL, &f->pid, NULL, &out, NULL, &error);
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

/* Waits for the server (bounded) and returns what the client sent. */
static char *
fake_finish (Fake *f)
{
	int status;
	for (int i = 0; i < 200 && f->pid != 0; i++) {
		if (waitpid (f->pid, &status, WNOHANG) == f->pid)
			f->pid = 0;
		else
			g_usleep (100 * 1000);
	}
	if (f->pid != 0) {
		kill (f->pid, SIGKILL);
		waitpid (f->pid, &status, 0);
	}
	char *t = NULL;
	g_file_get_contents (f->transcript, &t, NULL, NULL);
	unlink (f->transcript);
	g_free (f->transcript);
	return t ? t : g_strdup ("");
}

static MpManageSieveOptions
fake_options (const Fake *f)
{
	return (MpManageSieveOptions) {
		.host = "127.0.0.1", .port = (guint16) f->port, .user = "alice",
		.ca_file = g_getenv ("IMAPC_CA_FILE"), .timeout_ms = 5000,
	};
}

/* The commands of a transcript must be read-only ones. */
static void
assert_read_only (const char *transcript)
{
	static const char *const writes[] = { "PUTSCRIPT", "SETACTIVE", "DELETESCRIPT", "RENAMESCRIPT", "HAVESPACE" };
	for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
		g_assert_null (strstr (transcript, writes[i]));
}

static void
test_fake_ok (void)
{
	Fake f;
	if (!fake_start (&f, "ok"))
		return;
	MpManageSieveOptions o = fake_options (&f);
	g_autoptr(MpManageSieve) m = mp_managesieve_new (&o);
	g_autoptr(GError) error = NULL;
	g_autofree char *display = g_strdup_printf ("sieve://alice@127.0.0.1:%u", f.port);
	g_assert_cmpstr (mp_managesieve_get_display (m), ==, display);
	g_assert_true (mp_managesieve_connect (m, &error));
	g_assert_no_error (error);
	/* the capabilities after STARTTLS (RFC 5804 §2.2) */
	g_assert_false (mp_managesieve_has_capability (m, "STARTTLS"));
	g_assert_cmpstr (mp_managesieve_get_capability (m, "sasl"), ==, "PLAIN LOGIN");
	g_assert_cmpstr (mp_managesieve_get_capability (m, "IMPLEMENTATION"), ==, "fake-managesieve");
	g_assert_true (mp_managesieve_authenticate (m, "secret", NULL, &error));
	g_assert_no_error (error);
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *active = NULL;
	g_assert_true (mp_managesieve_list_scripts (m, &names, &active, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (names->len, ==, 3);
	g_assert_cmpstr (names->pdata[0], ==, "vacation");
	g_assert_cmpstr (names->pdata[2], ==, "odd \"one\"\r\nline"); /* a literal */
	g_assert_cmpstr (active, ==, "main");
	g_autoptr(GBytes) script = mp_managesieve_get_script (m, active, &error);
	g_assert_no_error (error);
	gsize len = 0;
	const char *data = g_bytes_get_data (script, &len);
	g_assert_cmpmem (data, len, FAKE_MAIN, sizeof FAKE_MAIN - 1);
	/* what it says: a redirect with :copy; the comment's "redirect" is none */
	g_autoptr(MpSieveScript) parsed = mp_sieve_script_parse (data, len);
	g_assert_null (parsed->error);
	g_assert_cmpuint (parsed->targets->len, ==, 1);
	g_assert_cmpstr (((MpForwardTarget *) parsed->targets->pdata[0])->address, ==, "jo@example.org");
	g_assert_true (((MpForwardTarget *) parsed->targets->pdata[0])->keeps_copy);
	/* no such script: refused, the connection goes on */
	g_assert_null (mp_managesieve_get_script (m, "nope", &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "GETSCRIPT \"nope\" failed: server said NO (NONEXISTENT)"));
	g_assert_false (mp_managesieve_is_broken (m));
	mp_managesieve_logout (m);
	g_autofree char *t = fake_finish (&f);
	g_assert_cmpstr (t, ==, "STARTTLS\nAUTHENTICATE PLAIN |alice|secret\nLISTSCRIPTS\nGETSCRIPT \"main\"\n"
	                        "GETSCRIPT \"nope\"\nLOGOUT\n");
	assert_read_only (t);
}

static void
admin_case (MpImapAdminForm form, const char *expect)
{
	Fake f;
	if (!fake_start (&f, "ok"))
		return;
	MpManageSieveOptions o = fake_options (&f);
	o.admin.user = "admin";
	o.admin.form = form;
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_managesieve_fetch_active (&o, "admin-secret", NULL, &name, &script, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (name, ==, "main");
	g_assert_cmpuint (g_bytes_get_size (script), ==, sizeof FAKE_MAIN - 1);
	g_autofree char *t = fake_finish (&f);
	g_assert_nonnull (strstr (t, expect));
	assert_read_only (t);
}

static void
test_fake_admin (void)
{
	/* RFC 4616: authzid alice, authcid admin; Dovecot's alice*admin */
	admin_case (MP_IMAP_ADMIN_AUTHZID, "AUTHENTICATE PLAIN alice|admin|admin-secret\n");
	admin_case (MP_IMAP_ADMIN_SEPARATOR, "AUTHENTICATE PLAIN |alice*admin|admin-secret\n");
}

static void
test_fake_no_active (void)
{
	Fake f;
	if (!fake_start (&f, "no-active"))
		return;
	MpManageSieveOptions o = fake_options (&f);
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_managesieve_fetch_active (&o, "secret", NULL, &name, &script, &error));
	g_assert_no_error (error);
	g_assert_null (name);
	g_assert_null (script);
	g_autofree char *t = fake_finish (&f);
	g_assert_null (strstr (t, "GETSCRIPT"));
}

/* A scenario that fails the whole fetch with CODE and a message holding
 * EXPECT; the password never shows. */
static gint64 last_fetch_us; /* how long expect_failure's fetch took */

static char *
expect_failure (const char *scenario, const MpManageSieveOptions *extra, const char *password,
                const char *token, int code, const char *expect)
{
	Fake f;
	if (!fake_start (&f, scenario))
		return NULL;
	MpManageSieveOptions o = fake_options (&f);
	if (extra != NULL) {
		o.ca_file = extra->ca_file;
		o.allow_plaintext = extra->allow_plaintext;
		o.timeout_ms = extra->timeout_ms ? extra->timeout_ms : o.timeout_ms;
	}
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time ();
	g_assert_false (mp_managesieve_fetch_active (&o, password, token, &name, &script, &error));
	last_fetch_us = g_get_monotonic_time () - start;
	g_assert_error (error, MP_ERROR, code);
	g_test_message ("%s: %s", scenario, error->message);
	g_assert_nonnull (strstr (error->message, expect));
	g_assert_true (g_str_has_prefix (error->message, "sieve://alice@127.0.0.1:"));
	if (password != NULL)
		g_assert_null (strstr (error->message, password));
	g_assert_null (name);
	g_assert_null (script);
	char *t = fake_finish (&f);
	assert_read_only (t);
	return t;
}

static void
test_fake_refusals (void)
{
	g_free (expect_failure ("ok", NULL, "wrong-pw", NULL, MP_ERROR_FAILED,
	                        "authentication failed for user alice (PLAIN): server said NO "
	                        "Authentication failed."));
	/* a server without STARTTLS: nothing is sent, unless allowed */
	g_autofree char *t2 = expect_failure ("no-starttls", NULL, "secret", NULL, MP_ERROR_READ,
	                                      "does not offer STARTTLS");
	g_assert_cmpstr (t2, ==, "");
	/* octets between STARTTLS's OK and the handshake */
	g_autofree char *t3 = expect_failure ("inject", NULL, "secret", NULL, MP_ERROR_READ, "response injection");
	g_assert_null (strstr (t3, "AUTHENTICATE"));
	g_free (expect_failure ("bye", NULL, "secret", NULL, MP_ERROR_READ,
	                        "connection closed by server (BYE Too many connections)"));
	/* the script is refused when announced, before its octets */
	g_free (expect_failure ("huge", NULL, "secret", NULL, MP_ERROR_READ,
	                        "literal of 2097152 octets is over the limit of 1048576"));
	g_free (expect_failure ("garbage", NULL, "secret", NULL, MP_ERROR_READ, "bad response from server"));
	/* OAuth2: the JSON challenge is answered and kept for the message */
	g_autofree char *t7 = expect_failure ("oauth-fail", NULL, NULL, "tok123", MP_ERROR_FAILED,
	                                      "(OAUTHBEARER): server said NO bad token; details: {\"status\": \"invalid_token\"}");
	g_assert_nonnull (strstr (t7, "\"AQ==\"\n"));
	/* a password to a server that offers only OAuth */
	g_free (expect_failure ("oauth-fail", NULL, "secret", NULL, MP_ERROR_FAILED,
	                        "does not offer SASL PLAIN (SASL: OAUTHBEARER)"));
	/* the certificate is checked: the system store does not know the test CA */
	MpManageSieveOptions no_ca = { 0 };
	g_free (expect_failure ("ok", &no_ca, "secret", NULL, MP_ERROR_READ,
	                        "certificate verify failed"));
	/* a silent server: every wait is bounded */
	MpManageSieveOptions quick = { .ca_file = g_getenv ("IMAPC_CA_FILE"), .timeout_ms = 1000 };
	g_free (expect_failure ("stall", &quick, "secret", NULL, MP_ERROR_READ, "timed out after 1.000 s"));
	g_assert_cmpint (last_fetch_us, <, 5 * G_USEC_PER_SEC);
}

static void
test_fake_plaintext_allowed (void)
{
	Fake f;
	if (!fake_start (&f, "no-starttls"))
		return;
	MpManageSieveOptions o = fake_options (&f);
	o.allow_plaintext = TRUE;
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_managesieve_fetch_active (&o, "secret", NULL, &name, &script, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (name, ==, "main");
	g_autofree char *t = fake_finish (&f);
	g_assert_true (g_str_has_prefix (t, "AUTHENTICATE PLAIN |alice|secret\n"));
}

/* ---- Dovecot ------------------------------------------------------------------ */

static gboolean
dovecot_options (MpManageSieveOptions *o, const char *user)
{
	const char *host = env_or_skip ("IMAPC_HOST");
	const char *port = host ? env_or_skip ("IMAPC_SIEVE_PORT") : NULL;
	if (port == NULL)
		return FALSE;
	*o = (MpManageSieveOptions) {
		.host = host, .port = (guint16) g_ascii_strtoull (port, NULL, 10), .user = user,
		.ca_file = g_getenv ("IMAPC_CA_FILE"), .timeout_ms = 10000,
	};
	return TRUE;
}

static void
assert_installed_script (const char *name, GBytes *script)
{
	g_autofree char *want = NULL;
	gsize want_len = 0;
	g_assert_true (g_file_get_contents (g_getenv ("IMAPC_SIEVE_SCRIPT"), &want, &want_len, NULL));
	g_assert_cmpstr (name, ==, "main");
	g_assert_nonnull (script);
	gsize len = 0;
	const char *data = g_bytes_get_data (script, &len);
	g_assert_cmpmem (data, len, want, want_len);
	g_autoptr(MpSieveScript) parsed = mp_sieve_script_parse (data, len);
	g_assert_null (parsed->error);
	g_assert_cmpuint (parsed->targets->len, ==, 1);
	g_assert_cmpstr (((MpForwardTarget *) parsed->targets->pdata[0])->address, ==, "bob@example.net");
}

static void
test_dovecot_own (void)
{
	MpManageSieveOptions o;
	if (!dovecot_options (&o, "alice"))
		return;
	g_autoptr(MpManageSieve) m = mp_managesieve_new (&o);
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_managesieve_connect (m, &error));
	g_assert_no_error (error);
	g_assert_nonnull (strstr (mp_managesieve_get_capability (m, "IMPLEMENTATION"), "Pigeonhole"));
	g_assert_nonnull (strstr (mp_managesieve_get_capability (m, "SIEVE"), "copy"));
	g_assert_true (mp_managesieve_authenticate (m, "secret", NULL, &error));
	g_assert_no_error (error);
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *active = NULL;
	g_assert_true (mp_managesieve_list_scripts (m, &names, &active, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (names->len, ==, 2); /* main, and the inactive "old" */
	g_autoptr(GBytes) script = mp_managesieve_get_script (m, active, &error);
	g_assert_no_error (error);
	assert_installed_script (active, script);
	mp_managesieve_logout (m);
}

static void
test_dovecot_admin (void)
{
	static const MpImapAdminForm forms[] = { MP_IMAP_ADMIN_AUTHZID, MP_IMAP_ADMIN_SEPARATOR };
	for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
		MpManageSieveOptions o;
		if (!dovecot_options (&o, "alice"))
			return;
		o.admin.user = "admin";
		o.admin.form = forms[i];
		g_autofree char *name = NULL;
		g_autoptr(GBytes) script = NULL;
		g_autoptr(GError) error = NULL;
		g_assert_true (mp_managesieve_fetch_active (&o, "admin-secret", NULL, &name, &script, &error));
		g_assert_no_error (error);
		assert_installed_script (name, script);
		/* the admin's password is checked */
		g_autofree char *n2 = NULL;
		g_autoptr(GBytes) s2 = NULL;
		g_assert_false (mp_managesieve_fetch_active (&o, "secret", NULL, &n2, &s2, &error));
		g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
		g_assert_nonnull (strstr (error->message, "as admin admin"));
	}
}

static void
test_dovecot_none_active (void)
{
	/* chloe has no Sieve script: checked, and nothing forwards */
	MpManageSieveOptions o;
	if (!dovecot_options (&o, "chloe"))
		return;
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true (mp_managesieve_fetch_active (&o, "motdepasse", NULL, &name, &script, &error));
	g_assert_no_error (error);
	g_assert_null (name);
	g_assert_null (script);
}

static void
test_dovecot_refused (void)
{
	MpManageSieveOptions o;
	if (!dovecot_options (&o, "alice"))
		return;
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_false (mp_managesieve_fetch_active (&o, "wrong", NULL, &name, &script, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "authentication failed for user alice (PLAIN)"));
	g_clear_error (&error);
	o.ca_file = NULL;
	g_assert_false (mp_managesieve_fetch_active (&o, "secret", NULL, &name, &script, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	g_assert_nonnull (strstr (error->message, "certificate verify failed"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/managesieve/fake/ok", test_fake_ok);
	g_test_add_func ("/managesieve/fake/admin", test_fake_admin);
	g_test_add_func ("/managesieve/fake/no-active", test_fake_no_active);
	g_test_add_func ("/managesieve/fake/refusals", test_fake_refusals);
	g_test_add_func ("/managesieve/fake/plaintext-allowed", test_fake_plaintext_allowed);
	g_test_add_func ("/managesieve/dovecot/own", test_dovecot_own);
	g_test_add_func ("/managesieve/dovecot/admin", test_dovecot_admin);
	g_test_add_func ("/managesieve/dovecot/none-active", test_dovecot_none_active);
	g_test_add_func ("/managesieve/dovecot/refused", test_dovecot_refused);
	return g_test_run ();
}
