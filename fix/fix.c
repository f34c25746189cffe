/* fix.c — the run of `fix split` and `fix detach` (see fix.h).
 *
 * One thread, streaming: each folder of each source is read message by
 * message (reader.h); a message that needs no change is copied as it is,
 * one that does is planned, its too-large attachments saved, its parts
 * built from its own bytes and written; every output message is
 * registered with the check (verify.h). When a folder is written it is
 * read back and checked; its records then go to the manifest and the HTML
 * report and are freed. After the last folder the staging directory is
 * committed (staging.h). Any failure — a source that cannot be read, a
 * write that fails, a check that fails, an interrupt — removes everything
 * written and exits 3: no half-written output, ever. */
#include "fix.h"
#include "build.h"
#include "detach.h"
#include "fix-report.h"
#include "selection.h"
#include "staging.h"
#include "verify.h"
#include "writer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* messages that could not be fixed, listed in the summary (all are in the
 * manifest and the HTML) */
#define SUMMARY_LIST_MAX 50

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
	interrupted = sig;
}

typedef struct {
	const MpFixOptions *opt;
	MpFixLimits         limits;
	gboolean            have_limits;
	MpAnalyzer         *analyzer;
	MpFixStaging       *staging;     /* NULL in a dry run */
	char               *out_abs;
	char               *att_abs;     /* NULL when nothing may be detached */
	MpFixManifest      *manifest;
	MpFixHtml          *html;
	MpFixSelection     *selection;
	MpFixCheck         *check;
	MpFixTotals         totals;
	GPtrArray          *not_fixed;   /* lines for the summary, at most SUMMARY_LIST_MAX */
	GPtrArray          *notes;       /* notices for the summary */
	GPtrArray          *srcs;        /* MpSource*, one per SOURCE */
	char               *limits_text;
	/* the source being fixed */
	MpSource           *src;
	MpFixWriter        *writer;
	const char         *source_arg;
	char               *source_root; /* where its copy is staged (for locators) */
	char               *folder_out;  /* the folder being written, relative to source_root */
	/* progress */
	gint64              started, last_progress;
} Run;

static void
progress (Run *run, gboolean force)
{
	gint64 now;
	gdouble secs;

	if (!run->opt->progress)
		return;
	now = g_get_monotonic_time ();
	if (!force && now - run->last_progress < G_USEC_PER_SEC / 4)
		return;
	run->last_progress = now;
	secs = (gdouble) (now - run->started) / G_USEC_PER_SEC;
	fprintf (stderr, "\r\033[Kfixing: %" G_GUINT64_FORMAT " messages, %.1f MB, %.1f MB/s, %" G_GUINT64_FORMAT
	         " split, %" G_GUINT64_FORMAT " detached, %" G_GUINT64_FORMAT " not fixable",
	         run->totals.messages, (gdouble) run->totals.bytes / 1048576.0,
	         secs > 0 ? (gdouble) run->totals.bytes / 1048576.0 / secs : 0.0, run->totals.split,
	         run->totals.detached, run->totals.not_fixed);
	fflush (stderr);
}

static void
progress_clear (Run *run)
{
	if (run->opt->progress && run->last_progress) {
		fputs ("\r\033[K", stderr);
		fflush (stderr);
	}
}

/* PATH relative to ROOT ("" when equal). */
static char *
relative (const char *path, const char *root)
{
	gsize n = strlen (root);

	if (strcmp (path, root) == 0)
		return g_strdup ("");
	if (strncmp (path, root, n) == 0 && path[n] == '/')
		return g_strdup (path + n + 1);
	return g_strdup (path);
}

/* Writes ITEM as it is; UNCHANGED: it counts as copied unchanged (not a
 * message that could not be fixed, nor folder data). */
static gboolean
copy_item (Run *run, const MpFixItem *item, gboolean unchanged, GError **error)
{
	MpFixOut out = { item, NULL, &item->env, NULL, NULL, 0 };
	g_autofree char *key = NULL;

	if (!run->writer->ops->put (run->writer, &out, &key, error))
		return FALSE;
	if (key != NULL)
		mp_fix_check_expect_copy (run->check, key, item, run->writer->format);
	if (unchanged)
		run->totals.copied++;
	run->totals.written++;
	return TRUE;
}

