/* test-compare.c — the comparison of issue 18 below the CLI: keys and their
 * normalization, the size tolerance, the record file, the folder map, and
 * the matcher on sides built message by message through the side's own
 * scan sink (what a scan would deliver), one scenario per test. */
#include "compare-report.h"
#include "folder-map.h"
#include "outcome.h"
#include "record-file.h"
#include "row-text.h"
#include "rules.h"
#include "side.h"

#include <string.h>

/* ---- a side, as a scan would deliver it ------------------------------- */

typedef struct {
	const char *folder;
	const char *id;       /* NULL: none */
	const char *subject;
	const char *from;
	gint64      date;     /* 0: no Date: header */
	guint64     size;
	guint       attachments;
	MpSeverity  finding;  /* a message rule broken, at this severity ... */
	const char *rule;     /* ... when set */
} Msg;

static MpMessage *
message_new (const Msg *d, guint64 index)
{
	MpMessage *m = mp_message_new ();

	m->folder = g_strdup (d->folder);
	m->index = index;
	m->locator = g_strdup_printf ("loc-%" G_GUINT64_FORMAT, index);
	m->message_id = g_strdup (d->id);
	m->subject = g_strdup (d->subject ? d->subject : "subject");
	m->from = g_strdup (d->from ? d->from : "Sender <sender@example.org>");
	if (d->date) {
		m->date_unix = d->date;
		m->date_source = MP_DATE_HEADER;
		m->date = g_strdup ("2024-01-01T00:00:00+00:00");
	}
	m->size = d->size ? d->size : 1000;
	m->attachments = d->attachments;
	if (d->rule) {
		MpFinding *f = mp_finding_new ();
		f->rule = g_strdup (d->rule);
		f->check = g_strdup ("message-size");
		f->severity = d->finding;
		f->detail = g_strdup_printf ("%s broken", d->rule);
		mp_message_add_finding (m, f);
	}
	return m;
}

/* Delivers MSGS (N of them, grouped by folder in order) to a new side,
 * folder by folder, as the scan does. */
static MpSide *
side_from (const char *name, const Msg *msgs, gsize n)
{
	g_autoptr(GError) error = NULL;
	MpSide *s = mp_side_new (name, &error);
	const MpScanSink *k = mp_side_sink ();
	const char *open = NULL;
	MpFolder folder = { NULL, NULL };
	guint64 index = 0;

	g_assert_no_error (error);
	k->source_begin (s, name, "test");
	for (gsize i = 0; i < n; i++) {
		g_autoptr(MpMessage) m = NULL;
		if (open == NULL || strcmp (open, msgs[i].folder) != 0) {
			if (open != NULL)
				k->folder_end (s, name, &folder);
			open = msgs[i].folder;
			folder.name = (char *) open;
			k->folder_begin (s, name, &folder);
			index = 0;
		}
		m = message_new (&msgs[i], ++index);
		k->message (s, m);
	}
	if (open != NULL)
		k->folder_end (s, name, &folder);
	if (k->source_end)
		k->source_end (s, name);
	return s;
}

/* An empty folder on side S (a folder the target has without mail). */
static void
add_folder (MpSide *s, const char *name)
{
	MpFolder folder = { (char *) name, NULL };

	mp_side_sink ()->folder_begin (s, s->name, &folder);
	mp_side_sink ()->folder_end (s, s->name, &folder);
}

typedef struct {
	MpSide           *source, *target;
	MpCompareOutcome *o;
	MpRuleSet        *rules;
} Fixture;

static void
fixture_clear (Fixture *f)
{
	mp_compare_outcome_free (f->o);
	mp_side_free (f->source);
	mp_side_free (f->target);
	mp_rules_free (f->rules);
}

static void
compare (Fixture *f, const Msg *src, gsize ns, const Msg *dst, gsize nt, const char *rules_text)
{
	g_autoptr(GError) error = NULL;
	MpSizeTolerance tol = MP_SIZE_TOLERANCE_DEFAULT;

	if (f->source == NULL)
		f->source = side_from ("source", src, ns);
	if (f->target == NULL)
		f->target = side_from ("target", dst, nt);
	if (rules_text != NULL) {
		f->rules = mp_rules_load_data (rules_text, strlen (rules_text), "test.ini", &error);
		g_assert_no_error (error);
	}
	f->o = mp_compare_outcome_new (f->source, f->target, f->rules, &tol, &error);
	g_assert_no_error (error);
	g_assert_nonnull (f->o);
}

