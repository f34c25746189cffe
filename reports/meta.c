#include "meta.h"
#include "mp-config.h"
#include "shown-text.h"

#include <string.h>

void
mp_rule_info_free (MpRuleInfo *info)
{
	if (info == NULL)
		return;
	g_free (info->name);
	g_free (info->check);
	g_free (info->scope);
	g_free (info->max);
	g_free (info->advice);
	g_free (info);
}

void
mp_run_info_free (MpRunInfo *run)
{
	if (run == NULL)
		return;
	g_free (run->tool_version);
	g_strfreev (run->command);
	g_free (run->scan_time);
	g_free (run->as_of);
	g_free (run->rules_name);
	g_free (run->rules_origin);
	g_free (run->rules_digest);
	g_strfreev (run->notes);
	g_strfreev (run->exclude_folders);
	g_strfreev (run->include_folders);
	g_free (run);
}

MpReportMeta *
mp_report_meta_new (void)
{
	MpReportMeta *meta = g_new0 (MpReportMeta, 1);

	meta->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_run_info_free);
	meta->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_rule_info_free);
	meta->fail_on = MP_SEVERITY_ERROR;
	return meta;
}

void
mp_report_meta_free (MpReportMeta *meta)
{
	if (meta == NULL)
		return;
	g_ptr_array_unref (meta->runs);
	g_ptr_array_unref (meta->rules);
	g_free (meta->rules_name);
	g_free (meta->rules_origin);
	g_free (meta);
}

const MpRuleInfo *
mp_report_meta_find_rule (const MpReportMeta *meta, const char *name)
{
	for (guint i = 0; i < meta->rules->len; i++) {
		const MpRuleInfo *r = g_ptr_array_index (meta->rules, i);
		if (g_strcmp0 (r->name, name) == 0)
			return r;
	}
	return NULL;
}

void
mp_report_meta_add_rule (MpReportMeta *meta, MpRuleInfo *info)
{
	if (mp_report_meta_find_rule (meta, info->name) != NULL) {
		mp_rule_info_free (info);
		return;
	}
	g_ptr_array_add (meta->rules, info);
}

static const char *
scope_name (MpScope s)
{
	switch (s) {
	case MP_SCOPE_FOLDER: return "folder";
	case MP_SCOPE_ACCOUNT: return "account";
	case MP_SCOPE_MESSAGE:
	default: return "message";
	}
}

void
mp_report_meta_set_rules (MpReportMeta *meta, const MpRuleSet *set)
{
	g_free (meta->rules_name);
	g_free (meta->rules_origin);
	meta->rules_name = g_strdup (set->name);
	meta->rules_origin = g_strdup (set->origin);
	meta->deleted_skip = set->deleted_skip;
	for (guint i = 0; i < set->rules->len; i++) {
		const MpRule *r = g_ptr_array_index (set->rules, i);
		MpRuleInfo *info = g_new0 (MpRuleInfo, 1);
		info->name = g_strdup (r->name);
		info->check = g_strdup (mp_check_name (r->check));
		info->scope = g_strdup (scope_name (mp_check_scope (r->check)));
		info->severity = r->severity;
		info->max = g_strdup (r->max_text);
		info->advice = g_strdup (r->advice);
		mp_report_meta_add_rule (meta, info);
	}
}

char *
mp_iso8601_utc (gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

	return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("1970-01-01T00:00:00Z");
}

MpRunInfo *
mp_run_info_new_current (char **command, gboolean have_as_of, gint64 as_of)
{
	MpRunInfo *run = g_new0 (MpRunInfo, 1);
	const char *fixed = g_getenv ("MAILPREFLIGHT_FIXED_TIME");
	GStrvBuilder *b = g_strv_builder_new ();

	run->tool_version = g_strdup (MP_VERSION);
	g_strv_builder_add (b, "mailpreflight");
	for (int i = 0; command && command[i]; i++)
		g_strv_builder_add (b, command[i]);
	run->command = g_strv_builder_end (b);
	g_strv_builder_unref (b);
	/* passwords never in reports: "imaps://alice:secret@host" is refused
	 * as a source or --target, but the command line is recorded as given */
	mp_text_redact_passwords_strv (run->command);
	if (fixed != NULL && *fixed) {
		/* golden files: the time is what the caller says (docs/json-schema.md) */
		run->scan_time = g_strdup (fixed);
	} else {
		run->scan_time = mp_iso8601_utc (g_get_real_time () / G_USEC_PER_SEC);
	}
	if (have_as_of)
		run->as_of = mp_iso8601_utc (as_of);
	return run;
}

void
mp_run_info_add_note (MpRunInfo *run, const char *note)
{
	guint n = run->notes ? g_strv_length (run->notes) : 0;

	run->notes = g_renew (char *, run->notes, n + 2);
	run->notes[n] = g_strdup (note);
	run->notes[n + 1] = NULL;
}

const char *
mp_report_meta_fail_on_name (const MpReportMeta *meta)
{
	return meta->fail_never ? "never" : mp_severity_name (meta->fail_on);
}

gboolean
mp_report_meta_blocking (const MpReportMeta *meta, MpSeverity s)
{
	return !meta->fail_never && s >= meta->fail_on;
}
