/* imap-content-plan.c — see imap-content-plan.h. */
#include "imap-content-plan.h"

#include <string.h>

/* Sections asked for in one command: a message with more parts over the
 * limit is fetched whole, so that the command line stays short (servers
 * refuse long ones: Dovecot at 64 KiB). */
#define MAX_SECTIONS 64

static void
add_section (MpImapContentPlan *plan, const char *section)
{
	for (guint i = 0; i < plan->sections->len; i++)
		if (strcmp (g_ptr_array_index (plan->sections, i), section) == 0)
			return;
	g_ptr_array_add (plan->sections, g_strdup (section));
}

static const MpImapRegion *
region_at (const GArray *regions, guint i)
{
	return &g_array_index (regions, MpImapRegion, i);
}

MpAttachment *
mp_imap_content_wanted_attachment (const MpImapContentNeeds *needs, const MpMessage *m,
                                   const MpImapRegion *r)
{
	MpAttachment *a;

	if (needs->attachment_wanted == NULL || r->attachment < 0 ||
	    (guint) r->attachment >= m->attachment_list->len)
		return NULL;
	a = g_ptr_array_index (m->attachment_list, r->attachment);
	return needs->attachment_wanted (a->mime_type, a->filename) ? a : NULL;
}

gboolean
mp_imap_content_plan (MpImapContentPlan *plan, const MpMessage *m, const GArray *regions,
                      const MpImapContentNeeds *needs)
{
	guint n = regions ? regions->len : 0;

	memset (plan, 0, sizeof *plan);
	plan->sections = g_ptr_array_new_with_free_func (g_free);
	if (m->skipped)
		return FALSE;

	/* DEFINITIONS.md: on a server that estimates RFC822.SIZE, a message
	 * within 2% of a limit may be measured exactly */
	for (guint i = 0; !needs->size_exact && i < needs->n_size_limits; i++) {
		guint64 limit = needs->size_limits[i];
		guint64 diff = m->size > limit ? m->size - limit : limit - m->size;
		if (diff <= limit / 50)
			plan->whole = plan->measure = TRUE;
	}
	if (needs->line_limit > 0 && m->size > needs->line_limit) {
		guint64 sum = 0;

		plan->lines = TRUE;
		for (guint i = 0; i < n; i++) /* saturating: the numbers are the server's */
			sum = G_MAXUINT64 - sum < region_at (regions, i)->octets ? G_MAXUINT64
			                                                          : sum + region_at (regions, i)->octets;
		/* the bound below needs an exact size and a tree that adds up */
		if (!needs->size_exact || n == 0 || sum > m->size ||
		    mp_message_has_problem (m, MP_PROBLEM_MALFORMED_BODYSTRUCTURE)) {
			plan->whole = TRUE;
		} else {
			/* a line lies inside one region or in the rest: only what is
			 * bigger than the limit can hold a line over it */
			plan->rest = m->size - sum;
			for (guint i = 0; i < n; i++)
				if (region_at (regions, i)->octets > needs->line_limit)
					add_section (plan, region_at (regions, i)->section);
			plan->header = plan->rest > needs->line_limit;
			if (plan->sections->len > MAX_SECTIONS) {
				g_ptr_array_set_size (plan->sections, 0);
				plan->header = FALSE;
				plan->whole = TRUE;
			}
		}
	}
	for (guint i = 0; i < n && plan->sections->len < MAX_SECTIONS; i++)
		if (mp_imap_content_wanted_attachment (needs, m, region_at (regions, i)) != NULL)
			add_section (plan, region_at (regions, i)->section);
	return plan->whole || plan->header || plan->sections->len > 0;
}

void
mp_imap_content_plan_clear (MpImapContentPlan *plan)
{
	g_clear_pointer (&plan->sections, g_ptr_array_unref);
	memset (plan, 0, sizeof *plan);
}

char *
mp_imap_content_plan_items (const MpImapContentPlan *plan)
{
	GString *s = g_string_new ("(UID");

	/* BODY.PEEK: a FETCH of BODY[] would set \Seen (RFC 3501 §6.4.5) */
	if (plan->whole)
		g_string_append (s, " BODY.PEEK[]");
	if (plan->header && !plan->whole)
		g_string_append (s, " BODY.PEEK[HEADER]");
	for (guint i = 0; plan->sections && i < plan->sections->len; i++)
		g_string_append_printf (s, " BODY.PEEK[%s]", (const char *) g_ptr_array_index (plan->sections, i));
	g_string_append_c (s, ')');
	return g_string_free (s, FALSE);
}

static const MpImapRegion *
region_of (const GArray *regions, const char *section)
{
	for (guint i = 0; regions != NULL && i < regions->len; i++)
		if (strcmp (region_at (regions, i)->section, section) == 0)
			return region_at (regions, i);
	return NULL;
}

/* What a server may send for a size it announced: exact servers differ by
 * nothing (Dovecot), a little room covers line-end quirks; a server that
 * estimates (Exchange) gets twice the estimate. Saturating. */
static guint64
with_slack (guint64 octets, gboolean exact)
{
	guint64 slack = exact ? octets / 16 + (16 << 10) : octets + (1 << 20);

	return G_MAXUINT64 - octets < slack ? G_MAXUINT64 : octets + slack;
}

guint64
mp_imap_content_max_octets (const MpMessage *m, const GArray *regions, const char *section,
                            const MpImapContentNeeds *needs)
{
	const MpImapRegion *r;

	/* the whole message and its header are no larger than RFC822.SIZE */
	if (*section == '\0' || g_ascii_strcasecmp (section, "HEADER") == 0)
		return with_slack (m->size, needs->size_exact);
	r = region_of (regions, section);
	return with_slack (r != NULL ? r->octets : m->size, needs->size_exact);
}

gboolean
mp_imap_content_section_wanted (const MpMessage *m, const GArray *regions, const char *section,
                                const MpImapContentNeeds *needs)
{
	const MpImapRegion *r = region_of (regions, section);

	return r != NULL && mp_imap_content_wanted_attachment (needs, m, r) != NULL;
}
