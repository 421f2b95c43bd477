/*
 * mail-charset.c: bytes of any charset Japanese mail comes in, and RFC
 * 2047 header values, into UTF-8 (see mail.h).
 */
#include "mail-int.h"

#include <iconv.h>
#include <string.h>

/* EUC-JP and CP932 are also the fallbacks of undeclared text. */
static const char *const kept_names[] = { "ISO-2022-JP", "CP932", "EUC-JP",
    "SHIFT_JIS" };
static iconv_t kept[G_N_ELEMENTS(kept_names)];	/* never closed */

void
charset_keep(void)
{
	static gboolean	 done;
	gsize		 i;

	if (done)
		return;
	done = TRUE;
	for (i = 0; i < G_N_ELEMENTS(kept_names); i++)
		kept[i] = iconv_open("UTF-8", kept_names[i]);
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
char *
charset_to_utf8(const char *bytes, gsize len, const char *charset)
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
		out = charset_to_utf8(copy, len, charset);
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
void
charset_base64(GByteArray *b, GString *carry, const char *text, gsize len)
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
	char	*t = charset_to_utf8(bytes, len, NULL);

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
		charset_base64(*run, carry, "=", 1);
	t = charset_to_utf8((char *)(*run)->data, (*run)->len, *charset);

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
			charset_base64(run, carry, unfolded + ts, (gsize)(te - ts));
		else {
			if (carry->len > 0)
				charset_base64(run, carry, "=", 1);
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

