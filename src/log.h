/*
 * log.h: where renraku's complaints go: stderr (cron mails them), or
 * syslog with "log = syslog".
 */
#ifndef RENRAKU_LOG_H
#define RENRAKU_LOG_H

#include <glib.h>

/*
 * Send what follows to syslog (facility mail, ident "renraku") instead of
 * stderr; with 'quiet', drop warnings.  Call once, from main().
 */
void	log_open(gboolean to_syslog, gboolean quiet);

/*
 * 's' as it may reach a terminal or syslog: control characters (line
 * ends and tabs aside), C1 and the Unicode line separators as \xHH or
 * \uHHHH, bytes that are no UTF-8 as U+FFFD.  log_error and log_warning
 * pass everything through it.  Allocated.
 */
char	*log_printable(const char *s);

/* An error: "renraku: MESSAGE". */
void	log_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Something the user should know that did not stop the run. */
void	log_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
