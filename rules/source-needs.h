/* source-needs.h — what the rules need a source to read beyond metadata.
 *
 * A local source is read whole. A network source (IMAP) gives sizes,
 * structure and envelope, and downloads content only where a rule looks at
 * it: the parts that could hold a line over the smallest line-length limit,
 * and archives that an attachment-type rule opens; near a message-size
 * limit it measures the message instead of estimating. With --metadata-only
 * nothing is downloaded and those rules cannot look: the notices say which,
 * so that a clean report is not mistaken for a checked one. */
#pragma once

#include "rules.h"
#include "source.h"

G_BEGIN_DECLS

/* Sets the content-check fields of NET from RULES: line_limit (the smallest
 * line-length max, 0 without such a rule), size_limits (the first
 * MP_MAX_SIZE_LIMITS message-size maxima, in rule order) and list_archives.
 * The other fields of NET are left as they are. */
void   mp_rules_fill_source_settings  (const MpRuleSet *rules, MpSourceSettings *net);
/* One sentence per rule of RULES that cannot be evaluated on message
 * content when an IMAP source is read with --metadata-only, for the report
 * and the terminal; empty when there is none. Free with g_strfreev. */
char **mp_rules_metadata_only_notices (const MpRuleSet *rules);
/* One sentence per rule of RULES that an IMAP source cannot answer at all,
 * content or not: message-structure judges the raw header block, which the
 * IMAP backend never reads (it takes headers from ENVELOPE). Free with
 * g_strfreev. */
char **mp_rules_imap_notices          (const MpRuleSet *rules);

G_END_DECLS
