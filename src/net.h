/*
 * net.h: a TCP connection, bounded in time.
 */
#ifndef RENRAKU_NET_H
#define RENRAKU_NET_H

#include <glib.h>

/*
 * Connect to 'host' (a name or an address) on 'port', trying each address
 * getaddrinfo() gives, each connect() bounded by 'timeout' seconds.
 * Returns a blocking socket, or -1 with err set (RENRAKU_ERROR_TEMP).
 */
int	net_connect(const char *host, guint16 port, guint timeout,
	    GError **err);

#endif
