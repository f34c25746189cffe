/* writer.h — the only interface through which mail is written (isync's
 * driver habit: one small vtable, one file per format).
 *
 *   writer-maildir.c   a Maildir (the source's layout mirrored, or nested
 *                      folders for a converted mbox folder)
 *   writer-mbox.c      one mbox file, or a folder of mbox files
 *   writer-dry.c       --dry-run: wraps a real writer, writes nothing,
 *                      records what would be written (isync's drv_proxy)
 *   writer-fault.c     tests only: wraps a writer and damages one message,
 *                      so that the verifier is seen to fail
 *
 * A writer writes one source's copy below a root in the staging directory
 * (staging.h); nothing is visible under DEST until the run commits. An IMAP
 * writer (APPEND with the flags and INTERNALDATE of the envelope, read back
 * for the verifier, originals \Deleted only when asked) fills the same
 * operations; detached attachments then still go to a local directory.
 *
 * Ownership: everything passed in stays the caller's; strings returned
 * (locators, paths) are the caller's to free. */
#pragma once

#include "item.h"
#include "reader.h"
#include "staging.h"

G_BEGIN_DECLS

typedef struct _MpFixWriter MpFixWriter;

/* One message to write: a source message copied (COPY_OF), or a new one
 * (CONTENT: its canonical bytes, read from position 0; made by the
 * builder). ENV: its flags and dates. */
typedef struct {
	const MpFixItem     *copy_of;
	GMimeStream         *content;
	const MpFixEnvelope *env;
	/* a new message: what tells its Maildir name from the original's
	 * ("part02of03"), or NULL */
	const char          *name_tag;
	/* the envelope sender for a From_ line made up for it, or NULL */
	const char          *sender;
	/* a part of a split message: K (1..N); 0 for anything else. Parts of
	 * one message share their Maildir name but for the tag. */
	guint                part;
} MpFixOut;

/* A detached attachment to save (put_file). */
typedef struct {
	MpFixProduceFunc produce;  /* writes the decoded octets, sets the hash and size */
	gpointer         data;
	const char      *sidecar;  /* a JSON object: where it came from */
	/* filled by put_file */
	char             sha256[65];
	guint64          size;
} MpFixFile;

typedef struct {
	const char *name;
	/* Where folder NAME (lying at SOURCE_REL below its source's root, ""
	 * for the root) goes, relative to the copy's root ("" for the root).
	 * Pure: nothing is written. */
	char    *(*folder_target) (MpFixWriter *w, const char *name, const char *source_rel);
	/* Starts that folder; SOURCE_PATH is the source folder's own path (a
	 * Maildir's metadata files are copied from it). */
	gboolean (*folder_begin)  (MpFixWriter *w, const char *name, const char *source_rel,
	                           const char *source_path, GError **error);
	/* mbox to mbox: the bytes before the source's first message, copied
	 * as they are (never a message; a scan reports them). */
	gboolean (*junk)          (MpFixWriter *w, int fd, guint64 start, guint64 end, GError **error);
	/* Writes one message. *KEY: how a reader of the output finds it again
	 * (MpFixItem.path of a Maildir file, the From_ offset in an mbox), or
	 * NULL when nothing was written. */
	gboolean (*put)           (MpFixWriter *w, const MpFixOut *out, char **key, GError **error);
	/* Saves a detached attachment; *WHERE: its path after the commit. */
	gboolean (*put_file)      (MpFixWriter *w, MpFixFile *file, char **where, GError **error);
	gboolean (*folder_end)    (MpFixWriter *w, GError **error);
	/* The folder last ended as it was written, to be read back by the
	 * verifier: a source of the output's format and the folder in it.
	 * FALSE when nothing was written (a dry run). */
	gboolean (*read_back)     (MpFixWriter *w, MpSource **source, MpFolder **folder);
	/* The staged file of a saved attachment, to read it back; NULL when
	 * nothing was written. */
	char    *(*file_path)     (MpFixWriter *w, const char *sha256);
	void     (*free)          (MpFixWriter *w);
} MpFixWriterOps;

struct _MpFixWriter {
	const MpFixWriterOps *ops;
	MpFixFormat           format;  /* what it writes */
};

/* A writer of one source's copy at ROOT (a path in STAGING's output that
 * does not exist yet; a file for an mbox writer when ROOT_IS_FILE). FROM:
 * the source's format (a copy of the same format is byte for byte).
 * STAGING may be NULL for a writer that is only asked folder_target (the
 * one a dry run wraps). */
MpFixWriter *mp_fix_writer_maildir_new (MpFixStaging *staging, const char *root, MpFixFormat from);
MpFixWriter *mp_fix_writer_mbox_new    (MpFixStaging *staging, const char *root, gboolean root_is_file,
                                        MpFixFormat from);
/* --dry-run: takes INNER, answers folder_target through it, writes
 * nothing; put_file still produces each attachment (into /dev/null) to
 * learn its hash and size, and names where ATTACHMENTS_DIR would have it. */
MpFixWriter *mp_fix_writer_dry_new     (MpFixWriter *inner, const char *attachments_dir);
/* Tests only: takes INNER and damages the Nth new message (1-based) it is
 * given (one octet of its last base64 body changed) before writing it.
 * SPEC is "corrupt-part:N". NULL for a SPEC it does not know. */
MpFixWriter *mp_fix_writer_fault_new   (MpFixWriter *inner, const char *spec);

void         mp_fix_writer_free        (MpFixWriter *w);

/* writer-io.c: what the real writers share. */
/* Writes all LEN octets (EINTR, short writes); ENOSPC, EFBIG... as ERROR naming PATH. */
gboolean     mp_fix_write_all    (int fd, const void *buf, gsize len, const char *path, GError **error);
/* A writer's copy buffer, made once (MP_FIX_COPY_CHUNK octets): buffers of
 * this size made and freed per message cost page faults. */
#define MP_FIX_COPY_CHUNK (1024 * 1024)
GByteArray  *mp_fix_copy_buffer_new (void);
/* Copies [START, END) of IN to OUT's current position (copy_file_range
 * where the kernel can, else through BUF). */
gboolean     mp_fix_copy_range   (int in, guint64 start, guint64 end, int out, const char *in_path,
                                  const char *out_path, GByteArray *buf, GError **error);
/* Copies the rest of STREAM to OUT through BUF. */
gboolean     mp_fix_copy_stream  (GMimeStream *stream, int out, const char *out_path, GByteArray *buf,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixWriter, mp_fix_writer_free)

G_END_DECLS
