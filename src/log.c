/*
 * log.c: stderr or syslog.
 */
#include <glib/gi18n.h>

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
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

static void
emit(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char	*msg = g_strdup_vprintf(fmt, ap);

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