/* The row statuses of every row, "unexpected:INBOX#2 extra:Other#1 ...". */
static gboolean
collect_row (const MpCompareRow *row, gpointer user_data, GError **error)
{
	GString *s = user_data;

	g_string_append_printf (s, "%s%s:%s#%" G_GUINT64_FORMAT, s->len ? " " : "", mp_row_status_name (row->status),
	                        row->folder, row->message->index);
	if (row->changes) {
		g_autofree char *c = mp_compare_changes_string (row->changes);
		g_string_append_printf (s, "(%s)", c);
	}
	if (row->moved)
		g_string_append (s, "(moved)");
	if (row->copy)
		g_string_append (s, "(copy)");
	return TRUE;
}

/* The rules that predicted each row, appended to a GString. */
static gboolean
collect_rules (const MpCompareRow *row, gpointer user_data, GError **error)
{
	g_autofree char *rules = mp_compare_row_rules (row);

	g_string_append (user_data, rules);
	return TRUE;
}

static char *
rows (Fixture *f)
{
	GString *s = g_string_new (NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true (mp_compare_outcome_rows (f->o, MP_ROW_ALL, collect_row, s, &error));
	g_assert_no_error (error);
	return g_string_free (s, FALSE);
}

#define D1 1704103200  /* 2024-01-01T10:00:00Z */

/* ---- keys ---------------------------------------------------------------- */

static void
test_normalize (void)
{
	static const struct { const char *in, *out; } ids[] = {
		{ "<a@b>", "a@b" }, { " <a@b> ", "a@b" }, { "a@b", "a@b" }, { "<A@B>", "A@B" },
		{ "<>", NULL }, { "  ", NULL }, { "<a @\tb>", "a@b" },
	};
	static const struct { const char *in, *out; } froms[] = {
		{ "Alice <Alice@Example.ORG>", "alice@example.org" },
		{ "alice@example.org", "alice@example.org" },
		{ "  Alice@Example.org  ", "alice@example.org" },
		{ "\"Example, Alice\" <a@x.org>, Bob <b@y.org>", "a@x.org,b@y.org" },
		{ "=?utf-8?q?x?= <a@x.org>", "a@x.org" },
		{ "", "" },
		{ "Broken <a@x.org", "broken <a@x.org" },
	};
	static const struct { const char *in, *out; } subjects[] = {
		{ "Hello  world", "Hello world" }, { " Hello\r\n\tworld ", "Hello world" }, { "", "" },
		{ "Case Kept", "Case Kept" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (ids); i++) {
		g_autofree char *n = mp_compare_normalize_id (ids[i].in);
		g_assert_cmpstr (n, ==, ids[i].out);
	}
	g_assert_null (mp_compare_normalize_id (NULL));
	for (gsize i = 0; i < G_N_ELEMENTS (froms); i++) {
		g_autofree char *n = mp_compare_normalize_from (froms[i].in);
		g_assert_cmpstr (n, ==, froms[i].out);
	}
	for (gsize i = 0; i < G_N_ELEMENTS (subjects); i++) {
		g_autofree char *n = mp_compare_normalize_subject (subjects[i].in);
		g_assert_cmpstr (n, ==, subjects[i].out);
	}
	/* a local read cuts a header at 2,000 characters and marks it with
	 * "…"; an IMAP ENVELOPE does not: the first 1,000 decide */
	{
		g_autofree char *full = g_strnfill (3000, 'x');
		g_autofree char *two = g_strnfill (2000, 'x');
		g_autofree char *cut = g_strconcat (two, "…", NULL);
		g_autofree char *a = mp_compare_normalize_subject (full);
		g_autofree char *b = mp_compare_normalize_subject (cut);
		g_assert_cmpstr (a, ==, b);
		g_assert_cmpint (strlen (a), ==, MP_KEY_TEXT_MAX);
	}
	/* so is a Message-ID, and a text that is not UTF-8 is made valid */
	{
		g_autofree char *long_id = g_strnfill (3000, 'i');
		g_autofree char *n = mp_compare_normalize_id (long_id);
		g_autofree char *bad = mp_compare_normalize_subject ("caf\xe9  au lait");
		g_assert_cmpint (strlen (n), ==, MP_KEY_TEXT_MAX);
		g_assert_true (g_utf8_validate (bad, -1, NULL));
		g_assert_true (g_str_has_suffix (bad, " au lait"));
	}
	g_assert_cmpuint (mp_compare_hash (""), !=, 0);
	g_assert_cmpuint (mp_compare_hash ("a@b"), !=, mp_compare_hash ("a@c"));
}

static void
test_tolerance (void)
{
	static const struct { const char *text; gboolean ok; guint64 bytes; guint bp; } cases[] = {
		{ "8 KB", TRUE, 8192, 0 }, { "2%", TRUE, 0, 200 }, { "8 KB,2%", TRUE, 8192, 200 },
		{ " 2.5% , 1 MB ", TRUE, 1048576, 250 }, { "0", TRUE, 0, 0 }, { "0%", TRUE, 0, 0 },
		{ "100%", TRUE, 0, 10000 },
		{ "", FALSE, 0, 0 }, { "abc", FALSE, 0, 0 }, { "-1%", FALSE, 0, 0 }, { "101%", FALSE, 0, 0 },
		{ "2%,3%", FALSE, 0, 0 }, { "1 KB,2 KB", FALSE, 0, 0 }, { "%", FALSE, 0, 0 }, { "nan%", FALSE, 0, 0 },
		{ "2%%", FALSE, 0, 0 }, { ",", FALSE, 0, 0 },
	};
	MpSizeTolerance def = MP_SIZE_TOLERANCE_DEFAULT;
	MpSizeTolerance exact = { 0, 0 };

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		MpSizeTolerance t = { 77, 77 };
		gboolean ok = mp_size_tolerance_parse (cases[i].text, &t, &error);
		g_test_message ("tolerance '%s'", cases[i].text);
		g_assert_cmpint (ok, ==, cases[i].ok);
		if (ok) {
			g_assert_cmpuint (t.bytes, ==, cases[i].bytes);
			g_assert_cmpuint (t.basis_points, ==, cases[i].bp);
		} else {
			g_assert_error (error, MP_ERROR, MP_ERROR_USAGE);
			g_assert_cmpuint (t.bytes, ==, 77);
		}
	}
	/* inclusive: exactly the tolerance is the same size */
	g_assert_true (mp_size_within (&def, 100000, 108192));
	g_assert_false (mp_size_within (&def, 100000, 108193));
	/* 2% of the larger size wins once it is over 8 KB: 1,000,000 vs 1,020,000 */
	g_assert_true (mp_size_within (&def, 1000000, 1020000));
	g_assert_true (mp_size_within (&def, 1020000, 1000000));
	g_assert_false (mp_size_within (&def, 1000000, 1020409));
	g_assert_true (mp_size_within (&exact, 5, 5));
	g_assert_false (mp_size_within (&exact, 5, 6));
	/* no overflow near the top */
	g_assert_true (mp_size_within (&def, G_MAXUINT64, G_MAXUINT64 - 1));
	{
		g_autofree char *s = mp_size_tolerance_string (&def);
		g_assert_cmpstr (s, ==, "8.0 KB or 2%, whichever is larger");
	}
}

/* ---- the record file --------------------------------------------------- */

static void
test_record_file (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(MpRecordFile) f = mp_record_file_new (&error);
	g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
	g_autofree char *huge = g_strnfill (10000, 'h');
	g_autofree char *utf8 = NULL;

	g_assert_no_error (error);
	{
		/* 2-octet characters across the cut: the cut lands on a boundary */
		GString *s = g_string_new ("x");
		for (int i = 0; i < 3000; i++)
			g_string_append (s, "é");
		utf8 = g_string_free (s, FALSE);
	}
	for (guint i = 0; i < 3000; i++) {
		g_autoptr(MpMessage) m = mp_message_new ();
		guint64 off;
		m->folder = g_strdup ("INBOX");
		m->index = i + 1;
		m->size = 1000 + i;
		m->attachments = i % 7;
		m->message_id = i % 3 ? g_strdup_printf ("id-%u@x", i) : NULL;
		m->subject = g_strdup (i == 5 ? huge : i == 6 ? utf8 : "s");
		for (guint k = 0; i == 7 && k < 40; k++) {
			MpFinding *fi = mp_finding_new ();
			fi->rule = g_strdup_printf ("r%u", k);
			fi->severity = MP_SEVERITY_WARNING;
			mp_message_add_finding (m, fi);
		}
		g_assert_true (mp_record_file_add (f, m, &off, &error));
		g_assert_no_error (error);
		g_array_append_val (offsets, off);
	}
	/* readable before and after sealing */
	for (int pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < offsets->len; i += (i < 10 ? 1 : 97)) {
			g_autoptr(MpRecord) r = mp_record_file_read (f, g_array_index (offsets, guint64, i), &error);
			g_assert_no_error (error);
			g_assert_nonnull (r);
			g_assert_cmpuint (r->index, ==, i + 1);
			g_assert_cmpuint (r->size, ==, 1000 + i);
			g_assert_cmpuint (r->attachments, ==, i % 7);
			g_assert_cmpstr (r->folder, ==, "INBOX");
			if (i % 3)
				g_assert_true (g_str_has_prefix (r->message_id, "id-"));
			else
				g_assert_null (r->message_id);
			if (i == 5)
				g_assert_cmpint (strlen (r->subject), ==, MP_RECORD_FIELD_MAX);
			if (i == 6) {
				g_assert_true (g_utf8_validate (r->subject, -1, NULL));
				g_assert_cmpint (strlen (r->subject), <=, MP_RECORD_FIELD_MAX);
			}
			g_assert_cmpuint (r->reasons->len, ==, i == 7 ? MP_RECORD_MAX_REASONS : 0);
		}
		g_assert_true (mp_record_file_seal (f, &error));
		g_assert_no_error (error);
	}
	/* an offset that is no record: an error, never a crash */
	{
		g_autoptr(MpRecord) r = mp_record_file_read (f, 3, &error);
		g_assert_null (r);
		g_assert_error (error, MP_ERROR, MP_ERROR_READ);
		g_clear_error (&error);
		r = mp_record_file_read (f, mp_record_file_size (f) + 100, &error);
		g_assert_null (r);
		g_assert_error (error, MP_ERROR, MP_ERROR_READ);
	}
}

