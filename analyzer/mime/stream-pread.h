/* stream-pread.h — a read-only GMimeStream over a byte range of a file, read
 * with pread() into a buffer of its own.
 *
 * GMime's parser asks its stream for at most 4 KiB at a time, and
 * GMimeStreamFs answers each ask with an lseek() and a read(): two system
 * calls per 4 KiB, about 40,000 for the 80 MB of messages over
 * MP_ANALYZER_MEM_MAX in the 1 GB bench mbox, a third of the system time of
 * the scan (bench/RESULTS.md). This stream reads 128 KiB at a time with
 * pread(), which needs no seek and never moves a file offset another
 * stream shares. Substreams (GMime's persisted part contents) share the fd
 * and keep the stream they come from alive, as GMimeStreamFs's do. */
#pragma once

#include "gmime-setup.h" /* GMime autoptr cleanups, needed by G_DECLARE_FINAL_TYPE */

G_BEGIN_DECLS

#define MP_TYPE_STREAM_PREAD (mp_stream_pread_get_type ())
G_DECLARE_FINAL_TYPE (MpStreamPread, mp_stream_pread, MP, STREAM_PREAD, GMimeStream)

/* A stream over the bytes [START, END) of FD (END -1: to the end of the
 * file). The stream owns FD and closes it when finalized. */
GMimeStream *mp_stream_pread_new (int fd, gint64 start, gint64 end);

/* Reads up to LEN bytes at OFFSET of FD, retrying short reads and EINTR:
 * the count (less than LEN only at the end of the file), or -1 with errno
 * on failure. */
gssize       mp_pread_full       (int fd, void *buf, gsize len, guint64 offset);

G_END_DECLS
