/*
 * notify.c: notify_command and notify_url.
 */
#include <glib/gi18n.h>

#include "notify.h"

#include <string.h>

#include "command.h"
#include "error.h"
#include "http.h"
#include "jsonout.h"

void
created_free(struct created *c)
{
	if (c == NULL)
		return;
	g_free(c->account);
	g_free(c->thread);
	g_free(c->platform_name);
	g_free(c->client);
	g_free(c->job_title);
	g_free(c->url);
	g_free(c->subject);
	g_free(c);
}

char *
notify_json(GPtrArray *created)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*out;
	guint		 i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "drafts");
	json_builder_begin_array(b);
	for (i = 0; i < created->len; i++) {
		const struct created *c = created->pdata[i];

		json_builder_begin_object(b);
		jsonout_member(b, "account", c->account);
		jsonout_member(b, "thread", c->thread);
		jsonout_member(b, "platform", c->platform_name);
		jsonout_member(b, "client", c->client);
		jsonout_member(b, "job_title", c->job_title);
		jsonout_member(b, "url", c->url);
		jsonout_member(b, "subject", c->subject);
		json_builder_set_member_name(b, "step");
		json_builder_add_int_value(b, c->step);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return (out);
}

/* The summary notify_command reads: one line per draft. */
static char *
summary(GPtrArray *created)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	g_string_append_printf(s, ngettext("renraku: %u new draft in Drafts\n",
	    "renraku: %u new drafts in Drafts\n", created->len),
	    created->len);
	for (i = 0; i < created->len; i++) {
		const struct created *c = created->pdata[i];

		g_string_append_printf(s, _("%s step %u: %s (%s)\n"), c->thread,
		    c->step, c->subject, c->client != NULL ? c->client : "?");
	}
	return (g_string_free(s, FALSE));
}

/* The state of a notify_command while it runs. */
/*
 * Run notify_command with 'input' on its stdin, for at most 'timeout'
 * seconds (command.c): a hung notifier must not hold the lock that every
 * later sync waits for.
 */
static gboolean
run_command(const char *command, const char *input, guint timeout,
    GError **err)
{
	struct command_result	r;
	gboolean		ok = FALSE;

	command_run(command, input, timeout, FALSE, &r);
	switch (r.end) {
	case COMMAND_OK:
		ok = TRUE;
		break;
	case COMMAND_TIMEOUT:
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: still running after %u s; stopped"),
		    timeout);
		break;
	case COMMAND_BROKEN:
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: %s"), r.why);
		break;
	case COMMAND_FAILED:
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command failed (exit %d): %s"), r.status, r.err);
		break;
	}
	command_result_clear(&r);
	return (ok);
}

static gboolean
post_json(const char *url, const char *json, guint timeout, GError **err)
{
	long	status;

	if (!config_url_allowed(url)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("notify_url: '%s' must be https:// (http:// only to "
		    "this machine)"), url);
		return (FALSE);
	}
	if (!http_post(url, "application/json", json, NULL, timeout, NULL,
	    &status, err)) {
		g_prefix_error(err, _("notify_url: "));
		return (FALSE);
	}
	if (status < 200 || status > 299) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_url: the server answered HTTP %ld"), status);
		return (FALSE);
	}
	return (TRUE);
}

gboolean
notify_drafts(const struct config *cfg, GPtrArray *created, guint timeout,
    GError **err)
{
	GError		*e1 = NULL, *e2 = NULL;
	char		*text;

	if (created->len == 0)
		return (TRUE);
	/* each is tried whether or not the other worked */
	if (cfg->notify_command != NULL) {
		text = summary(created);
		run_command(cfg->notify_command, text, timeout, &e1);
		g_free(text);
	}
	if (cfg->notify_url != NULL) {
		text = notify_json(created);
		post_json(cfg->notify_url, text, timeout, &e2);
		g_free(text);
	}
	if (e1 != NULL && e2 != NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP, "%s; %s",
		    e1->message, e2->message);
		g_error_free(e1);
		g_error_free(e2);
	} else if (e1 != NULL || e2 != NULL)
		g_propagate_error(err, e1 != NULL ? e1 : e2);
	return (e1 == NULL && e2 == NULL);
}
