/*
 * fuzz-mail.c: raw bytes as a mail (mail_parse), the parsed mail through
 * the shipped platform rules (rules_classify, rules_explain), and the
 * same bytes as a header value (mail_decode_header, mail_strip_forward)
 * and as HTML (mail_html_to_text, mail_html_links).
 */
#include "fuzz.h"

#include <string.h>

#include "mail.h"
#include "rules.h"

static struct rules	*rules;

static void
done(void)
{
	rules_free(rules);
	rules = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GError	*e = NULL;
	char	*dir;

	mail_init();
	dir = g_build_filename(fuzz_top_srcdir(), "platforms", NULL);
	{
		const char *const dirs[] = { dir, NULL };

		if ((rules = rules_load(dirs, &e)) == NULL) {
			fprintf(stderr, "fuzz-mail: %s\n", e->message);
			abort();
		}
	}
	g_free(dir);
	atexit(done);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail		 m;
	struct event		 ev;
	struct rules_trace	 t;
	GError			*e = NULL;
	char			*s, *v;

	if (mail_parse((const char *)data, size, &m, &e)) {
		/* what mail.h promises every parsed mail: UTF-8, a subject
		 * without line breaks, a body with LF line ends */
		if (m.from_addr == NULL || m.from_name == NULL ||
		    m.subject == NULL || m.body == NULL ||
		    !g_utf8_validate(m.from_addr, -1, NULL) ||
		    !g_utf8_validate(m.from_name, -1, NULL) ||
		    !g_utf8_validate(m.subject, -1, NULL) ||
		    !g_utf8_validate(m.body, -1, NULL) ||
		    (m.forwarded_by != NULL &&
		    !g_utf8_validate(m.forwarded_by, -1, NULL)) ||
		    strpbrk(m.subject, "\r\n") != NULL ||
		    strchr(m.body, '\r') != NULL)
			abort();
		if (rules_classify(rules, &m, &ev))
			event_clear(&ev);
		rules_explain(rules, &m, &ev, &t);
		event_clear(&ev);
		rules_trace_clear(&t);
		mail_clear(&m);
	} else
		g_clear_error(&e);

	s = g_strndup((const char *)data, size);
	v = mail_decode_header(s);
	if (!g_utf8_validate(v, -1, NULL) || strpbrk(v, "\r\n") != NULL)
		abort();
	g_free(mail_strip_forward(v));
	g_free(v);
	g_free(mail_html_to_text(s));
	g_free(mail_html_links(s));
	g_free(s);
	return (0);
}
