/*
 * test-mail.c: reading notification mail: the corpus, header decoding,
 * HTML to text, and input that is not mail at all.
 */
#include "unit.h"

#include "error.h"
#include "mail.h"

static int
group_setup(void **state)
{
	mail_init();
	return (0);
}

/* What mail_parse() must give for each corpus mail. */
static const struct corpus_case {
	const char	*file;
	const char	*subject;
	const char	*from_addr;
	const char	*from_name;
	const char	*date;		/* ISO 8601 */
	const char	*message_id;
	const char	*body[2];	/* fragments the body must hold */
} corpus[] = {
	{ "coconala-talkroom-1.eml",
	  "[ココナラ] 田中さんからトークルームに連絡がありました "
	  "(トークルームNo:18234567)",
	  "no-reply@mail.coconala.com", "ココナラ",
	  "2025-10-23T21:17:45+09:00",
	  "0100019a1b2c3d4e-coconala-talkroom@mail.coconala.com",
	  { "田中 さんからトークルームに連絡がありました。\n",
	    "\nhttps://coconala.com/talkrooms/18234567\n" } },
	{ "crowdworks-escrow-1.eml",
	  "【クラウドワークス】「【GAS】スプレッドシート集計の"
	  "自動化ツール作成」の仮払いが完了しました",
	  "no-reply@crowdworks.jp", "クラウドワークス",
	  "2025-10-21T09:30:02+09:00",
	  "20251021003002.5e6d7c8b9a01@crowdworks.jp",
	  /* ISO-2022-JP, 7bit */
	  { "株式会社サンプル商事 さんが、以下の契約の仮払いを完了しました。\n",
	    "仮払い金額：55,000円（税込）" } },
	{ "crowdworks-message-1.eml",
	  "【クラウドワークス】株式会社サンプル商事さんから"
	  "メッセージが届きました",
	  "no-reply@crowdworks.jp", "クラウドワークス",
	  "2025-10-20T18:04:51+09:00",
	  "20251020090451.c0ffee12ab34@crowdworks.jp",
	  { "\n株式会社サンプル商事 さんからメッセージが届きました。\n",
	    "■契約\n【GAS】スプレッドシート集計の自動化ツール作成\n" } },
	{ "crowdworks-scout-1.eml",
	  "【クラウドワークス】【GAS】スプレッドシート集計の自動化ツール作成"
	  "について相談がありました",
	  "no-reply@crowdworks.jp", "クラウドワークス",
	  "2025-10-14T10:12:33+09:00",
	  "20251014011233.7f3a9c21e4b0@crowdworks.jp",
	  /* quoted-printable with soft line breaks inside characters */
	  { "株式会社サンプル商事 さんから、お仕事の相談が届きました。\n",
	    "https://crowdworks.jp/messages/418765432?ref=um_invitation\n" } },
	{ "lancers-comment-1.eml",
	  "[ランサーズ] 株式会社テスト企画 さんから 【LP制作】美容サロンの"
	  "ランディングページ制作 のコメントが届いています",
	  "noreply@lancers.co.jp", "ランサーズ事務局",
	  "2025-10-22T14:41:09+09:00",
	  "lancers.20251022054109.3b2f1e@lancers.co.jp",
	  { "株式会社テスト企画 さんから「【LP制作】美容サロンのランディング"
	    "ページ制作」にコメントが届いています。\n",
	    "https://www.lancers.jp/work/detail/5561234\n" } },
	{ "lancers-payment-1.eml",
	  "[ランサーズ] 振込報酬額確定のお知らせ",
	  "noreply@lancers.co.jp", "ランサーズ事務局",
	  "2025-10-31T12:00:14+09:00",
	  "lancers.20251031030014.9d8c7b@lancers.co.jp",
	  { "【振込報酬額】 49,500円\n", "今回の振込報酬額が確定しました" } },
	{ "upwork-message-1.eml",
	  "You have unread messages about the job Build a Shopify inventory "
	  "sync script",
	  "donotreply@upwork.com", "Jordan Lee via Upwork",
	  "2025-10-24T06:27:30Z",
	  "20251024062730.ab12cd34ef56@upwork.com",
	  /* the text/plain alternative, not the HTML one */
	  { "\nJordan Lee\n3:12 PM JST, 24 Oct 2025\nThanks for the update.",
	    "https://www.upwork.com/ab/messages/rooms/"
	    "room_5f2e9a7c1b3d4e6f8a0b\n" } },
};

