/* discover.h — which accounts a run audits, and where their mail and homes
 * are (DEFINITIONS.md: an account has a name and one or more sources).
 *
 *   SOURCE arguments   each is an account named by the login of an IMAP
 *                      URL or the user part of the path (/srv/mail/alice/
 *                      Maildir -> alice, /var/mail/jo -> jo); sources with
 *                      the same name are one account. A directory that is a
 *                      tree of homes (its subdirectories hold Maildir/ or
 *                      Maildir++ folders) is read as --accounts-dir.
 *   --accounts FILE    a CSV file with a header: account, source and the
 *                      optional password_file, oauth2_token_file,
 *                      last_login, forward_to, home, and for `compare`
 *                      target, target_password_file,
 *                      target_oauth2_token_file (MpAccount.target);
 *                      several rows of one account are several sources
 *   --accounts-dir DIR every subdirectory of DIR is an account, its home,
 *                      its mail in Maildir/, mail/ or itself; or, with a
 *                      --layout PATTERN (%u user, %n user part, %d domain),
 *                      the paths the pattern matches
 *
 * Accounts come out in a stable order (the order given; directories sorted
 * by name), numbered (MpAccount.ordinal) before any --shard, so that shards
 * can be merged back into the order of one run. Errors are usage errors
 * naming the file and line. */
#pragma once

#include "account.h"
#include "mp-error.h"

G_BEGIN_DECLS

/* The account name of a SOURCE argument (a path or an IMAP URL). */
char     *mp_account_name_for_source (const char *source);
/* The home of a local SOURCE (where .forward and Sieve scripts are), or
 * NULL when it cannot be known (an IMAP URL, a lone mbox file); *ORIGIN
 * says how it was found. */
char     *mp_account_home_for_source (const char *source, const char *name, char **origin);
/* The home of user NAME in the passwd database (getpwnam_r), or NULL. */
char     *mp_passwd_home             (const char *name);
/* Is DIR a tree of homes rather than one mailbox? */
gboolean  mp_dir_is_account_tree     (const char *dir);

/* Appends the accounts of SOURCES to OUT (MpAccount*). */
gboolean  mp_accounts_from_sources   (const char *const *sources, GPtrArray *out, GError **error);
/* Appends the accounts of the accounts file PATH. Every broken row is
 * reported in ERROR (one per line, "PATH:LINE: what"). */
gboolean  mp_accounts_from_file      (const char *path, GPtrArray *out, GError **error);
/* The same from text (ORIGIN names it in errors). */
gboolean  mp_accounts_from_csv_data  (const char *data, gsize len, const char *origin, GPtrArray *out,
                                      GError **error);
/* Appends the accounts under DIR by LAYOUT (NULL: "%u"; a pattern may be
 * absolute, then DIR may be NULL). */
gboolean  mp_accounts_from_dir       (const char *dir, const char *layout, GPtrArray *out, GError **error);
/* Numbers OUT's accounts 0, 1, ... (MpAccount.ordinal), after merging
 * accounts of the same name (their sources in order); FALSE when no account. */
gboolean  mp_accounts_finish         (GPtrArray *accounts, GError **error);

/* --shard: "K/N" (1 <= K <= N), "auto" (JOB_COMPLETION_INDEX with
 * $MAILPREFLIGHT_SHARD_COUNT for Kubernetes Indexed Jobs, or
 * SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN with SLURM_ARRAY_TASK_COUNT),
 * or "auto/N". *K is 1-based. */
gboolean  mp_shard_parse             (const char *text, guint *k, guint *n, GError **error);
/* Does shard K of N take the account NAME? FNV-1a (64 bit) of the name's
 * UTF-8 bytes, modulo N, equals K - 1: stable across runs, machines and
 * versions. */
gboolean  mp_shard_takes             (const char *name, guint k, guint n);
/* Keeps only the accounts shard K of N takes (their ordinals stay). */
void      mp_accounts_shard          (GPtrArray *accounts, guint k, guint n);

G_END_DECLS
