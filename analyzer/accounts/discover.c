/* discover.c — see discover.h. */
#include "discover.h"
#include "csv-read.h"
#include "source.h"
#include "source-fs.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An accounts file larger than this is refused (50,000 accounts take a few MB). */
#define MAX_ACCOUNTS_FILE (256 * 1024 * 1024)
/* Directory levels a --layout pattern may have. */
#define MAX_LAYOUT_LEVELS 16

static gboolean
is_dir (const char *path)
{
	struct stat st;

	return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/* A Maildir folder: cur/ or new/ (maildir(5)). */
static gboolean
is_maildir (const char *dir)
{
	g_autofree char *cur = g_build_filename (dir, "cur", NULL);
	g_autofree char *new_ = g_build_filename (dir, "new", NULL);

	return is_dir (cur) || is_dir (new_);
}

/* A Maildir with Maildir++ folders (".Sent/cur"): a user's whole store.
 * Listed as the backends list (source-fs.h): no access time changes. */
static gboolean
is_maildirpp_root (const char *dir)
{
	g_autoptr(GPtrArray) names = NULL;

	if (!is_maildir (dir) || (names = mp_dir_list_path (dir)) == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = NULL;
		if (name[0] != '.' || name[1] == '\0' || strcmp (name, "..") == 0)
			continue;
		sub = g_build_filename (dir, name, NULL);
		if (is_maildir (sub))
			return TRUE;
	}
	return FALSE;
}

/* The entries of DIR, sorted byte-wise (not by locale), hidden ones left
 * out; listing a home or a spool changes no access time (mutt and biff
 * read it, source-fs.h). */
static GPtrArray *
sorted_entries (const char *dir, GError **error)
{
	GPtrArray *names = mp_dir_list_path (dir);

	if (names == NULL) {
		int saved = errno;
		g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", dir, g_strerror (saved));
		return NULL;
	}
	for (guint i = names->len; i-- > 0;)
		if (((const char *) g_ptr_array_index (names, i))[0] == '.')
			g_ptr_array_remove_index (names, i);
	return names;
}

/* ---- names and homes -------------------------------------------------------- */

/* Directory names that hold a user's mail inside the home: the user is the
 * directory above. */
static gboolean
is_mail_dir_name (const char *base)
{
	static const char *const names[] = { "Maildir", ".maildir", "maildir", "mail", "Mail", NULL };

	for (int i = 0; names[i]; i++)
		if (strcmp (base, names[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The system mail spools, where a file is named after its user. */
static gboolean
is_spool_dir (const char *dir)
{
	return strcmp (dir, "/var/mail") == 0 || strcmp (dir, "/var/spool/mail") == 0;
}

char *
mp_account_name_for_source (const char *source)
{
	g_autofree char *abs = NULL;
	g_autofree char *base = NULL;
	g_autofree char *dir = NULL;

	if (mp_source_is_network (source)) {
		/* the login: imap://alice%40example.org@host -> alice@example.org */
		const char *p = strstr (source, "://");
		const char *at, *colon;
		g_autofree char *user = NULL;
		p = p ? p + 3 : source;
		at = strrchr (p, '@');
		if (at == NULL || (strchr (p, '/') && strchr (p, '/') < at))
			return g_strdup (source);
		/* userinfo is user[:password] (RFC 3986 §3.2.1): a password there
		 * is refused as a source, and must not become the account's name */
		colon = memchr (p, ':', (gsize) (at - p));
		user = g_strndup (p, (gsize) ((colon ? colon : at) - p));
		{
			char *decoded = g_uri_unescape_string (user, NULL);
			return decoded ? decoded : g_steal_pointer (&user);
		}
	}
	/* the path as given, so that a name never depends on the directory the
	 * tool runs in: "mail" is "mail", "/home/alice/mail" is alice */
	abs = g_canonicalize_filename (source, "/");
	base = g_path_get_basename (abs);
	dir = g_path_get_dirname (abs);
	if (strcmp (base, "/") == 0 || strcmp (base, ".") == 0) {
		g_autofree char *here = g_canonicalize_filename (source, NULL);
		return g_path_get_basename (here);
	}
	if (is_mail_dir_name (base) && strcmp (dir, "/") != 0 && strchr (source, '/') != NULL &&
	    !g_str_has_prefix (source, "./"))
		return g_path_get_basename (dir);
	if (g_str_has_suffix (base, ".mbox") && strlen (base) > 5)
		base[strlen (base) - 5] = '\0';
	return g_steal_pointer (&base);
}

char *
mp_passwd_home (const char *name)
{
	struct passwd pw, *result = NULL;
	long size = sysconf (_SC_GETPW_R_SIZE_MAX);
	g_autofree char *buf = NULL;
	int rc;

	if (size <= 0)
		size = 16384;
	buf = g_malloc ((gsize) size);
	rc = getpwnam_r (name, &pw, buf, (size_t) size, &result);
	if (rc != 0 || result == NULL || pw.pw_dir == NULL || *pw.pw_dir == '\0')
		return NULL;
	return g_strdup (pw.pw_dir);
}

char *
mp_account_home_for_source (const char *source, const char *name, char **origin)
{
	g_autofree char *abs = NULL;
	g_autofree char *base = NULL;
	g_autofree char *dir = NULL;

	*origin = NULL;
	if (mp_source_is_network (source))
		return NULL;
	abs = g_canonicalize_filename (source, NULL);
	base = g_path_get_basename (abs);
	dir = g_path_get_dirname (abs);
	if (is_spool_dir (dir)) {
		/* /var/mail/jo: jo's home is in the passwd database, not /var */
		char *home = mp_passwd_home (base);
		if (home)
			*origin = g_strdup_printf ("the passwd database (user %s)", base);
		return home;
	}
	if (is_mail_dir_name (base)) {
		/* as given ("mail" -> "."), for reports that do not depend on
		 * where the tool ran */
		*origin = g_strdup ("the directory above the mailbox");
		return g_path_get_dirname (source);
	}
	if (is_dir (abs)) {
		/* a Maildir kept in the home itself (Dovecot's maildir:~) */
		*origin = g_strdup ("the mailbox directory itself");
		return g_steal_pointer (&abs);
	}
	/* a lone mbox file: its owner's home is unknown, and so is forwarding */
	return NULL;
}

/* The mail of a home directory: Maildir/ and mail/ where they hold mail,
 * else the directory itself. */
static void
add_home_mail (MpAccount *a, const char *home)
{
	static const char *const subdirs[] = { "Maildir", "mail" };
	gboolean any = FALSE;

	for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++) {
		g_autofree char *sub = g_build_filename (home, subdirs[i], NULL);
		if (is_dir (sub)) {
			mp_account_add_source (a, sub);
			any = TRUE;
		}
	}
	if (!any)
		mp_account_add_source (a, home);
}

gboolean
mp_dir_is_account_tree (const char *dir)
{
	g_autoptr(GPtrArray) names = NULL;

	if (!is_dir (dir) || is_maildir (dir) || (names = sorted_entries (dir, NULL)) == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		g_autofree char *sub = g_build_filename (dir, name, NULL);
		g_autofree char *md = g_build_filename (sub, "Maildir", NULL);
		/* a home's own Maildir/ or mail/ makes DIR a home, not a tree */
		if (is_mail_dir_name (name) || !is_dir (sub) || g_file_test (sub, G_FILE_TEST_IS_SYMLINK))
			continue;
		if ((is_dir (md) && is_maildir (md)) || is_maildirpp_root (sub))
			return TRUE;
	}
	return FALSE;
}

/* A home: a directory (not itself a Maildir) with a Maildir/ in it. */
static gboolean
is_home (const char *dir)
{
	g_autofree char *md = g_build_filename (dir, "Maildir", NULL);

	return is_dir (dir) && !is_maildir (dir) && is_dir (md) && is_maildir (md);
}

gboolean
mp_accounts_from_sources (const char *const *sources, GPtrArray *out, GError **error)
{
	for (gsize i = 0; sources[i]; i++) {
		const char *src = sources[i];
		g_autofree char *name = NULL;
		MpAccount *a;

		if (!mp_source_is_network (src) && mp_dir_is_account_tree (src)) {
			/* a spool or /home: one account per user, never one merged account */
			if (!mp_accounts_from_dir (src, NULL, out, error))
				return FALSE;
			continue;
		}
		name = mp_account_name_for_source (src);
		a = mp_account_new (name);
		a->origin = g_strdup_printf ("argument %" G_GSIZE_FORMAT, i + 1);
		if (!mp_source_is_network (src) && is_home (src)) {
			g_autofree char *abs = g_canonicalize_filename (src, NULL);
			g_free (a->name);
			a->name = g_path_get_basename (abs);
			a->home = g_strdup (src);
			a->home_origin = g_strdup ("the directory given");
			add_home_mail (a, src);
		} else {
			a->home = mp_account_home_for_source (src, name, &a->home_origin);
			mp_account_add_source (a, src);
		}
		g_ptr_array_add (out, a);
	}
	return TRUE;
}

/* ---- the accounts file --------------------------------------------------------- */

enum { COL_ACCOUNT, COL_SOURCE, COL_PASSWORD_FILE, COL_OAUTH2_TOKEN_FILE, COL_LAST_LOGIN,
       COL_FORWARD_TO, COL_HOME, COL_TARGET, COL_TARGET_PASSWORD_FILE, COL_TARGET_OAUTH2_TOKEN_FILE, N_COLS };
static const char *const column_names[N_COLS + 1] = {
	"account", "source", "password_file", "oauth2_token_file", "last_login", "forward_to", "home",
	"target", "target_password_file", "target_oauth2_token_file", NULL,
};

/* last_login: an ISO 8601 date ("2025-01-31", midnight UTC) or date and
 * time ("2025-01-31T08:15:00Z"; without an offset, UTC). */
static gboolean
parse_login (const char *text, gint64 *out)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);
	g_autofree char *midnight = NULL;

	if (dt == NULL && strlen (text) == 10) {
		midnight = g_strconcat (text, "T00:00:00Z", NULL);
		dt = g_date_time_new_from_iso8601 (midnight, utc);
	}
	if (dt == NULL)
		return FALSE;
	*out = g_date_time_to_unix (dt);
	return TRUE;
}

static void
problem (GString *errors, const char *origin, guint64 line, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
problem (GString *errors, const char *origin, guint64 line, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start (ap, fmt);
	text = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	/* every broken row is listed, up to a screenful */
	if (errors->len < 8192)
		g_string_append_printf (errors, "%s%s:%" G_GUINT64_FORMAT ": %s", errors->len ? "\n" : "", origin, line, text);
}

/* A value every row of one account must agree on. */
static void
agree (GString *errors, const char *origin, guint64 line, const char *account, const char *column,
       char **have, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	if (*have == NULL)
		*have = g_strdup (value);
	else if (strcmp (*have, value) != 0)
		problem (errors, origin, line, "account %s: %s '%s' differs from an earlier row's '%s'",
		         account, column, value, *have);
}

gboolean
mp_accounts_from_csv_data (const char *data, gsize len, const char *origin, GPtrArray *out, GError **error)
{
	g_autoptr(MpCsvReader) csv = mp_csv_reader_new (data, len, origin);
	g_autoptr(GString) errors = g_string_new (NULL);
	g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	int col_of[MP_CSV_MAX_FIELDS];
	guint n_header = 0;
	GPtrArray *fields;
	guint64 line;
	GError *local = NULL;

	if (!mp_csv_reader_next (csv, &fields, &line, &local)) {
		if (local == NULL)
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s:1: empty: the first line must name the columns "
			             "(account,source,...)", origin);
		else
			g_propagate_error (error, local);
		return FALSE;
	}
	/* the header: known columns only, each once, account and source needed */
	{
		gboolean seen[N_COLS] = { FALSE };
		n_header = fields->len;
		for (guint i = 0; i < fields->len; i++) {
			g_autofree char *name = g_strstrip (g_ascii_strdown (g_ptr_array_index (fields, i), -1));
			col_of[i] = -1;
			for (int c = 0; c < N_COLS; c++)
				if (strcmp (name, column_names[c]) == 0)
					col_of[i] = c;
			if (col_of[i] < 0) {
				g_autofree char *known = g_strjoinv (", ", (char **) column_names);
				problem (errors, origin, line, "unknown column '%s' (known: %s)", name, known);
			} else if (seen[col_of[i]]) {
				problem (errors, origin, line, "column '%s' appears twice", name);
			} else {
				seen[col_of[i]] = TRUE;
			}
		}
		if (!seen[COL_ACCOUNT] || !seen[COL_SOURCE])
			problem (errors, origin, line, "the header must name the columns 'account' and 'source'");
		if (errors->len) {
			g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE, errors->str);
			return FALSE;
		}
	}
	while (mp_csv_reader_next (csv, &fields, &line, &local)) {
		const char *v[N_COLS] = { NULL };
		MpAccount *a;
		MpAccountSource *s;
		gint64 login = 0;

		if (fields->len != n_header) {
			problem (errors, origin, line, "%u fields, but the header has %u", fields->len, n_header);
			continue;
		}
		for (guint i = 0; i < fields->len; i++) {
			char *f = g_strstrip ((char *) g_ptr_array_index (fields, i));
			v[col_of[i]] = *f ? f : NULL;
		}
		if (v[COL_ACCOUNT] == NULL || v[COL_SOURCE] == NULL) {
			problem (errors, origin, line, "'account' and 'source' must not be empty");
			continue;
		}
		if (v[COL_LAST_LOGIN] && !parse_login (v[COL_LAST_LOGIN], &login)) {
			problem (errors, origin, line, "last_login '%s' is not an ISO 8601 date or time "
			         "(2025-01-31 or 2025-01-31T08:15:00Z)", v[COL_LAST_LOGIN]);
			continue;
		}
		if ((v[COL_PASSWORD_FILE] || v[COL_OAUTH2_TOKEN_FILE]) && !mp_source_is_network (v[COL_SOURCE])) {
			problem (errors, origin, line, "password_file and oauth2_token_file are for IMAP sources only");
			continue;
		}
		if (v[COL_PASSWORD_FILE] && v[COL_OAUTH2_TOKEN_FILE]) {
			problem (errors, origin, line, "give password_file or oauth2_token_file, not both");
			continue;
		}
		if ((v[COL_TARGET_PASSWORD_FILE] || v[COL_TARGET_OAUTH2_TOKEN_FILE]) &&
		    (v[COL_TARGET] == NULL || !mp_source_is_network (v[COL_TARGET]))) {
			problem (errors, origin, line, "target_password_file and target_oauth2_token_file are for IMAP "
			         "targets only");
			continue;
		}
		if (v[COL_TARGET_PASSWORD_FILE] && v[COL_TARGET_OAUTH2_TOKEN_FILE]) {
			problem (errors, origin, line, "give target_password_file or target_oauth2_token_file, not both");
			continue;
		}
		if (v[COL_FORWARD_TO] && strchr (v[COL_FORWARD_TO], '@') == NULL) {
			problem (errors, origin, line, "forward_to '%s' is not an e-mail address", v[COL_FORWARD_TO]);
			continue;
		}
		a = g_hash_table_lookup (by_name, v[COL_ACCOUNT]);
		if (a == NULL) {
			a = mp_account_new (v[COL_ACCOUNT]);
			a->origin = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, origin, line);
			g_ptr_array_add (accounts, a);
			g_hash_table_insert (by_name, a->name, a);
		}
		for (guint i = 0; i < a->sources->len; i++)
			if (strcmp (((MpAccountSource *) g_ptr_array_index (a->sources, i))->location, v[COL_SOURCE]) == 0)
				problem (errors, origin, line, "account %s: source %s is listed twice", a->name, v[COL_SOURCE]);
		s = mp_account_add_source (a, v[COL_SOURCE]);
		s->password_file = g_strdup (v[COL_PASSWORD_FILE]);
		s->oauth2_token_file = g_strdup (v[COL_OAUTH2_TOKEN_FILE]);
		if (login) {
			if (a->last_login && a->last_login != login)
				problem (errors, origin, line, "account %s: last_login differs from an earlier row's", a->name);
			a->last_login = login;
		}
		agree (errors, origin, line, a->name, "forward_to", &a->forward_to, v[COL_FORWARD_TO]);
		if (v[COL_HOME] && a->home_origin == NULL)
			a->home_origin = g_strdup_printf ("the home column (%s:%" G_GUINT64_FORMAT ")", origin, line);
		agree (errors, origin, line, a->name, "home", &a->home, v[COL_HOME]);
		if (v[COL_TARGET] && a->target == NULL) {
			a->target = g_new0 (MpAccountSource, 1);
			a->target->location = g_strdup (v[COL_TARGET]);
			a->target->password_file = g_strdup (v[COL_TARGET_PASSWORD_FILE]);
			a->target->oauth2_token_file = g_strdup (v[COL_TARGET_OAUTH2_TOKEN_FILE]);
		} else if (v[COL_TARGET] &&
		           (strcmp (a->target->location, v[COL_TARGET]) != 0 ||
		            g_strcmp0 (a->target->password_file, v[COL_TARGET_PASSWORD_FILE]) != 0 ||
		            g_strcmp0 (a->target->oauth2_token_file, v[COL_TARGET_OAUTH2_TOKEN_FILE]) != 0)) {
			/* one account moves to one target (with one secret) */
			problem (errors, origin, line, "account %s: target '%s' (or its secret) differs from an earlier "
			         "row's '%s'", a->name, v[COL_TARGET], a->target->location);
		}
	}
	if (local != NULL) {
		/* the reader's message names file and line already */
		if (errors->len < 8192)
			g_string_append_printf (errors, "%s%s", errors->len ? "\n" : "", local->message);
		g_clear_error (&local);
	}
	if (errors->len) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_USAGE, errors->str);
		return FALSE;
	}
	for (guint i = 0; i < accounts->len; i++) {
		MpAccount *a = g_ptr_array_index (accounts, i);
		if (a->home == NULL) {
			/* no home column: as for a SOURCE argument, from the first local source */
			for (guint k = 0; k < a->sources->len && a->home == NULL; k++) {
				const MpAccountSource *s = g_ptr_array_index (a->sources, k);
				g_free (a->home_origin);
				a->home = mp_account_home_for_source (s->location, a->name, &a->home_origin);
			}
		}
		g_ptr_array_add (out, g_steal_pointer (&g_ptr_array_index (accounts, i)));
	}
	g_ptr_array_set_free_func (accounts, NULL);
	return TRUE;
}