/* Every field is there and plain UTF-8 text with LF line ends. */
static void
assert_clean(const char *what, const struct mail *m)
{
	const char *const fields[] = { m->from_addr, m->from_name,
	    m->subject, m->body };
	const char	*p;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(fields); i++) {
		if (fields[i] == NULL)
			fail_msg("%s: field %zu is NULL", what, i);
		if (!g_utf8_validate(fields[i], -1, NULL))
			fail_msg("%s: field %zu is not UTF-8", what, i);
	}
	if (strchr(m->body, '\r') != NULL)
		fail_msg("%s: CR left in the body", what);
	/* one-line fields carry no control characters at all */
	for (i = 0; i < 3; i++)
		for (p = fields[i]; *p != '\0'; p++)
			if ((guchar)*p < 0x20 || *p == 0x7f)
				fail_msg("%s: control character 0x%02x in "
				    "\"%s\"", what, (guchar)*p, fields[i]);
}

static void
test_corpus(void **state)
{
	struct mail	 m;
	GError		*e = NULL;
	char		*raw;
	gsize		 i, j, len;

	for (i = 0; i < G_N_ELEMENTS(corpus); i++) {
		const struct corpus_case *c = &corpus[i];

		raw = unit_corpus(c->file, &len);
		if (!mail_parse(raw, len, &m, &e))
			fail_msg("%s: %s", c->file, e->message);
		assert_clean(c->file, &m);
		assert_string_equal(m.subject, c->subject);
		assert_string_equal(m.from_addr, c->from_addr);
		assert_string_equal(m.from_name, c->from_name);
		assert_string_or_null(m.message_id, c->message_id);
		if (m.date != unit_time(c->date))
			fail_msg("%s: date %" G_GINT64_FORMAT ", wanted %s",
			    c->file, m.date, c->date);
		for (j = 0; j < G_N_ELEMENTS(c->body); j++)
			assert_contains(m.body, c->body[j]);
		mail_clear(&m);
		assert_null(m.subject);
		g_free(raw);
	}
}


/* Mails written here, for what the corpus does not show. */
static void
test_parse_cases(void **state)
{
	static const struct {
		const char	*name;
		const char	*raw;
		const char	*from_addr, *from_name, *subject;
		const char	*message_id;
		gint64		 date;
		const char	*body;
	} cases[] = {
		{ "nothing but a body",
		  "X-Other: 1\n\nbody\n",
		  "", "", "", NULL, 0, "body\n" },
		/* an empty part has no buffer: this crashed mail_parse() */
		{ "an empty body",
		  "Subject: x\n\n",
		  "", "", "x", NULL, 0, "" },
		{ "headers only",
		  "Subject: x\nContent-Type: text/plain; charset=utf-8",
		  "", "", "x", NULL, 0, "" },
		{ "a bad date",
		  "From: a@example.com\nDate: yesterday-ish\nSubject: s\n\nb\n",
		  "a@example.com", "", "s", NULL, 0, "b\n" },
		{ "the address is lowercased, a quoted name unquoted",
		  "From: \"Sato, Taro\" <Taro.Sato@Example.JP>\n"
		  "Message-ID: <abc@example.jp>\n\nb\n",
		  "taro.sato@example.jp", "Sato, Taro", "", "abc@example.jp",
		  0, "b\n" },
		{ "a name in two B-words, the first padded (GMime #133)",
		  "From: =?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?= <x@y.jp>\n"
		  "Subject: =?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=\n\nb\n",
		  "x@y.jp", "Hello world", "Hello world", NULL, 0, "b\n" },
		{ "CRLF and bare CR become LF",
		  "Subject: x\r\nDate: Thu, 10 Dec 2026 09:00:00 +0900\r\n"
		  "\r\na\r\nb\rc\r\n",
		  "", "", "x", NULL, 1796860800, "a\nb\nc\n" },
		{ "a folded subject loses its line breaks",
		  "Subject: one\r\n two\r\n\tthree\r\n\r\nb\r\n",
		  "", "", "one two three", NULL, 0, "b\n" },
		{ "HTML only is reduced to text",
		  "From: a@example.com\n"
		  "Content-Type: text/html; charset=utf-8\n"
		  "\n<html><body><p>Hello &amp; <b>bye</b></p>x<br>y"
		  "</body></html>\n",
		  "a@example.com", "", "", NULL, 0, "Hello & bye\nx\ny" },
		{ "an attachment is not the body",
		  "Content-Type: multipart/mixed; boundary=b\n\n"
		  "--b\nContent-Type: text/plain\n"
		  "Content-Disposition: attachment; filename=a.txt\n\n"
		  "attached\n"
		  "--b\nContent-Type: text/html\n\n<div>shown</div>\n"
		  "--b--\n",
		  "", "", "", NULL, 0, "shown\n" },
		{ "undeclared 8-bit text: EUC-JP found by the fallbacks",
		  "Subject: \xc6\xfc\xcb\xdc\xb8\xec\n\n"
		  "\xc6\xfc\xcb\xdc\xb8\xec\xa4\xce\xcb\xdc\xca\xb8\n",
		  "", "", "日本語", NULL, 0, "日本語の本文\n" },
		{ "a declared charset wins",
		  "Content-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n",
		  "", "", "", NULL, 0, "café\n" },
	};
	struct mail	 m;
	GError		*e = NULL;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		if (!mail_parse(cases[i].raw, strlen(cases[i].raw), &m, &e))
			fail_msg("%s: %s", cases[i].name, e->message);
		assert_clean(cases[i].name, &m);
		assert_string_equal(m.from_addr, cases[i].from_addr);
		assert_string_equal(m.from_name, cases[i].from_name);
		assert_string_equal(m.subject, cases[i].subject);
		assert_string_or_null(m.message_id, cases[i].message_id);
		if (m.date != cases[i].date)
			fail_msg("%s: date %" G_GINT64_FORMAT ", wanted %"
			    G_GINT64_FORMAT, cases[i].name, m.date,
			    cases[i].date);
		assert_string_equal(m.body, cases[i].body);
		mail_clear(&m);
	}
}

