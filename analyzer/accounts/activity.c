/* activity.c — see activity.h. */
#include "activity.h"

#include <string.h>
#include <sys/stat.h>

/* Clock skew allowed between the server and the as-of time. */
#define FUTURE_SLACK (24 * 3600)

typedef struct {
	gint64  time;
	GString *place;
} Newest;

struct _MpActivity {
	guint         kinds;
	char        **extra_sent;
	gint64        as_of;
	Newest        newest[MP_EVIDENCE_N_KINDS];
	/* the folder being read */
	char         *source;
	char         *folder;
	MpFolderRole  role;
};

/* The names clients give the Sent folder in the languages of our users
 * (RFC 6154 \Sent is used where the server announces it). */
static const char *const sent_names[] = {
	"sent", "sent items", "sent messages", "sent mail", "sent-mail", "outbox sent",
	"gesendet", "gesendete objekte", "gesendete elemente", "envoyés", "éléments envoyés",
	"messages envoyés", "enviados", "elementos enviados", "inviati", "posta inviata",
	"verzonden", "verzonden items", "skickat", "sendt", "lähetetyt", "wysłane", NULL
};
static const char *const drafts_names[] = {
	"drafts", "draft", "entwürfe", "brouillons", "borradores", "bozze", "concepten", "utkast", NULL
};
static const char *const trash_names[] = {
	"trash", "deleted items", "deleted messages", "deleted", "bin", "papierkorb",
	"gelöschte elemente", "corbeille", "éléments supprimés", "papelera", "cestino",
	"prullenbak", "papperskorg", NULL
};
static const char *const junk_names[] = {
	"junk", "spam", "junk e-mail", "junk email", "bulk mail", "junk mail", "spam mail",
	"courrier indésirable", "correo no deseado", "posta indesiderata", NULL
};

