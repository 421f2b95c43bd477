/*
 * rules.c: load platform rules files and classify mail with them.
 *
 * Patterns are GRegex (PCRE) matched after NFKC normalisation and blank
 * folding.  Values that hold patterns are read raw (no GKeyFile escapes),
 * and lists are separated by ';' (write a literal ';' in a pattern as
 * \x3b).
 */
#include "rules.h"

#include <string.h>

#include "error.h"
#include "policy.h"

static const char *const kind_names[EVENT_NKINDS] = {
	"unknown", "noise", "message", "scout", "contract", "escrow",
	"delivery", "accepted", "returned", "payment", "ended",
};

/* A pattern and the field it looks at. */
struct pattern {
	GRegex		*re;
	gboolean	 body;	/* else the subject */
};

struct event_rule {
	enum event_kind	 kind;
	GPtrArray	*subject;	/* of GRegex: all must match */
	GPtrArray	*body;		/* of GRegex: all must match */
	GPtrArray	*client;	/* of struct pattern: first hit wins */
	GPtrArray	*title;
};

struct platform {
	char		 *id;
	char		 *name;
	char		 *remedy;	/* the platform's own remedy, or NULL */
	struct policy_override policy;	/* the platform's own conditions */
	char		**domains;
	char		**exclude;	/* domains, or addresses with '@' */
	GPtrArray	 *keys;		/* of GRegex, in order of preference */
	GPtrArray	 *client;	/* of struct pattern */
	GPtrArray	 *title;
	GPtrArray	 *events;	/* of struct event_rule, file order */
};

struct rules {
	GPtrArray	*platforms;	/* of struct platform */
};

const char *
event_kind_name(enum event_kind kind)
{
	return (kind < EVENT_NKINDS ? kind_names[kind] : "unknown");
}

int
event_kind_from_name(const char *name)
{
	int	i;

	for (i = 0; i < EVENT_NKINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (i);
	return (-1);
}

char *
rules_normalize(const char *s)
{
	char	*n, *p, *w;
	gboolean blank = FALSE;

	n = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	if (n == NULL)
		n = g_utf8_make_valid(s, -1);
	for (p = w = n; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			blank = TRUE;
			continue;
		}
		if (blank && w != n && *p != '\n' && w[-1] != '\n')
			*w++ = ' ';
		blank = FALSE;
		*w++ = *p;
	}
	*w = '\0';
	return (n);
}

static void
pattern_free(struct pattern *p)
{
	g_regex_unref(p->re);
	g_free(p);
}

static void
event_rule_free(struct event_rule *e)
{
	g_ptr_array_unref(e->subject);
	g_ptr_array_unref(e->body);
	g_ptr_array_unref(e->client);
	g_ptr_array_unref(e->title);
	g_free(e);
}

static void
platform_free(struct platform *p)
{
	g_free(p->id);
	g_free(p->name);
	g_free(p->remedy);
	g_strfreev(p->domains);
	g_strfreev(p->exclude);
	g_ptr_array_unref(p->keys);
	g_ptr_array_unref(p->client);
	g_ptr_array_unref(p->title);
	g_ptr_array_unref(p->events);
	g_free(p);
}

struct loader {
	const char	*file;
	GKeyFile	*kf;
	GString		*errors;
};

static void G_GNUC_PRINTF(4, 5)
complain(struct loader *l, const char *group, const char *key,
    const char *fmt, ...)
{
	va_list	ap;

	if (l->errors->len > 0)
		g_string_append_c(l->errors, '\n');
	g_string_append_printf(l->errors, "%s: [%s]%s%s: ", l->file, group,
	    key != NULL ? " " : "", key != NULL ? key : "");
	va_start(ap, fmt);
	g_string_append_vprintf(l->errors, fmt, ap);
	va_end(ap);
}

/* The raw value split on ';', blanks trimmed, empties dropped. */
static char **
get_list(struct loader *l, const char *group, const char *key)
{
	char	*raw, **parts;
	gsize	 i, n;

	raw = g_key_file_get_value(l->kf, group, key, NULL);
	if (raw == NULL)
		return (g_new0(char *, 1));
	parts = g_strsplit(raw, ";", -1);
	g_free(raw);
	for (i = 0, n = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] == '\0')
			g_free(parts[i]);
		else
			parts[n++] = parts[i];
	}
	parts[n] = NULL;
	return (parts);
}

