/*
 * run.h: what every command gets from main().
 */
#ifndef RENRAKU_RUN_H
#define RENRAKU_RUN_H

#include <glib.h>

#include "bizday.h"
#include "config.h"
#include "policy.h"
#include "rules.h"

/* Everything a command needs, set up by main(). */
struct run {
	const struct config	*cfg;
	const struct rules	*rules;
	const char *const	*rules_dirs;	/* lowest priority first */
	const char *const	*template_dirs;	/* highest priority first */
	const struct bizcal	*cal;		/* the user's calendar */
	GDateTime		*now;		/* the clock, given by main */
	gboolean		 dry_run;	/* decide, but do not APPEND */
	int			 verbose;	/* 1: progress, 2: protocol */
	gboolean		 progress;	/* a counter on stderr (a
						   terminal) in long fetches */
	const char		*loaded;	/* the config, rules and
						   templates as read
						   (pass_digest()), or NULL */
	GHashTable		*templates;	/* the templates loaded this
						   run (compose.c), or NULL:
						   loaded at each use */
};

/*
 * The ladder for 'platform': the defaults, then the platform's rules
 * file, then [policy], then [policy PLATFORM] of the config.
 */
void	run_policy(const struct run *r, const char *platform,
	    struct policy *p);

/* The policy's decision for thread 't' now (run_policy, then
 * policy_decide at r->now). */
struct thread;
void	run_decide(const struct run *r, const struct thread *t,
	    struct decision *d);

/*
 * What, besides a draft's data, changes its words: renraku's version and
 * the locale its note is written in (LC_MESSAGES, the first language
 * name, LC_TIME), one per line; allocated.  For fingerprints and stamps.
 */
char	*run_words(void);

/* The data directory: $RENRAKU_DATADIR (tests, demo) or the installed. */
const char	*run_data_dir(void);

/*
 * Where templates are looked for, highest priority first: templates_dir,
 * $XDG_CONFIG_HOME/renraku/templates, the installed ones.  An allocated
 * strv (g_strfreev).
 */
char		**run_template_dirs(const struct config *cfg);

/*
 * Take the lock in 'state_dir' (creating it owner-only): returns its file
 * descriptor, or -1 with err set (RENRAKU_ERROR_TEMP when another run
 * holds it).  run_unlock() lets it go (-1 is ignored).
 */
int		 run_lock(const char *state_dir, GError **err);
void		 run_unlock(int fd);

/* What imap_open() needs to log in to one account. */
struct run_login {
	const struct run	*r;
	const struct account	*acct;
	struct command		*early;	/* run_secret_start()'s command */
};

struct imap_login;

/* What imap_open() needs of account 'acct' (strings borrowed from it). */
void	run_imap_login(const struct account *acct, struct imap_login *l);

/*
 * An imap_secret_fn for a struct run_login: the account's password, or
 * its OAuth2 access token (a fresh one when 'again').
 */
char	*run_secret(void *ctx, gboolean again, GError **err);

/*
 * Start the account's password_command now, so that it runs while the
 * connection is made and run_secret() finds its answer ready (a command
 * that asks for a passphrase adds no wait of its own after the TLS
 * handshake).  Nothing for a password in the file, or OAuth2.
 */
void	 run_secret_start(struct run_login *l);

/* Stop a command run_secret_start() started and run_secret() never took
 * (the connection failed first). */
void	 run_secret_clear(struct run_login *l);

#endif
