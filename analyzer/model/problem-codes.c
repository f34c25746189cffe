/* problem-codes.c — see problem-codes.h. */
#include "problem-codes.h"

#include <string.h>

/* Indexed by MpProblemCode: the compiler checks each entry's position. */
static const char *const names[MP_PROBLEM_COUNT] = {
	[MP_PROBLEM_UNKNOWN] = "unknown",
	[MP_PROBLEM_MISSING_FROM] = "missing-from",
	[MP_PROBLEM_EMPTY_FROM] = "empty-from",
	[MP_PROBLEM_MULTIPLE_FROM] = "multiple-from",
	[MP_PROBLEM_INVALID_FROM] = "invalid-from",
	[MP_PROBLEM_MISSING_DATE] = "missing-date",
	[MP_PROBLEM_INVALID_DATE] = "invalid-date",
	[MP_PROBLEM_TWO_DIGIT_YEAR] = "two-digit-year",
	[MP_PROBLEM_INVALID_TIME] = "invalid-time",
	[MP_PROBLEM_FUTURE_DATE] = "future-date",
	[MP_PROBLEM_ANCIENT_DATE] = "ancient-date",
	[MP_PROBLEM_MISSING_MESSAGE_ID] = "missing-message-id",
	[MP_PROBLEM_DUPLICATE_MESSAGE_ID] = "duplicate-message-id",
	[MP_PROBLEM_MALFORMED_HEADER] = "malformed-header",
	[MP_PROBLEM_UNENCODED_8BIT_HEADER] = "unencoded-8bit-header",
	[MP_PROBLEM_UNKNOWN_CHARSET] = "unknown-charset",
	[MP_PROBLEM_UNDECODABLE_ENCODED_WORD] = "undecodable-encoded-word",
	[MP_PROBLEM_NUL_BYTE] = "nul-byte",
	[MP_PROBLEM_OVERSIZED_HEADER] = "oversized-header",
	[MP_PROBLEM_UNTERMINATED_HEADER] = "unterminated-header",
	[MP_PROBLEM_TOO_MANY_PARTS] = "too-many-parts",
	[MP_PROBLEM_DUPLICATED_HEADER] = "duplicated-header",
	[MP_PROBLEM_DUPLICATED_PARAMETER] = "duplicated-parameter",
	[MP_PROBLEM_INVALID_CONTENT_TYPE] = "invalid-content-type",
	[MP_PROBLEM_MALFORMED_MULTIPART] = "malformed-multipart",
	[MP_PROBLEM_TRUNCATED] = "truncated",
	[MP_PROBLEM_MALFORMED_MESSAGE] = "malformed-message",
	[MP_PROBLEM_CONFLICTING_HEADER] = "conflicting-header",
	[MP_PROBLEM_CONFLICTING_PARAMETER] = "conflicting-parameter",
	[MP_PROBLEM_MULTIPART_WITHOUT_BOUNDARY] = "multipart-without-boundary",
	[MP_PROBLEM_INVALID_PARAMETER] = "invalid-parameter",
	[MP_PROBLEM_INVALID_ADDRESS_LIST] = "invalid-address-list",
	[MP_PROBLEM_NESTING_OVERFLOW] = "nesting-overflow",
	[MP_PROBLEM_PART_WITHOUT_CONTENT] = "part-without-content",
	[MP_PROBLEM_PART_WITHOUT_HEADERS_OR_CONTENT] = "part-without-headers-or-content",
	[MP_PROBLEM_PARSER_WARNING] = "parser-warning",
	[MP_PROBLEM_UNREADABLE] = "unreadable",
	[MP_PROBLEM_NOT_A_FILE] = "not-a-file",
	[MP_PROBLEM_UNPARSEABLE] = "unparseable",
	[MP_PROBLEM_UNSEPARATED_FROM_LINE] = "unseparated-from-line",
	[MP_PROBLEM_SYMLINK] = "symlink",
	[MP_PROBLEM_MISSING_SIZE] = "missing-size",
	[MP_PROBLEM_MISSING_BODYSTRUCTURE] = "missing-bodystructure",
	[MP_PROBLEM_MALFORMED_ENVELOPE] = "malformed-envelope",
	[MP_PROBLEM_MALFORMED_BODYSTRUCTURE] = "malformed-bodystructure",
	[MP_PROBLEM_FETCHED_AFTER_RECONNECT] = "fetched-after-reconnect",
	[MP_PROBLEM_CONTENT_UNREADABLE] = "content-unreadable",
	[MP_PROBLEM_CONTENT_UNAVAILABLE] = "content-unavailable",
	[MP_PROBLEM_SIZE_MEASURED] = "size-measured",
	[MP_PROBLEM_BODYSTRUCTURE_TRUNCATED] = "bodystructure-truncated",
	[MP_PROBLEM_MORE_PROBLEMS] = "more-problems",
};

const char *
mp_problem_name (MpProblemCode code)
{
	return (guint) code < MP_PROBLEM_COUNT && names[code] != NULL ? names[code] : names[MP_PROBLEM_UNKNOWN];
}

MpProblemCode
mp_problem_from_name (const char *name, gsize len)
{
	for (guint c = MP_PROBLEM_UNKNOWN + 1; c < MP_PROBLEM_COUNT; c++)
		if (strlen (names[c]) == len && memcmp (names[c], name, len) == 0)
			return (MpProblemCode) c;
	return MP_PROBLEM_UNKNOWN;
}

MpProblemCode
mp_problem_of_text (const char *text)
{
	return mp_problem_from_name (text, strcspn (text, ":"));
}
