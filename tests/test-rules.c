/*
 * test-rules.c: the shipped platform rules on the corpus, and how rules
 * files are loaded, checked and overridden.
 */
#include "unit.h"

#include "error.h"
#include "mail.h"
#include "rules.h"

static int
group_setup(void **state)
{
	mail_init();
	return (0);
}

/* The shipped rules: $TOP_SRCDIR/platforms. */
static struct rules *
load_shipped(void)
{
	char		*dir = unit_path("platforms");
	const char	*dirs[] = { dir, NULL };
	struct rules	*r;
	GError		*e = NULL;

	r = rules_load(dirs, &e);
	assert_no_error(e);
	assert_non_null(r);
	g_free(dir);
	return (r);
}

/* Classify corpus mail 'file'; returns what rules_classify() did. */
static gboolean
classify_file(const struct rules *r, const char *file, struct event *ev)
{
	struct mail	 m;
	GError		*e = NULL;
	gboolean	 known;
	char		*raw;
	gsize		 len;

	raw = unit_corpus(file, &len);
	if (!mail_parse(raw, len, &m, &e))
		fail_msg("%s: %s", file, e->message);
	known = rules_classify(r, &m, ev);
	mail_clear(&m);
	g_free(raw);
	return (known);
}

static void
test_corpus(void **state)
{
	static const struct {
		const char	*file;
		gboolean	 known;
		enum event_kind	 kind;
		const char	*platform, *key, *client, *title, *url;
	} cases[] = {
		{ "crowdworks-message-1.eml", TRUE, EVENT_MESSAGE,
		  "crowdworks", "63712345", "株式会社サンプル商事",
		  "【GAS】スプレッドシート集計の自動化ツール作成",
		  "https://crowdworks.jp/contracts/63712345" },
		{ "crowdworks-escrow-1.eml", TRUE, EVENT_ESCROW,
		  "crowdworks", "63712345", "株式会社サンプル商事",
		  "【GAS】スプレッドシート集計の自動化ツール作成",
		  "https://crowdworks.jp/contracts/63712345" },
		/* before a contract the key is the message thread */
		{ "crowdworks-scout-1.eml", TRUE, EVENT_SCOUT,
		  "crowdworks", "418765432", "株式会社サンプル商事",
		  "【GAS】スプレッドシート集計の自動化ツール作成",
		  "https://crowdworks.jp/messages/418765432" },
		{ "lancers-comment-1.eml", TRUE, EVENT_MESSAGE,
		  "lancers", "5561234", "株式会社テスト企画",
		  "【LP制作】美容サロンのランディングページ制作",
		  "https://www.lancers.jp/work/detail/5561234" },
		/* the account's payout, no job's: no thread */
		{ "lancers-payment-1.eml", TRUE, EVENT_NOISE,
		  "lancers", NULL, NULL, NULL, NULL },
		{ "coconala-talkroom-1.eml", TRUE, EVENT_MESSAGE,
		  "coconala", "18234567", "田中",
		  "名刺・ショップカードのデザインを作成します",
		  "https://coconala.com/talkrooms/18234567" },
		/* the key from "トークルームNo:", the page from url = */
		{ "malformed-header-only.eml", TRUE, EVENT_ENDED,
		  "coconala", "18299887", NULL, NULL,
		  "https://coconala.com/talkrooms/18299887" },
		{ "upwork-message-1.eml", FALSE, EVENT_UNKNOWN,
		  NULL, NULL, NULL, NULL, NULL },
	};
	struct rules	*r = load_shipped();
	struct event	 ev;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gboolean known = classify_file(r, cases[i].file, &ev);

		if (known != cases[i].known)
			fail_msg("%s: classify gave %d", cases[i].file, known);
		if (!known) {
			event_clear(&ev);
			continue;
		}
		if (ev.kind != cases[i].kind)
			fail_msg("%s: kind %s, wanted %s", cases[i].file,
			    event_kind_name(ev.kind),
			    event_kind_name(cases[i].kind));
		assert_string_equal(ev.platform, cases[i].platform);
		assert_string_or_null(ev.key, cases[i].key);
		assert_string_or_null(ev.client, cases[i].client);
		assert_string_or_null(ev.title, cases[i].title);
		assert_string_or_null(ev.url, cases[i].url);
		event_clear(&ev);
		assert_null(ev.key);
	}
	rules_free(r);
}

