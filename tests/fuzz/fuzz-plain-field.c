/* fuzz-plain-field.c — the plain Content-Type / Content-Disposition reader
 * (analyzer/mime/plain-field.c) against GMime's own parsers, differentially.
 *
 * The input, cut at its first NUL (header values are C strings), is read as
 * a Content-Type and as a Content-Disposition. Whenever mp_plain_field_parse
 * accepts it, GMime must read the same (abort() otherwise):
 *  - g_mime_content_type_parse / g_mime_content_disposition_parse, with the
 *    same parser options as the light walker, give no warning;
 *  - the media type and subtype (or the disposition) are the same strings;
 *  - the parameters are the same names and values, in the same order;
 *  - mp_plain_field_param answers as g_mime_param_list_get_parameter for
 *    every parameter name, upper-cased, and for one that is absent.
 * Declining is always allowed (GMime then reads the value), so the target
 * also counts nothing: it only proves that an accept is never wrong. */
#include "fuzz-common.h"
#include "plain-field.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

static gboolean warned;

static void
on_warning (gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user_data)
{
	(void) offset;
	(void) code;
	(void) item;
	(void) user_data;
	warned = TRUE;
}

static void
fail (const char *what, const char *input, gboolean is_type)
{
	fprintf (stderr, "fuzz-plain-field: %s (read as a %s)\n  input: ", what,
	         is_type ? "Content-Type" : "Content-Disposition");
	for (const char *p = input; *p; p++)
		fprintf (stderr, "%02x", (unsigned char) *p);
	fprintf (stderr, "\n  text:  %s\n", input);
	abort ();
}

static gboolean
same (const char *a, const char *b)
{
	return g_strcmp0 (a, b) == 0;
}

static void
check (GMimeParserOptions *options, const char *input, gboolean is_type)
{
	g_autofree char *copy = g_strdup (input);
	g_autoptr(GObject) obj = NULL;
	GMimeParamList *list;
	MpPlainField f;

	if (!mp_plain_field_parse (copy, is_type, &f))
		return;
	warned = FALSE;
	if (is_type) {
		GMimeContentType *ct = g_mime_content_type_parse (options, input);
		obj = G_OBJECT (ct);
		if (!same (f.type, g_mime_content_type_get_media_type (ct)) ||
		    !same (f.subtype, g_mime_content_type_get_media_subtype (ct)))
			fail ("type or subtype differ from GMime's", input, is_type);
		list = g_mime_content_type_get_parameters (ct);
	} else {
		GMimeContentDisposition *d = g_mime_content_disposition_parse (options, input);
		obj = G_OBJECT (d);
		if (f.subtype != NULL || !same (f.type, g_mime_content_disposition_get_disposition (d)))
			fail ("disposition differs from GMime's", input, is_type);
		list = g_mime_content_disposition_get_parameters (d);
	}
	if (warned)
		fail ("accepted, but GMime warns", input, is_type);
	if ((guint) g_mime_param_list_length (list) != f.n_params)
		fail ("parameter count differs from GMime's", input, is_type);
	for (guint i = 0; i < f.n_params; i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at (list, (int) i);
		g_autofree char *upper = g_ascii_strup (f.params[i].name, -1);
		GMimeParam *q = g_mime_param_list_get_parameter (list, upper);

		if (!same (f.params[i].name, g_mime_param_get_name (p)) ||
		    !same (f.params[i].value, g_mime_param_get_value (p)))
			fail ("a parameter differs from GMime's", input, is_type);
		if (q == NULL || !same (mp_plain_field_param (&f, upper), g_mime_param_get_value (q)))
			fail ("a lookup differs from GMime's", input, is_type);
	}
	if (mp_plain_field_param (&f, "x-absent-param") != NULL ||
	    g_mime_param_list_get_parameter (list, "x-absent-param") != NULL)
		fail ("an absent parameter is found", input, is_type);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	static GMimeParserOptions *options;
	g_autofree char *input = g_strndup ((const char *) data, size);

	if (options == NULL) {
		g_mime_init ();
		/* the light walker's options: GMime's defaults plus a callback */
		options = g_mime_parser_options_new ();
		g_mime_parser_options_set_warning_callback (options, on_warning, NULL);
	}
	check (options, input, TRUE);
	check (options, input, FALSE);
	return 0;
}
