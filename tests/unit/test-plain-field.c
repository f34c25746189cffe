/* test-plain-field.c — the plain Content-Type / Content-Disposition reader
 * (analyzer/mime/plain-field.c): what it accepts, what it declines, and, on
 * 200,000 generated values, that every accept is what GMime reads. */
#include "plain-field.h"

#include <gmime/gmime.h>
#include <string.h>

static gboolean warned;

static void
on_warning (gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user_data)
{
	warned = TRUE;
}

static GMimeParserOptions *
options (void)
{
	static GMimeParserOptions *o;

	if (o == NULL) {
		o = g_mime_parser_options_new ();
		g_mime_parser_options_set_warning_callback (o, on_warning, NULL);
	}
	return o;
}

/* Parses V; returns the parse as "type|subtype|name=value|..." or NULL. */
static char *
plain (const char *v, gboolean is_type)
{
	g_autofree char *copy = g_strdup (v);
	MpPlainField f;
	GString *s;

	if (!mp_plain_field_parse (copy, is_type, &f))
		return NULL;
	s = g_string_new (f.type);
	g_string_append_printf (s, "|%s", f.subtype ? f.subtype : "-");
	for (guint i = 0; i < f.n_params; i++)
		g_string_append_printf (s, "|%s=%s", f.params[i].name, f.params[i].value);
	return g_string_free (s, FALSE);
}

/* GMime's parse of V in the same form, and whether it warned. */
static char *
gmime (const char *v, gboolean is_type, gboolean *did_warn)
{
	g_autoptr(GObject) obj = NULL;
	GMimeParamList *list;
	GString *s;

	warned = FALSE;
	if (is_type) {
		GMimeContentType *ct = g_mime_content_type_parse (options (), v);
		obj = G_OBJECT (ct);
		s = g_string_new (g_mime_content_type_get_media_type (ct));
		g_string_append_printf (s, "|%s", g_mime_content_type_get_media_subtype (ct));
		list = g_mime_content_type_get_parameters (ct);
	} else {
		GMimeContentDisposition *d = g_mime_content_disposition_parse (options (), v);
		obj = G_OBJECT (d);
		s = g_string_new (g_mime_content_disposition_get_disposition (d));
		g_string_append (s, "|-");
		list = g_mime_content_disposition_get_parameters (d);
	}
	for (int i = 0; i < g_mime_param_list_length (list); i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at (list, i);
		g_string_append_printf (s, "|%s=%s", g_mime_param_get_name (p), g_mime_param_get_value (p));
	}
	*did_warn = warned;
	return g_string_free (s, FALSE);
}

typedef struct {
	const char *value;
	gboolean    is_type;
	const char *expect; /* NULL: declined */
} Case;

