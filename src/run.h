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
};

/*
 * The ladder for 'platform': the defaults, then the platform's rules
 * file, then [policy], then [policy PLATFORM] of the config.
 */
void	run_policy(const struct run *r, const char *platform,
	    struct policy *p);

#endif
