/* fuzz-compare.c — what compare parses and normalizes from text it does not
 * control (compare/message-key.c, compare/record-file.c, rules/folder-map.c):
 * header values from messages, --size-tolerance, [folder-map] entries and
 * folder names.
 *
 * The input is cut at NUL bytes into fields: a Message-ID, a From, a
 * Subject, a tolerance, a folder-map value, a folder name. Checked, with
 * abort() on violation:
 *  - normalization is valid UTF-8, idempotent (normalizing twice changes
 *    nothing: the keys of a message read twice agree), bounded, and an id
 *    has no white space or angle brackets;
 *  - a tolerance that parses is a percentage of at most 100% and says
 *    itself in words; mp_size_within is symmetric and holds for equal sizes;
 *  - a folder-map entry that parses has a source and a target without
 *    control characters, and mapping any folder name through it gives names
 *    that are valid UTF-8;
 *  - the message's fields survive the record file: read back, each equals
 *    what was written, or its cut on a character boundary. */
#include "fuzz-common.h"
#include "folder-map.h"
#include "message-key.h"
#include "record-file.h"

#include <stdint.h>
#include <string.h>

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-compare: %s\n", what);
	abort ();
}

static void
check_text (const char *s, const char *what)
{
	if (s == NULL || !g_utf8_validate (s, -1, NULL))
		fail (what);
}

static void
check_normalizers (const char *id, const char *from, const char *subject)
{
	g_autofree char *n_id = mp_compare_normalize_id (id);
	g_autofree char *n_from = mp_compare_normalize_from (from);
	g_autofree char *n_subject = mp_compare_normalize_subject (subject);
	g_autofree char *again_subject = mp_compare_normalize_subject (n_subject);

	if (n_id != NULL) {
		g_autofree char *again = mp_compare_normalize_id (n_id);
		if (g_strcmp0 (again, n_id) != 0)
			fail ("id normalization is not idempotent");
		for (const char *p = n_id; *p; p++)
			if (g_ascii_isspace (*p) || *p == '<' || *p == '>')
				fail ("a normalized id with white space or brackets");
	}
	check_text (n_from, "From normalization is not UTF-8");
	check_text (n_subject, "Subject normalization is not UTF-8");
	if (strcmp (again_subject, n_subject) != 0)
		fail ("Subject normalization is not idempotent");
	if (g_utf8_strlen (n_subject, -1) > MP_KEY_TEXT_MAX)
		fail ("a normalized Subject longer than the bound");
	if (mp_compare_hash (n_subject) == 0)
		fail ("a hash of 0");
}

static void
check_tolerance (const char *text)
{
	g_autoptr(GError) error = NULL;
	MpSizeTolerance t = { 0, 0 };

	if (!mp_size_tolerance_parse (text, &t, &error)) {
		if (error == NULL || error->domain != MP_ERROR || error->code != MP_ERROR_USAGE)
			fail ("a tolerance refused without a usage error");
		check_text (error->message, "tolerance error not UTF-8");
		return;
	}
	if (t.basis_points > 10000)
		fail ("a tolerance over 100%");
	{
		g_autofree char *s = mp_size_tolerance_string (&t);
		check_text (s, "tolerance text not UTF-8");
	}
	for (guint64 a = 0; a < 3; a++) {
		guint64 sizes[] = { 0, 1, 8192, 1000000, G_MAXUINT64 };
		for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
			guint64 x = sizes[i], y = sizes[(i + a) % G_N_ELEMENTS (sizes)];
			if (mp_size_within (&t, x, y) != mp_size_within (&t, y, x))
				fail ("mp_size_within is not symmetric");
			if (!mp_size_within (&t, x, x))
				fail ("a size not within itself");
		}
	}
}

static void
check_folder_map (const char *value, const char *folder)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) map = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_map_entry_free);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
	MpFolderMapEntry *e = mp_folder_map_entry_parse ("fuzz", value, &error);

	if (e == NULL) {
		if (error == NULL || error->code != MP_ERROR_RULES)
			fail ("a folder-map value refused without a rules error");
		check_text (error->message, "folder-map error not UTF-8");
		return;
	}
	for (const char *p = e->source; *p; p++)
		if ((guchar) *p < 0x20)
			fail ("a folder-map source with a control character");
	g_ptr_array_add (map, e);
	if (!g_utf8_validate (folder, -1, NULL))
		return; /* folder names reach the map as UTF-8 (the scan's) */
	mp_folder_map_targets (map, folder, out);
	mp_folder_map_targets (map, e->source, out);
	for (guint i = 0; i < out->len; i++)
		check_text (g_ptr_array_index (out, i), "a mapped name that is not UTF-8");
}

/* Does READ equal WRITTEN, or its cut at MP_RECORD_FIELD_MAX octets on a
 * character boundary? */
static gboolean
kept (const char *written, const char *read)
{
	gsize n;

	if (written == NULL || read == NULL)
		return written == read;
	n = strlen (read);
	return n <= MP_RECORD_FIELD_MAX && strncmp (written, read, n) == 0 &&
	       (written[n] == '\0' || n > MP_RECORD_FIELD_MAX - 4);
}

static void
check_record (MpRecordFile *f, const char *id, const char *from, const char *subject)
{
	g_autoptr(MpMessage) m = mp_message_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRecord) r = NULL;
	guint64 off = 0;

	m->folder = g_strdup (subject);
	m->message_id = g_strdup (id);
	m->from = g_strdup (from);
	m->subject = g_strdup (subject);
	m->size = strlen (subject);
	if (!mp_record_file_add (f, m, &off, &error))
		return; /* a full disk is no bug of ours */
	r = mp_record_file_read (f, off, &error);
	if (r == NULL)
		fail ("a record just written cannot be read back");
	if (!kept (id, r->message_id) || !kept (from, r->from) || !kept (subject, r->subject) ||
	    !kept (subject, r->folder) || r->size != m->size)
		fail ("a record read back differs from what was written");
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	/* one record file for the whole run: files are costly, records cheap */
	static MpRecordFile *records;
	const char *fields[6] = { "", "", "", "", "", "" };
	g_autofree char *copy = g_malloc (size + 1);
	gsize n = 0;

	memcpy (copy, data, size);
	copy[size] = '\0';
	fields[n++] = copy;
	for (gsize i = 0; i < size && n < G_N_ELEMENTS (fields); i++)
		if (copy[i] == '\0')
			fields[n++] = copy + i + 1;

	check_normalizers (fields[0], fields[1], fields[2]);
	check_tolerance (fields[3]);
	check_folder_map (fields[4], fields[5]);
	if (records == NULL)
		records = mp_record_file_new (NULL);
	if (records != NULL) {
		if (mp_record_file_size (records) > 64 * 1024 * 1024) {
			mp_record_file_free (records);
			records = mp_record_file_new (NULL);
		}
		if (records != NULL)
			check_record (records, fields[0], fields[1], fields[2]);
	}
	return 0;
}
