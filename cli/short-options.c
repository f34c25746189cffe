/* short-options.c — see short-options.h. */
#include "short-options.h"

#include <string.h>

char **
mp_split_glued_short_options (int argc, char **argv, const char *with_value)
{
	GPtrArray *out = g_ptr_array_new ();
	gboolean options = TRUE;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (options && strcmp (a, "--") == 0)
			options = FALSE;
		/* argv[0] is the command; "--long" and a lone "-X" stay as they are */
		if (options && i > 0 && a[0] == '-' && a[1] != '-' && a[1] != '\0' && a[2] != '\0' &&
		    strchr (with_value, a[1]) != NULL) {
			g_ptr_array_add (out, g_strndup (a, 2));
			g_ptr_array_add (out, g_strdup (a + 2));
		} else {
			g_ptr_array_add (out, g_strdup (a));
		}
	}
	g_ptr_array_add (out, NULL);
	return (char **) g_ptr_array_free (out, FALSE);
}
