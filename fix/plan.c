/* plan.c — limits, units and the packing of a split (see plan.h). */
#include "plan.h"
#include "build.h"

#include <string.h>

gboolean
mp_fix_limits_init (MpFixLimits *l, const MpRuleSet *rules, MpSeverity level)
{
	memset (l, 0, sizeof *l);
	l->size_max = l->count_max = l->count_inline_max = l->att_size_max = G_MAXUINT64;
	l->rules = g_ptr_array_new ();
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);

		if (r->severity < level)
			continue;
		switch (r->check) {
		case MP_CHECK_MESSAGE_SIZE:
			l->size_max = MIN (l->size_max, r->max);
			break;
		case MP_CHECK_ATTACHMENT_COUNT:
			if (r->count_inline)
				l->count_inline_max = MIN (l->count_inline_max, r->max);
			else
				l->count_max = MIN (l->count_max, r->max);
			break;
		case MP_CHECK_ATTACHMENT_SIZE:
			l->att_size_max = MIN (l->att_size_max, r->max);
			break;
		default:
			continue;
		}
		g_ptr_array_add (l->rules, (gpointer) r);
	}
	return l->rules->len > 0;
}

void
mp_fix_limits_clear (MpFixLimits *l)
{
	g_clear_pointer (&l->rules, g_ptr_array_unref);
}

char **
mp_fix_limits_broken (const MpFixLimits *l, const MpMessage *m)
{
	GPtrArray *out = g_ptr_array_new ();

	for (guint i = 0; i < m->findings->len; i++) {
		const MpFinding *f = g_ptr_array_index (m->findings, i);
		for (guint r = 0; r < l->rules->len; r++) {
			const MpRule *rule = g_ptr_array_index (l->rules, r);
			if (strcmp (rule->name, f->rule) == 0) {
				g_ptr_array_add (out, g_strdup (f->rule));
				break;
			}
		}
	}
	g_ptr_array_add (out, NULL);
	return (char **) g_ptr_array_free (out, FALSE);
}

char *
mp_fix_limits_text (const MpFixLimits *l)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
	g_autofree char *text = NULL;

	if (l->size_max != G_MAXUINT64) {
		g_autofree char *s = mp_format_size (l->size_max);
		g_ptr_array_add (parts, g_strdup_printf ("%s (%" G_GUINT64_FORMAT " bytes) per message", s, l->size_max));
	}
	if (l->count_max != G_MAXUINT64)
		g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " attachments per message", l->count_max));
	if (l->count_inline_max != G_MAXUINT64)
		g_ptr_array_add (parts, g_strdup_printf ("%" G_GUINT64_FORMAT " attachments and inline parts per message",
		                                         l->count_inline_max));
	if (l->att_size_max != G_MAXUINT64) {
		g_autofree char *s = mp_format_size (l->att_size_max);
		g_ptr_array_add (parts, g_strdup_printf ("%s per attachment", s));
	}
	g_ptr_array_add (parts, NULL);
	text = g_strjoinv (", ", (char **) parts->pdata);
	g_ptr_array_unref (parts);
	return g_strdup_printf ("at most %s", text);
}

void
mp_fix_unit_free (MpFixUnit *u)
{
	if (u == NULL)
		return;
	if (u->names)
		g_ptr_array_unref (u->names);
	g_free (u->detached_where);
	if (u->placeholder)
		g_byte_array_unref (u->placeholder);
	g_free (u);
}

void
mp_fix_plan_free (MpFixPlan *plan)
{
	if (plan == NULL)
		return;
	if (plan->units)
		g_ptr_array_unref (plan->units);
	g_free (plan->why_not);
	g_free (plan);
}

/* "b" as a quoted MIME parameter value (RFC 2045 quoted-string) */
static char *
quoted (const char *s)
{
	GString *out = g_string_new ("\"");

	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c (out, '\\');
		g_string_append_c (out, *s);
	}
	g_string_append_c (out, '"');
	return g_string_free (out, FALSE);
}

