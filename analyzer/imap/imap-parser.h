/* imap-parser.h — an incremental, hostile-server-safe parser for IMAP
 * server responses (RFC 3501 §7 and §9, RFC 9051 §7 and §9).
 *
 * Feed it the bytes read from the connection in chunks of any size (one byte
 * at a time works); it queues every complete response. A response is:
 *   tagged        "A1 OK [READ-ONLY] done"     tag, status, code, text
 *   untagged      "* OK [UIDVALIDITY 3] x"      status, code, text
 *                 "* 1 FETCH (UID 5 ...)"      data: a list of values
 *   continuation  "+ idling"                   code, text
 * Values are atoms, numbers, quoted strings, literals ({n}, {n+}, ~{n}),
 * NIL and parenthesized lists.
 *
 * The server is assumed hostile: every size is bounded by
 * MpImapParserSettings, nothing is preallocated from a number the server
 * sent, nesting is tracked with an explicit stack (no recursion while
 * parsing). Limits on what is *kept* (line, response, items, depth, one
 * literal) never stop the parser: past one, the rest of the response (or of
 * the literal) is read and dropped, so the stream stays in step, and the
 * response and every list that lost values say so
 * (mp_imap_response_is_truncated, mp_imap_value_is_truncated): a
 * BODYSTRUCTURE too large to hold costs that message's structure, not the
 * connection. A syntax error, a literal over max_literal_read or one a
 * callback refuses is a GError (MP_ERROR, MP_ERROR_READ) naming what and
 * where; the parser then refuses all further input, because the stream can
 * no longer be trusted to be in sync: drop the connection.
 *
 * Memory: each response is one arena (a few large blocks, freed at once),
 * so a response of thousands of values costs a few mallocs, not thousands,
 * and its size is bounded by max_response_size plus a pointer per value.
 *
 * Ownership: the parser owns queued responses until mp_imap_parser_pop()
 * hands one over (transfer full). A response owns its values; values are
 * read-only and live as long as their response. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

typedef struct _MpImapParser   MpImapParser;
typedef struct _MpImapResponse MpImapResponse;
typedef struct _MpImapValue    MpImapValue;

/* The deepest nesting a settings struct may ask for: trees are freed and
 * printed recursively, so their depth must stay bounded whatever the caller
 * configures. */
#define MP_IMAP_MAX_DEPTH_CEILING 1024

/* What to do with a literal whose header "{n}" has been read. */
typedef enum {
	MP_IMAP_LITERAL_KEEP = 0, /* keep it in the tree (bounded by max_literal_size) */
	MP_IMAP_LITERAL_STREAM,   /* hand its octets to literal_data, keep none */
	MP_IMAP_LITERAL_REFUSE,   /* fail the parser: ERROR says why */
} MpImapLiteralAction;

/* Called when a literal header "{n}" has been read. Streaming sends the
 * literal's N octets to literal_data instead of keeping them (a BODY[] goes
 * to a temp file, never into one malloc); the value in the tree is then a
 * LITERAL with no bytes. LIST is the list the literal is in, holding the
 * values before it ("UID 5 BODY[2]"; only for the duration of the call),
 * ITEM the last of them ("BODY[2]") or NULL. Streamed literals are bounded
 * by neither max_literal_size nor max_literal_read: the callback decides,
 * and refuses what it did not ask for (ERROR set). Not called for a literal
 * in the dropped rest of a truncated response. */
typedef MpImapLiteralAction (*MpImapLiteralBeginFunc) (const MpImapValue *list, const MpImapValue *item,
                                                      guint64 size, gpointer user_data, GError **error);
/* Receives the next LEN octets of a streamed literal. Returning FALSE with
 * ERROR set fails the parser. */
typedef gboolean (*MpImapLiteralDataFunc)  (const guint8 *data, gsize len,
                                            gpointer user_data, GError **error);

/* Limits (Dovecot style: passed in, with defaults). A field left 0 takes
 * its default; line and literal limits are clamped to G_MAXUINT / 2.
 * Everything but max_literal_read bounds what is kept: past it the
 * response is truncated, not failed (see above). */
