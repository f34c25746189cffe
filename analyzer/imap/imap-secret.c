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

/* Turns echo off on /dev/tty and reads one line. */
static char *
prompt_tty (GError **error)
{
	int fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "cannot open /dev/tty to ask for the password: %s",
		             g_strerror (errno));
		return NULL;
	}
	static const char prompt[] = "IMAP password: ";
	if (write (fd, prompt, sizeof prompt - 1) < 0) {
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
	const char *env = g_getenv ("MAILPREFLIGHT_PASSWORD");
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

	if (interactive && isatty (STDIN_FILENO))
		return prompt_tty (error);

	g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
	                     "no IMAP password: set MAILPREFLIGHT_PASSWORD, give --password-file FILE "
	                     "(first line), or run on a terminal to be asked");
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

/* The first line of PATH (without its CR LF), or NULL with ERROR; WHAT
 * names the file in messages. */
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

char *
mp_imap_admin_password_get (const char *password_file, GError **error)
{
	const char *env = g_getenv ("MAILPREFLIGHT_ADMIN_PASSWORD");
	if (env != NULL && *env != '\0')
		return g_strdup (env);
	if (password_file != NULL)
		return first_line_of (password_file, "admin password file", error);
	g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
	                     "no admin password: set MAILPREFLIGHT_ADMIN_PASSWORD or give the admin "
	                     "password file (first line)");
	return NULL;
}
