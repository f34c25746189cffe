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
 * parsing). The first syntax error or exceeded limit is a GError (MP_ERROR,
 * MP_ERROR_READ) naming what and where; the parser then refuses all further
 * input, because the stream can no longer be trusted to be in sync: drop the
 * connection.
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

/* Called when a literal header "{n}" has been read. Returning TRUE streams
 * the literal's N octets to literal_data instead of keeping them (a BODY[]
 * goes to a temp file, never into one malloc); the value in the tree is then
 * a LITERAL with no bytes. ITEM is the value just before the literal in the
 * same list ("BODY[]"), or NULL. Streamed literals are not bounded by
 * max_literal_size: the callback decides. */
typedef gboolean (*MpImapLiteralBeginFunc) (const MpImapValue *item, guint64 size,
                                            gpointer user_data);
/* Receives the next LEN octets of a streamed literal. Returning FALSE with
 * ERROR set fails the parser. */
typedef gboolean (*MpImapLiteralDataFunc)  (const guint8 *data, gsize len,
                                            gpointer user_data, GError **error);

/* Limits (Dovecot style: passed in, with defaults). A field left 0 takes
 * its default; line and literal limits are clamped to G_MAXUINT / 2. */
typedef struct {
	gsize   max_line_length;    /* octets of one response outside its literals; 1 MiB */
	guint64 max_literal_size;   /* one literal kept in memory; 64 MiB */
	guint64 max_response_size;  /* octets of one response kept in memory,
	                             * literals included; 128 MiB */
	guint   max_depth;          /* nesting of "(", also inside a response code;
	                             * 128, clamped to MP_IMAP_MAX_DEPTH_CEILING */
	guint   max_list_items;     /* children of one "(" list or response code;
	                             * 10,000 (the top level of a response is
	                             * bounded by max_response_items only) */
	guint   max_response_items; /* values in one response; 100,000 */
	MpImapLiteralBeginFunc literal_begin; /* NULL: keep every literal */
	MpImapLiteralDataFunc  literal_data;
	gpointer               user_data;
} MpImapParserSettings;

#define MP_IMAP_DEFAULT_MAX_LINE_LENGTH    ((gsize) 1 << 20)
#define MP_IMAP_DEFAULT_MAX_LITERAL_SIZE   ((guint64) 64 << 20)
#define MP_IMAP_DEFAULT_MAX_RESPONSE_SIZE  ((guint64) 128 << 20)
#define MP_IMAP_DEFAULT_MAX_DEPTH          128
#define MP_IMAP_DEFAULT_MAX_LIST_ITEMS     10000
#define MP_IMAP_DEFAULT_MAX_RESPONSE_ITEMS 100000

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
/* A literal's announced size (also when streamed); the length of other
 * scalars; 0 for NIL and lists. */
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
