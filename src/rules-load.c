/*
 * rules-load.c: load platform rules files, and lint them for "rules check".
 *
 * Patterns are GRegex (PCRE) matched after NFKC normalisation and blank
 * folding.  Values that hold patterns are read raw (no GKeyFile escapes),
 * and lists are separated by ';' (write a literal ';' in a pattern as
 * \x3b).
 *
 * GKeyFile keeps no line numbers, so the loader indexes the file text
 * itself: every group header and key with its line, which is how errors,
 * "rules check" and "explain" can say FILE:LINE.
 */
#include <glib/gi18n.h>

#include "rules.h"

#include <string.h>

#include "error.h"
#include "policy.h"
#include "rules-int.h"

static void
pattern_free(struct pattern *p)
{
	if (p->re != NULL)
		g_regex_unref(p->re);
	g_free(p->src);
	g_free(p);
}

static void
event_rule_free(struct event_rule *e)
{
	g_free(e->group);
	g_ptr_array_unref(e->subject);
	g_ptr_array_unref(e->body);
	g_ptr_array_unref(e->client);
	g_ptr_array_unref(e->title);
	g_free(e);
}

static void
platform_free(struct platform *p)
{
	g_free(p->file);
	g_free(p->id);
	g_free(p->name);
	g_free(p->remedy);
	g_free(p->url);
	g_strfreev(p->domains);
	g_strfreev(p->exclude);
	g_ptr_array_unref(p->keys);
	g_ptr_array_unref(p->client);
	g_ptr_array_unref(p->title);
	g_ptr_array_unref(p->events);
	g_free(p);
}

/* Where a group header or a key sits in the file text. */
struct keyline {
	int	 line;
	char	*group;
	char	*key;		/* NULL for the group header */
};

static void
keyline_clear(struct keyline *k)
{
	g_free(k->group);
	g_free(k->key);
}

struct loader {
	const char	*file;
	GKeyFile	*kf;
	GArray		*lines;		/* of struct keyline */
	GString		*errors;	/* for rules_load's GError */
	GPtrArray	*problems;	/* "FILE:LINE: ..." lines; NULL unless
					   checking */
	guint		 nerrors, nwarnings;
};

static void
loader_init(struct loader *l, const char *file, GString *errors,
    GPtrArray *problems)
{
	memset(l, 0, sizeof *l);
	l->file = file;
	l->errors = errors;
	l->problems = problems;
	l->kf = g_key_file_new();
	l->lines = g_array_new(FALSE, TRUE, sizeof(struct keyline));
	g_array_set_clear_func(l->lines, (GDestroyNotify)keyline_clear);
}

static void
loader_clear(struct loader *l)
{
	g_key_file_free(l->kf);
	g_array_unref(l->lines);
}

/*
 * Index the group headers and keys of 'text' the way GKeyFile reads
 * them: blanks around keys trimmed, '#' lines and blank lines skipped.
 */
static void
index_lines(struct loader *l, const char *text)
{
	char	**lines = g_strsplit(text, "\n", -1);
	char	 *group = NULL;
	int	  i;

	for (i = 0; lines[i] != NULL; i++) {
		struct keyline	 k;
		char		*s = g_strstrip(lines[i]), *eq;

		if (*s == '\0' || *s == '#')
			continue;
		memset(&k, 0, sizeof k);
		k.line = i + 1;
		if (*s == '[' && strchr(s, ']') != NULL) {
			g_free(group);
			group = g_strndup(s + 1, (gsize)(strrchr(s, ']') -
			    s - 1));
			k.group = g_strdup(group);
		} else if ((eq = strchr(s, '=')) != NULL && group != NULL) {
			*eq = '\0';
			k.group = g_strdup(group);
			k.key = g_strdup(g_strstrip(s));
		} else
			continue;
		g_array_append_val(l->lines, k);
	}
	g_free(group);
	g_strfreev(lines);
}

/* Line of [group] (key NULL) or of its last 'key' (the one GKeyFile
 * keeps); 0 when not found. */
static int
find_line(const struct loader *l, const char *group, const char *key)
{
	int	line = 0;
	guint	i;

	for (i = 0; i < l->lines->len; i++) {
		const struct keyline *k = &g_array_index(l->lines,
		    struct keyline, i);

		if (group == NULL || strcmp(k->group, group) != 0)
			continue;
		if (key == NULL && k->key == NULL)
			return (k->line);
		if (key != NULL && k->key != NULL && strcmp(k->key, key) == 0)
			line = k->line;
	}
	return (line);
}

