/*
 * main.c: the command line.  Only main() reads the clock and picks the
 * exit status (sysexits.h).
 */
#include <glib/gi18n.h>

#include "auth.h"
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
#include "pass.h"
#include "policy.h"
#include "preview.h"
#include "doctor.h"
#include "explain.h"
#include "init.h"
#include "log.h"
#include "watch.h"
#include "rules.h"
#include "run.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "template.h"

static char	*opt_config;
static int	 opt_verbose;
static gboolean	 opt_version;
static gboolean	 opt_quiet;
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
	  N_("Configuration file (default $XDG_CONFIG_HOME/renraku/config)"),
	  "FILE" },
	{ "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
	  (gpointer)count_verbose, N_("Say what is done (twice: show the IMAP "
	  "protocol, login redacted)"), NULL },
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
	  N_("Print no warnings, only errors"), NULL },
	{ "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
	  N_("Print the version and exit"), NULL },
	{ NULL }
};

static guint	 opt_step;
static gint	 opt_interval = 600;

static const GOptionEntry watch_options[] = {
	{ "interval", 0, 0, G_OPTION_ARG_INT, &opt_interval,
	  N_("Sync at least every SECONDS, and poll that often where the server "
	  "has no IDLE (default 600)"), "SECONDS" },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  N_("Act as if it were always TIME (for tests)"), "TIME" },
	{ NULL }
};
static gboolean	 opt_json;

static const GOptionEntry status_options[] = {
	{ "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
	  N_("Print JSON (fields in renraku(1))"), NULL },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  N_("Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)"),
	  "TIME" },
	{ NULL }
};

static const GOptionEntry now_option[] = {
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  N_("Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)"),
	  "TIME" },
	{ NULL }
};

static const GOptionEntry sync_options[] = {
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  N_("Read mail and decide, but change nothing in Drafts (prints the "
	  "drafts)"), NULL },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  N_("Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)"),
	  "TIME" },
	{ NULL }
};

static gint	 opt_auth_port;
static gint	 opt_auth_wait = 300;
static gboolean	 opt_no_browser;

static const GOptionEntry auth_options[] = {
	{ "port", 0, 0, G_OPTION_ARG_INT, &opt_auth_port,
	  N_("The loopback port the browser comes back to (default: any free "
	  "one)"), "PORT" },
	{ "wait", 0, 0, G_OPTION_ARG_INT, &opt_auth_wait,
	  N_("How long to wait for the browser (default 300)"), "SECONDS" },
	{ "no-browser", 0, 0, G_OPTION_ARG_NONE, &opt_no_browser,
	  N_("Only print the address to open, do not open a browser"), NULL },
	{ NULL }
};

static const GOptionEntry preview_options[] = {
	{ "step", 0, 0, G_OPTION_ARG_INT, &opt_step,
	  N_("The follow-up step to show, 1 to 3 (default: the one due or next)"),
	  "N" },
	{ "now", 0, 0, G_OPTION_ARG_STRING, &opt_now,
	  N_("Act as if it were TIME (ISO 8601, e.g. 2026-12-09T10:00:00+09:00)"),
	  "TIME" },
	{ NULL }
};

static struct init_values opt_init;
static gboolean	 opt_force;

static const GOptionEntry init_options[] = {
	{ "name", 0, 0, G_OPTION_ARG_STRING, &opt_init.name,
	  N_("Your name, which signs the drafts"), "NAME" },
	{ "host", 0, 0, G_OPTION_ARG_STRING, &opt_init.host,
	  N_("The IMAP server"), "HOST" },
	{ "user", 0, 0, G_OPTION_ARG_STRING, &opt_init.user,
	  N_("The login, also the drafts' From address"), "USER" },
	{ "password-command", 0, 0, G_OPTION_ARG_STRING,
	  &opt_init.password_command, N_("A command printing the password"),
	  "COMMAND" },
	{ "security", 0, 0, G_OPTION_ARG_STRING, &opt_init.security,
	  N_("tls (default) or starttls"), "tls|starttls" },
	{ "port", 0, 0, G_OPTION_ARG_INT, &opt_init.port,
	  N_("The port (default 993 for tls, 143 for starttls)"), "PORT" },
	{ "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_init.ca_file,
	  N_("PEM certificates to trust instead of the system's"), "FILE" },
	{ "mailboxes", 0, 0, G_OPTION_ARG_STRING, &opt_init.mailboxes,
	  N_("Mailboxes to watch, separated by ';' (default INBOX)"),
	  "LIST" },
	{ "account", 0, 0, G_OPTION_ARG_STRING, &opt_init.account,
	  N_("The account's name in the file (default main)"), "NAME" },
	{ "force", 0, 0, G_OPTION_ARG_NONE, &opt_force,
	  N_("Replace an existing configuration file"), NULL },
	{ NULL }
};