static void
note_not_fixed (Run *run, MpFixRecord *rec)
{
	run->totals.not_fixed++;
	if (run->not_fixed->len < SUMMARY_LIST_MAX) {
		g_autofree char *who = mp_fix_record_describe (rec);
		g_ptr_array_add (run->not_fixed, g_strdup_printf ("%s: folder %s, %s: %s", rec->source, rec->folder, who,
		                                                  rec->why));
	}
}

/* The attachment of REC's index that a detached unit holds (its hash). */
static gboolean
mark_detached (MpFixRecord *rec, const MpFixUnit *u, GError **error)
{
	for (guint i = 0; rec->atts && i < rec->atts->len; i++) {
		MpFixAttachment *a = g_ptr_array_index (rec->atts, i);
		if (a->detached == NULL && a->part == 0 && strcmp (a->sha256, u->sha256) == 0) {
			a->detached = g_strdup (u->detached_where);
			return TRUE;
		}
	}
	g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "verification failed: message %" G_GUINT64_FORMAT " (%s): "
	             "the detached file (SHA-256 %s) is none of the message's attachments", rec->index, rec->locator,
	             u->sha256);
	return FALSE;
}

typedef enum {
	FIXED,
	NOT_FIXABLE, /* REC->why says why; the message is to be copied as it is */
	FAILED,      /* ERROR */
} Outcome;

static Outcome
fix_message (Run *run, const MpFixItem *item, MpFixRecord *rec, GError **error)
{
	const MpFixOptions *opt = run->opt;
	const char *tmpdir = run->staging ? mp_fix_staging_dir (run->staging) : NULL;
	g_autoptr(GMimeStream) canon = mp_fix_item_stream (item, tmpdir, error);
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(MpFixCut) cut = NULL;
	g_autoptr(MpFixPlan) plan = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autofree char *rules_text = NULL;
	MpFixBuildInfo info = { 0 };
	MpFixPlanOptions popt = { 0 };
	MpFixOrigin origin = { 0 };

	if (canon == NULL || !mp_fix_stream_sha256 (canon, rec->sha256, error))
		return FAILED;
	g_mime_stream_reset (canon);
	parser = g_mime_parser_new_with_stream (canon);
	g_mime_parser_set_persist_stream (parser, TRUE);
	msg = g_mime_parser_construct_message (parser, NULL);
	if (msg == NULL) {
		rec->why = g_strdup ("GMime cannot parse it");
		return NOT_FIXABLE;
	}
	if ((rec->atts = mp_fix_attachment_index (msg, canon, error)) == NULL)
		return FAILED;
	if ((cut = mp_fix_cut_new (canon, msg, opt->allow_break_signatures, error)) == NULL)
		return FAILED;
	rules_text = rec->rules && rec->rules[0] ? g_strjoinv (", ", rec->rules) : g_strdup ("attachments");
	info.message_id = g_mime_message_get_message_id (msg);
	info.sha256 = rec->sha256;
	info.subject = rec->subject;
	info.limits_text = run->limits_text;
	info.rules_text = rules_text;
	info.attachments_dir = run->att_abs;
	popt.mode = opt->mode;
	popt.limits = &run->limits;
	popt.detach_oversize = opt->detach_oversize;
	popt.min_size = opt->min_size;
	popt.info = &info;
	if ((plan = mp_fix_plan_new (cut, run->analyzer, &popt, error)) == NULL)
		return FAILED;
	if (plan->why_not != NULL) {
		rec->why = g_strdup (plan->why_not);
		return NOT_FIXABLE;
	}
	if (opt->mode == MP_FIX_MODE_DETACH && plan->detached == 0) {
		rec->why = g_strdup ("its large attachments are not at the top of the message (inside another "
		                     "part or an attached message) and cannot be detached alone");
		return NOT_FIXABLE;
	}
	/* save what is detached, then build the parts around it */
	origin.source = run->source_arg;
	origin.folder = rec->folder;
	origin.locator = rec->locator;
	origin.message_id = rec->message_id;
	origin.subject = rec->subject;
	for (guint i = 0; i < plan->units->len; i++) {
		MpFixUnit *u = g_ptr_array_index (plan->units, i);
		if (!u->detach)
			continue;
		if (!mp_fix_detach_unit (run->writer, plan, u, &origin, error) || !mark_detached (rec, u, error))
			return FAILED;
		rec->detached++;
	}
	if ((parts = mp_fix_build (plan, &info, error)) == NULL)
		return FAILED;
	for (guint i = 0; i < parts->len; i++) {
		MpFixPart *p = g_ptr_array_index (parts, i);
		MpFixPartRecord *pr = mp_fix_record_add_part (rec, p->k);
		pr->message_id = g_strdup (p->message_id);
		pr->size = p->size;
		pr->attachments = p->attachments;
		if (opt->mode == MP_FIX_MODE_SPLIT && p->size > run->limits.size_max) {
			/* the plan is exact: this would be a bug, and is never written */
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "verification failed: message %" G_GUINT64_FORMAT
			             " (%s): part %u/%u was built with %" G_GUINT64_FORMAT " octets, over the limit",
			             rec->index, rec->locator, p->k, p->n, p->size);
			return FAILED;
		}
	}
	for (guint i = 0; i < parts->len; i++) {
		MpFixPart *p = g_ptr_array_index (parts, i);
		MpFixPartRecord *pr = g_ptr_array_index (rec->parts, i);
		/* zero-padded, so that names sort in part order */
		g_autofree char *digits = g_strdup_printf ("%u", p->n);
		g_autofree char *tag = p->n >= 2 ? g_strdup_printf ("part%0*uof%u", (int) strlen (digits), p->k, p->n)
		                                 : g_strdup ("detached");
		MpFixOut out = { NULL, p->stream, &item->env, tag, NULL, p->k };
		g_autofree char *key = NULL;

		if (run->staging == NULL && !mp_fix_check_part_stream (run->check, rec, p->k, p->stream, error))
			return FAILED; /* a dry run checks the parts as built */
		if (!run->writer->ops->put (run->writer, &out, &key, error))
			return FAILED;
		if (key != NULL) {
			pr->key = g_strdup (key);
			/* as a scan of the copy names it */
			pr->locator = run->writer->format == MP_FIX_FORMAT_MAILDIR ? relative (key, run->source_root)
			                                                           : g_strdup (key);
			mp_fix_check_expect_part (run->check, key, rec, p->k);
		}
	}
	if (run->staging == NULL && !mp_fix_check_record (run->check, rec, run->writer, error))
		return FAILED;
	rec->action = parts->len >= 2 ? MP_FIX_ACTION_SPLIT : MP_FIX_ACTION_DETACH;
	run->totals.written += parts->len;
	run->totals.detached += rec->detached;
	if (parts->len >= 2) {
		run->totals.split++;
		run->totals.parts += parts->len;
	} else {
		run->totals.detached_only++;
	}
	return FIXED;
}

