/* record-file.h — the text of messages that `compare` may have to report
 * (folder, index, locator, Message-ID, date, From, Subject, what the rules
 * found), kept on disk, not in memory: a side of a million messages costs
 * its keys (message-key.h) in memory and its records in a temporary file,
 * which is unlinked as soon as it is made (nothing is left behind, whatever
 * happens). Only the few messages a report lists are read back.
 *
 * Each text field is cut at MP_RECORD_FIELD_MAX octets and a record holds
 * at most MP_RECORD_MAX_REASONS findings, so a hostile message cannot grow a
 * record without bound. Not thread-safe: one side, one thread. */
#pragma once

#include "message.h"
#include "mp-error.h"

G_BEGIN_DECLS

#define MP_RECORD_FIELD_MAX   4096
#define MP_RECORD_MAX_REASONS 16

typedef struct _MpRecordFile MpRecordFile;

/* One finding that a message broke, as reports show it. */
typedef struct {
	char      *rule;
	char      *check;
	MpSeverity severity;
	char      *detail;
} MpRecordReason;

/* A message as read back; every string owned (NULL when absent). */
typedef struct {
	char      *folder;
	guint64    index;
	char      *locator;
	char      *message_id;
	char      *date;        /* ISO 8601 */
	char      *from;
	char      *subject;
	guint64    size;
	guint      attachments;
	GPtrArray *reasons;     /* MpRecordReason*, the message's findings */
} MpRecord;

/* A new, empty, already unlinked file in the temporary directory
 * ($TMPDIR). */
MpRecordFile *mp_record_file_new    (GError **error);
void          mp_record_file_free   (MpRecordFile *f);
/* Appends M's text and findings; its offset in OUT. FALSE with ERROR
 * when the disk is full or the file fails: the comparison cannot go on. */
gboolean      mp_record_file_add    (MpRecordFile *f, const MpMessage *m, guint64 *out, GError **error);
/* No more records will be added: writes what is pending and maps the file
 * for reading (what a comparison reads back is page cache, not the
 * process's memory; pread where no map could be made). */
gboolean      mp_record_file_seal   (MpRecordFile *f, GError **error);
/* Reads the record at OFFSET (one mp_record_file_add gave). */
MpRecord     *mp_record_file_read   (MpRecordFile *f, guint64 offset, GError **error);
/* Octets written so far. */
guint64       mp_record_file_size   (const MpRecordFile *f);

void          mp_record_free        (MpRecord *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpRecordFile, mp_record_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpRecord, mp_record_free)

G_END_DECLS
