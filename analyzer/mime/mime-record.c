/* mime-record.c — the recorder (see mime-record.h): header facts and leaf
 * facts into MpMessage fields and problems, the same for both readers. */
#include "mime-record.h"

#include "dates.h"

#include <iconv.h>
#include <string.h>

struct _MpMimeRecorder {
	GHashTable *charsets; /* charset name -> known (GINT_TO_POINTER 1/2) */
};

MpMimeRecorder *
mp_mime_recorder_new (void)
{
	MpMimeRecorder *r = g_new0 (MpMimeRecorder, 1);

	mp_gmime_init_once (); /* g_mime_iconv_open needs GMime's charset tables */
	r->charsets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
	return r;
}

void
mp_mime_recorder_free (MpMimeRecorder *r)
{
	if (r == NULL)
		return;
	g_hash_table_unref (r->charsets);
	g_free (r);
}

/* ---- A2: file names on GMime's parsed headers ---- */

static gboolean
param_list_has (GMimeParamList *list, const char *base)
{
	int n = list ? g_mime_param_list_length (list) : 0;

	for (int i = 0; i < n; i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at (list, i);
		const char *v = g_mime_param_get_value (p);
		if (mp_param_name_matches (g_mime_param_get_name (p), base) && v && *v)
			return TRUE;
	}
	return FALSE;
}

/* GMime drops the parameters of a Content-Type it cannot parse
 * ("X-ZIP; name=a.zip", "application-x-gzip; name=a.gz") and reports
 * application/octet-stream; the target still sees a named file (A2), so look
 * for a name parameter in the raw value. */
static gboolean
raw_content_type_has_name (const char *raw)
{
	g_auto(GStrv) params = NULL;

	if (raw == NULL || strchr (raw, ';') == NULL)
		return FALSE;
	params = g_strsplit (raw, ";", -1);
	for (int i = 1; params[i]; i++) {
		char *p = g_strstrip (params[i]);
		char *eq = strchr (p, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		g_strstrip (p);
		if (mp_param_name_matches (p, "name")) {
			char *v = g_strstrip (eq + 1);
			if (*v && strcmp (v, "\"\"") != 0)
				return TRUE;
		}
	}
	return FALSE;
}

gboolean
mp_part_has_filename (GMimeContentType *ct, GMimeContentDisposition *disp, const char *ct_value)
{
	if (disp != NULL && param_list_has (g_mime_content_disposition_get_parameters (disp), "filename"))
		return TRUE;
	if (ct != NULL && param_list_has (g_mime_content_type_get_parameters (ct), "name"))
		return TRUE;
	return ct_value != NULL && raw_content_type_has_name (ct_value);
}

/* ---- charsets ---- */

/* TRUE when iconv knows CHARSET (cached per recorder: one thread). GMime
 * decodes text in an unknown charset as Latin-1 without a word, so the
 * audit must say it: the target will show such text garbled. */
static gboolean
charset_known (MpMimeRecorder *r, const char *charset)
{
	gpointer cached;
	char small[64]; /* the lookup key, lower-cased; no allocation per part */
	g_autofree char *large = NULL;
	char *key = small;
	gsize n = strlen (charset);
	iconv_t cd;
	gboolean known;

	if (n >= sizeof small)
		key = large = g_malloc (n + 1);
	for (gsize i = 0; i <= n; i++)
		key[i] = g_ascii_tolower (charset[i]);
	if ((cached = g_hash_table_lookup (r->charsets, key)) != NULL)
		return GPOINTER_TO_INT (cached) == 1;
	cd = g_mime_iconv_open ("UTF-8", charset);
	known = cd != (iconv_t) -1;
	if (known)
		g_mime_iconv_close (cd);
	if (g_hash_table_size (r->charsets) < 256)
		g_hash_table_insert (r->charsets, g_strdup (key), GINT_TO_POINTER (known ? 1 : 2));
	return known;
}

/* The charsets named by RFC 2047 encoded words ("=?charset?Q?...?=") in a
 * raw header value, each checked. */
static void
check_encoded_word_charsets (MpMimeRecorder *r, MpMessage *m, const char *raw)
{
	for (const char *p = raw; p && (p = strstr (p, "=?")) != NULL;) {
		const char *q = strchr (p + 2, '?');
		g_autofree char *charset = NULL;
		char *star;

		if (q == NULL || q - p > 66)
			return;
		charset = g_strndup (p + 2, (gsize) (q - p - 2));
		if ((star = strchr (charset, '*')) != NULL)
			*star = '\0'; /* RFC 2231 language suffix */
		if (*charset && !charset_known (r, charset))
			mp_message_add_problem (m, MP_PROBLEM_UNKNOWN_CHARSET, charset);
		p = q + 1;
	}
}

/* ---- header facts ---- */

static gboolean
is_blank (const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isspace (*s))
			return FALSE;
	return TRUE;
}

