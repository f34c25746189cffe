/* csv-read.h — an RFC 4180 CSV reader for the accounts file: quoted fields
 * (with "" for a quote, and line breaks inside quotes), CRLF or LF line
 * ends, a UTF-8 byte order mark skipped. Bounded: a field, a record and the
 * number of fields are limited, and overflow is an error naming the line,
 * never a crash. Records are numbered by the line they start on. */
#pragma once

#include "mp-error.h"

G_BEGIN_DECLS

#define MP_CSV_MAX_FIELD  (64 * 1024)
#define MP_CSV_MAX_FIELDS 256

typedef struct _MpCsvReader MpCsvReader;

/* Reads DATA (LEN bytes, copied); ORIGIN names it in errors ("accounts.csv"). */
MpCsvReader *mp_csv_reader_new  (const char *data, gsize len, const char *origin);
void         mp_csv_reader_free (MpCsvReader *r);
/* The next record: TRUE with FIELDS (char*, valid until the next call) and
 * the LINE it starts on; FALSE at the end (ERROR unset) or on an error
 * (MP_ERROR_USAGE, "ORIGIN:LINE: what"). An empty line is no record. */
gboolean     mp_csv_reader_next (MpCsvReader *r, GPtrArray **fields, guint64 *line, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpCsvReader, mp_csv_reader_free)

G_END_DECLS