/* Does M need the fix at all? RULES: the rules it breaks (split). */
static gboolean
needs_fix (Run *run, const MpMessage *m, char **rules)
{
	if (run->opt->mode == MP_FIX_MODE_SPLIT)
		return rules != NULL && rules[0] != NULL;
	for (guint i = 0; i < m->attachment_list->len; i++)
		if (((const MpAttachment *) g_ptr_array_index (m->attachment_list, i))->encoded_size >= run->opt->min_size)
			return TRUE;
	return FALSE;
}

static gboolean
process_message (Run *run, const MpFixItem *item, GPtrArray *records, GError **error)
{
	const MpFixOptions *opt = run->opt;
	g_autoptr(MpMessage) m = mp_fix_item_analyze (item, run->analyzer, opt->rules);
	char **rules = run->have_limits ? mp_fix_limits_broken (&run->limits, m) : g_new0 (char *, 1);
	const char *listed_id = NULL;
	MpFixRecord *rec;
	Outcome outcome;

	run->totals.bytes += m->size;
	if (run->selection != NULL &&
	    !mp_fix_selection_lists (run->selection, run->source_arg, item->folder, item->locator, &listed_id)) {
		g_strfreev (rules);
		return copy_item (run, item, TRUE, error); /* not in the reviewed plan */
	}
	if (!needs_fix (run, m, rules)) {
		if (run->selection != NULL && rules[0] == NULL && opt->mode == MP_FIX_MODE_SPLIT) {
			g_autofree char *n = g_strdup_printf ("%s: folder %s, message %" G_GUINT64_FORMAT " (%s) is listed by "
			                                      "the report but passes the rules now: copied as it is",
			                                      run->source_arg, item->folder, item->index, item->locator);
			g_ptr_array_add (run->notes, g_steal_pointer (&n));
		}
		g_strfreev (rules);
		return copy_item (run, item, TRUE, error);
	}
	rec = mp_fix_record_new (run->source_arg, m, rules);
	rec->out_folder = g_strdup (run->folder_out);
	g_ptr_array_add (records, rec);
	if (run->selection != NULL && listed_id != NULL && g_strcmp0 (listed_id, m->message_id) != 0) {
		rec->why = g_strdup_printf ("the message here is not the one the report lists (Message-ID <%s>, "
		                            "the report has <%s>): scan again", m->message_id ? m->message_id : "",
		                            listed_id);
		outcome = NOT_FIXABLE;
	} else if ((m->flags & (MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED | MP_MSG_FLAG_SMIME_OPAQUE)) &&
	           !opt->allow_break_signatures) {
		g_autofree char *flags = mp_message_flags_string (m->flags & (MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED |
		                                                             MP_MSG_FLAG_SMIME_OPAQUE));
		rec->why = g_strdup_printf ("%s: changing it would break the signature or the encryption "
		                            "(--allow-break-signatures to change it anyway)", flags);
		outcome = NOT_FIXABLE;
	} else {
		outcome = fix_message (run, item, rec, error);
	}
	if (outcome == FAILED)
		return FALSE;
	if (outcome == NOT_FIXABLE) {
		/* copied as it is; nothing half-done of it stays in the copy */
		rec->action = MP_FIX_ACTION_NOT_FIXED;
		g_ptr_array_set_size (rec->parts, 0);
		note_not_fixed (run, rec);
		if (!copy_item (run, item, FALSE, error))
			return FALSE;
	}
	return TRUE;
}