static void
add_problem(struct loader *l, gboolean warning, int line, const char *group,
    const char *key, const char *what)
{
	GString	*s;

	if (l->problems == NULL)
		return;
	s = g_string_new(l->file);
	if (line > 0)
		g_string_append_printf(s, ":%d", line);
	g_string_append(s, ": ");
	if (warning)
		g_string_append(s, _("warning: "));
	if (group != NULL)
		g_string_append_printf(s, "[%s]%s%s: ", group,
		    key != NULL ? " " : "", key != NULL ? key : "");
	g_string_append(s, what);
	g_ptr_array_add(l->problems, g_string_free(s, FALSE));
}

/* An error: the file cannot be used as it is. */
static void G_GNUC_PRINTF(4, 5)
complain(struct loader *l, const char *group, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (l->errors->len > 0)
		g_string_append_c(l->errors, '\n');
	g_string_append_printf(l->errors, "%s: [%s]%s%s: %s", l->file, group,
	    key != NULL ? " " : "", key != NULL ? key : "", what);
	/* a missing key has no line: point at its group */
	add_problem(l, FALSE, find_line(l, group, key) > 0 ? find_line(l,
	    group, key) : find_line(l, group, NULL), group, key, what);
	l->nerrors++;
	g_free(what);
}

/* A warning: the file loads, but probably does not say what was meant.
 * Only "rules check" reports these. */
static void G_GNUC_PRINTF(4, 5)
warn(struct loader *l, const char *group, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	if (l->problems == NULL)
		return;
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	add_problem(l, TRUE, find_line(l, group, key), group, key, what);
	l->nwarnings++;
	g_free(what);
}

/* Duplicate groups are merged and duplicate keys overwritten by GKeyFile
 * without a word; say so. */
static void
warn_duplicates(struct loader *l)
{
	guint	i, j;

	for (i = 0; i < l->lines->len; i++) {
		const struct keyline *a = &g_array_index(l->lines,
		    struct keyline, i);

		for (j = 0; j < i; j++) {
			const struct keyline *b = &g_array_index(l->lines,
			    struct keyline, j);

			if (strcmp(a->group, b->group) != 0 ||
			    (a->key == NULL) != (b->key == NULL) ||
			    (a->key != NULL && strcmp(a->key, b->key) != 0))
				continue;
			add_problem(l, TRUE, a->line, a->group, a->key,
			    a->key == NULL ? "group appears again: GKeyFile "
			    "merges it into the first one" :
			    "key set again: this value replaces the one "
			    "before");
			l->nwarnings++;
			break;
		}
	}
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

/*
 * Rules are matched against NFKC text, so a pattern holding a character
 * that NFKC changes (full-width ':', '①', ...) can never match it.
 */
static void
check_nfkc(struct loader *l, const char *group, const char *key,
    const char *src)
{
	const char	*p;

	if (l->problems == NULL || !g_utf8_validate(src, -1, NULL))
		return;
	for (p = src; *p != '\0'; p = g_utf8_next_char(p)) {
		char	 c[8];
		char	*n;
		int	 len = g_unichar_to_utf8(g_utf8_get_char(p), c);

		c[len] = '\0';
		n = g_utf8_normalize(c, -1, G_NORMALIZE_NFKC);
		if (n != NULL && strcmp(n, c) != 0) {
			warn(l, group, key, "pattern '%s': '%s' never "
			    "matches, text is NFKC-normalised first (write "
			    "'%s')", src, c, n);
			g_free(n);
			return;
		}
		g_free(n);
	}
}

/*
 * Patterns of a key.  With 'prefixed', each may start "subject:" or
 * "body:" (default subject).  With 'capture', a value is wanted from
 * group 1.
 */
static GPtrArray *
get_patterns(struct loader *l, const char *group, const char *key,
    gboolean prefixed, gboolean capture)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
			    (GDestroyNotify)pattern_free);
	char		**src = get_list(l, group, key);
	int		  line = find_line(l, group, key);
	gsize		  i;

	for (i = 0; src[i] != NULL; i++) {
		struct pattern	*p = g_new0(struct pattern, 1);
		const char	*re = src[i];
		GError		*e = NULL;

		if (prefixed && g_str_has_prefix(re, "body:")) {
			p->body = TRUE;
			re += 5;
		} else if (prefixed && g_str_has_prefix(re, "subject:"))
			re += 8;
		p->src = g_strdup(src[i]);
		p->line = line;
		/* GLib compiles in UTF-8 mode without checking the pattern
		 * (PCRE2_NO_UTF_CHECK): invalid UTF-8 can crash PCRE2 */
		if (!g_utf8_validate(re, -1, NULL)) {
			complain(l, group, key, _("bad pattern: not UTF-8"));
			pattern_free(p);
			continue;
		}
		/* not JIT-compiled (G_REGEX_OPTIMIZE): compiling the rules'
		 * patterns so took longer than a sync with a few dozen
		 * platform mails spends matching them */
		p->re = g_regex_new(re, G_REGEX_MULTILINE, 0, &e);
		if (p->re == NULL) {
			complain(l, group, key, _("bad pattern '%s': %s"), re,
			    e->message);
			g_error_free(e);
			pattern_free(p);
			continue;
		}
		if (capture && g_regex_get_capture_count(p->re) < 1)
			warn(l, group, key, "pattern '%s' captures nothing: "
			    "the value is group 1", re);
		check_nfkc(l, group, key, re);
		g_ptr_array_add(a, p);
	}
	g_strfreev(src);
	return (a);
}

