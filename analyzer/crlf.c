#include "crlf.h"

#include <string.h>

void
mp_crlf_init (MpCrlfCounter *c)
{
	memset (c, 0, sizeof *c);
}

void
mp_crlf_feed (MpCrlfCounter *c, const char *buf, gsize len)
{
	const char *p = buf;
	const char *end = buf + len;

	if (len == 0)
		return;
	/* memchr runs at memory speed; only LF positions are looked at. */
	while (p < end && (p = memchr (p, '\n', (size_t) (end - p))) != NULL) {
		gboolean cr = (p == buf) ? c->last_cr : (p[-1] == '\r');
		if (!cr)
			c->bare_lf++;
		p++;
	}
	c->octets += len;
	c->last_cr = (end[-1] == '\r');
}

guint64
mp_crlf_total (const MpCrlfCounter *c)
{
	return c->octets + c->bare_lf;
}

guint64
mp_crlf_size (const char *buf, gsize len)
{
	MpCrlfCounter c;

	mp_crlf_init (&c);
	mp_crlf_feed (&c, buf, len);
	return mp_crlf_total (&c);
}