static void
report_records (Run *run, GPtrArray *records)
{
	for (guint i = 0; i < records->len; i++) {
		const MpFixRecord *r = g_ptr_array_index (records, i);
		if (run->manifest)
			mp_fix_manifest_record (run->manifest, r);
		if (run->html)
			mp_fix_html_record (run->html, r);
	}
}

static gboolean
process_folder (Run *run, const MpFolder *folder, GError **error)
{
	g_autoptr(MpFixReader) reader = mp_fix_reader_open (run->src, folder, error);
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_record_free);
	g_autofree char *rel = NULL;
	MpFixItem *item;
	gboolean junk_done = FALSE;
	gboolean ok = TRUE;

	if (reader == NULL)
		return FALSE;
	run->totals.folders++;
	rel = relative (folder->path, run->src->abs_path);
	g_free (run->folder_out);
	run->folder_out = run->writer->ops->folder_target (run->writer, folder->name, rel);
	if (!run->writer->ops->folder_begin (run->writer, folder->name, rel, folder->path, error))
		return FALSE;
	for (;;) {
		item = mp_fix_reader_next (reader, error);
		if (error && *error)
			return FALSE;
		if (!junk_done && reader->junk_end > reader->junk_start) {
			/* bytes before the first From_ line: an mbox copy keeps them */
			junk_done = TRUE;
			if (run->writer->format == MP_FIX_FORMAT_MBOX && item != NULL) {
				if (!run->writer->ops->junk (run->writer, item->fd, reader->junk_start, reader->junk_end, error))
					return FALSE;
			} else {
				g_ptr_array_add (run->notes, g_strdup_printf ("%s: folder %s: %" G_GUINT64_FORMAT " bytes before "
				                                              "the first message are no mail and were not copied",
				                                              run->source_arg, folder->name,
				                                              reader->junk_end - reader->junk_start));
			}
		}
		if (item == NULL)
			break;
		if (interrupted) {
			g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "interrupted by signal %d", (int) interrupted);
			return FALSE;
		}
		if (item->internal) {
			/* no mail: UW-IMAP's folder data (kept in an mbox copy), a FIFO */
			run->totals.skipped++;
			if (item->kind == MP_FIX_STORED_MBOX && run->writer->format == MP_FIX_FORMAT_MBOX) {
				if (!copy_item (run, item, FALSE, error))
					return FALSE;
			} else {
				g_ptr_array_add (run->notes, g_strdup_printf ("%s: folder %s: %s %s and was not copied",
				                                              run->source_arg, folder->name, item->locator,
				                                              item->not_mail ? item->not_mail
				                                                             : "is no message"));
			}
			continue;
		}
		run->totals.messages++;
		if (!process_message (run, item, records, error))
			return FALSE;
		progress (run, FALSE);
	}
	if (!run->writer->ops->folder_end (run->writer, error))
		return FALSE;
	/* read the folder back and check it before going on */
	ok = mp_fix_check_folder (run->check, run->writer, error);
	if (ok)
		report_records (run, records);
	return ok;
}

