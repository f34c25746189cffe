/* imap-args.h — the IMAP connection options of `scan`, `compare` (twice:
 * the source's and the target's, --target-*) and `fix split`, declared
 * once, added to a command's option group once per side: the login (--password-file,
 * --oauth2-token-file), TLS (--ca-file, --insecure-skip-verify,
 * --allow-plaintext), and what a command offers of --connections,
 * --timeout, --command-timeout and the admin login (--admin-user,
 * --admin-separator, --admin-password-file); their checks, the
 * --insecure-skip-verify warning, and the settings they give.
 *
 * Each option says in --help what it means for its command (scan reads
 * many accounts, fix changes one, compare has two sides): the texts are
 * chosen by MpImapArgsUse, the names and checks are the same everywhere.
 * Errors are usage errors (MP_ERROR_USAGE); the command prints them with
 * its name and exits 2. */
#pragma once

#include "imap-apply.h"
#include "source.h"

G_BEGIN_DECLS

/* Whose options: picks the --help texts; TARGET names them --target-*. */
typedef enum {
	MP_IMAP_ARGS_USE_SCAN,           /* the run's accounts */
	MP_IMAP_ARGS_USE_FIX,            /* the one account fix split changes */
	MP_IMAP_ARGS_USE_COMPARE_SOURCE, /* compare's source, and both sides' connection options */
	MP_IMAP_ARGS_USE_COMPARE_TARGET, /* compare's target: --target-* */
} MpImapArgsUse;

/* What a command offers beyond the login and TLS options, which all have. */
typedef enum {
	MP_IMAP_ARGS_CONNECTIONS     = 1u << 0, /* --connections */
	MP_IMAP_ARGS_TIMEOUT         = 1u << 1, /* --timeout */
	MP_IMAP_ARGS_COMMAND_TIMEOUT = 1u << 2, /* --command-timeout */
	MP_IMAP_ARGS_ADMIN           = 1u << 3, /* --admin-user, --admin-separator, --admin-password-file */
} MpImapArgsOptions;

/* The options as given; strings owned, freed by mp_imap_args_clear.
 * Numbers not given are 0: the default. */
typedef struct {
	char       *password_file;
	char       *oauth2_token_file;
	char       *ca_file;
	gboolean    insecure_skip_verify;
	gboolean    allow_plaintext;
	gint        connections;
	gint        timeout_s;
	gint        command_timeout_s;
	char       *admin_user;
	char       *admin_separator;
	char       *admin_password_file;
	/* set by mp_imap_args_add_to_group */
	const char *prefix;      /* "" or "target-", for messages */
	guint       options;     /* MpImapArgsOptions offered */
	GPtrArray  *names;       /* the --target-* names the group points at */
} MpImapArgs;

/* Adds the options USE offers (OPTIONS) to GROUP, filling ARGS, which must
 * outlive it. GROUP is the command's main group (that of report-args.h for
 * scan): a group of their own would list them in --help-all only, and add
 * --help-all and --help-imap to --help. */
void          mp_imap_args_add_to_group (MpImapArgs *args, GOptionGroup *group, MpImapArgsUse use,
                                         guint options);
/* TRUE when every number offered is in its range (0: not given). */
gboolean      mp_imap_args_in_range     (const MpImapArgs *args);
/* As mp_imap_args_in_range, with an error naming the ranges. */
gboolean      mp_imap_args_check_ranges (const MpImapArgs *args, GError **error);
/* FALSE when --admin-separator or --admin-password-file come without
 * --admin-user. */
gboolean      mp_imap_args_check_admin  (const MpImapArgs *args, GError **error);
/* The loud warning on stderr when the certificate is not verified; TRUE
 * when it was printed. */
gboolean      mp_imap_args_warn         (const MpImapArgs *args);
/* Sets the fields of NET the options give (the strings stay ARGS'). */
void          mp_imap_args_apply        (const MpImapArgs *args, MpSourceSettings *net);
/* The same for fix split's live account. */
void          mp_imap_args_apply_fix    (const MpImapArgs *args, MpFixImapOptions *opt);
void          mp_imap_args_clear        (MpImapArgs *args);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MpImapArgs, mp_imap_args_clear)

G_END_DECLS
