/* source-imap-envelope.c — see source-imap-envelope.h. */
#include "source-imap-envelope.h"
#include "imap-date.h"
#include "dates.h"
#include "gmime-setup.h"
#include "mime-record.h"

#include <string.h>

static const char *
nstring (const MpImapValue *v)
{
	return v && !mp_imap_value_is_nil (v) ? mp_imap_value_get_string (v, NULL) : NULL;
}

/* ENVELOPE addresses ((name adl mailbox host) ...) as GMime would print
 * them, so IMAP and local reports show the same From. */
static char *
format_addresses (const MpImapValue *list, guint *count)
{
	g_autoptr(InternetAddressList) out = internet_address_list_new ();

	*count = 0;
	if (list == NULL || !mp_imap_value_is_list (list))
		return NULL;
	for (guint i = 0; i < mp_imap_value_get_n_children (list); i++) {
		const MpImapValue *a = mp_imap_value_get_child (list, i);
		const char *name, *mailbox, *host;
		g_autofree char *decoded = NULL;
		g_autofree char *addr = NULL;
		InternetAddress *ia;

		if (!mp_imap_value_is_list (a) || mp_imap_value_get_n_children (a) < 4)
			continue;
		name = nstring (mp_imap_value_get_child (a, 0));
		mailbox = nstring (mp_imap_value_get_child (a, 2));
		host = nstring (mp_imap_value_get_child (a, 3));
		if (host == NULL || mailbox == NULL)
			continue; /* RFC 3501 group syntax markers */
		decoded = name ? g_mime_utils_header_decode_phrase (NULL, name) : NULL;
		/* an address without a domain ("From: user"): Dovecot fills in
		 * MISSING_DOMAIN (message-address.c), which no host name can be
		 * (no dot, an underscore); GMime prints such an address bare */
		if (*host == '\0' || strcmp (host, "MISSING_DOMAIN") == 0)
			addr = g_strdup (mailbox);
		else
			addr = g_strdup_printf ("%s@%s", mailbox, host);
		ia = internet_address_mailbox_new (decoded, addr);
		internet_address_list_add (out, ia);
		g_object_unref (ia);
		(*count)++;
	}
	if (*count == 0)
		return NULL;
	/* as mime-record.c does: ASCII domains skip idn2's tables */
	mp_address_list_prefill_idn (out);
	{
		g_autofree char *text = internet_address_list_to_string (out, NULL, FALSE);
		return mp_message_capped_text (text);
	}
}

/* ---- the cache of formatted From lists ---------------------------------- */

/* A key is at most this long (a From of a few addresses), a cached text at
 * most this long, and the cache holds at most this many: 1,024 × 3 KB. */
#define CACHE_KEY_MAX   1024
#define CACHE_TEXT_MAX  2048
#define CACHE_ENTRIES   1024

struct _MpEnvelopeCache {
	GHashTable *formatted; /* Key* -> Formatted* */
};

/* NUL-separated fields: a length, not a C string */
typedef struct {
	gsize len;
	char *data;
} Key;

typedef struct {
	char *text;  /* NULL: no address */
	guint count;
} Formatted;

static guint
key_hash (gconstpointer p)
{
	const Key *k = p;
	guint h = 5381;

	for (gsize i = 0; i < k->len; i++)
		h = h * 33 + (guchar) k->data[i];
	return h;
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
	const Key *x = a, *y = b;
	return x->len == y->len && memcmp (x->data, y->data, x->len) == 0;
}

static void
key_free (gpointer p)
{
	Key *k = p;
	g_free (k->data);
	g_free (k);
}

static void
formatted_free (gpointer p)
{
	Formatted *f = p;
	g_free (f->text);
	g_free (f);
}

MpEnvelopeCache *
mp_envelope_cache_new (void)
{
	MpEnvelopeCache *cache = g_new0 (MpEnvelopeCache, 1);
	cache->formatted = g_hash_table_new_full (key_hash, key_equal, key_free, formatted_free);
	return cache;
}

void
mp_envelope_cache_free (MpEnvelopeCache *cache)
{
	if (cache == NULL)
		return;
	g_hash_table_unref (cache->formatted);
	g_free (cache);
}

/* What format_addresses reads of LIST, in order, into BUF: for each
 * address it formats, whether it has a name, then the name, mailbox and
 * host (as C strings, as it reads them), each ended by a NUL. Returns the
 * length, 0 when longer than CACHE_KEY_MAX. */
static gsize
cache_key (const MpImapValue *list, char *buf)
{
	gsize len = 0;

	buf[len++] = 'L'; /* an empty list has a key too */
	if (list == NULL || !mp_imap_value_is_list (list))
		return len;
	for (guint i = 0; i < mp_imap_value_get_n_children (list); i++) {
		const MpImapValue *a = mp_imap_value_get_child (list, i);
		const char *field[3];

		if (!mp_imap_value_is_list (a) || mp_imap_value_get_n_children (a) < 4)
			continue;
		field[0] = nstring (mp_imap_value_get_child (a, 0));
		field[1] = nstring (mp_imap_value_get_child (a, 2));
		field[2] = nstring (mp_imap_value_get_child (a, 3));
		if (field[2] == NULL || field[1] == NULL)
			continue;
		if (len + 1 > CACHE_KEY_MAX)
			return 0;
		buf[len++] = field[0] ? 'N' : '-';
		for (guint k = 0; k < 3; k++) {
			gsize n = field[k] ? strlen (field[k]) : 0;
			if (len + n + 1 > CACHE_KEY_MAX)
				return 0;
			memcpy (buf + len, field[k] ? field[k] : "", n + 1);
			len += n + 1;
		}
	}
	return len;
}

