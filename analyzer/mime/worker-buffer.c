#include "worker-buffer.h"

#include <sys/mman.h>

#define HUGE_PAGE (2 * 1024 * 1024)

gpointer
mp_worker_buffer_new (gsize len)
{
	gpointer p = g_aligned_alloc (1, MAX (len, (gsize) 1), HUGE_PAGE);

#ifdef MADV_HUGEPAGE
	(void) madvise (p, len, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#endif
	return p;
}

void
mp_worker_buffer_free (gpointer p)
{
	g_aligned_free (p);
}