/* NUL bytes in the text: a blank each, and the text goes on after them
 * (as a file handed to "renraku explain" holds them). */
static void
test_nul(void **state)
{
	static const char raw[] = "Subject: x\n"
	    "Content-Type: text/plain; charset=utf-8\n\n"
	    "a\0\0b\n\0https://example.com/1\n";
	static const char sjis[] = "Content-Type: text/plain; "
	    "charset=Shift_JIS\n\n\x82\xa0\0\x82\xa2\n";
	struct mail	 m;
	GError		*e = NULL;

	if (!mail_parse(raw, sizeof raw - 1, &m, &e))
		fail_msg("%s", e->message);
	assert_string_equal(m.body, "a  b\n https://example.com/1\n");
	mail_clear(&m);
	if (!mail_parse(sjis, sizeof sjis - 1, &m, &e))
		fail_msg("%s", e->message);
	assert_string_equal(m.body, "あ い\n");
	mail_clear(&m);
}

static void
test_decode_header(void **state)
{
	static const struct {
		const char	*raw;
		const char	*text;
	} cases[] = {
		/* GMime #133: the word after a padded B-word was lost */
		{ "=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world" },
		/* one character split over two words */
		{ "=?UTF-8?B?5pc=?= =?UTF-8?B?peacrA==?=", "日本" },
		{ "=?utf-8?b?5pel5pys6Kqe?=", "日本語" },
		/* Q: '_' is a space, =XX a byte, hex case-blind */
		{ "=?UTF-8?Q?caf=C3=A9_au_lait?=", "café au lait" },
		{ "=?iso-8859-1?q?caf=e9?=", "café" },
		{ "=?UTF-8?Q?a_b?= =?UTF-8?Q?_c?=", "a b c" },
		/* blanks (and folding) between encoded words are dropped */
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a?=\t \t=?ISO-8859-1?Q?b?=", "ab" },
		/* literal text between and around words is kept */
		{ "=?UTF-8?Q?a?= and =?UTF-8?Q?b?=", "a and b" },
		{ "Re: =?UTF-8?B?5pel5pys6Kqe?= test", "Re: 日本語 test" },
		{ "plain text only", "plain text only" },
		/* CR/LF of folding go, the blank after them stays */
		{ "one\r\n two", "one two" },
		/* and, like every control character, a tab is a space */
		{ "one\n\ttwo", "one two" },
		/* line breaks inside a word become spaces */
		{ "=?UTF-8?Q?a=0D=0Ab?=", "a  b" },
		/* ISO-2022-JP, with the escape state carried across words */
		{ "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語" },
		{ "=?iso-2022-jp?B?GyRCRnw=?= =?iso-2022-jp?B?S1w4bBsoQg==?=",
		  "日本語" },
		{ "=?ISO-2022-JP?B?GyRCMj5KJyQkGyhC?=", "仮払い" },
		/* RFC 2231 language tags are ignored */
		{ "=?UTF-8*ja?B?5pel5pys6Kqe?=", "日本語" },
		/* surrounding blanks are trimmed */
		{ "  spaced  ", "spaced" },
		{ "", "" },
		/* not encoded words: left as they are */
		{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
		{ "a =? b ?= c", "a =? b ?= c" },
	};
	char	*got;
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = mail_decode_header(cases[i].raw);
		if (strcmp(got, cases[i].text) != 0)
			fail_msg("case %zu: \"%s\" decoded to \"%s\", wanted "
			    "\"%s\"", i, cases[i].raw, got, cases[i].text);
		g_free(got);
	}
}

