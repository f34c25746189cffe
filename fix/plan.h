/* plan.h — what a fix does to one message.
 *
 * The limits come from the rules (message-size, attachment-count,
 * attachment-size at or above a severity). A message that breaks one of
 * them is split: the children of its multipart/mixed (cut.h) become units;
 * text and the multipart/alternative and multipart/related subtrees (HTML
 * with its inline images) stay together in part 1, with the original
 * headers; the other units (attachments, attached messages, anything else
 * holding an attachment) are packed first-fit by decreasing size (the
 * greedy that bin packing is usually given) into parts 1..N so that every
 * part stays within the size and count limits. A unit that fits no part on
 * its own is detached (--oversize detach: saved as a file, a text/plain
 * placeholder in its place) or makes the message not fixable.
 *
 * Every number is counted on the bytes the part will hold (RFC 5322 CRLF
 * octets; attachments counted by the analyzer itself on each unit, as a
 * scan of the part will count them), and the fixed texts (headers, the
 * listing of part 1) are measured at their largest before packing, so a
 * planned part is never larger than planned. The verifier checks it all
 * again on what was written. */
#pragma once

#include "cut.h"
#include "rules.h"

G_BEGIN_DECLS

typedef struct {
	guint64    size_max;       /* smallest message-size max; G_MAXUINT64: none */
	guint64    count_max;      /* attachment-count without inline parts */
	guint64    count_inline_max; /* attachment-count rules with count-inline */
	guint64    att_size_max;   /* attachment-size */
	GPtrArray *rules;          /* const MpRule*: the rules a split is for */
} MpFixLimits;

/* The limits of RULES' message-size, attachment-count and attachment-size
 * rules of at least severity LEVEL. FALSE when there is none. */
gboolean mp_fix_limits_init  (MpFixLimits *l, const MpRuleSet *rules, MpSeverity level);
void     mp_fix_limits_clear (MpFixLimits *l);
/* The names of the rules of L that M's findings break, NULL-terminated
 * (empty: none). Free with g_strfreev. */
char   **mp_fix_limits_broken (const MpFixLimits *l, const MpMessage *m);
/* "at most 100 attachments, 17.5 MB" for texts. Free with g_free. */
char    *mp_fix_limits_text   (const MpFixLimits *l);

typedef struct {
	guint      child;         /* its place among the container's children */
	MpFixRange range;
	guint64    size;          /* CRLF octets of the range */
	guint      attachments;   /* as a scan counts them inside the unit */
	guint      inline_parts;
	guint64    largest;       /* its largest attachment's encoded size */
	gboolean   body;          /* stays in part 1 */
	gboolean   detachable;    /* one leaf attachment, saved as a file if need be */
	GPtrArray *names;         /* MpAttachment* of the unit (names, types, sizes) */
	/* decided */
	guint      part;          /* 1..N; 0 when detached */
	gboolean   detach;
	/* a detached unit: where its file went, and the placeholder put in its place */
	char       sha256[65];
	guint64    detached_size;
	char      *detached_where;
	GByteArray *placeholder;  /* the entity (headers and body) */
	guint64    placeholder_size;
} MpFixUnit;

/* What the generated texts say of the original. */
typedef struct {
	const char *message_id;  /* the original's (no angle brackets), or NULL */
	const char *sha256;      /* of the original's canonical bytes */
	const char *subject;     /* decoded, for texts (may be NULL) */
	const char *limits_text; /* "at most 100 attachments and 17.5 MB" */
	const char *rules_text;  /* the rules broken: "too-many-attachments" */
	const char *attachments_dir; /* where detached files go (absolute) */
} MpFixBuildInfo;

typedef enum {
	MP_FIX_MODE_SPLIT,
	MP_FIX_MODE_DETACH,
} MpFixMode;

typedef struct {
	MpFixMode      mode;
	const MpFixLimits *limits;
	gboolean       detach_oversize;  /* --oversize detach */
	guint64        min_size;         /* fix detach --min-size */
	const MpFixBuildInfo *info;
} MpFixPlanOptions;

typedef struct {
	MpFixCut  *cut;        /* borrowed */
	GPtrArray *units;      /* MpFixUnit*, in the container's order */
	guint      nparts;     /* N >= 1 */
	guint      detached;   /* units detached */
	const MpFixBuildInfo *info;
	char      *why_not;    /* not fixable: why (then nothing else is set) */
} MpFixPlan;

/* Plans MSG, cut as CUT: counts each unit with ANALYZER, decides what is
 * detached and packs the rest. A message that cannot be fixed is a plan
 * with WHY_NOT; ERROR only when reading failed. */
MpFixPlan *mp_fix_plan_new   (MpFixCut *cut, MpAnalyzer *analyzer, const MpFixPlanOptions *opt, GError **error);
void       mp_fix_plan_free  (MpFixPlan *plan);
void       mp_fix_unit_free  (MpFixUnit *u);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixPlan, mp_fix_plan_free)

G_END_DECLS
