/* folder-map.h — the [folder-map] of a rules file: where a target files the
 * mail of a source folder, for `mailpreflight compare` (a message found in
 * its expected folder arrived in place; anywhere else it arrived, moved).
 *
 *   [folder-map]
 *   sent  = Sent -> Sent Items
 *   gmail = [Gmail]/Sent Mail -> Sent Items
 *
 * LABEL only names the entry (a file that inherits a profile overrides the
 * entry of the same label, or drops it with an empty value); SOURCE and
 * TARGET are folder names as the user sees them, '/'-separated, on the
 * right of the key so that names with '[' or '=' (Gmail's "[Gmail]/...")
 * can be written. An entry covers the folder's subfolders too
 * (Sent/2019 -> Sent Items/2019). Several entries may name the same SOURCE:
 * the first TARGET that exists on the target wins. SOURCE "*" stands for
 * every folder no other entry names, and the one '*' in its TARGET for the
 * folder's own name ("* -> Old mail - *", or with "Imported/" before the
 * '*' to find every folder under Imported). */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct {
	char *label;   /* the key: "sent" */
	char *source;  /* "Sent", or "*" */
	char *target;  /* "Sent Items"; with source "*", '*' stands for the name */
} MpFolderMapEntry;

/* Reads VALUE ("SOURCE -> TARGET") of entry LABEL. NULL with
 * MP_ERROR_RULES and a message that says what is wrong (the caller adds
 * file and line). */
MpFolderMapEntry *mp_folder_map_entry_parse (const char *label, const char *value, GError **error);
void              mp_folder_map_entry_free  (MpFolderMapEntry *e);

/* The longest entry of MAP (MpFolderMapEntry*, in file order) whose SOURCE
 * is FOLDER or a parent of it, compared case-insensitively (Exchange and
 * Gmail treat folder names so; "INBOX" is case-insensitive everywhere, RFC
 * 3501 §5.1), then "*"; appends each such entry's target name for FOLDER to
 * OUT (char*, owned by OUT) in file order. FALSE when no entry applies. */
gboolean          mp_folder_map_targets     (const GPtrArray *map, const char *folder, GPtrArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFolderMapEntry, mp_folder_map_entry_free)

G_END_DECLS
