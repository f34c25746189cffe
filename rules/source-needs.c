/* source-needs.c — see source-needs.h. */
#include "source-needs.h"

void
mp_rules_fill_source_settings (const MpRuleSet *rules, MpSourceSettings *net)
{
	net->list_archives = (mp_rules_analyze_flags (rules) & MP_ANALYZE_LIST_ARCHIVES) != 0;
	net->line_limit = 0;
	net->n_size_limits = 0;
	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		/* the smallest limit: a line over it may break any of the rules */
		if (r->check == MP_CHECK_LINE_LENGTH && (net->line_limit == 0 || r->max < net->line_limit))
			net->line_limit = r->max;
		if (r->check == MP_CHECK_MESSAGE_SIZE && net->n_size_limits < MP_MAX_SIZE_LIMITS)
			net->size_limits[net->n_size_limits++] = r->max;
	}
}

char **
mp_rules_imap_notices (const MpRuleSet *rules)
{
	g_autoptr(GStrvBuilder) notices = g_strv_builder_new ();

	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		if (r->check == MP_CHECK_MESSAGE_STRUCTURE) {
			g_autofree char *text = g_strdup_printf (
				"rule %s (%s) is not evaluated for IMAP sources: the header block is read from the "
				"server's ENVELOPE, not from the message", r->name, mp_check_name (r->check));
			g_strv_builder_add (notices, text);
		}
	}
	return g_strv_builder_end (notices);
}

char **
mp_rules_metadata_only_notices (const MpRuleSet *rules)
{
	g_autoptr(GStrvBuilder) notices = g_strv_builder_new ();

	for (guint i = 0; i < rules->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (rules->rules, i);
		/* the name and type of an attachment come with BODYSTRUCTURE; its
		 * lines and what an archive holds only with the content */
		if (r->check == MP_CHECK_LINE_LENGTH ||
		    (r->check == MP_CHECK_ATTACHMENT_TYPE && r->inside_archives)) {
			g_autofree char *text = g_strdup_printf (
				"rule %s (%s) is not evaluated on message content for IMAP sources "
				"(--metadata-only)%s", r->name, mp_check_name (r->check),
				r->check == MP_CHECK_ATTACHMENT_TYPE ? ": attachment names and types are checked, "
				"archives are not opened" : "");
			g_strv_builder_add (notices, text);
		}
	}
	return g_strv_builder_end (notices);
}