static gboolean	cmd_init(const struct run *, struct store *, char **,
		    GError **);
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
static gboolean	cmd_doctor(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_watch(const struct run *, struct store *, char **,
		    GError **);
static gboolean	cmd_auth(const struct run *, struct store *, char **,
		    GError **);

/* The commands: their words and flags are what users' scripts rely on. */
static const struct command {
	const char		*name;
	const char		*params;
	const char		*summary;
	const GOptionEntry	*options;
	int			 min_args, max_args;	/* -1: any */
	gboolean		 rules;	/* needs the platform rules loaded */
	gboolean		 config;	/* needs the config and store */
	gboolean		 lock;	/* takes the lock: changes state */
	gboolean		 (*run)(const struct run *, struct store *,
				    char **, GError **);
	/* the store from store_open_start(), which run gets ready
	   (store_ready()) while it waits for the server */
	gboolean		 ready_later;
} commands[] = {
	{ "init", NULL, N_("write a first configuration file, asking for what "
	  "the options do not give"), init_options, 0, 0, FALSE, FALSE,
	  FALSE, cmd_init },
	{ "sync", NULL, N_("read new platform mail and draft the follow-ups "
	  "due (prints nothing on success unless -v is given)"), sync_options, 0,
	  0, TRUE, TRUE, TRUE, cmd_sync, TRUE },
	{ "status", NULL, N_("one line per contract thread: phase, silence "
	  "and next step"), status_options, 0, 0, TRUE, TRUE, FALSE,
	  cmd_status },
	{ "mark", "PLATFORM/KEY sent|replied|snooze DAYS|done|resume",
	  N_("record what you did or want for a thread\n"
	  "  sent      you sent the next follow-up yourself\n"
	  "  replied   the client answered (outside the platform's mail)\n"
	  "  snooze N  no drafts for N business days\n"
	  "  done      nothing more to do for this thread\n"
	  "  resume    undo done and snooze, or take up a dormant thread"),
	  now_option, 2, 3, TRUE, TRUE,
	  TRUE, cmd_mark },
	{ "templates", "list|check", N_("where each template comes from, or "
	  "check them all"), NULL, 1, 1, TRUE, TRUE, FALSE,
	  cmd_templates },
	{ "preview", "PLATFORM/KEY", N_("print the draft for a thread as it "
	  "would be made now, without touching the server"), preview_options,
	  1, 1, TRUE, TRUE, FALSE, cmd_preview },
	{ "explain", "FILE.eml…", N_("what renraku makes of each mail (- "
	  "reads one from stdin) and which rule decided, offline"), NULL, 1, -1,
	  TRUE, FALSE, FALSE, cmd_explain },
	{ "rules", "check", N_("check every platform rules file (FILE:LINE: "
	  "what)"), NULL, 1, 1, FALSE, FALSE, FALSE, cmd_rules },
	{ "doctor", NULL, N_("check, and explain, each step a sync depends "
	  "on"),
	  now_option, 0, 0, TRUE, FALSE, FALSE, cmd_doctor },
	{ "watch", NULL, N_("stay connected and sync as soon as mail arrives "
	  "(IDLE); cron with sync stays the recommended way"), watch_options,
	  0, 0, TRUE, TRUE, FALSE, cmd_watch },
	{ "auth", "ACCOUNT", N_("sign in to Gmail or Microsoft 365 with OAuth2 "
	  "in a browser, and keep the refresh token for sync"), auth_options,
	  1, 1, FALSE, TRUE, FALSE, cmd_auth },
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
	case RENRAKU_ERROR_USAGE:
		return (EX_USAGE);
	default:
		return (1);
	}
}

