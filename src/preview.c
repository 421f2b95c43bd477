/*
 * preview.c: the user's templates and drafts, offline.
 */
#include <glib/gi18n.h>

#include "preview.h"

#include <string.h>

#include "compose.h"
#include "error.h"
#include "mail.h"
#include "policy.h"
#include "template.h"

gboolean
templates_list(const struct run *r, FILE *out, GError **err)
{
	char	**ids, *generic, *own;
	guint	  i, j;

	ids = rules_platform_ids(r->rules);
	for (i = 0; template_names[i] != NULL; i++) {
		generic = template_find(r->template_dirs, NULL,
		    template_names[i]);
		fprintf(out, _("%-20s %-12s %s\n"), template_names[i], "(all)",
		    generic != NULL ? generic : "MISSING");
		for (j = 0; ids[j] != NULL; j++) {
			own = template_find(r->template_dirs, ids[j],
			    template_names[i]);
			if (own != NULL && g_strcmp0(own, generic) != 0)
				fprintf(out, _("%-20s %-12s %s\n"),
				    template_names[i], ids[j], own);
			g_free(own);
		}
		g_free(generic);
	}
	g_strfreev(ids);
	return (TRUE);
}

gboolean
templates_check(const struct run *r, FILE *out, GError **err)
{
	GHashTable	*seen;
	GError		*e = NULL;
	char		**ids, *path;
	guint		  i, j, checked = 0, broken = 0;

	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ids = rules_platform_ids(r->rules);
	for (i = 0; template_names[i] != NULL; i++) {
		for (j = 0; j == 0 || ids[j - 1] != NULL; j++) {
			const char	*platform = j == 0 ? NULL : ids[j - 1];
			struct template	*t;

			path = template_find(r->template_dirs, platform,
			    template_names[i]);
			if (path == NULL) {
				if (platform == NULL) {
					fprintf(out, _("%s.txt: missing\n"),
					    template_names[i]);
					broken++;
				}
				continue;
			}
			if (g_hash_table_contains(seen, path)) {
				g_free(path);
				continue;
			}
			g_hash_table_add(seen, path);
			checked++;
			t = template_load(r->template_dirs, platform,
			    template_names[i], &e);
			if (t == NULL) {
				fprintf(out, "%s\n", e->message);
				g_clear_error(&e);
				broken++;
			} else
				template_free(t);
		}
	}
	g_strfreev(ids);
	g_hash_table_unref(seen);
	fprintf(out, ngettext("%u template file checked, %u broken\n",
	    "%u template files checked, %u broken\n", checked), checked,
	    broken);
	if (broken > 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    ngettext("%u broken template: no draft is made from it "
		    "until it is fixed", "%u broken templates: no draft is made "
		    "from them until they are fixed", broken), broken);
		return (FALSE);
	}
	return (TRUE);
}

/* One unfolded header field "Name: value", its value decoded; nothing
 * for "" or a line without a colon.  'field' is changed. */
static void
print_field(char *field, FILE *out)
{
	char	*colon = strchr(field, ':'), *v;

	if (colon == NULL)
		return;
	*colon = '\0';
	v = mail_decode_header(colon + 1);
	fprintf(out, _("%s: %s\n"), field, v);
	g_free(v);
}

/* Print the header block of 'wire', unfolded, values decoded. */
static void
print_headers(const char *wire, FILE *out)
{
	const char	*end = strstr(wire, "\r\n\r\n");
	char		*block, **lines;
	GString		*line = g_string_new(NULL);
	guint		 i;

	block = g_strndup(wire, end != NULL ? (gsize)(end - wire) :
	    strlen(wire));
	lines = g_strsplit(block, "\r\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == ' ' || lines[i][0] == '\t') {
			g_string_append(line, lines[i]);
			continue;
		}
		print_field(line->str, out);
		g_string_assign(line, lines[i]);
	}
	print_field(line->str, out);
	g_string_free(line, TRUE);
	g_strfreev(lines);
	g_free(block);
}

gboolean
preview_print(const struct run *r, struct store *st, const char *thread,
    guint step, FILE *out, GError **err)
{
	const struct account	*acct = NULL;
	const struct thread	*t = NULL;
	struct decision		 d;
	struct composed		 c;
	struct mail		 m;
	GPtrArray		*threads;
	char			*wire, *id, *current;
	gsize			 len;
	guint			 i;
	gboolean		 ok = FALSE;

	if ((threads = store_threads(st, NULL, err)) == NULL)
		return (FALSE);
	current = store_thread_current(st, thread);
	for (i = 0; i < threads->len && t == NULL; i++)
		if (strcmp(((struct thread *)threads->pdata[i])->id,
		    current) == 0)
			t = threads->pdata[i];
	g_free(current);
	if (t == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("preview: no thread '%s' (see renraku status)"), thread);
		goto out;
	}
	for (i = 0; i < r->cfg->accounts->len && acct == NULL; i++)
		if (strcmp(((struct account *)r->cfg->accounts->pdata[i])->name,
		    t->account) == 0)
			acct = r->cfg->accounts->pdata[i];
	if (acct == NULL)
		acct = r->cfg->accounts->pdata[0];
	run_decide(r, t, &d);
	if (step == 0)
		step = d.step_due > 0 ? d.step_due : d.next_step > 0 ?
		    d.next_step : MIN(d.made + 1,
		    POLICY_STEPS);
	if (!compose_draft(r, t, &d, step, &c, err))
		goto out;
	id = compose_message_id(t->id, step, g_date_time_to_unix(r->now),
	    acct->from);
	wire = compose_message(r, acct->from, t, &c, id, TRUE, &len);
	fprintf(out, "# %s, step %u, from %s\n", t->id, step,
	    c.template_path);
	print_headers(wire, out);
	fputc('\n', out);
	if (mail_parse(wire, len, &m, err)) {
		fputs(m.body, out);
		mail_clear(&m);
		ok = TRUE;
	}
	g_free(wire);
	g_free(id);
	composed_clear(&c);
out:
	g_ptr_array_unref(threads);
	return (ok);
}
