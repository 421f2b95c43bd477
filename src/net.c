/*
 * net.c: a TCP connection, bounded in time.
 */
#include <glib/gi18n.h>

#include "net.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* getaddrinfo() and a non-blocking connect() bounded by 'timeout'. */
int
net_connect(const char *host, guint16 port, guint timeout, GError **err)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 service[8];
	int		 fd = -1, r, soerr, saved = ECONNREFUSED;
	socklen_t	 len;
	struct pollfd	 pfd;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	g_snprintf(service, sizeof service, "%u", port);
	if ((r = getaddrinfo(host, service, &hints, &res)) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: cannot resolve: %s"), host, gai_strerror(r));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
#ifdef SOCK_CLOEXEC
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
#else
		/* macOS: SOCK_CLOEXEC is POSIX 2024's, not 2008's.  No
		   command can start between the two calls: renraku starts
		   its commands from this same thread. */
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd != -1)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
		if (fd == -1) {
			saved = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			goto connected;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			r = poll(&pfd, 1, (int)timeout * 1000);
			len = sizeof soerr;
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
			    &soerr, &len) == 0 && soerr == 0)
				goto connected;
			saved = r == 0 ? ETIMEDOUT : (r == 1 ? soerr : errno);
		} else
			saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
	    _("%s port %u: cannot connect: %s"), host, port, g_strerror(saved));
	return (-1);
connected:
	freeaddrinfo(res);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return (fd);
}
