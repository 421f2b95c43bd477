/*
 * template.h: the user-editable texts drafts are made from.
 *
 * A template file is a header block ("Subject: ..." at least), a blank
 * line, and the body.  {{name}} is replaced by a value; the names are
 * listed in template_placeholders.  A file is checked when it is loaded,
 * so a misspelt placeholder never reaches a client.
 */
#ifndef RENRAKU_TEMPLATE_H
#define RENRAKU_TEMPLATE_H

#include <glib.h>

struct template {
	char	*path;		/* where it was read from */
	char	*subject;	/* raw, with placeholders */
	char	*body;		/* raw, with placeholders, LF line ends */
};

/* The placeholder names a template may use (NULL-terminated). */
extern const char *const template_placeholders[];

/*
 * Load template 'name' (e.g. "followup-1") from the first of 'dirs'
 * (NULL-terminated, highest priority first) that has "name.txt", and check
 * it.  Problems are reported as "FILE:LINE: what" (RENRAKU_ERROR_CONFIG).
 * Returns a template for template_free(), or NULL with err set.
 */
struct template	*template_load(const char *const *dirs, const char *name,
		    GError **err);

/* Check and split 'text', read from 'path'; as template_load(). */
struct template	*template_parse(const char *path, const char *text,
		    GError **err);

void		 template_free(struct template *t);

/*
 * Replace each {{name}} of 'text' with its value in 'values' (name ->
 * UTF-8 string; a missing value renders as ""), and, when 'one_line',
 * turn control characters of the values into spaces so they cannot break
 * a header.  Returns an allocated string.
 */
char		*template_render(const char *text, GHashTable *values,
		    gboolean one_line);

#endif
