/* imap-apply.c — `fix split` on a live IMAP account (see imap-apply.h).
 *
 * One connection, one thread, one message at a time: the order of the
 * steps is the safety argument (a verified local backup first, the parts
 * on the server and read back before the original is marked, nothing
 * expunged unless asked, and then by UID only), and the backup manifest
 * written after each step is what a re-run resumes from. */
#include "imap-apply.h"
#include "backup-manifest.h"
#include "build.h"
#include "digest.h"
#include "escape.h"
#include "fix.h"
#include "fix-report.h"
#include "imap-bodystructure.h"
#include "imap-client.h"
#include "imap-date.h"
#include "imap-secret.h"
#include "imap-write.h"
#include "record.h"
#include "selection.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define SPLIT_HEADER    "X-Mailpreflight-Split"

/* ---- the run ---------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
	interrupted = sig;
}

typedef struct {
	int      fd;           /* where a BODY[] literal goes, or -1 */
	guint64  got;
	GError  *error;
} Sink;

typedef struct {
	const MpFixImapOptions *opt;
	MpImapUrl      url;
	MpImapClient  *client;
	Sink           sink;
	char          *password, *token;
	MpFixLimits    limits;
	char          *limits_text;
	guint64        appendlimit;
	gboolean       condstore;   /* RFC 7162: the original is marked only if unchanged since it was read */
	guint64        exists;      /* messages in the open folder */
	MpAnalyzer    *analyzer;
	MpFixCheck    *check;
	char          *tmpdir;
	/* --apply */
	char          *manifest_path;
	int            backup_fd;
	GPtrArray     *entries;     /* MpFixBackupEntry* */
	/* totals */
	guint64        messages, candidates, split, parts, reused, not_fixed, deleted, expunged, refused;
	GPtrArray     *notes;
	/* --json, --html: the local fix's reports (fix-report.h) */
	MpFixOptions   report_opt;   /* what the manifest's "options" say */
	MpFixManifest *manifest;
	MpFixHtml     *html;
	gboolean       reports_open;
	MpFixTotals    totals;
	char          *backup_abs;
	GPtrArray     *records;      /* MpFixRecord*: the open folder's, until it is done */
	/* --from-report */
	MpFixSelection *selection;
	const char    *listed_id;    /* the Message-ID the report has for the message being fixed */
} Run;

static MpFixBackupEntry *
find_entry (Run *run, const char *folder, guint32 uidvalidity, guint32 uid)
{
	for (guint i = 0; i < run->entries->len; i++) {
		MpFixBackupEntry *e = g_ptr_array_index (run->entries, i);
		if (e->uid == uid && e->uidvalidity == uidvalidity && strcmp (e->folder, folder) == 0)
			return e;
	}
	return NULL;
}

/* The manifest file (backup-manifest.c), rewritten after every step:
 * temp name, fsync, rename, so it is always a whole one. */
