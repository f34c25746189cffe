/* imap-transport.h — one TCP connection to a mail server, in clear or in
 * TLS (OpenSSL 3), with every wait bounded: connect, the TLS handshake,
 * each read and each write. It carries octets and knows no protocol: the
 * IMAP client (imap-client.c) frames commands and responses on it, and a
 * ManageSieve client (RFC 5804, also STARTTLS then SASL) can do the same.
 *
 * TLS follows RFC 8314 and RFC 8996: TLS 1.2 or later; the certificate is
 * verified against the system trust store (or a CA file) and the host name
 * or IP address in its subjectAltName (RFC 6125/9525: no partial
 * wildcards, never the subject's CN), unless the caller asks for no
 * verification at all; SNI carries names only (RFC 6066 §3).
 *
 * I/O model: a non-blocking socket; every wait is one poll() bounded by the
 * timeout, so a stalled server costs at most that long per wait. OpenSSL
 * runs on the same socket (SSL_set_fd) and its WANT_READ / WANT_WRITE are
 * turned into the same poll(). A peer that has gone away never raises
 * SIGPIPE: sends use MSG_NOSIGNAL, and OpenSSL's write(2) runs with SIGPIPE
 * blocked in the calling thread (the process-wide disposition is left
 * alone).
 *
 * Errors (domain MP_ERROR) name what failed but not the server: the caller
 * prefixes its own name for it ("imaps://alice@host: "). MP_ERROR_READ for
 * the network and TLS (after which the transport is only good for freeing);
 * MP_ERROR_USAGE for a CA file that cannot be loaded. A peer that closes the
 * connection is not an error here: reads and writes return
 * MP_IMAP_IO_CLOSED, so the protocol can say why (an IMAP BYE's text).
 *
 * One transport is used by one thread at a time. It copies its options. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpImapTransport MpImapTransport;

typedef struct {
	const char *host;                 /* name or address: connect, SNI, certificate check */
	guint16     port;
	const char *ca_file;              /* PEM trust anchors instead of the system store */
	gboolean    insecure_skip_verify; /* no certificate or host name check */
	guint       timeout_ms;           /* each wait (connect, handshake, read, write); not 0 */
} MpImapTransportOptions;

typedef enum {
	MP_IMAP_IO_OK = 0,
	MP_IMAP_IO_CLOSED, /* the peer closed the connection (EOF, reset, TLS close); ERROR not set */
	MP_IMAP_IO_FAILED, /* ERROR set */
} MpImapIoStatus;

/* A transport with OPTIONS (copied). No I/O. */
MpImapTransport *mp_imap_transport_new     (const MpImapTransportOptions *options);
/* Closes the connection (no TLS goodbye) and frees everything. */
void             mp_imap_transport_free    (MpImapTransport *t);
/* Resolves the host and connects to each of its addresses in turn, each
 * within the timeout. */
gboolean         mp_imap_transport_connect (MpImapTransport *t, GError **error);
/* The TLS handshake on the connected socket, as a client: implicit TLS
 * right after connect, or after a protocol's STARTTLS. */
gboolean         mp_imap_transport_start_tls (MpImapTransport *t, GError **error);
/* TRUE once TLS has been started (even when its handshake then failed). */
gboolean         mp_imap_transport_is_tls  (const MpImapTransport *t);
/* Reads at least one and at most LEN octets into BUF (*GOT of them). */
MpImapIoStatus   mp_imap_transport_read    (MpImapTransport *t, guint8 *buf, gsize len, gsize *got,
                                            GError **error);
/* Writes all LEN octets of DATA. */
MpImapIoStatus   mp_imap_transport_write   (MpImapTransport *t, const void *data, gsize len,
                                            GError **error);
/* Before TLS: TRUE when the peer has sent octets not read yet. Used after
 * a STARTTLS completion, when anything already sent was sent in clear by
 * someone who may not be the server (RFC 3501 §6.2.1, CVE-2020-14954). */
gboolean         mp_imap_transport_has_unread (MpImapTransport *t);
/* The bound of each later wait. */
void             mp_imap_transport_set_timeout (MpImapTransport *t, guint timeout_ms);
/* A bound on all later waits together: no wait goes past DEADLINE (a
 * g_get_monotonic_time() value; 0: none), and one that would fails with
 * "deadline passed". A server trickling a byte now and then gets through
 * every per-wait timeout; not through this. */
void             mp_imap_transport_set_deadline (MpImapTransport *t, gint64 deadline);
/* Sends TLS's close_notify without waiting for the peer's (RFC 8446 §6.1:
 * the peer may close without one). Best effort; nothing without TLS. */
void             mp_imap_transport_shutdown (MpImapTransport *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapTransport, mp_imap_transport_free)

G_END_DECLS
