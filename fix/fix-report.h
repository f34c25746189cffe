/* fix-report.h — what a fix tells people and machines: the manifest
 * (manifest.c, JSON, docs/fix-manifest.md) and the HTML report
 * (fix-html.c), both written as the run goes (one changed message at a
 * time, after its folder was verified: memory does not grow with the
 * mailbox) and committed atomically at the end, whatever the outcome. */
#pragma once

#include "fix.h"
#include "record.h"

G_BEGIN_DECLS

/* What the run was. */
typedef struct {
	char            **command;
	const char       *mode;          /* "split", "detach" */
	gboolean          dry_run;
	const char       *out;           /* absolute */
	const char       *attachments;   /* absolute, or NULL */
	const MpRuleSet  *rules;
	const MpFixLimits *limits;       /* NULL for detach */
	const MpFixOptions *opt;
} MpFixRunInfo;

typedef struct {
	guint64 sources;
	guint64 folders;
	guint64 messages;       /* read from the sources */
	guint64 bytes;          /* their RFC 5322 octets */
	guint64 copied;         /* written unchanged */
	guint64 split;          /* messages split */
	guint64 parts;          /* messages written for them */
	guint64 detached_only;  /* messages changed by detaching alone */
	guint64 detached;       /* attachments detached */
	guint64 files;          /* distinct files saved */
	guint64 not_fixed;      /* breaking the rules, copied as they were */
	guint64 written;        /* messages in the copy */
	guint64 skipped;        /* no messages: UW-IMAP internal data, not-a-file */
} MpFixTotals;

typedef struct {
	gboolean    verified;   /* every folder read back and checked */
	gboolean    committed;  /* visible under DEST */
	const char *error;      /* why not, or NULL */
} MpFixOutcome;

typedef struct _MpFixManifest MpFixManifest;

MpFixManifest *mp_fix_manifest_new          (const char *path, const MpFixRunInfo *info, GError **error);
void           mp_fix_manifest_source_begin (MpFixManifest *m, const char *source, const char *kind,
                                             const char *out);
void           mp_fix_manifest_record       (MpFixManifest *m, const MpFixRecord *r);
void           mp_fix_manifest_source_end   (MpFixManifest *m);
gboolean       mp_fix_manifest_finish       (MpFixManifest *m, const MpFixTotals *t, const MpFixOutcome *o,
                                             GError **error);
void           mp_fix_manifest_free         (MpFixManifest *m);

typedef struct _MpFixHtml MpFixHtml;

MpFixHtml     *mp_fix_html_new              (const char *path, const MpFixRunInfo *info, GError **error);
void           mp_fix_html_record           (MpFixHtml *h, const MpFixRecord *r);
gboolean       mp_fix_html_finish           (MpFixHtml *h, const MpFixTotals *t, const MpFixOutcome *o,
                                             GError **error);
void           mp_fix_html_free             (MpFixHtml *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixManifest, mp_fix_manifest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixHtml, mp_fix_html_free)

G_END_DECLS
