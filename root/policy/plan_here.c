#include "plan_here.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "usergroups.h"

int user_info_primary_group(struct user_info *u, struct nsiso_err *e)
{
	struct nss_group g;
	char num[16];

	if (u->group != NULL)
		return 0;
	nss_group_lookup_gid(u->gid, &g);
	switch (g.answer.status) {
	case GROUP_FAILED: {
		int err = g.answer.err;

		nss_group_free(&g);
		return err_set(e, err, "NSS look-up of group %u of user %s",
			       (unsigned)u->gid, u->name);
	}
	case GROUP_FOUND:
		u->group = strdup(g.answer.name);
		break;
	case GROUP_ABSENT: /* a gid without a name: %g is the number */
		snprintf(num, sizeof(num), "%u", (unsigned)u->gid);
		u->group = strdup(num);
		break;
	}
	nss_group_free(&g);
	if (u->group == NULL)
		return err_set(e, 0, "out of memory");
	return 0;
}

int plan_make_here(const struct loaded_policy *lp, struct user_info *u,
		   struct env_plan *plan, struct nsiso_err *e)
{
	struct utsname un;

	if (user_info_primary_group(u, e) < 0)
		return -1;
	if (uname(&un) < 0)
		return err_set(e, errno, "uname");
	return plan_make(&lp->policy, lp->path, u, un.nodename, plan, e);
}
