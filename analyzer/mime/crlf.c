#include "crlf.h"
#include "lf-scan.h"

#include <string.h>

void
mp_crlf_init (MpCrlfCounter *c)
{
	memset (c, 0, sizeof *c);
}

void
mp_crlf_feed (MpCrlfCounter *c, const char *buf, gsize len)
{
	const char *p;
	const char *end;
	const char *line_start = buf;
	MpLfScan scan;

	if (len == 0)
		return; /* before any arithmetic: BUF may be NULL (an empty message) */
	end = buf + len;
	/* only LF positions are looked at (lf-scan.h) */
	mp_lf_scan_init (&scan, buf, end);
	while ((p = mp_lf_scan_next (&scan)) != NULL) {
		gboolean cr = (p == buf) ? c->last_cr : (p[-1] == '\r');
		guint64 line = c->line + (guint64) (p - line_start) - (cr ? 1 : 0);
		if (!cr)
			c->bare_lf++;
		if (line > c->max_line)
			c->max_line = line;
		c->line = 0;
		line_start = p + 1;
	}
	c->line += (guint64) (end - line_start);
	c->octets += len;
	c->last_cr = (end[-1] == '\r');
}

guint64
mp_crlf_total (const MpCrlfCounter *c)
{
	return c->octets + c->bare_lf;
}

guint64
mp_crlf_max_line (const MpCrlfCounter *c)
{
	/* an unterminated last line counts as it is (a trailing CR included) */
	return MAX (c->max_line, c->line);
}

guint64
mp_crlf_size (const char *buf, gsize len)
{
	MpCrlfCounter c;

	mp_crlf_init (&c);
	mp_crlf_feed (&c, buf, len);
	return mp_crlf_total (&c);
}