/* Mails made here: senders, exclusions, and kinds the corpus lacks. */
static void
test_synthetic(void **state)
{
	static const struct {
		const char	*from, *subject, *body;
		gboolean	 known;
		enum event_kind	 kind;
		const char	*platform, *key;
	} cases[] = {
		/* subdomains of a platform domain are the platform */
		{ "info@mail.crowdworks.jp",
		  "【クラウドワークス】契約が成立しました",
		  "https://crowdworks.jp/contracts/1", TRUE, EVENT_CONTRACT,
		  "crowdworks", "1" },
		/* but a domain that only ends the same is not */
		{ "x@notcrowdworks.jp", "メッセージが届きました", "", FALSE,
		  EVENT_UNKNOWN, NULL, NULL },
		/* newsletters are excluded, by domain and by address */
		{ "news@magazine.crowdworks.jp", "メッセージが届きました",
		  "https://crowdworks.jp/contracts/1", FALSE, EVENT_UNKNOWN,
		  NULL, NULL },
		{ "magazine@lancers.jp", "メッセージが届いています", "", FALSE,
		  EVENT_UNKNOWN, NULL, NULL },
		/* noise has no thread even with a link */
		{ "no-reply@crowdworks.jp", "【クラウドワークス】新着のお仕事",
		  "https://crowdworks.jp/contracts/9", TRUE, EVENT_NOISE,
		  "crowdworks", NULL },
		/* an unknown subject from a platform */
		{ "no-reply@crowdworks.jp", "アンケートのお願い", "", TRUE,
		  EVENT_UNKNOWN, "crowdworks", NULL },
		/* full-width digits and colon are NFKC-normalised */
		{ "no-reply@mail.coconala.com",
		  "[ココナラ] 佐藤さんから連絡がありました",
		  "トークルームNo：１２３４５", TRUE, EVENT_MESSAGE, "coconala",
		  "12345" },
		{ "noreply@lancers.co.jp", "[ランサーズ] 途中終了のお知らせ",
		  "https://www.lancers.jp/workroom/777", TRUE, EVENT_ENDED,
		  "lancers", "777" },
		/* the sender's case does not matter */
		{ "No-Reply@CrowdWorks.JP", "仮払いが完了しました", "", TRUE,
		  EVENT_ESCROW, "crowdworks", NULL },
	};
	struct rules	*r = load_shipped();
	struct event	 ev;
	struct mail	 m;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gboolean known;

		memset(&m, 0, sizeof m);
		m.from_addr = (char *)cases[i].from;
		m.subject = (char *)cases[i].subject;
		m.body = (char *)cases[i].body;
		m.from_name = (char *)"";
		known = rules_classify(r, &m, &ev);
		if (known != cases[i].known)
			fail_msg("case %zu (%s): classify gave %d", i,
			    cases[i].from, known);
		if (known) {
			if (ev.kind != cases[i].kind)
				fail_msg("case %zu: kind %s, wanted %s", i,
				    event_kind_name(ev.kind),
				    event_kind_name(cases[i].kind));
			assert_string_equal(ev.platform, cases[i].platform);
			assert_string_or_null(ev.key, cases[i].key);
		}
		event_clear(&ev);
	}
	rules_free(r);
}

