/* cut.h — a message as byte ranges: its header fields, and the children of
 * the multipart/mixed whose attachments a split redistributes (with the
 * preamble, the delimiter lines and the epilogue around them).
 *
 * A split never writes back what GMime parsed: GMime 3.2.13 does not write
 * a nested multipart back byte for byte (GMIME-IMAP-FACTS §4.2), so every
 * part of a split message is assembled from ranges of the original bytes.
 * GMime gives the MIME meaning (which part is a multipart/mixed, what its
 * boundary is); the ranges are found here by the rule of RFC 2046 §5.1.1 (a
 * delimiter is a whole line "--" boundary, the close delimiter "--"
 * boundary "--", both allowing trailing blanks; the line end before a
 * delimiter belongs to it), and must agree with GMime's tree: as many
 * children, each GMime leaf's content inside its range. Where they do not
 * agree, or the structure is irregular (no closing delimiter, a delimiter
 * with text after it, an empty part), the message is not cut: it is
 * reported and copied as it is, never guessed at.
 *
 * Positions are absolute positions of the message's stream. */
#pragma once

#include "mime-analyze.h"

G_BEGIN_DECLS

typedef struct {
	guint64 start, end;
} MpFixRange;

typedef struct {
	char      *name;   /* the field name as written */
	MpFixRange range;  /* the field with its continuation lines and line end */
	gsize      colon;  /* offset of the ':' from range.start */
} MpFixField;

typedef struct {
	GMimeStream  *stream;      /* borrowed */
	guint64       base;        /* the message's first octet */
	guint64       end;         /* one past its last */
	const char   *eol;         /* "\r\n" or "\n": the header block's line end */
	GByteArray   *header;      /* the header block [base, header_end), empty line included */
	guint64       header_end;
	GArray       *fields;      /* MpFixField: the message's header fields */

	/* what a split redistributes; when CONTAINER is NULL, WHY says why not */
	GMimeObject  *container;   /* borrowed from the parsed message */
	const char   *why;
	char         *boundary;
	/* TRUE when the container is the signed content (first child) of a
	 * top-level multipart/signed: the signature is dropped and the
	 * container's own Content-* fields replace the message's */
	gboolean      unwrapped;
	GByteArray   *container_header; /* unwrapped: its header block */
	GArray       *container_fields; /* unwrapped: MpFixField, relative to container_header */
	MpFixRange    preamble;    /* body start to the first delimiter line */
	GArray       *children;    /* MpFixRange per child: after its delimiter line,
	                            * up to the line end before the next delimiter */
	MpFixRange    close;       /* the close delimiter line, line end included */
	MpFixRange    epilogue;    /* after it, to the end of the container's body */
} MpFixCut;

/* Cuts MSG, parsed (persist on) from STREAM (the message from its first
 * octet to its end). A message that cannot be cut is no error: its
 * container is NULL and WHY says why. ERROR only when STREAM cannot be
 * read. UNWRAP_SIGNED: look inside a top-level multipart/signed. */
MpFixCut *mp_fix_cut_new  (GMimeStream *stream, GMimeMessage *msg, gboolean unwrap_signed, GError **error);
void      mp_fix_cut_free (MpFixCut *cut);

/* Reads [START, END) of STREAM into OUT (appended). */
gboolean  mp_fix_read_range (GMimeStream *stream, guint64 start, guint64 end, GByteArray *out, GError **error);
/* The header block of the entity at [START, END) of STREAM, its empty line
 * included, into OUT: FALSE without ERROR when it does not end within END
 * or 8 MB. */
gboolean  mp_fix_read_header_block (GMimeStream *stream, guint64 start, guint64 end, GByteArray *out,
                                    GError **error);
/* The header fields of the header block HEAD (LEN octets), as MpFixField
 * relative to HEAD. */
GArray   *mp_fix_header_fields (const guint8 *head, gsize len);
/* The first field called NAME (case-insensitive), or NULL. */
const MpFixField *mp_fix_field_find (GArray *fields, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpFixCut, mp_fix_cut_free)

G_END_DECLS