static gboolean
manifest_write (Run *run, GError **error)
{
	g_autofree char *backup_abs = mp_fix_abs_path (run->opt->backup);
	g_autoptr(GString) s = mp_fix_backup_manifest_render (mp_imap_client_get_display_url (run->client),
	                                                      run->url.user, backup_abs, run->entries);

	return g_file_set_contents_full (run->manifest_path, s->str, (gssize) s->len,
	                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

/* Reads this run's own manifest back (a resume). */
static gboolean
manifest_read (Run *run, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *user = NULL;
	gsize len;

	if (!g_file_get_contents (run->manifest_path, &text, &len, error) ||
	    !mp_fix_backup_manifest_parse (text, len, run->manifest_path, &user, run->entries, error))
		return FALSE;
	/* the same user; the host may be named otherwise (a proxy, an address
	 * for a name): each entry is still matched by folder, UIDVALIDITY, UID
	 * and the SHA-256 of the message's bytes */
	if (strcmp (user, run->url.user) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s is the backup of another user (%s): give a new "
		             "--backup FILE", run->manifest_path, user);
		return FALSE;
	}
	return TRUE;
}

/* ---- fetching --------------------------------------------------------- */

static MpImapLiteralAction
sink_begin (const MpImapValue *list, const MpImapValue *item, guint64 size, gpointer user_data, GError **error)
{
	Sink *s = user_data;

	if (s->fd >= 0 && item != NULL && mp_imap_value_is_atom (item, "BODY[]")) {
		s->got = 0;
		return MP_IMAP_LITERAL_STREAM;
	}
	return MP_IMAP_LITERAL_KEEP;
}

static gboolean
sink_data (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	Sink *s = user_data;

	if (!mp_fix_write_all (s->fd, data, len, "a temporary file", error))
		return FALSE;
	s->got += len;
	return TRUE;
}

/* What a FETCH told of one message. */
typedef struct {
	guint32  uid;
	char    *flags;        /* the flags, \Recent left out, space-separated */
	gboolean deleted, seen;
	char    *internaldate; /* as sent */
	guint64  size;         /* RFC822.SIZE */
	gboolean has_body;
	guint64  modseq;       /* CONDSTORE: its MODSEQ, when asked */
	MpMessage *meta;       /* from BODYSTRUCTURE, when asked */
} Fetched;

static void
fetched_clear (Fetched *f)
{
	g_free (f->flags);
	g_free (f->internaldate);
	g_clear_pointer (&f->meta, mp_message_free);
	memset (f, 0, sizeof *f);
}

static void
read_msg_att (const MpImapValue *att, Fetched *f)
{
	guint n = mp_imap_value_get_n_children (att);

	for (guint i = 0; i + 1 < n; i += 2) {
		const MpImapValue *k = mp_imap_value_get_child (att, i);
		const MpImapValue *v = mp_imap_value_get_child (att, i + 1);
		guint64 num;
		gsize len;
		const char *s;

		if (mp_imap_value_is_atom (k, "UID") && mp_imap_value_get_number (v, &num) && num <= G_MAXUINT32) {
			f->uid = (guint32) num;
		} else if (mp_imap_value_is_atom (k, "FLAGS") && mp_imap_value_is_list (v)) {
			g_autoptr(GString) fl = g_string_new (NULL);
			for (guint j = 0; j < mp_imap_value_get_n_children (v); j++) {
				const char *a = mp_imap_value_get_string (mp_imap_value_get_child (v, j), &len);
				if (a == NULL || g_ascii_strcasecmp (a, "\\Recent") == 0)
					continue; /* \Recent is the server's to set (RFC 3501 §2.3.2) */
				if (g_ascii_strcasecmp (a, "\\Deleted") == 0)
					f->deleted = TRUE;
				if (g_ascii_strcasecmp (a, "\\Seen") == 0)
					f->seen = TRUE;
				if (fl->len)
					g_string_append_c (fl, ' ');
				g_string_append (fl, a);
			}
			g_free (f->flags);
			f->flags = g_string_free (g_steal_pointer (&fl), FALSE);
		} else if (mp_imap_value_is_atom (k, "INTERNALDATE") && (s = mp_imap_value_get_string (v, &len))) {
			g_free (f->internaldate);
			f->internaldate = g_strndup (s, len);
		} else if (mp_imap_value_is_atom (k, "RFC822.SIZE") && mp_imap_value_get_number (v, &num)) {
			f->size = num;
		} else if (mp_imap_value_is_atom (k, "BODY[]")) {
			f->has_body = TRUE;
		} else if (mp_imap_value_is_atom (k, "MODSEQ") && mp_imap_value_is_list (v) &&
		           mp_imap_value_get_n_children (v) == 1 &&
		           mp_imap_value_get_number (mp_imap_value_get_child (v, 0), &num)) {
			f->modseq = num; /* RFC 7162 §3.1.4: MODSEQ (n) */
		} else if (mp_imap_value_is_atom (k, "BODYSTRUCTURE")) {
			g_clear_pointer (&f->meta, mp_message_free);
			f->meta = mp_message_new ();
			mp_imap_bodystructure_analyze (v, f->meta, mp_mime_decode_header_text);
		}
	}
}

typedef struct {
	Fetched *one;        /* a single message */
	/* or the screening of a whole folder: the UIDs of the messages the
	 * rules would split (by RFC822.SIZE and BODYSTRUCTURE, as a scan
	 * judges them), nothing else kept */
	const MpRuleSet   *rules;
	const MpFixLimits *limits;
	GArray  *candidates; /* guint32 */
	guint64  seen;
	guint64  bytes;      /* their RFC822.SIZE */
	/* --from-report: only the messages the report lists (scan's folder
	 * name and "UID N"), their Message-IDs by UID */
	Run        *run;
	const char *shown;
	GHashTable *listed_ids;
} FetchCtx;

static gboolean
on_fetch (guint64 seq, const MpImapValue *att, gpointer user_data, GError **error)
{
	FetchCtx *ctx = user_data;
	Fetched f = { 0 };

	read_msg_att (att, &f);
	if (f.uid == 0) {
		fetched_clear (&f); /* an unsolicited flag update */
		return TRUE;
	}
	if (ctx->candidates != NULL) {
		ctx->seen++;
		ctx->bytes += f.size;
		/* a message someone marked \Deleted is theirs to expunge: left alone */
		if (!f.deleted && f.meta != NULL) {
			g_auto(GStrv) broken = NULL;
			g_autofree char *locator = g_strdup_printf ("UID %u", f.uid);
			const char *listed_id = NULL;
			Run *run = ctx->run;
			gboolean listed = run->selection == NULL ||
			                  mp_fix_selection_lists (run->selection, run->opt->url, ctx->shown, locator,
			                                          &listed_id);
			f.meta->size = f.size;
			mp_rules_evaluate (ctx->rules, f.meta);
			broken = mp_fix_limits_broken (ctx->limits, f.meta);
			if (listed && broken[0] != NULL) {
				g_array_append_val (ctx->candidates, f.uid);
				if (listed_id != NULL)
					g_hash_table_insert (ctx->listed_ids, GUINT_TO_POINTER (f.uid), (gpointer) listed_id);
			} else if (listed && run->selection != NULL) {
				g_ptr_array_add (run->notes, g_strdup_printf ("folder %s, UID %u is listed by the report but "
				                                              "passes the rules now: left as it is",
				                                              ctx->shown, f.uid));
			}
		}
		fetched_clear (&f);
		return TRUE;
	}
	fetched_clear (ctx->one);
	*ctx->one = f;
	return TRUE;
}

/* UID's flags, date, size and (FD >= 0) its bytes into FD, from offset 0. */
static gboolean
fetch_one (Run *run, guint32 uid, int fd, Fetched *f, GError **error)
{
	g_autofree char *set = g_strdup_printf ("%u", uid);
	FetchCtx ctx = { .one = f };
	/* with CONDSTORE, the MODSEQ of the flags and bytes read (RFC 7162) */
	const char *items = fd >= 0 ? (run->condstore ? "(UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ BODY.PEEK[])"
	                                              : "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
	                            : (run->condstore ? "(UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ)"
	                                              : "(UID FLAGS INTERNALDATE RFC822.SIZE)");
	gboolean ok;

	if (fd >= 0 && (ftruncate (fd, 0) != 0 || lseek (fd, 0, SEEK_SET) != 0)) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "a temporary file: %s", g_strerror (errno));
		return FALSE;
	}
	fetched_clear (f);
	run->sink.fd = fd;
	ok = mp_imap_client_uid_fetch (run->client, set, items, on_fetch, &ctx, error);
	run->sink.fd = -1;
	if (!ok)
		return FALSE;
	if (f->uid != uid || (fd >= 0 && !f->has_body)) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "%s: message UID %u is no longer there",
		             mp_imap_client_get_display_url (run->client), uid);
		return FALSE;
	}
	return TRUE;
}

/* ---- one message ------------------------------------------------------ */

/* A built part: its stream, octets and SHA-256. */
typedef struct {
	MpFixPart *part;
	guint64    octets;
	char       sha256[65];
} Built;

static gboolean
stream_digest (GMimeStream *stream, guint64 *octets, char sha256[65])
{
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char buf[65536];
	gssize n;

	*octets = 0;
	if (g_mime_stream_reset (stream) != 0)
		return FALSE;
	while ((n = mp_fix_stream_read (stream, buf, sizeof buf)) > 0) {
		mp_fix_sha_update (sha, buf, (gsize) n);
		*octets += (guint64) n;
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), sha256);
	return n == 0 && g_mime_stream_reset (stream) == 0;
}

static gboolean
fd_digest (int fd, guint64 *octets, char sha256[65])
{
	g_autoptr(MpFixSha) sha = mp_fix_sha_new ();
	char buf[65536];
	ssize_t n;

	*octets = 0;
	if (lseek (fd, 0, SEEK_SET) != 0)
		return FALSE;
	while ((n = read (fd, buf, sizeof buf)) > 0) {
		mp_fix_sha_update (sha, buf, (gsize) n);
		*octets += (guint64) n;
	}
	mp_fix_sha_finish (g_steal_pointer (&sha), sha256);
	return n == 0;
}

static gssize
stream_source (guint8 *buf, gsize len, gpointer data, GError **error)
{
	gssize n = mp_fix_stream_read (data, (char *) buf, len);
	if (n < 0)
		g_set_error (error, MP_ERROR, MP_ERROR_READ, "a built part cannot be read");
	return n;
}

/* The same flags, whatever their order. */
static gboolean
same_flags (const char *a, const char *b)
{
	g_auto(GStrv) x = g_strsplit (a ? a : "", " ", -1);
	g_auto(GStrv) y = g_strsplit (b ? b : "", " ", -1);

	if (g_strv_length (x) != g_strv_length (y))
		return FALSE;
	for (gsize i = 0; x[i]; i++) {
		gboolean found = FALSE;
		for (gsize j = 0; y[j] && !found; j++)
			found = g_ascii_strcasecmp (x[i], y[j]) == 0;
		if (!found)
			return FALSE;
	}
	return TRUE;
}

static gboolean
same_date (const char *a, const char *b)
{
	g_autoptr(GDateTime) x = a ? mp_imap_date_time_parse (a) : NULL;
	g_autoptr(GDateTime) y = b ? mp_imap_date_time_parse (b) : NULL;
	return x != NULL && y != NULL && g_date_time_compare (x, y) == 0;
}