/* [platform] 'key' as a number from 0 to 'max', or -1 when not set (or
 * wrong: complained of with 'what'). */
static int
get_number(struct loader *l, const char *key, int max, const char *what)
{
	GError	*e = NULL;
	gint	 n;

	if (!g_key_file_has_key(l->kf, "platform", key, NULL))
		return (-1);
	n = g_key_file_get_integer(l->kf, "platform", key, &e);
	if (e != NULL || n < 0 || n > max) {
		complain(l, "platform", key, "%s", what);
		g_clear_error(&e);
		return (-1);
	}
	return (n);
}

/* [platform] 'key' as 0 or 1, or -1 when not set (or wrong). */
static int
get_flag(struct loader *l, const char *key)
{
	GError		*e = NULL;
	gboolean	 b;

	if (!g_key_file_has_key(l->kf, "platform", key, NULL))
		return (-1);
	b = g_key_file_get_boolean(l->kf, "platform", key, &e);
	if (e != NULL) {
		complain(l, "platform", key, _("not true or false"));
		g_clear_error(&e);
		return (-1);
	}
	return (b != FALSE);
}

static struct platform *
load_platform(struct loader *l)
{
	static const char *const platform_keys[] = { "id", "name",
	    "domains", "exclude", "thread_key", "client", "title", "url",
	    "remedy", "remedy_days", "remedy_in_contract", "prepaid",
	    "auto_accept_hours", "accept_days", NULL };
	static const char *const event_keys[] = { "subject", "body",
	    "client", "title", NULL };
	struct platform	 *p;
	char		**groups, **keys;
	gsize		  i, j;
	guint		  before;
	int		  kind;

	p = g_new0(struct platform, 1);
	p->file = g_strdup(l->file);
	p->events = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)event_rule_free);
	if (!g_key_file_has_group(l->kf, "platform"))
		complain(l, "platform", NULL, _("missing group"));
	p->id = g_key_file_get_value(l->kf, "platform", "id", NULL);
	if (p->id == NULL || !g_regex_match_simple("^[a-z0-9_-]+$", p->id, 0,
	    0))
		complain(l, "platform", "id", _("missing, or not made of a-z, "
		    "0-9, '-' and '_'"));
	p->name = g_key_file_get_string(l->kf, "platform", "name", NULL);
	if (p->name == NULL)
		p->name = g_strdup(p->id != NULL ? p->id : "?");
	p->remedy = g_key_file_get_string(l->kf, "platform", "remedy", NULL);
	p->url = g_key_file_get_string(l->kf, "platform", "url", NULL);
	if (p->url != NULL && (!g_str_has_prefix(p->url, "https://") ||
	    strstr(p->url, "{key}") == NULL || strpbrk(p->url, " \t") != NULL))
		complain(l, "platform", "url", _("not an https:// address with "
		    "{key} in it"));
	p->policy.step_days[0] = p->policy.step_days[1] =
	    p->policy.step_days[2] = p->policy.horizon_days = -1;
	p->policy.remedy_days = get_number(l, "remedy_days", 365,
	    _("not a number of days"));
	p->policy.auto_accept_hours = get_number(l, "auto_accept_hours",
	    24 * 365, _("not a number of hours"));
	p->policy.accept_days = get_number(l, "accept_days", 365,
	    _("not a number of days"));
	p->policy.remedy_in_contract = get_flag(l, "remedy_in_contract");
	p->policy.prepaid = get_flag(l, "prepaid");
	p->domains = get_list(l, "platform", "domains");
	p->domains_line = find_line(l, "platform", "domains");
	if (p->domains[0] == NULL)
		complain(l, "platform", "domains", _("missing"));
	for (i = 0; p->domains[i] != NULL; i++) {
		char *d = g_ascii_strdown(p->domains[i], -1);
		g_free(p->domains[i]);
		p->domains[i] = d;
	}
	p->exclude = get_list(l, "platform", "exclude");
	p->exclude_line = find_line(l, "platform", "exclude");
	p->keys = get_patterns(l, "platform", "thread_key", FALSE, TRUE);
	p->client = get_patterns(l, "platform", "client", TRUE, TRUE);
	p->title = get_patterns(l, "platform", "title", TRUE, TRUE);

	groups = g_key_file_get_groups(l->kf, NULL);
	for (i = 0; groups[i] != NULL; i++) {
		struct event_rule	*e;

		if (strcmp(groups[i], "platform") == 0) {
			keys = g_key_file_get_keys(l->kf, groups[i], NULL,
			    NULL);
			for (j = 0; keys[j] != NULL; j++)
				if (!g_strv_contains(platform_keys, keys[j]))
					complain(l, groups[i], keys[j],
					    _("unknown key"));
			g_strfreev(keys);
			continue;
		}
		if (!g_str_has_prefix(groups[i], "event ")) {
			complain(l, groups[i], NULL, _("unknown group: expected "
			    "[platform] or [event KIND]"));
			continue;
		}
		kind = event_kind_from_name(groups[i] + 6);
		if (kind < 0 || kind == EVENT_UNKNOWN) {
			complain(l, groups[i], NULL, _("unknown event kind '%s'"),
			    groups[i] + 6);
			continue;
		}
		keys = g_key_file_get_keys(l->kf, groups[i], NULL, NULL);
		for (j = 0; keys[j] != NULL; j++)
			if (!g_strv_contains(event_keys, keys[j]))
				complain(l, groups[i], keys[j], _("unknown key"));
		g_strfreev(keys);
		e = g_new0(struct event_rule, 1);
		e->kind = (enum event_kind)kind;
		e->group = g_strdup(groups[i]);
		e->line = find_line(l, groups[i], NULL);
		before = l->nerrors;
		e->subject = get_patterns(l, groups[i], "subject", FALSE,
		    FALSE);
		e->body = get_patterns(l, groups[i], "body", FALSE, FALSE);
		e->client = get_patterns(l, groups[i], "client", TRUE, TRUE);
		e->title = get_patterns(l, groups[i], "title", TRUE, TRUE);
		/* an empty group would match every mail; say so unless a
		 * bad pattern was the cause and was reported */
		if (e->subject->len == 0 && e->body->len == 0 &&
		    l->nerrors == before)
			complain(l, groups[i], NULL, _("needs a subject or body "
			    "pattern"));
		g_ptr_array_add(p->events, e);
	}
	g_strfreev(groups);
	return (p);
}


