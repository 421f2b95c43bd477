/*
 * watch.h: "renraku watch": sync as soon as mail arrives.
 */
#ifndef RENRAKU_WATCH_H
#define RENRAKU_WATCH_H

#include <glib.h>

#include "run.h"
#include "store.h"

/* The clock, read by main(): a new GDateTime for now. */
typedef GDateTime	*(*watch_clock_fn)(void);

/*
 * Sync, then wait in IDLE on the first watched mailbox of the first
 * account and sync again whenever the server reports a change or
 * 'interval' seconds pass (polling where the server has no IDLE); each
 * sync takes the lock in state_dir, so cron runs still interleave.  After
 * a network failure, reconnect with exponential backoff (5 s to 5 min).
 * Runs until SIGINT or SIGTERM, then returns TRUE.  'clock' gives each
 * sync's time (r->now is replaced and owned here).
 */
gboolean	watch_run(struct run *r, struct store *st, guint interval,
		    watch_clock_fn clock, GError **err);

#endif
