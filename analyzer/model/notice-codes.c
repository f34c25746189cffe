/* notice-codes.c — see notice-codes.h. */
#include "notice-codes.h"

/* Indexed by MpNotice: the compiler checks each entry's position. */
static const char *const names[MP_NOTICE_COUNT] = {
	[MP_NOTICE_FOLDER_LEFT_OUT] = "folder-left-out",
	[MP_NOTICE_SYMLINK_NOT_FOLLOWED] = "symlink-not-followed",
	[MP_NOTICE_JUNK_BEFORE_FIRST_MESSAGE] = "junk-before-first-message",
	[MP_NOTICE_UW_IMAP_INTERNAL_DATA_SKIPPED] = "uw-imap-internal-data-skipped",
	[MP_NOTICE_FILE_GREW_DURING_SCAN] = "file-grew-during-scan",
	[MP_NOTICE_DELETED_DURING_SCAN] = "deleted-during-scan",
	[MP_NOTICE_SIZE_ESTIMATED] = "size-estimated",
	[MP_NOTICE_NO_ACTIVITY_EVIDENCE] = "no-activity-evidence",
};

const char *
mp_notice_name (MpNotice notice)
{
	g_return_val_if_fail ((guint) notice < MP_NOTICE_COUNT, "unknown");
	return names[notice];
}
