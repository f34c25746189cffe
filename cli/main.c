/* mailpreflight — audits mailboxes before a migration. */
#include "commands.h"
#include "mp-config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run) (int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "scan", mp_cmd_scan, "audit mbox files, Maildirs and mail folders against migration rules" },
	{ "rules", mp_cmd_rules, "list and show the built-in target profiles" },
	{ "report", mp_cmd_report, "re-render or merge saved JSON reports (HTML, CSV, JUnit, JSON)" },
};

static void
usage (FILE *fp)
{
	fprintf (fp, "Usage: mailpreflight COMMAND [OPTIONS] ...\n\n"
	             "Finds the messages a mail migration target will refuse, before the move.\n\n"
	             "Commands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
		fprintf (fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf (fp, "\nOptions:\n"
	             "  -h, --help     show this help\n"
	             "  --version      show the version\n\n"
	             "Run 'mailpreflight COMMAND --help' for a command's options; see mailpreflight(1).\n"
	             "Example: mailpreflight scan --csv report.csv --inventory inventory.csv ~/Maildir\n");
}

int
main (int argc, char **argv)
{
	setlocale (LC_ALL, "");
	if (argc < 2) {
		usage (stderr);
		return MP_EXIT_USAGE;
	}
	if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0) {
		usage (stdout);
		return MP_EXIT_OK;
	}
	if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0) {
		printf ("mailpreflight %s\n", MP_VERSION);
		return MP_EXIT_OK;
	}
	for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
		if (strcmp (argv[1], commands[i].name) == 0)
			return commands[i].run (argc - 1, argv + 1);
	fprintf (stderr, "mailpreflight: unknown command '%s'\n\n", argv[1]);
	usage (stderr);
	return MP_EXIT_USAGE;
}
