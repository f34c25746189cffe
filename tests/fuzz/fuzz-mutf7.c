/* fuzz-mutf7.c — IMAP's modified UTF-7 folder names (analyzer/imap/mutf7.c)
 * and what issue 14 asks of them (item 9): a decoded name never holds a
 * control character (C0, DEL, C1: U+0000 would cut it, ESC would reach a
 * terminal), and the encoder and decoder agree.
 *
 * The input, cut at its first NUL (names are C strings), is decoded: when
 * it decodes, the result is valid UTF-8 without controls, and encoding it
 * and decoding again gives it back. The input made valid UTF-8 is encoded:
 * the result is 7-bit printable, and decodes back to the input exactly when
 * the input holds no control character (else it does not decode). abort()
 * on any difference. */
#include "fuzz-common.h"
#include "mutf7.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
has_control (const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char (p)) {
		gunichar u = g_utf8_get_char (p);
		if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
			return TRUE;
	}
	return FALSE;
}

static void
check (gboolean ok, const char *what, const char *input)
{
	if (ok)
		return;
	fprintf (stderr, "fuzz-mutf7: %s\n  input: ", what);
	for (const char *p = input; *p; p++)
		fprintf (stderr, "%02x", (unsigned char) *p);
	fputc ('\n', stderr);
	abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autofree char *name = g_strndup ((const char *) data, size);
	g_autofree char *decoded = mp_mutf7_decode (name);
	g_autofree char *valid = g_utf8_make_valid (name, -1);
	g_autofree char *encoded = mp_mutf7_encode (valid);
	g_autofree char *back = mp_mutf7_decode (encoded);

	if (decoded != NULL) {
		g_autofree char *again = mp_mutf7_encode (decoded);
		g_autofree char *round = mp_mutf7_decode (again);
		check (g_utf8_validate (decoded, -1, NULL), "decoded name is not valid UTF-8", name);
		check (!has_control (decoded), "decoded name holds a control character", name);
		check (g_strcmp0 (round, decoded) == 0, "encode then decode changes a decoded name", name);
	}
	for (const char *p = encoded; *p; p++)
		check (*p >= 0x20 && *p < 0x7f, "encoded name is not printable 7-bit", name);
	if (has_control (valid))
		check (back == NULL, "a name with a control character decodes", name);
	else
		check (g_strcmp0 (back, valid) == 0, "encode then decode changes a name", name);
	return 0;
}
