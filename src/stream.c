/*
 * stream.c: the connection under libetpan's IMAP parser (see stream.h).
 *
 * libetpan's own TLS streams wait for each read, not for an answer, take
 * any protocol version GnuTLS's "NORMAL" allows, and hand every byte to a
 * parser that recurses once per parenthesis and keeps a whole answer in
 * memory.  This driver sits where those streams would: the socket is
 * non-blocking and every wait is for what is left of the answer's
 * deadline, and each byte read is scanned (quoted strings, literals,
 * nesting) before libetpan sees it.
 */
#include <glib/gi18n.h>

#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "error.h"
#include "tls.h"

/* TLS 1.3 and 1.2 only; the rest of GnuTLS's (or the system's) defaults */
#define STREAM_PRIORITY	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/*
 * An answer has 'timeout' seconds, and a second more for each
 * STREAM_MIN_RATE bytes it brings: a link of 256 kbit/s or faster gets
 * its 64 mails of a FETCH through, a trickle does not.  Silence longer
 * than 'timeout' ends it whatever came before.
 */
#define STREAM_MIN_RATE	(32 * 1024)

enum scan {
	SCAN_TEXT,		/* an answer's line, outside strings */
	SCAN_QUOTED,		/* inside "..." */
	SCAN_ESCAPE,		/* after a backslash in "..." */
	SCAN_COUNT,		/* after '{': the literal's length */
	SCAN_CLOSE,		/* after '}': a CR LF starts the literal */
	SCAN_CR,		/* after "}\r" */
	SCAN_LITERAL		/* inside a literal */
};

struct stream {
	int		 fd;
	gnutls_session_t tls;		/* NULL in clear */
	gnutls_certificate_credentials_t cred;
	guint		 timeout;	/* seconds per answer */
	gint64		 deadline;	/* monotonic microseconds */
	gint64		 heard;		/* the last byte read, or the
					   answer's start */
	gboolean	 cancelled;
	char		*why;		/* the bound that ended the stream */
	/* what the current answer and the connection brought */
	guint64		 answer, literals, total;
	/* the scanner */
	enum scan	 state;
	guint		 depth;
	guint64		 count;		/* SCAN_COUNT: digits so far;
					   SCAN_LITERAL: bytes left */
	char		 head[32];	/* the start of the line */
	guint		 headlen;
};

/*
 * Whether the line begun in s->head is a response of free text ("+ ...",
 * "* OK|NO|BAD|BYE|PREAUTH ...", "TAG OK|NO|BAD ..."), where libetpan
 * reads "{N}" as text, not as a literal: there it must count as text
 * here too, or a server could hide what follows from the scanner.
 */
static gboolean
text_line(const struct stream *s)
{
	static const char *const words[] = { "OK", "NO", "BAD", "BYE",
	    "PREAUTH" };
	const char	*sp, *w, *end;
	gsize		 i, n;

	if (s->headlen > 0 && s->head[0] == '+')
		return (TRUE);
	end = s->head + s->headlen;
	if ((sp = memchr(s->head, ' ', s->headlen)) == NULL)
		return (FALSE);
	w = sp + 1;
	for (n = 0; w + n < end && w[n] != ' '; n++)
		;
	if (w + n == end)
		return (FALSE);		/* the word is not over yet */
	for (i = 0; i < G_N_ELEMENTS(words); i++)
		if (n == strlen(words[i]) &&
		    g_ascii_strncasecmp(w, words[i], n) == 0)
			return (TRUE);
	return (FALSE);
}

static struct stream *
data_of(mailstream_low *low)
{
	return (low->data);
}

/* A new answer begins: its deadline and its counts start again. */
static void
new_answer(struct stream *s)
{
	s->heard = g_get_monotonic_time();
	s->deadline = s->heard + (gint64)s->timeout * G_USEC_PER_SEC;
	s->answer = s->literals = 0;
}