static void
test_cases (void)
{
	static const Case cases[] = {
		{ "text/plain", TRUE, "text|plain" },
		{ "  text/plain  ", TRUE, "text|plain" },
		{ "Text/HTML; CharSet=ISO-8859-1", TRUE, "Text|HTML|CharSet=ISO-8859-1" },
		{ "text/plain; charset=\"us-ascii\"; format=flowed", TRUE,
		  "text|plain|charset=us-ascii|format=flowed" },
		{ "multipart/mixed;boundary=\"=_NextPart_000_0012\"", TRUE,
		  "multipart|mixed|boundary==_NextPart_000_0012" },
		{ "application/pdf; name=\"Report (final); v2.pdf\"", TRUE,
		  "application|pdf|name=Report (final); v2.pdf" },
		{ "text/plain;", TRUE, "text|plain" },
		{ "text/plain; charset=utf-8 ;\t", TRUE, "text|plain|charset=utf-8" },
		{ "text/plain; name=\"\"", TRUE, "text|plain|name=" },
		{ "attachment; filename=\"a.pdf\"", FALSE, "attachment|-|filename=a.pdf" },
		{ " inline ", FALSE, "inline|-" },
		{ "attachment ; filename = image001.png ; size=12", FALSE,
		  "attachment|-|filename=image001.png|size=12" },
		/* declined: GMime reads these differently, warns, or decodes */
		{ "text", TRUE, NULL },
		{ "text/plain junk", TRUE, NULL },
		{ "text/plain (comment)", TRUE, NULL },
		{ "text /plain", TRUE, NULL },
		{ "text/plain; charset=x; CHARSET=y", TRUE, NULL },
		{ "text/plain; name*=utf-8''a%20b", TRUE, NULL },
		{ "text/plain; name=\"=?utf-8?q?a?=\"", TRUE, NULL },
		{ "text/plain; name=\"a\\\"b\"", TRUE, NULL },
		{ "text/plain; name=\"open", TRUE, NULL },
		{ "text/plain; name=\"a\"b", TRUE, NULL },
		{ "text/plain; name=a b", TRUE, NULL },
		{ "text/plain; ;name=a", TRUE, NULL },
		{ "text/plain; name", TRUE, NULL },
		{ "text/plain; name=", TRUE, NULL },
		{ "text/plain; name=caf\xc3\xa9", TRUE, NULL },
		{ "attachment; filename=a b.txt", FALSE, NULL },
		{ "at tachment", FALSE, NULL },
		{ "", FALSE, NULL },
		{ "a/b; p1=1; p2=2; p3=3; p4=4; p5=5; p6=6; p7=7; p8=8; p9=9", TRUE, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		const Case *c = &cases[i];
		g_autofree char *got = plain (c->value, c->is_type);

		g_test_message ("case %zu: \"%s\"", i, c->value);
		g_assert_cmpstr (got, ==, c->expect);
		if (got != NULL) {
			gboolean w;
			g_autofree char *ref = gmime (c->value, c->is_type, &w);
			g_assert_false (w);
			g_assert_cmpstr (got, ==, ref);
		}
	}
}

/* The bit table against the definition it encodes. */
static void
test_token_char (void)
{
	for (guint c = 0; c < 256; c++) {
		gboolean want = c > 0x20 && c < 0x7f && strchr ("()<>@,;:\\\"/[]?=", (int) c) == NULL;
		g_assert_cmpint (mp_token_char ((guchar) c), ==, want);
	}
}

static void
test_lookup (void)
{
	char v[] = "text/plain; Charset=utf-8; NAME=\"a.txt\"";
	MpPlainField f;

	g_assert_true (mp_plain_field_parse (v, TRUE, &f));
	g_assert_cmpstr (mp_plain_field_param (&f, "charset"), ==, "utf-8");
	g_assert_cmpstr (mp_plain_field_param (&f, "name"), ==, "a.txt");
	g_assert_null (mp_plain_field_param (&f, "filename"));
}

/* Values built from a grammar near the reader's (separators, names and
 * values drawn from sets that include its edges), a third of them then
 * mutated by one octet. Every one the reader accepts must be GMime's
 * reading, and the reader must accept a good share (else the check proves
 * little). */
static const char *
pick (GRand *rand, const char *const *set, gsize n)
{
	return set[g_rand_int_range (rand, 0, (gint32) n)];
}
#define PICK(set) pick (rand, set, G_N_ELEMENTS (set))

static void
test_generated (void)
{
	static const char *const types[] = { "text/plain", "multipart/mixed", "Application/PDF", "text /plain",
	                                     "text/ plain", "image/x-icon", "a/b", "text" };
	static const char *const disps[] = { "attachment", "inline", "Attachment", "form-data", "x y", "" };
	static const char *const seps[] = { ";", "; ", " ;", " ; ", ";\t", ";;", ",", "", " " };
	static const char *const names[] = { "name", "NAME", "filename", "charset", "boundary", "x-a.b_c",
	                                     "name*", "na me", "", "(c)name" };
	static const char *const eqs[] = { "=", " = ", "=\t", "==", "" };
	static const char *const values[] = { "utf-8", "a.pdf", "\"a b.pdf\"", "\"\"", "\"a;b\"", "\"(x)\"",
	                                      "\"a\\\"b\"", "\"=?utf-8?q?x?=\"", "\"open", "a b", "a\"b",
	                                      "=_b1", "\"=_b1\"", "x*", "\"a\"b", "" };
	static const char alphabet[] = " \t;=\"\\()/*?,:@x\x01\x7f\xe9";
	GRand *rand = g_rand_new_with_seed (20261126);
	guint accepted = 0, n = 200000;

	for (guint i = 0; i < n; i++) {
		GString *v = g_string_new (NULL);
		gboolean is_type = g_rand_boolean (rand);
		guint params = (guint) g_rand_int_range (rand, 0, 5);

		if (g_rand_boolean (rand))
			g_string_append (v, " ");
		g_string_append (v, is_type ? PICK (types) : PICK (disps));
		for (guint k = 0; k < params; k++) {
			g_string_append (v, PICK (seps));
			g_string_append (v, PICK (names));
			g_string_append (v, PICK (eqs));
			g_string_append (v, PICK (values));
		}
		if (g_rand_int_range (rand, 0, 4) == 0)
			g_string_append (v, PICK (seps));
		if (g_rand_int_range (rand, 0, 3) == 0 && v->len > 0) {
			guint at = (guint) g_rand_int_range (rand, 0, (gint32) v->len);
			char c = alphabet[g_rand_int_range (rand, 0, (gint32) sizeof alphabet - 1)];
			switch (g_rand_int_range (rand, 0, 3)) {
			case 0: g_string_insert_c (v, at, c); break;
			case 1: g_string_erase (v, at, 1); break;
			default: v->str[at] = c; break;
			}
		}
		{
			g_autofree char *got = plain (v->str, is_type);
			if (got != NULL) {
				gboolean w;
				g_autofree char *ref = gmime (v->str, is_type, &w);
				if (w || strcmp (got, ref) != 0)
					g_error ("\"%s\" (%s): plain \"%s\", GMime \"%s\"%s", v->str,
					         is_type ? "type" : "disposition", got, ref, w ? " with a warning" : "");
				accepted++;
			}
		}
		g_string_free (v, TRUE);
	}
	g_rand_free (rand);
	g_test_message ("%u of %u generated values accepted, all as GMime reads them", accepted, n);
	g_assert_cmpuint (accepted, >, n / 10);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_mime_init ();
	g_test_add_func ("/plain-field/cases", test_cases);
	g_test_add_func ("/plain-field/token-char", test_token_char);
	g_test_add_func ("/plain-field/lookup", test_lookup);
	g_test_add_func ("/plain-field/generated", test_generated);
	return g_test_run ();
}
