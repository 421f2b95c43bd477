/*
 * watch.c: an IDLE loop around sync_run(), one connection per watched
 * mailbox of every account.
 */
#include <glib/gi18n.h>

#include "watch.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "imap.h"
#include "sync.h"

#define BACKOFF_MIN	5
#define BACKOFF_MAX	300
#define IDLE_MAX	(29 * 60)	/* RFC 2177: renew IDLE before 30 min */

/* One watched mailbox and its connection. */
struct watcher {
	struct run_login	 login;		/* imap_open()'s secret context */
	const char		*mailbox;
	struct imap		*s;		/* NULL: not connected */
	int			 fd;		/* in IDLE: its descriptor */
	guint			 backoff;	/* the next wait after a failure */
	gint64			 retry;		/* connect again at (monotonic) */
	gboolean		 polled;	/* no IDLE there: the interval
						   polls it, unconnected */
	gboolean		 proven;	/* an IDLE went through since it
						   connected */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = 1;
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

/*
 * Connect w and examine its mailbox, unless it is connected, left to
 * polling, or its backoff still runs at 'now' (monotonic microseconds).
 * Returns TRUE when it connected now: mail may have come while it was
 * not watching, so a sync is due.  A failure is reported and sets the
 * next try.
 */
static gboolean
connect_watcher(struct watcher *w, const struct run *r, gint64 now)
{
	const struct account	*acct = w->login.acct;
	struct imap_login	 login;
	struct imap_mailbox	 mb;
	GError			*e = NULL;

	if (w->s != NULL || w->polled || now < w->retry)
		return (FALSE);
	run_imap_login(acct, &login);
	w->s = imap_open(&login, run_secret, &w->login, r->cfg->timeout,
	    r->verbose > 1, NULL, &e);
	if (w->s == NULL || !imap_examine(w->s, w->mailbox, &mb, &e)) {
		log_error(_("watch: %s; again in %u s"), e->message,
		    w->backoff);
		g_clear_error(&e);
		imap_close(w->s);
		w->s = NULL;
		w->retry = now + (gint64)w->backoff * G_USEC_PER_SEC;
		w->backoff = MIN(w->backoff * 2, BACKOFF_MAX);
		return (FALSE);
	}
	w->proven = FALSE;
	if (r->verbose > 0) {
		printf(_("watching %s of %s\n"), w->mailbox, acct->name);
		fflush(stdout);
	}
	return (TRUE);
}

/*
 * Drop w's connection after the failure 'e' at 'now' (monotonic
 * microseconds).  A connection that had worked is opened again at once
 * (a network change, a suspend); one that fails before its first IDLE
 * went through waits out the backoff, so that a server that accepts
 * logins and then fails is not hammered.
 */
static void
drop_watcher(struct watcher *w, GError *e, gint64 now)
{
	if (w->proven) {
		log_error(_("watch: %s; reconnecting"), e->message);
		w->retry = 0;
	} else {
		log_error(_("watch: %s; again in %u s"), e->message,
		    w->backoff);
		w->retry = now + (gint64)w->backoff * G_USEC_PER_SEC;
		w->backoff = MIN(w->backoff * 2, BACKOFF_MAX);
	}
	imap_close(w->s);
	w->s = NULL;
	w->fd = -1;
}

gboolean
watch_run(struct run *r, struct store *st, guint interval,
    watch_clock_fn clock, GError **err)
{
	struct sigaction	 sa;
	struct watcher		*ws;
	struct pollfd		*pfd;
	GError			*e = NULL;
	gint64			 now, next_sync, until;
	guint			 i, j, n = 0, np;
	gboolean		 news;

	for (i = 0; i < r->cfg->accounts->len; i++)
		n += g_strv_length(((struct account *)
		    r->cfg->accounts->pdata[i])->mailboxes);
	ws = g_new0(struct watcher, n);
	pfd = g_new0(struct pollfd, n);
	n = 0;
	for (i = 0; i < r->cfg->accounts->len; i++) {
		const struct account *acct = r->cfg->accounts->pdata[i];

		for (j = 0; acct->mailboxes[j] != NULL; j++, n++) {
			ws[n].login.r = r;
			ws[n].login.acct = acct;
			ws[n].mailbox = acct->mailboxes[j];
			ws[n].fd = -1;
			ws[n].backoff = BACKOFF_MIN;
		}
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop = 0;
	next_sync = 0;	/* the first sync, once the connections are up */
	while (!stop) {
		/*
		 * connect what is due (a new connection calls for a sync) and
		 * put every connection in IDLE
		 */
		now = g_get_monotonic_time();
		until = MIN(next_sync, now + (gint64)IDLE_MAX * G_USEC_PER_SEC);
		news = FALSE;
		np = 0;
		for (i = 0; i < n && !stop; i++) {
			news |= connect_watcher(&ws[i], r, now);
			if (ws[i].s == NULL) {	/* polled, or its retry due */
				if (!ws[i].polled)
					until = MIN(until, ws[i].retry);
				continue;
			}
			ws[i].fd = imap_idle_start(ws[i].s, &e);
			if (ws[i].fd == -1) {
				drop_watcher(&ws[i], e, now);
				g_clear_error(&e);
				until = MIN(until, ws[i].retry);
				continue;
			}
			if (ws[i].fd == -2) {	/* the interval polls it */
				if (r->verbose > 0)
					printf(_("%s of %s: the server has no "
					    "IDLE; syncing every %u s\n"),
					    ws[i].mailbox,
					    ws[i].login.acct->name, interval);
				imap_close(ws[i].s);
				ws[i].s = NULL;
				ws[i].polled = TRUE;
				continue;
			}
			news |= imap_idle_pending(ws[i].s);
			pfd[np].fd = ws[i].fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			np++;
		}

		/* wait for news, the interval, a reconnection or a signal */
		now = g_get_monotonic_time();
		if (!news && !stop && until > now &&
		    poll(pfd, np, (int)((until - now + 999) / 1000)) > 0)
			news = TRUE;	/* any untagged data is worth a sync */

		for (i = 0; i < n; i++) {
			if (ws[i].s == NULL || ws[i].fd < 0)
				continue;
			ws[i].fd = -1;
			if (imap_idle_done(ws[i].s, &e)) {
				ws[i].proven = TRUE;
				ws[i].backoff = BACKOFF_MIN;
			} else {
				drop_watcher(&ws[i], e, g_get_monotonic_time());
				g_clear_error(&e);
			}
		}
		if (stop)
			break;
		if (news || g_get_monotonic_time() >= next_sync) {
			sync_once(r, st, clock);
			next_sync = g_get_monotonic_time() +
			    (gint64)interval * G_USEC_PER_SEC;
		}
	}
	for (i = 0; i < n; i++)
		imap_close(ws[i].s);
	g_free(pfd);
	g_free(ws);
	return (TRUE);
}
