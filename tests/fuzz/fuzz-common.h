/* fuzz-common.h — included once by each fuzz target (it defines
 * LLVMFuzzerInitialize, which libFuzzer and replay-main.c both call).
 *
 * A GLib or GMime critical (g_return_if_fail) is a programming error: it is
 * made an abort() here, so libFuzzer records the input as a crash artifact.
 * (G_DEBUG=fatal-criticals alone ends in SIGTRAP, which libFuzzer does not
 * catch, and the input is lost.) Plain warnings stay warnings: GMime may
 * emit them on hostile input by design. */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

static void
fuzz_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
	g_log_default_handler (domain, level, message, data);
	if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL)) {
		fprintf (stderr, "fuzz: aborting on a %s critical\n", domain ? domain : "(null)");
		abort ();
	}
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	g_log_set_default_handler (fuzz_log_handler, NULL);
	return 0;
}