/* ---- the folder map ------------------------------------------------------ */

static void
test_folder_map_entries (void)
{
	static const struct { const char *value; gboolean ok; const char *source, *target; } cases[] = {
		{ "Sent -> Sent Items", TRUE, "Sent", "Sent Items" },
		{ "  [Gmail]/Sent Mail   ->   Sent Items ", TRUE, "[Gmail]/Sent Mail", "Sent Items" },
		{ "* -> Imported/*", TRUE, "*", "Imported/*" },
		{ "a=b -> c", TRUE, "a=b", "c" },
		{ "Sent Sent Items", FALSE, NULL, NULL },
		{ "a -> b -> c", FALSE, NULL, NULL },
		{ " -> b", FALSE, NULL, NULL },
		{ "a -> ", FALSE, NULL, NULL },
		{ "a/ -> b", FALSE, NULL, NULL },
		{ "a -> b//c", FALSE, NULL, NULL },
		{ "a\tb -> c", FALSE, NULL, NULL },
		{ "* -> Imported", FALSE, NULL, NULL },
		{ "* -> a*b*", FALSE, NULL, NULL },
		{ "Se*nt -> b", FALSE, NULL, NULL },
		{ "a -> b*", FALSE, NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(MpFolderMapEntry) e = mp_folder_map_entry_parse ("l", cases[i].value, &error);
		g_test_message ("folder map '%s'", cases[i].value);
		if (cases[i].ok) {
			g_assert_no_error (error);
			g_assert_cmpstr (e->source, ==, cases[i].source);
			g_assert_cmpstr (e->target, ==, cases[i].target);
		} else {
			g_assert_null (e);
			g_assert_error (error, MP_ERROR, MP_ERROR_RULES);
		}
	}
}

static char *
targets_of (GPtrArray *map, const char *folder)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

	mp_folder_map_targets (map, folder, out);
	g_ptr_array_add (out, NULL);
	return g_strjoinv ("|", (char **) out->pdata);
}

