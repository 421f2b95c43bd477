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

#endif
