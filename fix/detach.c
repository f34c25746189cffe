/* detach.c — see detach.h. */
#include "detach.h"
#include "build.h"
#include "digest.h"
#include "escape.h"

typedef struct {
	GMimePart  *part;
	int         fd;
	const char *what;
} Produce;

static gboolean
write_chunk (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	Produce *p = user_data;

	return mp_fix_write_all (p->fd, data, len, p->what, error);
}

static gboolean
produce (int fd, gpointer data, char sha256[65], guint64 *size, GError **error)
{
	Produce *p = data;

	p->fd = fd;
	return mp_fix_part_decode (p->part, write_chunk, p, sha256, size, error);
}

gboolean
mp_fix_detach_unit (MpFixWriter *w, MpFixPlan *plan, MpFixUnit *u, const MpFixOrigin *origin, GError **error)
{
	GMimeObject *child = g_mime_multipart_get_part (GMIME_MULTIPART (plan->cut->container), (int) u->child);
	const MpAttachment *att = u->names && u->names->len ? g_ptr_array_index (u->names, 0) : NULL;
	g_autoptr(GString) side = g_string_new ("{\"name\":");
	Produce p = { GMIME_PART (child), -1, "a detached attachment" };
	MpFixFile file = { produce, &p, NULL, { 0 }, 0 };
	g_autofree char *where = NULL;

	/* the sidecar: what it was and where it came from */
	mp_json_append_string (side, att ? att->filename : NULL);
	g_string_append (side, ",\"type\":");
	mp_json_append_string (side, att ? att->mime_type : NULL);
	g_string_append_printf (side, ",\"encoded_size\":%" G_GUINT64_FORMAT ",\"source\":", att ? att->encoded_size : 0);
	mp_json_append_string (side, origin->source);
	g_string_append (side, ",\"folder\":");
	mp_json_append_string (side, origin->folder);
	g_string_append (side, ",\"locator\":");
	mp_json_append_string (side, origin->locator);
	g_string_append (side, ",\"message_id\":");
	mp_json_append_string (side, origin->message_id);
	g_string_append (side, ",\"subject\":");
	mp_json_append_string (side, origin->subject);
	g_string_append (side, "}");
	file.sidecar = side->str;

	if (!w->ops->put_file (w, &file, &where, error))
		return FALSE;
	g_strlcpy (u->sha256, file.sha256, sizeof u->sha256);
	u->detached_size = file.size;
	g_free (u->detached_where);
	u->detached_where = g_steal_pointer (&where);
	if (u->placeholder)
		g_byte_array_unref (u->placeholder);
	u->placeholder = mp_fix_placeholder (att ? att->filename : NULL, att ? att->mime_type : NULL, file.size,
	                                     file.sha256, u->detached_where, plan->info->limits_text, plan->cut->eol);
	u->placeholder_size = mp_fix_crlf_size (u->placeholder->data, u->placeholder->len);
	return TRUE;
}
