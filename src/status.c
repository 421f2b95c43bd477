/*
 * status.c: what renraku knows and will do, one line per thread.
 */
#include <glib/gi18n.h>

#include "status.h"

#include <unistd.h>

#include "jsonout.h"

#include "bizday.h"
#include "policy.h"

/* A Unix time's day in Japan, in the user's language; allocated. */
static char *
day(gint64 t)
{
	GDate	d;

	g_date_clear(&d, 1);
	bizday_jst_date(t, &d);
	return (bizday_format_local(&d));
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
		fprintf(out, _("nothing to do (%s)"), _(d->why));
		return;
	}
	if (d->edited >= 0 && live == NULL) {
		fprintf(out, "%s", _(d->why));
		return;
	}
	if (d->auto_accept > 0) {
		/* the platform's own timer, not a silence to follow up */
		a = bizday_format_local(&d->next_date);
		fprintf(out, _("no request needed: the platform accepts the "
		    "delivery by itself on %s"), a);
		g_free(a);
		return;
	}
	if (live != NULL && d->action == ACTION_REMOVE)
		live = NULL;	/* about to be taken back: not news */
	if (live != NULL) {
		a = day(live->created);
		fprintf(out, _("follow-up %u drafted %s, waiting in Drafts"),
		    live->step, a);
		g_free(a);
	} else if (d->made > 0) {
		a = day(d->made_at);
		fprintf(out, _("follow-up %u made %s (%s)"), d->made, a,
		    _(d->signal));
		g_free(a);
	}
	if (d->made >= POLICY_STEPS) {
		fprintf(out, "%s%s", live != NULL || d->made > 0 ? _("; ") :
		    "", _(d->why));
		return;
	}
	if (live != NULL && live->step >= POLICY_STEPS) {
		/* the last step is a note to the user: nothing follows it */
		fprintf(out, _("; then the platform's remedy is yours to use"));
		return;
	}
	if (live != NULL) {
		fprintf(out, _("; next: follow-up %u once it is sent"),
		    live->step + 1);
		return;
	}
	if (d->made > 0)
		/* TRANSLATORS: between what was done and what comes next */
		fputs(_("; "), out);
	if (d->dormant)
		fprintf(out, _("dormant: silent longer than the ladder when "
		    "renraku first read it; renraku mark %s resume follows it "
		    "up"), t->id);
	else if (d->snoozed) {
		b = bizday_format_local(&d->next_date);
		fprintf(out, _("snoozed until %s"), b);
		g_free(b);
	} else if (d->step_due > 0)
		fprintf(out, _("follow-up %u due now, drafted at the next sync "
		    "(%s)"), d->step_due, _(d->why));
	else if (d->next_step > 0 && g_date_valid(&d->next_date)) {
		b = bizday_format_local(&d->next_date);
		fprintf(out, _("follow-up %u due %s (%s)"), d->next_step, b,
		    _(d->why));
		g_free(b);
	} else
		fprintf(out, "%s", _(d->why));
}

/* A Unix time as ISO 8601 in Japan; allocated. */
static char *
iso(gint64 t)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(t);
	GTimeZone	*tz = g_time_zone_new_offset(BIZDAY_JST_OFFSET);
	GDateTime	*j = g_date_time_to_timezone(u, tz);
	/* RFC 3339: the offset with its colon (+09:00) */
	char		*s = g_date_time_format(j, "%Y-%m-%dT%H:%M:%S%:z");

	g_date_time_unref(j);
	g_date_time_unref(u);
	g_time_zone_unref(tz);
	return (s);
}

static void
json_thread(JsonBuilder *b, const struct run *r, const struct thread *t,
    const struct decision *d)
{
	const struct thread_draft *live = d->live >= 0 ?
	    &g_array_index(t->state.drafts, struct thread_draft, d->live) :
	    NULL;
	static const char *const actions[] = { "none", "create", "refresh",
	    "remove" };
	char	 date[16], *s;

	json_builder_begin_object(b);
	jsonout_member(b, "thread", t->id);
	jsonout_member(b, "platform", t->platform);
	jsonout_member(b, "platform_name", rules_platform_name(r->rules,
	    t->platform));
	jsonout_member(b, "account", t->account);
	jsonout_member(b, "client", t->client);
	jsonout_member(b, "job_title", t->title);
	jsonout_member(b, "url", t->url);
	jsonout_member(b, "phase", phase_name(d->phase));
	s = d->has_client ? iso(d->last_client) : NULL;
	jsonout_member(b, "last_contact", s);
	g_free(s);
	jsonout_member(b, "last_subject", t->last_subject);
	json_builder_set_member_name(b, "days_silent");
	json_builder_add_int_value(b, d->days_silent);
	json_builder_set_member_name(b, "steps_made");
	json_builder_add_int_value(b, d->made);
	s = d->made > 0 ? iso(d->made_at) : NULL;
	jsonout_member(b, "last_step_made", s);
	g_free(s);
	jsonout_member(b, "signal", d->signal);
	json_builder_set_member_name(b, "draft_step");
	if (live != NULL)
		json_builder_add_int_value(b, live->step);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "draft_edited");
	json_builder_add_boolean_value(b, d->edited >= 0);
	json_builder_set_member_name(b, "next_step");
	if (d->next_step > 0)
		json_builder_add_int_value(b, d->next_step);
	else
		json_builder_add_null_value(b);
	if (g_date_valid(&d->next_date))
		g_date_strftime(date, sizeof date, "%Y-%m-%d", &d->next_date);
	jsonout_member(b, "next_date", g_date_valid(&d->next_date) ? date : NULL);
	jsonout_member(b, "action", actions[d->action]);
	jsonout_member(b, "why", d->why);
	s = d->auto_accept > 0 ? iso(d->auto_accept) : NULL;
	jsonout_member(b, "auto_accept", s);
	g_free(s);
	json_builder_set_member_name(b, "held_by_unread_mail");
	json_builder_add_boolean_value(b, d->unread);
	json_builder_set_member_name(b, "dormant");
	json_builder_add_boolean_value(b, d->dormant);
	json_builder_end_object(b);
}

