/* compare-summary.c — what `compare` prints for people: both sides, the
 * fate of the source's messages, a table per folder, the first rows of each
 * kind (unexpected first: those are the ones to look at), the verdict.
 * Text from messages goes through mp_text_for_terminal (no control character
 * reaches the terminal). Not a format for machines: use --json. */
#include "compare-report.h"
#include "row-text.h"
#include "rules.h"
#include "shown-text.h"

#include <string.h>

#define ROWS_SHOWN 20

typedef struct {
	const char *bold, *red, *yellow, *green, *dim, *off;
} Colours;

static const Colours plain = { "", "", "", "", "", "" };
static const Colours ansi = { "\033[1m", "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m" };

typedef struct {
	FILE                  *fp;
	const Colours         *c;
	const MpSizeTolerance *tolerance;
	guint                  shown;
} Rows;

static void
print_side (FILE *fp, const char *label, const MpSide *s)
{
	g_autofree char *name = mp_text_for_terminal (s->name, 200);
	g_autofree char *size = mp_format_size (s->bytes);

	fprintf (fp, "%s %s (%s): %u messages, %s in %u folder(s)", label, name, s->kind ? s->kind : "?",
	         s->keys->len, size, s->folders->len);
	if (s->error) {
		g_autofree char *e = mp_text_for_terminal (s->error, 300);
		fprintf (fp, "; COULD NOT BE READ: %s", e);
	} else if (s->folders_failed) {
		fprintf (fp, "; %u folder(s) could not be read", s->folders_failed);
	}
	fputc ('\n', fp);
}

static glong
width (const char *s)
{
	return g_utf8_strlen (s, -1);
}

static void
padded (FILE *fp, const char *s, glong w)
{
	fputs (s, fp);
	for (glong i = width (s); i < w; i++)
		fputc (' ', fp);
}

static void
print_folders (FILE *fp, const MpCompareOutcome *o, const Colours *c)
{
	glong wf = 6, we = 8;

	for (guint i = 0; i < o->source->folders->len; i++) {
		g_autofree char *f = mp_text_for_terminal (mp_side_folder (o->source, i)->name, 40);
		g_autofree char *e = mp_text_for_terminal (g_array_index (o->expected, MpExpectedFolder, i).name, 40);
		wf = MAX (wf, width (f));
		we = MAX (we, width (e) + 1);
	}
	fprintf (fp, "\n%s", c->bold);
	padded (fp, "Folder", wf);
	fputs ("  ", fp);
	padded (fp, "Expected", we);
	fprintf (fp, "  %8s %8s %7s %8s %10s %7s%s\n", "Messages", "Arrived", "Moved", "Missing", "Unexpected",
	         "Changed", c->off);
	for (guint i = 0; i < o->source->folders->len; i++) {
		const MpSideFolder *f = mp_side_folder (o->source, i);
		const MpSourceFolderOutcome *fo = &g_array_index (o->folders, MpSourceFolderOutcome, i);
		const MpExpectedFolder *e = &g_array_index (o->expected, MpExpectedFolder, i);
		g_autofree char *fn = mp_text_for_terminal (f->name, 40);
		g_autofree char *en = mp_text_for_terminal (e->name, 40);
		g_autofree char *shown = g_strconcat (en, e->folder == MP_NO_FOLDER ? "*" : "", NULL);

		padded (fp, fn, wf);
		fputs ("  ", fp);
		padded (fp, shown, we);
		fprintf (fp, "  %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %7" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
		         " %s%10" G_GUINT64_FORMAT "%s %7" G_GUINT64_FORMAT, fo->counts.messages, fo->counts.arrived,
		         fo->counts.moved, fo->counts.missing, fo->counts.unexpected ? c->red : "",
		         fo->counts.unexpected, fo->counts.unexpected ? c->off : "", fo->counts.changed);
		if (f->error)
			fputs ("  (read failed)", fp);
		for (guint k = 0; k < fo->n_moved_to; k++) {
			g_autofree char *to = mp_text_for_terminal (mp_side_folder (o->target, fo->moved_to[k].folder)->name, 40);
			fprintf (fp, "%s%s (%" G_GUINT64_FORMAT ")", k ? ", " : "  moved to: ", to, fo->moved_to[k].messages);
		}
		fputc ('\n', fp);
	}
	for (guint i = 0; i < o->expected->len; i++)
		if (g_array_index (o->expected, MpExpectedFolder, i).folder == MP_NO_FOLDER) {
			fprintf (fp, "%s* not a folder of the target%s\n", c->dim, c->off);
			break;
		}
}