static GRegex *
compile(struct loader *l, const char *group, const char *key,
    const char *src)
{
	GError	*e = NULL;
	GRegex	*re;

	re = g_regex_new(src, G_REGEX_OPTIMIZE | G_REGEX_MULTILINE, 0, &e);
	if (re == NULL) {
		complain(l, group, key, "bad pattern '%s': %s", src,
		    e->message);
		g_error_free(e);
	}
	return (re);
}

static GPtrArray *
get_regexes(struct loader *l, const char *group, const char *key)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
			    (GDestroyNotify)g_regex_unref);
	char		**src = get_list(l, group, key);
	GRegex		*re;
	gsize		  i;

	for (i = 0; src[i] != NULL; i++)
		if ((re = compile(l, group, key, src[i])) != NULL)
			g_ptr_array_add(a, re);
	g_strfreev(src);
	return (a);
}

/* Patterns written "subject:REGEX" or "body:REGEX" (default subject). */
static GPtrArray *
get_patterns(struct loader *l, const char *group, const char *key)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
			    (GDestroyNotify)pattern_free);
	char		**src = get_list(l, group, key);
	struct pattern	 *p;
	const char	 *re;
	gboolean	  body;
	gsize		  i;

	for (i = 0; src[i] != NULL; i++) {
		body = g_str_has_prefix(src[i], "body:");
		re = body ? src[i] + 5 : g_str_has_prefix(src[i],
		    "subject:") ? src[i] + 8 : src[i];
		p = g_new0(struct pattern, 1);
		p->body = body;
		if ((p->re = compile(l, group, key, re)) == NULL)
			g_free(p);
		else
			g_ptr_array_add(a, p);
	}
	g_strfreev(src);
	return (a);
}

static struct platform *
load_platform(struct loader *l)
{
	static const char *const platform_keys[] = { "id", "name",
	    "domains", "exclude", "thread_key", "client", "title", "remedy",
	    "remedy_days", "remedy_in_contract", NULL };
	static const char *const event_keys[] = { "subject", "body",
	    "client", "title", NULL };
	struct platform	 *p;
	char		**groups, **keys;
	gsize		  i, j;
	int		  kind;

	p = g_new0(struct platform, 1);
	p->events = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)event_rule_free);
	p->id = g_key_file_get_value(l->kf, "platform", "id", NULL);
	if (p->id == NULL || !g_regex_match_simple("^[a-z0-9_-]+$", p->id, 0,
	    0))
		complain(l, "platform", "id", "missing, or not made of a-z, "
		    "0-9, '-' and '_'");
	p->name = g_key_file_get_string(l->kf, "platform", "name", NULL);
	if (p->name == NULL)
		p->name = g_strdup(p->id != NULL ? p->id : "?");
	p->remedy = g_key_file_get_string(l->kf, "platform", "remedy", NULL);
	p->policy.step_days[0] = p->policy.step_days[1] =
	    p->policy.step_days[2] = -1;
	p->policy.remedy_days = p->policy.remedy_in_contract = -1;
	if (g_key_file_has_key(l->kf, "platform", "remedy_days", NULL)) {
		GError *e = NULL;
		gint n = g_key_file_get_integer(l->kf, "platform",
		    "remedy_days", &e);

		if (e != NULL || n < 0 || n > 365) {
			complain(l, "platform", "remedy_days", "not a number "
			    "of days");
			g_clear_error(&e);
		} else
			p->policy.remedy_days = n;
	}
	if (g_key_file_has_key(l->kf, "platform", "remedy_in_contract",
	    NULL)) {
		GError *e = NULL;
		gboolean b = g_key_file_get_boolean(l->kf, "platform",
		    "remedy_in_contract", &e);

		if (e != NULL) {
			complain(l, "platform", "remedy_in_contract", "not "
			    "true or false");
			g_clear_error(&e);
		} else
			p->policy.remedy_in_contract = b;
	}
	p->domains = get_list(l, "platform", "domains");
	if (p->domains[0] == NULL)
		complain(l, "platform", "domains", "missing");
	for (i = 0; p->domains[i] != NULL; i++) {
		char *d = g_ascii_strdown(p->domains[i], -1);
		g_free(p->domains[i]);
		p->domains[i] = d;
	}
	p->exclude = get_list(l, "platform", "exclude");
	p->keys = get_regexes(l, "platform", "thread_key");
	p->client = get_patterns(l, "platform", "client");
	p->title = get_patterns(l, "platform", "title");

	groups = g_key_file_get_groups(l->kf, NULL);
	for (i = 0; groups[i] != NULL; i++) {
		struct event_rule	*e;

		if (strcmp(groups[i], "platform") == 0) {
			keys = g_key_file_get_keys(l->kf, groups[i], NULL,
			    NULL);
			for (j = 0; keys[j] != NULL; j++)
				if (!g_strv_contains(platform_keys, keys[j]))
					complain(l, groups[i], keys[j],
					    "unknown key");
			g_strfreev(keys);
			continue;
		}
		if (!g_str_has_prefix(groups[i], "event ")) {
			complain(l, groups[i], NULL, "unknown group: expected "
			    "[platform] or [event KIND]");
			continue;
		}
		kind = event_kind_from_name(groups[i] + 6);
		if (kind < 0 || kind == EVENT_UNKNOWN) {
			complain(l, groups[i], NULL, "unknown event kind '%s'",
			    groups[i] + 6);
			continue;
		}
		keys = g_key_file_get_keys(l->kf, groups[i], NULL, NULL);
		for (j = 0; keys[j] != NULL; j++)
			if (!g_strv_contains(event_keys, keys[j]))
				complain(l, groups[i], keys[j], "unknown key");
		g_strfreev(keys);
		e = g_new0(struct event_rule, 1);
		e->kind = (enum event_kind)kind;
		e->subject = get_regexes(l, groups[i], "subject");
		e->body = get_regexes(l, groups[i], "body");
		e->client = get_patterns(l, groups[i], "client");
		e->title = get_patterns(l, groups[i], "title");
		if (e->subject->len == 0 && e->body->len == 0)
			complain(l, groups[i], NULL, "needs a subject or body "
			    "pattern");
		g_ptr_array_add(p->events, e);
	}
	g_strfreev(groups);
	return (p);
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

