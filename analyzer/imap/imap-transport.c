/* imap-transport.c — see imap-transport.h. */
#include "imap-transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct _MpImapTransport {
	char     *host;
	guint16   port;
	char     *ca_file;
	gboolean  insecure_skip_verify;
	guint     timeout_ms;
	gint64    deadline;  /* monotonic µs, or 0 */

	int       fd;
	SSL_CTX  *ctx;
	SSL      *ssl;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SSL_CTX, SSL_CTX_free)

static gboolean
is_ip_address (const char *host)
{
	guint8 buf[16];
	return inet_pton (AF_INET, host, buf) == 1 || inet_pton (AF_INET6, host, buf) == 1;
}

/* The first OpenSSL error of this thread as text, and the queue emptied. */
static char *
openssl_error_text (void)
{
	unsigned long e = ERR_peek_last_error ();
	char buf[256] = "";
	if (e != 0)
		ERR_error_string_n (e, buf, sizeof buf);
	ERR_clear_error ();
	return g_strdup (e != 0 ? buf : "unknown TLS error");
}

/* ---- creation --------------------------------------------------------- */

MpImapTransport *
mp_imap_transport_new (const MpImapTransportOptions *options)
{
	MpImapTransport *t = g_new0 (MpImapTransport, 1);
	t->host = g_strdup (options->host);
	t->port = options->port;
	t->ca_file = g_strdup (options->ca_file);
	t->insecure_skip_verify = options->insecure_skip_verify;
	t->timeout_ms = options->timeout_ms;
	t->fd = -1;
	return t;
}

void
mp_imap_transport_free (MpImapTransport *t)
{
	if (t == NULL)
		return;
	if (t->ssl)
		SSL_free (t->ssl);
	if (t->ctx)
		SSL_CTX_free (t->ctx);
	if (t->fd >= 0)
		close (t->fd);
	g_free (t->host);
	g_free (t->ca_file);
	g_free (t);
}

gboolean
mp_imap_transport_is_tls (const MpImapTransport *t)
{
	return t->ssl != NULL;
}

void
mp_imap_transport_set_timeout (MpImapTransport *t, guint timeout_ms)
{
	t->timeout_ms = timeout_ms;
}

void
mp_imap_transport_set_deadline (MpImapTransport *t, gint64 deadline)
{
	t->deadline = deadline;
}

/* ---- SIGPIPE ---------------------------------------------------------- */

/* OpenSSL writes with write(2): a peer that has gone raises SIGPIPE, which
 * kills the process. Blocking it in this thread and swallowing a pending one
 * is the thread-safe way (no process-wide signal() change). */
typedef struct {
	sigset_t old;
	gboolean was_unblocked;
} SigpipeGuard;

static void
sigpipe_block (SigpipeGuard *g)
{
	sigset_t s;
	sigemptyset (&s);
	sigaddset (&s, SIGPIPE);
	pthread_sigmask (SIG_BLOCK, &s, &g->old);
	g->was_unblocked = !sigismember (&g->old, SIGPIPE);
}

static void
sigpipe_restore (SigpipeGuard *g)
{
	if (!g->was_unblocked)
		return;
	sigset_t pending, s;
	sigemptyset (&s);
	sigaddset (&s, SIGPIPE);
	if (sigpending (&pending) == 0 && sigismember (&pending, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait (&s, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask (SIG_SETMASK, &g->old, NULL);
}

/* ---- waiting ---------------------------------------------------------- */

/* Waits until the socket is ready for EVENTS, at most the timeout; WHAT
 * says what was awaited ("in the TLS handshake"). */
static gboolean
wait_fd (MpImapTransport *t, short events, const char *what, GError **error)
{
	gint64 deadline = g_get_monotonic_time () + (gint64) t->timeout_ms * 1000;
	/* the caller's deadline for the whole exchange comes first when sooner:
	 * a server that sends a byte now and then is no silent server */
	gboolean overall = t->deadline != 0 && t->deadline < deadline;
	if (overall)
		deadline = t->deadline;
	for (;;) {
		gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
		if (left_ms <= 0)
			left_ms = 0;
		struct pollfd pfd = { .fd = t->fd, .events = events };
		int n = poll (&pfd, 1, (int) left_ms);
		if (n > 0)
			return TRUE;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "poll: %s", g_strerror (errno));
			return FALSE;
		}
		if (overall)
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "deadline passed %s", what);
		else
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "timed out after %u.%03u s %s",
			             t->timeout_ms / 1000, t->timeout_ms % 1000, what);
		return FALSE;
	}
}

/* ---- reading and writing ---------------------------------------------- */

