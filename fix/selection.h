/* selection.h — --from-report: the messages a saved, reviewed scan report
 * (JSON, read by reports/json-read.c) lists with a finding the fix is for
 * (message-size, attachment-count, attachment-size), so that the plan a
 * person reviewed is what gets applied. A message is named by its source,
 * folder and locator, and recognized by its Message-ID: a message that is
 * no longer where the report saw it is reported, never guessed at. Sources
 * are matched by their absolute paths, so the scan may have been run from
 * another directory; an IMAP account by its user, host and port (a scan
 * of the whole account selects messages of a fix of one folder). Memory: the listed messages only. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpFixSelection MpFixSelection;

/* Reads PATH. SOURCES: the fix's SOURCE arguments (a report source that is
 * none of them is noted in FOREIGN). */
MpFixSelection *mp_fix_selection_load (const char *path, const char *const *sources, GError **error);
void            mp_fix_selection_free (MpFixSelection *s);

/* Is the message at FOLDER / LOCATOR of SOURCE (a SOURCE argument) listed?
 * *MESSAGE_ID: its Message-ID as the report has it (may be NULL). Marks it
 * found. */
gboolean        mp_fix_selection_lists (MpFixSelection *s, const char *source, const char *folder,
                                        const char *locator, const char **message_id);
/* Messages listed. */
guint           mp_fix_selection_count (const MpFixSelection *s);
/* Listed messages that were not found, "SOURCE: folder F, locator L" each,
 * NULL-terminated; free with g_strfreev. */
char          **mp_fix_selection_missing (const MpFixSelection *s);
/* Sources of the report that are none of the SOURCEs (NULL-terminated,
 * borrowed). */
const char *const *mp_fix_selection_foreign (const MpFixSelection *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixSelection, mp_fix_selection_free)

G_END_DECLS
