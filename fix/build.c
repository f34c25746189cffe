/* build.c — the bytes of a split or detached message (see build.h). */
#include "build.h"
#include "octets.h"

#include <string.h>

/* Names and subjects in generated text are cut here (a line must stay
 * under RFC 5322's 998 octets). */
#define TEXT_NAME_MAX 200

guint64
mp_fix_crlf_size (const guint8 *data, gsize len)
{
	return len ? mp_crlf_size ((const char *) data, len) : 0;
}

gboolean
mp_fix_range_crlf_size (GMimeStream *stream, MpFixRange r, guint64 *size, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new ();
	MpCrlfCounter c;

	mp_crlf_init (&c);
	for (guint64 pos = r.start; pos < r.end;) {
		guint64 want = MIN ((guint64) (256 * 1024), r.end - pos);
		g_byte_array_set_size (buf, 0);
		if (!mp_fix_read_range (stream, pos, pos + want, buf, error))
			return FALSE;
		mp_crlf_feed (&c, (const char *) buf->data, buf->len);
		pos += want;
	}
	*size = mp_crlf_total (&c);
	return TRUE;
}

void
mp_fix_part_free (MpFixPart *p)
{
	if (p == NULL)
		return;
	g_clear_object (&p->stream);
	g_free (p->message_id);
	g_free (p);
}

static void
append (GByteArray *out, const char *s)
{
	g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

/* A Message-ID we can put between angle brackets and reuse: printable
 * ASCII, no blanks or brackets, not absurdly long. */
static gboolean
usable_id (const char *id)
{
	if (id == NULL || *id == '\0' || strlen (id) > 900)
		return FALSE;
	for (const char *p = id; *p; p++)
		if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f || *p == '<' || *p == '>')
			return FALSE;
	return TRUE;
}

static char *
id_domain (const char *id)
{
	const char *at = usable_id (id) ? strrchr (id, '@') : NULL;

	if (at != NULL && at[1] != '\0' && strlen (at + 1) <= 200) {
		for (const char *p = at + 1; *p; p++)
			if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
				return g_strdup ("mailpreflight.invalid");
		return g_strdup (at + 1);
	}
	return g_strdup ("mailpreflight.invalid");
}

char *
mp_fix_part_message_id (const MpFixBuildInfo *info, guint k, guint n)
{
	g_autofree char *domain = NULL;

	if (k == 1 && usable_id (info->message_id))
		return g_strdup_printf ("<%s>", info->message_id);
	domain = id_domain (info->message_id);
	/* unique per original (its hash) and part; the same run on the same
	 * message gives the same IDs */
	return g_strdup_printf ("<mailpreflight.split.%uof%u.%.16s@%s>", k, n, info->sha256, domain);
}

static gboolean
is_content_field (const MpFixField *f)
{
	return g_ascii_strncasecmp (f->name, "Content-", 8) == 0;
}

/* Fields that describe the original's body or its place in a server's mbox
 * bookkeeping, wrong for every part: Content-Length and Lines (mboxcl2,
 * Solaris; mutt and Dovecot read them), X-UID (Dovecot and UW-IMAP: two
 * parts must not claim one UID). */
static gboolean
is_stale_field (const MpFixField *f)
{
	return g_ascii_strcasecmp (f->name, "Content-Length") == 0 || g_ascii_strcasecmp (f->name, "Lines") == 0 ||
	       g_ascii_strcasecmp (f->name, "X-UID") == 0;
}

static void
append_field (GByteArray *out, const GByteArray *head, const MpFixField *f)
{
	g_byte_array_append (out, head->data + f->range.start, (guint) (f->range.end - f->range.start));
}

/* The value of F (after its colon), without its final line end. */
static void
append_value (GByteArray *out, const GByteArray *head, const MpFixField *f)
{
	gsize start = (gsize) f->range.start + f->colon + 1;
	gsize end = (gsize) f->range.end;

	while (end > start && (head->data[end - 1] == '\n' || head->data[end - 1] == '\r'))
		end--;
	if (end > start)
		g_byte_array_append (out, head->data + start, (guint) (end - start));
}

static void
append_split_header (GByteArray *out, const MpFixBuildInfo *info, guint k, guint n, const char *eol)
{
	g_autofree char *line = NULL;

	if (usable_id (info->message_id))
		line = g_strdup_printf ("X-Mailpreflight-Split: part=%u/%u;%s original=<%s>;%s sha256=%s%s", k, n, eol,
		                        info->message_id, eol, info->sha256, eol);
	else
		line = g_strdup_printf ("X-Mailpreflight-Split: part=%u/%u;%s sha256=%s%s", k, n, eol, info->sha256, eol);
	append (out, line);
}