struct rules *
rules_load(const char *const *dirs, GError **err)
{
	GHashTable	*files;	/* basename -> path, later dirs win */
	GPtrArray	*names;
	GString		*errors = g_string_new(NULL);
	struct rules	*r;
	GHashTableIter	 it;
	gpointer	 k, v;
	gsize		 i;

	files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	for (i = 0; dirs[i] != NULL; i++) {
		GDir		*d = g_dir_open(dirs[i], 0, NULL);
		const char	*name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL)
			if (g_str_has_suffix(name, ".rules"))
				g_hash_table_insert(files, g_strdup(name),
				    g_build_filename(dirs[i], name, NULL));
		if (d != NULL)
			g_dir_close(d);
	}
	names = g_ptr_array_new();
	g_hash_table_iter_init(&it, files);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(names, k);
	g_ptr_array_sort(names, cmp_str);

	r = g_new0(struct rules, 1);
	r->platforms = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)platform_free);
	for (i = 0; i < names->len; i++) {
		struct loader	 l;
		GError		*e = NULL;
		const char	*path = g_hash_table_lookup(files,
				    names->pdata[i]);

		l.file = path;
		l.errors = errors;
		l.kf = g_key_file_new();
		if (!g_key_file_load_from_file(l.kf, path, G_KEY_FILE_NONE,
		    &e)) {
			if (errors->len > 0)
				g_string_append_c(errors, '\n');
			g_string_append_printf(errors, "%s: %s", path,
			    e->message);
			g_error_free(e);
		} else
			g_ptr_array_add(r->platforms, load_platform(&l));
		g_key_file_free(l.kf);
	}
	g_ptr_array_free(names, TRUE);
	g_hash_table_unref(files);
	if (errors->len == 0 && r->platforms->len == 0)
		g_string_append(errors, "no platform rules found (looked for "
		    "*.rules files)");
	if (errors->len > 0) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    errors->str);
		g_string_free(errors, TRUE);
		rules_free(r);
		return (NULL);
	}
	g_string_free(errors, TRUE);
	return (r);
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	g_ptr_array_unref(r->platforms);
	g_free(r);
}

