/* writer-dry.c — --dry-run as a writer that wraps the real one (isync's
 * drv_proxy): where a folder would go comes from the real writer, nothing
 * is written, and the real writers know nothing of dry runs. A detached
 * attachment is still decoded — into /dev/null — so that the plan names
 * its SHA-256 and size. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

typedef struct {
	MpFixWriter  base;
	MpFixWriter *inner;
	char        *attachments_dir;
} DryWriter;

static char *
dry_folder_target (MpFixWriter *w, const char *name, const char *source_rel)
{
	DryWriter *dw = (DryWriter *) w;

	return dw->inner->ops->folder_target (dw->inner, name, source_rel);
}

static gboolean
dry_folder_begin (MpFixWriter *w, const char *name, const char *source_rel, const char *source_path,
                  GError **error)
{
	return TRUE;
}

static gboolean
dry_junk (MpFixWriter *w, int fd, guint64 start, guint64 end, GError **error)
{
	return TRUE;
}

static gboolean
dry_put (MpFixWriter *w, const MpFixOut *out, char **key, GError **error)
{
	*key = NULL;
	return TRUE;
}

static gboolean
dry_put_file (MpFixWriter *w, MpFixFile *file, char **where, GError **error)
{
	DryWriter *dw = (DryWriter *) w;
	int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
	gboolean ok;

	if (fd < 0) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "/dev/null: %s", g_strerror (errno));
		return FALSE;
	}
	ok = file->produce (fd, file->data, file->sha256, &file->size, error);
	close (fd);
	if (ok && where != NULL)
		*where = g_build_filename (dw->attachments_dir ? dw->attachments_dir : ".", file->sha256, NULL);
	return ok;
}

static gboolean
dry_folder_end (MpFixWriter *w, GError **error)
{
	return TRUE;
}

static gboolean
dry_read_back (MpFixWriter *w, MpSource **source, MpFolder **folder)
{
	return FALSE;
}

static char *
dry_file_path (MpFixWriter *w, const char *sha256)
{
	return NULL;
}

static void
dry_free (MpFixWriter *w)
{
	DryWriter *dw = (DryWriter *) w;

	mp_fix_writer_free (dw->inner);
	g_free (dw->attachments_dir);
	g_free (dw);
}

static const MpFixWriterOps dry_ops = {
	.name = "dry-run",
	.folder_target = dry_folder_target,
	.folder_begin = dry_folder_begin,
	.junk = dry_junk,
	.put = dry_put,
	.put_file = dry_put_file,
	.folder_end = dry_folder_end,
	.read_back = dry_read_back,
	.file_path = dry_file_path,
	.free = dry_free,
};

MpFixWriter *
mp_fix_writer_dry_new (MpFixWriter *inner, const char *attachments_dir)
{
	DryWriter *dw = g_new0 (DryWriter, 1);

	dw->base.ops = &dry_ops;
	dw->base.format = inner->format;
	dw->inner = inner;
	dw->attachments_dir = g_strdup (attachments_dir);
	return &dw->base;
}
