/* mbox-boundary.h — splits an mbox byte stream into messages, incrementally.
 *
 * The rule (DEFINITIONS.md, "Message size", mbox): a line beginning "From "
 * starts a message only at the start of the file or right after an empty
 * line. The message is the bytes after its From_ line up to, not including,
 * the empty line (LF or CRLF) before the next From_ line; at the end of the
 * file a final empty line is likewise the separator. Bytes before the first
 * From_ line are junk and are reported.
 *
 * GMime's own mbox mode ends a message at *any* "From " line and then stalls,
 * silently losing the rest of the file (GMIME-IMAP-FACTS §1.1), so we split
 * ourselves and hand each range to GMime as a single message.
 *
 * It never buffers a line: it looks at the first bytes of each line
 * and finds line ends with memchr or, over runs of ordinary lines, the LF
 * iterator of octets-lf.h, so a 60 MB line costs no memory. Sizes and line
 * lengths are counted by that module's line helpers (octets.h: one module
 * owns every octet count). Feed it any chunking, down to one byte at a
 * time; the result is the same. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MP_MBOX_FROM_LINE_MAX 512 /* bytes of a From_ line kept for its date */

typedef struct {
	guint64 from_offset;  /* offset of the "From " line (the mbox locator) */
	guint64 start;        /* first byte after the From_ line */
	guint64 end;          /* one past the last byte; the separator excluded */
	/* RFC 5322 size: the bytes, one '>' removed per ^>+From line, every LF
	 * not preceded by CR counted as two octets (DEFINITIONS.md). */
	guint64 size;
	guint64 quoted_from_lines; /* lines matching ^>+From  */
	/* "From " lines inside the message that are not preceded by an empty
	 * line, so do not start a message. Usually an unescaped body line; in
	 * mboxes written without separators (Netscape, Content-Length mboxes) a
	 * message boundary the rule cannot see. Reported, never guessed. */
	guint64 inner_from_lines;
	gboolean last_line_unterminated; /* the message's last line has no newline */
	guint64 max_line;     /* longest line in octets, line end excluded, unescaped */
	const char *from_line;  /* the From_ line without its line end, cut at
	                         * MP_MBOX_FROM_LINE_MAX bytes; valid during the callback */
} MpMboxRange;

/* Called once per message, in file order. */
typedef void (*MpMboxRangeFunc) (const MpMboxRange *range, gpointer user_data);
/* Called at most once, for the bytes before the first From_ line. */
typedef void (*MpMboxJunkFunc) (guint64 start, guint64 end, gpointer user_data);

typedef struct _MpMboxBoundaries MpMboxBoundaries;

MpMboxBoundaries *mp_mbox_boundaries_new    (MpMboxRangeFunc on_range,
                                         MpMboxJunkFunc  on_junk,
                                         gpointer        user_data);
void            mp_mbox_boundaries_free   (MpMboxBoundaries *s);
/* Feeds the next LEN bytes of the file. */
void            mp_mbox_boundaries_feed   (MpMboxBoundaries *s, const char *buf, gsize len);
/* Ends the file: emits the last message (or the junk). Call once. */
void            mp_mbox_boundaries_finish (MpMboxBoundaries *s);

/* After finish: how many bytes were fed, and how they were accounted for.
 * messages + from_lines + separators + junk == total, always; a test and the
 * scan both check it, so a bug here can never lose mail silently. */
typedef struct {
	guint64 total;
	guint64 messages;    /* sum of end - start */
	guint64 from_lines;  /* From_ lines with their line ends */
	guint64 separators;  /* the empty lines before From_ lines and at EOF */
	guint64 junk;        /* before the first From_ line */
	guint64 count;       /* number of messages */
} MpMboxCoverage;

void            mp_mbox_boundaries_coverage (const MpMboxBoundaries *s, MpMboxCoverage *out);

/* Where messages start, without splitting everything before: the rule above
 * is local (a "From " line at the start of the file or after an empty
 * line), so the file can be cut at message starts found near any offset and
 * the pieces split on their own, in parallel, with the same result as one
 * pass over the whole file (the first piece starts at the first From_
 * line; what precedes it is junk).
 *
 * An MpMboxReadFunc reads up to LEN bytes at OFFSET into BUF: the count, 0
 * at the end, -1 on an error. */
typedef gssize (*MpMboxReadFunc) (gpointer user_data, char *buf, gsize len, guint64 offset);

/* The first message start at or after FROM in a file of SIZE bytes, read
 * through READ in windows of WINDOW bytes (at least 16) into BUF; SIZE when
 * there is none, or when the file reads short (what is there is split as
 * it is). */
guint64         mp_mbox_next_message_start (MpMboxReadFunc read, gpointer user_data, guint64 from,
                                            guint64 size, char *buf, gsize window);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpMboxBoundaries, mp_mbox_boundaries_free)

G_END_DECLS
