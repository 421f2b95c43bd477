/*
 * oauth.c: the OAuth2 token endpoint (RFC 6749): the refresh-token grant
 * for each sync, the authorization-code grant for renraku auth, their
 * answers read with json-glib; the refresh token renraku keeps and a
 * small cache of the access token, both owner-only.
 */
#include <glib/gi18n.h>

#include "oauth.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "command.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "secret.h"

/* state_dir/oauth2-NAME.SUFFIX, the account's name made safe for it */
static char *
state_file(const struct account *acct, const char *state_dir,
    const char *suffix)
{
	char	*name, *p, *path;

	name = g_strdup_printf("oauth2-%s.%s", acct->name, suffix);
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			*p = '_';
	path = g_build_filename(state_dir, name, NULL);
	g_free(name);
	return (path);
}

/*
 * Write 'text' to 'path' owner-only, through a temporary file of its own
 * (a sync and renraku auth may both be writing).
 */
static gboolean
write_private(const char *path, const char *text)
{
	char		*tmp = g_strconcat(path, ".XXXXXX", NULL);
	gboolean	 ok = FALSE;
	int		 fd;

	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	if (fd != -1) {
		ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		    fsync(fd) == 0;
		ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
		if (!ok)
			unlink(tmp);
	}
	g_free(tmp);
	return (ok);
}

/* The cached token if it is still good at 'now'; or NULL. */
static char *
cache_read(const char *path, gint64 now)
{
	JsonParser	*p = json_parser_new();
	JsonObject	*o;
	char		*token = NULL;

	if (json_parser_load_from_file(p, path, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		o = json_node_get_object(json_parser_get_root(p));
		if (json_object_has_member(o, "access_token") &&
		    json_object_has_member(o, "expires_at") &&
		    json_object_get_int_member(o, "expires_at") > now + 60)
			token = g_strdup(json_object_get_string_member(o,
			    "access_token"));
	}
	g_object_unref(p);
	return (token);
}

/* The answer's expires_in: a number, or a string of one (ADFS, Azure v1);
   an hour when it gives none. */
static gint64
expires_in(JsonObject *o)
{
	JsonNode	*n = json_object_get_member(o, "expires_in");
	gint64		 v = 3600;

	if (n != NULL && JSON_NODE_HOLDS_VALUE(n)) {
		if (json_node_get_value_type(n) == G_TYPE_STRING)
			v = g_ascii_strtoll(json_node_get_string(n), NULL, 10);
		else if (json_node_get_value_type(n) == G_TYPE_INT64)
			v = json_node_get_int(n);
	}
	return (v > 0 ? v : 3600);
}

/* Cache the access token of the endpoint's answer 'o', got at 'now'. */
static void
cache_write(const char *path, JsonObject *o, gint64 now)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*text;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "access_token");
	json_builder_add_string_value(b, json_object_get_string_member(o,
	    "access_token"));
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, now + expires_in(o));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	text = json_generator_to_data(g, NULL);
	write_private(path, text);
	secret_free(text);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

/*
 * Keep refresh token 'rt' for 'acct': given to its store command, or
 * else in the state directory.  'where' (may be NULL) is told which, for
 * the user.
 */
static gboolean
keep_refresh_token(const struct account *acct, const char *state_dir,
    const char *rt, guint timeout, char **where, GError **err)
{
	struct command_result	 r;
	char			*path, *line;
	gboolean		 ok;

	if (acct->oauth2_refresh_token_store_command != NULL) {
		line = g_strconcat(rt, "\n", NULL);
		command_run(acct->oauth2_refresh_token_store_command, line,
		    timeout, FALSE, &r);
		secret_free(line);
		ok = r.end == COMMAND_OK;
		if (!ok)
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("account %s: oauth2_refresh_token_store_command "
			    "failed (%s); the refresh token is not kept"),
			    acct->name, r.end == COMMAND_TIMEOUT ?
			    _("still running after the timeout") :
			    r.end == COMMAND_BROKEN ? r.why : *r.err != '\0' ?
			    r.err : _("no reason given"));
		else if (where != NULL)
			*where = g_strdup(_("given to "
			    "oauth2_refresh_token_store_command"));
		command_result_clear(&r);
		return (ok);
	}
	path = state_file(acct, state_dir, "refresh");
	if (!(ok = write_private(path, rt)))
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: cannot write: %s"), path, g_strerror(errno));
	else if (where != NULL)
		*where = g_strdup_printf(_("kept in %s (owner-only)"), path);
	g_free(path);
	return (ok);
}

