/*
 * error.h: how renraku reports failure.
 *
 * Every function that can fail takes a GError **err last and, on failure,
 * sets it in RENRAKU_ERROR with one of the codes below and a message that
 * names what failed first (lowercase, no full stop).  The code is the class
 * of the failure; only main() turns it into an exit status.
 */
#ifndef RENRAKU_ERROR_H
#define RENRAKU_ERROR_H

#include <glib.h>

#define RENRAKU_ERROR (renraku_error_quark())

enum renraku_error_code {
	RENRAKU_ERROR_TEMP,	/* try again later: network, server, lock */
	RENRAKU_ERROR_CONFIG,	/* the user must fix the configuration */
	RENRAKU_ERROR_PERM,	/* anything else that will not go away alone */
	RENRAKU_ERROR_USAGE,	/* a wrong word or number on the command line */
};

GQuark	renraku_error_quark(void);

#endif
