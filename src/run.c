/*
 * run.c: what every command shares.
 */
#include <glib/gi18n.h>

#include "run.h"

#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include "error.h"

#include "imap.h"
#include "oauth.h"
#include "store.h"

void
run_imap_login(const struct account *acct, struct imap_login *l)
{
	l->host = acct->host;
	l->port = acct->port;
	l->starttls = acct->security == SECURITY_STARTTLS;
	l->ca_file = acct->ca_file;
	l->user = acct->user;
	l->xoauth2 = acct->auth == AUTH_XOAUTH2;
}

void
run_policy(const struct run *r, const char *platform, struct policy *p)
{
	const struct policy_override *o;

	policy_init_default(p);
	rules_platform_policy(r->rules, platform, p);
	policy_apply(p, &r->cfg->policy);
	o = g_hash_table_lookup(r->cfg->platform_policy, platform);
	if (o != NULL)
		policy_apply(p, o);
	p->cal = r->cal;
}

void
run_decide(const struct run *r, const struct thread *t, struct decision *d)
{
	struct policy	p;

	run_policy(r, t->platform, &p);
	policy_decide(&t->state, &p, g_date_time_to_unix(r->now), d);
}

char *
run_secret(void *ctx, gboolean again, GError **err)
{
	struct run_login	*l = ctx;
	struct command		*early = l->early;

	if (l->acct->auth == AUTH_XOAUTH2)
		return (oauth_token(l->acct, l->r->cfg->state_dir,
		    g_date_time_to_unix(l->r->now), again, l->r->cfg->timeout,
		    err));
	l->early = NULL;
	if (early == NULL)
		return (config_password(l->acct, l->r->cfg->timeout, err));
	return (config_password_take(l->acct, early, l->r->cfg->timeout, err));
}

void
run_secret_start(struct run_login *l)
{
	if (l->acct->auth != AUTH_XOAUTH2 && l->early == NULL)
		l->early = config_password_start(l->acct);
}

void
run_secret_clear(struct run_login *l)
{
	command_abandon(l->early);
	l->early = NULL;
}

char *
run_words(void)
{
	const char	*messages = setlocale(LC_MESSAGES, NULL);
	const char	*time = setlocale(LC_TIME, NULL);

	return (g_strdup_printf("%s\n%s\n%s\n%s\n", PACKAGE_VERSION,
	    messages != NULL ? messages : "", g_get_language_names()[0],
	    time != NULL ? time : ""));
}

const char *
run_data_dir(void)
{
	const char *d = g_getenv("RENRAKU_DATADIR");

	return (d != NULL && *d != '\0' ? d : PKGDATADIR);
}

char **
run_template_dirs(const struct config *cfg)
{
	GPtrArray	*a = g_ptr_array_new();

	if (cfg->templates_dir != NULL)
		g_ptr_array_add(a, g_strdup(cfg->templates_dir));
	g_ptr_array_add(a, g_build_filename(g_get_user_config_dir(), "renraku",
	    "templates", NULL));
	g_ptr_array_add(a, g_build_filename(run_data_dir(), "templates",
	    NULL));
	g_ptr_array_add(a, NULL);
	return ((char **)g_ptr_array_free(a, FALSE));
}

/* Take the lock in state_dir, or fail (another sync is running). */
int
run_lock(const char *state_dir, GError **err)
{
	char	*path;
	int	 fd;

	if (g_mkdir_with_parents(state_dir, 0700) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("cannot create state directory %s: %s"), state_dir,
		    g_strerror(errno));
		return (-1);
	}
	path = g_build_filename(state_dir, "lock", NULL);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("cannot open lock %s: %s"), path, g_strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("another renraku sync is running (%s is locked); not "
		    "starting"), path);
		close(fd);
		fd = -1;
	}
	g_free(path);
	return (fd);
}

void
run_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}
