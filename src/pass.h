/*
 * pass.h: whether the Drafts reconciler's last full pass over an
 * account's threads still holds, so that a sync with nothing new need not
 * load and decide every thread again.  A pass's decisions follow from the
 * store, the configuration, the templates and platform rules, the language
 * and renraku's version (the stamp), and from the time only by the day in
 * Japan and by a platform's own deadlines (the end of its validity).
 */
#ifndef RENRAKU_PASS_H
#define RENRAKU_PASS_H

#include <glib.h>

#include "run.h"
#include "store.h"

/*
 * A hash of all a pass over the threads of 'account' decides from: the
 * day in Japan (of r->now), the store's version, the configuration, rules
 * and templates as read at the start of the run (r->loaded; else as they
 * are now), the messages' language and renraku's version.  Allocated, or
 * NULL with err set.
 */
char	*pass_stamp(const struct run *r, struct store *st,
	    const char *account, GError **err);

/*
 * A hash of file 'file' (may be NULL) and of every file under 'dirs' and
 * 'more' (NULL-terminated, or NULL), names and contents: taken when the
 * configuration and the rules are read, it stands for what they and the
 * templates were (a template edited later in the run makes the next run
 * decide again).  Allocated.
 */
char	*pass_digest(const char *const *dirs, const char *const *more,
	    const char *file);

/*
 * Until when decisions made at 'now' hold: the next midnight in Japan,
 * or 'deadline' (a platform's own time, such as an automatic acceptance;
 * 0 for none) if that comes first and after 'now'.
 */
gint64	 pass_until(gint64 now, gint64 deadline);

#endif
