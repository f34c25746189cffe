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
/* Replays the sources of PATH into SINK. */
gboolean mp_json_read_sources (const char *path, const MpScanSink *sink, gpointer sink_data,
                               GError **error);
/* Both in one pass over FP (named NAME in errors): the header into META
 * (may be NULL; as a first file), the sources into SINK (NULL: checked,
 * not replayed). For the fuzz target. */
gboolean mp_json_read_stream  (FILE *fp, const char *name, MpReportMeta *meta, const MpScanSink *sink,
                               gpointer sink_data, GError **error);

G_END_DECLS
