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
#include "policy.h"
#include "preview.h"
#include "explain.h"
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

static guint	 opt_step;
static gboolean	 opt_json;

static const GOptionEntry status_options[] = {
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
	  "Print JSON (fields in renraku(1))", NULL },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const GOptionEntry now_option[] = {
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const GOptionEntry sync_options[] = {
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  "Read mail and decide, but change nothing in Drafts (prints the "
	  "drafts)", NULL },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static const GOptionEntry preview_options[] = {
	{ "step", 0, 0, G_OPTION_ARG_INT, &opt_step,
	  "The follow-up step to show, 1 to 3 (default: the one due or next)",
	  "N" },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  "Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)",
	  "TIME" },
	{ NULL }
};

static gboolean	cmd_sync(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_status(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_mark(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_templates(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_preview(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_explain(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_rules(const struct run *, struct store *, char **,
		    GError **);

/* The commands: their words and flags are what users' scripts rely on. */
static const struct command {
	const char		*name;
	const char		*params;
	const char		*summary;
	const GOptionEntry	*options;
	int			 min_args, max_args;	/* -1: any */
	gboolean		 config;	/* needs the config and store */
	gboolean		 lock;	/* takes the lock: changes state */
	gboolean		 (*run)(const struct run *, struct store *,
				    char **, GError **);
} commands[] = {
	{ "sync", NULL, "read new platform mail and draft the follow-ups due "
	  "(prints nothing on success unless -v is given)", sync_options, 0,
	  0, TRUE, TRUE, cmd_sync },
	{ "status", NULL, "one line per contract thread: phase, silence and "
	  "next step", status_options, 0, 0, TRUE, FALSE, cmd_status },
	{ "mark", "PLATFORM/KEY sent|replied|snooze DAYS|done|resume",
	  "record what you did or want for a thread\n"
	  "  sent      you sent the next follow-up yourself\n"
	  "  replied   the client answered (outside the platform's mail)\n"
	  "  snooze N  no drafts for N business days\n"
	  "  done      nothing more to do for this thread\n"
	  "  resume    undo done and snooze", now_option, 2, 3, TRUE, TRUE,
	  cmd_mark },
	{ "templates", "list|check", "where each template comes from, or "
	  "check them all", NULL, 1, 1, TRUE, FALSE, cmd_templates },
	{ "preview", "PLATFORM/KEY", "print the draft for a thread as it "
	  "would be made now, without touching the server", preview_options,
	  1, 1, TRUE, FALSE, cmd_preview },
	{ "explain", "FILE.eml…", "what renraku makes of each mail (- reads "
	  "one from stdin) and which rule decided, offline", NULL, 1, -1,
	  FALSE, FALSE, cmd_explain },
	{ "rules", "check", "check every platform rules file (FILE:LINE: "
	  "what)", NULL, 1, 1, FALSE, FALSE, cmd_rules },
};

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

static gboolean
cmd_sync(const struct run *r, struct store *st, char **args, GError **err)
{
	return (sync_run(r, st, err));
}

static gboolean
cmd_status(const struct run *r, struct store *st, char **args, GError **err)
{
	return (opt_json ? status_json(r, st, stdout, err) :
	    status_print(r, st, stdout, err));
}

static gboolean
cmd_templates(const struct run *r, struct store *st, char **args,
    GError **err)
{
	if (strcmp(args[0], "list") == 0)
		return (templates_list(r, stdout, err));
	if (strcmp(args[0], "check") == 0)
		return (templates_check(r, stdout, err));
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
	    "templates: '%s' is not list or check", args[0]);
	return (FALSE);
}

static gboolean
cmd_preview(const struct run *r, struct store *st, char **args,
    GError **err)
{
	if (opt_step > 3) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    "preview: --step is 1, 2 or 3");
		return (FALSE);
	}
	return (preview_print(r, st, args[0], opt_step, stdout, err));
}

static gboolean
cmd_explain(const struct run *r, struct store *st, char **args,
    GError **err)
{
	GError	*e = NULL;
	char	*raw;
	gsize	 len, i;
	gboolean ok = TRUE;

	for (i = 0; args[i] != NULL; i++) {
		if (strcmp(args[i], "-") == 0) {
			GIOChannel *in = g_io_channel_unix_new(0);

			g_io_channel_set_encoding(in, NULL, NULL);
			if (g_io_channel_read_to_end(in, &raw, &len, &e) !=
			    G_IO_STATUS_NORMAL)
				raw = NULL;
			g_io_channel_unref(in);
		} else if (!g_file_get_contents(args[i], &raw, &len, &e))
			raw = NULL;
		if (raw == NULL) {
			g_printerr("renraku: %s: %s\n", args[i], e->message);
			g_clear_error(&e);
			ok = FALSE;
			continue;
		}
		if (!explain_mail(r->rules, strcmp(args[i], "-") == 0 ?
		    "(stdin)" : args[i], raw, len, stdout, &e)) {
			g_printerr("renraku: %s\n", e->message);
			g_clear_error(&e);
			ok = FALSE;
		}
		g_free(raw);
	}
	if (!ok)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    "explain: some files could not be read as mail");
	return (ok);
}

static gboolean
cmd_rules(const struct run *r, struct store *st, char **args, GError **err)
{
	if (strcmp(args[0], "check") != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    "rules: '%s' is not check", args[0]);
		return (FALSE);
	}
	return (rules_check(r->rules_dirs, stdout, err));
}

/* "renraku mark THREAD WHAT [DAYS]": check it and record it. */
static gboolean
cmd_mark(const struct run *r, struct store *st, char **args, GError **err)
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

/* The commands, for --help. */
static char *
commands_help(void)
{
	GString	*s = g_string_new("Commands:\n");
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		const char *nl = strchr(commands[i].summary, '\n');

		g_string_append_printf(s, "  %s%s%s\n      %.*s\n",
		    commands[i].name, commands[i].params != NULL ? " " : "",
		    commands[i].params != NULL ? commands[i].params : "",
		    nl != NULL ? (int)(nl - commands[i].summary) :
		    (int)strlen(commands[i].summary), commands[i].summary);
	}
	g_string_append(s, "\nRun \"renraku COMMAND --help\" for a command's "
	    "options.\nExit status: 0 success, 64 usage error, 75 the server "
	    "could not be\nreached or failed (try again later), 78 "
	    "configuration error, 1 other failure.");
	return (g_string_free(s, FALSE));
}

