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

/*
 * 'subject' as the raw value of a Subject header: Q-encoded words of whole
 * characters, one per line.  GMime 3.2.13 writes B-encoded words longer than
 * the 75 characters RFC 2047 allows, and its decoder drops everything
 * after a B-word that ends in '=' padding (upstream #133), so a long
 * subject came back cut short; Q-encoding has no padding.  54 characters
 * of encoded text make a word of 66 and a first line of 75.
 */
static char *
encode_subject(const char *subject)
{
	GString		*out = g_string_new(NULL), *word = g_string_new(NULL);
	const char	*p, *q, *next;
	char		 c[16];
	gsize		 n;

	for (p = subject; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		for (q = p, n = 0; q < next; q++) {
			if (g_ascii_isalnum(*q) || strchr("!*+-/", *q) != NULL)
				c[n++] = *q;
			else if (*q == ' ')
				c[n++] = '_';
			else
				n += (gsize)g_snprintf(c + n, sizeof c - n,
				    "=%02X", (guchar)*q);
		}
		c[n] = '\0';
		if (word->len + n > 54) {
			g_string_append_printf(out, " =?UTF-8?Q?%s?=\n",
			    word->str);
			g_string_truncate(word, 0);
		}
		g_string_append(word, c);
	}
	if (word->len > 0)
		g_string_append_printf(out, " =?UTF-8?Q?%s?=\n", word->str);
	g_string_free(word, TRUE);
	return (g_string_free(out, FALSE));
}

/* 's' in ISO-2022-JP, or NULL if some character does not fit. */
static char *
to_jis(const char *s, gsize *len)
{
	return (g_convert(s, -1, "ISO-2022-JP", "UTF-8", NULL, len, NULL));
}

char *
draft_build(const struct draft *d, gsize *len, gboolean *fell_back)
{
	GMimeMessage		*m;
	GMimeTextPart		*tp;
	GMimeFormatOptions	*fo;
	InternetAddressList	*list;
	GString			*crlf;
	const char		*p, *cs;
	char			*wire, step[16], *jis = NULL, *t = NULL;
	gsize			 jlen = 0;
	gboolean		 jp = FALSE;
	guint			 i;

	/* base64 does not fix line ends inside: make them CRLF first */
	crlf = g_string_new(NULL);
	for (p = d->body; *p != '\0'; p++) {
		if (*p == '\n' && (p == d->body || p[-1] != '\r'))
			g_string_append_c(crlf, '\r');
		g_string_append_c(crlf, *p);
	}
	if (d->iso2022jp) {
		/* all of it must fit, or none of it is ISO-2022-JP */
		const char *also[] = { d->subject, d->from_name };

		jis = to_jis(crlf->str, &jlen);
		jp = jis != NULL;
		for (i = 0; jp && i < G_N_ELEMENTS(also); i++) {
			if (also[i] == NULL)
				continue;
			t = to_jis(also[i], NULL);
			jp = t != NULL;
			g_free(t);
		}
		if (fell_back != NULL)
			*fell_back = !jp;
	} else if (fell_back != NULL)
		*fell_back = FALSE;
	cs = jp ? "iso-2022-jp" : "utf-8";

	m = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, d->from_name,
	    d->from_addr);
	if (d->to_addr != NULL)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO,
		    d->from_name, d->to_addr);
	for (i = 0; jp && i < 2; i++) {
		list = g_mime_message_get_addresses(m, i == 0 ?
		    GMIME_ADDRESS_TYPE_FROM : GMIME_ADDRESS_TYPE_TO);
		if (list != NULL && internet_address_list_length(list) > 0)
			internet_address_set_charset(
			    internet_address_list_get_address(list, 0), cs);
	}
	g_mime_message_set_subject(m, d->subject, cs);
	if (!jp && !g_str_is_ascii(d->subject) &&
	    g_utf8_validate(d->subject, -1, NULL)) {
		char *raw = encode_subject(d->subject);

		g_mime_header_set_raw_value(g_mime_header_list_get_header(
		    g_mime_object_get_header_list(GMIME_OBJECT(m)), "Subject"),
		    raw);
		g_free(raw);
	}
	g_mime_message_set_date(m, d->date);
	g_mime_message_set_message_id(m, d->message_id);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Renraku-Thread",
	    d->thread, NULL);
	g_snprintf(step, sizeof step, "%u", d->step);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Renraku-Step", step,
	    NULL);

	tp = g_mime_text_part_new_with_subtype("plain");
	if (jp) {
		GMimeStream		*st;
		GMimeDataWrapper	*dw;

		st = g_mime_stream_mem_new_with_buffer(jis, jlen);
		dw = g_mime_data_wrapper_new_with_stream(st,
		    GMIME_CONTENT_ENCODING_7BIT);
		g_mime_part_set_content(GMIME_PART(tp), dw);
		g_mime_part_set_content_encoding(GMIME_PART(tp),
		    GMIME_CONTENT_ENCODING_7BIT);
		g_object_unref(dw);
		g_object_unref(st);
	} else {
		g_mime_part_set_content_encoding(GMIME_PART(tp),
		    GMIME_CONTENT_ENCODING_BASE64);
		g_mime_text_part_set_text(tp, crlf->str);
	}
	g_mime_text_part_set_charset(tp, cs);
	g_string_free(crlf, TRUE);
	g_free(jis);
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
