/*
 * preview.h: "renraku templates list|check" and "renraku preview": the
 * user's templates and drafts, seen without touching the server.
 */
#ifndef RENRAKU_PREVIEW_H
#define RENRAKU_PREVIEW_H

#include <stdio.h>

#include <glib.h>

#include "run.h"
#include "store.h"

/*
 * For each situation, the file its template comes from, and each
 * platform's own file where there is one.
 */
gboolean	templates_list(const struct run *r, FILE *out, GError **err);

/*
 * Load and check every template renraku would use, for every platform;
 * print each problem as "FILE:LINE: what" and a summary.  Returns FALSE
 * with err set (RENRAKU_ERROR_CONFIG) when any template is broken.
 */
gboolean	templates_check(const struct run *r, FILE *out, GError **err);

/*
 * Print the draft of 'step' (0: the step due or next) for 'thread' as it
 * would be APPENDed now: its header lines (decoded) and its text.
 */
gboolean	preview_print(const struct run *r, struct store *st,
		    const char *thread, guint step, FILE *out, GError **err);

#endif
