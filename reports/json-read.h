/* json-read.h — reads a saved JSON report (docs/json-schema.md) back, in
 * bounded memory: the header (runs, rules, --fail-on) into an MpReportMeta,
 * and the sources as the same sink events a scan gives, one message at a
 * time, so `mailpreflight report` renders every format through the same
 * writers as `scan`. Our own pull parser: json-glib would build the whole
 * document in memory. */
#pragma once

#include "meta.h"
#include "scan.h"

#include <stdio.h>

G_BEGIN_DECLS

/* Adds the runs and rules of PATH to META (the first file also sets the
 * rules' name and --fail-on). Checks the schema. */
gboolean mp_json_read_meta    (const char *path, MpReportMeta *meta, gboolean first, GError **error);
/* Replays the accounts of PATH into SINK (a version 1 report: each source
 * as an account of its own). */
gboolean mp_json_read_sources (const char *path, const MpScanSink *sink, gpointer sink_data,
                               GError **error);
/* The same, with ORDINAL_BASE added to every account's ordinal: runs
 * merged one after another number their accounts as one run of all their
 * sources would. */
gboolean mp_json_read_sources_after (const char *path, guint64 ordinal_base, const MpScanSink *sink,
                                     gpointer sink_data, GError **error);
/* Both in one pass over FP (named NAME in errors): the header into META
 * (may be NULL; as a first file), the sources into SINK (NULL: checked,
 * not replayed). For the fuzz target. */
gboolean mp_json_read_stream  (FILE *fp, const char *name, MpReportMeta *meta, const MpScanSink *sink,
                               gpointer sink_data, GError **error);

/* What a merge needs to know of a file before it replays it. */
typedef struct {
	guint   major;    /* the schema's major version */
	GArray *ordinals; /* guint64: the accounts' ordinals, in file order (owned) */
} MpJsonInfo;

/* mp_json_read_meta, and INFO (may be NULL; free INFO->ordinals). */
gboolean mp_json_read_info    (const char *path, MpReportMeta *meta, gboolean first, MpJsonInfo *info,
                               GError **error);
/* Replays the accounts of the files PATHS (NULL-terminated) into SINK in
 * the order of their ordinals (ORDINALS[i]: the ordinals of PATHS[i] from
 * mp_json_read_info): shards of one run come out in the order of the run. */
gboolean mp_json_merge_replay (const char *const *paths, GArray *const *ordinals, const MpScanSink *sink,
                               gpointer sink_data, GError **error);

G_END_DECLS

G_BEGIN_DECLS

/* One JSON value parsed whole from TEXT (NAME and LINE for errors): for
 * documents read a line at a time (compare's accounts document). Bounded
 * as the report reader is (depth, string length). Accessors of a missing
 * key or of another type give NULL, 0 or FALSE. */
typedef struct _MpJsonValue MpJsonValue;

MpJsonValue       *mp_json_value_parse   (const char *text, gsize len, const char *name, guint64 line,
                                          GError **error);
void               mp_json_value_free    (MpJsonValue *v);
const MpJsonValue *mp_json_value_get     (const MpJsonValue *object, const char *key);
const char        *mp_json_value_str     (const MpJsonValue *object, const char *key);
guint64            mp_json_value_u64     (const MpJsonValue *object, const char *key);
gboolean           mp_json_value_bool    (const MpJsonValue *object, const char *key);
gboolean           mp_json_value_is_null (const MpJsonValue *v);
const char        *mp_json_value_text    (const MpJsonValue *v);   /* a string's */
guint              mp_json_value_length  (const MpJsonValue *v);   /* an array's */
const MpJsonValue *mp_json_value_index   (const MpJsonValue *array, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpJsonValue, mp_json_value_free)

G_END_DECLS