/* Appends the fetched original (FD, SIZE octets) to the backup mbox:
 * a From_ line with its INTERNALDATE, its bytes mboxrd-quoted (RFC 4155,
 * DEFINITIONS.md), an empty line; then fsync. */
static gboolean
backup_append (Run *run, MpFixBackupEntry *e, int fd, gint64 arrival, GError **error)
{
	g_autofree char *from = mp_fix_from_line (NULL, arrival);
	g_autoptr(GByteArray) out = g_byte_array_new ();
	MpFixQuoter q;
	char buf[65536];
	ssize_t n;
	off_t start = lseek (run->backup_fd, 0, SEEK_END);
	guint64 length = 0;

	if (start < 0 || lseek (fd, 0, SEEK_SET) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", run->opt->backup, g_strerror (errno));
		return FALSE;
	}
	g_byte_array_append (out, (const guint8 *) from, (guint) strlen (from));
	g_byte_array_append (out, (const guint8 *) "\n", 1);
	if (!mp_fix_write_all (run->backup_fd, out->data, out->len, run->opt->backup, error))
		return FALSE;
	e->backup_offset = (guint64) start + out->len;
	mp_fix_quoter_init (&q, TRUE);
	while ((n = read (fd, buf, sizeof buf)) > 0) {
		g_byte_array_set_size (out, 0);
		mp_fix_quoter_feed (&q, (const guint8 *) buf, (gsize) n, out);
		if (!mp_fix_write_all (run->backup_fd, out->data, out->len, run->opt->backup, error))
			return FALSE;
		length += out->len;
	}
	g_byte_array_set_size (out, 0);
	mp_fix_quoter_finish (&q, out);
	length += out->len;
	/* the separator: the message's own line end is kept, an empty line follows */
	g_byte_array_append (out, (const guint8 *) "\n", 1);
	if (n < 0 || !mp_fix_write_all (run->backup_fd, out->data, out->len, run->opt->backup, error))
		return FALSE;
	if (fsync (run->backup_fd) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: fsync: %s", run->opt->backup, g_strerror (errno));
		return FALSE;
	}
	e->backup_length = length;
	return TRUE;
}

/* Finds parts of the original with hash SHA already in the folder (a cut
 * run appended them) and puts their UIDs where their bytes match a built
 * part's. */
static gboolean
find_existing_parts (Run *run, const char *sha, GPtrArray *built, guint32 *uids, int fd, GError **error)
{
	g_autofree char *value = g_strdup_printf ("sha256=%s", sha);
	g_autoptr(GArray) found = mp_imap_write_search_header (run->client, SPLIT_HEADER, value, error);

	if (found == NULL)
		return FALSE;
	for (guint i = 0; i < found->len; i++) {
		guint32 uid = g_array_index (found, guint32, i);
		Fetched f = { 0 };
		guint64 octets;
		char digest[65];

		if (!fetch_one (run, uid, fd, &f, error))
			return FALSE;
		if (!f.deleted && fd_digest (fd, &octets, digest)) {
			for (guint k = 0; k < built->len; k++) {
				const Built *b = g_ptr_array_index (built, k);
				if (uids[k] == 0 && b->octets == octets && strcmp (b->sha256, digest) == 0) {
					uids[k] = uid;
					break;
				}
			}
		}
		fetched_clear (&f);
	}
	return TRUE;
}

typedef enum { DONE, SKIPPED, STOPPED } Outcome;

static void
built_free (Built *b)
{
	mp_fix_part_free (b->part);
	g_free (b);
}

/* A message that breaks the rules but cannot be fixed: its record says
 * why, as the local fix's does (action "not_fixed"). */
static void
not_fixed (MpFixRecord **rec, const char *reason, MpFixRecord **rec_out, char **why)
{
	(*rec)->action = MP_FIX_ACTION_NOT_FIXED;
	(*rec)->why = g_strdup (reason);
	*why = g_strdup (reason);
	*rec_out = g_steal_pointer (rec);
}

/* Plans and builds the parts of the message in FD (SIZE octets) exactly
 * as the local fix does; NULL with *WHY when it is not to be changed (and
 * then *REC_OUT, when it breaks the rules, says why). */
static GPtrArray *
build_parts (Run *run, const char *folder, const Fetched *orig, int fd, MpFixRecord **rec_out, char **why,
             GError **error)
{
	MpFixItem item = { 0 };
	g_autoptr(MpMessage) m = NULL;
	g_auto(GStrv) rules = NULL;
	g_autoptr(GMimeStream) canon = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(MpFixCut) cut = NULL;
	g_autoptr(MpFixPlan) plan = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GPtrArray) built = g_ptr_array_new_with_free_func ((GDestroyNotify) built_free);
	g_autoptr(MpFixRecord) rec = NULL;
	g_autofree char *rules_text = NULL;
	g_autofree char *locator = g_strdup_printf ("UID %u", orig->uid);
	g_autoptr(GDateTime) date = orig->internaldate ? mp_imap_date_time_parse (orig->internaldate) : NULL;
	MpFixBuildInfo info = { 0 };
	MpFixPlanOptions popt = { 0 };

	item.folder = (char *) folder;
	item.index = orig->uid;
	item.locator = locator;
	item.env.flags = orig->seen ? MP_FIX_SEEN : 0;
	item.env.arrival = date ? g_date_time_to_unix (date) : MP_FIX_NO_TIME;
	item.kind = MP_FIX_STORED_FILE;
	item.fd = fd;
	item.start = 0;
	item.end = orig->size;
	item.size = orig->size;
	m = mp_fix_item_analyze (&item, run->analyzer, run->opt->rules);
	rules = mp_fix_limits_broken (&run->limits, m);
	if (rules[0] == NULL) {
		*why = g_strdup ("passes the rules once read in full");
		return NULL;
	}
	rec = mp_fix_record_new (run->opt->url, m, g_steal_pointer (&rules)); /* it takes RULES */
	if (run->listed_id != NULL && g_strcmp0 (run->listed_id, m->message_id) != 0) {
		g_autofree char *w = g_strdup_printf ("the message here is not the one the report lists (Message-ID "
		                                      "<%s>, the report has <%s>): scan again",
		                                      m->message_id ? m->message_id : "", run->listed_id);
		not_fixed (&rec, w, rec_out, why);
		return NULL;
	}
	if ((m->flags & (MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED | MP_MSG_FLAG_SMIME_OPAQUE)) &&
	    !run->opt->allow_break_signatures) {
		not_fixed (&rec, "signed or encrypted: changing it would break the signature or the encryption "
		                 "(--allow-break-signatures to change it anyway)", rec_out, why);
		return NULL;
	}
	if ((canon = mp_fix_item_stream (&item, run->tmpdir, error)) == NULL ||
	    !mp_fix_stream_sha256 (canon, rec->sha256, error))
		return NULL;
	g_mime_stream_reset (canon);
	parser = g_mime_parser_new_with_stream (canon);
	g_mime_parser_set_persist_stream (parser, TRUE);
	if ((msg = g_mime_parser_construct_message (parser, NULL)) == NULL) {
		not_fixed (&rec, "GMime cannot parse it", rec_out, why);
		return NULL;
	}
	if ((rec->atts = mp_fix_attachment_index (msg, canon, error)) == NULL ||
	    (cut = mp_fix_cut_new (canon, msg, run->opt->allow_break_signatures, error)) == NULL)
		return NULL;
	rules_text = g_strjoinv (", ", rec->rules);
	info.message_id = g_mime_message_get_message_id (msg);
	info.sha256 = rec->sha256;
	info.subject = rec->subject;
	info.limits_text = run->limits_text;
	info.rules_text = rules_text;
	popt.mode = MP_FIX_MODE_SPLIT;
	popt.limits = &run->limits;
	popt.info = &info;
	if ((plan = mp_fix_plan_new (cut, run->analyzer, &popt, error)) == NULL)
		return NULL;
	if (plan->why_not != NULL) {
		not_fixed (&rec, plan->why_not, rec_out, why);
		return NULL;
	}
	if ((parts = mp_fix_build (plan, &info, error)) == NULL)
		return NULL;
	for (guint i = 0; i < parts->len; i++) {
		MpFixPart *p = g_ptr_array_index (parts, i);
		MpFixPartRecord *pr = mp_fix_record_add_part (rec, p->k);
		Built *b = g_new0 (Built, 1);

		pr->message_id = g_strdup (p->message_id);
		pr->size = p->size;
		pr->attachments = p->attachments;
		b->part = p;
		g_ptr_array_add (built, b);
		if (!stream_digest (p->stream, &b->octets, b->sha256)) {
			g_set_error (error, MP_ERROR, MP_ERROR_READ, "part %u/%u cannot be read back", p->k, p->n);
			return NULL;
		}
		/* the parts as built pass the rules (the local fix's dry-run check) */
		if (!mp_fix_check_part_stream (run->check, rec, p->k, p->stream, error))
			return NULL;
	}
	g_ptr_array_set_free_func (parts, NULL); /* the parts now belong to BUILT */
	if (!mp_fix_check_record (run->check, rec, NULL, error))
		return NULL;
	*rec_out = g_steal_pointer (&rec);
	return g_steal_pointer (&built);
}

