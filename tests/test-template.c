/*
 * test-template.c: parsing, checking, loading and rendering templates,
 * the shipped one included.
 */
#include "unit.h"

#include "error.h"
#include "template.h"

/* The sentence the shipped follow-up must carry, word for word. */
#define ARTICLE	"お忙しいとは思いますが、納期の都合もございますので、" \
		"一度ご連絡をいただければ幸いです。"

static void
test_parse_good(void **state)
{
	static const struct {
		const char	*text;
		const char	*subject, *body;
	} cases[] = {
		{ "Subject: Hello {{client_name}}\n\nDear {{ client_name }},\n"
		  "\n\n\n",
		  "Hello {{client_name}}", "Dear {{ client_name }},\n" },
		/* CRLF files, a lowercase header name, blanks trimmed */
		{ "subject:   確認 {{job_title}}  \r\n\r\n本文\r\n二行目\r\n",
		  "確認 {{job_title}}", "本文\n二行目\n" },
		/* no final line end: the body gets one */
		{ "Subject: s\n\nlast line", "s", "last line\n" },
		/* blank lines inside the body are kept */
		{ "Subject: s\n\na\n\n\nb\n", "s", "a\n\n\nb\n" },
		/* saved by Windows Notepad: UTF-8 with a byte order mark */
		{ "\xef\xbb\xbfSubject: 確認\r\n\r\n本文\r\n", "確認",
		  "本文\n" },
		/* every placeholder there is */
		{ "Subject: {{step}}\n\n{{client_name}}{{your_name}}"
		  "{{job_title}}{{platform_name}}{{thread_url}}"
		  "{{last_contact}}{{days_silent}}\n",
		  "{{step}}", "{{client_name}}{{your_name}}{{job_title}}"
		  "{{platform_name}}{{thread_url}}{{last_contact}}"
		  "{{days_silent}}\n" },
	};
	struct template	*t;
	GError		*e = NULL;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		t = template_parse("t.txt", cases[i].text, &e);
		assert_no_error(e);
		assert_non_null(t);
		assert_string_equal(t->path, "t.txt");
		assert_string_equal(t->subject, cases[i].subject);
		assert_string_equal(t->body, cases[i].body);
		template_free(t);
	}
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*error;		/* the whole message */
	} cases[] = {
		{ "Subject: x\n\nHello {{clinet}}\n",
		  "t.txt:3: unknown placeholder {{clinet}}" },
		{ "Subject: x {{ bogus }}\n\nb\n",
		  "t.txt:1: unknown placeholder {{bogus}}" },
		{ "Subject: x\n\nHello {{client_name\n",
		  "t.txt:3: '{{' without '}}'" },
		{ "\nbody only\n",
		  "t.txt:1: no Subject: line" },
		{ "From: a@example.com\nSubject: x\n\nb\n",
		  "t.txt:1: unknown header 'From' (only Subject)" },
		/* a character one cannot see is shown */
		{ "\xe2\x80\x8bSubject: x\n\nb\n",
		  "t.txt:1: unknown header '<U+200B>Subject' (only Subject)" },
		{ "\xef\xbb\xbf\xef\xbb\xbfSubject: x\n\nb\n",
		  "t.txt:1: unknown header '<U+FEFF>Subject' (only Subject)" },
		{ "Subject: x\nno blank line\n",
		  "t.txt:2: expected 'Subject: ...' and a blank line before "
		  "the body" },
		{ "Subject: x",
		  "t.txt:1: no body: a blank line must follow the headers" },
		{ "Subject: x\n\n\xff\xfe\n",
		  "t.txt:1: not UTF-8 text" },
		/* each problem of a line, on a line of its own */
		{ "Subject: x\n\nok\n{{b}} {{client_name}} {{c}}\n",
		  "t.txt:4: unknown placeholder {{b}}\n"
		  "t.txt:4: unknown placeholder {{c}}" },
		/* a brace too few would reach the client as written */
		{ "Subject: x\n\n{client_name}}様\n",
		  "t.txt:3: '}}' without '{{'\n"
		  "t.txt:3: 'client_name' in single braces: write "
		  "{{client_name}}" },
		{ "Subject: {job_title} について\n\nb\n",
		  "t.txt:1: 'job_title' in single braces: write {{job_title}}" },
		{ "Subject: x\n\n{{your_name}} { #funded }\n",
		  "t.txt:3: 'funded' in single braces: write {{funded}}" },
	};
	struct template	*t;
	GError		*e = NULL;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		t = template_parse("t.txt", cases[i].text, &e);
		if (t != NULL)
			fail_msg("case %zu parsed", i);
		assert_non_null(e);
		assert_true(g_error_matches(e, RENRAKU_ERROR,
		    RENRAKU_ERROR_CONFIG));
		assert_string_equal(e->message, cases[i].error);
		g_clear_error(&e);
	}
}

