/*
 * template.c: load, check and fill templates.
 */
#include <glib/gi18n.h>

#include "template.h"

#include <string.h>

#include "error.h"

const char *const template_placeholders[] = {
	"client_name",		/* the client, as the platform names them */
	"your_name",		/* [general] your_name */
	"job_title",
	"platform_name",	/* クラウドワークス, ランサーズ, ... */
	"thread_url",
	"last_contact",		/* the day of the client's last event */
	"reply_by",		/* the day the next step falls due if the
				   client stays silent */
	"days_silent",		/* business days since then */
	"step",
	"remedy",		/* the platform's own remedy, from its rules */
	NULL
};

const char *const template_sections[] = {
	"negotiating", "active", "contracted", "funded", "delivered",
	"not_funded", "titled", "untitled", NULL
};

const char *const template_names[] = {
	"followup-1", "followup-2", "request-escrow", "end-contract",
	"request-acceptance", "escalation", NULL
};

static void G_GNUC_PRINTF(4, 5)
complain(GString *errors, const char *path, guint line, const char *fmt,
    ...)
{
	va_list	ap;

	if (errors->len > 0)
		g_string_append_c(errors, '\n');
	g_string_append_printf(errors, "%s:%u: ", path, line);
	va_start(ap, fmt);
	g_string_append_vprintf(errors, fmt, ap);
	va_end(ap);
}

/*
 * Complain of a placeholder mistyped in the text between placeholders
 * ('len' bytes at 's'): a '}}' with no '{{', or a known name in single
 * braces, which would reach the client as written.
 */
static void
check_text(GString *errors, const char *path, guint line, const char *s,
    gsize len)
{
	static GRegex	*re;	/* compiled once: every line of every
				   template loaded goes through it */
	GMatchInfo	*mi;
	char		*text = g_strndup(s, len), *name;

	if (strstr(text, "}}") != NULL)
		complain(errors, path, line, _("'}}' without '{{'"));
	if (re == NULL)
		re = g_regex_new("\\{\\s*[#/]?\\s*([a-z_]+)\\s*\\}",
		    G_REGEX_OPTIMIZE, 0, NULL);
	g_regex_match(re, text, 0, &mi);
	for (; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
		name = g_match_info_fetch(mi, 1);
		if (g_strv_contains(template_placeholders, name) ||
		    g_strv_contains(template_sections, name))
			complain(errors, path, line, _("'%s' in single braces: "
			    "write {{%s}}"), name, name);
		g_free(name);
	}
	g_match_info_free(mi);
	g_free(text);
}

/* Check every {{...}} of one line; 'open' is the stack of sections. */
static void
check_line(GString *errors, const char *path, guint line, const char *s,
    GPtrArray *open)
{
	const char	*o, *c;
	char		*name;

	while ((o = strstr(s, "{{")) != NULL) {
		check_text(errors, path, line, s, (gsize)(o - s));
		if ((c = strstr(o + 2, "}}")) == NULL) {
			complain(errors, path, line, _("'{{' without '}}'"));
			return;
		}
		name = g_strstrip(g_strndup(o + 2, (gsize)(c - o - 2)));
		if (name[0] == '#') {
			if (!g_strv_contains(template_sections, name + 1))
				complain(errors, path, line, _("unknown section "
				    "{{%s}}"), name);
			g_ptr_array_add(open, g_strdup(name + 1));
		} else if (name[0] == '/') {
			if (open->len == 0 || strcmp(open->pdata[open->len -
			    1], name + 1) != 0)
				complain(errors, path, line, _("{{%s}} closes "
				    "no open section"), name);
			else
				g_ptr_array_remove_index(open, open->len - 1);
		} else if (!g_strv_contains(template_placeholders, name))
			complain(errors, path, line, _("unknown placeholder "
			    "{{%s}}"), name);
		g_free(name);
		s = c + 2;
	}
	check_text(errors, path, line, s, strlen(s));
}

/* 's' with every character one cannot see (controls, format characters
 * such as U+FEFF or U+200B, blanks other than the space) shown as <U+XXXX>. */
static char *
visible(const char *s)
{
	GString		*out = g_string_new(NULL);
	const char	*p;

	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar	c = g_utf8_get_char(p);
		GUnicodeType	t = g_unichar_type(c);

		if (t == G_UNICODE_CONTROL || t == G_UNICODE_FORMAT ||
		    t == G_UNICODE_UNASSIGNED || t == G_UNICODE_LINE_SEPARATOR ||
		    t == G_UNICODE_PARAGRAPH_SEPARATOR ||
		    (t == G_UNICODE_SPACE_SEPARATOR && c != ' '))
			g_string_append_printf(out, "<U+%04X>", c);
		else
			g_string_append_unichar(out, c);
	}
	return (g_string_free(out, FALSE));
}

