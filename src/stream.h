/*
 * stream.h: the connection under libetpan's IMAP parser.  Our own TLS
 * (GnuTLS, 1.2 or later, the chain checked by tls.c before a byte of IMAP
 * is read) and the bounds a hostile server meets: a deadline for each
 * whole answer, caps on the bytes of an answer and of a connection, and a
 * limit on the nesting of parentheses that libetpan's recursive parser
 * would otherwise follow until the stack runs out.
 */
#ifndef RENRAKU_STREAM_H
#define RENRAKU_STREAM_H

#include <glib.h>
#include <libetpan/libetpan.h>

#define STREAM_ANSWER_MAX	(2u << 20)	/* bytes outside literals */
#define STREAM_LITERAL_MAX	(24u << 20)	/* literal bytes, one answer */
#define STREAM_TOTAL_MAX	(G_GUINT64_CONSTANT(4) << 30) /* one connection */
#define STREAM_DEPTH_MAX	100		/* nested parentheses */

/*
 * A libetpan stream over connected socket 'fd' (taken over: closed when
 * the stream is), in clear until stream_start_tls().  Every answer (what
 * the server sends after each write, and the greeting) must be complete
 * within 'timeout' seconds, plus one for each 32 KB it brought (a slow
 * link's pace, not a trickle's), with no silence longer than 'timeout',
 * and within the caps above; past them each read fails and stream_why()
 * says which bound was hit.
 */
mailstream_low	*stream_new(int fd, guint timeout);

/*
 * Run the TLS handshake on 'low' (TLS 1.2 or later, SNI for 'host' unless
 * it is an address) within its timeout, then check the server's chain for
 * 'host' against 'ca_file' or the system store (tls.c).  Returns TRUE, or
 * FALSE with err set (RENRAKU_ERROR_TEMP) to a line naming the problem
 * (as a failed STARTTLS when 'starttls'); then the stream must only be
 * closed.
 */
gboolean	 stream_start_tls(mailstream_low *low, const char *host,
		    const char *ca_file, gboolean starttls, GError **err);

/* Which bound ended the stream, as a phrase for an error line, or NULL. */
const char	*stream_why(mailstream_low *low);

/* Whether TLS holds decrypted bytes not yet read (poll() cannot tell). */
gboolean	 stream_pending(mailstream_low *low);

#endif
