/*
 * rules.c: classify mail with the loaded platform rules (rules-load.c),
 * and what the rest of renraku asks of them.
 */
#include <glib/gi18n.h>

#include "rules.h"

#include <string.h>

#include "error.h"
#include "policy.h"
#include "rules-int.h"

/* The exclude entry that 'addr' falls under, or NULL. */
static const char *
excluded(const struct platform *p, const char *addr)
{
	gsize	i;

	for (i = 0; p->exclude[i] != NULL; i++)
		if (strchr(p->exclude[i], '@') != NULL ?
		    g_ascii_strcasecmp(p->exclude[i], addr) == 0 :
		    rules_at_domain(addr, p->exclude[i]))
			return (p->exclude[i]);
	return (NULL);
}

/* Record a hit in 't' (when tracing); 'text' is taken. */
static void
trace_hit(struct rules_trace *t, const char *key, const char *pattern,
    int line, const char *group, const char *field, char *text)
{
	struct rules_hit h;

	if (t == NULL) {
		g_free(text);
		return;
	}
	h.key = key;
	h.pattern = pattern;
	h.line = line;
	h.group = group;
	h.field = field;
	h.text = text;
	g_array_append_val(t->hits, h);
}

/* Whether all 'patterns' match 'text'; when tracing, say what each
 * matched. */
static gboolean
all_match(GPtrArray *patterns, const char *text, const char *key,
    const char *group, struct rules_trace *t)
{
	GMatchInfo	*mi;
	guint		 i;

	for (i = 0; i < patterns->len; i++) {
		const struct pattern *p = patterns->pdata[i];

		if (!g_regex_match(p->re, text, 0, &mi)) {
			g_match_info_free(mi);
			return (FALSE);
		}
		trace_hit(t, key, p->src, p->line, group, key,
		    g_match_info_fetch(mi, 0));
		g_match_info_free(mi);
	}
	return (TRUE);
}

/*
 * Group 1 of the first pattern that matches, as written in the original
 * text (blanks folded, trimmed); or NULL.  The pattern goes to 't' as
 * 'key' of 'group'.
 */
static char *
extract(GPtrArray *patterns, const struct text *subject,
    const struct text *body, const char *key, const char *group,
    struct rules_trace *t)
{
	GMatchInfo	*mi;
	char		*v;
	gint		 s, e;
	guint		 i;

	for (i = 0; i < patterns->len; i++) {
		const struct pattern	*p = patterns->pdata[i];
		const struct text	*in = p->body ? body : subject;

		if (g_regex_match(p->re, in->norm->str, 0, &mi) &&
		    g_match_info_fetch_pos(mi, 1, &s, &e)) {
			v = text_orig(in, s, e);
			if (*v != '\0') {
				trace_hit(t, key, p->src, p->line, group,
				    p->body ? "body" : "subject",
				    g_match_info_fetch(mi, 0));
				g_match_info_free(mi);
				return (v);
			}
			g_free(v);
		}
		g_match_info_free(mi);
	}
	return (NULL);
}

static void
hit_clear(struct rules_hit *h)
{
	g_free(h->text);
}

/* The platform whose domains 'addr' is at, or NULL; to 't' as a hit. */
static const struct platform *
sender_platform(const struct rules *r, const char *addr,
    struct rules_trace *t)
{
	guint	i, j;

	for (i = 0; i < r->platforms->len; i++) {
		const struct platform *c = r->platforms->pdata[i];

		for (j = 0; c->domains[j] != NULL; j++)
			if (rules_at_domain(addr, c->domains[j])) {
				trace_hit(t, "domains", c->domains[j],
				    c->domains_line, "platform", "from",
				    g_strdup(addr));
				return (c);
			}
	}
	return (NULL);
}

/*
 * The thread key of 'm' (and its page) by platform 'p''s thread_key
 * patterns, each tried on the body, the links of the HTML parts, then the
 * subject: keys are ids, in their normalised form (ASCII digits).
 */
