/* short-options.h — short options glued to their value ("-j1", "-rgeneric"),
 * as getopt(3) takes them and users type them. GOption does not: it reads
 * "-j1" as -j followed by a group of flags and then takes the next argument
 * as the number ("Cannot parse integer value"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of ARGV (ARGC entries) in which each "-XVALUE" whose X is one of
 * WITH_VALUE (the short options that take a value) is split into "-X" and
 * "VALUE", up to a "--". Free with g_strfreev. */
char **mp_split_glued_short_options (int argc, char **argv, const char *with_value);

G_END_DECLS
