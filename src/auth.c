/*
 * auth.c: renraku auth (see auth.h).  RFC 8252's way for installed apps:
 * the browser does the signing in; renraku listens on a loopback port of
 * its own for the redirect that carries the code, and proves with PKCE
 * (RFC 7636, S256) that it is the program that asked.
 */
#include <glib/gi18n.h>

#include "auth.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "oauth.h"
#include "secret.h"
#include "tls.h"

#define REQUEST_MAX	8192	/* bytes of a browser's request read */
#define REQUEST_WAIT	10	/* seconds a browser has to send it */

/* 'n' bytes 'd' in base64url, without padding. */
static char *
b64url(const guchar *d, gsize n)
{
	char	*s = g_base64_encode(d, n), *pad;

	g_strdelimit(s, "+", '-');
	g_strdelimit(s, "/", '_');
	if ((pad = strchr(s, '=')) != NULL)
		*pad = '\0';
	return (s);
}

/* 'n' random bytes in base64url; NULL if none came. */
static char *
random_b64url(gsize n)
{
	guchar	buf[64];
	char	*s;

	g_assert(n <= sizeof buf);
	if (!tls_random(buf, n))
		return (NULL);
	s = b64url(buf, n);
	secret_wipe(buf, n);
	return (s);
}

/* The PKCE challenge of 'verifier': base64url(SHA-256(verifier)). */
static char *
challenge_of(const char *verifier)
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);
	guint8		 d[32];
	gsize		 n = sizeof d;

	g_checksum_update(c, (const guchar *)verifier, strlen(verifier));
	g_checksum_get_digest(c, d, &n);
	g_checksum_free(c);
	return (b64url(d, n));
}

/* A socket listening on 127.0.0.1:'port' (0: any); its port in *bound. */
static int
listen_loopback(guint16 port, guint16 *bound, GError **err)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, on = 1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 4) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("cannot listen on 127.0.0.1:%u for the browser: %s"),
		    port, g_strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	*bound = ntohs(sin.sin_port);
	return (fd);
}

/* Read a request's head from 'fd' (a few seconds at most), or NULL. */
static char *
read_request(int fd)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	GString		*s = g_string_new(NULL);
	gint64		 end;
	char		 buf[1024];
	ssize_t		 n;

	end = g_get_monotonic_time() + REQUEST_WAIT * G_USEC_PER_SEC;
	while (strstr(s->str, "\r\n\r\n") == NULL && s->len < REQUEST_MAX) {
		gint64 left = (end - g_get_monotonic_time()) / 1000;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0 ||
		    (n = read(fd, buf, sizeof buf)) <= 0)
			break;
		g_string_append_len(s, buf, n);
	}
	if (strstr(s->str, "\r\n") == NULL) {
		g_string_free(s, TRUE);
		return (NULL);
	}
	return (g_string_free(s, FALSE));
}

/* Answer the browser with status 'status' and a page saying 'text'. */
static void
respond(int fd, const char *status, const char *text)
{
	char	*page, *esc;
	ssize_t	 r;

	esc = g_markup_escape_text(text, -1);
	page = g_strdup_printf("HTTP/1.1 %s\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n"
	    "\r\n<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>renraku</title></head><body><p>%s</p></body></html>\n",
	    status, esc);
	r = write(fd, page, strlen(page));
	(void)r;
	g_free(page);
	g_free(esc);
}

/*
 * Handle one connection to the listener: the provider's redirect with
 * 'state'.  Returns 1 with *code set, -1 with err set when the sign-in
 * was refused, 0 for anything else (another page, a stranger's request),
 * which is answered and ignored.
 */
static int
take_redirect(int fd, const struct account *acct, const char *state,
    char **code, GError **err)
{
	GHashTable	*q = NULL;
	const char	*e;
	char		*req, *target, *query, *sp;
	int		 r = 0;

	if ((req = read_request(fd)) == NULL)
		return (0);
	if (!g_str_has_prefix(req, "GET ") || (sp = strchr(req + 4, ' ')) ==
	    NULL) {
		respond(fd, "400 Bad Request", _("Not a sign-in."));
		goto out;
	}
	target = g_strndup(req + 4, (gsize)(sp - req - 4));
	if ((query = strchr(target, '?')) != NULL)
		*query++ = '\0';
	if (strcmp(target, "/") != 0 || query == NULL ||
	    (q = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_WWW_FORM,
	    NULL)) == NULL || g_strcmp0(g_hash_table_lookup(q, "state"),
	    state) != 0) {
		respond(fd, "404 Not Found", _("Not the sign-in renraku is "
		    "waiting for."));
		g_free(target);
		goto out;
	}
	g_free(target);
	if ((e = g_hash_table_lookup(q, "error")) != NULL) {
		const char *why = g_hash_table_lookup(q, "error_description");

		respond(fd, "200 OK", _("renraku: the sign-in was refused. You "
		    "may close this page."));
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: the sign-in was refused in the browser (%s%s%s)"),
		    acct->name, e, why != NULL ? ": " : "", why != NULL ? why :
		    "");
		r = -1;
	} else if ((e = g_hash_table_lookup(q, "code")) != NULL &&
	    *e != '\0') {
		respond(fd, "200 OK", _("renraku: signed in. You may close "
		    "this page and go back to the terminal."));
		*code = g_strdup(e);
		r = 1;
	} else
		respond(fd, "400 Bad Request", _("No code in the sign-in."));
