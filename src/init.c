/*
 * init.c: "renraku init" writes a first configuration file, commented,
 * from the values given as options or answered at its questions.
 */
#include <glib/gi18n.h>

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "error.h"
#include "init.h"

/* Append 'comment', each of its lines as a "# " line. */
static void
comment(GString *s, const char *text)
{
	char	**lines = g_strsplit(text, "\n", -1);
	guint	  i;

	for (i = 0; lines[i] != NULL; i++)
		g_string_append_printf(s, "# %s\n", lines[i]);
	g_strfreev(lines);
}

/*
 * 'value' stripped, as GKeyFile writes it (a backslash doubled); NULL
 * with err if it holds a control character or is not UTF-8, which the
 * file could carry only as an escape the config then refuses.
 */
static char *
escaped(const char *option, const char *value, GError **err)
{
	GKeyFile	*kf;
	const char	*p;
	char		*v, *out;

	if (!g_utf8_validate(value, -1, NULL)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: %s: not UTF-8 text"), option);
		return (NULL);
	}
	for (p = value; *p != '\0'; p = g_utf8_next_char(p))
		if (g_unichar_iscntrl(g_utf8_get_char(p))) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
			    _("init: %s: contains a control character (a line "
			    "break, a tab...)"), option);
			return (NULL);
		}
	v = g_strstrip(g_strdup(value));
	kf = g_key_file_new();
	g_key_file_set_string(kf, "g", "k", v);
	out = g_key_file_get_value(kf, "g", "k", NULL);
	g_key_file_free(kf);
	g_free(v);
	return (out);
}

/*
 * Append "key = value" for 'value', or "#key = example" when it is NULL;
 * FALSE with err for a value escaped() refuses or one that is blank.
 */
static gboolean
key(GString *s, const char *option, const char *name, const char *value,
    const char *example, GError **err)
{
	char	*v;

	if (value == NULL) {
		g_string_append_printf(s, "#%s =%s%s\n\n", name,
		    *example != '\0' ? " " : "", example);
		return (TRUE);
	}
	if ((v = escaped(option, value, err)) == NULL)
		return (FALSE);
	if (*v == '\0') {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: %s is empty"), option);
		g_free(v);
		return (FALSE);
	}
	g_string_append_printf(s, "%s = %s\n\n", name, v);
	g_free(v);
	return (TRUE);
}

/* A key of the file: its comment, option, name, value and example. */
struct entry {
	const char	*comment;	/* N_() */
	const char	*option;
	const char	*name;
	const char	*value;		/* NULL: "#name = example" */
	const char	*example;
};

/* Append 'n' entries, each with its comment; FALSE with err as key(). */
static gboolean
entries(GString *s, const struct entry *e, gsize n, GError **err)
{
	gsize	i;

	for (i = 0; i < n; i++) {
		comment(s, _(e[i].comment));
		if (!key(s, e[i].option, e[i].name, e[i].value, e[i].example,
		    err))
			return (FALSE);
	}
	return (TRUE);
}

/* Append the two groups for 'v', whose values init_render() checked. */
static gboolean
groups(GString *s, const struct init_values *v, const char *account,
    const char *security, const char *port, GError **err)
{
	const struct entry general[] = {
		{ N_("your name; it signs every draft"), "--name",
		  "your_name", v->name, NULL },
		{ N_("where the state (state.db) and the lock are kept\n"
		  "(default: $XDG_STATE_HOME/renraku, usually "
		  "~/.local/state/renraku)"), NULL, "state_dir", NULL, "" },
		{ N_("a directory of your own templates, looked in first (must "
		  "exist)"), NULL, "templates_dir", NULL, "" },
		{ N_("seconds to wait for the server at any one time, 1 to "
		  "3600"), NULL, "timeout", NULL, "60" },
		{ N_("utf-8, or iso-2022-jp (a draft ISO-2022-JP cannot carry "
		  "stays UTF-8)"), NULL, "draft_charset", NULL, "utf-8" },
	}, acct[] = {
		{ N_("the IMAP server"), "--host", "host", v->host, NULL },
		{ N_("tls (implicit TLS, the default) or starttls; there is no "
		  "cleartext option"), "--security", "security", v->security,
		  "tls" },
		{ N_("default 993 for tls, 143 for starttls"), "--port", "port",
		  port, strcmp(security, "tls") == 0 ? "993" : "143" },
		{ N_("PEM certificates to trust instead of the system trust "
		  "store"), "--ca-file", "ca_file", v->ca_file, "" },
		{ N_("the login; also the From address of the drafts"), "--user",
		  "user", v->user, NULL },
		{ v->password_command != NULL ? N_("a command printing the "
		  "password on its first line") : N_("a command printing the "
		  "password on its first line: SET IT before the first sync\n"
		  "(or the password itself, as password = ..., if only you can "
		  "read this file)"), "--password-command", "password_command",
		  v->password_command, "pass show mail/imap" },
		{ N_("mailboxes to watch, separated by ';' (default INBOX)"),
		  "--mailboxes", "mailboxes", v->mailboxes, "INBOX" },
		{ N_("where drafts go (default: the mailbox marked \\Drafts by "
		  "the server)"), NULL, "drafts", NULL, "Drafts" },
	};

	comment(s, _("renraku configuration, written by \"renraku init\".\n"
	    "Every key is described in renraku.conf(5).  Comments are lines of "
	    "their own\nstarting with '#'; a key left out takes its default, "
	    "shown commented out.\nCheck each step a sync depends on with:  "
	    "renraku doctor"));
	g_string_append(s, "\n[general]\n");
	if (!entries(s, general, G_N_ELEMENTS(general), err))
		return (FALSE);
	g_string_append_printf(s, "[account %s]\n", account);
	return (entries(s, acct, G_N_ELEMENTS(acct), err));
}

