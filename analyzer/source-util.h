/* source-util.h — helpers the file-based backends share. Private to analyzer/. */
#pragma once

#include "source.h"

G_BEGIN_DECLS

/* TRUE when PATH is a regular file that reads as an mbox: empty, or with a
 * From_ line at its start or after an empty line within its first 64 KiB. */
gboolean mp_file_looks_like_mbox (const char *path);
/* TRUE when DIR has a cur/ or new/ subdirectory (a Maildir folder). */
gboolean mp_dir_is_maildir       (const char *dir);
/* Parses the date of an mbox From_ line ("From a@b Tue Mar 12 10:00:00 2019").
 * Returns NULL when there is none. */
GDateTime *mp_parse_from_line_date (const char *from_line);
/* Reads up to LEN bytes at OFFSET; -1 with errno on failure. */
gssize   mp_pread_full           (int fd, void *buf, gsize len, guint64 offset);

/* Records DIR (by device and inode) in SEEN, a set made with
 * mp_dir_seen_new(). FALSE when it was seen before (a symlink loop) or
 * cannot be stat()ed. */
GHashTable *mp_dir_seen_new  (void);
gboolean    mp_dir_mark_seen (GHashTable *seen, const char *dir);

/* The mbox backend's folder walk and worker, shared with the folder-of-mbox
 * backend (source-mboxdir.c), whose folders are mbox files. */
gboolean mp_mbox_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit,
                            MpNoticeFunc notice, gpointer user_data, GError **error);
void     mp_mbox_analyze   (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer);

G_END_DECLS
