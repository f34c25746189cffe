/* escape.h — text from a message made safe for the formats we write: JSON
 * strings and XML/HTML text (escape.c). Shared by every report writer and
 * by `compare`'s reports; CSV cells are csv.h's. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* S as a JSON string with quotes ("null" for NULL); invalid UTF-8 is replaced. */
void     mp_json_write_string (FILE *fp, const char *s);
/* S escaped for XML 1.0 and HTML text and attributes (& < > " '), characters
 * XML 1.0 forbids dropped, invalid UTF-8 replaced. NULL gives "". */
char    *mp_xml_escape        (const char *s);
void     mp_xml_write         (FILE *fp, const char *s);
/* S for a terminal: control characters (C0, DEL, C1: an escape sequence in a
 * Subject must not drive the terminal) as '?', cut at MAX characters with
 * "..." after. NULL gives "". */
char    *mp_terminal_text     (const char *s, glong max);
/* Copies the rest of SRC (rewound first) to DST. */
gboolean mp_copy_stream       (FILE *src, FILE *dst);

G_END_DECLS
