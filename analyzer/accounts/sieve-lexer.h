/* sieve-lexer.h — the tokens of a Sieve script (RFC 5228 §2 and §8.1):
 * identifiers, tags (":copy"), numbers with K, M or G (§2.4.1), quoted
 * strings with backslash escapes (§2.4.2), multi-line strings ("text:" up
 * to a line holding only ".", dot-stuffed, §2.4.2), the specials
 * ; , ( ) [ ] { } — with white space, hash comments ("#" to the end of
 * the line) and bracket comments ("/" "*" to "*" "/") skipped (§2.3).
 * A word inside a comment or a string is never an identifier.
 *
 * Lines may end in CRLF (the RFC) or LF alone (scripts written on Unix,
 * which Pigeonhole accepts). The lexer works on the caller's bytes
 * (borrowed for its lifetime); tokens are positions in them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MP_SIEVE_TOKEN_END = 0,    /* end of the input */
	MP_SIEVE_TOKEN_IDENTIFIER, /* (ALPHA / "_") *(ALPHA / DIGIT / "_") */
	MP_SIEVE_TOKEN_TAG,        /* ":" identifier */
	MP_SIEVE_TOKEN_NUMBER,
	MP_SIEVE_TOKEN_STRING,     /* "quoted" */
	MP_SIEVE_TOKEN_MULTILINE,  /* text: ... . */
	MP_SIEVE_TOKEN_SPECIAL,    /* one of ; , ( ) [ ] { } */
	MP_SIEVE_TOKEN_ERROR,      /* the lexer's error is set */
} MpSieveTokenType;

typedef struct {
	MpSieveTokenType type;
	gsize   offset;   /* of the token's first octet in the input */
	gsize   length;   /* octets of the token as written (quotes, "text:"
	                   * and the final "." line included) */
	guint   line;     /* 1-based line of its first octet */
	char    special;  /* SPECIAL: the character */
	guint64 number;   /* NUMBER: the value, quantifier applied (K = 1024,
	                   * RFC 5228 §2.4.1), G_MAXUINT64 when it overflows */
} MpSieveToken;

typedef struct {
	const char *data;
	gsize       len;
	gsize       pos;
	guint       line;
	char       *error; /* the first error ("line N: what"), or NULL */
} MpSieveLexer;

/* Starts reading the LEN octets of DATA. */
void     mp_sieve_lexer_init  (MpSieveLexer *lx, const char *data, gsize len);
/* Frees the error. */
void     mp_sieve_lexer_clear (MpSieveLexer *lx);
/* The next token into *TOK. FALSE for an ERROR token (an unterminated
 * string or comment, an octet that starts no token): the lexer's error is
 * set and every later call returns the same. END is TRUE, again and again. */
gboolean mp_sieve_lexer_next  (MpSieveLexer *lx, MpSieveToken *tok);
/* The value of a STRING (escapes removed) or MULTILINE (dot-stuffing
 * removed, line ends as written) token, NUL-terminated; *LEN (may be NULL)
 * its length, which may include NUL octets. NULL for other tokens. */
char    *mp_sieve_token_value (const MpSieveLexer *lx, const MpSieveToken *tok, gsize *len);
/* TRUE when TOK is an IDENTIFIER or TAG (without its ':') equal to NAME,
 * compared ASCII case-insensitively (RFC 5228 §2.9: case-insensitive). */
gboolean mp_sieve_token_is    (const MpSieveLexer *lx, const MpSieveToken *tok, const char *name);

G_END_DECLS