/* Whether 'addr' is at 'domain' or one of its subdomains. */
static gboolean
at_domain(const char *addr, const char *domain)
{
	const char	*at = strrchr(addr, '@');
	gsize		 n, m;

	if (at == NULL)
		return (FALSE);
	at++;
	n = strlen(at);
	m = strlen(domain);
	return (g_ascii_strcasecmp(at, domain) == 0 || (n > m &&
	    at[n - m - 1] == '.' &&
	    g_ascii_strcasecmp(at + n - m, domain) == 0));
}

static gboolean
excluded(const struct platform *p, const char *addr)
{
	gsize	i;

	for (i = 0; p->exclude[i] != NULL; i++)
		if (strchr(p->exclude[i], '@') != NULL ?
		    g_ascii_strcasecmp(p->exclude[i], addr) == 0 :
		    at_domain(addr, p->exclude[i]))
			return (TRUE);
	return (FALSE);
}

static gboolean
all_match(GPtrArray *res, const char *text)
{
	guint	i;

	for (i = 0; i < res->len; i++)
		if (!g_regex_match(res->pdata[i], text, 0, NULL))
			return (FALSE);
	return (TRUE);
}

/* Group 1 of the first pattern that matches, trimmed; or NULL. */
static char *
extract(GPtrArray *patterns, const char *subject, const char *body)
{
	GMatchInfo	*mi;
	char		*v;
	guint		 i;

	for (i = 0; i < patterns->len; i++) {
		const struct pattern *p = patterns->pdata[i];

		if (g_regex_match(p->re, p->body ? body : subject, 0, &mi)) {
			v = g_match_info_fetch(mi, 1);
			g_match_info_free(mi);
			if (v != NULL && *g_strstrip(v) != '\0')
				return (v);
			g_free(v);
		} else
			g_match_info_free(mi);
	}
	return (NULL);
}

gboolean
rules_classify(const struct rules *r, const struct mail *m,
    struct event *ev)
{
	const struct platform	*p = NULL;
	const struct event_rule	*er = NULL;
	char			*subject, *body;
	guint			 i, j;

	memset(ev, 0, sizeof *ev);
	for (i = 0; i < r->platforms->len && p == NULL; i++) {
		const struct platform *c = r->platforms->pdata[i];

		for (j = 0; c->domains[j] != NULL; j++)
			if (at_domain(m->from_addr, c->domains[j])) {
				p = c;
				break;
			}
	}
	if (p == NULL || excluded(p, m->from_addr))
		return (FALSE);
	ev->platform = p->id;
	subject = rules_normalize(m->subject);
	body = rules_normalize(m->body);
	for (i = 0; i < p->events->len && er == NULL; i++) {
		const struct event_rule *c = p->events->pdata[i];

		if (all_match(c->subject, subject) && all_match(c->body, body))
			er = c;
	}
	ev->kind = er != NULL ? er->kind : EVENT_UNKNOWN;
	if (ev->kind != EVENT_NOISE) {
		for (i = 0; i < p->keys->len && ev->key == NULL; i++) {
			GRegex		*re = p->keys->pdata[i];
			GMatchInfo	*mi = NULL;
			gboolean	 hit;

			if (!(hit = g_regex_match(re, body, 0, &mi))) {
				g_match_info_free(mi);
				hit = g_regex_match(re, subject, 0, &mi);
			}
			if (hit) {
				ev->key = g_match_info_fetch(mi, 1);
				ev->url = g_match_info_fetch(mi, 0);
				/* the key may come from text, not a link */
				if (!g_str_has_prefix(ev->url, "http"))
					g_clear_pointer(&ev->url, g_free);
			}
			g_match_info_free(mi);
		}
		if (er != NULL)
			ev->client = extract(er->client, subject, body);
		if (ev->client == NULL)
			ev->client = extract(p->client, subject, body);
		if (er != NULL)
			ev->title = extract(er->title, subject, body);
		if (ev->title == NULL)
			ev->title = extract(p->title, subject, body);
	}
	g_free(subject);
	g_free(body);
	return (TRUE);
}

void
event_clear(struct event *ev)
{
	g_free(ev->key);
	g_free(ev->client);
	g_free(ev->title);
	g_free(ev->url);
	memset(ev, 0, sizeof *ev);
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
