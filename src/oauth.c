/*
 * oauth.c: the OAuth2 refresh-token grant (RFC 6749 §6) over http.c, its
 * answer read with json-glib, and a small owner-only cache.
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

#include "error.h"
#include "http.h"
#include "secret.h"

static char *
cache_path(const struct account *acct, const char *state_dir)
{
	char	*name, *p, *path;

	name = g_strdup_printf("oauth2-%s.json", acct->name);
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			*p = '_';
	path = g_build_filename(state_dir, name, NULL);
	g_free(name);
	return (path);
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

/* Write the cache owner-only, through a temporary file. */
static void
cache_write(const char *path, const char *token, gint64 expires_at)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*text, *tmp;
	int		 fd;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "access_token");
	json_builder_add_string_value(b, token);
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, expires_at);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	text = json_generator_to_data(g, NULL);
	tmp = g_strconcat(path, ".tmp", NULL);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd != -1) {
		if (write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		    fsync(fd) == 0 && close(fd) == 0)
			rename(tmp, path);
		else {
			close(fd);
			unlink(tmp);
		}
	}
	explicit_bzero(text, strlen(text));
	g_free(text);
	g_free(tmp);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

char *
oauth_token(const struct account *acct, const char *state_dir, gint64 now,
    gboolean refresh, guint timeout, GError **err)
{
	GString		*body = NULL;
	JsonParser	*p = NULL;
	JsonObject	*o;
	char		*path, *secret = NULL, *rt = NULL, *form = NULL;
	char		*e_id = NULL, *e_sec = NULL, *e_rt = NULL, *token = NULL;
	long		 http = 0;
	gint64		 expires;

	path = cache_path(acct, state_dir);
	if (!refresh && (token = cache_read(path, now)) != NULL)
		goto out;
	if (!config_url_allowed(acct->oauth2_token_url)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: oauth2_token_url must be https://"),
		    acct->name);
		goto out;
	}
	if ((secret = config_secret_command(acct->name,
	    "oauth2_client_secret_command", acct->oauth2_client_secret_command,
	    timeout, err)) == NULL || (rt = config_secret_command(acct->name,
	    "oauth2_refresh_token_command", acct->oauth2_refresh_token_command,
	    timeout, err)) == NULL)
		goto out;
	e_id = g_uri_escape_string(acct->oauth2_client_id, NULL, FALSE);
	e_sec = g_uri_escape_string(secret, NULL, FALSE);
	e_rt = g_uri_escape_string(rt, NULL, FALSE);
	form = g_strdup_printf("grant_type=refresh_token&client_id=%s&"
	    "client_secret=%s&refresh_token=%s", e_id, e_sec, e_rt);
	body = g_string_new(NULL);
	if (!http_post(acct->oauth2_token_url,
	    "application/x-www-form-urlencoded", form, acct->ca_file, timeout,
	    body, &http, err)) {
		g_prefix_error(err, _("account %s: token endpoint: "),
		    acct->name);
		goto out;
	}
	p = json_parser_new();
	if (!json_parser_load_from_data(p, body->str, (gssize)body->len,
	    NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("account %s: token endpoint answered HTTP %ld without "
		    "JSON"), acct->name, http);
		goto out;
	}
	o = json_node_get_object(json_parser_get_root(p));
	if (http != 200 || !json_object_has_member(o, "access_token")) {
		const char *what = json_object_has_member(o, "error") ?
		    json_object_get_string_member(o, "error") : "no token";

		if (g_strcmp0(what, "invalid_grant") == 0)
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("account %s: the token endpoint refused (HTTP "
			    "%ld, %s): authorize renraku again and update the "
			    "refresh token"), acct->name, http, what);
		else
			g_set_error(err, RENRAKU_ERROR, http >= 400 &&
			    http < 500 ? RENRAKU_ERROR_CONFIG :
			    RENRAKU_ERROR_TEMP, _("account %s: the token "
			    "endpoint refused (HTTP %ld, %s)"), acct->name,
			    http, what != NULL ? what : "?");
		goto out;
	}
	token = g_strdup(json_object_get_string_member(o, "access_token"));
	expires = json_object_has_member(o, "expires_in") ?
	    json_object_get_int_member(o, "expires_in") : 3600;
	cache_write(path, token, now + expires);
out:
	secret_free(form);
	g_free(e_id);
	secret_free(e_sec);
	secret_free(e_rt);
	config_password_free(secret);
	config_password_free(rt);
	if (body != NULL) {
		explicit_bzero(body->str, body->len);
		g_string_free(body, TRUE);
	}
	if (p != NULL)
		g_object_unref(p);
	g_free(path);
	return (token);
}
