/*
 * test-config.c: config_load() on files written to a temporary directory,
 * and config_password().
 */
#include "unit.h"

#include "config.h"
#include "error.h"

/* Where state_dir defaults to; set before GLib caches it. */
#define STATE_HOME	"/nonexistent/renraku-unit-state"

static int
group_setup(void **state)
{
	g_setenv("XDG_STATE_HOME", STATE_HOME, TRUE);
	return (0);
}

/* An account block good enough to make a file load. */
#define GOOD_ACCOUNT							\
	"[account main]\n"						\
	"host = imap.example.com\n"					\
	"user = hanako@example.com\n"					\
	"password_command = pass show mail\n"

/* Write 'text' as dir/config with 'mode' and load it; *path is set. */
static struct config *
load(const char *dir, const char *text, int mode, char **path,
    GError **err)
{
	*path = unit_write(dir, "config", text, mode);
	return (config_load(*path, err));
}

/*
 * Check that 'e' is a config error whose lines are exactly 'want' (each
 * "[group] key: what" after "PATH: "), in any order.
 */
static void
assert_config_errors(const GError *e, const char *path,
    const char *const *want, gsize nwant)
{
	char	**lines, *prefix;
	gsize	  i, j;

	if (e == NULL)
		fail_msg("the file loaded; wanted %zu errors", nwant);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	lines = g_strsplit(e->message, "\n", -1);
	if (g_strv_length(lines) != nwant)
		fail_msg("%u error lines, wanted %zu:\n%s",
		    g_strv_length(lines), nwant, e->message);
	for (i = 0; i < nwant; i++) {
		prefix = g_strdup_printf("%s: %s", path, want[i]);
		for (j = 0; lines[j] != NULL; j++)
			if (g_str_has_prefix(lines[j], prefix))
				break;
		if (lines[j] == NULL)
			fail_msg("no line starts \"%s\" in:\n%s", prefix,
			    e->message);
		g_free(prefix);
	}
	g_strfreev(lines);
}

static void
test_defaults(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "[general]\n"
	    "your_name = 山田 花子\n"
	    "\n"
	    GOOD_ACCOUNT
	    "\n"
	    "[account work]\n"
	    "host = mail.example.org\n"
	    "security = starttls\n"
	    "user = w@example.org\n"
	    "password_command = true\n"
	    "mailboxes = INBOX; Platforms/CW ;\n"
	    "drafts = Drafts\n"
	    "\n"
	    "[account custom]\n"
	    "host = imap.example.net\n"
	    "port = 1993\n"
	    "security = tls\n"
	    "user = c\n"
	    "password_command = x\n";
	static const struct {
		const char	*name, *host;
		guint16		 port;
		enum security	 security;
		const char	*mailboxes;	/* joined with '|' */
		const char	*drafts;
	} want[] = {
		{ "main", "imap.example.com", 993, SECURITY_TLS, "INBOX",
		  NULL },
		{ "work", "mail.example.org", 143, SECURITY_STARTTLS,
		  "INBOX|Platforms/CW", "Drafts" },
		{ "custom", "imap.example.net", 1993, SECURITY_TLS, "INBOX",
		  NULL },
	};
	struct config	*cfg;
	GError		*e = NULL;
	char		*path, *mb;
	gsize		 i;

	cfg = load(*state, text, 0600, &path, &e);
	assert_no_error(e);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->your_name, "山田 花子");
	assert_string_equal(cfg->state_dir, STATE_HOME "/renraku");
	assert_null(cfg->templates_dir);
	assert_int_equal(cfg->timeout, 60);
	/* unset policy numbers are -1: the defaults come from policy.c */
	assert_int_equal(cfg->policy.step_days[0], -1);
	assert_int_equal(cfg->policy.remedy_days, -1);
	assert_true(cfg->cal.year_end);
	assert_null(cfg->cal.extra);
	assert_int_equal(cfg->accounts->len, G_N_ELEMENTS(want));
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct account *a = cfg->accounts->pdata[i];

		assert_string_equal(a->name, want[i].name);
		assert_string_equal(a->host, want[i].host);
		assert_int_equal(a->port, want[i].port);
		assert_int_equal(a->security, want[i].security);
		assert_null(a->ca_file);
		assert_null(a->password);
		assert_non_null(a->password_command);
		mb = g_strjoinv("|", a->mailboxes);
		assert_string_equal(mb, want[i].mailboxes);
		g_free(mb);
		assert_string_or_null(a->drafts, want[i].drafts);
	}
	assert_string_equal(((struct account *)cfg->accounts->pdata[0])->
	    password_command, "pass show mail");
	config_free(cfg);
	g_free(path);
}