/* What a scan of a part counts in unit U: the analyzer itself, on the unit
 * as the only child of a multipart/mixed, as it will stand in the part. A
 * unit that fits the analyzer's buffer is read into memory, where the light
 * walker reads it without a GMime tree (mime-fast.c; same results, checked
 * by its own tests); a larger one is parsed by GMime from the stream. */
static gboolean
unit_facts (MpFixUnit *u, MpFixCut *cut, GMimeObject *child, MpAnalyzer *analyzer, GError **error)
{
	g_autofree char *b = quoted (cut->boundary);
	g_autofree char *head = g_strdup_printf ("MIME-Version: 1.0%sContent-Type: multipart/mixed; boundary=%s%s%s--%s%s",
	                                         cut->eol, b, cut->eol, cut->eol, cut->boundary, cut->eol);
	g_autofree char *tail = g_strdup_printf ("%s--%s--%s", cut->eol, cut->boundary, cut->eol);
	g_autoptr(MpMessage) m = mp_message_new ();
	GMimeContentType *ct = g_mime_object_get_content_type (child);
	guint64 len = u->range.end - u->range.start + strlen (head) + strlen (tail);

	if (!mp_fix_range_crlf_size (cut->stream, u->range, &u->size, error))
		return FALSE;
	if (len <= MP_ANALYZER_MEM_MAX) {
		g_autoptr(GByteArray) bytes = g_byte_array_sized_new ((guint) len);
		g_byte_array_append (bytes, (const guint8 *) head, (guint) strlen (head));
		if (!mp_fix_read_range (cut->stream, u->range.start, u->range.end, bytes, error))
			return FALSE;
		g_byte_array_append (bytes, (const guint8 *) tail, (guint) strlen (tail));
		mp_analyzer_run_bytes (analyzer, bytes->data, bytes->len, 0, m);
	} else {
		g_autoptr(GMimeStream) cat = g_mime_stream_cat_new ();
		g_autoptr(GMimeStream) h = g_mime_stream_mem_new_with_buffer (head, strlen (head));
		g_autoptr(GMimeStream) body = g_mime_stream_substream (cut->stream, (gint64) u->range.start,
		                                                       (gint64) u->range.end);
		g_autoptr(GMimeStream) t = g_mime_stream_mem_new_with_buffer (tail, strlen (tail));
		g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), h);
		g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), body);
		g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), t);
		mp_analyzer_run (analyzer, cat, m);
	}
	u->attachments = m->attachments;
	u->inline_parts = m->inline_parts;
	for (guint i = 0; i < m->attachment_list->len; i++)
		u->largest = MAX (u->largest, ((MpAttachment *) g_ptr_array_index (m->attachment_list, i))->encoded_size);
	u->names = g_ptr_array_ref (m->attachment_list);
	/* text, and HTML with its inline images, stay with the headers */
	u->body = (ct && (g_mime_content_type_is_type (ct, "multipart", "alternative") ||
	                  g_mime_content_type_is_type (ct, "multipart", "related"))) ||
	          u->attachments == 0;
	/* one leaf attachment whose content can be decoded to a file (uuencode
	 * would need its begin line) */
	u->detachable = !u->body && u->attachments == 1 && GMIME_IS_PART (child) &&
	                g_mime_part_get_content_encoding (GMIME_PART (child)) != GMIME_CONTENT_ENCODING_UUENCODE;
	return TRUE;
}

typedef struct {
	guint64 size;
	guint64 count;
	guint64 count_inline;
} Bin;

static gboolean
fits (const MpFixLimits *l, const Bin *b, guint64 size, guint64 att, guint64 inl)
{
	return b->size + size <= l->size_max && b->count + att <= l->count_max &&
	       b->count_inline + att + inl <= l->count_inline_max;
}

static int
by_size_desc (gconstpointer a, gconstpointer b)
{
	const MpFixUnit *x = *(MpFixUnit *const *) a, *y = *(MpFixUnit *const *) b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->child < y->child ? -1 : x->child > y->child;
}

static const char *
unit_name (const MpFixUnit *u)
{
	for (guint i = 0; u->names && i < u->names->len; i++) {
		const MpAttachment *a = g_ptr_array_index (u->names, i);
		if (a->filename)
			return a->filename;
	}
	return u->names && u->names->len ? ((const MpAttachment *) g_ptr_array_index (u->names, 0))->mime_type
	                                 : "a body part";
}

