/*
 * template.h: the user-editable texts drafts are made from.
 *
 * A template file is a header block ("Subject: ..." at least), a blank
 * line, and the body, in UTF-8.  {{name}} is replaced by a value (the names
 * are in template_placeholders); {{#section}} ... {{/section}} shows its
 * text only when the section is on (the names are in template_sections:
 * the contract phases, not_funded, and titled or untitled: whether the
 * job's title is known), in the Subject as in the body.  A file is checked when it is
 * loaded, so a misspelt placeholder never reaches a client.
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

/* The section names a template may use (NULL-terminated). */
extern const char *const template_sections[];

/* The situations renraku drafts for: one template file each. */
extern const char *const template_names[];

/*
 * Find "name.txt" for 'platform' in 'dirs' (NULL-terminated, highest
 * priority first): in each directory, "platform/name.txt" comes before
 * "name.txt".  Returns the allocated path, or NULL if there is none.
 */
char		*template_find(const char *const *dirs, const char *platform,
		    const char *name);

/*
 * Load and check template 'name' for 'platform' (may be NULL), found as
 * template_find() does.  Problems are reported as "FILE:LINE: what"
 * (RENRAKU_ERROR_CONFIG).  Returns a template for template_free(), or NULL
 * with err set.
 */
struct template	*template_load(const char *const *dirs, const char *platform,
		    const char *name, GError **err);

/* Check and split 'text', read from 'path'; as template_load(). */
struct template	*template_parse(const char *path, const char *text,
		    GError **err);

void		 template_free(struct template *t);

/*
 * Fill 'text': each {{name}} becomes its value in 'values' (name -> UTF-8
 * string; missing renders as ""), and each {{#s}}...{{/s}} keeps its text
 * when 's' is in 'sections' (a set: name -> anything), dropping it
 * otherwise; a section's line that holds only the marker is dropped too.
 * With 'one_line', control characters in values become spaces so they
 * cannot break a header.  Returns an allocated string.
 */
char		*template_render(const char *text, GHashTable *values,
		    GHashTable *sections, gboolean one_line);

#endif
