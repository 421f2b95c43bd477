/*
 * command.h: a user's shell command (password_command, the OAuth2
 * commands, notify_command), bounded in time: a hung command must not
 * hold the lock every later sync waits for.
 */
#ifndef RENRAKU_COMMAND_H
#define RENRAKU_COMMAND_H

#include <glib.h>

/* At most this much of a command's stderr is ever shown. */
#define COMMAND_ERR_MAX	200

enum command_end {
	COMMAND_OK,		/* exit status 0 */
	COMMAND_FAILED,		/* another exit status, or a signal */
	COMMAND_TIMEOUT,	/* still running after the timeout: killed */
	COMMAND_BROKEN		/* could not be run at all */
};

struct command_result {
	enum command_end	 end;
	int			 status;	/* COMMAND_FAILED: exit status,
						   or -1 for a signal */
	char			*out;	/* stdout, when asked for */
	char			*err;	/* the first line of stderr, at most
					   COMMAND_ERR_MAX bytes, made
					   printable; "" if none */
	char			*why;	/* COMMAND_BROKEN: GLib's words */
};

/*
 * Run 'command' with /bin/sh -c in a process group of its own, 'input'
 * (may be NULL) on its stdin, for at most 'timeout' seconds: then the
 * whole group is killed, children included.  With 'want_out', its stdout
 * goes to r->out.  A command that does not read its input is no failure.
 * Release 'r' with command_result_clear().
 */
void	command_run(const char *command, const char *input, guint timeout,
	    gboolean want_out, struct command_result *r);

/*
 * command_run() in two halves, so that the command runs while renraku
 * does something else: command_start() starts it (never NULL; one that
 * cannot start reports COMMAND_BROKEN when finished), command_finish()
 * gives it 'input' and waits for it, 'timeout' seconds counted from
 * there, and frees 'c'.
 */
struct command	*command_start(const char *command, gboolean want_out);
void		 command_finish(struct command *c, const char *input,
		    guint timeout, struct command_result *r);

/* Kill a started command's process group, unheard, and free 'c'
 * (NULL: nothing). */
void		 command_abandon(struct command *c);

void	command_result_clear(struct command_result *r);

#endif
