/*
 * test-certs.c: tls_verify_chain() on certificates made here with
 * openssl: a server key too small to prove anything is refused however
 * well it is signed, a good one of the same CA is taken.
 */
#include "unit.h"

#include "error.h"
#include "tls.h"

/* Run 'cmd' in 'dir' (a shell line); the test fails if it fails. */
static void
sh(const char *dir, const char *cmd)
{
	char	*line = g_strdup_printf("cd '%s' && %s >/dev/null 2>&1", dir,
		    cmd);

	if (system(line) != 0)
		fail_msg("failed: %s", cmd);
	g_free(line);
}

/* A server certificate for localhost with key 'newkey', signed by the
 * CA of 'dir'; its DER bytes. */
static GBytes *
server_cert(const char *dir, const char *name, const char *newkey)
{
	char	*cmd, *path, *der;
	gsize	 len;

	cmd = g_strdup_printf("printf 'subjectAltName=DNS:localhost\\n"
	    "extendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n' "
	    ">%s.ext && openssl req -new -newkey %s -nodes -subj "
	    "/CN=localhost -keyout %s.key -out %s.csr && openssl x509 -req "
	    "-in %s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 "
	    "-extfile %s.ext -outform DER -out %s.der", name, newkey, name,
	    name, name, name, name);
	sh(dir, cmd);
	g_free(cmd);
	path = g_strdup_printf("%s/%s.der", dir, name);
	assert_true(g_file_get_contents(path, &der, &len, NULL));
	g_free(path);
	return (g_bytes_new_take(der, len));
}

static void
test_key_size(void **state)
{
	char		*dir = unit_tmpdir(), *ca;
	GBytes		*weak, *strong;
	GError		*e = NULL;

	(void)state;
	sh(dir, "openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -subj /CN=test-ca -days 30 "
	    "-keyout ca.key -out ca.pem");
	ca = g_build_filename(dir, "ca.pem", NULL);
	weak = server_cert(dir, "weak", "rsa:1024");
	strong = server_cert(dir, "strong", "rsa:2048");
	assert_false(tls_verify_chain(&weak, 1, "localhost", ca, &e));
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_TEMP));
	assert_contains(e->message, "1024 bits");
	g_clear_error(&e);
	assert_true(tls_verify_chain(&strong, 1, "localhost", ca, &e));
	assert_no_error(e);
	g_bytes_unref(weak);
	g_bytes_unref(strong);
	g_free(ca);
	unit_rmtree(dir);
	g_free(dir);
}

UNIT_MAIN(
	cmocka_unit_test(test_key_size),
)