static void
find_key(const struct platform *p, const struct mail *m,
    const struct text *subject, const struct text *body, struct event *ev,
    struct rules_trace *t)
{
	char	*links = rules_normalize(m->links != NULL ? m->links : "");
	guint	 i;

	for (i = 0; i < p->keys->len && ev->key == NULL; i++) {
		const struct pattern	*k = p->keys->pdata[i];
		const char *const	 in[] = { body->norm->str, links,
					    subject->norm->str };
		const char *const	 fields[] = { "body", "links", "subject" };
		GMatchInfo		*mi = NULL;
		const char		*field = NULL;
		gboolean		 hit = FALSE;
		guint			 f;

		for (f = 0; f < G_N_ELEMENTS(in) && !hit; f++) {
			g_match_info_free(mi);
			hit = g_regex_match(k->re, in[f], 0, &mi);
			field = fields[f];
		}
		if (hit) {
			/* a pattern without group 1 gave a url but no key,
			 * and the loop goes on */
			g_free(ev->url);
			ev->key = g_match_info_fetch(mi, 1);
			ev->url = g_match_info_fetch(mi, 0);
			trace_hit(t, "thread_key", k->src, k->line, "platform",
			    field, g_strdup(ev->url));
			/* the key may come from text, not a link */
			if (!g_str_has_prefix(ev->url, "http"))
				g_clear_pointer(&ev->url, g_free);
		}
		g_match_info_free(mi);
	}
	/* a key read from text: the page the rules file names */
	if (ev->key != NULL && ev->url == NULL && p->url != NULL) {
		char **parts = g_strsplit(p->url, "{key}", -1);

		ev->url = g_strjoinv(ev->key, parts);
		g_strfreev(parts);
	}
	g_free(links);
}

gboolean
rules_explain(const struct rules *r, const struct mail *m,
    struct event *ev, struct rules_trace *t)
{
	const struct platform	*p = NULL;
	const struct event_rule	*er = NULL;
	const char		*x;
	struct text		 subject, body;
	gboolean		 undecoded;
	guint			 i;

	memset(ev, 0, sizeof *ev);
	if (t != NULL) {
		memset(t, 0, sizeof *t);
		t->hits = g_array_new(FALSE, TRUE, sizeof(struct rules_hit));
		g_array_set_clear_func(t->hits, (GDestroyNotify)hit_clear);
	}
	if ((p = sender_platform(r, m->from_addr, t)) == NULL)
		return (FALSE);
	if (t != NULL)
		t->file = p->file;
	if ((x = excluded(p, m->from_addr)) != NULL) {
		trace_hit(t, "exclude", x, p->exclude_line, "platform", "from",
		    g_strdup(m->from_addr));
		return (FALSE);
	}
	ev->platform = p->id;
	text_init(&subject, m->subject);
	text_init(&body, m->body);
	undecoded = strstr(m->subject, "\xef\xbf\xbd") != NULL;
	if (t != NULL)
		t->undecoded = undecoded;
	for (i = 0; i < p->events->len && er == NULL && !undecoded; i++) {
		const struct event_rule *c = p->events->pdata[i];

		if (all_match(c->subject, subject.norm->str, "subject",
		    c->group, NULL) && all_match(c->body, body.norm->str,
		    "body", c->group, NULL))
			er = c;
	}
	if (t != NULL) {
		t->ngroups = p->events->len;
		if (er != NULL) {
			t->group = er->group;
			t->group_line = er->line;
			/* again, to say what each pattern matched */
			all_match(er->subject, subject.norm->str, "subject",
			    er->group, t);
			all_match(er->body, body.norm->str, "body", er->group,
			    t);
		}
	}
	ev->kind = er != NULL ? er->kind : EVENT_UNKNOWN;
	if (ev->kind != EVENT_NOISE) {
		find_key(p, m, &subject, &body, ev, t);
		if (er != NULL)
			ev->client = extract(er->client, &subject, &body,
			    "client", er->group, t);
		if (ev->client == NULL)
			ev->client = extract(p->client, &subject, &body,
			    "client", "platform", t);
		if (er != NULL)
			ev->title = extract(er->title, &subject, &body,
			    "title", er->group, t);
		if (ev->title == NULL)
			ev->title = extract(p->title, &subject, &body,
			    "title", "platform", t);
		if (ev->client != NULL && ev->title != NULL)
			ev->name_key = rules_name_key(ev->client, ev->title);
	}
	text_clear(&subject);
	text_clear(&body);
	return (TRUE);
}

