/* forward-file.h — a ~/.forward file, read as sendmail and Postfix's
 * local(8) read it: each line a list of destinations separated by commas,
 * with the syntax of an aliases(5) right-hand side (Postfix aliases(5);
 * FreeBSD forward(5)). A destination is
 *   jo@example.org, Jo <jo@example.org>, bob     an address: forwarded
 *   \jo                                          delivered to jo's own mailbox
 *   |command, "|command with args"               a pipe to a program
 *   /path/to/file                                appended to a file
 *   :include:/path                               more destinations in a file
 * and a line whose first non-blank character is '#' is a comment.
 *
 * Exim reads a .forward whose first line is "# Exim filter" or "# Sieve
 * filter" as a filter program instead (Exim's filter specification, §1):
 * such a file has no entries here and says which language it is in filter;
 * a Sieve filter is a Sieve script (sieve-script.h reads it), an Exim filter
 * is not read (its forwarding is unknown to us).
 *
 * Forwarded (DEFINITIONS.md): at least one address, that is not the owner
 * himself. A pipe is no address; a pipe that runs procmail forwards only
 * when the recipes it runs do (procmail-rc.h): runs_procmail says so, and
 * procmail_rc which rc file procmail reads. Nothing here reads another file.
 *
 * See forwarding.h for ownership. */
#pragma once

#include "forwarding.h"

G_BEGIN_DECLS

typedef enum {
	MP_FORWARD_ENTRY_ADDRESS = 0, /* an address (or a local user name) */
	MP_FORWARD_ENTRY_MAILBOX,     /* \user: that user's mailbox, no further forwarding */
	MP_FORWARD_ENTRY_PIPE,        /* |command */
	MP_FORWARD_ENTRY_FILE,        /* /path */
	MP_FORWARD_ENTRY_INCLUDE,     /* :include:/path */
	MP_FORWARD_ENTRY_INVALID,     /* not understood (the raw text in value) */
} MpForwardEntryKind;

typedef struct {
	MpForwardEntryKind kind;
	char  *value;   /* as written, without its marker ('|', '\\', ":include:")
	                 * or quotes: the address, the command, the path */
	guint  line;    /* 1-based */
	gsize  offset;  /* of VALUE's first octet in the input (VALUE is the
	                 * LEN(VALUE) octets there) */
} MpForwardEntry;

typedef enum {
	MP_FORWARD_FILTER_NONE = 0, /* a plain .forward: the entries below */
	MP_FORWARD_FILTER_EXIM,     /* "# Exim filter": Exim's own filter language */
	MP_FORWARD_FILTER_SIEVE,    /* "# Sieve filter": a Sieve script (RFC 5228) */
} MpForwardFilter;

typedef struct {
	MpForwardFilter filter;    /* not NONE: no entries were read */
	GPtrArray *entries;        /* MpForwardEntry*, in file order (comments not kept) */
	/* The addresses mail is forwarded to (MpForwardTarget*): the address
	 * entries and the \user entries of another user; not the owner's own
	 * name, with or without '\'. keeps_copy when the file also delivers
	 * locally (the owner's mailbox, a file or a pipe). */
	GPtrArray *targets;
	gboolean   runs_procmail;  /* a pipe runs procmail: its recipes decide */
	char      *procmail_rc;    /* the rc file on procmail's command line, as
	                            * written (relative: to the home directory),
	                            * or NULL for its default, ~/.procmailrc */
	guint      n_invalid;      /* entries not understood */
	gboolean   truncated;      /* more than MP_FORWARD_MAX_TARGETS entries:
	                            * the rest was not read */
} MpForwardFile;

/* Parses the LEN octets of DATA (a .forward file; NUL octets end a line's
 * text, as they do for sendmail's fgets). OWNER (the account's login name,
 * may be NULL when unknown) tells "\owner" and "owner" — the owner's own
 * mailbox — from another user's; without it every "\user" is taken for the
 * owner's (the usual "keep a copy" line). Never fails: what is not
 * understood is an INVALID entry. */
MpForwardFile *mp_forward_file_parse (const char *data, gsize len, const char *owner);
void           mp_forward_file_free  (MpForwardFile *f);

/* The name of KIND for messages and reports ("address", "pipe"...). */
const char    *mp_forward_entry_kind_name (MpForwardEntryKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpForwardFile, mp_forward_file_free)

G_END_DECLS