static void
test_explicit_values(void **state)
{
	struct config	*cfg;
	GError		*e = NULL;
	char		*text, *path, *ca;

	ca = unit_write(*state, "ca.pem", "not checked here\n", 0644);
	text = g_strdup_printf(
	    "[general]\n"
	    "your_name = Hanako\n"
	    "state_dir = %s/state\n"
	    "templates_dir = %s\n"
	    "timeout = 30\n"
	    "[policy]\n"
	    "step1_days = 5\n"
	    "days_off = 2026-08-13;2026-08-14\n"
	    "[policy lancers]\n"
	    "remedy_days = 10\n"
	    GOOD_ACCOUNT
	    "ca_file = %s\n", (char *)*state, (char *)*state, ca);
	cfg = load(*state, text, 0600, &path, &e);
	assert_no_error(e);
	assert_non_null(cfg);
	assert_int_equal(cfg->timeout, 30);
	assert_int_equal(cfg->policy.step_days[0], 5);
	assert_int_equal(cfg->policy.step_days[1], -1);
	assert_non_null(cfg->cal.extra);
	assert_int_equal(cfg->cal.extra->len, 2);
	{
		const struct policy_override *o = g_hash_table_lookup(
		    cfg->platform_policy, "lancers");

		assert_non_null(o);
		assert_int_equal(o->remedy_days, 10);
	}
	assert_string_equal(cfg->templates_dir, *state);
	assert_true(g_str_has_suffix(cfg->state_dir, "/state"));
	assert_string_equal(((struct account *)cfg->accounts->pdata[0])->
	    ca_file, ca);
	config_free(cfg);
	g_free(text);
	g_free(path);
	g_free(ca);
}

static void
test_many_errors(void **state)
{
	static const char text[] =
	    "[general]\n"
	    "timeout = abc\n"
	    "templates_dir = /nonexistent/templates\n"
	    "[policy]\n"
	    "step1_days = 0\n"
	    "[account work]\n"
	    "port = 99999\n"
	    "security = plain\n"
	    "password_command = true\n"
	    "password = also\n"
	    "mailboxes = ;\n"
	    "[account two]\n"
	    "host = imap.example.com:993\n"
	    "user = hanako\n"
	    "from = hanako at example.com\n"
	    "drafts = inbox\n"
	    "password_command = true\n"
	    "[account three]\n"
	    "host = a.example.com\n"
	    "user = u\n"
	    "password_command = true\n"
	    "host = b.example.com\n"
	    "[account three]\n";
	static const char *const want[] = {
		"[general] your_name: missing",
		"[general] timeout: 'abc' is not a whole number",
		"[general] templates_dir: '/nonexistent/templates' is not a "
		    "directory",
		"[policy] step1_days: must be at least 1",
		"[account work] host: missing",
		"[account work] security: 'plain' is not tls or starttls",
		"[account work] port: '99999' is not a whole number from 1 "
		    "to 65535",
		"[account work] user: missing",
		"[account work] password: set either password or "
		    "password_command",
		"[account work] mailboxes: no mailbox",
		"[account three] host: set again at line 22 (first at line 19)",
		"[account three]: appears again at line 23 (first at line 18): "
		    "one group each",
		"[account two] host: 'imap.example.com:993': write the port "
		    "in the port key, not after the host name",
		"[account two] drafts: INBOX is where your mail arrives, never "
		    "a Drafts mailbox",
		"[account two] from: 'hanako at example.com' is not an address "
		    "such as hanako@example.com",
	};
	struct config	*cfg;
	GError		*e = NULL;
	char		*path;

	cfg = load(*state, text, 0600, &path, &e);
	assert_null(cfg);
	assert_config_errors(e, path, want, G_N_ELEMENTS(want));
	g_error_free(e);
	g_free(path);
}

