/*
 * policy.c: phases, the ladder and the draft life cycle.
 */
#include <glib/gi18n.h>

#include "policy.h"

#include <string.h>

/* The ids of JSON and template sections; status shows them translated. */
static const char *const phase_names[PHASE_NPHASES] = {
	N_("negotiating"), N_("active"), N_("contracted"), N_("funded"),
	N_("delivered"), N_("closed"),
};
static const char *const mark_names[MARK_NKINDS] = {
	"sent", "replied", "snooze", "done", "resume", "dormant",
};
static const char *const draft_state_names[DRAFT_NSTATES] = {
	"pending", "live", "sent", "edited", "removed", "removing",
};

void
policy_init_default(struct policy *p)
{
	guint	i;

	memset(p, 0, sizeof *p);
	for (i = 0; i < POLICY_STEPS; i++)
		p->step_days[i] = 3;	/* the article: 3 days to a week */
}

gboolean
policy_dormant(const struct policy *p, const struct decision *d)
{
	guint	horizon = p->horizon_days, i;

	if (horizon == 0)	/* the whole ladder and a week */
		for (i = 0, horizon = POLICY_HORIZON_MARGIN; i < POLICY_STEPS;
		    i++)
			horizon += p->step_days[i];
	return (d->step_due > 0 && d->live < 0 && d->days_silent > horizon);
}

void
policy_apply(struct policy *p, const struct policy_override *o)
{
	guint	i;

	for (i = 0; i < POLICY_STEPS; i++)
		if (o->step_days[i] > 0)
			p->step_days[i] = (guint)o->step_days[i];
	if (o->remedy_days >= 0)
		p->remedy_days = (guint)o->remedy_days;
	if (o->remedy_in_contract >= 0)
		p->remedy_in_contract = o->remedy_in_contract != 0;
	if (o->prepaid >= 0)
		p->prepaid = o->prepaid != 0;
	if (o->auto_accept_hours >= 0)
		p->auto_accept_hours = (guint)o->auto_accept_hours;
	if (o->accept_days >= 0)
		p->accept_days = (guint)o->accept_days;
	if (o->horizon_days > 0)
		p->horizon_days = (guint)o->horizon_days;
}

const char *
phase_name(enum phase phase)
{
	return (phase < PHASE_NPHASES ? phase_names[phase] : "?");
}

const char *
mark_kind_name(enum mark_kind kind)
{
	return (kind < MARK_NKINDS ? mark_names[kind] : "?");
}

int
mark_kind_from_name(const char *name)
{
	int	i;

	for (i = 0; i < MARK_NKINDS; i++)
		if (strcmp(mark_names[i], name) == 0)
			return (i);
	return (-1);
}

const char *
draft_state_name(enum draft_state state)
{
	return (state < DRAFT_NSTATES ? draft_state_names[state] : "?");
}

int
draft_state_from_name(const char *name)
{
	int	i;

	for (i = 0; i < DRAFT_NSTATES; i++)
		if (strcmp(draft_state_names[i], name) == 0)
			return (i);
	return (-1);
}

gboolean
policy_is_client_event(enum event_kind kind)
{
	switch (kind) {
	case EVENT_UNKNOWN:
	case EVENT_REQUEST:
	case EVENT_MESSAGE:
	case EVENT_SCOUT:
	case EVENT_CONTRACT:
	case EVENT_ESCROW:
	case EVENT_ACCEPTED:
	case EVENT_RETURNED:
		return (TRUE);
	default:
		return (FALSE);
	}
}

/* The phase after 'kind' happened in phase 'ph' ('prepaid': a contract
 * is paid for when it is made). */
