/*
 * main.c: the command line.  Only main() reads the clock and picks the
 * exit status (sysexits.h).
 */
#include "config.h"

#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib.h>

#include "error.h"
#include "mail.h"
#include "rules.h"
#include "run.h"
#include "status.h"
#include "store.h"
#include "sync.h"

static char	*opt_config;
static int	 opt_verbose;
static gboolean	 opt_version;
static gboolean	 opt_dry_run;
static char	*opt_now;

static gboolean
count_verbose(const char *name, const char *value, gpointer data,
    GError **err)
{
	opt_verbose++;
	return (TRUE);
}

static const GOptionEntry global_options[] = {
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
	  "Configuration file (default $XDG_CONFIG_HOME/renraku/config)",
	  "FILE" },
	{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
	  (gpointer)count_verbose, "Say what is done (twice: show the IMAP "
	  "protocol, login redacted)", NULL },
	{ "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
	  "Print the version and exit", NULL },
	{ NULL }
};

static const GOptionEntry sync_options[] = {
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  "Read mail and decide, but append no draft (prints them)", NULL },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const GOptionEntry status_options[] = {
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const GOptionEntry mark_options[] = {
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const char commands_help[] =
	"Commands:\n"
	"  sync     read new platform mail and draft the follow-ups due\n"
	"  status   one line per contract thread: silence and next step\n"
	"  mark PLATFORM/KEY sent|replied|snooze DAYS|done|resume\n"
	"           tell renraku what you did or want for a thread\n"
	"\n"
	"Run \"renraku COMMAND --help\" for a command's options.\n"
	"Exit status: 0 success, 64 usage, 75 server unreachable or failed "
	"(try\nagain later), 78 configuration error, 1 other failure.";

static int
exit_status(const GError *e)
{
	if (e->domain != RENRAKU_ERROR)
		return (1);
	switch (e->code) {
	case RENRAKU_ERROR_TEMP:
		return (EX_TEMPFAIL);
	case RENRAKU_ERROR_CONFIG:
		return (EX_CONFIG);
	default:
		return (1);
	}
}

static int
usage_error(const char *msg)
{
	g_printerr("renraku: %s\nTry \"renraku --help\".\n", msg);
	return (EX_USAGE);
}

/*
 * Index of the command word in argv: the first argument that is not an
 * option or the value of -c.  argc if there is none.
 */
static int
find_command(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return (i + 1);
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] != '-')
			return (i);
	}
	return (argc);
}

/* The data directory: $RENRAKU_DATADIR (tests, demo) or the installed. */
static const char *
data_dir(void)
{
	const char *d = g_getenv("RENRAKU_DATADIR");

	return (d != NULL && *d != '\0' ? d : PKGDATADIR);
}

/* Take the lock in state_dir, or fail (another sync is running). */
static int
take_lock(const char *state_dir, GError **err)
{
	char	*path;
	int	 fd;

	if (g_mkdir_with_parents(state_dir, 0700) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    "cannot create state directory %s: %s", state_dir,
		    g_strerror(errno));
		return (-1);
	}
	path = g_build_filename(state_dir, "lock", NULL);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    "cannot open lock %s: %s", path, g_strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    "another renraku sync is running (%s is locked); not "
		    "starting", path);
		close(fd);
		fd = -1;
	}
	g_free(path);
	return (fd);
}

/* "renraku mark THREAD WHAT [DAYS]": check it and record it. */
static gboolean
mark(const struct run *r, struct store *st, char **args, GError **err)
{
	char	*end;
	guint64	 days = 0;
	int	 kind, known;

	if ((kind = mark_kind_from_name(args[1])) < 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    "mark: '%s' is not sent, replied, snooze, done or resume",
		    args[1]);
		return (FALSE);
	}
	if ((kind == MARK_SNOOZE) != (args[2] != NULL)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    kind == MARK_SNOOZE ? "mark: snooze needs a number of "
		    "business days" : "mark: %s takes no number", args[1]);
		return (FALSE);
	}
	if (args[2] != NULL) {
		days = g_ascii_strtoull(args[2], &end, 10);
		if (*end != '\0' || end == args[2] || days < 1 ||
		    days > 365) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    "mark: snooze: '%s' is not 1 to 365 days",
			    args[2]);
			return (FALSE);
		}
	}
	if ((known = store_thread_exists(st, args[0], err)) < 0)
		return (FALSE);
	if (known == 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    "mark: no thread '%s' (see renraku status)", args[0]);
		return (FALSE);
	}
	return (store_mark_add(st, args[0], (enum mark_kind)kind,
	    (guint)days, g_date_time_to_unix(r->now), err));
}