static void
test_unknown_key(void **state)
{
	static const char text[] =
	    "[general]\n"
	    "your_name = Hanako\n"
	    "colour = blue\n"
	    GOOD_ACCOUNT
	    "passwd = oops\n"
	    "[genral]\n"
	    "x = 1\n";
	struct config	*cfg;
	GError		*e = NULL;
	char		*path, *want;

	cfg = load(*state, text, 0600, &path, &e);
	assert_null(cfg);
	assert_non_null(e);
	/* the whole message: the format is a promise to users */
	want = g_strdup_printf(
	    "%s: [general] colour: unknown key\n"
	    "%s: [account main] passwd: unknown key\n"
	    "%s: [genral]: unknown group", path, path, path);
	assert_string_equal(e->message, want);
	g_free(want);
	g_error_free(e);
	g_free(path);
}

static void
test_bad_security(void **state)
{
	static const struct {
		const char	*value;
		const char	*error;		/* NULL: accepted */
	} cases[] = {
		{ "tls", NULL },
		{ "starttls", NULL },
		{ "ssl", "[account main] security: 'ssl' is not tls or "
		    "starttls (there is no cleartext option)" },
		{ "none", "[account main] security: 'none' is not tls or "
		    "starttls" },
		{ "TLS", "[account main] security: 'TLS' is not tls or "
		    "starttls" },
	};
	struct config	*cfg;
	GError		*e = NULL;
	char		*text, *path;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		text = g_strdup_printf("[general]\nyour_name = H\n"
		    GOOD_ACCOUNT "security = %s\n", cases[i].value);
		cfg = load(*state, text, 0600, &path, &e);
		if (cases[i].error == NULL) {
			assert_no_error(e);
			assert_non_null(cfg);
		} else {
			assert_null(cfg);
			assert_config_errors(e, path, &cases[i].error, 1);
			g_clear_error(&e);
		}
		config_free(cfg);
		g_free(text);
		g_free(path);
	}
}

/*
 * OAuth2: the client id is all Gmail and Microsoft 365 need, the rest
 * from the provider named or the host's; another provider needs its
 * URLs; keys given win over the preset.
 */
static void
test_oauth2_presets(void **state)
{
	static const struct {
		const char	*keys;
		const char	*auth_url, *token_url, *scope;
		const char	*error;		/* NULL: accepted */
	} cases[] = {
		{ "host = imap.gmail.com\n",
		  "https://accounts.google.com/o/oauth2/v2/auth",
		  "https://oauth2.googleapis.com/token",
		  "https://mail.google.com/", NULL },
		{ "host = Outlook.Office365.com\n",
		  "https://login.microsoftonline.com/common/oauth2/v2.0/"
		  "authorize",
		  "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		  "https://outlook.office.com/IMAP.AccessAsUser.All "
		  "offline_access", NULL },
		{ "host = mail.example.com\noauth2_provider = microsoft\n"
		  "oauth2_scope = x\n",
		  "https://login.microsoftonline.com/common/oauth2/v2.0/"
		  "authorize",
		  "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		  "x", NULL },
		{ "host = mail.example.com\n"
		  "oauth2_token_url = https://id.example.com/token\n",
		  NULL, "https://id.example.com/token", NULL, NULL },
		{ "host = mail.example.com\n", NULL, NULL, NULL,
		  "[account main] oauth2_token_url: missing: set "
		  "oauth2_provider = gmail or microsoft, or this URL" },
		{ "host = imap.gmail.com\noauth2_provider = yahoo\n"
		  "oauth2_token_url = https://id.example.com/token\n", NULL,
		  NULL, NULL, "[account main] oauth2_provider: 'yahoo' is not "
		  "gmail or microsoft" },
	};
	struct config	*cfg;
	struct account	*a;
	GError		*e = NULL;
	char		*text, *path;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		text = g_strdup_printf("[general]\nyour_name = H\n"
		    "[account main]\nuser = h@example.com\nauth = xoauth2\n"
		    "oauth2_client_id = app\n%s", cases[i].keys);
		cfg = load(*state, text, 0600, &path, &e);
		if (cases[i].error != NULL) {
			assert_null(cfg);
			assert_config_errors(e, path, &cases[i].error, 1);
			g_clear_error(&e);
		} else {
			assert_no_error(e);
			a = cfg->accounts->pdata[0];
			assert_string_equal(a->oauth2_token_url,
			    cases[i].token_url);
			if (cases[i].auth_url != NULL)
				assert_string_equal(a->oauth2_auth_url,
				    cases[i].auth_url);
			else
				assert_null(a->oauth2_auth_url);
			if (cases[i].scope != NULL)
				assert_string_equal(a->oauth2_scope,
				    cases[i].scope);
			/* no secret command: none is needed */
			assert_null(a->oauth2_client_secret_command);
			assert_null(a->oauth2_refresh_token_command);
		}
		config_free(cfg);
		g_free(text);
		g_free(path);
	}
}