static void
test_html_to_text(void **state)
{
	static const struct {
		const char	*html;
		const char	*text;
	} cases[] = {
		/* text outside any block is a paragraph of its own */
		{ "a<br>b<BR/>c<br />d", "a\nb\nc\nd\n" },
		{ "<p>one</p><P>two</P>", "one\ntwo\n" },
		{ "<p>a<p>b", "a\nb\n" },
		/* table cells apart by a blank, rows and lists by lines */
		{ "<div>a</div><table><tr><td>b</td><td>c</td></tr></table>",
		  "a\nb c\n" },
		{ "<table><tr><th>サービス名:</th><td>名刺</td></tr></table>",
		  "サービス名: 名刺\n" },
		{ "<ul><li>one</li><li>two</li></ul><h2>名前</h2>田中",
		  "one\ntwo\n名前\n田中" },
		/* every entity, not a handful */
		{ "x &amp; y &lt;z&gt; &quot;q&quot; &#39;s&apos; a&nbsp;b",
		  "x & y <z> \"q\" 's' a b\n" },
		{ "&#x65E5;&#26412;&#X8A9E; &yen;1,000&hellip; &copy;",
		  "日本語 ¥1,000… ©\n" },
		/* source line breaks are not text */
		{ "line\nbreak\r\nhere", "linebreakhere\n" },
		{ "<style>p { color: red }</style>text", "text\n" },
		{ "<script>if (a<b) x();</script>ok", "ok\n" },
		{ "<SCRIPT type=x>y</SCRIPT>z", "z\n" },
		{ "<html><head><title>T</title></head><body>本文</body></html>",
		  "本文" },
		/* a '>' in a comment or an attribute is no end of tag */
		{ "<!-- a > b -->株式会社A<a href='x\">y'>リンク</a>",
		  "株式会社Aリンク\n" },
		/* what is not an entity stays */
		{ "&unknown; & AT&T", "&unknown; & AT&T\n" },
		/* an unclosed tag is dropped */
		{ "kept <b", "kept \n" },
		{ "日本語<b>テキスト</b>", "日本語テキスト\n" },
		{ "", "" },
	};
	char	*got;
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = mail_html_to_text(cases[i].html);
		if (strcmp(got, cases[i].text) != 0)
			fail_msg("case %zu: \"%s\" gave \"%s\", wanted \"%s\"",
			    i, cases[i].html, got, cases[i].text);
		g_free(got);
	}
}

