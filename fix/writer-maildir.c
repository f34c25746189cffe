/* writer-maildir.c — a Maildir copy (maildir(5)).
 *
 * From a Maildir, every folder goes where it was below the source's root
 * (Maildir++ ".Archive.2019", nested "Archive/2019", the root as INBOX),
 * each message is copied byte for byte under its own name (its info suffix
 * keeps the flags) into cur/ or new/ as it was, with its mtime (the
 * arrival time, DEFINITIONS.md); Dovecot's and Courier's folder files that
 * give meaning to the name (dovecot-keywords: the keyword letters) or list
 * subscriptions are copied too. Its index and uidlist are not: they would
 * describe messages that the split replaced.
 *
 * From mbox files, each folder "A/B" becomes the nested Maildir A/B (an
 * mbox file given alone becomes the root), each message gets a new unique
 * name with the flags of its Status headers, its mtime the From_ line's
 * date, its bytes unquoted (item.h: the canonical form).
 *
 * A new message (a part of a split one) takes the name of its original
 * with a tag ("1546383600.M14P1014.sample.part2of3:2,S"); Dovecot's ,S=
 * and ,W= size fields are dropped from it (they would be wrong). */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	MpFixWriter   base;
	MpFixStaging *staging;
	char         *root;
	MpFixFormat   from;
	char         *dir;        /* the folder being written */
	char         *folder;     /* its name */
	guint64       seq;        /* for generated names */
	char         *last_base;  /* the name made for part 1, for parts 2..N */
	GByteArray   *buf;        /* for copies */
} MaildirWriter;

/* Folder metadata that belongs with the messages (see the header). */
static const char *const metadata_files[] = {
	"dovecot-keywords", "subscriptions", "maildirfolder", "courierimapsubscribed", "courierimapkeywords",
};

/* A name component that a Maildir reader would not list as a folder
 * (hidden, or one of a Maildir's own subdirectories) gets a '_' before it. */
static char *
safe_component (const char *c)
{
	if (c[0] == '.' || strcmp (c, "cur") == 0 || strcmp (c, "new") == 0 || strcmp (c, "tmp") == 0 ||
	    c[0] == '\0')
		return g_strdup_printf ("_%s", c);
	return g_strdup (c);
}

