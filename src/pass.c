/*
 * pass.c: what a pass of the Drafts reconciler decides from (see pass.h).
 */
#include "pass.h"

#include <string.h>

#include "bizday.h"

/* Add every file under 'dir' (names and contents, in name order) to 'c'. */
static void
sum_dir(GChecksum *c, const char *dir, guint depth)
{
	GDir		*d;
	GList		*names = NULL, *n;
	const char	*name;
	char		*path, *text;
	gsize		 len;

	if (depth > 2 || (d = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL)
		names = g_list_insert_sorted(names, g_strdup(name),
		    (GCompareFunc)strcmp);
	g_dir_close(d);
	for (n = names; n != NULL; n = n->next) {
		path = g_build_filename(dir, n->data, NULL);
		g_checksum_update(c, (const guchar *)path, -1);
		g_checksum_update(c, (const guchar *)"\n", 1);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			sum_dir(c, path, depth + 1);
		else if (g_file_get_contents(path, &text, &len, NULL)) {
			g_checksum_update(c, (const guchar *)text, (gssize)len);
			g_free(text);
		}
		g_free(path);
	}
	g_list_free_full(names, g_free);
}

char *
pass_digest(const char *const *dirs, const char *const *more,
    const char *file)
{
	GChecksum	*c = g_checksum_new(G_CHECKSUM_SHA256);
	char		*text, *s;
	gsize		 len, i;

	if (file != NULL && g_file_get_contents(file, &text, &len, NULL)) {
		g_checksum_update(c, (const guchar *)text, (gssize)len);
		g_free(text);
	}
	for (i = 0; dirs != NULL && dirs[i] != NULL; i++)
		sum_dir(c, dirs[i], 0);
	for (i = 0; more != NULL && more[i] != NULL; i++)
		sum_dir(c, more[i], 0);
	s = g_strdup(g_checksum_get_string(c));
	g_checksum_free(c);
	return (s);
}

char *
pass_stamp(const struct run *r, struct store *st, const char *account,
    GError **err)
{
	GChecksum	*c;
	GDate		 day;
	char		*v, *loaded, *s, *words;

	if ((v = store_version(st, err)) == NULL)
		return (NULL);
	g_date_clear(&day, 1);
	bizday_jst_date(g_date_time_to_unix(r->now), &day);
	c = g_checksum_new(G_CHECKSUM_SHA256);
	words = run_words();
	s = g_strdup_printf("%s\n%u\n%s\n%s", account,
	    g_date_get_julian(&day), v, words);
	g_checksum_update(c, (const guchar *)s, -1);
	g_free(s);
	g_free(words);
	g_free(v);
	loaded = r->loaded != NULL ? g_strdup(r->loaded) :
	    pass_digest(r->rules_dirs, r->template_dirs, r->cfg->path);
	g_checksum_update(c, (const guchar *)loaded, -1);
	g_free(loaded);
	s = g_strdup(g_checksum_get_string(c));
	g_checksum_free(c);
	return (s);
}

gint64
pass_until(gint64 now, gint64 deadline)
{
	GDate	day;
	gint64	midnight;

	g_date_clear(&day, 1);
	bizday_jst_date(now, &day);
	g_date_add_days(&day, 1);
	midnight = (gint64)(g_date_get_julian(&day) - 719163) * 86400 -
	    BIZDAY_JST_OFFSET;
	return (deadline > now && deadline < midnight ? deadline : midnight);
}
