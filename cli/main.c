/* mailpreflight — audits mailboxes before a migration. */
#include "commands.h"
#include "mp-config.h"
#include "source.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

/* A line of --help: a way to call a command and what it does ('\n' goes on
 * below, aligned: the text stays within 80 columns). */
typedef struct {
	const char *usage;
	const char *does;
} Form;

static const Form scan_forms[] = {
	{ "scan SOURCE...", "audit mbox files, Maildirs, folders of mbox files\n"
	                    "and IMAP accounts (imaps://USER@HOST) against the\n"
	                    "rules of a migration target" },
	{ NULL, NULL }
};
static const Form report_forms[] = {
	{ "report FILE.json", "render a saved JSON report again (HTML, CSV,\n"
	                      "inventory, JUnit, JSON) without rescanning" },
	{ "report merge FILE.json...", "merge the saved reports of several runs into one" },
	{ NULL, NULL }
};
static const Form fix_forms[] = {
	{ "fix split SOURCE... --out DEST", "write a copy in which every message over a size\n"
	                                    "or attachment-count limit is split into messages\n"
	                                    "that pass; verified, nothing lost" },
	{ "fix detach SOURCE... --out DEST", "write a copy with attachments of --min-size or\n"
	                                     "more saved as files, a note in their place" },
	{ NULL, NULL }
};
static const Form compare_forms[] = {
	{ "compare SOURCE TARGET", "after the move: which messages did not arrive on\n"
	                           "the target, and which rule predicted each" },
	{ "compare --accounts FILE", "the same for every account of FILE (its target\n"
	                             "column), each on its own; --shard K/N" },
	{ "compare merge JSON...", "merge the --accounts JSON of several shards into one" },
	{ NULL, NULL }
};
static const Form rules_forms[] = {
	{ "rules list", "list the built-in target profiles" },
	{ "rules show NAME", "print a built-in profile, to copy and edit" },
	{ "rules check FILE", "validate a rules file and list its rules\n"
	                      "(exit 0 valid, 2 not): a config test before a scan" },
	{ NULL, NULL }
};

static const struct {
	const char *name;
	int (*run) (int argc, char **argv);
	const Form *forms;
} subcommands[] = {
	{ "scan", mp_cmd_scan, scan_forms },
	{ "report", mp_cmd_report, report_forms },
	{ "fix", mp_cmd_fix, fix_forms },
	{ "compare", mp_cmd_compare, compare_forms },
	{ "rules", mp_cmd_rules, rules_forms },
};

static void
usage (FILE *fp)
{
	fprintf (fp, "Usage: mailpreflight COMMAND [OPTIONS] ...\n\n"
	             "Finds the messages a mail migration target will refuse, before the move,\n"
	             "and after it, the ones that did not arrive.\n\n"
	             "Commands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++) {
		for (const Form *f = subcommands[i].forms; f->usage; f++) {
			g_auto(GStrv) lines = g_strsplit (f->does, "\n", -1);
			fprintf (fp, "  %-26s %s\n", f->usage, lines[0]);
			for (int l = 1; lines[l]; l++)
				fprintf (fp, "  %-26s %s\n", "", lines[l]);
		}
	}
	fprintf (fp, "\nOptions:\n"
	             "  -h, --help     show this help\n"
	             "  --version      show the version\n\n"
	             "Run 'mailpreflight COMMAND --help' for a command's options; see mailpreflight(1).\n"
	             "Example: mailpreflight scan --csv report.csv --inventory inventory.csv ~/Maildir\n");
}

/* Every message the tool writes with g_printerr() goes out without control
 * characters but the line ends and tabs of its own format: the texts in it
 * may come from a mailbox or a server (a folder name from LIST, a server's
 * error text), and an escape sequence there could set the terminal's
 * window title or clear the screen. report.c also makes each such text one
 * line; this is the net under every other message. As GLib's own printer
 * does, the text is converted to the console's charset. */
static void
print_stderr_filtered (const gchar *string)
{
	g_autofree char *valid = g_utf8_make_valid (string, -1);
	g_autoptr(GString) out = g_string_sized_new (strlen (valid));
	const char *charset = NULL;

	for (const char *p = valid; *p; p = g_utf8_next_char (p)) {
		gunichar c = g_utf8_get_char (p);
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0))
			g_string_append_c (out, '?');
		else
			g_string_append_len (out, p, g_utf8_next_char (p) - p);
	}
	if (g_get_console_charset (&charset)) {
		fputs (out->str, stderr);
	} else {
		g_autofree char *local = g_convert_with_fallback (out->str, (gssize) out->len, charset, "UTF-8",
		                                                  "?", NULL, NULL, NULL);
		fputs (local ? local : out->str, stderr);
	}
	fflush (stderr);
}

int
main (int argc, char **argv)
{
	/* first, before any thread: $MAILPREFLIGHT_PASSWORD leaves the
	 * environment (wiped there; imap-secret.h) */
	mp_source_take_secrets ();
	setlocale (LC_ALL, "");
	g_set_printerr_handler (print_stderr_filtered);
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
	for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
		if (strcmp (argv[1], subcommands[i].name) == 0)
			return subcommands[i].run (argc - 1, argv + 1);
	g_printerr ("mailpreflight: unknown command '%s'\n\n", argv[1]);
	usage (stderr);
	return MP_EXIT_USAGE;
}
