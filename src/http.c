/*
 * http.c: one HTTP POST with libcurl (gnutls flavour), loaded when first
 * needed.
 */
#include <glib/gi18n.h>

#include "http.h"

#include <gmodule.h>
#include <curl/curl.h>

#include "error.h"

/*
 * libcurl, loaded on the first request rather than linked: most runs make
 * none, and loading it with the libraries it pulls in (Kerberos, LDAP,
 * SSH, ...) cost every start 2.5 ms.  CURL_LIBRARY is the file configure
 * found behind pkg-config's libcurl (Debian: libcurl-gnutls.so.4).
 */
static struct {
	GModule		  *module;
	CURL		  *(*easy_init)(void);
	CURLcode	   (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	   (*easy_perform)(CURL *);
	CURLcode	   (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		   (*easy_cleanup)(CURL *);
	const char	  *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		   (*slist_free_all)(struct curl_slist *);
} curl;

/* Load libcurl and its functions, once. */
static gboolean
load_curl(GError **err)
{
	static const char *const names[] = { "curl_easy_init",
	    "curl_easy_setopt", "curl_easy_perform", "curl_easy_getinfo",
	    "curl_easy_cleanup", "curl_easy_strerror", "curl_slist_append",
	    "curl_slist_free_all" };
	gpointer	*slots[] = { (gpointer *)&curl.easy_init,
			    (gpointer *)&curl.easy_setopt,
			    (gpointer *)&curl.easy_perform,
			    (gpointer *)&curl.easy_getinfo,
			    (gpointer *)&curl.easy_cleanup,
			    (gpointer *)&curl.easy_strerror,
			    (gpointer *)&curl.slist_append,
			    (gpointer *)&curl.slist_free_all };
	GModule		*m;
	gsize		 i;

	if (curl.module != NULL)
		return (TRUE);
	if ((m = g_module_open(CURL_LIBRARY, G_MODULE_BIND_LOCAL)) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("cannot load libcurl (%s): %s"), CURL_LIBRARY,
		    g_module_error());
		return (FALSE);
	}
	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (!g_module_symbol(m, names[i], slots[i])) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
			    _("cannot load libcurl (%s): %s"), CURL_LIBRARY,
			    g_module_error());
			g_module_close(m);
			return (FALSE);
		}
	curl.module = m;	/* kept to the end of the process */
	return (TRUE);
}

static size_t
collect(char *p, size_t size, size_t n, void *ctx)
{
	if (ctx != NULL)
		g_string_append_len(ctx, p, (gssize)(size * n));
	return (size * n);
}

gboolean
http_post(const char *url, const char *content_type, const char *body,
    const char *ca_file, guint timeout, GString *answer, long *status,
    GError **err)
{
	struct curl_slist	*h = NULL;
	CURL			*c;
	CURLcode		 rc;
	char			*type;

	*status = 0;
	if (!load_curl(err))
		return (FALSE);
	if ((c = curl.easy_init()) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("cannot start libcurl"));
		return (FALSE);
	}
	type = g_strdup_printf("Content-Type: %s", content_type);
	h = curl.slist_append(h, type);
	curl.easy_setopt(c, CURLOPT_URL, url);
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl.easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl.easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, answer);
	if (ca_file != NULL)
		curl.easy_setopt(c, CURLOPT_CAINFO, ca_file);
	rc = curl.easy_perform(c);
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl.slist_free_all(h);
	curl.easy_cleanup(c);
	g_free(type);
	if (rc != CURLE_OK) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    curl.easy_strerror(rc));
		return (FALSE);
	}
	return (TRUE);
}