MpImapIoStatus
mp_imap_transport_read (MpImapTransport *t, guint8 *buf, gsize len, gsize *got, GError **error)
{
	if (t->ssl == NULL) {
		for (;;) {
			ssize_t n = recv (t->fd, buf, len, 0);
			if (n > 0) {
				*got = (gsize) n;
				return MP_IMAP_IO_OK;
			}
			if (n == 0)
				return MP_IMAP_IO_CLOSED;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!wait_fd (t, POLLIN, "waiting for the server", error))
					return MP_IMAP_IO_FAILED;
				continue;
			}
			if (errno == ECONNRESET)
				return MP_IMAP_IO_CLOSED;
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "read: %s", g_strerror (errno));
			return MP_IMAP_IO_FAILED;
		}
	}
	SigpipeGuard g;
	sigpipe_block (&g);
	MpImapIoStatus st = MP_IMAP_IO_FAILED;
	for (;;) {
		ERR_clear_error ();
		errno = 0;
		int n = SSL_read (t->ssl, buf, (int) MIN (len, (gsize) G_MAXINT));
		if (n > 0) {
			*got = (gsize) n;
			st = MP_IMAP_IO_OK;
			break;
		}
		int e = SSL_get_error (t->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (!wait_fd (t, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "waiting for the server", error))
				break;
			continue;
		}
		/* a close_notify, or a peer gone without one: both end the
		 * session, and the protocol above knows whether it expected it */
		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e == SSL_ERROR_SYSCALL && (errno == 0 || errno == ECONNRESET || errno == EPIPE)) ||
		    (e == SSL_ERROR_SSL &&
		     ERR_GET_REASON (ERR_peek_last_error ()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
			ERR_clear_error ();
			st = MP_IMAP_IO_CLOSED;
			break;
		}
		if (e == SSL_ERROR_SYSCALL) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "read: %s", g_strerror (errno));
			break;
		}
		g_autofree char *text = openssl_error_text ();
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS read failed: %s", text);
		break;
	}
	sigpipe_restore (&g);
	return st;
}

MpImapIoStatus
mp_imap_transport_write (MpImapTransport *t, const void *data, gsize len, GError **error)
{
	const guint8 *p = data;
	if (t->ssl == NULL) {
		while (len > 0) {
			ssize_t n = send (t->fd, p, len, MSG_NOSIGNAL);
			if (n > 0) {
				p += n;
				len -= (gsize) n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				if (!wait_fd (t, POLLOUT, "sending to the server", error))
					return MP_IMAP_IO_FAILED;
				continue;
			}
			if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
				return MP_IMAP_IO_CLOSED;
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "write: %s", g_strerror (errno));
			return MP_IMAP_IO_FAILED;
		}
		return MP_IMAP_IO_OK;
	}
	SigpipeGuard g;
	sigpipe_block (&g);
	MpImapIoStatus st = MP_IMAP_IO_OK;
	while (len > 0) {
		ERR_clear_error ();
		errno = 0;
		int n = SSL_write (t->ssl, p, (int) MIN (len, (gsize) G_MAXINT));
		if (n > 0) {
			p += n;
			len -= (gsize) n;
			continue;
		}
		int e = SSL_get_error (t->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (!wait_fd (t, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "sending to the server", error)) {
				st = MP_IMAP_IO_FAILED;
				break;
			}
			continue;
		}
		if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && (errno == 0 || errno == EPIPE ||
		                                                               errno == ECONNRESET))) {
			ERR_clear_error ();
			st = MP_IMAP_IO_CLOSED;
		} else {
			g_autofree char *text = openssl_error_text ();
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS write failed: %s", text);
			st = MP_IMAP_IO_FAILED;
		}
		break;
	}
	sigpipe_restore (&g);
	return st;
}

gboolean
mp_imap_transport_has_unread (MpImapTransport *t)
{
	guint8 b;
	return recv (t->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* ---- connecting ------------------------------------------------------- */

gboolean
mp_imap_transport_connect (MpImapTransport *t, GError **error)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	struct addrinfo *res = NULL;
	char port[8];
	g_snprintf (port, sizeof port, "%u", t->port);
	/* getaddrinfo has no timeout of its own; the resolver's applies */
	int gai = getaddrinfo (t->host, port, &hints, &res);
	if (gai != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "cannot resolve host %s: %s", t->host,
		             gai_strerror (gai));
		return FALSE;
	}
	g_autofree char *last = NULL;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			g_free (last);
			last = g_strdup (g_strerror (errno));
			continue;
		}
		t->fd = fd;
		int rc = connect (fd, ai->ai_addr, ai->ai_addrlen);
		if (rc < 0 && errno == EINPROGRESS) {
			g_autoptr(GError) werr = NULL;
			if (!wait_fd (t, POLLOUT, "connecting", &werr)) {
				/* the next address may answer: the error names the last */
				g_free (last);
				last = g_strdup_printf ("timed out after %u.%03u s", t->timeout_ms / 1000,
				                        t->timeout_ms % 1000);
				close (fd);
				t->fd = -1;
				continue;
			}
			int soerr = 0;
			socklen_t sl = sizeof soerr;
			getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			rc = soerr ? -1 : 0;
			errno = soerr;
		}
		if (rc == 0) {
			/* commands are small and each waits for its answer */
			int one = 1;
			setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			freeaddrinfo (res);
			return TRUE;
		}
		g_free (last);
		last = g_strdup (g_strerror (errno));
		close (fd);
		t->fd = -1;
	}
	freeaddrinfo (res);
	g_set_error (error, MP_ERROR, MP_ERROR_READ, "cannot connect to %s port %u: %s", t->host,
	             t->port, last ? last : "no address");
	return FALSE;
}