static void
test_platforms(void **state)
{
	struct rules	 *r = load_shipped();
	char		**domains;

	assert_string_equal(rules_platform_name(r, "crowdworks"),
	    "クラウドワークス");
	assert_string_equal(rules_platform_name(r, "lancers"), "ランサーズ");
	assert_string_equal(rules_platform_name(r, "coconala"), "ココナラ");
	assert_string_equal(rules_platform_name(r, "upwork"), "upwork");
	domains = rules_sender_domains(r);
	assert_true(g_strv_contains((const char *const *)domains,
	    "crowdworks.jp"));
	assert_true(g_strv_contains((const char *const *)domains,
	    "lancers.co.jp"));
	assert_true(g_strv_contains((const char *const *)domains,
	    "mail.coconala.com"));
	assert_int_equal(g_strv_length(domains), 5);
	g_strfreev(domains);
	rules_free(r);
}

static void
test_kind_names(void **state)
{
	int	i;

	/* the names are stored in the database: they must round-trip */
	for (i = 0; i < EVENT_NKINDS; i++)
		assert_int_equal(event_kind_from_name(event_kind_name(
		    (enum event_kind)i)), i);
	assert_string_equal(event_kind_name(EVENT_MESSAGE), "message");
	assert_string_equal(event_kind_name(EVENT_ESCROW), "escrow");
	assert_string_equal(event_kind_name(EVENT_NKINDS), "unknown");
	assert_int_equal(event_kind_from_name("payment"), EVENT_PAYMENT);
	assert_int_equal(event_kind_from_name("Payment"), -1);
	assert_int_equal(event_kind_from_name("bogus"), -1);
}

static void
test_normalize(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "ＡＢＣ１２３：（テスト）", "ABC123:(テスト)" },
		{ "a  \t b", "a b" },
		{ "a \r\n b", "a\nb" },
		{ "line1\nline2\n", "line1\nline2\n" },
		{ "ｶﾀｶﾅ", "カタカナ" },
		{ "", "" },
	};
	char	*got;
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = rules_normalize(cases[i].in);
		assert_string_equal(got, cases[i].out);
		g_free(got);
	}
}

/* A platform rule file good enough to load. */
#define GOOD_RULES							\
	"[platform]\n"							\
	"id = example\n"						\
	"domains = example.jp\n"					\
	"[event message]\n"						\
	"subject = message\n"

static void
test_bad_files(void **state)
{
	static const struct {
		const char	*text;
		const char	*error;		/* after "PATH: " */
	} cases[] = {
		{ GOOD_RULES "[event ended]\nsubject = (unclosed\n",
		  "[event ended] subject: bad pattern '(unclosed'" },
		{ GOOD_RULES "[event bogus]\nsubject = x\n",
		  "[event bogus]: unknown event kind 'bogus'" },
		{ GOOD_RULES "[event unknown]\nsubject = x\n",
		  "[event unknown]: unknown event kind 'unknown'" },
		{ GOOD_RULES "[event scout]\nbody = \n",
		  "[event scout]: needs a subject or body pattern" },
		{ GOOD_RULES "[event scout]\nsubjetc = x\n",
		  "[event scout] subjetc: unknown key" },
		{ GOOD_RULES "[misc]\n",
		  "[misc]: unknown group" },
		{ "[platform]\nid = Bad Id\ndomains = x.jp\n",
		  "[platform] id: missing, or not made of" },
		{ "[platform]\nid = x\n",
		  "[platform] domains: missing" },
		{ "[platform]\nid = x\ndomains = x.jp\nthread_key = [\n",
		  "[platform] thread_key: bad pattern '['" },
		{ "[platform]\nid = x\ndomains = x.jp\nclient = body:(?<\n",
		  "[platform] client: bad pattern '(?<'" },
		{ "[platform]\nid = x\ndomains = x.jp\nurl = https://x.jp/t/\n",
		  "[platform] url: not an https:// address with {key} in it" },
		{ "[platform]\nid = x\ndomains = x.jp\n"
		  "url = http://x.jp/{key}\n",
		  "[platform] url: not an https:// address with {key} in it" },
		{ "not a key file\n", "" },
	};
	struct rules	*r;
	GError		*e = NULL;
	char		*path, *want;
	const char	*dirs[] = { *state, NULL };
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		path = unit_write(*state, "bad.rules", cases[i].text, 0644);
		r = rules_load(dirs, &e);
		if (r != NULL)
			fail_msg("case %zu loaded:\n%s", i, cases[i].text);
		assert_non_null(e);
		assert_true(g_error_matches(e, RENRAKU_ERROR,
		    RENRAKU_ERROR_CONFIG));
		/* the message names the file, then what is wrong in it */
		want = g_strdup_printf("%s: %s", path, cases[i].error);
		if (!g_str_has_prefix(e->message, want))
			fail_msg("case %zu: \"%s\" does not start \"%s\"", i,
			    e->message, want);
		g_free(want);
		g_clear_error(&e);
		g_free(path);
	}
}

