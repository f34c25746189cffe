/* escape.h — text from a message made safe for the formats mailpreflight
 * writes: JSON strings and XML/HTML text and attributes (escape.c). Shared
 * by the report writers, the fix's manifest and HTML (fix/) and `compare`'s
 * reports; CSV cells are csv.h's, text for a terminal shown-text.h's. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* S as a JSON string with quotes ("null" for NULL); invalid UTF-8 is replaced. */
void     mp_json_write_string  (FILE *fp, const char *s);
/* The same, appended to OUT. */
void     mp_json_append_string (GString *out, const char *s);
/* S escaped for XML 1.0 and HTML text and attributes (& < > " '), characters
 * XML 1.0 forbids dropped, invalid UTF-8 replaced. NULL gives "". */
char    *mp_xml_escape         (const char *s);
void     mp_xml_write          (FILE *fp, const char *s);
/* The base64 SHA-256 of TEXT, an inline <style> or <script>, for the
 * Content-Security-Policy's 'sha256-...' source (CSP Level 2 §4.2.4): the
 * reports allow their own inline code and nothing else. Free with g_free. */
char    *mp_html_csp_hash      (const char *text);
/* Copies the rest of SRC (rewound first) to DST. */
gboolean mp_copy_stream        (FILE *src, FILE *dst);

G_END_DECLS
