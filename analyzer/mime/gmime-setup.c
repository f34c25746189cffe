#include "gmime-setup.h"

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
