/* writer-fault.c — for tests only (jq's inject_errors habit): wraps a
 * writer and damages one new message before it is written, so that a test
 * can see the verifier refuse the copy. Real writers carry no test code.
 * Enabled by $MAILPREFLIGHT_FIX_FAULT=corrupt-part:N (documented in
 * tests/fix/README.md, not for users). */
#include "writer.h"

#include <string.h>

typedef struct {
	MpFixWriter  base;
	MpFixWriter *inner;
	guint64      target; /* the Nth new message */
	guint64      seen;
} FaultWriter;

static char *
fault_folder_target (MpFixWriter *w, const char *name, const char *source_rel)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->folder_target (fw->inner, name, source_rel);
}

static gboolean
fault_folder_begin (MpFixWriter *w, const char *name, const char *source_rel, const char *source_path,
                    GError **error)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->folder_begin (fw->inner, name, source_rel, source_path, error);
}

static gboolean
fault_junk (MpFixWriter *w, int fd, guint64 start, guint64 end, GError **error)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->junk (fw->inner, fd, start, end, error);
}

/* One octet of the first line of the last base64 body changed: the decoded
 * attachment then differs, though the message still parses. */
static void
damage (GByteArray *msg)
{
	const char *s = (const char *) msg->data;
	const char *hit = NULL;

	for (const char *p = s; (p = g_strstr_len (p, (gssize) (msg->len - (gsize) (p - s)),
	                                           "Content-Transfer-Encoding: base64")) != NULL; p++)
		hit = p;
	if (hit != NULL) {
		const char *body = g_strstr_len (hit, (gssize) (msg->len - (gsize) (hit - s)), "\n\n");
		if (body == NULL)
			body = g_strstr_len (hit, (gssize) (msg->len - (gsize) (hit - s)), "\n\r\n");
		if (body != NULL) {
			gsize at = (gsize) (body - s) + (body[1] == '\r' ? 3 : 2);
			if (at < msg->len) {
				msg->data[at] = msg->data[at] == 'A' ? 'B' : 'A';
				return;
			}
		}
	}
	if (msg->len > 0)
		msg->data[msg->len * 2 / 3] ^= 0x01;
}

static gboolean
fault_put (MpFixWriter *w, const MpFixOut *out, char **key, GError **error)
{
	FaultWriter *fw = (FaultWriter *) w;
	g_autoptr(GByteArray) copy = NULL;
	g_autoptr(GMimeStream) mem = NULL;
	MpFixOut damaged;
	char buf[65536];
	gssize n;

	if (out->content == NULL || ++fw->seen != fw->target)
		return fw->inner->ops->put (fw->inner, out, key, error);
	copy = g_byte_array_new ();
	g_mime_stream_reset (out->content);
	while ((n = mp_fix_stream_read (out->content, buf, sizeof buf)) > 0)
		g_byte_array_append (copy, (const guint8 *) buf, (guint) n);
	damage (copy);
	mem = g_mime_stream_mem_new_with_byte_array (g_steal_pointer (&copy));
	damaged = *out;
	damaged.content = mem;
	return fw->inner->ops->put (fw->inner, &damaged, key, error);
}

static gboolean
fault_put_file (MpFixWriter *w, MpFixFile *file, char **where, GError **error)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->put_file (fw->inner, file, where, error);
}

static gboolean
fault_folder_end (MpFixWriter *w, GError **error)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->folder_end (fw->inner, error);
}

static gboolean
fault_read_back (MpFixWriter *w, MpSource **source, MpFolder **folder)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->read_back (fw->inner, source, folder);
}

static char *
fault_file_path (MpFixWriter *w, const char *sha256)
{
	FaultWriter *fw = (FaultWriter *) w;

	return fw->inner->ops->file_path (fw->inner, sha256);
}

static void
fault_free (MpFixWriter *w)
{
	FaultWriter *fw = (FaultWriter *) w;

	mp_fix_writer_free (fw->inner);
	g_free (fw);
}

static const MpFixWriterOps fault_ops = {
	.name = "fault",
	.folder_target = fault_folder_target,
	.folder_begin = fault_folder_begin,
	.junk = fault_junk,
	.put = fault_put,
	.put_file = fault_put_file,
	.folder_end = fault_folder_end,
	.read_back = fault_read_back,
	.file_path = fault_file_path,
	.free = fault_free,
};

MpFixWriter *
mp_fix_writer_fault_new (MpFixWriter *inner, const char *spec)
{
	FaultWriter *fw;
	guint64 n;

	if (spec == NULL || !g_str_has_prefix (spec, "corrupt-part:") ||
	    !g_ascii_string_to_unsigned (spec + strlen ("corrupt-part:"), 10, 1, G_MAXUINT32, &n, NULL))
		return NULL;
	fw = g_new0 (FaultWriter, 1);
	fw->base.ops = &fault_ops;
	fw->base.format = inner->format;
	fw->inner = inner;
	fw->target = n;
	return &fw->base;
}
