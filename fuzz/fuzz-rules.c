/*
 * fuzz-rules.c: the input as a rules file in a private directory, loaded
 * (rules_load) and linted (rules_check, to /dev/null); rules that load
 * then classify a sample mail from each of their sender domains.
 */
#include "fuzz.h"

#include <string.h>

#include "policy.h"
#include "rules.h"

static char	*dir, *file;
static FILE	*devnull;

static void
done(void)
{
	if (file != NULL)
		g_unlink(file);
	if (dir != NULL)
		g_rmdir(dir);
	g_clear_pointer(&file, g_free);
	g_clear_pointer(&dir, g_free);
	if (devnull != NULL)
		fclose(devnull);
	devnull = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if ((dir = g_dir_make_tmp("renraku-fuzz-rules-XXXXXX", NULL)) ==
	    NULL || (devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz-rules");
		abort();
	}
	file = g_build_filename(dir, "fuzz.rules", NULL);
	atexit(done);
	return (0);
}

/* A mail from 'domain' that says a little of everything rules look for. */
static void
classify(const struct rules *r, const char *domain)
{
	struct mail		 m;
	struct event		 ev;
	struct rules_trace	 t;

	memset(&m, 0, sizeof m);
	m.from_addr = g_strconcat("noreply@", domain, NULL);
	m.from_name = g_strdup("ランサーズ");
	m.subject = g_strdup("[ランサーズ] 株式会社①テスト さんから "
	    "「ロゴ制作」 のコメントが届いています ｶﾞｷﾞ");
	m.body = g_strdup("山田 様\n\n契約が成立しました。\n"
	    "https://www.lancers.jp/work/detail/12345\n\t㈱テスト さんから\n"
	    "お仕事: 「ロゴ制作」\n");
	if (rules_classify(r, &m, &ev))
		event_clear(&ev);
	rules_explain(r, &m, &ev, &t);
	if (ev.platform != NULL) {
		struct policy p;

		policy_init_default(&p);
		rules_platform_policy(r, ev.platform, &p);
		(void)rules_platform_name(r, ev.platform);
		(void)rules_platform_remedy(r, ev.platform);
	}
	event_clear(&ev);
	rules_trace_clear(&t);
	mail_clear(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const	 dirs[] = { dir, NULL };
	struct rules		*r;
	GError			*e = NULL;

	fuzz_write_file(file, data, size);
	if ((r = rules_load(dirs, &e)) != NULL) {
		char	**ids = rules_platform_ids(r);
		char	**domains = rules_sender_domains(r);
		gsize	  i;

		for (i = 0; domains[i] != NULL && i < 4; i++)
			classify(r, domains[i]);
		g_strfreev(domains);
		g_strfreev(ids);
		rules_free(r);
	} else
		g_clear_error(&e);
	if (!rules_check(dirs, devnull, &e))
		g_clear_error(&e);
	return (0);
}