/* REC goes to the reports once its folder is done (keep_records_flush):
 * where it is on the server and, with --apply, in the backup. */
static void
keep_record (Run *run, MpFixRecord **rec, guint32 uidvalidity, guint32 uid, const char *state,
             const MpFixBackupEntry *e)
{
	MpFixRecord *r = g_steal_pointer (rec);

	if (r == NULL)
		return;
	r->uidvalidity = uidvalidity;
	r->uid = uid;
	r->state = state;
	r->out_folder = g_strdup (r->folder); /* fixed in place */
	if (e != NULL) {
		r->backup = g_strdup (run->backup_abs);
		r->backup_offset = e->backup_offset;
		r->backup_length = e->backup_length;
	}
	if (r->action == MP_FIX_ACTION_NOT_FIXED) {
		run->totals.not_fixed++;
	} else {
		run->totals.split++;
		run->totals.parts += r->parts->len;
	}
	if (run->reports_open)
		g_ptr_array_add (run->records, r);
	else
		mp_fix_record_free (r);
}

/* Another client changed the original (its flags) while its parts were
 * made (CONDSTORE said MODIFIED): the parts carry the old flags, so the
 * original is left as it is, not marked; its parts are marked \Deleted so
 * that no client shows the message twice — kept, named in the backup
 * manifest as stale, expunged only with --expunge — and the entry goes
 * back to backed-up: the same command run again splits it afresh, with its
 * flags as they are then. Takes REC. */
static gboolean
modified_meanwhile (Run *run, MpFixBackupEntry *e, MpFixRecord *rec, const char *shown, guint32 uid,
                    GError **error)
{
	g_autoptr(MpFixRecord) r = rec;
	g_autoptr(GString) list = g_string_new (NULL);

	for (guint k = 0; k < e->parts->len; k++) {
		guint32 p = g_array_index (e->parts, guint32, k);
		if (p == 0)
			continue;
		if (!mp_imap_write_mark_deleted (run->client, p, error))
			return FALSE;
		g_array_append_val (e->stale, p);
		g_string_append_printf (list, "%s%u", list->len ? "," : "", p);
	}
	g_array_set_size (e->parts, 0);
	e->state = MP_FIX_BACKUP_BACKED_UP;
	if (!manifest_write (run, error))
		return FALSE;
	run->not_fixed++;
	r->action = MP_FIX_ACTION_NOT_FIXED;
	r->why = g_strdup_printf ("another client changed it during the run (RFC 7162 MODSEQ): left as it is, "
	                          "not marked \\Deleted; its parts (UID %s) were marked \\Deleted and are "
	                          "expunged only with --expunge. Run the same command again to split it with "
	                          "its flags as they are now", list->str);
	g_ptr_array_add (run->notes, g_strdup_printf ("folder %s, UID %u: %s", shown, uid, r->why));
	keep_record (run, &r, e->uidvalidity, uid, NULL, e);
	return TRUE;
}

