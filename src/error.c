#include "error.h"

G_DEFINE_QUARK(renraku-error-quark, renraku_error)