static void
test_folder_map_targets (void)
{
	static const char *const values[] = {
		"Sent -> Sent Items", "Sent -> [Gmail]/Sent Mail", "Archive/2019 -> Old/2019", "Archive -> Archive1",
	};
	g_autoptr(GPtrArray) map = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_map_entry_free);
	g_autoptr(GPtrArray) star = g_ptr_array_new_with_free_func ((GDestroyNotify) mp_folder_map_entry_free);
	struct { const char *folder, *want; } cases[] = {
		{ "Sent", "Sent Items|[Gmail]/Sent Mail" },
		{ "sent", "Sent Items|[Gmail]/Sent Mail" },           /* case-insensitive */
		{ "Sent/2019", "Sent Items/2019|[Gmail]/Sent Mail/2019" }, /* subfolders too */
		{ "Sentinel", "" },                                   /* a whole level, not a prefix */
		{ "Archive/2019/Q1", "Old/2019/Q1" },                 /* the longest source wins */
		{ "Archive/2020", "Archive1/2020" },
		{ "INBOX", "" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
		g_ptr_array_add (map, mp_folder_map_entry_parse ("l", values[i], NULL));
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *got = targets_of (map, cases[i].folder);
		g_assert_cmpstr (got, ==, cases[i].want);
	}
	g_ptr_array_add (star, mp_folder_map_entry_parse ("sent", "Sent -> Sent Items", NULL));
	g_ptr_array_add (star, mp_folder_map_entry_parse ("all", "* -> Imported/*", NULL));
	{
		g_autofree char *a = targets_of (star, "Sent");
		g_autofree char *b = targets_of (star, "Work/2024");
		g_autofree char *c = targets_of (star, "INBOX");
		g_assert_cmpstr (a, ==, "Sent Items");
		g_assert_cmpstr (b, ==, "Imported/Work/2024");
		g_assert_cmpstr (c, ==, "Imported/INBOX");
	}
}

/* ---- matching -------------------------------------------------------------- */