gboolean
rules_classify(const struct rules *r, const struct mail *m,
    struct event *ev)
{
	return (rules_explain(r, m, ev, NULL));
}

void
rules_trace_clear(struct rules_trace *t)
{
	if (t->hits != NULL)
		g_array_unref(t->hits);
	memset(t, 0, sizeof *t);
}

char *
rules_name_key(const char *client, const char *title)
{
	char	*c = rules_normalize(client), *t = rules_normalize(title);
	char	*both = g_strconcat(g_strstrip(c), "\n", g_strstrip(t), NULL);
	char	*p;

	/* the JIS wave dash and minus, which NFKC keeps, as the CP932 ones
	   come out of it: one mail's 〜 is another's ～ */
	for (p = both; (p = strstr(p, "\xe3\x80\x9c")) != NULL; )
		memmove(p + 1, p + 3, strlen(p + 3) + 1), *p++ = '~';
	for (p = both; (p = strstr(p, "\xe2\x88\x92")) != NULL; )
		memmove(p + 1, p + 3, strlen(p + 3) + 1), *p++ = '-';
	char	*sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, both,
		    -1);
	char	*key = g_strdup_printf("n%.8s", sum);

	g_free(sum);
	g_free(both);
	g_free(t);
	g_free(c);
	return (key);
}

const char *
rules_platform_name(const struct rules *r, const char *id)
{
	guint	i;

	for (i = 0; i < r->platforms->len; i++) {
		const struct platform *p = r->platforms->pdata[i];

		if (strcmp(p->id, id) == 0)
			return (p->name);
	}
	return (id);
}

void
rules_platform_policy(const struct rules *r, const char *id,
    struct policy *p)
{
	guint	i;

	for (i = 0; i < r->platforms->len; i++) {
		const struct platform *pl = r->platforms->pdata[i];

		if (strcmp(pl->id, id) == 0)
			policy_apply(p, &pl->policy);
	}
}

const char *
rules_platform_remedy(const struct rules *r, const char *id)
{
	guint	i;

	for (i = 0; i < r->platforms->len; i++) {
		const struct platform *p = r->platforms->pdata[i];

		if (strcmp(p->id, id) == 0)
			return (p->remedy != NULL ? p->remedy : "");
	}
	return ("");
}

char **
rules_platform_ids(const struct rules *r)
{
	GPtrArray	*a = g_ptr_array_new();
	guint		 i;

	for (i = 0; i < r->platforms->len; i++)
		g_ptr_array_add(a, g_strdup(((const struct platform *)
		    r->platforms->pdata[i])->id));
	g_ptr_array_add(a, NULL);
	return ((char **)g_ptr_array_free(a, FALSE));
}

char **
rules_sender_domains(const struct rules *r)
{
	GPtrArray	*a = g_ptr_array_new();
	guint		 i, j;

	for (i = 0; i < r->platforms->len; i++) {
		const struct platform *p = r->platforms->pdata[i];

		for (j = 0; p->domains[j] != NULL; j++)
			g_ptr_array_add(a, g_strdup(p->domains[j]));
	}
	g_ptr_array_add(a, NULL);
	return ((char **)g_ptr_array_free(a, FALSE));
}
