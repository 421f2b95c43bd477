/*
 * compose.c: fill the templates and add the user's note.
 */
#include <glib/gi18n.h>

#include "compose.h"

#include <stdio.h>
#include <string.h>

#include "bizday.h"
#include "draft.h"
#include "log.h"
#include "template.h"

static void
put(GHashTable *v, const char *name, char *value)
{
	g_hash_table_insert(v, (gpointer)name, value);
}

/* What the article advises the user in each phase. */
static const char *
advice_text(enum phase phase)
{
	switch (phase) {
	case PHASE_CONTRACTED:
		return (_("The escrow is not funded yet: do not start work, "
		    "wait for an answer. If the client stays silent before "
		    "work starts, consider ending the contract."));
	case PHASE_FUNDED:
		return (_("The escrow is funded: finish and deliver, and the "
		    "platform pays you what it holds."));
	case PHASE_DELIVERED:
		return (_("Delivered, waiting for acceptance."));
	default:
		return (_("Check on the platform whether the escrow is "
		    "funded; if not, do not go on working until the client "
		    "answers."));
	}
}

/* That, with what the platform's own rules add; allocated. */
static char *
advice(enum phase phase, const struct policy *p)
{
	if (phase == PHASE_DELIVERED && p->auto_accept_hours > 0)
		return (g_strdup_printf(_("Delivered: the platform accepts it "
		    "by itself %u hours after the delivery."),
		    p->auto_accept_hours));
	if (phase == PHASE_DELIVERED && p->accept_days > 0)
		return (g_strdup_printf(_("Delivered, waiting for acceptance "
		    "(the platform expects it within %u days)."),
		    p->accept_days));
	return (g_strdup(advice_text(phase)));
}

/*
 * The values and sections of step 'step' of thread 't' as decided in 'd'
 * (see template.h), under policy 'p'; 'last' is the client's last day.
 */
static void
fill(const struct run *r, const struct thread *t, const struct decision *d,
    guint step, const struct policy *p, GHashTable *v, GHashTable *sections,
    GDate *last)
{
	GDate	reply_by;

	g_date_clear(last, 1);
	bizday_jst_date(d->has_client ? d->last_client : d->anchor, last);
	put(v, "client_name", g_strdup(t->client != NULL ? t->client :
	    "ご担当者"));
	put(v, "your_name", g_strdup(r->cfg->your_name));
	/* a template of the user's may quote it without a titled section */
	put(v, "job_title", g_strdup(t->title != NULL ? t->title :
	    "ご依頼の件"));
	put(v, "platform_name", g_strdup(rules_platform_name(r->rules,
	    t->platform)));
	put(v, "thread_url", g_strdup(t->url != NULL ? t->url : ""));
	put(v, "last_contact", bizday_format_ja(last));
	put(v, "days_silent", g_strdup_printf("%u", d->days_silent));
	/* when the step after this one would fall due */
	g_date_clear(&reply_by, 1);
	bizday_jst_date(g_date_time_to_unix(r->now), &reply_by);
	bizday_add(p->cal, &reply_by, p->step_days[MIN(step,
	    POLICY_STEPS - 1)]);
	put(v, "reply_by", bizday_format_ja(&reply_by));
	put(v, "step", g_strdup_printf("%u", step));
	put(v, "remedy", g_strdup(rules_platform_remedy(r->rules,
	    t->platform)));
	g_hash_table_add(sections, (gpointer)phase_name(d->phase));
	if (d->phase == PHASE_CONTRACTED)
		g_hash_table_add(sections, (gpointer)"not_funded");
	g_hash_table_add(sections, t->title != NULL ? (gpointer)"titled" :
	    (gpointer)"untitled");
}

/* Add the keys of 'h' (with their values, if 'v') to 'c', sorted. */
static void
sum_table(GChecksum *c, GHashTable *h, gboolean v)
{
	GList	*keys, *k;

	keys = g_list_sort(g_hash_table_get_keys(h), (GCompareFunc)strcmp);
	for (k = keys; k != NULL; k = k->next) {
		g_checksum_update(c, k->data, -1);
		g_checksum_update(c, (const guchar *)"=", 1);
		if (v)
			g_checksum_update(c, g_hash_table_lookup(h, k->data),
			    -1);
		g_checksum_update(c, (const guchar *)"\n", 1);
	}
	g_list_free(keys);
}

/*
 * Template 'name' for 'platform', loaded once a run: kept in r->templates
 * when the run has that table (then *owned is FALSE), else the caller's
 * to template_free() (*owned TRUE).  NULL with err set when it cannot be
 * loaded; that is not kept, so every draft that needs it says so.
 */
static struct template *
template_of(const struct run *r, const char *platform, const char *name,
    gboolean *owned, GError **err)
{
	struct template	*t;
	char		*key;

	*owned = r->templates == NULL;
	key = g_strconcat(platform != NULL ? platform : "", "/", name, NULL);
	if (!*owned && (t = g_hash_table_lookup(r->templates, key)) != NULL) {
		g_free(key);
		return (t);
	}
	t = template_load(r->template_dirs, platform, name, err);
	if (t != NULL && !*owned) {
		g_hash_table_insert(r->templates, key, t);
		key = NULL;
	}
	g_free(key);
	return (t);
}

/*
 * What the draft is made from, hashed: the values and sections, the
 * template (its file, subject and text; NULL: none could be loaded), the
 * advice, the thread, the language of the note and renraku's version.
 */