gboolean
mp_accounts_from_file (const char *path, GPtrArray *out, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	struct stat st;

	if (stat (path, &st) == 0 && st.st_size > MAX_ACCOUNTS_FILE) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: larger than 256 MiB: not an accounts file", path);
		return FALSE;
	}
	if (!g_file_get_contents (path, &data, &len, error)) {
		g_prefix_error (error, "--accounts: ");
		return FALSE;
	}
	return mp_accounts_from_csv_data (data, len, path, out, error);
}

/* ---- --accounts-dir and --layout ------------------------------------------------- */

typedef struct {
	char    *prefix, *suffix; /* around the variable, or the whole literal */
	char     var;             /* 'u', 'n', 'd', or 0 for a literal component */
} Part;

typedef struct {
	Part      parts[MAX_LAYOUT_LEVELS];
	guint     n;
	int       last_var;       /* index of the last component with a variable */
	const char *dir;
	GPtrArray *out;
	char      *bound[3];      /* u, n, d */
} Layout;

static int
var_slot (char v)
{
	return v == 'u' ? 0 : v == 'n' ? 1 : 2;
}

static gboolean
parse_layout (Layout *l, const char *pattern, GError **error)
{
	g_auto(GStrv) comps = g_strsplit (pattern, "/", -1);

	l->last_var = -1;
	for (int i = 0; comps[i]; i++) {
		const char *c = comps[i];
		const char *pct;
		Part *p;
		if (*c == '\0' || strcmp (c, ".") == 0)
			continue;
		if (strcmp (c, "..") == 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s: '..' is not allowed", pattern);
			return FALSE;
		}
		if (l->n >= MAX_LAYOUT_LEVELS) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s: more than %d levels", pattern,
			             MAX_LAYOUT_LEVELS);
			return FALSE;
		}
		p = &l->parts[l->n];
		pct = strchr (c, '%');
		if (pct == NULL) {
			p->prefix = g_strdup (c);
		} else {
			if (strchr ("und", pct[1]) == NULL || pct[1] == '\0' || strchr (pct + 2, '%') != NULL) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s: in '%s': use one of %%u (user), "
				             "%%n (user part) or %%d (domain) per level", pattern, c);
				return FALSE;
			}
			p->var = pct[1];
			p->prefix = g_strndup (c, (gsize) (pct - c));
			p->suffix = g_strdup (pct + 2);
			l->last_var = (int) l->n;
		}
		l->n++;
	}
	if (l->last_var < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s: no %%u or %%n names the user", pattern);
		return FALSE;
	}
	{
		gboolean have_user = FALSE;
		for (guint i = 0; i < l->n; i++)
			have_user |= l->parts[i].var == 'u' || l->parts[i].var == 'n';
		if (!have_user) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s: no %%u or %%n names the user", pattern);
			return FALSE;
		}
	}
	return TRUE;
}