static enum phase
next_phase(enum phase ph, gboolean seen, enum event_kind kind,
    gboolean prepaid)
{
	switch (kind) {
	case EVENT_SCOUT:
		return (seen ? ph : PHASE_NEGOTIATING);
	case EVENT_MESSAGE:
	case EVENT_REQUEST:
		return (seen ? ph : PHASE_ACTIVE);
	case EVENT_CONTRACT:
		return (prepaid ? PHASE_FUNDED : PHASE_CONTRACTED);
	case EVENT_ESCROW:
	case EVENT_RETURNED:
		return (PHASE_FUNDED);
	case EVENT_DELIVERY:
		return (PHASE_DELIVERED);
	default:
		return (event_closes_contract(kind) ? PHASE_CLOSED : ph);
	}
}

static int
cmp_time(gconstpointer a, gconstpointer b)
{
	gint64	x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x < y ? -1 : x > y);
}

/* What read_history() learns besides the decision. */
struct history {
	gboolean	 seen;		/* an event renraku could read */
	gboolean	 asked;		/* the anchor is the client's request */
	gint64		 delivered;	/* the last delivery, or 0 */
	gint64		 done_at, resume_at, snooze_at;	/* -1: none */
	gint64		 dormant_at;			/* -1: none */
	guint		 snooze_days;
};

/* Phase, anchor and the user's marks. */
static void
read_history(const struct thread_state *t, const struct policy *p,
    struct decision *d, struct history *h)
{
	guint		i;

	d->phase = PHASE_ACTIVE;
	for (i = 0; i < t->events->len; i++) {
		const struct thread_event *e = &g_array_index(t->events,
		    struct thread_event, i);

		d->phase = next_phase(d->phase, h->seen, e->kind, p->prepaid);
		if (e->kind != EVENT_UNKNOWN && e->kind != EVENT_NOISE)
			h->seen = TRUE;
		if (e->kind == EVENT_DELIVERY)
			h->delivered = e->time;
		if (policy_is_client_event(e->kind) &&
		    (!d->has_client || e->time > d->last_client)) {
			d->has_client = TRUE;
			d->last_client = e->time;
		}
		/* the user's delivery puts the ball in the client's court */
		if ((policy_is_client_event(e->kind) ||
		    e->kind == EVENT_DELIVERY) && e->time > d->anchor) {
			d->anchor = e->time;
			d->since_delivery = e->kind == EVENT_DELIVERY;
			d->unread = e->kind == EVENT_UNKNOWN;
			h->asked = e->kind == EVENT_REQUEST;
		}
	}
	for (i = 0; i < t->marks->len; i++) {
		const struct thread_mark *m = &g_array_index(t->marks,
		    struct thread_mark, i);

		switch (m->kind) {
		case MARK_REPLIED:
			if (!d->has_client || m->time > d->last_client) {
				d->has_client = TRUE;
				d->last_client = m->time;
			}
			if (m->time > d->anchor) {
				d->anchor = m->time;
				d->since_delivery = d->unread = FALSE;
				h->asked = FALSE;
			}
			break;
		case MARK_DONE:
			h->done_at = m->time;
			break;
		case MARK_RESUME:
			h->resume_at = m->time;
			break;
		case MARK_SNOOZE:
			h->snooze_at = m->time;
			h->snooze_days = m->days;
			break;
		case MARK_DORMANT:
			h->dormant_at = m->time;
			break;
		default:
			break;
		}
	}
}

/* A follow-up the user made: when, and how renraku learnt it. */
struct contact {
	gint64		 time;
	gboolean	 mark;	/* "mark sent"; else a draft left Drafts */
};

static int
cmp_contact(gconstpointer a, gconstpointer b)
{
	return (cmp_time(&((const struct contact *)a)->time,
	    &((const struct contact *)b)->time));
}

/*
 * How many steps the user made since the anchor, and when the last was.
 * A draft that left Drafts and a "mark sent" within a business day of
 * each other are one follow-up told twice (pasted, deleted and marked),
 * not two.
 */
static void
count_made(const struct thread_state *t, const struct policy *p,
    struct decision *d)
{
	GArray		*all = g_array_new(FALSE, FALSE, sizeof(struct contact));
	struct contact	 c, *prev = NULL;
	GDate		 a, b;
	gboolean	 paired = FALSE;
	guint		 i, made = 0;

