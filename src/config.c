/*
 * config.c: read the configuration with GKeyFile and check every value,
 * collecting all the problems before failing.
 */
#include <glib/gi18n.h>

#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <string.h>

#include "command.h"
#include "error.h"
#include "secret.h"

/* Keys each group accepts; anything else is reported, to catch typos. */
static const char *const general_keys[] = {
	"your_name", "state_dir", "templates_dir", "timeout", "draft_charset",
	"notify_command", "notify_url", "log", NULL
};
static const char *const policy_keys[] = { "step1_days", "step2_days",
	"step3_days", "remedy_days", "remedy_in_contract", "days_off",
	"year_end", "first_sync_horizon", NULL };
static const char *const platform_policy_keys[] = { "step1_days",
	"step2_days", "step3_days", "remedy_days", "remedy_in_contract", NULL };
static const char *const account_keys[] = {
	"host", "port", "security", "ca_file", "user", "password_command",
	"password", "mailboxes", "drafts", "from", "auth", "oauth2_provider",
	"oauth2_auth_url", "oauth2_token_url", "oauth2_scope",
	"oauth2_client_id", "oauth2_client_secret_command",
	"oauth2_refresh_token_command", "oauth2_refresh_token_store_command",
	NULL
};

/*
 * The OAuth2 providers renraku knows: what "oauth2_provider = NAME" (or
 * an account on one of 'hosts') needs no key for.  Google gives a refresh
 * token only with access_type=offline, and again only with
 * prompt=consent; Microsoft with the offline_access scope.
 */
static const struct provider {
	const char	*name;
	const char	*hosts[4];
	const char	*auth_url, *token_url, *scope, *params;
} providers[] = {
	{ "gmail", { "imap.gmail.com", "imap.googlemail.com", NULL },
	  "https://accounts.google.com/o/oauth2/v2/auth",
	  "https://oauth2.googleapis.com/token",
	  "https://mail.google.com/",
	  "access_type=offline&prompt=consent" },
	{ "microsoft", { "outlook.office365.com", "outlook.office.com",
	  "imap-mail.outlook.com", NULL },
	  "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
	  "https://login.microsoftonline.com/common/oauth2/v2.0/token",
	  "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
	  "prompt=select_account" },
};

struct checker {
	const char	*path;
	GKeyFile	*kf;
	GString		*errors;	/* one line per problem */
};

static void G_GNUC_PRINTF(4, 5)
complain(struct checker *c, const char *group, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;

	if (c->errors->len > 0)
		g_string_append_c(c->errors, '\n');
	g_string_append_printf(c->errors, "%s: [%s]", c->path, group);
	if (key != NULL)
		g_string_append_printf(c->errors, " %s", key);
	g_string_append(c->errors, ": ");
	va_start(ap, fmt);
	g_string_append_vprintf(c->errors, fmt, ap);
	va_end(ap);
}

