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
 * Sync, then keep one connection in IDLE on each watched mailbox of every
 * account and sync again whenever a server reports a change or 'interval'
 * seconds pass (a mailbox on a server without IDLE is left to that
 * interval); each sync takes the lock in state_dir, so cron runs still
 * interleave, and a sync follows every (re)connection, for the mail that
 * came while nobody watched.  A connection that had worked and fails is
 * opened again at once; one that cannot connect or fails before its first
 * IDLE went through waits 5 s, doubling up to 5 min.  The others keep
 * watching.  Runs until SIGINT or SIGTERM, then returns TRUE.
 * 'clock' gives each sync's time (r->now is replaced and owned here).
 */
gboolean	watch_run(struct run *r, struct store *st, guint interval,
		    watch_clock_fn clock, GError **err);

#endif