/* The refresh token: the account's command's, or the one renraku keeps. */
static char *
refresh_token(const struct account *acct, const char *state_dir,
    guint timeout, GError **err)
{
	char	*path, *rt = NULL;

	if (acct->oauth2_refresh_token_command != NULL)
		return (config_secret_command(acct->name,
		    "oauth2_refresh_token_command",
		    acct->oauth2_refresh_token_command, timeout, err));
	path = state_file(acct, state_dir, "refresh");
	if (!g_file_get_contents(path, &rt, NULL, NULL) ||
	    *g_strstrip(rt) == '\0') {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: not signed in yet: run \"renraku auth %s\" "
		    "(or set oauth2_refresh_token_command)"), acct->name,
		    acct->name);
		config_password_free(rt);
		rt = NULL;
	}
	g_free(path);
	return (rt);
}

/*
 * POST grant 'form' (without the client's credentials, which are added
 * here) to the account's token endpoint.  Returns the parser of its JSON
 * answer, holding an access_token, or NULL with err set to one line; the
 * endpoint's error codes that mean the user must act are configuration
 * errors: 'grant' says what an invalid_grant means for this grant.
 */
static JsonParser *
token_request(const struct account *acct, const char *form,
    const char *grant, guint timeout, GError **err)
{
	GString		*body = g_string_new(NULL);
	JsonParser	*p = NULL;
	JsonObject	*o;
	const char	*what, *token;
	char		*secret = NULL, *e_id, *e_sec = NULL, *all;
	long		 http = 0;

	if (!config_url_allowed(acct->oauth2_token_url)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: oauth2_token_url must be https://"),
		    acct->name);
		goto out;
	}
	if (acct->oauth2_client_secret_command != NULL &&
	    (secret = config_secret_command(acct->name,
	    "oauth2_client_secret_command", acct->oauth2_client_secret_command,
	    timeout, err)) == NULL)
		goto out;
	e_id = g_uri_escape_string(acct->oauth2_client_id, NULL, FALSE);
	if (secret != NULL)
		e_sec = g_uri_escape_string(secret, NULL, FALSE);
	all = g_strdup_printf("%s&client_id=%s%s%s", form, e_id,
	    e_sec != NULL ? "&client_secret=" : "", e_sec != NULL ? e_sec : "");
	g_free(e_id);
	secret_free(e_sec);
	if (!http_post(acct->oauth2_token_url,
	    "application/x-www-form-urlencoded", all, acct->ca_file, timeout,
	    body, &http, err)) {
		secret_free(all);
		g_prefix_error(err, _("account %s: token endpoint: "),
		    acct->name);
		goto out;
	}
	secret_free(all);
	p = json_parser_new();
	if (!json_parser_load_from_data(p, body->str, (gssize)body->len,
	    NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("account %s: token endpoint answered HTTP %ld without "
		    "JSON"), acct->name, http);
		goto fail;
	}
	o = json_node_get_object(json_parser_get_root(p));
	token = json_object_has_member(o, "access_token") &&
	    JSON_NODE_HOLDS_VALUE(json_object_get_member(o, "access_token")) ?
	    json_object_get_string_member(o, "access_token") : NULL;
	if (http == 200 && token != NULL && *token != '\0')
		goto out;
	what = json_object_has_member(o, "error") ?
	    json_object_get_string_member(o, "error") : NULL;
	if (g_strcmp0(what, "invalid_grant") == 0)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: the token endpoint refused (HTTP %ld, %s): "
		    "%s"), acct->name, http, what, grant);
	else if (g_strcmp0(what, "invalid_client") == 0 ||
	    g_strcmp0(what, "unauthorized_client") == 0)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: the provider does not accept client %s "
		    "(HTTP %ld, %s): check oauth2_client_id and "
		    "oauth2_client_secret_command"), acct->name,
		    acct->oauth2_client_id, http, what);
	else	/* the user must act on a 4xx, but for a timeout or a limit */
		g_set_error(err, RENRAKU_ERROR, http >= 400 && http < 500 &&
		    http != 408 && http != 429 ? RENRAKU_ERROR_CONFIG :
		    RENRAKU_ERROR_TEMP,
		    _("account %s: the token endpoint refused (HTTP %ld, %s)"),
		    acct->name, http, what != NULL ? what : _("no token"));