static char *
maildir_folder_target (MpFixWriter *w, const char *name, const char *source_rel)
{
	MaildirWriter *mw = (MaildirWriter *) w;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GString) out = NULL;

	if (mw->from == MP_FIX_FORMAT_MAILDIR || *source_rel == '\0')
		return g_strdup (source_rel); /* mirrored; an mbox file alone is the root */
	parts = g_strsplit (name, "/", -1);
	out = g_string_new (NULL);
	for (int i = 0; parts[i]; i++) {
		g_autofree char *c = safe_component (parts[i]);
		if (out->len)
			g_string_append_c (out, '/');
		g_string_append (out, c);
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
make_dir (const char *path, GError **error)
{
	if (g_mkdir_with_parents (path, 0700) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", path, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
copy_metadata (const char *from_dir, const char *to_dir, GByteArray *buf, GError **error)
{
	for (gsize i = 0; i < G_N_ELEMENTS (metadata_files); i++) {
		g_autofree char *src = g_build_filename (from_dir, metadata_files[i], NULL);
		g_autofree char *dst = g_build_filename (to_dir, metadata_files[i], NULL);
		struct stat st;
		int in, out;
		gboolean ok;

		if (lstat (src, &st) != 0 || !S_ISREG (st.st_mode))
			continue;
		if ((in = open (src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue; /* not mail: a scan does not read it either */
		out = open (dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", dst, g_strerror (errno));
			close (in);
			return FALSE;
		}
		ok = mp_fix_copy_range (in, 0, (guint64) st.st_size, out, src, dst, buf, error);
		if (ok) {
			/* with its time, as the messages */
			struct timespec ts[2] = { st.st_atim, st.st_mtim };
			(void) futimens (out, ts);
		}
		close (in);
		if (close (out) != 0 && ok) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", dst, g_strerror (errno));
			ok = FALSE;
		}
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
maildir_folder_begin (MpFixWriter *w, const char *name, const char *source_rel, const char *source_path,
                      GError **error)
{
	MaildirWriter *mw = (MaildirWriter *) w;
	g_autofree char *rel = maildir_folder_target (w, name, source_rel);
	static const char *const subdirs[] = { "cur", "new", "tmp" };

	g_free (mw->dir);
	g_free (mw->folder);
	mw->dir = *rel ? g_build_filename (mw->root, rel, NULL) : g_strdup (mw->root);
	mw->folder = g_strdup (name);
	for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++) {
		g_autofree char *d = g_build_filename (mw->dir, subdirs[i], NULL);
		if (!make_dir (d, error))
			return FALSE;
	}
	if (mw->from == MP_FIX_FORMAT_MAILDIR && source_path != NULL)
		return copy_metadata (source_path, mw->dir, mw->buf, error);
	return TRUE;
}

static gboolean
maildir_junk (MpFixWriter *w, int fd, guint64 start, guint64 end, GError **error)
{
	return TRUE; /* Maildir has no place for bytes that are no message */
}

/* NAME without Dovecot's ",S=<size>" and ",W=<size>" fields, which hold
 * the size of the file they name. */
static char *
drop_size_fields (const char *name)
{
	GString *s = g_string_new (NULL);

	for (const char *p = name; *p;) {
		if (p[0] == ',' && (p[1] == 'S' || p[1] == 'W') && p[2] == '=') {
			p += 3;
			while (*p && *p != ',' && *p != ':' && *p != '!')
				p++;
			continue;
		}
		g_string_append_c (s, *p++);
	}
	return g_string_free (s, FALSE);
}

/* Creates a new file NAME in SUBDIR with O_EXCL, trying NAME.1, NAME.2...
 * (before the info) if it exists. */
static int
create_file (MaildirWriter *mw, const char *subdir, const char *base, const char *info, char **path,
             GError **error)
{
	for (guint i = 0; i < 1000; i++) {
		g_autofree char *name = i == 0 ? g_strdup_printf ("%s%s", base, info)
		                               : g_strdup_printf ("%s.%u%s", base, i, info);
		g_autofree char *p = g_build_filename (mw->dir, subdir, name, NULL);
		int fd = open (p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd >= 0) {
			*path = g_steal_pointer (&p);
			return fd;
		}
		if (errno != EEXIST) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", p, g_strerror (errno));
			return -1;
		}
	}
	g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s/%s: no free name for %s", mw->dir, subdir, base);
	return -1;
}

static gboolean
set_mtime (int fd, gint64 t, const char *path, GError **error)
{
	struct timespec ts[2];

	if (t == MP_FIX_NO_TIME)
		return TRUE;
	ts[0].tv_sec = ts[1].tv_sec = (time_t) t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens (fd, ts) != 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", path, g_strerror (errno));
		return FALSE;
	}
	return TRUE;
}

static gboolean
maildir_put (MpFixWriter *w, const MpFixOut *out, char **key, GError **error)
{
	MaildirWriter *mw = (MaildirWriter *) w;
	const MpFixEnvelope *env = out->env;
	g_autofree char *base = NULL;
	g_autofree char *info = NULL;
	g_autofree char *path = NULL;
	const char *subdir;
	gboolean ok;
	int fd;

	*key = NULL;
	/* maildir(5): new/ holds mail no client has seen, without an info */
	subdir = (env->flags & MP_FIX_RECENT) ? "new" : "cur";
	if (out->copy_of != NULL && out->copy_of->kind == MP_FIX_STORED_FILE) {
		/* byte for byte, under its own name, where it was */
		g_autofree char *src_dir = g_path_get_dirname (out->copy_of->path);
		g_autofree char *src_sub = g_path_get_basename (src_dir);
		subdir = strcmp (src_sub, "new") == 0 ? "new" : "cur";
		base = g_strdup (env->maildir_name);
		info = g_strdup ("");
	} else {
		if (env->maildir_name != NULL) {
			g_autofree char *b = mp_fix_maildir_base (env->maildir_name);
			g_autofree char *plain = drop_size_fields (b);
			base = out->name_tag ? g_strdup_printf ("%s.%s", plain, out->name_tag) : g_steal_pointer (&plain);
		} else {
			/* maildir(5) names: time.unique.host; the parts of one
			 * message keep one unique part, so that they sort together */
			gint64 t = env->arrival == MP_FIX_NO_TIME ? 0 : env->arrival;
			if (out->part <= 1 || mw->last_base == NULL) {
				g_free (mw->last_base);
				mw->last_base = g_strdup_printf ("%" G_GINT64_FORMAT ".M%08" G_GUINT64_FORMAT ".mailpreflight", t,
				                                 ++mw->seq);
			}
			base = g_strdup_printf ("%s%s%s", mw->last_base, out->name_tag ? "." : "",
			                        out->name_tag ? out->name_tag : "");
		}
		info = strcmp (subdir, "new") == 0 && (env->flags & ~(guint) MP_FIX_RECENT) == 0 && env->keywords == NULL
			? g_strdup ("")
			: mp_fix_maildir_info (env->flags, env->keywords);
		if (strcmp (subdir, "new") == 0 && *info)
			subdir = "cur"; /* flags need an info, which belongs in cur/ */
	}
	if ((fd = create_file (mw, subdir, base, info, &path, error)) < 0)
		return FALSE;
	if (out->content != NULL) {
		ok = g_mime_stream_reset (out->content) == 0 && mp_fix_copy_stream (out->content, fd, path, mw->buf, error);
	} else if (out->copy_of->kind == MP_FIX_STORED_FILE) {
		ok = mp_fix_copy_range (out->copy_of->fd, out->copy_of->start, out->copy_of->end, fd,
		                        out->copy_of->path, path, mw->buf, error);
	} else {
		g_autoptr(GMimeStream) s = mp_fix_item_stream (out->copy_of, mp_fix_staging_dir (mw->staging), error);
		ok = s != NULL && mp_fix_copy_stream (s, fd, path, mw->buf, error);
	}
	ok = ok && set_mtime (fd, env->arrival, path, error);
	if (close (fd) != 0 && ok) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", path, g_strerror (errno));
		ok = FALSE;
	}
	if (!ok) {
		if (error && *error == NULL)
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: could not be written", path);
		unlink (path);
		return FALSE;
	}
	*key = g_steal_pointer (&path);
	return TRUE;
}

static gboolean
maildir_put_file (MpFixWriter *w, MpFixFile *file, char **where, GError **error)
{
	MaildirWriter *mw = (MaildirWriter *) w;

	return mp_fix_staging_put_file (mw->staging, file->produce, file->data, file->sidecar, file->sha256,
	                                &file->size, where, error);
}

static gboolean
maildir_folder_end (MpFixWriter *w, GError **error)
{
	return TRUE;
}

static gboolean
maildir_read_back (MpFixWriter *w, MpSource **source, MpFolder **folder)
{
	MaildirWriter *mw = (MaildirWriter *) w;
	MpSource *src = g_new0 (MpSource, 1);

	/* the analyzer's Maildir backend reads the folder as it reads any */
	src->ops = &mp_source_maildir;
	src->path = g_strdup (mw->root);
	src->abs_path = g_strdup (mw->root);
	*source = src;
	*folder = mp_folder_new (mw->folder, mw->dir);
	return TRUE;
}

static char *
maildir_file_path (MpFixWriter *w, const char *sha256)
{
	MaildirWriter *mw = (MaildirWriter *) w;

	return mp_fix_staging_file_path (mw->staging, sha256);
}

static void
maildir_free (MpFixWriter *w)
{
	MaildirWriter *mw = (MaildirWriter *) w;

	g_free (mw->root);
	g_free (mw->dir);
	g_free (mw->folder);
	g_free (mw->last_base);
	g_byte_array_unref (mw->buf);
	g_free (mw);
}

static const MpFixWriterOps maildir_ops = {
	.name = "maildir",
	.folder_target = maildir_folder_target,
	.folder_begin = maildir_folder_begin,
	.junk = maildir_junk,
	.put = maildir_put,
	.put_file = maildir_put_file,
	.folder_end = maildir_folder_end,
	.read_back = maildir_read_back,
	.file_path = maildir_file_path,
	.free = maildir_free,
};

MpFixWriter *
mp_fix_writer_maildir_new (MpFixStaging *staging, const char *root, MpFixFormat from)
{
	MaildirWriter *mw = g_new0 (MaildirWriter, 1);

	mw->base.ops = &maildir_ops;
	mw->base.format = MP_FIX_FORMAT_MAILDIR;
	mw->staging = staging;
	mw->root = g_strdup (root);
	mw->from = from;
	mw->buf = mp_fix_copy_buffer_new ();
	return &mw->base;
}