GByteArray *
mp_fix_part_header (const MpFixCut *cut, const MpFixBuildInfo *info, guint k, guint n, guint detached)
{
	GByteArray *out = g_byte_array_new ();
	const char *eol = cut->eol;
	gboolean have_id = FALSE, have_subject = FALSE;
	gsize blank = 0;
	g_autofree char *new_id = mp_fix_part_message_id (info, k, n);

	for (guint i = 0; i < cut->fields->len; i++) {
		const MpFixField *f = &g_array_index (cut->fields, MpFixField, i);

		blank = (gsize) f->range.end;
		if (cut->unwrapped && is_content_field (f))
			continue; /* the signed content's own fields replace them */
		if (is_stale_field (f))
			continue;
		if (g_ascii_strcasecmp (f->name, "Message-ID") == 0) {
			have_id = TRUE;
			if (k == 1) {
				append_field (out, cut->header, f);
			} else {
				append (out, "Message-ID: ");
				append (out, new_id);
				append (out, eol);
			}
			continue;
		}
		if (k == 1) {
			append_field (out, cut->header, f);
			continue;
		}
		if (g_ascii_strcasecmp (f->name, "In-Reply-To") == 0 || g_ascii_strcasecmp (f->name, "References") == 0 ||
		    g_ascii_strcasecmp (f->name, "X-Mailpreflight-Split") == 0)
			continue;
		if (g_ascii_strcasecmp (f->name, "Subject") == 0 && !have_subject) {
			g_autofree char *tag = g_strdup_printf (" [part %u/%u]", k, n);
			gsize v = (gsize) f->range.start + f->colon + 1;
			guint8 c = v < f->range.end ? cut->header->data[v] : '\n';
			have_subject = TRUE;
			/* "Subject:" as written, the tag, then the value as it was */
			g_byte_array_append (out, cut->header->data + f->range.start, (guint) (f->colon + 1));
			append (out, tag);
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				append (out, " ");
			g_byte_array_append (out, cut->header->data + v, (guint) (f->range.end - v));
			continue;
		}
		append_field (out, cut->header, f);
	}
	if (cut->unwrapped) {
		for (guint i = 0; i < cut->container_fields->len; i++) {
			const MpFixField *f = &g_array_index (cut->container_fields, MpFixField, i);
			if (is_content_field (f))
				append_field (out, cut->container_header, f);
		}
	}
	if (k == 1) {
		if (!have_id && n >= 2) {
			/* the parts refer to part 1: it needs an ID */
			append (out, "Message-ID: ");
			append (out, new_id);
			append (out, eol);
		}
	} else {
		g_autofree char *orig = usable_id (info->message_id) ? g_strdup_printf ("<%s>", info->message_id) : NULL;
		if (!have_id) {
			append (out, "Message-ID: ");
			append (out, new_id);
			append (out, eol);
		}
		if (!have_subject) {
			g_autofree char *s = g_strdup_printf ("Subject: [part %u/%u]%s", k, n, eol);
			append (out, s);
		}
		if (orig == NULL) {
			/* part 1 got a new ID: refer to it */
			orig = mp_fix_part_message_id (info, 1, n);
		}
		{
			/* RFC 5322 §3.6.4: In-Reply-To the original, References its
			 * References (or In-Reply-To) and the original */
			const MpFixField *refs = mp_fix_field_find (cut->fields, "References");
			const MpFixField *irt = mp_fix_field_find (cut->fields, "In-Reply-To");
			append (out, "In-Reply-To: ");
			append (out, orig);
			append (out, eol);
			append (out, "References:");
			if (refs != NULL || irt != NULL) {
				append_value (out, cut->header, refs ? refs : irt);
				append (out, eol);
				append (out, " ");
			} else {
				append (out, " ");
			}
			append (out, orig);
			append (out, eol);
		}
	}
	if (n >= 2)
		append_split_header (out, info, k, n, eol);
	if (k == 1 && detached > 0) {
		g_autofree char *line = g_strdup_printf ("X-Mailpreflight-Detached: %u attachment%s saved as file%s; "
		                                         "see the text in %s place%s",
		                                         detached, detached == 1 ? "" : "s", detached == 1 ? "" : "s",
		                                         detached == 1 ? "its" : "their", eol);
		append (out, line);
	}
	/* the empty line ending the block, as the original has it */
	g_byte_array_append (out, cut->header->data + blank, (guint) (cut->header->len - blank));
	return out;
}

/* NAME as one safe line of text: control characters become '?', invalid
 * UTF-8 is replaced, at most TEXT_NAME_MAX characters. */
