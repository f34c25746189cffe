/* gmime-setup.h — what every user of GMime in mailpreflight needs first:
 * the one-time library initialization and the g_autoptr declarations GMime
 * 3.2 does not ship (STYLE.md: "add them once in one small header"). */
#pragma once

#include <glib.h>
#include <gmime/gmime.h>

G_BEGIN_DECLS

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

G_END_DECLS
