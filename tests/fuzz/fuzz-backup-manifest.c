/* fuzz-backup-manifest.c — the backup manifest reader of `fix split` on an
 * IMAP account (fix/backup-manifest.c): a re-run reads it back, and a
 * person may have edited or damaged it.
 *
 * Any input is parsed; it must never crash, and what it accepts must be
 * stable: rendered, parsed again and rendered again, the text is the same
 * (so a resume reads exactly what the run wrote). abort() otherwise. */
#include "fuzz-common.h"
#include "backup-manifest.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GString *
render (const char *user, GPtrArray *entries)
{
	return mp_fix_backup_manifest_render ("imaps://u@example.org/INBOX", user, "/tmp/backup.mbox", entries);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_backup_entry_free);
	g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_backup_entry_free);
	g_autoptr(GError) error = NULL;
	g_autofree char *user = NULL, *user2 = NULL;
	g_autoptr(GString) first = NULL, second = NULL;

	if (size > 1 << 20)
		return 0;
	if (!mp_fix_backup_manifest_parse ((const char *) data, size, "fuzz", &user, entries, &error))
		return 0;
	first = render (user, entries);
	if (!mp_fix_backup_manifest_parse (first->str, first->len, "fuzz", &user2, again, &error)) {
		fprintf (stderr, "fuzz-backup-manifest: a rendered manifest does not parse: %s\n", error->message);
		abort ();
	}
	second = render (user2, again);
	if (!g_string_equal (first, second)) {
		fprintf (stderr, "fuzz-backup-manifest: not stable:\n%s\n---\n%s\n", first->str, second->str);
		abort ();
	}
	return 0;
}
