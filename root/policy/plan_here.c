#include "plan_here.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* getgrgid_r may ask for more room than any sane entry needs; beyond
 * this the group is refused rather than grown into. */
#define GROUP_BUF_MAX (1 << 20)

/* getgrgid_r with a growing buffer. 1 found (*name set), 0 no such group,
 * -1 an NSS failure with errno. */
static int group_name(gid_t gid, char **name)
{
	size_t size = 1024;

	for (;;) {
		struct group gr, *res = NULL;
		char *buf = malloc(size);
		int rc;

		if (buf == NULL)
			return -1;
		rc = getgrgid_r(gid, &gr, buf, size, &res);
		if (rc == ERANGE && size < GROUP_BUF_MAX) {
			free(buf);
			size *= 2;
			continue;
		}
		if (rc != 0 || res == NULL) {
			free(buf);
			if (rc == 0)
				return 0;
			errno = rc;
			return -1;
		}
		*name = strdup(gr.gr_name);
		free(buf);
		return *name != NULL ? 1 : -1;
	}
}

int user_info_primary_group(struct user_info *u, struct nsiso_err *e)
{
	char num[16];
	int rc;

	if (u->group != NULL)
		return 0;
	rc = group_name(u->gid, &u->group);
	if (rc < 0)
		return err_set(e, errno, "NSS look-up of group %u of user %s",
			       (unsigned)u->gid, u->name);
	if (rc == 1)
		return 0;
	snprintf(num, sizeof(num), "%u", (unsigned)u->gid);
	u->group = strdup(num);
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