static void
test_identical (void)
{
	Fixture f = { 0 };
	const Msg m[] = {
		{ "INBOX", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<2@x>", "two", NULL, D1 + 60, 2000, 1, 0, NULL },
		{ "INBOX", NULL, "no id", NULL, D1 + 120, 3000, 0, 0, NULL },
		{ "Sent", "<3@x>", "three", NULL, D1 + 180, 4000, 0, 0, NULL },
	};
	g_autofree char *r = NULL;

	compare (&f, m, G_N_ELEMENTS (m), m, G_N_ELEMENTS (m), NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "");
	g_assert_cmpuint (f.o->totals.arrived, ==, 4);
	g_assert_cmpuint (f.o->totals.moved, ==, 0);
	g_assert_cmpuint (f.o->stats.by_id, ==, 3);
	g_assert_cmpuint (f.o->stats.by_fingerprint, ==, 1);
	g_assert_cmpint (mp_compare_verdict (f.o), ==, MP_COMPARE_COMPLETE);
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_OK);
	fixture_clear (&f);
}

static void
test_missing_predicted_and_unexpected (void)
{
	Fixture f = { 0 };
	const Msg src[] = {
		{ "INBOX", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<2@x>", "big", NULL, D1, 20000000, 0, MP_SEVERITY_ERROR, "too-large" },
		{ "INBOX", "<3@x>", "gone", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<4@x>", "noted", NULL, D1, 1000, 0, MP_SEVERITY_INFO, "header-hygiene" },
		{ "INBOX", "<5@x>", "warned", NULL, D1, 1000, 0, MP_SEVERITY_WARNING, "near-limit" },
	};
	const Msg dst[] = { src[0] };
	g_autofree char *r = NULL;

	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	/* info predicts nothing; warning and error do */
	g_assert_cmpstr (r, ==, "missing:INBOX#2 unexpected:INBOX#3 unexpected:INBOX#4 missing:INBOX#5");
	g_assert_cmpuint (f.o->totals.missing, ==, 2);
	g_assert_cmpuint (f.o->totals.unexpected, ==, 2);
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_MISSING);
	f.o->accept_predicted = TRUE;
	/* unexpected ones are never accepted */
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_MISSING);
	fixture_clear (&f);

	{
		Fixture g = { 0 };
		const Msg only[] = { src[0], src[1], src[4] };
		compare (&g, only, G_N_ELEMENTS (only), dst, G_N_ELEMENTS (dst), NULL);
		g_assert_cmpint (mp_compare_verdict (g.o), ==, MP_COMPARE_PREDICTED);
		g_assert_cmpint (mp_compare_exit_status (g.o), ==, MP_COMPARE_EXIT_MISSING);
		g.o->accept_predicted = TRUE;
		g_assert_cmpint (mp_compare_exit_status (g.o), ==, MP_COMPARE_EXIT_OK);
		fixture_clear (&g);
	}
}

static void
test_moved_and_folder_map (void)
{
	Fixture f = { 0 };
	const Msg src[] = {
		{ "INBOX", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
		{ "Sent", "<2@x>", "sent", NULL, D1, 1000, 0, 0, NULL },
		{ "Work", "<3@x>", "work", NULL, D1, 1000, 0, 0, NULL },
	};
	const Msg dst[] = {
		{ "INBOX", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
		{ "Sent Items", "<2@x>", "sent", NULL, D1, 1000, 0, 0, NULL },
		{ "Work (old)", "<3@x>", "work", NULL, D1, 1000, 0, 0, NULL },
	};
	g_autofree char *r = NULL;
	const MpExpectedFolder *e;

	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst),
	         "[profile]\nname = t\n[folder-map]\nsent = Sent -> Sent Items\n");
	r = rows (&f);
	g_assert_cmpstr (r, ==, "");
	g_assert_cmpuint (f.o->totals.arrived, ==, 3);
	/* Sent -> Sent Items is in place; Work found in "Work (old)" is moved */
	g_assert_cmpuint (f.o->totals.moved, ==, 1);
	e = &g_array_index (f.o->expected, MpExpectedFolder, 1);
	g_assert_cmpstr (e->name, ==, "Sent Items");
	g_assert_true (e->mapped);
	e = &g_array_index (f.o->expected, MpExpectedFolder, 2);
	g_assert_cmpstr (e->name, ==, "Work");
	g_assert_cmpuint (e->folder, ==, MP_NO_FOLDER);
	{
		const MpSourceFolderOutcome *fo = &g_array_index (f.o->folders, MpSourceFolderOutcome, 2);
		g_assert_cmpuint (fo->n_moved_to, ==, 1);
		g_assert_cmpstr (mp_side_folder (f.target, fo->moved_to[0].folder)->name, ==, "Work (old)");
	}
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_OK);
	fixture_clear (&f);
}

