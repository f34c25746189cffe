/* detach.h — an attachment too large for any message, saved as a file.
 *
 * Its content is decoded (digest.h: GLib's base64, GMime's
 * quoted-printable) straight from the original's stored bytes into a file
 * of the writer, hashed on the way; the file is named by that SHA-256 and
 * its sidecar records the original name, type and where it came from. A
 * text/plain placeholder stating name, size, SHA-256 and the file's path
 * takes the attachment's place in the message (build.h). */
#pragma once

#include "plan.h"
#include "writer.h"

G_BEGIN_DECLS

/* Where a detached attachment came from, for its sidecar. */
typedef struct {
	const char *source;
	const char *folder;
	const char *locator;
	const char *message_id;
	const char *subject;
} MpFixOrigin;

/* Saves unit U of PLAN (a detachable one) through W, then sets its hash,
 * size, path and placeholder. */
gboolean mp_fix_detach_unit (MpFixWriter *w, MpFixPlan *plan, MpFixUnit *u, const MpFixOrigin *origin,
                             GError **error);

G_END_DECLS
