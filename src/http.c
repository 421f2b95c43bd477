/*
 * http.c: one HTTP POST with libcurl (gnutls flavour).
 */
#include <glib/gi18n.h>

#include "http.h"

#include <curl/curl.h>

#include "error.h"

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
	if ((c = curl_easy_init()) == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("cannot start libcurl"));
		return (FALSE);
	}
	type = g_strdup_printf("Content-Type: %s", content_type);
	h = curl_slist_append(h, type);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	if (ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	g_free(type);
	if (rc != CURLE_OK) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    curl_easy_strerror(rc));
		return (FALSE);
	}
	return (TRUE);
}