/* Steps 1-6 for the original UID of FOLDER (see imap-apply.h). */
static Outcome
fix_one (Run *run, const char *folder, const char *shown, guint32 uidvalidity, guint32 uid, int fd, int fd2,
         GError **error)
{
	const MpFixImapOptions *opt = run->opt;
	Fetched orig = { 0 }, after = { 0 };
	g_autoptr(GPtrArray) built = NULL;
	g_autoptr(MpFixRecord) rec = NULL;
	g_autofree char *why = NULL;
	g_autofree guint32 *uids = NULL;
	MpFixBackupEntry *e = opt->apply ? find_entry (run, folder, uidvalidity, uid) : NULL;
	gboolean seen_before;
	Outcome outcome = DONE;

	/* 1. fetch it, never setting \Seen */
	if (!fetch_one (run, uid, -1, &orig, error))
		return STOPPED;
	seen_before = orig.seen;
	if (!fetch_one (run, uid, fd, &orig, error) || !fetch_one (run, uid, -1, &after, error)) {
		fetched_clear (&orig);
		fetched_clear (&after);
		return STOPPED;
	}
	if (after.seen != seen_before) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "%s: folder %s, UID %u: fetching it with BODY.PEEK[] "
		             "changed its \\Seen flag: the server does not honour PEEK; stopped",
		             mp_imap_client_get_display_url (run->client), shown, uid);
		outcome = STOPPED;
		goto out;
	}
	if (run->sink.got != orig.size)
		orig.size = run->sink.got; /* what the server sent is what is kept */
	built = build_parts (run, shown, &orig, fd, &rec, &why, error);
	if (built == NULL) {
		if (why == NULL) {
			outcome = STOPPED;
			goto out;
		}
		run->not_fixed++;
		g_ptr_array_add (run->notes, g_strdup_printf ("folder %s, UID %u: not changed: %s", shown, uid, why));
		keep_record (run, &rec, uidvalidity, uid, "untouched", e);
		outcome = SKIPPED;
		goto out;
	}
	if (!opt->apply) {
		run->split++;
		run->parts += built->len;
		keep_record (run, &rec, uidvalidity, uid, "planned", NULL);
		goto out;
	}
	/* 2. the backup first */
	if (e == NULL) {
		g_autoptr(GDateTime) d = orig.internaldate ? mp_imap_date_time_parse (orig.internaldate) : NULL;
		e = mp_fix_backup_entry_new ();
		e->folder = g_strdup (folder);
		e->uidvalidity = uidvalidity;
		e->uid = uid;
		memcpy (e->sha256, rec->sha256, 65);
		e->message_id = g_strdup (rec->message_id);
		e->internaldate = g_strdup (orig.internaldate);
		e->flags = g_strdup (orig.flags);
		e->size = orig.size;
		if (!backup_append (run, e, fd, d ? g_date_time_to_unix (d) : 0, error)) {
			mp_fix_backup_entry_free (e);
			outcome = STOPPED;
			goto out;
		}
		e->state = MP_FIX_BACKUP_BACKED_UP;
		g_ptr_array_add (run->entries, e);
		if (!manifest_write (run, error)) {
			outcome = STOPPED;
			goto out;
		}
	} else if (strcmp (e->sha256, rec->sha256) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "folder %s, UID %u is not the message the backup "
		             "manifest recorded (SHA-256 differs): stopped", shown, uid);
		outcome = STOPPED;
		goto out;
	}
	/* 4. the parts: those a cut run appended are found, the rest appended */
	uids = g_new0 (guint32, built->len);
	if (!find_existing_parts (run, rec->sha256, built, uids, fd2, error)) {
		outcome = STOPPED;
		goto out;
	}
	for (guint k = 0; k < built->len; k++) {
		Built *b = g_ptr_array_index (built, k);
		guint32 v = 0, u = 0;
		GError *local = NULL;

		if (uids[k] != 0) {
			run->reused++;
			continue;
		}
		g_mime_stream_reset (b->part->stream);
		if (!mp_imap_write_append (run->client, folder, orig.flags, orig.internaldate, b->octets, stream_source,
		                           b->part->stream, &v, &u, &local)) {
			if (local->code == MP_ERROR_FAILED && !mp_imap_client_is_broken (run->client)) {
				/* refused (APPENDLIMIT, quota): this message stops, its
				 * original untouched; the parts it got so far are marked
				 * \Deleted so that no client shows them twice, and are
				 * named in the manifest (never expunged but with --expunge) */
				g_autofree char *msg = g_strdup (local->message);
				g_error_free (local);
				if (!find_existing_parts (run, rec->sha256, built, uids, fd2, error)) {
					outcome = STOPPED;
					goto out;
				}
				g_array_set_size (e->parts, 0);
				for (guint j = 0; j < built->len; j++) {
					if (uids[j] == 0)
						continue;
					g_array_append_val (e->stale, uids[j]);
					if (!mp_imap_write_mark_deleted (run->client, uids[j], error)) {
						outcome = STOPPED;
						goto out;
					}
				}
				e->state = MP_FIX_BACKUP_REFUSED;
				run->refused++;
				g_ptr_array_add (run->notes, g_strdup_printf ("folder %s, UID %u: the server refused part "
				                                              "%u/%u (%s): the original is untouched",
				                                              shown, uid, k + 1, built->len, msg));
				rec->action = MP_FIX_ACTION_NOT_FIXED;
				rec->why = g_strdup_printf ("the server refused part %u/%u (%s): the original is untouched",
				                            k + 1, built->len, msg);
				keep_record (run, &rec, uidvalidity, uid, NULL, e);
				outcome = manifest_write (run, error) ? SKIPPED : STOPPED;
				goto out;
			}
			g_propagate_error (error, local);
			outcome = STOPPED;
			goto out;
		}
		uids[k] = v == uidvalidity ? u : 0;
		/* the folder grew by one: its later answers may be that much longer */
		mp_imap_client_note_exists (run->client, ++run->exists);
		run->parts++;
		g_array_set_size (e->parts, built->len);
		g_array_index (e->parts, guint32, k) = uids[k];
		e->state = MP_FIX_BACKUP_PARTS_APPENDED;
		if (!manifest_write (run, error)) {
			outcome = STOPPED;
			goto out;
		}
	}
	/* without UIDPLUS: the UIDs are found by their header */
	for (guint k = 0; k < built->len; k++) {
		if (uids[k] == 0) {
			if (!find_existing_parts (run, rec->sha256, built, uids, fd2, error)) {
				outcome = STOPPED;
				goto out;
			}
			break;
		}
	}
	g_array_set_size (e->parts, 0);
	g_array_append_vals (e->parts, uids, built->len);
	e->state = MP_FIX_BACKUP_PARTS_APPENDED;
	/* 5. read every part back */
	for (guint k = 0; k < built->len; k++) {
		Built *b = g_ptr_array_index (built, k);
		Fetched f = { 0 };
		guint64 octets;
		char digest[65];
		gboolean ok;

		if (uids[k] == 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "folder %s, UID %u: part %u/%u was appended but "
			             "cannot be found again: the original is kept", shown, uid, k + 1, built->len);
			outcome = STOPPED;
			goto out;
		}
		if (!fetch_one (run, uids[k], fd2, &f, error)) {
			outcome = STOPPED;
			goto out;
		}
		ok = fd_digest (fd2, &octets, digest) && octets == b->octets && strcmp (digest, b->sha256) == 0 &&
		     same_flags (f.flags, orig.flags) && same_date (f.internaldate, orig.internaldate);
		if (!ok) {
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "verification failed: folder %s, UID %u: part %u/%u "
			             "(UID %u) is not what was appended (bytes, flags or INTERNALDATE): the original is "
			             "kept", shown, uid, k + 1, built->len, uids[k]);
			fetched_clear (&f);
			outcome = STOPPED;
			goto out;
		}
		/* byte for byte the part checked before its APPEND (build_parts:
		 * within the rules, every attachment in exactly one part) */
		fetched_clear (&f);
	}
	e->state = MP_FIX_BACKUP_VERIFIED;
	if (!manifest_write (run, error)) {
		outcome = STOPPED;
		goto out;
	}
	/* 6. only now is the original marked: with CONDSTORE only if nobody
	 * changed it since it was read (its flags are the parts' flags) */
	if (run->condstore && orig.modseq > 0) {
		gboolean modified = FALSE;
		if (!mp_imap_write_mark_deleted_unchanged (run->client, uid, orig.modseq, &modified, error)) {
			outcome = STOPPED;
			goto out;
		}
		if (modified) {
			outcome = modified_meanwhile (run, e, rec, shown, uid, error) ? SKIPPED : STOPPED;
			rec = NULL; /* kept for the reports */
			goto out;
		}
	} else if (!mp_imap_write_mark_deleted (run->client, uid, error)) {
		outcome = STOPPED;
		goto out;
	}
	e->state = MP_FIX_BACKUP_DELETED;
	run->deleted++;
	run->split++;
	if (!manifest_write (run, error))
		outcome = STOPPED;
	for (guint k = 0; k < built->len && k < rec->parts->len; k++) {
		MpFixPartRecord *pr = g_ptr_array_index (rec->parts, k);
		pr->uid = uids[k];
		pr->locator = g_strdup_printf ("UID %u", uids[k]);
	}
	keep_record (run, &rec, uidvalidity, uid, NULL, e);
