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

/* 's' in ISO-2022-JP, or NULL if some character does not fit. */
static char *
to_jis(const char *s, gsize *len)
{
	return (g_convert(s, -1, "ISO-2022-JP", "UTF-8", NULL, len, NULL));
}

/*
 * Characters of CP932 and Unicode's full-width forms that JIS X 0208 has
 * under another code point (what a title read from a Shift_JIS mail, or
 * typed on Windows, carries), and what ISO-2022-JP writes for them.
 */
static const gunichar jis_equivalents[][2] = {
	{ 0xff5e, 0x301c },	/* ～ 〜 */
	{ 0xff0d, 0x2212 },	/* － − */
	{ 0x2225, 0x2016 },	/* ∥ ‖ */
	{ 0x2014, 0x2015 },	/* — ― */
	{ 0xffe0, 0x00a2 },	/* ￠ ¢ */
	{ 0xffe1, 0x00a3 },	/* ￡ £ */
	{ 0xffe2, 0x00ac },	/* ￢ ¬ */
};

/* 's' (UTF-8) with jis_equivalents applied; allocated. */
static char *
jis_ready(const char *s)
{
	GString		*out = g_string_sized_new(strlen(s));
	const char	*p;
	gsize		 i;

	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		for (i = 0; i < G_N_ELEMENTS(jis_equivalents); i++)
			if (c == jis_equivalents[i][0])
				c = jis_equivalents[i][1];
		g_string_append_unichar(out, c);
	}
	return (g_string_free(out, FALSE));
}

/* Bytes character 'c' takes in ISO-2022-JP, escapes aside. */
static gsize
jis_width(gunichar c)
{
	return (c < 0x80 ? 1 : 2);
}

/* Whether a line may not start with 'c' (kinsoku: closing marks). */
static gboolean
no_start(gunichar c)
{
	return (c != 0 && g_utf8_strchr("、。，．）」』】〕！？ー々ぁぃぅぇぉっゃゅょ"
	    "ァィゥェォッャュョ", -1, c) != NULL);
}

/* Whether a line may not end with 'c' (opening marks). */
static gboolean
no_end(gunichar c)
{
	return (g_utf8_strchr("（「『【〔", -1, c) != NULL);
}

#define JIS_LINE	78	/* bytes of an ISO-2022-JP line at most */

/*
 * 'text' (UTF-8, CRLF or LF line ends) with its lines broken so that each
 * takes at most JIS_LINE bytes in ISO-2022-JP, escapes included: only
 * between two characters of which one is Japanese, or after a blank
 * (never inside an ASCII word or address, so a long link stays whole),
 * not before a closing mark nor after an opening one.  Allocated.
 */
static char *
jis_fold(const char *text)
{
	GString		*out = g_string_sized_new(strlen(text) + 64);
	const char	*line = text, *end;

	for (; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		const char	*p, *brk = NULL, *start = line;
		gsize		 used = 0;
		gboolean	 kanji = FALSE;

		end = line + strcspn(line, "\n");
		for (p = line; p < end && *p != '\r'; ) {
			gunichar c = g_utf8_get_char(p);
			gboolean wide = c >= 0x80;
			gsize need = jis_width(c) + (wide != kanji ? 3 : 0);

			if (p > start) {
				gunichar prev = g_utf8_get_char(
				    g_utf8_prev_char(p));

				if ((wide || prev >= 0x80 || prev == ' ') &&
				    !no_start(c) && !no_end(prev))
					brk = p;
			}
			/* room for the escape back to ASCII at the end */
			if (used + need + (wide ? 3 : 0) > JIS_LINE &&
			    brk != NULL) {
				g_string_append_len(out, start, brk - start);
				g_string_append(out, "\r\n");
				start = p = brk;	/* counted again */
				brk = NULL;
				used = 0;
				kanji = FALSE;
				continue;
			}
			used += need;
			kanji = wide;
			p = g_utf8_next_char(p);
		}
		g_string_append_len(out, start, end - start);
		if (*end == '\n')
			g_string_append_c(out, '\n');
	}
	return (g_string_free(out, FALSE));
}

/*
 * The Q-encoded text of the first 'n' bytes of UTF-8 'text' in charset
 * 'jp' ? ISO-2022-JP (each word a whole escape sequence, back to ASCII at
 * its end) : UTF-8; NULL if ISO-2022-JP cannot carry it.
 */
