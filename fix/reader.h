/* reader.h — the messages of one folder, in the order and with the index
 * and locator a scan gives them, each with its bytes and envelope
 * (item.h). One reader per format behind MpFixReaderOps (reader-mbox.c,
 * reader-maildir.c); an IMAP reader (UID FETCH BODY.PEEK[] into a temporary
 * file, FLAGS, INTERNALDATE) fills the same items. The fix reads its
 * sources and, to verify, its own output through the same readers.
 *
 * Folders come from the analyzer's source interface (source.h), so a fix
 * sees exactly the folders a scan sees. */
#pragma once

#include "item.h"
#include "rules.h"
#include "source.h"

G_BEGIN_DECLS

typedef enum {
	MP_FIX_FORMAT_SAME = 0, /* as the source (only as a request) */
	MP_FIX_FORMAT_MBOX,     /* one mbox file per folder */
	MP_FIX_FORMAT_MAILDIR,
} MpFixFormat;

typedef struct _MpFixReader MpFixReader;

typedef struct {
	/* The next message, or NULL at the end of the folder; NULL with ERROR
	 * when the folder cannot be read to its end. The item's fd stays open
	 * until the next call. */
	MpFixItem *(*next) (MpFixReader *r, GError **error);
	void       (*free) (MpFixReader *r);
} MpFixReaderOps;

struct _MpFixReader {
	const MpFixReaderOps *ops;
	MpFixFormat           format;
	char                 *folder;   /* the folder's name */
	/* mbox: bytes before the first message, [junk_start, junk_end); known
	 * once the first message (or the end) was read */
	guint64               junk_start, junk_end;
};

/* The format of an opened local source: mbox for "mbox" and "mbox-folder",
 * Maildir for "maildir"; SAME for anything the fix cannot read. */
MpFixFormat  mp_fix_source_format (const MpSource *src);
const char  *mp_fix_format_name   (MpFixFormat f);

/* Opens FOLDER of SRC for reading. */
MpFixReader *mp_fix_reader_open   (MpSource *src, const MpFolder *folder, GError **error);
MpFixItem   *mp_fix_reader_next   (MpFixReader *r, GError **error);
void         mp_fix_reader_free   (MpFixReader *r);

/* reader-mbox.c and reader-maildir.c */
MpFixReader *mp_fix_reader_mbox_open    (MpSource *src, const MpFolder *folder, GError **error);
MpFixReader *mp_fix_reader_maildir_open (MpSource *src, const MpFolder *folder, GError **error);

/* What a scan records of ITEM (analyzer/ and the rules, as on a scan's
 * worker): the same MpMessage, findings included when RULES is given. */
MpMessage   *mp_fix_item_analyze  (const MpFixItem *item, MpAnalyzer *analyzer,
                                   const MpRuleSet *rules);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixReader, mp_fix_reader_free)

G_END_DECLS
