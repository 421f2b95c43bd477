/*
 * notify.h: telling the user that new drafts are waiting.
 */
#ifndef RENRAKU_NOTIFY_H
#define RENRAKU_NOTIFY_H

#include <glib.h>

#include "config.h"

/* One draft a sync created. */
struct created {
	char	*account;
	char	*thread;	/* "crowdworks/63712345" */
	char	*platform_name;
	char	*client;	/* or NULL */
	char	*job_title;	/* or NULL */
	char	*url;		/* or NULL */
	char	*subject;
	guint	 step;
};

void	created_free(struct created *c);

/*
 * Tell the user about 'created' (of struct created; nothing happens when
 * it is empty): run notify_command with a summary on its stdin, and POST
 * the drafts as JSON to notify_url (libcurl; https, or http to a loopback
 * address), each only if configured, each whether or not the other
 * worked, each for at most 'timeout' seconds (the command is killed then).
 * Returns FALSE with err set (RENRAKU_ERROR_TEMP, naming each that
 * failed) if either failed; the drafts are made either way.
 */
gboolean notify_drafts(const struct config *cfg, GPtrArray *created,
	    guint timeout, GError **err);

/* The drafts as the JSON document notify_url receives; allocated. */
char	*notify_json(GPtrArray *created);

#endif
