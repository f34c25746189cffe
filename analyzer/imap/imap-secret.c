/* imap-secret.c — see imap-secret.h. The SASL messages built from these
 * secrets are in imap-sasl.c. */
#include "imap-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/* Turns echo off on /dev/tty and reads one line; ACCOUNT (may be NULL) is
 * named in the prompt. */
static char *
prompt_tty (const char *account, GError **error)
{
	int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "cannot open /dev/tty to ask for the password: %s",
		             g_strerror (errno));
		return NULL;
	}
	g_autofree char *prompt = account ? g_strdup_printf ("IMAP password for %s: ", account)
	                                  : g_strdup ("IMAP password: ");
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

char *
mp_imap_password_get (const char *password_file, gboolean interactive, GError **error)
{
	const MpImapPasswordFrom from = { NULL, password_file, NULL, interactive, NULL };

	return mp_imap_password_get_from (&from, error);
}

char *
mp_imap_password_get_from (const MpImapPasswordFrom *from, GError **error)
{
	/* two accounts read at once (compare) must not prompt over each other */
	static GMutex prompt_lock;
	const char *env_name = from->env ? from->env : "MAILPREFLIGHT_PASSWORD";
	const char *password_file = from->file;
	const char *env = g_getenv (env_name);
	if (env != NULL && *env != '\0')
		return g_strdup (env);

	if (password_file != NULL) {
		gsize len = 0;
		char *buf = read_secret_file (password_file, "password file", &len, error);
		if (buf == NULL)
			return NULL;
		gsize end = 0;
		while (end < len && buf[end] != '\n' && buf[end] != '\0')
			end++;
		if (end > 0 && buf[end - 1] == '\r')
			end--;
		char *pw = end > 0 ? g_strndup (buf, end) : NULL;
		OPENSSL_cleanse (buf, MAX_SECRET_FILE + 1);
		g_free (buf);
		if (pw == NULL)
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
			             "password file %s: the first line is empty", password_file);
		return pw;
	}

	if (from->interactive && isatty (STDIN_FILENO)) {
		g_mutex_lock (&prompt_lock);
		char *pw = prompt_tty (from->account, error);
		g_mutex_unlock (&prompt_lock);
		return pw;
	}

	g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
	             "no IMAP password%s%s: set %s, give %s FILE (first line), or run on a terminal to be asked",
	             from->account ? " for " : "", from->account ? from->account : "", env_name,
	             from->file_option ? from->file_option : "--password-file");
	return NULL;
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