	d->live = d->edited = -1;
	for (i = 0; i < t->drafts->len; i++) {
		const struct thread_draft *r = &g_array_index(t->drafts,
		    struct thread_draft, i);

		if (r->state == DRAFT_LIVE || r->state == DRAFT_PENDING)
			d->live = (int)i;
		if (r->state == DRAFT_EDITED && r->anchor == d->anchor)
			d->edited = (int)i;
		if (r->state == DRAFT_SENT && r->anchor == d->anchor) {
			c.time = r->changed;
			c.mark = FALSE;
			g_array_append_val(all, c);
		}
	}
	for (i = 0; i < t->marks->len; i++) {
		const struct thread_mark *m = &g_array_index(t->marks,
		    struct thread_mark, i);

		if (m->kind == MARK_SENT && m->time > d->anchor) {
			c.time = m->time;
			c.mark = TRUE;
			g_array_append_val(all, c);
		}
	}
	g_array_sort(all, cmp_contact);
	g_date_clear(&a, 1);
	g_date_clear(&b, 1);
	for (i = 0; i < all->len; i++) {
		struct contact *x = &g_array_index(all, struct contact, i);

		if (prev != NULL && !paired && prev->mark != x->mark) {
			bizday_jst_date(prev->time, &a);
			bizday_jst_date(x->time, &b);
			if (bizday_between(p->cal, &a, &b) <= 1) {
				paired = TRUE;	/* the same follow-up */
				continue;
			}
		}
		made++;
		prev = x;
		paired = FALSE;
		d->made_at = x->time;
		d->signal = x->mark ? N_("marked sent") :
		    N_("draft left Drafts");
	}
	d->made = MIN(made, POLICY_STEPS);
	g_array_unref(all);
}

/*
 * Whether the platform's own condition for step 3 holds 'today'; if not,
 * 'd' says why, and when the condition will hold.
 */
static gboolean
remedy_open(const struct policy *p, const GDate *today, struct decision *d)
{
	GDate	remedy;

	if (p->remedy_in_contract && d->phase != PHASE_CONTRACTED &&
	    d->phase != PHASE_FUNDED && d->phase != PHASE_DELIVERED) {
		/* e.g. CrowdWorks: only during a contract */
		d->why = N_("the platform's remedy needs a contract");
		d->next_step = 0;
		return (FALSE);
	}
	if (p->remedy_days == 0)
		return (TRUE);
	g_date_clear(&remedy, 1);
	bizday_jst_date(d->last_client, &remedy);
	g_date_add_days(&remedy, p->remedy_days);
	if (g_date_compare(&remedy, &d->next_date) > 0)
		d->next_date = remedy;
	if (g_date_compare(today, &remedy) >= 0)
		return (TRUE);
	d->why = N_("the platform asks for more days without contact");
	return (FALSE);
}