static void
layout_clear (Layout *l)
{
	for (guint i = 0; i < l->n; i++) {
		g_free (l->parts[i].prefix);
		g_free (l->parts[i].suffix);
	}
	for (int i = 0; i < 3; i++)
		g_free (l->bound[i]);
}

static void
layout_found (Layout *l, const char *path, const char *var_dir)
{
	g_autofree char *name = NULL;
	MpAccount *a;

	if (l->bound[0])
		name = g_strdup (l->bound[0]);
	else if (l->bound[1] && l->bound[2])
		name = g_strdup_printf ("%s@%s", l->bound[1], l->bound[2]);
	else
		name = g_strdup (l->bound[1]);
	a = mp_account_new (name);
	a->origin = g_strdup (path);
	if (strcmp (path, var_dir) != 0) {
		/* %u/Maildir: the mail below the user's directory, its home */
		mp_account_add_source (a, path);
		a->home = g_strdup (var_dir);
		a->home_origin = g_strdup ("the layout's user directory");
	} else if (is_dir (path)) {
		a->home = g_strdup (path);
		a->home_origin = g_strdup ("the account's directory");
		add_home_mail (a, path);
	} else {
		/* /var/mail/%u: a spool file; the home is in the passwd database */
		mp_account_add_source (a, path);
		a->home = mp_passwd_home (name);
		if (a->home)
			a->home_origin = g_strdup_printf ("the passwd database (user %s)", name);
	}
	g_ptr_array_add (l->out, a);
}

