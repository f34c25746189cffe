/* mime-analyze.h — the entry point of analyzer/mime: reads one message and
 * records what DEFINITIONS.md asks for: attachments, inline parts, flags,
 * Date, From, Subject, Message-ID and every parse problem (GMime's own
 * parser warnings are harvested as findings). The light walker
 * (mime-fast.h) reads the common message in memory; GMime (mime-gmime.h)
 * reads whatever it declines. The size is counted on the raw bytes, where
 * it is exact (octets.h): here when the caller asks (MP_RANGE_COUNT_SIZE),
 * else by the source.
 *
 * One MpAnalyzer per thread (GMime parser options are not shared between
 * threads, GMIME-IMAP-FACTS §5). */
#pragma once

#include "gmime-setup.h"
#include "mp-error.h"
#include "message.h"

G_BEGIN_DECLS

typedef struct _MpAnalyzer MpAnalyzer;

typedef enum {
	MP_ANALYZE_DEFAULT       = 0,
	/* list the entries of attached archives (costs decoding them) */
	MP_ANALYZE_LIST_ARCHIVES = 1 << 0,
} MpAnalyzeFlags;

MpAnalyzer *mp_analyzer_new       (void);
void        mp_analyzer_free      (MpAnalyzer *a);
void        mp_analyzer_set_flags (MpAnalyzer *a, MpAnalyzeFlags flags);

/* Parses STREAM from its current position to its end as one message
 * (GMIME_FORMAT_MESSAGE, persist on: part contents stay offsets into STREAM,
 * so a large attachment is never copied into memory) and fills M. A message
 * GMime cannot parse is a problem recorded in M, never an error. */
void        mp_analyzer_run  (MpAnalyzer *a, GMimeStream *stream, MpMessage *m);

/* Analyzes bytes [START, END) of the file open on FD as one message. Messages
 * up to MP_ANALYZER_MEM_MAX are read with one pread into a per-analyzer
 * buffer and parsed from memory (no syscall per 4 KiB parser refill); larger
 * ones are parsed from the file, so memory stays bounded by that size per
 * thread whatever the message size. A read error is a problem on M. */
#define MP_ANALYZER_MEM_MAX (4 * 1024 * 1024)
typedef enum {
	MP_RANGE_COUNT_SIZE  = 1 << 0, /* set M->size and M->max_line from the bytes */
	MP_RANGE_MBOX_QUOTED = 1 << 1, /* the bytes come from an mbox: a ^>+From line
	                                * carries one quoting '>' that is not mail */
} MpRangeFlags;
void        mp_analyzer_run_range (MpAnalyzer *a, int fd, guint64 start, guint64 end,
                                   MpRangeFlags flags, MpMessage *m);
/* The same for a message the caller holds in memory (LEN at most
 * MP_ANALYZER_MEM_MAX): an mbox worker analyzes the bytes it has just read
 * to split them, without reading them a second time. */
void        mp_analyzer_run_bytes (MpAnalyzer *a, const guint8 *data, gsize len,
                                   MpRangeFlags flags, MpMessage *m);

/* GMime builds a message's whole tree before it can be walked, at about
 * 4 to 7 KB per part (measured: 42 MB for 10,000 small attachments): past
 * this many MIME parts no tree is built (by GMime or the light walker) and
 * the streaming counter (mime-count.h) counts them, recording the problem
 * too-many-parts, so that one message costs a worker at most about 35 MB
 * besides its bytes. Real mail has at most hundreds (targets refuse more
 * than 100 to 250 attachments); 100,000 tiny parts are an attack on the
 * scan's memory (issue 14: 1.6 GB for 25 MB of them). */
#define MP_MIME_MAX_PARTS 5000
/* The cap of this analyzer (tests and fuzz targets lower it). */
void        mp_analyzer_set_max_parts (MpAnalyzer *a, guint max_parts);

/* The light walker (mime-fast.c) runs before GMime on messages read into
 * memory by mp_analyzer_run_range and declines anything irregular; on by
 * default. Off forces the GMime path, for the differential tests. */
void        mp_analyzer_set_fast_path   (MpAnalyzer *a, gboolean enabled);
/* Messages this analyzer read through the light walker so far. */
guint64     mp_analyzer_fast_path_count (const MpAnalyzer *a);

/* An attachment's place in its message: its type as mp_analyzer_run
 * lists it, and its body as stored, octets [START, END) from the message's
 * first, read by RFC 2046 §5.1.1 (the line end before a delimiter is the
 * delimiter's). */
typedef struct {
	char    *mime_type;
	guint64  start, end;
} MpStoredAttachment;

/* The attachments of the message STREAM holds from its position to its
 * end (at most MAX), at the top level and in tree order as mp_analyzer_run
 * lists them, each with where its stored bytes are: what GMime cannot say of
 * an attached message (a message part keeps no offsets), for the fix's
 * byte-exact digests. Read by the streaming counter; STREAM is left
 * anywhere. A GArray of MpStoredAttachment that frees their types; NULL when
 * STREAM has no length. */
GArray     *mp_analyzer_stored_attachments (GMimeStream *stream, guint max);

/* TEXT with its RFC 2047 encoded words decoded, as GMime decodes them in
 * a header (g_mime_utils_header_decode_text); for values read elsewhere,
 * such as IMAP BODYSTRUCTURE parameters. Free with g_free. */
char       *mp_mime_decode_header_text (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAnalyzer, mp_analyzer_free)

G_END_DECLS
