/*
 * tls.h: certificate checks that libetpan does not make.
 */
#ifndef RENRAKU_TLS_H
#define RENRAKU_TLS_H

#include <glib.h>

/*
 * Check that 'chain' (n DER certificates, the server's first) leads to a
 * trusted root and that the server's certificate is valid now, for
 * 'host' and for TLS server use.  Trust comes from 'ca_file' (PEM) when not
 * NULL, else from the system store.  Returns TRUE, or FALSE with err set
 * (RENRAKU_ERROR_TEMP) to a message that names the problem.
 */
gboolean	tls_verify_chain(GBytes *const *chain, guint n,
		    const char *host, const char *ca_file, GError **err);

/* Fill 'buf' with 'n' bytes from GnuTLS's generator for keys; FALSE if it
   fails. */
gboolean	tls_random(void *buf, gsize n);

#endif