static void
test_several_bad_files(void **state)
{
	struct rules	*r;
	GError		*e = NULL;
	char		*a, *b, *c;
	const char	*dirs[] = { *state, NULL };

	a = unit_write(*state, "a.rules", GOOD_RULES "[event x]\n", 0644);
	b = unit_write(*state, "b.rules", GOOD_RULES, 0644);
	c = unit_write(*state, "c.rules", "[platform]\nid = c\n", 0644);
	r = rules_load(dirs, &e);
	assert_null(r);
	assert_non_null(e);
	/* every bad file is named, the good one is not */
	assert_contains(e->message, a);
	assert_contains(e->message, c);
	assert_not_contains(e->message, b);
	g_error_free(e);
	g_free(a);
	g_free(b);
	g_free(c);
}

static void
test_override(void **state)
{
	static const char mine[] =
	    "[platform]\n"
	    "id = crowdworks\n"
	    "name = CW (mine)\n"
	    "domains = crowdworks.jp\n"
	    "[event ended]\n"
	    "subject = メッセージ\n";
	char		*shipped = unit_path("platforms");
	const char	*user_last[] = { "/nonexistent/renraku", shipped,
			    *state, NULL };
	const char	*user_first[] = { *state, shipped, NULL };
	struct rules	*r;
	struct event	 ev;
	GError		*e = NULL;
	char		*path;

	path = unit_write(*state, "crowdworks.rules", mine, 0644);

	/* a later directory wins; missing directories are skipped */
	r = rules_load(user_last, &e);
	assert_no_error(e);
	assert_non_null(r);
	assert_string_equal(rules_platform_name(r, "crowdworks"),
	    "CW (mine)");
	assert_true(classify_file(r, "crowdworks-message-1.eml", &ev));
	assert_int_equal(ev.kind, EVENT_ENDED);
	event_clear(&ev);
	/* the other shipped files are still there */
	assert_true(classify_file(r, "lancers-comment-1.eml", &ev));
	assert_int_equal(ev.kind, EVENT_MESSAGE);
	event_clear(&ev);
	rules_free(r);

	/* and in the other order, the shipped file wins */
	r = rules_load(user_first, &e);
	assert_no_error(e);
	assert_non_null(r);
	assert_string_equal(rules_platform_name(r, "crowdworks"),
	    "クラウドワークス");
	assert_true(classify_file(r, "crowdworks-message-1.eml", &ev));
	assert_int_equal(ev.kind, EVENT_MESSAGE);
	event_clear(&ev);
	rules_free(r);

	g_free(path);
	g_free(shipped);
}

static void
test_no_rules(void **state)
{
	const char	*dirs[] = { *state, "/nonexistent/renraku", NULL };
	struct rules	*r;
	GError		*e = NULL;

	/* an empty directory and a missing one: nothing to classify with */
	r = rules_load(dirs, &e);
	assert_null(r);
	assert_non_null(e);
	assert_contains(e->message, "no platform rules found");
	g_error_free(e);
}

