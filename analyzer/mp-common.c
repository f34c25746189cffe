#include "mp-common.h"

#include <string.h>

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