static void
walk_layout (Layout *l, guint level, const char *path, const char *var_dir)
{
	const Part *p;
	g_autoptr(GPtrArray) names = NULL;

	if (level == l->n) {
		if (g_file_test (path, G_FILE_TEST_EXISTS))
			layout_found (l, path, var_dir);
		return;
	}
	p = &l->parts[level];
	if (p->var == 0) {
		g_autofree char *next = g_build_filename (path, p->prefix, NULL);
		walk_layout (l, level + 1, next, var_dir);
		return;
	}
	if ((names = sorted_entries (path, NULL)) == NULL)
		return;
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index (names, i);
		gsize len = strlen (name), lp = strlen (p->prefix), ls = strlen (p->suffix);
		int slot = var_slot (p->var);
		g_autofree char *value = NULL;
		g_autofree char *next = NULL;
		char *saved;

		if (len <= lp + ls || !g_str_has_prefix (name, p->prefix) || !g_str_has_suffix (name, p->suffix))
			continue;
		value = g_strndup (name + lp, len - lp - ls);
		if (l->bound[slot] && strcmp (l->bound[slot], value) != 0)
			continue; /* the same variable twice must match the same text */
		next = g_build_filename (path, name, NULL);
		saved = l->bound[slot];
		l->bound[slot] = saved ? saved : g_strdup (value);
		walk_layout (l, level + 1, next, (int) level == l->last_var ? next : var_dir);
		if (saved == NULL)
			g_clear_pointer (&l->bound[slot], g_free);
	}
}