static int
usage_error(const char *msg)
{
	g_printerr(_("renraku: %s\nTry \"renraku --help\".\n"), msg);
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


/*
 * "renraku init": the values the options do not give are asked on stdin
 * (the password command only of someone answering questions), then the
 * file is written, owner-only, and never over an existing one unless
 * --force.
 */
static gboolean
cmd_init(const struct run *r, struct store *st, char **args, GError **err)
{
	struct init_values	 v = opt_init;
	char			*host = NULL, *user = NULL, *name = NULL;
	char			*pwcmd = NULL, *path, *text = NULL;
	gboolean		 asked = FALSE, ok = FALSE;

	path = opt_config != NULL ? g_strdup(opt_config) :
	    config_default_path();
	/* before any question, not after the answers */
	if (!init_may_write(path, opt_force, err))
		goto out;
	if (v.host == NULL) {
		v.host = host = init_ask(_("IMAP server (e.g. imap.gmail.com)"),
		    stdin, stdout);
		asked = TRUE;
	}
	if (v.host != NULL && v.user == NULL) {
		v.user = user = init_ask(_("Login (your mail address)"), stdin,
		    stdout);
		asked = TRUE;
	}
	if (v.user != NULL && v.name == NULL) {
		v.name = name = init_ask(_("Your name, to sign the drafts (e.g. "
		    "山田 花子)"), stdin, stdout);
		asked = TRUE;
	}
	if (v.name != NULL && v.password_command == NULL &&
	    (asked || isatty(STDIN_FILENO))) {
		v.password_command = pwcmd = init_ask(_("Command printing the "
		    "password (e.g. pass show mail/imap; empty: set it later)"),
		    stdin, stdout);
	}
	if ((text = init_render(&v, err)) == NULL ||
	    !init_write(path, text, opt_force, err))
		goto out;
	printf(_("wrote %s (readable by you alone)\n"), path);
	if (v.password_command == NULL)
		printf(_("set password_command in it before the first sync\n"));
	printf(opt_config != NULL ? _("next: renraku -c %s doctor\n") :
	    _("next: renraku doctor\n"), path);
	ok = TRUE;
out:
	g_free(text);
	g_free(host);
	g_free(user);
	g_free(name);
	g_free(pwcmd);
	g_free(path);
	return (ok);
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
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
	    _("templates: '%s' is not list or check"), args[0]);
	return (FALSE);
}

static gboolean
cmd_preview(const struct run *r, struct store *st, char **args,
    GError **err)
{
	if (opt_step > POLICY_STEPS) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("preview: --step is 1, 2 or 3"));
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
			g_printerr(_("renraku: %s: %s\n"), args[i], e->message);
			g_clear_error(&e);
			ok = FALSE;
			continue;
		}
		if (!explain_mail(r->rules, strcmp(args[i], "-") == 0 ?
		    "(stdin)" : args[i], raw, len, stdout, &e)) {
			g_printerr(_("renraku: %s\n"), e->message);
			g_clear_error(&e);
			ok = FALSE;
		}
		g_free(raw);
	}
	if (!ok)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("explain: some files could not be read as mail"));
	return (ok);
}

static gboolean
cmd_rules(const struct run *r, struct store *st, char **args, GError **err)
{
	if (strcmp(args[0], "check") != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("rules: '%s' is not check"), args[0]);
		return (FALSE);
	}
	return (rules_check(r->rules_dirs, stdout, err));
}

static gboolean
cmd_doctor(const struct run *r, struct store *st, char **args, GError **err)
{
	struct run	 copy = *r;
	char		*path;
	gboolean	 ok;

	path = opt_config != NULL ? g_strdup(opt_config) :
	    config_default_path();
	ok = doctor_run(&copy, path, stdout, err);
	g_free(path);
	return (ok);
}

