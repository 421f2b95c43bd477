/*
 * log.c: stderr or syslog.
 */
#include <glib/gi18n.h>

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static gboolean	use_syslog;
static gboolean	quiet;

void
log_open(gboolean to_syslog, gboolean q)
{
	use_syslog = to_syslog;
	quiet = q;
	if (use_syslog)
		openlog("renraku", LOG_PID, LOG_MAIL);
}

char *
log_printable(const char *s)
{
	char		*valid = g_utf8_make_valid(s, -1);
	GString		*out = g_string_sized_new(strlen(valid));
	const char	*p;

	for (p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f &&
		    (c < 0x80 || c > 0x9f) && c != 0x2028 && c != 0x2029))
			g_string_append_unichar(out, c);
		else
			g_string_append_printf(out, c < 0x100 ? "\\x%02x" :
			    "\\u%04x", c);
	}
	g_free(valid);
	return (g_string_free(out, FALSE));
}

static void G_GNUC_PRINTF(3, 0)
emit(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char	*raw = g_strdup_vprintf(fmt, ap);
	/* a server's words, a file's bytes: nothing a terminal obeys */
	char	*msg = log_printable(raw);

	g_free(raw);

	if (use_syslog)
		syslog(prio, "%s%s", prefix, msg);
	else
		fprintf(stderr, _("renraku: %s%s\n"), prefix, msg);
	g_free(msg);
}

void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	emit(LOG_ERR, "", fmt, ap);
	va_end(ap);
}

void
log_warning(const char *fmt, ...)
{
	va_list	ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	emit(LOG_WARNING, _("warning: "), fmt, ap);
	va_end(ap);
}
