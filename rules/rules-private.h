/* rules-private.h — helpers shared inside rules/. */
#pragma once

#include "rules.h"
#include "source.h"

G_BEGIN_DECLS

/* Takes VALUE, LIMIT and DETAIL (any may be NULL). */
MpFinding *mp_finding_for_rule (const MpRule *r, char *value, char *limit, char *detail);
/* "what: 17.5 MB (18350081 B) > 17920 KB (18350080 B)" */
MpFinding *mp_finding_size     (const MpRule *r, const char *what, guint64 value);
/* "101 attachments > 100" */
MpFinding *mp_finding_count    (const MpRule *r, const char *what, guint64 value);

/* The MpHeaderProblem bit a `header` rule uses for problem CODE, 0 when a
 * header rule does not judge it. */
guint      mp_header_problem_bit (MpProblemCode code);
/* The bit (1 << CODE) a `message-structure` rule uses for problem CODE, 0
 * when it does not judge it. */
guint64    mp_structure_problem_bit (MpProblemCode code);

/* ---- accounts.c: the account rules ------------------------------------ */

/* What the audit gathers over all the sources of one account. */
typedef struct {
	GPtrArray *folder_names; /* char*, for case collisions */
	guint64    messages, bytes, folders;
	GArray    *dates;        /* gint64, for mailbox-message-count */
	guint64    undated;
	guint64    findings[3];  /* by MpSeverity: message, folder and account findings */
	guint64    read_errors;
} MpAccountState;

void mp_account_state_init  (MpAccountState *st);
void mp_account_state_reset (MpAccountState *st);
void mp_account_state_clear (MpAccountState *st);

/* The kinds of activity evidence RULES ask for (bits 1 << MpEvidenceKind):
 * those of the first account-idle rule, else the default kinds. */
guint               mp_account_evidence_kinds (const MpRuleSet *rules);
/* More Sent folder names of the first account-idle rule, or NULL. */
const char *const  *mp_account_sent_names     (const MpRuleSet *rules);

typedef struct {
	const MpRuleSet      *rules;
	MpAccountState       *state;
	/* a finding about the account (FOLDER set for case collisions); takes F */
	void (*emit)   (gpointer self, const MpFolder *folder, MpFinding *f);
	/* a notice about the account (no activity evidence) */
	void (*notice) (gpointer self, const char *code, const char *detail);
	gpointer              self;
} MpAccountJudge;

/* Judges the account at its end: the account rules (case collisions across
 * its folders, mailbox-size, mailbox-message-count, account-idle) and its
 * verdict; fills RESULT's counts, idle time and verdict (its evidence and
 * forwarding are already in it). */
void mp_account_judge (const MpAccountJudge *j, const MpAccount *account, MpAccountResult *result);

G_END_DECLS
