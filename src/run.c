/*
 * run.c: what every command shares.
 */
#include "run.h"

#include "oauth.h"

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

char *
run_secret(void *ctx, gboolean again, GError **err)
{
	const struct run_login *l = ctx;

	if (l->acct->auth == AUTH_XOAUTH2)
		return (oauth_token(l->acct, l->r->cfg->state_dir,
		    g_date_time_to_unix(l->r->now), again, l->r->cfg->timeout,
		    err));
	return (config_password(l->acct, err));
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
