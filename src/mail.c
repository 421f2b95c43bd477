/*
 * mail.c: notification mail into plain UTF-8 fields, with GMime.
 */
#include "mail.h"

#include <string.h>

#include <gmime/gmime.h>

#include "error.h"

void
mail_init(void)
{
	/* Undeclared 8-bit text: the first charset that fits wins. */
	static const char *fallback[] = { "utf-8", "euc-jp", "cp932",
	    "iso-8859-1", NULL };

	g_mime_init();
	g_mime_parser_options_set_fallback_charsets(
	    g_mime_parser_options_get_default(), fallback);
}

/* Bytes of unknown charset to valid UTF-8. */
static char *
to_utf8(const char *bytes, gsize len, const char *charset)
{
	char	*out = NULL;

	/* an empty part has no buffer at all: bytes is NULL */
	if (len == 0)
		return (g_strdup(""));
	if (charset != NULL) {
		const char *cs = g_mime_charset_iconv_name(charset);

		out = g_convert(bytes, (gssize)len, "UTF-8", cs, NULL, NULL,
		    NULL);
	}
	if (out == NULL && g_utf8_validate(bytes, (gssize)len, NULL))
		out = g_strndup(bytes, len);
	if (out == NULL)
		out = g_mime_utils_decode_8bit(NULL, bytes, len);
	return (out);
}

/* The payload of one encoded word as bytes. */
static GByteArray *
decode_word(char enc, const char *text, gsize len)
{
	GByteArray	*b = g_byte_array_new();
	gsize		 i;

	if (enc == 'B' || enc == 'b') {
		gint		 state = 0;
		guint		 save = 0;
		guchar		*out = g_malloc(len * 3 / 4 + 3);
		gsize		 n;

		n = g_base64_decode_step(text, len, out, &state, &save);
		g_byte_array_append(b, out, (guint)n);
		g_free(out);
		return (b);
	}
	for (i = 0; i < len; i++) {
		guint8 c = (guint8)text[i];

		if (c == '_')
			c = ' ';
		else if (c == '=' && i + 2 < len &&
		    g_ascii_isxdigit(text[i + 1]) &&
		    g_ascii_isxdigit(text[i + 2])) {
			c = (guint8)(g_ascii_xdigit_value(text[i + 1]) * 16 +
			    g_ascii_xdigit_value(text[i + 2]));
			i += 2;
		}
		g_byte_array_append(b, &c, 1);
	}
	return (b);
}

static void
append_text(GString *out, const char *bytes, gsize len)
{
	char	*t = to_utf8(bytes, len, NULL);

	g_string_append(out, t);
	g_free(t);
}

/* Convert the pending run of encoded-word bytes and append it. */
static void
flush_run(GString *out, GByteArray **run, char **charset)
{
	char	*t = to_utf8((char *)(*run)->data, (*run)->len, *charset);

	g_string_append(out, t);
	g_free(t);
	g_byte_array_unref(*run);
	*run = NULL;
	g_clear_pointer(charset, g_free);
}