static char *
q_text(const char *text, gsize n, gboolean jp)
{
	GString	*out;
	char	*part = g_strndup(text, n), *bytes;
	gsize	 len, i;

	bytes = jp ? to_jis(part, &len) : g_strdup(part);
	len = jp ? len : n;
	g_free(part);
	if (bytes == NULL)
		return (NULL);
	out = g_string_new(NULL);
	for (i = 0; i < len; i++) {
		if (g_ascii_isalnum(bytes[i]) || strchr("!*+-/", bytes[i]) != NULL)
			g_string_append_c(out, bytes[i]);
		else if (bytes[i] == ' ')
			g_string_append_c(out, '_');
		else
			g_string_append_printf(out, "=%02X", (guchar)bytes[i]);
	}
	g_free(bytes);
	return (g_string_free(out, FALSE));
}

/*
 * 'subject' as the raw value of a Subject header: Q-encoded words of whole
 * characters, one per line, in UTF-8 or (if 'jp') ISO-2022-JP.  GMime
 * 3.2.13 writes B-encoded words longer than the 75 characters RFC 2047
 * allows (an ISO-2022-JP subject came out as one line of 141), and its
 * decoder drops everything after a B-word that ends in '=' padding
 * (upstream #133); Q-encoding has no padding.  Each word is at most 66
 * characters ("=?ISO-2022-JP?Q?" and "?=" take 18 of them), so the first
 * line is at most 75.
 */
static char *
encode_subject(const char *subject, gboolean jp)
{
	GString		*out = g_string_new(NULL);
	const char	*start = subject, *p, *next;
	const char	*cs = jp ? "ISO-2022-JP" : "UTF-8";
	gsize		 room = 66 - 7 - strlen(cs);
	char		*word = NULL, *longer;

	for (p = subject; *p != '\0'; p = next) {
		next = g_utf8_next_char(p);
		longer = q_text(start, (gsize)(next - start), jp);
		if (longer != NULL && strlen(longer) > room && p > start) {
			g_string_append_printf(out, " =?%s?Q?%s?=\n", cs, word);
			g_free(longer);
			start = p;
			longer = q_text(start, (gsize)(next - start), jp);
		}
		g_free(word);
		word = longer;
	}
	if (word != NULL && *word != '\0')
		g_string_append_printf(out, " =?%s?Q?%s?=\n", cs, word);
	g_free(word);
	return (g_string_free(out, FALSE));
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
	char			*subject = NULL, *name = NULL;
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
		char *mapped = jis_ready(crlf->str), *folded = jis_fold(mapped);

		subject = jis_ready(d->subject);
		name = d->from_name != NULL ? jis_ready(d->from_name) : NULL;
		jis = to_jis(folded, &jlen);
		jp = jis != NULL;
		for (i = 0; jp && i < 2; i++) {
			if ((i == 0 ? subject : name) == NULL)
				continue;
			t = to_jis(i == 0 ? subject : name, NULL);
			jp = t != NULL;
			g_free(t);
		}
		g_free(mapped);
		g_free(folded);
		if (fell_back != NULL)
			*fell_back = !jp;
	} else if (fell_back != NULL)
		*fell_back = FALSE;
	if (!jp) {
		g_free(subject);
		g_free(name);
		subject = g_strdup(d->subject);
		name = g_strdup(d->from_name);
	}
	cs = jp ? "iso-2022-jp" : "utf-8";

	m = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, name,
	    d->from_addr);
	if (d->to_addr != NULL)
		g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO,
		    name, d->to_addr);
	for (i = 0; jp && i < 2; i++) {
		list = g_mime_message_get_addresses(m, i == 0 ?
		    GMIME_ADDRESS_TYPE_FROM : GMIME_ADDRESS_TYPE_TO);
		if (list != NULL && internet_address_list_length(list) > 0)
			internet_address_set_charset(
			    internet_address_list_get_address(list, 0), cs);
	}
	g_mime_message_set_subject(m, subject, cs);
	if (!g_str_is_ascii(subject) && g_utf8_validate(subject, -1, NULL)) {
		char *raw = encode_subject(subject, jp);

		g_mime_header_set_raw_value(g_mime_header_list_get_header(
		    g_mime_object_get_header_list(GMIME_OBJECT(m)), "Subject"),
		    raw);
		g_free(raw);
	}
	g_mime_message_set_date(m, d->date);
	g_mime_message_set_message_id(m, d->message_id);
	g_mime_object_set_header(GMIME_OBJECT(m), DRAFT_THREAD_HEADER,
	    d->thread, NULL);
	g_snprintf(step, sizeof step, "%u", d->step);
	g_mime_object_set_header(GMIME_OBJECT(m), DRAFT_STEP_HEADER, step,
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
	g_free(subject);
	g_free(name);
	*len = strlen(wire);
	return (wire);
}