static gboolean
in_list (const char *lower, const char *const *list)
{
	for (int i = 0; list && list[i]; i++)
		if (strcmp (lower, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static char *
last_level_lower (const char *name)
{
	const char *last = strrchr (name, '/');

	return g_utf8_strdown (last ? last + 1 : name, -1);
}

gboolean
mp_folder_name_is_sent (const char *name, const char *const *extra_sent_names)
{
	g_autofree char *lower = last_level_lower (name);

	return in_list (lower, sent_names) || in_list (lower, extra_sent_names);
}

MpFolderRole
mp_folder_role (const MpFolder *folder, const char *const *extra_sent_names)
{
	g_autofree char *lower = last_level_lower (folder->name);

	/* what the server says wins over the name (RFC 6154): a "Mes envois"
	 * marked \Sent is the Sent folder */
	if (folder->special_use & MP_SPECIAL_USE_SENT)
		return MP_FOLDER_ROLE_SENT;
	if (folder->special_use & MP_SPECIAL_USE_DRAFTS)
		return MP_FOLDER_ROLE_DRAFTS;
	if (folder->special_use & MP_SPECIAL_USE_TRASH)
		return MP_FOLDER_ROLE_TRASH;
	if (folder->special_use & MP_SPECIAL_USE_JUNK)
		return MP_FOLDER_ROLE_JUNK;
	if (g_ascii_strcasecmp (folder->name, "INBOX") == 0)
		return MP_FOLDER_ROLE_INBOX;
	/* a server that names its special-use folders does not call another
	 * folder "Sent" for nothing; without the attributes, the names */
	if (in_list (lower, sent_names) || in_list (lower, extra_sent_names))
		return MP_FOLDER_ROLE_SENT;
	if (in_list (lower, drafts_names))
		return MP_FOLDER_ROLE_DRAFTS;
	if (in_list (lower, trash_names))
		return MP_FOLDER_ROLE_TRASH;
	if (in_list (lower, junk_names))
		return MP_FOLDER_ROLE_JUNK;
	return MP_FOLDER_ROLE_USER;
}

MpActivity *
mp_activity_new (guint kinds, const char *const *extra_sent_names, gint64 as_of)
{
	MpActivity *a = g_new0 (MpActivity, 1);

	a->kinds = kinds;
	a->extra_sent = g_strdupv ((char **) extra_sent_names);
	a->as_of = as_of;
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		a->newest[k].place = g_string_new (NULL);
	return a;
}

void
mp_activity_free (MpActivity *a)
{
	if (a == NULL)
		return;
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++)
		g_string_free (a->newest[k].place, TRUE);
	g_strfreev (a->extra_sent);
	g_free (a->source);
	g_free (a->folder);
	g_free (a);
}

void
mp_activity_reset (MpActivity *a)
{
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++) {
		a->newest[k].time = 0;
		g_string_truncate (a->newest[k].place, 0);
	}
	g_clear_pointer (&a->source, g_free);
	g_clear_pointer (&a->folder, g_free);
}

/* Is T newer evidence of KIND? (Only kinds asked for, never the future.) */
static gboolean
newer (MpActivity *a, MpEvidenceKind kind, gint64 t)
{
	return (a->kinds & (1u << kind)) && t > a->newest[kind].time && t <= a->as_of + FUTURE_SLACK;
}

void
mp_activity_login (MpActivity *a, gint64 when, const char *place)
{
	if (when <= 0 || !(a->kinds & (1u << MP_EVIDENCE_LOGIN)))
		return;
	/* admin-supplied: taken as it is, even after the as-of time */
	a->newest[MP_EVIDENCE_LOGIN].time = when;
	g_string_assign (a->newest[MP_EVIDENCE_LOGIN].place, place ? place : "accounts file");
}

void
mp_activity_folder (MpActivity *a, const char *source, const MpFolder *folder, gboolean local)
{
	g_free (a->source);
	g_free (a->folder);
	a->source = g_strdup (source);
	a->folder = g_strdup (folder->name);
	a->role = mp_folder_role (folder, (const char *const *) a->extra_sent);
	if (local && folder->path && a->role == MP_FOLDER_ROLE_USER && g_file_test (folder->path, G_FILE_TEST_IS_REGULAR)) {
		/* a lone mbox file is the whole source (a /var/mail spool, an
		 * export): its messages were delivered there, not filed */
		g_autofree char *abs = g_canonicalize_filename (source, NULL);
		if (strcmp (abs, folder->path) == 0)
			a->role = MP_FOLDER_ROLE_INBOX;
	}
	if (local && folder->path && (a->kinds & (1u << MP_EVIDENCE_FILE_TIME))) {
		/* Dovecot appends to its index log when a client changes the
		 * folder's state (flags, moves, expunges) */
		g_autofree char *log = g_build_filename (folder->path, "dovecot.index.log", NULL);
		struct stat st;
		if (stat (log, &st) == 0 && S_ISREG (st.st_mode) && newer (a, MP_EVIDENCE_FILE_TIME, st.st_mtime)) {
			a->newest[MP_EVIDENCE_FILE_TIME].time = st.st_mtime;
			g_string_printf (a->newest[MP_EVIDENCE_FILE_TIME].place,
			                 "%s: dovecot.index.log modification time (file time) in %s",
			                 folder->name, source);
		}
	}
}

static void
record (MpActivity *a, MpEvidenceKind kind, gint64 t, const MpMessage *m, const char *what)
{
	if (!newer (a, kind, t))
		return;
	a->newest[kind].time = t;
	g_string_printf (a->newest[kind].place, "%s, message %" G_GUINT64_FORMAT " (%s) in %s",
	                 a->folder ? a->folder : m->folder, m->index, what, a->source ? a->source : "?");
}

void
mp_activity_message (MpActivity *a, const MpMessage *m)
{
	if (m->skipped)
		return;
	if (a->role == MP_FOLDER_ROLE_SENT) {
		/* a message in Sent was sent when it is dated */
		if (m->date_source != MP_DATE_NONE)
			record (a, MP_EVIDENCE_SENDING, m->date_unix, m, "its date");
		return;
	}
	if (m->arrival_unix != 0) {
		/* read after it arrived: its arrival time is a lower bound */
		if (m->read_state == MP_READ_SEEN)
			record (a, MP_EVIDENCE_READING, m->arrival_unix, m, "marked read; arrival time");
		/* moved into a folder the user made, after it arrived */
		if (a->role == MP_FOLDER_ROLE_USER)
			record (a, MP_EVIDENCE_FILING, m->arrival_unix, m, "filed by the user; arrival time");
	}
	if (m->changed_unix != 0)
		record (a, MP_EVIDENCE_FILE_TIME, m->changed_unix, m, "inode change time (file time)");
}

void
mp_activity_fill (const MpActivity *a, MpAccountResult *r)
{
	r->last_kind = -1;
	for (int k = 0; k < MP_EVIDENCE_N_KINDS; k++) {
		const Newest *n = &a->newest[k];
		g_free (r->evidence[k].place);
		r->evidence[k].kind = (MpEvidenceKind) k;
		r->evidence[k].time = n->time;
		r->evidence[k].place = n->time ? g_strdup (n->place->str) : NULL;
		if (n->time == 0)
			continue;
		/* an admin-supplied last login wins over everything (DEFINITIONS.md) */
		if (r->last_kind == MP_EVIDENCE_LOGIN)
			continue;
		if (k == MP_EVIDENCE_LOGIN || r->last_kind < 0 || n->time > r->evidence[r->last_kind].time)
			r->last_kind = k;
	}
}