/* --now as a time, parsed once by main(); NULL: the real clock. */
static GDateTime	*now_given;

/* The clock, for watch: the real one, or --now held still. */
static GDateTime *
clock_now(void)
{
	return (now_given != NULL ? g_date_time_ref(now_given) :
	    g_date_time_new_now_local());
}

static gboolean
cmd_watch(const struct run *r, struct store *st, char **args, GError **err)
{
	struct run	 copy = *r;
	gboolean	 ok;

	if (opt_interval < 1 || opt_interval > 86400) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("watch: --interval is 1 to 86400 seconds"));
		return (FALSE);
	}
	/* a long run: each line out as it is said, even into a file */
	setvbuf(stdout, NULL, _IOLBF, 0);
	copy.now = g_date_time_ref(r->now);
	ok = watch_run(&copy, st, (guint)opt_interval, clock_now, err);
	g_date_time_unref(copy.now);
	return (ok);
}

/* "renraku auth ACCOUNT": sign the account in (auth.c). */
static gboolean
cmd_auth(const struct run *r, struct store *st, char **args, GError **err)
{
	const struct account	*acct = NULL;
	guint			 i;

	for (i = 0; i < r->cfg->accounts->len && acct == NULL; i++)
		if (strcmp(((struct account *)
		    r->cfg->accounts->pdata[i])->name, args[0]) == 0)
			acct = r->cfg->accounts->pdata[i];
	if (acct == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("auth: no [account %s] in the configuration"), args[0]);
		return (FALSE);
	}
	if (opt_auth_port < 0 || opt_auth_port > 65535 || opt_auth_wait < 1 ||
	    opt_auth_wait > 3600) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("auth: --port is 1 to 65535, --wait 1 to 3600 seconds"));
		return (FALSE);
	}
	return (auth_run(acct, r->cfg->state_dir, g_date_time_to_unix(r->now),
	    (guint16)opt_auth_port, (guint)opt_auth_wait, !opt_no_browser,
	    r->cfg->timeout, stdout, err));
}

/* "renraku mark THREAD WHAT [DAYS]": check it and record it. */
static gboolean
cmd_mark(const struct run *r, struct store *st, char **args, GError **err)
{
	char	*end, *id;
	guint64	 days = 0;
	int	 kind, known;
	gboolean ok;

	/* dormant is renraku's own, set by a first sync */
	if ((kind = mark_kind_from_name(args[1])) < 0 || kind == MARK_DORMANT) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("mark: '%s' is not sent, replied, snooze, done or resume"),
		    args[1]);
		return (FALSE);
	}
	if ((kind == MARK_SNOOZE) != (args[2] != NULL)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    kind == MARK_SNOOZE ? "mark: snooze needs a number of "
		    "business days" : "mark: %s takes no number", args[1]);
		return (FALSE);
	}
	if (args[2] != NULL) {
		days = g_ascii_strtoull(args[2], &end, 10);
		if (*end != '\0' || end == args[2] || days < 1 ||
		    days > 365) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
			    _("mark: snooze: '%s' is not 1 to 365 days"),
			    args[2]);
			return (FALSE);
		}
	}
	/* an old id (a proposal merged into its contract) names the thread */
	id = store_thread_current(st, args[0]);
	if ((known = store_thread_exists(st, id, err)) == 0)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("mark: no thread '%s' (see renraku status)"), args[0]);
	ok = known > 0 && store_mark_add(st, id, (enum mark_kind)kind,
	    (guint)days, g_date_time_to_unix(r->now), err);
	g_free(id);
	return (ok);
}

/* The commands, for --help. */
static char *
commands_help(void)
{
	GString	*s = g_string_new(_("Commands:\n"));
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(commands); i++) {
		const char *summary = _(commands[i].summary);
		const char *nl = strchr(summary, '\n');

		g_string_append_printf(s, "  %s%s%s\n      %.*s\n",
		    commands[i].name, commands[i].params != NULL ? " " : "",
		    commands[i].params != NULL ? commands[i].params : "",
		    nl != NULL ? (int)(nl - summary) : (int)strlen(summary),
		    summary);
	}
	g_string_append(s, _("\nRun \"renraku COMMAND --help\" for a "
	    "command's options.\nExit status: 0 success, 64 usage error, 75 "
	    "the server could not be\nreached or failed (try again later), "
	    "78 configuration error, 1 other failure."));
	return (g_string_free(s, FALSE));
}

