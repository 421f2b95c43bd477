/*
 * status.c: what renraku knows and will do, one line per thread.
 */
#include "status.h"

#include "bizday.h"
#include "policy.h"

gboolean
status_print(const struct run *r, struct store *st, FILE *out, GError **err)
{
	struct policy	 p = { r->cfg->step1_days };
	struct decision	 d;
	GPtrArray	*threads;
	GDate		 last, when;
	char		*lastj, *nextj, *title;
	guint		 i;

	if ((threads = store_threads(st, NULL, err)) == NULL)
		return (FALSE);
	if (threads->len == 0)
		fprintf(out, "no threads yet: run renraku sync\n");
	for (i = 0; i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		policy_decide(&t->state, &p, g_date_time_to_unix(r->now), &d);
		title = g_strdup_printf("「%s」", t->title != NULL ?
		    t->title : "?");
		fprintf(out, "%s  %s  %s  %s  ", t->id,
		    rules_platform_name(r->rules, t->platform),
		    t->client != NULL ? t->client : "?", title);
		g_free(title);
		if (!d.has_client) {
			fprintf(out, "no client contact yet: nothing to "
			    "do\n");
			continue;
		}
		bizday_jst_date(d.last_client, &last);
		lastj = bizday_format_ja(&last);
		fprintf(out, "last contact %s, %u business day%s silent: ",
		    lastj, d.days_silent, d.days_silent == 1 ? "" : "s");
		g_free(lastj);
		if (d.closed)
			fprintf(out, "closed, nothing more to do\n");
		else if (d.negotiating)
			fprintf(out, "before a contract: no follow-up "
			    "(reply on the platform)\n");
		else if (d.drafted_step > 0) {
			bizday_jst_date(d.drafted_at, &when);
			nextj = bizday_format_ja(&when);
			fprintf(out, "follow-up %u drafted %s\n",
			    d.drafted_step, nextj);
			g_free(nextj);
		} else if (d.step_due > 0)
			fprintf(out, "follow-up %u due now (next sync)\n",
			    d.step_due);
		else {
			nextj = bizday_format_ja(&d.next_date);
			fprintf(out, "follow-up %u due %s\n", d.next_step,
			    nextj);
			g_free(nextj);
		}
	}
	g_ptr_array_unref(threads);
	return (TRUE);
}
