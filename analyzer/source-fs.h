/* source-fs.h — what the file-based backends (mbox, Maildir, folder of
 * mbox files) share: recognizing a mailbox on disk and walking directories
 * without looping. Private to analyzer/. */
#pragma once

#include "source.h"

G_BEGIN_DECLS

/* TRUE when PATH is a regular file that reads as an mbox: empty, or with a
 * From_ line at its start or after an empty line within its first 64 KiB. */
gboolean mp_file_looks_like_mbox (const char *path);
/* TRUE when DIR has a cur/ or new/ subdirectory (a Maildir folder). */
gboolean mp_dir_is_maildir       (const char *dir);

/* Records DIR (by device and inode) in SEEN, a set made with
 * mp_dir_seen_new(). FALSE when it was seen before (a symlink loop) or
 * cannot be stat()ed. */
GHashTable *mp_dir_seen_new  (void);
gboolean    mp_dir_mark_seen (GHashTable *seen, const char *dir);

/* strcmp() for g_ptr_array_sort() of char* elements (byte order, so
 * listings do not depend on the locale). */
int         mp_compare_strings (gconstpointer a, gconstpointer b);

G_END_DECLS
