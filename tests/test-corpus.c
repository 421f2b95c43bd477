/*
 * test-corpus.c: every mail of tests/corpus through mail_parse() and
 * rules_classify() against tests/corpus/expected.tsv, then what the
 * table cannot say: decoded text (①, ㈱, '~'), forwarded mail read
 * through, "explain" and "rules check".
 *
 * Files are found under $TOP_SRCDIR (set by the Makefile), default ".".
 * One test per corpus line, so TAP names the mail that fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "error.h"
#include "explain.h"
#include "mail.h"
#include "rules.h"

static const char	*top;		/* $TOP_SRCDIR */
static struct rules	*rules;		/* of $TOP_SRCDIR/platforms */

/* One line of expected.tsv. */
struct row {
	const char	*file;
	const char	*classified;
	const char	*platform;
	const char	*kind;
	const char	*key;
	const char	*client;
	const char	*title;
	char		**fields;	/* what the above point into */
};

static char *
corpus_path(const char *file)
{
	return (g_build_filename(top, "tests", "corpus", file, NULL));
}

/* Parse corpus mail 'file' into 'm', or fail the test. */
static void
parse(const char *file, struct mail *m)
{
	char	*path = corpus_path(file), *raw;
	gsize	 len;
	GError	*e = NULL;

	assert_true(g_file_get_contents(path, &raw, &len, NULL));
	if (!mail_parse(raw, len, m, &e))
		fail_msg("%s: %s", file, e->message);
	g_free(raw);
	g_free(path);
}

/* NULL as "-", as the table writes it. */
static const char *
dash(const char *s)
{
	return (s != NULL ? s : "-");
}

static void
check_row(const struct row *w)
{
	struct mail	 m;
	struct event	 ev;
	GError		*e = NULL;
	char		*path = corpus_path(w->file), *raw;
	gsize		 len;
	gboolean	 known;

	if (!g_file_get_contents(path, &raw, &len, &e))
		fail_msg("%s", e->message);
	g_free(path);
	if (!mail_parse(raw, len, &m, &e)) {
		/* only a mail the table counts out may be refused */
		assert_non_null(e);
		assert_true(g_error_matches(e, RENRAKU_ERROR,
		    RENRAKU_ERROR_PERM));
		assert_string_equal(w->classified, "no");
		g_error_free(e);
		g_free(raw);
		return;
	}
	g_free(raw);
	known = rules_classify(rules, &m, &ev);
	assert_string_equal(known ? "yes" : "no", w->classified);
	if (known) {
		assert_string_equal(ev.platform, w->platform);
		assert_string_equal(event_kind_name(ev.kind), w->kind);
		assert_string_equal(dash(ev.key != NULL ? ev.key :
		    ev.name_key), w->key);
		assert_string_equal(dash(ev.client), w->client);
		assert_string_equal(dash(ev.title), w->title);
		event_clear(&ev);
	} else {
		assert_string_equal(w->platform, "-");
		assert_string_equal(w->kind, "-");
	}
	mail_clear(&m);
}

static void
test_row(void **state)
{
	check_row(*state);
}

/*
 * The seven samples of /work/shared/samples, whose copies are in
 * tests/corpus: written out here too, so that editing the table cannot
 * quietly change what they must give.
 */
static void
test_samples(void **state)
{
	static const struct row samples[] = {
		{ "coconala-talkroom-1.eml", "yes", "coconala", "message",
		    "18234567", "田中", "名刺・ショップカードのデザインを作成します" },
		{ "crowdworks-escrow-1.eml", "yes", "crowdworks", "escrow",
		    "63712345", "株式会社サンプル商事",
		    "【GAS】スプレッドシート集計の自動化ツール作成" },
		{ "crowdworks-message-1.eml", "yes", "crowdworks", "message",
		    "63712345", "株式会社サンプル商事",
		    "【GAS】スプレッドシート集計の自動化ツール作成" },
		{ "crowdworks-scout-1.eml", "yes", "crowdworks", "scout",
		    "418765432", "株式会社サンプル商事",
		    "【GAS】スプレッドシート集計の自動化ツール作成" },
		{ "lancers-comment-1.eml", "yes", "lancers", "message",
		    "5561234", "株式会社テスト企画",
		    "【LP制作】美容サロンのランディングページ制作" },
		/* the account's payout, no job's: no thread */
		{ "lancers-payment-1.eml", "yes", "lancers", "noise", "-",
		    "-", "-", NULL },
		{ "upwork-message-1.eml", "no", "-", "-", "-", "-", "-",
		    NULL },
	};
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(samples); i++)
		check_row(&samples[i]);
}

