/* fuzz-accounts-file.c — the accounts file (--accounts): the RFC 4180
 * reader (analyzer/accounts/csv-read.c) and the rows' checks
 * (mp_accounts_from_csv_data). Checked, abort() on violation:
 *  - it never crashes, and either accepts the file with at least one
 *    account, each with a non-empty name and at least one non-empty source,
 *    or fails with an error that names the file and a line ("f.csv:N: ");
 *  - the reader alone walks the input record by record with line numbers
 *    that never go down, and every field is valid UTF-8 without NUL, at
 *    most MP_CSV_MAX_FIELD octets. */
#include "fuzz-common.h"
#include "csv-read.h"
#include "discover.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_account_free);
	g_autoptr(GError) error = NULL;
	g_autoptr(MpCsvReader) r = mp_csv_reader_new ((const char *) data, size, "f.csv");
	g_autoptr(GError) rerror = NULL;
	GPtrArray *fields;
	guint64 line, last = 0;

	while (mp_csv_reader_next (r, &fields, &line, &rerror)) {
		if (line < last || fields->len == 0 || fields->len > MP_CSV_MAX_FIELDS)
			abort ();
		last = line;
		for (guint i = 0; i < fields->len; i++) {
			const char *f = g_ptr_array_index (fields, i);
			if (strlen (f) > MP_CSV_MAX_FIELD || !g_utf8_validate (f, -1, NULL))
				abort ();
		}
	}
	if (rerror != NULL && !g_str_has_prefix (rerror->message, "f.csv:"))
		abort ();

	if (mp_accounts_from_csv_data ((const char *) data, size, "f.csv", out, &error)) {
		if (error != NULL)
			abort ();
		for (guint i = 0; i < out->len; i++) {
			const MpAccount *a = g_ptr_array_index (out, i);
			if (a->name == NULL || *a->name == '\0' || a->sources->len == 0)
				abort ();
			for (guint k = 0; k < a->sources->len; k++) {
				const MpAccountSource *s = g_ptr_array_index (a->sources, k);
				if (s->location == NULL || *s->location == '\0')
					abort ();
			}
		}
		if (out->len > 0 && !mp_accounts_finish (out, &error))
			abort ();
	} else if (error == NULL || !g_str_has_prefix (error->message, "f.csv:")) {
		abort ();
	}
	return 0;
}