out:
	if (q != NULL)
		g_hash_table_unref(q);
	g_free(req);
	return (r);
}

/* Wait up to 'wait' seconds on listener 'lfd' for the code. */
static char *
wait_code(int lfd, const struct account *acct, const char *state,
    guint wait, guint16 port, GError **err)
{
	struct pollfd	 pfd = { lfd, POLLIN, 0 };
	gint64		 end, left;
	char		*code = NULL;
	int		 fd, r;

	end = g_get_monotonic_time() + (gint64)wait * G_USEC_PER_SEC;
	while ((left = (end - g_get_monotonic_time()) / 1000) > 0) {
		if ((r = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		r = take_redirect(fd, acct, state, &code, err);
		close(fd);
		if (r != 0)
			return (code);
	}
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
	    _("account %s: the browser did not come back within %u s: open "
	    "the address in a browser on this machine (from another one: ssh "
	    "-L %u:127.0.0.1:%u to this one, then renraku auth %s --port %u)"),
	    acct->name, wait, port, port, acct->name, port);
	return (NULL);
}

/* Open 'url' in the desktop's browser, if there is a desktop. */
static void
open_browser(const char *url)
{
#ifdef __APPLE__
	const char	*argv[] = { "open", url, NULL };
#else
	const char	*argv[] = { "xdg-open", url, NULL };

	if (g_getenv("DISPLAY") == NULL && g_getenv("WAYLAND_DISPLAY") == NULL)
		return;
#endif
	g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
	    NULL, NULL, NULL);
}

/* The address the browser is sent to (protocol, not for translation). */
static char *
auth_url(const struct account *acct, const char *redirect,
    const char *state, const char *challenge)
{
	char	*id, *uri, *scope, *hint, *url;

	id = g_uri_escape_string(acct->oauth2_client_id, NULL, FALSE);
	uri = g_uri_escape_string(redirect, NULL, FALSE);
	scope = g_uri_escape_string(acct->oauth2_scope != NULL ?
	    acct->oauth2_scope : "", NULL, FALSE);
	hint = g_uri_escape_string(acct->user, NULL, FALSE);
	url = g_strdup_printf("%s%sresponse_type=code&client_id=%s&"
	    "redirect_uri=%s&scope=%s&state=%s&code_challenge=%s&"
	    "code_challenge_method=S256&login_hint=%s%s%s",
	    acct->oauth2_auth_url, strchr(acct->oauth2_auth_url, '?') != NULL ?
	    "&" : "?", id, uri, scope, state, challenge, hint,
	    acct->oauth2_auth_params != NULL ? "&" : "",
	    acct->oauth2_auth_params != NULL ? acct->oauth2_auth_params : "");
	g_free(id);
	g_free(uri);
	g_free(scope);
	g_free(hint);
	return (url);
}

gboolean
auth_run(const struct account *acct, const char *state_dir, gint64 now,
    guint16 port, guint wait, gboolean browser, guint timeout, FILE *out,
    GError **err)
{
	char		*verifier = NULL, *state = NULL, *challenge = NULL;
	char		*redirect = NULL, *url = NULL, *code = NULL, *where = NULL;
	gboolean	 ok = FALSE;
	int		 lfd = -1;

	if (acct->auth != AUTH_XOAUTH2) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: renraku auth signs in with OAuth2: set auth "
		    "= xoauth2 (Gmail, Microsoft 365) first"), acct->name);
		return (FALSE);
	}
	if (acct->oauth2_auth_url == NULL ||
	    !config_url_allowed(acct->oauth2_auth_url)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: oauth2_auth_url: %s"), acct->name,
		    acct->oauth2_auth_url == NULL ? _("missing: set "
		    "oauth2_provider = gmail or microsoft, or this URL") :
		    _("must be https://"));
		return (FALSE);
	}
	if ((verifier = random_b64url(32)) == NULL ||
	    (state = random_b64url(16)) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("no random numbers to sign in with"));
		goto out;
	}
	if ((lfd = listen_loopback(port, &port, err)) == -1)
		goto out;
	challenge = challenge_of(verifier);
	redirect = g_strdup_printf("http://127.0.0.1:%u/", port);
	url = auth_url(acct, redirect, state, challenge);
	fprintf(out, _("Open this address in a browser and sign in as %s:\n\n"
	    "  %s\n\nWaiting for the browser (%u s at most)...\n"), acct->user,
	    url, wait);
	fflush(out);
	if (browser)
		open_browser(url);
	if ((code = wait_code(lfd, acct, state, wait, port, err)) == NULL)
		goto out;
	if (!oauth_exchange_code(acct, state_dir, code, verifier, redirect,
	    now, timeout, &where, err))
		goto out;
	fprintf(out, _("Signed in: account %s. The refresh token is %s; "
	    "renraku sync uses it from now on.\n"), acct->name, where);
	ok = TRUE;
out:
	if (lfd != -1)
		close(lfd);
	secret_free(verifier);
	secret_free(code);
	g_free(state);
	g_free(challenge);
	g_free(redirect);
	g_free(url);
	g_free(where);
	return (ok);
}