gboolean
mp_accounts_from_dir (const char *dir, const char *layout, GPtrArray *out, GError **error)
{
	Layout l = { 0 };
	const char *pattern = layout ? layout : "%u";
	const char *root = g_path_is_absolute (pattern) ? "/" : dir;
	guint before = out->len;

	if (root == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--layout %s is relative: give --accounts-dir DIR", pattern);
		return FALSE;
	}
	if (!is_dir (root)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--accounts-dir %s: %s", root,
		             g_file_test (root, G_FILE_TEST_EXISTS) ? "not a directory" : "no such directory");
		return FALSE;
	}
	if (!parse_layout (&l, pattern, error)) {
		layout_clear (&l);
		return FALSE;
	}
	l.dir = root;
	l.out = out;
	walk_layout (&l, 0, root, root);
	layout_clear (&l);
	if (out->len == before) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: no account matches the layout %s", root, pattern);
		return FALSE;
	}
	return TRUE;
}

gboolean
mp_accounts_finish (GPtrArray *accounts, GError **error)
{
	g_autoptr(GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);
	guint64 ordinal = 0;

	/* sources of the same name are one account (a Maildir and the spool) */
	for (guint i = 0; i < accounts->len;) {
		MpAccount *a = g_ptr_array_index (accounts, i);
		MpAccount *earlier = g_hash_table_lookup (first, a->name);
		if (earlier == NULL) {
			g_hash_table_insert (first, a->name, a);
			i++;
			continue;
		}
		for (guint k = 0; k < a->sources->len; k++) {
			MpAccountSource *s = g_ptr_array_index (a->sources, k);
			gboolean dup = FALSE;
			for (guint e = 0; e < earlier->sources->len; e++)
				dup |= strcmp (((MpAccountSource *) g_ptr_array_index (earlier->sources, e))->location,
				               s->location) == 0;
			if (!dup)
				g_ptr_array_add (earlier->sources, g_steal_pointer (&g_ptr_array_index (a->sources, k)));
		}
		if (earlier->home == NULL && a->home != NULL) {
			earlier->home = g_steal_pointer (&a->home);
			earlier->home_origin = g_steal_pointer (&a->home_origin);
		}
		g_ptr_array_remove_index (accounts, i);
	}
	for (guint i = 0; i < accounts->len; i++) {
		MpAccount *a = g_ptr_array_index (accounts, i);
		/* sources stolen above leave holes */
		for (guint k = a->sources->len; k > 0; k--)
			if (g_ptr_array_index (a->sources, k - 1) == NULL)
				g_ptr_array_remove_index (a->sources, k - 1);
		a->ordinal = ordinal++;
	}
	if (accounts->len == 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "no account to audit");
		return FALSE;
	}
	return TRUE;
}