fail:
	g_object_unref(p);
	p = NULL;
out:
	config_password_free(secret);
	secret_wipe(body->str, body->len);
	g_string_free(body, TRUE);
	return (p);
}

char *
oauth_token(const struct account *acct, const char *state_dir, gint64 now,
    gboolean refresh, guint timeout, GError **err)
{
	JsonParser	*p = NULL;
	JsonObject	*o;
	GError		*e = NULL;
	const char	*next;
	char		*path, *rt = NULL, *e_rt, *form, *grant, *token = NULL;

	path = state_file(acct, state_dir, "json");
	if (!refresh && (token = cache_read(path, now)) != NULL)
		goto out;
	if ((rt = refresh_token(acct, state_dir, timeout, err)) == NULL)
		goto out;
	e_rt = g_uri_escape_string(rt, NULL, FALSE);
	form = g_strdup_printf("grant_type=refresh_token&refresh_token=%s",
	    e_rt);
	secret_free(e_rt);
	grant = g_strdup_printf(_("authorize renraku again: renraku auth %s"),
	    acct->name);
	p = token_request(acct, form, grant, timeout, err);
	secret_free(form);
	g_free(grant);
	if (p == NULL)
		goto out;
	o = json_node_get_object(json_parser_get_root(p));
	token = g_strdup(json_object_get_string_member(o, "access_token"));
	cache_write(path, o, now);
	/* Microsoft sends a new refresh token with each access token */
	next = json_object_has_member(o, "refresh_token") ?
	    json_object_get_string_member(o, "refresh_token") : NULL;
	if (next == NULL || *next == '\0' || strcmp(next, rt) == 0)
		goto out;
	if (acct->oauth2_refresh_token_command != NULL &&
	    acct->oauth2_refresh_token_store_command == NULL)
		log_warning(_("account %s: the provider sent a new refresh "
		    "token, which renraku cannot keep: set "
		    "oauth2_refresh_token_store_command"), acct->name);
	else if (!keep_refresh_token(acct, state_dir, next, timeout, NULL,
	    &e)) {
		log_warning("%s", e->message);
		g_error_free(e);
	}
out:
	if (p != NULL)
		g_object_unref(p);
	config_password_free(rt);
	g_free(path);
	return (token);
}

gboolean
oauth_exchange_code(const struct account *acct, const char *state_dir,
    const char *code, const char *verifier, const char *redirect_uri,
    gint64 now, guint timeout, char **where, GError **err)
{
	JsonParser	*p;
	JsonObject	*o;
	char		*e_code, *e_ver, *e_uri, *form, *grant, *path;
	gboolean	 ok;

	e_code = g_uri_escape_string(code, NULL, FALSE);
	e_ver = g_uri_escape_string(verifier, NULL, FALSE);
	e_uri = g_uri_escape_string(redirect_uri, NULL, FALSE);
	form = g_strdup_printf("grant_type=authorization_code&code=%s&"
	    "redirect_uri=%s&code_verifier=%s", e_code, e_uri, e_ver);
	secret_free(e_code);
	secret_free(e_ver);
	g_free(e_uri);
	grant = g_strdup_printf(_("the sign-in expired or was used already: "
	    "run renraku auth %s again"), acct->name);
	p = token_request(acct, form, grant, timeout, err);
	secret_free(form);
	g_free(grant);
	if (p == NULL)
		return (FALSE);
	o = json_node_get_object(json_parser_get_root(p));
	if (!json_object_has_member(o, "refresh_token") ||
	    json_object_get_string_member(o, "refresh_token") == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: the provider gave no refresh token (it "
		    "must be asked for offline access: see oauth2_provider)"),
		    acct->name);
		g_object_unref(p);
		return (FALSE);
	}
	ok = keep_refresh_token(acct, state_dir,
	    json_object_get_string_member(o, "refresh_token"), timeout, where,
	    err);
	if (ok) {
		path = state_file(acct, state_dir, "json");
		cache_write(path, o, now);
		g_free(path);
	}
	g_object_unref(p);
	return (ok);
}
