/*
 * run.h: what every command gets from main().
 */
#ifndef RENRAKU_RUN_H
#define RENRAKU_RUN_H

#include <glib.h>

#include "config.h"
#include "rules.h"

/* Everything a command needs, set up by main(). */
struct run {
	const struct config	*cfg;
	const struct rules	*rules;
	const char *const	*template_dirs;	/* highest priority first */
	GDateTime		*now;		/* the clock, given by main */
	gboolean		 dry_run;	/* decide, but do not APPEND */
	int			 verbose;	/* 1: progress, 2: protocol */
};

#endif
