/* imap-url.c — see imap-url.h. */
#include "imap-url.h"

#include <arpa/inet.h>
#include <string.h>

void
mp_imap_url_clear (MpImapUrl *u)
{
	g_free (u->user);
	g_free (u->host);
	g_free (u->folder);
	g_free (u->display);
	memset (u, 0, sizeof *u);
}

void
mp_imap_url_copy (MpImapUrl *dst, const MpImapUrl *src)
{
	dst->implicit_tls = src->implicit_tls;
	dst->user = g_strdup (src->user);
	dst->host = g_strdup (src->host);
	dst->port = src->port;
	dst->folder = g_strdup (src->folder);
	dst->display = src->display ? g_strdup (src->display)
	               : g_strdup_printf ("%s://%s@%s:%u", src->implicit_tls ? "imaps" : "imap",
	                                  src->user, src->host, src->port);
}

/* URL with any "user:password@" reduced to "user:***@", for messages. */
static char *
redact_url (const char *url)
{
	const char *auth = strstr (url, "://");
	auth = auth ? auth + 3 : url;
	gsize alen = strcspn (auth, "/?#");
	const char *at = g_strrstr_len (auth, (gssize) alen, "@");
	if (at == NULL)
		return g_strdup (url);
	const char *colon = memchr (auth, ':', (gsize) (at - auth));
	if (colon == NULL)
		return g_strdup (url);
	return g_strdup_printf ("%.*s:***%s", (int) (colon - url), url, at);
}

/* Percent-decodes LEN octets of S; NULL on a bad escape, NUL or control
 * characters, or invalid UTF-8. */
static char *
pct_decode (const char *s, gsize len)
{
	g_autoptr(GString) out = g_string_sized_new (len);
	for (gsize i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (i + 2 >= len || !g_ascii_isxdigit (s[i + 1]) || !g_ascii_isxdigit (s[i + 2]))
				return NULL;
			ch = (char) (g_ascii_xdigit_value (s[i + 1]) * 16 + g_ascii_xdigit_value (s[i + 2]));
			i += 2;
		}
		if ((guchar) ch < 0x20 || ch == 0x7f)
			return NULL;
		g_string_append_c (out, ch);
	}
	if (!g_utf8_validate (out->str, (gssize) out->len, NULL))
		return NULL;
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean G_GNUC_PRINTF (3, 4)
url_error (GError **error, const char *url, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	g_autofree char *msg = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	g_autofree char *shown = redact_url (url);
	g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "IMAP URL %s: %s", shown, msg);
	return FALSE;
}

gboolean
mp_imap_url_parse (const char *url, MpImapUrl *out, GError **error)
{
	memset (out, 0, sizeof *out);
	const char *rest;
	if (g_ascii_strncasecmp (url, "imaps://", 8) == 0) {
		out->implicit_tls = TRUE;
		rest = url + 8;
	} else if (g_ascii_strncasecmp (url, "imap://", 7) == 0) {
		rest = url + 7;
	} else {
		return url_error (error, url, "must start with imaps:// (TLS) or imap:// (STARTTLS)");
	}
	if (strpbrk (url, "?# \t\r\n") != NULL)
		return url_error (error, url, "spaces, '?' and '#' are not allowed (percent-encode them)");

	gsize alen = strcspn (rest, "/");
	const char *path = rest[alen] == '/' ? rest + alen + 1 : NULL;
	/* the last '@' ends the user: "alice@example.org@host" works unencoded */
	const char *at = g_strrstr_len (rest, (gssize) alen, "@");
	if (at == NULL)
		return url_error (error, url, "no user name (imaps://USER@HOST)");
	gsize ulen = (gsize) (at - rest);
	if (memchr (rest, ':', ulen) != NULL)
		return url_error (error, url, "a password in the URL is not supported (it would show in "
		                  "process lists): use MAILPREFLIGHT_PASSWORD or --password-file");
	if (memchr (rest, ';', ulen) != NULL)
		return url_error (error, url, "';AUTH=' in the URL is not supported: the mechanism is chosen "
		                  "from the server's (PLAIN or LOGIN; OAUTHBEARER or XOAUTH2 with "
		                  "--oauth2-token-file)");
	g_autofree char *user = pct_decode (rest, ulen);
	if (user == NULL || *user == '\0')
		return url_error (error, url, "the user name is empty or badly percent-encoded");

	const char *hp = at + 1;
	gsize hplen = alen - ulen - 1;
	g_autofree char *host = NULL;
	const char *port_s = NULL;
	gsize port_len = 0;
	if (hplen > 0 && hp[0] == '[') {
		const char *close = memchr (hp, ']', hplen);
		if (close == NULL)
			return url_error (error, url, "unterminated '[' in an IPv6 address");
		host = g_strndup (hp + 1, (gsize) (close - hp - 1));
		guint8 buf[16];
		if (inet_pton (AF_INET6, host, buf) != 1)
			return url_error (error, url, "'%s' is not an IPv6 address", host);
		const char *after = close + 1;
		gsize after_len = hplen - (gsize) (after - hp);
		if (after_len > 0) {
			if (after[0] != ':')
				return url_error (error, url, "unexpected text after ']'");
			port_s = after + 1;
			port_len = after_len - 1;
		}
	} else {
		const char *colon = memchr (hp, ':', hplen);
		gsize hlen = colon ? (gsize) (colon - hp) : hplen;
		host = g_strndup (hp, hlen);
		if (colon) {
			port_s = colon + 1;
			port_len = hplen - hlen - 1;
		}
		for (const char *p = host; *p; p++) {
			if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
				return url_error (error, url, "'%s' is not a host name", host);
		}
	}
	if (*host == '\0')
		return url_error (error, url, "no host name");

	guint port = out->implicit_tls ? 993 : 143;
	if (port_s != NULL) {
		if (port_len == 0 || port_len > 5)
			return url_error (error, url, "bad port");
		port = 0;
		for (gsize i = 0; i < port_len; i++) {
			if (!g_ascii_isdigit (port_s[i]))
				return url_error (error, url, "bad port");
			port = port * 10 + (guint) (port_s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return url_error (error, url, "port %u is out of range", port);
	}

	g_autofree char *folder = NULL;
	if (path != NULL && *path != '\0') {
		gsize plen = strlen (path);
		while (plen > 0 && path[plen - 1] == '/')
			plen--;
		folder = pct_decode (path, plen);
		if (folder == NULL)
			return url_error (error, url, "the folder is badly percent-encoded");
		if (*folder == '\0')
			g_clear_pointer (&folder, g_free);
	}

	out->user = g_steal_pointer (&user);
	out->host = g_steal_pointer (&host);
	out->port = (guint16) port;
	out->folder = g_steal_pointer (&folder);
	out->display = g_strdup (url);
	return TRUE;
}
