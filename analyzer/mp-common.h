/* mp-common.h — what every part of mailpreflight shares: the error domain for
 * failures of the tool itself (never for findings about mail, which are data),
 * and the g_autoptr declarations GMime 3.2 does not ship. */
#pragma once

#include <glib.h>
#include <gmime/gmime.h>

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

/* GMime 3.2.13 declares no autoptr cleanups: declare them once, here. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParserOptions, g_mime_parser_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)

/* g_mime_init() is not thread-safe and must run once, before any thread
 * starts (GMIME-IMAP-FACTS §5). Every entry point calls this first. */
void mp_gmime_init_once (void);

/* A buffer of LEN octets for the hot path of one worker thread, made once
 * and never grown: aligned to 2 MiB and advised for 2 MiB pages (madvise
 * MADV_HUGEPAGE). Filled from 4 KiB pages, a 5 MiB buffer costs some 1,300
 * page faults the first time, about 25 ms on the virtual bench machine
 * (bench/RESULTS.md); with transparent huge pages off it is an ordinary
 * buffer. Free with mp_worker_buffer_free. */
gpointer mp_worker_buffer_new  (gsize len);
void     mp_worker_buffer_free (gpointer p);

/* strcmp() for g_ptr_array_sort() of char* elements (byte order, so
 * listings do not depend on the locale). */
int mp_compare_strings (gconstpointer a, gconstpointer b);

G_END_DECLS
