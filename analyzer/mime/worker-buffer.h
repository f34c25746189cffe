/* worker-buffer.h — the large buffers of a worker thread's hot path (the
 * analyzer's message buffer, the mbox backend's read buffer). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A buffer of LEN octets for the hot path of one worker thread, made once
 * and never grown: aligned to 2 MiB and advised for 2 MiB pages (madvise
 * MADV_HUGEPAGE). Filled from 4 KiB pages, a 5 MiB buffer costs some 1,300
 * page faults the first time, about 25 ms on the virtual bench machine
 * (bench/RESULTS.md); with transparent huge pages off it is an ordinary
 * buffer. Free with mp_worker_buffer_free. */
gpointer mp_worker_buffer_new  (gsize len);
void     mp_worker_buffer_free (gpointer p);

G_END_DECLS
