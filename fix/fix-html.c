/* fix-html.c — the HTML report of a fix: one self-contained page (inline
 * CSS, no script, a Content-Security-Policy that allows nothing else),
 * the outcome first, then every changed message and every message that
 * could not be fixed, before and after. Everything that comes from a
 * message is escaped (escape.h). The rows go to a temporary file while the
 * run goes on, so the summary can come first. */
#include "fix-report.h"
#include "escape.h"
#include "mp-config.h"
#include "output-file.h"

#include <errno.h>
#include <string.h>

struct _MpFixHtml {
	MpOutputFile *out;
	FILE         *rows;
	char         *title;
	char         *command;
	guint64       n;
};

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	"h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0;width:100%}"
	"td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
	"th{background:#f3f3f3}.ok{color:#176117}.bad{color:#a01010}.muted{color:#666}"
	"code{font-size:12px;word-break:break-all}ul{margin:0;padding-left:1.2em}";

MpFixHtml *
mp_fix_html_new (const char *path, const MpFixRunInfo *info, GError **error)
{
	MpFixHtml *h;
	MpOutputFile *out = mp_output_file_open (path, error);
	GString *cmd = g_string_new ("mailpreflight");

	if (out == NULL) {
		g_string_free (cmd, TRUE);
		return NULL;
	}
	for (int i = 0; info->command && info->command[i]; i++) {
		g_string_append_c (cmd, ' ');
		g_string_append (cmd, info->command[i]);
	}
	h = g_new0 (MpFixHtml, 1);
	h->out = out;
	h->rows = tmpfile ();
	h->title = g_strdup_printf ("mailpreflight fix %s%s", info->mode, info->dry_run ? " (dry run)" : "");
	h->command = g_string_free (cmd, FALSE);
	if (h->rows == NULL) {
		g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "%s: temporary file: %s", path, g_strerror (errno));
		mp_fix_html_free (h);
		return NULL;
	}
	return h;
}

static void
cell (FILE *fp, const char *s)
{
	fputs ("<td>", fp);
	mp_xml_write (fp, s);
	fputs ("</td>", fp);
}

void
mp_fix_html_record (MpFixHtml *h, const MpFixRecord *r)
{
	FILE *fp = h->rows;
	g_autofree char *size = mp_format_size (r->size);
	g_autofree char *rules = r->rules ? g_strjoinv (", ", r->rules) : g_strdup ("");
	/* a live IMAP account's message is named by its UID */
	g_autofree char *where = r->uidvalidity != 0 ? g_strdup_printf ("%s, UID %u", r->folder, r->uid)
	                                             : g_strdup_printf ("%s #%" G_GUINT64_FORMAT, r->folder, r->index);

	h->n++;
	fputs ("<tr>", fp);
	cell (fp, where);
	cell (fp, r->subject ? r->subject : "(no subject)");
	fprintf (fp, "<td>%s, %u attachments<br><span class=muted>", size, r->attachments);
	mp_xml_write (fp, rules);
	fputs ("</span></td><td>", fp);
	if (r->action == MP_FIX_ACTION_NOT_FIXED) {
		fputs ("<span class=bad>not fixed</span>: ", fp);
		mp_xml_write (fp, r->why);
	} else {
		fprintf (fp, "<span class=ok>%s</span><ul>", r->action == MP_FIX_ACTION_SPLIT ? "split" : "detached");
		for (guint i = 0; i < r->parts->len; i++) {
			const MpFixPartRecord *p = g_ptr_array_index (r->parts, i);
			g_autofree char *ps = mp_format_size (p->checked ? p->checked_size : p->size);
			fprintf (fp, "<li>part %u/%u: %s, %u attachments%s <code>", p->k, r->parts->len, ps,
			         p->checked ? p->checked_attachments : p->attachments, p->checked ? " (checked)" : "");
			mp_xml_write (fp, p->locator);
			fputs ("</code></li>", fp);
		}
		for (guint i = 0; r->atts && i < r->atts->len; i++) {
			const MpFixAttachment *a = g_ptr_array_index (r->atts, i);
			if (a->detached == NULL)
				continue;
			fputs ("<li>saved as a file: ", fp);
			mp_xml_write (fp, a->name ? a->name : a->type);
			fputs (" <code>", fp);
			mp_xml_write (fp, a->detached);
			fputs ("</code></li>", fp);
		}
		fputs ("</ul>", fp);
	}
	fputs ("</td></tr>\n", fp);
}

gboolean
mp_fix_html_finish (MpFixHtml *h, const MpFixTotals *t, const MpFixOutcome *o, GError **error)
{
	FILE *fp = mp_output_file_stream (h->out);
	MpOutputFile *out = h->out;
	/* the page's one style sheet is allowed by its hash, as the scan's and
	 * compare's are: an inline style or script that came from a message
	 * (escaped anyway) would still not run */
	g_autofree char *style_hash = mp_html_csp_hash (style);

	fprintf (fp, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-%s'; "
	         "base-uri 'none'; form-action 'none'\">"
	         "<title>", style_hash);
	mp_xml_write (fp, h->title);
	fprintf (fp, "</title><style>%s</style></head><body>\n<h1>", style);
	mp_xml_write (fp, h->title);
	fputs ("</h1>\n<p>", fp);
	if (o->committed)
		fputs ("<span class=ok>Written and verified.</span>", fp);
	else if (o->error != NULL) {
		fputs ("<span class=bad>Nothing was written: ", fp);
		mp_xml_write (fp, o->error);
		fputs ("</span>", fp);
	} else
		fputs ("<span class=muted>A dry run: nothing was written.</span>", fp);
	fputs ("</p>\n<table>", fp);
	fprintf (fp, "<tr><th>messages read</th><td>%" G_GUINT64_FORMAT "</td></tr>"
	         "<tr><th>copied unchanged</th><td>%" G_GUINT64_FORMAT "</td></tr>"
	         "<tr><th>split</th><td>%" G_GUINT64_FORMAT " into %" G_GUINT64_FORMAT " messages</td></tr>"
	         "<tr><th>attachments saved as files</th><td>%" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " files)</td></tr>"
	         "<tr><th>not fixed</th><td>%" G_GUINT64_FORMAT "</td></tr>"
	         "<tr><th>messages in the copy</th><td>%" G_GUINT64_FORMAT "</td></tr></table>\n",
	         t->messages, t->copied, t->split, t->parts, t->detached, t->files, t->not_fixed, t->written);
	fputs ("<p class=muted><code>", fp);
	mp_xml_write (fp, h->command);
	fprintf (fp, "</code> — mailpreflight %s</p>\n", MP_VERSION);
	if (h->n > 0) {
		fputs ("<h2>Messages</h2>\n<table><tr><th>message</th><th>subject</th><th>before</th><th>after</th></tr>\n",
		       fp);
		if (!mp_copy_stream (h->rows, fp)) {
			g_set_error (error, MP_ERROR, MP_ERROR_WRITE, "the HTML report could not be assembled");
			return FALSE;
		}
		fputs ("</table>\n", fp);
	}
	fputs ("</body></html>\n", fp);
	h->out = NULL;
	return mp_output_file_commit (out, error);
}

void
mp_fix_html_free (MpFixHtml *h)
{
	if (h == NULL)
		return;
	mp_output_file_abort (h->out);
	if (h->rows)
		fclose (h->rows);
	g_free (h->title);
	g_free (h->command);
	g_free (h);
}
