/*
 * test-imap.c: the pure parts of imap.c: mailbox names between UTF-8 and
 * modified UTF-7 (RFC 3501 5.1.3).
 */
#include "unit.h"

#include "imap.h"

static void
test_utf7(void **state)
{
	static const struct {
		const char *utf8, *utf7;
	} cases[] = {
		{ "INBOX", "INBOX" },
		{ "[Gmail]/下書き", "[Gmail]/&Tgtm+DBN-" },
		{ "Q&A", "Q&-A" },
		{ "仕事", "&TtVOiw-" },
		{ "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
		{ "下書き/sent", "&Tgtm+DBN-/sent" },
	};
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*enc, *dec;

		enc = imap_utf7_encode(cases[i].utf8);
		dec = imap_utf7_decode(cases[i].utf7);
		if (strcmp(enc, cases[i].utf7) != 0)
			fail_msg("encode %s: %s, wanted %s", cases[i].utf8, enc,
			    cases[i].utf7);
		if (strcmp(dec, cases[i].utf8) != 0)
			fail_msg("decode %s: %s, wanted %s", cases[i].utf7, dec,
			    cases[i].utf8);
		g_free(enc);
		g_free(dec);
	}
	/* every name survives the round trip */
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *enc = imap_utf7_encode(cases[i].utf8);
		char *dec = imap_utf7_decode(enc);

		assert_string_equal(dec, cases[i].utf8);
		g_free(enc);
		g_free(dec);
	}
	/* malformed names come back unchanged */
	{
		char *d = imap_utf7_decode("bad&AAA");

		assert_string_equal(d, "bad&AAA");
		g_free(d);
		d = imap_utf7_decode("odd&AGE-");
		assert_string_equal(d, "odda");
		g_free(d);
	}
	/* a name from a hostile server: no UTF-8, ending inside a four-byte
	   lead; under ASan a read past its end would fail here */
	{
		char	*name = g_malloc(128), *e, *d;

		memset(name, 'A', 126);
		name[126] = (char)0xf0;
		name[127] = '\0';
		d = imap_utf7_decode(name);
		assert_true(g_utf8_validate(d, -1, NULL));
		e = imap_utf7_encode(name);
		assert_true(g_str_has_suffix(e, "&,,0-"));
		assert_int_equal(strlen(e), 126 + 5);
		g_free(e);
		e = imap_utf7_encode(d);
		assert_true(g_str_has_suffix(e, "&,,0-"));
		g_free(e);
		g_free(d);
		g_free(name);
	}
}

UNIT_MAIN(
	cmocka_unit_test(test_utf7),
)
