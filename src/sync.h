/*
 * sync.h: one run of "renraku sync".
 */
#ifndef RENRAKU_SYNC_H
#define RENRAKU_SYNC_H

#include <glib.h>

#include "run.h"
#include "store.h"

/*
 * Read new platform mail of every account into 'st' and APPEND the
 * follow-up drafts that are due.  An account that fails does not stop the
 * others; the error returned is the worst one met (TEMP before PERM before
 * CONFIG in order of precedence: CONFIG wins), with every account's
 * message.  Returns TRUE when all went well.  'st' may come from
 * store_open_start(): sync_run() calls store_ready() once it connected.
 */
gboolean	sync_run(const struct run *r, struct store *st, GError **err);

#endif
