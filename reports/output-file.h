/* output-file.h — a report file written atomically: to a temporary file in
 * the same directory, flushed to disk and renamed over the target only when
 * complete, so a crash or a full disk never leaves half a report under the
 * real name. A new report is readable by its owner only (0600, narrower
 * with the umask): reports list other people's mail. "-" means standard
 * output, and a device or FIFO is written in place (neither changes mode). */
#pragma once

#include "mp-error.h"
#include <stdio.h>

G_BEGIN_DECLS

typedef struct _MpOutputFile MpOutputFile;

MpOutputFile *mp_output_file_open   (const char *path, GError **error);
FILE         *mp_output_file_stream (MpOutputFile *out);
/* Flushes, checks every write succeeded, renames into place, frees. */
gboolean      mp_output_file_commit (MpOutputFile *out, GError **error);
/* Removes the temporary file and frees (NULL is fine). */
void          mp_output_file_abort  (MpOutputFile *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpOutputFile, mp_output_file_abort)

G_END_DECLS