static void
test_render(void **state)
{
	static const struct {
		const char	*text;
		gboolean	 one_line;
		const char	*out;
	} cases[] = {
		{ "{{client_name}}様", FALSE, "株式会社A様" },
		{ "{{ client_name }}様 {{client_name}}", FALSE,
		  "株式会社A様 株式会社A" },
		{ "no placeholder", FALSE, "no placeholder" },
		/* a missing value renders as nothing */
		{ "[{{thread_url}}]", FALSE, "[]" },
		/* a value may break lines in a body ... */
		{ "「{{job_title}}」", FALSE, "「LP\r\n制作\t案件」" },
		/* ... but never in a header */
		{ "「{{job_title}}」", TRUE, "「LP  制作 案件」" },
		/* nor any other control character: C1 (NEL), U+2028 */
		{ "{{client_name}}|{{payment}}", TRUE, "株式会社A| a b " },
		/* the template's own line ends are not values */
		{ "a\n{{job_title}}\n", TRUE, "a\nLP  制作 案件\n" },
		/* a value is not rendered again */
		{ "{{your_name}}", FALSE, "{{client_name}}" },
		/* an unclosed placeholder is left as it is */
		{ "x {{client_name", FALSE, "x {{client_name" },
		{ "", FALSE, "" },
	};
	GHashTable	*v;
	char		*out;
	gsize		 i;

	v = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(v, (char *)"client_name", (char *)"株式会社A");
	g_hash_table_insert(v, (char *)"job_title", (char *)"LP\r\n制作\t案件");
	g_hash_table_insert(v, (char *)"your_name", (char *)"{{client_name}}");
	/* any name will do: the test renders, it does not check */
	g_hash_table_insert(v, (char *)"payment",
	    (char *)"\xc2\x85""a\xe2\x80\xa8""b\xe2\x80\xa9");
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		out = template_render(cases[i].text, v, NULL, cases[i].one_line);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: \"%s\", wanted \"%s\"", i, out,
			    cases[i].out);
		g_free(out);
	}
	g_hash_table_unref(v);
}

static void
test_shipped(void **state)
{
	char		*dir = unit_path("templates");
	const char	*dirs[] = { dir, NULL };
	struct template	*t;
	GHashTable	*v, *on;
	GError		*e = NULL;
	char		*subject, *body, *want;

	t = template_load(dirs, NULL, "followup-1", &e);
	assert_no_error(e);
	assert_non_null(t);
	want = g_build_filename(dir, "followup-1.txt", NULL);
	assert_string_equal(t->path, want);
	g_free(want);

	v = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(v, (char *)"client_name",
	    (char *)"株式会社サンプル商事");
	g_hash_table_insert(v, (char *)"your_name", (char *)"山田 花子");
	g_hash_table_insert(v, (char *)"job_title",
	    (char *)"【GAS】スプレッドシート集計の自動化ツール作成");
	on = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(on, (char *)"titled");
	subject = template_render(t->subject, v, on, TRUE);
	body = template_render(t->body, v, on, FALSE);
	g_hash_table_unref(on);
	assert_contains(subject,
	    "【GAS】スプレッドシート集計の自動化ツール作成");
	assert_not_contains(subject, "\n");
	assert_true(g_str_has_prefix(body, "株式会社サンプル商事様\n"));
	assert_contains(body, ARTICLE);
	assert_contains(body, "山田 花子");
	/* every placeholder was filled */
	assert_not_contains(subject, "{{");
	assert_not_contains(body, "{{");
	g_free(subject);
	g_free(body);
	g_hash_table_unref(v);
	template_free(t);
	g_free(dir);
}

