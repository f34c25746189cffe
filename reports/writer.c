/* writer.c — what every format's writer shares (writer.h): freeing a
 * writer, which removes a file not committed, and committing its file.
 * Apart from report.c so that the writers, which call these from their
 * finish(), do not call back into the sink that calls them. */
#include "writer.h"

void
mp_writer_free (MpWriter *w)
{
	if (w == NULL)
		return;
	mp_output_file_abort (w->out);
	w->out = NULL;
	w->ops->free (w);
}

gboolean
mp_writer_commit (MpWriter *w, GError **error)
{
	MpOutputFile *out = g_steal_pointer (&w->out);

	return out == NULL || mp_output_file_commit (out, error);
}
