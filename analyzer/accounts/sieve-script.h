/* sieve-script.h — a Sieve script (RFC 5228), read for where it sends
 * mail: every `redirect` command (§4.2), with its address, anywhere in the
 * script: at the top or in if/elsif/else blocks, with or without :copy
 * (RFC 3894: the mail is kept too, and still forwarded). Tokens come from
 * sieve-lexer.h, so a "redirect" inside a comment or a string is no
 * command; `vacation` (RFC 5230) and `notify` (RFC 5435) answer or notify,
 * they do not forward. Commands are parsed with the grammar of RFC 5228
 * §8.2 (commands, arguments, string lists, tests and test lists, blocks),
 * which every extension keeps, so a script the server accepts parses here.
 *
 * Every redirect written counts, reachable or not (a redirect after `stop`
 * or under `if false` still counts: the script is not run). `include`
 * commands (RFC 6609) name other scripts that may redirect too.
 *
 * A syntax error stops the parse: error says where. The server refuses to
 * run a script it cannot compile (Pigeonhole then keeps the mail), so a
 * script with an error forwards nothing; the targets found before it are
 * kept for the report, and callers should call such forwarding unknown.
 *
 * See forwarding.h for ownership. */
#pragma once

#include "forwarding.h"

G_BEGIN_DECLS

/* Blocks and tests nest at most this deep (Pigeonhole's own limit,
 * sieve_max_block_nesting, defaults to 32). */
#define MP_SIEVE_MAX_DEPTH 64

typedef struct {
	char    *name;   /* the script's name, unescaped */
	gboolean global; /* :global (the admin's scripts), else :personal */
	guint    line;
} MpSieveInclude;

typedef struct {
	GPtrArray *targets;    /* MpForwardTarget*: the address of each redirect,
	                        * in script order; offset/length locate the
	                        * string token it was written in; conditional
	                        * inside any block */
	GPtrArray *includes;   /* MpSieveInclude* */
	guint      n_commands; /* commands parsed, blocks' included */
	char      *error;      /* the first syntax error, "line N: what"; NULL
	                        * when the whole script parsed */
	guint      error_line; /* its line, 0 when none */
	gboolean   truncated;  /* MP_FORWARD_MAX_TARGETS reached */
} MpSieveScript;

/* Parses the LEN octets of DATA. Never fails: see error. */
MpSieveScript *mp_sieve_script_parse (const char *data, gsize len);
void           mp_sieve_script_free  (MpSieveScript *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpSieveScript, mp_sieve_script_free)

G_END_DECLS
