/* side.h — one side of a comparison (the SOURCE or the TARGET): its
 * folders, one compact key per message in the order the scan delivered
 * them (message-key.h), their text on disk (record-file.h), and what the
 * rules found about folders and the account. Filled by the scan through
 * mp_side_sink() — behind the audit (rules/audit.h) on the source side, so
 * that folder and account rules are seen too, directly on the target side.
 * Nothing of a message is kept but its key and its record. */
#pragma once

#include "message-key.h"
#include "record-file.h"
#include "scan.h"

G_BEGIN_DECLS

#define MP_NO_FOLDER G_MAXUINT32

typedef struct {
	char      *name;       /* as the user sees it: "Archive/2019" */
	char      *source;     /* the SOURCE argument it belongs to */
	guint64    messages;
	guint64    bytes;
	char      *error;      /* could not be (fully) read, or NULL */
	GPtrArray *findings;   /* MpFinding*: folder rules it broke (source side) */
	gboolean   predicted;  /* one of them has severity warning or error */
} MpSideFolder;

typedef struct {
	char         *name;           /* the SOURCE (or TARGET) argument */
	char         *kind;           /* "maildir", "imap", ...; NULL before it began */
	char         *error;          /* it could not be opened or listed, or NULL */
	GPtrArray    *folders;        /* MpSideFolder*, in the scan's order */
	GArray       *keys;           /* MpCompareKey, in the scan's order */
	MpRecordFile *records;
	GPtrArray    *account_findings; /* MpFinding*: account rules it broke */
	GPtrArray    *notices;        /* char*: "code: detail", what the scan noted */
	guint64       bytes;
	guint         folders_failed;
	GError       *failure;        /* the record file failed: the side cannot be compared */
	gint          progress;       /* messages delivered (atomic: read by the progress line) */
	guint32       current;        /* the folder being delivered */
} MpSide;

MpSide           *mp_side_new   (const char *name, GError **error);
void              mp_side_free  (MpSide *s);
/* The scan sink that fills an MpSide (its sink_data). */
const MpScanSink *mp_side_sink  (void);
/* The index of the folder named NAME (exactly), or MP_NO_FOLDER. */
guint32           mp_side_find_folder (const MpSide *s, const char *name);
/* The messages read (every key), and whether all of the side could be read. */
gboolean          mp_side_complete (const MpSide *s);

#define mp_side_key(s, i)    (&g_array_index ((s)->keys, MpCompareKey, (i)))
#define mp_side_folder(s, i) ((MpSideFolder *) g_ptr_array_index ((s)->folders, (i)))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpSide, mp_side_free)

G_END_DECLS
