/*
 * mail.c: notification mail into plain UTF-8 fields, with GMime.
 */
#include <glib/gi18n.h>

#include "mail.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "error.h"

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

static gboolean
charset_is(const char *charset, const char *const *names)
{
	gsize	i;

	for (i = 0; names[i] != NULL; i++)
		if (g_ascii_strcasecmp(charset, names[i]) == 0)
			return (TRUE);
	return (FALSE);
}

/* CP932 bytes to UTF-8; a character CP932 lacks becomes U+FFFD, so one
 * bad pair costs one character, not the text. */
static char *
cp932_to_utf8(const guint8 *b, gsize len)
{
	GString	*out;
	char	*t;
	gsize	 i, n;

	if ((t = g_convert((const char *)b, (gssize)len, "UTF-8", "CP932",
	    NULL, NULL, NULL)) != NULL)
		return (t);
	out = g_string_new(NULL);
	for (i = 0; i < len; i += n) {
		n = (b[i] >= 0x81 && b[i] <= 0x9f) || (b[i] >= 0xe0 &&
		    b[i] <= 0xfc) ? 2 : 1;
		if (i + n > len)
			n = len - i;
		if ((t = g_convert((const char *)b + i, (gssize)n, "UTF-8",
		    "CP932", NULL, NULL, NULL)) != NULL)
			g_string_append(out, t);
		else
			g_string_append(out, "\xef\xbf\xbd");
		g_free(t);
	}
	return (g_string_free(out, FALSE));
}

/*
 * ISO-2022-JP as Windows writes it (CP50220): JIS X 0208 pairs that may
 * be NEC row 13 or IBM extension characters (①, ㈱), which glibc's
 * ISO-2022-JP refuses, taking the rest of the text with it.  glibc has no
 * CP50220, so map each pair to Shift_JIS arithmetically and decode that
 * as CP932, which has those characters.  Returns NULL when the bytes are
 * not 7-bit.
 */
static char *
jis_to_utf8(const char *bytes, gsize len)
{
	enum { ASCII, KANJI, KANA, OTHER } mode = ASCII;
	GByteArray	*sj = g_byte_array_sized_new((guint)len);
	const guint8	*b = (const guint8 *)bytes;
	char		*out;
	gsize		 i;

	for (i = 0; i < len; i++) {
		guint8 c = b[i], s[2];

		if (c == 0x1b && i + 2 < len) {
			if (b[i + 1] == '$' && (b[i + 2] == 'B' ||
			    b[i + 2] == '@'))
				mode = KANJI;
			else if (b[i + 1] == '(' && (b[i + 2] == 'B' ||
			    b[i + 2] == 'J'))
				mode = ASCII;
			else if (b[i + 1] == '(' && b[i + 2] == 'I')
				mode = KANA;
			else if (b[i + 1] == '$' && b[i + 2] == '(' &&
			    i + 3 < len) {
				/* JIS X 0212 is not in CP932; JIS X 0213
				 * plane 1 is a superset of JIS X 0208 */
				mode = b[i + 3] == 'D' ? OTHER : KANJI;
				i++;
			} else {
				g_byte_array_append(sj, &c, 1);
				continue;
			}
			i += 2;
			continue;
		}
		if (c >= 0x80) {
			g_byte_array_unref(sj);
			return (NULL);
		}
		if (c == 0x0e || c == 0x0f) {	/* SO/SI: CP50221 kana */
			mode = c == 0x0e ? KANA : ASCII;
			continue;
		}
		if (mode == KANA && c >= 0x21 && c <= 0x5f)
			c += 0x80;
		else if ((mode == KANJI || mode == OTHER) && c >= 0x21 &&
		    c <= 0x7e && i + 1 < len && b[i + 1] >= 0x21 &&
		    b[i + 1] <= 0x7e) {
			guint8 j1 = c, j2 = b[++i];

			if (mode == OTHER) {
				s[0] = 0x81;	/* '〓', the geta mark */
				s[1] = 0xac;
			} else {
				s[0] = (guint8)(((j1 - 0x21) >> 1) + 0x81);
				if (s[0] > 0x9f)
					s[0] += 0x40;
				s[1] = (guint8)(j1 & 1 ? j2 + (j2 >= 0x60 ?
				    0x20 : 0x1f) : j2 + 0x7e);
			}
			g_byte_array_append(sj, s, 2);
			continue;
		}
		g_byte_array_append(sj, &c, 1);
	}
	out = cp932_to_utf8(sj->data, sj->len);
	g_byte_array_unref(sj);
	return (out);
}

