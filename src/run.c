/*
 * run.c: what every command shares.
 */
#include "run.h"

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
