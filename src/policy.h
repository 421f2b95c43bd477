/*
 * policy.h: when a silent client gets a follow-up.  Pure functions of a
 * thread's history and the time given: no I/O, no clock.
 */
#ifndef RENRAKU_POLICY_H
#define RENRAKU_POLICY_H

#include <glib.h>

#include "rules.h"

struct thread_event {
	enum event_kind	 kind;
	gint64		 time;		/* Unix time */
};

struct thread_draft {
	guint		 step;
	gint64		 anchor;	/* the client event it follows up */
	gboolean	 done;		/* APPENDed (else only intended) */
	gint64		 created;
};

/* A thread's history, as the store keeps it. */
struct thread_state {
	GArray		*events;	/* of struct thread_event */
	GArray		*drafts;	/* of struct thread_draft */
};

struct policy {
	guint		 step1_days;	/* business days before step 1 */
};

struct decision {
	gboolean	 closed;	/* paid or ended: no more drafts */
	gboolean	 has_client;	/* a client event exists */
	gboolean	 negotiating;	/* only scouts so far: no contract */
	gint64		 last_client;	/* time of the latest client event */
	guint		 days_silent;	/* business days since last_client */
	guint		 step_due;	/* the step to draft now, or 0 */
	guint		 next_step;	/* the step that comes next, or 0 */
	GDate		 next_date;	/* when next_step falls due */
	guint		 drafted_step;	/* the latest step drafted for the
					   current silence, or 0 */
	gint64		 drafted_at;
};

/* Whether an event of this kind is the client speaking or acting. */
gboolean	policy_is_client_event(enum event_kind kind);

/* Whether an event of this kind ends the thread. */
gboolean	policy_closes(enum event_kind kind);

/*
 * Decide what to do with thread 't' at Unix time 'now' under 'p'.
 * The silence counted is the business days (Japan) after the day of the
 * latest client event up to today; a newer client event starts it again.
 */
void		policy_decide(const struct thread_state *t,
		    const struct policy *p, gint64 now, struct decision *d);

#endif
