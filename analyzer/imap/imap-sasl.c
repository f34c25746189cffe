/* imap-sasl.c — see imap-sasl.h. */
#include "imap-sasl.h"
#include "imap-secret.h"

#include <string.h>

/* Challenges answered before giving up (a failing OAuth2 login needs 1). */
#define MAX_SASL_ROUNDS 4

struct _MpImapSasl {
	char    *mechanism;    /* upper-cased */
	gboolean oauth;        /* XOAUTH2 or OAUTHBEARER: failures come as a challenge */
	char    *initial;      /* the initial response, base64: a secret */
	gboolean initial_sent;
	guint    steps;        /* challenges answered so far */
	guchar  *failure;      /* the decoded failure challenge, or NULL */
	gsize    failure_len;
};

/* The SASL message of RFC 7628 §3.1 (OAUTHBEARER) or Google's XOAUTH2
 * (https://developers.google.com/gmail/imap/xoauth2-protocol); a secret. */
static char *
oauth_message (const char *mech, const char *user, const char *host, guint16 port, const char *token)
{
	if (g_ascii_strcasecmp (mech, "XOAUTH2") == 0)
		return g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", user, token);
	/* gs2 saslname: ',' and '=' are escaped (RFC 5801 §4) */
	g_autoptr(GString) u = g_string_new (NULL);
	for (const char *p = user; *p; p++) {
		if (*p == ',')
			g_string_append (u, "=2C");
		else if (*p == '=')
			g_string_append (u, "=3D");
		else
			g_string_append_c (u, *p);
	}
	return g_strdup_printf ("n,a=%s,\001host=%s\001port=%u\001auth=Bearer %s\001\001", u->str,
	                        host, port, token);
}

MpImapSasl *
mp_imap_sasl_new_plain (const char *authzid, const char *authcid, const char *password)
{
	/* RFC 4616 §2: [authzid] NUL authcid NUL passwd */
	gsize zlen = authzid ? strlen (authzid) : 0, ulen = strlen (authcid), plen = strlen (password);
	g_autoptr(GString) msg = g_string_sized_new (zlen + ulen + plen + 3);
	MpImapSasl *s = g_new0 (MpImapSasl, 1);

	if (zlen > 0)
		g_string_append_len (msg, authzid, (gssize) zlen);
	g_string_append_c (msg, '\0');
	g_string_append_len (msg, authcid, (gssize) ulen);
	g_string_append_c (msg, '\0');
	g_string_append_len (msg, password, (gssize) plen);
	s->initial = g_base64_encode ((const guchar *) msg->str, msg->len);
	mp_imap_secret_wipe (msg->str, msg->allocated_len);
	s->mechanism = g_strdup ("PLAIN");
	return s;
}

MpImapSasl *
mp_imap_sasl_new (const char *mechanism, const char *user, const char *host, guint16 port,
                  const char *secret)
{
	g_autofree char *mech = g_ascii_strup (mechanism, -1);
	MpImapSasl *s;

	if (strcmp (mech, "PLAIN") == 0)
		return mp_imap_sasl_new_plain (NULL, user, secret);
	if (strcmp (mech, "XOAUTH2") != 0 && strcmp (mech, "OAUTHBEARER") != 0)
		return NULL;
	char *msg = oauth_message (mech, user, host, port, secret);
	s = g_new0 (MpImapSasl, 1);
	s->oauth = TRUE;
	s->initial = g_base64_encode ((const guchar *) msg, strlen (msg));
	mp_imap_secret_free (msg);
	s->mechanism = g_steal_pointer (&mech);
	return s;
}

static gboolean
bad_name (const char *name)
{
	return name == NULL || *name == '\0' || strpbrk (name, "\001\r\n") != NULL;
}

gboolean
mp_imap_admin_identities (const char *user, const MpImapAdminLogin *admin, char **authzid,
                          char **authcid, GError **error)
{
	*authzid = *authcid = NULL;
	if (bad_name (user)) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
		                     "the user name is empty or has control characters");
		return FALSE;
	}
	if (admin == NULL || admin->user == NULL) {
		*authcid = g_strdup (user);
		return TRUE;
	}
	if (bad_name (admin->user)) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE,
		                     "the admin user name is empty or has control characters");
		return FALSE;
	}
	if (admin->form == MP_IMAP_ADMIN_AUTHZID) {
		*authzid = g_strdup (user);
		*authcid = g_strdup (admin->user);
		return TRUE;
	}
	const char *sep = admin->separator && *admin->separator ? admin->separator
	                                                          : MP_IMAP_DEFAULT_ADMIN_SEPARATOR;
	if (bad_name (sep) || strstr (user, sep) != NULL || strstr (admin->user, sep) != NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE,
		             "cannot log in as \"user%sadmin\": the separator '%s' is in a user name "
		             "or not printable", sep, sep);
		return FALSE;
	}
	/* Dovecot splits the login name at auth_master_user_separator: the
	 * user before it, the master user (whose password it is) after it */
	*authcid = g_strconcat (user, sep, admin->user, NULL);
	return TRUE;
}

void
mp_imap_sasl_free (MpImapSasl *s)
{
	if (s == NULL)
		return;
	mp_imap_secret_free (s->initial);
	g_free (s->mechanism);
	g_free (s->failure);
	g_free (s);
}

const char *
mp_imap_sasl_get_mechanism (const MpImapSasl *s)
{
	return s->mechanism;
}

const char *
mp_imap_sasl_initial_response (MpImapSasl *s)
{
	s->initial_sent = TRUE;
	return s->initial;
}

const char *
mp_imap_sasl_step (MpImapSasl *s, const char *challenge, gsize len)
{
	guint step = s->steps++;

	if (!s->initial_sent) {
		/* the empty challenge of a server without SASL-IR */
		s->initial_sent = TRUE;
		return s->initial;
	}
	if (step < MAX_SASL_ROUNDS && s->oauth && s->failure == NULL) {
		/* RFC 7628 §3.2.3 / XOAUTH2: the failure is a JSON challenge;
		 * a dummy answer brings the final NO */
		g_autofree char *text = g_strndup (challenge ? challenge : "", len);
		s->failure = g_base64_decode (text, &s->failure_len);
		return strcmp (s->mechanism, "OAUTHBEARER") == 0 ? "AQ==" : "";
	}
	return "*"; /* cancel (RFC 3501 §6.2.2) */
}

const char *
mp_imap_sasl_get_failure (const MpImapSasl *s, gsize *len)
{
	*len = s->failure_len;
	return (const char *) s->failure;
}
