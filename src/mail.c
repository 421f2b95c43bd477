/*
 * mail.c: notification mail into plain UTF-8 fields, with GMime: the
 * parts, the sender, HTML to text and links.  Charsets are
 * mail-charset.c's, forwarded mail mail-forward.c's.
 */
#include <glib/gi18n.h>

#include "mail.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "error.h"
#include "mail-int.h"

void
mail_init(void)
{
	/* Undeclared 8-bit text: the first charset that fits wins. */
	static const char *fallback[] = { "utf-8", "euc-jp", "cp932",
	    "iso-8859-1", NULL };

	g_mime_init();
	xmlInitParser();
	g_mime_parser_options_set_fallback_charsets(
	    g_mime_parser_options_get_default(), fallback);
}

/* Elements whose end is a line end in text, as a browser lays them out. */
static const char *const html_blocks[] = { "address", "article", "aside",
    "blockquote", "dd", "div", "dl", "dt", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tr", "ul", NULL };

/*
 * Append the text under 'n' to 'out', as mail_html_to_text() says, and
 * (when 'links' is not NULL) the href of every <a> and <area>, a line
 * each.
 */
static void
html_walk(xmlNode *n, GString *out, GString *links)
{
	const char	*name, *p;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			for (p = (const char *)n->content; p != NULL && *p != '\0';
			    p++) {
				/* source line breaks are not text */
				if (*p == '\r' || *p == '\n')
					continue;
				/* U+00A0 (&nbsp;) is a blank like any other */
				if ((guchar)p[0] == 0xc2 && (guchar)p[1] == 0xa0) {
					g_string_append_c(out, ' ');
					p++;
					continue;
				}
				g_string_append_c(out, *p);
			}
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;	/* comments, processing instructions */
		name = (const char *)n->name;
		if (links != NULL && (g_ascii_strcasecmp(name, "a") == 0 ||
		    g_ascii_strcasecmp(name, "area") == 0)) {
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");

			if (href != NULL) {
				char *h = g_strstrip(g_strdup((char *)href));

				g_strdelimit(h, "\r\n", ' ');
				if (*h != '\0')
					g_string_append_printf(links, "%s\n", h);
				g_free(h);
				xmlFree(href);
			}
		}
		if (g_ascii_strcasecmp(name, "script") == 0 ||
		    g_ascii_strcasecmp(name, "style") == 0 ||
		    g_ascii_strcasecmp(name, "head") == 0)
			continue;
		if (g_ascii_strcasecmp(name, "br") == 0) {
			g_string_append_c(out, '\n');
			continue;
		}
		html_walk(n->children, out, links);
		if (g_strv_contains(html_blocks, name) &&
		    (out->len == 0 || out->str[out->len - 1] != '\n'))
			g_string_append_c(out, '\n');
		else if ((g_ascii_strcasecmp(name, "td") == 0 ||
		    g_ascii_strcasecmp(name, "th") == 0) && n->next != NULL)
			g_string_append_c(out, ' ');
	}
}

/* mail_html_to_text(), with the links into 'links' when not NULL. */
static char *
html_read(const char *html, GString *links)
{
	GString	*out = g_string_new(NULL);
	htmlDocPtr doc;

	if (*html == '\0')
		return (g_string_free(out, FALSE));
	/* libxml2's HTML parser, as lenient as a browser, never fetching */
	doc = htmlReadMemory(html, (int)MIN(strlen(html), (gsize)G_MAXINT),
	    NULL, "UTF-8", HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc != NULL) {
		html_walk(doc->children, out, links);
		xmlFreeDoc(doc);
	}
	return (g_string_free(out, FALSE));
}

char *
mail_html_to_text(const char *html)
{
	return (html_read(html, NULL));
}

char *
mail_html_links(const char *html)
{
	GString	*links = g_string_new(NULL);

	g_free(html_read(html, links));
	return (g_string_free(links, FALSE));
}

/* The text/plain part under 'top', else the text/html one; not
 * attachments. */