/* A string value with surrounding blanks removed; NULL if absent or empty. */
static char *
get_string(struct checker *c, const char *group, const char *key)
{
	GError	*e = NULL;
	char	*v;

	v = g_key_file_get_string(c->kf, group, key, &e);
	/* for a value with a bad escape (\q), GLib 2.74 returns it raw
	 * and sets 'e' as well: an error all the same */
	if (v == NULL || e != NULL) {
		if (!g_error_matches(e, G_KEY_FILE_ERROR,
		    G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
		    !g_error_matches(e, G_KEY_FILE_ERROR,
		    G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
			complain(c, group, key, "%s", e->message);
		g_clear_error(&e);
		g_free(v);
		return (NULL);
	}
	g_strstrip(v);
	if (*v == '\0') {
		g_free(v);
		return (NULL);
	}
	return (v);
}

/*
 * A string value that must be given: as get_string(), and 'missing' (the
 * complaint) when it is absent or empty, but not when get_string() has
 * already said what is wrong with the value.
 */
static char *
get_required(struct checker *c, const char *group, const char *key,
    const char *missing)
{
	gsize	 before = c->errors->len;
	char	*v;

	if ((v = get_string(c, group, key)) == NULL &&
	    c->errors->len == before)
		complain(c, group, key, "%s", missing);
	return (v);
}

/* A whole number in [min, max], or 'def' when the key is absent. */
static guint
get_uint(struct checker *c, const char *group, const char *key, guint def,
    guint min, guint max)
{
	char	*v, *end;
	guint64	 n;

	if ((v = get_string(c, group, key)) == NULL)
		return (def);
	errno = 0;
	n = g_ascii_strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < min || n > max) {
		complain(c, group, key, _("'%s' is not a whole number from %u "
		    "to %u"), v, min, max);
		n = def;
	}
	g_free(v);
	return ((guint)n);
}

/* A number of days, or -1 when the key is absent. */
static int
get_days(struct checker *c, const char *group, const char *key)
{
	if (!g_key_file_has_key(c->kf, group, key, NULL))
		return (-1);
	return ((int)get_uint(c, group, key, 3, 0, 365));
}

static int
get_bool(struct checker *c, const char *group, const char *key)
{
	char	*v;
	int	 b = -1;

	if ((v = get_string(c, group, key)) == NULL)
		return (-1);
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		b = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		b = 0;
	else
		complain(c, group, key, _("'%s' is not true or false"), v);
	g_free(v);
	return (b);
}

static void
load_policy(struct checker *c, const char *group, struct policy_override *p)
{
	static const char *const steps[] = { "step1_days", "step2_days",
	    "step3_days" };
	guint	i;

	for (i = 0; i < 3; i++) {
		p->step_days[i] = get_days(c, group, steps[i]);
		if (p->step_days[i] == 0) {
			complain(c, group, steps[i], _("must be at least 1"));
			p->step_days[i] = -1;
		}
	}
	p->remedy_days = get_days(c, group, "remedy_days");
	p->remedy_in_contract = get_bool(c, group, "remedy_in_contract");
	/* facts of a platform, set by its rules file only */
	p->prepaid = p->auto_accept_hours = p->accept_days = -1;
	/* [policy] only: checked against the general keys */
	p->horizon_days = strcmp(group, "policy") == 0 ? get_days(c, group,
	    "first_sync_horizon") : -1;
	if (p->horizon_days == 0) {
		complain(c, group, "first_sync_horizon", _("must be at least "
		    "1"));
		p->horizon_days = -1;
	}
}

static void
check_keys(struct checker *c, const char *group, const char *const *known)
{
	char	**keys;
	gsize	  i;

	keys = g_key_file_get_keys(c->kf, group, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(known, keys[i]))
			complain(c, group, keys[i], _("unknown key"));
	g_strfreev(keys);
}

/* Values that reach the IMAP wire must not carry line breaks (nor NULs,
 * which nul_line() keeps out of every value). */
static gboolean
wire_safe(const char *s)
{
	return (strpbrk(s, "\r\n") == NULL);
}

/*
 * Fill the OAuth2 endpoints account 'a' leaves out from its provider's
 * preset: oauth2_provider if set (else complain), or the one whose IMAP
 * host 'a' is on.
 */
static void
oauth2_preset(struct checker *c, const char *group, struct account *a)
{
	const struct provider	*p = NULL;
	char			*name;
	gsize			 i, j;

	name = get_string(c, group, "oauth2_provider");
	for (i = 0; i < G_N_ELEMENTS(providers) && p == NULL; i++) {
		if (name != NULL) {
			if (strcmp(name, providers[i].name) == 0)
				p = &providers[i];
			continue;
		}
		for (j = 0; a->host != NULL && providers[i].hosts[j] != NULL;
		    j++)
			if (g_ascii_strcasecmp(a->host,
			    providers[i].hosts[j]) == 0)
				p = &providers[i];
	}
	if (name != NULL && p == NULL)
		complain(c, group, "oauth2_provider", _("'%s' is not gmail or "
		    "microsoft"), name);
	g_free(name);
	if (p == NULL)
		return;
	if (a->oauth2_auth_url == NULL)
		a->oauth2_auth_url = g_strdup(p->auth_url);
	if (a->oauth2_token_url == NULL)
		a->oauth2_token_url = g_strdup(p->token_url);
	if (a->oauth2_scope == NULL)
		a->oauth2_scope = g_strdup(p->scope);
	a->oauth2_auth_params = g_strdup(p->params);
}

static void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->oauth2_auth_url);
	g_free(a->oauth2_token_url);
	g_free(a->oauth2_scope);
	g_free(a->oauth2_auth_params);
	g_free(a->oauth2_client_id);
	g_free(a->oauth2_client_secret_command);
	g_free(a->oauth2_refresh_token_command);
	g_free(a->oauth2_refresh_token_store_command);
	g_free(a->host);
	g_free(a->ca_file);
	g_free(a->user);
	g_free(a->from);
	g_free(a->password_command);
	if (a->password != NULL)
		config_password_free(a->password);
	g_strfreev(a->mailboxes);
	g_free(a->drafts);
	g_free(a);
}

