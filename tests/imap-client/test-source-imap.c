/* test-source-imap.c — what the IMAP backend (analyzer/source-imap.c)
 * hands the scan, on a real Dovecot (dovecot-fixture.py, through
 * run-tests.py dovecot): the folders with their special uses (RFC 6154;
 * MpFolder.special_use), read with the user's own login and with an admin
 * login (MpSourceSettings.admin_user: RFC 4616 authorization identity or
 * Dovecot's "user*admin").
 *
 * Environment (run-tests.py): IMAPC_HOST, IMAPC_IMAPS_PORT, IMAPC_CA_FILE;
 * skipped without them. */
#include "source.h"

#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The SEED contract of dovecot-fixture.py. */
#define ALICE_PASSWORD "secret"
#define CHLOE_PASSWORD "motdepasse"
#define ADMIN_USER     "admin"
#define ADMIN_PASSWORD "admin-secret"

static char *
url_for (const char *user)
{
	const char *host = g_getenv ("IMAPC_HOST"), *port = g_getenv ("IMAPC_IMAPS_PORT");

	if (host == NULL || port == NULL) {
		g_test_skip ("IMAPC_HOST / IMAPC_IMAPS_PORT not set (run through run-tests.py dovecot)");
		return NULL;
	}
	return g_strdup_printf ("imaps://%s@%s:%s", user, host, port);
}

/* A password file (mode 0600) holding PASSWORD; the secrets are given by
 * files, not the environment, which a process reads once
 * (mp_imap_secrets_take_env). */
static char *
password_file (const char *password)
{
	char *path = g_build_filename (g_get_tmp_dir (), "mp-srcimap-XXXXXX", NULL);
	int fd = g_mkstemp_full (path, O_WRONLY, 0600);
	g_assert_cmpint (fd, >=, 0);
	g_assert_cmpint (write (fd, password, strlen (password)), ==, (gssize) strlen (password));
	g_assert_cmpint (close (fd), ==, 0);
	return path;
}

/* The folders of USER's account as the backend lists them (NULL with
 * ERROR when the source cannot be opened or listed). */
static GPtrArray *
folders_of (const char *user, const MpSourceSettings *extra, GError **error)
{
	g_autofree char *url = url_for (user);
	MpSourceSettings settings = { 0 };

	if (url == NULL)
		return NULL;
	if (extra != NULL)
		settings = *extra;
	settings.ca_file = g_getenv ("IMAPC_CA_FILE");
	settings.secret_host = g_getenv ("IMAPC_HOST");
	g_autoptr(MpSource) src = mp_source_open_with (url, &settings, error);
	if (src == NULL)
		return NULL;
	return src->ops->folders (src, error);
}

static gboolean
has_folder (GPtrArray *folders, const char *name)
{
	for (guint i = 0; i < folders->len; i++) {
		if (strcmp (((const MpFolder *) g_ptr_array_index (folders, i))->name, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static const MpFolder *
folder_named (GPtrArray *folders, const char *name)
{
	for (guint i = 0; i < folders->len; i++) {
		const MpFolder *f = g_ptr_array_index (folders, i);
		if (strcmp (f->name, name) == 0)
			return f;
	}
	g_error ("no folder '%s'", name); /* noreturn: no NULL to dereference */
}

/* chloe's Sent folder is "Mes envois": the backend says it is \Sent. */
static void
assert_chloe (GPtrArray *folders)
{
	g_assert_cmpint (folder_named (folders, "Mes envois")->special_use, ==, MP_SPECIAL_USE_SENT);
	g_assert_false (has_folder (folders, "Sent"));
	g_assert_cmpint (folder_named (folders, "Trash")->special_use, ==, MP_SPECIAL_USE_TRASH);
	g_assert_cmpint (folder_named (folders, "INBOX")->special_use, ==, MP_SPECIAL_USE_NONE);
}

static void
test_own_login (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *chloe_pw = password_file (CHLOE_PASSWORD);
	g_autofree char *alice_pw = password_file (ALICE_PASSWORD);
	MpSourceSettings chloe = { .password_file = chloe_pw };
	MpSourceSettings alice = { .password_file = alice_pw };
	g_autoptr(GPtrArray) folders = NULL;
	g_autoptr(GPtrArray) a = NULL;

	folders = folders_of ("chloe", &chloe, &error);
	if (folders == NULL && error == NULL)
		goto out; /* skipped */
	g_assert_no_error (error);
	assert_chloe (folders);

	/* alice's is named Sent, and the name is not what makes it so */
	a = folders_of ("alice", &alice, &error);
	g_assert_no_error (error);
	g_assert_cmpint (folder_named (a, "Sent")->special_use, ==, MP_SPECIAL_USE_SENT);
	g_assert_cmpint (folder_named (a, "Archive")->special_use, ==, MP_SPECIAL_USE_NONE);
	g_assert_false (has_folder (a, "Mes envois"));
out:
	unlink (chloe_pw);
	unlink (alice_pw);
}

static void
test_admin_login (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *chloe_pw = password_file (CHLOE_PASSWORD);
	g_autofree char *admin_pw = password_file (ADMIN_PASSWORD);
	g_autofree char *wrong_pw = password_file ("wrong");
	/* a user's password is never the admin's */
	MpSourceSettings users = { .admin_user = ADMIN_USER, .password_file = chloe_pw };
	MpSourceSettings authzid = { .admin_user = ADMIN_USER, .admin_password_file = admin_pw };
	MpSourceSettings separator = { .admin_user = ADMIN_USER, .admin_separator = "*",
	                               .admin_password_file = admin_pw };
	MpSourceSettings wrong = { .admin_user = ADMIN_USER, .admin_password_file = wrong_pw };
	g_autoptr(GPtrArray) a = NULL;
	g_autoptr(GPtrArray) b = NULL;

	g_autofree char *url = url_for ("chloe");
	if (url == NULL)
		goto out;
	g_assert_null (folders_of ("chloe", &users, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
	g_assert_nonnull (strstr (error->message, "MAILPREFLIGHT_ADMIN_PASSWORD"));
	g_clear_error (&error);

	a = folders_of ("chloe", &authzid, &error);
	g_assert_no_error (error);
	assert_chloe (a);
	b = folders_of ("chloe", &separator, &error);
	g_assert_no_error (error);
	assert_chloe (b);

	/* the wrong admin password fails the source, naming the admin */
	g_assert_null (folders_of ("chloe", &wrong, &error));
	g_assert_error (error, MP_ERROR, MP_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "as admin admin"));
out:
	unlink (chloe_pw);
	unlink (admin_pw);
	unlink (wrong_pw);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/source-imap/dovecot/own-login", test_own_login);
	g_test_add_func ("/source-imap/dovecot/admin-login", test_admin_login);
	return g_test_run ();
}
