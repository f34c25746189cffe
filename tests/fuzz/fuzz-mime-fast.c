/* fuzz-mime-fast.c — the light MIME walker (analyzer/mime/mime-fast.c) against
 * the GMime path. The input is one message; it is analyzed by
 * mp_analyzer_run_range twice, the walker on and off, and when the walker
 * accepts (and also when it declines, which must then change nothing) every
 * MpMessage field must equal the GMime path's: abort() otherwise.
 * Bit 0 of the length turns MP_ANALYZE_LIST_ARCHIVES on, bit 1 reads the
 * bytes as an mbox range (MP_RANGE_MBOX_QUOTED) instead of a Maildir file.
 * NUL bytes become LF: the walker declines any message with a NUL (that
 * path is fuzz-message's), and mutations insert NULs so often that most
 * inputs would never reach it. */
#include "fuzz-common.h"
#include "mime-analyze.h"
#include "../unit/message-compare.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static MpAnalyzer *fast;
static MpAnalyzer *gmime;

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	g_autoptr(MpMessage) a = mp_message_new ();
	g_autoptr(MpMessage) b = mp_message_new ();
	g_autoptr(GString) why = g_string_new (NULL);
	MpAnalyzeFlags aflags = (size & 1) ? MP_ANALYZE_LIST_ARCHIVES : MP_ANALYZE_DEFAULT;
	MpRangeFlags rflags = (size & 2) ? MP_RANGE_MBOX_QUOTED : MP_RANGE_COUNT_SIZE;
	int fd;

	if (fast == NULL) {
		mp_gmime_init_once ();
		fast = mp_analyzer_new ();
		gmime = mp_analyzer_new ();
		mp_analyzer_set_fast_path (gmime, FALSE);
	}
	mp_analyzer_set_flags (fast, aflags);
	mp_analyzer_set_flags (gmime, aflags);
	fd = memfd_create ("fuzz-mime-fast", MFD_CLOEXEC);
	{
		g_autofree char *copy = g_malloc (size + 1);
		for (size_t i = 0; i < size; i++)
			copy[i] = data[i] == '\0' ? '\n' : (char) data[i];
		if (fd < 0 || (size > 0 && write (fd, copy, size) != (ssize_t) size))
			fd = -1;
	}
	if (fd < 0) {
		fprintf (stderr, "fuzz-mime-fast: memfd failed\n");
		abort ();
	}
	mp_analyzer_run_range (fast, fd, 0, size, rflags, a);
	mp_analyzer_run_range (gmime, fd, 0, size, rflags, b);
	close (fd);
	if (!mp_test_messages_equal (a, b, why)) {
		fprintf (stderr, "fuzz-mime-fast: the light walker differs from GMime: %s\n", why->str);
		abort ();
	}
	return 0;
}
