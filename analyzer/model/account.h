/* account.h — the account model (DEFINITIONS.md, "Dates, accounts, idle
 * time and abandonment"): one person's mailbox, which may span several
 * sources (a Maildir and an mbox archive; an IMAP login), with the facts
 * account rules judge it by — activity evidence, forwarding — and the
 * verdict. Every room shares it: discovery (analyzer/accounts) builds
 * accounts, the scan reads their sources, the audit (rules/) judges them,
 * the reports carry them. GLib only.
 *
 * Ownership: every struct owns its strings and arrays; the _free functions
 * release them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One source of an account, with what reading it needs beyond the command
 * line's settings (NULL: the command line's). */
typedef struct {
	char *location;          /* a path or an IMAP URL, as given */
	char *password_file;     /* IMAP: this account's password */
	char *oauth2_token_file; /* IMAP: this account's OAuth2 token */
} MpAccountSource;

typedef struct {
	char      *name;        /* the login or the user part of its path */
	GPtrArray *sources;     /* MpAccountSource*, in the order they are read */
	char      *home;        /* where .forward and Sieve scripts live; NULL: unknown */
	char      *home_origin; /* how the home was found ("passwd", "the account's directory") */
	gint64     last_login;  /* admin-supplied (unix seconds); 0: none */
	char      *forward_to;  /* admin-supplied forward address, or NULL */
	char      *origin;      /* where the account was defined ("accounts.csv:4"), or NULL */
	/* `compare --accounts`: where the account's mail was moved to (the
	 * accounts file's target column) and the target's own secret (for its
	 * host only); NULL when not given. `scan` ignores them. */
	MpAccountSource *target;
	guint64    ordinal;     /* 0-based position in the whole run, before any
	                         * --shard: reports restore the order of a single
	                         * run from it */
} MpAccount;

MpAccount       *mp_account_new        (const char *name);
void             mp_account_free       (MpAccount *a);
/* Appends a source (copies the strings). */
MpAccountSource *mp_account_add_source (MpAccount *a, const char *location);
void             mp_account_source_free (MpAccountSource *s);

/* ---- evidence, forwarding, verdicts ---------------------------------- */

/* The kinds of activity evidence, in the order DEFINITIONS.md lists them.
 * MP_EVIDENCE_LOGIN (admin-supplied) wins over every other kind. */
typedef enum {
	MP_EVIDENCE_LOGIN = 0, /* admin-supplied last login (accounts file) */
	MP_EVIDENCE_SENDING,   /* newest date in the Sent folder */
	MP_EVIDENCE_READING,   /* arrival time of the newest message marked read */
	MP_EVIDENCE_FILING,    /* arrival time of the newest message in a folder the user made */
	MP_EVIDENCE_FILE_TIME, /* inode change times, Dovecot's index log (on request only) */
	MP_EVIDENCE_N_KINDS,
} MpEvidenceKind;

/* The kinds used when nobody asks otherwise: file times are evidence only
 * on the server's own store (a copy resets them). */
#define MP_EVIDENCE_DEFAULT_KINDS ((1u << MP_EVIDENCE_FILE_TIME) - 1)

typedef struct {
	MpEvidenceKind kind;
	gint64         time;  /* unix seconds; 0: none of this kind */
	char          *place; /* where: "Sent (\\Sent)", "INBOX, message 12", "accounts.csv:4" */
} MpEvidence;

typedef enum {
	MP_FORWARD_UNKNOWN = 0, /* could not be checked: never "no" */
	MP_FORWARD_NO,
	MP_FORWARD_YES,
} MpForwardState;

/* Forwarding of one account: the state, and what it rests on, for people
 * ("~/.forward line 2: bob@example.org", "no .forward and no active Sieve
 * script in /home/jo", "the server offers no ManageSieve"). */
typedef struct {
	MpForwardState state;
	char          *evidence;
} MpForwarding;

typedef enum {
	MP_VERDICT_UNKNOWN = 0,              /* no activity evidence */
	MP_VERDICT_ACTIVE,                   /* idle within the limit */
	MP_VERDICT_FORWARDED,                /* idle beyond the limit, but forwarded */
	MP_VERDICT_ABANDONED,                /* idle beyond the limit, not forwarded */
	MP_VERDICT_IDLE_UNKNOWN_FORWARDING,  /* idle beyond the limit, forwarding unknown */
	MP_VERDICT_N,
} MpVerdict;

/* What the audit found out about one account, for the reports. */
typedef struct {
	char        *name;
	GPtrArray   *sources;        /* char*: the locations */
	guint64      ordinal;
	guint64      messages, bytes, folders;
	guint64      findings[3];    /* by MpSeverity */
	guint64      read_errors;    /* sources and folders that could not be read */
	MpEvidence   evidence[MP_EVIDENCE_N_KINDS]; /* the newest of each kind */
	int          last_kind;      /* the kind that gives the last activity, -1: none */
	MpForwarding forwarding;
	gint64       as_of;
	gint         idle_months;    /* whole calendar months; -1 when unknown */
	MpVerdict    verdict;
} MpAccountResult;

MpAccountResult *mp_account_result_new  (const char *name);
void             mp_account_result_free (MpAccountResult *r);
/* The last activity (0: unknown). */
gint64           mp_account_result_last_activity (const MpAccountResult *r);
/* "sending: Sent (\Sent), 2025-01-15" — the winning evidence; NULL when none. */
char            *mp_account_result_evidence_text (const MpAccountResult *r);
/* "active", "forwarded", "abandoned", "idle-unknown-forwarding", "unknown" */
const char      *mp_verdict_name        (MpVerdict v);
gboolean         mp_verdict_parse       (const char *name, MpVerdict *out);
/* "login", "sending", "reading", "filing", "file-times" */
const char      *mp_evidence_kind_name  (MpEvidenceKind k);
gboolean         mp_evidence_kind_parse (const char *name, MpEvidenceKind *out);
/* "yes", "no", "unknown" */
const char      *mp_forward_state_name  (MpForwardState s);
gboolean         mp_forward_state_parse (const char *name, MpForwardState *out);

/* Whole calendar months from FROM to TO (g_date_time_add_months, as
 * DEFINITIONS.md asks): the largest n with FROM + n months <= TO; 0 when TO
 * is before FROM. */
gint             mp_calendar_months_between (gint64 from, gint64 to);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAccount, mp_account_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpAccountResult, mp_account_result_free)

G_END_DECLS