static char *
text_safe (const char *name, const char *fallback)
{
	g_autofree char *valid = g_utf8_make_valid (name ? name : fallback, -1);
	GString *out = g_string_new (NULL);
	const char *p = valid;

	for (guint n = 0; *p && n < TEXT_NAME_MAX; p = g_utf8_next_char (p), n++) {
		gunichar c = g_utf8_get_char (p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
			g_string_append_c (out, '?');
		else
			g_string_append_unichar (out, c);
	}
	if (*p != '\0')
		g_string_append (out, "...");
	return g_string_free (out, FALSE);
}

static gboolean
needs_base64 (const GString *text)
{
	gsize line = 0;

	for (gsize i = 0; i < text->len; i++) {
		if ((guchar) text->str[i] >= 0x80)
			return TRUE;
		line = text->str[i] == '\n' ? 0 : line + 1;
		if (line > 900)
			return TRUE;
	}
	return FALSE;
}

/* A text/plain entity (headers and body) holding TEXT (LF line ends),
 * written with EOL: 7bit, or base64 when it is not ASCII or has a long
 * line. No Content-Disposition, no name: it counts as body text, never as
 * an attachment or an inline part (DEFINITIONS.md). */
static GByteArray *
text_entity (const GString *text, const char *eol)
{
	GByteArray *out = g_byte_array_new ();
	gboolean b64 = needs_base64 (text);

	append (out, "Content-Type: text/plain; charset=utf-8");
	append (out, eol);
	append (out, "Content-Transfer-Encoding: ");
	append (out, b64 ? "base64" : "7bit");
	append (out, eol);
	append (out, eol);
	if (b64) {
		g_autofree char *enc = g_base64_encode ((const guchar *) text->str, text->len);
		gsize n = strlen (enc);
		for (gsize i = 0; i < n; i += 76) {
			g_byte_array_append (out, (const guint8 *) enc + i, (guint) MIN ((gsize) 76, n - i));
			if (i + 76 < n)
				append (out, eol);
		}
	} else {
		g_auto(GStrv) lines = g_strsplit (text->str, "\n", -1);
		for (int i = 0; lines[i]; i++) {
			if (i > 0)
				append (out, eol);
			append (out, lines[i]);
		}
	}
	return out;
}

GByteArray *
mp_fix_placeholder (const char *name, const char *type, guint64 size, const char *sha256, const char *where,
                    const char *why, const char *eol)
{
	g_autoptr(GString) t = g_string_new (NULL);
	g_autofree char *n = text_safe (name, "(no name)");
	g_autofree char *ty = text_safe (type, "application/octet-stream");
	g_autofree char *w = text_safe (where, "");
	g_autofree char *y = text_safe (why, "");

	/* lines begin with a letter or two blanks: never "From " or "--" */
	g_string_append_printf (t, "The attachment \"%s\" (%s, %" G_GUINT64_FORMAT " bytes) was removed from\n"
	                        "this message by mailpreflight: it is too large for the migration target\n"
	                        "(%s).\n\nIt was saved as the file\n  %s\n"
	                        "SHA-256: %s\n\n"
	                        "Its original name and where it came from are in the file %s.json\n"
	                        "beside it.\n", n, ty, size, y, w, sha256, sha256);
	return text_entity (t, eol);
}

GByteArray *
mp_fix_listing (const MpFixPlan *plan, const MpFixBuildInfo *info, guint n, gboolean worst, const char *eol)
{
	g_autoptr(GString) t = g_string_new (NULL);
	g_autofree char *subject = text_safe (info->subject, "");
	g_autofree char *rules = text_safe (info->rules_text, "");
	g_autofree char *limits = text_safe (info->limits_text, "");
	guint number = 0;
	gboolean any_detached = FALSE;

	g_string_append_printf (t, "This message was split by mailpreflight into %u messages, so that each\n"
	                        "one passes the migration target's limits (%s: %s).\n"
	                        "They have the same subject, the later ones with \"[part k/%u]\" before it:\n"
	                        "  %s\n\n"
	                        "The attachments are now in these messages:\n\n", n, rules, limits, n, subject);
	for (guint i = 0; i < plan->units->len; i++) {
		const MpFixUnit *u = g_ptr_array_index (plan->units, i);
		if (u->detach) {
			any_detached = TRUE;
			continue;
		}
		for (guint a = 0; u->names && a < u->names->len; a++) {
			const MpAttachment *att = g_ptr_array_index (u->names, a);
			g_autofree char *name = text_safe (att->filename, att->mime_type);
			g_string_append_printf (t, "  %u. %s (%s, %" G_GUINT64_FORMAT " bytes): part %u of %u\n", ++number,
			                        name, att->mime_type, att->encoded_size, worst ? n : u->part, n);
		}
	}
	if (any_detached) {
		static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
		g_string_append (t, "\nSaved as files (too large for any message):\n\n");
		for (guint i = 0; i < plan->units->len; i++) {
			const MpFixUnit *u = g_ptr_array_index (plan->units, i);
			const MpAttachment *att = u->names && u->names->len ? g_ptr_array_index (u->names, 0) : NULL;
			g_autofree char *name = NULL;
			g_autofree char *where = NULL;
			g_autofree char *estimate = NULL;
			if (!u->detach)
				continue;
			name = text_safe (att ? att->filename : NULL, att ? att->mime_type : "attachment");
			estimate = g_build_filename (info->attachments_dir ? info->attachments_dir : ".", zeros, NULL);
			where = text_safe (u->detached_where ? u->detached_where : estimate, "");
			g_string_append_printf (t, "  %u. %s (%" G_GUINT64_FORMAT " bytes):\n     %s\n", ++number, name,
			                        worst ? (att ? att->encoded_size : 0) : u->detached_size, where);
		}
	}
	return text_entity (t, eol);
}

static void
add_mem (GMimeStream *cat, GByteArray *bytes, guint64 *size)
{
	g_autoptr(GMimeStream) s = NULL;

	*size += mp_fix_crlf_size (bytes->data, bytes->len);
	s = g_mime_stream_mem_new_with_byte_array (bytes);
	g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), s);
}

