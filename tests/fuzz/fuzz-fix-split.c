/* fuzz-fix-split.c — one message split by the fix (fix/cut.c, plan.c,
 * build.c) with small limits, then checked as the verifier checks a written
 * copy (fix/verify.c): every part passes the rules it was split for, and
 * every attachment of the original, decoded, is in exactly one part.
 *
 * The input is one RFC 5322 message. The limits come from its first octet:
 * 2-17 KB per message and 1-8 attachments, so that most messages with a
 * few attachments are split. Declining a message is fine (the fix then
 * copies it as it is); a failed check is a bug: abort(). */
#include "fuzz-common.h"
#include "../fix/split-check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static MpAnalyzer *analyzer;
static MpRuleSet *rule_sets[16 * 8];

static const MpRuleSet *
rules_for (guint8 b)
{
	guint i = b % G_N_ELEMENTS (rule_sets);

	if (rule_sets[i] == NULL) {
		g_autofree char *text = g_strdup_printf ("[profile]\nname = fuzz\n\n[rule s]\ncheck = message-size\n"
		                                         "max = %u KB\n\n[rule c]\ncheck = attachment-count\nmax = %u\n",
		                                         2 + i / 8, 1 + i % 8);
		rule_sets[i] = mp_rules_load_data (text, strlen (text), "fuzz", NULL);
		if (rule_sets[i] == NULL)
			abort ();
	}
	return rule_sets[i];
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	const MpRuleSet *rules;
	MpFixLimits limits;
	SplitResult r;

	if (analyzer == NULL) {
		mp_gmime_init_once ();
		analyzer = mp_analyzer_new ();
	}
	if (size > 1024 * 1024)
		return 0;
	rules = rules_for (size ? data[0] : 0);
	mp_fix_limits_init (&limits, rules, MP_SEVERITY_ERROR);
	split_check (data, size, rules, &limits, analyzer, 0, &r);
	if (r.failure != NULL) {
		fprintf (stderr, "fuzz-fix-split: %s\n", r.failure);
		abort ();
	}
	split_result_clear (&r);
	mp_fix_limits_clear (&limits);
	return 0;
}
