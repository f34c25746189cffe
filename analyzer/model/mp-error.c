#include "mp-error.h"

G_DEFINE_QUARK (mailpreflight-error-quark, mp_error)
