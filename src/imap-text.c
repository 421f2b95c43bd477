/*
 * imap-text.c: text as it goes on the IMAP wire: mailbox names in modified
 * UTF-7 (RFC 3501 5.1.3), and the check that a value cannot break a
 * command line.
 */
#include <glib/gi18n.h>

#include "imap.h"

#include <string.h>

#include "error.h"

char *
imap_utf7_encode(const char *utf8)
{
	GString		*out = g_string_new(NULL);
	/* a server's name may be no UTF-8: never step past its end */
	char		*valid = g_utf8_make_valid(utf8, -1);
	const char	*p = valid, *q;

	while (*p != '\0') {
		gunichar c = g_utf8_get_char(p);

		if (c >= 0x20 && c <= 0x7e) {
			g_string_append(out, c == '&' ? "&-" : (char[]){
			    (char)c, 0 });
			p++;
			continue;
		}
		/* a run of other characters, as UTF-16BE in base64 */
		for (q = p; *q != '\0'; q = g_utf8_next_char(q)) {
			c = g_utf8_get_char(q);
			if (c >= 0x20 && c <= 0x7e)
				break;
		}
		{
			char	*run = g_strndup(p, (gsize)(q - p));
			gsize	 n = 0;
			char	*u16 = g_convert(run, -1, "UTF-16BE", "UTF-8",
				    NULL, &n, NULL);
			char	*b64, *s;

			g_free(run);
			if (u16 == NULL) {
				p = q;
				continue;
			}
			b64 = g_base64_encode((guchar *)u16, n);
			for (s = b64; *s != '\0' && *s != '='; s++)
				if (*s == '/')
					*s = ',';
			*s = '\0';
			g_string_append_printf(out, "&%s-", b64);
			g_free(b64);
			g_free(u16);
		}
		p = q;
	}
	g_free(valid);
	return (g_string_free(out, FALSE));
}

char *
imap_utf7_decode(const char *utf7)
{
	GString		*out = g_string_new(NULL);
	const char	*p = utf7, *end;

	while (*p != '\0') {
		if (*p != '&') {
			g_string_append_c(out, *p++);
			continue;
		}
		if ((end = strchr(p, '-')) == NULL)
			goto bad;
		if (end == p + 1)
			g_string_append_c(out, '&');
		else {
			GString	*b = g_string_new_len(p + 1, end - p - 1);
			guchar	*raw;
			gsize	 n, i;
			char	*u8;

			for (i = 0; i < b->len; i++)
				if (b->str[i] == ',')
					b->str[i] = '/';
			while (b->len % 4 != 0)
				g_string_append_c(b, '=');
			raw = g_base64_decode(b->str, &n);
			g_string_free(b, TRUE);
			u8 = n % 2 == 0 ? g_convert((char *)raw, (gssize)n,
			    "UTF-8", "UTF-16BE", NULL, NULL, NULL) : NULL;
			g_free(raw);
			if (u8 == NULL)
				goto bad;
			g_string_append(out, u8);
			g_free(u8);
		}
		p = end + 1;
	}
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL))
		goto bad;
	return (g_string_free(out, FALSE));
bad:
	/* as it came, but UTF-8: bad bytes become U+FFFD */
	g_string_free(out, TRUE);
	return (g_utf8_make_valid(utf7, -1));
}

gboolean
imap_wire_safe(const char *what, const char *v, GError **err)
{
	if (strpbrk(v, "\r\n") == NULL)
		return (TRUE);
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
	    _("%s contains a line break"), what);
	return (FALSE);
}