static GMimeTextPart *
pick_body(GMimeObject *top, gboolean *is_html)
{
	GMimeTextPart	*plain = NULL, *html = NULL;
	GMimePartIter	*it;

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

/*
 * A multipart whose Content-Type lost its boundary parameter has no
 * parts: GMime keeps everything as the prologue.  Its first "--" line is
 * the boundary, so parse the prologue again with it.  Returns a new
 * object (g_object_unref) or NULL.
 */
static GMimeObject *
salvage_multipart(GMimeObject *top)
{
	GMimeMultipart	*mp;
	GMimeStream	*st;
	GMimeParser	*p;
	GMimeObject	*o;
	const char	*prologue;
	char		*boundary, *text, *mime;

	if (top == NULL || !GMIME_IS_MULTIPART(top))
		return (NULL);
	mp = GMIME_MULTIPART(top);
	prologue = g_mime_multipart_get_prologue(mp);
	if (g_mime_multipart_get_count(mp) > 0 || prologue == NULL ||
	    strncmp(prologue, "--", 2) != 0)
		return (NULL);
	boundary = g_strndup(prologue + 2, strcspn(prologue + 2, "\r\n"));
	g_strstrip(boundary);
	mime = g_mime_content_type_get_mime_type(
	    g_mime_object_get_content_type(top));
	text = g_strdup_printf("Content-Type: %s; boundary=\"%s\"\r\n\r\n"
	    "%s\r\n", mime, boundary, prologue);
	st = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	p = g_mime_parser_new_with_stream(st);
	o = g_mime_parser_construct_part(p, NULL);
	g_object_unref(p);
	g_object_unref(st);
	g_free(text);
	g_free(mime);
	g_free(boundary);
	return (o);
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
	charset = g_mime_text_part_get_charset(tp);
	if (g_mime_data_wrapper_get_encoding(dw) ==
	    GMIME_CONTENT_ENCODING_BASE64) {
		/* GMime drops the last quantum of unpadded base64 */
		GByteArray	*dec = g_byte_array_new();
		GString		*carry = g_string_new(NULL);
		GMimeStream	*raw = g_mime_data_wrapper_get_stream(dw);

		g_mime_stream_reset(raw);
		g_mime_stream_write_to_stream(raw, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		charset_base64(dec, carry, (const char *)bytes->data, bytes->len);
		charset_base64(dec, carry, "=", 1);
		text = charset_to_utf8((char *)dec->data, dec->len, charset);
		g_byte_array_unref(dec);
		g_string_free(carry, TRUE);
	} else {
		g_mime_data_wrapper_write_to_stream(dw, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		text = charset_to_utf8((char *)bytes->data, bytes->len, charset);
	}
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

/* CRLF and CR to LF, in place. */
static void
to_lf(char *text)
{
	char	*q, *w;

	for (q = w = text; *q != '\0'; q++) {
		if (*q == '\r') {
			*w++ = '\n';
			if (q[1] == '\n')
				q++;
		} else
			*w++ = *q;
	}
	*w = '\0';
}

/* Split "Name <addr>" (or "addr", "Name [mailto:addr]") into 'm'. */
gboolean
mail_set_sender(struct mail *m, const char *value)
{
	static GRegex	*addr;
	GMatchInfo	*mi;
	char		*a, *name;
	gint		 s, e;

	if (addr == NULL)
		addr = g_regex_new("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
		    "[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+", G_REGEX_OPTIMIZE, 0,
		    NULL);
	if (!g_regex_match(addr, value, 0, &mi)) {
		g_match_info_free(mi);
		return (FALSE);
	}
	a = g_match_info_fetch(mi, 0);
	g_match_info_fetch_pos(mi, 0, &s, &e);
	g_match_info_free(mi);
	g_free(m->from_addr);
	m->from_addr = g_ascii_strdown(a, -1);
	g_free(a);
	/* the name is what comes before the address and its bracket */
	name = g_strndup(value, (gsize)s);
	g_strdelimit(name, "<[\"", ' ');
	if (g_str_has_suffix(g_strstrip(name), "mailto:"))
		name[strlen(name) - 7] = '\0';
	g_free(m->from_name);
	m->from_name = g_strdup(g_strstrip(name));
	g_free(name);
	return (TRUE);
}

/* Add the links of HTML part 'o' (not an attachment, not 'skip') to
 * 'links'. */
static void
part_links(GMimeObject *o, GMimeObject *skip, GString *links)
{
	char	*text;

	if (o == NULL || o == skip || !GMIME_IS_TEXT_PART(o) ||
	    g_mime_part_is_attachment(GMIME_PART(o)) ||
	    !g_mime_content_type_is_type(g_mime_object_get_content_type(o),
	    "text", "html"))
		return;
	text = part_text(GMIME_TEXT_PART(o));
	g_free(html_read(text, links));
	g_free(text);
}

/* Add the links of every HTML part under 'top' but 'skip' to 'links', a
 * line each. */
static void
html_links(GMimeObject *top, GMimeObject *skip, GString *links)
{
	GMimePartIter	*it;

	if (top == NULL || GMIME_IS_TEXT_PART(top)) {
		part_links(top, skip, links);
		return;
	}
	it = g_mime_part_iter_new(top);
	do
		part_links(g_mime_part_iter_get_current(it), skip, links);
	while (g_mime_part_iter_next(it));
	g_mime_part_iter_free(it);
}

/* Sender, subject, date and body of 'msg' into 'm' (replacing). */
void
mail_read_message(GMimeMessage *msg, struct mail *m)
{
	InternetAddressList	*from;
	GMimeTextPart		*tp;
	GMimeObject		*fixed = NULL;
	GDateTime		*date;
	gboolean		 is_html;
	GString			*links;
	char			*text;

	g_free(m->subject);
	m->subject = raw_header(GMIME_OBJECT(msg), "Subject");
	g_free(m->from_addr);
	m->from_addr = g_strdup("");
	g_free(m->from_name);
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
	/* GMime finds no address behind an undeclared 8-bit name */
	if (*m->from_addr == '\0') {
		char *full = raw_header(GMIME_OBJECT(msg), "From");

		mail_set_sender(m, full);
		g_free(full);
	}
	date = g_mime_message_get_date(msg);
	m->date = date != NULL ? g_date_time_to_unix(date) : 0;

	tp = pick_body(g_mime_message_get_mime_part(msg), &is_html);
	if (tp == NULL && (fixed = salvage_multipart(
	    g_mime_message_get_mime_part(msg))) != NULL)
		tp = pick_body(fixed, &is_html);
	text = tp != NULL ? part_text(tp) : g_strdup("");
	links = g_string_new(NULL);
	if (is_html) {
		/* one parse gives the text and its links, which come first */
		char *t = html_read(text, links);
		g_free(text);
		text = t;
	}
	html_links(fixed != NULL ? fixed : g_mime_message_get_mime_part(msg),
	    is_html ? GMIME_OBJECT(tp) : NULL, links);
	if (fixed != NULL)
		g_object_unref(fixed);
	g_free(m->links);
	m->links = g_string_free(links, FALSE);
	to_lf(text);
	g_free(m->body);
	m->body = text;
}

gboolean
mail_parse(const char *raw, gsize len, struct mail *m, GError **err)
{
	GMimeStream		*st;
	GMimeParser		*p;
	GMimeMessage		*msg;
	const char		*id;

	memset(m, 0, sizeof *m);
	charset_keep();
	st = g_mime_stream_mem_new_with_buffer(raw, len);
	p = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(p, NULL);
	g_object_unref(p);
	if (msg == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("not a mail message"));
		return (FALSE);
	}
	id = g_mime_message_get_message_id(msg);
	m->message_id = id != NULL && *id != '\0' ? g_strdup(id) : NULL;
	mail_read_message(msg, m);
	mail_read_forward(msg, m);
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
	g_free(m->links);
	g_free(m->forwarded_by);
	memset(m, 0, sizeof *m);
}

char *
mail_message_id(const char *raw, gsize len)
{
	const char	*p = raw, *end = raw + len, *eol;
	GString		*field = NULL;
	char		*id = NULL, *lt, *gt;

	/* header lines up to the first empty one; a folded line goes on */
	for (; p < end && *p != '\r' && *p != '\n'; p = eol) {
		gsize n;

		eol = memchr(p, '\n', (gsize)(end - p));
		eol = eol != NULL ? eol + 1 : end;
		n = (gsize)(eol - p);
		if (field != NULL && (*p == ' ' || *p == '\t'))
			g_string_append_len(field, p, (gssize)n);
		else if (field != NULL)
			break;
		else if (n > 11 && g_ascii_strncasecmp(p, "Message-ID:", 11) ==
		    0)
			field = g_string_new_len(p + 11, (gssize)(n - 11));
	}
	if (field == NULL)
		return (NULL);
	if ((lt = strchr(field->str, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL && gt > lt + 1)
		id = g_strndup(lt + 1, (gsize)(gt - lt - 1));
	g_string_free(field, TRUE);
	return (id);
}
