/*
 * auth.h: renraku auth: signing in to Gmail or Microsoft 365 with OAuth2.
 */
#ifndef RENRAKU_AUTH_H
#define RENRAKU_AUTH_H

#include <stdio.h>

#include <glib.h>

#include "config.h"

/*
 * Sign account 'acct' in: the OAuth2 authorization-code grant with PKCE
 * and a redirect to http://127.0.0.1:PORT/ ('port', or any free one when
 * 0), as installed apps must.  The address to open is printed on 'out'
 * (and opened in a browser when 'browser' and there is a display); the
 * code the provider sends back is exchanged and the refresh token kept
 * (oauth_exchange_code()).  The browser has 'wait' seconds; each network
 * step 'timeout'.  Returns TRUE, or FALSE with err set to one line:
 * RENRAKU_ERROR_CONFIG for all the user must act on (no xoauth2, the
 * sign-in refused in the browser, an unknown client, a code expired, no
 * browser came back), RENRAKU_ERROR_TEMP when the token endpoint cannot
 * be reached.
 */
gboolean	auth_run(const struct account *acct, const char *state_dir,
		    gint64 now, guint16 port, guint wait, gboolean browser,
		    guint timeout, FILE *out, GError **err);

#endif