static gboolean
process_source (Run *run, const char *source, GError **error)
{
	g_autoptr(GPtrArray) folders = run->src->ops->folders (run->src, error);

	if (folders == NULL) {
		g_prefix_error (error, "%s: ", source);
		return FALSE;
	}
	run->totals.sources++;
	if (run->manifest) {
		g_autofree char *out = relative (run->source_root, run->staging ? mp_fix_staging_out (run->staging)
		                                                                : run->out_abs);
		mp_fix_manifest_source_begin (run->manifest, source, run->src->ops->name, out);
	}
	for (guint i = 0; i < folders->len; i++) {
		const MpFolder *f = g_ptr_array_index (folders, i);
		if (!process_folder (run, f, error)) {
			g_prefix_error (error, "%s: folder %s: ", source, f->name);
			return FALSE;
		}
	}
	if (run->manifest)
		mp_fix_manifest_source_end (run->manifest);
	return TRUE;
}

static void
print_summary (Run *run, const MpFixOutcome *o, FILE *fp)
{
	const MpFixTotals *t = &run->totals;
	const char *mode = run->opt->mode == MP_FIX_MODE_SPLIT ? "split" : "detach";
	const char *bold = run->opt->colour ? "\033[1m" : "", *red = run->opt->colour ? "\033[31m" : "";
	const char *green = run->opt->colour ? "\033[32m" : "", *off = run->opt->colour ? "\033[0m" : "";

	fprintf (fp, "%smailpreflight fix %s%s%s\n", bold, mode, run->opt->dry_run ? " (dry run)" : "", off);
	fprintf (fp, "  read:        %" G_GUINT64_FORMAT " messages in %" G_GUINT64_FORMAT " folder%s of %"
	         G_GUINT64_FORMAT " source%s\n", t->messages, t->folders, t->folders == 1 ? "" : "s", t->sources,
	         t->sources == 1 ? "" : "s");
	fprintf (fp, "  unchanged:   %" G_GUINT64_FORMAT " copied byte for byte\n", t->copied);
	if (run->opt->mode == MP_FIX_MODE_SPLIT)
		fprintf (fp, "  split:       %" G_GUINT64_FORMAT " messages into %" G_GUINT64_FORMAT " (%s)\n", t->split,
		         t->parts, run->limits_text);
	fprintf (fp, "  detached:    %" G_GUINT64_FORMAT " attachments saved as files%s%s%s\n", t->detached,
	         run->att_abs && t->detached ? " in " : "", run->att_abs && t->detached ? run->att_abs : "",
	         t->detached_only ? "" : "");
	fprintf (fp, "  not fixed:   %s%" G_GUINT64_FORMAT "%s (copied as they are)\n", t->not_fixed ? red : "",
	         t->not_fixed, off);
	fprintf (fp, "  in the copy: %" G_GUINT64_FORMAT " messages\n", t->written);
	if (o->committed)
		fprintf (fp, "%sWritten and verified: %s%s\n", green, run->out_abs, off);
	else if (o->error)
		fprintf (fp, "%sNothing was written: %s%s\n", red, o->error, off);
	else
		fprintf (fp, "Dry run: nothing was written (the parts were built and checked in memory).\n");
	for (guint i = 0; i < run->not_fixed->len; i++)
		fprintf (fp, "%s  %s\n", i == 0 ? "Not fixed:\n" : "", (const char *) g_ptr_array_index (run->not_fixed, i));
	if (t->not_fixed > run->not_fixed->len)
		fprintf (fp, "  ... and %" G_GUINT64_FORMAT " more (see --json or --html)\n",
		         t->not_fixed - run->not_fixed->len);
	for (guint i = 0; i < run->notes->len; i++)
		fprintf (fp, "%s  %s\n", i == 0 ? "Notes:\n" : "", (const char *) g_ptr_array_index (run->notes, i));
}

