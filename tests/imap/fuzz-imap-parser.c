/* fuzz-imap-parser.c — libFuzzer entry point for the IMAP response parser,
 * the BODYSTRUCTURE walker, the content plan (imap-content-plan.c) and the
 * content checks at the edge (source-imap-content.c).
 *
 * The first input octet picks the chunk size (1..16, low 4 bits) and the
 * split point is derived from the data, so literals, CRLFs and escapes land
 * on buffer edges. Bit 0x10 streams BODY[...] literals into a content stream
 * (bit 0x20: archive sections spooled to temporary files, decoded and
 * listed) and applies every FETCH response to a message, as a content fetch
 * does; else only BODY[] is streamed, to nowhere. Limits are small so the
 * fuzzer reaches them. Every FETCH response's BODYSTRUCTURE is walked,
 * every response printed.
 *
 * Without -DMP_FUZZING a replay main runs every file of the directories
 * (or files) named on the command line: the seed corpus runs in
 * `meson test`. */
#include "imap-bodystructure.h"
#include "source-imap-content.h"
#include "imap-parser.h"
#include "archive-list.h"
#include "mime-analyze.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
consume (MpImapResponse *r, MpImapContentStream *stream)
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

static gboolean
stream_body (const MpImapValue *item, guint64 size, gpointer user_data)
{
	return mp_imap_value_is_atom (item, "BODY[]");
}

static gboolean
discard (const guint8 *data, gsize len, gpointer user_data, GError **error)
{
	return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	MpImapParserSettings set;
	g_autoptr(MpImapParser) p = NULL;
	g_autoptr(MpImapContentStream) stream = NULL;
	MpImapResponse *r;
	gsize chunk, split, off = 0;
	gboolean ok = TRUE;

	if (size == 0)
		return 0;
	mp_imap_parser_settings_init (&set);
	set.max_line_length = 64 * 1024;
	set.max_literal_size = 64 * 1024;
	set.max_response_size = 256 * 1024;
	set.max_depth = 40;
	set.max_list_items = 2000;
	set.max_response_items = 8000;
	set.literal_begin = stream_body;
	set.literal_data = discard;
	if (data[0] & 0x10) {
		stream = mp_imap_content_stream_new ();
		mp_imap_content_stream_attach (stream, &set);
		mp_imap_content_stream_set_active (stream, TRUE, (data[0] & 0x20) != 0);
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
		consume (r, stream);
		mp_imap_response_free (r);
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
