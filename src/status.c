/*
 * status.c: what renraku knows and will do, one line per thread.
 */
#include "status.h"

#include "bizday.h"
#include "policy.h"

/* A Unix time's day, the Japanese way; allocated. */
static char *
day(gint64 t)
{
	GDate	d;

	g_date_clear(&d, 1);
	bizday_jst_date(t, &d);
	return (bizday_format_ja(&d));
}

/* What renraku did or will do for the thread, in words. */
static void
print_next(FILE *out, const struct thread *t, const struct decision *d)
{
	const struct thread_draft *live = d->live >= 0 ?
	    &g_array_index(t->state.drafts, struct thread_draft, d->live) :
	    NULL;
	char	*a, *b;

	if (d->phase == PHASE_CLOSED || d->phase == PHASE_NEGOTIATING ||
	    d->anchor == 0) {
		fprintf(out, "nothing to do (%s)", d->why);
		return;
	}
	if (d->edited >= 0 && live == NULL) {
		fprintf(out, "%s", d->why);
		return;
	}
	if (live != NULL && d->action != ACTION_REMOVE) {
		a = day(live->created);
		fprintf(out, "follow-up %u drafted %s, waiting in Drafts",
		    live->step, a);
		g_free(a);
	} else if (d->made > 0) {
		a = day(d->made_at);
		fprintf(out, "follow-up %u made %s (%s)", d->made, a,
		    d->signal);
		g_free(a);
	}
	if (d->made >= 3) {
		fprintf(out, "%s%s", live != NULL || d->made > 0 ? "; " : "",
		    d->why);
		return;
	}
	if (live != NULL && d->action != ACTION_REMOVE) {
		fprintf(out, "; next: follow-up %u once it is sent",
		    live->step + 1 <= 3 ? live->step + 1 : 3);
		return;
	}
	if (live != NULL || d->made > 0)
		fprintf(out, "; ");
	if (d->snoozed) {
		b = bizday_format_ja(&d->next_date);
		fprintf(out, "snoozed until %s", b);
		g_free(b);
	} else if (d->step_due > 0)
		fprintf(out, "follow-up %u due now (next sync)", d->step_due);
	else if (d->next_step > 0 && g_date_valid(&d->next_date)) {
		b = bizday_format_ja(&d->next_date);
		fprintf(out, "follow-up %u due %s (%s)", d->next_step, b,
		    d->why);
		g_free(b);
	} else
		fprintf(out, "%s", d->why);
}

gboolean
status_print(const struct run *r, struct store *st, FILE *out, GError **err)
{
	struct policy	 p;
	struct decision	 d;
	GPtrArray	*threads;
	char		*last;
	guint		 i;

	if ((threads = store_threads(st, NULL, err)) == NULL)
		return (FALSE);
	if (threads->len == 0)
		fprintf(out, "no threads yet: run renraku sync\n");
	for (i = 0; i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		run_policy(r, t->platform, &p);
		policy_decide(&t->state, &p, g_date_time_to_unix(r->now), &d);
		fprintf(out, "%s  %s  %s  「%s」  %s  ", t->id,
		    rules_platform_name(r->rules, t->platform),
		    t->client != NULL ? t->client : "?",
		    t->title != NULL ? t->title : "?", phase_name(d.phase));
		if (d.has_client) {
			last = day(d.last_client);
			fprintf(out, "last contact %s", last);
			if (t->last_subject != NULL)
				fprintf(out, " \"%s\"", t->last_subject);
			fprintf(out, ", ");
			g_free(last);
		}
		if (d.anchor != 0)
			fprintf(out, "%u business day%s silent: ",
			    d.days_silent, d.days_silent == 1 ? "" : "s");
		print_next(out, t, &d);
		fputc('\n', out);
	}
	g_ptr_array_unref(threads);
	return (TRUE);
}
