/*
 * tls.c: verify a server's certificate chain and host name with GnuTLS.
 */
#include <glib/gi18n.h>

#include "tls.h"

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "error.h"

/* The DNS and IP names a certificate is issued for, comma-separated. */
static char *
cert_names(gnutls_x509_crt_t crt)
{
	GString		*out = g_string_new(NULL);
	char		 buf[256];
	size_t		 len;
	unsigned int	 i;
	int		 type;

	for (i = 0;; i++) {
		len = sizeof buf - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len,
		    NULL);
		if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			buf[len] = '\0';
			g_string_append_printf(out, "%s%s",
			    out->len > 0 ? ", " : "", buf);
		}
	}
	if (out->len == 0) {
		len = sizeof buf;
		if (gnutls_x509_crt_get_dn_by_oid(crt,
		    GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &len) == 0)
			g_string_append(out, buf);
	}
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return (NULL);
	}
	return (g_string_free(out, FALSE));
}

gboolean
tls_verify_chain(GBytes *const *chain, guint n, const char *host,
    const char *ca_file, GError **err)
{
	gnutls_x509_crt_t		*crt = NULL;
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_datum_t			 out = { NULL, 0 };
	unsigned int			 status = 0, i, ncrt = 0;
	gboolean			 ok = FALSE;
	int				 r;
	gnutls_typed_vdata_st		 vd[2] = {
		{ GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)host, 0 },
		{ GNUTLS_DT_KEY_PURPOSE_OID,
		    (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0 },
	};

	if (n == 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: the server sent no certificate"), host);
		goto out;
	}
	crt = g_new0(gnutls_x509_crt_t, n);
	for (ncrt = 0; ncrt < n; ncrt++) {
		gsize		len;
		gnutls_datum_t	d;

		d.data = (unsigned char *)g_bytes_get_data(chain[ncrt], &len);
		d.size = (unsigned int)len;
		if (gnutls_x509_crt_init(&crt[ncrt]) < 0)
			goto bad_cert;
		if (gnutls_x509_crt_import(crt[ncrt], &d,
		    GNUTLS_X509_FMT_DER) < 0) {
			ncrt++;
			goto bad_cert;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		goto bad_cert;
	if (ca_file != NULL)
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
	else
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (r <= 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("cannot load trusted certificates from %s"),
		    ca_file != NULL ? ca_file : "the system store");
		goto out;
	}
	if (gnutls_x509_trust_list_verify_crt2(tl, crt, n, vd, 2, 0, &status,
	    NULL) < 0)
		goto bad_cert;
	if (status != 0) {
		char		*names = NULL;
		const char	*why;

		gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0);
		if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
			names = cert_names(crt[0]);
		why = out.data != NULL ? g_strstrip((char *)out.data) :
		    _("not trusted");
		if (names != NULL)
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    _("%s: server certificate rejected: %s It is "
			    "issued for %s."), host, why, names);
		else
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    _("%s: server certificate rejected: %s"), host,
			    why);
		gnutls_free(out.data);
		g_free(names);
		goto out;
	}
	/* a key an attacker can factor is no proof of the server (RSA
	   below 2048 bits, as GnuTLS's own "medium" level) */
	{
		unsigned int	bits = 0;
		int		alg = gnutls_x509_crt_get_pk_algorithm(crt[0],
				    &bits);

		if ((alg == GNUTLS_PK_RSA || alg == GNUTLS_PK_DSA) &&
		    bits < 2048) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    _("%s: server certificate rejected: its %s key "
			    "has %u bits, fewer than the 2048 renraku asks "
			    "for"), host, gnutls_pk_algorithm_get_name(alg),
			    bits);
			goto out;
		}
	}
	ok = TRUE;
	goto out;
bad_cert:
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
	    _("%s: server certificate rejected: it cannot be read"), host);
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crt[i]);
	g_free(crt);
	return (ok);
}

gboolean
tls_random(void *buf, gsize n)
{
	return (gnutls_rnd(GNUTLS_RND_KEY, buf, n) == 0);
}