/* Where SOURCES' copies go and in which format; FALSE with a usage error. */
static gboolean
plan_outputs (const char *const *sources, GPtrArray *srcs, const MpFixOptions *opt, gboolean *out_is_file,
              GError **error)
{
	guint n = g_strv_length ((char **) sources);
	g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

	*out_is_file = FALSE;
	for (guint i = 0; i < srcs->len; i++) {
		MpSource *src = g_ptr_array_index (srcs, i);
		MpFixFormat from = mp_fix_source_format (src);
		MpFixFormat to = opt->out_format == MP_FIX_FORMAT_SAME ? from : opt->out_format;
		g_autofree char *base = g_path_get_basename (src->abs_path);

		if (from == MP_FIX_FORMAT_SAME) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "%s: a %s source cannot be fixed: only mbox files, "
			             "folders of mbox files and Maildirs", sources[i], src->ops->name);
			return FALSE;
		}
		/* a single mbox file is copied to a single file */
		if (n == 1 && to == MP_FIX_FORMAT_MBOX && strcmp (src->ops->name, "mbox") == 0)
			*out_is_file = TRUE;
		if (n > 1 && !g_hash_table_add (names, g_steal_pointer (&base))) {
			g_set_error (error, MP_ERROR, MP_ERROR_USAGE, "two SOURCEs have the same name (%s): with several "
			             "SOURCEs each copy is DEST/NAME; fix them one at a time", sources[i]);
			return FALSE;
		}
	}
	return TRUE;
}

static MpFixWriter *
make_writer (Run *run, MpSource *src, const char *root, gboolean root_is_file)
{
	const MpFixOptions *opt = run->opt;
	MpFixFormat from = mp_fix_source_format (src);
	MpFixFormat to = opt->out_format == MP_FIX_FORMAT_SAME ? from : opt->out_format;
	MpFixWriter *w = to == MP_FIX_FORMAT_MBOX ? mp_fix_writer_mbox_new (run->staging, root, root_is_file, from)
	                                          : mp_fix_writer_maildir_new (run->staging, root, from);

	/* the one place a dry run is decided: the real writer is wrapped */
	if (run->staging == NULL)
		w = mp_fix_writer_dry_new (w, run->att_abs);
	if (opt->fault != NULL) {
		MpFixWriter *f = mp_fix_writer_fault_new (w, opt->fault);
		if (f != NULL)
			w = f;
	}
	return w;
}

static void
run_clear (Run *run)
{
	mp_fix_staging_free (run->staging);
	mp_fix_manifest_free (run->manifest);
	mp_fix_html_free (run->html);
	mp_fix_check_free (run->check);
	mp_fix_selection_free (run->selection);
	g_clear_pointer (&run->analyzer, mp_analyzer_free);
	mp_fix_limits_clear (&run->limits);
	g_free (run->limits_text);
	g_free (run->folder_out);
	g_free (run->out_abs);
	g_free (run->att_abs);
	g_clear_pointer (&run->not_fixed, g_ptr_array_unref);
	g_clear_pointer (&run->notes, g_ptr_array_unref);
	g_clear_pointer (&run->srcs, g_ptr_array_unref);
}

/* What to fix for: the limits of the rules (split) or --min-size (detach). */
static gboolean
set_limits (Run *run)
{
	const MpFixOptions *opt = run->opt;

	if (opt->mode == MP_FIX_MODE_DETACH) {
		g_autofree char *s = mp_format_size (opt->min_size);
		run->limits_text = g_strdup_printf ("attachments of %s or more are saved as files", s);
		mp_fix_limits_init (&run->limits, opt->rules, MP_SEVERITY_ERROR);
		return TRUE;
	}
	run->have_limits = mp_fix_limits_init (&run->limits, opt->rules, opt->level);
	if (!run->have_limits || (run->limits.size_max == G_MAXUINT64 && run->limits.count_max == G_MAXUINT64 &&
	                          run->limits.count_inline_max == G_MAXUINT64)) {
		g_printerr ("mailpreflight fix split: the rules (%s) have no message-size or attachment-count rule "
		            "of severity %s or above: nothing to split for\n", opt->rules->name,
		            mp_severity_name (opt->level));
		return FALSE;
	}
	run->limits_text = mp_fix_limits_text (&run->limits);
	return TRUE;
}

