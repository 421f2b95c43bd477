/*
 * template.c: load, check and fill templates.
 */
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
	"days_silent",		/* business days since then */
	"step",
	NULL
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

/* Check every {{...}} of one line. */
static void
check_line(GString *errors, const char *path, guint line, const char *s)
{
	const char	*open, *close;
	char		*name;

	while ((open = strstr(s, "{{")) != NULL) {
		if ((close = strstr(open + 2, "}}")) == NULL) {
			complain(errors, path, line, "'{{' without '}}'");
			return;
		}
		name = g_strstrip(g_strndup(open + 2, (gsize)(close - open -
		    2)));
		if (!g_strv_contains(template_placeholders, name))
			complain(errors, path, line, "unknown placeholder "
			    "{{%s}}", name);
		g_free(name);
		s = close + 2;
	}
}

struct template *
template_parse(const char *path, const char *text, GError **err)
{
	struct template	 *t;
	GString		 *errors = g_string_new(NULL), *body;
	char		**lines;
	guint		  i;
	gboolean	  in_header = TRUE;

	t = g_new0(struct template, 1);
	t->path = g_strdup(path);
	body = g_string_new(NULL);
	if (!g_utf8_validate(text, -1, NULL))
		complain(errors, path, 1, "not UTF-8 text");
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; errors->len == 0 && lines[i] != NULL; i++) {
		char *l = lines[i];
		gsize n = strlen(l);

		if (n > 0 && l[n - 1] == '\r')
			l[n - 1] = '\0';
		if (in_header) {
			char *colon;

			if (*l == '\0') {
				in_header = FALSE;
				continue;
			}
			if ((colon = strchr(l, ':')) == NULL) {
				complain(errors, path, i + 1, "expected "
				    "'Subject: ...' and a blank line before "
				    "the body");
				continue;
			}
			*colon = '\0';
			if (g_ascii_strcasecmp(g_strstrip(l), "Subject") !=
			    0) {
				complain(errors, path, i + 1, "unknown header "
				    "'%s' (only Subject)", l);
				continue;
			}
			g_free(t->subject);
			t->subject = g_strdup(g_strstrip(colon + 1));
			check_line(errors, path, i + 1, t->subject);
			continue;
		}
		check_line(errors, path, i + 1, l);
		g_string_append(body, l);
		g_string_append_c(body, '\n');
	}
	g_strfreev(lines);
	if (errors->len == 0 && t->subject == NULL)
		complain(errors, path, 1, "no Subject: line");
	else if (errors->len == 0 && in_header)
		complain(errors, path, i, "no body: a blank line must follow "
		    "the headers");
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

struct template *
template_load(const char *const *dirs, const char *name, GError **err)
{
	struct template	*t = NULL;
	GError		*e = NULL;
	char		*path, *text, *file;
	guint		 i;

	file = g_strconcat(name, ".txt", NULL);
	for (i = 0; dirs[i] != NULL; i++) {
		path = g_build_filename(dirs[i], file, NULL);
		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			g_free(path);
			continue;
		}
		if (!g_file_get_contents(path, &text, NULL, &e)) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    "%s: %s", path, e->message);
			g_error_free(e);
		} else {
			t = template_parse(path, text, err);
			g_free(text);
		}
		g_free(path);
		g_free(file);
		return (t);
	}
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
	    "template %s not found (looked in %u directories)", file, i);
	g_free(file);
	return (NULL);
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

char *
template_render(const char *text, GHashTable *values, gboolean one_line)
{
	GString		*out = g_string_new(NULL);
	const char	*open, *close, *v;
	char		*name;

	while ((open = strstr(text, "{{")) != NULL &&
	    (close = strstr(open + 2, "}}")) != NULL) {
		g_string_append_len(out, text, open - text);
		name = g_strstrip(g_strndup(open + 2, (gsize)(close - open -
		    2)));
		v = g_hash_table_lookup(values, name);
		g_free(name);
		for (; v != NULL && *v != '\0'; v++) {
			if (one_line && ((guchar)*v < 0x20 || *v == 0x7f))
				g_string_append_c(out, ' ');
			else
				g_string_append_c(out, *v);
		}
		text = close + 2;
	}
	g_string_append(out, text);
	return (g_string_free(out, FALSE));
}
