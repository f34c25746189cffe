/* mp-error.h — the error domain for failures of the tool itself: a file we
 * cannot read, a server that is gone, bad arguments. Never for findings
 * about mail, which are data (MpMessage.problems, MpFinding). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MP_ERROR (mp_error_quark ())
GQuark mp_error_quark (void);

typedef enum {
	MP_ERROR_FAILED,        /* anything else */
	MP_ERROR_NOT_FOUND,     /* a path that does not exist */
	MP_ERROR_UNKNOWN_SOURCE,/* a path that is no mailbox we know */
	MP_ERROR_READ,          /* an I/O error while reading a source */
	MP_ERROR_WRITE,         /* an I/O error while writing a report */
	MP_ERROR_RULES,         /* a rules file that cannot be used */
	MP_ERROR_USAGE,         /* bad command-line arguments */
} MpError;

G_END_DECLS
