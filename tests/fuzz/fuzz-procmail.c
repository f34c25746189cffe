/* fuzz-procmail.c — procmail recipes (analyzer/accounts/procmail-rc.c).
 *
 * The input is an rc file. Checked, abort() on violation:
 *  - at most MP_FORWARD_MAX_TARGETS targets and includes;
 *  - every target lies in the input: its address is the octets at its
 *    offset, or, when it spans a continued line ("\\\n"), those octets in
 *    order within its span; never empty;
 *  - first_error is set exactly when n_errors > 0;
 *  - the same input with '#' in front of every line forwards nothing and
 *    has no error. */
#include "fuzz-common.h"
#include "procmail-rc.h"

#include <stdint.h>
#include <string.h>

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-procmail: %s\n", what);
	abort ();
}

/* TRUE when the octets of SUB appear in order in S[0, N). */
static gboolean
in_order (const char *sub, const uint8_t *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && sub[k] != '\0'; i++) {
		if ((char) s[i] == sub[k])
			k++;
	}
	return sub[k] == '\0';
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpProcmailRc) rc = mp_procmail_rc_parse ((const char *) data, size);

	if (rc->targets->len > MP_FORWARD_MAX_TARGETS || rc->includes->len > MP_FORWARD_MAX_TARGETS)
		fail ("too many targets or includes");
	if ((rc->n_errors > 0) != (rc->first_error != NULL))
		fail ("n_errors and first_error disagree");
	for (guint i = 0; i < rc->targets->len; i++) {
		const MpForwardTarget *t = rc->targets->pdata[i];
		size_t n = strlen (t->address);
		if (n == 0 || t->offset > size || t->length > size - t->offset || n > t->length)
			fail ("a target outside the input");
		if (memchr (data + t->offset, '\n', t->length) == NULL) {
			if (n != t->length || memcmp (data + t->offset, t->address, n) != 0)
				fail ("a target is not the input at its offset");
		} else if (!in_order (t->address, data + t->offset, t->length)) {
			fail ("a continued target is not made of its span");
		}
	}

	GString *commented = g_string_sized_new (size * 2 + 1);
	g_string_append_c (commented, '#');
	for (size_t i = 0; i < size; i++) {
		g_string_append_c (commented, (char) data[i]);
		if (data[i] == '\n')
			g_string_append_c (commented, '#');
	}
	g_autoptr(MpProcmailRc) c = mp_procmail_rc_parse (commented->str, commented->len);
	g_string_free (commented, TRUE);
	if (c->targets->len != 0 || c->n_errors != 0 || c->includes->len != 0)
		fail ("comment lines forward or fail");
	return 0;
}
