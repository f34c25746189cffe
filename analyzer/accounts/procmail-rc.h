/* procmail-rc.h — procmail recipes (procmailrc(5)), read for one thing:
 * the recipes whose action forwards mail ("! address..."). A .forward that
 * pipes to procmail forwards only when such a recipe exists
 * (DEFINITIONS.md, "Forwarded"; forward-file.h says which rc file).
 *
 * What it reads, line by line (a line ending in '\' continues on the next):
 *   # comment                  ignored
 *   NAME=value                 an assignment; INCLUDERC= and SWITCHRC= name
 *                              another rc file (kept in includes, not read);
 *                              a quoted value may span lines
 *   :0[flags][:[lockfile]]     a recipe: its flags ('c': a copy, the mail is
 *                              also delivered here), then
 *   * condition                zero or more conditions: regular expressions,
 *                              never read for actions ("* !^From: bob" is a
 *                              negated condition, not a forward)
 *   action                     exactly one: "! addresses" forwards, "| cmd"
 *                              pipes, "{" opens a nested block closed by a
 *                              "}" line, anything else is a mailbox
 * A '!' line outside a recipe, a '#' comment or a word in a condition is
 * never a forward. Old-style recipes ":N" take their next N lines as
 * conditions, with or without '*'.
 *
 * See forwarding.h for ownership. */
#pragma once

#include "forwarding.h"

G_BEGIN_DECLS

typedef struct {
	GPtrArray *targets;     /* MpForwardTarget*: each address of each '!'
	                         * action, in file order; conditional when its
	                         * recipe has conditions or sits in a block */
	GPtrArray *includes;    /* char*: INCLUDERC and SWITCHRC values, as
	                         * written: rc files that may forward too */
	guint      n_recipes;
	guint      n_errors;    /* lines that are no part of the grammar, an
	                         * unbalanced brace, a recipe without action */
	char      *first_error; /* "line N: what", or NULL */
	gboolean   truncated;   /* MP_FORWARD_MAX_TARGETS reached */
} MpProcmailRc;

/* Parses the LEN octets of DATA (an rc file; a NUL octet ends its line's
 * text). Never fails: what is not understood is counted in n_errors. */
MpProcmailRc *mp_procmail_rc_parse (const char *data, gsize len);
void          mp_procmail_rc_free  (MpProcmailRc *rc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpProcmailRc, mp_procmail_rc_free)

G_END_DECLS
