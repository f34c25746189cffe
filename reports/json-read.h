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