struct template *
template_parse(const char *path, const char *text, GError **err)
{
	struct template	 *t;
	GString		 *errors = g_string_new(NULL), *body;
	GPtrArray	 *open;
	char		**lines;
	guint		  i, opened_at = 0;
	gboolean	  in_header = TRUE;

	t = g_new0(struct template, 1);
	t->path = g_strdup(path);
	body = g_string_new(NULL);
	open = g_ptr_array_new_with_free_func(g_free);
	/* Windows Notepad writes UTF-8 with a byte order mark */
	if (g_str_has_prefix(text, "\xef\xbb\xbf"))
		text += 3;
	if (!g_utf8_validate(text, -1, NULL))
		complain(errors, path, 1, _("not UTF-8 text"));
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; errors->len == 0 && lines[i] != NULL; i++) {
		char	*l = lines[i], *colon;
		gsize	 n = strlen(l);
		guint	 depth = open->len;

		if (n > 0 && l[n - 1] == '\r')
			l[n - 1] = '\0';
		if (!in_header) {
			check_line(errors, path, i + 1, l, open);
			if (open->len > depth)
				opened_at = i + 1;
			g_string_append(body, l);
			g_string_append_c(body, '\n');
			continue;
		}
		if (*l == '\0') {
			in_header = FALSE;
			continue;
		}
		if ((colon = strchr(l, ':')) == NULL) {
			complain(errors, path, i + 1, _("expected 'Subject: "
			    "...' and a blank line before the body"));
			continue;
		}
		*colon = '\0';
		if (g_ascii_strcasecmp(g_strstrip(l), "Subject") != 0) {
			char *v = visible(l);

			complain(errors, path, i + 1, _("unknown header '%s' "
			    "(only Subject)"), v);
			g_free(v);
			continue;
		}
		g_free(t->subject);
		t->subject = g_strdup(g_strstrip(colon + 1));
		check_line(errors, path, i + 1, t->subject, open);
		if (open->len > 0)
			complain(errors, path, i + 1, _("sections cannot be "
			    "used in the Subject"));
	}
	g_strfreev(lines);
	if (errors->len == 0 && open->len > 0)
		complain(errors, path, opened_at, _("section {{#%s}} is not "
		    "closed"), (char *)open->pdata[open->len - 1]);
	if (errors->len == 0 && t->subject == NULL)
		complain(errors, path, 1, _("no Subject: line"));
	else if (errors->len == 0 && in_header)
		complain(errors, path, i, _("no body: a blank line must follow "
		    "the headers"));
	g_ptr_array_unref(open);
	/* drop trailing blank lines, keep one line end */
	while (body->len > 1 && body->str[body->len - 1] == '\n' &&
	    body->str[body->len - 2] == '\n')
		g_string_truncate(body, body->len - 1);
	t->body = g_string_free(body, FALSE);
	if (errors->len > 0) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    errors->str);
		g_string_free(errors, TRUE);
		template_free(t);
		return (NULL);
	}
	g_string_free(errors, TRUE);
	return (t);
}

char *
template_find(const char *const *dirs, const char *platform,
    const char *name)
{
	char	*file, *path;
	guint	 i;

	file = g_strconcat(name, ".txt", NULL);
	for (i = 0; dirs[i] != NULL; i++) {
		if (platform != NULL) {
			path = g_build_filename(dirs[i], platform, file, NULL);
			if (g_file_test(path, G_FILE_TEST_EXISTS))
				goto found;
			g_free(path);
		}
		path = g_build_filename(dirs[i], file, NULL);
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			goto found;
		g_free(path);
	}
	path = NULL;
found:
	g_free(file);
	return (path);
}

struct template *
template_load(const char *const *dirs, const char *platform,
    const char *name, GError **err)
{
	struct template	*t = NULL;
	GError		*e = NULL;
	char		*path, *text;

	if ((path = template_find(dirs, platform, name)) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("template %s.txt not found"), name);
		return (NULL);
	}
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG, "%s",
		    e->message);
		g_error_free(e);
	} else {
		t = template_parse(path, text, err);
		g_free(text);
	}
	g_free(path);
	return (t);
}

void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	g_free(t->path);
	g_free(t->subject);
	g_free(t->body);
	g_free(t);
}

/* Whether the line starting at 's' holds only the marker ending at 'e'. */
static gboolean
marker_alone(const char *start, const char *s, const char *e)
{
	return ((s == start || s[-1] == '\n') && (*e == '\n' || *e == '\0'));
}

char *
template_render(const char *text, GHashTable *values, GHashTable *sections,
    gboolean one_line)
{
	GString		*out = g_string_new(NULL);
	const char	*start = text, *o, *c, *v;
	char		*name;
	gsize		 n;
	guint		 hidden = 0;	/* depth of sections switched off */

	while ((o = strstr(text, "{{")) != NULL &&
	    (c = strstr(o + 2, "}}")) != NULL) {
		if (hidden == 0)
			g_string_append_len(out, text, o - text);
		name = g_strstrip(g_strndup(o + 2, (gsize)(c - o - 2)));
		text = c + 2;
		if (name[0] == '#' || name[0] == '/') {
			if (name[0] == '#' && (hidden > 0 || sections == NULL ||
			    !g_hash_table_contains(sections, name + 1)))
				hidden++;
			else if (name[0] == '/' && hidden > 0)
				hidden--;
			if (marker_alone(start, o, text) && *text == '\n')
				text++;
			g_free(name);
			continue;
		}
		v = hidden > 0 ? NULL : g_hash_table_lookup(values, name);
		g_free(name);
		for (; v != NULL && *v != '\0'; v += n) {
			gunichar u = g_utf8_get_char_validated(v, -1);

			n = u >= (gunichar)-2 ? 1 : (gsize)(g_utf8_next_char(v) -
			    v);
			/* C0, DEL, C1, the Unicode line and paragraph
			   separators, and bytes that are no UTF-8: none of
			   them may reach a header */
			if (one_line && (u >= (gunichar)-2 ||
			    g_unichar_iscntrl(u) || u == 0x2028 || u == 0x2029))
				g_string_append_c(out, ' ');
			else
				g_string_append_len(out, v, (gssize)n);
		}
	}
	if (hidden == 0)
		g_string_append(out, text);
	return (g_string_free(out, FALSE));
}
