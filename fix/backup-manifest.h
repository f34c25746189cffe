/* backup-manifest.h — the backup manifest of `fix split` on a live IMAP
 * account (docs/backup-manifest.md, format mailpreflight-imap-backup/1):
 * what happened to each original, step by step, written after every step
 * (imap-apply.c) and read back to resume a cut run. One JSON object whose
 * every original is one line, so that the reader is a line reader of the
 * writer's own layout (fuzzed: tests/fuzz/fuzz-backup-manifest.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MP_FIX_BACKUP_FORMAT "mailpreflight-imap-backup/1"

/* How far an original went; each state implies the ones before it. */
typedef enum {
	MP_FIX_BACKUP_BACKED_UP,      /* in the backup mbox, fsynced */
	MP_FIX_BACKUP_PARTS_APPENDED, /* its parts are on the server (PARTS) */
	MP_FIX_BACKUP_VERIFIED,       /* read back and checked */
	MP_FIX_BACKUP_DELETED,        /* the original is marked \Deleted */
	MP_FIX_BACKUP_EXPUNGED,       /* the original was expunged by UID */
	MP_FIX_BACKUP_REFUSED,        /* the server refused an APPEND: original untouched */
	MP_FIX_BACKUP_N_STATES
} MpFixBackupState;

typedef struct {
	char    *folder;        /* the raw name, as the server lists it */
	guint32  uidvalidity, uid;
	MpFixBackupState state;
	char     sha256[65];
	char    *message_id;
	char    *internaldate;
	char    *flags;
	guint64  size;
	guint64  backup_offset, backup_length;
	GArray  *parts;         /* guint32: the UID of part k at [k-1]; 0 unknown */
	GArray  *stale;         /* guint32: parts of a refused attempt, marked \Deleted */
} MpFixBackupEntry;

MpFixBackupEntry *mp_fix_backup_entry_new  (void);
void              mp_fix_backup_entry_free (MpFixBackupEntry *e);
const char       *mp_fix_backup_state_name (MpFixBackupState s);

/* The manifest of ENTRIES (MpFixBackupEntry*) of USER's account ACCOUNT
 * (a URL) backed up to BACKUP. */
GString  *mp_fix_backup_manifest_render (const char *account, const char *user, const char *backup,
                                         const GPtrArray *entries);
/* Reads TEXT (LEN octets; PATH names it in errors): *USER and the
 * entries, appended to ENTRIES. FALSE with MP_ERROR_USAGE naming the line
 * when it is not such a manifest or an entry is damaged. */
gboolean  mp_fix_backup_manifest_parse  (const char *text, gsize len, const char *path, char **user,
                                         GPtrArray *entries, GError **error);

G_END_DECLS
