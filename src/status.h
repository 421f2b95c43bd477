/*
 * status.h: "renraku status".
 */
#ifndef RENRAKU_STATUS_H
#define RENRAKU_STATUS_H

#include <stdio.h>

#include <glib.h>

#include "run.h"
#include "store.h"

/*
 * Write one line per thread to 'out': platform, client, job title, last
 * client contact, business days silent, and what was or will be done.
 */
gboolean	status_print(const struct run *r, struct store *st, FILE *out,
		    GError **err);

/*
 * The same as a JSON document: {"now": ISO 8601, "threads": [{"thread",
 * "platform", "platform_name", "account", "client", "job_title", "url",
 * "phase", "last_contact" (ISO 8601), "last_subject", "days_silent",
 * "steps_made", "last_step_made", "signal", "draft_step" (the step of the
 * renraku draft in Drafts, or null), "draft_edited", "next_step",
 * "next_date" (YYYY-MM-DD), "action" (none, create, refresh, remove: what
 * the next sync will do), "why"}]}.  Absent values are null.
 */
gboolean	status_json(const struct run *r, struct store *st, FILE *out,
		    GError **err);

#endif
