/* source-fs.h — what the file-based backends (mbox, Maildir, folder of
 * mbox files) share: opening what they read one way, recognizing a mailbox
 * on disk and walking directories without looping or leaving the source.
 * Private to analyzer/, analyzer/accounts/ (discovery lists homes and spools,
 * the forwarding check reads .forward and Sieve files, the same way) and
 * fix/'s readers, which read a source as a scan does.
 *
 * Nothing is read outside the SOURCE a user named (issue 14): scanning a
 * tree its owner can write, as root, is the normal admin case, and a link
 * planted in it (cur/2.x:2,S -> /some/secret, a folder Stolen -> /srv/bob)
 * must not put another file or another person's mail into the report.
 * So a file is never opened through a symbolic link (O_NOFOLLOW), a
 * directory link is followed only when it stays inside the source, and
 * whatever is opened is checked to lie inside the source root after it was
 * opened (a link swapped in between cannot lead out). */
#pragma once

#include "source.h"

G_BEGIN_DECLS

/* How mp_source_openat opens. */
typedef enum {
	MP_OPEN_FILE      = 0,
	MP_OPEN_DIRECTORY = 1 << 0, /* a directory, to list or to openat() in */
	MP_OPEN_FOLLOW    = 1 << 1, /* the last component may be a symbolic link:
	                             * only for the SOURCE argument itself, and for
	                             * directories whose place is checked after */
} MpOpenFlags;

/* Opens NAME relative to DIRFD (AT_FDCWD: the working directory) read-only,
 * the one way the file backends open what they read: close-on-exec, no
 * controlling terminal, non-blocking (a FIFO planted in a mailbox must not
 * hang the scan), O_NOFOLLOW unless MP_OPEN_FOLLOW (a symbolic link is
 * ELOOP), and O_NOATIME: reading must not change the access time, by which
 * mutt, biff and $MAILCHECK tell new mail (atime older than mtime). The
 * kernel allows O_NOATIME to the file's owner and to root only: on EPERM
 * the open is retried without it. -1 with errno on failure. */
int         mp_source_openat      (int dirfd, const char *name, MpOpenFlags flags);
/* mp_source_openat (AT_FDCWD, PATH, FLAGS), then the check that what was
 * opened lies inside ROOT_REAL (a canonical path: MpSource.real_path): -1
 * with errno EXDEV when it does not (a link on the way led out). */
int         mp_source_open_inside (const char *root_real, const char *path, MpOpenFlags flags);
/* Why mp_source_openat or mp_source_open_inside failed with ERR, for a
 * problem or an error: ELOOP and EXDEV say what they mean here. */
const char *mp_source_open_error  (int err);

/* TRUE when PATH, once symbolic links are resolved, lies inside ROOT_REAL
 * (or is it). A path that cannot be resolved is not inside. */
gboolean    mp_path_inside        (const char *root_real, const char *path);

/* The names in the directory open on DIRFD (not "." and ".."), sorted in
 * byte order (listings do not depend on the locale), or NULL with errno.
 * DIRFD stays open and the caller's. */
GPtrArray  *mp_dir_list_sorted    (int dirfd);

/* The same for the directory PATH (a link to it is followed: callers list
 * what the walk entered), opened with mp_source_openat: listing a mail
 * directory does not change its access time either. */
GPtrArray  *mp_dir_list_path      (const char *path);

/* TRUE when the file open on FD reads as an mbox: empty, or with a From_
 * line at its start or after an empty line within its first 64 KiB. */
gboolean    mp_fd_looks_like_mbox   (int fd);
/* The same for PATH, opened with FLAGS (MP_OPEN_FOLLOW for the SOURCE
 * argument, nothing for a file found in a tree); FALSE for anything but a
 * regular file. */
gboolean    mp_file_looks_like_mbox (const char *path, MpOpenFlags flags);
/* TRUE when DIR has a cur/ or new/ subdirectory (a Maildir folder). */
gboolean    mp_dir_is_maildir       (const char *dir);

/* Records DIR (by device and inode) in SEEN, a set made with
 * mp_dir_seen_new(). FALSE when it was seen before (a symlink loop) or
 * cannot be stat()ed. */
GHashTable *mp_dir_seen_new  (void);
gboolean    mp_dir_mark_seen (GHashTable *seen, const char *dir);

/* Whether the walk of a file backend enters PATH, a directory entry it
 * would descend into (SHOWN: how notices name it, relative to the source).
 * A directory, or a symbolic link to a directory inside the source: yes.
 * A symbolic link to a directory outside the source: no, and a notice
 * "symlink-not-followed" on SRC says so. Anything else: no. */
gboolean    mp_walk_enters   (MpSource *src, const char *path, const char *shown);

/* strcmp() for g_ptr_array_sort() of char* elements (byte order, so
 * listings do not depend on the locale). */
int         mp_compare_strings (gconstpointer a, gconstpointer b);

G_END_DECLS