static void
test_password_mode(void **state)
{
	static const char text[] =
	    "[general]\n"
	    "your_name = H\n"
	    "[account main]\n"
	    "host = imap.example.com\n"
	    "user = hanako@example.com\n"
	    "password = s3cret-pw\n";
	static const struct {
		int		 mode;
		gboolean	 ok;
	} cases[] = {
		{ 0600, TRUE },
		{ 0400, TRUE },
		{ 0644, FALSE },
		{ 0640, FALSE },
		{ 0604, FALSE },
	};
	static const char *const refused[] = {
		"[account main] password: refused"
	};
	struct config	*cfg;
	GError		*e = NULL;
	char		*path, *pw;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *name = g_strdup_printf("config-%o", cases[i].mode);

		path = unit_write(*state, name, text, cases[i].mode);
		cfg = config_load(path, &e);
		if (cases[i].ok) {
			const struct account *a;

			assert_no_error(e);
			assert_non_null(cfg);
			a = cfg->accounts->pdata[0];
			assert_string_equal(a->password, "s3cret-pw");
			assert_null(a->password_command);
			pw = config_password(a, 10, &e);
			assert_no_error(e);
			assert_string_equal(pw, "s3cret-pw");
			config_password_free(pw);
			config_free(cfg);
		} else {
			assert_null(cfg);
			assert_config_errors(e, path, refused, 1);
			/* the refusal must not leak what it refuses */
			assert_not_contains(e->message, "s3cret");
			g_clear_error(&e);
		}
		g_free(path);
		g_free(name);
	}
}

static void
test_password_command(void **state)
{
	static const struct {
		const char	*command;
		const char	*password;	/* NULL: an error */
		const char	*error;
	} cases[] = {
		{ "printf 'hunter2\\nsecond line\\n'", "hunter2", NULL },
		{ "printf 'no line end'", "no line end", NULL },
		{ "printf 'crlf\\r\\nnext'", "crlf", NULL },
		{ "echo '  blanks kept  '", "  blanks kept  ", NULL },
		{ "echo oops >&2; exit 3", NULL,
		  "account main: password_command failed (exit 3): oops" },
		{ "exit 1", NULL, "account main: password_command failed "
		  "(exit 1) and said nothing" },
		/* a terminal escape in its words is shown, not obeyed */
		{ "printf 'bad \\033[2J\\n' >&2; exit 2", NULL,
		  "password_command failed (exit 2): bad \\x1b[2J" },
		{ "true", NULL, "password_command printed nothing" },
		{ "printf '\\nafter an empty line\\n'", NULL,
		  "printed nothing" },
	};
	struct account	 a;
	GError		*e = NULL;
	char		*pw;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		memset(&a, 0, sizeof a);
		a.name = (char *)"main";
		a.password_command = (char *)cases[i].command;
		pw = config_password(&a, 10, &e);
		if (cases[i].password != NULL) {
			assert_no_error(e);
			assert_string_equal(pw, cases[i].password);
			config_password_free(pw);
		} else {
			if (pw != NULL)
				fail_msg("'%s' gave a password \"%s\"",
				    cases[i].command, pw);
			assert_non_null(e);
			assert_true(g_error_matches(e, RENRAKU_ERROR,
			    RENRAKU_ERROR_CONFIG));
			assert_contains(e->message, cases[i].error);
			g_clear_error(&e);
		}
	}
}

