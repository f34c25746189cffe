/* fuzz-sieve.c — Sieve scripts (analyzer/accounts/sieve-lexer.c and
 * sieve-script.c).
 *
 * The input is a script. Checked, abort() on violation:
 *  - at most MP_FORWARD_MAX_TARGETS targets; error set exactly when
 *    error_line is;
 *  - every target's token lies in the input and is a string: a quoted one
 *    whose unescaped value, cut at a NUL and trimmed, is the address
 *    (a reference decoder here, RFC 5228 §2.4.2), or a multi-line one that
 *    holds the address;
 *  - the same octets inside a bracket comment, a hash comment or a quoted
 *    string are never a redirect, and parse without error: a "redirect" in
 *    a comment or a string must not count. */
#include "fuzz-common.h"
#include "sieve-script.h"

#include <stdint.h>
#include <string.h>

static void
fail (const char *what)
{
	fprintf (stderr, "fuzz-sieve: %s\n", what);
	abort ();
}

/* The reference: a quoted string's value, cut at NUL, blanks trimmed. */
static char *
quoted_value (const uint8_t *tok, size_t n)
{
	GString *v = g_string_new (NULL);
	for (size_t i = 1; i + 1 < n; i++) {
		if (tok[i] == '\\')
			i++;
		if (tok[i] == '\0')
			break;
		g_string_append_c (v, (char) tok[i]);
	}
	return g_strstrip (g_string_free (v, FALSE));
}

static void
check_clean (const GString *s, guint commands, const char *what)
{
	g_autoptr(MpSieveScript) c = mp_sieve_script_parse (s->str, s->len);
	if (c->targets->len != 0 || c->error != NULL || c->n_commands != commands) {
		fprintf (stderr, "fuzz-sieve: %s: %u targets, %u commands, error %s\n", what, c->targets->len,
		         c->n_commands, c->error ? c->error : "none");
		abort ();
	}
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpSieveScript) s = mp_sieve_script_parse ((const char *) data, size);

	if (s->targets->len > MP_FORWARD_MAX_TARGETS || s->includes->len > MP_FORWARD_MAX_TARGETS)
		fail ("too many targets or includes");
	if ((s->error != NULL) != (s->error_line != 0))
		fail ("error and error_line disagree");
	for (guint i = 0; i < s->targets->len; i++) {
		const MpForwardTarget *t = s->targets->pdata[i];
		if (t->offset > size || t->length > size - t->offset || t->length < 2)
			fail ("a target's token outside the input");
		const uint8_t *tok = data + t->offset;
		if (tok[0] == '"') {
			g_autofree char *want = quoted_value (tok, t->length);
			if (strcmp (want, t->address) != 0)
				fail ("a quoted target is not its string's value");
		} else if (t->length >= 5 && g_ascii_strncasecmp ((const char *) tok, "text:", 5) == 0) {
			if (*t->address == '\0' ||
			    memmem (tok, t->length, t->address, strlen (t->address)) == NULL)
				fail ("a multi-line target is not in its string");
		} else {
			fail ("a target's token is no string");
		}
	}

	/* in a bracket comment ('/' dropped, so nothing closes it early) */
	GString *w = g_string_new ("/*");
	for (size_t i = 0; i < size; i++)
		g_string_append_c (w, data[i] == '/' ? ' ' : (char) data[i]);
	g_string_append (w, "*/");
	check_clean (w, 0, "inside a bracket comment");
	/* in a hash comment (line ends dropped) */
	g_string_assign (w, "#");
	for (size_t i = 0; i < size; i++)
		g_string_append_c (w, data[i] == '\n' || data[i] == '\r' ? ' ' : (char) data[i]);
	check_clean (w, 0, "inside a hash comment");
	/* in a quoted string (quotes and backslashes escaped) */
	g_string_assign (w, "fileinto \"");
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '"' || data[i] == '\\')
			g_string_append_c (w, '\\');
		g_string_append_c (w, (char) data[i]);
	}
	g_string_append (w, "\";");
	check_clean (w, 1, "inside a string");
	g_string_free (w, TRUE);
	return 0;
}