/* 'bytes' made valid UTF-8 if at most one in four of its non-ASCII
 * characters is bad; else NULL. */
static char *
mostly_utf8(const char *bytes, gsize len)
{
	char		*v = g_utf8_make_valid(bytes, (gssize)len);
	const char	*p;
	gsize		 bad = 0, wide = 0;

	for (p = v; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == 0xfffd)
			bad++;
		else if (c >= 0x80)
			wide++;
	}
	if (bad * 4 > wide + bad) {
		g_free(v);
		return (NULL);
	}
	return (v);
}

/*
 * The characters CP932 (and EUC-JP-MS) map apart from JIS X 0208, as
 * JIS X 0208 maps them (glibc's ISO-2022-JP and EUC-JP): 〜 whether the
 * mail was Shift_JIS, ISO-2022-JP with an NEC character or without.
 */
static const gunichar jis_unified[][2] = {
	{ 0xff5e, 0x301c },	/* ～ to 〜 WAVE DASH */
	{ 0x2225, 0x2016 },	/* ∥ to ‖ DOUBLE VERTICAL LINE */
	{ 0xff0d, 0x2212 },	/* － to − MINUS SIGN */
	{ 0xffe0, 0x00a2 },	/* ￠ to ¢ */
	{ 0xffe1, 0x00a3 },	/* ￡ to £ */
	{ 0xffe2, 0x00ac },	/* ￢ to ¬ */
};

/* 'text' (UTF-8, taken) with jis_unified applied; allocated. */
static char *
jis_unify(char *text)
{
	GString		*out;
	const char	*p;
	gsize		 i;

	for (p = text; *p != '\0'; p++)
		if ((guchar)*p == 0xef || (guchar)*p == 0xe2)
			break;
	if (*p == '\0')
		return (text);
	out = g_string_sized_new(strlen(text));
	for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		for (i = 0; i < G_N_ELEMENTS(jis_unified); i++)
			if (c == jis_unified[i][0]) {
				c = jis_unified[i][1];
				break;
			}
		g_string_append_unichar(out, c);
	}
	g_free(text);
	return (g_string_free(out, FALSE));
}

/* Whether 'charset' is a single-byte one (Latin-1 and its kind), which
 * valid UTF-8 with non-ASCII characters cannot really be. */
static gboolean
single_byte(const char *charset)
{
	static const char *const prefixes[] = { "iso-8859", "iso8859",
	    "iso_8859", "windows-125", "cp125", "latin", "us-ascii", "ascii",
	    NULL };
	gsize	i;

	for (i = 0; prefixes[i] != NULL; i++)
		if (g_ascii_strncasecmp(charset, prefixes[i],
		    strlen(prefixes[i])) == 0)
			return (TRUE);
	return (FALSE);
}

static gboolean
has_8bit(const char *bytes, gsize len)
{
	gsize	i;

	for (i = 0; i < len; i++)
		if ((guchar)bytes[i] >= 0x80)
			return (TRUE);
	return (FALSE);
}

/* Whether 'bytes' are 7-bit with an ISO-2022-JP escape into JIS X 0208. */
static gboolean
looks_jis(const char *bytes, gsize len)
{
	return (!has_8bit(bytes, len) && (g_strstr_len(bytes, (gssize)len, "\x1b$B") != NULL ||
	    g_strstr_len(bytes, (gssize)len, "\x1b$@") != NULL));
}

