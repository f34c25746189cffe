/* problem-codes.h — the one vocabulary of problem codes: what the readers
 * (MIME, IMAP, the backends) record on a message, what the rules read back
 * (a `header` rule's `problems = ...`) and what every report prints. Each
 * code has one name, written in reports and rules files ("missing-date").
 *
 * A problem is data about the mail, never a failure of the tool (STYLE.md).
 * The names are part of the report formats (README.md, "Problem codes";
 * docs/json-schema.md): never rename one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MP_PROBLEM_UNKNOWN = 0,          /* a name this version does not know (read
	                                  * back from a newer report) */
	/* Header fields (the `header` rule's problems) */
	MP_PROBLEM_MISSING_FROM,
	MP_PROBLEM_EMPTY_FROM,
	MP_PROBLEM_MULTIPLE_FROM,
	MP_PROBLEM_INVALID_FROM,
	MP_PROBLEM_MISSING_DATE,
	MP_PROBLEM_INVALID_DATE,
	MP_PROBLEM_TWO_DIGIT_YEAR,       /* RFC 5322 §4.3: obsolete; Google DMS refuses it */
	MP_PROBLEM_INVALID_TIME,         /* outside 00:00:00-23:59:60 */
	MP_PROBLEM_FUTURE_DATE,          /* judged by the rules against --as-of */
	MP_PROBLEM_ANCIENT_DATE,         /* judged by the rules: before 1980 */
	MP_PROBLEM_MISSING_MESSAGE_ID,
	MP_PROBLEM_DUPLICATE_MESSAGE_ID, /* judged by the audit, within a folder */
	MP_PROBLEM_MALFORMED_HEADER,     /* GMIME_CRIT_INVALID_HEADER_NAME */
	MP_PROBLEM_UNENCODED_8BIT_HEADER,/* RFC 5322 §2.2: header bodies are US-ASCII */
	/* Content */
	MP_PROBLEM_UNKNOWN_CHARSET,
	MP_PROBLEM_UNDECODABLE_ENCODED_WORD,
	MP_PROBLEM_NUL_BYTE,
	MP_PROBLEM_OVERSIZED_HEADER,
	MP_PROBLEM_UNTERMINATED_HEADER,  /* no empty line ends the header block
	                                  * (RFC 5322 §3.5): Cyrus refuses it, "Message
	                                  * has no header/body separator" */
	MP_PROBLEM_TOO_MANY_PARTS,       /* more MIME parts than a tree is built for
	                                  * (MP_MIME_MAX_PARTS): counted as a stream */
	/* GMime's parser warnings (gmime-parser-options.h) */
	MP_PROBLEM_DUPLICATED_HEADER,
	MP_PROBLEM_DUPLICATED_PARAMETER,
	MP_PROBLEM_INVALID_CONTENT_TYPE,
	MP_PROBLEM_MALFORMED_MULTIPART,
	MP_PROBLEM_TRUNCATED,
	MP_PROBLEM_MALFORMED_MESSAGE,
	MP_PROBLEM_CONFLICTING_HEADER,
	MP_PROBLEM_CONFLICTING_PARAMETER,
	MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY,
	MP_PROBLEM_INVALID_PARAMETER,
	MP_PROBLEM_INVALID_ADDRESS_LIST,
	MP_PROBLEM_NESTING_OVERFLOW,
	MP_PROBLEM_PART_WITHOUT_CONTENT,
	MP_PROBLEM_PART_WITHOUT_HEADERS_OR_CONTENT,
	MP_PROBLEM_PARSER_WARNING,       /* a warning code GMime added after 3.2.13 */
	/* Reading the source */
	MP_PROBLEM_UNREADABLE,
	MP_PROBLEM_NOT_A_FILE,
	MP_PROBLEM_UNPARSEABLE,
	MP_PROBLEM_UNSEPARATED_FROM_LINE,
	MP_PROBLEM_SYMLINK,              /* a message file that is a symbolic link:
	                                  * never followed (it may lead out of the
	                                  * source), so not read */
	/* IMAP */
	MP_PROBLEM_MISSING_SIZE,
	MP_PROBLEM_MISSING_BODYSTRUCTURE,
	MP_PROBLEM_MALFORMED_ENVELOPE,
	MP_PROBLEM_MALFORMED_BODYSTRUCTURE,
	MP_PROBLEM_FETCHED_AFTER_RECONNECT,
	MP_PROBLEM_CONTENT_UNREADABLE,
	MP_PROBLEM_CONTENT_UNAVAILABLE,
	MP_PROBLEM_SIZE_MEASURED,        /* an estimated RFC822.SIZE was measured */
	MP_PROBLEM_BODYSTRUCTURE_TRUNCATED, /* too large to hold: "at least N MIME parts" */
	/* The cap on problems per message was reached */
	MP_PROBLEM_MORE_PROBLEMS,
	MP_PROBLEM_COUNT
} MpProblemCode;

/* The name of CODE ("missing-date"); "unknown" for MP_PROBLEM_UNKNOWN. */
const char   *mp_problem_name      (MpProblemCode code);
/* The code named by the LEN octets at NAME, MP_PROBLEM_UNKNOWN when none. */
MpProblemCode mp_problem_from_name (const char *name, gsize len);
/* The code of a recorded problem text, "code" or "code: detail". */
MpProblemCode mp_problem_of_text   (const char *text);

G_END_DECLS