/* format_addresses through CACHE (NULL: none) */
static char *
format_addresses_cached (MpEnvelopeCache *cache, const MpImapValue *list, guint *count)
{
	char buf[CACHE_KEY_MAX];
	Key key = { 0, buf };
	const Formatted *hit;
	Formatted *f;
	Key *stored;
	char *text;

	if (cache == NULL || (key.len = cache_key (list, buf)) == 0)
		return format_addresses (list, count);
	if ((hit = g_hash_table_lookup (cache->formatted, &key)) != NULL) {
		*count = hit->count;
		return g_strdup (hit->text);
	}
	text = format_addresses (list, count);
	if (text != NULL && strlen (text) > CACHE_TEXT_MAX)
		return text;
	if (g_hash_table_size (cache->formatted) >= CACHE_ENTRIES)
		g_hash_table_remove_all (cache->formatted);
	f = g_new (Formatted, 1);
	f->text = g_strdup (text);
	f->count = *count;
	stored = g_new (Key, 1);
	stored->len = key.len;
	stored->data = g_memdup2 (buf, key.len);
	g_hash_table_insert (cache->formatted, stored, f);
	return text;
}

/* ---- the envelope --------------------------------------------------------- */

static void
fill_from_envelope (MpMessage *m, const MpImapValue *env, MpEnvelopeCache *cache)
{
	const char *date, *subject, *mid;
	g_autoptr(GDateTime) dt = NULL;
	gboolean truncated;

	/* envelope = (date subject from sender reply-to to cc bcc in-reply-to message-id) */
	if (env == NULL || !mp_imap_value_is_list (env) ||
	    (mp_imap_value_get_n_children (env) < 10 && !mp_imap_value_is_truncated (env))) {
		mp_message_add_problem (m, MP_PROBLEM_MALFORMED_ENVELOPE, NULL);
		return;
	}
	/* an envelope too large to hold (the parser's limits: a To of 100,000
	 * addresses) keeps what came before the cut; what is missing is not
	 * known to be missing */
	truncated = mp_imap_value_is_truncated (env);
	if (truncated)
		mp_message_add_problem (m, MP_PROBLEM_MALFORMED_ENVELOPE, "too large to hold: cut");
	date = nstring (mp_imap_value_get_child (env, 0));
	/* the ENVELOPE date is the Date: header's value (RFC 3501 §7.4.2):
	 * the same syntax checks as on a local copy, in the same order */
	if (date != NULL)
		mp_date_check_syntax (m, date);
	if (date == NULL) {
		if (!truncated || mp_imap_value_get_n_children (env) > 1)
			mp_message_add_problem (m, MP_PROBLEM_MISSING_DATE, NULL);
	} else if ((dt = g_mime_utils_header_decode_date (date)) != NULL) {
		g_free (m->date);
		m->date = mp_format_date (dt);
		m->date_unix = g_date_time_to_unix (dt);
		m->date_source = MP_DATE_HEADER;
	} else {
		mp_message_add_problem (m, MP_PROBLEM_INVALID_DATE, date);
	}
	subject = nstring (mp_imap_value_get_child (env, 1));
	if (subject != NULL) {
		/* capped as a local copy's (mime-record.c): the parser keeps up to
		 * 1 MiB of a string, the report 2,000 characters */
		g_autofree char *decoded = g_mime_utils_header_decode_text (NULL, subject);
		m->subject = mp_message_subject_text (decoded);
	}
	m->from = format_addresses_cached (cache, mp_imap_value_get_child (env, 2), &m->from_addresses);
	if (m->from == NULL && (!truncated || mp_imap_value_get_n_children (env) > 3))
		mp_message_add_problem (m, MP_PROBLEM_MISSING_FROM, NULL);
	else if (m->from_addresses > 1)
		mp_message_add_problem (m, MP_PROBLEM_MULTIPLE_FROM, NULL);
	mid = nstring (mp_imap_value_get_child (env, 9));
	if (mid != NULL && *mid) {
		/* GMime gives the id without its angle brackets: so do we */
		g_autofree char *id = g_strdup (mid);
		g_strstrip (id);
		if (id[0] == '<' && id[strlen (id) - 1] == '>') {
			id[strlen (id) - 1] = '\0';
			memmove (id, id + 1, strlen (id));
		}
		m->message_id = mp_message_capped_text (id);
	} else if (!truncated) {
		mp_message_add_problem (m, MP_PROBLEM_MISSING_MESSAGE_ID, NULL);
	}
}

void
mp_imap_envelope_apply_cached (MpMessage *m, const MpImapValue *envelope, const MpImapValue *internaldate,
                               MpEnvelopeCache *cache)
{
	fill_from_envelope (m, envelope, cache);
	mp_imap_envelope_apply_arrival (m, internaldate);
}

void
mp_imap_envelope_apply (MpMessage *m, const MpImapValue *envelope, const MpImapValue *internaldate)
{
	mp_imap_envelope_apply_cached (m, envelope, internaldate, NULL);
}

void
mp_imap_envelope_apply_arrival (MpMessage *m, const MpImapValue *internaldate)
{
	g_autoptr(GDateTime) dt = mp_imap_date_time_parse (nstring (internaldate));

	/* INTERNALDATE is the arrival time (RFC 3501 §2.3.3): activity
	 * evidence reads it whatever Date: says */
	if (dt != NULL)
		m->arrival_unix = g_date_time_to_unix (dt);
	if (m->date_source == MP_DATE_NONE) {
		/* the arrival time when Date: is missing or invalid */
		if (dt != NULL) {
			m->date = mp_format_date (dt);
			m->date_unix = g_date_time_to_unix (dt);
			m->date_source = MP_DATE_INTERNALDATE;
		}
	}
}
