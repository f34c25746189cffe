/* verify.h — the checks before anything becomes visible.
 *
 * As each folder is written, the run tells the check what every output
 * message must be: a copy of a source message, or part k of N of a changed
 * one. When the folder is done, the check reads it back from the staging
 * directory through the same reader a source is read with and asks:
 *
 *   - are there exactly the messages expected (source + extra parts)?
 *   - is every copy the source message byte for byte (same format: its
 *     From_ line or file name, bytes and mtime; another format: the same
 *     message, apart from the mbox Status headers that carry its flags,
 *     with the same flags and arrival time)?
 *   - does every part pass the rules it was split for (the analyzer and
 *     the rules, exactly as a scan of the copy will judge it)?
 *   - is the decoded content of every attachment of a changed message, by
 *     SHA-256, in exactly one of its parts or detached files (each
 *     detached file read back and hashed)?
 *
 * Any "no" is a failure of the run (exit 3) naming the message; the
 * staging directory is then removed. A dry run writes nothing: its parts
 * are checked as built, before they would be written. */
#pragma once

#include "reader.h"
#include "record.h"
#include "writer.h"

G_BEGIN_DECLS

typedef struct _MpFixCheck MpFixCheck;

/* LIMITS: the rules a split is for (NULL: fix detach, no rules checked). */
MpFixCheck *mp_fix_check_new          (const MpFixLimits *limits, const MpRuleSet *rules, MpAnalyzer *analyzer,
                                       const char *tmpdir);
void        mp_fix_check_free         (MpFixCheck *c);

/* The output message KEY (MpFixWriter.put's) is a copy of SRC. */
void        mp_fix_check_expect_copy  (MpFixCheck *c, const char *key, const MpFixItem *src,
                                       MpFixFormat out_format);
/* The output message KEY is part K of REC (which must outlive the check
 * of its folder). */
void        mp_fix_check_expect_part  (MpFixCheck *c, const char *key, MpFixRecord *rec, guint k);
/* Reads the folder W last ended back and checks it against what was
 * expected, then forgets the expectations. */
gboolean    mp_fix_check_folder       (MpFixCheck *c, MpFixWriter *w, GError **error);
/* The checks of one part on its bytes as built (a dry run). */
gboolean    mp_fix_check_part_stream  (MpFixCheck *c, MpFixRecord *rec, guint k, GMimeStream *stream,
                                       GError **error);
/* Every attachment of REC is in exactly one part or detached file (read
 * back through W; W NULL: the files are not read back). */
gboolean    mp_fix_check_record       (MpFixCheck *c, MpFixRecord *rec, MpFixWriter *w, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixCheck, mp_fix_check_free)

G_END_DECLS