/*
 * The global options, everything before the command word (argv[*cmdi],
 * or *cmdi == argc if there is none).  Returns -1 to go on, else the exit
 * status (--version and --help end here).
 */
static int
parse_global(int argc, char **argv, int *cmdi)
{
	GOptionContext	*ctx;
	GError		*e = NULL;
	char		*help;
	int		 gargc, status = -1;

	*cmdi = find_command(argc, argv);
	gargc = *cmdi;
	ctx = g_option_context_new(_("COMMAND [OPTION…]"));
	g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
	g_option_context_set_summary(ctx, _("Drafts polite follow-ups when a "
	    "client on CrowdWorks, Lancers or Coconala goes silent."));
	help = commands_help();
	g_option_context_set_description(ctx, help);
	g_option_context_add_main_entries(ctx, global_options, NULL);
	if (!g_option_context_parse(ctx, &gargc, &argv, &e)) {
		status = usage_error(e->message);
		g_error_free(e);
	} else if (gargc > 1)
		status = usage_error(_("unexpected argument before the "
		    "command"));
	else if (opt_version) {
		printf(_("renraku %s\n"), PACKAGE_VERSION);
		status = 0;
	} else if (*cmdi >= argc)
		status = usage_error(_("no command given (renraku --help lists "
		    "them)"));
	g_option_context_free(ctx);
	g_free(help);
	return (status);
}

/* The command named 'word', or NULL. */
static const struct command *
command_named(const char *word)
{
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(commands[i].name, word) == 0)
			return (&commands[i]);
	return (NULL);
}

/*
 * The options and arguments of command 'c' ('argc', 'argv' from its
 * word on); the arguments into *args (NULL-terminated, borrowed from
 * argv, for g_free).  Returns -1 to go on, else the exit status.
 */
static int
parse_command(const struct command *c, int argc, char **argv, char ***args)
{
	GOptionContext	*ctx;
	GError		*e = NULL;
	char		*s;
	int		 nargs, status = -1, i;

	s = g_strdup_printf("%s%s%s", c->name, c->params != NULL ? " " : "",
	    c->params != NULL ? c->params : "");
	ctx = g_option_context_new(s);
	g_free(s);
	g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
	s = g_strdup_printf("renraku %s: %s", c->name, _(c->summary));
	g_option_context_set_summary(ctx, s);
	g_free(s);
	if (c->options != NULL)
		g_option_context_add_main_entries(ctx, c->options, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &e)) {
		status = usage_error(e->message);
		g_error_free(e);
		g_option_context_free(ctx);
		return (status);
	}
	g_option_context_free(ctx);
	nargs = argc - 1;
	*args = g_new0(char *, nargs > 0 ? nargs + 1 : 1);
	for (i = 0; i < nargs; i++)
		(*args)[i] = argv[i + 1];
	if (nargs < c->min_args || (c->max_args >= 0 &&
	    nargs > c->max_args)) {
		s = c->params != NULL ? g_strdup_printf(_("%s: expected %s"),
		    c->name, c->params) : g_strdup_printf(_("%s: expected no "
		    "arguments"), c->name);
		status = usage_error(s);
		g_free(s);
	}
	return (status);
}

/*
 * Set 'r' up as command 'c' needs it (rules, config, templates, lock,
 * store), run it with 'args', and tear down.  Returns the exit status.
 */