typedef struct {
	gsize   max_line_length;    /* octets of one response outside its literals; 8 MiB
	                             * (a BODYSTRUCTURE of 10,000 parts with long file
	                             * names fits) */
	guint64 max_literal_size;   /* octets of one literal kept in memory: a longer
	                             * one keeps its first octets and is truncated; 1 MiB */
	guint64 max_literal_read;   /* the largest literal read at all unless streamed:
	                             * a larger one fails the parser; 1 GiB */
	guint64 max_response_size;  /* octets of one response kept in memory,
	                             * literals and the values' own memory included;
	                             * 32 MiB */
	guint   max_depth;          /* nesting of "(", also inside a response code;
	                             * 128, clamped to MP_IMAP_MAX_DEPTH_CEILING */
	guint   max_list_items;     /* children of one "(" list or response code;
	                             * 20,000 (the top level of a response is
	                             * bounded by max_response_items only) */
	guint   max_response_items; /* values in one response; 300,000 (a
	                             * BODYSTRUCTURE of Dovecot's 10,000 parts fits) */
	MpImapLiteralBeginFunc literal_begin; /* NULL: keep every literal */
	MpImapLiteralDataFunc  literal_data;
	gpointer               user_data;
} MpImapParserSettings;

#define MP_IMAP_DEFAULT_MAX_LINE_LENGTH    ((gsize) 8 << 20)
#define MP_IMAP_DEFAULT_MAX_LITERAL_SIZE   ((guint64) 1 << 20)
#define MP_IMAP_DEFAULT_MAX_LITERAL_READ   ((guint64) 1 << 30)
#define MP_IMAP_DEFAULT_MAX_RESPONSE_SIZE  ((guint64) 32 << 20)
#define MP_IMAP_DEFAULT_MAX_DEPTH          128
#define MP_IMAP_DEFAULT_MAX_LIST_ITEMS     20000
#define MP_IMAP_DEFAULT_MAX_RESPONSE_ITEMS 300000

/* Fills S with the defaults and no literal callbacks. */
void mp_imap_parser_settings_init (MpImapParserSettings *s);

/* SETTINGS may be NULL (all defaults); it is copied. */
MpImapParser   *mp_imap_parser_new       (const MpImapParserSettings *settings);
void            mp_imap_parser_free      (MpImapParser *p);
/* Parses LEN more octets. FALSE with ERROR set on the first syntax error or
 * exceeded limit, and on every call after that. Responses completed before
 * the error stay queued. */
gboolean        mp_imap_parser_feed      (MpImapParser *p, const guint8 *data, gsize len,
                                          GError **error);
/* The oldest complete response (transfer full), or NULL when none is queued. */
MpImapResponse *mp_imap_parser_pop       (MpImapParser *p);
/* The end of the stream: FALSE with ERROR set when a response was cut off
 * (or the parser had failed). */
gboolean        mp_imap_parser_finish    (MpImapParser *p, GError **error);
/* TRUE after an error: the connection must be dropped. */
gboolean        mp_imap_parser_is_failed (const MpImapParser *p);

typedef enum {
	MP_IMAP_RESPONSE_TAGGED = 0,
	MP_IMAP_RESPONSE_UNTAGGED,
	MP_IMAP_RESPONSE_CONTINUATION,
} MpImapResponseKind;

/* RFC 3501 §7.1: resp-cond-state, resp-cond-bye, resp-cond-auth. */
typedef enum {
	MP_IMAP_STATUS_NONE = 0, /* untagged data ("* 1 FETCH") or continuation */
	MP_IMAP_STATUS_OK,
	MP_IMAP_STATUS_NO,
	MP_IMAP_STATUS_BAD,
	MP_IMAP_STATUS_PREAUTH,
	MP_IMAP_STATUS_BYE,
} MpImapStatus;

void               mp_imap_response_free   (MpImapResponse *r);
MpImapResponseKind mp_imap_response_get_kind   (const MpImapResponse *r);
/* The tag of a tagged response, else NULL. */
const char        *mp_imap_response_get_tag    (const MpImapResponse *r);
MpImapStatus       mp_imap_response_get_status (const MpImapResponse *r);
/* The response code "[...]" (RFC 3501 §7.1) as a LIST whose first child is
 * the code's atom ("UIDVALIDITY"), or NULL when the text has none. */
