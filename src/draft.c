/*
 * draft.c: the draft message, built from scratch with GMime.
 */
#include "draft.h"

#include <string.h>

#include <gmime/gmime.h>

char *
draft_message_id(const char *thread, guint step, gint64 when,
    const char *user)
{
	const char	*at = user != NULL ? strrchr(user, '@') : NULL;
	char		*safe, *p, *id, *domain;

	safe = g_strdup(thread);
	for (p = safe; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			*p = '.';
	domain = g_strdup(at != NULL && at[1] != '\0' ? at + 1 :
	    "renraku.invalid");
	for (p = domain; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			*p = '-';
	id = g_strdup_printf("renraku.%s.%u.%" G_GINT64_FORMAT "@%s", safe,
	    step, when, domain);
	g_free(safe);
	g_free(domain);
	return (id);
}

char *
draft_build(const struct draft *d, gsize *len)
{
	GMimeMessage		*m;
	GMimeTextPart		*tp;
	GMimeFormatOptions	*fo;
	GString			*crlf;
	const char		*p;
	char			*wire, step[16];

	m = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, d->from_name,
	    d->from_addr);
	if (d->to_addr != NULL)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO,
		    d->from_name, d->to_addr);
	g_mime_message_set_subject(m, d->subject, "utf-8");
	g_mime_message_set_date(m, d->date);
	g_mime_message_set_message_id(m, d->message_id);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Renraku-Thread",
	    d->thread, NULL);
	g_snprintf(step, sizeof step, "%u", d->step);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Renraku-Step", step,
	    NULL);

	/* base64 does not fix line ends inside: make them CRLF first */
	crlf = g_string_new(NULL);
	for (p = d->body; *p != '\0'; p++) {
		if (*p == '\n' && (p == d->body || p[-1] != '\r'))
			g_string_append_c(crlf, '\r');
		g_string_append_c(crlf, *p);
	}
	tp = g_mime_text_part_new_with_subtype("plain");
	g_mime_part_set_content_encoding(GMIME_PART(tp),
	    GMIME_CONTENT_ENCODING_BASE64);
	g_mime_text_part_set_text(tp, crlf->str);
	g_mime_text_part_set_charset(tp, "utf-8");
	g_string_free(crlf, TRUE);
	g_mime_message_set_mime_part(m, GMIME_OBJECT(tp));
	g_object_unref(tp);

	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	wire = g_mime_object_to_string(GMIME_OBJECT(m), fo);
	g_mime_format_options_free(fo);
	g_object_unref(m);
	*len = strlen(wire);
	return (wire);
}
