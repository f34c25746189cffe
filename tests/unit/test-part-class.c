/* test-part-class.c — the attachment definition on a part description
 * (analyzer/model/part-class.h), clause by clause of DEFINITIONS.md
 * "Attachment count": A1, A2, A3, E1, E2, inline parts and flags. */
#include "part-class.h"
#include "message.h"

typedef struct {
	const char *name;
	MpPartInfo  info;
	MpPartKind  kind;
	guint       flags;
} ClassCase;

#define PLAIN MP_PART_ROLE_PLAIN
#define SIG   MP_PART_ROLE_SIGNATURE
#define CTRL  MP_PART_ROLE_ENCRYPTED_CONTROL
#define ROOT  MP_PART_ROLE_ROOT

static const ClassCase cases[] = {
	/* body parts */
	{ "text-plain-body", { "text", "plain", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	{ "null-type-is-text-plain", { NULL, NULL, NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	{ "root-text", { "text", "plain", NULL, FALSE, FALSE, ROOT }, MP_PART_BODY, 0 },
	{ "octet-stream-without-anything-is-body", { "application", "octet-stream", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	/* A1 */
	{ "a1-attachment", { "application", "pdf", "attachment", FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a1-upper-case", { "application", "pdf", "ATTACHMENT", FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a1-mixed-case", { "text", "plain", "AttachMent", FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a1-at-root", { "application", "pdf", "attachment", FALSE, FALSE, ROOT }, MP_PART_ATTACHMENT, 0 },
	{ "a1-with-content-id", { "image", "png", "attachment", FALSE, TRUE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "attachments-is-not-attachment", { "application", "pdf", "attachments", FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	/* A2 */
	{ "a2-inline-with-filename", { "image", "jpeg", "inline", TRUE, TRUE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a2-no-disposition-with-name", { "application", "octet-stream", NULL, TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a2-unknown-disposition-with-name", { "application", "zip", "x-foo", TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a2-at-root", { "application", "pdf", NULL, TRUE, FALSE, ROOT }, MP_PART_ATTACHMENT, 0 },
	/* A3 */
	{ "a3-rfc822", { "message", "rfc822", NULL, FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a3-global", { "message", "global", NULL, FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a3-upper-case", { "MESSAGE", "RFC822", NULL, FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a3-inline-still-counts", { "message", "rfc822", "inline", FALSE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	{ "a3-not-the-message-itself", { "message", "rfc822", NULL, FALSE, FALSE, ROOT }, MP_PART_BODY, 0 },
	{ "message-partial-is-no-a3", { "message", "partial", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	{ "delivery-status-is-no-a3", { "message", "delivery-status", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	/* inline parts: reported, not counted */
	{ "inline-content-id", { "image", "png", NULL, FALSE, TRUE, PLAIN }, MP_PART_INLINE, 0 },
	{ "inline-disposition", { "image", "png", "inline", FALSE, FALSE, PLAIN }, MP_PART_INLINE, 0 },
	{ "inline-disposition-upper", { "image", "png", "INLINE", FALSE, FALSE, PLAIN }, MP_PART_INLINE, 0 },
	{ "inline-text-body", { "text", "plain", "inline", FALSE, FALSE, PLAIN }, MP_PART_INLINE, 0 },
	{ "root-inline-is-body", { "text", "plain", "inline", FALSE, FALSE, ROOT }, MP_PART_BODY, 0 },
	{ "root-content-id-is-body", { "text", "html", NULL, FALSE, TRUE, ROOT }, MP_PART_BODY, 0 },
	/* E1, E2 win over A1 and A2 */
	{ "e1-signature", { "application", "pkcs7-signature", "attachment", TRUE, FALSE, SIG }, MP_PART_EXCLUDED, 0 },
	{ "e1-pgp-signature", { "application", "pgp-signature", NULL, TRUE, FALSE, SIG }, MP_PART_EXCLUDED, 0 },
	{ "e2-control-part", { "application", "pgp-encrypted", "attachment", TRUE, FALSE, CTRL }, MP_PART_EXCLUDED, 0 },
	{ "e2-control-part-plain", { "application", "pgp-encrypted", NULL, FALSE, FALSE, CTRL }, MP_PART_EXCLUDED, 0 },
	/* a signature type in a plain position is an ordinary part */
	{ "p7s-outside-signed-counts", { "application", "pkcs7-signature", "attachment", TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, 0 },
	/* flags */
	{ "tnef", { "application", "ms-tnef", "attachment", TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, MP_MSG_FLAG_TNEF },
	{ "tnef-upper", { "Application", "MS-TNEF", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, MP_MSG_FLAG_TNEF },
	{ "pkcs7-mime", { "application", "pkcs7-mime", "attachment", TRUE, FALSE, ROOT }, MP_PART_ATTACHMENT, MP_MSG_FLAG_SMIME_OPAQUE },
	{ "x-pkcs7-mime", { "application", "x-pkcs7-mime", NULL, TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, MP_MSG_FLAG_SMIME_OPAQUE },
	{ "calendar", { "text", "calendar", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, MP_MSG_FLAG_CALENDAR },
	{ "calendar-attachment", { "text", "calendar", "attachment", TRUE, FALSE, PLAIN }, MP_PART_ATTACHMENT, MP_MSG_FLAG_CALENDAR },
	{ "application-calendar-no-flag", { "application", "calendar", NULL, FALSE, FALSE, PLAIN }, MP_PART_BODY, 0 },
	{ "pkcs7-signature-no-flag", { "application", "pkcs7-signature", NULL, FALSE, FALSE, SIG }, MP_PART_EXCLUDED, 0 },
};

static void
test_classify_case (gconstpointer data)
{
	const ClassCase *c = data;

	g_assert_cmpint (mp_part_classify (&c->info), ==, c->kind);
	g_assert_cmphex (mp_part_flags (&c->info), ==, c->flags);
}

typedef struct {
	const char *param;
	const char *base;
	gboolean    match;
} ParamCase;

static const ParamCase param_cases[] = {
	{ "name", "name", TRUE },
	{ "name*", "name", TRUE },
	{ "name*0", "name", TRUE },
	{ "name*0*", "name", TRUE },
	{ "name*12*", "name", TRUE },
	{ "NAME", "name", TRUE },
	{ "Name*", "name", TRUE },
	{ "filename", "filename", TRUE },
	{ "FILENAME*1*", "filename", TRUE },
	{ "names", "name", FALSE },
	{ "filenamex", "filename", FALSE },
	{ "filename", "name", FALSE },
	{ "nam", "name", FALSE },
	{ "", "name", FALSE },
	{ "x-name", "name", FALSE },
	{ NULL, "name", FALSE },
};

static void
test_param_name_matches (void)
{
	for (gsize i = 0; i < G_N_ELEMENTS (param_cases); i++) {
		const ParamCase *c = &param_cases[i];
		g_test_message ("param %s vs %s", c->param ? c->param : "(null)", c->base);
		g_assert_cmpint (mp_param_name_matches (c->param, c->base), ==, c->match);
	}
}

static void
test_embedded_message (void)
{
	g_assert_true (mp_part_is_embedded_message ("message", "rfc822"));
	g_assert_true (mp_part_is_embedded_message ("Message", "Global"));
	g_assert_false (mp_part_is_embedded_message ("message", "partial"));
	g_assert_false (mp_part_is_embedded_message ("message", "external-body"));
	g_assert_false (mp_part_is_embedded_message ("text", "rfc822"));
	g_assert_false (mp_part_is_embedded_message (NULL, NULL));
	g_assert_false (mp_part_is_embedded_message ("message", NULL));
}

static void
test_flags_string (void)
{
	g_autofree char *none = mp_message_flags_string (0);
	g_autofree char *two = mp_message_flags_string (MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_TNEF);
	g_autofree char *all = mp_message_flags_string (MP_MSG_FLAG_TNEF | MP_MSG_FLAG_SMIME_OPAQUE |
	                                                MP_MSG_FLAG_SIGNED | MP_MSG_FLAG_ENCRYPTED |
	                                                MP_MSG_FLAG_CALENDAR);

	g_assert_cmpstr (none, ==, "");
	g_assert_cmpstr (two, ==, "tnef;signed");
	g_assert_cmpstr (all, ==, "tnef;smime_opaque;signed;encrypted;calendar");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree char *path = g_strdup_printf ("/part-class/classify/%s", cases[i].name);
		g_test_add_data_func (path, &cases[i], test_classify_case);
	}
	g_test_add_func ("/part-class/param-name-matches", test_param_name_matches);
	g_test_add_func ("/part-class/embedded-message", test_embedded_message);
	g_test_add_func ("/part-class/flags-string", test_flags_string);
	return g_test_run ();
}