/*
 * Bytes of unknown charset to valid UTF-8; a NUL becomes a blank.  The
 * bytes win over a label that contradicts them: ISO-2022-JP escapes are
 * ISO-2022-JP, valid UTF-8 labelled as a single-byte charset is UTF-8.
 * Japanese charsets come out as JIS X 0208 maps them (jis_unified).
 */
static char *
to_utf8(const char *bytes, gsize len, const char *charset)
{
	/* glibc's SHIFT_JIS reads 0x5C as '¥' and 0x7E as '‾' and lacks ①;
	 * senders mean CP932 */
	static const char *const sjis[] = { "shift_jis", "shift-jis",
	    "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j",
	    "cp932", "x-ms-cp932", NULL };
	static const char *const jis[] = { "iso-2022-jp", "csiso2022jp",
	    "iso-2022-jp-ms", "cp50220", "cp50221", "cp50222", NULL };
	static const char *const eucjp[] = { "euc-jp", "x-euc-jp", "eucjp",
	    "cseucpkdfmtjapanese", NULL };
	static const char *const utf8[] = { "utf-8", "utf8", "us-ascii",
	    NULL };
	char	*out = NULL;

	/* an empty part has no buffer at all: bytes is NULL */
	if (bytes == NULL || len == 0)
		return (g_strdup(""));
	/* NUL is not text (RFC 5322) and, converted, would end the string
	 * and the text with it: each becomes a blank first (in an
	 * ASCII-based charset it is never part of a character) */
	if (memchr(bytes, '\0', len) != NULL) {
		char	*copy = g_memdup2(bytes, len);
		gsize	 i;

		for (i = 0; i < len; i++)
			if (copy[i] == '\0')
				copy[i] = ' ';
		out = to_utf8(copy, len, charset);
		g_free(copy);
		return (out);
	}
	/* ISO-2022-JP, whatever the label says (undeclared, it passes as
	 * ASCII; labelled Shift_JIS, as garbage) */
	if (looks_jis(bytes, len))
		return (jis_unify(jis_to_utf8(bytes, len)));
	if (charset != NULL && single_byte(charset) && has_8bit(bytes, len) &&
	    g_utf8_validate(bytes, (gssize)len, NULL))
		return (g_strndup(bytes, len));
	if (charset != NULL) {
		const char *cs = charset_is(charset, sjis) ? "CP932" :
		    g_mime_charset_iconv_name(charset);

		out = g_convert(bytes, (gssize)len, "UTF-8", cs, NULL, NULL,
		    NULL);
		if (out == NULL && charset_is(charset, jis))
			out = jis_to_utf8(bytes, len);
		if (out == NULL && charset_is(charset, eucjp))
			out = g_convert(bytes, (gssize)len, "UTF-8",
			    "EUC-JP-MS", NULL, NULL, NULL);
		if (out != NULL && (charset_is(charset, sjis) ||
		    charset_is(charset, jis) || charset_is(charset, eucjp)))
			out = jis_unify(out);
	}
	if (out == NULL && g_utf8_validate(bytes, (gssize)len, NULL))
		out = g_strndup(bytes, len);
	/* UTF-8 with a few bad bytes (a broken encoded word, a cut
	 * character) stays UTF-8; guessing another charset for the whole
	 * text would garble all of it */
	if (out == NULL && charset != NULL && charset_is(charset, utf8))
		out = mostly_utf8(bytes, len);
	if (out == NULL)
		out = jis_unify(g_mime_utils_decode_8bit(NULL, bytes, len));
	/* iconv's UTF-8 (and so GMime's) lets through code points past
	 * U+10FFFF, which are not UTF-8 to GLib */
	if (!g_utf8_validate(out, -1, NULL)) {
		char *v = g_utf8_make_valid(out, -1);

		g_free(out);
		out = v;
	}
	return (out);
}