static struct account *
load_account(struct checker *c, const char *group, gboolean private_file)
{
	struct account	*a;
	char		*sec, *mb, **parts;
	gsize		 i, n;

	a = g_new0(struct account, 1);
	a->name = g_strstrip(g_strdup(group + strlen("account")));
	if (*a->name == '\0')
		complain(c, group, NULL, _("an account needs a name: "
		    "[account NAME]"));
	check_keys(c, group, account_keys);

	a->host = get_required(c, group, "host", _("missing"));
	if (a->host != NULL && (!wire_safe(a->host) ||
	    strchr(a->host, ' ') != NULL))
		complain(c, group, "host", _("'%s' is not a host name"), a->host);
	else if (a->host != NULL && strchr(a->host, ':') != NULL &&
	    !g_hostname_is_ip_address(a->host))
		complain(c, group, "host", _("'%s': write the port in the port "
		    "key, not after the host name"), a->host);

	a->security = SECURITY_TLS;
	if ((sec = get_string(c, group, "security")) != NULL) {
		if (strcmp(sec, "tls") == 0)
			a->security = SECURITY_TLS;
		else if (strcmp(sec, "starttls") == 0)
			a->security = SECURITY_STARTTLS;
		else
			complain(c, group, "security", _("'%s' is not tls or "
			    "starttls (there is no cleartext option)"), sec);
		g_free(sec);
	}
	a->port = (guint16)get_uint(c, group, "port",
	    a->security == SECURITY_TLS ? 993 : 143, 1, 65535);

	if ((a->ca_file = get_string(c, group, "ca_file")) != NULL &&
	    !g_file_test(a->ca_file, G_FILE_TEST_IS_REGULAR))
		complain(c, group, "ca_file", _("'%s' is not a readable file"),
		    a->ca_file);

	a->user = get_required(c, group, "user", _("missing"));
	if (a->user != NULL && !wire_safe(a->user))
		complain(c, group, "user", _("contains a line break"));

	a->password_command = get_string(c, group, "password_command");
	a->password = get_string(c, group, "password");
	if ((sec = get_string(c, group, "auth")) != NULL) {
		if (strcmp(sec, "xoauth2") == 0)
			a->auth = AUTH_XOAUTH2;
		else if (strcmp(sec, "login") != 0)
			complain(c, group, "auth", _("'%s' is not login or "
			    "xoauth2"), sec);
		g_free(sec);
	}
	a->oauth2_auth_url = get_string(c, group, "oauth2_auth_url");
	a->oauth2_token_url = get_string(c, group, "oauth2_token_url");
	a->oauth2_scope = get_string(c, group, "oauth2_scope");
	a->oauth2_client_id = get_string(c, group, "oauth2_client_id");
	a->oauth2_client_secret_command = get_string(c, group,
	    "oauth2_client_secret_command");
	a->oauth2_refresh_token_command = get_string(c, group,
	    "oauth2_refresh_token_command");
	a->oauth2_refresh_token_store_command = get_string(c, group,
	    "oauth2_refresh_token_store_command");
	oauth2_preset(c, group, a);
	if (a->auth == AUTH_XOAUTH2) {
		if (a->oauth2_client_id == NULL)
			complain(c, group, "oauth2_client_id", _("missing: auth "
			    "= xoauth2 needs it"));
		if (a->oauth2_token_url == NULL)
			complain(c, group, "oauth2_token_url", _("missing: set "
			    "oauth2_provider = gmail or microsoft, or this "
			    "URL"));
		if (a->password != NULL || a->password_command != NULL)
			complain(c, group, NULL, _("auth = xoauth2 uses no "
			    "password or password_command"));
	} else if (a->password_command == NULL && a->password == NULL)
		complain(c, group, NULL, _("set password_command (or password)"));
	else if (a->password_command != NULL && a->password != NULL)
		complain(c, group, "password", _("set either password or "
		    "password_command, not both"));
	else if (a->password != NULL && !private_file)
		complain(c, group, "password", _("refused: the file can be read "
		    "by others (chmod 600 it, or use password_command)"));

	mb = get_string(c, group, "mailboxes");
	parts = g_strsplit(mb != NULL ? mb : "INBOX", ";", -1);
	g_free(mb);
	a->mailboxes = g_new0(char *, g_strv_length(parts) + 1);
	for (i = 0, n = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] == '\0')
			continue;
		if (!wire_safe(parts[i]))
			complain(c, group, "mailboxes", _("a name contains a "
			    "line break"));
		a->mailboxes[n++] = g_strdup(parts[i]);
	}
	g_strfreev(parts);
	if (n == 0)
		complain(c, group, "mailboxes", _("no mailbox named"));

	if ((a->drafts = get_string(c, group, "drafts")) != NULL &&
	    !wire_safe(a->drafts))
		complain(c, group, "drafts", _("contains a line break"));
	else if (a->drafts != NULL && g_ascii_strcasecmp(a->drafts,
	    "INBOX") == 0)
		complain(c, group, "drafts", _("INBOX is where your mail "
		    "arrives, never a Drafts mailbox"));
	/* the drafts' From: the login when it is an address */
	if ((a->from = get_string(c, group, "from")) != NULL &&
	    (!wire_safe(a->from) || strchr(a->from, '@') == NULL ||
	    strpbrk(a->from, " <>\"") != NULL))
		complain(c, group, "from", _("'%s' is not an address such as "
		    "hanako@example.com"), a->from);
	if (a->from == NULL && a->user != NULL)
		a->from = g_strdup(a->user);
	return (a);
}

