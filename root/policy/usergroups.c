/* Membership of the groups that have a policy file, through NSS calls
 * that report failures (nsiso-policy(5), WHICH FILE APPLIES). */
#include "usergroups.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A directory's group may list thousands of members (1 MiB is about
 * 100,000 names); beyond this the look-up counts as failed. */
#define GROUP_BUF_MAX ((size_t)16 << 20)

/* By name when name is set, else by gid: one loop, one bound. */
static void group_lookup(const char *name, gid_t gid, struct nss_group *g)
{
	size_t size = 4096;

	memset(g, 0, sizeof(*g));
	for (;;) {
		struct group *res = NULL;
		char *grown = realloc(g->buf, size);
		int rc;

		if (grown == NULL) {
			g->answer.status = GROUP_FAILED;
			g->answer.err = ENOMEM;
			return;
		}
		g->buf = grown;
		rc = name != NULL ? getgrnam_r(name, &g->gr, g->buf, size, &res)
				  : getgrgid_r(gid, &g->gr, g->buf, size, &res);
		if (rc == ERANGE && size < GROUP_BUF_MAX) {
			size *= 2;
			continue;
		}
		if (rc != 0) {
			/* glibc returns the module's errno for NSS_STATUS_UNAVAIL
			 * and TRYAGAIN; NOTFOUND is 0 with no result. */
			g->answer.status = GROUP_FAILED;
			g->answer.err = rc;
			return;
		}
		if (res == NULL) {
			g->answer.status = GROUP_ABSENT;
			return;
		}
		g->answer.status = GROUP_FOUND;
		g->answer.name = g->gr.gr_name;
		g->answer.gid = g->gr.gr_gid;
		g->answer.members = g->gr.gr_mem;
		return;
	}
}

void nss_group_lookup(const char *name, struct nss_group *g)
{
	group_lookup(name, 0, g);
}

void nss_group_lookup_gid(gid_t gid, struct nss_group *g)
{
	group_lookup(NULL, gid, g);
}

void nss_group_free(struct nss_group *g)
{
	free(g->buf);
	memset(g, 0, sizeof(*g));
}

int nss_user_gids(const char *user, gid_t primary, struct gid_list *list,
		  struct nsiso_err *e)
{
	int ngroups = 32;
	gid_t *gids = NULL;

	for (;;) {
		int want = ngroups;
		gid_t *grown = realloc(gids, (size_t)want * sizeof(*gids));

		if (grown == NULL) {
			free(gids);
			return err_set(e, ENOMEM, "list the groups of %s", user);
		}
		gids = grown;
		if (getgrouplist(user, primary, gids, &ngroups) >= 0)
			break;
		/* -1 means "too small"; ngroups then says how many, or (a
		 * module that grew its list since) no more than before. */
		if (ngroups <= want)
			ngroups = want * 2;
		if (ngroups > 65536) {
			free(gids);
			return err_set(e, 0,
				       "list the groups of %s through NSS: more than 65536",
				       user);
		}
	}
	list->gids = gids;
	list->n = (size_t)ngroups;
	return 0;
}
