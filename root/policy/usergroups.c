/* The user's supplementary groups, for choosing a group policy file
 * (load.c): only root's programs need them, so this is not in setuid/lib.
 * An NSS failure is an error, never "no groups". */
#include "userinfo.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fill_groups(struct user_info *u, struct nsiso_err *e)
{
	int ngroups = 32;
	gid_t *gids = NULL;

	for (;;) {
		int want = ngroups;
		gid_t *grown = realloc(gids, (size_t)want * sizeof(*gids));

		if (grown == NULL)
			goto oom;
		gids = grown;
		if (getgrouplist(u->name, u->gid, gids, &ngroups) >= 0)
			break;
		if (ngroups <= want) /* a failure that is not "too small" */
			ngroups = want * 2;
		if (ngroups > 65536) {
			err_set(e, 0,
				 "cannot list the groups of %s through NSS",
				 u->name);
			free(gids);
			return -1;
		}
	}
	u->groups = calloc((size_t)ngroups + 1, sizeof(*u->groups));
	if (u->groups == NULL)
		goto oom;
	for (int i = 0; i < ngroups; i++) {
		char *name = NULL;
		int rc = user_group_name(gids[i], &name);

		if (rc < 0) {
			err_set(e, 0,
				 "NSS look-up of group %u of user %s: %s",
				 (unsigned)gids[i], u->name, strerror(errno));
			free(gids);
			return -1;
		}
		if (rc == 0) /* a gid without an entry cannot name a group file */
			continue;
		u->groups[u->n_groups++] = name;
	}
	free(gids);
	u->groups_loaded = true;
	return 0;
oom:
	free(gids);
	err_set(e, 0, "out of memory");
	return -1;
}

int user_info_load_groups(struct user_info *u, struct nsiso_err *e)
{
	if (u->groups_loaded)
		return 0;
	return fill_groups(u, e);
}

