/* The user as NSS sees it: canonical name, ids, home, shell. An NSS
 * failure is an error. The primary group's name is looked up only for a
 * plan (root/policy/plan_here.c), the groups that have policy files by
 * root/policy/usergroups.c: the setuid programs need neither. */
#ifndef NSISO_USERINFO_H
#define NSISO_USERINFO_H

#include <stddef.h>
#include <sys/types.h>

#include "errmsg.h"

struct user_info {
	char *name;       /* canonical name returned by NSS */
	uid_t uid;
	gid_t gid;
	char *home;
	char *shell;
	char *group;      /* NULL until user_info_primary_group (plan_here.h): "%g" */
	char uid_str[16]; /* "%U" */
};

/* 0 on success; -1 with the error in e. */
int user_info_by_name(const char *name, struct user_info *u, struct nsiso_err *e);
int user_info_by_uid(uid_t uid, struct user_info *u, struct nsiso_err *e);
void user_info_free(struct user_info *u);

#endif
