/* special-use.h — what a mailbox is for, whatever its name (RFC 6154 §2):
 * a folder "Mes envois" that the server marks \Sent is the Sent folder.
 * One vocabulary for every room: the IMAP client reads the attributes from
 * LIST, the backends put them on MpFolder (source.h), and account rules and
 * reports read them as activity evidence (DEFINITIONS.md: sending is the
 * newest message in the \Sent folder where the server says so).
 *
 * A mailbox may have several special uses (RFC 6154 §2: "a mailbox may
 * have more than one"), so a set of them is a bitmask of MpSpecialUse. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MP_SPECIAL_USE_NONE      = 0,
	MP_SPECIAL_USE_ALL       = 1 << 0, /* \All: every message (virtual; Gmail's All Mail) */
	MP_SPECIAL_USE_ARCHIVE   = 1 << 1, /* \Archive */
	MP_SPECIAL_USE_DRAFTS    = 1 << 2, /* \Drafts */
	MP_SPECIAL_USE_FLAGGED   = 1 << 3, /* \Flagged: the flagged messages (virtual) */
	MP_SPECIAL_USE_JUNK      = 1 << 4, /* \Junk */
	MP_SPECIAL_USE_SENT      = 1 << 5, /* \Sent */
	MP_SPECIAL_USE_TRASH     = 1 << 6, /* \Trash */
	MP_SPECIAL_USE_IMPORTANT = 1 << 7, /* \Important (RFC 8457; Gmail) */
} MpSpecialUse;

/* Every special use above, or-ed. */
#define MP_SPECIAL_USE_ANY ((MpSpecialUse) 0xff)

/* The special use a mailbox attribute names ("\\Sent", any case), or
 * MP_SPECIAL_USE_NONE for any other attribute (\HasNoChildren...). */
MpSpecialUse mp_special_use_from_attribute (const char *attribute);
/* The attribute of ONE special use ("\\Sent"); NULL for NONE, a set of
 * several or an unknown bit. */
const char  *mp_special_use_attribute      (MpSpecialUse use);
/* The attributes of the set USES, space-separated in the order of the enum
 * ("\\Sent \\Archive" comes out as "\\Archive \\Sent"); "" for none. Free
 * with g_free. */
char        *mp_special_use_to_string      (MpSpecialUse uses);

G_END_DECLS
