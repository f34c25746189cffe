/* audit.h — folder and account rules, as a sink that wraps another.
 *
 * Message rules run on the workers (mp_rules_evaluate); what needs the
 * whole folder or account — duplicate Message-IDs, folder names, sizes and
 * counts, idle time — is judged here, on the scan's thread, as results
 * arrive in order. Every event is passed on to the wrapped sink; findings
 * about folders and accounts reach it through its `finding` callback
 * (isync's habit: a wrapper, not flags in the real code). */
#pragma once

#include "rules.h"
#include "scan.h"

G_BEGIN_DECLS

typedef struct _MpAudit MpAudit;

MpAudit          *mp_audit_new  (const MpRuleSet *rules, const MpScanSink *downstream,
                                 gpointer downstream_data);
void              mp_audit_free (MpAudit *audit);
const MpScanSink *mp_audit_sink (void);

/* Adds kinds of activity evidence (bits 1 << MpEvidenceKind) to those the
 * rules ask for (--activity-evidence file-times). */
void              mp_audit_add_evidence_kinds (MpAudit *audit, guint kinds);
/* The kinds of activity evidence the audit reads (the rules' and those added). */
guint             mp_audit_evidence_kinds     (const MpAudit *audit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAudit, mp_audit_free)

G_END_DECLS