static void
test_expected_case_insensitive (void)
{
	Fixture f = { 0 };
	const Msg src[] = { { "inbox", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
	                    { "Trash", "<2@x>", "t", NULL, D1, 1000, 0, 0, NULL } };
	const Msg dst[] = { { "INBOX", "<1@x>", "one", NULL, D1, 1000, 0, 0, NULL },
	                    { "Deleted Items", "<2@x>", "t", NULL, D1, 1000, 0, 0, NULL } };

	/* the profile's map, and the own name as the last candidate when the
	 * mapped one is missing */
	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst),
	         "[profile]\ninherits = exchange-online\n");
	g_assert_cmpstr (g_array_index (f.o->expected, MpExpectedFolder, 0).name, ==, "INBOX");
	g_assert_cmpstr (g_array_index (f.o->expected, MpExpectedFolder, 1).name, ==, "Deleted Items");
	g_assert_cmpuint (f.o->totals.moved, ==, 0);
	fixture_clear (&f);
}

static void
test_changed (void)
{
	Fixture f = { 0 };
	const Msg src[] = {
		{ "INBOX", "<1@x>", "subject kept", NULL, D1, 100000, 2, 0, NULL },
		{ "INBOX", "<2@x>", "Old subject", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<3@x>", "grew", NULL, D1, 100000, 0, 0, NULL },
		{ "INBOX", "<4@x>", "lost attachments", NULL, D1, 100000, 3, 0, NULL },
		{ "INBOX", "<5@x>", "redated", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<6@x>", "resent", "a@x.org", D1, 1000, 0, 0, NULL },
	};
	const Msg dst[] = {
		/* within the tolerance: unchanged */
		{ "INBOX", "<1@x>", "subject  kept", NULL, D1, 108000, 2, 0, NULL },
		{ "INBOX", "<2@x>", "New subject", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<3@x>", "grew", NULL, D1, 108193, 0, 0, NULL },
		{ "INBOX", "<4@x>", "lost attachments", NULL, D1, 100000, 0, 0, NULL },
		{ "INBOX", "<5@x>", "redated", NULL, D1 + 3600, 1000, 0, 0, NULL },
		{ "INBOX", "<6@x>", "resent", "b@x.org", D1, 1000, 0, 0, NULL },
	};
	g_autofree char *r = NULL;

	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "changed:INBOX#2(subject) changed:INBOX#3(size) changed:INBOX#4(attachments) "
	                        "changed:INBOX#5(date) changed:INBOX#6(from)");
	g_assert_cmpuint (f.o->totals.arrived, ==, 6);
	g_assert_cmpuint (f.o->totals.changed, ==, 5);
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_OK);
	f.o->fail_on_changed = TRUE;
	g_assert_cmpint (mp_compare_exit_status (f.o), ==, MP_COMPARE_EXIT_MISSING);
	fixture_clear (&f);
}

static void
test_fingerprint (void)
{
	Fixture f = { 0 };
	const Msg src[] = {
		{ "Drafts", NULL, "draft one", NULL, D1, 1000, 0, 0, NULL },
		{ "Drafts", NULL, "draft two", NULL, D1, 50000, 0, 0, NULL },
		{ "Drafts", NULL, "undated", NULL, 0, 700, 0, 0, NULL },
		{ "Drafts", NULL, "no twin", NULL, D1, 700, 0, 0, NULL },
	};
	const Msg dst[] = {
		/* the target gave the first an id of its own (Exchange does) */
		{ "Drafts", "<generated@target>", "draft one", NULL, D1, 1200, 0, 0, NULL },
		/* beyond the tolerance: not the same message */
		{ "Drafts", NULL, "draft two", NULL, D1, 70000, 0, 0, NULL },
		{ "Drafts", NULL, "undated", NULL, 0, 700, 0, 0, NULL },
		/* same From and Subject, another date: another message */
		{ "Drafts", NULL, "no twin", NULL, D1 + 1, 700, 0, 0, NULL },
	};
	g_autofree char *r = NULL;

	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	/* an id added by the target is no change */
	g_assert_cmpstr (r, ==, "unexpected:Drafts#2 unexpected:Drafts#4 extra:Drafts#2 extra:Drafts#4");
	g_assert_cmpuint (f.o->stats.by_fingerprint, ==, 2);
	fixture_clear (&f);
}

static void
test_different_ids_never_pair (void)
{
	Fixture f = { 0 };
	const Msg src[] = { { "INBOX", "<a@x>", "same", NULL, D1, 1000, 0, 0, NULL } };
	const Msg dst[] = { { "INBOX", "<b@x>", "same", NULL, D1, 1000, 0, 0, NULL } };
	g_autofree char *r = NULL;

	compare (&f, src, 1, dst, 1, NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "unexpected:INBOX#1 extra:INBOX#1");
	fixture_clear (&f);
}

static void
test_duplicates (void)
{
	Fixture f = { 0 };
	/* one message filed twice (INBOX and Archive), and a broken mailer's
	 * id on two different messages */
	const Msg src[] = {
		{ "Archive", "<dup@x>", "filed twice", NULL, D1, 1000, 0, 0, NULL },
		{ "Archive", "<reused@x>", "first", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<dup@x>", "filed twice", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<reused@x>", "second", NULL, D1 + 60, 1000, 0, 0, NULL },
		{ "INBOX", "<reused@x>", "third", NULL, D1 + 120, 1000, 0, 0, NULL },
	};
	const Msg dst[] = {
		{ "Archive", "<dup@x>", "filed twice", NULL, D1, 1000, 0, 0, NULL },
		{ "Archive", "<reused@x>", "first", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<dup@x>", "filed twice", NULL, D1, 1000, 0, 0, NULL },
		{ "INBOX", "<reused@x>", "third", NULL, D1 + 120, 1000, 0, 0, NULL },
		/* the importer dropped "second" (same id as others) */
	};
	g_autofree char *r = NULL;

	compare (&f, src, G_N_ELEMENTS (src), dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	/* each copy in its own folder (not moved); the reused id pairs by
	 * fingerprint, so the one dropped is the one reported */
	g_assert_cmpstr (r, ==, "unexpected:INBOX#2");
	g_assert_cmpuint (f.o->totals.moved, ==, 0);
	fixture_clear (&f);
}

static void
test_copies_on_target (void)
{
	Fixture f = { 0 };
	const Msg src[] = { { "Work", "<1@x>", "labelled", NULL, D1, 1000, 0, 0, NULL } };
	const Msg dst[] = {
		{ "INBOX", "<1@x>", "labelled", NULL, D1, 1000, 0, 0, NULL },
		{ "Work", "<1@x>", "labelled", NULL, D1, 1000, 0, 0, NULL },
		{ "Work", "<new@x>", "arrived after the move", NULL, D1 + 86400, 1000, 0, 0, NULL },
	};
	g_autofree char *r = NULL;

	compare (&f, src, 1, dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	/* the copy in the expected folder is the match; the other is a copy */
	g_assert_cmpstr (r, ==, "extra:INBOX#1(copy) extra:Work#2");
	g_assert_cmpuint (f.o->totals.moved, ==, 0);
	g_assert_cmpuint (f.o->target_totals.extra, ==, 2);
	g_assert_cmpuint (f.o->target_totals.copies, ==, 1);
	fixture_clear (&f);
}

static void
test_texts_decide (void)
{
	Fixture f = { 0 };
	const Msg src[] = { { "INBOX", "<a@x>", "one", NULL, D1, 1000, 0, 0, NULL },
	                    { "INBOX", NULL, "two", "a@x.org", D1, 1000, 0, 0, NULL } };
	const Msg dst[] = { { "INBOX", "<b@x>", "one", NULL, D1, 1000, 0, 0, NULL },
	                    { "INBOX", NULL, "not two", "b@x.org", D1, 1000, 0, 0, NULL } };
	g_autofree char *r = NULL;

	f.source = side_from ("source", src, G_N_ELEMENTS (src));
	f.target = side_from ("target", dst, G_N_ELEMENTS (dst));
	/* what a collision of the 64-bit hashes would look like: equal hashes,
	 * different texts; nothing must pair */
	mp_side_key (f.target, 0)->id = mp_side_key (f.source, 0)->id;
	mp_side_key (f.target, 1)->from = mp_side_key (f.source, 1)->from;
	mp_side_key (f.target, 1)->subject = mp_side_key (f.source, 1)->subject;
	compare (&f, NULL, 0, NULL, 0, NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "unexpected:INBOX#1 unexpected:INBOX#2 extra:INBOX#1 extra:INBOX#2");
	fixture_clear (&f);
}

static void
test_folder_rules_predict (void)
{
	Fixture f = { 0 };
	const Msg src[] = { { "Archive", "<1@x>", "in a reserved folder", NULL, D1, 1000, 0, 0, NULL },
	                    { "INBOX", "<2@x>", "kept", NULL, D1, 1000, 0, 0, NULL } };
	const Msg dst[] = { { "INBOX", "<2@x>", "kept", NULL, D1, 1000, 0, 0, NULL } };
	MpFinding *fi = mp_finding_new ();
	MpFolder folder = { (char *) "Archive", NULL };
	g_autofree char *r = NULL;

	f.source = side_from ("source", src, G_N_ELEMENTS (src));
	/* the audit reports a folder finding through the sink's finding() */
	fi->rule = g_strdup ("folder-names");
	fi->check = g_strdup ("folder-name");
	fi->severity = MP_SEVERITY_ERROR;
	fi->detail = g_strdup ("folder Archive: 'Archive' is a reserved name");
	mp_side_sink ()->finding (f.source, "source", &folder, fi);
	mp_finding_free (fi);
	compare (&f, NULL, 0, dst, G_N_ELEMENTS (dst), NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "missing:Archive#1");
	{
		g_autoptr(GString) why = g_string_new (NULL);
		g_autoptr(GError) error = NULL;
		g_assert_true (mp_compare_outcome_rows (f.o, MP_ROW_MISSING, collect_rules, why, &error));
		g_assert_cmpstr (why->str, ==, "folder-names");
	}
	fixture_clear (&f);
}

static void
test_message_count_cut (void)
{
	Fixture f = { 0 };
	Msg src[10];
	Msg dst[10];
	g_autofree char *r = NULL;

	/* the service migrates the newest 7 of 10 (max = 7); it also lost a
	 * new one, which nothing predicted */
	for (int i = 0; i < 10; i++) {
		g_autofree char *id = g_strdup_printf ("<%d@x>", i);
		src[i] = (Msg) { "INBOX", g_intern_string (id), "m", NULL, D1 + i * 86400, 1000, 0, 0, NULL };
	}
	for (int i = 0; i < 6; i++)
		dst[i] = src[4 + i];
	dst[5] = src[3];
	compare (&f, src, 10, dst, 6, "[profile]\nname = t\n[rule cap]\ncheck = mailbox-message-count\nmax = 7\n");
	/* no audit ran here: the cut is the outcome's own reading of the rule */
	r = rows (&f);
	g_assert_cmpstr (r, ==, "missing:INBOX#1 missing:INBOX#2 missing:INBOX#3 unexpected:INBOX#10");
	fixture_clear (&f);
}

static void
test_hostile_group (void)
{
	Fixture f = { 0 };
	enum { N = 400 };
	g_autofree Msg *src = g_new0 (Msg, N);
	g_autofree Msg *dst = g_new0 (Msg, N);

	/* 400 x 400 messages with one id: bounded work, every one paired */
	for (int i = 0; i < N; i++) {
		src[i] = (Msg) { "INBOX", "<same@x>", "s", NULL, D1, 1000, 0, 0, NULL };
		dst[i] = src[i];
	}
	compare (&f, src, N, dst, N, NULL);
	g_assert_cmpuint (f.o->totals.arrived, ==, N);
	g_assert_cmpuint (f.o->target_totals.extra, ==, 0);
	fixture_clear (&f);
	memset (&f, 0, sizeof f);

	/* the same without ids (one fingerprint): paired in order; and none of
	 * them when every size is beyond the tolerance */
	for (int i = 0; i < N; i++) {
		src[i].id = NULL;
		dst[i] = src[i];
	}
	compare (&f, src, N, dst, N, NULL);
	g_assert_cmpuint (f.o->totals.arrived, ==, N);
	fixture_clear (&f);
	memset (&f, 0, sizeof f);
	for (int i = 0; i < N; i++)
		dst[i].size = 1000000;
	compare (&f, src, N, dst, N, NULL);
	g_assert_cmpuint (f.o->totals.arrived, ==, 0);
	g_assert_cmpuint (f.o->target_totals.extra, ==, N);
	fixture_clear (&f);
}

static void
test_empty_sides (void)
{
	Fixture f = { 0 };
	g_autofree char *r = NULL;

	f.source = side_from ("source", NULL, 0);
	f.target = side_from ("target", NULL, 0);
	add_folder (f.target, "INBOX");
	compare (&f, NULL, 0, NULL, 0, NULL);
	r = rows (&f);
	g_assert_cmpstr (r, ==, "");
	g_assert_cmpint (mp_compare_verdict (f.o), ==, MP_COMPARE_COMPLETE);
	fixture_clear (&f);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/compare/normalize", test_normalize);
	g_test_add_func ("/compare/tolerance", test_tolerance);
	g_test_add_func ("/compare/record-file", test_record_file);
	g_test_add_func ("/compare/folder-map/entries", test_folder_map_entries);
	g_test_add_func ("/compare/folder-map/targets", test_folder_map_targets);
	g_test_add_func ("/compare/match/identical", test_identical);
	g_test_add_func ("/compare/match/missing", test_missing_predicted_and_unexpected);
	g_test_add_func ("/compare/match/moved-and-map", test_moved_and_folder_map);
	g_test_add_func ("/compare/match/expected-case", test_expected_case_insensitive);
	g_test_add_func ("/compare/match/changed", test_changed);
	g_test_add_func ("/compare/match/fingerprint", test_fingerprint);
	g_test_add_func ("/compare/match/different-ids", test_different_ids_never_pair);
	g_test_add_func ("/compare/match/duplicates", test_duplicates);
	g_test_add_func ("/compare/match/copies", test_copies_on_target);
	g_test_add_func ("/compare/match/texts-decide", test_texts_decide);
	g_test_add_func ("/compare/match/folder-rules", test_folder_rules_predict);
	g_test_add_func ("/compare/match/message-count-cut", test_message_count_cut);
	g_test_add_func ("/compare/match/hostile-group", test_hostile_group);
	g_test_add_func ("/compare/match/empty", test_empty_sides);
	return g_test_run ();
}
