/* source-mbox.h — the mbox backend's folder walk and worker, shared with
 * the folder-of-mbox backend (source-mboxdir.c), whose folders are mbox
 * files. Private to analyzer/. */
#pragma once

#include "source.h"

G_BEGIN_DECLS

gboolean mp_mbox_enumerate (MpSource *src, const MpFolder *folder, MpBatchFunc emit,
                            MpNoticeFunc notice, gpointer user_data, GError **error);
void     mp_mbox_analyze   (MpSource *src, MpBatch *batch, MpAnalyzer *analyzer);

G_END_DECLS