/* ISO-2022-JP with NEC extension characters, which glibc refuses. */
static void
test_iso2022jp_ext(void **state)
{
	struct mail	m;

	parse("crowdworks-message-iso2022jp-ext.eml", &m);
	assert_string_equal(m.subject,
	    "【クラウドワークス】㈱ミライ設計さんからメッセージが届きました");
	assert_string_equal(m.from_name, "クラウドワークス");
	assert_non_null(strstr(m.body, "㈱ミライ設計 さんからメッセージ"));
	assert_non_null(strstr(m.body, "①コーポレートサイトのLP改修\n"));
	assert_non_null(strstr(m.body, "②の問い合わせフォーム"));
	/* and all that follows them survives */
	assert_non_null(strstr(m.body, "https://crowdworks.jp/contracts/"
	    "63822222"));
	mail_clear(&m);
}

/* charset=Shift_JIS means CP932: ① kept; its ～ (0x8160) is the wave dash
 * U+301C, as JIS X 0208 maps it and as an ISO-2022-JP mail gives it;
 * '~' kept. */
static void
test_shift_jis(void **state)
{
	struct mail	m;

	parse("lancers-message-shiftjis.eml", &m);
	assert_non_null(strstr(m.subject, "（\xe3\x80\x9c" "12/20）"));
	assert_non_null(strstr(m.body, "①商品画像"));
	assert_non_null(strstr(m.body, "/~staff/items/"));
	assert_null(strstr(m.body, "\xe2\x80\xbe"));	/* ‾ */
	assert_null(strstr(m.body, "\xc2\xa5"));	/* ¥ */
	mail_clear(&m);
}

/* Encoded words: split characters, '=' padding (GMime #133). */
static void
test_encoded_words(void **state)
{
	struct mail	 m;
	char		*s;

	parse("lancers-subject-split-utf8.eml", &m);
	assert_string_equal(m.subject, "[ランサーズ] 株式会社ソラテック さんから "
	    "在庫管理アプリのUI改善 のコメントが届いています");
	mail_clear(&m);
	parse("coconala-accepted-bug133.eml", &m);
	assert_string_equal(m.subject,
	    "[ココナラ]【承諾】が選択されました（トークルームNo:18234567）");
	mail_clear(&m);

	s = mail_decode_header("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=");
	assert_string_equal(s, "Hello world");
	g_free(s);
	/* "①㈱" in ISO-2022-JP, two words */
	s = mail_decode_header("=?ISO-2022-JP?B?GyRCLSEbKEI=?=\r\n"
	    " =?ISO-2022-JP?B?GyRCLWobKEI=?=");
	assert_string_equal(s, "①㈱");
	g_free(s);
	/* undeclared ISO-2022-JP (old mailers): "①" */
	s = mail_decode_header("\x1b$B-!\x1b(B");
	assert_string_equal(s, "①");
	g_free(s);
}

static void
test_strip_forward(void **state)
{
	static const char *const cases[][2] = {
		{ "Fwd: 件名", "件名" },
		{ "FW: Fwd: 件名", "件名" },
		{ "fw:件名", "件名" },
		{ "転送: 件名", "件名" },
		{ "転送：件名", "件名" },
		{ "Re: Fwd: 件名", NULL },
		{ "Fwdx 件名", NULL },
		{ "【クラウドワークス】件名", NULL },
	};
	gsize	 i;
	char	*s;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = mail_strip_forward(cases[i][0]);
		if (cases[i][1] == NULL)
			assert_null(s);
		else
			assert_string_equal(s, cases[i][1]);
		g_free(s);
	}
}

/* "2025-11-04T09:15:00+09:00" as Unix time. */
static gint64
unix_time(const char *iso)
{
	GDateTime	*d = g_date_time_new_from_iso8601(iso, NULL);
	gint64		 t;

	assert_non_null(d);
	t = g_date_time_to_unix(d);
	g_date_time_unref(d);
	return (t);
}

