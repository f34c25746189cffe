/* staging.h — where a fix writes before anything is visible, and how it
 * becomes visible.
 *
 * Nothing is written under DEST until the whole copy is written, made
 * durable and verified. The copy is built in a staging directory beside
 * DEST (".DEST.mp-fix-XXXXXX", same file system, mode 0700): OUT (the copy:
 * a Maildir, a folder of mbox files or one mbox file) and ATTACHMENTS (the
 * detached attachments, one file per content, named by SHA-256, each with a
 * JSON sidecar). Commit makes it durable (syncfs: one flush for every file
 * instead of an fsync per message), renames ATTACHMENTS to DEST-attachments
 * and OUT to DEST (rename(2) replaces an empty directory or file), and
 * fsyncs the parent directory. Anything else — an error, a failed check, an
 * interrupt — removes the staging directory: no half-written output. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpFixStaging MpFixStaging;

/* DEST (and ATTACHMENTS when not NULL) may be written: each must not exist,
 * or be an empty directory (an empty regular file when OUT_IS_FILE; the
 * attachments are always a directory), must not be a symbolic link, and its
 * directory must exist. Neither may be a SOURCE, lie inside one, or hold
 * one: a fix never writes into a source. Nothing is created. Errors are
 * MP_ERROR_USAGE and name the path. */
gboolean      mp_fix_dest_check   (const char *dest, gboolean out_is_file, const char *attachments,
                                   const char *const *sources, GError **error);
/* DEST as an absolute path without symbolic links in its directory part
 * (DEST itself need not exist). Free with g_free. */
char         *mp_fix_abs_path     (const char *path);

/* Creates the staging directory for DEST. */
MpFixStaging *mp_fix_staging_new  (const char *dest, gboolean out_is_file, const char *attachments,
                                   GError **error);
/* The staging directory itself (temporary files go here) and where the copy
 * is built (a path that does not exist yet: a file or a directory). */
const char   *mp_fix_staging_dir  (const MpFixStaging *s);
const char   *mp_fix_staging_out  (const MpFixStaging *s);

/* Produces a detached attachment's decoded octets into FD; sets SHA256 (64
 * hex digits) and SIZE. */
typedef gboolean (*MpFixProduceFunc) (int fd, gpointer data, char sha256[65], guint64 *size, GError **error);

/* Saves one detached attachment: PRODUCE writes it to a staged file, named
 * by its SHA-256 (the same content saved twice is kept once). SIDECAR is
 * one JSON object (name, type, where it came from) added to the file's
 * sidecar <sha256>.json. *WHERE: its path after commit. */
gboolean      mp_fix_staging_put_file (MpFixStaging *s, MpFixProduceFunc produce, gpointer data,
                                       const char *sidecar, char sha256[65], guint64 *size,
                                       char **where, GError **error);
/* The staged file of a saved attachment, to read it back (verify). */
char         *mp_fix_staging_file_path (const MpFixStaging *s, const char *sha256);
/* The number of attachment files saved so far. */
guint         mp_fix_staging_files    (const MpFixStaging *s);

/* Makes everything durable, then visible under DEST (and the attachments
 * directory). FALSE leaves nothing under either. */
gboolean      mp_fix_staging_commit (MpFixStaging *s, GError **error);
/* Removes the staging directory unless committed. */
void          mp_fix_staging_free   (MpFixStaging *s);

/* Removes PATH and everything below it (not following symbolic links). */
gboolean      mp_fix_remove_tree    (const char *path);
/* The final path of the attachments directory for DEST ("DEST-attachments"). */
char         *mp_fix_attachments_dir_for (const char *dest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixStaging, mp_fix_staging_free)

G_END_DECLS