out:
	fetched_clear (&orig);
	fetched_clear (&after);
	return outcome;
}

/* 7. UID EXPUNGE of the originals of FOLDER this backup marked. */
static gboolean
expunge_folder (Run *run, const char *folder, guint32 uidvalidity, GError **error)
{
	g_autoptr(GString) set = g_string_new (NULL);

	for (guint i = 0; i < run->entries->len; i++) {
		MpFixBackupEntry *e = g_ptr_array_index (run->entries, i);
		if (e->uidvalidity != uidvalidity || strcmp (e->folder, folder) != 0)
			continue;
		if (e->state == MP_FIX_BACKUP_DELETED)
			g_string_append_printf (set, "%s%u", set->len ? "," : "", e->uid);
		/* parts of a refused attempt, marked \Deleted then */
		for (guint k = 0; k < e->stale->len; k++)
			g_string_append_printf (set, "%s%u", set->len ? "," : "", g_array_index (e->stale, guint32, k));
	}
	if (set->len == 0)
		return TRUE;
	if (!mp_imap_write_uid_expunge (run->client, set->str, error))
		return FALSE;
	for (guint i = 0; i < run->entries->len; i++) {
		MpFixBackupEntry *e = g_ptr_array_index (run->entries, i);
		if (e->uidvalidity != uidvalidity || strcmp (e->folder, folder) != 0)
			continue;
		g_array_set_size (e->stale, 0);
		if (e->state == MP_FIX_BACKUP_DELETED) {
			e->state = MP_FIX_BACKUP_EXPUNGED;
			run->expunged++;
		}
	}
	return manifest_write (run, error);
}

static gint
cmp_uid (gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
	return x < y ? -1 : x > y;
}

/* The records of FOLDER (its name on the server) to the reports, now that
 * it is done (or stopped): each applied one with the state the backup
 * manifest gives it (after --expunge: "expunged"). */
static void
records_flush (Run *run, const char *folder)
{
	for (guint i = 0; i < run->records->len; i++) {
		MpFixRecord *r = g_ptr_array_index (run->records, i);
		const MpFixBackupEntry *e = r->backup ? find_entry (run, folder, r->uidvalidity, r->uid) : NULL;

		if (e != NULL)
			r->state = mp_fix_backup_state_name (e->state);
		if (run->manifest)
			mp_fix_manifest_record (run->manifest, r);
		if (run->html)
			mp_fix_html_record (run->html, r);
	}
	g_ptr_array_set_size (run->records, 0);
}

static gboolean
process_folder (Run *run, const MpImapFolder *folder, int fd, int fd2, GError **error)
{
	MpImapMailboxInfo info = { 0 };
	g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (guint32));
	g_autoptr(GHashTable) listed_ids = g_hash_table_new (NULL, NULL);
	FetchCtx ctx = { .rules = run->opt->rules, .limits = &run->limits, .candidates = candidates,
	                 .run = run, .shown = folder->display, .listed_ids = listed_ids };
	gboolean ok = TRUE;

	/* a dry run opens it read-only; --apply must SELECT to write */
	if (!(run->opt->apply ? mp_imap_client_select (run->client, folder->name, &info, error)
	                      : mp_imap_client_examine (run->client, folder->name, &info, error))) {
		g_prefix_error (error, "folder %s: ", folder->display);
		return FALSE;
	}
	if (info.exists > 0 &&
	    !mp_imap_client_uid_fetch (run->client, "1:*", "(UID FLAGS RFC822.SIZE BODYSTRUCTURE)", on_fetch, &ctx,
	                               error)) {
		g_prefix_error (error, "folder %s: ", folder->display);
		return FALSE;
	}
	run->messages += ctx.seen;
	run->totals.folders++;
	run->totals.messages += ctx.seen;
	run->totals.bytes += ctx.bytes;
	run->exists = info.exists;
	g_array_sort (candidates, cmp_uid);
	for (guint i = 0; ok && i < candidates->len; i++) {
		guint32 uid = g_array_index (candidates, guint32, i);

		if (interrupted) {
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "interrupted by signal %d", (int) interrupted);
			ok = FALSE;
			break;
		}
		run->candidates++;
		if (run->opt->progress) {
			fprintf (stderr, "\r\033[Kfixing %s: message %u of %u (UID %u), %" G_GUINT64_FORMAT " split so far",
			         folder->display, i + 1, candidates->len, uid, run->split);
			fflush (stderr);
		}
		run->listed_id = g_hash_table_lookup (listed_ids, GUINT_TO_POINTER (uid));
		if (fix_one (run, folder->name, folder->display, info.uidvalidity, uid, fd, fd2, error) == STOPPED) {
			g_prefix_error (error, "folder %s: ", folder->display);
			ok = FALSE;
		}
	}
	if (run->opt->progress) {
		fputs ("\r\033[K", stderr);
		fflush (stderr);
	}
	if (ok && run->opt->apply && run->opt->expunge && !expunge_folder (run, folder->name, info.uidvalidity, error)) {
		g_prefix_error (error, "folder %s: ", folder->display);
		ok = FALSE;
	}
	records_flush (run, folder->name);
	return ok;
}

/* The folders to fix: the URL's, or every one that can be opened. */
static GPtrArray *
folders_to_fix (Run *run, GError **error)
{
	g_autoptr(GPtrArray) all = mp_imap_client_list (run->client, error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_imap_folder_free);

	if (all == NULL)
		return NULL;
	for (guint i = 0; i < all->len; i++) {
		MpImapFolder *f = g_ptr_array_index (all, i);
		gboolean wanted;
		if (f->noselect || (f->special_use & (MP_SPECIAL_USE_ALL | MP_SPECIAL_USE_FLAGGED)))
			continue; /* RFC 6154: virtual folders hold other folders' mail */
		/* shown '/'-separated whatever the server's delimiter, as a scan
		 * names it (source-imap.c): the reports and --from-report agree */
		if (f->delimiter && f->delimiter != '/')
			g_strdelimit (f->display, (char[]) { f->delimiter, '\0' }, '/');
		wanted = run->url.folder == NULL || strcmp (run->url.folder, f->display) == 0 ||
		         strcmp (run->url.folder, f->name) == 0;
		if (wanted)
			g_ptr_array_add (out, g_steal_pointer (&g_ptr_array_index (all, i)));
	}
	if (out->len == 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: no folder %s", run->opt->url,
		             run->url.folder ? run->url.folder : "");
		return NULL;
	}
	return g_steal_pointer (&out);
}