static void
test_forward_inline(void **state)
{
	struct mail	m;

	/* Gmail: English labels, Japanese date */
	parse("crowdworks-forwarded-gmail.eml", &m);
	assert_string_equal(m.from_addr, "no-reply@crowdworks.jp");
	assert_string_equal(m.from_name, "クラウドワークス");
	assert_string_equal(m.forwarded_by, "hanako.yamada@gmail.com");
	assert_string_equal(m.subject, "【クラウドワークス】株式会社サンプル商事さん"
	    "からメッセージが届きました");
	assert_int_equal(m.date, unix_time("2025-11-04T09:15:00+09:00"));
	assert_non_null(m.message_id);
	assert_string_equal(m.message_id, "CAF=kx3p9Qm2bVtY7uN1@mail.gmail.com");
	/* the body is the original's, without the forwarder's note */
	assert_true(g_str_has_prefix(m.body, "====="));
	assert_null(strstr(m.body, "転送します"));
	mail_clear(&m);

	/* Outlook: 転送:, underscores, 差出人:, 送信日時: */
	parse("lancers-forwarded-outlook.eml", &m);
	assert_string_equal(m.from_addr, "noreply@lancers.co.jp");
	assert_string_equal(m.from_name, "ランサーズ事務局");
	assert_string_equal(m.forwarded_by, "hanako@example.co.jp");
	assert_true(g_str_has_prefix(m.subject, "[ランサーズ] 株式会社ソラテック"));
	assert_int_equal(m.date, unix_time("2025-11-05T14:02:00+09:00"));
	assert_true(g_str_has_prefix(m.body, "hanako_dev さん"));
	mail_clear(&m);

	/* Gmail's English date; not a platform, but still read through */
	parse("forwarded-non-platform.eml", &m);
	assert_string_equal(m.from_addr, "ichiro.suzuki@example.com");
	assert_int_equal(m.date, unix_time("2025-11-04T18:04:00+09:00"));
	mail_clear(&m);
}

static void
test_forward_attached(void **state)
{
	struct mail	m;

	parse("coconala-forwarded-attached.eml", &m);
	assert_string_equal(m.from_addr, "no-reply@mail.coconala.com");
	assert_string_equal(m.forwarded_by, "hanako@example.co.jp");
	assert_string_equal(m.subject, "[ココナラ]【差し戻し】が選択されました"
	    "（トークルームNo:18299887）");
	assert_int_equal(m.date, unix_time("2025-11-04T21:09:48+09:00"));
	/* the mailbox holds the outer mail */
	assert_string_equal(m.message_id,
	    "fw.20251104213002.4242@example.co.jp");
	assert_non_null(strstr(m.body, "文字をもう少し大きく"));
	mail_clear(&m);
}

/* Platform mail with a dashed footer is no forward. */
static void
test_not_forwarded(void **state)
{
	struct mail	m;

	parse("crowdworks-message-1.eml", &m);
	assert_null(m.forwarded_by);
	assert_string_equal(m.from_addr, "no-reply@crowdworks.jp");
	mail_clear(&m);
}

/* explain_mail() on 'file' into an allocated string. */
static char *
explain(const char *file, gboolean *ok, GError **err)
{
	char	*path = corpus_path(file), *raw, *out = NULL;
	size_t	 n = 0;
	gsize	 len;
	FILE	*f;

	assert_true(g_file_get_contents(path, &raw, &len, NULL));
	assert_non_null(f = open_memstream(&out, &n));
	*ok = explain_mail(rules, file, raw, len, f, err);
	assert_int_equal(fclose(f), 0);
	g_free(raw);
	g_free(path);
	return (out);
}

static void
assert_has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("no \"%s\" in:\n%s", needle, text);
}

