/* csv.h — RFC 4180 CSV cells, safe to open in a spreadsheet.
 *
 * Quoting: a cell with a comma, quote, CR or LF is quoted, quotes doubled
 * (RFC 4180 §2); so is a cell with a ';' or TAB, because Excel in most of
 * continental Europe separates cells with ';' (the locale's list
 * separator) and TAB separates pasted or TSV text: quoted, the cell is one
 * cell in either dialect. Formula injection: a text cell that begins with
 * '=', '+', '-', '@', TAB or CR is prefixed with a single quote so Excel,
 * LibreOffice and Google Sheets show it as text (OWASP "CSV Injection"),
 * and so is each piece of it after a ';' or TAB ("x;=1+1" is written
 * "x;'=1+1", quoted), for a reader that splits there anyway. Numbers
 * written with mp_csv_write_u64() are never prefixed. Rows end with CRLF. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* The cell as it goes into the file, protected and quoted as needed. */
char *mp_csv_escape        (const char *text);
/* Writes a text cell (NULL is empty), preceded by a comma unless FIRST. */
void  mp_csv_write_text    (FILE *fp, gboolean first, const char *text);
void  mp_csv_write_u64     (FILE *fp, gboolean first, guint64 value);
void  mp_csv_end_row       (FILE *fp);
/* Writes a header row from a NULL-terminated list. */
void  mp_csv_write_header  (FILE *fp, const char *const *names);

G_END_DECLS