static gboolean
is_ascii (const char *s)
{
	for (; *s; s++)
		if ((guchar) *s >= 0x80)
			return FALSE;
	return TRUE;
}

/* internet_address_list_to_string() writes each mailbox through
 * internet_address_mailbox_get_idn_addr() (internet-address.c, 3.2.13),
 * which, the first time, runs idn2_to_ascii_8z() on the domain and caches
 * the result in the public field idn_addr: the local part and '@', then the
 * domain unchanged when idn2 fails or returns it equal ignoring ASCII case,
 * else idn2's output. For an all-ASCII domain idn2 (UTS #46 processing) can
 * only map ASCII upper case to lower case or fail; an xn-- label is checked,
 * not rewritten, so the result is always ADDR itself. Filling the cache with
 * it here skips idn2's Unicode tables (about 31 K instructions per message,
 * the largest cost of the header facts); non-ASCII domains still go through
 * idn2. test-mime-analyze /mime-analyze/idn-shortcut compares this with
 * GMime's own output on many tricky ASCII domains. */
void
mp_address_list_prefill_idn (InternetAddressList *list)
{
	int n = list != NULL ? internet_address_list_length (list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address (list, i);

		if (INTERNET_ADDRESS_IS_GROUP (ia)) {
			mp_address_list_prefill_idn (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)));
		} else if (INTERNET_ADDRESS_IS_MAILBOX (ia)) {
			InternetAddressMailbox *mb = INTERNET_ADDRESS_MAILBOX (ia);
			if (mb->idn_addr == NULL && mb->addr != NULL && is_ascii (mb->addr))
				mb->idn_addr = g_strdup (mb->addr);
		}
	}
}

/* Thunderbird's X-Mozilla-Status: four hex digits of message flags, of
 * which 0x0008 is MSG_FLAG_EXPUNGED (mailnews/base/public/nsMsgMessageFlags.idl,
 * "Expunged"): deleted, still in the mbox file until the folder is compacted. */
#define MOZILLA_FLAG_EXPUNGED 0x0008

static gboolean
mozilla_expunged (const char *value)
{
	g_autofree char *v = g_strstrip (g_strdup (value));
	guint64 flags = 0;

	return g_ascii_string_to_unsigned (v, 16, 0, 0xffff, &flags, NULL) && (flags & MOZILLA_FLAG_EXPUNGED) != 0;
}

/* The deleted mark of an mbox message, from the headers mbox stores keep
 * their flags in (DEFINITIONS.md, "Deleted"): Status: or X-Status: with D
 * (mutt, UW-IMAP and Dovecot write D in X-Status), X-Mozilla-Status with the
 * expunged bit. Where the store keeps flags outside the message (Maildir,
 * IMAP) the backend has said, and such headers are stale copies. */