static void
test_explain(void **state)
{
	GError		*e = NULL;
	gboolean	 ok;
	char		*out;

	out = explain("crowdworks-scout-1.eml", &ok, &e);
	assert_true(ok);
	assert_true(g_str_has_prefix(out, "crowdworks-scout-1.eml:\n"));
	assert_has(out, "  from      クラウドワークス <no-reply@crowdworks.jp>\n");
	assert_has(out, "  date      2025-10-14 10:12:33 +0900\n");
	assert_has(out, "  platform  crowdworks (クラウドワークス)");
	assert_has(out, "[platform] domains = crowdworks.jp");
	assert_has(out, "  event     scout  (");
	assert_has(out, "crowdworks.rules:");
	assert_has(out, "[event scout] subject = について相談がありました|");
	assert_has(out, "matched “について相談がありました”");
	assert_has(out, "  key       418765432  (");
	assert_has(out, "[platform] thread_key = https://crowdworks\\.jp/"
	    "messages/(\\d+)");
	assert_has(out, "  url       https://crowdworks.jp/messages/418765432\n");
	assert_has(out, "  client    株式会社サンプル商事  (");
	assert_has(out, "  title     【GAS】スプレッドシート集計の自動化ツール作成  (");
	assert_has(out, "matched “■お仕事\\n【GAS】");
	free(out);

	out = explain("upwork-message-1.eml", &ok, &e);
	assert_true(ok);
	assert_has(out, "no platform domain matched the sender "
	    "donotreply@upwork.com");
	assert_has(out, "not a platform event");
	free(out);

	out = explain("crowdworks-noise-digest.eml", &ok, &e);
	assert_has(out, "excluded by 'magazine.crowdworks.jp'");
	free(out);

	out = explain("crowdworks-unknown-1.eml", &ok, &e);
	assert_has(out, "  event     unknown  (platform crowdworks, but none "
	    "of the 11 [event KIND] groups");
	assert_has(out, "“【クラウドワークス】本人確認書類の審査が完了しました”");
	assert_has(out, "  key       -  (no thread_key pattern matched");
	free(out);

	out = explain("crowdworks-noise-newjobs.eml", &ok, &e);
	assert_has(out, "  event     noise  (");
	assert_has(out, "noise: no thread");
	free(out);

	out = explain("lancers-forwarded-outlook.eml", &ok, &e);
	assert_has(out, "  forwarded by hanako@example.co.jp;");
	assert_has(out, "  date      2025-11-05 14:02:00 +0900\n");
	free(out);

	out = explain("malformed-garbage.eml", &ok, &e);
	assert_false(ok);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_PERM));
	assert_true(g_str_has_prefix(e->message, "malformed-garbage.eml: "));
	assert_true(out == NULL || *out == '\0');
	free(out);
	g_clear_error(&e);
}

/* rules_explain() agrees with rules_classify() on every corpus mail. */
static void
test_explain_agrees(void **state)
{
	GDir		*d;
	const char	*name;
	char		*dir = corpus_path("");

	assert_non_null(d = g_dir_open(dir, 0, NULL));
	while ((name = g_dir_read_name(d)) != NULL) {
		struct mail		 m;
		struct event		 a, b;
		struct rules_trace	 t;
		char			*path, *raw;
		gsize			 len;
		gboolean		 ka, kb;

		if (!g_str_has_suffix(name, ".eml"))
			continue;
		path = g_build_filename(dir, name, NULL);
		assert_true(g_file_get_contents(path, &raw, &len, NULL));
		if (mail_parse(raw, len, &m, NULL)) {
			ka = rules_classify(rules, &m, &a);
			kb = rules_explain(rules, &m, &b, &t);
			assert_int_equal(ka, kb);
			assert_int_equal(a.kind, b.kind);
			assert_string_equal(dash(a.key), dash(b.key));
			assert_string_equal(dash(a.client), dash(b.client));
			/* FALSE with a file: the sender was excluded */
			if (!kb && t.file != NULL)
				assert_string_equal(g_array_index(t.hits,
				    struct rules_hit, t.hits->len - 1).key,
				    "exclude");
			if (kb && b.kind != EVENT_UNKNOWN)
				assert_non_null(t.group);
			rules_trace_clear(&t);
			event_clear(&a);
			event_clear(&b);
			mail_clear(&m);
		}
		g_free(raw);
		g_free(path);
	}
	g_dir_close(d);
	g_free(dir);
}

/* rules_check() on 'dir' into an allocated string. */
static char *
check(const char *dir, gboolean *ok, GError **err)
{
	const char	*dirs[] = { dir, NULL };
	char		*out = NULL;
	size_t		 n = 0;
	FILE		*f;

	assert_non_null(f = open_memstream(&out, &n));
	*ok = rules_check(dirs, f, err);
	assert_int_equal(fclose(f), 0);
	return (out);
}