/*
 * The line of the first NUL byte in file 'path', or 0 if it has none or
 * cannot be read.  GKeyFile takes a NUL for the end of its line and drops
 * the rest of it unsaid: "user = a\0b" would read as "a".
 */
static guint
nul_line(const char *path)
{
	char	*text, *nul, *p;
	gsize	 len;
	guint	 line = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return (0);
	if ((nul = memchr(text, '\0', len)) != NULL)
		for (line = 1, p = text; p < nul; p++)
			if (*p == '\n')
				line++;
	g_free(text);
	return (line);
}

char *
config_default_path(void)
{
	return (g_build_filename(g_get_user_config_dir(), "renraku", "config",
	    NULL));
}

/* [general] into 'cfg'. */
static void
load_general(struct checker *c, struct config *cfg)
{
	char	*v;

	check_keys(c, "general", general_keys);
	cfg->your_name = get_required(c, "general", "your_name",
	    _("missing: it signs every draft"));
	if ((v = get_string(c, "general", "state_dir")) != NULL)
		cfg->state_dir = v;
	else
		cfg->state_dir = g_build_filename(g_get_user_state_dir(),
		    "renraku", NULL);
	cfg->templates_dir = get_string(c, "general", "templates_dir");
	if (cfg->templates_dir != NULL &&
	    !g_file_test(cfg->templates_dir, G_FILE_TEST_IS_DIR))
		complain(c, "general", "templates_dir", _("'%s' is not a "
		    "directory"), cfg->templates_dir);
	cfg->timeout = get_uint(c, "general", "timeout", 60, 1, 3600);
	if ((v = get_string(c, "general", "log")) != NULL) {
		if (strcmp(v, "syslog") == 0)
			cfg->syslog = TRUE;
		else if (strcmp(v, "stderr") != 0)
			complain(c, "general", "log", _("'%s' is not stderr or "
			    "syslog"), v);
		g_free(v);
	}
	cfg->notify_command = get_string(c, "general", "notify_command");
	cfg->notify_url = get_string(c, "general", "notify_url");
	if (cfg->notify_url != NULL &&
	    !g_str_has_prefix(cfg->notify_url, "https://") &&
	    !g_str_has_prefix(cfg->notify_url, "http://"))
		complain(c, "general", "notify_url", _("'%s' is not an http(s) "
		    "URL"), cfg->notify_url);
	if ((v = get_string(c, "general", "draft_charset")) != NULL) {
		if (g_ascii_strcasecmp(v, "iso-2022-jp") == 0)
			cfg->iso2022jp = TRUE;
		else if (g_ascii_strcasecmp(v, "utf-8") != 0)
			complain(c, "general", "draft_charset", _("'%s' is not "
			    "utf-8 or iso-2022-jp"), v);
		g_free(v);
	}
}