/* End the stream: every later read or write fails.  Returns -1. */
static int
stop(struct stream *s, char *why)
{
	if (s->why == NULL)
		s->why = why;
	else
		g_free(why);
	s->cancelled = TRUE;
	return (-1);
}

/*
 * Wait until 'fd' is ready for 'events', or the answer's deadline, or
 * 'timeout' seconds of silence.
 */
static gboolean
wait_fd(struct stream *s, short events)
{
	struct pollfd	pfd = { s->fd, events, 0 };
	gint64		left, now, quiet;
	int		r;

	for (;;) {
		now = g_get_monotonic_time();
		quiet = s->heard + (gint64)s->timeout * G_USEC_PER_SEC;
		if (now >= s->deadline) {
			stop(s, g_strdup_printf(ngettext("no complete answer "
			    "within %u second", "no complete answer within %u "
			    "seconds", s->timeout), s->timeout));
			return (FALSE);
		}
		if (now >= quiet) {
			stop(s, g_strdup_printf(ngettext("the server sent "
			    "nothing for %u second", "the server sent nothing "
			    "for %u seconds", s->timeout), s->timeout));
			return (FALSE);
		}
		left = MIN(s->deadline, quiet) - now;
		r = poll(&pfd, 1, (int)MIN((left + 999) / 1000, G_MAXINT));
		if (r > 0)
			return (TRUE);
		if (r < 0 && errno != EINTR) {
			stop(s, g_strdup(g_strerror(errno)));
			return (FALSE);
		}
	}
}

/* The line for an answer, or a connection, larger than its cap. */
static int
too_big(struct stream *s, gboolean connection, guint64 max)
{
	return (stop(s, connection ? g_strdup_printf(_("the server sent more "
	    "than %lu MB over this connection"), (unsigned long)(max >> 20)) :
	    g_strdup_printf(_("the server sent more than %lu MB in one "
	    "answer"), (unsigned long)(max >> 20))));
}

/*
 * Scan 'n' bytes the server sent, in order, before libetpan parses them.
 * Returns 0, or -1 when they break a bound.
 */
static int
scan(struct stream *s, const guchar *p, size_t n)
{
	size_t	i, k;

	s->total += n;
	if (s->total > STREAM_TOTAL_MAX)
		return (too_big(s, TRUE, STREAM_TOTAL_MAX));
	for (i = 0; i < n; i++) {
		if (s->state == SCAN_LITERAL) {
			k = MIN(n - i, s->count);
			s->count -= k;
			i += k - 1;
			if (s->count == 0)
				s->state = SCAN_TEXT;
			continue;
		}
		s->answer++;
		switch (s->state) {
		case SCAN_QUOTED:
			if (p[i] == '\\')
				s->state = SCAN_ESCAPE;
			else if (p[i] == '"')
				s->state = SCAN_TEXT;
			else if (p[i] == '\n') {	/* unclosed: the line ends */
				s->state = SCAN_TEXT;
				s->depth = 0;
				s->headlen = 0;
			}
			continue;
		case SCAN_ESCAPE:
			if (p[i] == '\n') {	/* unclosed: the line ends */
				s->state = SCAN_TEXT;
				s->depth = 0;
				s->headlen = 0;
			} else
				s->state = SCAN_QUOTED;
			continue;
		case SCAN_COUNT:
			if (g_ascii_isdigit(p[i])) {
				s->count = s->count * 10 + (guint64)(p[i] - '0');
				if (s->literals + s->count > STREAM_LITERAL_MAX)
					return (too_big(s, FALSE,
					    STREAM_LITERAL_MAX));
				continue;
			}
			if (p[i] == '}') {
				s->state = SCAN_CLOSE;
				continue;
			}
			if (p[i] == '+')
				continue;
			s->state = SCAN_TEXT;	/* no literal: read it as text */
			break;
		case SCAN_CLOSE:
			if (p[i] == '\r') {
				s->state = SCAN_CR;
				continue;
			}
			/* FALLTHROUGH */
		case SCAN_CR:
			if (p[i] == '\n') {
				s->literals += s->count;
				s->state = s->count > 0 ? SCAN_LITERAL : SCAN_TEXT;
				continue;
			}
			s->state = SCAN_TEXT;
			break;
		default:
			break;
		}
		if (p[i] != '\n' && s->headlen < sizeof s->head)
			s->head[s->headlen++] = (char)p[i];
		if (p[i] == '(' && ++s->depth > STREAM_DEPTH_MAX)
			return (stop(s, g_strdup_printf(_("the server's answer "
			    "is nested more than %d levels deep"),
			    STREAM_DEPTH_MAX)));
		else if (p[i] == ')' && s->depth > 0)
			s->depth--;
		else if (p[i] == '\n') {
			s->depth = 0;
			s->headlen = 0;
		} else if (p[i] == '"')
			s->state = SCAN_QUOTED;
		else if (p[i] == '{' && !text_line(s)) {
			s->state = SCAN_COUNT;
			s->count = 0;
		}
	}
	if (s->answer > STREAM_ANSWER_MAX)
		return (too_big(s, FALSE, STREAM_ANSWER_MAX));
	return (0);
}

