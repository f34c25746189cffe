/* activity.h — the activity evidence of one account (DEFINITIONS.md, "Last
 * activity"), gathered from the messages and folders of its sources as the
 * scan delivers them: the newest time of each kind, with where it was found.
 *
 *   login       the admin-supplied last login (accounts file); wins
 *   sending     the newest date in the Sent folder (\Sent special use where
 *               the server says so, else the known Sent names)
 *   reading     the arrival time of the newest message marked read
 *               (\Seen, Maildir S, mbox Status: R): read after it arrived
 *   filing      the arrival time of the newest message in a folder the
 *               user made (not INBOX, Sent, Drafts, Trash, Junk)
 *   file-times  only when asked: Maildir inode change times (a move from
 *               new/ to cur/, a flag change) and Dovecot's index log; a copy
 *               or a restore resets them, so they are named as file times
 *
 * Times after the as-of time (plus a day of clock skew) are not evidence:
 * a message dated in the future says nothing about its owner. */
#pragma once

#include "account.h"
#include "source.h"

G_BEGIN_DECLS

/* What a folder is to its owner. */
typedef enum {
	MP_FOLDER_ROLE_USER = 0, /* made by the user: filing evidence */
	MP_FOLDER_ROLE_INBOX,
	MP_FOLDER_ROLE_SENT,
	MP_FOLDER_ROLE_DRAFTS,
	MP_FOLDER_ROLE_TRASH,
	MP_FOLDER_ROLE_JUNK,
} MpFolderRole;

/* FOLDER's role: from its special-use attribute (RFC 6154) where the
 * source says it, else from its name (the last level, case-insensitive;
 * EXTRA_SENT_NAMES, lower case, add to the known Sent names). */
MpFolderRole mp_folder_role     (const MpFolder *folder, const char *const *extra_sent_names);
/* Is NAME (a folder name as the user sees it) a known Sent folder name? */
gboolean     mp_folder_name_is_sent (const char *name, const char *const *extra_sent_names);

typedef struct _MpActivity MpActivity;

/* KINDS: bits 1 << MpEvidenceKind to gather; AS_OF: unix seconds. */
MpActivity *mp_activity_new      (guint kinds, const char *const *extra_sent_names, gint64 as_of);
void        mp_activity_free     (MpActivity *a);
/* Forgets everything (a new account begins). */
void        mp_activity_reset    (MpActivity *a);
/* The admin-supplied last login (0: none), found at PLACE. */
void        mp_activity_login    (MpActivity *a, gint64 when, const char *place);
/* The folder whose messages follow (FOLDER->path is read for Dovecot's
 * index log when file times are asked for and SOURCE is local). */
void        mp_activity_folder   (MpActivity *a, const char *source, const MpFolder *folder,
                                  gboolean local);
void        mp_activity_message  (MpActivity *a, const MpMessage *m);
/* Fills R's evidence and last_kind. */
void        mp_activity_fill     (const MpActivity *a, MpAccountResult *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpActivity, mp_activity_free)

G_END_DECLS
