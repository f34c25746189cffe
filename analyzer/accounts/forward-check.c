/* forward-check.c — see forward-check.h. */
#include "forward-check.h"

#include <string.h>

static void
set (MpAccountResult *r, MpForwardState state, char *evidence)
{
	r->forwarding.state = state;
	g_free (r->forwarding.evidence);
	r->forwarding.evidence = evidence;
}

/* The first IMAP source of A, or NULL. */
static const char *
imap_source (const MpAccount *a)
{
	for (guint i = 0; i < a->sources->len; i++) {
		const MpAccountSource *s = g_ptr_array_index (a->sources, i);
		if (mp_source_is_network (s->location))
			return s->location;
	}
	return NULL;
}

void
mp_forward_check (const MpAccount *a, const MpSourceSettings *settings, MpAccountResult *r, gpointer user_data)
{
	if (a->forward_to != NULL) {
		set (r, MP_FORWARD_YES, g_strdup_printf ("forward_to %s (accounts file%s%s)", a->forward_to,
		                                         a->origin ? ", " : "", a->origin ? a->origin : ""));
		return;
	}
	if (a->home != NULL) {
		set (r, MP_FORWARD_UNKNOWN, g_strdup_printf ("home %s: .forward and Sieve scripts not read "
		                                             "(this build has no forwarding parsers)", a->home));
		return;
	}
	if (imap_source (a) != NULL) {
		set (r, MP_FORWARD_UNKNOWN, g_strdup ("IMAP: the server's ManageSieve service was not asked"));
		return;
	}
	set (r, MP_FORWARD_UNKNOWN, g_strdup ("the owner's home is unknown: no .forward or Sieve script to read"));
}