void
policy_decide(const struct thread_state *t, const struct policy *p,
    gint64 now, struct decision *d)
{
	struct history	 h = { FALSE, FALSE, 0, -1, -1, -1, -1, 0 };
	GDate		 today, base;
	guint		 step;
	gboolean	 due, closed;

	memset(d, 0, sizeof *d);
	g_date_clear(&d->next_date, 1);
	g_date_clear(&today, 1);
	read_history(t, p, d, &h);
	count_made(t, p, d);
	bizday_jst_date(now, &today);
	if (d->phase == PHASE_DELIVERED && p->auto_accept_hours > 0 &&
	    h.delivered > 0) {
		d->auto_accept = h.delivered + (gint64)p->auto_accept_hours *
		    3600;
		if (now >= d->auto_accept)
			d->phase = PHASE_CLOSED;
	}
	closed = d->phase == PHASE_CLOSED || h.done_at > h.resume_at;
	if (closed)
		d->phase = PHASE_CLOSED;
	if (d->anchor > 0) {
		g_date_clear(&base, 1);
		bizday_jst_date(d->anchor, &base);
		d->days_silent = bizday_between(p->cal, &base, &today);
	}

	if (d->edited >= 0 && d->live < 0) {
		/* the user's own version is waiting: theirs to send */
		d->why = N_("you edited the draft; renraku leaves it to you");
		return;
	}
	if (closed && d->auto_accept > 0 && h.done_at <= h.resume_at)
		d->why = N_("the platform accepted the delivery by itself");
	else if (closed)
		d->why = N_("the contract is closed");
	else if (d->anchor == 0)
		d->why = N_("no client event yet");
	else if (!h.seen)
		d->why = N_("only platform mail renraku could not read: see "
		    "renraku explain");
	else if (d->phase == PHASE_NEGOTIATING)
		d->why = N_("before a contract: answer the client on the "
		    "platform");
	else if (h.asked)
		d->why = N_("the client asked you to act (such as ending the "
		    "contract): answer on the platform");
	else if (d->auto_accept > 0) {
		/* e.g. Coconala: 承諾 comes by itself, no request needed */
		bizday_jst_date(d->auto_accept, &d->next_date);
		d->why = N_("the platform accepts the delivery by itself");
	} else if (d->made >= POLICY_STEPS)
		d->why = N_("all steps made: the platform's remedy is yours to "
		    "use");
	if (d->why != NULL) {
		if (d->live >= 0)
			d->action = ACTION_REMOVE;
		return;
	}

	if (h.snooze_at > h.resume_at) {
		GDate until;

		g_date_clear(&until, 1);
		bizday_jst_date(h.snooze_at, &until);
		bizday_add(p->cal, &until, h.snooze_days);
		if (g_date_compare(&today, &until) < 0) {
			/* a waiting draft would go stale: taken back */
			d->snoozed = TRUE;
			d->why = N_("snoozed");
			d->next_date = until;
			if (d->live >= 0)
				d->action = ACTION_REMOVE;
			return;
		}
	}

	/* left dormant by the first sync, until the client or you act */
	if (h.dormant_at > h.resume_at && d->anchor <= h.dormant_at &&
	    (d->made == 0 || d->made_at <= h.dormant_at)) {
		d->dormant = TRUE;
		d->why = N_("dormant: silent longer than the ladder when renraku "
		    "first read it");
		if (d->live >= 0)
			d->action = ACTION_REMOVE;
		return;
	}

	step = d->made + 1;
	g_date_clear(&base, 1);
	bizday_jst_date(d->made == 0 ? d->anchor : d->made_at, &base);
	bizday_add(p->cal, &base, p->step_days[d->made]);
	d->next_step = step;
	d->next_date = base;
	due = g_date_compare(&today, &base) >= 0;
	d->why = d->made > 0 ? N_("silent since the last follow-up was made") :
	    d->since_delivery ? N_("silent since your delivery") :
	    d->unread ? N_("silent since a platform mail renraku could not "
	    "read, counted as the client's") :
	    N_("silent since the last client event");
	if (step == POLICY_STEPS && !remedy_open(p, &today, d))
		due = FALSE;
	if (due) {
		d->step_due = step;
		d->action = d->live >= 0 ? ACTION_REFRESH : ACTION_CREATE;
	} else if (d->live >= 0) {
		d->action = ACTION_REMOVE;
		/* why it goes, not why the next one waits */
		if (g_array_index(t->drafts, struct thread_draft,
		    d->live).anchor < d->anchor)
			d->why = d->unread ? N_("a platform mail renraku "
			    "could not read came after it was drafted, counted "
			    "as the client's") : N_("the client was heard from "
			    "after it was drafted");
	}
}

const char *
policy_template(enum phase phase, guint step)
{
	if (step >= POLICY_STEPS)
		return ("escalation");
	if (step == 2)
		return (phase == PHASE_CONTRACTED ? "end-contract" :
		    "followup-2");
	switch (phase) {
	case PHASE_CONTRACTED:
		return ("request-escrow");
	case PHASE_DELIVERED:
		return ("request-acceptance");
	default:
		return ("followup-1");
	}
}