const MpImapValue *mp_imap_response_get_code   (const MpImapResponse *r);
/* The human-readable text after the code ("" when absent), for status
 * responses and continuations; NULL for untagged data. May hold 8-bit
 * bytes; never NUL, CR or LF. LEN may be NULL. */
const char        *mp_imap_response_get_text   (const MpImapResponse *r, gsize *len);
/* The values of an untagged data response as a LIST ("1" "FETCH" (...)),
 * NULL for every other response. */
const MpImapValue *mp_imap_response_get_data   (const MpImapResponse *r);
/* TRUE when a limit of MpImapParserSettings cut the response: the values
 * (or text) after the cut were read and dropped. The lists that lost
 * values are truncated too. */
gboolean           mp_imap_response_is_truncated (const MpImapResponse *r);
/* One line for tests and traces: "A1 OK [READ-ONLY] text",
 * "* 1 FETCH (UID 5)", "+ text". Free with g_free. */
char              *mp_imap_response_to_debug_string (const MpImapResponse *r);

typedef enum {
	MP_IMAP_VALUE_ATOM = 0, /* also flags (\Seen, \*) and sections (BODY[HEADER.FIELDS (A)]<0>) */
	MP_IMAP_VALUE_NUMBER,   /* 1*DIGIT, at most 20 digits, fits in guint64 */
	MP_IMAP_VALUE_STRING,   /* quoted */
	MP_IMAP_VALUE_LITERAL,  /* {n}, {n+} or ~{n} (RFC 3516 literal8): may hold NUL */
	MP_IMAP_VALUE_NIL,
	MP_IMAP_VALUE_LIST,
} MpImapValueType;

MpImapValueType    mp_imap_value_get_value_type (const MpImapValue *v);
/* The octets of an atom, number (its digits), string or literal, with a
 * terminating NUL added (the data itself may hold NUL: use LEN). NULL for
 * NIL, lists and streamed literals. LEN may be NULL. */
const char        *mp_imap_value_get_string   (const MpImapValue *v, gsize *len);
/* TRUE and *OUT for a NUMBER. */
gboolean           mp_imap_value_get_number   (const MpImapValue *v, guint64 *out);
/* TRUE for an atom equal to NAME (ASCII case-insensitive); any atom when
 * NAME is NULL. */
gboolean           mp_imap_value_is_atom      (const MpImapValue *v, const char *name);
gboolean           mp_imap_value_is_nil       (const MpImapValue *v);
gboolean           mp_imap_value_is_list      (const MpImapValue *v);
/* TRUE for a string or literal (an nstring that is not NIL). */
gboolean           mp_imap_value_is_string    (const MpImapValue *v);
/* For literals: announced as ~{n} (RFC 3516), handed to literal_data. */
gboolean           mp_imap_value_is_literal8  (const MpImapValue *v);
gboolean           mp_imap_value_is_streamed  (const MpImapValue *v);
/* TRUE for a list that lost values to a limit (in it or at any depth
 * below), and for a literal of which only the first max_literal_size
 * octets were kept. */
gboolean           mp_imap_value_is_truncated (const MpImapValue *v);
/* A literal's announced size (also when streamed or truncated); the
 * length of other scalars; 0 for NIL and lists. */
guint64            mp_imap_value_get_size     (const MpImapValue *v);
/* Children of a LIST; 0 / NULL for anything else or out of range. */
guint              mp_imap_value_get_n_children (const MpImapValue *v);
const MpImapValue *mp_imap_value_get_child    (const MpImapValue *v, guint i);
/* In a list of name/value pairs (msg-att, RFC 3501 §7.4.2: "UID 5 FLAGS
 * (...)"), the value after the atom KEY (case-insensitive), else NULL. */
const MpImapValue *mp_imap_value_lookup       (const MpImapValue *list, const char *key);
/* The value in IMAP syntax, with non-printable octets as \xNN and literals
 * as {n}"..."; for tests. Free with g_free. */
char              *mp_imap_value_to_debug_string (const MpImapValue *v);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapParser, mp_imap_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpImapResponse, mp_imap_response_free)

G_END_DECLS
