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
 * 'refresh'; otherwise a new one from the account's token endpoint, for
 * the refresh token printed by oauth2_refresh_token_command or else kept
 * by renraku auth, which is then cached.  A new refresh token in the
 * answer (Microsoft rotates them) replaces the one kept, or is given to
 * oauth2_refresh_token_store_command.  Returns an allocated token to free
 * with config_password_free(), or NULL with err set:
 * RENRAKU_ERROR_CONFIG when the user must act (not signed in, the grant
 * or the client refused), RENRAKU_ERROR_TEMP when the endpoint cannot be
 * reached.  No secret appears in an error message.
 */
char	*oauth_token(const struct account *acct, const char *state_dir,
	    gint64 now, gboolean refresh, guint timeout, GError **err);

/*
 * Exchange authorization code 'code' (PKCE 'verifier', sent with
 * 'redirect_uri') at the account's token endpoint and keep the refresh
 * token as oauth_token() will look for it; the access token is cached.
 * *where says for the user where the refresh token went.  FALSE with err
 * set (as oauth_token()) on failure.
 */
gboolean oauth_exchange_code(const struct account *acct,
	    const char *state_dir, const char *code, const char *verifier,
	    const char *redirect_uri, gint64 now, guint timeout, char **where,
	    GError **err);

#endif
