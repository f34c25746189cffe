/* fuzz-forward.c — ~/.forward files (analyzer/accounts/forward-file.c).
 *
 * The input is a .forward file, parsed without an owner and as "jo"'s.
 * Checked, abort() on violation:
 *  - at most MP_FORWARD_MAX_TARGETS entries and targets;
 *  - every entry's value and every target's address is the input's octets
 *    at its offset, on a line that exists;
 *  - every target is an address or \user entry, and the owner "jo" is never
 *    a target;
 *  - the same input with '#' put in front of every line (comments, all of
 *    it) has no entry at all. */
#include "fuzz-common.h"
#include "forward-file.h"

#include <stdint.h>
#include <string.h>

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-forward: %s\n", what);
	abort ();
}

static void
check (const MpForwardFile *f, const uint8_t *data, size_t size, const char *owner)
{
	guint lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (f->entries->len > MP_FORWARD_MAX_TARGETS || f->targets->len > f->entries->len)
		fail ("too many entries or targets");
	for (guint i = 0; i < f->entries->len; i++) {
		const MpForwardEntry *e = f->entries->pdata[i];
		size_t n = strlen (e->value);
		if (e->offset > size || n > size - e->offset || memcmp (data + e->offset, e->value, n) != 0)
			fail ("an entry is not the input at its offset");
		if (e->line < 1 || e->line > lines)
			fail ("an entry on a line that does not exist");
	}
	for (guint i = 0; i < f->targets->len; i++) {
		const MpForwardTarget *t = f->targets->pdata[i];
		if (t->length != strlen (t->address) || t->offset > size || t->length > size - t->offset ||
		    memcmp (data + t->offset, t->address, t->length) != 0)
			fail ("a target is not the input at its offset");
		if (owner != NULL && strcmp (t->address, owner) == 0)
			fail ("the owner is a target");
		gboolean found = FALSE;
		for (guint k = 0; k < f->entries->len && !found; k++) {
			const MpForwardEntry *e = f->entries->pdata[k];
			found = e->offset == t->offset &&
			        (e->kind == MP_FORWARD_ENTRY_ADDRESS || e->kind == MP_FORWARD_ENTRY_MAILBOX);
		}
		if (!found)
			fail ("a target is no address entry");
	}
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpForwardFile) f = mp_forward_file_parse ((const char *) data, size, NULL);
	check (f, data, size, NULL);
	g_autoptr(MpForwardFile) g = mp_forward_file_parse ((const char *) data, size, "jo");
	check (g, data, size, "jo");
	if (g->entries->len != f->entries->len)
		fail ("the owner changed what the entries are");

	/* every line a comment */
	GString *commented = g_string_sized_new (size * 2 + 1);
	g_string_append_c (commented, '#');
	for (size_t i = 0; i < size; i++) {
		g_string_append_c (commented, (char) data[i]);
		if (data[i] == '\n')
			g_string_append_c (commented, '#');
	}
	g_autoptr(MpForwardFile) c = mp_forward_file_parse (commented->str, commented->len, "jo");
	g_string_free (commented, TRUE);
	if (c->entries->len != 0)
		fail ("a comment line gave an entry");
	return 0;
}
