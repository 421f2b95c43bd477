/*
 * config.h: the user's configuration file (GKeyFile).
 *
 * The group and key names here are a contract with users' files: add to
 * them, never rename them.  See README.md for the format.
 */
#ifndef RENRAKU_CONFIG_H
#define RENRAKU_CONFIG_H

#include <glib.h>

#include "bizday.h"
#include "command.h"
#include "policy.h"

enum security {
	SECURITY_TLS,		/* implicit TLS, port 993 */
	SECURITY_STARTTLS,	/* STARTTLS on port 143; never cleartext */
};

enum auth {
	AUTH_LOGIN,		/* LOGIN with a password */
	AUTH_XOAUTH2,		/* AUTHENTICATE XOAUTH2 with an OAuth2 token */
};

struct account {
	char		 *name;		/* NAME of "[account NAME]" */
	enum auth	  auth;
	/* xoauth2: the endpoints, from the keys or oauth2_provider's preset
	   (or the host's: imap.gmail.com is Gmail's); NULL when neither */
	char		 *oauth2_auth_url;
	char		 *oauth2_token_url;
	char		 *oauth2_scope;
	char		 *oauth2_auth_params;	/* more for the auth URL */
	char		 *oauth2_client_id;
	char		 *oauth2_client_secret_command;	/* NULL: none */
	/* NULL: the token renraku auth kept in the state directory */
	char		 *oauth2_refresh_token_command;
	char		 *oauth2_refresh_token_store_command;
	char		 *host;
	guint16		  port;
	enum security	  security;
	char		 *ca_file;	/* NULL: the system trust store */
	char		 *user;
	char		 *password_command;	/* NULL if password is set */
	char		 *password;	/* NULL if password_command is set */
	char		**mailboxes;	/* NULL-terminated, at least one */
	char		 *drafts;	/* NULL: find by SPECIAL-USE \Drafts */
	char		 *from;		/* the drafts' From address: from =,
					   or else user */
};

struct config {
	char		*path;
	char		*your_name;
	char		*state_dir;
	char		*templates_dir;	/* NULL: only the installed templates */
	guint		 timeout;	/* seconds, for every network wait */
	gboolean	 iso2022jp;	/* draft_charset = iso-2022-jp */
	gboolean	 syslog;	/* log = syslog */
	char		*notify_command;	/* or NULL */
	char		*notify_url;	/* or NULL */
	struct policy_override policy;	/* [policy] */
	GHashTable	*platform_policy;	/* "crowdworks" -> struct
						   policy_override *, from
						   [policy crowdworks] */
	struct bizcal	 cal;		/* [policy] days_off, year_end */
	GPtrArray	*accounts;	/* of struct account *, at least one */
};

/*
 * The default configuration path: $XDG_CONFIG_HOME/renraku/config.
 * Returns an allocated string (g_free).
 */
char		*config_default_path(void);

/*
 * Read and check the file at 'path'.  Every problem is reported, one per
 * line, as "FILE: [group] key: what is wrong", in a single error with code
 * RENRAKU_ERROR_CONFIG.  A file holding a NUL byte is refused whole, as
 * "FILE: line N: ...", since GKeyFile would cut its line short there.
 * Returns a config for config_free(), or NULL.
 */
struct config	*config_load(const char *path, GError **err);

void		 config_free(struct config *cfg);

/*
 * The account's password: the first line printed by password_command
 * (run as config_secret_command() says), or the password key.  Returns an
 * allocated string to wipe and free with config_password_free(), or NULL
 * with err set.  The password never appears in an error message.
 */
char		*config_password(const struct account *acct, guint timeout,
		    GError **err);

/*
 * config_password() in two halves, so that password_command runs while
 * renraku connects: config_password_start() starts it and returns it
 * (NULL when the account has none: a password key, or OAuth2);
 * config_password_take() waits for it ('timeout' seconds from there) and
 * returns what config_password() would, freeing 'early'; with 'early'
 * NULL, the password key.  command_abandon() stops one not needed.
 */
struct command	*config_password_start(const struct account *acct);
char		*config_password_take(const struct account *acct,
		    struct command *early, guint timeout, GError **err);

void		 config_password_free(char *password);

/*
 * Whether renraku may send to 'url': https://, or http:// to this machine
 * only (127.0.0.1, [::1], localhost), since nothing else is private.
 */
gboolean	 config_url_allowed(const char *url);

/*
 * Run 'command' (the value of 'key' of account 'account') with /bin/sh,
 * for 'timeout' seconds at most (then it and its children are killed:
 * RENRAKU_ERROR_TEMP), and return the first line it printed, allocated
 * (free with config_password_free), or NULL with err set
 * (RENRAKU_ERROR_CONFIG) giving its exit status and the first line of its
 * stderr (200 bytes at most, printable), never its output.
 */
char		*config_secret_command(const char *account, const char *key,
		    const char *command, guint timeout, GError **err);

#endif