static void
test_load_order(void **state)
{
	char		*shipped = unit_path("templates");
	const char	*mine_first[] = { *state, shipped, NULL };
	const char	*missing[] = { "/nonexistent/renraku", NULL };
	struct template	*t;
	GError		*e = NULL;
	char		*path, *want;

	/* the user's directory comes first and wins */
	path = unit_write(*state, "followup-1.txt",
	    "Subject: mine\n\n{{client_name}} さん\n", 0644);
	t = template_load(mine_first, NULL, "followup-1", &e);
	assert_no_error(e);
	assert_non_null(t);
	assert_string_equal(t->subject, "mine");
	assert_string_equal(t->path, path);
	template_free(t);

	/* a broken user file is an error, not a fall back to the shipped */
	g_free(unit_write(*state, "followup-1.txt",
	    "Subject: mine\n\n{{clinet}}\n", 0644));
	t = template_load(mine_first, NULL, "followup-1", &e);
	assert_null(t);
	assert_non_null(e);
	want = g_strdup_printf("%s:3: unknown placeholder {{clinet}}", path);
	assert_string_equal(e->message, want);
	g_free(want);
	g_clear_error(&e);

	/* without a user file, the shipped one */
	g_unlink(path);
	t = template_load(mine_first, NULL, "followup-1", &e);
	assert_no_error(e);
	assert_non_null(t);
	assert_contains(t->body, ARTICLE);
	template_free(t);

	/* nowhere at all */
	t = template_load(missing, NULL, "followup-1", &e);
	assert_null(t);
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	assert_contains(e->message, "followup-1.txt not found");
	g_clear_error(&e);
	g_free(path);
	g_free(shipped);
}

static void
test_sections(void **state)
{
	static const struct {
		const char	*text;
		const char	*on;	/* the section switched on, or NULL */
		const char	*out;
	} cases[] = {
		{ "a\n{{#funded}}\nF\n{{/funded}}\nb\n", "funded",
		  "a\nF\nb\n" },
		{ "a\n{{#funded}}\nF\n{{/funded}}\nb\n", "delivered",
		  "a\nb\n" },
		{ "x{{#funded}}F{{/funded}}y", "funded", "xFy" },
		{ "x{{#funded}}F{{/funded}}y", NULL, "xy" },
		/* nested: hidden inside hidden stays hidden */
		{ "{{#funded}}A{{#delivered}}B{{/delivered}}C{{/funded}}D",
		  "delivered", "D" },
		{ "{{#funded}}{{client_name}}{{/funded}}", "funded", "株式会社A" },
	};
	GHashTable	*v, *on;
	char		*out;
	gsize		 i;

	v = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(v, (char *)"client_name", (char *)"株式会社A");
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		on = g_hash_table_new(g_str_hash, g_str_equal);
		if (cases[i].on != NULL)
			g_hash_table_add(on, (char *)cases[i].on);
		out = template_render(cases[i].text, v, on, FALSE);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: \"%s\", wanted \"%s\"", i, out,
			    cases[i].out);
		g_free(out);
		g_hash_table_unref(on);
	}
	g_hash_table_unref(v);
}

/* Every shipped template in every phase: the words each phase needs. */
/* Every placeholder of a draft step 1, with 'title' for the job. */
static GHashTable *
sample_values(const char *title)
{
	GHashTable	*v = g_hash_table_new(g_str_hash, g_str_equal);

	g_hash_table_insert(v, (char *)"client_name", (char *)"株式会社A");
	g_hash_table_insert(v, (char *)"your_name", (char *)"山田 花子");
	g_hash_table_insert(v, (char *)"job_title", (char *)title);
	g_hash_table_insert(v, (char *)"platform_name", (char *)"P");
	g_hash_table_insert(v, (char *)"thread_url", (char *)"https://x/1");
	g_hash_table_insert(v, (char *)"last_contact", (char *)"11月27日（金）");
	g_hash_table_insert(v, (char *)"days_silent", (char *)"5");
	g_hash_table_insert(v, (char *)"reply_by", (char *)"12月4日（金）");
	g_hash_table_insert(v, (char *)"step", (char *)"1");
	g_hash_table_insert(v, (char *)"remedy", (char *)"REMEDY TEXT");
	return (v);
}

