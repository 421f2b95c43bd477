/*
 * compose.h: the words of a draft, from a thread, a decision and the
 * user's templates.  No I/O but reading templates.
 */
#ifndef RENRAKU_COMPOSE_H
#define RENRAKU_COMPOSE_H

#include <glib.h>

#include "policy.h"
#include "run.h"
#include "store.h"

struct composed {
	char		*template_path;	/* the file it came from */
	guint		 step;
	gboolean	 to_user;	/* a note for the user (step 3), not a
					   message for the client */
	char		*subject;	/* one line */
	char		*body;		/* the message, then the user's note */
	char		*content_hash;	/* of all the above: a change of
					   facts changes it */
	char		*inputs_hash;	/* compose_fingerprint()'s */
};

/*
 * Compose the draft of 'step' for thread 't' as decided in 'd': the
 * template of the situation (policy_template()) for the thread's
 * platform, filled and followed by a note for the user (platform, job,
 * URL, last contact, business days silent, the article's advice for the
 * phase, and why).  Returns FALSE with err set when the template is
 * missing or broken: no draft is ever made from a broken one.
 */
gboolean	compose_draft(const struct run *r, const struct thread *t,
		    const struct decision *d, guint step, struct composed *c,
		    GError **err);

/*
 * A hash of all compose_draft() would make the draft from (the values,
 * the template file's text, the note's language, renraku's version):
 * equal to a draft's, the draft would come out the same, so it need not
 * be composed again.  Allocated.
 */
char		*compose_fingerprint(const struct run *r,
		    const struct thread *t, const struct decision *d,
		    guint step);

void		composed_clear(struct composed *c);

/*
 * The message to APPEND for 'c': From your_name and 'user', To 'user'
 * for notes to the user, the X-Renraku-Thread and X-Renraku-Step headers,
 * 'message_id', dated 'now', in the draft_charset of the config.  When
 * ISO-2022-JP cannot carry the text, the draft is UTF-8 and, with 'warn'
 * (a new draft, not a refresh: once per draft), a warning naming the
 * thread goes to stderr.  Returns an allocated CRLF string of *len bytes.
 */
char		*compose_message(const struct run *r, const char *user,
		    const struct thread *t, const struct composed *c,
		    const char *message_id, gboolean warn, gsize *len);

/*
 * A new Message-ID (without <>) for a draft of 'thread' made at 'now',
 * with the domain of 'user'.
 */
char		*compose_message_id(const char *thread, guint step, gint64 now,
		    const char *user);

#endif