static gboolean
connect_account (Run *run, GError **error)
{
	const MpFixImapOptions *opt = run->opt;
	MpImapClientOptions co = { 0 };
	MpImapParserSettings ps;
	g_autofree char *host = NULL;

	if (!mp_imap_url_parse (opt->url, &run->url, error))
		return FALSE;
	host = g_strdup (run->url.host);
	if (opt->admin_user) {
		co.admin.user = opt->admin_user;
		co.admin.form = opt->admin_separator ? MP_IMAP_ADMIN_SEPARATOR : MP_IMAP_ADMIN_AUTHZID;
		co.admin.separator = opt->admin_separator;
		if ((run->password = mp_imap_admin_password_get (&run->url, host, opt->admin_password_file,
		                                                 error)) == NULL)
			return FALSE;
	} else {
		MpImapSecretOptions so = {
			.password_file = opt->password_file,
			.token_file = opt->oauth2_token_file,
			.host = host,
			.interactive = opt->interactive,
		};
		if (!mp_imap_secret_for (&run->url, &so, &run->password, &run->token, error))
			return FALSE;
	}
	mp_imap_parser_settings_init (&ps);
	ps.literal_begin = sink_begin;
	ps.literal_data = sink_data;
	ps.user_data = &run->sink;
	run->sink.fd = -1;
	co.ca_file = opt->ca_file;
	co.insecure_skip_verify = opt->insecure_skip_verify;
	co.allow_plaintext = opt->allow_plaintext;
	co.timeout_ms = opt->timeout_ms;
	co.command_timeout_ms = opt->command_timeout_ms;
	co.parser_settings = &ps;
	run->client = mp_imap_client_new (&run->url, &co);
	if (!mp_imap_client_connect (run->client, error) ||
	    !mp_imap_client_authenticate (run->client, run->password, run->token, error))
		return FALSE;
	if (opt->apply)
		mp_imap_write_enable (run->client);
	run->condstore = opt->apply && mp_imap_client_has_capability (run->client, "CONDSTORE");
	return TRUE;
}

/* --backup: a new file, or this account's own backup being resumed. */
static gboolean
open_backup (Run *run, GError **error)
{
	const char *path = run->opt->backup;
	gboolean exists = g_file_test (path, G_FILE_TEST_EXISTS);
	gboolean has_manifest;

	run->manifest_path = g_strdup_printf ("%s.json", path);
	has_manifest = g_file_test (run->manifest_path, G_FILE_TEST_EXISTS);
	if (exists != has_manifest || (exists && !g_file_test (path, G_FILE_TEST_IS_REGULAR))) {
		g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "--backup %s: %s exists but %s does not: this is not a "
		             "backup of an earlier run to resume; give a new file", path,
		             exists ? path : run->manifest_path, exists ? run->manifest_path : path);
		return FALSE;
	}
	if (exists && !manifest_read (run, error))
		return FALSE;
	run->backup_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (run->backup_fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "--backup %s: %s", path, g_strerror (errno));
		return FALSE;
	}
	if (!exists) {
		/* the new file's name is durable too */
		g_autofree char *dir = g_path_get_dirname (path);
		int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync (dfd);
			close (dfd);
		}
		return manifest_write (run, error);
	}
	return TRUE;
}

/* --json, --html: the local fix's reports, opened once the server's
 * APPENDLIMIT is known (it is part of the limits they state). */
static gboolean
open_reports (Run *run, GError **error)
{
	const MpFixImapOptions *opt = run->opt;
	const char *account = run->client ? mp_imap_client_get_display_url (run->client) : opt->url;
	MpFixRunInfo info = {
		.command = opt->command,
		.mode = "split",
		.dry_run = !opt->apply,
		.out = account, /* fixed in place */
		.attachments = NULL,
		.rules = opt->rules,
		.limits = &run->limits,
		.opt = &run->report_opt,
	};

	run->reports_open = TRUE;
	run->report_opt.mode = MP_FIX_MODE_SPLIT;
	run->report_opt.out = account;
	run->report_opt.out_format = MP_FIX_FORMAT_SAME;
	run->report_opt.rules = opt->rules;
	run->report_opt.level = opt->level;
	run->report_opt.allow_break_signatures = opt->allow_break_signatures;
	run->report_opt.dry_run = !opt->apply;
	run->report_opt.from_report = opt->from_report;
	if (opt->json && (run->manifest = mp_fix_manifest_new (opt->json, &info, error)) == NULL)
		return FALSE;
	if (opt->html && (run->html = mp_fix_html_new (opt->html, &info, error)) == NULL)
		return FALSE;
	run->totals.sources = 1;
	if (run->manifest)
		mp_fix_manifest_source_begin (run->manifest, opt->url, "imap", account);
	return TRUE;
}

/* The reports' end: totals and outcome (ERROR, or NULL). */
static void
close_reports (Run *run, const GError *error)
{
	MpFixTotals *t = &run->totals;
	MpFixOutcome o = {
		.verified = run->opt->apply && error == NULL, /* every part read back before its original was marked */
		.committed = run->opt->apply && error == NULL,
		.error = error ? error->message : NULL,
	};
	g_autoptr(GError) e = NULL;

	/* the account's messages after the run: those left as they were and
	 * the parts (planned, in a dry run) */
	t->copied = t->messages - MIN (t->messages, t->split + t->not_fixed);
	t->written = t->copied + t->parts;
	if (run->manifest && !mp_fix_manifest_finish (run->manifest, t, &o, &e)) {
		g_printerr ("mailpreflight fix split: %s\n", e->message);
		g_clear_error (&e);
	}
	if (run->html && !mp_fix_html_finish (run->html, t, &o, &e))
		g_printerr ("mailpreflight fix split: %s\n", e->message);
	g_clear_pointer (&run->manifest, mp_fix_manifest_free);
	g_clear_pointer (&run->html, mp_fix_html_free);
}

static void
print_summary (Run *run, const GError *error)
{
	const MpFixImapOptions *opt = run->opt;

	printf ("mailpreflight fix split %s%s\n", opt->url, opt->apply ? "" : " (dry run)");
	printf ("  read:        %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT " over the limits (%s)\n",
	        run->messages, run->candidates, run->limits_text ? run->limits_text : "");
	if (opt->apply) {
		printf ("  split:       %" G_GUINT64_FORMAT " messages; %" G_GUINT64_FORMAT " parts appended, %"
		        G_GUINT64_FORMAT " found from an earlier run\n", run->split, run->parts, run->reused);
		printf ("  originals:   %" G_GUINT64_FORMAT " marked \\Deleted, %" G_GUINT64_FORMAT " expunged%s\n",
		        run->deleted, run->expunged, opt->expunge ? "" : " (--expunge to remove them)");
		printf ("  backup:      %s (manifest %s)\n", opt->backup, run->manifest_path);
	} else {
		printf ("  would split: %" G_GUINT64_FORMAT " messages into %" G_GUINT64_FORMAT " (built and checked "
		        "in memory)\n", run->split, run->parts);
	}
	printf ("  not fixed:   %" G_GUINT64_FORMAT " (left as they are)\n", run->not_fixed + run->refused);
	if (error != NULL)
		printf ("Stopped: %s\n%s", error->message,
		        opt->apply ? "Nothing was lost: every original not marked \\Deleted is untouched, the "
		                     "backup manifest says how far it went; run the same command again to finish.\n" : "");
	else if (!opt->apply)
		printf ("Dry run: nothing was written (--apply --backup FILE.mbox to do it).\n");
	for (guint i = 0; i < run->notes->len; i++)
		printf ("%s  %s\n", i == 0 ? "Notes:\n" : "", (const char *) g_ptr_array_index (run->notes, i));
}