static ssize_t
stream_read(mailstream_low *low, void *buf, size_t len)
{
	struct stream	*s = data_of(low);
	ssize_t		 n;

	for (;;) {
		if (s->cancelled)
			return (-1);
		if (s->tls != NULL) {
			n = gnutls_record_recv(s->tls, buf, len);
			if (n >= 0)
				break;
			if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
				return (-1);
		} else {
			n = read(s->fd, buf, len);
			if (n >= 0)
				break;
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				return (-1);
		}
		if (!wait_fd(s, POLLIN))
			return (-1);
	}
	if (n > 0) {
		s->heard = g_get_monotonic_time();
		s->deadline += (gint64)n * G_USEC_PER_SEC / STREAM_MIN_RATE;
		if (scan(s, buf, (size_t)n) == -1)
			return (-1);
	}
	return (n);
}

static ssize_t
stream_write(mailstream_low *low, const void *buf, size_t len)
{
	struct stream	*s = data_of(low);
	const char	*p = buf;
	size_t		 done = 0;
	ssize_t		 n;

	new_answer(s);
	while (done < len) {
		if (s->cancelled)
			return (-1);
		if (s->tls != NULL)
			n = gnutls_record_send(s->tls, p + done, len - done);
		else
			n = write(s->fd, p + done, len - done);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (s->tls != NULL ? n != GNUTLS_E_AGAIN &&
		    n != GNUTLS_E_INTERRUPTED : errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)
			return (-1);
		if (!wait_fd(s, POLLOUT))
			return (-1);
	}
	new_answer(s);
	return ((ssize_t)len);
}

static int
stream_close(mailstream_low *low)
{
	struct stream	*s = data_of(low);

	/* no close_notify: LOGOUT has ended the session, as with libetpan */
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	return (0);
}

static int
stream_get_fd(mailstream_low *low)
{
	return (data_of(low)->fd);
}

static void
stream_free(mailstream_low *low)
{
	struct stream	*s = data_of(low);

	if (s->fd != -1)
		close(s->fd);
	if (s->tls != NULL)
		gnutls_deinit(s->tls);
	if (s->cred != NULL)
		gnutls_certificate_free_credentials(s->cred);
	g_free(s->why);
	g_free(s);
	free(low);
}

static void
stream_cancel(mailstream_low *low)
{
	data_of(low)->cancelled = TRUE;
}

static mailstream_low_driver driver = {
	.mailstream_read = stream_read,
	.mailstream_write = stream_write,
	.mailstream_close = stream_close,
	.mailstream_get_fd = stream_get_fd,
	.mailstream_free = stream_free,
	.mailstream_cancel = stream_cancel,
};