/* Warnings that need the platforms loaded before this one. */
static void
check_platform(struct loader *l, const struct platform *p,
    GPtrArray *loaded)
{
	gsize	i, j, k;

	if (l->problems == NULL)
		return;
	for (i = 0; p->exclude[i] != NULL; i++) {
		const char	*x = p->exclude[i];
		char		*addr = strchr(x, '@') != NULL ? g_strdup(x) :
				    g_strconcat("x@", x, NULL);
		gboolean	 inside = FALSE;

		for (j = 0; p->domains[j] != NULL && !inside; j++)
			inside = rules_at_domain(addr, p->domains[j]);
		if (!inside)
			warn(l, "platform", "exclude", "'%s' is not under any "
			    "of the platform's domains, so excluding it "
			    "changes nothing", x);
		g_free(addr);
	}
	for (k = 0; k < loaded->len; k++) {
		const struct platform *q = loaded->pdata[k];

		for (i = 0; p->domains[i] != NULL; i++)
			for (j = 0; q->domains[j] != NULL; j++)
				if (g_ascii_strcasecmp(p->domains[i],
				    q->domains[j]) == 0)
					warn(l, "platform", "domains", "'%s' "
					    "is also a domain of %s (%s), "
					    "which is tried first",
					    p->domains[i], q->id, q->file);
	}
}

