/*
 * oauth.h: OAuth2 access tokens for XOAUTH2 (Gmail, Microsoft 365).
 */
#ifndef RENRAKU_OAUTH_H
#define RENRAKU_OAUTH_H

#include <glib.h>

#include "config.h"

/*
 * An access token for 'acct' at Unix time 'now': the one cached in
 * 'state_dir' (owner-only) while it has more than a minute left, unless
 * 'refresh'; otherwise a new one from the account's token endpoint
 * (oauth2_token_url, with the client id and the client secret and refresh
 * token printed by their commands), which is then cached.  Returns an
 * allocated token to free with config_password_free(), or NULL with err
 * set: RENRAKU_ERROR_CONFIG when the endpoint refuses the grant (the user
 * must authorize again), RENRAKU_ERROR_TEMP when it cannot be reached.
 * No secret appears in an error message.
 */
char	*oauth_token(const struct account *acct, const char *state_dir,
	    gint64 now, gboolean refresh, guint timeout, GError **err);

#endif