int
mp_fix_imap_run (const MpFixImapOptions *opt)
{
	Run run = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) folders = NULL;
	struct sigaction sa = { 0 };
	int fd = -1, fd2 = -1;
	gboolean ok = FALSE;
	int status;

	run.opt = opt;
	run.backup_fd = -1;
	run.entries = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_backup_entry_free);
	run.notes = g_ptr_array_new_with_free_func (g_free);
	run.records = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_record_free);
	if (!mp_fix_limits_init (&run.limits, opt->rules, opt->level) ||
	    (run.limits.size_max == G_MAXUINT64 && run.limits.count_max == G_MAXUINT64 &&
	     run.limits.count_inline_max == G_MAXUINT64)) {
		g_printerr ("mailpreflight fix split: the rules (%s) have no message-size or attachment-count rule: "
		            "nothing to split for\n", opt->rules->name);
		mp_fix_limits_clear (&run.limits);
		g_ptr_array_unref (run.entries);
		g_ptr_array_unref (run.notes);
		g_ptr_array_unref (run.records);
		return MP_FIX_USAGE;
	}
	if (opt->from_report != NULL) {
		/* a bad report is refused before anything is connected to */
		const char *const sources[] = { opt->url, NULL };
		const char *const *foreign;
		if ((run.selection = mp_fix_selection_load (opt->from_report, sources, &error)) == NULL) {
			error->domain = MP_ERROR;
			error->code = MP_ERROR_USAGE; /* exit 2, as for the local fix */
			goto done;
		}
		foreign = mp_fix_selection_foreign (run.selection);
		for (gsize i = 0; foreign[i]; i++)
			g_ptr_array_add (run.notes, g_strdup_printf ("the report's source %s is not this account: its "
			                                             "messages were not fixed", foreign[i]));
	}
	sa.sa_handler = on_signal;
	sigaction (SIGINT, &sa, NULL);
	sigaction (SIGTERM, &sa, NULL);
	sigaction (SIGHUP, &sa, NULL);
	if (!connect_account (&run, &error))
		goto done;
	/* RFC 7889: a part the server would refuse is never planned */
	run.appendlimit = mp_imap_write_appendlimit (run.client);
	run.limits.size_max = MIN (run.limits.size_max, run.appendlimit);
	run.limits_text = mp_fix_limits_text (&run.limits);
	if ((opt->json || opt->html) && !open_reports (&run, &error)) {
		error->domain = MP_ERROR;
		error->code = MP_ERROR_USAGE; /* a report that cannot be written: exit 2, as for the local fix */
		goto done;
	}
	if (opt->apply && opt->expunge && !mp_imap_client_has_capability (run.client, "UIDPLUS")) {
		g_set_error (&error, MP_ERROR, MP_ERROR_USAGE, "%s: --expunge: the server does not offer UIDPLUS "
		             "(RFC 4315): it cannot expunge single messages by UID, and a plain EXPUNGE would also "
		             "remove every other message marked \\Deleted. Run without --expunge (the originals "
		             "are then only marked \\Deleted)", mp_imap_client_get_display_url (run.client));
		goto done;
	}
	if (opt->apply && !open_backup (&run, &error))
		goto done;
	run.backup_abs = opt->apply ? mp_fix_abs_path (opt->backup) : NULL;
	if ((run.tmpdir = g_dir_make_tmp ("mailpreflight-fix-XXXXXX", &error)) == NULL)
		goto done;
	{
		g_autofree char *p1 = g_build_filename (run.tmpdir, "message", NULL);
		g_autofree char *p2 = g_build_filename (run.tmpdir, "readback", NULL);
		fd = open (p1, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		fd2 = open (p2, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		g_unlink (p1);
		g_unlink (p2);
		if (fd < 0 || fd2 < 0) {
			g_set_error (&error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", run.tmpdir, g_strerror (errno));
			goto done;
		}
	}
	run.analyzer = mp_analyzer_new ();
	run.check = mp_fix_check_new (&run.limits, opt->rules, run.analyzer, run.tmpdir);
	if ((folders = folders_to_fix (&run, &error)) == NULL)
		goto done;
	ok = TRUE;
	for (guint i = 0; ok && i < folders->len; i++)
		ok = process_folder (&run, g_ptr_array_index (folders, i), fd, fd2, &error);
	if (ok)
		mp_imap_client_logout (run.client);
	if (ok && run.selection != NULL) {
		g_auto(GStrv) missing = mp_fix_selection_missing (run.selection);
		for (int i = 0; missing[i]; i++) {
			/* of the folders fixed: the report may cover the whole account */
			gboolean ours = FALSE;
			for (guint j = 0; j < folders->len && !ours; j++) {
				g_autofree char *tag = g_strdup_printf (": folder %s, locator ",
				                                        ((MpImapFolder *) g_ptr_array_index (folders, j))->display);
				ours = strstr (missing[i], tag) != NULL;
			}
			if (ours)
				g_ptr_array_add (run.notes, g_strdup_printf ("listed by the report but not found: %s", missing[i]));
		}
	}
done:
	/* a run stopped before its reports were opened still writes them, with
	 * the reason, unless its arguments were refused (as the local fix) */
	if ((opt->json || opt->html) && !run.reports_open && (error == NULL || error->code != MP_ERROR_USAGE)) {
		g_autoptr(GError) e = NULL;
		if (!open_reports (&run, &e))
			g_printerr ("mailpreflight fix split: %s\n", e->message);
	}
	if (run.reports_open)
		close_reports (&run, error);
	if (error != NULL && !opt->quiet)
		g_printerr ("mailpreflight fix split: %s\n", error->message);
	/* a run refused before its first folder has nothing to sum up */
	if (!opt->quiet && (folders != NULL || error == NULL))
		print_summary (&run, error);
	status = error != NULL ? (error->code == MP_ERROR_USAGE ? MP_FIX_USAGE : MP_FIX_FAILED)
	                       : run.not_fixed + run.refused > 0 ? MP_FIX_NOT_FIXED : MP_FIX_OK;
	if (fd >= 0)
		close (fd);
	if (fd2 >= 0)
		close (fd2);
	if (run.backup_fd >= 0)
		close (run.backup_fd);
	if (run.tmpdir)
		g_rmdir (run.tmpdir);
	g_free (run.tmpdir);
	mp_fix_check_free (run.check);
	g_clear_pointer (&run.analyzer, mp_analyzer_free);
	g_clear_pointer (&run.client, mp_imap_client_free);
	mp_imap_secret_free (run.password);
	mp_imap_secret_free (run.token);
	mp_imap_url_clear (&run.url);
	mp_fix_limits_clear (&run.limits);
	g_free (run.limits_text);
	g_free (run.manifest_path);
	g_ptr_array_unref (run.entries);
	g_ptr_array_unref (run.notes);
	g_ptr_array_unref (run.records);
	g_free (run.backup_abs);
	mp_fix_selection_free (run.selection);
	return status;
}