/*
 * Append to 'b' the bytes of base64 'text' ('len' bytes), decoded after
 * 'carry': the characters of a quantum the word before in the same run
 * left unfinished (a mailer may fold mid-quantum).  What this word leaves
 * unfinished stays in 'carry', unless it has '=' padding, which ends its
 * quantum.  Characters that are no base64 are skipped.
 */
static void
b64_append(GByteArray *b, GString *carry, const char *text, gsize len)
{
	gboolean	 padded = FALSE;
	gsize		 i, n;

	for (i = 0; i < len; i++) {
		if (text[i] == '=')
			padded = TRUE;
		else if (g_ascii_isalnum(text[i]) || text[i] == '+' ||
		    text[i] == '/')
			g_string_append_c(carry, text[i]);
	}
	n = padded ? carry->len : carry->len / 4 * 4;
	if (n > 0) {
		GString	*quanta = g_string_new_len(carry->str, (gssize)n);
		gint	 state = 0;
		guint	 save = 0;
		guchar	*out = g_malloc(n * 3 / 4 + 3);
		gsize	 got;

		/* unpadded: finish the last quantum as '=' would */
		while (quanta->len % 4 != 0)
			g_string_append_c(quanta, '=');
		got = g_base64_decode_step(quanta->str, quanta->len, out,
		    &state, &save);
		g_byte_array_append(b, out, (guint)got);
		g_free(out);
		g_string_free(quanta, TRUE);
		g_string_erase(carry, 0, (gssize)n);
	}
}

/* Append the bytes of Q-encoded 'text' ('len' bytes) to 'b'. */
static void
q_append(GByteArray *b, const char *text, gsize len)
{
	gsize	i;

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
}

static void
append_text(GString *out, const char *bytes, gsize len)
{
	char	*t = to_utf8(bytes, len, NULL);

	g_string_append(out, t);
	g_free(t);
}

/* Convert the pending run of encoded-word bytes, with what is left of
 * its base64 in 'carry', and append it. */