int
main(int argc, char **argv)
{
	GOptionContext	*ctx;
	GError		*e = NULL;
	struct config	*cfg = NULL;
	struct rules	*rules = NULL;
	struct store	*st = NULL;
	struct run	 r;
	const char	*cmd;
	char		*tdirs[4], *rdirs[3], *path = NULL;
	char		**mark_args = NULL;
	int		 cmdi, status = 0, lock = -1, nt = 0;
	gboolean	 ok;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof r);

	/* global options: everything before the command word */
	cmdi = find_command(argc, argv);
	ctx = g_option_context_new("COMMAND [OPTION…]");
	g_option_context_set_summary(ctx, "Drafts polite follow-ups when a "
	    "client on CrowdWorks, Lancers or Coconala goes silent.");
	g_option_context_set_description(ctx, commands_help);
	g_option_context_add_main_entries(ctx, global_options, NULL);
	{
		int	 gargc = cmdi;

		ok = g_option_context_parse(ctx, &gargc, &argv, &e);
		/* options parsed; what is left before cmdi is unknown */
		if (ok && gargc > 1) {
			g_option_context_free(ctx);
			return (usage_error("unexpected argument before the "
			    "command"));
		}
	}
	if (!ok) {
		g_option_context_free(ctx);
		status = usage_error(e->message);
		g_error_free(e);
		return (status);
	}
	g_option_context_free(ctx);
	if (opt_version) {
		printf("renraku %s\n", PACKAGE_VERSION);
		return (0);
	}
	if (cmdi >= argc)
		return (usage_error("no command given (sync or status)"));
	cmd = argv[cmdi];

	/* command options */
	ctx = g_option_context_new(strcmp(cmd, "mark") == 0 ?
	    "PLATFORM/KEY sent|replied|snooze DAYS|done|resume" : NULL);
	if (strcmp(cmd, "sync") == 0) {
		g_option_context_set_summary(ctx, "renraku sync: read new "
		    "platform mail and append the follow-up drafts due.\n"
		    "Prints nothing on success unless -v is given.");
		g_option_context_add_main_entries(ctx, sync_options, NULL);
	} else if (strcmp(cmd, "mark") == 0) {
		g_option_context_set_summary(ctx, "renraku mark: record what "
		    "you did or want for a thread.\n"
		    "  sent      you sent the next follow-up yourself\n"
		    "  replied   the client answered (outside the platform "
		    "mail)\n"
		    "  snooze N  no drafts for N business days\n"
		    "  done      nothing more to do for this thread\n"
		    "  resume    undo done and snooze");
		g_option_context_add_main_entries(ctx, mark_options, NULL);
	} else if (strcmp(cmd, "status") == 0) {
		g_option_context_set_summary(ctx, "renraku status: one line "
		    "per thread, from the state of the last sync.");
		g_option_context_add_main_entries(ctx, status_options, NULL);
	} else {
		g_option_context_free(ctx);
		path = g_strdup_printf("unknown command '%s'", cmd);
		status = usage_error(path);
		g_free(path);
		return (status);
	}
	{
		int	 cargc = argc - cmdi;
		char	**cargv = argv + cmdi;

		ok = g_option_context_parse(ctx, &cargc, &cargv, &e);
		g_option_context_free(ctx);
		if (ok && strcmp(cmd, "mark") == 0) {
			if (cargc < 3 || cargc > 4)
				return (usage_error("mark needs PLATFORM/KEY "
				    "and what to record"));
			mark_args = cargv + 1;
		} else if (ok && cargc > 1)
			return (usage_error("too many arguments"));
	}
	if (!ok) {
		status = usage_error(e->message);
		g_error_free(e);
		return (status);
	}

	/* the clock: read here and nowhere else */
	if (opt_now != NULL) {
		GTimeZone *local = g_time_zone_new_local();

		r.now = g_date_time_new_from_iso8601(opt_now, local);
		g_time_zone_unref(local);
		if (r.now == NULL)
			return (usage_error("--now: not an ISO 8601 time such "
			    "as 2026-12-09T10:00:00+09:00"));
	} else
		r.now = g_date_time_new_now_local();

	mail_init();
	path = opt_config != NULL ? g_strdup(opt_config) :
	    config_default_path();
	if ((cfg = config_load(path, &e)) == NULL)
		goto fail;
	rdirs[0] = g_build_filename(data_dir(), "platforms", NULL);
	rdirs[1] = g_build_filename(g_get_user_config_dir(), "renraku",
	    "platforms", NULL);
	rdirs[2] = NULL;
	rules = rules_load((const char *const *)rdirs, &e);
	g_free(rdirs[0]);
	g_free(rdirs[1]);
	if (rules == NULL)
		goto fail;
	if (cfg->templates_dir != NULL)
		tdirs[nt++] = g_strdup(cfg->templates_dir);
	tdirs[nt++] = g_build_filename(g_get_user_config_dir(), "renraku",
	    "templates", NULL);
	tdirs[nt++] = g_build_filename(data_dir(), "templates", NULL);
	tdirs[nt] = NULL;
	r.cfg = cfg;
	r.rules = rules;
	r.template_dirs = (const char *const *)tdirs;
	r.cal = &cfg->cal;
	r.dry_run = opt_dry_run;
	r.verbose = opt_verbose;

	if (strcmp(cmd, "status") != 0 &&
	    (lock = take_lock(cfg->state_dir, &e)) == -1)
		goto fail;
	if ((st = store_open(cfg->state_dir, &e)) == NULL)
		goto fail;
	if (strcmp(cmd, "sync") == 0)
		ok = sync_run(&r, st, &e);
	else if (strcmp(cmd, "mark") == 0)
		ok = mark(&r, st, mark_args, &e);
	else
		ok = status_print(&r, st, stdout, &e);
	if (!ok)
		goto fail;
	goto out;
fail:
	g_printerr("renraku: %s\n", e->message);
	status = exit_status(e);
	g_error_free(e);
out:
	if (fflush(stdout) != 0 && status == 0) {
		g_printerr("renraku: cannot write output: %s\n",
		    g_strerror(errno));
		status = 1;
	}
	store_close(st);
	if (lock != -1)
		close(lock);
	while (nt > 0)
		g_free(tdirs[--nt]);
	rules_free(rules);
	config_free(cfg);
	g_free(path);
	g_date_time_unref(r.now);
	return (status);
}