mailstream_low *
stream_new(int fd, guint timeout)
{
	struct stream	*s;
	mailstream_low	*low;
	int		 fl;

	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	s = g_new0(struct stream, 1);
	s->fd = fd;
	s->timeout = timeout;
	new_answer(s);
	if ((low = mailstream_low_new(s, &driver)) == NULL) {
		g_free(s);
		close(fd);
	}
	return (low);
}

/*
 * The line for a handshake that failed with GnuTLS error 'r'; after
 * STARTTLS ('starttls'), in the words of imap.c's other STARTTLS failures.
 */
static void
handshake_failed(struct stream *s, int r, const char *host, gboolean starttls,
    GError **err)
{
	char	*why;

	if (s->why != NULL)
		why = g_strdup(s->why);
	else if (r == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
	    (r == GNUTLS_E_FATAL_ALERT_RECEIVED &&
	    gnutls_alert_get(s->tls) == GNUTLS_A_PROTOCOL_VERSION))
		why = g_strdup(_("the server offers no TLS 1.2 or later, and "
		    "older versions are not safe"));
	else
		why = g_strdup(gnutls_strerror(r));
	if (starttls)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: STARTTLS failed (TLS handshake: %s); refusing to log "
		    "in without TLS"), host, why);
	else
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: TLS handshake failed (%s)"), host, why);
	g_free(why);
}

/* Check the chain the server presented on 's' (tls.c). */
static gboolean
verify(struct stream *s, const char *host, const char *ca_file, GError **err)
{
	const gnutls_datum_t	*peers;
	GBytes			**certs;
	unsigned int		 i, n = 0;
	gboolean		 ok;

	peers = gnutls_certificate_get_peers(s->tls, &n);
	if (peers == NULL)
		n = 0;
	certs = g_new0(GBytes *, n + 1);
	for (i = 0; i < n; i++)
		certs[i] = g_bytes_new(peers[i].data, peers[i].size);
	ok = tls_verify_chain(certs, n, host, ca_file, err);
	for (i = 0; i < n; i++)
		g_bytes_unref(certs[i]);
	g_free(certs);
	return (ok);
}

gboolean
stream_start_tls(mailstream_low *low, const char *host, const char *ca_file,
    gboolean starttls, GError **err)
{
	struct stream	*s = data_of(low);
	int		 r;

	new_answer(s);
	if (gnutls_certificate_allocate_credentials(&s->cred) < 0 ||
	    gnutls_init(&s->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0 ||
	    gnutls_priority_set_direct(s->tls, STREAM_PRIORITY, NULL) < 0 ||
	    gnutls_credentials_set(s->tls, GNUTLS_CRD_CERTIFICATE,
	    s->cred) < 0 || (!g_hostname_is_ip_address(host) &&
	    gnutls_server_name_set(s->tls, GNUTLS_NAME_DNS, host,
	    strlen(host)) < 0)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: cannot set up TLS"), host);
		s->cancelled = TRUE;
		return (FALSE);
	}
	gnutls_transport_set_int(s->tls, s->fd);
	do {
		r = gnutls_handshake(s->tls);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (!wait_fd(s, gnutls_record_get_direction(s->tls) ?
			    POLLOUT : POLLIN))
				break;
		} else if (r < 0 && gnutls_error_is_fatal(r))
			break;
	} while (r < 0);
	if (r < 0 || gnutls_protocol_get_version(s->tls) < GNUTLS_TLS1_2) {
		handshake_failed(s, r < 0 ? r :
		    GNUTLS_E_UNSUPPORTED_VERSION_PACKET, host, starttls, err);
		s->cancelled = TRUE;
		return (FALSE);
	}
	if (!verify(s, host, ca_file, err)) {
		s->cancelled = TRUE;
		return (FALSE);
	}
	new_answer(s);
	return (TRUE);
}

const char *
stream_why(mailstream_low *low)
{
	return (low != NULL && low->driver == &driver ? data_of(low)->why :
	    NULL);
}

gboolean
stream_pending(mailstream_low *low)
{
	struct stream	*s = data_of(low);

	return (s->tls != NULL && gnutls_record_check_pending(s->tls) > 0);
}
