/* fuzz-compare-merge.c — `compare merge` (compare/accounts-merge.c), the
 * reader of mailpreflight-compare-accounts/1 documents. The input is one
 * document, or two separated by a NUL byte (two shards). Checked, abort()
 * on violation:
 *  - it never crashes, and fails with an error naming a file and line (or
 *    two files, for an account in both) or succeeds;
 *  - what it writes is itself a document the merge takes: merged alone
 *    again, it comes out byte for byte the same (a merge is a fixed point),
 *    and no more accounts are missing;
 *  - the reports of many accounts (CSV, folders CSV, HTML: accounts-report.c)
 *    are written from every account line it takes, without a crash. */
#include "fuzz-common.h"
#include "accounts-json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *work_dir;

static gboolean
merge (const char *const *parts, const size_t *lens, guint n, char **out, size_t *out_len, guint64 *missing,
       gboolean reports, GError **error)
{
	g_autofree char *csv = reports ? g_build_filename (work_dir, "rows.csv", NULL) : NULL;
	g_autofree char *folders = reports ? g_build_filename (work_dir, "folders.csv", NULL) : NULL;
	g_autofree char *html = reports ? g_build_filename (work_dir, "page.html", NULL) : NULL;
	static const char *const names[] = { "a.json", "b.json" };
	FILE *in[2] = { NULL, NULL };
	FILE *o = open_memstream (out, out_len);
	gboolean ok = FALSE;

	for (guint i = 0; i < n; i++) {
		in[i] = fmemopen ((void *) parts[i], lens[i], "r");
		if (in[i] == NULL)
			goto done;
	}
	ok = mp_compare_accounts_merge_streams (in, names, n, o, csv, folders, html, NULL, missing, error);
done:
	for (guint i = 0; i < n; i++)
		if (in[i] != NULL)
			fclose (in[i]);
	fclose (o);
	return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	const char *parts[2] = { (const char *) data, NULL };
	size_t lens[2] = { size, 0 };
	const uint8_t *nul = memchr (data, '\0', size);
	guint n = 1;
	g_autofree char *out = NULL, *again = NULL;
	size_t out_len = 0, again_len = 0;
	guint64 missing = 0, missing_again = 0;
	g_autoptr(GError) error = NULL;

	if (nul != NULL) {
		lens[0] = (size_t) (nul - data);
		parts[1] = (const char *) nul + 1;
		lens[1] = size - lens[0] - 1;
		n = 2;
	}
	/* fmemopen needs a buffer of at least one byte */
	if (lens[0] == 0 || (n == 2 && lens[1] == 0))
		return 0;
	if (work_dir == NULL && (work_dir = g_dir_make_tmp ("fuzz-compare-merge-XXXXXX", NULL)) == NULL)
		abort ();
	if (!merge (parts, lens, n, &out, &out_len, &missing, TRUE, &error)) {
		if (error == NULL || !(g_str_has_prefix (error->message, "a.json") ||
		                       g_str_has_prefix (error->message, "b.json") ||
		                       strstr (error->message, " is in a.json and in ") != NULL))
			abort ();
		return 0;
	}
	if (error != NULL || out_len == 0)
		abort ();
	parts[0] = out;
	lens[0] = out_len;
	if (!merge (parts, lens, 1, &again, &again_len, &missing_again, FALSE, &error) || again_len != out_len ||
	    memcmp (again, out, out_len) != 0 || missing_again != missing)
		abort ();
	return 0;
}
