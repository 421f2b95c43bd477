/*
 * draft.h: building the draft message (GMime).
 */
#ifndef RENRAKU_DRAFT_H
#define RENRAKU_DRAFT_H

#include <glib.h>

/* The headers that name renraku's own drafts: users' searches and the
 * reconciler rely on them. */
#define DRAFT_THREAD_HEADER	"X-Renraku-Thread"	/* platform/key */
#define DRAFT_STEP_HEADER	"X-Renraku-Step"	/* 1 .. 3 */

/* The last line of every draft's text, with the thread's id, so that a
 * draft a mail client saved again without the headers above is still
 * known for renraku's (it is in the note the user deletes before
 * sending). */
#define DRAFT_MARK_PREFIX	"[renraku "
#define DRAFT_MARK_FORMAT	DRAFT_MARK_PREFIX "%s]\n"

struct draft {
	const char	*from_name;	/* your_name */
	const char	*from_addr;	/* the account's user */
	const char	*to_addr;	/* or NULL: no To (pasted by hand) */
	const char	*subject;	/* UTF-8, one line */
	const char	*body;		/* UTF-8, LF line ends */
	const char	*thread;	/* X-Renraku-Thread: "platform/key" */
	guint		 step;		/* X-Renraku-Step */
	const char	*message_id;	/* without <> */
	GDateTime	*date;
	gboolean	 iso2022jp;	/* ISO-2022-JP, 7bit, if the text fits */
};

/*
 * The draft as an RFC 5322 message with CRLF line ends: UTF-8 text in
 * base64 (or, with iso2022jp, ISO-2022-JP in 7bit with the Subject and
 * names encoded in ISO-2022-JP), and the X-Renraku-Thread and
 * X-Renraku-Step headers that identify it.  With iso2022jp, characters
 * JIS X 0208 has under another code point (～ －, from CP932 text) are
 * written as its own (〜 −), and body lines are broken to fit 78 bytes
 * where Japanese text allows (never inside an ASCII word or link); when
 * some character still does not fit, the draft is UTF-8, as given, and
 * *fell_back (if not NULL) is set; no character is ever dropped.
 * Returns an allocated string of *len bytes.
 */
char	*draft_build(const struct draft *d, gsize *len, gboolean *fell_back);

/*
 * A Message-ID for the draft of 'step' for 'thread' made at 'when'
 * (Unix time): readable, and unique as renraku makes at most one draft
 * per thread and run.  'user' gives the domain.  Returns an allocated
 * string without <>.
 */
char	*draft_message_id(const char *thread, guint step, gint64 when,
	    const char *user);

#endif
