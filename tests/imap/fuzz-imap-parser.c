/* fuzz-imap-parser.c — libFuzzer entry point for the IMAP response parser,
 * the BODYSTRUCTURE walker, the content plan (imap-content-plan.c) and the
 * content checks at the edge (source-imap-content.c).
 *
 * The first input octet picks the chunk size (1..16, low 4 bits) and the
 * split point is derived from the data, so literals, CRLFs and escapes land
 * on buffer edges. Bit 0x10 streams BODY[...] literals into a content stream
 * (expectations for UIDs 1-3, a small spool budget; bit 0x20: archive
 * sections spooled to temporary files, decoded and listed) and applies
 * every FETCH response to a message, as a content fetch does; else only
 * BODY[] is streamed, to nowhere. Limits are small so the fuzzer reaches
 * them; bit 0x40 makes them tiny (a line of 256 octets, 64 values, depth 4,
 * literals of 32 kept and 4 KiB read), so truncation is reached all the
 * time (issue 14: limits truncate a response, the stream stays in step).
 * Every FETCH response's BODYSTRUCTURE is walked (truncated ones too), its
 * ENVELOPE applied to a message, every response printed. And the same
 * limits without callbacks must give the same responses and the same error
 * whether the input comes whole or one octet at a time (the parser's fast
 * path for whole tokens against its state machine; abort() otherwise).
 *
 * Without -DMP_FUZZING a replay main runs every file of the directories
 * (or files) named on the command line: the seed corpus runs in
 * `meson test`. */
#include "imap-bodystructure.h"
#include "source-imap-content.h"
#include "source-imap-envelope.h"
#include "imap-parser.h"
#include "archive-list.h"
#include "mime-analyze.h"

#include "imap-date.h"
#include "imap-date-reference.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
consume (MpImapResponse *r, MpImapContentStream *stream, MpEnvelopeCache *envelopes)
{
	const MpImapValue *d = mp_imap_response_get_data (r);
	const MpImapValue *att = mp_imap_value_get_child (d, 2);
	/* printing every response exercises the printer */
	G_GNUC_UNUSED g_autofree char *dbg = mp_imap_response_to_debug_string (r);

	if (mp_imap_value_is_atom (mp_imap_value_get_child (d, 1), "FETCH")) {
		const MpImapValue *body = mp_imap_value_lookup (att, "BODYSTRUCTURE");
		g_autoptr(MpMessage) m = mp_message_new ();
		g_autoptr(GArray) regions = g_array_new (FALSE, FALSE, sizeof (MpImapRegion));
		MpImapContentNeeds needs = { .line_limit = 10, .attachment_wanted = mp_archive_is_candidate,
		                             .size_exact = TRUE };
		guint64 header = 0;

		g_array_set_clear_func (regions, (GDestroyNotify) mp_imap_region_clear);
		if (body != NULL)
			mp_imap_bodystructure_analyze_regions (body, m, regions, mp_mime_decode_header_text);
		mp_imap_envelope_apply (m, mp_imap_value_lookup (att, "ENVELOPE"),
		                        mp_imap_value_lookup (att, "INTERNALDATE"));
		{
			/* the scanning INTERNALDATE reader reads what GLib's splitting
			 * read (imap-date-reference.h), where the zone is RFC 3501's */
			const MpImapValue *idate = mp_imap_value_lookup (att, "INTERNALDATE");
			const char *text = idate && !mp_imap_value_is_nil (idate) ? mp_imap_value_get_string (idate, NULL) : NULL;
			g_autoptr(GDateTime) ref = mp_imap_date_time_parse_reference (text);
			g_autoptr(GDateTime) got = mp_imap_date_time_parse (text);
			if (got != NULL && (ref == NULL || !g_date_time_equal (got, ref) ||
			                    g_date_time_get_utc_offset (got) != g_date_time_get_utc_offset (ref)))
				abort ();
			if (ref != NULL && got == NULL && text != NULL) {
				g_autofree char *t = g_strstrip (g_strdup (text));
				gsize n = strlen (t);
				if (n >= 6 && t[n - 6] == ' ' && (t[n - 5] == '+' || t[n - 5] == '-') && g_ascii_isdigit (t[n - 4]) &&
				    g_ascii_isdigit (t[n - 3]) && g_ascii_isdigit (t[n - 2]) && g_ascii_isdigit (t[n - 1]))
					abort ();
			}
		}
		{
			/* the From cache gives what GMime gave, asked once and twice */
			g_autoptr(MpMessage) c1 = mp_message_new ();
			g_autoptr(MpMessage) c2 = mp_message_new ();
			mp_imap_envelope_apply_cached (c1, mp_imap_value_lookup (att, "ENVELOPE"), NULL, envelopes);
			mp_imap_envelope_apply_cached (c2, mp_imap_value_lookup (att, "ENVELOPE"), NULL, envelopes);
			if (g_strcmp0 (c1->from, m->from) != 0 || g_strcmp0 (c2->from, m->from) != 0 ||
			    c1->from_addresses != m->from_addresses || c2->from_addresses != m->from_addresses)
				abort ();
		}
		if (stream != NULL && mp_imap_value_is_list (att)) {
			MpImapContentPlan plan;
			m->size = 1000;
			mp_imap_content_plan (&plan, m, regions, &needs);
			g_free (mp_imap_content_plan_items (&plan));
			mp_imap_content_plan_clear (&plan);
			mp_imap_content_apply (stream, att, m, regions, &needs, &header);
		}
	}
}

