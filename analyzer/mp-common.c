#include "mp-common.h"

#include <string.h>
#include <sys/mman.h>

G_DEFINE_QUARK (mailpreflight-error-quark, mp_error)

void
mp_gmime_init_once (void)
{
	static gsize done = 0;

	if (g_once_init_enter (&done)) {
		g_mime_init ();
		/* Never g_mime_shutdown(): GMime issue #98, re-init is unsafe. */
		g_once_init_leave (&done, 1);
	}
}

int
mp_compare_strings (gconstpointer a, gconstpointer b)
{
	return strcmp (*(const char *const *) a, *(const char *const *) b);
}

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
