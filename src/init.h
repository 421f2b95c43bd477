/*
 * init.h: "renraku init", a first configuration file written for the
 * user, every key commented.
 */
#ifndef RENRAKU_INIT_H
#define RENRAKU_INIT_H

#include <stdio.h>

#include <glib.h>

/* What init puts in the file; NULL (or 0 for the port) is the default. */
struct init_values {
	const char	*name;		/* your_name (required) */
	const char	*account;	/* the account's NAME; default "main" */
	const char	*host;		/* required */
	int		 port;		/* 0: the default of 'security' */
	const char	*security;	/* tls or starttls */
	const char	*ca_file;
	const char	*user;		/* required */
	const char	*password_command;	/* NULL: left for the user */
	const char	*mailboxes;
};

/*
 * The text of a configuration file holding 'v', each key with a comment
 * in the language of the locale and the optional keys shown commented
 * out with their defaults.  Values are stripped of surrounding blanks and
 * escaped for GKeyFile.  Returns NULL with err (RENRAKU_ERROR_USAGE,
 * naming the options) when required values are missing or empty, a value
 * holds a control character or is not UTF-8, the port is not 1 to 65535,
 * the security is not tls or starttls, or the account name is not made
 * of letters, digits, '.', '_' and '-'.
 */
char		*init_render(const struct init_values *v, GError **err);

/*
 * Whether init may write 'path': FALSE with err (RENRAKU_ERROR_CONFIG)
 * when it exists and 'force' is not set.
 */
gboolean	 init_may_write(const char *path, gboolean force, GError **err);

/*
 * Write 'text' to 'path' as a new file readable and writable by its owner
 * alone (0600; written to a temporary file and renamed into place),
 * creating its directory (0700) when missing, if init_may_write().
 */
gboolean	 init_write(const char *path, const char *text, gboolean force,
		    GError **err);

/*
 * Print 'question' to 'out' and read one line from 'in'.  Returns the
 * answer stripped of surrounding blanks (g_free), or NULL for an empty
 * answer or at the end of the input.
 */
char		*init_ask(const char *question, FILE *in, FILE *out);

#endif
