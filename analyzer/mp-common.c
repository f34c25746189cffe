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

gpointer
mp_worker_buffer_new (gsize len)
{
	const guintptr huge = 2 * 1024 * 1024;
	guint8 *p = g_malloc (len);
	guintptr from = ((guintptr) p + huge - 1) & ~(huge - 1);
	guintptr to = ((guintptr) p + len) & ~(huge - 1);

#ifdef MADV_HUGEPAGE
	if (to > from)
		(void) madvise ((void *) from, to - from, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#endif
	return p;
}