char *
init_render(const struct init_values *v, GError **err)
{
	GString		*s = g_string_new(NULL);
	const char	*account = v->account != NULL ? v->account : "main";
	const char	*security = v->security != NULL ? v->security : "tls";
	const char	*missing[4];
	char		*port = NULL, *host = NULL, *list;
	int		 n = 0;

	if (v->host == NULL)
		missing[n++] = "--host";
	if (v->user == NULL)
		missing[n++] = "--user";
	if (v->name == NULL)
		missing[n++] = "--name";
	missing[n] = NULL;
	if (n > 0) {
		list = g_strjoinv(" ", (char **)missing);
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: needed: %s (give them as options, or answer the "
		    "questions)"), list);
		g_free(list);
		goto fail;
	}
	if (*account == '\0' || strspn(account, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(account)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: --account: '%s' is not a name of letters, digits, "
		    "'.', '_' and '-'"), account);
		goto fail;
	}
	if (strcmp(security, "tls") != 0 && strcmp(security, "starttls") != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: --security: '%s' is not tls or starttls (there is "
		    "no cleartext option)"), security);
		goto fail;
	}
	if (v->port < 0 || v->port > 65535) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: --port: %d is not 1 to 65535"), v->port);
		goto fail;
	}
	host = g_strstrip(g_strdup(v->host));
	if (strpbrk(host, " /:") != NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_USAGE,
		    _("init: --host: '%s' is not a host name (give the port "
		    "with --port)"), host);
		goto fail;
	}
	if (v->port > 0)
		port = g_strdup_printf("%d", v->port);
	if (!groups(s, v, account, security, port, err))
		goto fail;
	g_string_truncate(s, s->len - 1);	/* the last blank line */
	g_free(host);
	g_free(port);
	return (g_string_free(s, FALSE));
fail:
	g_free(host);
	g_free(port);
	g_string_free(s, TRUE);
	return (NULL);
}

gboolean
init_may_write(const char *path, gboolean force, GError **err)
{
	if (!force && g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s exists; left as it is (--force replaces it)"), path);
		return (FALSE);
	}
	return (TRUE);
}

gboolean
init_write(const char *path, const char *text, gboolean force, GError **err)
{
	GError	*e = NULL;
	char	*dir;

	if (!init_may_write(path, force, err))
		return (FALSE);
	dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: cannot create: %s"), dir, g_strerror(errno));
		g_free(dir);
		return (FALSE);
	}
	g_free(dir);
	if (!g_file_set_contents_full(path, text, -1,
	    G_FILE_SET_CONTENTS_CONSISTENT, 0600, &e)) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM, "%s",
		    e->message);
		g_error_free(e);
		return (FALSE);
	}
	return (TRUE);
}

char *
init_ask(const char *question, FILE *in, FILE *out)
{
	char	*line = NULL, *answer = NULL;
	size_t	 size = 0;

	fprintf(out, "%s: ", question);
	fflush(out);
	if (getline(&line, &size, in) >= 0) {
		g_strstrip(line);
		if (*line != '\0')
			answer = g_strdup(line);
	} else
		fputc('\n', out);
	free(line);
	return (answer);
}
