/*
 * notify.c: notify_command and notify_url.
 */
#include <glib/gi18n.h>

#include "notify.h"

#include <string.h>

#include <curl/curl.h>
#include <json-glib/json-glib.h>

#include "error.h"

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

static void
member(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
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
		member(b, "account", c->account);
		member(b, "thread", c->thread);
		member(b, "platform", c->platform_name);
		member(b, "client", c->client);
		member(b, "job_title", c->job_title);
		member(b, "url", c->url);
		member(b, "subject", c->subject);
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

static gboolean
run_command(const char *command, const char *input, GError **err)
{
	const char	*argv[] = { "/bin/sh", "-c", command, NULL };
	GSubprocess	*p;
	GError		*e = NULL;
	char		*errout = NULL;
	gboolean	 ok;

	p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
	    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
	    &e);
	if (p == NULL ||
	    !g_subprocess_communicate_utf8(p, input, NULL, NULL, &errout,
	    &e)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command: %s"), e->message);
		g_error_free(e);
		if (p != NULL)
			g_object_unref(p);
		return (FALSE);
	}
	ok = g_subprocess_get_successful(p);
	if (!ok)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_command failed (exit %d): %s"),
		    g_subprocess_get_exit_status(p),
		    errout != NULL ? g_strstrip(errout) : "");
	g_free(errout);
	g_object_unref(p);
	return (ok);
}

static size_t
discard(char *p, size_t size, size_t n, void *ctx)
{
	return (size * n);
}

static gboolean
post_json(const char *url, const char *json, guint timeout, GError **err)
{
	struct curl_slist	*h = NULL;
	CURL			*c;
	CURLcode		 rc;
	long			 status = 0;

	if (!config_url_allowed(url)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("notify_url: '%s' must be https:// (http:// only to "
		    "this machine)"), url);
		return (FALSE);
	}
	if ((c = curl_easy_init()) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_url: cannot start libcurl"));
		return (FALSE);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("notify_url: %s"), curl_easy_strerror(rc));
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
	char		*text;
	gboolean	 ok = TRUE;

	if (created->len == 0)
		return (TRUE);
	if (cfg->notify_command != NULL) {
		text = summary(created);
		ok = run_command(cfg->notify_command, text, err);
		g_free(text);
	}
	if (ok && cfg->notify_url != NULL) {
		text = notify_json(created);
		ok = post_json(cfg->notify_url, text, timeout, err);
		g_free(text);
	}
	return (ok);
}
