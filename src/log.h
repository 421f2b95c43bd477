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

/* An error: "renraku: MESSAGE". */
void	log_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Something the user should know that did not stop the run. */
void	log_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
