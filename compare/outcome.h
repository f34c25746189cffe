/* outcome.h — what the comparison found, for every report format: the fate
 * of each source message (arrived in place, arrived but moved, missing as
 * the rules predicted, missing unexpectedly; and changed on the way), the
 * target's extra messages, counts per folder, the verdict and the exit
 * status. Message rows are produced one at a time from the keys and the
 * records on disk (mp_compare_outcome_rows), never held together.
 *
 * Predicted: the source message broke a message rule of severity warning or
 * error, or its folder broke a folder rule of that severity (a refused
 * folder name loses the whole folder), or a mailbox-message-count rule says
 * the account holds more messages than the target takes and it is among the
 * oldest beyond that count (the service migrates newest first,
 * TARGET-LIMITS.md [11]). Rules of severity info are listed with a missing
 * message but predict nothing. */
#pragma once

#include "matcher.h"
#include "rules.h"

G_BEGIN_DECLS

typedef enum {
	MP_ROW_MISSING    = 1 << 0,  /* did not arrive, as the rules predicted */
	MP_ROW_UNEXPECTED = 1 << 1,  /* did not arrive, nothing predicted it */
	MP_ROW_CHANGED    = 1 << 2,  /* arrived, with a different size, attachment count or header */
	MP_ROW_EXTRA      = 1 << 3,  /* on the target only */
} MpRowStatus;

#define MP_ROW_ALL (MP_ROW_MISSING | MP_ROW_UNEXPECTED | MP_ROW_CHANGED | MP_ROW_EXTRA)

typedef struct {
	guint64 messages;
	guint64 bytes;
	guint64 arrived;     /* in_place + moved */
	guint64 moved;
	guint64 missing;     /* predicted */
	guint64 unexpected;
	guint64 changed;
} MpCompareCounts;

/* Where the messages of a source folder that arrived elsewhere are. */
typedef struct {
	guint32 folder;      /* target folder */
	guint64 messages;
} MpMovedTo;

#define MP_MOVED_TO_MAX 5

typedef struct {
	MpCompareCounts counts;
	MpMovedTo       moved_to[MP_MOVED_TO_MAX]; /* most messages first */
	guint           n_moved_to;
	guint64         moved_elsewhere;           /* to folders beyond those */
} MpSourceFolderOutcome;

typedef struct {
	guint64 messages;
	guint64 bytes;
	guint64 matched;     /* hold a message of the source */
	guint64 extra;       /* hold none */
	guint64 copies;      /* of those, second copies of a matched message */
} MpTargetFolderOutcome;

typedef enum {
	MP_COMPARE_COMPLETE,      /* every message arrived */
	MP_COMPARE_PREDICTED,     /* missing messages, every one predicted */
	MP_COMPARE_UNEXPECTED,    /* missing messages nothing predicted */
	MP_COMPARE_INCOMPLETE,    /* a side could not be read (fully) */
} MpCompareVerdict;

typedef struct {
	MpSide                *source;     /* borrowed */
	MpSide                *target;     /* borrowed */
	GArray                *expected;   /* MpExpectedFolder per source folder */
	GArray                *folders;    /* MpSourceFolderOutcome per source folder */
	GArray                *target_folders; /* MpTargetFolderOutcome per target folder */
	MpCompareCounts        totals;
	MpTargetFolderOutcome  target_totals;
	MpMatchStats           stats;
	MpSizeTolerance        tolerance;
	gboolean               accept_predicted;
	gboolean               fail_on_changed;
	GPtrArray             *cut_reasons; /* MpFinding*: the mailbox-message-count findings that predicted */
} MpCompareOutcome;

/* One row of the reports. Pointers are valid during the callback only. */
typedef struct {
	MpRowStatus     status;
	guint64         key;          /* index of the key on its side */
	const MpRecord *message;      /* the source message; the target's for EXTRA */
	const MpRecord *target;       /* CHANGED: the target's copy; else NULL */
	const char     *folder;       /* the message's folder on its side */
	const char     *target_folder;/* CHANGED, EXTRA: where it is on the target;
	                               * MISSING, UNEXPECTED: where it was expected */
	gboolean        moved;        /* CHANGED: outside its expected folder */
	gboolean        copy;         /* EXTRA: a second copy of a matched message */
	guint           changes;      /* CHANGED: MpChange bits */
	GPtrArray      *reasons;      /* MpRecordReason*: what the rules found (message,
	                               * folder, account), every severity */
} MpCompareRow;

typedef gboolean (*MpCompareRowFunc) (const MpCompareRow *row, gpointer user_data, GError **error);

/* Matches SOURCE and TARGET (both sealed) and counts. RULES (the source's)
 * give the folder map and the mailbox-message-count limit. */
MpCompareOutcome *mp_compare_outcome_new  (MpSide *source, MpSide *target, const MpRuleSet *rules,
                                           const MpSizeTolerance *tolerance, GError **error);
void              mp_compare_outcome_free (MpCompareOutcome *o);
/* Calls FUNC for each row whose status is in STATUSES: the source's in
 * source order, then the target's extra messages in target order. FALSE
 * when FUNC or a record read fails. */
gboolean          mp_compare_outcome_rows (MpCompareOutcome *o, guint statuses, MpCompareRowFunc func,
                                           gpointer user_data, GError **error);
MpCompareVerdict         mp_compare_verdict      (const MpCompareOutcome *o);
/* The exit status (the same numbers as every command's, cli/commands.h). */
typedef enum {
	MP_COMPARE_EXIT_OK = 0,          /* everything arrived, or what is missing was
	                                  * predicted and accept_predicted is set (and,
	                                  * with fail_on_changed, nothing changed) */
	MP_COMPARE_EXIT_MISSING = 1,     /* anything else */
	MP_COMPARE_EXIT_UNREADABLE = 3,  /* a side could not be read (fully) */
} MpCompareExit;

MpCompareExit     mp_compare_exit_status  (const MpCompareOutcome *o);
const char       *mp_compare_verdict_name (MpCompareVerdict v);
const char       *mp_row_status_name      (MpRowStatus s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpCompareOutcome, mp_compare_outcome_free)

G_END_DECLS
