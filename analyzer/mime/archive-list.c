#include "archive-list.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#define READ_BLOCK (64 * 1024)

static const char *const archive_suffixes[] = {
	".zip", ".tar", ".tgz", ".tar.gz", ".gz", ".tbz", ".tbz2", ".tar.bz2", ".bz2",
};

static const char *const archive_types[] = {
	"application/zip", "application/x-zip", "application/x-zip-compressed",
	"application/x-tar", "application/x-gtar", "application/gzip", "application/x-gzip",
	"application/x-compressed-tar", "application/x-bzip2", "application/x-bzip",
};

static gboolean
has_archive_suffix (const char *name)
{
	if (name == NULL)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS (archive_suffixes); i++) {
		gsize n = strlen (name), k = strlen (archive_suffixes[i]);
		if (n > k && g_ascii_strcasecmp (name + n - k, archive_suffixes[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

gboolean
mp_archive_is_candidate (const char *mime_type, const char *filename)
{
	for (gsize i = 0; mime_type && i < G_N_ELEMENTS (archive_types); i++)
		if (g_ascii_strcasecmp (mime_type, archive_types[i]) == 0)
			return TRUE;
	return has_archive_suffix (filename);
}

/* Shared across nesting levels: the budget of one attachment. */
typedef struct {
	MpAttachment *a;
	gint64        bytes_left;
	guint         entries_seen;
} Budget;

/* Where a level reads its bytes: a GMime stream (the attachment) or the
 * current entry of the enclosing archive. */
typedef struct {
	GMimeStream    *stream;
	struct archive *parent;
	Budget         *budget;
	char            buf[READ_BLOCK];
} Source;

static la_ssize_t
source_read (struct archive *ar, void *user, const void **out)
{
	Source *src = user;
	gssize n;

	*out = src->buf;
	if (src->budget->bytes_left <= 0) {
		archive_set_error (ar, EFBIG, "size budget exhausted");
		return -1;
	}
	if (src->stream)
		n = g_mime_stream_read (src->stream, src->buf, sizeof src->buf);
	else
		n = archive_read_data (src->parent, src->buf, sizeof src->buf);
	if (n < 0) {
		archive_set_error (ar, EIO, "read error");
		return -1;
	}
	src->budget->bytes_left -= n;
	return n;
}

static void
set_problem (MpAttachment *a, const char *text)
{
	if (a->archive_problem == NULL)
		a->archive_problem = g_strdup (text);
}

static void list_level (Source *src, const char *prefix, const char *outer_name, guint depth);

static void
add_entry (Budget *b, const char *path)
{
	if (b->a->archive_entries->len < MP_ARCHIVE_MAX_ENTRIES)
		g_ptr_array_add (b->a->archive_entries, g_utf8_make_valid (path, -1));
	else
		set_problem (b->a, "too many entries: the list is cut");
}

/* A gzip or bzip2 file of one file has no names: "report.exe.gz" holds
 * "report.exe". */
static char *
raw_entry_name (const char *outer_name)
{
	static const char *const single[] = { ".gz", ".bz2" };

	for (gsize i = 0; outer_name && i < G_N_ELEMENTS (single); i++)
		if (g_str_has_suffix (outer_name, single[i]))
			return g_strndup (outer_name, strlen (outer_name) - strlen (single[i]));
	return g_strdup (outer_name ? outer_name : "data");
}

static void
list_level (Source *src, const char *prefix, const char *outer_name, guint depth)
{
	struct archive *ar = archive_read_new ();
	struct archive_entry *entry;
	Budget *b = src->budget;
	int r;

	archive_read_support_filter_gzip (ar);
	archive_read_support_filter_bzip2 (ar);
	archive_read_support_format_zip (ar);
	archive_read_support_format_tar (ar);
	archive_read_support_format_gnutar (ar);
	archive_read_support_format_raw (ar); /* plain .gz / .bz2 of one file */
	if (archive_read_open (ar, src, NULL, source_read, NULL) != ARCHIVE_OK) {
		set_problem (b->a, archive_error_string (ar) ? archive_error_string (ar) : "not a readable archive");
		archive_read_free (ar);
		return;
	}
	while ((r = archive_read_next_header (ar, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname_utf8 (entry);
		g_autofree char *path = NULL;
		gboolean raw = archive_format (ar) == ARCHIVE_FORMAT_RAW;
		g_autofree char *raw_name = NULL;

		if (raw) {
			/* only a compressed single file: a raw "archive" of plain data
			 * is no archive at all */
			if (archive_filter_count (ar) <= 1)
				break;
			raw_name = raw_entry_name (outer_name);
			name = raw_name;
		}
		if (name == NULL)
			name = archive_entry_pathname (entry);
		if (name == NULL)
			name = "?";
		if (++b->entries_seen > 100000) {
			set_problem (b->a, "too many entries: listing stopped");
			break;
		}
		path = prefix ? g_strdup_printf ("%s/%s", prefix, name) : g_strdup (name);
		add_entry (b, path);
		if (archive_entry_is_encrypted (entry))
			b->a->archive_encrypted = TRUE;
		if (has_archive_suffix (name) && !archive_entry_is_encrypted (entry)) {
			if (depth + 1 >= MP_ARCHIVE_MAX_DEPTH) {
				set_problem (b->a, "archives nested too deep: inner ones not listed");
			} else {
				Source *inner = g_new0 (Source, 1);
				inner->parent = ar;
				inner->budget = b;
				list_level (inner, path, name, depth + 1);
				g_free (inner);
			}
		}
		if (b->bytes_left <= 0) {
			set_problem (b->a, "archive too large to list completely");
			break;
		}
	}
	if (r == ARCHIVE_FATAL)
		set_problem (b->a, archive_error_string (ar) ? archive_error_string (ar) : "damaged archive");
	archive_read_free (ar);
}

void
mp_archive_list (GMimeStream *decoded, MpAttachment *a)
{
	Budget budget = { a, MP_ARCHIVE_MAX_BYTES, 0 };
	Source *src = g_new0 (Source, 1);

	if (a->archive_entries == NULL)
		a->archive_entries = g_ptr_array_new_with_free_func (g_free);
	src->stream = decoded;
	src->budget = &budget;
	list_level (src, NULL, a->filename, 0);
	g_free (src);
}