static int
run_command(const struct command *c, struct run *r, char **args)
{
	GError		*e = NULL;
	struct config	*cfg = NULL;
	struct rules	*rules = NULL;
	struct store	*st = NULL;
	char		**tdirs = NULL, *rdirs[3] = { NULL, NULL, NULL };
	char		*loaded = NULL;
	char		*path = NULL;
	int		 status = 0, lock = -1;

	rdirs[0] = g_build_filename(run_data_dir(), "platforms", NULL);
	rdirs[1] = g_build_filename(g_get_user_config_dir(), "renraku",
	    "platforms", NULL);
	r->rules_dirs = (const char *const *)rdirs;
	r->verbose = opt_verbose;
	/* rules check reads the files rules_load would refuse; init needs
	   none */
	if (c->rules &&
	    (rules = rules_load((const char *const *)rdirs, &e)) == NULL)
		goto fail;
	r->rules = rules;
	if (c->config) {
		path = opt_config != NULL ? g_strdup(opt_config) :
		    config_default_path();
		if ((cfg = config_load(path, &e)) == NULL)
			goto fail;
		tdirs = run_template_dirs(cfg);
		/* what a pass decides from, as read (not as edited since) */
		loaded = pass_digest((const char *const *)rdirs,
		    (const char *const *)tdirs, path);
		r->loaded = loaded;
		log_open(cfg->syslog, opt_quiet);
		r->progress = !opt_quiet && !cfg->syslog && opt_verbose == 0 &&
		    isatty(STDERR_FILENO);
		r->cfg = cfg;
		r->template_dirs = (const char *const *)tdirs;
		r->templates = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, (GDestroyNotify)template_free);
		r->cal = &cfg->cal;
		r->dry_run = opt_dry_run;
		if (c->lock && (lock = run_lock(cfg->state_dir, &e)) == -1)
			goto fail;
		if ((st = c->ready_later ? store_open_start(cfg->state_dir,
		    &e) : store_open(cfg->state_dir, &e)) == NULL)
			goto fail;
	}
	if (c->run(r, st, args, &e))
		goto out;
fail:
	log_error("%s", e->message);
	status = exit_status(e);
	g_error_free(e);
out:
	store_close(st);
	run_unlock(lock);
	if (r->templates != NULL)
		g_hash_table_destroy(r->templates);
	g_strfreev(tdirs);
	rules_free(rules);
	config_free(cfg);
	g_free(loaded);
	g_free(path);
	g_free(rdirs[0]);
	g_free(rdirs[1]);
	return (status);
}

int
main(int argc, char **argv)
{
	const struct command	*c;
	struct run		 r;
	char			**args = NULL, *msg;
	int			 cmdi, status;

	setlocale(LC_ALL, "");
	/* $RENRAKU_LOCALEDIR lets tests use the catalogues of the build */
	bindtextdomain(GETTEXT_PACKAGE, g_getenv("RENRAKU_LOCALEDIR") != NULL ?
	    g_getenv("RENRAKU_LOCALEDIR") : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	signal(SIGPIPE, SIG_IGN);
	memset(&r, 0, sizeof r);

	if ((status = parse_global(argc, argv, &cmdi)) >= 0)
		return (status);
	if ((c = command_named(argv[cmdi])) == NULL) {
		msg = g_strdup_printf(_("unknown command '%s'"), argv[cmdi]);
		status = usage_error(msg);
		g_free(msg);
		return (status);
	}
	if ((status = parse_command(c, argc - cmdi, argv + cmdi, &args)) >=
	    0) {
		g_free(args);
		return (status);
	}
	/* the clock: read here and nowhere else */
	if (opt_now != NULL) {
		GTimeZone *local = g_time_zone_new_local();

		now_given = g_date_time_new_from_iso8601(opt_now, local);
		g_time_zone_unref(local);
		if (now_given == NULL) {
			g_free(args);
			return (usage_error(_("--now: not an ISO 8601 time such "
			    "as 2026-12-09T10:00:00+09:00")));
		}
	}
	r.now = clock_now();
	mail_init();
	status = run_command(c, &r, args);
	if (fflush(stdout) != 0 && status == 0) {
		g_printerr(_("renraku: cannot write output: %s\n"),
		    g_strerror(errno));
		status = 1;
	}
	g_free(args);
	g_date_time_unref(r.now);
	if (now_given != NULL)
		g_date_time_unref(now_given);
	return (status);
}
