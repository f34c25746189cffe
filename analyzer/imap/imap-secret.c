/* imap-secret.c — see imap-secret.h. The SASL messages built from these
 * secrets are in imap-sasl.c. */
#include "imap-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* A password or token longer than this is a mistake (a wrong file). */
#define MAX_SECRET_FILE (64 * 1024)

void
mp_imap_secret_wipe (void *data, gsize len)
{
	/* not memset: a store to memory about to be freed may be optimised away */
	OPENSSL_cleanse (data, len);
}

void
mp_imap_secret_protect (void)
{
	/* no core dump, no ptrace, no /proc/PID/mem by our own user while a
	 * password is in memory (prctl(2)); failing is not worth an error */
	if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		g_debug ("prctl (PR_SET_DUMPABLE): %s", g_strerror (errno));
}

/* ---- the environment ---- */

static const char *const env_names[] = { MP_IMAP_PASSWORD_ENV, MP_IMAP_TARGET_PASSWORD_ENV,
                                         MP_IMAP_ADMIN_PASSWORD_ENV };
static char *env_values[G_N_ELEMENTS (env_names)];

static gpointer
take_env (gpointer unused)
{
	for (gsize i = 0; i < G_N_ELEMENTS (env_names); i++) {
		char *v = getenv (env_names[i]);
		if (v == NULL)
			continue;
		if (*v != '\0') {
			env_values[i] = g_strdup (v);
			mp_imap_secret_protect ();
		}
		/* wiped in place first: unsetenv() only drops the pointer, and the
		 * octets would stay in /proc/PID/environ */
		OPENSSL_cleanse (v, strlen (v));
		unsetenv (env_names[i]);
	}
	return NULL;
}

void
mp_imap_secrets_take_env (void)
{
	static GOnce once = G_ONCE_INIT;

	g_once (&once, take_env, NULL);
}

static gboolean
env_present (const char *name)
{
	mp_imap_secrets_take_env ();
	for (gsize i = 0; i < G_N_ELEMENTS (env_names); i++)
		if (strcmp (name, env_names[i]) == 0)
			return env_values[i] != NULL;
	return FALSE;
}

char *
mp_imap_secret_env (const char *name)
{
	mp_imap_secrets_take_env ();
	for (gsize i = 0; i < G_N_ELEMENTS (env_names); i++)
		if (strcmp (name, env_names[i]) == 0)
			return g_strdup (env_values[i]);
	return NULL;
}

void
mp_imap_secret_free (char *secret)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse (secret, strlen (secret));
	g_free (secret);
}

/* Reads at most MAX_SECRET_FILE octets of PATH into a NUL-terminated
 * buffer; warns when others may read it. */
static char *
read_secret_file (const char *path, const char *what, gsize *len_out, GError **error)
{
	int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		g_set_error (error, MP_ERROR, e == ENOENT ? MP_ERROR_NOT_FOUND : MP_ERROR_READ,
		             "%s %s: %s", what, path, g_strerror (e));
		return NULL;
	}
	struct stat st;
	if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		g_warning ("%s %s can be read by group or others; chmod 600 it", what, path);

	char *buf = g_malloc (MAX_SECRET_FILE + 1);
	gsize len = 0;
	for (;;) {
		ssize_t n = read (fd, buf + len, MAX_SECRET_FILE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close (fd);
			OPENSSL_cleanse (buf, MAX_SECRET_FILE + 1);
			g_free (buf);
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "%s %s: %s", what, path, g_strerror (e));
			return NULL;
		}
		if (n == 0)
			break;
		len += (gsize) n;
		if (len > MAX_SECRET_FILE) {
			close (fd);
			OPENSSL_cleanse (buf, MAX_SECRET_FILE + 1);
			g_free (buf);
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s: larger than %d KiB",
			             what, path, MAX_SECRET_FILE / 1024);
			return NULL;
		}
	}
	close (fd);
	buf[len] = '\0';
	*len_out = len;
	return buf;
}

/* Turns echo off on /dev/tty and reads one line, asking for the password
 * of URL's user at URL's host. */
static char *
prompt_tty (const MpImapUrl *url, GError **error)
{
	int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "cannot open /dev/tty to ask for the password: %s",
		             g_strerror (errno));
		return NULL;
	}
	/* the user and host are shown: the password typed is for them only */
	g_autofree char *prompt = g_strdup_printf ("IMAP password for %s at %s: ", url->user, url->host);
	for (char *p = prompt; *p; p++)
		if ((guchar) *p < 0x20 || *p == 0x7f)
			*p = '?';
	if (write (fd, prompt, strlen (prompt)) < 0) {
		/* nothing to do: the read below still works */
	}
	struct termios old, quiet;
	gboolean restore = tcgetattr (fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr (fd, TCSAFLUSH, &quiet);
	}
	char buf[4096];
	gsize len = 0;
	gboolean ok = FALSE;
	for (;;) {
		char ch;
		ssize_t n = read (fd, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (ch == '\n') {
			ok = TRUE;
			break;
		}
		if (len < sizeof buf - 1)
			buf[len++] = ch;
	}
	if (restore)
		tcsetattr (fd, TCSAFLUSH, &old);
	close (fd);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	char *out = ok && len > 0 ? g_strndup (buf, len) : NULL;
	OPENSSL_cleanse (buf, sizeof buf);
	if (out == NULL)
		g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE, "no password was typed");
	return out;
}

