/*
 * test-draft.c: the draft message, checked by parsing it back with GMime
 * as a mail client would, and its Message-ID.
 */
#include "unit.h"

#include <gmime/gmime.h>

#include "draft.h"
#include "mail.h"

static int
group_setup(void **state)
{
	mail_init();
	return (0);
}

/* Parse 'len' bytes of 'wire' as a message; the test fails if it is not. */
static GMimeMessage *
parse(const char *wire, gsize len)
{
	GMimeStream	*st;
	GMimeParser	*p;
	GMimeMessage	*m;

	st = g_mime_stream_mem_new_with_buffer(wire, len);
	p = g_mime_parser_new_with_stream(st);
	m = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	if (m == NULL)
		fail_msg("the draft does not parse:\n%s", wire);
	return (m);
}

/*
 * Every line of 'wire' ends in CRLF, the last one included, and is at
 * most 78 characters long (RFC 5322's SHOULD; servers fold longer ones).
 */
static void
assert_crlf(const char *wire, gsize len)
{
	gsize	i, start = 0;

	assert_true(len >= 2);
	for (i = 0; i < len; i++) {
		if (wire[i] == '\n' && (i == 0 || wire[i - 1] != '\r'))
			fail_msg("bare LF at byte %zu", i);
		if (wire[i] == '\r' && (i + 1 == len || wire[i + 1] != '\n'))
			fail_msg("bare CR at byte %zu", i);
		if (wire[i] == '\n') {
			if (i - 1 - start > 78)
				fail_msg("a line of %zu characters: %.*s",
				    i - 1 - start, (int)(i - 1 - start),
				    wire + start);
			start = i + 1;
		}
	}
	assert_memory_equal(wire + len - 2, "\r\n", 2);
}

/* What the body must decode to: 'lf' with every LF made CRLF. */
static char *
crlf_of(const char *lf)
{
	GString		*s = g_string_new(NULL);
	const char	*p;

	for (p = lf; *p != '\0'; p++) {
		if (*p == '\n' && (p == lf || p[-1] != '\r'))
			g_string_append_c(s, '\r');
		g_string_append_c(s, *p);
	}
	return (g_string_free(s, FALSE));
}

static void
test_build(void **state)
{
	static const struct {
		const char	*subject;
		const char	*body;
		const char	*thread;
		guint		 step;
	} cases[] = {
		{ "「【GAS】スプレッドシート集計の自動化ツール作成」"
		  "についてご確認のお願い",
		  "株式会社サンプル商事様\n\n"
		  "いつもお世話になります、山田 花子です。\n\n"
		  "よろしくお願いいたします。\n",
		  "crowdworks/63712345", 1 },
		/* long enough that the Subject must be folded */
		{ "【ランサーズ】【LP制作】美容サロンのランディングページ"
		  "制作につきまして、先日お送りしたデザイン案のご確認を"
		  "お願いできますでしょうか",
		  "line one\nline two\n", "lancers/5561234", 2 },
		/* what Q-encoding must escape, and ASCII inside Japanese */
		{ "再送: 50% off? a=b_c (見積り) 【LP制作】 end ",
		  "本文\n", "crowdworks/1", 3 },
		/* ASCII, a body already in CRLF, no final line end */
		{ "Plain subject", "a\r\nb\r\nno final line end",
		  "coconala/18234567", 1 },
	};
	GDateTime	*date;
	gsize		 i;

	date = g_date_time_new_from_iso8601("2026-12-09T10:00:00+09:00",
	    NULL);
	assert_non_null(date);
	/* each case in UTF-8, then in ISO-2022-JP */
	for (i = 0; i < 2 * G_N_ELEMENTS(cases); i++) {
		gboolean	 jp = i >= G_N_ELEMENTS(cases);
		struct draft	 d = {
			.from_name = "山田 花子",
			.from_addr = "hanako@example.com",
			.subject = cases[i % G_N_ELEMENTS(cases)].subject,
			.body = cases[i % G_N_ELEMENTS(cases)].body,
			.thread = cases[i % G_N_ELEMENTS(cases)].thread,
			.step = cases[i % G_N_ELEMENTS(cases)].step,
			.message_id = "renraku.test.1.2@example.com",
			.date = date,
			.iso2022jp = jp,
		};
		GMimeMessage		*m;
		GMimeObject		*part;
		InternetAddressList	*from;
		InternetAddress		*a;
		GDateTime		*got;
		char			*wire, *text, *want, step[16];
		gsize			 len;

		gboolean		 fell_back = TRUE;

		wire = draft_build(&d, &len, &fell_back);
		assert_non_null(wire);
		assert_false(fell_back);
		assert_int_equal(len, strlen(wire));
		assert_crlf(wire, len);
		/* 8-bit text in a header would be mangled by servers */
		{
			gsize j;

			for (j = 0; j < len; j++)
				if ((guchar)wire[j] >= 0x80)
					fail_msg("8-bit byte at %zu", j);
		}

		m = parse(wire, len);
		assert_string_equal(g_mime_message_get_subject(m),
		    cases[i % G_N_ELEMENTS(cases)].subject);
		assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m),
		    "X-Renraku-Thread"), cases[i % G_N_ELEMENTS(cases)].thread);
		g_snprintf(step, sizeof step, "%u", cases[i % G_N_ELEMENTS(cases)].step);
		assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m),
		    "X-Renraku-Step"), step);
		assert_string_equal(g_mime_message_get_message_id(m),
		    "renraku.test.1.2@example.com");
		got = g_mime_message_get_date(m);
		assert_non_null(got);
		assert_int_equal(g_date_time_to_unix(got),
		    g_date_time_to_unix(date));

		from = g_mime_message_get_from(m);
		assert_int_equal(internet_address_list_length(from), 1);
		a = internet_address_list_get_address(from, 0);
		assert_string_equal(internet_address_get_name(a), "山田 花子");
		assert_string_equal(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a)), "hanako@example.com");

		part = g_mime_message_get_mime_part(m);
		assert_true(GMIME_IS_TEXT_PART(part));
		assert_true(g_mime_content_type_is_type(
		    g_mime_object_get_content_type(part), "text", "plain"));
		assert_string_equal(g_mime_text_part_get_charset(
		    GMIME_TEXT_PART(part)), jp ? "iso-2022-jp" : "utf-8");
		assert_int_equal(g_mime_part_get_content_encoding(
		    GMIME_PART(part)), jp ? GMIME_CONTENT_ENCODING_7BIT :
		    GMIME_CONTENT_ENCODING_BASE64);
		text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
		want = crlf_of(cases[i % G_N_ELEMENTS(cases)].body);
		/* 7bit text ends its last line; base64 keeps it as it was */
		if (jp && !g_str_has_suffix(want, "\r\n") &&
		    g_str_has_suffix(text, "\r\n"))
			text[strlen(text) - 2] = '\0';
		assert_string_equal(text, want);
		g_free(want);
		g_free(text);

		g_object_unref(m);
		g_free(wire);
	}
	g_date_time_unref(date);
}

