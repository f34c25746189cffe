/* managesieve-parser.h — an incremental, hostile-server-safe parser of
 * ManageSieve server responses (RFC 5804 §4). Feed it what the connection
 * read, in chunks of any size; it queues every complete line. A line is a
 * list of items separated by blanks and ended by CRLF:
 *   atom      OK, NO, BYE, ACTIVE, or any word ("QUOTA/MAXSCRIPTS",
 *             "sieve://host" in a REFERRAL)
 *   string    "quoted" (\" and \\ escaped) or a literal {n}CRLF + n octets
 *             (a script from GETSCRIPT: may hold anything, NUL too)
 *   list      "(" items ")": a response code, "(SASL "...")", "(WARNINGS)"
 * So a capability line is two strings ("SASL" "PLAIN LOGIN"), a LISTSCRIPTS
 * line a string and maybe the atom ACTIVE, a final line OK / NO / BYE with
 * an optional code and string.
 *
 * Every size is bounded (MpManageSieveLimits): a line outside its literals,
 * a literal (announced sizes are checked before anything is kept), the
 * items of a line and the nesting of lists. The first syntax error or
 * exceeded limit is a GError (MP_ERROR, MP_ERROR_READ) naming what; the
 * parser then refuses all input (the stream is out of sync: drop the
 * connection).
 *
 * Ownership: the parser owns queued lines until mp_managesieve_parser_pop()
 * hands one over (transfer full); a line owns its values. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpManageSieveParser MpManageSieveParser;
typedef struct _MpManageSieveValue  MpManageSieveValue;

typedef enum {
	MP_MANAGESIEVE_VALUE_ATOM = 0,
	MP_MANAGESIEVE_VALUE_STRING,  /* quoted or literal */
	MP_MANAGESIEVE_VALUE_LIST,    /* "(...)", and a whole line */
} MpManageSieveValueType;

/* Limits; a field left 0 takes its default. */
typedef struct {
	gsize max_line_length;  /* octets of a line outside its literals; 64 KiB
	                         * (Pigeonhole's managesieve_max_line_length) */
	gsize max_literal_size; /* one literal: 1 MiB (Pigeonhole's default
	                         * sieve_max_script_size) */
	guint max_items;        /* values in one line, all levels; 1000 */
	guint max_depth;        /* nesting of "(": 8 */
} MpManageSieveLimits;

#define MP_MANAGESIEVE_DEFAULT_MAX_LINE_LENGTH  ((gsize) 64 << 10)
#define MP_MANAGESIEVE_DEFAULT_MAX_LITERAL_SIZE ((gsize) 1 << 20)
#define MP_MANAGESIEVE_DEFAULT_MAX_ITEMS        1000
#define MP_MANAGESIEVE_DEFAULT_MAX_DEPTH        8

/* LIMITS may be NULL (all defaults); it is copied. */
MpManageSieveParser *mp_managesieve_parser_new       (const MpManageSieveLimits *limits);
void                 mp_managesieve_parser_free      (MpManageSieveParser *p);
/* Parses LEN more octets. FALSE with ERROR on the first syntax error or
 * exceeded limit, and on every call after it; lines completed before stay
 * queued. */
gboolean             mp_managesieve_parser_feed      (MpManageSieveParser *p, const guint8 *data,
                                                      gsize len, GError **error);
/* The oldest complete line as a LIST value (transfer full; free it with
 * mp_managesieve_value_free), or NULL when none is queued. */
MpManageSieveValue  *mp_managesieve_parser_pop       (MpManageSieveParser *p);
/* TRUE after an error. */
gboolean             mp_managesieve_parser_is_failed (const MpManageSieveParser *p);
/* TRUE when part of a line has been read and not completed. */
gboolean             mp_managesieve_parser_in_line   (const MpManageSieveParser *p);

void                   mp_managesieve_value_free       (MpManageSieveValue *v);
MpManageSieveValueType mp_managesieve_value_get_type   (const MpManageSieveValue *v);
/* The octets of an atom or string with a NUL added (a literal may hold NUL
 * itself: use LEN, which may be NULL); NULL for a list or NULL V. */
const char            *mp_managesieve_value_get_string (const MpManageSieveValue *v, gsize *len);
/* Children of a list; 0 / NULL for anything else or out of range. */
guint                  mp_managesieve_value_get_n_children (const MpManageSieveValue *v);
const MpManageSieveValue *mp_managesieve_value_get_child (const MpManageSieveValue *v, guint i);
/* TRUE for an atom equal to NAME (ASCII case-insensitive). */
gboolean               mp_managesieve_value_is_atom    (const MpManageSieveValue *v, const char *name);
/* The value in ManageSieve syntax, literals as {n}"..." with non-printable
 * octets as \xNN; for tests and traces. Free with g_free. */
char                  *mp_managesieve_value_to_debug_string (const MpManageSieveValue *v);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpManageSieveParser, mp_managesieve_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpManageSieveValue, mp_managesieve_value_free)

G_END_DECLS
