/* fuzz-json-read.c — reading a saved JSON report back (reports/json-read.c),
 * as `mailpreflight report` does: a first pass for the header (runs, rules,
 * --fail-on), then the sources replayed into the report sink, which writes
 * JSON again. Checked, abort() on violation:
 *  - a refused input is an MP_ERROR_READ naming the file and line
 *    ("report.json:LINE: ..."), never a crash, hang or leak;
 *  - an accepted input renders a JSON report that reads back, and rendering
 *    that again gives the same bytes: what the writer writes, the reader
 *    reads back whole (every key matched by its name, none mistaken for
 *    another). */
#include "fuzz-common.h"
#include "json-read.h"
#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME "report.json"

static void
fail (const char *what, const char *detail)
{
	fprintf (stderr, "fuzz-json-read: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort ();
}

static char *work_dir;

/* The report in FP rendered as JSON into OUT_PATH; FALSE with ERROR when
 * FP is refused. */
static gboolean
render (FILE *fp, const char *out_path, GError **error)
{
	g_autoptr(MpReportMeta) meta = mp_report_meta_new ();
	g_autoptr(MpReport) report = NULL;
	MpReportOptions opt = { 0 };

	if (!mp_json_read_stream (fp, NAME, meta, NULL, NULL, error))
		return FALSE;
	opt.json = out_path;
	opt.quiet_errors = TRUE;
	if ((report = mp_report_new (&opt, meta, error)) == NULL)
		fail ("cannot create the output", (*error)->message);
	rewind (fp);
	if (!mp_json_read_stream (fp, NAME, NULL, mp_report_sink (), report, error))
		return FALSE;
	if (!mp_report_finish (report, error))
		fail ("cannot write the output", (*error)->message);
	return TRUE;
}

static char *
slurp (const char *path, gsize *len)
{
	char *data = NULL;

	if (!g_file_get_contents (path, &data, len, NULL))
		fail ("cannot read back", path);
	return data;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *first = NULL, *second = NULL;
	g_autofree char *out1 = NULL, *out2 = NULL;
	gsize len1 = 0, len2 = 0;
	FILE *in;

	if (work_dir == NULL && (work_dir = g_dir_make_tmp ("fuzz-json-read-XXXXXX", NULL)) == NULL)
		fail ("no temporary directory", g_strerror (errno));
	out1 = g_build_filename (work_dir, "one.json", NULL);
	out2 = g_build_filename (work_dir, "two.json", NULL);
	/* fmemopen does not take a zero size */
	in = size ? fmemopen ((void *) data, size, "r") : fopen ("/dev/null", "r");
	if (in == NULL)
		fail ("fmemopen", g_strerror (errno));
	if (!render (in, out1, &error)) {
		fclose (in);
		if (!g_error_matches (error, MP_ERROR, MP_ERROR_READ) || !g_str_has_prefix (error->message, NAME ":"))
			fail ("a refusal that is not a read error naming the file", error->message);
		return 0;
	}
	fclose (in);
	first = slurp (out1, &len1);
	in = fopen (out1, "r");
	if (in == NULL)
		fail ("cannot open the output", out1);
	if (!render (in, out2, &error))
		fail ("the reader refuses what the writer wrote", error->message);
	fclose (in);
	second = slurp (out2, &len2);
	if (len1 != len2 || memcmp (first, second, len1) != 0)
		fail ("rendering the rendered report again changes it", NULL);
	unlink (out1);
	unlink (out2);
	return 0;
}