/* 's' without its line ends: what folding may add is not text. */
static char *
unfolded(const char *s)
{
	GString	*out = g_string_new(NULL);

	for (; *s != '\0'; s++)
		if (*s != '\r' && *s != '\n')
			g_string_append_c(out, *s);
	return (g_string_free(out, FALSE));
}

/*
 * ISO-2022-JP drafts: a title read from a Shift_JIS mail (～ and －) is
 * carried as JIS X 0208 has it (〜 −), long Japanese lines are broken
 * within 78 bytes (a long link is not), and only what ISO-2022-JP truly
 * lacks (①, 髙, an emoji) makes the draft UTF-8, every character kept.
 */
static void
test_iso2022jp(void **state)
{
	static const char long_line[] =
	    "先日ご連絡したメッセージはご覧いただけましたでしょうか。"
	    "お忙しいとは思いますが、納期の都合もございますので、"
	    "一度ご連絡を頂ければ幸いです。「（仮）ロゴ制作」の件で、"
	    "ご確認をお願いいたします。\n"
	    "https://crowdworks.jp/contracts/63712345?ref=mail_message_"
	    "notification_from_the_platform_with_a_very_long_query\n";
	static const struct {
		const char	*title;
		const char	*want;		/* as carried */
		gboolean	 fits;
	} cases[] = {
		{ "ECサイトの商品登録代行（～12/20）－追加分",
		  "ECサイトの商品登録代行（〜12/20）−追加分", TRUE },
		{ "①ロゴ制作（～12/20）", NULL, FALSE },
		{ "髙橋様のロゴ", NULL, FALSE },
		{ "ロゴ制作 \xf0\x9f\x8e\xa8", NULL, FALSE },
	};
	GDateTime	*date = g_date_time_new_from_unix_utc(1796691600);
	gsize		 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char		*subject = g_strdup_printf("「%s」について",
				    cases[i].title);
		char		*body = g_strdup_printf("%s様\n\n%s%s\n",
				    cases[i].title, long_line, cases[i].title);
		struct draft	 d = {
			.from_name = "山田 花子",
			.from_addr = "hanako@example.com",
			.subject = subject,
			.body = body,
			.thread = "lancers/5591234",
			.step = 1,
			.message_id = "renraku.test.1.2@example.com",
			.date = date,
			.iso2022jp = TRUE,
		};
		GMimeMessage	*m;
		GMimeObject	*part;
		gboolean	 fell_back = !cases[i].fits;
		char		*wire, *text, *want, *got, *wsubject;
		gsize		 len, j;

		wire = draft_build(&d, &len, &fell_back);
		if (fell_back == cases[i].fits)
			fail_msg("case %zu: fell back %d", i, fell_back);
		m = parse(wire, len);
		part = g_mime_message_get_mime_part(m);
		assert_string_equal(g_mime_text_part_get_charset(
		    GMIME_TEXT_PART(part)), cases[i].fits ? "iso-2022-jp" :
		    "utf-8");
		text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
		if (cases[i].fits) {
			/* 7bit, lines within 78 but for the link */
			char **lines = g_strsplit(wire, "\r\n", -1);

			for (j = 0; lines[j] != NULL; j++)
				if (strlen(lines[j]) > 78 &&
				    strstr(lines[j], "https://") == NULL)
					fail_msg("case %zu: a line of %zu: %s",
					    i, strlen(lines[j]), lines[j]);
			g_strfreev(lines);
			assert_non_null(strstr(wire, "https://crowdworks.jp/"
			    "contracts/63712345?ref=mail_message_notification_"
			    "from_the_platform_with_a_very_long_query\r\n"));
			for (j = 0; j < len; j++)
				if ((guchar)wire[j] >= 0x80)
					fail_msg("8-bit byte at %zu", j);
			wsubject = g_strdup_printf("「%s」について",
			    cases[i].want);
			want = g_strdup_printf("%s様%s%s", cases[i].want,
			    long_line, cases[i].want);
		} else {
			wsubject = g_strdup(subject);
			want = g_strdup_printf("%s様%s%s", cases[i].title,
			    long_line, cases[i].title);
		}
		/* every character, whatever line it is on */
		assert_string_equal(g_mime_message_get_subject(m), wsubject);
		got = unfolded(text);
		g_free(text);
		text = unfolded(want);
		assert_string_equal(got, text);
		g_free(got);
		g_free(text);
		g_free(want);
		g_free(wsubject);
		g_object_unref(m);
		g_free(wire);
		g_free(subject);
		g_free(body);
	}
	g_date_time_unref(date);
}