static void
flush_run(GString *out, GByteArray **run, GString *carry, char **charset)
{
	char	*t;

	if (carry->len > 0)
		b64_append(*run, carry, "=", 1);
	t = to_utf8((char *)(*run)->data, (*run)->len, *charset);

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
	GString		*carry = g_string_new(NULL);	/* of the run's base64 */
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
		gint		 s, e, ts, te;
		char		*cs, *enc;
		gsize		 i;
		gboolean	 blank = TRUE;

		g_match_info_fetch_pos(mi, 0, &s, &e);
		g_match_info_fetch_pos(mi, 3, &ts, &te);
		cs = g_match_info_fetch(mi, 1);
		enc = g_match_info_fetch(mi, 2);
		for (i = pos; i < (gsize)s; i++)
			if (!g_ascii_isspace(unfolded[i]))
				blank = FALSE;
		if (run != NULL && blank &&
		    g_ascii_strcasecmp(cs, run_cs) == 0) {
			/* one text split over several words, even inside a
			   character or a base64 quantum */
			g_free(cs);
		} else {
			gboolean after_word = run != NULL;

			if (run != NULL)
				flush_run(out, &run, carry, &run_cs);
			/* blanks between two encoded words are dropped */
			if (!(blank && after_word))
				append_text(out, unfolded + pos,
				    (gsize)s - pos);
			run = g_byte_array_new();
			run_cs = cs;
		}
		if (enc[0] == 'B' || enc[0] == 'b')
			b64_append(run, carry, unfolded + ts, (gsize)(te - ts));
		else {
			if (carry->len > 0)
				b64_append(run, carry, "=", 1);
			q_append(run, unfolded + ts, (gsize)(te - ts));
		}
		g_free(enc);
		pos = (gsize)e;
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	if (run != NULL)
		flush_run(out, &run, carry, &run_cs);
	g_string_free(carry, TRUE);
	append_text(out, unfolded + pos, strlen(unfolded + pos));
	g_free(unfolded);
	/* No control characters survive into a decoded value. */
	for (p = out->str; *p != '\0'; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return (g_strstrip(g_string_free(out, FALSE)));
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
		b64_append(dec, carry, (const char *)bytes->data, bytes->len);
		b64_append(dec, carry, "=", 1);
		text = to_utf8((char *)dec->data, dec->len, charset);
		g_byte_array_unref(dec);
		g_string_free(carry, TRUE);
	} else {
		g_mime_data_wrapper_write_to_stream(dw, mem);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		text = to_utf8((char *)bytes->data, bytes->len, charset);
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
static gboolean
set_sender(struct mail *m, const char *value)
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

const char *const mail_forward_subjects[] = { "Fwd:", "FW:", "転送", NULL };

char *
mail_strip_forward(const char *subject)
{
	static GRegex	*prefix;
	GMatchInfo	*mi;
	char		*rest = NULL;
	gint		 s, e;

	if (prefix == NULL)
		prefix = g_regex_new("^(?:\\s*(?:fwd?|転送)\\s*[:：]\\s*)+",
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
	if (g_regex_match(prefix, subject, 0, &mi)) {
		g_match_info_fetch_pos(mi, 0, &s, &e);
		rest = g_strdup(subject + e);
	}
	g_match_info_free(mi);
	return (rest);
}

/*
 * The time a forwarded block's Date: line gives: RFC 5322, Gmail's
 * "Mon, Oct 20, 2025 at 6:04 PM" or "2025年10月20日(月) 18:04" and
 * "2025/10/20 18:04".  The latter carry no zone; the forwarder's client
 * wrote them in its own, which the outer Date: (offset 'tz') shows best.
 * Returns 0 when the value is none of these.
 */
static gint64
block_date(const char *value, GTimeZone *tz)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr",
	    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	static GRegex	*ja, *en;
	GMatchInfo	*mi = NULL;
	GDateTime	*d = NULL;
	gint64		 t = 0;
	int		 v[6] = { 0 }, i;

	if (ja == NULL) {
		ja = g_regex_new("(\\d{4})\\s*[年/]\\s*(\\d{1,2})\\s*[月/]\\s*"
		    "(\\d{1,2})\\D+?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?",
		    G_REGEX_OPTIMIZE, 0, NULL);
		en = g_regex_new("([A-Za-z]{3})[a-z]*\\.? (\\d{1,2}), (\\d{4})"
		    "(?: at|,)? (\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([AP]M)",
		    G_REGEX_OPTIMIZE | G_REGEX_CASELESS, 0, NULL);
	}
	if (g_regex_match(ja, value, 0, &mi)) {
		for (i = 0; i < 6; i++) {
			char *n = g_match_info_fetch(mi, i + 1);

			v[i] = n != NULL ? atoi(n) : 0;
			g_free(n);
		}
		d = g_date_time_new(tz, v[0], v[1], v[2], v[3], v[4], v[5]);
	} else {
		g_match_info_free(mi);
		if (g_regex_match(en, value, 0, &mi)) {
			char *mon = g_match_info_fetch(mi, 1);
			char *ampm = g_match_info_fetch(mi, 7);

			for (i = 1; i < 6; i++) {
				char *n = g_match_info_fetch(mi, i + 1);

				v[i] = n != NULL ? atoi(n) : 0;
				g_free(n);
			}
			for (i = 0; i < 12; i++)
				if (g_ascii_strcasecmp(mon, months[i]) == 0)
					break;
			if (v[3] == 12)
				v[3] = 0;
			if (g_ascii_strcasecmp(ampm, "pm") == 0)
				v[3] += 12;
			if (i < 12)
				d = g_date_time_new(tz, v[2], i + 1, v[1],
				    v[3], v[4], v[5]);
			g_free(mon);
			g_free(ampm);
		} else
			d = g_mime_utils_header_decode_date(value);
	}
	g_match_info_free(mi);
	if (d != NULL) {
		t = g_date_time_to_unix(d);
		g_date_time_unref(d);
	}
	return (t > 0 ? t : 0);
}

/*
 * Read a forwarded block in m->body: a marker line, optional blank lines,
 * then "Label: value" lines up to a blank line.  With a From:/差出人:
 * line that holds an address, the sender, date and body become the
 * original's and TRUE is returned.
 */
static gboolean
read_forward_block(struct mail *m, GTimeZone *tz)
{
	static GRegex	*marker, *field;
	char		**lines = g_strsplit(m->body, "\n", -1);
	char		 *from = NULL, *date = NULL;
	gboolean	  found = FALSE;
	int		  i, j;

	if (marker == NULL) {
		/* Gmail, Thunderbird, Apple Mail, Outlook, Yahoo! */
		marker = g_regex_new("forwarded message|original message|"
		    "begin forwarded message|転送(?:された)?メッセージ|"
		    "元のメッセージ|^\\s*[-_]{10,}\\s*$", G_REGEX_CASELESS |
		    G_REGEX_OPTIMIZE, 0, NULL);
		field = g_regex_new("^\\s*>?\\s*([^:：]{1,20}?)\\s*[:：]\\s*"
		    "(.*?)\\s*$", G_REGEX_OPTIMIZE, 0, NULL);
	}
	for (i = 0; lines[i] != NULL && !found; i++) {
		if (!g_regex_match(marker, lines[i], 0, NULL))
			continue;
		for (j = i + 1; lines[j] != NULL && *g_strstrip(lines[j]) ==
		    '\0'; j++)
			;
		for (; lines[j] != NULL; j++) {
			GMatchInfo	*mi;
			char		*label, *value;

			if (!g_regex_match(field, lines[j], 0, &mi)) {
				g_match_info_free(mi);
				break;
			}
			label = g_match_info_fetch(mi, 1);
			value = g_match_info_fetch(mi, 2);
			g_match_info_free(mi);
			if (from == NULL && (g_ascii_strcasecmp(label,
			    "from") == 0 || strcmp(label, "差出人") == 0 ||
			    strcmp(label, "送信者") == 0 ||
			    strcmp(label, "送信元") == 0))
				from = g_strdup(value);
			else if (date == NULL && (g_ascii_strcasecmp(label,
			    "date") == 0 || g_ascii_strcasecmp(label,
			    "sent") == 0 || strcmp(label, "日付") == 0 ||
			    strcmp(label, "日時") == 0 ||
			    strcmp(label, "送信日時") == 0))
				date = g_strdup(value);
			g_free(label);
			g_free(value);
		}
		if (from != NULL && set_sender(m, from)) {
			char *body;

			found = TRUE;
			if (date != NULL && block_date(date, tz) != 0)
				m->date = block_date(date, tz);
			/* the original's text starts after the block */
			while (lines[j] != NULL && *g_strstrip(lines[j]) ==
			    '\0')
				j++;
			body = lines[j] != NULL ? g_strjoinv("\n",
			    lines + j) : g_strdup("");
			g_free(m->body);
			m->body = body;
		}
		g_clear_pointer(&from, g_free);
		g_clear_pointer(&date, g_free);
	}
	g_strfreev(lines);
	return (found);
}

/* The first message/rfc822 part of 'msg', or NULL. */
static GMimeMessage *
attached_message(GMimeMessage *msg)
{
	GMimeObject	*top = g_mime_message_get_mime_part(msg);
	GMimeMessage	*inner = NULL;
	GMimePartIter	*it;

	if (top == NULL || !GMIME_IS_MULTIPART(top))
		return (NULL);
	it = g_mime_part_iter_new(top);
	do {
		GMimeObject *o = g_mime_part_iter_get_current(it);

		if (o != NULL && GMIME_IS_MESSAGE_PART(o))
			inner = g_mime_message_part_get_message(
			    GMIME_MESSAGE_PART(o));
	} while (inner == NULL && g_mime_part_iter_next(it));
	g_mime_part_iter_free(it);
	return (inner);
}

/* Add the links of HTML part 'o' (not an attachment) to 'links'. */
static void
part_links(GMimeObject *o, GString *links)
{
	char	*text;

	if (o == NULL || !GMIME_IS_TEXT_PART(o) ||
	    g_mime_part_is_attachment(GMIME_PART(o)) ||
	    !g_mime_content_type_is_type(g_mime_object_get_content_type(o),
	    "text", "html"))
		return;
	text = part_text(GMIME_TEXT_PART(o));
	g_free(html_read(text, links));
	g_free(text);
}

/* The links of every HTML part under 'top', a line each; allocated. */
static char *
html_links(GMimeObject *top)
{
	GString		*links = g_string_new(NULL);
	GMimePartIter	*it;

	if (top == NULL || GMIME_IS_TEXT_PART(top)) {
		part_links(top, links);
		return (g_string_free(links, FALSE));
	}
	it = g_mime_part_iter_new(top);
	do
		part_links(g_mime_part_iter_get_current(it), links);
	while (g_mime_part_iter_next(it));
	g_mime_part_iter_free(it);
	return (g_string_free(links, FALSE));
}

/* Sender, subject, date and body of 'msg' into 'm' (replacing). */
static void
read_message(GMimeMessage *msg, struct mail *m)
{
	InternetAddressList	*from;
	GMimeTextPart		*tp;
	GMimeObject		*fixed = NULL;
	GDateTime		*date;
	gboolean		 is_html;
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

		set_sender(m, full);
		g_free(full);
	}
	date = g_mime_message_get_date(msg);
	m->date = date != NULL ? g_date_time_to_unix(date) : 0;

	tp = pick_body(g_mime_message_get_mime_part(msg), &is_html);
	if (tp == NULL && (fixed = salvage_multipart(
	    g_mime_message_get_mime_part(msg))) != NULL)
		tp = pick_body(fixed, &is_html);
	text = tp != NULL ? part_text(tp) : g_strdup("");
	g_free(m->links);
	m->links = html_links(fixed != NULL ? fixed :
	    g_mime_message_get_mime_part(msg));
	if (fixed != NULL)
		g_object_unref(fixed);
	if (is_html) {
		char *t = mail_html_to_text(text);
		g_free(text);
		text = t;
	}
	to_lf(text);
	g_free(m->body);
	m->body = text;
}

/* Read a forwarded mail through to the original; see mail.h. */
static void
read_forward(GMimeMessage *msg, struct mail *m)
{
	GMimeMessage	*inner;
	GDateTime	*outer_date = g_mime_message_get_date(msg);
	GTimeZone	*tz;
	char		*outer_from, *stripped;

	if ((stripped = mail_strip_forward(m->subject)) == NULL)
		return;
	outer_from = g_strdup(m->from_addr);
	if ((inner = attached_message(msg)) != NULL) {
		read_message(inner, m);
		if (*m->from_addr != '\0') {
			m->forwarded_by = outer_from;
			g_free(stripped);
			return;
		}
		read_message(msg, m);	/* an empty shell: back out */
	}
	tz = outer_date != NULL ? g_time_zone_new_offset(
	    (gint32)(g_date_time_get_utc_offset(outer_date) /
	    G_TIME_SPAN_SECOND)) : g_time_zone_new_local();
	if (read_forward_block(m, tz)) {
		m->forwarded_by = outer_from;
		g_free(m->subject);
		m->subject = stripped;
		stripped = NULL;
	} else
		g_free(outer_from);
	g_time_zone_unref(tz);
	g_free(stripped);
}

gboolean
mail_parse(const char *raw, gsize len, struct mail *m, GError **err)
{
	GMimeStream		*st;
	GMimeParser		*p;
	GMimeMessage		*msg;
	const char		*id;

	memset(m, 0, sizeof *m);
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
	read_message(msg, m);
	read_forward(msg, m);
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