/* ---- shards ----------------------------------------------------------------------- */

gboolean
mp_shard_takes (const char *name, guint k, guint n)
{
	/* FNV-1a, 64 bit: simple, stable, documented (docs/scale-out.md) */
	guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

	for (const guchar *p = (const guchar *) name; *p; p++) {
		h ^= *p;
		h *= G_GUINT64_CONSTANT (1099511628211);
	}
	return n <= 1 || h % n == (guint64) (k - 1);
}

void
mp_accounts_shard (GPtrArray *accounts, guint k, guint n)
{
	for (guint i = accounts->len; i > 0; i--)
		if (!mp_shard_takes (((MpAccount *) g_ptr_array_index (accounts, i - 1))->name, k, n))
			g_ptr_array_remove_index (accounts, i - 1);
}

static gboolean
env_number (const char *var, guint64 *out)
{
	const char *v = g_getenv (var);

	return v != NULL && g_ascii_string_to_unsigned (v, 10, 0, 1000000, out, NULL);
}

gboolean
mp_shard_parse (const char *text, guint *k, guint *n, GError **error)
{
	guint64 kk = 0, nn = 0;
	g_auto(GStrv) parts = g_strsplit (text, "/", 2);

	if (strcmp (parts[0], "auto") == 0) {
		guint64 index = 0, min = 0;
		if (parts[1] != NULL && !g_ascii_string_to_unsigned (parts[1], 10, 1, 1000000, &nn, NULL)) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard %s: N must be a whole number from 1", text);
			return FALSE;
		}
		if (env_number ("JOB_COMPLETION_INDEX", &index)) {
			/* Kubernetes Indexed Job: 0 .. completions-1; the count is not
			 * in the pod's environment, so the manifest passes it */
			if (nn == 0 && !env_number ("MAILPREFLIGHT_SHARD_COUNT", &nn)) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard auto: JOB_COMPLETION_INDEX is set, but "
				             "not the number of shards: set MAILPREFLIGHT_SHARD_COUNT to the Job's completions "
				             "or give --shard auto/N");
				return FALSE;
			}
		} else if (env_number ("SLURM_ARRAY_TASK_ID", &index)) {
			/* a Slurm array may start anywhere (--array=1-4) */
			env_number ("SLURM_ARRAY_TASK_MIN", &min);
			if (nn == 0 && !env_number ("SLURM_ARRAY_TASK_COUNT", &nn)) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard auto: SLURM_ARRAY_TASK_COUNT is not set");
				return FALSE;
			}
			if (index < min) {
				g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard auto: SLURM_ARRAY_TASK_ID below "
				             "SLURM_ARRAY_TASK_MIN");
				return FALSE;
			}
			index -= min;
		} else {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes "
			             "Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm array) is set; give --shard K/N");
			return FALSE;
		}
		kk = index + 1;
	} else if (parts[1] == NULL || !g_ascii_string_to_unsigned (parts[0], 10, 1, 1000000, &kk, NULL) ||
	           !g_ascii_string_to_unsigned (parts[1], 10, 1, 1000000, &nn, NULL)) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard %s: use K/N (shard K of N, 1 <= K <= N) or auto", text);
		return FALSE;
	}
	if (nn == 0 || kk == 0 || kk > nn) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--shard: shard %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
		             " does not exist (1 <= K <= N)", kk, nn);
		return FALSE;
	}
	*k = (guint) kk;
	*n = (guint) nn;
	return TRUE;
}