/* [policy] and the calendar into 'cfg' ([policy PLATFORM] come with the
 * other groups). */
static void
load_policies(struct checker *c, struct config *cfg)
{
	GError	*e = NULL;
	char	*v;

	check_keys(c, "policy", policy_keys);
	load_policy(c, "policy", &cfg->policy);
	bizcal_init_default(&cfg->cal);
	if ((v = get_string(c, "policy", "days_off")) != NULL) {
		if (!bizcal_parse_days(&cfg->cal, v, &e)) {
			complain(c, "policy", "days_off", "%s", e->message);
			g_clear_error(&e);
		}
		g_free(v);
	}
	if ((v = get_string(c, "policy", "year_end")) != NULL) {
		if (!bizcal_parse_break(&cfg->cal, v, &e)) {
			complain(c, "policy", "year_end", "%s", e->message);
			g_clear_error(&e);
		}
		g_free(v);
	}
	cfg->platform_policy = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
}

/*
 * GKeyFile merges a group that appears twice and keeps the last of a key
 * set twice, without a word: two [account work] groups would silently be
 * one.  Each repeat is an error naming both lines.
 */
static void
check_repeats(struct checker *c)
{
	GHashTable	*seen = g_hash_table_new_full(g_str_hash, g_str_equal,
			    g_free, NULL);
	char		*text = NULL, **lines, *group = NULL;
	guint		 i;

	if (!g_file_get_contents(c->path, &text, NULL, NULL))
		return;
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		char		*l = g_strstrip(lines[i]), *eq, *id;
		gpointer	 first;

		if (*l == '\0' || *l == '#')
			continue;
		if (*l == '[' && l[strlen(l) - 1] == ']') {
			g_free(group);
			group = g_strndup(l + 1, strlen(l) - 2);
			id = g_strdup_printf("[%s]", group);
		} else if ((eq = strchr(l, '=')) != NULL && group != NULL) {
			*eq = '\0';
			id = g_strdup_printf("[%s] %s", group, g_strstrip(l));
		} else
			continue;
		if ((first = g_hash_table_lookup(seen, id)) != NULL) {
			if (*l == '[')
				complain(c, group, NULL, _("appears again at "
				    "line %u (first at line %u): one group each"),
				    i + 1, GPOINTER_TO_UINT(first));
			else
				complain(c, group, g_strstrip(l), _("set again "
				    "at line %u (first at line %u)"), i + 1,
				    GPOINTER_TO_UINT(first));
			g_free(id);
		} else
			g_hash_table_insert(seen, id, GUINT_TO_POINTER(i + 1));
	}
	g_free(group);
	g_strfreev(lines);
	g_free(text);
	g_hash_table_unref(seen);
}

