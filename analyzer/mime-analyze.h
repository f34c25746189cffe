/* mime-analyze.h — reads one message with GMime and records what
 * DEFINITIONS.md asks for: attachments, inline parts, flags, Date, From,
 * Subject, Message-ID and every parse problem (GMime's own parser warnings are
 * harvested as findings). Size is not computed here: the source counts it on
 * the raw bytes, where it is exact.
 *
 * One MpAnalyzer per thread (GMime parser options are not shared between
 * threads, GMIME-IMAP-FACTS §5). */
#pragma once

#include "mp-common.h"
#include "message.h"

G_BEGIN_DECLS

typedef struct _MpAnalyzer MpAnalyzer;

MpAnalyzer *mp_analyzer_new  (void);
void        mp_analyzer_free (MpAnalyzer *a);

/* Parses STREAM from its current position to its end as one message
 * (GMIME_FORMAT_MESSAGE, persist on: part contents stay offsets into STREAM,
 * so a large attachment is never copied into memory) and fills M. A message
 * GMime cannot parse is a problem recorded in M, never an error. */
void        mp_analyzer_run  (MpAnalyzer *a, GMimeStream *stream, MpMessage *m);

/* The ISO 8601 form used in every report ("2019-03-12T10:00:00+01:00"). */
char       *mp_format_date   (GDateTime *dt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAnalyzer, mp_analyzer_free)

G_END_DECLS
