/*
 * fuzz-template.c: the input as a template file (template_parse); one
 * that parses is rendered with a value for every placeholder, with every
 * section on, with none, and with each section on alone.
 */
#include "fuzz.h"

#include <string.h>

#include "template.h"

static GHashTable	*values;

static void
done(void)
{
	g_clear_pointer(&values, g_hash_table_unref);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* values that would hurt if they were expanded again or reached a
	 * header unchanged */
	static const char *const samples[] = { "株式会社①テスト",
	    "{{your_name}}", "line\r\nBcc: x@example.com", "",
	    "{{#active}}", "\x7f\t\x01", "3", "https://example.com/{{x}}",
	    "{{/funded}}" };
	gsize	i;

	values = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; template_placeholders[i] != NULL; i++)
		g_hash_table_insert(values, (gpointer)template_placeholders[i],
		    (gpointer)samples[i % G_N_ELEMENTS(samples)]);
	atexit(done);
	return (0);
}

static void
render(const struct template *t, GHashTable *sections)
{
	char	*s;

	s = template_render(t->subject, values, sections, TRUE);
	/* one_line: no value breaks a header (the template's own text is
	 * the user's) */
	if (strpbrk(t->subject, "\r\n") == NULL &&
	    strpbrk(s, "\r\n") != NULL)
		abort();
	g_free(s);
	g_free(template_render(t->body, values, sections, FALSE));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template	*t;
	GHashTable	*sections;
	GError		*e = NULL;
	char		*text;
	gsize		 i;

	text = g_strndup((const char *)data, size);
	if ((t = template_parse("fuzz.txt", text, &e)) == NULL) {
		g_clear_error(&e);
		g_free(text);
		return (0);
	}
	if (t->subject == NULL || t->body == NULL)
		abort();
	sections = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; template_sections[i] != NULL; i++)
		g_hash_table_add(sections, (gpointer)template_sections[i]);
	render(t, sections);
	render(t, NULL);
	for (i = 0; template_sections[i] != NULL; i++) {
		g_hash_table_remove_all(sections);
		g_hash_table_add(sections, (gpointer)template_sections[i]);
		render(t, sections);
	}
	g_hash_table_unref(sections);
	template_free(t);
	g_free(text);
	return (0);
}
