/* expected-folder.h — in which folder of the target each folder's mail of
 * the source is expected: the rules' [folder-map] (folder-map.h: "Sent" ->
 * "Sent Items"), else the folder's own name. A candidate name is looked up
 * exactly first, then case-insensitively (Exchange and Gmail merge names
 * that differ in case, TARGET-LIMITS.md; INBOX is case-insensitive, RFC
 * 3501 §5.1); the first candidate the target has wins. */
#pragma once

#include "side.h"

G_BEGIN_DECLS

typedef struct {
	char    *name;    /* the expected name (the first candidate when none exists) */
	guint32  folder;  /* its index among the target's folders, or MP_NO_FOLDER */
	gboolean mapped;  /* a [folder-map] entry named it */
} MpExpectedFolder;

/* One MpExpectedFolder per folder of SOURCE, in its order; MAP may be NULL.
 * Free with g_array_unref (names are freed with it). */
GArray *mp_expected_folders (const MpSide *source, const MpSide *target, const GPtrArray *map);

G_END_DECLS
