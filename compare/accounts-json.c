/* accounts-json.c — writes the mailpreflight-compare-accounts/1 document
 * (accounts-json.h), each account's comparison on one line. */
#include "accounts-json.h"
#include "escape.h"
#include "mp-config.h"

#include <errno.h>
#include <stdio.h>

static void
str (FILE *fp, const char *k, const char *v, gboolean comma)
{
	mp_json_write_string (fp, k);
	fputc (':', fp);
	mp_json_write_string (fp, v);
	if (comma)
		fputc (',', fp);
}

void
mp_compare_accounts_json_settings (FILE *fp, const MpCompareAccountsInfo *info)
{
	const MpRunInfo *run = info->run;
	g_autofree char *tol = mp_size_tolerance_string (&info->tolerance);

	fputc ('{', fp);
	/* without --as-of every shard judges as of its own start: the merge
	 * then refuses, as `report merge` does */
	str (fp, "as_of", run->as_of ? run->as_of : run->scan_time, TRUE);
	str (fp, "rules", run->rules_name, TRUE);
	str (fp, "rules_origin", run->rules_origin, TRUE);
	str (fp, "rules_digest", run->rules_digest, TRUE);
	fprintf (fp, "\"size_tolerance\":{\"bytes\":%" G_GUINT64_FORMAT ",\"basis_points\":%u,\"text\":",
	         (guint64) info->tolerance.bytes, (guint) info->tolerance.basis_points);
	mp_json_write_string (fp, tol);
	fprintf (fp, "},\"accept_predicted\":%s,\"fail_on_changed\":%s,\"accounts_total\":%u}",
	         info->accept_predicted ? "true" : "false", info->fail_on_changed ? "true" : "false",
	         info->accounts_total);
}

void
mp_compare_accounts_json_begin (FILE *fp, const MpCompareAccountsInfo *info)
{
	const MpRunInfo *run = info->run;

	fputs ("{\"schema\":", fp);
	mp_json_write_string (fp, MP_COMPARE_ACCOUNTS_SCHEMA);
	fputs (",\n\"tool\":{\"name\":\"mailpreflight\",\"version\":", fp);
	mp_json_write_string (fp, MP_VERSION);
	fputs ("},\n\"settings\":", fp);
	mp_compare_accounts_json_settings (fp, info);
	fputs (",\n\"runs\":[\n", fp);
	fputs ("{\"command\":", fp);
	mp_compare_json_write_command (fp, run->command);
	fputc (',', fp);
	str (fp, "time", run->scan_time, TRUE);
	str (fp, "shard", info->shard, FALSE);
	fputs ("}\n],\n\"accounts\":[\n", fp);
}

/* A stream that drops line ends: the comparison's object is written as for
 * its own file (line ends between rows) but must take one line here. JSON
 * strings hold no raw line end (escape.h writes \n), so every one dropped is
 * whitespace between tokens. */
static ssize_t
one_line_write (void *cookie, const char *buf, size_t len)
{
	FILE *fp = cookie;
	size_t from = 0;

	for (size_t i = 0; i <= len; i++)
		if (i == len || buf[i] == '\n') {
			if (i > from && fwrite (buf + from, 1, i - from, fp) != i - from)
				return -1;
			from = i + 1;
		}
	return (ssize_t) len;
}

gboolean
mp_compare_accounts_json_account (FILE *fp, gboolean first, const MpAccount *account, MpCompareOutcome *o,
                                  const MpCompareInfo *info, const char *error_text, guint exit_status,
                                  GError **error)
{
	const cookie_io_functions_t io = { .write = one_line_write };
	FILE *line;
	gboolean ok = TRUE;

	fprintf (fp, "%s{\"ordinal\":%" G_GUINT64_FORMAT ",", first ? "" : ",", account->ordinal);
	str (fp, "account", account->name, TRUE);
	str (fp, "source", ((const MpAccountSource *) g_ptr_array_index (account->sources, 0))->location, TRUE);
	str (fp, "target", account->target ? account->target->location : NULL, TRUE);
	str (fp, "error", error_text, TRUE);
	str (fp, "verdict", o ? mp_compare_verdict_name (mp_compare_verdict (o))
	                      : mp_compare_verdict_name (MP_COMPARE_INCOMPLETE), TRUE);
	fprintf (fp, "\"exit_status\":%u,\"comparison\":", exit_status);
	if (o == NULL) {
		fputs ("null}\n", fp);
		return TRUE;
	}
	fflush (fp);
	line = fopencookie (fp, "w", io);
	if (line == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "cannot write the JSON: %s", g_strerror (errno));
		return FALSE;
	}
	ok = mp_compare_write_json_object (line, o, info, TRUE, error);
	if (fclose (line) != 0 && ok) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "cannot write the JSON: %s", g_strerror (errno));
		ok = FALSE;
	}
	fputs ("}\n", fp);
	return ok;
}

void
mp_compare_accounts_json_end (FILE *fp, const MpCompareAccountsTotals *totals)
{
	fputs ("],\n", fp);
	mp_compare_accounts_totals_write (fp, totals);
	fputs ("}\n", fp);
}
