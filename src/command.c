/*
 * command.c: a user's shell command, bounded in time, in a process group
 * of its own so that its children go with it.
 */
#include "command.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "log.h"
#include "secret.h"

struct command {
	GSubprocess	*p;	/* NULL when it could not start: then 'e' */
	GError		*e;
	gboolean	 want_out;
};

struct running {
	GSubprocess	*p;
	GCancellable	*cancel;
	gboolean	 done, ok, timed_out;
	char		*out, *err;
	GError		*e;
};

static void
child_setup(gpointer data)
{
	setpgid(0, 0);
}

static void
communicated(GObject *src, GAsyncResult *res, gpointer data)
{
	struct running *c = data;

	c->ok = g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res,
	    &c->out, &c->err, &c->e);
	c->done = TRUE;
}

static void
exited(GObject *src, GAsyncResult *res, gpointer data)
{
	struct running *c = data;

	c->ok = g_subprocess_wait_finish(G_SUBPROCESS(src), res, &c->e);
	c->done = TRUE;
}

/* The timeout: the whole process group goes. */
static gboolean
late(gpointer data)
{
	struct running	*c = data;
	const char	*id = g_subprocess_get_identifier(c->p);

	c->timed_out = TRUE;
	if (id != NULL)
		kill(-(pid_t)atol(id), SIGKILL);
	g_subprocess_force_exit(c->p);
	g_cancellable_cancel(c->cancel);
	return (G_SOURCE_REMOVE);
}

/* The first line of 'err', at most COMMAND_ERR_MAX bytes, printable. */
static char *
first_line(const char *err)
{
	char	*line, *shown;
	gsize	 n;

	if (err == NULL)
		return (g_strdup(""));
	n = strcspn(err, "\r\n");
	line = g_strndup(err, MIN(n, COMMAND_ERR_MAX));
	/* a cut may leave half a character: made valid by log_printable */
	shown = log_printable(g_strstrip(line));
	g_free(line);
	return (shown);
}

struct command *
command_start(const char *command, gboolean want_out)
{
	const char		*argv[] = { "/bin/sh", "-c", command, NULL };
	struct command		*c = g_new0(struct command, 1);
	GSubprocessLauncher	*l;

	c->want_out = want_out;
	l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
	    (want_out ? G_SUBPROCESS_FLAGS_STDOUT_PIPE :
	    G_SUBPROCESS_FLAGS_STDOUT_SILENCE) | G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_subprocess_launcher_set_child_setup(l, child_setup, NULL, NULL);
	c->p = g_subprocess_launcher_spawnv(l, argv, &c->e);
	g_object_unref(l);
	return (c);
}

void
command_finish(struct command *cmd, const char *input, guint timeout,
    struct command_result *r)
{
	struct running		 c;
	GMainContext		*ctx;
	GSource			*t;

	memset(r, 0, sizeof *r);
	memset(&c, 0, sizeof c);
	c.p = cmd->p;
	c.e = cmd->e;
	if (c.p == NULL) {
		r->end = COMMAND_BROKEN;
		r->why = g_strdup(c.e->message);
		g_error_free(c.e);
		r->err = g_strdup("");
		g_free(cmd);
		return;
	}
	ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	c.cancel = g_cancellable_new();
	t = g_timeout_source_new_seconds(timeout);
	g_source_set_callback(t, late, &c, NULL);
	g_source_attach(t, ctx);
	g_subprocess_communicate_utf8_async(c.p, input != NULL ? input : "",
	    c.cancel, communicated, &c);
	while (!c.done)
		g_main_context_iteration(ctx, TRUE);
	if (!c.ok && !c.timed_out && g_error_matches(c.e, G_IO_ERROR,
	    G_IO_ERROR_BROKEN_PIPE)) {
		/* it did not read its input (notify-send...): fine */
		g_clear_error(&c.e);
		c.done = FALSE;
		g_subprocess_wait_async(c.p, c.cancel, exited, &c);
		while (!c.done)
			g_main_context_iteration(ctx, TRUE);
	}
	g_source_destroy(t);
	g_source_unref(t);
	if (c.timed_out)
		r->end = COMMAND_TIMEOUT;
	else if (!c.ok) {
		r->end = COMMAND_BROKEN;
		r->why = g_strdup(c.e->message);
	} else if (g_subprocess_get_successful(c.p))
		r->end = COMMAND_OK;
	else {
		r->end = COMMAND_FAILED;
		r->status = g_subprocess_get_if_exited(c.p) ?
		    g_subprocess_get_exit_status(c.p) : -1;
	}
	r->out = cmd->want_out ? c.out : NULL;
	if (!cmd->want_out)
		g_free(c.out);
	r->err = first_line(c.err);
	g_free(c.err);
	g_clear_error(&c.e);
	g_object_unref(c.cancel);
	g_object_unref(c.p);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	g_free(cmd);
}

void
command_abandon(struct command *c)
{
	const char *id;

	if (c == NULL)
		return;
	if (c->p != NULL) {
		/* GLib reaps it: its child watch holds the last reference */
		if ((id = g_subprocess_get_identifier(c->p)) != NULL)
			kill(-(pid_t)atol(id), SIGKILL);
		g_subprocess_force_exit(c->p);
		g_object_unref(c->p);
	} else
		g_error_free(c->e);
	g_free(c);
}

void
command_run(const char *command, const char *input, guint timeout,
    gboolean want_out, struct command_result *r)
{
	command_finish(command_start(command, want_out), input, timeout, r);
}

void
command_result_clear(struct command_result *r)
{
	if (r->out != NULL) {
		/* it may be a password */
		secret_wipe(r->out, strlen(r->out));
		g_free(r->out);
	}
	g_free(r->err);
	g_free(r->why);
	memset(r, 0, sizeof *r);
}
