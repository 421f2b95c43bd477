/*
 * notify.c: notify_command and notify_url.
 */
#include <glib/gi18n.h>

#include "notify.h"

#include <string.h>

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
struct running {
	GSubprocess	*p;
	GCancellable	*cancel;
	gboolean	 done, ok, timed_out;
	char		*errout;
	GError		*e;
};

static void
command_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct running *c = data;

	c->ok = g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res,
	    NULL, &c->errout, &c->e);
	c->done = TRUE;
}

static void
command_exited(GObject *src, GAsyncResult *res, gpointer data)
{
	struct running *c = data;

	c->ok = g_subprocess_wait_finish(G_SUBPROCESS(src), res, &c->e);
	c->done = TRUE;
}

static gboolean
command_late(gpointer data)
{
	struct running *c = data;

	c->timed_out = TRUE;
	g_subprocess_force_exit(c->p);
	g_cancellable_cancel(c->cancel);
	return (G_SOURCE_REMOVE);
}

/*
 * Run 'command' with /bin/sh, 'input' on its stdin, for at most 'timeout'
 * seconds (then it is killed): a hung notifier must not hold the lock
 * that every later sync waits for.
 */
static gboolean
run_command(const char *command, const char *input, guint timeout,
    GError **err)
{
	const char	*argv[] = { "/bin/sh", "-c", command, NULL };
	struct running	 c = { NULL, NULL, FALSE, FALSE, FALSE, NULL, NULL };
	GMainContext	*ctx;
	GSource		*late;
	gboolean	 ok = FALSE;

	c.p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
	    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
	    &c.e);
	if (c.p == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: %s"), c.e->message);
		g_error_free(c.e);
		return (FALSE);
	}
	ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	c.cancel = g_cancellable_new();
	late = g_timeout_source_new_seconds(timeout);
	g_source_set_callback(late, command_late, &c, NULL);
	g_source_attach(late, ctx);
	g_subprocess_communicate_utf8_async(c.p, input, c.cancel, command_done,
	    &c);
	while (!c.done)
		g_main_context_iteration(ctx, TRUE);
	if (!c.ok && g_error_matches(c.e, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)) {
		/* it did not read the summary (notify-send...): fine */
		g_clear_error(&c.e);
		c.done = FALSE;
		g_subprocess_wait_async(c.p, c.cancel, command_exited, &c);
		while (!c.done)
			g_main_context_iteration(ctx, TRUE);
	}
	g_source_destroy(late);
	g_source_unref(late);
	if (c.timed_out)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: still running after %u s; stopped"),
		    timeout);
	else if (!c.ok)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: %s"), c.e->message);
	else if (!(ok = g_subprocess_get_successful(c.p)))
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command failed (exit %d): %s"),
		    g_subprocess_get_exit_status(c.p),
		    c.errout != NULL ? g_strstrip(c.errout) : "");
	g_clear_error(&c.e);
	g_free(c.errout);
	g_object_unref(c.cancel);
	g_object_unref(c.p);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
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