/* The first line GKeyFile would refuse, for its error message; 0 if
 * none is found. */
static int
bad_line(const char *text)
{
	char		**lines = g_strsplit(text, "\n", -1);
	gboolean	  in_group = FALSE;
	int		  i, line = 0;

	for (i = 0; lines[i] != NULL && line == 0; i++) {
		char *s = g_strstrip(lines[i]);

		if (!g_utf8_validate(s, -1, NULL))
			line = i + 1;
		else if (*s == '\0' || *s == '#')
			continue;
		else if (*s == '[') {
			if (s[strlen(s) - 1] == ']')
				in_group = TRUE;
			else
				line = i + 1;
		} else if (!in_group || strchr(s, '=') == NULL)
			line = i + 1;
	}
	g_strfreev(lines);
	return (line);
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Load the rules files of 'dirs' into a new struct rules.  Errors go to
 * 'errors' (rules_load's format); with 'problems', also every error and
 * warning as a "FILE:LINE: ..." line, plus "FILE: ok" for a clean file.
 * '*nerrors' counts errors.
 */
static struct rules *
load_all(const char *const *dirs, GString *errors, GPtrArray *problems,
    guint *nerrors)
{
	GHashTable	*files;	/* basename -> path, later dirs win */
	GPtrArray	*names;
	struct rules	*r;
	GHashTableIter	 it;
	gpointer	 k, v;
	gsize		 i;

	*nerrors = 0;
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
		char		*text = NULL;
		gsize		 len;
		guint		 before = problems != NULL ? problems->len : 0;

		loader_init(&l, path, errors, problems);
		if (!g_file_get_contents(path, &text, &len, &e) ||
		    !g_key_file_load_from_data(l.kf, text, len,
		    G_KEY_FILE_NONE, &e)) {
			if (errors->len > 0)
				g_string_append_c(errors, '\n');
			g_string_append_printf(errors, "%s: %s", path,
			    e->message);
			add_problem(&l, FALSE, text != NULL ? bad_line(text) :
			    0, NULL, NULL, e->message);
			l.nerrors++;
			g_error_free(e);
		} else {
			struct platform *p;

			index_lines(&l, text);
			warn_duplicates(&l);
			p = load_platform(&l);
			check_platform(&l, p, r->platforms);
			g_ptr_array_add(r->platforms, p);
		}
		if (problems != NULL && problems->len == before)
			g_ptr_array_add(problems, g_strdup_printf("%s: ok",
			    path));
		*nerrors += l.nerrors;
		loader_clear(&l);
		g_free(text);
	}
	g_ptr_array_free(names, TRUE);
	g_hash_table_unref(files);
	if (errors->len == 0 && r->platforms->len == 0) {
		g_string_append(errors, _("no platform rules found (looked for "
		    "*.rules files)"));
		(*nerrors)++;
	}
	return (r);
}

struct rules *
rules_load(const char *const *dirs, GError **err)
{
	GString		*errors = g_string_new(NULL);
	struct rules	*r;
	guint		 nerrors;

	r = load_all(dirs, errors, NULL, &nerrors);
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

gboolean
rules_check(const char *const *dirs, FILE *out, GError **err)
{
	GString		*errors = g_string_new(NULL);
	GPtrArray	*problems = g_ptr_array_new_with_free_func(g_free);
	struct rules	*r;
	guint		 nerrors, i;
	gboolean	 ok = TRUE;

	r = load_all(dirs, errors, problems, &nerrors);
	for (i = 0; i < problems->len; i++)
		fprintf(out, "%s\n", (const char *)problems->pdata[i]);
	if (problems->len == 0) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    errors->str);
		ok = FALSE;
	} else if (nerrors > 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    ngettext("%u error in rules files",
		    "%u errors in rules files", nerrors), nerrors);
		ok = FALSE;
	}
	rules_free(r);
	g_ptr_array_unref(problems);
	g_string_free(errors, TRUE);
	return (ok);
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
gboolean
rules_at_domain(const char *addr, const char *domain)
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
