#include "output-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _MpOutputFile {
	char    *path;
	char    *tmp_path; /* NULL for stdout and files written in place */
	FILE    *fp;
	gboolean in_place; /* a device or FIFO opened directly */
};

MpOutputFile *
mp_output_file_open (const char *path, GError **error)
{
	MpOutputFile *out;
	g_autofree char *dir = NULL;
	g_autofree char *base = NULL;
	int fd;

	out = g_new0 (MpOutputFile, 1);
	out->path = g_strdup (path);
	if (strcmp (path, "-") == 0) {
		out->fp = stdout;
		return out;
	}
	{
		/* a device or FIFO (/dev/null, a pipe) is written in place:
		 * renaming over it would replace it with a regular file */
		struct stat st;
		if (stat (path, &st) == 0 && !S_ISREG (st.st_mode)) {
			if (S_ISDIR (st.st_mode) || (out->fp = fopen (path, "w")) == NULL) {
				int saved = S_ISDIR (st.st_mode) ? EISDIR : errno;
				g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: cannot write: %s", path, g_strerror (saved));
				g_free (out->path);
				g_free (out);
				return NULL;
			}
			out->in_place = TRUE;
			return out;
		}
	}
	dir = g_path_get_dirname (path);
	base = g_path_get_basename (path);
	out->tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
	fd = g_mkstemp_full (out->tmp_path, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0 || (out->fp = fdopen (fd, "w")) == NULL) {
		int saved = errno;
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: cannot create: %s", path, g_strerror (saved));
		if (fd >= 0) {
			close (fd);
			unlink (out->tmp_path);
		}
		g_free (out->tmp_path);
		out->tmp_path = NULL;
		g_free (out->path);
		g_free (out);
		return NULL;
	}
	/* Owner only (0600, and narrower when the umask says so): every report
	 * names the senders and subjects of the mail it lists, and an admin
	 * scanning /srv/mail/alice writes alice's mail into it. g_mkstemp_full
	 * creates the file 0600 already; only the umask is applied. Sharing a
	 * report is a deliberate chmod (mailpreflight(1), OUTPUT). */
	{
		mode_t mask = umask (0);
		umask (mask);
		(void) fchmod (fd, 0600 & ~mask);
	}
	return out;
}

FILE *
mp_output_file_stream (MpOutputFile *out)
{
	return out->fp;
}

gboolean
mp_output_file_commit (MpOutputFile *out, GError **error)
{
	gboolean ok = TRUE;
	int saved = 0;

	if (fflush (out->fp) != 0 || ferror (out->fp)) {
		saved = errno ? errno : EIO;
		ok = FALSE;
	}
	if (out->in_place) {
		if (fclose (out->fp) != 0 && ok) {
			saved = errno;
			ok = FALSE;
		}
		out->fp = NULL;
	} else if (out->tmp_path != NULL) {
		/* on disk before it takes the report's name: a crash right after
		 * the rename must not leave an empty report behind a complete one */
		if (ok && fsync (fileno (out->fp)) != 0) {
			saved = errno;
			ok = FALSE;
		}
		if (fclose (out->fp) != 0 && ok) {
			saved = errno;
			ok = FALSE;
		}
		out->fp = NULL;
		if (ok && rename (out->tmp_path, out->path) != 0) {
			saved = errno;
			ok = FALSE;
		}
		if (!ok)
			unlink (out->tmp_path);
	}
	if (!ok)
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: write failed: %s", out->path, g_strerror (saved));
	g_free (out->tmp_path);
	g_free (out->path);
	g_free (out);
	return ok;
}

void
mp_output_file_abort (MpOutputFile *out)
{
	if (out == NULL)
		return;
	if (out->in_place && out->fp)
		fclose (out->fp);
	if (out->tmp_path != NULL) {
		if (out->fp)
			fclose (out->fp);
		unlink (out->tmp_path);
	}
	g_free (out->tmp_path);
	g_free (out->path);
	g_free (out);
}