static gboolean
print_row (const MpCompareRow *row, gpointer user_data, GError **error)
{
	Rows *r = user_data;
	g_autofree char *folder = NULL;
	g_autofree char *subject = NULL;
	g_autofree char *detail = NULL;
	g_autofree char *text = NULL;

	if (r->shown++ >= ROWS_SHOWN)
		return TRUE;
	folder = mp_text_for_terminal (row->folder, 30);
	subject = mp_text_for_terminal (row->message->subject, 50);
	detail = mp_compare_row_detail (row, r->tolerance);
	text = mp_text_for_terminal (detail, 160);
	fprintf (r->fp, "  %s #%" G_GUINT64_FORMAT "  %s  %s\n      %s%s%s\n", folder, row->message->index,
	         row->message->date ? row->message->date : "(no date)", subject, r->c->dim, text, r->c->off);
	return TRUE;
}

static gboolean
print_rows (MpCompareOutcome *o, FILE *fp, const Colours *c, MpRowStatus status, guint64 count,
            const char *title, GError **error)
{
	Rows r = { fp, c, &o->tolerance, 0 };

	if (count == 0)
		return TRUE;
	fprintf (fp, "\n%s%s%s (%" G_GUINT64_FORMAT "):\n", c->bold, title, c->off, count);
	if (!mp_compare_outcome_rows (o, status, print_row, &r, error))
		return FALSE;
	if (count > ROWS_SHOWN)
		fprintf (fp, "  ... and %" G_GUINT64_FORMAT " more (all in --csv, --json, --html)\n", count - ROWS_SHOWN);
	return TRUE;
}

gboolean
mp_compare_print_summary (MpCompareOutcome *o, const MpCompareInfo *info, FILE *fp, gboolean colour,
                          GError **error)
{
	const Colours *c = colour ? &ansi : &plain;
	const MpCompareCounts *t = &o->totals;
	g_autofree char *tol = mp_size_tolerance_string (&o->tolerance);
	MpCompareVerdict v = mp_compare_verdict (o);

	fprintf (fp, "mailpreflight compare; rules: %s (%s); sizes equal within %s\n",
	         info->run->rules_name ? info->run->rules_name : "?",
	         info->run->rules_origin ? info->run->rules_origin : "?", tol);
	print_side (fp, "Source", o->source);
	print_side (fp, "Target", o->target);
	fprintf (fp, "\nArrived     %8" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
	         " in place, %" G_GUINT64_FORMAT " moved to another folder)\n",
	         t->arrived, t->messages, t->arrived - t->moved, t->moved);
	fprintf (fp, "Missing     %8" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " as the rules predicted, %s%"
	         G_GUINT64_FORMAT " unexpected%s)\n", t->missing + t->unexpected, t->missing,
	         t->unexpected ? c->red : "", t->unexpected, t->unexpected ? c->off : "");
	fprintf (fp, "Changed     %8" G_GUINT64_FORMAT " (arrived with another size, attachment count or header)\n",
	         t->changed);
	fprintf (fp, "Extra       %8" G_GUINT64_FORMAT " on the target only (%" G_GUINT64_FORMAT
	         " second copies); usually fine\n", o->target_totals.extra, o->target_totals.copies);
	print_folders (fp, o, c);
	if (!print_rows (o, fp, c, MP_ROW_UNEXPECTED, t->unexpected,
	                 "Missing, and no rule predicted it (look at these first)", error) ||
	    !print_rows (o, fp, c, MP_ROW_MISSING, t->missing, "Missing, as the rules predicted", error) ||
	    !print_rows (o, fp, c, MP_ROW_CHANGED, t->changed, "Changed", error) ||
	    !print_rows (o, fp, c, MP_ROW_EXTRA, o->target_totals.extra, "Extra on the target", error))
		return FALSE;
	for (guint i = 0; info->notes && i < info->notes->len; i++) {
		g_autofree char *n = mp_text_for_terminal (g_ptr_array_index (info->notes, i), 300);
		fprintf (fp, "%s%s\n", i == 0 ? "\nNotes:\n  " : "  ", n);
	}
	fputc ('\n', fp);
	switch (v) {
	case MP_COMPARE_COMPLETE:
		fprintf (fp, "%s%sVerdict: COMPLETE, every message arrived%s\n", c->bold, c->green, c->off);
		break;
	case MP_COMPARE_PREDICTED:
		fprintf (fp, "%s%sVerdict: %" G_GUINT64_FORMAT " message(s) did not arrive, every one as the rules "
		         "predicted%s%s\n", c->bold, c->yellow, t->missing,
		         o->accept_predicted ? " (accepted: --accept-predicted)" : "", c->off);
		break;
	case MP_COMPARE_UNEXPECTED:
		fprintf (fp, "%s%sVerdict: %" G_GUINT64_FORMAT " message(s) did not arrive and no rule predicted it%s\n",
		         c->bold, c->red, t->unexpected, c->off);
		break;
	case MP_COMPARE_INCOMPLETE:
		fprintf (fp, "%s%sVerdict: INCOMPLETE, a side could not be read: what is missing is not known%s\n",
		         c->bold, c->yellow, c->off);
		break;
	}
	return TRUE;
}
