/* plain-field.h — the plain subset of Content-Type and Content-Disposition
 * values, read without GMime objects.
 *
 * Why it exists: GMime 3.2.13 parses such a value into three or more
 * GObjects (the type or disposition, its GMimeParamList, a GMimeParam per
 * parameter, plus the default list the type starts with), and on GLib 2.74
 * creating and disposing them costs more than the rest of the light walker
 * together (a global signal lock and slice allocator per object, contended
 * between worker threads). Most values are as plain as
 *     multipart/mixed; boundary="=_b1"        attachment; filename="a.pdf"
 *
 * What it accepts is a grammar on which GMime's parser (gmime-content-type.c
 * _g_mime_content_type_parse, gmime-disposition.c
 * _g_mime_content_disposition_parse, gmime-param.c decode_param_list, in
 * loose parameter mode, the default) has exactly one reading and no
 * warning; anything else is declined and the caller asks GMime:
 *
 *   value  = *SP head *SP [ ";" *SP [ param *SP *( ";" *SP param *SP ) [ ";" *SP ] ] ]
 *   head   = token "/" token          (Content-Type)
 *          | token                    (Content-Disposition)
 *   param  = token *SP "=" *SP ( token | quoted )
 *   quoted = DQUOTE *( %x20-21 / %x23-5B / %x5D-7E ) DQUOTE
 *   SP     = space or tab; token = RFC 2045 token characters
 *
 * and no two parameters with the same name (GMime warns about those), no
 * "*" (RFC 2231) and no "=?" (RFC 2047 in a value) anywhere. Case is kept,
 * as GMime keeps it. The input is a decoded, unfolded value (7-bit, no CR
 * or LF), as the light walker hands it to GMime.
 *
 * tests/fuzz/fuzz-plain-field.c checks every accepted input against GMime's
 * own parse, parameter by parameter. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 2045 token characters: GMime's is_ttoken() on 7-bit input (no
 * control, space, 8-bit octet or tspecial "()<>@,;:\\\"/[]?="), one bit per
 * octet value (test-plain-field checks all 256 against that definition). */
static inline gboolean
mp_token_char (guchar c)
{
	static const guint64 low = 0x03ff6cfa00000000ULL, high = 0x7fffffffc7fffffeULL;

	return c < 64 ? (low >> c) & 1 : c < 128 ? (high >> (c - 64)) & 1 : FALSE;
}

/* More parameters than this: declined (GMime reads them). */
#define MP_PLAIN_MAX_PARAMS 8

typedef struct {
	const char *name;
	const char *value;
} MpPlainParam;

typedef struct {
	const char  *type;        /* Content-Type: media type; Content-Disposition: the disposition */
	const char  *subtype;     /* Content-Type only, else NULL */
	MpPlainParam params[MP_PLAIN_MAX_PARAMS];
	guint        n_params;
} MpPlainField;

/* Reads VALUE, a NUL-terminated string that it may change (it ends the
 * strings OUT points to with NULs in place). Returns FALSE when VALUE is not
 * plain; VALUE may then be changed and OUT is unspecified. IS_TYPE chooses
 * Content-Type (TRUE) or Content-Disposition (FALSE). */
gboolean    mp_plain_field_parse (char *value, gboolean is_type, MpPlainField *out);

/* What g_mime_param_list_get_parameter() would return: the value of the
 * first parameter named NAME (ASCII case-insensitive), or NULL. */
const char *mp_plain_field_param (const MpPlainField *f, const char *name);

G_END_DECLS