char *
mail_decode_header(const char *raw)
{
	static GRegex	*word;
	GMatchInfo	*mi = NULL;
	GString		*out = g_string_new(NULL);
	GByteArray	*run = NULL;	/* bytes of adjacent words */
	char		*run_cs = NULL, *unfolded, *p;
	gsize		 pos = 0;

	if (word == NULL)
		word = g_regex_new("=\\?([^?\\s*]+)(?:\\*[^?\\s]*)?\\?([BbQq])"
		    "\\?([^?\\s]*)\\?=", G_REGEX_OPTIMIZE | G_REGEX_RAW, 0,
		    NULL);
	/* Unfold: line breaks go, the blanks after them stay. */
	unfolded = g_strdup(raw);
	for (p = unfolded; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			memmove(p, p + 1, strlen(p)), p--;

	g_regex_match(word, unfolded, 0, &mi);
	while (g_match_info_matches(mi)) {
		GByteArray	*w;
		gint		 s, e, ts, te;
		char		*cs, *enc;
		gsize		 i;
		gboolean	 blank = TRUE;

		g_match_info_fetch_pos(mi, 0, &s, &e);
		g_match_info_fetch_pos(mi, 3, &ts, &te);
		cs = g_match_info_fetch(mi, 1);
		enc = g_match_info_fetch(mi, 2);
		w = decode_word(enc[0], unfolded + ts, (gsize)(te - ts));
		for (i = pos; i < (gsize)s; i++)
			if (!g_ascii_isspace(unfolded[i]))
				blank = FALSE;
		if (run != NULL && blank &&
		    g_ascii_strcasecmp(cs, run_cs) == 0) {
			/* one text split over several words */
			g_byte_array_append(run, w->data, w->len);
			g_byte_array_unref(w);
			g_free(cs);
		} else {
			gboolean after_word = run != NULL;

			if (run != NULL)
				flush_run(out, &run, &run_cs);
			/* blanks between two encoded words are dropped */
			if (!(blank && after_word))
				append_text(out, unfolded + pos,
				    (gsize)s - pos);
			run = w;
			run_cs = cs;
		}
		g_free(enc);
		pos = (gsize)e;
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	if (run != NULL)
		flush_run(out, &run, &run_cs);
	append_text(out, unfolded + pos, strlen(unfolded + pos));
	g_free(unfolded);
	/* No control characters survive into a decoded value. */
	for (p = out->str; *p != '\0'; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return (g_strstrip(g_string_free(out, FALSE)));
}

char *
mail_html_to_text(const char *html)
{
	static const struct {
		const char	*name;
		const char	*text;
	} entities[] = {
		{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
		{ "apos", "'" }, { "nbsp", " " }, { "#39", "'" },
	};
	GString		*out = g_string_new(NULL);
	const char	*p = html, *end;
	gsize		 i;

	while (*p != '\0') {
		if (*p == '<') {
			if ((end = strchr(p, '>')) == NULL)
				break;
			if (g_ascii_strncasecmp(p, "<br", 3) == 0 ||
			    g_ascii_strncasecmp(p, "</p", 3) == 0 ||
			    g_ascii_strncasecmp(p, "</div", 5) == 0 ||
			    g_ascii_strncasecmp(p, "</tr", 4) == 0)
				g_string_append_c(out, '\n');
			else if (g_ascii_strncasecmp(p, "<style", 6) == 0 ||
			    g_ascii_strncasecmp(p, "<script", 7) == 0) {
				const char *close = g_ascii_strncasecmp(p,
				    "<style", 6) == 0 ? "</style" : "</script";
				const char *q = end;

				while ((q = strchr(q, '<')) != NULL &&
				    g_ascii_strncasecmp(q, close,
				    strlen(close)) != 0)
					q++;
				if (q == NULL || (end = strchr(q, '>')) ==
				    NULL)
					break;
			}
			p = end + 1;
			continue;
		}
		if (*p == '\r' || *p == '\n') {
			/* HTML line breaks come from tags, not from source */
			p++;
			continue;
		}
		if (*p == '&' && (end = strchr(p, ';')) != NULL &&
		    end - p < 10) {
			gsize n = (gsize)(end - p - 1);

			for (i = 0; i < G_N_ELEMENTS(entities); i++)
				if (strlen(entities[i].name) == n &&
				    strncmp(p + 1, entities[i].name, n) == 0)
					break;
			if (i < G_N_ELEMENTS(entities)) {
				g_string_append(out, entities[i].text);
				p = end + 1;
				continue;
			}
			if (p[1] == '#') {
				gunichar c = p[2] == 'x' || p[2] == 'X' ?
				    (gunichar)g_ascii_strtoull(p + 3, NULL,
				    16) : (gunichar)g_ascii_strtoull(p + 2,
				    NULL, 10);

				if (c != 0 && g_unichar_validate(c)) {
					g_string_append_unichar(out, c);
					p = end + 1;
					continue;
				}
			}
		}
		g_string_append_c(out, *p++);
	}
	return (g_string_free(out, FALSE));
}

/* The text/plain part, else the text/html one; not attachments. */
static GMimeTextPart *
pick_body(GMimeMessage *m, gboolean *is_html)
{
	GMimeTextPart	*plain = NULL, *html = NULL;
	GMimePartIter	*it;
	GMimeObject	*top = g_mime_message_get_mime_part(m);

	*is_html = FALSE;
	if (top == NULL)
		return (NULL);
	if (GMIME_IS_TEXT_PART(top)) {
		GMimeContentType *ct = g_mime_object_get_content_type(top);

		*is_html = g_mime_content_type_is_type(ct, "text", "html");
		return (GMIME_TEXT_PART(top));
	}
	it = g_mime_part_iter_new(top);
	do {
		GMimeObject		*o = g_mime_part_iter_get_current(it);
		GMimeContentType	*ct;

		if (o == NULL || !GMIME_IS_TEXT_PART(o) ||
		    g_mime_part_is_attachment(GMIME_PART(o)))
			continue;
		ct = g_mime_object_get_content_type(o);
		if (plain == NULL &&
		    g_mime_content_type_is_type(ct, "text", "plain"))
			plain = GMIME_TEXT_PART(o);
		else if (html == NULL &&
		    g_mime_content_type_is_type(ct, "text", "html"))
			html = GMIME_TEXT_PART(o);
	} while (g_mime_part_iter_next(it));
	g_mime_part_iter_free(it);
	*is_html = plain == NULL && html != NULL;
	return (plain != NULL ? plain : html);
}

/* The decoded content of a text part, whatever its charset claims. */
static char *
part_text(GMimeTextPart *tp)
{
	GMimeDataWrapper	*dw;
	GMimeStream		*mem;
	GByteArray		*bytes;
	const char		*charset;
	char			*text;

	dw = g_mime_part_get_content(GMIME_PART(tp));
	if (dw == NULL)
		return (g_strdup(""));
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	charset = g_mime_text_part_get_charset(tp);
	text = to_utf8((char *)bytes->data, bytes->len, charset);
	g_object_unref(mem);
	return (text);
}

static char *
raw_header(GMimeObject *o, const char *name)
{
	GMimeHeader	*h;

	h = g_mime_header_list_get_header(g_mime_object_get_header_list(o),
	    name);
	if (h == NULL || g_mime_header_get_raw_value(h) == NULL)
		return (g_strdup(""));
	return (mail_decode_header(g_mime_header_get_raw_value(h)));
}

gboolean
mail_parse(const char *raw, gsize len, struct mail *m, GError **err)
{
	GMimeStream		*st;
	GMimeParser		*p;
	GMimeMessage		*msg;
	InternetAddressList	*from;
	GMimeTextPart		*tp;
	GDateTime		*date;
	const char		*id;
	gboolean		 is_html;
	char			*text, *q, *w;

	memset(m, 0, sizeof *m);
	st = g_mime_stream_mem_new_with_buffer(raw, len);
	p = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	if (msg == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    "not a mail message");
		return (FALSE);
	}
	id = g_mime_message_get_message_id(msg);
	m->message_id = id != NULL && *id != '\0' ? g_strdup(id) : NULL;
	m->subject = raw_header(GMIME_OBJECT(msg), "Subject");
	m->from_addr = g_strdup("");
	m->from_name = g_strdup("");
	from = g_mime_message_get_from(msg);
	if (from != NULL && internet_address_list_length(from) > 0) {
		InternetAddress *a = internet_address_list_get_address(from,
		    0);

		if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
			g_free(m->from_addr);
			m->from_addr = g_ascii_strdown(
			    internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a)), -1);
		}
		/* the name again by hand: GMime 3.2.13 may cut it (#133) */
		if (internet_address_get_name(a) != NULL) {
			char *full = raw_header(GMIME_OBJECT(msg), "From");
			char *lt = strrchr(full, '<');

			if (lt != NULL) {
				*lt = '\0';
				g_strstrip(full);
				if (full[0] == '"' && strlen(full) > 1 &&
				    full[strlen(full) - 1] == '"') {
					full[strlen(full) - 1] = '\0';
					memmove(full, full + 1, strlen(full));
				}
				g_free(m->from_name);
				m->from_name = g_strdup(full);
			}
			g_free(full);
		}
	}
	date = g_mime_message_get_date(msg);
	m->date = date != NULL ? g_date_time_to_unix(date) : 0;

	tp = pick_body(msg, &is_html);
	text = tp != NULL ? part_text(tp) : g_strdup("");
	if (is_html) {
		char *t = mail_html_to_text(text);
		g_free(text);
		text = t;
	}
	/* CRLF and CR to LF */
	for (q = w = text; *q != '\0'; q++) {
		if (*q == '\r') {
			*w++ = '\n';
			if (q[1] == '\n')
				q++;
		} else
			*w++ = *q;
	}
	*w = '\0';
	m->body = text;
	g_object_unref(msg);
	return (TRUE);
}

void
mail_clear(struct mail *m)
{
	g_free(m->message_id);
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->body);
	memset(m, 0, sizeof *m);
}