static char *
fingerprint(const struct thread *t, const struct decision *d, guint step,
    const struct policy *p, GHashTable *v, GHashTable *sections,
    const struct template *tmpl)
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);
	char		*tip, *s, *words = run_words();

	sum_table(c, v, TRUE);
	sum_table(c, sections, FALSE);
	s = g_strdup_printf("%s\n%u\n%s\n%s%s\n", t->id, step,
	    tmpl != NULL ? tmpl->path : "", words, t->title != NULL ?
	    "titled" : "untitled");
	g_checksum_update(c, (const guchar *)s, -1);
	g_free(s);
	g_free(words);
	if (tmpl != NULL) {
		g_checksum_update(c, (const guchar *)tmpl->subject, -1);
		g_checksum_update(c, (const guchar *)"\n", 1);
		g_checksum_update(c, (const guchar *)tmpl->body, -1);
	}
	tip = advice(d->phase, p);
	g_checksum_update(c, (const guchar *)tip, -1);
	g_free(tip);
	s = g_strdup(g_checksum_get_string(c));
	g_checksum_free(c);
	return (s);
}

char *
compose_fingerprint(const struct run *r, const struct thread *t,
    const struct decision *d, guint step)
{
	struct policy	 p;
	struct template	*tmpl;
	GHashTable	*v, *sections;
	GDate		 last;
	char		*fp;
	gboolean	 owned;

	run_policy(r, t->platform, &p);
	v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	sections = g_hash_table_new(g_str_hash, g_str_equal);
	fill(r, t, d, step, &p, v, sections, &last);
	/* one that cannot be loaded: composing says why */
	tmpl = template_of(r, t->platform, policy_template(d->phase, step),
	    &owned, NULL);
	fp = fingerprint(t, d, step, &p, v, sections, tmpl);
	if (owned)
		template_free(tmpl);
	g_hash_table_unref(sections);
	g_hash_table_unref(v);
	return (fp);
}

gboolean
compose_draft(const struct run *r, const struct thread *t,
    const struct decision *d, guint step, struct composed *c,
    GError **err)
{
	struct template	*tmpl;
	struct policy	 p;
	GHashTable	*v, *sections;
	GDate		 last;
	GString		*body;
	char		*msg, *all, *tip;
	gboolean	 owned;

	memset(c, 0, sizeof *c);
	run_policy(r, t->platform, &p);
	tmpl = template_of(r, t->platform, policy_template(d->phase, step),
	    &owned, err);
	if (tmpl == NULL)
		return (FALSE);
	v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	sections = g_hash_table_new(g_str_hash, g_str_equal);
	fill(r, t, d, step, &p, v, sections, &last);

	c->template_path = g_strdup(tmpl->path);
	c->step = step;
	c->to_user = step >= POLICY_STEPS;
	c->subject = template_render(tmpl->subject, v, sections, TRUE);
	msg = template_render(tmpl->body, v, sections, FALSE);
	body = g_string_new(msg);
	g_free(msg);
	if (!c->to_user) {
		char *when = bizday_format_local(&last);

		g_string_append(body, "\n――――――――――――――――――――――――――――――\n");
		g_string_append(body, _("renraku note (delete it, from the "
		    "line above, before sending)\n"));
		g_string_append_printf(body, _("Platform: %s\n"),
		    (char *)g_hash_table_lookup(v, "platform_name"));
		g_string_append_printf(body, _("Job: %s\n"), t->title != NULL ?
		    t->title : _("(the mails do not name it)"));
		g_string_append_printf(body, _("Thread: %s\n"), t->url != NULL ?
		    t->url : _("(the mails do not link it)"));
		g_string_append_printf(body, _("Client's last contact: %s\n"),
		    when);
		g_string_append_printf(body, _("Business days silent: %u\n"),
		    d->days_silent);
		g_string_append_printf(body, _("Follow-up: step %u\n"), step);
		tip = advice(d->phase, &p);
		g_string_append_printf(body, _("Advice: %s\n"), tip);
		g_free(tip);
		g_free(when);
	}
	g_string_append_printf(body, DRAFT_MARK_FORMAT, t->id);
	c->body = g_string_free(body, FALSE);
	all = g_strdup_printf("%u\n%d\n%s\n%s", step, c->to_user, c->subject,
	    c->body);
	c->content_hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
	    all, -1);
	g_free(all);
	c->inputs_hash = fingerprint(t, d, step, &p, v, sections, tmpl);
	g_hash_table_unref(sections);
	g_hash_table_unref(v);
	if (owned)
		template_free(tmpl);
	return (TRUE);
}

void
composed_clear(struct composed *c)
{
	g_free(c->template_path);
	g_free(c->subject);
	g_free(c->body);
	g_free(c->content_hash);
	g_free(c->inputs_hash);
	memset(c, 0, sizeof *c);
}

char *
compose_message(const struct run *r, const char *user,
    const struct thread *t, const struct composed *c,
    const char *message_id, gboolean warn, gsize *len)
{
	struct draft	d;
	gboolean	fell_back;
	char		*wire;

	memset(&d, 0, sizeof d);
	d.from_name = r->cfg->your_name;
	d.from_addr = user;
	d.to_addr = c->to_user ? user : NULL;
	d.subject = c->subject;
	d.body = c->body;
	d.thread = t->id;
	d.step = c->step;
	d.message_id = message_id;
	d.date = r->now;
	d.iso2022jp = r->cfg->iso2022jp;
	wire = draft_build(&d, len, &fell_back);
	if (fell_back && warn)
		log_warning(_("%s: the draft has characters ISO-2022-JP "
		    "cannot carry; it is written in UTF-8"), t->id);
	return (wire);
}

char *
compose_message_id(const char *thread, guint step, gint64 now,
    const char *user)
{
	return (draft_message_id(thread, step, now, user));
}