/* Everything that can be known before a byte is written: the sources open,
 * DEST and the attachments directory usable, the report readable. */
static MpFixStatus
prepare (Run *run, const char *const *sources, gboolean *out_is_file)
{
	const MpFixOptions *opt = run->opt;
	g_autoptr(GError) error = NULL;

	if (!set_limits (run))
		return MP_FIX_USAGE;
	for (gsize i = 0; sources[i]; i++) {
		MpSource *src;
		if (mp_source_is_network (sources[i])) {
			g_printerr ("mailpreflight fix: %s: an IMAP account is fixed on its own, in place: "
			            "mailpreflight fix split URL [--apply --backup FILE.mbox]\n", sources[i]);
			return MP_FIX_USAGE;
		}
		if ((src = mp_source_open (sources[i], &error)) == NULL) {
			g_printerr ("mailpreflight fix: %s\nmailpreflight fix: nothing was written\n", error->message);
			return MP_FIX_FAILED;
		}
		g_ptr_array_add (run->srcs, src);
	}
	if (!plan_outputs (sources, run->srcs, opt, out_is_file, &error)) {
		g_printerr ("mailpreflight fix: %s\n", error->message);
		return MP_FIX_USAGE;
	}
	run->out_abs = mp_fix_abs_path (opt->out);
	if (opt->mode == MP_FIX_MODE_DETACH || opt->detach_oversize) {
		g_autofree char *a = mp_fix_attachments_dir_for (opt->out);
		run->att_abs = mp_fix_abs_path (a);
	}
	if (!mp_fix_dest_check (opt->out, *out_is_file, run->att_abs, sources, &error)) {
		g_printerr ("mailpreflight fix: %s\n", error->message);
		return MP_FIX_USAGE;
	}
	if (opt->from_report != NULL) {
		const char *const *foreign;
		if ((run->selection = mp_fix_selection_load (opt->from_report, sources, &error)) == NULL) {
			g_printerr ("mailpreflight fix: %s\n", error->message);
			return MP_FIX_USAGE;
		}
		foreign = mp_fix_selection_foreign (run->selection);
		for (gsize i = 0; foreign[i]; i++)
			g_ptr_array_add (run->notes, g_strdup_printf ("the report's source %s is none of the SOURCEs: its "
			                                              "messages were not fixed", foreign[i]));
	}
	return MP_FIX_OK;
}

static MpFixStatus
open_reports (Run *run, MpFixRunInfo *info)
{
	const MpFixOptions *opt = run->opt;
	g_autoptr(GError) error = NULL;

	info->command = opt->command;
	info->mode = opt->mode == MP_FIX_MODE_SPLIT ? "split" : "detach";
	info->dry_run = opt->dry_run;
	info->out = run->out_abs;
	info->attachments = run->att_abs;
	info->rules = opt->rules;
	info->limits = opt->mode == MP_FIX_MODE_SPLIT ? &run->limits : NULL;
	info->opt = opt;
	if (opt->json && (run->manifest = mp_fix_manifest_new (opt->json, info, &error)) == NULL) {
		g_printerr ("mailpreflight fix: %s\n", error->message);
		return MP_FIX_USAGE;
	}
	if (opt->html && (run->html = mp_fix_html_new (opt->html, info, &error)) == NULL) {
		g_printerr ("mailpreflight fix: %s\n", error->message);
		return MP_FIX_USAGE;
	}
	return MP_FIX_OK;
}