static void
add_text (GMimeStream *cat, const char *text, guint64 *size)
{
	GByteArray *b = g_byte_array_new ();

	append (b, text);
	add_mem (cat, b, size);
}

static void
add_range (GMimeStream *cat, GMimeStream *from, MpFixRange r)
{
	g_autoptr(GMimeStream) s = NULL;

	if (r.end <= r.start)
		return;
	s = g_mime_stream_substream (from, (gint64) r.start, (gint64) r.end);
	g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), s);
}

GPtrArray *
mp_fix_build (const MpFixPlan *plan, const MpFixBuildInfo *info, GError **error)
{
	const MpFixCut *cut = plan->cut;
	GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_fix_part_free);
	g_autofree char *delim = g_strdup_printf ("--%s%s", cut->boundary, cut->eol);
	g_autofree char *close = g_strdup_printf ("--%s--%s", cut->boundary, cut->eol);
	guint n = plan->nparts;

	for (guint k = 1; k <= n; k++) {
		MpFixPart *p = g_new0 (MpFixPart, 1);
		GByteArray *head = mp_fix_part_header (cut, info, k, n, k == 1 ? plan->detached : 0);

		p->k = k;
		p->n = n;
		p->message_id = mp_fix_part_message_id (info, k, n);
		p->stream = g_mime_stream_cat_new ();
		add_mem (p->stream, head, &p->size);
		if (k == 1)
			add_range (p->stream, cut->stream, cut->preamble);
		for (guint i = 0; i < plan->units->len; i++) {
			const MpFixUnit *u = g_ptr_array_index (plan->units, i);
			gboolean here = u->detach ? k == 1 : u->part == k;
			if (!here)
				continue;
			add_text (p->stream, delim, &p->size);
			if (u->detach) {
				GByteArray *ph = g_byte_array_new ();
				g_byte_array_append (ph, u->placeholder->data, u->placeholder->len);
				add_mem (p->stream, ph, &p->size);
			} else {
				add_range (p->stream, cut->stream, u->range);
				p->size += u->size;
				p->attachments += u->attachments;
			}
			add_text (p->stream, cut->eol, &p->size);
		}
		if (k == 1 && n >= 2) {
			add_text (p->stream, delim, &p->size);
			add_mem (p->stream, mp_fix_listing (plan, info, n, FALSE, cut->eol), &p->size);
			add_text (p->stream, cut->eol, &p->size);
		}
		if (k == 1) {
			/* the original close delimiter and epilogue, as they were */
			guint64 cl, ep;
			if (!mp_fix_range_crlf_size (cut->stream, cut->close, &cl, error) ||
			    !mp_fix_range_crlf_size (cut->stream, cut->epilogue, &ep, error)) {
				mp_fix_part_free (p);
				g_ptr_array_unref (parts);
				return NULL;
			}
			p->size += cl + ep;
			add_range (p->stream, cut->stream, cut->close);
			add_range (p->stream, cut->stream, cut->epilogue);
		} else {
			add_text (p->stream, close, &p->size);
		}
		g_mime_stream_reset (p->stream);
		g_ptr_array_add (parts, p);
	}
	return parts;
}
