/*
 * http.h: one HTTP POST, the only part of renraku that sees libcurl
 * (notify_url, the OAuth2 token endpoint).
 */
#ifndef RENRAKU_HTTP_H
#define RENRAKU_HTTP_H

#include <glib.h>

/*
 * POST 'body' as 'content_type' to 'url' (https://, or http:// the
 * caller allowed), trusting 'ca_file' when not NULL, waiting 'timeout'
 * seconds at most.  The answer's body goes to 'answer' (NULL: dropped),
 * its HTTP status to *status.  FALSE with err set (RENRAKU_ERROR_TEMP,
 * libcurl's words) when no answer came.
 */
gboolean	http_post(const char *url, const char *content_type,
		    const char *body, const char *ca_file, guint timeout,
		    GString *answer, long *status, GError **err);

#endif
