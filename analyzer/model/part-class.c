#include "part-class.h"

#include "message.h"

#include <string.h>

static gboolean
is (const char *a, const char *b)
{
	return a != NULL && g_ascii_strcasecmp (a, b) == 0;
}

gboolean
mp_part_is_embedded_message (const char *type, const char *subtype)
{
	/* RFC 2046 §5.2.1 message/rfc822; RFC 6532 §3.5 message/global */
	return is (type, "message") && (is (subtype, "rfc822") || is (subtype, "global"));
}

gboolean
mp_param_name_matches (const char *param_name, const char *base)
{
	gsize n = strlen (base);

	if (param_name == NULL || g_ascii_strncasecmp (param_name, base, n) != 0)
		return FALSE;
	/* "name" or RFC 2231 continuations/encodings: "name*", "name*0", "name*0*" */
	return param_name[n] == '\0' || param_name[n] == '*';
}

MpPartKind
mp_part_classify (const MpPartInfo *p)
{
	/* E1: the signature of multipart/signed (RFC 1847 §2.1) is no attachment;
	 * E2: nor is the application/pgp-encrypted control part (RFC 1847 §2.2). */
	if (p->role == MP_PART_ROLE_SIGNATURE || p->role == MP_PART_ROLE_ENCRYPTED_CONTROL)
		return MP_PART_EXCLUDED;
	/* A1 */
	if (is (p->disposition, "attachment"))
		return MP_PART_ATTACHMENT;
	/* A2 */
	if (p->has_filename)
		return MP_PART_ATTACHMENT;
	/* A3: an attached e-mail counts once, but the message itself does not */
	if (p->role != MP_PART_ROLE_ROOT && mp_part_is_embedded_message (p->type, p->subtype))
		return MP_PART_ATTACHMENT;
	if (p->role != MP_PART_ROLE_ROOT && (p->has_content_id || is (p->disposition, "inline")))
		return MP_PART_INLINE;
	return MP_PART_BODY;
}

guint
mp_part_flags (const MpPartInfo *p)
{
	guint flags = 0;

	if (is (p->type, "application") && is (p->subtype, "ms-tnef"))
		flags |= MP_MSG_FLAG_TNEF;
	if (is (p->type, "application") &&
	    (is (p->subtype, "pkcs7-mime") || is (p->subtype, "x-pkcs7-mime")))
		flags |= MP_MSG_FLAG_SMIME_OPAQUE;
	if (is (p->type, "text") && is (p->subtype, "calendar"))
		flags |= MP_MSG_FLAG_CALENDAR;
	return flags;
}