int
main(int argc, char **argv)
{
	const struct command	*c = NULL;
	GOptionContext		*ctx;
	GError			*e = NULL;
	struct config		*cfg = NULL;
	struct rules		*rules = NULL;
	struct store		*st = NULL;
	struct run		 r;
	char			*tdirs[4], *rdirs[3] = { NULL, NULL, NULL };
	char			*path = NULL, *help;
	char			**argsv = NULL;
	int			 cmdi, status = 0, lock = -1, nt = 0, nargs;
	gsize			 i;
	gboolean		 ok;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof r);

	/* global options: everything before the command word */
	cmdi = find_command(argc, argv);
	ctx = g_option_context_new("COMMAND [OPTION…]");
	g_option_context_set_summary(ctx, "Drafts polite follow-ups when a "
	    "client on CrowdWorks, Lancers or Coconala goes silent.");
	help = commands_help();
	g_option_context_set_description(ctx, help);
	g_option_context_add_main_entries(ctx, global_options, NULL);
	{
		int	 gargc = cmdi;

		ok = g_option_context_parse(ctx, &gargc, &argv, &e);
		if (ok && gargc > 1) {
			g_option_context_free(ctx);
			g_free(help);
			return (usage_error("unexpected argument before the "
			    "command"));
		}
	}
	g_option_context_free(ctx);
	g_free(help);
	if (!ok) {
		status = usage_error(e->message);
		g_error_free(e);
		return (status);
	}
	if (opt_version) {
		printf("renraku %s\n", PACKAGE_VERSION);
		return (0);
	}
	if (cmdi >= argc)
		return (usage_error("no command given (sync, status, mark, "
		    "templates or preview)"));
	for (i = 0; i < G_N_ELEMENTS(commands) && c == NULL; i++)
		if (strcmp(commands[i].name, argv[cmdi]) == 0)
			c = &commands[i];
	if (c == NULL) {
		path = g_strdup_printf("unknown command '%s'", argv[cmdi]);
		status = usage_error(path);
		g_free(path);
		return (status);
	}

	/* command options and arguments */
	path = g_strdup_printf("%s%s%s", c->name, c->params != NULL ? " " : "",
	    c->params != NULL ? c->params : "");
	ctx = g_option_context_new(path);
	g_free(path);
	path = g_strdup_printf("renraku %s: %s", c->name, c->summary);
	g_option_context_set_summary(ctx, path);
	g_free(path);
	path = NULL;
	if (c->options != NULL)
		g_option_context_add_main_entries(ctx, c->options, NULL);
	{
		int	 cargc = argc - cmdi;
		char	**cargv = argv + cmdi;

		ok = g_option_context_parse(ctx, &cargc, &cargv, &e);
		g_option_context_free(ctx);
		nargs = cargc - 1;
		argsv = g_new0(char *, nargs > 0 ? nargs + 1 : 1);
		for (i = 0; (int)i < nargs; i++)
			argsv[i] = cargv[i + 1];
	}
	if (!ok) {
		status = usage_error(e->message);
		g_error_free(e);
		g_free(argsv);
		return (status);
	}
	if (nargs < c->min_args || (c->max_args >= 0 &&
	    nargs > c->max_args)) {
		path = g_strdup_printf("%s: expected %s", c->name,
		    c->params != NULL ? c->params : "no arguments");
		status = usage_error(path);
		g_free(path);
		g_free(argsv);
		return (status);
	}

	/* the clock: read here and nowhere else */
	if (opt_now != NULL) {
		GTimeZone *local = g_time_zone_new_local();

		r.now = g_date_time_new_from_iso8601(opt_now, local);
		g_time_zone_unref(local);
		if (r.now == NULL) {
			g_free(argsv);
			return (usage_error("--now: not an ISO 8601 time such "
			    "as 2026-12-09T10:00:00+09:00"));
		}
	} else
		r.now = g_date_time_new_now_local();

	mail_init();
	rdirs[0] = g_build_filename(data_dir(), "platforms", NULL);
	rdirs[1] = g_build_filename(g_get_user_config_dir(), "renraku",
	    "platforms", NULL);
	rdirs[2] = NULL;
	r.rules_dirs = (const char *const *)rdirs;
	r.verbose = opt_verbose;
	if (strcmp(c->name, "rules") == 0) {
		/* checks the files rules_load would refuse */
		if (!c->run(&r, NULL, argsv, &e))
			goto fail;
		goto out;
	}
	if ((rules = rules_load((const char *const *)rdirs, &e)) == NULL)
		goto fail;
	r.rules = rules;
	if (!c->config) {
		if (!c->run(&r, NULL, argsv, &e))
			goto fail;
		goto out;
	}
	path = opt_config != NULL ? g_strdup(opt_config) :
	    config_default_path();
	if ((cfg = config_load(path, &e)) == NULL)
		goto fail;
	if (cfg->templates_dir != NULL)
		tdirs[nt++] = g_strdup(cfg->templates_dir);
	tdirs[nt++] = g_build_filename(g_get_user_config_dir(), "renraku",
	    "templates", NULL);
	tdirs[nt++] = g_build_filename(data_dir(), "templates", NULL);
	tdirs[nt] = NULL;
	r.cfg = cfg;
	r.template_dirs = (const char *const *)tdirs;
	r.cal = &cfg->cal;
	r.dry_run = opt_dry_run;

	if (c->lock && (lock = take_lock(cfg->state_dir, &e)) == -1)
		goto fail;
	if ((st = store_open(cfg->state_dir, &e)) == NULL)
		goto fail;
	if (!c->run(&r, st, argsv, &e))
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
	g_free(rdirs[0]);
	g_free(rdirs[1]);
	g_free(argsv);
	g_date_time_unref(r.now);
	return (status);
}