/* Whether process 'pid' (text) still runs: not gone, not a zombie. */
static gboolean
runs(const char *pid)
{
	char		*stat = g_strdup_printf("/proc/%ld/stat", atol(pid));
	char		*text = NULL, *paren;
	gboolean	 yes;

	yes = g_file_get_contents(stat, &text, NULL, NULL) &&
	    (paren = strrchr(text, ')')) != NULL && paren[1] == ' ' &&
	    paren[2] != 'Z' && paren[2] != 'X';
	g_free(text);
	g_free(stat);
	return (yes);
}

/*
 * A password_command that hangs ends after the timeout, its child with
 * it; one that floods stderr yields one short line.
 */
static void
test_password_command_bounds(void **state)
{
	struct account	 a;
	GError		*e = NULL;
	gint64		 t0;
	char		*cmd, *pidfile, *pid;

	memset(&a, 0, sizeof a);
	a.name = (char *)"main";
	pidfile = g_build_filename(*state, "child.pid", NULL);
	cmd = g_strdup_printf("sleep 60 & echo $! >'%s'; wait", pidfile);
	a.password_command = cmd;
	t0 = g_get_monotonic_time();
	assert_null(config_password(&a, 2, &e));
	assert_true(g_get_monotonic_time() - t0 < 6 * G_TIME_SPAN_SECOND);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_TEMP));
	assert_contains(e->message, "still running after 2 s");
	g_clear_error(&e);
	assert_true(g_file_get_contents(pidfile, &pid, NULL, NULL));
	g_usleep(200 * 1000);
	/* the child of the command is gone too (a zombie left for init to
	   reap is gone as far as it can run) */
	if (runs(pid))
		fail_msg("the command's child %s still runs", pid);
	g_free(pid);
	g_free(cmd);
	g_free(pidfile);

	a.password_command = (char *)"head -c 10000000 /dev/zero | tr '\\0' x "
	    ">&2; exit 1";
	assert_null(config_password(&a, 20, &e));
	assert_true(strlen(e->message) < 300);
	assert_null(strchr(e->message, '\n'));
	g_clear_error(&e);
}

/*
 * password_command started early (config_password_start(), as sync does
 * before it connects): it runs meanwhile, and its answer is taken later,
 * failures included; one never taken is killed, its children with it.
 */
static void
test_password_command_early(void **state)
{
	struct account	 a;
	struct command	*c;
	GError		*e = NULL;
	char		*cmd, *flag, *pidfile, *pid = NULL, *pw;
	int		 i;

	memset(&a, 0, sizeof a);
	a.name = (char *)"main";
	assert_null(config_password_start(&a));	/* no command: none */
	a.password = (char *)"in-the-file";
	pw = config_password_take(&a, NULL, 10, &e);
	assert_string_equal(pw, "in-the-file");
	config_password_free(pw);
	a.password = NULL;

	/* it runs before its answer is asked for */
	flag = g_build_filename(*state, "ran", NULL);
	cmd = g_strdup_printf("touch '%s'; echo early-secret", flag);
	a.password_command = cmd;
	assert_non_null(c = config_password_start(&a));
	for (i = 0; i < 100 && !g_file_test(flag, G_FILE_TEST_EXISTS); i++)
		g_usleep(50 * 1000);
	assert_true(g_file_test(flag, G_FILE_TEST_EXISTS));
	pw = config_password_take(&a, c, 10, &e);
	assert_non_null(pw);
	assert_string_equal(pw, "early-secret");
	config_password_free(pw);
	g_free(cmd);

	/* a failure is told when the answer is taken */
	a.password_command = (char *)"echo no key >&2; exit 3";
	c = config_password_start(&a);
	assert_null(config_password_take(&a, c, 10, &e));
	assert_contains(e->message, "failed (exit 3): no key");
	g_clear_error(&e);

	/* not taken (the connection failed first): killed with its child */
	pidfile = g_build_filename(*state, "child.pid", NULL);
	cmd = g_strdup_printf("sleep 60 & echo $! >'%s'; wait", pidfile);
	a.password_command = cmd;
	c = config_password_start(&a);
	for (i = 0; i < 100 && (pid == NULL || *pid == '\0'); i++) {
		g_usleep(50 * 1000);
		g_free(pid);
		pid = NULL;
		g_file_get_contents(pidfile, &pid, NULL, NULL);
	}
	assert_non_null(pid);
	assert_true(runs(pid));
	command_abandon(c);
	for (i = 0; i < 40 && runs(pid); i++)
		g_usleep(50 * 1000);
	if (runs(pid))
		fail_msg("the abandoned command's child %s still runs", pid);
	command_abandon(NULL);		/* nothing: no harm */
	g_free(pid);
	g_free(cmd);
	g_free(pidfile);
	g_free(flag);
}