/* The links of an HTML part, which thread keys are looked for in. */
static void
test_html_links(void **state)
{
	static const struct {
		const char	*html;
		const char	*links;
	} cases[] = {
		{ "<p><a href=\"https://crowdworks.jp/contracts/63712345?a=1"
		  "&amp;b=2\">確認する</a></p>",
		  "https://crowdworks.jp/contracts/63712345?a=1&b=2\n" },
		/* every link, in order; upper case, area, blanks trimmed */
		{ "<A HREF=' https://x/1 '>a</A><map><area href=https://x/2>"
		  "</map><a>no href</a><a href=''>empty</a>",
		  "https://x/1\nhttps://x/2\n" },
		/* inside what is no text, a link is still a link */
		{ "<table><tr><td><a href=\"https://x/3\">3</a></td></tr>"
		  "</table>", "https://x/3\n" },
		/* a line break inside the attribute does not split it */
		{ "<a href=\"https://x/4\n?y\">4</a>", "https://x/4 ?y\n" },
		{ "no links at all", "" },
		{ "", "" },
	};
	struct mail	 m;
	GError		*e = NULL;
	const char	 raw[] =
	    "From: a@crowdworks.jp\r\nSubject: s\r\n"
	    "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "no link here\r\n"
	    "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<a href=\"https://crowdworks.jp/contracts/1\">x</a>\r\n"
	    "--b\r\nContent-Type: text/html; name=a.html\r\n"
	    "Content-Disposition: attachment; filename=a.html\r\n\r\n"
	    "<a href=\"https://crowdworks.jp/contracts/2\">x</a>\r\n"
	    "--b--\r\n";
	char	*got;
	gsize	 i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = mail_html_links(cases[i].html);
		if (strcmp(got, cases[i].links) != 0)
			fail_msg("case %zu: \"%s\" gave \"%s\", wanted \"%s\"",
			    i, cases[i].html, got, cases[i].links);
		g_free(got);
	}
	/* a mail: the text part is the body, the HTML part's link is a
	   link, the attachment's is not */
	assert_true(mail_parse(raw, sizeof raw - 1, &m, &e));
	assert_string_equal(m.body, "no link here");
	assert_string_equal(m.links, "https://crowdworks.jp/contracts/1\n");
	mail_clear(&m);
}

/* The light Message-ID read of renraku's own drafts. */
static void
test_message_id(void **state)
{
	static const struct {
		const char	*raw;
		const char	*id;
	} cases[] = {
		{ "From: a@b\r\nMessage-Id: <renraku.x.1@example.com>\r\n"
		  "\r\nbody\r\n", "renraku.x.1@example.com" },
		/* folded, other case, after a folded header */
		{ "Subject: a\r\n b\r\nmessage-id:\r\n <x@y>\r\n\r\n", "x@y" },
		/* one in the body is no header */
		{ "From: a@b\r\n\r\nMessage-ID: <no@body>\r\n", NULL },
		{ "Message-ID: no brackets\n\n", NULL },
		{ "Message-ID: <>\n\n", NULL },
		{ "", NULL },
	};
	gsize	i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = mail_message_id(cases[i].raw,
		    strlen(cases[i].raw));

		assert_string_or_null(got, cases[i].id);
		g_free(got);
	}
}