/* Why mail 'm' is listed among those renraku could not use. */
static const char *
unknown_why(const struct unknown_mail *m)
{
	if (m->thread != NULL)
		return (N_("not recognised; counted as the client's in its "
		    "thread"));
	if (m->kind == EVENT_UNKNOWN)
		return (N_("not recognised, and it names no thread"));
	return (N_("it names no thread: no id, and not both the client and "
	    "the job title"));
}

/*
 * Write the value 'b' holds to 'out' as an element of an array two levels
 * in, pretty as json-glib writes a whole document ('first': no comma
 * before it); 'b' is emptied for the next.
 */
static void
put_element(FILE *out, JsonBuilder *b, JsonGenerator *g, gboolean first)
{
	JsonNode	*node = json_builder_get_root(b);
	char		*text, **lines;
	guint		 i;

	json_generator_set_root(g, node);
	text = json_generator_to_data(g, NULL);
	lines = g_strsplit(text, "\n", -1);
	fputs(first ? "\n" : ",\n", out);
	for (i = 0; lines[i] != NULL; i++)
		fprintf(out, "%s    %s", i > 0 ? "\n" : "", lines[i]);
	g_strfreev(lines);
	g_free(text);
	json_node_unref(node);
	json_builder_reset(b);
}

/*
 * status --json, written a thread at a time, so that memory stays flat in
 * the number of threads: one document, as json-glib would pretty-print it
 * whole.
 */