gboolean
mp_imap_transport_start_tls (MpImapTransport *t, GError **error)
{
	g_autoptr(SSL_CTX) ctx = SSL_CTX_new (TLS_client_method ());
	if (ctx == NULL) {
		g_autofree char *text = openssl_error_text ();
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS setup failed: %s", text);
		return FALSE;
	}
	/* RFC 8996 / RFC 8314: nothing older than TLS 1.2 */
	SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode (ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (!t->insecure_skip_verify) {
		if (t->ca_file) {
			if (SSL_CTX_load_verify_locations (ctx, t->ca_file, NULL) != 1) {
				g_autofree char *text = openssl_error_text ();
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "cannot load CA file %s: %s", t->ca_file,
				             text);
				return FALSE;
			}
		} else if (SSL_CTX_set_default_verify_paths (ctx) != 1) {
			g_autofree char *text = openssl_error_text ();
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "cannot load the system trust store: %s", text);
			return FALSE;
		}
		SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify (ctx, SSL_VERIFY_NONE, NULL);
	}

	SSL *ssl = SSL_new (ctx);
	if (ssl == NULL || SSL_set_fd (ssl, t->fd) != 1) {
		SSL_free (ssl);
		g_autofree char *text = openssl_error_text ();
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS setup failed: %s", text);
		return FALSE;
	}
	t->ssl = ssl;
	t->ctx = g_steal_pointer (&ctx);
	gboolean ip = is_ip_address (t->host);
	/* SNI carries names only (RFC 6066 §3) */
	if (!ip)
		SSL_set_tlsext_host_name (ssl, t->host);
	if (!t->insecure_skip_verify) {
		X509_VERIFY_PARAM *param = SSL_get0_param (ssl);
		/* RFC 6125 §6.4.4: the CN is only a fallback when the certificate
		 * has no subjectAltName, and RFC 9525 drops even that; a server
		 * certificate without a SAN naming the host is refused */
		X509_VERIFY_PARAM_set_hostflags (param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		                                        X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc (param, t->host)
		            : SSL_set1_host (ssl, t->host);
		if (ok != 1) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "cannot set up the host name check for %s",
			             t->host);
			return FALSE;
		}
	}
	SSL_set_connect_state (ssl);

	SigpipeGuard g;
	sigpipe_block (&g);
	gboolean done = FALSE;
	for (;;) {
		ERR_clear_error ();
		errno = 0;
		int rc = SSL_do_handshake (ssl);
		if (rc == 1) {
			done = TRUE;
			break;
		}
		int e = SSL_get_error (ssl, rc);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (!wait_fd (t, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "in the TLS handshake", error))
				break;
			continue;
		}
		long vr = SSL_get_verify_result (ssl);
		if (vr != X509_V_OK) {
			ERR_clear_error ();
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "certificate verify failed: %s for host %s",
			             X509_verify_cert_error_string (vr), t->host);
		} else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ||
		           ERR_GET_REASON (ERR_peek_last_error ()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			int en = errno;
			ERR_clear_error ();
			if (en == 0 || en == ECONNRESET || en == EPIPE)
				g_set_error_literal (error, MP_ERROR, MP_ERROR_READ,
				                     "TLS handshake failed: connection closed by server");
			else
				g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS handshake failed: %s", g_strerror (en));
		} else {
			g_autofree char *text = openssl_error_text ();
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "TLS handshake failed: %s", text);
		}
		break;
	}
	sigpipe_restore (&g);
	return done;
}

void
mp_imap_transport_shutdown (MpImapTransport *t)
{
	if (t->ssl == NULL)
		return;
	SigpipeGuard g;
	sigpipe_block (&g);
	SSL_shutdown (t->ssl); /* close_notify; we do not wait for the peer's */
	ERR_clear_error ();
	sigpipe_restore (&g);
}
