/*
 * policy.c: the follow-up rule.
 */
#include "policy.h"

#include <string.h>

#include "bizday.h"

gboolean
policy_is_client_event(enum event_kind kind)
{
	switch (kind) {
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

gboolean
policy_closes(enum event_kind kind)
{
	return (kind == EVENT_PAYMENT || kind == EVENT_ENDED);
}

void
policy_decide(const struct thread_state *t, const struct policy *p,
    gint64 now, struct decision *d)
{
	GDate		last, today;
	gboolean	contract = FALSE;
	guint		i;

	memset(d, 0, sizeof *d);
	g_date_clear(&d->next_date, 1);
	for (i = 0; i < t->events->len; i++) {
		const struct thread_event *e = &g_array_index(t->events,
		    struct thread_event, i);

		if (policy_closes(e->kind))
			d->closed = TRUE;
		if (policy_is_client_event(e->kind) &&
		    (!d->has_client || e->time > d->last_client)) {
			d->has_client = TRUE;
			d->last_client = e->time;
		}
		if (policy_is_client_event(e->kind) && e->kind != EVENT_SCOUT)
			contract = TRUE;
	}
	d->negotiating = d->has_client && !contract;
	if (!d->has_client)
		return;
	bizday_jst_date(d->last_client, &last);
	bizday_jst_date(now, &today);
	d->days_silent = bizday_between(&last, &today);
	for (i = 0; i < t->drafts->len; i++) {
		const struct thread_draft *r = &g_array_index(t->drafts,
		    struct thread_draft, i);

		if (r->anchor == d->last_client && r->done &&
		    r->step > d->drafted_step) {
			d->drafted_step = r->step;
			d->drafted_at = r->created;
		}
	}
	/* a scout unanswered is the user's turn, not the client's */
	if (d->closed || d->negotiating || d->drafted_step >= 1)
		return;
	d->next_step = 1;
	d->next_date = last;
	bizday_add(&d->next_date, p->step1_days);
	if (d->days_silent >= p->step1_days)
		d->step_due = 1;
}
