/* forward-check.c — see forward-check.h. Reads the files (bounded, never
 * outside the home), hands their bytes to the parsers (forward-file.h,
 * procmail-rc.h, sieve-script.h) and, for IMAP accounts, asks ManageSieve
 * (managesieve.h); each answer says what it rests on. */
#include "forward-check.h"
#include "forward-file.h"
#include "imap-secret.h"
#include "imap-url.h"
#include "managesieve.h"
#include "procmail-rc.h"
#include "sieve-script.h"
#include "source-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rule file larger than this is no rule file (Pigeonhole's own script
 * limit is 1 MiB). */
#define MAX_RULE_FILE (1024 * 1024)
/* procmail INCLUDERC and Sieve include levels followed */
#define MAX_INCLUDES 8

typedef struct {
	MpForwardState state;
	GString       *why;
} Verdict;

static void
note (Verdict *v, MpForwardState state, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Records one finding about forwarding: a yes wins, then an unknown. */
static void
note (Verdict *v, MpForwardState state, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start (ap, fmt);
	text = g_strdup_vprintf (fmt, ap);
	va_end (ap);
	if (state == MP_FORWARD_YES && v->state != MP_FORWARD_YES) {
		/* the evidence of a forward says only that */
		g_string_assign (v->why, text);
		v->state = MP_FORWARD_YES;
		return;
	}
	if (v->state == MP_FORWARD_YES)
		return;
	if (state == MP_FORWARD_UNKNOWN)
		v->state = MP_FORWARD_UNKNOWN;
	g_string_append_printf (v->why, "%s%s", v->why->len ? "; " : "", text);
}

typedef enum { READ_OK, READ_ABSENT, READ_FAILED } ReadResult;

/* Reads NAME (relative to HOME, or absolute) into *DATA: a regular file of
 * at most MAX_RULE_FILE, whose real path lies inside HOME (Dovecot's
 * .dovecot.sieve is a link into ~/sieve/; a link out of the home is not
 * followed). *WHY says why it failed. */
static ReadResult
read_rule_file (const char *home, const char *name, GBytes **data, char **path_out, char **why)
{
	g_autofree char *path = g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (home, name, NULL);
	g_autofree char *real_home = realpath (home, NULL);
	g_autofree char *real = NULL;
	g_autofree char *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	*data = NULL;
	*path_out = g_strdup (path);
	if (lstat (path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? READ_ABSENT : (*why = g_strdup (g_strerror (errno)), READ_FAILED);
	real = realpath (path, NULL);
	if (real == NULL) {
		*why = g_strdup_printf ("a link to nowhere (%s)", g_strerror (errno));
		return READ_FAILED;
	}
	if (real_home == NULL || !g_str_has_prefix (real, real_home) ||
	    (real[strlen (real_home)] != '/' && real[strlen (real_home)] != '\0')) {
		*why = g_strdup_printf ("a link out of the home (%s): not followed", real);
		return READ_FAILED;
	}
	/* as the backends open mail (source-fs.h): a FIFO planted there must
	 * not hang the audit (O_NONBLOCK), reading changes no access time
	 * (O_NOATIME); REAL has no link left to follow */
	fd = mp_source_openat (AT_FDCWD, real, MP_OPEN_FILE);
	if (fd < 0) {
		*why = g_strdup (g_strerror (errno));
		return READ_FAILED;
	}
	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > MAX_RULE_FILE) {
		*why = g_strdup (st.st_size > MAX_RULE_FILE ? "larger than 1 MiB" : "not a regular file");
		close (fd);
		return READ_FAILED;
	}
	buf = g_malloc ((gsize) st.st_size + 1);
	n = pread (fd, buf, (size_t) st.st_size, 0);
	close (fd);
	if (n < 0) {
		*why = g_strdup (g_strerror (errno));
		return READ_FAILED;
	}
	*data = g_bytes_new_take (g_steal_pointer (&buf), (gsize) n);
	return READ_OK;
}

/* What a check says of a rule file it does not get to read. */
typedef struct {
	const char *absent;         /* none there: no forwarding, delivery is local */
	gboolean    absent_at_path; /* ABSENT follows the path looked at */
	const char *role;           /* after the path when it cannot be read */
} RuleFileNotes;

/* procmail without recipes delivers to the mailbox */
static const RuleFileNotes PROCMAIL_NOTES = { "none (procmail delivers locally)", TRUE, " (run by .forward's procmail)" };
static const RuleFileNotes FORWARD_NOTES = { "no .forward", FALSE, "" };
static const RuleFileNotes SIEVE_NOTES = { "no active Sieve script", FALSE, "" };

/* read_rule_file for a check: its bytes, or NULL when there is none or it
 * cannot be read, which is then noted (no forwarding, unknown) as NOTES
 * say. *PATH: where it was looked for. */
static GBytes *
read_or_note (Verdict *v, const char *home, const char *name, const RuleFileNotes *notes, char **path)
{
	GBytes *data = NULL;
	g_autofree char *why = NULL;

	switch (read_rule_file (home, name, &data, path, &why)) {
	case READ_ABSENT:
		if (notes->absent_at_path)
			note (v, MP_FORWARD_NO, "%s: %s", *path, notes->absent);
		else
			note (v, MP_FORWARD_NO, "%s", notes->absent);
		return NULL;
	case READ_FAILED:
		note (v, MP_FORWARD_UNKNOWN, "%s%s: %s", *path, notes->role, why);
		return NULL;
	case READ_OK:
	default:
		return data;
	}
}

static void
check_procmail (Verdict *v, const char *home, const char *rc_name, guint depth)
{
	g_autoptr(GBytes) data = NULL;
	g_autofree char *path = NULL;
	g_autoptr(MpProcmailRc) rc = NULL;
	gsize len;
	const char *bytes;

	if ((data = read_or_note (v, home, rc_name, &PROCMAIL_NOTES, &path)) == NULL)
		return;
	bytes = g_bytes_get_data (data, &len);
	rc = mp_procmail_rc_parse (bytes, len);
	if (rc->targets->len > 0) {
		const MpForwardTarget *t = g_ptr_array_index (rc->targets, 0);
		note (v, MP_FORWARD_YES, "%s line %u: ! %s (procmail, run by .forward)%s", path, t->line, t->address,
		      t->conditional ? ", for some messages" : "");
		return;
	}
	for (guint i = 0; i < rc->includes->len; i++) {
		if (depth >= MAX_INCLUDES) {
			note (v, MP_FORWARD_UNKNOWN, "%s: procmail includes nested too deep", path);
			return;
		}
		check_procmail (v, home, g_ptr_array_index (rc->includes, i), depth + 1);
	}
	if (rc->n_errors)
		note (v, MP_FORWARD_UNKNOWN, "%s: %s (procmail rules not understood)", path, rc->first_error);
	else
		note (v, MP_FORWARD_NO, "%s: no '!' forwarding recipe", path);
}

static void check_sieve_text (Verdict *v, const char *where, const char *bytes, gsize len, const char *home,
                              guint depth);

static void
check_forward_file (Verdict *v, const MpAccount *a)
{
	g_autoptr(GBytes) data = NULL;
	g_autofree char *path = NULL;
	g_autoptr(MpForwardFile) f = NULL;
	gsize len;
	const char *bytes;

	if ((data = read_or_note (v, a->home, ".forward", &FORWARD_NOTES, &path)) == NULL)
		return;
	bytes = g_bytes_get_data (data, &len);
	f = mp_forward_file_parse (bytes, len, a->name);
	/* Exim runs a .forward that starts "# Sieve filter" or "# Exim filter"
	 * as a filter program (Exim's filter specification, section 1): its
	 * words are no addresses */
	if (f->filter == MP_FORWARD_FILTER_SIEVE) {
		g_autofree char *where = g_strdup_printf ("%s (a Sieve filter)", path);
		/* the first line is a hash comment to Sieve: the whole file parses */
		check_sieve_text (v, where, bytes, len, a->home, 0);
		return;
	}
	if (f->filter == MP_FORWARD_FILTER_EXIM) {
		note (v, MP_FORWARD_UNKNOWN, "%s: an Exim filter, whose language is not read", path);
		return;
	}
	if (f->targets->len > 0) {
		const MpForwardTarget *t = g_ptr_array_index (f->targets, 0);
		note (v, MP_FORWARD_YES, "%s line %u: %s%s", path, t->line, t->address,
		      t->keeps_copy ? " (and a copy kept)" : "");
		return;
	}
	if (f->runs_procmail) {
		check_procmail (v, a->home, f->procmail_rc ? f->procmail_rc : ".procmailrc", 0);
		return;
	}
	for (guint i = 0; i < f->entries->len; i++) {
		const MpForwardEntry *e = g_ptr_array_index (f->entries, i);
		if (e->kind == MP_FORWARD_ENTRY_INCLUDE) {
			note (v, MP_FORWARD_UNKNOWN, "%s line %u: :include:%s not read", path, e->line, e->value);
			return;
		}
	}
	if (f->n_invalid)
		note (v, MP_FORWARD_UNKNOWN, "%s: %u line(s) not understood", path, f->n_invalid);
	else
		note (v, MP_FORWARD_NO, "%s: no address (comments, pipes, files or the owner only)", path);
}

/* A Sieve script's redirects; its personal includes from the home's
 * sieve/ directory (Pigeonhole's sieve_dir). */
static void
check_sieve_text (Verdict *v, const char *where, const char *bytes, gsize len, const char *home, guint depth)
{
	g_autoptr(MpSieveScript) s = mp_sieve_script_parse (bytes, len);

	if (s->targets->len > 0) {
		const MpForwardTarget *t = g_ptr_array_index (s->targets, 0);
		note (v, MP_FORWARD_YES, "%s line %u: redirect %s%s%s", where, t->line, t->address,
		      t->keeps_copy ? " :copy" : "", t->conditional ? ", for some messages" : "");
		return;
	}
	if (s->error != NULL) {
		/* the server does not run a script it cannot compile */
		note (v, MP_FORWARD_UNKNOWN, "%s: %s (the server would not run it)", where, s->error);
		return;
	}
	for (guint i = 0; i < s->includes->len; i++) {
		const MpSieveInclude *inc = g_ptr_array_index (s->includes, i);
		g_autoptr(GBytes) data = NULL;
		g_autofree char *path = NULL;
		g_autofree char *why = NULL;
		g_autofree char *name = NULL;
		gsize n;
		const char *b;

		if (inc->global || home == NULL || depth >= MAX_INCLUDES) {
			note (v, MP_FORWARD_UNKNOWN, "%s line %u: include \"%s\"%s not read", where, inc->line, inc->name,
			      inc->global ? " :global" : "");
			continue;
		}
		name = g_strdup_printf ("sieve/%s.sieve", inc->name);
		if (read_rule_file (home, name, &data, &path, &why) != READ_OK) {
			note (v, MP_FORWARD_UNKNOWN, "%s line %u: include \"%s\": %s", where, inc->line, inc->name,
			      why ? why : "not found");
			continue;
		}
		b = g_bytes_get_data (data, &n);
		check_sieve_text (v, path, b, n, home, depth + 1);
	}
	if (v->state != MP_FORWARD_YES)
		note (v, MP_FORWARD_NO, "%s: no redirect", where);
}

static void
check_home_sieve (Verdict *v, const MpAccount *a)
{
	g_autoptr(GBytes) data = NULL;
	g_autofree char *path = NULL;
	gsize len;
	const char *bytes;

	if ((data = read_or_note (v, a->home, ".dovecot.sieve", &SIEVE_NOTES, &path)) == NULL)
		return;
	bytes = g_bytes_get_data (data, &len);
	check_sieve_text (v, path, bytes, len, a->home, 0);
}

static const MpAccountSource *
imap_source (const MpAccount *a)
{
	for (guint i = 0; i < a->sources->len; i++) {
		const MpAccountSource *s = g_ptr_array_index (a->sources, i);
		if (mp_source_is_network (s->location))
			return s;
	}
	return NULL;
}

/* The active script of an IMAP account, from its server's ManageSieve
 * (RFC 5804), logged in as the IMAP source is. */
static void
check_managesieve (Verdict *v, const MpAccount *a, const MpAccountSource *src, const MpSourceSettings *net,
                   const MpForwardCheckOptions *opt)
{
	MpImapUrl url = { 0 };
	MpManageSieveOptions ms = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *name = NULL;
	g_autoptr(GBytes) script = NULL;
	char *password = NULL;
	char *token = NULL;

	if (opt != NULL && opt->managesieve_port < 0) {
		note (v, MP_FORWARD_UNKNOWN, "IMAP account: ManageSieve not asked (--managesieve-port 0)");
		return;
	}
	if (!mp_imap_url_parse (src->location, &url, &error)) {
		note (v, MP_FORWARD_UNKNOWN, "%s", error->message);
		return;
	}
	ms.host = url.host;
	ms.port = opt && opt->managesieve_port > 0 ? (guint16) opt->managesieve_port : MP_MANAGESIEVE_DEFAULT_PORT;
	ms.user = url.user;
	ms.ca_file = net->ca_file;
	ms.insecure_skip_verify = net->insecure_skip_verify;
	ms.allow_plaintext = net->allow_plaintext;
	ms.timeout_ms = net->timeout_ms;
	/* the secrets the IMAP source logs in with, tied to the same host
	 * (imap-secret.h): a ManageSieve server is the IMAP server's */
	if (net->admin_user != NULL) {
		ms.admin.user = net->admin_user;
		ms.admin.form = net->admin_separator ? MP_IMAP_ADMIN_SEPARATOR : MP_IMAP_ADMIN_AUTHZID;
		ms.admin.separator = net->admin_separator;
		password = mp_imap_admin_password_get (&url, net->secret_host, net->admin_password_file, &error);
	} else {
		MpImapSecretOptions so = {
			.password_file = net->password_file,
			.token_file = net->oauth2_token_file,
			.host = net->secret_host,
			.interactive = FALSE, /* the IMAP source asked already, if it could */
		};
		if (!mp_imap_secret_for (&url, &so, &password, &token, &error)) {
			password = NULL;
			token = NULL;
		}
	}
	if (password == NULL && token == NULL) {
		note (v, MP_FORWARD_UNKNOWN, "ManageSieve: no secret to log in with (%s)", error->message);
		mp_imap_url_clear (&url);
		return;
	}
	if (!mp_managesieve_fetch_active (&ms, password, token, &name, &script, &error)) {
		/* no ManageSieve (the connection refused), or it refused us:
		 * forwarding could not be checked, it is not "no" */
		note (v, MP_FORWARD_UNKNOWN, "ManageSieve: %s", error->message);
	} else if (script == NULL) {
		note (v, MP_FORWARD_NO, "ManageSieve sieve://%s@%s:%u: no active Sieve script", url.user, url.host,
		      (guint) ms.port);
	} else {
		gsize len;
		const char *bytes = g_bytes_get_data (script, &len);
		g_autofree char *where = g_strdup_printf ("ManageSieve sieve://%s@%s:%u active script \"%s\"", url.user,
		                                          url.host, (guint) ms.port, name);
		check_sieve_text (v, where, bytes, len, NULL, 0);
	}
	mp_imap_secret_free (password);
	mp_imap_secret_free (token);
	mp_imap_url_clear (&url);
	(void) a;
}

void
mp_forward_check (const MpAccount *a, const MpSourceSettings *settings, MpAccountResult *r, gpointer user_data)
{
	const MpForwardCheckOptions *opt = user_data;
	const MpAccountSource *imap = imap_source (a);
	Verdict v = { MP_FORWARD_NO, g_string_new (NULL) };

	if (a->forward_to != NULL) {
		note (&v, MP_FORWARD_YES, "forward_to %s (accounts file%s%s)", a->forward_to, a->origin ? ", " : "",
		      a->origin ? a->origin : "");
	} else if (a->home != NULL) {
		struct stat st;
		if (stat (a->home, &st) != 0 || !S_ISDIR (st.st_mode)) {
			note (&v, MP_FORWARD_UNKNOWN, "home %s: %s", a->home,
			      errno == ENOENT ? "does not exist here" : "not a directory");
		} else {
			check_forward_file (&v, a);
			if (v.state != MP_FORWARD_YES)
				check_home_sieve (&v, a);
		}
	} else if (imap != NULL) {
		check_managesieve (&v, a, imap, settings, opt);
	} else {
		note (&v, MP_FORWARD_UNKNOWN, "the owner's home is unknown: no .forward or Sieve script to read");
	}
	if (v.state == MP_FORWARD_NO && a->home != NULL) {
		g_autofree char *rest = g_string_free (g_steal_pointer (&v.why), FALSE);
		v.why = g_string_new (NULL);
		g_string_printf (v.why, "home %s: %s", a->home, rest);
	}
	r->forwarding.state = v.state;
	g_free (r->forwarding.evidence);
	r->forwarding.evidence = g_string_free (v.why, FALSE);
}
