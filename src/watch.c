/*
 * watch.c: an IDLE loop around sync_run().
 */
#include <glib/gi18n.h>

#include "watch.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "imap.h"
#include "sync.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = 1;
}

/* Sleep 'seconds' unless a signal comes. */
static void
nap(guint seconds)
{
	while (seconds-- > 0 && !stop)
		sleep(1);
}

/* One sync under the lock; errors are reported and survived. */
static void
sync_once(struct run *r, struct store *st, watch_clock_fn clock)
{
	GError	*e = NULL;
	int	 lock;

	g_date_time_unref(r->now);
	r->now = clock();
	if ((lock = run_lock(r->cfg->state_dir, &e)) == -1) {
		if (r->verbose > 0)
			log_error("%s", e->message);
		g_error_free(e);
		return;
	}
	if (!sync_run(r, st, &e)) {
		log_error("%s", e->message);
		g_error_free(e);
	}
	run_unlock(lock);
}

gboolean
watch_run(struct run *r, struct store *st, guint interval,
    watch_clock_fn clock, GError **err)
{
	const struct account	*acct = r->cfg->accounts->pdata[0];
	struct run_login	 l = { r, acct };
	struct sigaction	 sa;
	struct imap_mailbox	 mb;
	struct imap		*s = NULL;
	GError			*e = NULL;
	guint			 backoff = 5;
	int			 n;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop = 0;
	sync_once(r, st, clock);
	while (!stop) {
		if (s == NULL) {
			s = imap_open(acct, run_secret, &l, r->cfg->timeout,
			    r->verbose > 1, NULL, &e);
			if (s == NULL || !imap_examine(s, acct->mailboxes[0],
			    &mb, &e)) {
				log_error(_("watch: %s; again in %u s"),
				    e->message, backoff);
				g_clear_error(&e);
				imap_close(s);
				s = NULL;
				nap(backoff);
				backoff = MIN(backoff * 2, 300);
				continue;
			}
			backoff = 5;
			if (r->verbose > 0)
				printf(_("watching %s of %s\n"),
				    acct->mailboxes[0], acct->name);
		}
		n = imap_idle(s, interval, &e);
		if (n == -2)
			nap(interval);	/* no IDLE here: poll */
		else if (n == -1) {
			log_error(_("watch: %s; reconnecting"), e->message);
			g_clear_error(&e);
			imap_close(s);
			s = NULL;
			continue;
		}
		if (!stop)
			sync_once(r, st, clock);
	}
	imap_close(s);
	return (TRUE);
}
