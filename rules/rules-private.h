/* rules-private.h — helpers shared inside rules/. */
#pragma once

#include "rules.h"

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

G_END_DECLS