/*
 * The reference normalisation: each base character with what joins it,
 * through NFKC, blanks folded; rules_normalize() must agree with it,
 * whatever fast path it takes for ASCII, kana and ideographs.
 */
static gboolean
ref_joins(gunichar c)
{
	gunichar	d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

	if ((c >= 0x1161 && c <= 0x1175) || (c >= 0x11a8 && c <= 0x11c2))
		return (TRUE);
	return (g_unichar_fully_decompose(c, TRUE, d, G_N_ELEMENTS(d)) > 0 &&
	    g_unichar_combining_class(d[0]) != 0);
}

static char *
ref_normalize(const char *s)
{
	GString		*out = g_string_new(NULL);
	const char	*p, *q, *c;
	gboolean	 blank = FALSE;
	char		*n;

	for (p = s; *p != '\0'; p = q) {
		q = g_utf8_next_char(p);
		while (*q != '\0' && ref_joins(g_utf8_get_char(q)))
			q = g_utf8_next_char(q);
		n = g_utf8_normalize(p, q - p, G_NORMALIZE_NFKC);
		for (c = n; *c != '\0'; c = g_utf8_next_char(c)) {
			if (*c == ' ' || *c == '\t' || *c == '\r') {
				blank = TRUE;
				continue;
			}
			if (blank && out->len > 0 && *c != '\n' &&
			    out->str[out->len - 1] != '\n')
				g_string_append_c(out, ' ');
			blank = FALSE;
			g_string_append_len(out, c, g_utf8_next_char(c) - c);
		}
		g_free(n);
	}
	return (g_string_free(out, FALSE));
}

static void
test_normalize_fast_path(void **state)
{
	/* ASCII, kana and ideographs, and what must not take the fast path:
	   voicing marks, half-width kana, full-width forms, the ideographic
	   space, Hangul jamo, Latin with combining accents, ligatures */
	static const gunichar pool[] = { 'a', 'Z', '1', ' ', '\t', '\n', '\r',
	    0x3000, 0x304b, 0x3099, 0x309a, 0x309b, 0x30ab, 0x30fc, 0x3094,
	    0x30f4, 0xff76, 0xff9e, 0xff9f, 0xff70, 0xff21, 0xff10, 0xff5e,
	    0x301c, 0x4e00, 0x9fa5, 0xf900, 0x1100, 0x1161, 0x11a8, 0xac00,
	    0x0301, 0x0065, 0x00e9, 0x0323, 0x1e9b, 0x2460, 0x3231, 0x33a1,
	    0xfb01 };
	GRand		*r = g_rand_new_with_seed(20261203);
	GString		*s = g_string_new(NULL);
	char		*want, *got;
	guint		 k, i;

	(void)state;
	for (k = 0; k < 20000; k++) {
		g_string_truncate(s, 0);
		for (i = g_rand_int_range(r, 1, 10); i > 0; i--)
			g_string_append_unichar(s, pool[g_rand_int_range(r, 0,
			    G_N_ELEMENTS(pool))]);
		want = ref_normalize(s->str);
		got = rules_normalize(s->str);
		if (strcmp(want, got) != 0)
			fail_msg("[%s]: %s, wanted %s", s->str, got, want);
		g_free(want);
		g_free(got);
	}
	g_string_free(s, TRUE);
	g_rand_free(r);
}

#define TMP_TEST(f)	cmocka_unit_test_setup_teardown(f,		\
			    unit_setup_tmpdir, unit_teardown_tmpdir)

UNIT_MAIN_GROUP(group_setup, NULL,
	cmocka_unit_test(test_corpus),
	cmocka_unit_test(test_synthetic),
	cmocka_unit_test(test_platforms),
	cmocka_unit_test(test_kind_names),
	cmocka_unit_test(test_normalize),
	cmocka_unit_test(test_normalize_fast_path),
	TMP_TEST(test_bad_files),
	TMP_TEST(test_several_bad_files),
	TMP_TEST(test_override),
	TMP_TEST(test_no_rules),
)