/* Writes every source's copy and checks it; FALSE with ERROR. */
static gboolean
write_all (Run *run, const char *const *sources, gboolean out_is_file, GError **error)
{
	gboolean multi = run->srcs->len > 1;
	struct sigaction sa = { 0 };

	if (!run->opt->dry_run) {
		if ((run->staging = mp_fix_staging_new (run->opt->out, out_is_file, run->att_abs, error)) == NULL)
			return FALSE;
		if (multi && g_mkdir (mp_fix_staging_out (run->staging), 0700) != 0) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: %s", mp_fix_staging_out (run->staging),
			             g_strerror (errno));
			return FALSE;
		}
	}
	run->analyzer = mp_analyzer_new ();
	run->check = mp_fix_check_new (run->opt->mode == MP_FIX_MODE_SPLIT ? &run->limits : NULL, run->opt->rules,
	                               run->analyzer, run->staging ? mp_fix_staging_dir (run->staging) : NULL);
	/* an interrupt ends the run between two messages, and nothing stays */
	sa.sa_handler = on_signal;
	sigaction (SIGINT, &sa, NULL);
	sigaction (SIGTERM, &sa, NULL);
	sigaction (SIGHUP, &sa, NULL);
	run->started = g_get_monotonic_time ();
	for (guint i = 0; i < run->srcs->len; i++) {
		g_autofree char *base = g_path_get_basename (((MpSource *) g_ptr_array_index (run->srcs, i))->abs_path);
		const char *out_root = run->staging ? mp_fix_staging_out (run->staging) : run->out_abs;
		gboolean ok;

		run->src = g_ptr_array_index (run->srcs, i);
		run->source_arg = sources[i];
		run->source_root = multi ? g_build_filename (out_root, base, NULL) : g_strdup (out_root);
		run->writer = make_writer (run, run->src, run->source_root, out_is_file);
		ok = process_source (run, sources[i], error);
		g_clear_pointer (&run->writer, mp_fix_writer_free);
		g_clear_pointer (&run->source_root, g_free);
		if (!ok)
			return FALSE;
	}
	progress_clear (run);
	if (run->staging == NULL)
		return TRUE;
	run->totals.files = mp_fix_staging_files (run->staging);
	if (interrupted) {
		g_set_error (error, MP_ERROR, MP_ERROR_FAILED, "interrupted by signal %d", (int) interrupted);
		return FALSE;
	}
	return mp_fix_staging_commit (run->staging, error);
}

MpFixStatus
mp_fix_run (const char *const *sources, const MpFixOptions *opt)
{
	Run run = { 0 };
	g_autoptr(GError) error = NULL;
	MpFixRunInfo info = { 0 };
	MpFixOutcome outcome = { FALSE, FALSE, NULL };
	gboolean out_is_file = FALSE, ok;
	MpFixStatus status;

	run.opt = opt;
	run.not_fixed = g_ptr_array_new_with_free_func (g_free);
	run.notes = g_ptr_array_new_with_free_func (g_free);
	run.srcs = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_source_free);
	if ((status = prepare (&run, sources, &out_is_file)) != MP_FIX_OK ||
	    (status = open_reports (&run, &info)) != MP_FIX_OK) {
		run_clear (&run);
		return status;
	}
	ok = write_all (&run, sources, out_is_file, &error);
	progress_clear (&run);
	if (ok) {
		outcome.verified = run.staging != NULL;
		outcome.committed = run.staging != NULL;
	} else {
		outcome.error = error->message;
	}
	/* an unfinished copy is removed before anything else is said */
	g_clear_pointer (&run.staging, mp_fix_staging_free);
	if (!ok)
		g_printerr ("mailpreflight fix: %s\nmailpreflight fix: nothing was written%s\n", outcome.error,
		            opt->dry_run ? "" : " (the copy so far was removed)");
	if (ok && run.selection != NULL) {
		g_auto(GStrv) missing = mp_fix_selection_missing (run.selection);
		for (int i = 0; missing[i]; i++)
			g_ptr_array_add (run.notes, g_strdup_printf ("listed by the report but not found: %s", missing[i]));
	}
	if (run.manifest) {
		g_autoptr(GError) e = NULL;
		if (!mp_fix_manifest_finish (run.manifest, &run.totals, &outcome, &e))
			g_printerr ("mailpreflight fix: %s\n", e->message);
	}
	if (run.html) {
		g_autoptr(GError) e = NULL;
		if (!mp_fix_html_finish (run.html, &run.totals, &outcome, &e))
			g_printerr ("mailpreflight fix: %s\n", e->message);
	}
	if (!opt->quiet)
		print_summary (&run, &outcome, stdout);
	status = !ok ? MP_FIX_FAILED : run.totals.not_fixed > 0 ? MP_FIX_NOT_FIXED : MP_FIX_OK;
	run_clear (&run);
	return status;
}