static void
test_rules_check_shipped(void **state)
{
	char		*dir = g_build_filename(top, "platforms", NULL);
	char		*out, *line;
	GError		*e = NULL;
	gboolean	 ok;

	out = check(dir, &ok, &e);
	assert_true(ok);
	assert_null(e);
	line = g_strdup_printf("%s/crowdworks.rules: ok\n", dir);
	assert_has(out, line);
	g_free(line);
	/* nothing but "ok" lines */
	assert_null(strstr(out, "warning"));
	free(out);
	g_free(dir);
}

static const char bad_rules[] =
    "# a rules file with one of each problem\n"		/* 1 */
    "[platform]\n"
    "id = demo\n"
    "domains = demo.example\n"
    "exclude = news.other.example\n"			/* 5 */
    "thread_key = https://demo\\.example/t/\\d+\n"
    "colour = blue\n"
    "\n"
    "[event message]\n"
    "subject = (unclosed\n"				/* 10 */
    "body = 連絡：あり\n"
    "\n"
    "[event mesage]\n"
    "subject = x\n"
    "\n"							/* 15 */
    "[event scout]\n"
    "client = body:^(.+)さん\n"
    "\n"
    "[event noise]\n"
    "subject = お知らせ\n"				/* 20 */
    "subject = ご案内\n"
    "\n"
    "[plattform]\n"
    "id = x\n";

static void
test_rules_check_bad(void **state)
{
	GError		*e = NULL;
	gboolean	 ok;
	char		*dir, *path, *out, *want;
	const char	*dirs[2];
	struct rules	*r;
	gsize		 i;
	static const char *const problems[] = {
	    ":5: warning: [platform] exclude: 'news.other.example' is not "
	    "under any of the platform's domains",
	    ":6: warning: [platform] thread_key: pattern "
	    "'https://demo\\.example/t/\\d+' captures nothing",
	    ":7: [platform] colour: unknown key\n",
	    ":10: [event message] subject: bad pattern '(unclosed': ",
	    ":11: warning: [event message] body: pattern '連絡：あり': '：' "
	    "never matches, text is NFKC-normalised first (write ':')\n",
	    ":13: [event mesage]: unknown event kind 'mesage'\n",
	    ":16: [event scout]: needs a subject or body pattern\n",
	    ":21: warning: [event noise] subject: key set again",
	    ":23: [plattform]: unknown group: expected [platform] or "
	    "[event KIND]\n",
	};

	dir = g_dir_make_tmp("renraku-rules-XXXXXX", NULL);
	assert_non_null(dir);
	path = g_build_filename(dir, "demo.rules", NULL);
	assert_true(g_file_set_contents(path, bad_rules, -1, NULL));
	out = check(dir, &ok, &e);
	assert_false(ok);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	assert_string_equal(e->message, "5 errors in rules files");
	g_clear_error(&e);
	for (i = 0; i < G_N_ELEMENTS(problems); i++) {
		want = g_strconcat(path, problems[i], NULL);
		assert_has(out, want);
		g_free(want);
	}
	assert_null(strstr(out, ": ok\n"));
	free(out);

	/* rules_load refuses the same file, naming it */
	dirs[0] = dir;
	dirs[1] = NULL;
	r = rules_load(dirs, &e);
	assert_null(r);
	assert_has(e->message, "demo.rules: [event message] subject: bad "
	    "pattern '(unclosed'");
	g_clear_error(&e);

	/* a syntax error and a missing key, by line */
	assert_true(g_file_set_contents(path, "[platform]\nid = demo\n"
	    "this line is no key\n", -1, NULL));
	out = check(dir, &ok, &e);
	assert_false(ok);
	g_clear_error(&e);
	want = g_strconcat(path, ":3: ", NULL);
	assert_has(out, want);
	g_free(want);
	free(out);
	assert_true(g_file_set_contents(path, "# no domains\n[platform]\n"
	    "id = demo\n[event message]\nsubject = x\n", -1, NULL));
	out = check(dir, &ok, &e);
	assert_false(ok);
	assert_string_equal(e->message, "1 error in rules files");
	g_clear_error(&e);
	want = g_strconcat(path, ":2: [platform] domains: missing\n", NULL);
	assert_has(out, want);
	g_free(want);
	free(out);

	assert_int_equal(g_unlink(path), 0);
	/* no rules at all */
	out = check(dir, &ok, &e);
	assert_false(ok);
	assert_has(e->message, "no platform rules found");
	g_clear_error(&e);
	free(out);
	assert_int_equal(g_rmdir(dir), 0);
	g_free(path);
	g_free(dir);
}