/* Only the characters a Message-ID may carry without quoting. */
static void
assert_id_chars(const char *id)
{
	const char	*p;
	guint		 at = 0;

	for (p = id; *p != '\0'; p++) {
		if (*p == '@')
			at++;
		else if (!g_ascii_isalnum(*p) && strchr(".-_", *p) == NULL)
			fail_msg("'%c' (0x%02x) in Message-ID %s", *p,
			    (guchar)*p, id);
	}
	if (at != 1)
		fail_msg("%u '@' in Message-ID %s", at, id);
}

static void
test_message_id(void **state)
{
	static const struct {
		const char	*thread;
		guint		 step;
		gint64		 anchor;
		const char	*user;
		const char	*id;		/* NULL: only check chars */
	} cases[] = {
		{ "crowdworks/63712345", 1, 1760951091, "hanako@example.com",
		  "renraku.crowdworks.63712345.1.1760951091@example.com" },
		{ "lancers/5561234", 2, 1761111669, "HANAKO@Mail.Example.JP",
		  "renraku.lancers.5561234.2.1761111669@Mail.Example.JP" },
		/* no domain in the user name: a reserved one */
		{ "coconala/18234567", 1, 1, "hanako",
		  "renraku.coconala.18234567.1.1@renraku.invalid" },
		{ "coconala/18234567", 1, 1, "hanako@",
		  "renraku.coconala.18234567.1.1@renraku.invalid" },
		{ "coconala/18234567", 1, 1, NULL,
		  "renraku.coconala.18234567.1.1@renraku.invalid" },
		/* '-' and '_' are kept: ids must not change between versions */
		{ "my-platform/a_b", 4, 7, "u@mail-1.example.com",
		  "renraku.my-platform.a_b.4.7@mail-1.example.com" },
		/* hostile parts are made safe */
		{ "my-platform/a b<c>\"d@e", 1, 1, "u@ex ample>.com", NULL },
		{ "ココナラ/トーク 1", 3, -5, "x@y@z.example", NULL },
	};
	char	*a, *b;
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		a = draft_message_id(cases[i].thread, cases[i].step,
		    cases[i].anchor, cases[i].user);
		b = draft_message_id(cases[i].thread, cases[i].step,
		    cases[i].anchor, cases[i].user);
		/* a rerun must find the same draft */
		assert_string_equal(a, b);
		assert_id_chars(a);
		if (cases[i].id != NULL)
			assert_string_equal(a, cases[i].id);
		g_free(a);
		g_free(b);
	}
}

static void
test_message_id_distinct(void **state)
{
	/* each input must matter, or two drafts would share an id */
	char	*ids[5];
	gsize	 i, j;

	ids[0] = draft_message_id("crowdworks/1", 1, 100, "u@example.com");
	ids[1] = draft_message_id("crowdworks/2", 1, 100, "u@example.com");
	ids[2] = draft_message_id("crowdworks/1", 2, 100, "u@example.com");
	ids[3] = draft_message_id("crowdworks/1", 1, 101, "u@example.com");
	ids[4] = draft_message_id("lancers/1", 1, 100, "u@example.com");
	for (i = 0; i < G_N_ELEMENTS(ids); i++)
		for (j = i + 1; j < G_N_ELEMENTS(ids); j++)
			if (strcmp(ids[i], ids[j]) == 0)
				fail_msg("cases %zu and %zu share %s", i, j,
				    ids[i]);
	for (i = 0; i < G_N_ELEMENTS(ids); i++)
		g_free(ids[i]);
}

UNIT_MAIN_GROUP(group_setup, NULL,
	cmocka_unit_test(test_build),
	cmocka_unit_test(test_iso2022jp),
	cmocka_unit_test(test_message_id),
	cmocka_unit_test(test_message_id_distinct),
)