/* The first line of PATH, a secret file (WHAT names it in errors). */
static char *
first_line_of (const char *path, const char *what, GError **error)
{
	gsize len = 0;
	char *buf = read_secret_file (path, what, &len, error);
	if (buf == NULL)
		return NULL;
	gsize end = 0;
	while (end < len && buf[end] != '\n' && buf[end] != '\0')
		end++;
	if (end > 0 && buf[end - 1] == '\r')
		end--;
	char *line = end > 0 ? g_strndup (buf, end) : NULL;
	OPENSSL_cleanse (buf, MAX_SECRET_FILE + 1);
	g_free (buf);
	if (line == NULL)
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s %s: the first line is empty", what, path);
	return line;
}

gboolean
mp_imap_secret_for (const MpImapUrl *url, const MpImapSecretOptions *o, char **password, char **token,
                    GError **error)
{
	/* the run's secret is for the run's one host only (issue 14, item 7):
	 * a password for mail.example.edu never goes to mail.attacker.example */
	gboolean for_this_host = o->host != NULL && g_ascii_strcasecmp (o->host, url->host) == 0;
	const char *env_name = o->password_env != NULL ? o->password_env : MP_IMAP_PASSWORD_ENV;
	const char *file_option = o->password_option != NULL ? o->password_option : "--password-file";
	/* two accounts opened at once (compare) must not prompt over each other */
	static GMutex prompt_lock;

	*password = NULL;
	*token = NULL;
	if (for_this_host && o->token_file != NULL) {
		*token = mp_imap_token_read (o->token_file, error);
		if (*token != NULL)
			mp_imap_secret_protect ();
		return *token != NULL;
	}
	if (for_this_host && o->password_file != NULL) {
		*password = first_line_of (o->password_file, "password file", error);
		if (*password != NULL)
			mp_imap_secret_protect ();
		return *password != NULL;
	}
	if (for_this_host && (*password = mp_imap_secret_env (env_name)) != NULL)
		return TRUE;
	if (o->interactive && isatty (STDIN_FILENO)) {
		g_mutex_lock (&prompt_lock);
		*password = prompt_tty (url, error);
		g_mutex_unlock (&prompt_lock);
		if (*password != NULL)
			mp_imap_secret_protect ();
		return *password != NULL;
	}
	if (o->host == NULL && (o->password_file != NULL || o->token_file != NULL ||
	                        env_present (env_name))) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "the IMAP sources are on several hosts, so the one password (or token) given for the "
		             "run is sent to none of them; scan one host per run, or run on a terminal to be "
		             "asked for each account");
		return FALSE;
	}
	if (o->host != NULL && !for_this_host) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "the password given for the run is for %s, not for %s", o->host, url->host);
		return FALSE;
	}
	g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
	             "no %s for %s at %s: set %s, give %s FILE (first line), or run on a terminal to be asked",
	             o->token_file != NULL ? "OAuth2 token" : "IMAP password", url->user, url->host, env_name,
	             file_option);
	return FALSE;
}

char *
mp_imap_token_read (const char *path, GError **error)
{
	gsize len = 0;
	char *buf = read_secret_file (path, "OAuth2 token file", &len, error);
	if (buf == NULL)
		return NULL;
	gsize start = 0, end = len;
	while (start < end && g_ascii_isspace (buf[start]))
		start++;
	while (end > start && g_ascii_isspace (buf[end - 1]))
		end--;
	/* RFC 6750 b64token: printable ASCII without spaces; anything else would
	 * also break the \x01-separated SASL message. */
	gboolean ok = end > start;
	for (gsize i = start; ok && i < end; i++)
		ok = buf[i] > 0x20 && buf[i] < 0x7f;
	char *tok = ok ? g_strndup (buf + start, end - start) : NULL;
	OPENSSL_cleanse (buf, MAX_SECRET_FILE + 1);
	g_free (buf);
	if (tok == NULL)
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "OAuth2 token file %s: expected one access token (printable ASCII, no spaces)", path);
	return tok;
}

/* The first line of PATH (without its CR LF), or NULL with ERROR; WHAT
 * names the file in messages. */
char *
mp_imap_admin_password_get (const MpImapUrl *url, const char *host, const char *password_file,
                            GError **error)
{
	char *pw;

	/* tied to the run's one host, as a user's password is (issue 14, item 7) */
	if (host == NULL || g_ascii_strcasecmp (host, url->host) != 0) {
		if (host == NULL)
			g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
			                     "the IMAP sources are on several hosts, so the admin password is sent "
			                     "to none of them; audit one host per run");
		else
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
			             "the admin password given for the run is for %s, not for %s", host, url->host);
		return NULL;
	}
	if (password_file != NULL) {
		pw = first_line_of (password_file, "admin password file", error);
		if (pw != NULL)
			mp_imap_secret_protect ();
		return pw;
	}
	if ((pw = mp_imap_secret_env (MP_IMAP_ADMIN_PASSWORD_ENV)) != NULL)
		return pw;
	g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
	                     "no admin password: set " MP_IMAP_ADMIN_PASSWORD_ENV " or give the admin "
	                     "password file (first line)");
	return NULL;
}
