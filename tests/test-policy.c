/*
 * test-policy.c: the ladder as a pure function, replayed day by day.
 *
 * Each case is a thread history (events, drafts, marks), a policy and a
 * day; the expected decision is written out.  Times are in Japan
 * (2026 unless said), so the business-day clock with its holidays and
 * year-end break is part of what is checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "policy.h"

/* Unix time of month/day hour:00 in Japan; year 2026 unless m > 12. */
static gint64
jst(int m, int d, int h)
{
	GTimeZone	*tz = g_time_zone_new_offset(9 * 3600);
	int		 y = m > 12 ? 2027 : 2026;
	GDateTime	*dt = g_date_time_new(tz, y, m > 12 ? m - 12 : m, d, h,
			    0, 0);
	gint64		 t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	g_time_zone_unref(tz);
	return (t);
}

#define T(m, d)		jst(m, d, 10)
#define MAXN		6

struct ev { enum event_kind kind; int m, d, h; };
struct dr { guint step; int am, ad, ah; enum draft_state state; int cm, cd; };
struct mk { enum mark_kind kind; int m, d; guint days; };

static const struct tcase {
	const char	*name;
	struct ev	 ev[MAXN];
	struct dr	 dr[MAXN];
	struct mk	 mk[MAXN];
	guint		 steps;		/* step_days for all three; 0 = 3 */
	guint		 remedy_days;
	gboolean	 in_contract;
	int		 nm, nd;	/* now */
	/* expected */
	enum phase	 phase;
	guint		 days_silent;
	guint		 made;
	guint		 step_due;
	enum action	 action;
	guint		 next_step;
	int		 next_m, next_d;	/* 0: not checked */
	const char	*template;	/* of step_due, or NULL */
	const char	*why;		/* or NULL: not checked */
	/* the platform's own rules (Coconala's) */
	gboolean	 prepaid;
	guint		 auto_accept_hours;
} cases[] = {
	{ "funded: 2 business days (文化の日 skipped): wait",
	  { { EVENT_ESCROW, 10, 27, 9 }, { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 4,
	  PHASE_FUNDED, 2, 0, 0, ACTION_NONE, 1, 11, 5, NULL },
	{ "funded: 3 business days: step 1",
	  { { EVENT_ESCROW, 10, 27, 9 }, { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 5,
	  PHASE_FUNDED, 3, 0, 1, ACTION_CREATE, 1, 11, 5, "followup-1" },
	{ "contracted, no escrow: step 1 asks for the escrow",
	  { { EVENT_CONTRACT, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 5,
	  PHASE_CONTRACTED, 3, 0, 1, ACTION_CREATE, 1, 0, 0,
	  "request-escrow" },
	{ "contracted, step 1 sent: step 2 proposes ending the contract",
	  { { EVENT_CONTRACT, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 } }, {}, 0, 0, FALSE, 11, 11,
	  PHASE_CONTRACTED, 7, 1, 2, ACTION_CREATE, 2, 11, 11,
	  "end-contract" },
	{ "delivered: step 1 asks for 検収",
	  { { EVENT_ESCROW, 10, 20, 9 }, { EVENT_MESSAGE, 10, 22, 9 },
	    { EVENT_DELIVERY, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 5,
	  PHASE_DELIVERED, 3, 0, 1, ACTION_CREATE, 1, 0, 0,
	  "request-acceptance", "silent since your delivery" },
	{ "negotiating: a scout waits for the user, no draft",
	  { { EVENT_SCOUT, 10, 1, 9 } },
	  {}, {}, 0, 0, FALSE, 11, 5,
	  PHASE_NEGOTIATING, 23, 0, 0, ACTION_NONE, 0, 0, 0, NULL },
	{ "messages only: the article's follow-up",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 6,
	  PHASE_ACTIVE, 4, 0, 1, ACTION_CREATE, 1, 0, 0, "followup-1" },
	{ "closed by payment: nothing, live draft taken back",
	  { { EVENT_MESSAGE, 10, 30, 18 }, { EVENT_PAYMENT, 11, 4, 9 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 5 } }, {}, 0, 0, FALSE, 11, 6,
	  PHASE_CLOSED, 4, 0, 0, ACTION_REMOVE, 0, 0, 0, NULL },
	{ "step 1 live, facts change: refresh",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 5 } }, {}, 0, 0, FALSE, 11, 6,
	  PHASE_ACTIVE, 4, 0, 1, ACTION_REFRESH, 1, 0, 0, "followup-1" },
	{ "step 1 sent 11/6: step 2 waits until 11/11",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 } }, {}, 0, 0, FALSE, 11, 10,
	  PHASE_ACTIVE, 6, 1, 0, ACTION_NONE, 2, 11, 11, NULL },
	{ "step 1 sent 11/6: step 2 on 11/11",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 } }, {}, 0, 0, FALSE, 11, 11,
	  PHASE_ACTIVE, 7, 1, 2, ACTION_CREATE, 2, 11, 11, "followup-2" },
	{ "reply at step 1: the live draft is taken back",
	  { { EVENT_MESSAGE, 10, 30, 18 }, { EVENT_MESSAGE, 11, 6, 8 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 5 } }, {}, 0, 0, FALSE, 11, 6,
	  PHASE_ACTIVE, 0, 0, 0, ACTION_REMOVE, 1, 11, 11, NULL,
	  "the client was heard from after it was drafted" },
	{ "reply at step 2: back to step 1 of a new silence",
	  { { EVENT_MESSAGE, 10, 30, 18 }, { EVENT_MESSAGE, 11, 12, 8 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 },
	    { 2, 10, 30, 18, DRAFT_LIVE, 11, 11 } }, {}, 0, 0, FALSE, 11, 12,
	  PHASE_ACTIVE, 0, 0, 0, ACTION_REMOVE, 1, 11, 17, NULL },
	{ "reply at step 3: the escalation note is taken back",
	  { { EVENT_ESCROW, 10, 27, 9 }, { EVENT_MESSAGE, 10, 30, 18 },
	    { EVENT_MESSAGE, 11, 18, 8 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 },
	    { 2, 10, 30, 18, DRAFT_SENT, 11, 12 },
	    { 3, 10, 30, 18, DRAFT_LIVE, 11, 17 } }, {}, 0, 0, TRUE, 11, 18,
	  PHASE_FUNDED, 0, 0, 0, ACTION_REMOVE, 1, 0, 0, NULL },
	{ "CrowdWorks, funded: step 3 once both follow-ups were sent",
	  { { EVENT_ESCROW, 10, 27, 9 }, { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 },
	    { 2, 10, 30, 18, DRAFT_SENT, 11, 12 } }, {}, 0, 0, TRUE, 11, 17,
	  PHASE_FUNDED, 11, 2, 3, ACTION_CREATE, 3, 11, 17, "escalation" },
	{ "CrowdWorks, no contract seen: no step 3",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 },
	    { 2, 10, 30, 18, DRAFT_SENT, 11, 12 } }, {}, 0, 0, TRUE, 11, 20,
	  PHASE_ACTIVE, 14, 2, 0, ACTION_NONE, 0, 0, 0, NULL },
	{ "Lancers: step 3 waits for 7 days without contact",
	  { { EVENT_MESSAGE, 11, 9, 10 } },
	  { { 1, 11, 9, 10, DRAFT_SENT, 11, 10 },
	    { 2, 11, 9, 10, DRAFT_SENT, 11, 11 } }, {}, 1, 7, FALSE, 11, 12,
	  PHASE_ACTIVE, 3, 2, 0, ACTION_NONE, 3, 11, 16, NULL },
	{ "Lancers: step 3 on the 7th day",
	  { { EVENT_MESSAGE, 11, 9, 10 } },
	  { { 1, 11, 9, 10, DRAFT_SENT, 11, 10 },
	    { 2, 11, 9, 10, DRAFT_SENT, 11, 11 } }, {}, 1, 7, FALSE, 11, 16,
	  PHASE_ACTIVE, 5, 2, 3, ACTION_CREATE, 3, 11, 16, "escalation" },
	{ "all three made: nothing more",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 },
	    { 2, 10, 30, 18, DRAFT_SENT, 11, 12 },
	    { 3, 10, 30, 18, DRAFT_SENT, 11, 18 } }, {}, 0, 0, FALSE, 11, 30,
	  PHASE_ACTIVE, 19, 3, 0, ACTION_NONE, 0, 0, 0, NULL },
	{ "snooze 5 on 11/5: nothing until 11/12",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_SNOOZE, 11, 5, 5 } }, 0, 0, FALSE, 11, 11,
	  PHASE_ACTIVE, 7, 0, 0, ACTION_NONE, 0, 11, 12, NULL },
	{ "snooze over: step 1",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_SNOOZE, 11, 5, 5 } }, 0, 0, FALSE, 11, 12,
	  PHASE_ACTIVE, 8, 0, 1, ACTION_CREATE, 1, 0, 0, "followup-1" },
	{ "done: closed, the live draft is taken back",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 5 } },
	  { { MARK_DONE, 11, 6, 0 } }, 0, 0, FALSE, 11, 9,
	  PHASE_CLOSED, 5, 0, 0, ACTION_REMOVE, 0, 0, 0, NULL },
	{ "resume after done: back on the ladder",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_DONE, 11, 6, 0 }, { MARK_RESUME, 11, 9, 0 } },
	  0, 0, FALSE, 11, 9,
	  PHASE_ACTIVE, 5, 0, 1, ACTION_CREATE, 1, 0, 0, "followup-1" },
	{ "dormant since the first sync: no draft however long the silence",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_DORMANT, 10, 31, 0 } }, 0, 0, FALSE, 11, 30,
	  PHASE_ACTIVE, 19, 0, 0, ACTION_NONE, 0, 0, 0, NULL,
	  "dormant: silent longer than the ladder when renraku first read "
	  "it" },
	{ "dormant, then the client writes: back on the ladder",
	  { { EVENT_MESSAGE, 10, 30, 18 }, { EVENT_MESSAGE, 11, 20, 18 } },
	  {}, { { MARK_DORMANT, 10, 31, 0 } }, 0, 0, FALSE, 11, 26,
	  PHASE_ACTIVE, 3, 0, 1, ACTION_CREATE, 1, 0, 0, "followup-1" },
	{ "dormant, then resumed by the user: step 1 at once",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_DORMANT, 10, 31, 0 }, { MARK_RESUME, 11, 30, 0 } },
	  0, 0, FALSE, 11, 30,
	  PHASE_ACTIVE, 19, 0, 1, ACTION_CREATE, 1, 0, 0, "followup-1" },
	{ "marked sent counts as the step made",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_SENT, 11, 6, 0 } }, 0, 0, FALSE, 11, 11,
	  PHASE_ACTIVE, 7, 1, 2, ACTION_CREATE, 2, 11, 11, "followup-2" },
	{ "draft left Drafts, marked sent the next day: one follow-up",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 5 } },
	  { { MARK_SENT, 11, 6, 0 } }, 0, 0, FALSE, 11, 10,
	  PHASE_ACTIVE, 6, 1, 2, ACTION_CREATE, 2, 11, 10, "followup-2",
	  "silent since the last follow-up was made" },
	{ "marked sent, the draft deleted the next day: one follow-up",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 6 } },
	  { { MARK_SENT, 11, 5, 0 } }, 0, 0, FALSE, 11, 10,
	  PHASE_ACTIVE, 6, 1, 2, ACTION_CREATE, 2, 11, 10, "followup-2" },
	{ "draft left Drafts, marked sent a week later: two follow-ups",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_SENT, 11, 5 } },
	  { { MARK_SENT, 11, 12, 0 } }, 0, 0, FALSE, 11, 12,
	  PHASE_ACTIVE, 8, 2, 0, ACTION_NONE, 3, 11, 17, NULL },
	{ "snoozed with a draft waiting: the draft is taken back",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 5 } },
	  { { MARK_SNOOZE, 11, 6, 5 } }, 0, 0, FALSE, 11, 9,
	  PHASE_ACTIVE, 5, 0, 0, ACTION_REMOVE, 0, 11, 13, NULL, "snoozed" },
	{ "marked replied starts a new silence",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  {}, { { MARK_REPLIED, 11, 6, 0 } }, 0, 0, FALSE, 11, 10,
	  PHASE_ACTIVE, 2, 0, 0, ACTION_NONE, 1, 11, 11, NULL },
	{ "edited by the user: left alone, no new draft",
	  { { EVENT_MESSAGE, 10, 30, 18 } },
	  { { 1, 10, 30, 18, DRAFT_EDITED, 11, 6 } }, {}, 0, 0, FALSE, 11, 9,
	  PHASE_ACTIVE, 5, 0, 0, ACTION_NONE, 0, 0, 0, NULL },
	{ "year-end break: Fri 12/25 -> step 1 on Tue 1/5",
	  { { EVENT_MESSAGE, 12, 25, 18 } },
	  {}, {}, 0, 0, FALSE, 12, 31,
	  PHASE_ACTIVE, 1, 0, 0, ACTION_NONE, 1, 13, 5, NULL },
	{ "year-end break: due on 1/5",
	  { { EVENT_MESSAGE, 12, 25, 18 } },
	  {}, {}, 0, 0, FALSE, 13, 5,
	  PHASE_ACTIVE, 3, 0, 1, ACTION_CREATE, 1, 13, 5, "followup-1" },
	{ "Golden Week: Thu 4/30 -> step 1 on Fri 5/8",
	  { { EVENT_MESSAGE, 4, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 5, 7,
	  PHASE_ACTIVE, 2, 0, 0, ACTION_NONE, 1, 5, 8, NULL },
	{ "prepaid (Coconala): a purchase is funded, step 1 is no request "
	  "for the escrow",
	  { { EVENT_CONTRACT, 11, 9, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 12,
	  PHASE_FUNDED, 3, 0, 1, ACTION_CREATE, 1, 11, 12, "followup-1",
	  NULL, TRUE, 72 },
	{ "prepaid: step 2 is the funded follow-up, not ending the contract",
	  { { EVENT_CONTRACT, 11, 9, 18 } },
	  { { 1, 11, 9, 18, DRAFT_SENT, 11, 12 } }, {}, 0, 0, FALSE, 11, 17,
	  PHASE_FUNDED, 6, 1, 2, ACTION_CREATE, 2, 11, 17, "followup-2",
	  NULL, TRUE, 72 },
	{ "auto-accept (Coconala): delivered, no request for 承諾, the day "
	  "it comes by itself",
	  { { EVENT_CONTRACT, 11, 9, 18 }, { EVENT_DELIVERY, 11, 16, 15 } },
	  {}, {}, 0, 0, FALSE, 11, 19,
	  PHASE_DELIVERED, 3, 0, 0, ACTION_NONE, 0, 11, 19, NULL,
	  "the platform accepts the delivery by itself", TRUE, 72 },
	{ "auto-accept: a waiting request for 検収 is taken back",
	  { { EVENT_CONTRACT, 11, 9, 18 }, { EVENT_DELIVERY, 11, 16, 15 } },
	  { { 1, 11, 16, 15, DRAFT_LIVE, 11, 18 } }, {}, 0, 0, FALSE, 11, 18,
	  PHASE_DELIVERED, 2, 0, 0, ACTION_REMOVE, 0, 11, 19, NULL,
	  NULL, TRUE, 72 },
	{ "auto-accept: 72 hours later the thread is closed",
	  { { EVENT_CONTRACT, 11, 9, 18 }, { EVENT_DELIVERY, 11, 16, 15 } },
	  {}, {}, 0, 0, FALSE, 11, 20,
	  PHASE_CLOSED, 4, 0, 0, ACTION_NONE, 0, 0, 0, NULL,
	  "the platform accepted the delivery by itself", TRUE, 72 },
	{ "auto-accept: 差し戻し reopens the work, the ladder counts from it",
	  { { EVENT_CONTRACT, 11, 9, 18 }, { EVENT_DELIVERY, 11, 16, 15 },
	    { EVENT_RETURNED, 11, 17, 9 } },
	  {}, {}, 0, 0, FALSE, 11, 20,
	  PHASE_FUNDED, 3, 0, 1, ACTION_CREATE, 1, 11, 20, "followup-1",
	  NULL, TRUE, 72 },
	{ "the client's request to end: the user's move, no follow-up",
	  { { EVENT_ESCROW, 11, 2, 9 }, { EVENT_MESSAGE, 11, 4, 9 },
	    { EVENT_REQUEST, 11, 9, 10 } },
	  { { 1, 11, 4, 9, DRAFT_LIVE, 11, 9 } }, {}, 0, 0, FALSE, 11, 16,
	  PHASE_FUNDED, 5, 0, 0, ACTION_REMOVE, 0, 0, 0, NULL,
	  "the client asked you to act (such as ending the contract): "
	  "answer on the platform" },
	{ "a mail of the thread renraku could not read counts as the "
	  "client's: the waiting draft is taken back",
	  { { EVENT_ESCROW, 10, 27, 9 }, { EVENT_MESSAGE, 10, 30, 18 },
	    { EVENT_UNKNOWN, 11, 4, 9 } },
	  { { 1, 10, 30, 18, DRAFT_LIVE, 11, 4 } }, {}, 0, 0, FALSE, 11, 5,
	  PHASE_FUNDED, 1, 0, 0, ACTION_REMOVE, 1, 11, 9, NULL,
	  "a platform mail renraku could not read came after it was drafted, "
	  "counted as the client's" },
	{ "only mail renraku could not read: no draft",
	  { { EVENT_UNKNOWN, 10, 30, 18 } },
	  {}, {}, 0, 0, FALSE, 11, 10,
	  PHASE_ACTIVE, 6, 0, 0, ACTION_NONE, 0, 0, 0, NULL,
	  "only platform mail renraku could not read: see renraku explain" },
};

static void
run_case(const struct tcase *c)
{
	struct thread_state	 t;
	struct policy		 p;
	struct decision		 d;
	guint			 i;

	t.events = g_array_new(FALSE, FALSE, sizeof(struct thread_event));
	t.drafts = g_array_new(FALSE, FALSE, sizeof(struct thread_draft));
	t.marks = g_array_new(FALSE, FALSE, sizeof(struct thread_mark));
	for (i = 0; i < MAXN && c->ev[i].m != 0; i++) {
		struct thread_event e = { c->ev[i].kind,
		    jst(c->ev[i].m, c->ev[i].d, c->ev[i].h) };
		g_array_append_val(t.events, e);
	}
	for (i = 0; i < MAXN && c->dr[i].step != 0; i++) {
		struct thread_draft r;

		memset(&r, 0, sizeof r);
		r.step = c->dr[i].step;
		r.anchor = jst(c->dr[i].am, c->dr[i].ad, c->dr[i].ah);
		r.state = c->dr[i].state;
		r.created = r.changed = T(c->dr[i].cm, c->dr[i].cd);
		g_array_append_val(t.drafts, r);
	}
	for (i = 0; i < MAXN && c->mk[i].m != 0; i++) {
		struct thread_mark m = { c->mk[i].kind,
		    T(c->mk[i].m, c->mk[i].d), c->mk[i].days };
		g_array_append_val(t.marks, m);
	}
	policy_init_default(&p);
	if (c->steps != 0)
		p.step_days[0] = p.step_days[1] = p.step_days[2] = c->steps;
	p.remedy_days = c->remedy_days;
	p.remedy_in_contract = c->in_contract;
	p.prepaid = c->prepaid;
	p.auto_accept_hours = c->auto_accept_hours;

	policy_decide(&t, &p, T(c->nm, c->nd), &d);
	print_message("# %s: phase %s, silent %u, made %u, due %u, action %d, "
	    "next %u (%s)\n", c->name, phase_name(d.phase), d.days_silent,
	    d.made, d.step_due, d.action, d.next_step, d.why);
	assert_string_equal(phase_name(d.phase), phase_name(c->phase));
	assert_int_equal(d.days_silent, c->days_silent);
	assert_int_equal(d.made, c->made);
	assert_int_equal(d.step_due, c->step_due);
	assert_int_equal(d.action, c->action);
	assert_int_equal(d.next_step, c->next_step);
	if (c->next_m != 0) {
		assert_true(g_date_valid(&d.next_date));
		assert_int_equal(g_date_get_year(&d.next_date),
		    c->next_m > 12 ? 2027 : 2026);
		assert_int_equal(g_date_get_month(&d.next_date),
		    c->next_m > 12 ? c->next_m - 12 : c->next_m);
		assert_int_equal(g_date_get_day(&d.next_date), c->next_d);
	}
	if (c->template != NULL)
		assert_string_equal(policy_template(d.phase, d.step_due),
		    c->template);
	if (c->why != NULL)
		assert_string_equal(d.why, c->why);
	g_array_unref(t.events);
	g_array_unref(t.drafts);
	g_array_unref(t.marks);
}

static void
test_case(void **state)
{
	run_case(*state);
}

/* A thread replayed day by day: steps come one at a time. */
static void
test_replay(void **state)
{
	struct thread_state	 t;
	struct policy		 p;
	struct decision		 d;
	struct thread_event	 e[2] = { { EVENT_ESCROW, 0 },
				    { EVENT_MESSAGE, 0 } };
	GString			*log = g_string_new(NULL);
	int			 day;

	(void)state;
	e[0].time = jst(10, 27, 9);
	e[1].time = jst(10, 30, 18);
	t.events = g_array_new(FALSE, FALSE, sizeof(struct thread_event));
	g_array_append_vals(t.events, e, 2);
	t.drafts = g_array_new(FALSE, FALSE, sizeof(struct thread_draft));
	t.marks = g_array_new(FALSE, FALSE, sizeof(struct thread_mark));
	policy_init_default(&p);
	p.remedy_in_contract = TRUE;
	/* the user sends each draft the day after it appears */
	for (day = 0; day < 28; day++) {
		gint64	now = T(10, 30) + (gint64)day * 86400;
		guint	i;

		for (i = 0; i < t.drafts->len; i++) {
			struct thread_draft *r = &g_array_index(t.drafts,
			    struct thread_draft, i);

			if (r->state == DRAFT_LIVE && r->created < now) {
				r->state = DRAFT_SENT;
				r->changed = now;
			}
		}
		policy_decide(&t, &p, now, &d);
		if (d.action == ACTION_CREATE) {
			struct thread_draft r;

			memset(&r, 0, sizeof r);
			r.step = d.step_due;
			r.anchor = d.anchor;
			r.state = DRAFT_LIVE;
			r.created = r.changed = now;
			g_array_append_val(t.drafts, r);
			g_string_append_printf(log, "%d:%u ", day, d.step_due);
		}
	}
	/* 10/30 + 6 = 11/5, + 12 = 11/11, + 18 = 11/17 */
	assert_string_equal(log->str, "6:1 12:2 18:3 ");
	g_string_free(log, TRUE);
	g_array_unref(t.events);
	g_array_unref(t.drafts);
	g_array_unref(t.marks);
}

/* Which silences a first sync leaves dormant: past the whole ladder and
   a week (3 + 3 + 3 + 5 business days), or the horizon set. */
static void
test_dormant_horizon(void **state)
{
	struct policy	p;
	struct decision	d;

	(void)state;
	policy_init_default(&p);
	memset(&d, 0, sizeof d);
	d.live = -1;
	d.step_due = 1;
	d.days_silent = 14;
	assert_false(policy_dormant(&p, &d));
	d.days_silent = 15;
	assert_true(policy_dormant(&p, &d));
	/* nothing due, or a draft already there: not for the horizon */
	d.step_due = 0;
	assert_false(policy_dormant(&p, &d));
	d.step_due = 2;
	d.live = 0;
	assert_false(policy_dormant(&p, &d));
	d.live = -1;
	/* longer steps, a longer horizon; or the one set */
	p.step_days[0] = p.step_days[1] = p.step_days[2] = 5;
	assert_false(policy_dormant(&p, &d));
	p.horizon_days = 10;
	assert_true(policy_dormant(&p, &d));
}

int
main(void)
{
	struct CMUnitTest	*tests;
	guint			 i, n = G_N_ELEMENTS(cases);
	int			 rv;

	tests = g_new0(struct CMUnitTest, n + 2);
	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = test_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n].name = "replayed day by day: 1, 2, 3 on 11/5, 11/11, 11/17";
	tests[n].test_func = test_replay;
	tests[n + 1].name = "the first sync's horizon";
	tests[n + 1].test_func = test_dormant_horizon;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	rv = _cmocka_run_group_tests("policy", tests, n + 2, NULL, NULL);
	g_free(tests);
	return (rv);
}