static void
test_every_shipped(void **state)
{
	static const struct {
		const char	*name;
		const char	*platform;
		const char	*phase;
		const char	*has;
		const char	*hasnt;
	} cases[] = {
		{ "followup-1", NULL, "active", ARTICLE, "作業は引き続き" },
		{ "followup-1", NULL, "funded", "作業は引き続き進めております",
		  NULL },
		{ "followup-2", NULL, "funded", "完成しだい納品", "一時停止" },
		{ "followup-2", NULL, "delivered", "検収のお手続き",
		  "完成しだい" },
		{ "followup-2", NULL, "not_funded",
		  "仮払いのお手続きが完了しだい、作業を開始いたします。", "納品" },
		/* the client is given a day to answer by */
		{ "followup-2", NULL, "active", "12月4日（金）までに一度お返事を",
		  NULL },
		{ "followup-2", NULL, "active", "たびたびのご連絡",
		  "一時停止" },
		/* it asks for the escrow, plainly */
		{ "request-escrow", NULL, "contracted",
		  "お手数をおかけいたしますが、お手続きをお願いいたします。",
		  "先日ご連絡した" },
		{ "end-contract", NULL, "contracted",
		  "今回のご契約は終了とさせていただきたく存じます", "いったん" },
		{ "request-acceptance", "coconala", "delivered", "「承諾」",
		  "検収" },
		{ "request-acceptance", NULL, "delivered", "検収のお手続き",
		  NULL },
		{ "escalation", "crowdworks", "funded",
		  "契約相手と連絡がとれない場合はこちら", "作業は始めずに" },
		/* ending a funded contract refunds the escrow: said first */
		{ "escalation", "crowdworks", "funded",
		  "途中終了すると、仮払いは全額クライアントに返金されます。それでも",
		  NULL },
		{ "escalation", "crowdworks", "not_funded", "作業は始めずに",
		  "納品すれば" },
		{ "escalation", "crowdworks", "delivered", "検収の目安を納品から1週間",
		  "途中終了リクエスト" },
		{ "escalation", "crowdworks", "delivered",
		  "https://crowdworks.my.site.com/help/s/inquiry", NULL },
		{ "escalation", "coconala", "funded", "購入者と連絡がつかない",
		  NULL },
		{ "escalation", "lancers", "funded", "7日以上",
		  "作業は始めずに" },
		{ "escalation", "coconala", "active", "120日", NULL },
		{ "escalation", "upwork", "active", "REMEDY TEXT", NULL },
	};
	char		*dir = unit_path("templates");
	const char	*dirs[] = { dir, NULL };
	GHashTable	*v, *on;
	gsize		 i;

	v = sample_values("LP制作");
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError		*e = NULL;
		struct template	*t;
		char		*subject, *body;

		t = template_load(dirs, cases[i].platform, cases[i].name, &e);
		if (t == NULL)
			fail_msg("%s: %s", cases[i].name, e->message);
		on = g_hash_table_new(g_str_hash, g_str_equal);
		g_hash_table_add(on, (char *)cases[i].phase);
		g_hash_table_add(on, (char *)"titled");
		subject = template_render(t->subject, v, on, TRUE);
		body = template_render(t->body, v, on, FALSE);
		if (strstr(body, cases[i].has) == NULL)
			fail_msg("%s/%s in %s lacks \"%s\":\n%s",
			    cases[i].platform ? cases[i].platform : "-",
			    cases[i].name, cases[i].phase, cases[i].has, body);
		if (cases[i].hasnt != NULL &&
		    strstr(body, cases[i].hasnt) != NULL)
			fail_msg("%s in %s has \"%s\":\n%s", cases[i].name,
			    cases[i].phase, cases[i].hasnt, body);
		assert_not_contains(subject, "{{");
		assert_not_contains(body, "{{");
		assert_contains(subject, "LP制作");
		/* client drafts address the client; notes the user */
		if (strcmp(cases[i].name, "escalation") == 0)
			assert_true(g_str_has_prefix(body, "山田 花子さん\n"));
		else
			assert_true(g_str_has_prefix(body, "株式会社A様\n"));
		g_free(subject);
		g_free(body);
		g_hash_table_unref(on);
		template_free(t);
	}
	g_hash_table_unref(v);
	g_free(dir);
}