static void
test_garbage(void **state)
{
	static const struct {
		const char	*raw;
		gsize		 len;
	} cases[] = {
#define BYTES(s)	{ s, sizeof(s) - 1 }
		BYTES(""),
		BYTES("\0\0\0\0"),
		BYTES("not a mail at all"),
		BYTES("From:"),
		BYTES("From: <>\nSubject: =?UTF-8?B?!!!?=\n\n"),
		BYTES("From: =?x-unknown?B?/w==?= <@>\nDate: 99 Foo 99999\n"
		    "Subject: \xff\xfe\x00\n\n\xff\n"),
		BYTES("Content-Type: multipart/mixed; boundary=x\n\n--x\n"
		    "Content-Type: text/plain; charset=bogus\n"
		    "Content-Transfer-Encoding: base64\n\n!!!not base64"),
		BYTES("Content-Type: multipart/alternative\n\nno boundary\n"),
		BYTES("Content-Type: message/rfc822\n\nContent-Type: "
		    "message/rfc822\n\n"),
		BYTES("Content-Type: text/html\n\n<<<<&#xFFFFFFFF;&#;>"),
		/* empty bodies: no buffer at all behind the part */
		BYTES("Subject: x"),
		BYTES("Subject: x\n\n"),
		BYTES("Content-Type: text/plain; charset=utf-8\n\n"),
		BYTES("Content-Type: multipart/mixed; boundary=x\n\n--x\n"
		    "Content-Type: text/plain; charset=bogus\n"
		    "Content-Transfer-Encoding: base64\n\n--x--\n"),
#undef BYTES
	};
	static const char *const headers[] = {
		"=?", "=?UTF-8?B?", "=?UTF-8?B?====?=", "=?UTF-8?Q?=?=",
		"=?UTF-8?Q?=E3=81?=", "=?x-unknown?B?/w==?=", "\xff\xfe",
		"=?UTF-8?B?AAAA?=", "=?ISO-2022-JP?B?GyRC?=", "=?\?B?\?=",
		"=?UTF-8?Q?\x01\x7f?=",
	};
	struct mail	 m;
	GError		*e = NULL;
	GRand		*rng;
	char		*got, buf[2048];
	gsize		 i, j;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		if (mail_parse(cases[i].raw, cases[i].len, &m, &e)) {
			assert_no_error(e);
			assert_clean("garbage", &m);
			mail_clear(&m);
		} else {
			assert_non_null(e);
			assert_true(g_error_matches(e, RENRAKU_ERROR,
			    RENRAKU_ERROR_PERM));
			g_clear_error(&e);
		}
	}
	for (i = 0; i < G_N_ELEMENTS(headers); i++) {
		got = mail_decode_header(headers[i]);
		assert_non_null(got);
		if (!g_utf8_validate(got, -1, NULL))
			fail_msg("header %zu: not UTF-8", i);
		for (j = 0; got[j] != '\0'; j++)
			if ((guchar)got[j] < 0x20 || got[j] == 0x7f)
				fail_msg("header %zu: control character", i);
		g_free(got);
	}
	/* random bytes behind a plausible header, the same every run */
	rng = g_rand_new_with_seed(20261209);
	for (i = 0; i < 200; i++) {
		gsize n = (gsize)g_rand_int_range(rng, 0, sizeof buf);

		memcpy(buf, "Subject: ", 9);
		for (j = 9; j < n; j++)
			buf[j] = (char)g_rand_int_range(rng, 0, 256);
		if (mail_parse(buf, MAX(n, 9), &m, &e)) {
			assert_clean("random", &m);
			mail_clear(&m);
		} else
			g_clear_error(&e);
	}
	g_rand_free(rng);
}

/*
 * After an ISO-2022-JP mail is parsed, glibc's module for that charset
 * stays loaded (charset_keep()): GMime opens and closes a converter per
 * text, and before, each such mail loaded and unloaded four shared
 * objects.  Seen in /proc/self/maps, where there is one.
 */
static void
test_charset_kept(void **state)
{
	const char	*raw = "From: a@example.jp\nSubject: "
	    "=?ISO-2022-JP?B?GyRCMj5KJyQkGyhC?=\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=ISO-2022-JP\n\n"
	    "\033$B2>J'$$\033(B\n";
	const char	*other1 = "Subject: x\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=KOI8-R\n\n\xf0\n";
	const char	*other2 = "Subject: x\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=ISO-8859-15\n\n\xa4\n";
	struct mail	 m;
	GError		*e = NULL;
	char		*maps = NULL;
	guint		 i;

	if (!g_file_get_contents("/proc/self/maps", &maps, NULL, NULL))
		skip();
	g_free(maps);
	assert_true(mail_parse(raw, strlen(raw), &m, &e));
	assert_string_equal(m.subject, "仮払い");
	assert_string_equal(m.body, "仮払い\n");
	mail_clear(&m);
	/* glibc unloads an unused module once others have been released a
	   few times: mail in other charsets */
	for (i = 0; i < 8; i++) {
		assert_true(mail_parse(i % 2 ? other1 : other2,
		    strlen(i % 2 ? other1 : other2), &m, &e));
		assert_string_equal(m.body, i % 2 ? "\xd0\x9f\n" :
		    "\xe2\x82\xac\n");
		mail_clear(&m);
	}
	assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL,
	    NULL));
	if (strstr(maps, "gconv/ISO-2022-JP.so") == NULL)
		fail_msg("ISO-2022-JP's module was unloaded after the parse");
	g_free(maps);
}

UNIT_MAIN_GROUP(group_setup, NULL,
	cmocka_unit_test(test_corpus),
	cmocka_unit_test(test_parse_cases),
	cmocka_unit_test(test_nul),
	cmocka_unit_test(test_decode_header),
	cmocka_unit_test(test_html_to_text),
	cmocka_unit_test(test_html_links),
	cmocka_unit_test(test_message_id),
	cmocka_unit_test(test_garbage),
	cmocka_unit_test(test_charset_kept),
)
