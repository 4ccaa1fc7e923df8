/* The NSS look-ups behind group policy files (load.c): root's programs
 * only, so not in setuid/lib. groupmatch.h decides from their answers. */
#ifndef NSISO_USERGROUPS_H
#define NSISO_USERGROUPS_H

#include <grp.h>

#include "errmsg.h"
#include "groupmatch.h"

/* One getgrnam_r or getgrgid_r answer and the memory it points into. */
struct nss_group {
	struct group_answer answer;
	struct group gr;
	char *buf;
};

/* Asks NSS for group name with getgrnam_r, which, unlike getgrouplist,
 * reports a failure: g->answer is GROUP_FOUND, GROUP_ABSENT, or
 * GROUP_FAILED with the errno (ERANGE: an entry over 16 MiB; ENOMEM).
 * Free with nss_group_free. */
void nss_group_lookup(const char *name, struct nss_group *g);
/* The same by gid (getgrgid_r): a user's primary group (plan_here.c). */
void nss_group_lookup_gid(gid_t gid, struct nss_group *g);
void nss_group_free(struct nss_group *g);

/* The user's groups by getgrouplist() (initgroups: what sssd reports even
 * with ignore_group_members). glibc does not report a module that failed
 * here, which is why it only ever adds members (groupmatch.h). 0, or -1
 * with the error in e. Free list->gids. */
int nss_user_gids(const char *user, gid_t primary, struct gid_list *list,
		  struct nsiso_err *e);

#endif
