/* split-check.h — one message split in memory and checked as the verifier
 * checks a written copy: every part passes the rules it was split for, and
 * every attachment of the original, decoded, is in exactly one part. Shared
 * by tests/fix/test-fix.c and tests/fuzz/fuzz-fix-split.c (included once by
 * each). */
#pragma once

#include "build.h"
#include "cut.h"
#include "digest.h"
#include "plan.h"
#include "record.h"
#include "verify.h"

typedef struct {
	guint    parts;     /* 0: the plan declined the message */
	char    *why_not;   /* why it declined */
	char    *failure;   /* a check that failed (a bug), or NULL */
} SplitResult;

static void
split_result_clear (SplitResult *r)
{
	g_free (r->why_not);
	g_free (r->failure);
}

/* Splits DATA with LIMITS (from RULES); if DAMAGE_PART is not 0, one octet
 * of that part's last base64 line is changed before it is checked. */
static void
split_check (const guint8 *data, gsize len, const MpRuleSet *rules, const MpFixLimits *limits,
             MpAnalyzer *analyzer, guint damage_part, SplitResult *out)
{
	GByteArray *bytes = g_byte_array_sized_new ((guint) len);
	g_autoptr(GMimeStream) stream = NULL;
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(MpFixCut) cut = NULL;
	g_autoptr(MpFixPlan) plan = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(MpFixCheck) check = NULL;
	g_autoptr(MpFixRecord) rec = NULL;
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autoptr(GError) error = NULL;
	g_autofree char *limits_text = mp_fix_limits_text (limits);
	MpFixBuildInfo info = { 0 };
	MpFixPlanOptions opt = { 0 };
	char sha[65];

	memset (out, 0, sizeof *out);
	g_byte_array_append (bytes, data, (guint) len);
	stream = g_mime_stream_mem_new_with_byte_array (bytes);
	if (!mp_fix_stream_sha256 (stream, sha, &error)) {
		out->failure = g_strdup (error->message);
		return;
	}
	g_mime_stream_reset (stream);
	parser = g_mime_parser_new_with_stream (stream);
	g_mime_parser_set_persist_stream (parser, TRUE);
	msg = g_mime_parser_construct_message (parser, NULL);
	if (msg == NULL) {
		out->why_not = g_strdup ("unparseable");
		return;
	}
	m->folder = g_strdup ("INBOX");
	m->locator = g_strdup ("0");
	m->index = 1;
	rec = mp_fix_record_new ("memory", m, g_new0 (char *, 1));
	if ((rec->atts = mp_fix_attachment_index (msg, stream, &error)) == NULL ||
	    (cut = mp_fix_cut_new (stream, msg, FALSE, &error)) == NULL) {
		out->failure = g_strdup (error->message);
		return;
	}
	info.message_id = g_mime_message_get_message_id (msg);
	info.sha256 = sha;
	info.subject = "a subject";
	info.limits_text = limits_text;
	info.rules_text = "test rules";
	opt.mode = MP_FIX_MODE_SPLIT;
	opt.limits = limits;
	opt.info = &info;
	if ((plan = mp_fix_plan_new (cut, analyzer, &opt, &error)) == NULL) {
		out->failure = g_strdup (error->message);
		return;
	}
	if (plan->why_not != NULL) {
		out->why_not = g_strdup (plan->why_not);
		return;
	}
	if ((parts = mp_fix_build (plan, &info, &error)) == NULL) {
		out->failure = g_strdup (error->message);
		return;
	}
	check = mp_fix_check_new (limits, rules, analyzer, NULL);
	for (guint i = 0; i < parts->len; i++)
		mp_fix_record_add_part (rec, ((MpFixPart *) g_ptr_array_index (parts, i))->k);
	for (guint i = 0; i < parts->len; i++) {
		MpFixPart *p = g_ptr_array_index (parts, i);
		g_autoptr(GMimeStream) damaged = NULL;
		GMimeStream *s = p->stream;

		if (p->k == damage_part) {
			/* the first octet after the last "base64" header's empty line */
			GByteArray *b = g_byte_array_new ();
			char buf[4096];
			gssize n;
			const char *hit = NULL, *body;
			g_mime_stream_reset (s);
			while ((n = mp_fix_stream_read (s, buf, sizeof buf)) > 0)
				g_byte_array_append (b, (const guint8 *) buf, (guint) n);
			for (const char *q = (const char *) b->data;
			     (q = g_strstr_len (q, (gssize) (b->len - (gsize) (q - (const char *) b->data)), "base64")) != NULL;
			     q++)
				hit = q;
			body = hit ? g_strstr_len (hit, (gssize) (b->len - (gsize) (hit - (const char *) b->data)), "\n\n")
			           : NULL;
			if (body != NULL)
				b->data[(gsize) (body - (const char *) b->data) + 2] ^= 0x01;
			damaged = g_mime_stream_mem_new_with_byte_array (b);
			s = damaged;
		}
		if (!mp_fix_check_part_stream (check, rec, p->k, s, &error)) {
			out->failure = g_strdup (error->message);
			return;
		}
	}
	if (!mp_fix_check_record (check, rec, NULL, &error)) {
		out->failure = g_strdup (error->message);
		return;
	}
	out->parts = parts->len;
}
