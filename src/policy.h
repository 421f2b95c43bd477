/*
 * policy.h: what the article says to do about a silent client, as pure
 * functions of a thread's history and the time given: no I/O, no clock.
 *
 * The ladder: step 1, a polite follow-up once the client has been silent
 * step_days[0] business days; step 2 once step 1 was made (the draft left
 * Drafts, or the user marked it sent) and step_days[1] more business days
 * passed with no client event; step 3, a note to the user on how to ask the
 * platform to step in (連絡催促申請), once step 2 was made, step_days[2] more
 * business days passed and the platform's own condition holds.
 */
#ifndef RENRAKU_POLICY_H
#define RENRAKU_POLICY_H

#include <glib.h>

#include "bizday.h"
#include "event.h"

/* The steps of the ladder: two follow-ups, then the platform's remedy. */
#define POLICY_HORIZON_MARGIN	5	/* business days past the ladder */
#define POLICY_STEPS	3

/* Where a contract stands, from its events. */
enum phase {
	PHASE_NEGOTIATING,	/* scout or proposal only */
	PHASE_ACTIVE,		/* messages, but no contract event seen */
	PHASE_CONTRACTED,	/* contract made, escrow not funded */
	PHASE_FUNDED,		/* 仮払い済 */
	PHASE_DELIVERED,	/* 納品済, waiting for 検収 */
	PHASE_CLOSED,		/* accepted, paid, ended or marked done */
	PHASE_NPHASES
};

struct thread_event {
	enum event_kind	 kind;
	gint64		 time;		/* Unix time */
};

/* What the user told renraku with "renraku mark". */
enum mark_kind {
	MARK_SENT,		/* I sent the next follow-up myself */
	MARK_REPLIED,		/* the client answered (off the platform) */
	MARK_SNOOZE,		/* no drafts for 'days' business days */
	MARK_DONE,		/* nothing more to do here */
	MARK_RESUME,		/* undo done, snooze and dormant */
	MARK_DORMANT,		/* renraku's, on a first sync: the silence
				   is older than the ladder */
	MARK_NKINDS
};

struct thread_mark {
	enum mark_kind	 kind;
	gint64		 time;
	guint		 days;		/* MARK_SNOOZE */
};

enum draft_state {
	DRAFT_PENDING,		/* about to be APPENDed */
	DRAFT_LIVE,		/* in Drafts, as renraku made it */
	DRAFT_SENT,		/* left Drafts: the user sent it */
	DRAFT_EDITED,		/* the user changed it: never touched again */
	DRAFT_REMOVED,		/* renraku took it back (replaced, stale) */
	DRAFT_REMOVING,		/* being taken back: recorded before the
				   delete, finished by the next run if this
				   one dies first */
	DRAFT_NSTATES
};

struct thread_draft {
	char		*message_id;	/* owned by the array's owner */
	char		*content_hash;	/* of subject and body rendered */
	char		*raw_hash;	/* of the message APPENDed */
	char		*inputs_hash;	/* of what it was composed from
					   (compose_fingerprint()), or
					   NULL */
	guint		 step;
	gint64		 anchor;	/* the silence it follows up */
	enum draft_state state;
	gint64		 created;
	gint64		 changed;	/* when it reached its state */
};

/* A thread's history, oldest first in each array. */
struct thread_state {
	GArray		*events;	/* of struct thread_event */
	GArray		*drafts;	/* of struct thread_draft */
	GArray		*marks;		/* of struct thread_mark */
};

/* The numbers of the ladder, for one platform. */
struct policy {
	guint		 step_days[POLICY_STEPS];	/* business days before
							   each step */
	guint		 remedy_days;	/* calendar days without contact
					   the platform asks before step 3 */
	gboolean	 remedy_in_contract;	/* step 3 only during a
						   contract (CrowdWorks) */
	gboolean	 prepaid;	/* the client pays when the contract is
					   made (Coconala): no unfunded phase */
	guint		 auto_accept_hours;	/* the platform accepts a
						   delivery by itself this
						   long after it (Coconala's
						   72); 0: never */
	guint		 accept_days;	/* days the platform gives the client
					   to accept a delivery, as advice
					   (CrowdWorks' 7); 0: none said */
	guint		 horizon_days;	/* a first sync drafts no silence of
					   more business days than this */
	const struct bizcal *cal;	/* NULL: the default calendar */
};

