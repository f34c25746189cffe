/* reader.c — which reader reads a folder, and what a scan records of one
 * message, for the fix's decisions and its verifier (see reader.h). */
#include "reader.h"
#include "dates.h"

#include <string.h>

MpFixFormat
mp_fix_source_format (const MpSource *src)
{
	if (strcmp (src->ops->name, "maildir") == 0)
		return MP_FIX_FORMAT_MAILDIR;
	if (strcmp (src->ops->name, "mbox") == 0 || strcmp (src->ops->name, "mbox-folder") == 0)
		return MP_FIX_FORMAT_MBOX;
	return MP_FIX_FORMAT_SAME;
}

const char *
mp_fix_format_name (MpFixFormat f)
{
	switch (f) {
	case MP_FIX_FORMAT_MBOX: return "mbox";
	case MP_FIX_FORMAT_MAILDIR: return "maildir";
	default: return "same";
	}
}

MpFixReader *
mp_fix_reader_open (MpSource *src, const MpFolder *folder, GError **error)
{
	switch (mp_fix_source_format (src)) {
	case MP_FIX_FORMAT_MBOX:
		return mp_fix_reader_mbox_open (src, folder, error);
	case MP_FIX_FORMAT_MAILDIR:
		return mp_fix_reader_maildir_open (src, folder, error);
	default:
		g_set_error (error, MP_ERROR, MP_ERROR_UNKNOWN_SOURCE, "%s: a %s source cannot be fixed (only "
		             "mbox files, folders of mbox files and Maildirs)", src->path, src->ops->name);
		return NULL;
	}
}

MpFixItem *
mp_fix_reader_next (MpFixReader *r, GError **error)
{
	return r->ops->next (r, error);
}

void
mp_fix_reader_free (MpFixReader *r)
{
	if (r != NULL)
		r->ops->free (r);
}

MpMessage *
mp_fix_item_analyze (const MpFixItem *item, MpAnalyzer *analyzer, const MpRuleSet *rules)
{
	MpMessage *m = mp_message_new ();
	MpRangeFlags flags = 0;

	/* as the backends fill a message before the analyzer (source-mbox.c,
	 * source-maildir.c): folder, locator, index, the arrival date (used
	 * only without a valid Date:) and the read state */
	m->folder = g_strdup (item->folder);
	m->locator = g_strdup (item->locator);
	m->index = item->index;
	if (item->env.arrival != MP_FIX_NO_TIME) {
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (item->env.arrival);
		if (dt != NULL) {
			m->date = mp_format_date (dt);
			m->date_unix = item->env.arrival;
			m->date_source = item->kind == MP_FIX_STORED_MBOX ? MP_DATE_FROM_LINE : MP_DATE_MTIME;
		}
	}
	if (item->kind == MP_FIX_STORED_FILE) {
		m->read_state = (item->env.flags & MP_FIX_SEEN) ? MP_READ_SEEN : MP_READ_UNSEEN;
		if (item->internal) {
			mp_message_add_problem (m, MP_PROBLEM_NOT_A_FILE, NULL);
			return m;
		}
		flags |= MP_RANGE_COUNT_SIZE;
	} else {
		m->size = item->size;
		m->max_line = item->max_line;
		m->skipped = item->internal;
		if (item->quoted_from_lines > 0)
			flags |= MP_RANGE_MBOX_QUOTED;
	}
	if (!m->skipped)
		mp_analyzer_run_range (analyzer, item->fd, item->start, item->end, flags, m);
	if (rules != NULL)
		mp_rules_evaluate (rules, m);
	return m;
}
