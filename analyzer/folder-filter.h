/* folder-filter.h — which folders a scan reads (--include-folder,
 * --exclude-folder, and the rules file's include-folders and
 * exclude-folders): globs on the folder name as the user sees it
 * ("Archive/2019", "INBOX"), whatever the store's layout or the server's
 * hierarchy separator.
 *
 * A glob is GLib's GPatternSpec: '*' is any run of characters, '/' too,
 * '?' one character; nothing else is special. It is matched against the
 * whole name, without regard to case (Unicode case folding: "trash" leaves
 * out "Trash"; INBOX is case-insensitive in IMAP anyway, RFC 3501 §5.1, and
 * the targets that merge folders differing only in case would merge them).
 * "Trash" is that folder alone; "Trash/" followed by '*' its subfolders.
 *
 * With include globs a folder is read only when one matches; an exclude
 * glob that matches leaves it out in any case. The scan engine (scan.c)
 * applies the filter to every backend's folder list, in one place: a folder
 * left out is never opened (for IMAP: never EXAMINEd). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MpFolderFilter MpFolderFilter;

/* INCLUDE and EXCLUDE are NULL-terminated globs (either may be NULL);
 * NULL when both are empty (every folder is read). */
MpFolderFilter *mp_folder_filter_new      (const char *const *include, const char *const *exclude);
void            mp_folder_filter_free     (MpFolderFilter *f);
/* NULL when F (may be NULL) reads FOLDER; else why it is left out, for
 * people ("matches --exclude-folder pattern 'Trash'"). Free with g_free. */
char           *mp_folder_filter_left_out (const MpFolderFilter *f, const char *folder);
/* Is GLOB usable? A glob is a non-empty folder name or pattern without a
 * '/' at either end (folder names have none there). MP_ERROR_USAGE. */
gboolean        mp_folder_glob_check      (const char *glob, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFolderFilter, mp_folder_filter_free)

G_END_DECLS