static void
not_fixable (MpFixPlan *plan, char *why)
{
	g_free (plan->why_not);
	plan->why_not = why;
}

/* The placeholder of U at its largest (before its hash and size are known). */
static guint64
placeholder_estimate (const MpFixUnit *u, const MpFixBuildInfo *info, const char *eol)
{
	static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
	const MpAttachment *a = u->names && u->names->len ? g_ptr_array_index (u->names, 0) : NULL;
	g_autofree char *where = g_build_filename (info->attachments_dir ? info->attachments_dir : ".", zeros, NULL);
	g_autoptr(GByteArray) ph = mp_fix_placeholder (a ? a->filename : NULL, a ? a->mime_type : NULL,
	                                               G_MAXUINT64, zeros, where, info->limits_text, eol);

	return mp_fix_crlf_size (ph->data, ph->len);
}

MpFixPlan *
mp_fix_plan_new (MpFixCut *cut, MpAnalyzer *analyzer, const MpFixPlanOptions *opt, GError **error)
{
	g_autoptr(MpFixPlan) plan = g_new0 (MpFixPlan, 1);
	const MpFixLimits *l = opt->limits;
	const char *eol;
	g_autofree char *delim = NULL;
	g_autofree char *close = NULL;
	guint64 dsize, csize, esize, base1, basek;
	guint movable = 0, n_max;
	g_autoptr(GArray) bins = NULL;
	g_autoptr(GPtrArray) order = NULL;
	Bin part1 = { 0 };

	plan->cut = cut;
	plan->info = opt->info;
	plan->nparts = 1;
	plan->units = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_unit_free);
	if (cut->container == NULL) {
		not_fixable (plan, g_strdup (cut->why));
		return g_steal_pointer (&plan);
	}
	eol = cut->eol;
	for (guint i = 0; i < cut->children->len; i++) {
		MpFixUnit *u = g_new0 (MpFixUnit, 1);
		u->child = i;
		u->range = g_array_index (cut->children, MpFixRange, i);
		g_ptr_array_add (plan->units, u);
		if (!unit_facts (u, cut, g_mime_multipart_get_part (GMIME_MULTIPART (cut->container), (int) i),
		                 analyzer, error))
			return NULL;
		if (!u->body)
			movable++;
	}

	if (opt->mode == MP_FIX_MODE_DETACH) {
		for (guint i = 0; i < plan->units->len; i++) {
			MpFixUnit *u = g_ptr_array_index (plan->units, i);
			u->part = 1;
			if (u->detachable && u->largest >= opt->min_size) {
				u->detach = TRUE;
				u->part = 0;
				plan->detached++;
			}
		}
		return g_steal_pointer (&plan);
	}

	/* the fixed costs, at their largest: at most one part per movable unit */
	n_max = movable + 1;
	delim = g_strdup_printf ("--%s%s", cut->boundary, eol);
	close = g_strdup_printf ("--%s--%s", cut->boundary, eol);
	dsize = mp_fix_crlf_size ((const guint8 *) delim, strlen (delim));
	csize = mp_fix_crlf_size ((const guint8 *) close, strlen (close));
	esize = mp_fix_crlf_size ((const guint8 *) eol, strlen (eol));
	{
		g_autoptr(GByteArray) h1 = mp_fix_part_header (cut, opt->info, 1, n_max, movable);
		g_autoptr(GByteArray) hk = mp_fix_part_header (cut, opt->info, n_max, n_max, 0);
		guint64 pre, ep, cl;
		if (!mp_fix_range_crlf_size (cut->stream, cut->preamble, &pre, error) ||
		    !mp_fix_range_crlf_size (cut->stream, cut->epilogue, &ep, error) ||
		    !mp_fix_range_crlf_size (cut->stream, cut->close, &cl, error))
			return NULL;
		base1 = mp_fix_crlf_size (h1->data, h1->len) + pre + cl + ep;
		basek = mp_fix_crlf_size (hk->data, hk->len) + csize;
	}

	/* units that fit no part on their own */
	for (guint i = 0; i < plan->units->len; i++) {
		MpFixUnit *u = g_ptr_array_index (plan->units, i);
		Bin empty = { basek, 0, 0 };
		gboolean alone = fits (l, &empty, dsize + u->size + esize, u->attachments, u->inline_parts) &&
		                 u->largest <= l->att_size_max;
		g_autofree char *size = mp_format_size (u->size);

		if (u->body) {
			if (u->largest > l->att_size_max) {
				not_fixable (plan, g_strdup_printf ("%s in the message's body is over the attachment size "
				                                    "limit and cannot be moved", unit_name (u)));
				return g_steal_pointer (&plan);
			}
			continue;
		}
		if (alone)
			continue;
		if (opt->detach_oversize && u->detachable) {
			u->detach = TRUE;
			plan->detached++;
			continue;
		}
		not_fixable (plan, g_strdup_printf ("%s (%s) does not fit in any message within the limits%s",
		                                    unit_name (u), size,
		                                    u->detachable ? "; --oversize detach would save it as a file"
		                                                  : u->attachments > 1 ? " (a part holding several attachments)"
		                                                  : ""));
		return g_steal_pointer (&plan);
	}

	/* part 1: the headers, the body units, placeholders and the listing */
	part1.size = base1;
	for (guint i = 0; i < plan->units->len; i++) {
		MpFixUnit *u = g_ptr_array_index (plan->units, i);
		if (u->body) {
			u->part = 1;
			part1.size += dsize + u->size + esize;
			part1.count += u->attachments;
			part1.count_inline += u->attachments + u->inline_parts;
		} else if (u->detach) {
			u->part = 0;
			part1.size += dsize + placeholder_estimate (u, opt->info, eol) + esize;
		}
	}
	if (movable > plan->detached) {
		g_autoptr(GByteArray) listing = NULL;
		/* the listing names every part: with every number at its largest */
		for (guint i = 0; i < plan->units->len; i++) {
			MpFixUnit *u = g_ptr_array_index (plan->units, i);
			if (!u->body && !u->detach)
				u->part = n_max;
		}
		listing = mp_fix_listing (plan, opt->info, n_max, TRUE, eol);
		part1.size += dsize + mp_fix_crlf_size (listing->data, listing->len) + esize;
	}
	if (part1.size > l->size_max || part1.count > l->count_max || part1.count_inline > l->count_inline_max) {
		g_autofree char *s = mp_format_size (part1.size);
		not_fixable (plan, g_strdup_printf ("the message without its attachments (%s, %" G_GUINT64_FORMAT
		                                    " attachments in its body) is still over the limits", s,
		                                    part1.count));
		return g_steal_pointer (&plan);
	}

	/* first fit, largest first */
	bins = g_array_new (FALSE, FALSE, sizeof (Bin));
	g_array_append_val (bins, part1);
	order = g_ptr_array_new ();
	for (guint i = 0; i < plan->units->len; i++) {
		MpFixUnit *u = g_ptr_array_index (plan->units, i);
		if (!u->body && !u->detach)
			g_ptr_array_add (order, u);
	}
	g_ptr_array_sort (order, by_size_desc);
	for (guint i = 0; i < order->len; i++) {
		MpFixUnit *u = g_ptr_array_index (order, i);
		guint64 cost = dsize + u->size + esize;
		guint p;

		for (p = 0; p < bins->len; p++)
			if (fits (l, &g_array_index (bins, Bin, p), cost, u->attachments, u->inline_parts))
				break;
		if (p == bins->len) {
			Bin b = { basek, 0, 0 };
			g_array_append_val (bins, b);
		}
		g_array_index (bins, Bin, p).size += cost;
		g_array_index (bins, Bin, p).count += u->attachments;
		g_array_index (bins, Bin, p).count_inline += u->attachments + u->inline_parts;
		u->part = p + 1;
	}
	plan->nparts = bins->len;
	if (plan->nparts == 1 && plan->detached == 0)
		not_fixable (plan, g_strdup ("the message's parts already fit within the limits as they are: "
		                             "nothing to split"));
	return g_steal_pointer (&plan);
}