static void
record_deleted (MpMessage *m, const MpHeaderFacts *h)
{
	if (m->store_flags || m->deleted != MP_DELETED_NONE)
		return;
	if (h->status != NULL && strchr (h->status, 'D') != NULL)
		m->deleted = MP_DELETED_STATUS;
	else if (h->x_status != NULL && strchr (h->x_status, 'D') != NULL)
		m->deleted = MP_DELETED_X_STATUS;
	else if (h->mozilla_status != NULL && mozilla_expunged (h->mozilla_status))
		m->deleted = MP_DELETED_MOZILLA;
}

void
mp_mime_record_headers (MpMimeRecorder *r, MpMessage *m, const MpHeaderFacts *h)
{
	const char *raw;

	for (gsize i = 0; i < G_N_ELEMENTS (h->worded_raw); i++)
		if (h->worded_raw[i] != NULL)
			check_encoded_word_charsets (r, m, h->worded_raw[i]);
	raw = h->date_value;
	if (raw != NULL)
		mp_date_check_syntax (m, raw);
	if (h->date != NULL) {
		g_free (m->date);
		m->date = mp_format_date (h->date);
		m->date_unix = g_date_time_to_unix (h->date);
		m->date_source = MP_DATE_HEADER;
	} else if (raw == NULL) {
		mp_message_add_problem (m, MP_PROBLEM_MISSING_DATE, NULL);
	} else {
		mp_message_add_problem (m, MP_PROBLEM_INVALID_DATE, raw);
	}

	raw = h->from_value;
	if (h->from != NULL && internet_address_list_length (h->from) > 0) {
		g_autofree char *text = NULL;
		mp_address_list_prefill_idn (h->from);
		text = internet_address_list_to_string (h->from, NULL, FALSE);
		m->from = mp_message_capped_text (text);
		m->from_addresses = (guint) internet_address_list_length (h->from);
		/* RFC 5322 §3.6.2 allows several authors with a Sender:, but
		 * importers (Google DMS) want exactly one */
		if (m->from_addresses > 1)
			mp_message_add_problem (m, MP_PROBLEM_MULTIPLE_FROM, NULL);
	} else if (raw == NULL) {
		mp_message_add_problem (m, MP_PROBLEM_MISSING_FROM, NULL);
	} else if (is_blank (raw)) {
		mp_message_add_problem (m, MP_PROBLEM_EMPTY_FROM, NULL);
	} else {
		mp_message_add_problem (m, MP_PROBLEM_INVALID_FROM, raw);
	}

	if (h->subject != NULL) {
		m->subject = mp_message_subject_text (h->subject);
		/* GMime leaves an encoded word it cannot decode as it is */
		if (strstr (h->subject, "=?") && strstr (h->subject, "?="))
			mp_message_add_problem (m, MP_PROBLEM_UNDECODABLE_ENCODED_WORD, "Subject");
	}

	raw = h->message_id;
	if (raw != NULL && *raw)
		m->message_id = mp_message_capped_text (raw);
	else
		mp_message_add_problem (m, MP_PROBLEM_MISSING_MESSAGE_ID, NULL);

	/* mbox Status: header (R = read), as written by mutt, UW-IMAP and Dovecot */
	if (m->read_state == MP_READ_UNKNOWN && (raw = h->status) != NULL)
		m->read_state = strchr (raw, 'R') ? MP_READ_SEEN : MP_READ_UNSEEN;
	record_deleted (m, h);
}

/* ---- leaf facts ---- */

MpPartKind
mp_mime_record_leaf (MpMimeRecorder *r, MpMessage *m, const MpPartInfo *info, const char *charset,
                     guint nested)
{
	MpPartKind kind = mp_part_classify (info);

	if (charset && *charset && !charset_known (r, charset))
		mp_message_add_problem (m, MP_PROBLEM_UNKNOWN_CHARSET, charset);
	if (nested == 0) {
		m->flags |= mp_part_flags (info);
		if (kind == MP_PART_ATTACHMENT)
			m->attachments++;
		else if (kind == MP_PART_INLINE)
			m->inline_parts++;
	} else if (kind == MP_PART_ATTACHMENT) {
		m->nested_attachments++;
	}
	return kind;
}