gboolean
status_json(const struct run *r, struct store *st, FILE *out, GError **err)
{
	JsonBuilder	*b;
	JsonGenerator	*g;
	GPtrArray	*threads, *unknown;
	struct decision	 d;
	char		*now, *head;
	guint		 i;

	if ((threads = store_threads(st, NULL, err)) == NULL)
		return (FALSE);
	if ((unknown = store_unknown(st, err)) == NULL) {
		g_ptr_array_unref(threads);
		return (FALSE);
	}
	b = json_builder_new();
	g = json_generator_new();
	json_generator_set_pretty(g, TRUE);
	now = g_date_time_format(r->now, "%Y-%m-%dT%H:%M:%S%:z");
	head = g_strdup_printf("{\n  \"now\" : \"%s\",\n  \"threads\" : [",
	    now);	/* JSON's names, not for translation */
	fputs(head, out);
	g_free(head);
	g_free(now);
	for (i = 0; i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		run_decide(r, t, &d);
		json_thread(b, r, t, &d);
		put_element(out, b, g, i == 0);
	}
	fputs(threads->len > 0 ? "\n  ],\n  \"unknown\" : [" :
	    "],\n  \"unknown\" : [", out);
	for (i = 0; i < unknown->len; i++) {
		const struct unknown_mail *m = unknown->pdata[i];

		json_builder_begin_object(b);
		jsonout_member(b, "platform", m->platform);
		jsonout_member(b, "subject", m->subject);
		now = iso(m->time);
		jsonout_member(b, "time", now);
		g_free(now);
		jsonout_member(b, "account", m->account);
		jsonout_member(b, "mailbox", m->mailbox);
		json_builder_set_member_name(b, "uid");
		json_builder_add_int_value(b, m->uid);
		jsonout_member(b, "kind", event_kind_name(m->kind));
		jsonout_member(b, "thread", m->thread);
		jsonout_member(b, "why", unknown_why(m));
		json_builder_end_object(b);
		put_element(out, b, g, i == 0);
	}
	fputs(unknown->len > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
	g_object_unref(g);
	g_object_unref(b);
	g_ptr_array_unref(threads);
	g_ptr_array_unref(unknown);
	return (TRUE);
}

/* Columns on a terminal count wide (CJK) characters twice. */
static guint
width(const char *s)
{
	guint	w = 0;

	for (; *s != '\0'; s = g_utf8_next_char(s))
		w += g_unichar_iswide(g_utf8_get_char(s)) ? 2 : 1;
	return (w);
}

static void
cell(FILE *out, const char *s, guint w)
{
	guint	n = width(s);

	fputs(s, out);
	while (n++ < w + 2)
		fputc(' ', out);
}

/* The colour of a phase on a terminal. */
static const char *
colour(enum phase phase, const struct decision *d)
{
	if (d->step_due > 0)
		return ("\033[1;33m");		/* a draft is due: bold yellow */
	switch (phase) {
	case PHASE_CLOSED:
		return ("\033[2m");		/* dim */
	case PHASE_FUNDED:
	case PHASE_DELIVERED:
		return ("\033[32m");		/* green: the money is held */
	case PHASE_CONTRACTED:
		return ("\033[31m");		/* red: no escrow yet */
	default:
		return ("");
	}
}

/* At most this many unrecognised mails are listed; --json has them all. */
#define UNKNOWN_SHOWN	10

/*
 * The platform mails no rule recognised or that name no thread, newest
 * first, with why, so that the user can look at them with "renraku
 * explain" and write a rule: none is dropped without a word.
 */
static gboolean
print_unknown(const struct run *r, struct store *st, FILE *out,
    GError **err)
{
	GPtrArray	*u;
	char		*when;
	guint		 i;

	if ((u = store_unknown(st, err)) == NULL)
		return (FALSE);
	if (u->len > 0)
		fprintf(out, ngettext("%u platform mail renraku could not "
		    "read or place (renraku explain says why; a rules file "
		    "can teach it):\n", "%u platform mails renraku could not "
		    "read or place (renraku explain says why; a rules file "
		    "can teach them):\n", u->len), u->len);
	for (i = 0; i < u->len && i < UNKNOWN_SHOWN; i++) {
		const struct unknown_mail *m = u->pdata[i];

		when = day(m->time);
		fprintf(out, _("  %s  %s  \"%s\"  %s UID %u: %s%s%s\n"),
		    rules_platform_name(r->rules, m->platform), when,
		    m->subject, m->mailbox, m->uid, _(unknown_why(m)),
		    m->thread != NULL ? " " : "",
		    m->thread != NULL ? m->thread : "");
		g_free(when);
	}
	if (u->len > UNKNOWN_SHOWN)
		fprintf(out, _("  and %u more (renraku status --json lists "
		    "them all)\n"), u->len - UNKNOWN_SHOWN);
	g_ptr_array_unref(u);
	return (TRUE);
}

gboolean
status_print(const struct run *r, struct store *st, FILE *out, GError **err)
{
	struct decision	 d;
	GPtrArray	*threads;
	char		*last, *title;
	guint		 i, w[4] = { 0, 0, 0, 0 };
	gboolean	 tty = isatty(fileno(out));

	if ((threads = store_threads(st, NULL, err)) == NULL)
		return (FALSE);
	if (threads->len == 0)
		fprintf(out, _("no threads yet: run renraku sync\n"));
	for (i = 0; tty && i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		w[0] = MAX(w[0], width(t->id));
		w[1] = MAX(w[1], width(rules_platform_name(r->rules,
		    t->platform)));
		w[2] = MAX(w[2], width(t->client != NULL ? t->client : "?"));
		w[3] = MAX(w[3], width(t->title != NULL ? t->title : "?") + 4);
	}
	for (i = 0; i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		run_decide(r, t, &d);
		title = g_strdup_printf(_("\"%s\""), t->title != NULL ?
		    t->title : "?");
		if (tty) {
			fputs(colour(d.phase, &d), out);
			cell(out, t->id, w[0]);
			cell(out, rules_platform_name(r->rules, t->platform),
			    w[1]);
			cell(out, t->client != NULL ? t->client : "?", w[2]);
			cell(out, title, w[3]);
			cell(out, _(phase_name(d.phase)), 11);
		} else
			fprintf(out, _("%s  %s  %s  %s  %s  "), t->id,
			    rules_platform_name(r->rules, t->platform),
			    t->client != NULL ? t->client : "?", title,
			    _(phase_name(d.phase)));
		g_free(title);
		if (d.has_client) {
			last = day(d.last_client);
			fprintf(out, _("last contact %s"), last);
			if (t->last_subject != NULL)
				fprintf(out, _(" \"%s\""), t->last_subject);
			/* TRANSLATORS: between "last contact ..." and the
			   business days of silence */
			fputs(_(", "), out);
			g_free(last);
		}
		if (d.anchor != 0)
			fprintf(out, ngettext("%u business day silent: ",
			    "%u business days silent: ", d.days_silent),
			    d.days_silent);
		print_next(out, t, &d);
		fputs(tty && *colour(d.phase, &d) != '\0' ? "\033[0m\n" : "\n",
		    out);
	}
	g_ptr_array_unref(threads);
	return (print_unknown(r, st, out, err));
}