static void
test_unreadable(void **state)
{
	struct config	*cfg;
	GError		*e = NULL;
	char		*path;

	/* missing */
	path = g_build_filename(*state, "missing", NULL);
	cfg = config_load(path, &e);
	assert_null(cfg);
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	assert_true(g_str_has_prefix(e->message, path));
	g_clear_error(&e);
	g_free(path);

	/* not a key file */
	cfg = load(*state, "just some text\n", 0600, &path, &e);
	assert_null(cfg);
	assert_non_null(e);
	assert_true(g_str_has_prefix(e->message, path));
	g_clear_error(&e);
	g_free(path);

	/* no account at all */
	cfg = load(*state, "[general]\nyour_name = H\n", 0600, &path, &e);
	assert_null(cfg);
	assert_non_null(e);
	assert_contains(e->message, "no account configured");
	g_clear_error(&e);
	g_free(path);
}

/*
 * NUL: GKeyFile would take a raw NUL byte for the end of its line and read
 * "Work" here, silently; the \0 escape it refuses, and that refusal is the
 * one complaint about the key (not "missing" as well).
 */
static void
test_nul(void **state)
{
	static const char raw[] =
	    "[general]\n"
	    "your_name = H\n"
	    GOOD_ACCOUNT
	    "mailboxes = Work\0; A1 DELETE INBOX\n";
	static const char escaped[] =
	    "[general]\n"
	    "your_name = H\n"
	    "[account main]\n"
	    "host = imap.example.com\n"
	    "user = hanako\\0@example.com\n"
	    "password_command = x\n";
	static const char *const bad_value[] = { "[account main] user: " };
	struct config	*cfg;
	GError		*e = NULL;
	char		*path, *want;

	path = g_build_filename(*state, "config", NULL);
	if (!g_file_set_contents(path, raw, sizeof raw - 1, &e))
		fail_msg("%s: %s", path, e->message);
	cfg = config_load(path, &e);
	assert_null(cfg);
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	want = g_strdup_printf("%s: line 7: contains a NUL byte (a "
	    "configuration file is text)", path);
	assert_string_equal(e->message, want);
	g_free(want);
	g_clear_error(&e);
	g_free(path);

	cfg = load(*state, escaped, 0600, &path, &e);
	assert_null(cfg);
	assert_config_errors(e, path, bad_value, 1);
	g_clear_error(&e);
	g_free(path);
}

#define TMP_TEST(f)	cmocka_unit_test_setup_teardown(f,		\
			    unit_setup_tmpdir, unit_teardown_tmpdir)

UNIT_MAIN_GROUP(group_setup, NULL,
	TMP_TEST(test_defaults),
	TMP_TEST(test_explicit_values),
	TMP_TEST(test_many_errors),
	TMP_TEST(test_unknown_key),
	TMP_TEST(test_bad_security),
	TMP_TEST(test_oauth2_presets),
	TMP_TEST(test_password_mode),
	cmocka_unit_test(test_password_command),
	TMP_TEST(test_password_command_bounds),
	TMP_TEST(test_password_command_early),
	TMP_TEST(test_unreadable),
	TMP_TEST(test_nul),
)
