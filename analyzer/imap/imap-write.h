/* imap-write.h — the commands that change a mailbox, for `fix split` on a
 * live account (fix/imap-apply.c) and nothing else: the scan never calls
 * them (tests/layout/check-layout.py fails a build in which another room
 * than fix/ does, and tests/fix/test_imap_apply.py records a scan's
 * commands and finds none of them).
 *
 *   APPEND with flags and INTERNALDATE (RFC 3501 §6.3.11), APPENDUID
 *   (RFC 4315 UIDPLUS), APPENDLIMIT (RFC 7889); UID STORE +FLAGS.SILENT
 *   (\Deleted); UID EXPUNGE (RFC 4315 §2.1: only the UIDs named, never
 *   another client's \Deleted messages); UID SEARCH HEADER (RFC 3501
 *   §6.4.4), to find parts a cut run already appended. */
#pragma once

#include "imap-client.h"

G_BEGIN_DECLS

/* Lets C send write commands (mp_imap_client_allow_writes()). */
void      mp_imap_write_enable     (MpImapClient *c);

/* The largest message the server accepts in an APPEND to any folder
 * (RFC 7889: the APPENDLIMIT=N capability), or G_MAXUINT64 when it does
 * not say. */
guint64   mp_imap_write_appendlimit (const MpImapClient *c);

/* APPEND SIZE octets from SOURCE to folder NAME (raw, as listed) with
 * FLAGS ("\\Seen \\Flagged", may be "" or NULL) and INTERNALDATE (the
 * date-time as FETCH gave it, without quotes; NULL: the server's now).
 * *UIDVALIDITY and *UID from APPENDUID when the server sent it, else 0. */
gboolean  mp_imap_write_append     (MpImapClient *c, const char *name, const char *flags,
                                    const char *internaldate, guint64 size, MpImapLiteralSource source,
                                    gpointer source_data, guint32 *uidvalidity, guint32 *uid,
                                    GError **error);

/* UID STORE UID +FLAGS.SILENT (\Deleted) in the selected folder. */
gboolean  mp_imap_write_mark_deleted (MpImapClient *c, guint32 uid, GError **error);
/* The same, only if the message is unchanged since MODSEQ (RFC 7162
 * §3.1.3, UNCHANGEDSINCE; the server offers CONDSTORE): TRUE with
 * *MODIFIED set when another client changed it since (the server's
 * [MODIFIED] response code): then nothing was stored. */
gboolean  mp_imap_write_mark_deleted_unchanged (MpImapClient *c, guint32 uid, guint64 modseq, gboolean *modified,
                                                GError **error);

/* UID EXPUNGE UIDS (a sequence set of UIDs, "5,7:9") in the selected
 * folder. Refused (MP_ERROR_USAGE, nothing sent) without UIDPLUS: a plain
 * EXPUNGE would remove every \Deleted message, other clients' too. */
gboolean  mp_imap_write_uid_expunge (MpImapClient *c, const char *uids, GError **error);

/* UID SEARCH HEADER FIELD VALUE (substring, RFC 3501 §6.4.4) in the
 * selected folder: the UIDs found, ascending (a GArray of guint32). */
GArray   *mp_imap_write_search_header (MpImapClient *c, const char *field, const char *value,
                                       GError **error);

G_END_DECLS
