/* archive-list.h — the names inside an attached archive (zip, tar, gzip,
 * bzip2, and archives inside those), for blocked-type checks: Gmail blocks
 * executables inside archives too (TARGET-LIMITS.md [23]).
 *
 * Streaming through libarchive: nothing is extracted, nothing is held whole;
 * bounded in depth, entries and bytes so an archive bomb cannot hurt. */
#pragma once

#include "gmime-setup.h"
#include "mp-error.h"
#include "message.h"

G_BEGIN_DECLS

#define MP_ARCHIVE_MAX_DEPTH 3                       /* archives inside archives */
#define MP_ARCHIVE_MAX_BYTES ((gint64) 256 << 20)    /* decompressed bytes read */

/* TRUE when an attachment of this type or name is an archive we list. */
gboolean mp_archive_is_candidate (const char *mime_type, const char *filename);
/* Lists the archive whose decoded bytes STREAM gives into A's
 * archive_entries / archive_encrypted / archive_problem. */
void     mp_archive_list         (GMimeStream *decoded, MpAttachment *a);

G_END_DECLS