struct config *
config_load(const char *path, GError **err)
{
	struct checker	 c = { path, NULL, NULL };
	struct config	*cfg;
	struct stat	 sb;
	GError		*e = NULL;
	char		**groups = NULL;
	gboolean	  private_file;
	gsize		  i;
	guint		  line;

	if ((line = nul_line(path)) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s: line %u: contains a NUL byte (a configuration "
		    "file is text)"), path, line);
		return (NULL);
	}
	c.kf = g_key_file_new();
	if (!g_key_file_load_from_file(c.kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG, _("%s: %s"),
		    path, e->message);
		g_error_free(e);
		g_key_file_free(c.kf);
		return (NULL);
	}
	private_file = stat(path, &sb) == 0 && (sb.st_mode & 077) == 0;
	c.errors = g_string_new(NULL);
	check_repeats(&c);
	cfg = g_new0(struct config, 1);
	cfg->path = g_strdup(path);
	cfg->accounts = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)account_free);

	load_general(&c, cfg);
	load_policies(&c, cfg);
	groups = g_key_file_get_groups(c.kf, NULL);
	for (i = 0; groups[i] != NULL; i++) {
		if (strcmp(groups[i], "general") == 0 ||
		    strcmp(groups[i], "policy") == 0)
			continue;
		if (g_str_has_prefix(groups[i], "policy ")) {
			struct policy_override *p;

			p = g_new0(struct policy_override, 1);
			check_keys(&c, groups[i], platform_policy_keys);
			load_policy(&c, groups[i], p);
			g_hash_table_replace(cfg->platform_policy,
			    g_strstrip(g_strdup(groups[i] + 7)), p);
		} else if (g_str_has_prefix(groups[i], "account") &&
		    (groups[i][7] == ' ' || groups[i][7] == '\0'))
			g_ptr_array_add(cfg->accounts,
			    load_account(&c, groups[i], private_file));
		else
			complain(&c, groups[i], NULL, _("unknown group"));
	}
	if (cfg->accounts->len == 0)
		complain(&c, "account NAME", NULL, _("no account configured"));
	g_strfreev(groups);
	g_key_file_free(c.kf);

	if (c.errors->len > 0) {
		g_set_error_literal(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    c.errors->str);
		g_string_free(c.errors, TRUE);
		config_free(cfg);
		return (NULL);
	}
	g_string_free(c.errors, TRUE);
	return (cfg);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->your_name);
	g_free(cfg->state_dir);
	g_free(cfg->templates_dir);
	g_free(cfg->notify_command);
	g_free(cfg->notify_url);
	bizcal_clear(&cfg->cal);
	if (cfg->platform_policy != NULL)
		g_hash_table_unref(cfg->platform_policy);
	g_ptr_array_free(cfg->accounts, TRUE);
	g_free(cfg);
}

/* The secret in what command 'key' of 'account' left in 'r', as
 * config_secret_command() says; clears 'r'. */
static char *
secret_of(const char *account, const char *key, guint timeout,
    struct command_result *r, GError **err)
{
	char	*out = NULL;
	gsize	 n;

	switch (r->end) {
	case COMMAND_BROKEN:
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("account %s: %s: %s"), account, key, r->why);
		break;
	case COMMAND_TIMEOUT:
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("account %s: %s still running after %u s; stopped"),
		    account, key, timeout);
		break;
	case COMMAND_FAILED:
		/* stderr only: what it printed may be the secret */
		if (*r->err != '\0')
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("account %s: %s failed (exit %d): %s"), account,
			    key, r->status, r->err);
		else
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("account %s: %s failed (exit %d) and said "
			    "nothing"), account, key, r->status);
		break;
	case COMMAND_OK:
		n = r->out != NULL ? strcspn(r->out, "\r\n") : 0;
		if (n == 0)
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("account %s: %s printed nothing"), account, key);
		else
			out = g_strndup(r->out, n);
		break;
	}
	command_result_clear(r);
	return (out);
}

char *
config_secret_command(const char *account, const char *key,
    const char *command, guint timeout, GError **err)
{
	struct command_result r;

	command_run(command, NULL, timeout, TRUE, &r);
	return (secret_of(account, key, timeout, &r, err));
}

char *
config_password(const struct account *acct, guint timeout, GError **err)
{
	return (config_password_take(acct, config_password_start(acct),
	    timeout, err));
}

struct command *
config_password_start(const struct account *acct)
{
	if (acct->password_command == NULL)
		return (NULL);
	return (command_start(acct->password_command, TRUE));
}

char *
config_password_take(const struct account *acct, struct command *early,
    guint timeout, GError **err)
{
	struct command_result r;

	if (early == NULL)
		return (g_strdup(acct->password));
	command_finish(early, NULL, timeout, &r);
	return (secret_of(acct->name, "password_command", timeout, &r, err));
}

void
config_password_free(char *password)
{
	secret_free(password);
}

gboolean
config_url_allowed(const char *url)
{
	static const char *const loopback[] = { "http://127.0.0.1:",
	    "http://127.0.0.1/", "http://localhost:", "http://localhost/",
	    "http://[::1]:", "http://[::1]/", NULL };
	guint	i;

	if (g_str_has_prefix(url, "https://"))
		return (TRUE);
	for (i = 0; loopback[i] != NULL; i++)
		if (g_str_has_prefix(url, loopback[i]))
			return (TRUE);
	return (FALSE);
}