static MpImapLiteralAction
stream_body (const MpImapValue *list, const MpImapValue *item, guint64 size, gpointer user_data,
             GError **error)
{
	/* the list so far is readable during the call */
	G_GNUC_UNUSED g_autofree char *dbg = mp_imap_value_to_debug_string (list);

	if (size > 1 << 20) {
		g_set_error_literal (error, MP_ERROR, MP_ERROR_READ, "too large");
		return MP_IMAP_LITERAL_REFUSE;
	}
	return mp_imap_value_is_atom (item, "BODY[]") ? MP_IMAP_LITERAL_STREAM : MP_IMAP_LITERAL_KEEP;
}

static gboolean
discard (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	return TRUE;
}

/* The responses (debug strings) and the error of SET without callbacks on
 * DATA fed in CHUNK-octet pieces. */
static char *
parse_all (const MpImapParserSettings *set, const uint8_t *data, size_t size, size_t chunk)
{
	MpImapParserSettings plain = *set;
	g_autoptr(MpImapParser) p = NULL;
	GString *out = g_string_new (NULL);
	g_autoptr(GError) error = NULL;
	MpImapResponse *r;
	gboolean ok = TRUE;

	plain.literal_begin = NULL;
	plain.literal_data = NULL;
	p = mp_imap_parser_new (&plain);
	for (size_t off = 0; ok && off < size; off += chunk)
		ok = mp_imap_parser_feed (p, data + off, MIN (chunk, size - off), &error);
	while ((r = mp_imap_parser_pop (p)) != NULL) {
		g_autofree char *s = mp_imap_response_to_debug_string (r);
		g_string_append_printf (out, "%s\n", s);
		mp_imap_response_free (r);
	}
	if (error != NULL)
		g_string_append_printf (out, "error: %s\n", error->message);
	return g_string_free (out, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	MpImapParserSettings set;
	g_autoptr(MpImapParser) p = NULL;
	g_autoptr(MpImapContentStream) stream = NULL;
	/* one for the input: what an earlier response put in, a later one finds */
	g_autoptr(MpEnvelopeCache) envelopes = mp_envelope_cache_new ();
	MpImapResponse *r;
	gsize chunk, split, off = 0;
	gboolean ok = TRUE;

	if (size == 0)
		return 0;
	mp_imap_parser_settings_init (&set);
	set.max_line_length = 64 * 1024;
	set.max_literal_size = 4 * 1024;
	set.max_literal_read = 64 * 1024;
	set.max_response_size = 256 * 1024;
	set.max_depth = 40;
	set.max_list_items = 2000;
	set.max_response_items = 8000;
	if (data[0] & 0x40) {
		set.max_line_length = 256;
		set.max_literal_size = 32;
		set.max_literal_read = 4096;
		set.max_response_size = 2048;
		set.max_depth = 4;
		set.max_list_items = 16;
		set.max_response_items = 64;
	}
	set.literal_begin = stream_body;
	set.literal_data = discard;
	if (data[0] & 0x10) {
		static const char *const sections[] = { "", "HEADER", "1", "2", "1.2" };
		/* a small spool budget, so the fuzzer reaches it */
		stream = mp_imap_content_stream_new (16 * 1024);
		mp_imap_content_stream_attach (stream, &set);
		mp_imap_content_stream_set_active (stream, TRUE);
		/* what a content fetch of UIDs 1-3 might have asked */
		for (guint64 uid = 1; uid <= 3; uid++)
			for (gsize k = 0; k < G_N_ELEMENTS (sections); k++)
				mp_imap_content_stream_expect (stream, uid, sections[k], 4096 * uid,
				                               (data[0] & 0x20) != 0 && g_ascii_isdigit (sections[k][0]));
	}
	p = mp_imap_parser_new (&set);

	chunk = (data[0] & 0x0f) + 1;
	split = size > 1 ? data[size / 2] % size : 0;
	data++;
	size--;
	split = MIN (split, size);
	/* the first part in one piece, the rest in small chunks */
	ok = mp_imap_parser_feed (p, data, split, NULL);
	for (off = split; ok && off < size; off += chunk)
		ok = mp_imap_parser_feed (p, data + off, MIN (chunk, size - off), NULL);
	if (ok)
		mp_imap_parser_finish (p, NULL);
	while ((r = mp_imap_parser_pop (p)) != NULL) {
		consume (r, stream, envelopes);
		mp_imap_response_free (r);
	}
	{
		g_autofree char *whole = parse_all (&set, data, size, MAX (size, 1));
		g_autofree char *bytes = parse_all (&set, data, size, 1);
		if (strcmp (whole, bytes) != 0) {
			fprintf (stderr, "fuzz-imap-parser: whole and octet by octet differ:\n%s---\n%s", whole, bytes);
			abort ();
		}
	}
	return 0;
}

#ifndef MP_FUZZING
static int
run_file (const char *path)
{
	g_autofree char *bytes = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;

	if (!g_file_get_contents (path, &bytes, &len, &error)) {
		g_printerr ("%s\n", error->message);
		return 1;
	}
	LLVMFuzzerTestOneInput ((const uint8_t *) bytes, len);
	return 0;
}

int
main (int argc, char **argv)
{
	guint files = 0;
	int rc = 0;

	mp_gmime_init_once ();
	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = NULL;
		const char *name;
		if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
			rc |= run_file (argv[i]);
			files++;
			continue;
		}
		dir = g_dir_open (argv[i], 0, NULL);
		while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
			g_autofree char *path = g_build_filename (argv[i], name, NULL);
			rc |= run_file (path);
			files++;
		}
	}
	g_print ("replayed %u inputs\n", files);
	return files == 0 ? 1 : rc;
}
#endif
