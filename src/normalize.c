/*
 * normalize.c: text as the rules see it: NFKC-normalised, blanks folded,
 * each byte mapped back to the original so that a value is given as the
 * mail wrote it.
 */
#include "rules-int.h"

#include <string.h>

static void
text_add(struct text *t, const char *bytes, gsize n, gsize from, gsize to)
{
	gsize	i;

	g_string_append_len(t->norm, bytes, (gssize)n);
	for (i = 0; i < n; i++) {
		g_array_append_val(t->from, from);
		g_array_append_val(t->to, to);
	}
}

/*
 * Whether NFKC leaves 'c' as it is when nothing joins it: ASCII, and the
 * kana and ideographs that make up most of a Japanese mail (half-width
 * kana and the full-width forms are not among them).  A fast path: these
 * need no call to the normaliser, which allocates.
 */
static gboolean
nfkc_stable(gunichar c)
{
	return (c < 0x80 || (c >= 0x3041 && c <= 0x3096) ||
	    (c >= 0x30a1 && c <= 0x30fa) || c == 0x30fc ||
	    (c >= 0x4e00 && c <= 0x9fff));
}

/*
 * Whether NFKC may compose 'c' with the character before it: a combining
 * mark, a character whose compatibility decomposition starts with one
 * (half-width ﾞ and ﾟ), or a Hangul vowel or final jamo.
 */
static gboolean
joins_previous(gunichar c)
{
	gunichar	d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];

	if (c < 0x300 || nfkc_stable(c))
		return (FALSE);
	if ((c >= 0x1161 && c <= 0x1175) || (c >= 0x11a8 && c <= 0x11c2))
		return (TRUE);
	return (g_unichar_fully_decompose(c, TRUE, d, G_N_ELEMENTS(d)) > 0 &&
	    g_unichar_combining_class(d[0]) != 0);
}

/* Normalise one base character with what may join it at a time (NFKC
 * composes only within such a run), folding blanks as we go. */
void
text_init(struct text *t, const char *s)
{
	const char	*p, *q, *c, *end;
	gboolean	 blank = FALSE;

	t->orig = g_utf8_make_valid(s, -1);
	t->norm = g_string_sized_new(strlen(t->orig));
	t->from = g_array_new(FALSE, FALSE, sizeof(gsize));
	t->to = g_array_new(FALSE, FALSE, sizeof(gsize));
	for (p = t->orig; *p != '\0'; p = q) {
		gsize	 from = (gsize)(p - t->orig), to;
		char	*n = NULL;

		q = g_utf8_next_char(p);
		if (!nfkc_stable(g_utf8_get_char(p)) ||
		    joins_previous(g_utf8_get_char(q))) {
			while (*q != '\0' && joins_previous(g_utf8_get_char(q)))
				q = g_utf8_next_char(q);
			if ((n = g_utf8_normalize(p, q - p, G_NORMALIZE_NFKC)) ==
			    NULL)
				n = g_strndup(p, (gsize)(q - p));
		}
		to = (gsize)(q - t->orig);
		end = n != NULL ? n + strlen(n) : q;
		for (c = n != NULL ? n : p; c < end; c = g_utf8_next_char(c)) {
			gsize len = (gsize)(g_utf8_next_char(c) - c);

			if (*c == ' ' || *c == '\t' || *c == '\r') {
				blank = TRUE;
				continue;
			}
			if (blank && t->norm->len > 0 && *c != '\n' &&
			    t->norm->str[t->norm->len - 1] != '\n')
				text_add(t, " ", 1, from, from);
			blank = FALSE;
			text_add(t, c, len, from, to);
		}
		g_free(n);
	}
}

void
text_clear(struct text *t)
{
	g_free(t->orig);
	g_string_free(t->norm, TRUE);
	g_array_unref(t->from);
	g_array_unref(t->to);
}

/* The original text behind norm[s, e), blanks folded and trimmed. */
char *
text_orig(const struct text *t, gint s, gint e)
{
	GString		*out = g_string_new(NULL);
	const char	*p, *end;
	gboolean	 blank = FALSE;

	if (s < 0 || e <= s)
		return (g_string_free(out, FALSE));
	p = t->orig + g_array_index(t->from, gsize, s);
	end = t->orig + g_array_index(t->to, gsize, e - 1);
	for (; p < end; p = g_utf8_next_char(p)) {
		if (g_unichar_isspace(g_utf8_get_char(p))) {
			blank = TRUE;
			continue;
		}
		if (blank && out->len > 0)
			g_string_append_c(out, ' ');
		blank = FALSE;
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	return (g_string_free(out, FALSE));
}

char *
rules_normalize(const char *s)
{
	struct text	 t;
	char		*n;

	text_init(&t, s);
	n = g_strdup(t.norm->str);
	text_clear(&t);
	return (n);
}
