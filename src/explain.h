/*
 * explain.h: "renraku explain FILE...": what renraku makes of one mail
 * and why, offline, for writing and debugging platform rules.
 */
#ifndef RENRAKU_EXPLAIN_H
#define RENRAKU_EXPLAIN_H

#include <stdio.h>

#include <glib.h>

#include "rules.h"

/*
 * Parse the 'len' bytes of 'raw' (a mail file named 'name', used only
 * for the output) and classify it with 'r', printing to 'out' a block
 * that starts with "NAME:" and has one indented "field  value" line each
 * for: the sender, the forwarder (only for a mail read through a
 * forward), the subject, the event time (Date: in local time), the
 * platform, the event kind, the thread key, the URL, the client and the
 * job title.  Each decision names the rule behind it as FILE:LINE with
 * the [group], key and pattern text, and what the pattern matched; where
 * nothing matched it says why: no platform domain matched the sender, the
 * sender is excluded (newsletters), or the platform is known but no
 * [event KIND] group matched the (normalised) subject and body.
 *
 * Returns TRUE when the mail was explained, classified or not; FALSE
 * with err set (RENRAKU_ERROR_PERM, message starting with 'name') when
 * the bytes are not a mail, having printed nothing.  No I/O but 'out'.
 */
gboolean	 explain_mail(const struct rules *r, const char *name,
		    const char *raw, gsize len, FILE *out, GError **err);

#endif
