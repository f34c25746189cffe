/* commands.h — one file per subcommand (notmuch's habit); main.c holds the
 * table. Exit codes are documented in mailpreflight(1) and README.md. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MP_EXIT_OK = 0,        /* no finding at or above --fail-on */
	MP_EXIT_FINDINGS = 1,  /* findings at or above --fail-on */
	MP_EXIT_USAGE = 2,     /* usage or rules error: nothing was scanned */
	MP_EXIT_SOURCE = 3,    /* a source or folder could not be read (fix: or a check failed) */
} MpExit;

int mp_cmd_scan  (int argc, char **argv);
int mp_cmd_rules (int argc, char **argv);
int mp_cmd_report (int argc, char **argv);
int mp_cmd_fix   (int argc, char **argv);
int mp_cmd_compare (int argc, char **argv);

G_END_DECLS