/*
 * Every shipped template in every phase the ladder uses it in, rendered
 * in full and compared with tests/templates-expected/NAME[-PLATFORM]-
 * PHASE.txt ("Subject: ...", a blank line, the body).  With
 * RENRAKU_WRITE_EXPECTED set the files are written instead, for a
 * maintainer who changed a template on purpose (review the diff).
 */
static void
test_expected_text(void **state)
{
	static const struct {
		const char	*name;
		const char	*platform;	/* or NULL */
		const char	*phases[5];
	} cases[] = {
		{ "followup-1", NULL, { "active", "funded" } },
		{ "followup-2", NULL, { "active", "funded", "delivered" } },
		{ "request-escrow", NULL, { "contracted" } },
		{ "end-contract", NULL, { "contracted" } },
		{ "request-acceptance", NULL, { "delivered" } },
		{ "request-acceptance", "coconala", { "delivered" } },
		{ "escalation", "crowdworks",
		  { "active", "contracted", "funded", "delivered" } },
		{ "escalation", "lancers",
		  { "active", "contracted", "funded", "delivered" } },
		{ "escalation", "coconala",
		  { "active", "contracted", "funded", "delivered" } },
	};
	char		*dir = unit_path("templates");
	const char	*dirs[] = { dir, NULL };
	gboolean	 write = g_getenv("RENRAKU_WRITE_EXPECTED") != NULL;
	GHashTable	*v, *on;
	gsize		 i, j, n = 0;

	v = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(v, (char *)"client_name", (char *)"株式会社サンプル商事");
	g_hash_table_insert(v, (char *)"your_name", (char *)"山田 花子");
	g_hash_table_insert(v, (char *)"job_title", (char *)"LP制作");
	g_hash_table_insert(v, (char *)"platform_name", (char *)"クラウドワークス");
	g_hash_table_insert(v, (char *)"thread_url",
	    (char *)"https://crowdworks.jp/contracts/63712345");
	g_hash_table_insert(v, (char *)"last_contact", (char *)"11月27日（金）");
	g_hash_table_insert(v, (char *)"days_silent", (char *)"9");
	g_hash_table_insert(v, (char *)"reply_by", (char *)"12月4日（金）");
	g_hash_table_insert(v, (char *)"step", (char *)"3");
	g_hash_table_insert(v, (char *)"remedy", (char *)"（プラットフォームの救済制度）");
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError		*e = NULL;
		struct template	*t;

		t = template_load(dirs, cases[i].platform, cases[i].name, &e);
		if (t == NULL)
			fail_msg("%s: %s", cases[i].name, e->message);
		/* the platform's own name and thread page */
		if (g_strcmp0(cases[i].platform, "lancers") == 0) {
			g_hash_table_insert(v, (char *)"platform_name",
			    (char *)"ランサーズ");
			g_hash_table_insert(v, (char *)"thread_url",
			    (char *)"https://www.lancers.jp/work/detail/5561234");
		} else if (g_strcmp0(cases[i].platform, "coconala") == 0) {
			g_hash_table_insert(v, (char *)"platform_name",
			    (char *)"ココナラ");
			g_hash_table_insert(v, (char *)"thread_url",
			    (char *)"https://coconala.com/talkrooms/18234567");
		} else {
			g_hash_table_insert(v, (char *)"platform_name",
			    (char *)"クラウドワークス");
			g_hash_table_insert(v, (char *)"thread_url",
			    (char *)"https://crowdworks.jp/contracts/63712345");
		}
		for (j = 0; j < G_N_ELEMENTS(cases[i].phases) &&
		    cases[i].phases[j] != NULL; j++) {
			char	*subject, *body, *got, *file, *path, *want;

			/* as compose.c: the phase, and not_funded before
			   the escrow */
			on = g_hash_table_new(g_str_hash, g_str_equal);
			g_hash_table_add(on, (char *)cases[i].phases[j]);
			if (strcmp(cases[i].phases[j], "contracted") == 0)
				g_hash_table_add(on, (char *)"not_funded");
			g_hash_table_add(on, (char *)"titled");
			subject = template_render(t->subject, v, on, TRUE);
			body = template_render(t->body, v, on, FALSE);
			got = g_strdup_printf("Subject: %s\n\n%s", subject,
			    body);
			file = g_strdup_printf("%s%s%s-%s.txt", cases[i].name,
			    cases[i].platform != NULL ? "-" : "",
			    cases[i].platform != NULL ? cases[i].platform : "",
			    cases[i].phases[j]);
			path = g_build_filename(unit_srcdir(), "tests",
			    "templates-expected", file, NULL);
			if (write)
				g_file_set_contents(path, got, -1, NULL);
			if (!g_file_get_contents(path, &want, NULL, NULL))
				fail_msg("%s: cannot read", path);
			if (strcmp(got, want) != 0)
				fail_msg("%s: rendered\n%s\nwanted\n%s", file,
				    got, want);
			n++;
			g_free(want);
			g_free(path);
			g_free(file);
			g_free(got);
			g_free(subject);
			g_free(body);
			g_hash_table_unref(on);
		}
		template_free(t);
	}
	print_message("# %zu renderings as expected\n", n);
	g_hash_table_unref(v);
	g_free(dir);
}