/* Values are as written, keys as normalised: a full-width key still
 * gives ASCII digits. */
static void
test_values_as_written(void **state)
{
	struct mail	m;
	struct event	ev;

	memset(&m, 0, sizeof m);
	m.from_addr = g_strdup("no-reply@mail.coconala.com");
	m.from_name = g_strdup("");
	m.subject = g_strdup("[ココナラ] ㈱ｻﾝﾌﾟﾙ　商店さんからトークルームに連絡がありました");
	m.body = g_strdup("トークルームNo：１８２３４５６７\n"
	    "サービス名：①ロゴ　　制作（２案）\n");
	assert_true(rules_classify(rules, &m, &ev));
	assert_int_equal(ev.kind, EVENT_MESSAGE);
	assert_string_equal(ev.key, "18234567");
	assert_string_equal(ev.client, "㈱ｻﾝﾌﾟﾙ 商店");
	assert_string_equal(ev.title, "①ロゴ 制作（２案）");
	event_clear(&ev);
	mail_clear(&m);
}

static struct row *
split_row(const char *line)
{
	char		**f = g_strsplit(line, "\t", -1);
	struct row	 *w;

	if (g_strv_length(f) != 7) {
		g_strfreev(f);
		return (NULL);
	}
	w = g_new0(struct row, 1);
	w->file = f[0];
	w->classified = f[1];
	w->platform = f[2];
	w->kind = f[3];
	w->key = f[4];
	w->client = f[5];
	w->title = f[6];
	w->fields = f;
	return (w);
}

static void
row_free(struct row *w)
{
	g_strfreev(w->fields);
	g_free(w);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_iso2022jp_ext),
		cmocka_unit_test(test_shift_jis),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_strip_forward),
		cmocka_unit_test(test_forward_inline),
		cmocka_unit_test(test_forward_attached),
		cmocka_unit_test(test_not_forwarded),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_explain_agrees),
		cmocka_unit_test(test_rules_check_shipped),
		cmocka_unit_test(test_rules_check_bad),
		cmocka_unit_test(test_values_as_written),
	};
	GArray		*tests;
	GPtrArray	*rows;
	GError		*e = NULL;
	char		*path, *text, **lines, *dir;
	const char	*dirs[2];
	gsize		 i;
	int		 failed;

	/* explain prints local time; make it Japan's, as the mails are */
	g_setenv("TZ", "Asia/Tokyo", TRUE);
	if ((top = g_getenv("TOP_SRCDIR")) == NULL)
		top = ".";
	mail_init();
	dir = g_build_filename(top, "platforms", NULL);
	dirs[0] = dir;
	dirs[1] = NULL;
	if ((rules = rules_load(dirs, &e)) == NULL) {
		printf("Bail out! %s\n", e->message);
		return (1);
	}
	path = g_build_filename(top, "tests", "corpus", "expected.tsv", NULL);
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		printf("Bail out! %s\n", e->message);
		return (1);
	}
	/* one test per line of the table, then the fixed ones */
	tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)row_free);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		struct CMUnitTest	 t;
		struct row		*w;

		g_strchomp(lines[i]);
		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		if ((w = split_row(lines[i])) == NULL) {
			printf("Bail out! %s:%zu: not 7 fields\n", path,
			    i + 1);
			return (1);
		}
		g_ptr_array_add(rows, w);
		memset(&t, 0, sizeof t);
		t.name = w->file;
		t.test_func = test_row;
		t.initial_state = w;
		g_array_append_val(tests, t);
	}
	g_array_append_vals(tests, fixed, G_N_ELEMENTS(fixed));
	cmocka_set_message_output(CM_OUTPUT_TAP);
	failed = _cmocka_run_group_tests("corpus",
	    (const struct CMUnitTest *)tests->data, tests->len, NULL, NULL);
	g_strfreev(lines);
	g_array_unref(tests);
	g_ptr_array_unref(rows);
	g_free(text);
	g_free(path);
	g_free(dir);
	rules_free(rules);
	return (failed);
}
