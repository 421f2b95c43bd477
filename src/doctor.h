/*
 * doctor.h: "renraku doctor": each step a sync depends on, checked and
 * explained in plain words.
 */
#ifndef RENRAKU_DOCTOR_H
#define RENRAKU_DOCTOR_H

#include <stdio.h>

#include <glib.h>

#include "run.h"

/*
 * Check, for the config at 'path' and each account in it: the config
 * itself, the password command (or OAuth2 token), DNS, TCP, the TLS
 * certificate chain and host name, the login, each watched mailbox and
 * how many platform mails it holds, the Drafts mailbox, the state
 * database and the templates.  Each check is one line on 'out': "ok" or
 * "FAIL", what was checked, and for a failure what is wrong and what to
 * do.  'r' gives the rules, the clock and the template directories
 * (r->cfg is not used).  Returns TRUE when everything passed, else FALSE
 * with err set to a one-line summary in the class of the first failure.
 */
gboolean	doctor_run(struct run *r, const char *path, FILE *out,
		    GError **err);

#endif