/* A platform's own file overrides the generic one for it alone. */
/*
 * A thread whose mails never named the job: every shipped template, in
 * every phase, reads without an empty 「」 and without the title.
 */
static void
test_untitled(void **state)
{
	static const char *const platforms[] = { "crowdworks", "lancers",
	    "coconala", NULL };
	char		*dir = unit_path("templates");
	const char	*dirs[] = { dir, NULL };
	GHashTable	*v, *on;
	gsize		 i, j, k;

	(void)state;
	/* what compose.c gives a template that quotes it anyway */
	v = sample_values("ご依頼の件");
	for (i = 0; template_names[i] != NULL; i++)
		for (j = 0; platforms[j] != NULL; j++)
			for (k = 0; template_sections[k] != NULL; k++) {
				GError		*e = NULL;
				struct template	*t;
				char		*subject, *body;

				if (k > 5)	/* past the phases and not_funded */
					break;
				t = template_load(dirs, platforms[j],
				    template_names[i], &e);
				if (t == NULL)
					fail_msg("%s: %s", template_names[i],
					    e->message);
				on = g_hash_table_new(g_str_hash, g_str_equal);
				g_hash_table_add(on,
				    (char *)template_sections[k]);
				g_hash_table_add(on, (char *)"untitled");
				subject = template_render(t->subject, v, on,
				    TRUE);
				body = template_render(t->body, v, on, FALSE);
				if (strstr(subject, "「") != NULL ||
				    strstr(body, "「」") != NULL ||
				    strstr(subject, "ご依頼の件") != NULL ||
				    strstr(body, "ご依頼の件") != NULL ||
				    g_str_has_prefix(subject, "について"))
					fail_msg("%s (%s, %s) without a title:\n"
					    "%s\n\n%s", t->path, platforms[j],
					    template_sections[k], subject, body);
				g_free(subject);
				g_free(body);
				g_hash_table_unref(on);
				template_free(t);
			}
	g_hash_table_unref(v);
	g_free(dir);
}

static void
test_platform_override(void **state)
{
	const char	*dirs[] = { *state, NULL };
	char		*sub, *path;

	g_free(unit_write(*state, "followup-1.txt",
	    "Subject: generic\n\nx\n", 0644));
	sub = g_build_filename(*state, "lancers", NULL);
	g_mkdir(sub, 0755);
	g_free(unit_write(sub, "followup-1.txt", "Subject: lancers\n\nx\n",
	    0644));
	path = template_find(dirs, "lancers", "followup-1");
	assert_true(g_str_has_suffix(path, "/lancers/followup-1.txt"));
	g_free(path);
	path = template_find(dirs, "crowdworks", "followup-1");
	assert_true(g_str_has_suffix(path, "/followup-1.txt"));
	assert_null(strstr(path, "lancers"));
	g_free(path);
	g_free(sub);
}

UNIT_MAIN(
	cmocka_unit_test(test_parse_good),
	cmocka_unit_test(test_parse_errors),
	cmocka_unit_test(test_render),
	cmocka_unit_test(test_shipped),
	cmocka_unit_test(test_sections),
	cmocka_unit_test(test_every_shipped),
	cmocka_unit_test(test_expected_text),
	cmocka_unit_test(test_untitled),
	cmocka_unit_test_setup_teardown(test_platform_override,
	    unit_setup_tmpdir, unit_teardown_tmpdir),
	cmocka_unit_test_setup_teardown(test_load_order, unit_setup_tmpdir,
	    unit_teardown_tmpdir),
)