/*
 * Numbers of the ladder set by a rules file or a user's config, to lay
 * over the defaults; -1 where not set.
 */
struct policy_override {
	int		 step_days[POLICY_STEPS];	/* step1_days ..
							   step3_days */
	int		 remedy_days;
	int		 remedy_in_contract;	/* 0, 1, or -1 */
	int		 prepaid;		/* 0, 1, or -1 */
	int		 auto_accept_hours;
	int		 accept_days;
	int		 horizon_days;		/* first_sync_horizon */
};

/* Lay the values 'o' sets over 'p'. */
void		policy_apply(struct policy *p, const struct policy_override *o);

enum action {
	ACTION_NONE,
	ACTION_CREATE,		/* APPEND the draft of step_due */
	ACTION_REFRESH,		/* the live draft's facts changed: replace */
	ACTION_REMOVE,		/* the live draft is stale: take it back */
};

struct decision {
	enum phase	 phase;
	gboolean	 has_client;	/* a client event exists */
	gint64		 last_client;	/* its time */
	gint64		 anchor;	/* when the silence began: the last
					   client event or the user's
					   delivery, whichever is later */
	gboolean	 since_delivery; /* the anchor is the user's delivery */
	gboolean	 unread;	/* the anchor is a platform mail of the
					   thread renraku could not read
					   (EVENT_UNKNOWN), counted as the
					   client's */
	gint64		 auto_accept;	/* when the platform accepts the
					   delivery by itself, or 0 */
	guint		 days_silent;	/* business days since the anchor */
	guint		 made;		/* steps made in this silence */
	gint64		 made_at;	/* when the last of them was made */
	const char	*signal;	/* how 'made' was learnt, or NULL */
	int		 live;		/* index in drafts of the live or
					   pending draft, or -1 */
	int		 edited;	/* index of an edited draft, or -1 */
	guint		 step_due;	/* the step whose draft should be in
					   Drafts now, or 0 */
	enum action	 action;
	guint		 next_step;	/* the step that comes next, or 0 */
	GDate		 next_date;	/* when it falls due (valid if set) */
	gboolean	 snoozed;
	gboolean	 dormant;	/* left alone since the first sync */
	const char	*why;		/* the rule that decided, in words */
};

/*
 * Whether a first sync should leave the thread of decision 'd' dormant
 * (MARK_DORMANT) rather than draft: a follow-up would be due for a
 * silence of more than the policy's horizon.  The article's ladder is for
 * a fresh silence; one older than the whole ladder is history, and a new
 * user's Drafts would fill with it.
 */
gboolean	policy_dormant(const struct policy *p, const struct decision *d);

/* The policy the article and the platforms give (3, 3, 3 days; none). */
void		policy_init_default(struct policy *p);

/* "negotiating", "funded", ...; "sent", "replied", ...; "live", .... */
const char	*phase_name(enum phase phase);
const char	*mark_kind_name(enum mark_kind kind);
int		 mark_kind_from_name(const char *name);	/* or -1 */
const char	*draft_state_name(enum draft_state state);
int		 draft_state_from_name(const char *name);	/* or -1 */

/*
 * Whether an event of this kind is the client speaking or acting.  A
 * platform mail of the thread renraku could not read (EVENT_UNKNOWN)
 * counts as one: renraku never claims silence past it.
 */
gboolean	policy_is_client_event(enum event_kind kind);

/*
 * Decide what to do with thread 't' at Unix time 'now' under 'p'.
 * At most one renraku draft per thread exists at a time: the decision
 * says whether to create it, refresh it or take it back.  No draft is
 * made for a thread of which renraku could read no mail, while the
 * client's request (EVENT_REQUEST) waits for the user's answer, or
 * while the platform will accept a delivery by itself (auto_accept_hours;
 * once that time has passed the thread is closed).
 */
void		policy_decide(const struct thread_state *t,
		    const struct policy *p, gint64 now, struct decision *d);

/*
 * The template of the situation: which file a draft of 'step' in 'phase'
 * is rendered from ("followup-1", "request-escrow", "end-contract",
 * "request-acceptance", "followup-2", "escalation").
 */
const char	*policy_template(enum phase phase, guint step);

#endif
